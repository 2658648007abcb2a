"""Staff accounts for the directory admin: creation, password checks, the second factor, and
their audit trail.

Passwords are hashed with scrypt (hashlib, memory-hard) and a random salt per account; the
parameters are stored with the hash so they can be raised later without breaking logins.

The second factor is TOTP (RFC 6238: 6 digits, 30 seconds, SHA-1), what every standard
authenticator app speaks. An account made by `signpost staff add` has no secret yet; the
person enrols an app at their first sign-in (after their password) and the secret is saved
only once they have typed a code from it, so a mistyped enrolment cannot lock them out. The
last time step used is stored and only a later one is accepted, so a code read over a
shoulder or from a log cannot be used again, even within its 30 seconds.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import time

import pyotp
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from services_directory.boroughs import BOROUGH_BY_CODE
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
                         actor: str = "cli", borough_code: str | None = None) -> StaffAccount:
    """Create an active account; committed with its audit row through the service layer.

    `borough_code` (an ONS code) limits the account to that borough's entries; None: all.
    """
    address = normalise_email(email)
    if borough_code is not None and borough_code not in BOROUGH_BY_CODE:
        raise StaffError(f"not a London borough code: {borough_code!r}")
    if not _EMAIL.match(address):
        raise StaffError(f"not an email address: {email!r}")
    check_new_password(password)
    existing = session.execute(
        select(StaffAccount.id).where(StaffAccount.email == address)
    ).first()
    if existing is not None:
        raise StaffError(f"a staff account for {address} already exists")
    account = StaffAccount(email=address, password_hash=hash_password(password), active=True,
                           borough_code=borough_code)
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


# ---------------------------------------------------------------- second factor (TOTP)

TOTP_ISSUER = "Signpost directory"
TOTP_INTERVAL = 30
# One step either side of now: a phone clock a little out, or a code typed as it rolled over.
TOTP_DRIFT_STEPS = 1
_CODE = re.compile(r"^\d{6}$")


def new_totp_secret() -> str:
    """A fresh 160-bit secret in base32, the form authenticator apps take."""
    return pyotp.random_base32(32)


def totp_uri(email: str, secret: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code (or typed in)."""
    return pyotp.TOTP(secret, interval=TOTP_INTERVAL).provisioning_uri(
        name=email, issuer_name=TOTP_ISSUER)


def clean_code(code: str) -> str:
    """People type codes as the apps show them ("123 456"); spaces and dashes are not digits."""
    return re.sub(r"[\s-]", "", code or "")


def matching_step(secret: str, code: str, *, now: float | None = None) -> int | None:
    """The time step whose code this is (within the allowed drift), or None."""
    code = clean_code(code)
    if not _CODE.match(code):
        return None
    totp = pyotp.TOTP(secret, interval=TOTP_INTERVAL)
    step_now = int((time.time() if now is None else now) // TOTP_INTERVAL)
    found = None
    for step in range(step_now - TOTP_DRIFT_STEPS, step_now + TOTP_DRIFT_STEPS + 1):
        # Every candidate is compared, so the time taken says nothing about which matched.
        if hmac.compare_digest(totp.at(step * TOTP_INTERVAL), code):
            found = step
    return found


def use_totp_code(session: Session, account_id: int, code: str, *,
                  enrol_secret: str | None = None, now: float | None = None) -> bool:
    """Check a code for this account and spend it; True if it signs them in.

    With `enrol_secret` the code is checked against that new secret, which is saved with the
    step (enrolment). A code whose step is not later than the last one used is refused (a
    replay), by a conditional update, so two requests racing with one code cannot both win.
    Committed and audited through the service layer ("enrol_second_factor" or "sign_in").
    """
    account = session.get(StaffAccount, account_id)
    if account is None or not account.active:
        return False
    secret = enrol_secret or account.totp_secret
    if not secret:
        return False
    step = matching_step(secret, code, now=now)
    if step is None:
        return False
    with DirectoryWrite(session, account.email) as write:
        write.action(account, "enrol_second_factor" if enrol_secret else "sign_in")
        last = StaffAccount.totp_last_step
        claimed = session.execute(
            update(StaffAccount)
            .where(StaffAccount.id == account_id, (last.is_(None)) | (last < step))
            .values(totp_last_step=step)
            .execution_options(synchronize_session=False)
        ).rowcount
        if claimed != 1:
            write.rollback()
            return False
        account.totp_last_step = step
        if enrol_secret:
            account.totp_secret = enrol_secret
    return True


def set_totp_secret(session: Session, email: str, secret: str | None, actor: str) -> StaffAccount:
    """Set (or, with None, reset) an account's second factor; a reset means the person enrols
    a new authenticator app at their next sign-in (a lost phone)."""
    account = session.execute(
        select(StaffAccount).where(StaffAccount.email == normalise_email(email))
    ).scalar_one_or_none()
    if account is None:
        raise StaffError(f"no staff account for {email!r}")
    if secret is not None:
        pyotp.TOTP(secret).now()  # refuses a secret that is not base32
    with DirectoryWrite(session, actor) as write:
        write.track(account)
        account.totp_secret = secret
        account.totp_last_step = None
        # The secret itself never reaches the audit log, so say in words what happened.
        write.note("staff_account", str(account.id),
                   "set_second_factor" if secret else "reset_second_factor", None,
                   {"email": account.email, "second_factor": "set" if secret else "reset"})
    return account
