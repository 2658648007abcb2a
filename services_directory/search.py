"""Find the services to offer someone, given a topic, a place and who they are.

Ranking, best first: local services for the topic; local general domestic-abuse services;
pan-London services; the national line for the topic (or for the person: men, LGBT+ people,
older people, children); and the National Domestic Abuse Helpline as the 24-hour catch-all.
The last two always get a slot, so every answer carries at least one phone number even when
the local services (whose numbers the seed documents never gave) have none.

The audience removes services that are not for the person (a man is not sent to a
women-only refuge; someone asking for help to stop abusing is not sent to victims' services)
but never filters the answer down to nothing.

Speed: every tier is an index range scan on the derived service_search table (see
search_index.py), and all tiers go to the database as one UNION ALL statement, then one
statement for the cards' details. Plain SQL text is used because building SQLAlchemy
expressions per call cost more than running the queries.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any, Literal, NamedTuple

from sqlalchemy import bindparam, text
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import TextClause

from services_directory.boroughs import BOROUGH_BY_CODE
from services_directory.places import PlaceMatch, resolve_place
from services_directory.search_index import ALL_AUDIENCES
from services_directory.vocabulary import (
    AUDIENCE_AGES,
    AUDIENCE_GENDER,
    AUDIENCES,
    GENERAL_TOPIC,
    TOPICS,
)

Scope = Literal["local", "london", "national"]

NATIONAL_DA_HELPLINE_ID = "svc-national-domestic-abuse-helpline"
PERPETRATOR_LINE_ID = "svc-national-respect-phoneline"
PERPETRATOR_TOPIC = "perpetrator_help"
_NO_MATCH = "%;-;%"  # a LIKE pattern no audience list can match


@dataclass(frozen=True)
class ServiceCard:
    """What the bot shows for one service. Never carries an address: refuges stay hidden."""

    id: str
    name: str
    phone: str | None
    website: str | None
    description: str
    area: str
    topics: tuple[str, ...]
    audience: tuple[str, ...]
    is_24_hours: bool
    last_verified: date | None
    scope: Scope
    # Opening hours in the directory's own words (e.g. "Open 24 hours"), shown as they are.
    hours: str | None = None


@dataclass(frozen=True)
class SearchResult:
    place: PlaceMatch
    services: list[ServiceCard]
    topic: str
    audience: str | None
    needs_borough_choice: bool
    outside_london: bool

    @property
    def candidates(self) -> tuple[str, ...]:
        """Borough names to offer when `needs_borough_choice` is set."""
        return tuple(borough.name for borough in self.place.candidates)


class _Hit(NamedTuple):  # a NamedTuple: built hundreds of times per search
    service_id: str
    has_phone: bool
    scope: Scope
    audience_match: bool = False


@dataclass(frozen=True)
class _Branch:
    """One ORDER BY ... LIMIT slice of service_search: a tier, or its audience-first half."""

    tier: str
    area_key: str
    topic: str | None  # None: any topic (used for the catch-all lookup by id)
    scope: Scope
    audience_first: bool = False
    service_id: str | None = None


_ELIGIBLE = """(:unfiltered = 1 OR (
    (:gender IS NULL OR s.gender IS NULL OR s.gender = :gender)
    AND (:age_lo IS NULL OR s.maximum_age IS NULL OR s.maximum_age >= :age_lo)
    AND (:age_hi IS NULL OR s.minimum_age IS NULL OR s.minimum_age <= :age_hi)
    AND (s.audience_restricted = false OR s.audiences LIKE :implied1
         OR s.audiences LIKE :implied2)))"""


@lru_cache(maxsize=256)
def _ranking_sql(shape: tuple[tuple[bool, bool, bool], ...], want: int) -> TextClause:
    """UNION ALL of the branches; shape = (has topic, audience-first, by id) per branch."""
    parts = []
    for n, (has_topic, audience_first, by_id) in enumerate(shape):
        where = [f"s.area_key = :area{n}"]
        if has_topic:
            where.append(f"s.topic = :topic{n}")
        where.append("s.audience_key = :match" if audience_first else "s.audience_key = :everyone")
        where.append(_ELIGIBLE)
        if by_id:
            where.append(f"s.service_id = :sid{n}")
        parts.append(
            f"SELECT {n} AS branch, b{n}.service_id, b{n}.has_phone, b{n}.rank, b{n}.name"
            f" FROM (SELECT s.service_id, s.has_phone, s.rank, s.name FROM service_search s"
            f" WHERE {' AND '.join(where)}"
            f" ORDER BY s.rank, s.name, s.service_id LIMIT {1 if by_id else want}) b{n}"
        )
    return text(" UNION ALL ".join(parts) + " ORDER BY 1, 4, 5, 2")


# Everything the cards need in one round trip: (kind, service id, value, value).
_DETAILS = text(
    "SELECT 's' AS kind, id AS service_id, name AS v1, url AS v2 FROM service WHERE id IN :ids"
    " UNION ALL SELECT 'd', id, description, CAST(last_verified AS VARCHAR(10)) FROM service"
    " WHERE id IN :ids"
    " UNION ALL SELECT 'p', service_id, number, id FROM phone"
    " WHERE service_id IN :ids AND type IN ('voice', 'text', 'textphone')"
    " UNION ALL SELECT 't', st.service_id, tt.name, tt.id FROM service_taxonomy st"
    " JOIN taxonomy_term tt ON tt.id = st.taxonomy_term_id WHERE st.service_id IN :ids"
    " UNION ALL SELECT 'a', service_id, scope, borough_code FROM service_area"
    " WHERE service_id IN :ids"
    " UNION ALL SELECT 'e', service_id, audiences, id FROM eligibility WHERE service_id IN :ids"
    " UNION ALL SELECT 'o', service_id, description, id FROM schedule"
    " WHERE service_id IN :ids AND description IS NOT NULL AND description <> ''"
    " UNION ALL SELECT 'h', service_id, id, id FROM schedule"
    " WHERE service_id IN :ids AND is_24_hours = true"
).bindparams(bindparam("ids", expanding=True))

_ANY_PHONE_LINE = text(
    "SELECT service_id FROM service_search WHERE area_key = 'national' AND has_phone = true"
    " ORDER BY CASE WHEN service_id = :preferred THEN 0 ELSE 1 END, rank, name LIMIT 1"
)


def _person_params(audience: str | None, topic: str, unfiltered: bool) -> dict[str, Any]:
    perpetrator = audience == "perpetrators" or topic == PERPETRATOR_TOPIC
    implied = [a for a in (audience, "perpetrators" if perpetrator else None) if a]
    implied += [None, None]
    ages = AUDIENCE_AGES.get(audience or "")
    return {
        "unfiltered": 1 if unfiltered else 0,
        "gender": AUDIENCE_GENDER.get(audience or ""),
        "age_lo": ages[0] if ages else None,
        "age_hi": ages[1] if ages else None,
        "implied1": f"%;{implied[0]};%" if implied[0] else _NO_MATCH,
        "implied2": f"%;{implied[1]};%" if implied[1] else _NO_MATCH,
        # Someone asking for help to stop abusing only sees services that name perpetrators.
        "everyone": "perpetrators" if perpetrator and not unfiltered else ALL_AUDIENCES,
        "match": audience or "",
    }


def _branches(topic: str, place: PlaceMatch, audience: str | None,
              perpetrator: bool) -> list[_Branch]:
    branches: list[_Branch] = []

    def tier(name: str, area: str, tier_topic: str, scope: Scope, only_audience=False):
        if audience:
            branches.append(_Branch(name, area, tier_topic, scope, audience_first=True))
        if not only_audience:
            branches.append(_Branch(name, area, tier_topic, scope))

    borough = place.borough
    if borough is not None:
        tier("local_topic", borough.ons_code, topic, "local")
        if topic != GENERAL_TOPIC:
            tier("local_general", borough.ons_code, GENERAL_TOPIC, "local")
    if place.kind != "outside_london":
        tier("london", "london", topic, "london")
        if topic != GENERAL_TOPIC:
            tier("london", "london", GENERAL_TOPIC, "london")
    if topic != GENERAL_TOPIC:
        tier("national", "national", topic, "national")
    if audience:
        tier("national", "national", GENERAL_TOPIC, "national", only_audience=True)
    catch_all = (PERPETRATOR_LINE_ID, NATIONAL_DA_HELPLINE_ID) if perpetrator \
        else (NATIONAL_DA_HELPLINE_ID,)
    for service_id in catch_all:
        branches.append(_Branch("catch_all", "national", None, "national", service_id=service_id))
    return branches


def _fetch(session: Session, branches: list[_Branch], params: dict[str, Any],
           limit: int) -> dict[str, list[_Hit]]:
    shape = tuple((b.topic is not None, b.audience_first, b.service_id is not None)
                  for b in branches)
    values = dict(params)
    for n, branch in enumerate(branches):
        values[f"area{n}"] = branch.area_key
        if branch.topic is not None:
            values[f"topic{n}"] = branch.topic
        if branch.service_id is not None:
            values[f"sid{n}"] = branch.service_id
    # 2 x limit per branch is enough: a tier's two halves, or two tiers, can share at most
    # limit - 1 services before the earlier one already fills the answer on its own.
    rows = session.execute(_ranking_sql(shape, 2 * limit), values).all()
    tiers: dict[str, list[_Hit]] = defaultdict(list)
    seen: dict[str, set[str]] = defaultdict(set)
    for number, service_id, has_phone, _rank_value, _name in rows:
        branch = branches[number]
        if service_id in seen[branch.tier]:
            continue
        seen[branch.tier].add(service_id)
        tiers[branch.tier].append(
            _Hit(service_id, bool(has_phone), branch.scope, branch.audience_first)
        )
    return tiers


def _rank(tiers: dict[str, list[_Hit]], limit: int) -> list[_Hit]:
    """Fill the list tier by tier, keeping slots for the national line and the catch-all."""
    chosen: list[_Hit] = []
    taken: set[str] = set()
    for name in ("local_topic", "local_general", "london"):
        for hit in tiers.get(name, []):
            if hit.service_id not in taken:
                taken.add(hit.service_id)
                chosen.append(hit)
    catch_all = next(iter(tiers.get("catch_all", [])), None)
    skip = taken | ({catch_all.service_id} if catch_all else set())
    national = [h for h in tiers.get("national", []) if h.service_id not in skip]
    national.sort(key=lambda h: not h.audience_match)  # the person's own line first
    reserved: list[_Hit] = []
    if national:
        phoned = [h for h in national if h.has_phone]
        reserved.append(phoned[0] if phoned else national[0])
    if catch_all is not None:
        reserved.append(catch_all)
    if limit < len(reserved):
        reserved = ([h for h in reserved if h.has_phone] or reserved)[:limit]
    reserved_ids = {h.service_id for h in reserved}
    order = {h.service_id: i for i, h in enumerate(chosen + national)}
    others = [h for h in chosen + national if h.service_id not in reserved_ids]
    picked = others[: max(limit - len(reserved), 0)] + reserved
    picked.sort(key=lambda h: order.get(h.service_id, len(order)))
    return picked


def _area_label(areas: list[tuple[str, str | None]]) -> str:
    scopes = {scope for scope, _ in areas}
    if "national" in scopes:
        return "National"
    if "london" in scopes:
        return "London-wide"
    names = sorted(BOROUGH_BY_CODE[code].name for _, code in areas if code in BOROUGH_BY_CODE)
    return ", ".join(names) if names else "Unknown area"


def _cards(session: Session, hits: list[_Hit]) -> list[ServiceCard]:
    ids = [hit.service_id for hit in hits]
    if not ids:
        return []
    names: dict[str, tuple[str, str | None]] = {}
    texts: dict[str, tuple[str, str]] = {}
    phones: dict[str, list[tuple[str, str]]] = defaultdict(list)
    topics: dict[str, list[str]] = defaultdict(list)
    areas: dict[str, list[tuple[str, str | None]]] = defaultdict(list)
    audiences: dict[str, str] = {}
    always_open: set[str] = set()
    hours: dict[str, str] = {}
    for kind, service_id, v1, v2 in session.execute(_DETAILS, {"ids": ids}):
        if kind == "s":
            names[service_id] = (v1, v2)
        elif kind == "d":
            texts[service_id] = (v1, v2)
        elif kind == "p":
            phones[service_id].append((v2, v1))
        elif kind == "t":
            topics[service_id].append(v1)
        elif kind == "a":
            areas[service_id].append((v1, v2))
        elif kind == "e":
            audiences[service_id] = v1 or ""
        elif kind == "o":
            hours.setdefault(service_id, v1)
        else:
            always_open.add(service_id)
    topic_order = {name: i for i, name in enumerate(TOPICS)}
    cards = []
    for hit in hits:
        service_id = hit.service_id
        name, url = names[service_id]
        description, verified = texts[service_id]
        numbers = sorted(phones.get(service_id, []))
        cards.append(
            ServiceCard(
                id=service_id,
                name=name,
                phone=numbers[0][1] if numbers else None,
                website=url,
                description=description,
                area=_area_label(areas[service_id]),
                topics=tuple(sorted(topics[service_id], key=lambda t: topic_order.get(t, 99))),
                audience=tuple(a for a in audiences.get(service_id, "").split(";") if a),
                is_24_hours=service_id in always_open,
                last_verified=date.fromisoformat(verified) if verified else None,
                scope=hit.scope,
                hours=hours.get(service_id),
            )
        )
    return cards


def find_services(session: Session, topic: str | None, place: str | None,
                  audience: str | None = None, limit: int = 5) -> SearchResult:
    """Services to offer, best first. `topic` None means general domestic abuse.

    Raises ValueError for a topic or audience outside vocabulary.TOPICS / AUDIENCES (a bug
    in the caller, not something to guess about) or a limit below 1.
    """
    chosen_topic = topic or GENERAL_TOPIC
    if chosen_topic not in TOPICS:
        raise ValueError(f"unknown topic {topic!r}; expected one of {', '.join(TOPICS)}")
    if audience is not None and audience not in AUDIENCES:
        raise ValueError(f"unknown audience {audience!r}; expected one of {', '.join(AUDIENCES)}")
    if limit < 1:
        raise ValueError("limit must be at least 1")
    match = resolve_place(session, place)
    perpetrator = audience == "perpetrators" or chosen_topic == PERPETRATOR_TOPIC
    branches = _branches(chosen_topic, match, audience, perpetrator)
    params = _person_params(audience, chosen_topic, unfiltered=False)
    hits = _rank(_fetch(session, branches, params, limit), limit)
    if not hits:
        # The audience filter must never leave someone with nothing: drop it.
        params = _person_params(audience, chosen_topic, unfiltered=True)
        hits = _rank(_fetch(session, branches, params, limit), limit)
    if not any(hit.has_phone for hit in hits):
        row = session.execute(_ANY_PHONE_LINE, {"preferred": NATIONAL_DA_HELPLINE_ID}).first()
        if row is not None:
            hits = [*hits[: limit - 1], _Hit(row.service_id, True, "national")]
    return SearchResult(
        place=match,
        services=_cards(session, hits),
        topic=chosen_topic,
        audience=audience,
        needs_borough_choice=match.needs_choice,
        outside_london=match.outside_london,
    )
