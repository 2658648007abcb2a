"""The officer's pages: the review queue (by state and due date), a service's history in
words (no record ids, London times), a page per borough from the bot's own search, and
borough-scoped accounts that cannot change another borough's entries."""

from __future__ import annotations

import re
from datetime import date, datetime

from admin_support import STAFF_EMAIL, STAFF_PASSWORD, csrf_token, form_values, login

from services_directory.admin_views.review import london_time
from services_directory.models import Service
from services_directory.service_layer import Confirmation, confirm_service
from services_directory.staff import create_staff_account

LEWISHAM = "E09000023"
LEWISHAM_SERVICE = "svc-lewisham-athena"
NATIONAL_SERVICE = "svc-national-forced-marriage-unit"
SCOPED_EMAIL = "lewisham.officer@example.org"


def _client(site, email: str = STAFF_EMAIL):
    client = site.client()
    assert login(client, email, STAFF_PASSWORD).status_code == 302
    return client


def _confirm(site, service_id: str, on: date) -> None:
    with site.sessions()() as session:
        confirm_service(session, "officer@example.org", service_id, None,
                        Confirmation("phoned_service", "Rang them, all as listed.", on=on))


def test_review_queue_by_state_and_due_date(site):
    _confirm(site, NATIONAL_SERVICE, date(2020, 1, 15))  # long overdue
    client = _client(site)
    page = client.get("/admin/review/").get_data(as_text=True)
    rows = re.findall(r"<tr>\s*<td>([^<]+)</td>", page)
    assert rows[0] == "Forced Marriage Unit", "overdue entries come first"
    assert "15 July 2020" in page  # due: six months after the confirmation
    overdue = client.get("/admin/review/?state=overdue").get_data(as_text=True)
    assert re.findall(r"<tr>\s*<td>([^<]+)</td>", overdue) == ["Forced Marriage Unit"]
    lewisham = client.get(f"/admin/review/?borough={LEWISHAM}").get_data(as_text=True)
    assert "Athena" in lewisham and "Forced Marriage Unit" not in lewisham
    ended = client.get("/admin/review/?state=ended").get_data(as_text=True)
    assert "Confirm<span" not in ended, "an ended service is not offered for confirmation"


def test_history_in_words_with_london_times(site):
    client = _client(site)
    url = f"/admin/service/edit/?id={LEWISHAM_SERVICE}"
    values = form_values(client.get(url).get_data(as_text=True))
    values["description"] = "Changed for the history test."
    assert client.post(url, data=values).status_code == 302
    _confirm(site, LEWISHAM_SERVICE, date.today())
    page = client.get(f"/admin/service/history/?id={LEWISHAM_SERVICE}").get_data(as_text=True)
    assert STAFF_EMAIL in page and "officer@example.org" in page
    assert "description changed from" in page and "Changed for the history test." in page
    assert "Confirmed: Phoned the service: Rang them, all as listed." in page
    assert LEWISHAM_SERVICE not in re.sub(r'href="[^"]*"', "", page), "no record ids"
    assert "{" not in re.sub(r"<[^>]+>", "", page.split("<main", 1)[1]), "no JSON"
    assert not re.search(r"\d{2}:\d{2}:\d{2}\.\d+", page), "no microsecond times"


def test_london_time_follows_summer_time():
    assert london_time(datetime(2026, 7, 1, 12, 0)) == "1 July 2026, 13:00"
    assert london_time(datetime(2026, 12, 1, 12, 0)) == "1 December 2026, 12:00"


def test_borough_page_lists_what_the_bot_would(site):
    client = _client(site)
    index = client.get("/admin/boroughs/").get_data(as_text=True)
    assert index.count('href="/admin/boroughs/E09') == 33  # 32 boroughs and the City
    lewisham_row = index[index.index('href="/admin/boroughs/E09000023/"'):].split("</tr>")[0]
    counts = [int(n) for n in re.findall(r"<td>(\d+)</td>", lewisham_row)]
    assert len(counts) == 5 and counts[1] > 0, "Lewisham has unconfirmed entries"
    page = client.get(f"/admin/boroughs/{LEWISHAM}/").get_data(as_text=True)
    assert "Lewisham: what the bot would list" in page and "Athena" in page
    assert 'id="topic-stalking"' in page
    assert client.get("/admin/boroughs/E99999999/").status_code == 404


def test_borough_scoped_account_cannot_change_another_borough(site):
    with site.sessions()() as session:
        create_staff_account(session, SCOPED_EMAIL, STAFF_PASSWORD, actor="test",
                             borough_code=LEWISHAM)
    client = _client(site, SCOPED_EMAIL)
    # Its own borough: may edit and confirm.
    own = f"/admin/service/confirm/?id={LEWISHAM_SERVICE}"
    page = client.get(own).get_data(as_text=True)
    with site.sessions()() as session:
        version = session.get(Service, LEWISHAM_SERVICE).version
    done = client.post(own, data={"csrf_token": csrf_token(page), "version": version,
                                  "method": "phoned_service", "note": "Rang them, all fine."})
    assert done.status_code == 302
    # Another borough's (here a national) entry: neither edit nor confirm.
    edit = f"/admin/service/edit/?id={NATIONAL_SERVICE}"
    values = form_values(client.get(edit).get_data(as_text=True))
    values["description"] = "Should not be saved."
    refused = client.post(edit, data=values, follow_redirects=True).get_data(as_text=True)
    assert "can only change Lewisham" in refused
    other = f"/admin/service/confirm/?id={NATIONAL_SERVICE}"
    refused_confirm = client.post(other, data={
        "csrf_token": csrf_token(page), "version": "1", "method": "phoned_service",
        "note": "Should not be saved."}, follow_redirects=True).get_data(as_text=True)
    assert "can only change Lewisham" in refused_confirm
    token = csrf_token(client.get("/admin/service/").get_data(as_text=True))
    client.post("/admin/service/action/", data={"csrf_token": token, "action": "soft_delete",
                                                "rowid": [NATIONAL_SERVICE],
                                                "url": "/admin/service/"})
    with site.sessions()() as session:
        national = session.get(Service, NATIONAL_SERVICE)
        assert national.description != "Should not be saved."
        assert national.last_verified is None and national.deleted_at is None
        assert session.get(Service, LEWISHAM_SERVICE).verified_by == SCOPED_EMAIL


def test_audit_log_list_reads_in_words(site):
    _confirm(site, NATIONAL_SERVICE, date.today())
    page = _client(site).get("/admin/audit-log/").get_data(as_text=True)
    assert "When (London time)" in page
    assert "Confirmed: Phoned the service" in page
    assert "Service: Forced Marriage Unit" in page
    assert not re.search(r"\d{2}:\d{2}:\d{2}\.\d+", page), "no microsecond times"
    assert '"verification_note"' not in page, "no JSON in the list"


def test_borough_scoped_account_cannot_add_another_borough_as_an_area(site):
    with site.sessions()() as session:
        create_staff_account(session, SCOPED_EMAIL, STAFF_PASSWORD, actor="test",
                             borough_code=LEWISHAM)
    client = _client(site, SCOPED_EMAIL)
    url = f"/admin/service/edit/?id={LEWISHAM_SERVICE}"
    values = form_values(client.get(url).get_data(as_text=True))
    values["service_areas"] = [*values["service_areas"], "E09000028"]  # Southwark
    refused = client.post(url, data=values).get_data(as_text=True)
    assert "can only add its own borough" in refused
    with site.sessions()() as session:
        service = session.get(Service, LEWISHAM_SERVICE)
        assert "E09000028" not in {area.borough_code for area in service.areas}
