"""`make run` starts every process and one Ctrl-C stops them all."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.conftest import ROOT, free_port

pytestmark = pytest.mark.e2e


def children(pid: int) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(line) for line in found.split()]


def alive(pid: int) -> bool:
    return Path(f"/proc/{pid}").exists() and "State:\tZ" not in Path(f"/proc/{pid}/status").read_text()


def test_one_interrupt_stops_every_process(tmp_path: Path) -> None:
    ports = {"RASA_PORT": free_port(), "ACTION_PORT": free_port(), "WEBFRONT_PORT": free_port()}
    env = {**os.environ, **{k: str(v) for k, v in ports.items()},
           "DATABASE_URL": f"sqlite:///{tmp_path / 'd.sqlite3'}", "SENDER_HASH_KEY": secrets.token_hex(8)}
    log = (tmp_path / "run.log").open("w+")
    proc = subprocess.Popen([sys.executable, "-m", "bot.run"], cwd=ROOT, env=env, stdout=log,
                            stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and "Press Ctrl-C" not in Path(log.name).read_text():
            assert proc.poll() is None, Path(log.name).read_text()[-2000:]
            time.sleep(1)
        banner = Path(log.name).read_text()
        assert f"http://127.0.0.1:{ports['WEBFRONT_PORT']}/" in banner
        reply = requests.post(f"http://127.0.0.1:{ports['WEBFRONT_PORT']}/api/chat",
                              json={"sender": secrets.token_hex(10), "message": "hello"}, timeout=30)
        assert "not a person" in reply.text
        started = children(proc.pid)
        assert len(started) == 3

        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 0
        time.sleep(0.5)
        assert not [pid for pid in started if alive(pid)]
    finally:
        if proc.poll() is None:
            proc.kill()
        log.close()
