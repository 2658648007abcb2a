"""Starts every process the product has, in the foreground; one Ctrl-C stops them all.

The action server, the Rasa server (our channels only, on loopback, no HTTP API) and the web
front run as child processes so each can be restarted or scaled on its own later. If any of
them stops, the others are stopped too: a half-running bot that cannot answer is worse than a
clear failure.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from bot.training import ROOT, model_path

LOGGING = str(ROOT / "bot" / "logging.yml")
DEFAULT_ACTION_PORT = 5055


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    # Per-run secrets when none are configured: conversations live in memory only, so a key
    # that changes on restart loses nothing.
    env.setdefault("WEBFRONT_TOKEN", secrets.token_urlsafe(32))
    env.setdefault("SENDER_HASH_KEY", secrets.token_urlsafe(32))
    env.setdefault("RASA_TELEMETRY_ENABLED", "false")
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    env.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    env.setdefault("PYTHONWARNINGS", "ignore")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    return env


def endpoints_for(action_port: int) -> Path:
    """endpoints.yml names the default action port; other ports get a derived copy."""
    source = ROOT / "endpoints.yml"
    if action_port == DEFAULT_ACTION_PORT:
        return source
    derived = ROOT / "var" / f"endpoints-{action_port}.yml"
    derived.parent.mkdir(parents=True, exist_ok=True)
    derived.write_text(source.read_text().replace(
        f"127.0.0.1:{DEFAULT_ACTION_PORT}", f"127.0.0.1:{action_port}"))
    return derived


def commands(model: Path, rasa_port: int, action_port: int) -> dict[str, list[str]]:
    py = sys.executable
    return {
        "actions": [py, "-m", "rasa_sdk", "--actions", "actions", "--port", str(action_port),
                    "--logging-config_file", LOGGING],
        "rasa": [py, "-m", "rasa", "run", "--model", str(model), "--port", str(rasa_port),
                 "--interface", "127.0.0.1", "--credentials", "credentials.yml",
                 "--endpoints", str(endpoints_for(action_port)), "--logging-config-file", LOGGING],
        "web": [py, "-m", "bot.webfront"],
    }


def wait_until_up(url: str, deadline: float, procs: dict[str, subprocess.Popen]) -> bool:
    while time.monotonic() < deadline:
        if any(p.poll() is not None for p in procs.values()):
            return False
        try:
            with urllib.request.urlopen(url, timeout=1) as reply:
                if reply.status == 200:
                    return True
        except OSError:
            time.sleep(0.5)
    return False


def stop_all(procs: dict[str, subprocess.Popen]) -> None:
    for proc in procs.values():
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 10
    for proc in procs.values():
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()


def _stop_on_signal(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def main() -> int:
    # Installed explicitly: a process started in the background inherits an ignored SIGINT,
    # and service managers stop with SIGTERM. Either must stop every child.
    signal.signal(signal.SIGINT, _stop_on_signal)
    signal.signal(signal.SIGTERM, _stop_on_signal)
    model = model_path()
    if not model.exists():
        print(f"no model at {model}: run `make run`, which trains it first", file=sys.stderr)
        return 1
    rasa_port = int(os.environ.get("RASA_PORT", "5005"))
    action_port = int(os.environ.get("ACTION_PORT", str(DEFAULT_ACTION_PORT)))
    web_port = int(os.environ.get("WEBFRONT_PORT", "8080"))
    env = _child_env()
    env.setdefault("SANIC_HOST", "127.0.0.1")  # the action server listens on loopback only
    env.setdefault("RASA_URL", f"http://127.0.0.1:{rasa_port}")
    procs: dict[str, subprocess.Popen] = {}
    try:
        for name, argv in commands(model, rasa_port, action_port).items():
            procs[name] = subprocess.Popen(argv, cwd=ROOT, env=env)
        ready = wait_until_up(f"http://127.0.0.1:{rasa_port}/webhooks/web/",
                              time.monotonic() + 180, procs)
        if not ready:
            print("a process failed to start; stopping all", file=sys.stderr)
            return 1
        print(
            "\nThe assistant is running. Open:\n"
            f"  web chat:         http://127.0.0.1:{web_port}/\n"
            f"  staff admin:      http://127.0.0.1:{web_port}/admin/\n"
            f"  directory API:    http://127.0.0.1:{web_port}/api/services\n"
            f"  SMS webhook:      http://127.0.0.1:{rasa_port}/webhooks/sms/webhook\n"
            f"  Telegram webhook: http://127.0.0.1:{rasa_port}/webhooks/telegram/webhook\n"
            "Press Ctrl-C to stop everything.\n",
            flush=True,
        )
        while all(p.poll() is None for p in procs.values()):
            time.sleep(0.5)
        stopped = [name for name, p in procs.items() if p.poll() is not None]
        print(f"{', '.join(stopped)} stopped; stopping the rest", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nstopping...", flush=True)
        return 0
    finally:
        stop_all(procs)


if __name__ == "__main__":
    sys.exit(main())
