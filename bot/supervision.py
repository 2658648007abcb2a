"""What `make run` runs, and how: one supervisord config for the action server, Rasa, the
web front and (when installed) the HAProxy edge.

Each part is restarted on its own when it dies (supervisord's autorestart, with its growing
back-off when a part keeps failing to start), so a crashed action server no longer takes Rasa
and the web chat down with it; while a part is away the others answer with 999 and the
helpline. Run settings are the run section of bot.config.AppConfig.
"""

from __future__ import annotations

import ipaddress
import shlex
import shutil
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from bot.training import ROOT

LOGGING = str(ROOT / "bot" / "logging.yml")
DEFAULT_ACTION_PORT = 5055
PROGRAMS = ("actions", "rasa", "web", "edge")


def _port(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    try:
        port = int(raw) if raw else default
    except ValueError:
        return default
    return port if 0 < port < 65536 else default


def _networks(raw: str) -> tuple[str, ...]:
    """Addresses or CIDR ranges; a malformed one is left out with a line on stderr (trusting
    less is the safe side) rather than stopping the start."""
    kept = []
    for item in (part.strip() for part in raw.split(",")):
        if not item:
            continue
        try:
            kept.append(str(ipaddress.ip_network(item, strict=False)))
        except ValueError:
            print(f"EDGE_TRUSTED_PROXIES: ignoring {item!r}, not an address or range", file=sys.stderr)
    return tuple(kept)


def find_haproxy() -> str | None:
    """Debian installs it in /usr/sbin, which is not on every PATH."""
    return shutil.which("haproxy") or shutil.which("haproxy", path="/usr/sbin:/usr/local/sbin")


@dataclass(frozen=True)
class RunConfig:
    rasa_port: int
    action_port: int
    public_host: str
    public_port: int
    # Where waitress listens when HAProxy is in front of it (loopback only).
    web_backend_port: int
    haproxy: str | None
    trusted_upstreams: tuple[str, ...]
    # ADMIN_PROXY_HOPS when set explicitly; None: worked out from the edge in front.
    admin_proxy_hops: int | None = None

    @classmethod
    def from_mapping(cls, env: Mapping[str, str]) -> RunConfig:
        """WEBFRONT_PROXY=none serves waitress directly on the public port; anything else uses
        HAProxy when it is installed (scripts/install-system-packages.sh installs it)."""
        public_port = _port(env, "WEBFRONT_PORT", 8080)
        wanted = env.get("WEBFRONT_PROXY", "").strip().lower()
        hops = env.get("ADMIN_PROXY_HOPS", "").strip()
        return cls(
            rasa_port=_port(env, "RASA_PORT", 5005),
            action_port=_port(env, "ACTION_PORT", DEFAULT_ACTION_PORT),
            public_host=env.get("WEBFRONT_HOST", "").strip() or "127.0.0.1",
            public_port=public_port,
            web_backend_port=_port(env, "WEBFRONT_BACKEND_PORT", public_port + 1),
            haproxy=None if wanted == "none" else find_haproxy(),
            trusted_upstreams=_networks(env.get("EDGE_TRUSTED_PROXIES", "")),
            admin_proxy_hops=int(hops) if hops.isdigit() else None,
        )


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


def _escape(value: str) -> str:
    """supervisord expands %(name)s in its values."""
    return value.replace("%", "%%")


def _command(argv: list[str]) -> str:
    return _escape(" ".join(shlex.quote(arg) for arg in argv))


def _environment(values: dict[str, str]) -> str:
    return ",".join(f'{key}="{_escape(value)}"' for key, value in values.items())


def _program(name: str, argv: list[str], env: dict[str, str] | None = None) -> str:
    # startsecs: alive this long counts as started; a part that dies sooner is retried after
    # 1 s, 2 s, 3 s... (supervisord's back-off) up to startretries, then left FATAL and logged.
    lines = [
        f"[program:{name}]",
        f"command={_command(argv)}",
        f"directory={_escape(str(ROOT))}",
        "autostart=true",
        "autorestart=true",
        "startsecs=3",
        "startretries=30",
        "stopsignal=TERM",
        "stopwaitsecs=10",
        "stopasgroup=true",
        "killasgroup=true",
        "redirect_stderr=true",
        "stdout_logfile=/dev/stdout",
        "stdout_logfile_maxbytes=0",
    ]
    if env:
        lines.append(f"environment={_environment(env)}")
    return "\n".join(lines) + "\n"


def supervisord_config(config: RunConfig, model: Path, run_dir: Path,
                       haproxy_config: Path | None) -> str:
    """Secrets are not written here: the parts inherit them from supervisord's environment."""
    argv = commands(model, config.rasa_port, config.action_port)
    web_env = {"WEBFRONT_HOST": config.public_host, "WEBFRONT_PORT": str(config.public_port)}
    if haproxy_config is not None:
        web_env = {"WEBFRONT_HOST": "127.0.0.1", "WEBFRONT_PORT": str(config.web_backend_port),
                   "WEBFRONT_TRUSTED_PROXIES": ",".join(("127.0.0.1", *config.trusted_upstreams))}
        # The staff login limiter counts X-Forwarded-For hops: HAProxy adds one, and a
        # trusted TLS proxy in front of it another.
        if config.admin_proxy_hops is None:
            web_env["ADMIN_PROXY_HOPS"] = "2" if config.trusted_upstreams else "1"
    sections = [
        "[supervisord]\n"
        "nodaemon=true\n"
        "logfile=/dev/null\n"  # in the foreground it also logs to stdout: once is enough
        "logfile_maxbytes=0\n"
        "loglevel=info\n"
        f"pidfile={_escape(str(run_dir / 'supervisord.pid'))}\n"
        f"directory={_escape(str(ROOT))}\n",
        "[unix_http_server]\n"
        f"file={_escape(str(run_dir / 'supervisor.sock'))}\n"
        "chmod=0700\n",
        "[rpcinterface:supervisor]\n"
        "supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface\n",
        "[supervisorctl]\n"
        f"serverurl=unix://{_escape(str(run_dir / 'supervisor.sock'))}\n",
        _program("actions", argv["actions"]),
        _program("rasa", argv["rasa"]),
        _program("web", argv["web"], web_env),
    ]
    if haproxy_config is not None and config.haproxy:
        sections.append(_program("edge", [config.haproxy, "-db", "-f", str(haproxy_config)]))
    return "\n".join(sections)
