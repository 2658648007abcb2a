"""The Open Referral tabular layout: which CSV file holds which table, and its columns.

One declaration drives import validation, the diff, and export, so the three cannot drift.
Files are listed parents first: the order rows are written in, and reversed, removed in.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from services_directory import models
from services_directory.boroughs import BOROUGH_BY_CODE
from services_directory.phones import is_uk_phone
from services_directory.vocabulary import (
    AUDIENCES,
    DAYS,
    GENDERS,
    PHONE_TYPES,
    SCOPES,
    SERVICE_STATUSES,
    TOPICS,
    VERIFICATION_METHODS,
)

Check = Callable[[Any], "str | None"]

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,119}$")
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
# A page's own date, as precise as the page is: 2024, 2024-03 or 2024-03-24.
_PAGE_DATE = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")


def _one_of(allowed: tuple[str, ...], what: str) -> Check:
    def check(value: str) -> str | None:
        return None if value in allowed else f"unknown {what} {value!r}"

    return check


def _list_of(allowed: tuple[str, ...], what: str, sep: str = ";") -> Check:
    def check(value: str) -> str | None:
        unknown = [item for item in value.split(sep) if item and item not in allowed]
        return f"unknown {what} {', '.join(map(repr, unknown))}" if unknown else None

    return check


def check_id(value: str) -> str | None:
    return None if _ID.match(value) else "id must be letters, digits, - _ . : (max 120)"


def check_url(value: str) -> str | None:
    return None if _URL.match(value) else "must be a full http(s):// address"


def check_email(value: str) -> str | None:
    return None if _EMAIL.match(value) else "not an email address"


def check_phone(value: str) -> str | None:
    return None if is_uk_phone(value) else f"bad UK phone number format {value!r}"


def check_page_date(value: str) -> str | None:
    return None if _PAGE_DATE.match(value) else "page date must be YYYY, YYYY-MM or YYYY-MM-DD"


def check_borough(value: str) -> str | None:
    return None if value in BOROUGH_BY_CODE else f"unknown borough code {value!r}"


def check_time(value: str) -> str | None:
    return None if _TIME.match(value) else "time must be HH:MM (24-hour)"


def check_age(value: int) -> str | None:
    return None if 0 <= value <= 120 else "age must be 0-120"


@dataclass(frozen=True)
class Field:
    name: str
    kind: str = "str"  # str | int | bool | date | datetime | float
    required: bool = False
    check: Check | None = None
    ref: str | None = None  # file whose ids this column must point at
    default: Any = None  # value used when the cell is empty and the column is not required
    # False: exported for the record but never written by an import. Staff confirmation
    # (last_verified, verified_by...) is only made by a person, in the admin or the CLI.
    imported: bool = True
    # A phone number column: its own check allows a leading "+" (+44...), which is data.
    phone: bool = False


@dataclass(frozen=True)
class TableSpec:
    file: str
    model: type
    fields: tuple[Field, ...]
    soft_delete: bool = False  # removal sets deleted_at instead of deleting the row
    removable: bool = True  # False: rows missing from the file are left alone
    unique: tuple[tuple[str, ...], ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def table(self) -> str:
        return self.model.__tablename__

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    @property
    def imported_columns(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields if f.imported)


ID_FIELD = Field("id", required=True, check=check_id)
SOURCE = Field("source", required=True)
SOURCE_URL = Field("source_url", check=check_url)
SOURCE_READ_ON = Field("source_read_on", "date")
SOURCE_PAGE_DATE = Field("source_page_date", check=check_page_date)
VERIFIED = Field("last_verified", "date", imported=False)
CONFIRMATION_COLUMNS = ("last_verified", "verified_by", "verification_method",
                        "verification_note")

SPECS: tuple[TableSpec, ...] = (
    TableSpec("organizations.csv", models.Organization, (
        ID_FIELD,
        Field("name", required=True),
        Field("alternate_name"),
        Field("description"),
        Field("email", check=check_email),
        Field("website", check=check_url),
        Field("deleted_at", "datetime"),
    ), soft_delete=True),
    TableSpec("taxonomy_terms.csv", models.TaxonomyTerm, (
        ID_FIELD,
        Field("code", required=True, check=_one_of(TOPICS, "topic")),
        Field("name", required=True, check=_one_of(TOPICS, "topic")),
        Field("description"),
        Field("taxonomy", required=True),
        Field("parent_id", ref="taxonomy_terms.csv"),
    ), removable=False),
    TableSpec("services.csv", models.Service, (
        ID_FIELD,
        Field("organization_id", required=True, ref="organizations.csv"),
        Field("name", required=True),
        Field("alternate_name"),
        Field("description", required=True),
        Field("url", check=check_url),
        Field("email", check=check_email),
        Field("form_url", check=check_url),
        Field("status", required=True, check=_one_of(SERVICE_STATUSES, "status")),
        Field("status_note"),
        Field("main_service", "bool", default=False),
        Field("commissioned_by_council", "bool", default=False),
        SOURCE,
        SOURCE_URL,
        SOURCE_READ_ON,
        SOURCE_PAGE_DATE,
        Field("source_note"),
        VERIFIED,
        Field("verified_by", imported=False),
        Field("verification_method", check=_one_of(VERIFICATION_METHODS, "verification method"),
              imported=False),
        Field("verification_note", imported=False),
        Field("deleted_at", "datetime"),
    ), soft_delete=True),
    TableSpec("service_sources.csv", models.ServiceSource, (
        ID_FIELD,
        Field("service_id", required=True, ref="services.csv"),
        Field("url", required=True, check=check_url),
        Field("title"),
        Field("page_date", check=check_page_date),
        Field("page_date_basis"),
        Field("read_on", "date", required=True),
        Field("supports", default=""),
    )),
    TableSpec("locations.csv", models.Location, (
        ID_FIELD,
        Field("organization_id", ref="organizations.csv"),
        Field("name", required=True),
        Field("description"),
        Field("address_1"),
        Field("city"),
        Field("postal_code"),
        Field("borough_code", check=check_borough),
        Field("latitude", "float"),
        Field("longitude", "float"),
        Field("confidential", "bool", required=True),
        Field("deleted_at", "datetime"),
    ), soft_delete=True),
    TableSpec("service_at_locations.csv", models.ServiceAtLocation, (
        ID_FIELD,
        Field("service_id", required=True, ref="services.csv"),
        Field("location_id", required=True, ref="locations.csv"),
        Field("description"),
    ), unique=(("service_id", "location_id"),)),
    TableSpec("phones.csv", models.Phone, (
        ID_FIELD,
        Field("service_id", ref="services.csv"),
        Field("organization_id", ref="organizations.csv"),
        Field("number", required=True, check=check_phone, phone=True),
        Field("extension"),
        Field("type", required=True, check=_one_of(PHONE_TYPES, "phone type")),
        Field("description"),
        Field("hours"),
        SOURCE,
        SOURCE_URL,
        SOURCE_READ_ON,
        SOURCE_PAGE_DATE,
        VERIFIED,
    )),
    TableSpec("service_areas.csv", models.ServiceArea, (
        ID_FIELD,
        Field("service_id", required=True, ref="services.csv"),
        Field("scope", required=True, check=_one_of(SCOPES, "scope")),
        Field("borough_code", check=check_borough),
        Field("description"),
    ), unique=(("service_id", "scope", "borough_code"),)),
    TableSpec("service_taxonomies.csv", models.ServiceTaxonomy, (
        ID_FIELD,
        Field("service_id", required=True, ref="services.csv"),
        Field("taxonomy_term_id", required=True, ref="taxonomy_terms.csv"),
    ), unique=(("service_id", "taxonomy_term_id"),)),
    TableSpec("eligibilities.csv", models.Eligibility, (
        ID_FIELD,
        Field("service_id", required=True, ref="services.csv"),
        Field("gender", check=_one_of(GENDERS, "gender")),
        Field("minimum_age", "int", check=check_age),
        Field("maximum_age", "int", check=check_age),
        Field("audiences", check=_list_of(AUDIENCES, "audience"), default=""),
        Field("audience_restricted", "bool", default=False),
        Field("residents_only", "bool", default=False),
        Field("description"),
    ), unique=(("service_id",),)),
    TableSpec("languages.csv", models.Language, (
        ID_FIELD,
        Field("service_id", required=True, ref="services.csv"),
        Field("name", required=True),
        Field("code"),
        Field("note"),
    )),
    TableSpec("schedules.csv", models.Schedule, (
        ID_FIELD,
        Field("service_id", required=True, ref="services.csv"),
        Field("byday", check=_list_of(DAYS, "day", sep=",")),
        Field("opens_at", check=check_time),
        Field("closes_at", check=check_time),
        Field("is_24_hours", "bool", default=False),
        Field("description"),
    )),
)

SPEC_BY_FILE: dict[str, TableSpec] = {spec.file: spec for spec in SPECS}
