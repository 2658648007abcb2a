"""Read the sourced research files (data/sources/**.yaml) into directory rows.

Each file records what public pages said about services and when they were read (the format
is in data/sources/README.md). This module checks every file strictly, turns the entries into
the same rows as the Open Referral CSVs, and merges them with the bundled seed data:

- every fact comes from the files: nothing is added from memory. A phone number, email, web
  form or opening time must be backed by a source whose `supports` names it; a service
  without a source, an unknown topic or audience, or a number that does not look like a UK
  number stops the load with `file: field: reason`, and nothing is written;
- the seed entries stay, with their seed source. Where a research entry is the same service
  (the same id, or listed in data/curation.yaml) the research wins: a seed entry with the
  same id is replaced by it, and a seed entry it replaces under another id is kept but marked
  inactive, with a note naming its replacement;
- a street address is never imported (the bot never shows one); an address on an entry that
  looks like a refuge is an error, because a refuge's address must never be recorded at all;
- each borough gets an entry for the council's own domestic abuse page when the research
  found one that residents can use (not news, minutes or a strategy), with the contact the
  page gives: the route a resident is shown when a service's own number is too old to show.

Confirmation is never read from these files: every entry they make is "unconfirmed" until a
member of staff confirms it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from services_directory.boroughs import BOROUGH_BY_CODE
from services_directory.freshness import latest_day, newest_page_date
from services_directory.phones import is_uk_phone
from services_directory.tabular import ParsedFile, read_directory
from services_directory.tabular_schema import (
    SPECS,
    check_email,
    check_id,
    check_page_date,
    check_url,
)
from services_directory.vocabulary import (
    AUDIENCES,
    GENDERS,
    GENERAL_TOPIC,
    ON_BEHALF,
    SCOPES,
    TOPICS,
)

Row = dict[str, Any]
DATA_DIR = Path(__file__).resolve().parent / "data"
STATUSES = ("active", "ended", "unclear")
# Audiences that, when they are all a service names, mean it is only for those people.
RESTRICTING = frozenset({"men", "lgbt_plus", "deaf", "disabled", "older_people", "children",
                         "young_people", "perpetrators"})
# Which `supports` words back which fact.
_SUPPORTS = {
    "phone": lambda word: word in ("phone", "phones") or word.startswith("phone_"),
    "email": lambda word: word == "email" or word.startswith("email_"),
    "form_url": lambda word: word in ("form_url", "form", "web_form", "referral_form"),
    "hours": lambda word: "hours" in word or "open_24" in word or "24_7" in word,
}
_REFUGE = re.compile(r"\brefuges?\b|safe house", re.IGNORECASE)
_TEXT_LINE = re.compile(r"\b(text|sms|whatsapp)\b", re.IGNORECASE)
_TEXTPHONE = re.compile(r"\b(textphone|minicom)\b", re.IGNORECASE)
_ALWAYS_OPEN = re.compile(r"24 hours|24/7|24-hour|24hr", re.IGNORECASE)
# Council pages residents cannot use as a way in: news, minutes, strategies, test sites.
_NOT_A_ROUTE = re.compile(
    r"/news|newsroom|democracy\.|mgai\.aspx|moderngov|modgov|governance\.|consult\.|"
    r"readkong|webtest\.|uat\.|admin\.|tmp\.|iedecision|ielistdocuments", re.IGNORECASE)
_NOT_A_ROUTE_TITLE = re.compile(
    r"news|minutes|committee|strategy|strategies|cabinet|professionals|progress|appendix|"
    r"consultation|policy|bulletin|am i abusive|own behaviour|activism|\bitem\b", re.IGNORECASE)


class SourcesError(ValueError):
    """Research files that cannot be loaded; `problems` lists every one."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the research files:\n"
                         + "\n".join(problems))
        self.problems = problems


# ---------------------------------------------------------------- the entries


@dataclass(frozen=True)
class Page:
    url: str
    read_on: date
    page_date: str | None
    page_date_basis: str | None
    supports: tuple[str, ...] = ()
    title: str | None = None

    def backs(self, fact: str) -> bool:
        test = _SUPPORTS[fact]
        return any(test(word) for word in self.supports)


@dataclass(frozen=True)
class PhoneEntry:
    number: str
    label: str | None
    hours: str | None


@dataclass(frozen=True)
class Entry:
    """One service from a research file."""

    file: str  # relative to data/sources
    id: str
    name: str
    provider: str
    scope: str
    boroughs: tuple[str, ...]
    commissioned: bool
    main: bool
    description: str
    topics: tuple[str, ...]
    gender: str | None
    min_age: int | None
    max_age: int | None
    audiences: tuple[str, ...]
    residents_only: bool
    eligibility_note: str | None
    phones: tuple[PhoneEntry, ...]
    email: str | None
    website: str | None
    form_url: str | None
    hours: str | None
    has_address: bool
    sources: tuple[Page, ...]
    status: str
    status_note: str | None
    researched_on: date | None
    file_notes: str | None = None


@dataclass(frozen=True)
class CouncilPage:
    url: str
    title: str
    page_date: str | None
    page_date_basis: str | None
    read_on: date
    summary: str | None
    phone: str | None
    email: str | None
    form_url: str | None
    # Chosen by a researcher as residents' route in, though its title or address would
    # otherwise rule it out (the only current domestic abuse page the borough has).
    route_in: bool = False
    route_name: str | None = None  # the name the public sees, when not the council's own site
    # The address residents are sent to when it is not this page itself: the council's own
    # website, or a council-run help site, that this page names or is published on. For a
    # borough where no current domestic abuse page of the council's was read.
    route_url: str | None = None
    route_description: str | None = None  # what residents read about the route, own words

    @property
    def has_contact(self) -> bool:
        return bool(self.phone or self.email or self.form_url)


@dataclass
class ResearchFile:
    path: str
    borough_code: str | None
    borough: str | None
    researched_on: date | None
    council_pages: list[CouncilPage] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)
    notes: str | None = None


# ---------------------------------------------------------------- strict reading


class _Reader:
    """Collects every problem with a field path, rather than stopping at the first."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[str] = []

    def problem(self, where: str, message: str) -> None:
        self.problems.append(f"{self.file}: {where}: {message}")

    def text(self, data: dict, key: str, where: str, *, required: bool = False) -> str | None:
        value = data.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.problem(f"{where}{key}", "is required")
            return None
        if not isinstance(value, str | int | float):
            self.problem(f"{where}{key}", "must be text")
            return None
        return str(value).strip()

    def flag(self, data: dict, key: str, where: str) -> bool:
        value = data.get(key, False)
        if value is None:
            return False
        if not isinstance(value, bool):
            self.problem(f"{where}{key}", "must be true or false")
            return False
        return value

    def age(self, data: dict, key: str, where: str) -> int | None:
        value = data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 120:
            self.problem(f"{where}{key}", "must be a whole number of years from 0 to 120")
            return None
        return value

    def day(self, data: dict, key: str, where: str, *, required: bool = False) -> date | None:
        value = data.get(key)
        if isinstance(value, date):
            return value
        if value is None:
            if required:
                self.problem(f"{where}{key}", "is required (YYYY-MM-DD)")
            return None
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            self.problem(f"{where}{key}", f"{value!r} is not a date (YYYY-MM-DD)")
            return None

    def page_date(self, data: dict, where: str) -> str | None:
        value = data.get("page_date")
        if value is None:
            return None
        text = value.isoformat() if isinstance(value, date) else str(value).strip()
        reason = check_page_date(text)
        if reason is None:
            try:
                latest_day(text)
            except ValueError:
                reason = "is not a real date"
        if reason:
            self.problem(f"{where}page_date", f"{text!r}: {reason}")
            return None
        return text

    def words(self, data: dict, key: str, where: str, allowed: Iterable[str],
              what: str) -> tuple[str, ...]:
        value = data.get(key) or []
        if not isinstance(value, list):
            self.problem(f"{where}{key}", "must be a list")
            return ()
        allowed_set = set(allowed)
        good = []
        for item in value:
            if item not in allowed_set:
                self.problem(f"{where}{key}", f"unknown {what} {item!r} (expected one of "
                                              f"{', '.join(sorted(allowed_set))})")
            else:
                good.append(item)
        return tuple(dict.fromkeys(good))

    def url(self, data: dict, key: str, where: str, *, required: bool = False) -> str | None:
        value = self.text(data, key, where, required=required)
        if value is not None and value.lower().startswith("www."):
            value = "https://" + value  # a bare www. address, as printed on many pages
        if value is not None and check_url(value):
            self.problem(f"{where}{key}", f"{value!r} is not a full http(s):// address")
            return None
        return value


def _page(reader: _Reader, data: Any, where: str) -> Page | None:
    if not isinstance(data, dict):
        reader.problem(where.rstrip("."), "must be a mapping")
        return None
    url = reader.url(data, "url", where, required=True)
    read_on = reader.day(data, "read_on", where, required=True)
    supports = data.get("supports") or []
    if not isinstance(supports, list) or not all(isinstance(w, str) for w in supports):
        reader.problem(f"{where}supports", "must be a list of words")
        supports = []
    page_date = reader.page_date(data, where)
    if url is None or read_on is None:
        return None
    return Page(url, read_on, page_date, reader.text(data, "page_date_basis", where),
                tuple(supports), reader.text(data, "title", where))


def _entry(reader: _Reader, data: Any, where: str, researched_on: date | None) -> Entry | None:
    if not isinstance(data, dict):
        reader.problem(where.rstrip("."), "must be a mapping")
        return None
    sid = reader.text(data, "id", where, required=True) or ""
    if sid and (check_id(sid) or not sid.startswith("svc-")):
        reader.problem(f"{where}id", f"{sid!r} must look like svc-<area>-<name> (letters, "
                                     "digits and - only, up to 120 characters)")
    name = reader.text(data, "name", where, required=True) or ""
    scope = reader.text(data, "scope", where, required=True) or ""
    if scope and scope not in SCOPES:
        reader.problem(f"{where}scope", f"unknown scope {scope!r} (borough, london or national)")
    boroughs = reader.words(data, "boroughs", where, BOROUGH_BY_CODE, "borough code")
    if scope == "borough" and not boroughs:
        reader.problem(f"{where}boroughs", "a borough service needs at least one borough code")
    if scope in ("london", "national") and data.get("boroughs"):
        reader.problem(f"{where}boroughs", f"must be empty for a {scope} service")
    topics = reader.words(data, "topics", where, TOPICS, "topic")
    if not data.get("topics"):
        reader.problem(f"{where}topics", "a service needs at least one topic")
    eligibility = data.get("eligibility") or {}
    ewhere = f"{where}eligibility."
    gender = reader.text(eligibility, "gender", ewhere)
    if gender is not None and gender not in GENDERS:
        reader.problem(f"{ewhere}gender", f"unknown gender {gender!r} (female, male or null)")
        gender = None
    min_age, max_age = reader.age(eligibility, "min_age", ewhere), reader.age(
        eligibility, "max_age", ewhere)
    if min_age is not None and max_age is not None and min_age > max_age:
        reader.problem(f"{ewhere}max_age", "is below min_age")
    audiences = reader.words(eligibility, "audiences", ewhere, AUDIENCES, "audience")
    contact = data.get("contact") or {}
    cwhere = f"{where}contact."
    phones: list[PhoneEntry] = []
    raw_phones = contact.get("phones") or []
    if not isinstance(raw_phones, list):
        reader.problem(f"{cwhere}phones", "must be a list")
        raw_phones = []
    for n, raw in enumerate(raw_phones):
        pwhere = f"{cwhere}phones[{n}]."
        if not isinstance(raw, dict):
            reader.problem(pwhere.rstrip("."), "must be a mapping with number, label, hours")
            continue
        number = reader.text(raw, "number", pwhere, required=True)
        if number is not None and not is_uk_phone(number):
            reader.problem(f"{pwhere}number", f"{number!r} does not look like a UK phone number")
            continue
        if number is not None:
            phones.append(PhoneEntry(number, reader.text(raw, "label", pwhere),
                                     reader.text(raw, "hours", pwhere)))
    email = reader.text(contact, "email", cwhere)
    if email is not None and check_email(email):
        reader.problem(f"{cwhere}email", f"{email!r} is not an email address")
        email = None
    website = reader.url(contact, "website", cwhere)
    form_url = reader.url(contact, "form_url", cwhere)
    hours = reader.text(contact, "hours", cwhere)
    address = reader.text(contact, "address", cwhere)
    if address and _REFUGE.search(f"{name} {data.get('description') or ''}"):
        reader.problem(f"{cwhere}address", "looks like a refuge: a refuge's address must never "
                                           "be recorded; remove it")
    sources = []
    raw_sources = data.get("sources")
    if not raw_sources or not isinstance(raw_sources, list):
        reader.problem(f"{where}sources", "a service needs at least one source (url, read_on, "
                                          "supports)")
        raw_sources = []
    for n, raw in enumerate(raw_sources):
        page = _page(reader, raw, f"{where}sources[{n}].")
        if page is not None:
            sources.append(page)
    if sources:
        facts = {"phone": bool(phones), "email": bool(email), "form_url": bool(form_url),
                 "hours": bool(hours or any(p.hours for p in phones))}
        for fact, present in facts.items():
            if present and not any(page.backs(fact) for page in sources):
                target = f"{cwhere}phones" if fact == "phone" else f"{cwhere}{fact}"
                reader.problem(target, f"no source lists {fact!r} in `supports`: every "
                                       f"{fact.replace('_', ' ')} needs the page it is printed on")
    status = reader.text(data, "status", where, required=True) or "unclear"
    if status not in STATUSES:
        reader.problem(f"{where}status", f"unknown status {status!r} (active, ended or unclear)")
    description = reader.text(data, "description", where, required=True) or ""
    return Entry(
        file=reader.file, id=sid, name=name,
        provider=reader.text(data, "provider", where, required=True) or "",
        scope=scope, boroughs=boroughs,
        commissioned=reader.flag(data, "commissioned_by_council", where),
        main=reader.flag(data, "main_service", where), description=description,
        topics=topics, gender=gender, min_age=min_age, max_age=max_age, audiences=audiences,
        residents_only=reader.flag(eligibility, "residents_only", ewhere),
        eligibility_note=reader.text(eligibility, "note", ewhere), phones=tuple(phones),
        email=email, website=website, form_url=form_url, hours=hours,
        has_address=bool(address), sources=tuple(sources), status=status,
        status_note=reader.text(data, "status_note", where), researched_on=researched_on,
    )


def _council_page(reader: _Reader, data: Any, where: str) -> CouncilPage | None:
    if not isinstance(data, dict):
        reader.problem(where.rstrip("."), "must be a mapping")
        return None
    url = reader.url(data, "url", where, required=True)
    read_on = reader.day(data, "read_on", where, required=True)
    contact = data.get("contact") or {}
    cwhere = f"{where}contact."
    phone = reader.text(contact, "phone", cwhere)
    if phone is not None and not is_uk_phone(phone):
        reader.problem(f"{cwhere}phone", f"{phone!r} does not look like a UK phone number")
        phone = None
    email = reader.text(contact, "email", cwhere)
    if email is not None and check_email(email):
        reader.problem(f"{cwhere}email", f"{email!r} is not an email address")
        email = None
    form_url = reader.url(contact, "form_url", cwhere)
    page_date = reader.page_date(data, where)
    if url is None or read_on is None:
        return None
    return CouncilPage(url, reader.text(data, "title", where, required=True) or url, page_date,
                       reader.text(data, "page_date_basis", where), read_on,
                       reader.text(data, "summary", where), phone, email, form_url,
                       data.get("route_in") is True, reader.text(data, "route_name", where),
                       reader.url(data, "route_url", where),
                       reader.text(data, "route_description", where))


def read_file(path: Path, root: Path) -> tuple[ResearchFile, list[str]]:
    """One research file, checked; returns it and every problem found in it."""
    rel = path.relative_to(root).as_posix()
    reader = _Reader(rel)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "(file)"
        return ResearchFile(rel, None, None, None), [
            f"{rel}: {where}: cannot be read as YAML ({type(error).__name__})"]
    if not isinstance(data, dict):
        return ResearchFile(rel, None, None, None), [f"{rel}: (file): must be a YAML mapping"]
    researched_on = reader.day(data, "researched_on", "", required=True)
    research = ResearchFile(rel, None, None, researched_on, notes=reader.text(data, "notes", ""))
    if rel.startswith("boroughs/"):
        code = reader.text(data, "borough_code", "", required=True)
        expected = path.name.split("-", 1)[0]
        if code is not None and code not in BOROUGH_BY_CODE:
            reader.problem("borough_code", f"{code!r} is not a London borough code")
        elif code is not None and code != expected:
            reader.problem("borough_code", f"{code} does not match the file name ({expected})")
        research.borough_code = code
        research.borough = reader.text(data, "borough", "", required=True)
        for n, raw in enumerate(data.get("council_pages") or []):
            page = _council_page(reader, raw, f"council_pages[{n}].")
            if page is not None:
                research.council_pages.append(page)
    services = data.get("services")
    if services is None:
        services = []
    if not isinstance(services, list):
        reader.problem("services", "must be a list")
        services = []
    for n, raw in enumerate(services):
        entry = _entry(reader, raw, f"services[{n}].", researched_on)
        if entry is not None:
            research.entries.append(entry)
    return research, reader.problems


def sources_dir() -> Path:
    return DATA_DIR / "sources"


def problem_file(problem: str) -> str:
    """The research file a problem is about (problems start with "<file>: ")."""
    return problem.split(": ", 1)[0]


def read_sources(root: Path | None = None) -> tuple[list[ResearchFile], list[str]]:
    """Every research file under `root` (boroughs/ and london/), with every problem."""
    root = root or sources_dir()
    files: list[ResearchFile] = []
    problems: list[str] = []
    for folder in ("boroughs", "london"):
        for path in sorted((root / folder).glob("*.yaml")):
            research, found = read_file(path, root)
            files.append(research)
            problems.extend(found)
    seen: dict[str, str] = {}
    for research in files:
        for entry in research.entries:
            if entry.id in seen:
                problems.append(f"{entry.file}: services: id {entry.id!r} is also used in "
                                f"{seen[entry.id]}")
            else:
                seen[entry.id] = entry.file
    return files, problems


# ---------------------------------------------------------------- curation


@dataclass(frozen=True)
class Curation:
    """Decisions about the research that are not facts about services (data/curation.yaml)."""

    same_service: dict[str, tuple[str, ...]]
    extra_topics: dict[str, tuple[str, ...]]


def read_curation(path: Path | None = None) -> tuple[Curation, list[str]]:
    path = path or DATA_DIR / "curation.yaml"
    if not path.exists():
        return Curation({}, {}), []
    reader = _Reader(path.name)
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    same: dict[str, tuple[str, ...]] = {}
    for key, value in (data.get("same_service") or {}).items():
        replaces = value.get("replaces") if isinstance(value, dict) else value
        if not isinstance(replaces, list) or not all(isinstance(v, str) for v in replaces):
            reader.problem(f"same_service.{key}", "must list the seed ids it replaces")
            continue
        same[key] = tuple(replaces)
    extra: dict[str, tuple[str, ...]] = {}
    for key, value in (data.get("extra_topics") or {}).items():
        if not isinstance(value, dict) or not value.get("why"):
            reader.problem(f"extra_topics.{key}", "needs topics and why")
            continue
        extra[key] = reader.words(value, "topics", f"extra_topics.{key}.", TOPICS, "topic")
    return Curation(same, extra), reader.problems


# ---------------------------------------------------------------- rows


def _slug(text: str, limit: int = 60) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:limit].rstrip("-") or "x"


def audience_restricted(audiences: Iterable[str]) -> bool:
    """Only for the groups named: every audience is a restricting one (or someone calling on
    their behalf), e.g. [lgbt_plus] or [deaf, disabled]; [women, men] or [] is open."""
    named = set(audiences)
    core = named - ON_BEHALF
    return bool(core) and core <= RESTRICTING


def _newest(pages: Iterable[Page]) -> Page | None:
    pages = list(pages)
    if not pages:
        return None
    return max(pages, key=lambda p: (latest_day(p.page_date) or date.min, p.read_on))


def _phone_type(number: str, label: str | None) -> str:
    if number.replace(" ", "").startswith(("18001", "18002")):
        return "textphone"  # through Relay UK
    if label and _TEXTPHONE.search(label):
        return "textphone"
    if label and _TEXT_LINE.search(label):
        return "text"
    return "voice"


@dataclass
class Rows:
    """Rows per CSV file name, in the tabular layout."""

    by_file: dict[str, list[Row]] = field(default_factory=lambda: {s.file: [] for s in SPECS})

    def add(self, file: str, row: Row) -> None:
        spec_columns = next(s for s in SPECS if s.file == file).columns
        self.by_file[file].append({name: row.get(name, _default(file, name))
                                   for name in spec_columns})


def _default(file: str, name: str) -> Any:
    spec = next(s for s in SPECS if s.file == file)
    return next(f.default for f in spec.fields if f.name == name)


def _org_id(provider: str, known: dict[str, str]) -> str:
    key = provider.strip().lower()
    if key in known:
        return known[key]
    return f"org-{_slug(provider, 100)}"


def entry_rows(entry: Entry, rows: Rows, org_ids: dict[str, str], extra_topics: tuple[str, ...],
               organizations: dict[str, Row]) -> None:
    sid = entry.id
    org_id = _org_id(entry.provider, org_ids)
    if org_id not in organizations:
        organizations[org_id] = {"id": org_id, "name": entry.provider}
    newest = _newest(entry.sources)
    assert newest is not None
    status = {"active": "active", "unclear": "active", "ended": "defunct"}[entry.status]
    note = entry.status_note
    if entry.status == "unclear":
        note = "Research could not confirm it still runs. " + (note or "")
    rows.add("services.csv", {
        "id": sid, "organization_id": org_id, "name": entry.name,
        "description": entry.description, "url": entry.website, "email": entry.email,
        "form_url": entry.form_url, "status": status, "status_note": note,
        "main_service": entry.main, "commissioned_by_council": entry.commissioned,
        "source": f"sources/{entry.file} (research of {entry.researched_on or newest.read_on})",
        "source_url": newest.url, "source_read_on": newest.read_on,
        "source_page_date": newest.page_date,
        "source_note": ("Unconfirmed public-source entry. " + (entry.file_notes or "")).strip(),
    })
    for n, page in enumerate(entry.sources, 1):
        rows.add("service_sources.csv", {
            "id": f"src-{sid}-{n}", "service_id": sid, "url": page.url, "title": page.title,
            "page_date": page.page_date, "page_date_basis": page.page_date_basis,
            "read_on": page.read_on, "supports": ";".join(page.supports),
        })
    phone_pages = [page for page in entry.sources if page.backs("phone")]
    phone_page = _newest(phone_pages)
    for n, phone in enumerate(entry.phones, 1):
        rows.add("phones.csv", {
            "id": f"ph-{sid}-{n}", "service_id": sid, "number": phone.number,
            "type": _phone_type(phone.number, phone.label), "description": phone.label, "hours": phone.hours,
            "source": f"sources/{entry.file}",
            "source_url": phone_page.url if phone_page else None,
            "source_read_on": phone_page.read_on if phone_page else None,
            "source_page_date": newest_page_date(page.page_date for page in phone_pages),
        })
    if entry.scope == "borough":
        for code in entry.boroughs:
            rows.add("service_areas.csv", {"id": f"area-{sid}-{code}", "service_id": sid,
                                           "scope": "borough", "borough_code": code})
    else:
        rows.add("service_areas.csv", {"id": f"area-{sid}-{entry.scope}", "service_id": sid,
                                       "scope": entry.scope})
    for topic in dict.fromkeys((*entry.topics, *extra_topics)):
        rows.add("service_taxonomies.csv", {"id": f"st-{sid}-{topic}", "service_id": sid,
                                            "taxonomy_term_id": f"topic-{topic}"})
    rows.add("eligibilities.csv", {
        "id": f"elig-{sid}", "service_id": sid, "gender": entry.gender,
        "minimum_age": entry.min_age, "maximum_age": entry.max_age,
        "audiences": ";".join(entry.audiences),
        "audience_restricted": audience_restricted(entry.audiences),
        "residents_only": entry.residents_only, "description": entry.eligibility_note,
    })
    if entry.hours:
        rows.add("schedules.csv", {"id": f"sch-{sid}-1", "service_id": sid,
                                   "is_24_hours": bool(_ALWAYS_OPEN.search(entry.hours)),
                                   "description": entry.hours})


def council_route(research: ResearchFile) -> Entry | None:
    """The council's own page residents can use, as an entry: the borough's fallback route.

    Chosen from the research's council pages: one with a contact first, else a page that is
    not news, minutes, a strategy or a test site. A page dated longer ago than the phone age
    limit is not the council's current page and is skipped. Named in plain words; the
    page's own title is kept with its source.
    """
    from services_directory.freshness import freshness

    code = research.borough_code
    if not code or code not in BOROUGH_BY_CODE:
        return None

    def usable(page: CouncilPage) -> bool:
        if freshness(page.page_date) == "too_old":
            return False  # not the council's *current* page
        if page.has_contact or page.route_in:
            return True
        return not (_NOT_A_ROUTE.search(page.url) or _NOT_A_ROUTE_TITLE.search(page.title))

    candidates = [page for page in research.council_pages if usable(page)]
    if not candidates:
        return None
    page = sorted(candidates, key=lambda p: (not p.has_contact, not p.route_in,
                                             _NOT_A_ROUTE.search(p.url) is not None))[0]
    name = BOROUGH_BY_CODE[code].name
    supports = ["name", "website"]
    if page.phone:
        supports.append("phone")
    if page.email:
        supports.append("email")
    if page.form_url:
        supports.append("form_url")
    source = Page(page.url, page.read_on, page.page_date, page.page_date_basis,
                  tuple(supports), page.title)
    return Entry(
        file=research.path, id=f"svc-{_slug(name)}-council-da-page",
        name=page.route_name or f"{name} Council: help with domestic abuse",
        provider=f"{name} Council",
        scope="borough",
        boroughs=(code,), commissioned=False, main=False,
        # The research summary describes the page for staff ("Older version of the council
        # page", "Council news about funding"); the public read a plain line unless the
        # researcher wrote one for them.
        description=page.route_description
        or f"{name} Council's own web page about domestic abuse, for people living in {name}.",
        topics=(GENERAL_TOPIC,), gender=None, min_age=None, max_age=None, audiences=(),
        residents_only=True,
        eligibility_note=f"The council's information for people living in {name}.",
        phones=(PhoneEntry(page.phone, "Council", None),) if page.phone else (),
        email=page.email, website=page.route_url or page.url, form_url=page.form_url, hours=None,
        has_address=False, sources=(source,), status="active",
        status_note="The council's own page, used as the route in for residents; not a "
                    "service of its own." + (f" What the page says: {page.summary}" if page.summary else ""),
        researched_on=research.researched_on,
    )


# ---------------------------------------------------------------- merging with the seed


def _norm(name: str) -> str:
    return re.sub(r"\s*\([^)]*\)", "", name).strip().lower()


@dataclass
class MergeReport:
    replaced_same_id: list[str] = field(default_factory=list)
    superseded: dict[str, list[str]] = field(default_factory=dict)  # seed id -> research ids
    research_services: int = 0
    council_routes: list[str] = field(default_factory=list)
    addresses_left_out: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    skipped_files: list[str] = field(default_factory=list)
    # Curation entries naming no entry (renamed or not yet written): listed, not fatal.
    unused_curation: list[str] = field(default_factory=list)


@dataclass
class Bundle:
    parsed: dict[str, ParsedFile]
    files: list[ResearchFile]
    report: MergeReport


def _parsed(rows: dict[str, list[Row]]) -> dict[str, ParsedFile]:
    parsed = {}
    for spec in SPECS:
        pf = ParsedFile(spec, columns=spec.columns)
        pf.rows = [(n, row) for n, row in enumerate(rows.get(spec.file, []), 2)]
        parsed[spec.file] = pf
    return parsed


def build_bundle(seed_dir: Path | None = None, root: Path | None = None,
                 curation_path: Path | None = None, *, strict: bool = True) -> Bundle:
    """Seed CSVs plus research files, merged and checked.

    strict: any problem raises SourcesError (the `sources check` command, the tests). Not
    strict (`directory init`): a research file with a problem is left out whole, and its
    problems are listed in `report.problems`, so one typo cannot empty the directory.
    The seed and curation must always be valid.
    """
    from services_directory.tabular import _check_references, bundled_data_dir

    seed, problems = read_directory(seed_dir or bundled_data_dir())
    problems = [f"seed {problem}" for problem in problems]
    curation, found = read_curation(curation_path)
    problems.extend(found)
    if problems:
        raise SourcesError(problems)
    files, found = read_sources(root)
    report = MergeReport(problems=list(found))
    if found:
        if strict:
            raise SourcesError(found)
        bad = {problem_file(problem) for problem in found}
        report.skipped_files = sorted(bad)
        files = [research for research in files if research.path not in bad]

    seed_rows = {name: [row for _, row in pf.rows] for name, pf in seed.items()}
    seed_services = {row["id"]: row for row in seed_rows["services.csv"]}
    entries: list[Entry] = []
    for research in files:
        for entry in research.entries:
            entries.append(_with_notes(entry, research.notes))
            if entry.has_address:
                report.addresses_left_out.append(entry.id)
        route = council_route(research)
        if route is not None and route.id not in {e.id for e in research.entries}:
            entries.append(route)
            report.council_routes.append(route.id)
    known_ids = set(seed_services)
    for entry in entries:
        for replaced in curation.same_service.get(entry.id, ()):
            if replaced not in known_ids:
                problems.append(f"curation.yaml: same_service.{entry.id}: no seed entry "
                                f"{replaced!r}")
    present = {e.id for e in entries} | known_ids
    report.unused_curation = sorted(
        {f"extra_topics.{key}" for key in curation.extra_topics if key not in present}
        | {f"same_service.{key}" for key in curation.same_service if key not in present})
    if problems:
        raise SourcesError(problems)

    research_ids = {entry.id for entry in entries}
    report.research_services = len(entries)
    # Same id: the research replaces the seed row and its parts (locations stay).
    replaced = research_ids & set(seed_services)
    report.replaced_same_id = sorted(replaced)
    merged: dict[str, list[Row]] = {}
    for spec in SPECS:
        key = "id" if spec.file == "services.csv" else "service_id"
        keep_parts = spec.file in ("service_at_locations.csv", "languages.csv")
        merged[spec.file] = [
            dict(row) for row in seed_rows.get(spec.file, [])
            if keep_parts or key not in row or row.get(key) not in replaced
        ]
    # Another id for the same service: the seed row stays, marked inactive with a pointer.
    superseded: dict[str, list[str]] = {}
    for entry in entries:
        for seed_id in curation.same_service.get(entry.id, ()):
            superseded.setdefault(seed_id, []).append(entry.id)
    by_name: dict[str, list[str]] = {}
    for entry in entries:
        by_name.setdefault(_norm(entry.name), []).append(entry.id)
    for seed_id, row in seed_services.items():
        if seed_id in replaced or seed_id in superseded:
            continue
        matches = [rid for rid in by_name.get(_norm(row["name"]), []) if rid != seed_id]
        if matches:
            superseded[seed_id] = matches
    for row in merged["services.csv"]:
        if row["id"] in superseded:
            ids = superseded[row["id"]]
            row["status"] = "inactive"
            row["status_note"] = (f"Replaced by {', '.join(sorted(ids))}, from newer public "
                                  "sources (data/sources). " + (row.get("status_note") or ""))
    report.superseded = {k: sorted(v) for k, v in sorted(superseded.items())}

    rows = Rows(by_file={name: list(values) for name, values in merged.items()})
    organizations = {row["id"]: row for row in rows.by_file["organizations.csv"]}
    org_ids = {row["name"].strip().lower(): row["id"] for row in organizations.values()}
    fresh_orgs: dict[str, Row] = {}
    for entry in entries:
        entry_rows(entry, rows, org_ids, curation.extra_topics.get(entry.id, ()), fresh_orgs)
    for org_id, row in sorted(fresh_orgs.items()):
        if org_id not in organizations:
            rows.add("organizations.csv", row)
    parsed = _parsed(rows.by_file)
    problems = _check_references(parsed)
    if problems:
        raise SourcesError(problems)
    return Bundle(parsed, files, report)


def write_bundle(parsed: dict[str, ParsedFile], directory: Path) -> None:
    """The merged rows as Open Referral CSVs, exactly as an export would write them."""
    import csv

    from services_directory.tabular import _format, neutralise

    directory.mkdir(parents=True, exist_ok=True)
    for spec in SPECS:
        rows = sorted((row for _, row in parsed[spec.file].rows), key=lambda r: r["id"])
        with (directory / spec.file).open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(spec.columns)
            for row in rows:
                writer.writerow([neutralise(f, _format(row.get(f.name))) for f in spec.fields])


def load_bundle(seed_dir: Path | None = None, root: Path | None = None,
                curation_path: Path | None = None, *,
                strict: bool = True) -> tuple[dict[str, ParsedFile], MergeReport]:
    """The merged directory, checked by the same rules as a CSV import (through a round trip
    of CSV files, so nothing reaches the database that an import would refuse)."""
    import tempfile

    bundle = build_bundle(seed_dir, root, curation_path, strict=strict)
    with tempfile.TemporaryDirectory(prefix="signpost-bundle-") as folder:
        write_bundle(bundle.parsed, Path(folder))
        parsed, problems = read_directory(Path(folder))
    if problems:
        raise SourcesError([f"merged directory {problem}" for problem in problems])
    return parsed, bundle.report


def _with_notes(entry: Entry, notes: str | None) -> Entry:
    from dataclasses import replace

    return replace(entry, file_notes=notes)
