"""Starts every process the product has, in the foreground; one Ctrl-C stops them all.

supervisord (a standard process manager) runs the action server, the Rasa server (our channels
only, on loopback, no HTTP API), the web front and, when installed, the HAProxy edge in front
of it. A part that dies is restarted on its own while the others keep answering: a crashed
action server once stopped everything, so danger messages got "connection refused".
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bot.supervision import DEFAULT_ACTION_PORT, RunConfig, commands, endpoints_for, supervisord_config
from bot.training import ROOT, model_path

__all__ = ["DEFAULT_ACTION_PORT", "commands", "endpoints_for", "main", "wait_until_up"]


def _child_env(config: RunConfig) -> dict[str, str]:
    env = dict(os.environ)
    # Per-run secrets when none are configured: conversations live in memory only, so a key
    # that changes on restart loses nothing.
    env.setdefault("WEBFRONT_TOKEN", secrets.token_urlsafe(32))
    env.setdefault("SENDER_HASH_KEY", secrets.token_urlsafe(32))
    env.setdefault("RASA_TELEMETRY_ENABLED", "false")
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    env.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    env.setdefault("PYTHONWARNINGS", "ignore")
    env.setdefault("SANIC_HOST", "127.0.0.1")  # the action server listens on loopback only
    env.setdefault("RASA_URL", f"http://127.0.0.1:{config.rasa_port}")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    return env


def wait_until_up(url: str, deadline: float, procs: dict[str, subprocess.Popen]) -> bool:
    """True once `url` answers 200; False at the deadline or as soon as a process exits."""
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


def _write_configs(config: RunConfig, model: Path, run_dir: Path, domain_file: Path) -> Path:
    haproxy_config = None
    if config.haproxy:
        from bot.webfront.edge import EdgeConfig, render, write_error_files
        from bot.webfront.responses import DomainResponses

        errors = write_error_files(DomainResponses(domain_file),
                                   run_dir / "errors")
        haproxy_config = run_dir / "haproxy.cfg"
        haproxy_config.write_text(render(EdgeConfig(
            public_host=config.public_host, public_port=config.public_port,
            web_port=config.web_backend_port, rasa_port=config.rasa_port,
            trusted_upstreams=config.trusted_upstreams), errors))
    else:
        print("HAProxy is not installed (or WEBFRONT_PROXY=none): the web front serves the "
              "public port itself", file=sys.stderr)
    path = run_dir / "supervisord.conf"
    path.write_text(supervisord_config(config, model, run_dir, haproxy_config))
    return path


def _stop(proc: subprocess.Popen) -> None:
    """supervisord stops every part (each with its whole process group) on SIGTERM."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=40)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)


def _stop_on_signal(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def _banner(config: RunConfig) -> str:
    web = f"http://{config.public_host}:{config.public_port}"
    hooks = web if config.haproxy else f"http://127.0.0.1:{config.rasa_port}"
    return ("\nThe assistant is running. Open:\n"
            f"  web chat:         {web}/\n"
            f"  staff admin:      {web}/admin/\n"
            f"  directory API:    {web}/api/services\n"
            f"  SMS webhook:      {hooks}/webhooks/sms/webhook\n"
            f"  Telegram webhook: {hooks}/webhooks/telegram/webhook\n"
            "A part that stops is restarted on its own. Press Ctrl-C to stop everything.\n")


def main() -> int:
    # Installed explicitly: a process started in the background inherits an ignored SIGINT,
    # and service managers stop with SIGTERM. Either must stop every child.
    signal.signal(signal.SIGINT, _stop_on_signal)
    signal.signal(signal.SIGTERM, _stop_on_signal)
    from bot.config import current

    try:
        whole = current()  # every setting checked once: a bad value stops here, one line each
    except SystemExit as error:
        print(error, file=sys.stderr)
        return 1
    config = whole.run
    model = model_path()
    if not model.exists():
        print(f"no model at {model}: run `make run`, which trains it first", file=sys.stderr)
        return 1
    (ROOT / "var").mkdir(exist_ok=True)
    supervisor: subprocess.Popen | None = None
    with tempfile.TemporaryDirectory(prefix="run-", dir=ROOT / "var") as tmp:
        run_dir = Path(tmp)
        try:
            conf = _write_configs(config, model, run_dir, whole.web.domain_file)
            supervisor = subprocess.Popen(
                [sys.executable, "-m", "supervisor.supervisord", "-n", "-c", str(conf)],
                cwd=ROOT, env=_child_env(config))
            deadline = time.monotonic() + 240
            host = "127.0.0.1" if config.public_host in ("0.0.0.0", "::") else config.public_host
            public = f"http://{host}:{config.public_port}/healthz"
            rasa = f"http://127.0.0.1:{config.rasa_port}/webhooks/web/"
            if not all(wait_until_up(url, deadline, {"supervisord": supervisor})
                       for url in (public, rasa)):
                print("the assistant did not start; stopping", file=sys.stderr)
                return 1
            print(_banner(config), flush=True)
            code = supervisor.wait()
            print(f"supervisord exited ({code})", file=sys.stderr)
            return 1
        except KeyboardInterrupt:
            print("\nstopping...", flush=True)
            return 0
        finally:
            if supervisor is not None:
                _stop(supervisor)


if __name__ == "__main__":
    sys.exit(main())
