"""Settings only the web front needs (the web section of bot.config.AppConfig).

The shared ones (Rasa's address, the token, message and rate limits) stay in bot.settings so
the Rasa channel and the web front cannot disagree about them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

DEFAULT_EXIT_URL = "https://www.bbc.co.uk/weather"
DEFAULT_DOMAIN_FILE = Path(__file__).resolve().parents[2] / "domain.yml"


def _port(raw: str, default: int) -> int:
    try:
        port = int(raw) if raw.strip() else default
    except ValueError:
        return default
    return port if 0 < port < 65536 else default


def _count(raw: str, default: int, minimum: int = 1) -> int:
    """A bad value falls back to the default rather than stopping the web front."""
    raw = raw.strip()
    if not raw.isdigit() or int(raw) < minimum:
        return default
    return int(raw)


def safe_exit_url(raw: str) -> str:
    """Quick exit must always land somewhere real: anything but an absolute http(s) URL is
    replaced by the default, so a typo cannot leave someone on a blank or broken page."""
    raw = raw.strip()
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.netloc or any(c in raw for c in "\"'<> "):
        return DEFAULT_EXIT_URL
    return raw


@dataclass(frozen=True)
class WebfrontConfig:
    host: str = "127.0.0.1"
    port: int = 8080
    exit_url: str = DEFAULT_EXIT_URL
    # Rasa answers within REPLY_TIMEOUT_SECONDS (1.8 s) or sends its own fallback; a little
    # more here covers the network, and after that the person gets our fallback instead.
    rasa_timeout_seconds: float = 3.0
    # The page gives up on a reply after this and shows its own copy of the emergency advice
    # and the helpline: above rasa_timeout_seconds, so normally our fallback arrives first.
    page_reply_timeout_seconds: float = 6.0
    # Forgetting happens while the page is leaving: never keep anyone waiting on it.
    forget_timeout_seconds: float = 1.0
    # Far above any real message (MAX_MESSAGE_CHARS, 2000, of 4-byte characters even if
    # JSON-escaped at 12 bytes each), far below what hurts the server.
    max_body_bytes: int = 32 * 1024
    domain_file: Path = DEFAULT_DOMAIN_FILE
    # Each chat request waits on Rasa; waitress's default of 4 threads queued messages in front
    # of an idle Rasa under load (docs/performance.md).
    threads: int = 16
    # Open connections waitress keeps (each a descriptor, not a thread), and how long an idle
    # or half-sent one may stay: at the old 100 a few scripts could fill them all.
    connection_limit: int = 2000
    idle_timeout_seconds: int = 10
    # Only these peers' X-Forwarded-For / X-Forwarded-Proto are believed (bot.webfront.proxy).
    trusted_proxies: tuple[str, ...] = ()
    # Per client address, besides the per-conversation limit: a shelter or a college shares
    # one address, so this is several people's worth. Danger is never held back by it.
    address_rate_per_minute: int = 120
    # Chat requests waiting on Rasa at once, per address and in all: one address cannot take
    # every slot, and when all are taken people get 999 and the helpline at once, not a queue.
    # 0 turns a limit off (ADDRESS_RATE_LIMIT_PER_MINUTE too), e.g. for a load test.
    address_in_flight: int = 4
    total_in_flight: int = 12
    hsts_seconds: int = 31_536_000

    @classmethod
    def from_mapping(cls, env: Mapping[str, str]) -> WebfrontConfig:
        """Built by bot.config's one parser, which refuses a bad value before this is reached;
        built directly, a bad value falls back to its default."""
        return cls(
            host=env.get("WEBFRONT_HOST", "").strip() or "127.0.0.1",
            port=_port(env.get("WEBFRONT_PORT", ""), 8080),
            exit_url=safe_exit_url(env.get("EXIT_URL", "")),
            domain_file=Path(env.get("DOMAIN_FILE", "").strip() or DEFAULT_DOMAIN_FILE),
            threads=_count(env.get("WEBFRONT_THREADS", ""), 16),
            connection_limit=_count(env.get("WEBFRONT_CONNECTION_LIMIT", ""), 2000, 10),
            idle_timeout_seconds=_count(env.get("WEBFRONT_IDLE_TIMEOUT_SECONDS", ""), 10),
            trusted_proxies=tuple(item.strip() for item in
                                  env.get("WEBFRONT_TRUSTED_PROXIES", "").split(",") if item.strip()),
            address_rate_per_minute=_count(env.get("ADDRESS_RATE_LIMIT_PER_MINUTE", ""), 120, 0),
            address_in_flight=_count(env.get("ADDRESS_MAX_IN_FLIGHT", ""), 4, 0),
            total_in_flight=_count(env.get("MAX_IN_FLIGHT", ""), 12, 0),
        )
