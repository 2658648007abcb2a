"""Find the services to offer someone, given a topic, a place and who they are (an Asker).

What the person is shown, best first:
1. the borough's main service (and other services the council commissions) for the topic or
   for domestic abuse in general; when none of them has a number the public may be shown,
   the council's own domestic abuse page comes next, as the route in;
2. the specialist lines made for this person (the Men's Advice Line for men, Galop for LGBT+
   people, Childline for under-18s, Hourglass for older people, SignHealth for Deaf people)
   and the national line for the topic (the Stalking Helpline, Karma Nirvana, the NSPCC FGM
   line...);
3. narrower local services, then London-wide ones; of those run by and for one community
   (Black and minoritised women, migrant women), all for someone who has said they belong to
   it (no recourse to public funds, or little English), else the first only; those for women
   who sell sex for them or for sexual exploitation;
4. the National Domestic Abuse Helpline, 24 hours, for everyone (the Respect Phoneline for
   someone who wants help to stop abusing), so every answer has a number to call.

Who the person is removes what they cannot use, and is never relaxed: a man is never shown
a women-only service, a service kept for LGBT+ people is shown only to them, someone worried
about their own behaviour sees only services for people who abuse (never victims' refuges),
and a supporter sees what the person they worry about could use, lines that take calls from
friends and family first. Ended services and deleted ones are never shown, nor is a service
nobody can reach (no number the public may be shown, no email, form or web page:
search_index.py leaves it out; the coverage report lists it).

Speed: each tier is an index range scan on the derived service_search table (see
search_index.py); all tiers go to the database as one UNION ALL statement, then one statement
for the cards' details.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any, Literal, NamedTuple

from sqlalchemy import bindparam, text
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import TextClause

from services_directory.asker import AGE_RANGES, Asker, asker_for_audience
from services_directory.boroughs import BOROUGH_BY_CODE
from services_directory.freshness import shown_to_public
from services_directory.places import PlaceMatch, resolve_place
from services_directory.search_index import ALL_AUDIENCES, PUBLIC_PHONE_TYPES, community_ranked
from services_directory.verification import state_of
from services_directory.vocabulary import AUDIENCES, COMMUNITY_AUDIENCES, GENERAL_TOPIC, ON_BEHALF, TOPICS

Scope = Literal["local", "london", "national"]

NATIONAL_DA_HELPLINE_ID = "svc-national-domestic-abuse-helpline"
PERPETRATOR_LINE_ID = "svc-national-respect-phoneline"
PERPETRATOR_TOPIC = "perpetrator_help"
COUNCIL_ROUTE_SUFFIX = "-council-da-page"
_NO_MATCH = "%;-;%"  # a LIKE pattern no audience list can match
# Audiences whose own line a person should see first (not women/men in general).
_SPECIFIC = ("children", "young_people", "older_people", "deaf", "lgbt_plus", "disabled",
             "men", "migrant_women", "perpetrators", "friends_family")
CHILD_UNTIL = 13  # below this age single-sex services with no age recorded are for adults
_PERSON_LINES = 2  # at most this many of the person's own lines, so local help still fits
# The line issue 14 names for each group, first among that group's own lines: ManKind is a
# good service, but the Men's Advice Line is the national line a man is told about first.
NAMED_LINES = frozenset({"svc-national-mens-advice-line", "svc-national-galop-helpline",
                         "svc-national-childline", "svc-national-hourglass",
                         "svc-national-signhealth-domestic-abuse-service"})


@dataclass(frozen=True)
class PhoneLine:
    number: str
    label: str | None = None
    hours: str | None = None
    type: str = "voice"


@dataclass(frozen=True)
class ServiceCard:
    """What the bot shows for one service. Never carries an address: refuges stay hidden.

    `phone` is the first number the public may be shown (voice before text); `phones` are
    all of them with their labels. A number whose newest dated source is too old is left out
    (freshness.py). `verification` is confirmed / unconfirmed / overdue; `source_read_on` and
    `source_page_date` say how current the public source is.
    """

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
    phones: tuple[PhoneLine, ...] = ()
    email: str | None = None
    form_url: str | None = None
    eligibility_note: str | None = None  # "For women 16+ living in Lewisham"
    verification: str = "unconfirmed"
    source_url: str | None = None
    source_read_on: date | None = None
    source_page_date: str | None = None
    main_service: bool = False

    @property
    def has_contact_route(self) -> bool:
        return bool(self.phones or self.email or self.form_url or self.website)


@dataclass(frozen=True)
class SearchResult:
    place: PlaceMatch
    services: list[ServiceCard]
    topic: str
    audience: str | None
    needs_borough_choice: bool
    outside_london: bool
    asker: Asker | None = field(default=None)

    @property
    def candidates(self) -> tuple[str, ...]:
        """Borough names to offer when `needs_borough_choice` is set."""
        return tuple(borough.name for borough in self.place.candidates)


# ---------------------------------------------------------------- who is asking


@dataclass(frozen=True)
class _Person:
    gender: str | None
    ages: tuple[int, int] | None
    groups: tuple[str, ...]  # audiences they belong to, most specific first
    partition: str  # service_search audience_key every shown service must be in

    @property
    def own_lines(self) -> tuple[str, ...]:
        return tuple(group for group in self.groups if group in _SPECIFIC)


def _person(asker: Asker | None, audience: str | None, topic: str) -> _Person:
    asker = asker or asker_for_audience(audience) or Asker()
    groups = list(asker.audiences())
    if audience and audience not in groups:
        groups.append(audience)  # a preference such as black_and_minoritised
    if topic == PERPETRATOR_TOPIC and "perpetrators" not in groups:
        groups.insert(0, "perpetrators")
    # Someone worried about another person is shown what that person could use (they may
    # pass it on, or call with them); lines that take calls from friends and family come
    # first among the person's own lines.
    partition = "perpetrators" if "perpetrators" in groups else ALL_AUDIENCES
    # For a supporter the Asker already describes the person they worry about (asker.py).
    gender = asker.gender
    ages = AGE_RANGES.get(asker.age_group or "")
    return _Person(gender, ages, tuple(groups), partition)


# ---------------------------------------------------------------- the tiers


class _Hit(NamedTuple):  # a NamedTuple: built hundreds of times per search
    service_id: str
    has_phone: bool
    scope: Scope
    rank: int
    own_line: bool = False
    group: int = 0  # the own line's place in the person's groups, most specific first
    audiences: str = ";"  # the service's audiences, ';a;b;' (search_index.wrap_audiences)


@dataclass(frozen=True)
class _Branch:
    """One ORDER BY ... LIMIT slice of service_search: a tier, or its audience-first half."""

    tier: str
    area_key: str
    topic: str | None  # None: any topic (the catch-all lookup by id, the phone fallback)
    scope: Scope
    audience_key: str | None = None  # None: the person's partition
    service_id: str | None = None
    phoned_only: bool = False


# Audience words that name grown-ups: a service for them that records no age is for adults.
_ADULT_WORDS = ("women", "men", "migrant_women", "pregnant_women")
_NOT_ADULT_WORDS = " AND ".join(f"s.audiences NOT LIKE '%;{word};%'" for word in _ADULT_WORDS)


def _eligible(n_groups: int) -> str:
    restricted = " OR ".join(f"s.audiences LIKE :group{n}" for n in range(n_groups)) or "1 = 0"
    # A service for women or men (by its gender rule or its audience words) that records no
    # age is for adults: a child is not sent there unless it names children or young people.
    return f"""((:gender IS NULL OR s.gender IS NULL OR s.gender = :gender)
    AND (:age_lo IS NULL OR s.maximum_age IS NULL OR s.maximum_age >= :age_lo)
    AND (:age_hi IS NULL OR s.minimum_age IS NULL OR s.minimum_age <= :age_hi)
    AND (:child = 0 OR s.minimum_age IS NOT NULL
         OR s.audiences LIKE '%;children;%' OR s.audiences LIKE '%;young_people;%'
         OR (s.gender IS NULL AND {_NOT_ADULT_WORDS}))
    AND (s.audience_restricted = false OR {restricted}))"""


@lru_cache(maxsize=256)
def _ranking_sql(shape: tuple[tuple[bool, bool, bool, bool], ...], n_groups: int,
                 want: int) -> TextClause:
    """UNION ALL of the branches; shape = (has topic, by id, phoned only, own line)."""
    parts = []
    for n, (has_topic, by_id, phoned_only, own_line) in enumerate(shape):
        where = [f"s.area_key = :area{n}", f"s.audience_key = :key{n}", _eligible(n_groups)]
        if own_line:
            # Made for this group: kept for it, or naming it first (SignHealth names Deaf
            # people first; a service that lists young people among others is not Childline).
            where.append(f"(s.audience_restricted = true OR s.audiences LIKE :first{n})")
        if has_topic:
            where.append(f"s.topic = :topic{n}")
        if by_id:
            where.append(f"s.service_id = :sid{n}")
        if phoned_only:
            where.append("s.has_phone = true")
        parts.append(
            f"SELECT {n} AS branch, b{n}.service_id, b{n}.has_phone, b{n}.rank, b{n}.name, b{n}.audiences"
            f" FROM (SELECT s.service_id, s.has_phone, s.rank, s.name, s.audiences FROM service_search s"
            f" WHERE {' AND '.join(where)}"
            f" ORDER BY s.rank, s.name, s.service_id LIMIT {1 if by_id or phoned_only else want})"
            f" b{n}"
        )
    return text(" UNION ALL ".join(parts) + " ORDER BY 1, 4, 5, 2")


def _branches(topic: str, place: PlaceMatch, person: _Person) -> list[_Branch]:
    branches: list[_Branch] = []
    topics = (topic,) if topic == GENERAL_TOPIC else (topic, GENERAL_TOPIC)
    borough = place.borough
    if borough is not None:
        for tier_topic in topics:
            branches.append(_Branch("local", borough.ons_code, tier_topic, "local"))
    if place.kind != "outside_london":
        for tier_topic in topics:
            branches.append(_Branch("london", "london", tier_topic, "london"))
            for group in person.own_lines:
                branches.append(_Branch("own_line", "london", tier_topic, "london",
                                        audience_key=group))
    if topic != GENERAL_TOPIC:
        branches.append(_Branch("topic_line", "national", topic, "national"))
    for group in person.own_lines:
        for tier_topic in topics:
            branches.append(_Branch("own_line", "national", tier_topic, "national",
                                    audience_key=group))
    catch_all = PERPETRATOR_LINE_ID if person.partition == "perpetrators" \
        else NATIONAL_DA_HELPLINE_ID
    branches.append(_Branch("catch_all", "national", None, "national", service_id=catch_all))
    # If the catch-all has gone, any national line with a number this person may use.
    branches.append(_Branch("fallback", "national", None, "national", phoned_only=True))
    return branches


def _params(person: _Person) -> dict[str, Any]:
    values: dict[str, Any] = {
        "gender": person.gender,
        "age_lo": person.ages[0] if person.ages else None,
        "age_hi": person.ages[1] if person.ages else None,
        "child": 1 if person.ages and person.ages[1] < CHILD_UNTIL else 0,
    }
    # A service kept for a group (older people, say) also takes calls from their friends and
    # family, but that does not make it a service for every supporter: only the person's
    # own groups open a restricted service.
    for n, group in enumerate(person.groups):
        values[f"group{n}"] = _NO_MATCH if group in ON_BEHALF else f"%;{group};%"
    return values


def _fetch(session: Session, branches: list[_Branch], person: _Person,
           limit: int) -> dict[str, list[_Hit]]:
    shape = tuple((b.topic is not None, b.service_id is not None, b.phoned_only,
                   b.audience_key is not None) for b in branches)
    values = _params(person)
    for n, branch in enumerate(branches):
        values[f"area{n}"] = branch.area_key
        values[f"key{n}"] = branch.audience_key or person.partition
        if branch.audience_key is not None:
            values[f"first{n}"] = f";{branch.audience_key};%"
        if branch.topic is not None:
            values[f"topic{n}"] = branch.topic
        if branch.service_id is not None:
            values[f"sid{n}"] = branch.service_id
    # 2 x limit per branch is enough: two tiers can share at most limit - 1 services before
    # the earlier one already fills the answer on its own.
    rows = session.execute(_ranking_sql(shape, len(person.groups), 2 * limit), values).all()
    tiers: dict[str, list[_Hit]] = defaultdict(list)
    seen: dict[str, set[str]] = defaultdict(set)
    for number, service_id, has_phone, rank, _name, audiences in rows:
        branch = branches[number]
        if service_id in seen[branch.tier]:
            continue
        seen[branch.tier].add(service_id)
        group = (person.own_lines.index(branch.audience_key)
                 if branch.audience_key in person.own_lines else 0)
        tiers[branch.tier].append(_Hit(service_id, bool(has_phone), branch.scope, rank,
                                       branch.audience_key is not None, group, audiences or ";"))
    return tiers


def _main_services(local: list[_Hit]) -> list[_Hit]:
    """The borough's main service(s); failing that, the first it commissions (see rank_for)."""
    main = [hit for hit in local if hit.rank < 10_000]
    return main or [hit for hit in local if hit.rank < 20_000][:1]


def _fit_to_communities(hits: list[_Hit], groups: tuple[str, ...], topic: str) -> list[_Hit]:
    """Of the services run by and for one community, someone who has not said they belong to it
    sees one (the first), not all: a Romanian woman in Ealing was offered Ashiana, Southall
    Black Sisters and IKWRO. A service for women who sell sex is for them, or for sexual
    exploitation: a woman whose partner takes her wages was offered Women at the Well."""
    communities = [group for group in groups if group in COMMUNITY_AUDIENCES]
    kept: list[_Hit] = []
    one_shown = False
    for hit in hits:
        if not community_ranked(hit.rank) or any(f";{group};" in hit.audiences for group in communities):
            kept.append(hit)
        elif all(f";{group};" not in hit.audiences for group in COMMUNITY_AUDIENCES if group != "sex_workers"):
            if topic == "trafficking_exploitation":  # run for women who sell sex only
                kept.append(hit)
        elif not one_shown:
            one_shown = True
            kept.append(hit)
    return kept


def _rank(tiers: dict[str, list[_Hit]], limit: int, groups: tuple[str, ...] = (),
          topic: str = GENERAL_TOPIC) -> list[_Hit]:
    """Fill the answer in the order the module docstring gives. The person's own lines, the
    topic line and the 24-hour catch-all always keep their slots; narrower services give way
    first when the limit is small. `groups`: the audiences the person belongs to."""
    local = tiers.get("local", [])
    main = _main_services(local)
    council = [hit for hit in local if hit.service_id.endswith(COUNCIL_ROUTE_SUFFIX)]
    if council and not any(hit.has_phone for hit in main):
        main.append(council[0])  # the council's page is the route in when no number shows
    # An LGBT+ man hears of Galop first, then the men's lines (groups are most specific first).
    own = sorted(tiers.get("own_line", []),
                 key=lambda hit: (not hit.has_phone, hit.group, hit.service_id not in NAMED_LINES,
                                  hit.scope != "national", hit.rank))
    topic_lines = tiers.get("topic_line", [])
    topic_line = ([hit for hit in topic_lines if hit.has_phone] or topic_lines)[:1]
    catch_all = (tiers.get("catch_all") or tiers.get("fallback") or [])[:1]
    # Services for one community give way to those open to everyone, whatever the topic:
    # a by-and-for coercive-control service is not the first thing to show a woman who has
    # said nothing about herself (search_index.rank_for).
    def open_first(hits: list[_Hit]) -> list[_Hit]:
        return sorted(hits, key=lambda hit: community_ranked(hit.rank))

    # With a main service's number shown, the council's page adds a card, not a route: Hackney's
    # page gave the same number as the council's own team beside it.
    if any(hit.has_phone for hit in main):
        local = [hit for hit in local if hit not in council]
    narrow = _fit_to_communities(open_first([hit for hit in local if hit not in main])
                                 + open_first(tiers.get("london", [])), groups, topic)

    taken: set[str] = set()

    def take(hits: list[_Hit], most: int | None = None) -> list[_Hit]:
        kept: list[_Hit] = []
        for hit in hits:
            if most is not None and len(kept) >= most:
                break
            if hit.service_id not in taken:
                taken.add(hit.service_id)
                kept.append(hit)
        return kept

    tail = take(catch_all)
    # the first line of each of the person's groups (Galop and the Men's Advice Line for a gay
    # man), up to _PERSON_LINES
    firsts = [hit for n, hit in enumerate(own) if all(o.group != hit.group for o in own[:n])]
    first_own = take(firsts, _PERSON_LINES)
    specialist = first_own + take(topic_line)
    if len(specialist) + len(tail) >= limit:
        # A small limit: the person's own line, the catch-all, then the topic line.
        return [*first_own, *tail, *[hit for hit in specialist if hit not in first_own]][:limit]
    room = limit - len(specialist) - len(tail)
    head = take(main, room)
    rest = take([*own[:_PERSON_LINES], *narrow], room - len(head))
    return [*head, *specialist, *rest, *tail]


# ---------------------------------------------------------------- the cards


# Everything the cards need in one round trip: (kind, service id, value, value, value).
_DETAILS = text(
    "SELECT 's' AS kind, id AS service_id, name AS v1, url AS v2, email AS v3 FROM service"
    " WHERE id IN :ids"
    " UNION ALL SELECT 'd', id, description, CAST(last_verified AS VARCHAR(10)), status"
    " FROM service WHERE id IN :ids"
    " UNION ALL SELECT 'f', id, form_url, source_url, CAST(source_read_on AS VARCHAR(10))"
    " FROM service WHERE id IN :ids"
    " UNION ALL SELECT 'g', id, source_page_date, CAST(main_service AS VARCHAR(5)), NULL"
    " FROM service WHERE id IN :ids"
    " UNION ALL SELECT 'p', service_id, number, id, source_page_date FROM phone"
    " WHERE service_id IN :ids AND type IN :phone_types"
    " UNION ALL SELECT 'q', service_id, description, id, hours FROM phone"
    " WHERE service_id IN :ids AND type IN :phone_types"
    " UNION ALL SELECT 'r', service_id, type, id, NULL FROM phone"
    " WHERE service_id IN :ids AND type IN :phone_types"
    " UNION ALL SELECT 't', st.service_id, tt.name, tt.id, NULL FROM service_taxonomy st"
    " JOIN taxonomy_term tt ON tt.id = st.taxonomy_term_id WHERE st.service_id IN :ids"
    " UNION ALL SELECT 'a', service_id, scope, borough_code, NULL FROM service_area"
    " WHERE service_id IN :ids"
    " UNION ALL SELECT 'e', service_id, audiences, gender, description FROM eligibility"
    " WHERE service_id IN :ids"
    " UNION ALL SELECT 'x', service_id, CAST(minimum_age AS VARCHAR(4)),"
    " CAST(maximum_age AS VARCHAR(4)), CAST(residents_only AS VARCHAR(5)) FROM eligibility"
    " WHERE service_id IN :ids"
    " UNION ALL SELECT 'y', service_id, CAST(audience_restricted AS VARCHAR(5)), NULL, NULL"
    " FROM eligibility WHERE service_id IN :ids"
    " UNION ALL SELECT 'o', service_id, description, id, NULL FROM schedule"
    " WHERE service_id IN :ids AND description IS NOT NULL AND description <> ''"
    " UNION ALL SELECT 'h', service_id, id, id, NULL FROM schedule"
    " WHERE service_id IN :ids AND is_24_hours = true"
).bindparams(bindparam("ids", expanding=True), bindparam("phone_types", expanding=True))

_AUDIENCE_WORDS = {
    "lgbt_plus": "LGBT+ people", "deaf": "Deaf people", "disabled": "disabled people",
    "older_people": "older people", "young_people": "young people", "children": "children",
    "perpetrators": "people who want to stop being abusive", "men": "men", "women": "women",
    "migrant_women": "migrant women", "friends_family": "friends and family",
}


def _truthy(value: Any) -> bool:
    return str(value).strip().lower() in ("1", "true", "t")


def eligibility_note(gender: str | None, minimum_age: int | None, maximum_age: int | None,
                     audiences: tuple[str, ...], restricted: bool, residents_only: bool,
                     area: str, scope: Scope) -> str | None:
    """Who a service is for, in a few words: "For women 16+ living in Lewisham"."""
    who = {"female": "women", "male": "men"}.get(gender or "")
    if restricted:
        words = [_AUDIENCE_WORDS[a] for a in audiences if a in _AUDIENCE_WORDS
                 and a not in ("women", "men", "friends_family")]
        if words:
            who = " and ".join(words) if who is None else f"{who} ({', '.join(words)})"
    if minimum_age is not None and maximum_age is not None:
        ages = f"aged {minimum_age} to {maximum_age}"
    elif minimum_age:
        ages = f"{minimum_age}+"
    elif maximum_age is not None:
        ages = f"under {maximum_age + 1}"
    else:
        ages = None
    where = None
    if residents_only and scope == "local":
        where = f"living in {area}"
    elif residents_only and scope == "london":
        where = "living in London"
    if who is None and ages is None and where is None:
        return None
    subject = who or ("people" if ages or where else "anyone")
    parts = [subject] + ([ages] if ages else []) + ([where] if where else [])
    return "For " + " ".join(parts)


def _area_label(areas: list[tuple[str, str | None]]) -> str:
    scopes = {scope for scope, _ in areas}
    if "national" in scopes:
        return "National"
    if "london" in scopes:
        return "London-wide"
    names = sorted(BOROUGH_BY_CODE[code].name for _, code in areas if code in BOROUGH_BY_CODE)
    return ", ".join(names) if names else "Unknown area"


def _cards(session: Session, hits: list[_Hit], today: date) -> list[ServiceCard]:
    ids = [hit.service_id for hit in hits]
    if not ids:
        return []
    info: dict[str, dict[str, Any]] = defaultdict(dict)
    phones: dict[str, dict[str, dict[str, Any]]] = defaultdict(lambda: defaultdict(dict))
    topics: dict[str, list[str]] = defaultdict(list)
    areas: dict[str, list[tuple[str, str | None]]] = defaultdict(list)
    always_open: set[str] = set()
    hours: dict[str, str] = {}
    rows = session.execute(_DETAILS, {"ids": ids, "phone_types": list(PUBLIC_PHONE_TYPES)})
    for kind, service_id, v1, v2, v3 in rows:
        record = info[service_id]
        if kind == "s":
            record.update(name=v1, url=v2, email=v3)
        elif kind == "d":
            record.update(description=v1, verified=v2, status=v3)
        elif kind == "f":
            record.update(form_url=v1, source_url=v2, read_on=v3)
        elif kind == "g":
            record.update(page_date=v1, main=_truthy(v2))
        elif kind == "p":
            phones[service_id][v2].update(number=v1, page_date=v3)
        elif kind == "q":
            phones[service_id][v2].update(label=v1, hours=v3)
        elif kind == "r":
            phones[service_id][v2].update(type=v1)
        elif kind == "t":
            topics[service_id].append(v1)
        elif kind == "a":
            areas[service_id].append((v1, v2))
        elif kind == "e":
            record.update(audiences=v1 or "", gender=v2, elig_text=v3)
        elif kind == "x":
            record.update(min_age=int(v1) if v1 else None, max_age=int(v2) if v2 else None,
                          residents=_truthy(v3))
        elif kind == "y":
            record.update(restricted=_truthy(v1))
        elif kind == "o":
            hours.setdefault(service_id, v1)
        else:
            always_open.add(service_id)
    topic_order = {name: i for i, name in enumerate(TOPICS)}
    type_order = {kind: i for i, kind in enumerate(PUBLIC_PHONE_TYPES)}
    cards = []
    for hit in hits:
        service_id = hit.service_id
        record = info[service_id]
        shown = sorted(
            (phone for phone_id, phone in sorted(phones.get(service_id, {}).items())
             if shown_to_public(phone.get("page_date"), today=today)),
            key=lambda phone: type_order.get(phone.get("type", "voice"), 9))
        lines = tuple(PhoneLine(p["number"], p.get("label"), p.get("hours"),
                                p.get("type", "voice")) for p in shown)
        audience = tuple(a for a in record.get("audiences", "").split(";") if a)
        area = _area_label(areas[service_id])
        verified = date.fromisoformat(record["verified"]) if record.get("verified") else None
        cards.append(
            ServiceCard(
                id=service_id,
                name=record["name"],
                phone=lines[0].number if lines else None,
                website=record.get("url"),
                description=record.get("description") or "",
                area=area,
                topics=tuple(sorted(topics[service_id], key=lambda t: topic_order.get(t, 99))),
                audience=audience,
                is_24_hours=service_id in always_open,
                last_verified=verified,
                scope=hit.scope,
                hours=hours.get(service_id),
                phones=lines,
                email=record.get("email"),
                form_url=record.get("form_url"),
                eligibility_note=eligibility_note(
                    record.get("gender"), record.get("min_age"), record.get("max_age"),
                    audience, bool(record.get("restricted")), bool(record.get("residents")),
                    area, hit.scope),
                verification=state_of(record.get("status") or "active", verified, today=today),
                source_url=record.get("source_url"),
                source_read_on=date.fromisoformat(record["read_on"])
                if record.get("read_on") else None,
                source_page_date=record.get("page_date"),
                main_service=bool(record.get("main")),
            )
        )
    return cards


def _without_repeats(cards: list[ServiceCard]) -> list[ServiceCard]:
    """Leave out a card that gives no way in but a website another card with a number gives:
    Solace Women's Aid beside the Solace Advice Line is one more thing to read on a phone
    someone may take back, and no more help."""
    phoned_sites = {card.website for card in cards if card.phones and card.website}
    return [card for card in cards
            if card.phones or card.email or card.form_url or card.website not in phoned_sites]


# ---------------------------------------------------------------- the entry point


def find_services(session: Session, *, topic: str | None, place: str | None,
                  asker: Asker | None = None, audience: str | None = None,
                  limit: int = 5) -> SearchResult:
    """Services to offer, best first. `topic` None means general domestic abuse.

    `asker` says who is asking; `audience` (one vocabulary.AUDIENCES word) is the older way
    to say it, still accepted. Raises ValueError for a topic or audience outside the
    vocabulary (a bug in the caller, not something to guess about) or a limit below 1.
    """
    chosen_topic = topic or GENERAL_TOPIC
    if chosen_topic not in TOPICS:
        raise ValueError(f"unknown topic {topic!r}; expected one of {', '.join(TOPICS)}")
    if audience is not None and audience not in AUDIENCES:
        raise ValueError(f"unknown audience {audience!r}; expected one of {', '.join(AUDIENCES)}")
    if asker is not None and not isinstance(asker, Asker):
        raise ValueError("asker must be a services_directory.asker.Asker")
    if limit < 1:
        raise ValueError("limit must be at least 1")
    match = resolve_place(session, place)
    person = _person(asker, audience, chosen_topic)
    branches = _branches(chosen_topic, match, person)
    hits = _rank(_fetch(session, branches, person, limit), limit, person.groups, chosen_topic)
    return SearchResult(
        place=match,
        services=_without_repeats(_cards(session, hits, date.today())),
        topic=chosen_topic,
        audience=audience,
        needs_borough_choice=match.needs_choice,
        outside_london=match.outside_london,
        asker=asker,
    )
