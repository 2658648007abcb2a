"""Starts the real product (action server, Rasa with our channels, web front) for measuring.

The same commands `make run` uses (bot.run.commands) and the same environment the end-to-end
tests use (tests/conftest.py): a fresh SQLite directory in a temporary folder, per-run secrets,
free loopback ports. Only the per-conversation rate limit is switched off, because virtual
users send far faster than the limit allows a person to.
"""

from __future__ import annotations

import asyncio
import secrets
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import yaml

from bench.common import LOGS, ROOT, base_env, free_port, new_sender, stop_process, wait_for_url
from bench.load import Target, send_one

# A first message that needs all three processes: the web front, Rasa's NLU and dialogue, and
# the action server searching the directory.
PROBE_MESSAGE = "where can i get help in lewisham"


def unavailable_text() -> str:
    """The words of the fallback reply, to tell a real answer from "Rasa could not answer"."""
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    variants = domain["responses"]["utter_service_unavailable"]
    return next(v["text"] for v in variants if not v.get("channel") and not v.get("condition"))


@dataclass
class Stack:
    model: Path
    rasa_port: int = field(default_factory=free_port)
    action_port: int = field(default_factory=free_port)
    web_port: int = field(default_factory=free_port)
    token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    procs: dict[str, subprocess.Popen] = field(default_factory=dict)
    folder: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="signpost-bench-")))
    cold_start_seconds: float | None = None

    def env(self) -> dict[str, str]:
        env = base_env()
        env.update({
            "DATABASE_URL": f"sqlite:///{self.folder / 'directory.sqlite3'}",
            "WEBFRONT_TOKEN": self.token,
            "SENDER_HASH_KEY": secrets.token_urlsafe(24),
            "SANIC_HOST": "127.0.0.1",
            "WEBFRONT_PORT": str(self.web_port),
            "RASA_URL": f"http://127.0.0.1:{self.rasa_port}",
            "RATE_LIMIT_PER_MINUTE": "0",
        })
        return env

    def web_front(self) -> Target:
        return Target("web front -> Rasa web channel -> actions -> SQLite",
                      f"http://127.0.0.1:{self.web_port}/api/chat",
                      {"Sec-Fetch-Site": "same-origin"}, unavailable_text())

    def rasa_direct(self) -> Target:
        return Target("Rasa web channel -> actions -> SQLite (no web front)",
                      f"http://127.0.0.1:{self.rasa_port}/webhooks/web/webhook",
                      {"X-Webfront-Token": self.token}, unavailable_text())

    def start(self, timeout: float = 180) -> float:
        """Launch all three at once, as `make run` does; seconds until the first real answer."""
        from bot.run import commands

        env = self.env()
        subprocess.run([sys.executable, "-m", "bot.cli", "directory", "init"], cwd=ROOT,
                       env=env, check=True, capture_output=True)
        LOGS.mkdir(parents=True, exist_ok=True)
        argv = commands(self.model, self.rasa_port, self.action_port)
        started = time.monotonic()
        for name in ("actions", "rasa", "web"):
            log = (LOGS / f"stack-{name}.log").open("wb")
            self.procs[name] = subprocess.Popen(argv[name], cwd=ROOT, env=env, stdout=log,
                                                stderr=subprocess.STDOUT)
            log.close()
        target, fallback = self.web_front(), unavailable_text()
        sender = new_sender("bench-coldstart")
        deadline = started + timeout
        while time.monotonic() < deadline:
            dead = [n for n, p in self.procs.items() if p.poll() is not None]
            if dead:
                raise RuntimeError(f"{', '.join(dead)} exited during start-up; see {LOGS}")
            try:
                _, status, replies = send_one(target, sender, PROBE_MESSAGE, timeout=5)
            except (aiohttp.ClientError, OSError, asyncio.TimeoutError):
                replies, status = None, 0  # not listening yet
            if status == 200 and replies and not any(
                    r.get("text") == fallback for r in replies if isinstance(r, dict)):
                self.cold_start_seconds = time.monotonic() - started
                return self.cold_start_seconds
            time.sleep(0.25)
        raise RuntimeError(f"no real answer through the web front within {timeout:.0f}s")

    def pids(self) -> dict[str, int]:
        return {name: proc.pid for name, proc in self.procs.items()}

    def stop(self) -> None:
        for proc in self.procs.values():
            stop_process(proc)

    def check_all_up(self) -> None:
        if not wait_for_url(f"http://127.0.0.1:{self.action_port}/health",
                            list(self.procs.values()), 10):
            raise RuntimeError("action server is not answering /health")
