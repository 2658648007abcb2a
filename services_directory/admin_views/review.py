"""The officer's pages beyond editing: the review queue, a service's history in words, and a
page per borough showing what the bot would list for each topic.

The queue answers "what should I check next?": every live entry with its state (confirmed,
unconfirmed, overdue, ended; computed by verification.review, never stored) and the date it
is due, soonest first, with a way to confirm it one service at a time. The history answers
"who changed this, when, and what?" without record ids, UTC timestamps or JSON. The borough
page calls the bot's own search (search.find_services) so an officer sees gaps exactly as a
resident would meet them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo

from flask import abort, request
from flask_admin import BaseView, expose
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from services_directory.admin_views.auth import StaffOnly, current_staff
from services_directory.boroughs import BOROUGH_BY_CODE, BOROUGHS
from services_directory.models import AuditLog, Service, ServiceArea
from services_directory.verification import STATE_LABELS, Review, review
from services_directory.vocabulary import TOPIC_LABELS, TOPICS, VERIFICATION_METHOD_LABELS

LONDON = ZoneInfo("Europe/London")
PART_TABLES = ("phone", "service_area", "service_taxonomy", "schedule", "eligibility",
               "language", "service_source")
_HIDDEN_FIELDS = frozenset({"id", "service_id", "organization_id", "version", "updated_at",
                            "created_at", "taxonomy", "verification_method", "totp_last_step"})
FIELD_LABELS: dict[str, str] = {
    "name": "name", "alternate_name": "other name", "description": "description",
    "url": "website", "email": "email", "form_url": "web form", "status": "status",
    "status_note": "staff note on status", "last_verified": "last confirmed",
    "verified_by": "confirmed by", "verification_note": "how it was confirmed",
    "deleted_at": "deleted", "number": "number", "extension": "extension", "type": "type",
    "hours": "hours", "source": "source", "source_url": "source web address",
    "gender": "gender", "minimum_age": "minimum age", "maximum_age": "maximum age",
    "audiences": "audiences", "audience_restricted": "only for these audiences",
    "byday": "days", "opens_at": "opens", "closes_at": "closes", "is_24_hours": "24 hours",
    "scope": "area", "borough_code": "borough", "taxonomy_term_id": "topic",
    "main_service": "borough's main service",
    "commissioned_by_council": "commissioned by the council",
}
ACTION_WORDS = {"confirm": "Confirmed", "soft_delete": "Deleted (restorable)",
                "restore": "Restored", "import": "Imported", "sign_in": "Signed in",
                "enrol_second_factor": "Set up an authenticator app and signed in",
                "set_second_factor": "Authenticator app set",
                "reset_second_factor": "Authenticator app reset (set up again at next sign-in)"}


def london_time(moment: datetime | None) -> str:
    """A stored UTC time as an officer in London reads it (BST or GMT, to the minute)."""
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(LONDON).strftime("%-d %B %Y, %H:%M")


def long_date(day: date | None) -> str:
    return day.strftime("%-d %B %Y") if day else ""


# ---------------------------------------------------------------- borough scope


def staff_borough() -> str | None:
    staff = current_staff()
    return staff.borough_code if staff else None


def may_change(service: Service) -> bool:
    """A borough-scoped account may change only entries that serve its own borough (and never
    London-wide or national ones, which every borough relies on)."""
    borough = staff_borough()
    if borough is None:
        return True
    return any(area.scope == "borough" and area.borough_code == borough
               for area in service.areas)


OUTSIDE_BOROUGH = ("Your account can only change {borough}'s entries. Ask a directory "
                   "administrator to change this one.")


def outside_borough_message() -> str:
    borough = BOROUGH_BY_CODE.get(staff_borough() or "")
    return OUTSIDE_BOROUGH.format(borough=borough.name if borough else "your borough's")


# ---------------------------------------------------------------- history in words


def _value(name: str, value: Any) -> str:
    if value is None or value == "":
        return "(empty)"
    if name == "borough_code":
        borough = BOROUGH_BY_CODE.get(str(value))
        return borough.name if borough else str(value)
    if name == "taxonomy_term_id":
        topic = str(value).removeprefix("topic-")
        return TOPIC_LABELS.get(topic, topic.replace("_", " "))
    if isinstance(value, bool):
        return "yes" if value else "no"
    if name in ("last_verified", "source_read_on") and isinstance(value, str):
        try:
            return long_date(date.fromisoformat(value[:10]))
        except ValueError:
            return value
    if name == "deleted_at" and isinstance(value, str):
        try:
            return london_time(datetime.fromisoformat(value))
        except ValueError:
            return value
    text = str(value)
    return text if len(text) <= 200 else text[:197] + "..."


def thing_label(table: str, row: dict[str, Any]) -> str:
    if table == "phone":
        return f"phone number {row.get('number') or ''}".strip()
    if table == "service_area":
        if row.get("scope") == "borough":
            return f"area {_value('borough_code', row.get('borough_code'))}"
        return "area London-wide" if row.get("scope") == "london" else "area national"
    if table == "service_taxonomy":
        return f"topic {_value('taxonomy_term_id', row.get('taxonomy_term_id'))}"
    if table == "schedule":
        return "opening hours"
    if table == "eligibility":
        return "who it is for"
    return table.replace("_", " ")


def describe(entry: AuditLog) -> list[str]:
    """What an audit row changed, as sentences an officer can read."""
    before, after = entry.before or {}, entry.after or {}
    table = entry.table_name
    if entry.action == "insert":
        return ["Added " + thing_label(table, after) if table != "service" else "Added this service"]
    if entry.action == "delete":
        return ["Removed " + thing_label(table, before)]
    lines: list[str] = []
    if entry.action == "confirm":
        method = VERIFICATION_METHOD_LABELS.get(str(after.get("verification_method")), "")
        note = after.get("verification_note") or method
        return [f"Confirmed: {note}"]
    if entry.action in ACTION_WORDS:
        lines.append(ACTION_WORDS[entry.action])
        if table == "staff_account":
            return lines
    prefix = "" if table == "service" else thing_label(table, after or before) + ": "
    for key in sorted(set(before) | set(after)):
        if key in _HIDDEN_FIELDS or before.get(key) == after.get(key):
            continue
        if entry.action in ("soft_delete", "restore") and key == "deleted_at":
            continue
        label = FIELD_LABELS.get(key, key.replace("_", " "))
        lines.append(f"{prefix}{label} changed from {_value(key, before.get(key))} "
                     f"to {_value(key, after.get(key))}")
    return lines or ["Saved with no visible change"]


@dataclass(frozen=True)
class HistoryEntry:
    when: str
    who: str
    lines: list[str]


def service_history(session: Any, service: Service) -> list[HistoryEntry]:
    """Audit rows of the service and of its parts (phones, areas, topics, hours...), newest
    first. Parts are matched by the service id their rows carry, so removed ones count too."""
    part_ids = {part.id for name in ("phones", "areas", "taxonomies", "schedules", "languages")
                for part in getattr(service, name)}
    rows = session.execute(
        select(AuditLog).where(or_(
            (AuditLog.table_name == "service") & (AuditLog.record_id == service.id),
            AuditLog.table_name.in_(PART_TABLES) & or_(
                AuditLog.record_id.in_(part_ids or {""}),
                AuditLog.record_id.contains(service.id, autoescape=True)),
        )).order_by(AuditLog.at.desc(), AuditLog.id.desc())
    ).scalars()
    entries = []
    for row in rows:
        if row.table_name != "service":
            owner = (row.after or row.before or {}).get("service_id")
            if owner != service.id:
                continue
        entries.append(HistoryEntry(london_time(row.at), row.who, describe(row)))
    return entries


# ---------------------------------------------------------------- review queue


@dataclass(frozen=True)
class QueueRow:
    service: Service
    review: Review
    areas: str
    phone: str


def _area_names(service: Service) -> str:
    from services_directory.admin_views.services import area_label

    return area_label(service)


def _first_phone(service: Service) -> str:
    phones = sorted(service.phones, key=lambda p: p.id)
    return phones[0].number if phones else ""


_STATE_ORDER = {"overdue": 0, "unconfirmed": 1, "confirmed": 2, "ended": 3}


class ReviewQueueView(StaffOnly, BaseView):
    """/admin/review/: entries by state and due date, soonest first."""

    def __init__(self, session: Any, **kwargs: Any) -> None:
        self.session = session
        kwargs.setdefault("name", "Review queue")
        kwargs.setdefault("endpoint", "review")
        kwargs.setdefault("url", "review")
        super().__init__(**kwargs)

    def rows(self, state: str | None, borough: str | None) -> list[QueueRow]:
        query = (select(Service).where(Service.deleted_at.is_(None))
                 .options(selectinload(Service.areas), selectinload(Service.phones)))
        if borough:
            query = query.where(Service.areas.any(
                (ServiceArea.scope == "borough") & (ServiceArea.borough_code == borough)))
        today = date.today()
        rows = []
        for service in self.session.execute(query).scalars():
            status = review(service.status, service.last_verified, today=today)
            if state and status.state != state:
                continue
            rows.append(QueueRow(service, status, _area_names(service), _first_phone(service)))
        rows.sort(key=lambda r: (_STATE_ORDER[r.review.state], r.review.due or date.max,
                                 r.service.name))
        return rows

    @expose("/")
    def index(self) -> str:
        state = request.args.get("state") or None
        if state is not None and state not in STATE_LABELS:
            state = None
        borough = request.args.get("borough") or staff_borough()
        if borough is not None and borough not in BOROUGH_BY_CODE:
            borough = None
        everything = self.rows(None, borough)
        counts = {name: sum(1 for r in everything if r.review.state == name)
                  for name in STATE_LABELS}
        rows = [r for r in everything if state is None or r.review.state == state]
        return self.render("signpost_admin/review.html", rows=rows, counts=counts,
                           state=state, borough=borough, state_labels=STATE_LABELS,
                           boroughs=sorted(BOROUGHS, key=lambda b: b.name),
                           long_date=long_date, may_change=may_change)


class BoroughView(StaffOnly, BaseView):
    """/admin/boroughs/: what the bot would list, per topic, for each borough."""

    def __init__(self, session: Any, **kwargs: Any) -> None:
        self.session = session
        kwargs.setdefault("name", "Boroughs")
        kwargs.setdefault("endpoint", "borough")
        kwargs.setdefault("url", "boroughs")
        super().__init__(**kwargs)

    def counts(self) -> dict[str, dict[str, int]]:
        """Per borough: its own entries by state, and how many have no phone number."""
        counts = {b.ons_code: dict.fromkeys((*STATE_LABELS, "no_phone"), 0) for b in BOROUGHS}
        query = (select(Service).where(Service.deleted_at.is_(None))
                 .options(selectinload(Service.areas), selectinload(Service.phones)))
        today = date.today()
        for service in self.session.execute(query).scalars():
            state = review(service.status, service.last_verified, today=today).state
            for area in service.areas:
                if area.scope == "borough" and area.borough_code in counts:
                    counts[area.borough_code][state] += 1
                    if not service.phones and state != "ended":
                        counts[area.borough_code]["no_phone"] += 1
        return counts

    @expose("/")
    def index(self) -> str:
        return self.render("signpost_admin/boroughs.html",
                           boroughs=sorted(BOROUGHS, key=lambda b: b.name),
                           own=staff_borough(), counts=self.counts(),
                           state_labels=STATE_LABELS)

    @expose("/<code>/")
    def borough(self, code: str) -> str:
        from services_directory.search import find_services

        borough = BOROUGH_BY_CODE.get(code)
        if borough is None:
            abort(404)
        topics = []
        today = date.today()
        for topic in TOPICS:
            result = find_services(self.session, topic=topic, place=borough.name, limit=5)
            cards = []
            for card in result.services:
                service = self.session.get(Service, card.id)
                status = review(service.status, service.last_verified, today=today) \
                    if service is not None else None
                cards.append((card, service, status))
            topics.append((topic, TOPIC_LABELS[topic], cards))
        return self.render("signpost_admin/borough.html", borough=borough, topics=topics,
                           long_date=long_date)
