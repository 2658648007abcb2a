"""How well the directory covers London: per borough and topic, what the bot would list.

A council VAWG coordinator keeping the directory true needs to see the gaps before a resident
finds them: a borough whose own services cannot be reached, a topic that only ever gets the
national lines, numbers kept from staff view because their newest source is too old, and how
much of the borough's entries a person has confirmed. This module works that out from the
database and search itself (never from a second copy of the ranking rules), so the report
shows exactly what a person asking would be told. `signpost directory coverage` prints it;
docs/directory-coverage.md keeps a copy.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from services_directory.boroughs import BOROUGHS, Borough
from services_directory.freshness import freshness
from services_directory.models import Phone, Service, ServiceArea, ServiceSource
from services_directory.search import COUNCIL_ROUTE_SUFFIX, ServiceCard, find_services
from services_directory.search_index import PUBLIC_PHONE_TYPES
from services_directory.verification import state_of
from services_directory.vocabulary import TOPIC_LABELS, TOPICS, VERIFICATION_STATES

LIMIT = 5  # what the bot shows once it knows the place (actions/directory_client.py)


@dataclass(frozen=True)
class Route:
    """One way to reach a service, and the public page that says so."""

    kind: str  # phone | email | form | council page
    value: str
    source_url: str
    read_on: date | None


@dataclass(frozen=True)
class LocalEntry:
    id: str
    name: str
    state: str  # vocabulary.VERIFICATION_STATES
    main: bool
    routes: tuple[Route, ...]
    old_phones: tuple[str, ...]  # numbers not shown: newest source older than the limit
    undated_phones: tuple[str, ...]  # numbers shown whose page gives no date
    listed: bool = False  # has some way to reach it, so search lists it (search_index.py)

    @property
    def active(self) -> bool:
        return self.state != "ended"


@dataclass(frozen=True)
class TopicCoverage:
    topic: str
    cards: tuple[ServiceCard, ...]

    @property
    def has_local(self) -> bool:
        return any(card.scope == "local" for card in self.cards)


@dataclass(frozen=True)
class BoroughCoverage:
    borough: Borough
    entries: tuple[LocalEntry, ...]
    topics: tuple[TopicCoverage, ...]

    @property
    def states(self) -> Counter[str]:
        return Counter(entry.state for entry in self.entries)

    @property
    def reachable(self) -> tuple[LocalEntry, ...]:
        """Active local entries with at least one sourced contact route."""
        return tuple(entry for entry in self.entries if entry.active and entry.routes)

    @property
    def unreachable(self) -> tuple[LocalEntry, ...]:
        """Active entries search never lists: nothing recorded to reach them by."""
        return tuple(entry for entry in self.entries if entry.active and not entry.listed)

    @property
    def unsourced(self) -> tuple[LocalEntry, ...]:
        """Listed (a website or a number) but with no contact route a public page backs."""
        return tuple(entry for entry in self.entries
                     if entry.active and entry.listed and not entry.routes)

    @property
    def route_in(self) -> str:
        """How a resident of this borough gets local help, in a few words."""
        main = [entry for entry in self.reachable if entry.main]
        if main:
            return f"{main[0].name} ({main[0].routes[0].kind})"
        council = [entry for entry in self.reachable if entry.id.endswith(COUNCIL_ROUTE_SUFFIX)]
        if council and council[0].routes[0].kind == "council website":
            return "council website only (no domestic abuse page or service contact read)"
        if council:
            return f"council page only ({council[0].routes[0].kind})"
        if self.reachable:
            return f"{self.reachable[0].name} ({self.reachable[0].routes[0].kind})"
        return "none: national lines only"


@dataclass
class CoverageReport:
    today: date
    boroughs: list[BoroughCoverage] = field(default_factory=list)
    # London-wide and national entries, counted once (they are not any one borough's).
    wider_states: dict[str, Counter[str]] = field(default_factory=dict)


def _sources_by_service(session: Session) -> dict[str, list[ServiceSource]]:
    sources: dict[str, list[ServiceSource]] = defaultdict(list)
    for source in session.execute(select(ServiceSource)).scalars():
        sources[source.service_id].append(source)
    return sources


def _supported(sources: list[ServiceSource], word: str) -> ServiceSource | None:
    for source in sources:
        if word in (source.supports or "").split(";"):
            return source
    return None


def _routes(service: Service, phones: list[Phone], sources: list[ServiceSource],
            today: date) -> tuple[tuple[Route, ...], tuple[str, ...], tuple[str, ...]]:
    """The sourced routes of one service, and its too-old and undated numbers."""
    routes: list[Route] = []
    old: list[str] = []
    undated: list[str] = []
    for phone in phones:
        if phone.type not in PUBLIC_PHONE_TYPES or not phone.source_url:
            continue  # a number with no public page behind it is not a sourced route
        age = freshness(phone.source_page_date, today=today)
        if age == "too_old":
            old.append(f"{phone.number} (page dated {phone.source_page_date})")
            continue
        if age == "undated":
            undated.append(phone.number)
        routes.append(Route("phone", phone.number, phone.source_url, phone.source_read_on))
    for kind, value, word in (("email", service.email, "email"),
                              ("form", service.form_url, "form_url")):
        source = _supported(sources, word) if value else None
        if source is not None:
            routes.append(Route(kind, value or "", source.url, source.read_on))
    if service.id.endswith(COUNCIL_ROUTE_SUFFIX) and service.url:
        source = _supported(sources, "website")
        if source is not None:
            # A page about domestic abuse, or only a website's home page (the council's, or
            # a council-run help site) where no such page was read.
            home = urlsplit(service.url).path in ("", "/")
            kind = "council website" if home else "council page"
            routes.append(Route(kind, service.url, source.url, source.read_on))
    return tuple(routes), tuple(old), tuple(undated)


def local_entries(session: Session, today: date | None = None) -> dict[str, list[LocalEntry]]:
    """Every borough's own entries (not deleted), by ONS code, with their sourced routes."""
    today = today or date.today()
    phones: dict[str, list[Phone]] = defaultdict(list)
    for phone in session.execute(select(Phone).order_by(Phone.id)).scalars():
        if phone.service_id:
            phones[phone.service_id].append(phone)
    sources = _sources_by_service(session)
    by_borough: dict[str, list[LocalEntry]] = defaultdict(list)
    rows = session.execute(
        select(Service, ServiceArea.borough_code)
        .join(ServiceArea, ServiceArea.service_id == Service.id)
        .where(ServiceArea.scope == "borough", Service.deleted_at.is_(None))
        .order_by(Service.name, Service.id)
    ).all()
    for service, code in rows:
        own = phones[service.id]
        routes, old, undated = _routes(service, own, sources[service.id], today)
        shown_phone = any(phone.type in PUBLIC_PHONE_TYPES
                          and freshness(phone.source_page_date, today=today) != "too_old"
                          for phone in own)
        by_borough[code].append(LocalEntry(
            id=service.id, name=service.name,
            state=state_of(service.status, service.last_verified, today=today),
            main=bool(service.main_service), routes=routes, old_phones=old,
            undated_phones=undated,
            listed=bool(shown_phone or service.email or service.form_url or service.url)))
    return by_borough


def build_report(session: Session, *, today: date | None = None,
                 limit: int = LIMIT) -> CoverageReport:
    """Search every borough for every topic (as a person who has said nothing about
    themselves) and gather each borough's entries and their states."""
    today = today or date.today()
    report = CoverageReport(today=today)
    entries = local_entries(session, today)
    for borough in BOROUGHS:
        topics = tuple(
            TopicCoverage(topic, tuple(find_services(session, topic=topic, place=borough.name,
                                                     limit=limit).services))
            for topic in TOPICS)
        report.boroughs.append(BoroughCoverage(borough, tuple(entries.get(borough.ons_code, [])),
                                               topics))
    wider: dict[str, Counter[str]] = {"london": Counter(), "national": Counter()}
    seen: set[tuple[str, str]] = set()
    for service, scope in session.execute(
            select(Service, ServiceArea.scope).join(ServiceArea)
            .where(ServiceArea.scope.in_(("london", "national")),
                   Service.deleted_at.is_(None))).all():
        if (service.id, scope) in seen:
            continue
        seen.add((service.id, scope))
        wider[scope][state_of(service.status, service.last_verified, today=today)] += 1
    report.wider_states = wider
    return report


# ---------------------------------------------------------------- the printed report


def _states(counts: Counter[str]) -> str:
    return " / ".join(str(counts.get(state, 0)) for state in VERIFICATION_STATES)


def _card(card: ServiceCard) -> str:
    mark = {"local": "L", "london": "Ldn", "national": "N"}[card.scope]
    return f"{card.name} [{mark}]"


def render_markdown(report: CoverageReport, command: str) -> str:
    """The report as Markdown: a summary table, the gaps, then borough by borough."""
    out: list[str] = [
        "# Directory coverage",
        "",
        f"Made on {report.today.isoformat()} with `{command}`. Each topic row is what search "
        f"returns (first {LIMIT}, as the bot shows them) for someone in that borough who has "
        "said nothing else about themselves: [L] the borough's own, [Ldn] London-wide, "
        "[N] national. States are confirmed / unconfirmed / overdue / ended: confirmed means a "
        "member of staff checked the entry (who and how recorded) within the review period; "
        "unconfirmed entries come from public pages and have not been checked by staff yet.",
        "",
        "| borough | local entries | confirmed / unconfirmed / overdue / ended | reachable "
        "(sourced route) | route in | topics with a local service |",
        "|---|---|---|---|---|---|",
    ]
    for item in report.boroughs:
        local_topics = sum(1 for topic in item.topics if topic.has_local)
        out.append(f"| {item.borough.name} | {len(item.entries)} | {_states(item.states)} | "
                   f"{len(item.reachable)} | {item.route_in} | {local_topics}/{len(TOPICS)} |")
    totals: Counter[str] = Counter()
    for item in report.boroughs:
        totals.update(item.states)
    out += [
        "",
        f"Borough entries in all: {_states(totals)}. London-wide: "
        f"{_states(report.wider_states.get('london', Counter()))}. National: "
        f"{_states(report.wider_states.get('national', Counter()))}.",
        "",
        "## Gaps for staff",
        "",
    ]
    gaps = 0
    for item in report.boroughs:
        notes: list[str] = []
        main = [entry for entry in item.entries if entry.main and entry.active]
        if not item.reachable:
            notes.append("no local entry with a sourced way to reach it")
        elif item.route_in.startswith("council website only"):
            notes.append("only the council's website is shown as the way in: no current "
                         "council domestic abuse page and no local service contact were read")
        if not main:
            notes.append("no main commissioned service recorded")
        elif not any(entry.routes for entry in main):
            names = ", ".join(entry.name for entry in main)
            instead = ("; the bot shows the council's page or other local services instead"
                       if item.reachable else "")
            notes.append(f"the main service ({names}) has no sourced contact route{instead}")
        if item.unreachable:
            names = ", ".join(entry.name for entry in item.unreachable)
            notes.append(f"not shown, no way to reach them recorded: {names}")
        if item.unsourced:
            names = ", ".join(entry.name for entry in item.unsourced)
            notes.append(f"shown, but no public page backs a contact route: {names}")
        old = [f"{entry.name}: {phone}" for entry in item.entries for phone in entry.old_phones]
        if old:
            instead = ("the council's route is shown instead"
                       if any(entry.id.endswith(COUNCIL_ROUTE_SUFFIX) for entry in item.reachable)
                       else "no current council page found to show instead")
            notes.append("numbers not shown, newest source more than about three years old "
                         f"({instead}): {'; '.join(old)}")
        undated = sorted({phone for entry in item.entries for phone in entry.undated_phones})
        if undated:
            notes.append(f"numbers shown from undated pages (check first): {', '.join(undated)}")
        if notes:
            gaps += 1
            out.append(f"- **{item.borough.name}**: " + "; ".join(notes) + ".")
    if not gaps:
        out.append("None.")
    out += ["", "## Borough by borough", ""]
    for item in report.boroughs:
        out += [f"### {item.borough.name}", "", "| topic | what search returns |", "|---|---|"]
        for topic in item.topics:
            listed = "; ".join(_card(card) for card in topic.cards) or "nothing"
            out.append(f"| {TOPIC_LABELS[topic.topic]} | {listed} |")
        out.append("")
    return "\n".join(out).rstrip() + "\n"
