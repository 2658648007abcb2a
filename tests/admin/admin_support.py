"""Helpers for the admin tests (a module of its own: `from conftest import` is ambiguous
when several suites have a conftest)."""

from __future__ import annotations

import re
import time
from html import unescape

import pyotp
from flask.testing import FlaskClient

STAFF_EMAIL = "worker@example.org"
STAFF_PASSWORD = "a long enough passphrase"
OTHER_EMAIL = "colleague@example.org"
# The seeded accounts' authenticator secrets (conftest sets them; a test that needs the
# first-sign-in enrolment makes an account without one).
STAFF_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
OTHER_TOTP_SECRET = "KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU"
TOTP_SECRETS: dict[str, str] = {STAFF_EMAIL: STAFF_TOTP_SECRET, OTHER_EMAIL: OTHER_TOTP_SECRET}
PUBLIC_LOCATION = {"id": "loc-test-public", "name": "Athena drop-in (test)",
                   "address_1": "1 Test Street", "postal_code": "SE6 4JQ"}
SECRET_LOCATION = {"id": "loc-test-secret", "name": "Secret refuge house (test)"}
LOCATION_SERVICE = "svc-lewisham-athena"
LEWISHAM = "E09000023"

_CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
_INPUT = re.compile(r"<(input|textarea|select)\b([^>]*)>", re.IGNORECASE)
_ATTR = re.compile(r'(\w[\w-]*)(?:="([^"]*)")?')


def csrf_token(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "no CSRF token in the page"
    return unescape(match.group(1))


# The last time step each (app, account) signed in with, so a test that signs the same account
# in twice within 30 seconds uses the next step's code (accepted: one step of drift) rather
# than replaying one, which the admin rightly refuses.
_USED_STEPS: dict[tuple[int, str], int] = {}
_SECRET_ON_PAGE = re.compile(r'id="totp-secret" data-secret="([A-Z2-7]+)"')


def totp_code(secret: str, step: int | None = None) -> str:
    totp = pyotp.TOTP(secret)
    return totp.at(step * 30) if step is not None else totp.now()


def fresh_code(client: FlaskClient, email: str, secret: str) -> str:
    key = (id(client.application), email)
    step = max(int(time.time() // 30), _USED_STEPS.get(key, -1) + 1)
    _USED_STEPS[key] = step
    return totp_code(secret, step)


def login(client: FlaskClient, email: str, password: str, *, token: bool = True,
          next_url: str | None = None, second_factor: bool = True):
    """Sign in as a browser would: the password, then (unless told not to) the code step,
    enrolling the app first if the account has none. Returns the last response."""
    page = client.get("/admin/login/")
    data = {"email": email, "password": password}
    if token:
        data["csrf_token"] = csrf_token(page.get_data(as_text=True))
    url = "/admin/login/" + (f"?next={next_url}" if next_url else "")
    response = client.post(url, data=data)
    location = response.headers.get("Location", "")
    if not second_factor or response.status_code != 302 or "/admin/login/" not in location:
        return response
    step_page = client.get(location).get_data(as_text=True)
    enrolling = _SECRET_ON_PAGE.search(step_page)
    if enrolling:
        TOTP_SECRETS[email] = enrolling.group(1)
    code = fresh_code(client, email, TOTP_SECRETS[email])
    return client.post(location, data={"csrf_token": csrf_token(step_page), "code": code})


def form_values(html: str, form_action_contains: str = 'method="POST"') -> dict[str, object]:
    """The values a browser would submit from the edit form (first form with that marker)."""
    start = html.index(form_action_contains)
    end = html.index("</form>", start)
    form = html[start:end]  # the template for new inline rows is escaped, so never matches
    values: dict[str, object] = {}
    for match in _INPUT.finditer(form):
        tag, attrs_text = match.group(1).lower(), match.group(2)
        attrs = {name: unescape(value or "") for name, value in _ATTR.findall(attrs_text)}
        name = attrs.get("name")
        if not name:
            continue
        if tag == "input":
            kind = attrs.get("type", "text")
            if kind in ("submit", "button"):
                continue
            if kind == "checkbox":
                if re.search(r"\bchecked\b", attrs_text):
                    values[name] = attrs.get("value", "y")
                continue
            values[name] = attrs.get("value", "")
        elif tag == "textarea":
            body_end = form.index("</textarea>", match.end())
            text = form[match.end():body_end]
            # A browser drops one newline right after <textarea> (WTForms writes "\r\n").
            text = text.removeprefix("\r\n") if text.startswith("\r\n") else text
            values[name] = unescape(text.removeprefix("\n"))
        else:
            body_end = form.index("</select>", match.end())
            options = form[match.end():body_end]
            chosen = re.findall(r'<option selected value="([^"]*)"', options)
            if "multiple" in attrs_text:
                values[name] = [unescape(value) for value in chosen]
            else:
                values[name] = unescape(chosen[0]) if chosen else ""
    return values
