"""Staff accounts for the directory admin: creation, password checks, and their audit trail.

Passwords are hashed with scrypt (hashlib, memory-hard) and a random salt per account; the
parameters are stored with the hash so they can be raised later without breaking logins.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from services_directory.models import StaffAccount
from services_directory.service_layer import DirectoryWrite

SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 1
_DKLEN = 32
MIN_PASSWORD_LENGTH = 12
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Used to spend the same time on an unknown email as on a wrong password.
_DUMMY_HASH_PARTS = (SCRYPT_N, SCRYPT_R, SCRYPT_P, b"signpost-no-user", b"")


class StaffError(ValueError):
    """A request we refuse (bad email, weak password, duplicate); the message is for staff."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=_DKLEN, maxmem=64 * 1024 * 1024
    )


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = _scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        actual = _scrypt(password, base64.b64decode(salt), int(n), int(r), int(p))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def check_new_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise StaffError(f"password must be at least {MIN_PASSWORD_LENGTH} characters")
    if password.strip() != password:
        raise StaffError("password must not start or end with spaces")


def create_staff_account(session: Session, email: str, password: str,
                         actor: str = "cli") -> StaffAccount:
    """Create an active account; committed with its audit row through the service layer."""
    address = normalise_email(email)
    if not _EMAIL.match(address):
        raise StaffError(f"not an email address: {email!r}")
    check_new_password(password)
    existing = session.execute(
        select(StaffAccount.id).where(StaffAccount.email == address)
    ).first()
    if existing is not None:
        raise StaffError(f"a staff account for {address} already exists")
    account = StaffAccount(email=address, password_hash=hash_password(password), active=True)
    with DirectoryWrite(session, actor) as write:
        write.add(account)
    return account


def authenticate(session: Session, email: str, password: str) -> StaffAccount | None:
    """The active account for these credentials, or None (same work either way)."""
    account = session.execute(
        select(StaffAccount).where(StaffAccount.email == normalise_email(email))
    ).scalar_one_or_none()
    if account is None:
        n, r, p, salt, _ = _DUMMY_HASH_PARTS
        _scrypt(password, salt, n, r, p)
        return None
    if not verify_password(password, account.password_hash) or not account.active:
        return None
    return account


def set_staff_active(session: Session, email: str, active: bool, actor: str) -> StaffAccount:
    """Lock an account out (or let it back in); committed and audited."""
    account = session.execute(
        select(StaffAccount).where(StaffAccount.email == normalise_email(email))
    ).scalar_one_or_none()
    if account is None:
        raise StaffError(f"no staff account for {email!r}")
    with DirectoryWrite(session, actor) as write:
        write.track(account)
        account.active = active
    return account
