"""Every setting in one place: one typed object, and one parser that names every bad value.

The parts still read their own section (bot.settings, bot.webfront.config,
services_directory.admin_views.config, bot.supervision, bot.stores.config), and on their own
they fall back to a default when a value is malformed, so a typo never stops the bot. That
also hides the typo. `load()` reads every section into one `AppConfig`, and first checks every
variable strictly, reporting all problems at once, one line each (`python -m bot.config`
prints the result with secrets hidden; the multi-replica launcher refuses to start on any).
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

from bot.stores.config import BadStoreSetting, RedisSettings

_TELEGRAM_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_SECRET_FIELDS = {"sender_hash_key", "webfront_token", "secret_key", "twilio_auth_token",
                  "telegram_bot_token", "telegram_secret_token", "url", "database_url"}


class ConfigError(ValueError):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class ChannelSecrets:
    """What Twilio and Telegram need; a channel without its pair is disabled, not broken."""

    twilio_auth_token: str
    sms_public_url: str
    telegram_bot_token: str
    telegram_secret_token: str
    telegram_api_url: str

    @classmethod
    def from_env(cls) -> ChannelSecrets:
        env = os.environ
        return cls(
            twilio_auth_token=env.get("TWILIO_AUTH_TOKEN", "").strip(),
            sms_public_url=env.get("SMS_PUBLIC_URL", "").strip(),
            telegram_bot_token=env.get("TELEGRAM_BOT_TOKEN", "").strip(),
            telegram_secret_token=env.get("TELEGRAM_SECRET_TOKEN", "").strip(),
            telegram_api_url=env.get("TELEGRAM_API_URL", "").strip(),
        )


@dataclass(frozen=True)
class AppConfig:
    """channels: what every channel shares (bot.settings); secrets: the channels' own; web: the
    web front; admin: the staff admin; store: Redis or None; run: the processes of `make run`;
    database_url: the directory."""

    channels: Any  # bot.settings.Settings
    secrets: ChannelSecrets
    web: Any  # bot.webfront.config.WebfrontConfig
    admin: Any  # services_directory.admin_views.config.AdminConfig
    store: RedisSettings | None
    run: Any  # bot.supervision.RunConfig
    database_url: str


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
}


def problems(env: Mapping[str, str] | None = None) -> list[str]:
    """Every set variable that the parts would silently replace by a default, one line each;
    plus pairs that only work together. Values are never repeated back (they may be secrets)."""
    env = os.environ if env is None else env
    found = []
    for name, check in CHECKS.items():
        raw = env.get(name, "").strip()
        if raw:
            reason = check(raw)
            if reason:
                found.append(f"{name} {reason}")
    for first, second in (("TWILIO_AUTH_TOKEN", "SMS_PUBLIC_URL"),
                          ("TELEGRAM_BOT_TOKEN", "TELEGRAM_SECRET_TOKEN")):
        if bool(env.get(first, "").strip()) != bool(env.get(second, "").strip()):
            found.append(f"{first} and {second} work only together: set both or neither")
    return found


def load() -> AppConfig:
    """The whole configuration from the environment, or ConfigError naming every bad value."""
    found = problems()
    try:
        store = RedisSettings.from_env()
    except BadStoreSetting as error:
        found.append(str(error))
        store = None
    if found:
        raise ConfigError(found)
    from bot.settings import Settings
    from bot.supervision import RunConfig
    from bot.webfront.config import WebfrontConfig
    from services_directory.admin_views.config import AdminConfig
    from services_directory.db import database_url

    return AppConfig(channels=Settings.from_env(), secrets=ChannelSecrets.from_env(),
                     web=WebfrontConfig.from_env(), admin=AdminConfig.from_env(), store=store,
                     run=RunConfig.from_env(), database_url=database_url())


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
    except ConfigError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        return 1
    except SystemExit as error:  # the shared-secret refusal (bot.stores.config)
        print(error, file=sys.stderr)
        return 1
    print(json.dumps(redacted(config), indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
