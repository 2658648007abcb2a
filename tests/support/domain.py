"""domain.yml responses, read with plain YAML (independently of the bot's own loaders)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
DOMAIN_FILE = ROOT / "domain.yml"


@lru_cache(maxsize=4)
def _responses(path: str, mtime_ns: int) -> dict[str, list[dict[str, Any]]]:
    return yaml.safe_load(Path(path).read_text(encoding="utf-8"))["responses"]


def responses(path: Path = DOMAIN_FILE) -> dict[str, list[dict[str, Any]]]:
    """Every response in domain.yml: name -> its variants (re-read when the file changes)."""
    return _responses(str(path), path.stat().st_mtime_ns)


def variants(name: str, path: Path = DOMAIN_FILE) -> list[dict[str, Any]]:
    return list(responses(path)[name])


def domain_text(name: str, channel: str = "web", path: Path = DOMAIN_FILE) -> str:
    """The text of a response for a channel with no condition: the channel's own variant if it
    has one, else the channel-less one."""
    found = variants(name, path)
    own = [v for v in found if v.get("channel") == channel and not v.get("condition")]
    plain = [v for v in found if not v.get("channel") and not v.get("condition")]
    return (own or plain)[0]["text"]
