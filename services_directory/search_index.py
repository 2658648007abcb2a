"""Keep the derived service_search table in step with the directory tables.

Search must stay fast at 100k services, so the work of joining areas, topics, phones and
eligibility is done when a service changes rather than on every question. Sessions from
`db.session_factory` refresh the rows of every service touched in the unit of work just before
it commits (see `install_hooks`), so staff edits through the ORM (the admin, imports) cannot
leave search stale. Writes that bypass the ORM must call `refresh_search_index` themselves;
`signpost directory init` rebuilds it when it is empty.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from sqlalchemy import delete, event, insert, select
from sqlalchemy.orm import Session

from services_directory.freshness import shown_to_public
from services_directory.models import (
    Eligibility,
    Phone,
    Service,
    ServiceArea,
    ServiceSearch,
    ServiceTaxonomy,
    TaxonomyTerm,
)
from services_directory.vocabulary import COMMUNITY_AUDIENCES, GENERAL_TOPIC

_CHUNK = 500  # keep IN (...) lists well under SQLite's parameter limit
_INSERT_CHUNK = 5_000
_DIRTY_KEY = "signpost_search_dirty"
_WATCHED = (Service, ServiceArea, ServiceTaxonomy, Eligibility, Phone)
# `has_phone` means a number shown to the public: one whose newest dated page is too old
# is not (freshness.py). That changes with the calendar as well as with edits: the cards are
# checked again at search time, and `signpost directory reindex` brings the ranking up to date.
ALL_AUDIENCES = "*"  # audience_key of the partition that holds every service
PUBLIC_PHONE_TYPES = ("voice", "text", "textphone")  # a fax is no way for a person to ask


# How a person can reach a service, best first (part of the rank).
ROUTE_PHONE, ROUTE_WRITE, ROUTE_WEB, ROUTE_NONE = 0, 1, 2, 3


COMMUNITY_STEP = 500  # below 1_000, so it never outweighs how a service can be reached


def community_ranked(rank: int) -> bool:
    """Whether rank_for placed this service among those for one community."""
    return rank % 1_000 >= COMMUNITY_STEP


def rank_for(topic: str, has_phone: bool, n_topics: int, *, main: bool = False,
             commissioned: bool = False, route: int | None = None,
             community: bool = False) -> int:
    """Lower ranks first.

    The borough's main service first, then other services the council commissions, then the
    rest. Within those, how a person can reach it: a phone number shown to the public (a scared
    person needs a way in), then email or a web form, then only a web page, then nothing.
    Then services open to everyone before those run by and for one community (Black and
    minoritised women, migrant women, women who sell sex): they are excellent for the women
    they serve, but a person who has said nothing about herself should first see a service
    that is surely for her. Then, for a specific topic, specialists (fewest topics) first;
    for general domestic abuse, the broadest service first.
    """
    standing = 0 if main else 1 if commissioned else 2
    if route is None:
        route = ROUTE_PHONE if has_phone else ROUTE_NONE
    breadth = n_topics if topic != GENERAL_TOPIC else 100 - min(n_topics, 100)
    return standing * 10_000 + route * 1_000 + (COMMUNITY_STEP if community else 0) + breadth


def wrap_audiences(audiences: str | None) -> str:
    items = [item for item in (audiences or "").split(";") if item]
    return ";" + ";".join(items) + ";" if items else ";"


def _chunks(ids: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


def _rows_for(session: Session, ids: list[str] | None) -> list[dict]:
    def limited(stmt, column):
        return stmt if ids is None else stmt.where(column.in_(ids))

    live = session.execute(
        limited(
            select(Service.id, Service.name, Service.main_service,
                   Service.commissioned_by_council, Service.email, Service.form_url,
                   Service.url).where(Service.deleted_at.is_(None), Service.status == "active"),
            Service.id,
        )
    ).all()
    if not live:
        return []
    topics: dict[str, list[str]] = defaultdict(list)
    for service_id, topic in session.execute(
        limited(
            select(ServiceTaxonomy.service_id, TaxonomyTerm.name).join(
                TaxonomyTerm, TaxonomyTerm.id == ServiceTaxonomy.taxonomy_term_id
            ),
            ServiceTaxonomy.service_id,
        )
    ):
        topics[service_id].append(topic)
    areas: dict[str, list[str]] = defaultdict(list)
    for service_id, scope, borough in session.execute(
        limited(
            select(ServiceArea.service_id, ServiceArea.scope, ServiceArea.borough_code),
            ServiceArea.service_id,
        )
    ):
        areas[service_id].append(borough if scope == "borough" else scope)
    today = date.today()
    phoned = {
        service_id
        for service_id, page_date in session.execute(
            limited(select(Phone.service_id, Phone.source_page_date).where(
                Phone.service_id.is_not(None), Phone.type.in_(PUBLIC_PHONE_TYPES)),
                Phone.service_id)
        )
        if shown_to_public(page_date, today=today)
    }
    eligibility = {
        row.service_id: row
        for row in session.execute(limited(select(Eligibility), Eligibility.service_id)).scalars()
    }
    rows: list[dict] = []
    for service_id, name, main, commissioned, email, form_url, url in live:
        elig = eligibility.get(service_id)
        service_topics = topics.get(service_id, [])
        has_phone = service_id in phoned
        route = (ROUTE_PHONE if has_phone else ROUTE_WRITE if email or form_url
                 else ROUTE_WEB if url else ROUTE_NONE)
        if route == ROUTE_NONE:
            # A name with no way to reach it helps nobody and would take the place of a
            # service that can be reached; staff see such entries in the coverage report.
            continue
        wrapped = wrap_audiences(elig.audiences if elig else "")
        community = any(f";{word};" in wrapped for word in COMMUNITY_AUDIENCES)
        keys = (ALL_AUDIENCES, *sorted({a for a in wrapped.split(";") if a}))
        for area_key in areas.get(service_id, []):
            for topic in service_topics:
                for audience_key in keys:
                    rows.append(
                        {
                            "area_key": area_key,
                            "topic": topic,
                            "audience_key": audience_key,
                            "rank": rank_for(topic, has_phone, len(service_topics),
                                             main=bool(main), commissioned=bool(commissioned),
                                             route=route, community=community),
                            "name": name,
                            "service_id": service_id,
                            "has_phone": has_phone,
                            "gender": elig.gender if elig else None,
                            "minimum_age": elig.minimum_age if elig else None,
                            "maximum_age": elig.maximum_age if elig else None,
                            "audiences": wrapped,
                            "audience_restricted": (
                                bool(elig.audience_restricted) if elig else False
                            ),
                        }
                    )
    return rows


def refresh_search_index(session: Session, service_ids: Iterable[str] | None = None) -> int:
    """Recompute search rows for these services (all when None). Returns rows written.

    Runs inside the caller's transaction, so the index commits or rolls back with the change.
    """
    if service_ids is None:
        session.execute(delete(ServiceSearch))
        rows = _rows_for(session, None)
    else:
        ids = sorted(set(service_ids))
        if not ids:
            return 0
        rows = []
        for chunk in _chunks(ids):
            session.execute(delete(ServiceSearch).where(ServiceSearch.service_id.in_(chunk)))
            rows.extend(_rows_for(session, chunk))
    for start in range(0, len(rows), _INSERT_CHUNK):
        session.execute(insert(ServiceSearch), rows[start : start + _INSERT_CHUNK])
    return len(rows)


def _touched_service_id(obj: object) -> str | None:
    if isinstance(obj, Service):
        return obj.id
    if isinstance(obj, _WATCHED):
        return getattr(obj, "service_id", None)
    return None


def _collect(session: Session, _flush_context) -> None:
    dirty: set[str] = session.info.setdefault(_DIRTY_KEY, set())
    for obj in (*session.new, *session.dirty, *session.deleted):
        service_id = _touched_service_id(obj)
        if service_id:
            dirty.add(service_id)


def _refresh_before_commit(session: Session) -> None:
    session.flush()
    dirty: set[str] = session.info.pop(_DIRTY_KEY, set())
    if dirty:
        refresh_search_index(session, dirty)


def _forget(session: Session, *_args) -> None:
    session.info.pop(_DIRTY_KEY, None)


_INSTALLED = "_signpost_search_hooks"


def install_hooks(target) -> None:
    """Attach the refresh to a sessionmaker (or Session class); idempotent.

    Marked on the target itself: event.contains() was seen to answer True for a brand-new
    sessionmaker (its registry is keyed by object id, which Python reuses), which left some
    sessions without the refresh.
    """
    if getattr(target, _INSTALLED, False):
        return
    event.listen(target, "after_flush", _collect)
    event.listen(target, "before_commit", _refresh_before_commit)
    event.listen(target, "after_rollback", _forget)
    setattr(target, _INSTALLED, True)
