"""Every admin page, in real Chromium, has no critical or serious axe-core violation.

axe-core comes from axe-playwright-python (its bundled axe.min.js), injected by Playwright
(which is not subject to the page's Content-Security-Policy). Pages are checked as an officer
sees them: signed out (sign-in, code), then signed in, including a refused form, whose error
messages must be as accessible as the form.
"""

from __future__ import annotations

import pytest
from admin_support import STAFF_EMAIL, STAFF_PASSWORD, STAFF_TOTP_SECRET, totp_code
from playwright.sync_api import expect
from test_admin_browser import browser_page, served  # noqa: F401 - fixtures

pytestmark = [pytest.mark.browser,
              pytest.mark.parametrize("backend", ["sqlite"], indirect=True)]

SERVICE = "svc-lewisham-athena"
SIGNED_IN_PAGES = [
    "/admin/",
    "/admin/service/",
    "/admin/service/?flt0_0=E09000023",
    f"/admin/service/edit/?id={SERVICE}",
    f"/admin/service/details/?id={SERVICE}",
    f"/admin/service/confirm/?id={SERVICE}",
    f"/admin/service/history/?id={SERVICE}",
    "/admin/review/",
    "/admin/review/?state=unconfirmed&borough=E09000023",
    "/admin/boroughs/",
    "/admin/boroughs/E09000023/",
    "/admin/deleted-services/",
    "/admin/organization/",
    "/admin/organization/edit/?id=org-refuge",
    "/admin/audit-log/",
]
BLOCKING = ("critical", "serious")


def _violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    found = []
    for violation in results.response["violations"]:
        if violation.get("impact") in BLOCKING:
            targets = [", ".join(node["target"]) for node in violation["nodes"]][:5]
            found.append(f"{page.url}: {violation['impact']} {violation['id']} "
                         f"({len(violation['nodes'])}): {violation['help']} {targets}")
    return found


def test_every_admin_page_passes_axe(served, browser_page):  # noqa: F811
    page = browser_page
    problems: list[str] = []
    page.goto(f"{served}/admin/login/")
    problems += _violations(page)
    page.fill("#email", STAFF_EMAIL)
    page.fill("#password", STAFF_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{served}/admin/login/code/")
    problems += _violations(page)
    page.fill("#code", "000000" if totp_code(STAFF_TOTP_SECRET) != "000000" else "111111")
    page.click("button[type=submit]")
    page.wait_for_selector("#login-error")
    problems += _violations(page)  # the refused code, with its message
    page.fill("#code", totp_code(STAFF_TOTP_SECRET))
    page.click("button[type=submit]")
    page.wait_for_url(f"{served}/admin/")
    for path in SIGNED_IN_PAGES:
        page.goto(f"{served}{path}")
        problems += _violations(page)
    # Refused forms: the edit form with a bad number, the confirm form with nothing chosen.
    page.goto(f"{served}/admin/service/edit/?id={SERVICE}")
    page.fill("#phones-0-number", "12345")
    page.click("input[type=submit][value=Save]")
    page.wait_for_load_state()
    assert "Enter a UK phone number" in page.content()
    # The cursor is moved to the field to fix.
    expect(page.locator("#phones-0-number")).to_be_focused()
    problems += _violations(page)
    page.goto(f"{served}/admin/service/confirm/?id={SERVICE}")
    page.click("button[type=submit] >> text=Confirm this service")
    page.wait_for_selector("#form-errors")
    problems += _violations(page)
    # A history with entries in it (the confirmation).
    page.select_option("#method", "phoned_service")
    page.fill("#note", "Rang the service; details as listed.")
    page.click("button[type=submit] >> text=Confirm this service")
    page.wait_for_load_state()
    page.goto(f"{served}/admin/service/history/?id={SERVICE}")
    problems += _violations(page)
    assert problems == [], "\n".join(problems)
