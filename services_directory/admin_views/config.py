"""Admin settings (the admin section of bot.config.AppConfig, parsed there from the environment).

ADMIN_SECRET_KEY        signs the session cookie; unset: a random key per process, so staff
                        are signed out by every restart (logged once)
ADMIN_COOKIE_SECURE     1: the cookie is only sent over HTTPS (set it in production)
ADMIN_SESSION_HOURS     how long a sign-in lasts (default 8, a working day)
ADMIN_LOGIN_ATTEMPTS    sign-in attempts allowed per client IP per window (default 10)
ADMIN_LOGIN_WINDOW_SECONDS  the window (default 300)
ADMIN_PROXY_HOPS        reverse proxies in front that append to X-Forwarded-For (default 0:
                        use the connecting address; behind one proxy set 1, or every
                        attempt looks like it comes from the proxy)
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass

logger = logging.getLogger(__name__)


def _int(env: Mapping[str, str], name: str, default: int, minimum: int = 0) -> int:
    raw = env.get(name, "").strip()
    try:
        value = int(raw) if raw else default
    except ValueError:
        logger.warning("%s=%r is not a whole number; using %s", name, raw, default)
        return default
    return max(value, minimum)


@dataclass(frozen=True)
class AdminConfig:
    secret_key: str
    cookie_secure: bool = False
    session_hours: int = 8
    login_attempts: int = 10
    login_window_seconds: int = 300
    proxy_hops: int = 0

    # True when ADMIN_SECRET_KEY was unset and secret_key is random for this process (the
    # admin says so once when it is mounted).
    random_secret: bool = False

    @classmethod
    def from_mapping(cls, env: Mapping[str, str]) -> AdminConfig:
        secret = env.get("ADMIN_SECRET_KEY", "").strip()
        return cls(
            secret_key=secret or secrets.token_urlsafe(32),
            cookie_secure=env.get("ADMIN_COOKIE_SECURE", "").strip() == "1",
            session_hours=_int(env, "ADMIN_SESSION_HOURS", 8, minimum=1),
            login_attempts=_int(env, "ADMIN_LOGIN_ATTEMPTS", 10, minimum=1),
            login_window_seconds=_int(env, "ADMIN_LOGIN_WINDOW_SECONDS", 300, minimum=1),
            proxy_hops=_int(env, "ADMIN_PROXY_HOPS", 0),
            random_secret=not secret,
        )
