"""The bot's own word checks, handed to the page so it can keep its promises without us.

The greeting promises that typing "exit" always leaves, and a person in danger must be told to
call 999 even when our server or Rasa is stalled. So the page needs, offline, the same exit
words and danger signs the channels use. They are not copied into the JavaScript: the page
gets these very patterns (bot/understanding/exit.py, bot/safety/danger.py and
bot/safety/self_harm.py), and a browser test proves each one compiles in Chromium and agrees
with Python on real messages. The page's matching is a backstop: it folds case, quotes,
format characters and NFKC like bot/safety/text.py but not look-alike letters.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from bot.safety import danger, self_harm
from bot.understanding import exit as exit_words
from bot.webfront.phone_numbers import PHONE_PATTERN


@lru_cache(maxsize=1)
def page_checks() -> dict[str, Any]:
    """Pattern sources (JSON-safe) for the page's own leave, danger and self-harm checks, and
    the phone numbers it links (bot/webfront/phone_numbers.py)."""
    return {
        "leave": list(exit_words._PATTERNS),
        "aboutLeaving": [exit_words._ABOUT_EXIT.pattern],
        "danger": list(danger._PATTERNS),
        "dangerEmoji": list(danger._DANGER_EMOJI),
        "selfHarm": list(self_harm._THOUGHTS + self_harm._NOW),
        "phone": PHONE_PATTERN,
    }
