"""Staff sign-in, sign-out, the session cookie, CSRF on sign-in and the admin's headers."""

from __future__ import annotations

import re

import pytest
from admin_support import OTHER_EMAIL, STAFF_EMAIL, STAFF_PASSWORD, csrf_token, login

from services_directory.models import Service
from services_directory.staff import set_staff_active

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)

STAFF_PAGES = (
    "/admin/",
    "/admin/service/",
    "/admin/service/edit/?id=svc-lewisham-athena",
    "/admin/service/details/?id=svc-lewisham-athena",
    "/admin/deleted-services/",
    "/admin/organization/",
    "/admin/organization/edit/?id=org-refuge",
    "/admin/audit-log/",
    "/admin/service/confirm/?id=svc-lewisham-athena",
    "/admin/service/history/?id=svc-lewisham-athena",
    "/admin/review/",
    "/admin/boroughs/",
    "/admin/boroughs/E09000023/",
)


def _signed_in(client) -> bool:
    response = client.get("/admin/")
    return response.status_code == 200


@pytest.mark.parametrize("path", STAFF_PAGES)
def test_signed_out_staff_pages_redirect_to_sign_in(site, path):
    response = site.client().get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/admin/login/?next=")


def test_signed_out_actions_change_nothing(site):
    client = site.client()
    page = client.get("/admin/login/").get_data(as_text=True)
    response = client.post("/admin/service/action/", data={
        "csrf_token": csrf_token(page), "action": "soft_delete",
        "rowid": "svc-lewisham-athena"})
    assert response.status_code == 302 and "/admin/login/" in response.headers["Location"]
    with site.sessions()() as session:
        assert session.get(Service, "svc-lewisham-athena").deleted_at is None


def test_sign_in_sets_a_strict_http_only_cookie_for_admin_only(site):
    client = site.client()
    response = login(client, STAFF_EMAIL, STAFF_PASSWORD, next_url="/admin/service/")
    assert response.status_code == 302 and response.headers["Location"] == "/admin/service/"
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("signpost_admin=")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/admin" in cookie
    assert "Secure" not in cookie
    assert _signed_in(client)
    page = client.get("/admin/service/").get_data(as_text=True)
    assert STAFF_EMAIL in page and "Sign out" in page


def test_secure_cookie_when_asked(make_site):
    response = login(make_site(cookie_secure=True).client(), STAFF_EMAIL, STAFF_PASSWORD)
    assert "Secure" in response.headers["Set-Cookie"]


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/admin",
                                    "/elsewhere", "/admin\\@evil"])
def test_sign_in_never_redirects_off_the_admin(site, target):
    response = login(site.client(), STAFF_EMAIL, STAFF_PASSWORD, next_url=target)
    assert response.headers["Location"] == "/admin/"


@pytest.mark.parametrize(("email", "password"), [
    (STAFF_EMAIL, "not the right password"),
    ("nobody@example.org", STAFF_PASSWORD),
    (STAFF_EMAIL, ""),
])
def test_wrong_credentials_are_refused(site, email, password):
    client = site.client()
    response = login(client, email, password)
    assert response.status_code in (400, 401)
    text = response.get_data(as_text=True)
    assert "do not match" in text or "Enter your email" in text
    assert password == "" or password not in text
    assert not _signed_in(client)


def test_sign_in_without_csrf_token_is_refused(site):
    client = site.client()
    response = login(client, STAFF_EMAIL, STAFF_PASSWORD, token=False)
    assert response.status_code == 400
    assert "did not come from this site" in response.get_data(as_text=True)
    assert not _signed_in(client)
    forged = client.post("/admin/login/", data={"email": STAFF_EMAIL, "password": STAFF_PASSWORD,
                                                "csrf_token": "20991231000000##" + "0" * 40})
    assert forged.status_code == 400 and not _signed_in(client)


def test_sign_in_token_from_another_session_is_refused(site):
    theirs = site.client().get("/admin/login/").get_data(as_text=True)
    client = site.client()
    client.get("/admin/login/")
    response = client.post("/admin/login/", data={
        "email": STAFF_EMAIL, "password": STAFF_PASSWORD, "csrf_token": csrf_token(theirs)})
    assert response.status_code == 400 and not _signed_in(client)


def test_sign_in_is_rate_limited_per_ip(make_site):
    site = make_site(login_attempts=3)
    client = site.client()
    for _ in range(3):
        assert login(client, STAFF_EMAIL, "wrong password!!").status_code == 401
    blocked = login(client, STAFF_EMAIL, STAFF_PASSWORD)
    assert blocked.status_code == 429
    assert "Too many sign-in attempts" in blocked.get_data(as_text=True)
    assert not _signed_in(client)
    other_ip = site.app.test_client()
    other_ip.environ_base["REMOTE_ADDR"] = "192.0.2.7"
    assert login(other_ip, STAFF_EMAIL, STAFF_PASSWORD).status_code == 302


def test_rate_limit_behind_a_proxy_uses_forwarded_address(make_site):
    site = make_site(login_attempts=1, proxy_hops=1)
    first = site.client()
    first.environ_base["HTTP_X_FORWARDED_FOR"] = "198.51.100.1"
    assert login(first, STAFF_EMAIL, "wrong password!!").status_code == 401
    assert login(first, STAFF_EMAIL, STAFF_PASSWORD).status_code == 429
    second = site.client()
    second.environ_base["HTTP_X_FORWARDED_FOR"] = "spoofed, 198.51.100.2"
    assert login(second, STAFF_EMAIL, STAFF_PASSWORD).status_code == 302


def test_sign_out_needs_the_form_token(site):
    client = site.client()
    login(client, STAFF_EMAIL, STAFF_PASSWORD)
    assert client.post("/admin/logout/").status_code == 302
    assert _signed_in(client), "a sign-out without a token (a forged one) is ignored"
    page = client.get("/admin/").get_data(as_text=True)
    response = client.post("/admin/logout/", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 302 and response.headers["Location"] == "/admin/login/"
    assert not _signed_in(client)
    assert client.get("/admin/logout/").status_code == 405


def test_deactivated_account_is_locked_out_at_once(site):
    client = site.client()
    login(client, OTHER_EMAIL, STAFF_PASSWORD)
    assert _signed_in(client)
    with site.sessions()() as session:
        set_staff_active(session, OTHER_EMAIL, False, actor="test")
    assert not _signed_in(client)


def test_admin_pages_have_a_policy_without_inline_script(site):
    signed_out, client = site.client(), site.client()
    login(client, STAFF_EMAIL, STAFF_PASSWORD)
    pages = [*STAFF_PAGES, "/admin/login/", "/admin/audit-log/details/?id=1"]
    for path in pages:
        response = (signed_out if path == "/admin/login/" else client).get(path)
        assert response.status_code == 200, path
        policy = response.headers["Content-Security-Policy"]
        script_src = re.search(r"script-src ([^;]*)", policy).group(1)
        assert script_src == "'self'", path
        assert "frame-ancestors 'none'" in policy and "unsafe-eval" not in policy
        assert response.headers["Cache-Control"] == "no-store"
        html = response.get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), f"inline script on {path}"
        assert not re.search(r"\son[a-z]+\s*=", html), f"inline handler on {path}"
        assert "<style" not in html, f"inline style sheet on {path}"
    static = client.get("/admin/assets/signpost-admin.js")
    assert static.status_code == 200 and "data-signpost-action" in static.get_data(as_text=True)
    public = client.get("/")
    assert "require-trusted-types-for" in public.headers["Content-Security-Policy"]
