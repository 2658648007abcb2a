"""The few domain.yml texts the web front must say itself, when Rasa cannot.

All wording lives in domain.yml so a safeguarding reviewer reads it in one place. The web front
reads it lazily, once, and picks the same variant Rasa would for the web channel.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

import yaml

logger = logging.getLogger(__name__)

CHANNEL = "web"
EMERGENCY = "utter_emergency"
UNAVAILABLE = "utter_service_unavailable"
REFUSED_TOO_LONG = "utter_refused_too_long"
REFUSED_RATE_RESPONSE = "utter_refused_rate"

# Only if domain.yml itself cannot be read: the two facts nobody may ever be denied.
LAST_RESORT = ("In danger now: call 999. National Domestic Abuse Helpline: 0808 2000 247, "
               "free, 24 hours.")


def pick_text(variants: Any, channel: str = CHANNEL) -> str | None:
    """The channel's unconditional variant, else the default one, as Rasa chooses."""
    if not isinstance(variants, list):
        return None
    plain = [v for v in variants if isinstance(v, dict) and not v.get("condition")]
    for wanted in (channel, None):
        for variant in plain:
            text = variant.get("text")
            if variant.get("channel") == wanted and isinstance(text, str) and text.strip():
                return text
    return None


class DomainResponses:
    """Reads domain.yml on first use; a missing file degrades to LAST_RESORT, never to an error."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._lock = threading.Lock()
        self._responses: dict[str, Any] | None = None

    def _load(self) -> dict[str, Any]:
        with self._lock:
            if self._responses is None:
                try:
                    data = yaml.safe_load(self._path.read_text(encoding="utf-8")) or {}
                    responses = data.get("responses") if isinstance(data, dict) else None
                    if not isinstance(responses, dict):
                        raise ValueError("no responses section")
                except (OSError, ValueError, yaml.YAMLError) as error:
                    # Not cached: the next request tries again once the file is fixed.
                    logger.error("cannot read responses from %s: %s", self._path,
                                 type(error).__name__)
                    return {}
                self._responses = responses
            return self._responses

    def text(self, name: str, channel: str = CHANNEL) -> str:
        return pick_text(self._load().get(name), channel) or LAST_RESORT

    def variants(self, name: str) -> list[Any]:
        """A response's variants as domain.yml has them (empty when it cannot be read)."""
        found = self._load().get(name)
        return found if isinstance(found, list) else []
