"""What staff see about an entry: confirmed, unconfirmed, overdue or ended.

Computed, never stored, so it cannot drift: from the service's status and the date a member
of staff last confirmed it. An entry read from a public page and never checked by a person is
"unconfirmed" (the bot may still show it: it is the council's own published detail); one
confirmed longer ago than the review period is "overdue"; one the sources say has stopped is
"ended" and is never shown.

Settings (read when called, never at import):
DIRECTORY_REVIEW_MONTHS   how long a confirmation lasts before it is overdue (default 6)
"""

from __future__ import annotations

import calendar
import logging
from dataclasses import dataclass
from datetime import date
from typing import Literal

logger = logging.getLogger(__name__)

State = Literal["confirmed", "unconfirmed", "overdue", "ended"]
ENDED_STATUSES = frozenset({"defunct", "inactive"})
DEFAULT_REVIEW_MONTHS = 6
STATE_LABELS: dict[str, str] = {
    "confirmed": "Confirmed",
    "unconfirmed": "Not yet confirmed (from a public source)",
    "overdue": "Confirmation overdue",
    "ended": "Ended",
}


def review_months() -> int:
    """DIRECTORY_REVIEW_MONTHS, from the one configuration (services_directory.settings)."""
    from services_directory.settings import directory_settings

    return directory_settings().review_months


def add_months(day: date, months: int) -> date:
    """The same day `months` later (the 31st becomes the month's last day)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Review:
    state: State
    due: date | None  # when it should next be confirmed; None for an ended entry

    @property
    def label(self) -> str:
        return STATE_LABELS[self.state]


def review(status: str, last_verified: date | None, *, today: date | None = None,
           months: int | None = None) -> Review:
    today = today or date.today()
    months = months if months is not None else review_months()
    if status in ENDED_STATUSES:
        return Review("ended", None)
    if last_verified is None:
        return Review("unconfirmed", today)
    due = add_months(last_verified, months)
    return Review("overdue" if due < today else "confirmed", due)


def state_of(status: str, last_verified: date | None, *, today: date | None = None,
             months: int | None = None) -> State:
    return review(status, last_verified, today=today, months=months).state
