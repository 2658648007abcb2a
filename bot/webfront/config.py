"""Settings only the web front needs, read from the environment with safe defaults.

The shared ones (Rasa's address, the token, message and rate limits) stay in bot.settings so
the Rasa channel and the web front cannot disagree about them.
"""

from __future__ import annotations

import os
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
    # Forgetting happens while the page is leaving: never keep anyone waiting on it.
    forget_timeout_seconds: float = 1.0
    # Far above any real message (1000 characters of 4-byte UTF-8 plus JSON escaping), far
    # below what hurts the server.
    max_body_bytes: int = 16 * 1024
    domain_file: Path = DEFAULT_DOMAIN_FILE

    @classmethod
    def from_env(cls) -> WebfrontConfig:
        env = os.environ
        return cls(
            host=env.get("WEBFRONT_HOST", "").strip() or "127.0.0.1",
            port=_port(env.get("WEBFRONT_PORT", ""), 8080),
            exit_url=safe_exit_url(env.get("EXIT_URL", "")),
            domain_file=Path(env.get("DOMAIN_FILE", "").strip() or DEFAULT_DOMAIN_FILE),
        )
