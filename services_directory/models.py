"""Directory tables, named after Open Referral UK / HSDS 3.0 so the data can be exchanged.

Additions HSDS lacks, which signposting to abuse services needs: `eligibility` (gender, age,
audience), `location.confidential` (refuge addresses are never stored, enforced by a CHECK),
provenance (`source*`, `service_source`) kept apart from staff confirmation
(`last_verified`, `verified_by`) on services and phones, optimistic `version` and soft delete on
services, an audit log, staff accounts and offline postcode tables.
Schema changes go through alembic (services_directory/migrations), never `create_all`.
"""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import declarative_base, relationship

from services_directory.vocabulary import VERIFICATION_METHODS

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

Base = declarative_base(metadata=MetaData(naming_convention=NAMING_CONVENTION))

ID = String(120)


def utcnow() -> datetime:
    """Naive UTC, because SQLite has no time zones and mixing aware/naive values breaks."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


class Organization(Base):
    __tablename__ = "organization"

    id = Column(ID, primary_key=True)
    name = Column(String(255), nullable=False)
    alternate_name = Column(String(255))
    description = Column(Text)
    email = Column(String(255))
    website = Column(String(500))
    deleted_at = Column(DateTime)

    services = relationship("Service", back_populates="organization")


class Service(Base):
    """One service a person can contact.

    Two separate questions are recorded. Where a fact came from and when we read it
    (`source*`, and one `ServiceSource` row per public page) is provenance, written by imports.
    Whether a member of staff has confirmed the entry (`last_verified`, `verified_by`,
    `verification_method`, `verification_note`) is written only by a confirmation
    (service_layer.confirm_service), never by an import: an entry read from a council page is
    "unconfirmed" until a person checks it. See verification.py for the state staff see.
    """

    __tablename__ = "service"
    __table_args__ = (
        CheckConstraint(
            "status IN ('active', 'inactive', 'defunct', 'temporarily closed')", name="status"
        ),
        # A confirmation always says who made it and how.
        CheckConstraint(
            "last_verified IS NULL OR (verified_by IS NOT NULL AND verification_method IS NOT NULL)",
            name="confirmed_by_someone",
        ),
        CheckConstraint(
            "verification_method IS NULL OR verification_method IN ("
            + ", ".join(f"'{method}'" for method in VERIFICATION_METHODS) + ")",
            name="verification_method",
        ),
        Index("ix_service_live", "deleted_at", "status"),
    )

    id = Column(ID, primary_key=True)
    organization_id = Column(
        ID, ForeignKey("organization.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    name = Column(String(255), nullable=False)
    alternate_name = Column(String(255))
    description = Column(Text, nullable=False)
    url = Column(String(500))
    email = Column(String(255))
    form_url = Column(String(500))
    status = Column(String(20), nullable=False, default="active")
    # Why a service is not active, or why research doubts it still runs.
    status_note = Column(Text)
    # The borough's main commissioned service ranks above narrower ones in search.
    main_service = Column(Boolean, nullable=False, default=False)
    commissioned_by_council = Column(Boolean, nullable=False, default=False)
    # Provenance: the newest public page the entry rests on, and what it said about itself.
    source = Column(Text, nullable=False)
    source_url = Column(String(1000))
    source_read_on = Column(Date)
    source_page_date = Column(String(10))  # YYYY, YYYY-MM or YYYY-MM-DD, as the page shows it
    source_note = Column(Text)
    # Confirmation by staff (see the class docstring).
    last_verified = Column(Date)
    verified_by = Column(String(255))
    verification_method = Column(String(30))
    verification_note = Column(Text)
    version = Column(Integer, nullable=False)
    deleted_at = Column(DateTime)
    updated_at = Column(DateTime, nullable=False, default=utcnow, onupdate=utcnow)

    # Two staff saving the same service: the second save fails instead of silently
    # overwriting the first (a wrong phone number here could send someone to the abuser).
    __mapper_args__ = {"version_id_col": version}

    organization = relationship("Organization", back_populates="services")
    phones = relationship("Phone", back_populates="service", cascade="all, delete-orphan")
    areas = relationship("ServiceArea", back_populates="service", cascade="all, delete-orphan")
    taxonomies = relationship(
        "ServiceTaxonomy", back_populates="service", cascade="all, delete-orphan"
    )
    eligibility = relationship(
        "Eligibility", back_populates="service", uselist=False, cascade="all, delete-orphan"
    )
    languages = relationship("Language", back_populates="service", cascade="all, delete-orphan")
    schedules = relationship("Schedule", back_populates="service", cascade="all, delete-orphan")
    locations = relationship(
        "ServiceAtLocation", back_populates="service", cascade="all, delete-orphan"
    )
    sources = relationship(
        "ServiceSource", back_populates="service", cascade="all, delete-orphan"
    )


class ServiceSource(Base):
    """A public page an entry rests on: its address, its own date, when we read it, and which
    facts it supports (`supports`, ';'-separated: name;phone;email;hours...)."""

    __tablename__ = "service_source"

    id = Column(ID, primary_key=True)
    service_id = Column(
        ID, ForeignKey("service.id", ondelete="CASCADE"), nullable=False, index=True
    )
    url = Column(String(1000), nullable=False)
    title = Column(String(500))
    page_date = Column(String(10))
    page_date_basis = Column(Text)
    read_on = Column(Date, nullable=False)
    supports = Column(String(500), nullable=False, default="")

    service = relationship("Service", back_populates="sources")


class Location(Base):
    __tablename__ = "location"
    __table_args__ = (
        # A refuge address must never reach the bot, an export or a log: do not store one.
        CheckConstraint(
            "confidential = false OR (address_1 IS NULL AND postal_code IS NULL"
            " AND latitude IS NULL AND longitude IS NULL)",
            name="confidential_no_address",
        ),
    )

    id = Column(ID, primary_key=True)
    organization_id = Column(ID, ForeignKey("organization.id", ondelete="RESTRICT"), index=True)
    name = Column(String(255), nullable=False)
    description = Column(Text)
    address_1 = Column(String(255))
    city = Column(String(100))
    postal_code = Column(String(10))
    borough_code = Column(String(9))
    latitude = Column(Float)
    longitude = Column(Float)
    confidential = Column(Boolean, nullable=False, default=False)
    deleted_at = Column(DateTime)


class ServiceAtLocation(Base):
    __tablename__ = "service_at_location"
    __table_args__ = (UniqueConstraint("service_id", "location_id"),)

    id = Column(ID, primary_key=True)
    service_id = Column(ID, ForeignKey("service.id", ondelete="CASCADE"), nullable=False)
    location_id = Column(
        ID, ForeignKey("location.id", ondelete="CASCADE"), nullable=False, index=True
    )
    description = Column(Text)

    service = relationship("Service", back_populates="locations")
    location = relationship("Location")


class Phone(Base):
    __tablename__ = "phone"
    __table_args__ = (
        CheckConstraint("type IN ('voice', 'text', 'textphone', 'fax')", name="type"),
        CheckConstraint(
            "service_id IS NOT NULL OR organization_id IS NOT NULL", name="has_owner"
        ),
    )

    id = Column(ID, primary_key=True)
    service_id = Column(ID, ForeignKey("service.id", ondelete="CASCADE"), index=True)
    organization_id = Column(ID, ForeignKey("organization.id", ondelete="CASCADE"), index=True)
    number = Column(String(40), nullable=False)
    extension = Column(String(10))
    type = Column(String(10), nullable=False, default="voice")
    description = Column(Text)  # the label shown with the number ("Advice line")
    hours = Column(Text)  # when this number is answered, in the source's words
    # Provenance of this number: the newest page that shows it. A number whose newest dated
    # page is too old is kept for staff but not shown to the public (publication.py).
    source = Column(Text, nullable=False)
    source_url = Column(String(1000))
    source_read_on = Column(Date)
    source_page_date = Column(String(10))
    # Set only when staff confirm the service this number belongs to.
    last_verified = Column(Date)

    service = relationship("Service", back_populates="phones")


class ServiceArea(Base):
    __tablename__ = "service_area"
    __table_args__ = (
        CheckConstraint("scope IN ('borough', 'london', 'national')", name="scope"),
        CheckConstraint(
            "(scope = 'borough' AND borough_code IS NOT NULL)"
            " OR (scope <> 'borough' AND borough_code IS NULL)",
            name="borough_code_iff_borough",
        ),
        UniqueConstraint("service_id", "scope", "borough_code"),
        Index("ix_service_area_borough_code_service_id", "borough_code", "service_id"),
        Index("ix_service_area_scope_service_id", "scope", "service_id"),
    )

    id = Column(ID, primary_key=True)
    service_id = Column(ID, ForeignKey("service.id", ondelete="CASCADE"), nullable=False)
    scope = Column(String(10), nullable=False)
    borough_code = Column(String(9))
    description = Column(Text)

    service = relationship("Service", back_populates="areas")


class TaxonomyTerm(Base):
    __tablename__ = "taxonomy_term"

    id = Column(ID, primary_key=True)
    code = Column(String(60), nullable=False, unique=True)
    name = Column(String(60), nullable=False, unique=True)
    description = Column(Text)
    taxonomy = Column(String(60), nullable=False, default="signpost-topics")
    parent_id = Column(ID, ForeignKey("taxonomy_term.id", ondelete="SET NULL"))


class ServiceTaxonomy(Base):
    __tablename__ = "service_taxonomy"
    __table_args__ = (
        UniqueConstraint("service_id", "taxonomy_term_id"),
        Index("ix_service_taxonomy_term_service", "taxonomy_term_id", "service_id"),
    )

    id = Column(ID, primary_key=True)
    service_id = Column(ID, ForeignKey("service.id", ondelete="CASCADE"), nullable=False)
    taxonomy_term_id = Column(
        ID, ForeignKey("taxonomy_term.id", ondelete="RESTRICT"), nullable=False
    )

    service = relationship("Service", back_populates="taxonomies")
    taxonomy_term = relationship("TaxonomyTerm")


class Eligibility(Base):
    """Who may use a service. One row per service.

    `audiences` is a ';'-separated list of vocabulary.AUDIENCES. When `audience_restricted`
    is true the service is only for those groups (a men's line, an LGBT+ line), so it is
    shown only to a person in one of them; otherwise the list says whom it specialises in.
    """

    __tablename__ = "eligibility"
    __table_args__ = (
        CheckConstraint("gender IS NULL OR gender IN ('female', 'male')", name="gender"),
    )

    id = Column(ID, primary_key=True)
    service_id = Column(
        ID, ForeignKey("service.id", ondelete="CASCADE"), nullable=False, unique=True
    )
    gender = Column(String(6))
    minimum_age = Column(Integer)
    maximum_age = Column(Integer)
    audiences = Column(String(400), nullable=False, default="")
    audience_restricted = Column(Boolean, nullable=False, default=False)
    residents_only = Column(Boolean, nullable=False, default=False)
    description = Column(Text)

    service = relationship("Service", back_populates="eligibility")


class Language(Base):
    __tablename__ = "language"

    id = Column(ID, primary_key=True)
    service_id = Column(
        ID, ForeignKey("service.id", ondelete="CASCADE"), nullable=False, index=True
    )
    name = Column(String(100), nullable=False)
    code = Column(String(10))
    note = Column(Text)

    service = relationship("Service", back_populates="languages")


class Schedule(Base):
    __tablename__ = "schedule"

    id = Column(ID, primary_key=True)
    service_id = Column(
        ID, ForeignKey("service.id", ondelete="CASCADE"), nullable=False, index=True
    )
    byday = Column(String(30))
    opens_at = Column(String(5))
    closes_at = Column(String(5))
    is_24_hours = Column(Boolean, nullable=False, default=False)
    description = Column(Text)

    service = relationship("Service", back_populates="schedules")


class AuditLog(Base):
    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_record", "table_name", "record_id"),)

    id = Column(Integer, primary_key=True, autoincrement=True)
    at = Column(DateTime, nullable=False, default=utcnow, index=True)
    who = Column(String(255), nullable=False)
    table_name = Column(String(60), nullable=False)
    record_id = Column(String(120), nullable=False)
    action = Column(String(20), nullable=False)
    before = Column(JSON)
    after = Column(JSON)


class StaffAccount(Base):
    __tablename__ = "staff_account"

    id = Column(Integer, primary_key=True, autoincrement=True)
    email = Column(String(255), nullable=False, unique=True)
    password_hash = Column(String(255), nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    active = Column(Boolean, nullable=False, default=True)
    # The second factor (TOTP, RFC 6238): set when the person enrols an authenticator app at
    # their first sign-in; the last time step used, so a code cannot be replayed.
    totp_secret = Column(String(64), nullable=True)
    totp_last_step = Column(BigInteger, nullable=True)
    # None: every borough; else the ONS code of the only borough whose entries they may change.
    borough_code = Column(String(9), nullable=True)


class Postcode(Base):
    """London postcodes only (about 330,000), normalised without the space."""

    __tablename__ = "postcode"

    postcode = Column(String(8), primary_key=True)
    lad_code = Column(String(9), nullable=False)


class OutwardCode(Base):
    """Every UK outward code, one row per local authority it spans.

    Non-London rows are kept so a valid postcode elsewhere is told "outside London" rather
    than "not recognised"; postcode_count orders the candidates when an outward code spans
    several boroughs.
    """

    __tablename__ = "outward_code"

    outward = Column(String(4), primary_key=True)
    lad_code = Column(String(9), primary_key=True)
    postcode_count = Column(Integer, nullable=False)


class ServiceSearch(Base):
    """Derived search table: one row per live service x area x topic x audience key.

    Exists only to make search O(results) at any size: each ranking tier is one range scan
    of the primary key (area_key, topic, audience_key, rank, ...), with no joins. The
    audience_key '*' partition holds every service; a partition per audience term holds the
    services that name it, so "the person's own services first" is also a range scan. On
    SQLite the table is WITHOUT ROWID, so rows are stored in key order. Rebuilt from the
    tables above by search_index.refresh_search_index, which session_factory sessions call
    automatically on commit; never edited by hand and never exported.
    """

    __tablename__ = "service_search"
    __table_args__ = (
        Index("ix_service_search_service_id", "service_id"),
        {"sqlite_with_rowid": False},
    )

    area_key = Column(String(9), primary_key=True)  # ONS borough code, 'london' or 'national'
    topic = Column(String(30), primary_key=True)
    audience_key = Column(String(30), primary_key=True)  # '*' or one vocabulary audience
    rank = Column(Integer, primary_key=True, autoincrement=False)
    name = Column(String(255), primary_key=True)
    service_id = Column(ID, ForeignKey("service.id", ondelete="CASCADE"), primary_key=True)
    has_phone = Column(Boolean, nullable=False)
    gender = Column(String(6))
    minimum_age = Column(Integer)
    maximum_age = Column(Integer)
    audiences = Column(String(402), nullable=False)  # ';a;b;' so LIKE '%;a;%' matches whole words
    audience_restricted = Column(Boolean, nullable=False)
