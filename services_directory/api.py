"""The public read API of the directory, in the Open Referral UK / HSDS 3.0 style.

`GET /api/services` pages through live services, optionally by topic (`taxonomy_term`) and by
place (`postcode`: a postcode, outward code, borough or neighbourhood, read the way the bot
reads it); `GET /api/services/<id>` returns one. Other signposting sites can reuse the
directory this way without a copy of the database.

What is never served: soft-deleted services, verification notes meant for staff, and any
confidential location (a refuge's location is left out whole, so not even its name or borough
can narrow down where it is). Every answer, errors included, is JSON.

The engine is built on the first request, once per app, so mounting the API costs nothing
and a test can point an app at its own database.
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask import Blueprint, Flask, Response, current_app, jsonify, request
from sqlalchemy import case, exists, func, or_, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, selectinload, sessionmaker
from sqlalchemy.sql.elements import ColumnElement
from werkzeug.exceptions import HTTPException

from services_directory.boroughs import BOROUGH_BY_CODE
from services_directory.models import (
    Phone,
    Service,
    ServiceArea,
    ServiceAtLocation,
    ServiceTaxonomy,
    TaxonomyTerm,
)
from services_directory.places import resolve_place
from services_directory.vocabulary import TOPICS

EXTENSION_KEY = "signpost_directory_db"
DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100
# Far past any real directory's last page, far below what overflows a database's OFFSET.
MAX_PAGE = 100_000
_MAX_TEXT = 100  # longer than any postcode, borough or topic; anything longer is a mistake
_DIGITS = re.compile(r"[0-9]{1,12}")
LIST_PARAMS = ("taxonomy_term", "postcode", "page", "per_page")


# ---------------------------------------------------------------- database, once per app


@dataclass
class DirectoryDatabase:
    """The app's connection to the directory, made on first use and shared by API and admin."""

    url: str | None
    _engine: Engine | None = None
    _maker: sessionmaker | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def engine(self) -> Engine | None:
        """None until a request has needed the database."""
        return self._engine

    def sessions(self) -> sessionmaker:
        """The session factory (with the search-index hooks), building the engine once."""
        if self._maker is None:
            with self._lock:
                if self._maker is None:
                    from services_directory.db import database_url, make_engine, session_factory

                    self._engine = make_engine(self.url or database_url())
                    self._maker = session_factory(self._engine)
        return self._maker

    def dispose(self) -> None:
        with self._lock:
            if self._engine is not None:
                self._engine.dispose()


def directory_database(app: Flask, database_url: str | None = None) -> DirectoryDatabase:
    """The app's DirectoryDatabase, registered on the first call (the API and the admin
    share it, whichever is mounted first). `database_url` None means DATABASE_URL."""
    existing = app.extensions.get(EXTENSION_KEY)
    if existing is None:
        existing = app.extensions[EXTENSION_KEY] = DirectoryDatabase(database_url)
    elif database_url and existing.url != database_url:
        raise ValueError("the directory API and admin must use the same database")
    return existing


def _session() -> Session:
    return current_app.extensions[EXTENSION_KEY].sessions()()


# ---------------------------------------------------------------- parameters


class BadRequest(ValueError):
    """A query the caller can fix; the message says how."""


def _single(args: Mapping[str, list[str]], name: str) -> str | None:
    values = args.get(name) or []
    if len(values) > 1:
        raise BadRequest(f"give {name} at most once")
    if not values:
        return None
    value = values[0].strip()
    if len(value) > _MAX_TEXT:
        raise BadRequest(f"{name} is too long (at most {_MAX_TEXT} characters)")
    if any(ord(char) < 32 or ord(char) == 127 for char in value):
        raise BadRequest(f"{name} contains control characters")
    return value


def _positive_int(args: Mapping[str, list[str]], name: str, default: int, maximum: int) -> int:
    raw = _single(args, name)
    if raw is None:
        return default
    # ASCII digits only ("²".isdigit() is true, and int() refuses it), and few enough of
    # them that the number is read without surprises.
    if not _DIGITS.fullmatch(raw) or int(raw) < 1:
        raise BadRequest(f"{name} must be a whole number from 1 to {maximum}, not {raw[:20]!r}")
    value = int(raw)
    if value > maximum:
        raise BadRequest(f"{name} must be at most {maximum}")
    return value


@dataclass(frozen=True)
class ListQuery:
    taxonomy_term: str | None
    place: str | None
    page: int
    per_page: int

    @classmethod
    def from_args(cls, args: Mapping[str, list[str]]) -> ListQuery:
        unknown = sorted(set(args) - set(LIST_PARAMS))
        if unknown:
            raise BadRequest(f"unknown parameter(s) {', '.join(unknown)}; "
                             f"this API accepts {', '.join(LIST_PARAMS)}")
        return cls(
            taxonomy_term=_single(args, "taxonomy_term") or None,
            place=_single(args, "postcode") or None,
            page=_positive_int(args, "page", 1, MAX_PAGE),
            per_page=_positive_int(args, "per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE),
        )


# ---------------------------------------------------------------- filters


def _topic_filter(session: Session, wanted: str) -> ColumnElement:
    """Accepts a topic name ('stalking') or its term id ('topic-stalking')."""
    term_id = session.execute(
        select(TaxonomyTerm.id).where(
            or_(TaxonomyTerm.id == wanted, TaxonomyTerm.name == wanted,
                TaxonomyTerm.code == wanted)
        )
    ).scalar()
    if term_id is None:
        raise BadRequest(f"unknown taxonomy_term {wanted!r}; use one of {', '.join(TOPICS)}")
    return exists().where(ServiceTaxonomy.service_id == Service.id,
                          ServiceTaxonomy.taxonomy_term_id == term_id)


def _area(*conditions: ColumnElement) -> ColumnElement:
    return exists().where(ServiceArea.service_id == Service.id, *conditions)


def _place_filter(session: Session, text: str) -> tuple[ColumnElement, ColumnElement]:
    """(which services serve the place, local-first ordering) for a postcode or place name.

    A place outside London gets national services only; a postcode district that spans
    boroughs gets the services of each. National services serve everywhere, so they are
    included, after the local and London-wide ones.
    """
    match = resolve_place(session, text)
    if match.kind == "unknown":
        raise BadRequest(f"postcode {text!r} is not a postcode, postcode district, borough or "
                         "London neighbourhood we recognise")
    national = _area(ServiceArea.scope == "national")
    if match.outside_london:
        return national, case((national, 2), else_=3)
    codes = [borough.ons_code for borough in match.candidates]
    local = _area(ServiceArea.scope == "borough", ServiceArea.borough_code.in_(codes))
    london = _area(ServiceArea.scope == "london")
    order = case((local, 0), (london, 1), (national, 2), else_=3)
    return or_(local, london, national), order


# ---------------------------------------------------------------- JSON shapes


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _area_name(scope: str, code: str | None) -> str:
    if scope == "borough":
        borough = BOROUGH_BY_CODE.get(code or "")
        return borough.name if borough else (code or "")
    return "London" if scope == "london" else "National"


def _locations(links: Iterable[ServiceAtLocation]) -> list[dict[str, Any]]:
    """Public locations only: a confidential one is dropped whole, never redacted."""
    shown = []
    for link in sorted(links, key=lambda item: item.id):
        location = link.location
        if location is None or location.confidential or location.deleted_at is not None:
            continue
        shown.append({
            "id": link.id,
            "description": link.description,
            "location": {
                "id": location.id,
                "name": location.name,
                "description": location.description,
                "address_1": location.address_1,
                "city": location.city,
                "postal_code": location.postal_code,
                "borough_code": location.borough_code,
                "latitude": location.latitude,
                "longitude": location.longitude,
            },
        })
    return shown


def _phones(phones: Iterable[Phone]) -> list[dict[str, Any]]:
    """Only numbers someone has checked (a dated verification) are published."""
    return [
        {
            "id": phone.id,
            "number": phone.number,
            "extension": phone.extension,
            "type": phone.type,
            "description": phone.description,
            "last_verified": _iso(phone.last_verified),
        }
        for phone in sorted(phones, key=lambda item: item.id)
        if phone.last_verified is not None
    ]


def service_json(service: Service) -> dict[str, Any]:
    """One service as the API shows it (verification notes are for staff, so left out)."""
    organization = service.organization
    eligibility = service.eligibility
    topic_order = {name: n for n, name in enumerate(TOPICS)}
    terms = sorted((link.taxonomy_term for link in service.taxonomies),
                   key=lambda term: (topic_order.get(term.name, len(topic_order)), term.id))
    return {
        "id": service.id,
        "name": service.name,
        "alternate_name": service.alternate_name,
        "description": service.description,
        "url": service.url,
        "email": service.email,
        "status": service.status,
        "source": service.source,
        "last_verified": _iso(service.last_verified),
        "organization": None if organization is None else {
            "id": organization.id,
            "name": organization.name,
            "alternate_name": organization.alternate_name,
            "description": organization.description,
            "email": organization.email,
            "website": organization.website,
        },
        "phones": _phones(service.phones),
        "service_areas": [
            {
                "id": area.id,
                "scope": area.scope,
                "borough_code": area.borough_code,
                "name": _area_name(area.scope, area.borough_code),
                "description": area.description,
            }
            for area in sorted(service.areas, key=lambda item: item.id)
        ],
        "taxonomy_terms": [
            {"id": term.id, "code": term.code, "name": term.name,
             "description": term.description, "taxonomy": term.taxonomy}
            for term in terms
        ],
        "eligibility": None if eligibility is None else {
            "gender": eligibility.gender,
            "minimum_age": eligibility.minimum_age,
            "maximum_age": eligibility.maximum_age,
            "audiences": [item for item in (eligibility.audiences or "").split(";") if item],
            "audience_restricted": bool(eligibility.audience_restricted),
            "description": eligibility.description,
        },
        "languages": [
            {"id": language.id, "name": language.name, "code": language.code,
             "note": language.note}
            for language in sorted(service.languages, key=lambda item: item.id)
        ],
        "schedules": [
            {"id": schedule.id, "byday": schedule.byday, "opens_at": schedule.opens_at,
             "closes_at": schedule.closes_at, "is_24_hours": bool(schedule.is_24_hours),
             "description": schedule.description}
            for schedule in sorted(service.schedules, key=lambda item: item.id)
        ],
        "service_at_locations": _locations(service.locations),
    }


_DETAILS = (
    selectinload(Service.organization),
    selectinload(Service.phones),
    selectinload(Service.areas),
    selectinload(Service.taxonomies).selectinload(ServiceTaxonomy.taxonomy_term),
    selectinload(Service.eligibility),
    selectinload(Service.languages),
    selectinload(Service.schedules),
    selectinload(Service.locations).selectinload(ServiceAtLocation.location),
)


# ---------------------------------------------------------------- queries


def list_services(session: Session, query: ListQuery) -> dict[str, Any]:
    """One page of live services, local ones first when a place is given, then by name.

    Only active services are listed, as in the bot's search: a resident should not be sent to a
    service that has closed. A closed one is still readable by id, with its status.
    """
    conditions: list[ColumnElement] = [Service.deleted_at.is_(None), Service.status == "active"]
    order: list[Any] = []
    if query.taxonomy_term:
        conditions.append(_topic_filter(session, query.taxonomy_term))
    if query.place:
        serves, nearness = _place_filter(session, query.place)
        conditions.append(serves)
        order.append(nearness)
    total = session.execute(
        select(func.count()).select_from(Service).where(*conditions)
    ).scalar_one()
    ids = session.execute(
        select(Service.id).where(*conditions)
        .order_by(*order, Service.name, Service.id)
        .limit(query.per_page).offset((query.page - 1) * query.per_page)
    ).scalars().all()
    by_id = {
        service.id: service
        for service in session.execute(
            select(Service).where(Service.id.in_(ids)).options(*_DETAILS)
        ).scalars()
    } if ids else {}
    total_pages = math.ceil(total / query.per_page)
    contents = [service_json(by_id[service_id]) for service_id in ids if service_id in by_id]
    return {
        "total_items": total,
        "total_pages": total_pages,
        "page_number": query.page,
        "size": query.per_page,
        "first_page": query.page == 1,
        "last_page": query.page >= total_pages,
        "empty": not contents,
        "contents": contents,
    }


def get_service(session: Session, service_id: str) -> dict[str, Any] | None:
    service = session.execute(
        select(Service).where(Service.id == service_id, Service.deleted_at.is_(None))
        .options(*_DETAILS)
    ).scalar_one_or_none()
    return None if service is None else service_json(service)


# ---------------------------------------------------------------- routes


directory_api = Blueprint("directory_api", __name__, url_prefix="/api/services")


def _error(message: str, status: int) -> tuple[Response, int]:
    return jsonify(error=message), status


@directory_api.get("", strict_slashes=False)
def services_index() -> Response | tuple[Response, int]:
    try:
        query = ListQuery.from_args(request.args.to_dict(flat=False))
        with _session() as session:
            return jsonify(list_services(session, query))
    except BadRequest as error:
        return _error(str(error), 400)


@directory_api.get("/<path:service_id>")
def service_detail(service_id: str) -> Response | tuple[Response, int]:
    if len(service_id) > 120:
        return _error(f"no service with id {service_id[:120]!r}...", 404)
    with _session() as session:
        found = get_service(session, service_id)
    if found is None:
        return _error(f"no service with id {service_id!r}", 404)
    return jsonify(found)


@directory_api.errorhandler(SQLAlchemyError)
def database_unavailable(error: SQLAlchemyError) -> tuple[Response, int]:
    current_app.logger.error("directory API: database error %s", type(error).__name__)
    return _error("the directory is unavailable; try again shortly", 503)


@directory_api.errorhandler(HTTPException)
def http_error(error: HTTPException) -> tuple[Response, int]:
    """Flask's own refusals (a wrong method, say) as JSON too, with their headers (Allow)."""
    response, code = _error((error.name or "error").lower(), error.code or 400)
    for name, value in error.get_headers():
        if name.lower() not in ("content-type", "content-length"):
            response.headers[name] = value
    return response, code


@directory_api.errorhandler(Exception)
def unexpected(error: Exception) -> tuple[Response, int]:
    """Never a 500 page or a trace: whatever went wrong, the caller can try again later."""
    current_app.logger.error("directory API: unhandled %s", type(error).__name__)
    return _error("the directory is unavailable; try again shortly", 503)


openapi = Blueprint("directory_openapi", __name__)


@openapi.get("/api/openapi.json")
def openapi_json() -> Response:
    from services_directory.openapi import openapi_document

    return jsonify(openapi_document(max_per_page=MAX_PER_PAGE, max_page=MAX_PAGE,
                                    max_text=_MAX_TEXT, default_per_page=DEFAULT_PER_PAGE))


def init_api(app: Flask, database_url: str | None = None) -> None:
    """Mount /api/services and its description, /api/openapi.json, on `app` (the web front
    calls this through extra_setup)."""
    directory_database(app, database_url)
    app.register_blueprint(directory_api)
    app.register_blueprint(openapi)
