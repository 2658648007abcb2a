"""`make run` as a person's messages meet it: parts that die come back on their own, danger is
answered 999-first on the web and by SMS while they are away, slow clients starve nobody, and
one Ctrl-C stops everything.

One `python -m bot.run` for the module (Rasa takes a while to load), on free loopback ports,
with the HAProxy edge in front as in `make run`.
"""

from __future__ import annotations

import os
import re
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
import yaml

from bot.supervision import find_haproxy
from tests.support.ports import free_port
from tests.support.slow_clients import slow_clients
from tests.support.stack import ROOT

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]

DANGER = "he has a knife and says he will kill me"
SMS_URL = "https://bot.example.test/webhooks/sms/webhook"
# Which supervisord child is which, by its command line.
PART_MARKERS = {"actions": "rasa_sdk", "rasa": " rasa run ", "web": "bot.webfront", "edge": "haproxy"}
DANGER_BOUND_SECONDS = 2.0  # the explicit bound, the only timed assertion here


def emergency(channel: str | None = None) -> str:
    responses = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))["responses"]
    variants = [v for v in responses["utter_emergency"] if not v.get("condition")]
    chosen = [v for v in variants if v.get("channel") == channel] or \
        [v for v in variants if not v.get("channel")]
    return chosen[0]["text"]


def children(pid: int) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(line) for line in found.split()]


def alive(pid: int) -> bool:
    status = Path(f"/proc/{pid}/status")
    return status.exists() and "State:\tZ" not in status.read_text()


def cmdline(pid: int) -> str:
    try:
        return " " + Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode() + " "
    except OSError:
        return ""


@dataclass
class Running:
    proc: subprocess.Popen
    log: Path
    ports: dict[str, int]
    env: dict[str, str]

    @property
    def public(self) -> str:
        return f"http://127.0.0.1:{self.ports['WEBFRONT_PORT']}"

    def supervisord(self) -> int:
        kids = children(self.proc.pid)
        assert len(kids) == 1, kids
        return kids[0]

    def parts(self) -> dict[str, int]:
        found = {}
        for pid in children(self.supervisord()):
            line = cmdline(pid)
            for name, marker in PART_MARKERS.items():
                if marker in line:
                    found[name] = pid
        return found

    def health_url(self, part: str) -> str:
        return {
            "actions": f"http://127.0.0.1:{self.ports['ACTION_PORT']}/health",
            "rasa": f"http://127.0.0.1:{self.ports['RASA_PORT']}/webhooks/web/",
            "web": f"http://127.0.0.1:{self.ports['WEBFRONT_BACKEND_PORT']}/healthz",
            "edge": f"{self.public}/healthz",
        }[part]

    def chat(self, message: str, *, timeout: float = DANGER_BOUND_SECONDS) -> list[dict]:
        reply = requests.post(f"{self.public}/api/chat", timeout=timeout,
                              json={"sender": secrets.token_hex(12), "message": message})
        assert reply.headers["Content-Type"].startswith("application/json"), reply.text[:200]
        return reply.json()

    def sms(self, body: str) -> requests.Response:
        from twilio.request_validator import RequestValidator

        form = {"From": "+447700900123", "To": "+447700900000", "Body": body,
                "MessageSid": "SM" + secrets.token_hex(16)}
        signature = RequestValidator(self.env["TWILIO_AUTH_TOKEN"]).compute_signature(SMS_URL, form)
        return requests.post(f"{self.public}/webhooks/sms/webhook", data=form, timeout=10,
                             headers={"X-Twilio-Signature": signature})


def up(url: str) -> bool:
    try:
        return requests.get(url, timeout=1).status_code == 200
    except requests.RequestException:
        return False


def wait_for(predicate: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, f"{what} within {seconds} s"
        time.sleep(0.25)


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    from bot.training import model_path

    if not model_path().exists():
        pytest.fail("no trained model for the current data: run `make test`, which trains it")
    if find_haproxy() is None:
        pytest.skip("HAProxy is not installed (make test installs it)")
    tmp = tmp_path_factory.mktemp("run")
    ports = {name: free_port() for name in
             ("RASA_PORT", "ACTION_PORT", "WEBFRONT_PORT", "WEBFRONT_BACKEND_PORT")}
    env = {**os.environ, **{k: str(v) for k, v in ports.items()},
           "DATABASE_URL": f"sqlite:///{tmp / 'd.sqlite3'}", "SENDER_HASH_KEY": secrets.token_hex(8),
           "TWILIO_AUTH_TOKEN": secrets.token_hex(16), "SMS_PUBLIC_URL": SMS_URL}
    env.pop("WEBFRONT_PROXY", None)
    subprocess.run([sys.executable, "-m", "bot.cli", "directory", "init"], cwd=ROOT, env=env,
                   check=True, capture_output=True)
    log = tmp / "run.log"
    with log.open("ab") as out:  # append: supervisord's children write to the same file
        proc = subprocess.Popen([sys.executable, "-m", "bot.run"], cwd=ROOT, env=env, stdout=out,
                                stderr=subprocess.STDOUT)
    running = Running(proc=proc, log=log, ports=ports, env=env)
    try:
        wait_for(lambda: "Press Ctrl-C" in log.read_text(errors="replace") or proc.poll() is not None,
                 300, "the banner")
        assert proc.poll() is None, log.read_text(errors="replace")[-3000:]
        yield running
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()


def test_everything_starts_under_one_supervisor_behind_the_edge(running: Running) -> None:
    banner = running.log.read_text(errors="replace")
    assert f"{running.public}/" in banner
    assert set(running.parts()) == set(PART_MARKERS)
    assert "not a person" in running.chat("hello", timeout=30)[0]["text"]
    # Only Twilio's and Telegram's webhooks reach Rasa through the public port: not its
    # version banner, not the token-guarded web channel.
    root = requests.get(f"{running.public}/", timeout=5)
    assert "Rasa" not in root.text and "Server" not in root.headers
    assert requests.post(f"{running.public}/webhooks/web/webhook", json={}, timeout=5).status_code == 404


@pytest.mark.parametrize("part", ["actions", "web", "edge", "rasa"])
def test_a_killed_part_comes_back_and_danger_is_answered_999_first_meanwhile(
        running: Running, part: str) -> None:
    before = running.parts()
    os.kill(before[part], signal.SIGKILL)
    killed_at = time.monotonic()
    if part == "edge":
        # The edge is the listener itself: until supervisord brings it back (about a second)
        # connections are refused, and the page shows its own text with 999 in it.
        wait_for(lambda: up(running.health_url("edge")), 30, "the edge back")
    answered = 0
    while True:
        started = time.monotonic()
        replies = running.chat(DANGER)
        assert time.monotonic() - started < DANGER_BOUND_SECONDS
        assert replies[0]["text"] == emergency("web"), replies
        sms = running.sms(DANGER)
        assert sms.status_code == 200, sms.text[:300]
        first = re.search(r"<Message>(.*?)</Message>", sms.text, re.S)
        assert first and "999" in first.group(1) and "55" in first.group(1), sms.text[:300]
        answered += 1
        back = running.parts().get(part)
        if back not in (None, before[part]) and up(running.health_url(part)) and answered >= 2:
            break
        assert time.monotonic() - killed_at < 300, f"{part} did not come back"
        time.sleep(0.5)
    # Only the killed part was restarted.
    after = running.parts()
    assert {name: pid for name, pid in after.items() if name != part} == \
        {name: pid for name, pid in before.items() if name != part}
    assert f"exited: {part} (terminated by SIGKILL" in running.log.read_text(errors="replace")


def test_three_hundred_slow_clients_starve_nobody(running: Running) -> None:
    wait_for(lambda: all(up(running.health_url(p)) for p in PART_MARKERS), 300, "every part up")
    sources = [f"127.0.0.{n}" for n in range(10, 20)]
    port = running.ports["WEBFRONT_PORT"]
    with slow_clients("127.0.0.1", port, 150, sources=sources, kind="headers") as headers, \
            slow_clients("127.0.0.1", port, 150, sources=sources, kind="body") as bodies:
        assert headers.opened + bodies.opened == 300
        for _ in range(8):
            started = time.monotonic()
            replies = running.chat(DANGER)
            assert time.monotonic() - started < DANGER_BOUND_SECONDS
            assert replies[0]["text"] == emergency("web")
            time.sleep(1)
    # HAProxy gave each 5 s to send its request, then let it go.
    assert headers.closed_by_server + bodies.closed_by_server > 0


def test_one_interrupt_stops_every_process(running: Running) -> None:
    supervisord = running.supervisord()
    started = [supervisord, *running.parts().values()]
    assert len(started) == 5
    running.proc.send_signal(signal.SIGINT)
    assert running.proc.wait(timeout=60) == 0
    wait_for(lambda: not [pid for pid in started if alive(pid)], 10, "every process gone")
