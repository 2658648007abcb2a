"""A service card as one Telegram message: the name in bold, then labelled lines.

Telegram's HTML parse mode is used for cards only (every other reply stays plain text), and
every directory value and label is escaped, so nothing in the directory can become markup.
A https website becomes an inline URL button under the card; Telegram has no tel: buttons,
so numbers stay as text, which Telegram's apps make tappable. A card stays within a message's
4096 UTF-16 units: a long description is shortened, never the name or the number.
"""

from __future__ import annotations

import html
from collections.abc import Mapping

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.channels.cards import https_url

MAX_TEXT_UNITS = 4096  # UTF-16 code units per message
# The lines under the name, in reading order; the website is a button when it can be one.
_LINES = ("phone", "text_phone", "hours", "website", "description", "last_confirmed")


def utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _escape(value: str) -> str:
    return html.escape(value, quote=False)


def _line(label: str | None, value: str) -> str:
    return f"{_escape(label)}: {_escape(value)}" if label else _escape(value)


def card_html(card: Mapping[str, str], labels: Mapping[str, str]) -> str:
    """The card's text in Telegram HTML; the website is left out when it goes in a button."""
    shown = dict(card)
    if https_url(shown.get("website")):
        shown.pop("website")
    description = shown.get("description", "")
    while True:
        lines = [f"<b>{_escape(shown['name'])}</b>"]
        lines += [_line(labels.get(key), shown[key]) for key in _LINES if shown.get(key)]
        text = "\n".join(lines)
        if utf16_units(text) <= MAX_TEXT_UNITS or not description:
            return text
        # Too long for one message: shorten the description, and drop it if need be.
        description = description[: len(description) * 3 // 4].rstrip()
        shown["description"] = description + "..." if description else ""


def card_keyboard(card: Mapping[str, str], labels: Mapping[str, str]) -> InlineKeyboardMarkup | None:
    """A button that opens the service's website, when it has a https one."""
    url = https_url(card.get("website"))
    if url is None:
        return None
    title = labels.get("website") or card["name"]
    return InlineKeyboardMarkup([[InlineKeyboardButton(title, url=url)]])
