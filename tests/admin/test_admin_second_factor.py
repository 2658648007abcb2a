"""Signing in needs a second factor: a TOTP code from a standard authenticator app (real
pyotp codes), enrolled at the first sign-in; wrong and replayed codes are refused."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlparse

import pyotp
import pytest
from admin_support import (
    STAFF_EMAIL,
    STAFF_PASSWORD,
    STAFF_TOTP_SECRET,
    csrf_token,
    login,
    totp_code,
)

from services_directory.models import AuditLog, StaffAccount
from services_directory.staff import create_staff_account, matching_step

NEW_EMAIL = "new.officer@example.org"


def _signed_in(client) -> bool:
    return client.get("/admin/service/").status_code == 200


def _password_step(client, email: str = STAFF_EMAIL):
    response = login(client, email, STAFF_PASSWORD, second_factor=False)
    assert response.status_code == 302
    return response.headers["Location"]


def _send_code(client, location: str, code: str):
    page = client.get(location).get_data(as_text=True)
    return client.post(location, data={"csrf_token": csrf_token(page), "code": code})


def _wait_for_fresh_window() -> None:
    """Stay clear of a step boundary, so 'the same window' is really the same window."""
    if time.time() % 30 > 25:
        time.sleep(30 - time.time() % 30 + 0.5)


def test_password_alone_does_not_open_the_admin(site):
    client = site.client()
    location = _password_step(client)
    assert location.endswith("/admin/login/code/")
    assert not _signed_in(client)
    assert client.get("/admin/").status_code == 302


def test_right_code_signs_in_wrong_code_is_refused(site):
    client = site.client()
    location = _password_step(client)
    wrong = _send_code(client, location, "000000" if totp_code(STAFF_TOTP_SECRET) != "000000"
                       else "111111")
    assert wrong.status_code == 401 and "code was not right" in wrong.get_data(as_text=True)
    assert not _signed_in(client)
    right = _send_code(client, location, totp_code(STAFF_TOTP_SECRET))
    assert right.status_code == 302 and _signed_in(client)


def test_replayed_code_in_the_same_window_is_refused(site):
    _wait_for_fresh_window()
    code = totp_code(STAFF_TOTP_SECRET)
    first = site.client()
    assert _send_code(first, _password_step(first), code).status_code == 302
    second = site.client()
    replay = _send_code(second, _password_step(second), code)
    assert replay.status_code == 401 and not _signed_in(second)
    # Not even an earlier step's code, still inside the drift allowance.
    earlier = pyotp.TOTP(STAFF_TOTP_SECRET).at(time.time() - 30)
    assert _send_code(second, _password_step(second), earlier).status_code == 401


def test_too_many_wrong_codes_send_you_back_to_the_password(site):
    client = site.client()
    location = _password_step(client)
    for _ in range(5):
        assert _send_code(client, location, "12345x").status_code in (400, 401)
    back = _send_code(client, location, totp_code(STAFF_TOTP_SECRET))
    assert back.status_code == 302 and "/admin/login/" in back.headers["Location"]
    assert not back.headers["Location"].endswith("/code/") and not _signed_in(client)


def test_first_sign_in_enrols_an_authenticator_app(site):
    with site.sessions()() as session:
        create_staff_account(session, NEW_EMAIL, STAFF_PASSWORD, actor="cli")
    client = site.client()
    location = _password_step(client, NEW_EMAIL)
    assert location.endswith("/admin/login/enrol/")
    page = client.get(location).get_data(as_text=True)
    assert 'src="data:image/svg+xml' in page and "otpauth://totp/" in page
    uri = page[page.index("otpauth://totp/"):].split("<", 1)[0].replace("&amp;", "&")
    parsed = urlparse(uri)
    secret = parse_qs(parsed.query)["secret"][0]
    assert parse_qs(parsed.query)["issuer"] == ["Signpost directory"]
    # A wrong code saves nothing: the account still has no second factor.
    assert _send_code(client, location, "000000" if pyotp.TOTP(secret).now() != "000000"
                      else "111111").status_code == 401
    with site.sessions()() as session:
        assert session.query(StaffAccount).filter_by(email=NEW_EMAIL).one().totp_secret is None
    done = _send_code(client, location, pyotp.TOTP(secret).now())
    assert done.status_code == 302 and _signed_in(client)
    with site.sessions()() as session:
        account = session.query(StaffAccount).filter_by(email=NEW_EMAIL).one()
        assert account.totp_secret == secret
        audit = session.query(AuditLog).filter_by(table_name="staff_account",
                                                  record_id=str(account.id)).all()
        assert "enrol_second_factor" in {row.action for row in audit}
        assert all(secret not in str(row.after) for row in audit)
    # The next sign-in asks for a code from the same app.
    client.post("/admin/logout/", data={"csrf_token": csrf_token(
        client.get("/admin/").get_data(as_text=True))})
    assert _password_step(client, NEW_EMAIL).endswith("/admin/login/code/")


@pytest.mark.parametrize("typed", ["{code}", "{a} {b}", " {a}-{b} "])
def test_codes_are_read_as_apps_show_them(typed):
    secret = pyotp.random_base32()
    code = pyotp.TOTP(secret).now()
    assert matching_step(secret, typed.format(code=code, a=code[:3], b=code[3:])) is not None
    assert matching_step(secret, "abcdef") is None


def test_second_factor_pages_have_no_inline_script(site):
    """The enrolment page's QR code is an <img> with a data: address (the policy allows
    images from data:), never inline script or style."""
    with site.sessions()() as session:
        create_staff_account(session, NEW_EMAIL, STAFF_PASSWORD, actor="cli")
    for email in (NEW_EMAIL, STAFF_EMAIL):
        client = site.client()
        response = client.get(_password_step(client, email))
        html = response.get_data(as_text=True)
        assert response.status_code == 200
        assert "<script>" not in html and "<style" not in html and " onclick" not in html
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]
