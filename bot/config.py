"""Every setting in one place: one typed object, and one parser that names every bad value.

`parse(env)` is the only code that reads settings: it checks every variable strictly (one line
per bad value, never echoing it) and builds every section from the same mapping: `channels`
(bot.settings), `secrets` (Twilio and Telegram), `web` (the web front), `admin` (the staff
admin), `store` (Redis, or None for memory), `run` (the processes of `make run`), `directory`
(the database and the directory's rules) and `replicas` (`make replicas`). Each process calls
`current()` where it starts its parts (Rasa's channels and stores, the web front, the admin,
the action server's directory access, the launchers) and passes the sections on; no other
module reads the environment.

A bad value stops a start with one line per problem (ConfigError, a SystemExit: no traceback).
A channel given only half of its pair of secrets is disabled with a warning by the process
(as before); `python -m bot.config` and `make replicas` refuse that too (`load()`).
"""

from __future__ import annotations

import ipaddress
import os
import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields, is_dataclass
from typing import Any
from urllib.parse import urlsplit

from bot.stores.config import BadStoreSetting, RedisSettings, require_shared_secrets

_TELEGRAM_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_SECRET_FIELDS = {"sender_hash_key", "webfront_token", "secret_key", "twilio_auth_token",
                  "telegram_bot_token", "telegram_secret_token", "url", "database_url"}
DEFAULT_TELEGRAM_API_URL = "https://api.telegram.org/bot"  # Bot API convention: the token follows


class ConfigError(SystemExit):
    """Refuses to start: one line per bad value, no traceback."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class ChannelSecrets:
    """What Twilio and Telegram need; a channel without its pair is disabled, not broken."""

    twilio_auth_token: str = ""
    sms_public_url: str = ""
    telegram_bot_token: str = ""
    telegram_secret_token: str = ""
    telegram_api_url: str = DEFAULT_TELEGRAM_API_URL

    @classmethod
    def from_mapping(cls, env: Mapping[str, str]) -> ChannelSecrets:
        return cls(
            twilio_auth_token=env.get("TWILIO_AUTH_TOKEN", "").strip(),
            sms_public_url=env.get("SMS_PUBLIC_URL", "").strip(),
            telegram_bot_token=env.get("TELEGRAM_BOT_TOKEN", "").strip(),
            telegram_secret_token=env.get("TELEGRAM_SECRET_TOKEN", "").strip(),
            telegram_api_url=env.get("TELEGRAM_API_URL", "").strip() or DEFAULT_TELEGRAM_API_URL,
        )


@dataclass(frozen=True)
class ReplicasConfig:
    """`make replicas`: the public port and how many Rasa replicas."""

    public_port: int = 8080
    replicas: int = 2

    @classmethod
    def from_mapping(cls, env: Mapping[str, str]) -> ReplicasConfig:
        port, count = env.get("REPLICAS_PORT", "").strip(), env.get("REPLICAS", "").strip()
        return cls(public_port=int(port) if port.isdigit() else 8080,
                   replicas=max(1, int(count)) if count.isdigit() else 2)


@dataclass(frozen=True)
class AppConfig:
    """channels: what every channel shares (bot.settings); secrets: the channels' own; web: the
    web front; admin: the staff admin; store: Redis or None; run: the processes of `make run`;
    directory: the directory database and rules; replicas: `make replicas`."""

    channels: Any  # bot.settings.Settings
    secrets: ChannelSecrets
    web: Any  # bot.webfront.config.WebfrontConfig
    admin: Any  # services_directory.admin_views.config.AdminConfig
    store: RedisSettings | None
    run: Any  # bot.supervision.RunConfig
    directory: Any  # services_directory.settings.DirectorySettings
    replicas: ReplicasConfig = ReplicasConfig()

    @property
    def database_url(self) -> str:
        return self.directory.database_url


# ---- strict checks: (variable, check) where check returns a reason or None -------------------
def _whole(low: int, high: int | None = None) -> Callable[[str], str | None]:
    def check(raw: str) -> str | None:
        if not raw.isdigit():
            return "is not a whole number"
        if int(raw) < low or (high is not None and int(raw) > high):
            return f"must be {low} or more" + (f" and at most {high}" if high is not None else "")
        return None
    return check


def _seconds(low: float, high: float) -> Callable[[str], str | None]:
    def check(raw: str) -> str | None:
        try:
            value = float(raw)
        except ValueError:
            return "is not a number of seconds"
        return None if low < value <= high else f"must be more than {low:g} and at most {high:g}"
    return check


def _http_url(https_only: bool = False) -> Callable[[str], str | None]:
    def check(raw: str) -> str | None:
        parts = urlsplit(raw)
        schemes = ("https",) if https_only else ("http", "https")
        if parts.scheme not in schemes or not parts.netloc:
            return f"must be an absolute {' or '.join(schemes)} URL"
        return None
    return check


def _networks(raw: str) -> str | None:
    for item in (part.strip() for part in raw.split(",")):
        if not item:
            continue
        try:
            ipaddress.ip_network(item, strict=False)
        except ValueError:
            return f"{item!r} is not an address or range"
    return None


def _one_of(*allowed: str) -> Callable[[str], str | None]:
    return lambda raw: None if raw in allowed else f"must be one of {', '.join(allowed)}"


def _database(raw: str) -> str | None:
    scheme = urlsplit(raw).scheme
    if not (scheme.startswith("sqlite") or scheme.startswith("postgresql")):
        return "must be a sqlite:/// or postgresql:// URL"
    return None


def _telegram_secret(raw: str) -> str | None:
    return None if _TELEGRAM_SECRET.match(raw) else "must be 1-256 letters, digits, _ or -"


CHECKS: dict[str, Callable[[str], str | None]] = {
    # channels (bot.settings)
    "SESSION_TTL_SECONDS": _whole(1),
    "MAX_MESSAGE_CHARS": _whole(1),
    "REPLY_TIMEOUT_SECONDS": _seconds(0, 30),
    "RATE_LIMIT_PER_MINUTE": _whole(0),
    "OVERALL_RATE_LIMIT_PER_MINUTE": _whole(0),
    "RASA_URL": _http_url(),
    "SMS_PUBLIC_URL": _http_url(https_only=True),
    "TELEGRAM_API_URL": _http_url(),
    "TELEGRAM_SECRET_TOKEN": _telegram_secret,
    # web front (bot.webfront.config)
    "WEBFRONT_PORT": _whole(1, 65535),
    "WEBFRONT_BACKEND_PORT": _whole(1, 65535),
    "WEBFRONT_THREADS": _whole(1),
    "WEBFRONT_CONNECTION_LIMIT": _whole(10),
    "WEBFRONT_IDLE_TIMEOUT_SECONDS": _whole(1),
    "WEBFRONT_TRUSTED_PROXIES": _networks,
    "WEBFRONT_PROXY": _one_of("", "none", "haproxy"),
    "ADDRESS_RATE_LIMIT_PER_MINUTE": _whole(0),
    "ADDRESS_MAX_IN_FLIGHT": _whole(0),
    "MAX_IN_FLIGHT": _whole(0),
    "EXIT_URL": _http_url(),
    "EDGE_TRUSTED_PROXIES": _networks,
    # processes (bot.supervision)
    "RASA_PORT": _whole(1, 65535),
    "ACTION_PORT": _whole(1, 65535),
    # admin (services_directory.admin_views.config)
    "ADMIN_COOKIE_SECURE": _one_of("", "0", "1"),
    "ADMIN_SESSION_HOURS": _whole(1),
    "ADMIN_LOGIN_ATTEMPTS": _whole(1),
    "ADMIN_LOGIN_WINDOW_SECONDS": _whole(1),
    "ADMIN_PROXY_HOPS": _whole(0),
    # the directory
    "DATABASE_URL": _database,
    "DIRECTORY_REVIEW_MONTHS": _whole(1),
    "DIRECTORY_PHONE_MAX_AGE_DAYS": _whole(1),
    # make replicas
    "REPLICAS_PORT": _whole(1, 65535),
    "REPLICAS": _whole(1, 16),
}

# Read by the section parsers without a check of their own (free text, secrets, paths).
UNCHECKED = ("SENDER_HASH_KEY", "WEBFRONT_TOKEN", "WEBFRONT_HOST", "DOMAIN_FILE",
             "TWILIO_AUTH_TOKEN", "TELEGRAM_BOT_TOKEN", "ADMIN_SECRET_KEY", "QLACREF_DATA_DIR",
             "REDIS_URL", "REDIS_KEY_PREFIX", "REDIS_SOCKET_TIMEOUT_SECONDS",
             "REDIS_CONNECT_TIMEOUT_SECONDS", "REDIS_RETRY_AFTER_SECONDS",
             "REDIS_LOCK_WAIT_SECONDS", "REDIS_LOCK_TTL_SECONDS")


_PAIRS = (("TWILIO_AUTH_TOKEN", "SMS_PUBLIC_URL"), ("TELEGRAM_BOT_TOKEN", "TELEGRAM_SECRET_TOKEN"))


def _value_problems(env: Mapping[str, str]) -> list[str]:
    found = []
    for name, check in CHECKS.items():
        raw = env.get(name, "").strip()
        if raw:
            reason = check(raw)
            if reason:
                found.append(f"{name} {reason}")
    return found


def _pair_problems(env: Mapping[str, str]) -> list[str]:
    return [f"{first} and {second} work only together: set both or neither"
            for first, second in _PAIRS
            if bool(env.get(first, "").strip()) != bool(env.get(second, "").strip())]


def problems(env: Mapping[str, str] | None = None) -> list[str]:
    """Every set variable that cannot be right, one line each, plus pairs that only work
    together. Values are never repeated back (they may be secrets)."""
    env = os.environ if env is None else env
    return _value_problems(env) + _pair_problems(env)


def parse(env: Mapping[str, str], *, pairs: bool = False) -> AppConfig:
    """The one parser: every section from `env`, or ConfigError naming every bad value (and,
    with `pairs`, every half-set pair of channel secrets). With Redis, the shared secrets must
    be set (MissingSharedSecret, one line)."""
    found = _value_problems(env) + (_pair_problems(env) if pairs else [])
    try:
        store = RedisSettings.from_mapping(env)
    except BadStoreSetting as error:
        found.append(str(error))
        store = None
    if found:
        raise ConfigError(found)
    require_shared_secrets(store, env)
    from bot.settings import Settings
    from bot.supervision import RunConfig
    from bot.webfront.config import WebfrontConfig
    from services_directory.admin_views.config import AdminConfig
    from services_directory.settings import DirectorySettings

    return AppConfig(channels=Settings.from_mapping(env, store),
                     secrets=ChannelSecrets.from_mapping(env),
                     web=WebfrontConfig.from_mapping(env), admin=AdminConfig.from_mapping(env),
                     store=store, run=RunConfig.from_mapping(env),
                     directory=DirectorySettings.from_mapping(env),
                     replicas=ReplicasConfig.from_mapping(env))


def load() -> AppConfig:
    """The whole configuration from the environment, strictly (half-set pairs refused too):
    what `python -m bot.config` and `make replicas` check."""
    return parse(os.environ, pairs=True)


_NAMES = (*CHECKS, *UNCHECKED)
_current: tuple[tuple[str | None, ...], AppConfig] | None = None


def current() -> AppConfig:
    """This process's configuration: parsed from the environment once, and again only if the
    environment changed since (tests change it; processes do not). The same object for every
    part, so a per-process random hash key is one key."""
    global _current
    snapshot = tuple(os.environ.get(name) for name in _NAMES)
    if _current is None or _current[0] != snapshot:
        _current = (snapshot, parse(os.environ))
    return _current[1]


def redacted(value: Any) -> Any:
    """The configuration as plain data with every secret (and URL that may hold one) hidden."""
    if is_dataclass(value):
        return {f.name: ("(set)" if f.name in _SECRET_FIELDS and getattr(value, f.name) else
                         redacted(getattr(value, f.name))) for f in fields(value)}
    if isinstance(value, (tuple, list)):
        return [redacted(v) for v in value]
    if isinstance(value, bytes):
        return "(set)"
    return value if isinstance(value, (str, int, float, bool, type(None))) else str(value)


def main() -> int:
    """`python -m bot.config`: check the environment; print the result, secrets hidden."""
    import json

    try:
        config = load()
    except SystemExit as error:  # ConfigError, or the shared-secret refusal (bot.stores.config)
        print(error, file=sys.stderr)
        return 1
    print(json.dumps(redacted(config), indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
