"""How old a public page is, and whether a phone number from it may be shown to the public.

Research records each page's own date as precisely as the page shows it (2024, 2024-03 or
2024-03-24). A number whose newest dated page is more than about three years old may have
changed hands: it is kept for staff to check, and the public is shown the council's current
route instead. A page that shows no date at all gives no age: the number is shown, and the
coverage report lists it as undated so staff check it first.

Settings (read when called, never at import):
DIRECTORY_PHONE_MAX_AGE_DAYS  oldest page date a public number may rest on (default 1096,
                              three years and a day)
"""

from __future__ import annotations

import calendar
import logging
import re
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Literal

logger = logging.getLogger(__name__)

DEFAULT_MAX_AGE_DAYS = 3 * 365 + 1
_PAGE_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
Freshness = Literal["current", "undated", "too_old"]


def max_age_days() -> int:
    """DIRECTORY_PHONE_MAX_AGE_DAYS, from the one configuration (services_directory.settings)."""
    from services_directory.settings import directory_settings

    return directory_settings().phone_max_age_days


def latest_day(page_date: str | None) -> date | None:
    """The last day a partial date can mean ("2023" -> 2023-12-31): a page dated only by its
    year may be from its December, so it is not called old before its time."""
    if not page_date:
        return None
    match = _PAGE_DATE.match(page_date.strip())
    if match is None:
        raise ValueError(f"not a page date: {page_date!r}")
    year, month, day = (int(part) if part else None for part in match.groups())
    assert year is not None
    if month is None:
        return date(year, 12, 31)
    if day is None:
        return date(year, month, calendar.monthrange(year, month)[1])
    return date(year, month, day)


def newest_page_date(page_dates: Iterable[str | None]) -> str | None:
    """The newest of several page dates, or None if any page is undated (age unknown)."""
    dates = list(page_dates)
    if not dates or any(not value for value in dates):
        return None
    return max(dates, key=lambda value: latest_day(value) or date.min)


def freshness(page_date: str | None, *, today: date | None = None,
              max_age: int | None = None) -> Freshness:
    day = latest_day(page_date)
    if day is None:
        return "undated"
    today = today or date.today()
    limit = timedelta(days=max_age if max_age is not None else max_age_days())
    return "too_old" if today - day > limit else "current"


def shown_to_public(page_date: str | None, *, today: date | None = None,
                    max_age: int | None = None) -> bool:
    return freshness(page_date, today=today, max_age=max_age) != "too_old"
