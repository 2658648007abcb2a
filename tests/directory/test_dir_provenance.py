"""Provenance is not confirmation: imports never claim a check, staff confirmations say who
and how, every write goes through the service layer, and old databases are migrated honestly."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from bot.config import ConfigError
from services_directory.db import session_factory
from services_directory.freshness import freshness, latest_day, newest_page_date
from services_directory.migrate import upgrade_database
from services_directory.models import AuditLog, Phone, Service
from services_directory.service_layer import (
    Confirmation,
    DirectoryWrite,
    StaleEdit,
    WriteRefused,
    confirm_service,
    set_service_deleted,
    update_service,
)
from services_directory.tabular import import_directory
from services_directory.verification import add_months, review, state_of

GALOP = "svc-national-galop"
TODAY = date(2026, 11, 28)


def _service(engine, service_id: str = GALOP) -> Service:
    with session_factory(engine)() as session:
        service = session.get(Service, service_id)
        assert service is not None
        _ = service.phones  # load while the session is open
        return service


def _audit(engine, record_id: str) -> list[AuditLog]:
    """Audit rows for a record after the fixture's own import (whose actor is "test")."""
    with session_factory(engine)() as session:
        return list(session.execute(select(AuditLog).where(
            AuditLog.record_id == record_id, AuditLog.who != "test").order_by(AuditLog.id)
        ).scalars())


# ---------------------------------------------------------------- states


@pytest.mark.parametrize(("status", "verified", "expected"), [
    ("active", None, "unconfirmed"),
    ("active", date(2026, 6, 1), "confirmed"),
    ("active", date(2026, 5, 27), "overdue"),
    ("temporarily closed", date(2026, 11, 1), "confirmed"),
    ("defunct", date(2026, 11, 1), "ended"),
    ("inactive", None, "ended"),
])
def test_state_from_status_and_confirmation(status, verified, expected):
    assert state_of(status, verified, today=TODAY, months=6) == expected


def test_review_period_comes_from_the_environment(monkeypatch):
    confirmed = date(2026, 8, 1)
    assert state_of("active", confirmed, today=TODAY) == "confirmed"
    monkeypatch.setenv("DIRECTORY_REVIEW_MONTHS", "3")
    assert state_of("active", confirmed, today=TODAY) == "overdue"
    monkeypatch.setenv("DIRECTORY_REVIEW_MONTHS", "soon")
    # Read by the one parser (bot.config): a bad value is refused, naming it, not defaulted.
    with pytest.raises(ConfigError, match="DIRECTORY_REVIEW_MONTHS is not a whole number"):
        state_of("active", confirmed, today=TODAY)
    monkeypatch.delenv("DIRECTORY_REVIEW_MONTHS")
    assert state_of("active", confirmed, today=TODAY) == "confirmed"  # the default, 6 months
    assert review("active", confirmed, today=TODAY).due == date(2027, 2, 1)
    assert add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)


def test_page_dates_and_the_three_year_rule():
    assert latest_day("2023") == date(2023, 12, 31)
    assert latest_day("2024-02") == date(2024, 2, 29)
    assert freshness("2020-03-31", today=TODAY) == "too_old"
    assert freshness("2023", today=TODAY) == "current"  # may be December 2023
    assert freshness("2023-11-27", today=TODAY) == "too_old"
    assert freshness("2023-11-29", today=TODAY) == "current"
    assert freshness(None, today=TODAY) == "undated"
    assert newest_page_date(["2015-11-23", "2021-01"]) == "2021-01"
    # One undated page among them: the number's age is unknown, not "2015".
    assert newest_page_date(["2015-11-23", None]) is None
    with pytest.raises(ValueError):
        latest_day("last spring")


# ---------------------------------------------------------------- writes


def test_bundled_data_is_unconfirmed(data_engine):
    with session_factory(data_engine)() as session:
        confirmed = session.execute(
            select(Service.id).where(Service.last_verified.is_not(None))).all()
        phones = session.execute(select(Phone.id).where(Phone.last_verified.is_not(None))).all()
    assert confirmed == [] and phones == []


def test_confirmation_records_who_how_and_when_with_an_audit_row(data_engine):
    with session_factory(data_engine)() as session:
        changes = confirm_service(session, "officer@example.org", GALOP, 1,
                                  Confirmation("phoned_service", "Spoke to the duty manager"))
    assert [c.action for c in changes] == ["confirm", "update"]  # the service, its phone
    service = _service(data_engine)
    assert service.last_verified == date.today() and service.verified_by == "officer@example.org"
    assert service.verification_method == "phoned_service"
    assert "Spoke to the duty manager" in service.verification_note
    assert all(phone.last_verified == date.today() for phone in service.phones)
    assert service.version == 2
    [row] = [r for r in _audit(data_engine, GALOP) if r.table_name == "service"]
    assert (row.who, row.action) == ("officer@example.org", "confirm")
    assert row.before["last_verified"] is None and row.after["verified_by"] == "officer@example.org"


@pytest.mark.parametrize(("confirmation", "message"), [
    (Confirmation("guessed", "Looked fine to me"), "how you checked"),
    (Confirmation("phoned_service", "ok"), "at least 10"),
    (Confirmation("phoned_service", "Called them next week", on=date(2999, 1, 1)), "future"),
])
def test_a_confirmation_must_say_how(data_engine, confirmation, message):
    with session_factory(data_engine)() as session, pytest.raises(WriteRefused, match=message):
        confirm_service(session, "officer@example.org", GALOP, None, confirmation)
    assert _service(data_engine).last_verified is None and not _audit(data_engine, GALOP)


def test_the_database_refuses_a_confirmation_without_a_person(data_engine):
    with session_factory(data_engine)() as session, pytest.raises(IntegrityError):
        session.get(Service, GALOP).last_verified = date(2026, 11, 1)
        session.commit()


def test_stale_version_is_refused_and_nothing_is_written(data_engine):
    maker = session_factory(data_engine)
    with maker() as session:
        update_service(session, "first@example.org", GALOP, 1,
                       lambda service, _write: setattr(service, "description", "First."))
    with maker() as session, pytest.raises(StaleEdit, match="Someone else changed"):
        update_service(session, "second@example.org", GALOP, 1,
                       lambda service, _write: setattr(service, "description", "Second."))
    service = _service(data_engine)
    assert service.description == "First." and service.version == 2
    assert {row.who for row in _audit(data_engine, GALOP)} == {"first@example.org"}


def test_a_change_to_a_part_moves_the_version_once_and_is_audited(data_engine):
    def relabel(service: Service, _write: DirectoryWrite) -> None:
        service.phones[0].description = "National LGBT+ helpline"

    with session_factory(data_engine)() as session:
        changes = update_service(session, "officer@example.org", GALOP, 1, relabel)
    assert {(c.table, c.action) for c in changes} == {("service", "update"), ("phone", "update")}
    assert _service(data_engine).version == 2


def test_nothing_changed_writes_nothing(data_engine):
    with session_factory(data_engine)() as session:
        assert update_service(session, "officer@example.org", GALOP, 1,
                              lambda service, _write: None) == []
    assert _service(data_engine).version == 1 and not _audit(data_engine, GALOP)


def test_soft_delete_and_restore_go_through_the_layer(data_engine):
    maker = session_factory(data_engine)
    with maker() as session:
        set_service_deleted(session, "officer@example.org", GALOP, True)
    with maker() as session, pytest.raises(WriteRefused, match="no longer exists"):
        set_service_deleted(session, "officer@example.org", GALOP, True)
    with maker() as session:
        set_service_deleted(session, "officer@example.org", GALOP, False)
    assert [r.action for r in _audit(data_engine, GALOP)] == ["soft_delete", "restore"]


def test_an_import_never_sets_a_confirmation(data_engine, csv_copy):
    from test_dir_tabular import edit

    edit(csv_copy, "services.csv", GALOP, last_verified="2026-11-27",
         verified_by="someone@example.org", verification_method="other",
         verification_note="Trust me", description="Changed by the file.")
    edit(csv_copy, "phones.csv", "ph-svc-national-galop-1", last_verified="2026-11-27")
    report = import_directory(data_engine, csv_copy, actor="tester")
    assert report.ok and report.written and report.ignored_confirmations == 2
    service = _service(data_engine)
    assert service.description == "Changed by the file."
    assert (service.last_verified, service.verified_by, service.verification_note) == (
        None, None, None)
    assert service.phones[0].last_verified is None


# ---------------------------------------------------------------- migrating an old database


def _old_database(url: str) -> None:
    """A database at revision 0003, as every deployment had: rows that claim a check."""
    upgrade_database(url, "0003")
    from services_directory.db import make_engine

    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO organization (id, name) VALUES ('org-x', 'X')"))
        for sid in ("svc-southwark-sass", "svc-checked", "svc-typed-in"):
            conn.execute(text(
                "INSERT INTO service (id, organization_id, name, description, status, source,"
                " last_verified, verification_note, version, updated_at) VALUES (:id, 'org-x',"
                " :id, 'd', 'active', 'seeds/x.txt', :day, 'Recorded from the seed', 1,"
                " '2026-11-22 00:00:00')"), {"id": sid, "day": date(2026, 11, 22)})
        conn.execute(text(
            "INSERT INTO phone (id, service_id, number, type, source, last_verified) VALUES"
            " ('ph-1', 'svc-typed-in', '0808 2000 247', 'voice', 'ref', :day)"),
            {"day": date(2026, 11, 22)})
        conn.execute(text("UPDATE service SET last_verified = :day WHERE id = 'svc-checked'"),
                     {"day": date(2026, 11, 25)})
        conn.execute(text(
            "INSERT INTO audit_log (at, who, table_name, record_id, action, after) VALUES"
            " ('2026-11-25 10:00:00', 'officer@example.org', 'service', 'svc-checked', 'verify',"
            " :after)"), {"after": '{"last_verified": "2026-11-25"}'})
    engine.dispose()


def test_migration_unconfirms_typed_in_rows_keeps_real_checks_and_ends_seeds(backend,
                                                                            new_database_url):
    url = new_database_url(backend)
    if url is None:
        pytest.fail("no database for this backend")
    _old_database(url)
    upgrade_database(url)
    from services_directory.db import make_engine

    engine = make_engine(url)
    try:
        typed, checked, sass = (_service(engine, sid) for sid in
                                ("svc-typed-in", "svc-checked", "svc-southwark-sass"))
        assert typed.last_verified is None and typed.verified_by is None
        assert typed.source_note == "Recorded from the seed" and typed.verification_note is None
        assert typed.phones[0].number == "0808 2000 247"  # SQLite's table rebuild kept it
        assert typed.phones[0].last_verified is None
        assert (checked.last_verified, checked.verified_by, checked.verification_method) == (
            date(2026, 11, 25), "officer@example.org", "other")
        assert sass.status == "defunct" and "October 2019" in sass.status_note
        with engine.connect() as conn:
            names = set(conn.execute(text("SELECT name FROM taxonomy_term")).scalars())
        assert {"housing", "crisis", "legal", "immigration"} <= names
    finally:
        engine.dispose()
