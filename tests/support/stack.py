"""The real stack for end-to-end tests: the trained model in a real Rasa server with our channels,
the real action server and a real SQLite directory, on free loopback ports. Tests talk to it over
HTTP only: the web channel's webhook with the shared token, Twilio-signed SMS requests, and
Telegram updates with the secret header (Telegram replies go to a fake Bot API on loopback).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from tests.support.ports import free_port

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Stack:
    rasa_url: str
    action_url: str
    token: str
    env: dict[str, str]
    procs: dict[str, subprocess.Popen] = field(default_factory=dict)
    rasa_port: int = 0
    action_port: int = 0
    log_path: Path | None = None
    telegram_api: Any = None
    model: Path | None = None
    _log: Any = None

    def web(self, sender: str, message: object, timeout: float = 30) -> list[dict]:
        reply = requests.post(
            f"{self.rasa_url}/webhooks/web/webhook",
            json={"sender": sender, "message": message},
            headers={"X-Webfront-Token": self.token},
            timeout=timeout,
        )
        reply.raise_for_status()
        return reply.json()

    def sms(self, sender_number: str, body: str, *, sign: bool = True) -> requests.Response:
        from twilio.request_validator import RequestValidator

        # Twilio gives each message its own MessageSid; a retry repeats it (and is answered once).
        form = {"From": sender_number, "To": "+447700900000", "Body": body,
                "MessageSid": "SM" + secrets.token_hex(16)}
        url = self.env["SMS_PUBLIC_URL"]
        signature = RequestValidator(self.env["TWILIO_AUTH_TOKEN"]).compute_signature(url, form)
        headers = {"X-Twilio-Signature": signature if sign else "forged"}
        return requests.post(f"{self.rasa_url}/webhooks/sms/webhook", data=form, headers=headers, timeout=30)

    def telegram(self, update: dict, *, secret: str | None = None) -> requests.Response:
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret or self.env["TELEGRAM_SECRET_TOKEN"]}
        return requests.post(f"{self.rasa_url}/webhooks/telegram/webhook", json=update,
                             headers=headers, timeout=30)

    def forget(self, sender: str) -> dict:
        reply = requests.post(
            f"{self.rasa_url}/webhooks/web/forget", json={"sender": sender},
            headers={"X-Webfront-Token": self.token}, timeout=10,
        )
        reply.raise_for_status()
        return reply.json()

    def stop(self, name: str) -> None:
        proc = self.procs.get(name)
        if proc and proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=20)

    def start(self, name: str) -> None:
        from bot.run import commands
        from bot.training import model_path

        argv = commands(self.model or model_path(), self.rasa_port, self.action_port)[name]
        self.procs[name] = subprocess.Popen(argv, cwd=ROOT, env=self.env,
                                            stdout=self._log, stderr=subprocess.STDOUT)


def wait_until_up(url: str, proc: subprocess.Popen, seconds: float) -> None:
    """Wait with the supervisor's own readiness check; raise if it never comes up or exits."""
    from bot.run import wait_until_up as ready

    if not ready(url, time.monotonic() + seconds, {"process": proc}):
        raise RuntimeError(f"{url} did not come up in {seconds}s (or its process exited)")


def new_tab_id() -> str:
    return secrets.token_hex(16)


def stack_env(tmp: Path) -> dict[str, str]:
    """The environment of a stack: its own SQLite directory, fresh secrets, SMS and Telegram on."""
    env = dict(os.environ)
    env.update({
        "DATABASE_URL": f"sqlite:///{tmp / 'directory.sqlite3'}",
        "WEBFRONT_TOKEN": secrets.token_urlsafe(24),
        "SENDER_HASH_KEY": secrets.token_urlsafe(24),
        "SANIC_HOST": "127.0.0.1",
        "RASA_TELEMETRY_ENABLED": "false",
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "PYTHONWARNINGS": "ignore",
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        "PYTHONPATH": str(ROOT),
    })
    # SMS on, with a test auth token: requests are signed with twilio's RequestValidator.
    env["TWILIO_AUTH_TOKEN"] = secrets.token_hex(16)
    env["SMS_PUBLIC_URL"] = "https://bot.example.test/webhooks/sms/webhook"
    # Telegram on (its Bot API address is filled in by start_stack).
    env["TELEGRAM_BOT_TOKEN"] = "123456:" + secrets.token_hex(16)
    env["TELEGRAM_SECRET_TOKEN"] = secrets.token_hex(16)
    return env


@contextlib.contextmanager
def start_stack(tmp: Path, model: Path | None = None) -> Iterator[Stack]:
    """Start the real stack in `tmp` (directory file, log) and stop it on exit.

    `model` defaults to the model trained for the current data (bot.training.model_path()).
    """
    from bot.training import model_path
    from tests.channels.channel_harness import fake_bot_api

    model = model or model_path()
    if not model.exists():
        raise FileNotFoundError(f"no trained model at {model}: run `make test`, which trains it")
    rasa_port, action_port = free_port(), free_port()
    env = stack_env(tmp)
    with contextlib.ExitStack() as cleanup:
        # Telegram replies go to a fake Bot API on loopback (the network replaced at the edge).
        telegram_api = cleanup.enter_context(fake_bot_api())
        env["TELEGRAM_API_URL"] = telegram_api.api_url
        subprocess.run([sys.executable, "-m", "bot.cli", "directory", "init"], cwd=ROOT, env=env,
                       check=True, capture_output=True)
        stack = Stack(rasa_url=f"http://127.0.0.1:{rasa_port}",
                      action_url=f"http://127.0.0.1:{action_port}", token=env["WEBFRONT_TOKEN"],
                      env=env, rasa_port=rasa_port, action_port=action_port, model=model)
        stack.telegram_api = telegram_api
        stack.log_path = tmp / "stack.log"
        stack._log = cleanup.enter_context(open(stack.log_path, "wb"))

        def stop_all() -> None:
            for name in list(stack.procs):
                stack.stop(name)

        cleanup.callback(stop_all)
        stack.start("actions")
        stack.start("rasa")
        wait_until_up(f"{stack.action_url}/health", stack.procs["actions"], 120)
        wait_until_up(f"{stack.rasa_url}/webhooks/web/", stack.procs["rasa"], 240)
        yield stack
