"""Reading a request body as JSON without letting its shape hurt the server.

Python's json parser recurses once per nesting level, so a body of 3,000 "[" gave a
RecursionError (a 500) before any of our checks ran. Depth is measured first, in one pass
that cannot recurse, and anything deeper than a chat message could ever be is refused.
"""

from __future__ import annotations

import json
from typing import Any

# {"sender": ..., "message": ...} is depth 1; nothing the page sends is deeper than 2.
MAX_DEPTH = 8


class BodyError(ValueError):
    """Why a body cannot be read; the caller answers 400 (or 415) with kind words."""

    def __init__(self, reason: str, status: int = 400) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


def nesting_depth(text: str, limit: int = MAX_DEPTH) -> int:
    """The deepest [ or { nesting outside strings, counting stops just past `limit`."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > limit:
                    return deepest
        elif char in "]}":
            depth -= 1
    return deepest


def is_json_type(content_type: str | None) -> bool:
    """application/json, with or without parameters (charset), or any +json type."""
    media = (content_type or "").split(";", 1)[0].strip().lower()
    return media == "application/json" or (media.startswith("application/") and media.endswith("+json"))


def parse_object(raw: bytes, *, max_depth: int = MAX_DEPTH) -> dict[str, Any]:
    """The body as a JSON object, or BodyError. Never raises anything else."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BodyError("the body is not UTF-8 text") from error
    if nesting_depth(text, max_depth) > max_depth:
        raise BodyError("the JSON is nested too deeply")
    try:
        value = json.loads(text)
    except (ValueError, RecursionError) as error:
        raise BodyError("the body is not JSON") from error
    if not isinstance(value, dict):
        raise BodyError("expected a JSON object")
    return value
