"""Starts the real product (action server, Rasa with our channels, web front) for measuring.

The same three commands `make run` gives supervisord (bot.supervision.commands), started here
directly as child processes so their RSS and CPU are this suite's, with a fresh SQLite
directory in a temporary folder, per-run secrets and free loopback ports. Neither supervisord
nor the HAProxy edge that `make run` puts in front of the web front (when HAProxy is installed)
is started: the web front serves its own loopback port, as `make run` does with
WEBFRONT_PROXY=none, so "through the web front" means waitress -> Flask -> Rasa, no edge hop.

Every limit that a closed-loop load test from one address trips is switched off (0 turns each
off), because the virtual users send far faster than a person does and all from 127.0.0.1:
the per-conversation and overall rate limits of the channels, and the web front's
per-address rate and in-flight limits. A limit that still trips shows up in the report
(bench/load.py counts HTTP 429s and the "please wait" reply as limited, not as answers).
"""

from __future__ import annotations

import asyncio
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import yaml

from bench.common import LOGS, ROOT, base_env, new_sender, stop_process, wait_for_url
from bench.load import Target, send_one
from bot.replicas.processes import free_port

# A first message that needs all three processes: the web front, Rasa's NLU and dialogue, and
# the action server searching the directory.
PROBE_MESSAGE = "where can i get help in lewisham"

# 0 turns each limit off (bot.settings, bot.webfront.config). The channels' limits:
LIMITS_OFF = {
    "RATE_LIMIT_PER_MINUTE": "0",  # per conversation (Rasa channels and the web front)
    "OVERALL_RATE_LIMIT_PER_MINUTE": "0",  # every conversation of a channel together
    # The web front's, keyed by client address (the load generator is one address):
    "ADDRESS_RATE_LIMIT_PER_MINUTE": "0",
    "ADDRESS_MAX_IN_FLIGHT": "0",
    "MAX_IN_FLIGHT": "0",
}


def _plain_text(response: str) -> str:
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    variants = domain["responses"][response]
    return next(v["text"] for v in variants if not v.get("channel") and not v.get("condition"))


def unavailable_text() -> str:
    """The words of the fallback reply, to tell a real answer from "Rasa could not answer"."""
    return _plain_text("utter_service_unavailable")


def rate_limited_text() -> str:
    """The words of the "please wait" reply a rate limit answers with instead of the bot."""
    return _plain_text("utter_refused_rate")


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
            **LIMITS_OFF,
        })
        return env

    def web_front(self) -> Target:
        return Target("web front -> Rasa web channel -> actions -> SQLite",
                      f"http://127.0.0.1:{self.web_port}/api/chat",
                      {"Sec-Fetch-Site": "same-origin"}, unavailable_text(), rate_limited_text())

    def rasa_direct(self) -> Target:
        return Target("Rasa web channel -> actions -> SQLite (no web front)",
                      f"http://127.0.0.1:{self.rasa_port}/webhooks/web/webhook",
                      {"X-Webfront-Token": self.token}, unavailable_text(), rate_limited_text())

    def start(self, timeout: float = 180) -> float:
        """Launch all three at once (as supervisord does for `make run`); seconds until the
        first real answer through the web front."""
        from bot.supervision import commands

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
        shutil.rmtree(self.folder, ignore_errors=True)  # its throwaway SQLite directory

    def check_all_up(self) -> None:
        if not wait_for_url(f"http://127.0.0.1:{self.action_port}/health",
                            list(self.procs.values()), 10):
            raise RuntimeError("action server is not answering /health")
