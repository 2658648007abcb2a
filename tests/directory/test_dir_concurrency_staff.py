"""Optimistic locking on services, and staff accounts with hashed passwords."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from services_directory.db import session_factory
from services_directory.models import AuditLog, Service, StaffAccount
from services_directory.staff import (
    StaffError,
    authenticate,
    create_staff_account,
    hash_password,
    set_staff_active,
    verify_password,
)

PASSWORD = "a long enough passphrase"


def test_concurrent_edit_of_a_service_is_refused(data_engine):
    maker = session_factory(data_engine)
    first, second = maker(), maker()
    try:
        mine = first.get(Service, "svc-lewisham-athena")
        theirs = second.get(Service, "svc-lewisham-athena")
        assert mine.version == theirs.version == 1
        mine.description = "Edited by the first member of staff"
        first.commit()
        theirs.description = "Edited by the second member of staff, from a stale copy"
        with pytest.raises(StaleDataError):
            second.commit()
    finally:
        first.close()
        second.close()
    with maker() as session:
        service = session.get(Service, "svc-lewisham-athena")
        assert service.version == 2
        assert service.description == "Edited by the first member of staff"


def test_password_hashing_uses_scrypt_with_salt():
    first, second = hash_password(PASSWORD), hash_password(PASSWORD)
    assert first.startswith("scrypt$") and first != second
    assert PASSWORD not in first
    assert verify_password(PASSWORD, first)
    assert not verify_password("wrong password here", first)
    assert not verify_password(PASSWORD, "not-a-hash")


def test_staff_accounts(empty_engine):
    maker = session_factory(empty_engine)
    with maker() as session:
        create_staff_account(session, " Worker@Example.ORG ", PASSWORD, actor="admin")
    with maker() as session:
        account = session.execute(select(StaffAccount)).scalar_one()
        assert account.email == "worker@example.org" and account.active
        assert authenticate(session, "WORKER@example.org", PASSWORD) is not None
        assert authenticate(session, "worker@example.org", "wrong password!!") is None
        assert authenticate(session, "nobody@example.org", PASSWORD) is None
        audit = session.execute(select(AuditLog)).scalar_one()
        assert (audit.who, audit.table_name, audit.action) == ("admin", "staff_account", "insert")
        assert "password_hash" not in audit.after
    with maker() as session, pytest.raises(StaffError, match="already"):
        create_staff_account(session, "worker@example.org", PASSWORD)
    with maker() as session:
        set_staff_active(session, "worker@example.org", False, actor="admin")
    with maker() as session:
        assert authenticate(session, "worker@example.org", PASSWORD) is None


@pytest.mark.parametrize(("email", "password"), [("not-an-email", PASSWORD),
                                                 ("a@example.org", "short")])
def test_bad_staff_requests_are_refused(empty_engine, email, password):
    with session_factory(empty_engine)() as session, pytest.raises(StaffError):
        create_staff_account(session, email, password)
