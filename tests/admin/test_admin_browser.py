"""The admin in headless Chromium: sign in, edit a service (adding a phone), confirm it on its
own page (how it was checked, a note), with the admin's Content-Security-Policy enforced and
nothing refused by it."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from admin_support import STAFF_EMAIL, STAFF_PASSWORD, STAFF_TOTP_SECRET, totp_code
from playwright.sync_api import expect
from werkzeug.serving import make_server

from services_directory.models import Service

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking"]
SERVICE = "svc-national-forced-marriage-unit"

pytestmark = [pytest.mark.browser,
              pytest.mark.parametrize("backend", ["sqlite"], indirect=True)]


@pytest.fixture
def served(site) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, site.app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


@pytest.fixture
def browser_page():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed (make test installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_context().new_page()
            page.set_default_timeout(15_000)
            yield page
        finally:
            browser.close()


def test_sign_in_edit_and_verify_in_a_browser(site, served, browser_page):
    page = browser_page
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text)
            if message.type in ("error", "warning") else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("dialog", lambda dialog: dialog.accept())

    page.goto(f"{served}/admin/service/")
    assert "/admin/login/" in page.url
    page.fill("#email", STAFF_EMAIL)
    page.fill("#password", STAFF_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{served}/admin/login/code/")
    page.fill("#code", totp_code(STAFF_TOTP_SECRET))
    page.click("button[type=submit]")
    page.wait_for_url(f"{served}/admin/service/")

    page.goto(f"{served}/admin/service/edit/?id={SERVICE}&url=/admin/service/")
    page.fill("#description", "Edited in a real browser.")
    page.click("#phones-button")  # bound by signpost-admin.js, not an inline handler
    new_number = page.locator("#phones-2-number")
    new_number.wait_for()
    new_number.fill("020 7946 0001")
    page.fill("#phones-2-source", "Checked on the service's website")
    # Adding a number is not confirming it: the form has no date for it to be faked with.
    assert page.locator("#phones-2-last_verified").count() == 0
    page.click("input[type=submit][value=Save]")
    page.wait_for_url(f"{served}/admin/service/")
    assert "successfully saved" in page.content()

    with site.sessions()() as session:
        service = session.get(Service, SERVICE)
        assert service.description == "Edited in a real browser."
        assert service.version == 2
        assert "020 7946 0001" in {phone.number for phone in service.phones}
        assert service.last_verified is None

    # Bulk confirmation is gone: the list's actions offer only deletion.
    page.click("text=With selected")
    assert page.locator("[data-signpost-action=verify]").count() == 0
    page.keyboard.press("Escape")

    page.goto(f"{served}/admin/service/edit/?id={SERVICE}&url=/admin/service/")
    page.click("text=Confirm this service")
    page.wait_for_url(f"{served}/admin/service/confirm/**")
    page.click("button[type=submit] >> text=Confirm this service")
    # Refused in plain words, with the cursor on the field to fix.
    page.wait_for_selector("#form-errors")
    assert "Choose how you checked this service." in page.content()
    # (expect() checks focus without evaluating a string, which the admin's CSP forbids)
    expect(page.locator("#method")).to_be_focused()
    page.select_option("#method", "phoned_service")
    page.fill("#note", "Rang the helpline; number and hours as listed.")
    page.click("button[type=submit] >> text=Confirm this service")
    page.wait_for_url(f"{served}/admin/service/")
    assert "confirmed today" in page.content()
    with site.sessions()() as session:
        confirmed = session.get(Service, SERVICE)
        assert confirmed.last_verified == date.today()
        assert confirmed.verified_by == STAFF_EMAIL
        assert "Rang the helpline" in confirmed.verification_note

    # Flask-Admin's own filter menu (javascript: links, neutralised by signpost-admin.js).
    page.click("text=Add Filter")
    page.click("a.filter >> text=Topic")
    page.locator("table.filters tr").first.wait_for()

    refused = [text for text in problems
               if "Content Security Policy" in text or "Refused to" in text]
    assert refused == [], refused
    assert not [text for text in problems if "Error" in text], problems
