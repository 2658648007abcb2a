"""Staff edits through the admin: saved, audited, checked like an import, never overwriting a
colleague's save silently; verification and soft delete reach the API and the bot's search."""

from __future__ import annotations

import pytest
from admin_support import (
    LOCATION_SERVICE,
    OTHER_EMAIL,
    STAFF_EMAIL,
    STAFF_PASSWORD,
    csrf_token,
    form_values,
    login,
)
from sqlalchemy import func, select

from services_directory.admin_views.services import STALE_MESSAGE
from services_directory.models import AuditLog, Eligibility, Organization, Service
from services_directory.search import find_services

SERVICE = "svc-national-forced-marriage-unit"  # has two phones
EDIT_URL = f"/admin/service/edit/?id={SERVICE}&url=/admin/service/"
EDIT_FORM = 'class="admin-form"'


def _staff(site, email: str = STAFF_EMAIL):
    client = site.client()
    assert login(client, email, STAFF_PASSWORD).status_code == 302
    return client


def _open_form(client, url: str = EDIT_URL) -> dict:
    page = client.get(url)
    assert page.status_code == 200
    return form_values(page.get_data(as_text=True), EDIT_FORM)


def _audit(site, record_id: str | None = None) -> list[AuditLog]:
    with site.sessions()() as session:
        # Directory changes only: sign-ins are audited too (staff_account rows), not counted here.
        query = select(AuditLog).where(AuditLog.who.in_([STAFF_EMAIL, OTHER_EMAIL]),
                                       AuditLog.table_name != "staff_account")
        if record_id:
            query = query.where(AuditLog.record_id == record_id)
        return list(session.execute(query.order_by(AuditLog.id)).scalars())


def _service(site, service_id: str = SERVICE) -> Service:
    with site.sessions()() as session:
        service = session.get(Service, service_id)
        service.phones  # noqa: B018 - load while the session is open
        service.eligibility  # noqa: B018
        service.areas, service.taxonomies, service.schedules  # noqa: B018
        return service


def _audit_count(site) -> int:
    with site.sessions()() as session:
        return session.execute(select(func.count()).select_from(AuditLog).where(
            AuditLog.table_name != "staff_account")).scalar_one()


def test_form_carries_version_and_csrf(site):
    values = _open_form(_staff(site))
    assert values["version"] == "1"
    assert values["csrf_token"]
    assert values["phones-0-number"] == "020 7008 0151"


def test_edit_saves_and_audits(site):
    client = _staff(site)
    values = _open_form(client)
    values.update({
        "description": "New description written by staff.",
        "url": "https://www.gov.uk/guidance/forced-marriage",
        "audiences": ["women", "young_people"],
        "minimum_age": "16",
        "phones-1-description": "From outside the UK",
    })
    response = client.post(EDIT_URL, data=values)
    assert response.status_code == 302 and response.headers["Location"] == "/admin/service/"

    service = _service(site)
    assert service.description == "New description written by staff."
    assert service.url == "https://www.gov.uk/guidance/forced-marriage"
    assert service.version == 2
    assert service.eligibility.audiences == "women;young_people"
    assert service.eligibility.minimum_age == 16
    rows = {(row.table_name, row.action): row for row in _audit(site)}
    assert set(rows) == {("service", "update"), ("eligibility", "update"),
                         ("phone", "update")}
    service_row = rows[("service", "update")]
    assert service_row.who == STAFF_EMAIL and service_row.record_id == SERVICE
    assert service_row.before["description"] != service_row.after["description"]
    assert (service_row.before["version"], service_row.after["version"]) == (1, 2)
    assert rows[("phone", "update")].after["description"] == "From outside the UK"
    assert rows[("eligibility", "update")].after["minimum_age"] == 16
    assert service_row.at is not None


def test_unchanged_form_writes_nothing(site):
    client = _staff(site)
    before = _audit_count(site)
    response = client.post(EDIT_URL, data=_open_form(client))
    assert response.status_code == 302
    assert _service(site).version == 1 and _audit_count(site) == before


def test_edit_without_csrf_token_is_refused(site):
    client = _staff(site)
    values = _open_form(client)
    values.pop("csrf_token")
    values["description"] = "Forged change"
    response = client.post(EDIT_URL, data=values)
    assert response.status_code == 200
    assert "did not come from this site" in response.get_data(as_text=True)
    assert _service(site).description != "Forged change" and not _audit(site)


def test_stale_version_is_refused_and_nothing_is_written(site):
    first, second = _staff(site), _staff(site, OTHER_EMAIL)
    mine, theirs = _open_form(first), _open_form(second)
    mine["description"] = "Saved first."
    assert first.post(EDIT_URL, data=mine).status_code == 302
    audit_after_first = _audit_count(site)

    theirs["description"] = "Saved second, from a stale form."
    theirs["phones-0-number"] = "0808 800 5000"
    refused = second.post(EDIT_URL, data=theirs)
    assert refused.status_code == 200
    assert STALE_MESSAGE in refused.get_data(as_text=True)
    service = _service(site)
    assert service.description == "Saved first." and service.version == 2
    assert service.phones[0].number == "020 7008 0151"
    assert _audit_count(site) == audit_after_first
    assert {row.who for row in _audit(site)} == {STAFF_EMAIL}

    # Reloading shows their change and lets them save on top of it.
    fresh = _open_form(second)
    assert fresh["description"] == "Saved first." and fresh["version"] == "2"
    fresh["description"] = "Saved second, after reloading."
    assert second.post(EDIT_URL, data=fresh).status_code == 302
    assert _service(site).version == 3


def test_phone_only_change_moves_the_version(site):
    client = _staff(site)
    values = _open_form(client)
    stale = dict(values)
    values["phones-0-hours"] = "Monday to Friday"
    assert client.post(EDIT_URL, data=values).status_code == 302
    service = _service(site)
    assert service.version == 2
    # The relationship has no order (PostgreSQL moves an updated row): find it by number.
    edited = next(p for p in service.phones if p.number == values["phones-0-number"])
    assert edited.hours == "Monday to Friday"
    stale["phones-1-number"] = "0808 800 5000"
    assert STALE_MESSAGE in client.post(EDIT_URL, data=stale).get_data(as_text=True)


def test_missing_version_is_refused(site):
    client = _staff(site)
    values = _open_form(client)
    values.pop("version")
    values["description"] = "No version sent"
    response = client.post(EDIT_URL, data=values)
    assert response.status_code == 200 and "version" in response.get_data(as_text=True)
    assert _service(site).description != "No version sent"


@pytest.mark.parametrize("number", ["12345", "0800 CALL NOW", "+1 212 555 0100", ""])
def test_invalid_phone_is_refused(site, number):
    client = _staff(site)
    values = _open_form(client)
    values["phones-0-number"] = number
    values["description"] = "Changed alongside a bad number"
    response = client.post(EDIT_URL, data=values)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    # In plain words: what to type, not the import's format message.
    assert "Enter a UK phone number" in text or "Enter the phone number." in text
    assert "bad UK phone number format" not in text
    assert "This service was not saved. Fix the fields marked below" in text
    service = _service(site)
    assert service.phones[0].number == "020 7008 0151" and service.version == 1
    assert service.description != "Changed alongside a bad number" and not _audit(site)


@pytest.mark.parametrize(("field", "value", "reason"), [
    ("url", "www.example.org", "http"),
    ("email", "not-an-email", "email"),
    ("maximum_age", "200", "between"),
    ("audiences", ["martians"], "not a valid choice"),
    ("name", "   ", "Enter the service&#39;s name."),
    ("description", "\r\n ", "Describe the service"),
])
def test_other_fields_are_checked_like_an_import(site, field, value, reason):
    client = _staff(site)
    values = _open_form(client)
    values[field] = value
    response = client.post(EDIT_URL, data=values)
    assert response.status_code == 200 and reason in response.get_data(as_text=True)
    assert _service(site).version == 1


def test_minimum_age_above_maximum_is_refused(site):
    client = _staff(site)
    values = _open_form(client)
    values.update({"minimum_age": "30", "maximum_age": "20"})
    response = client.post(EDIT_URL, data=values)
    assert "must not be below the minimum age" in response.get_data(as_text=True)
    assert _service(site).version == 1


def test_add_and_delete_phones(site):
    client = _staff(site)
    values = _open_form(client)
    values.update({
        "del-phones-1": "y",
        "phones-2-id": "",
        # A number from national-support.md: tests never make numbers up either.
        "phones-2-number": "0800 028 3550",
        "phones-2-type": "text",
        "phones-2-source": "shared/reference/national-support.md",
    })
    assert client.post(EDIT_URL, data=values).status_code == 302
    service = _service(site)
    numbers = {phone.id: phone.number for phone in service.phones}
    # A new id, not the one deleted in the same save, so the audit rows stay distinct.
    assert numbers == {f"ph-{SERVICE}-1": "020 7008 0151", f"ph-{SERVICE}-3": "0800 028 3550"}
    added = next(phone for phone in service.phones if phone.id == f"ph-{SERVICE}-3")
    # Adding a number is not confirming it: only a confirmation sets last_verified.
    assert added.type == "text" and added.last_verified is None
    actions = {(row.record_id, row.action) for row in _audit(site) if row.table_name == "phone"}
    assert actions == {(f"ph-{SERVICE}-2", "delete"), (f"ph-{SERVICE}-3", "insert")}


def test_eligibility_is_created_when_missing(site):
    with site.sessions()() as session, session.begin():
        session.delete(session.get(Service, LOCATION_SERVICE).eligibility)
    client = _staff(site)
    url = f"/admin/service/edit/?id={LOCATION_SERVICE}"
    values = _open_form(client, url)
    values.update({"gender": "female", "audience_restricted": "y", "audiences": ["women"]})
    assert client.post(url, data=values).status_code == 302
    with site.sessions()() as session:
        eligibility = session.execute(select(Eligibility).where(
            Eligibility.service_id == LOCATION_SERVICE)).scalar_one()
    assert (eligibility.gender, eligibility.audiences, eligibility.audience_restricted) == (
        "female", "women", True)
    assert ("eligibility", "insert") in {(r.table_name, r.action) for r in _audit(site)}


def _action(client, view: str, action: str, ids: list[str], page_url: str):
    token = csrf_token(client.get(page_url).get_data(as_text=True))
    return client.post(f"/admin/{view}/action/",
                       data={"csrf_token": token, "action": action, "rowid": ids,
                             "url": page_url})


def test_services_cannot_be_marked_verified_in_bulk(site):
    """Confirming is one service at a time, with how it was checked (the confirm page)."""
    client = _staff(site)
    response = _action(client, "service", "verify", [SERVICE, LOCATION_SERVICE],
                       "/admin/service/")
    assert response.status_code == 302
    assert _service(site).last_verified is None and not _audit(site)


def test_actions_need_the_csrf_token(site):
    client = _staff(site)
    response = client.post("/admin/service/action/",
                           data={"action": "soft_delete", "rowid": [SERVICE]})
    assert response.status_code == 302
    assert _service(site).deleted_at is None and not _audit(site)


def test_soft_delete_hides_everywhere_and_restore_brings_back(site):
    client = _staff(site)
    with site.sessions()() as session:
        cards = find_services(session, topic=None, place="Lewisham", limit=20).services
    assert LOCATION_SERVICE in {card.id for card in cards}

    response = _action(client, "service", "soft_delete", [LOCATION_SERVICE], "/admin/service/")
    assert response.status_code == 302
    assert _service(site, LOCATION_SERVICE).deleted_at is not None
    api = site.client()
    assert api.get(f"/api/services/{LOCATION_SERVICE}").status_code == 404
    listed = api.get("/api/services?postcode=Lewisham&per_page=100").get_json()["contents"]
    assert LOCATION_SERVICE not in {service["id"] for service in listed}
    with site.sessions()() as session:
        cards = find_services(session, topic=None, place="Lewisham", limit=20).services
    assert LOCATION_SERVICE not in {card.id for card in cards}
    assert LOCATION_SERVICE not in client.get("/admin/service/?search=Athena").get_data(
        as_text=True)
    assert client.get(f"/admin/service/edit/?id={LOCATION_SERVICE}").status_code == 302
    assert LOCATION_SERVICE in client.get("/admin/deleted-services/").get_data(as_text=True)

    restored = _action(client, "deleted-services", "restore", [LOCATION_SERVICE],
                       "/admin/deleted-services/")
    assert restored.status_code == 302
    assert api.get(f"/api/services/{LOCATION_SERVICE}").status_code == 200
    with site.sessions()() as session:
        cards = find_services(session, topic=None, place="Lewisham", limit=20).services
    assert LOCATION_SERVICE in {card.id for card in cards}
    assert [row.action for row in _audit(site, LOCATION_SERVICE)] == ["soft_delete", "restore"]
    # The deleted view cannot be used to delete or verify.
    refused = _action(client, "deleted-services", "verify", [LOCATION_SERVICE],
                      "/admin/deleted-services/")
    assert refused.status_code == 302 and len(_audit(site)) == 2


def test_no_hard_delete_or_create(site):
    client = _staff(site)
    token = csrf_token(client.get("/admin/service/").get_data(as_text=True))
    client.post("/admin/service/delete/", data={"csrf_token": token, "id": SERVICE})
    assert _service(site).deleted_at is None
    assert client.get("/admin/service/new/").status_code == 302
    assert client.get("/admin/audit-log/edit/?id=1").status_code == 302
    client.post("/admin/audit-log/delete/", data={"csrf_token": token, "id": "1"})
    with site.sessions()() as session:
        assert session.get(AuditLog, 1) is not None


def test_organization_edit_is_audited_and_checked(site):
    client = _staff(site)
    url = "/admin/organization/edit/?id=org-refuge"
    values = _open_form(client, url)
    values["website"] = "not a url"
    assert "http" in client.post(url, data=values).get_data(as_text=True)
    values["website"] = "https://refuge.org.uk"
    assert client.post(url, data=values).status_code == 302
    with site.sessions()() as session:
        assert session.get(Organization, "org-refuge").website == "https://refuge.org.uk"
    [row] = _audit(site, "org-refuge")
    assert (row.table_name, row.action, row.before["website"], row.after["website"]) == (
        "organization", "update", None, "https://refuge.org.uk")


def test_list_search_and_filters(site):
    client = _staff(site)
    found = client.get("/admin/service/?search=Athena").get_data(as_text=True)
    assert "Athena" in found and "Forced Marriage Unit" not in found
    lewisham = client.get("/admin/service/?flt0_0=E09000023").get_data(as_text=True)
    assert "Athena" in lewisham and "Bexley domestic abuse One Stop Shop" not in lewisham
    stalking = client.get("/admin/service/?flt0_1=stalking").get_data(as_text=True)
    assert "National Stalking Helpline" in stalking and "Forced Marriage Unit" not in stalking
    audit = client.get("/admin/audit-log/").get_data(as_text=True)
    assert "import" in audit or "test" in audit



def test_confirm_one_service_with_how_and_a_note(site):
    """The confirm page: refused without a method or note (plain words), then confirmed and
    audited as 'confirm' with who and how; a stale version is refused."""
    client = _staff(site)
    url = f"/admin/service/confirm/?id={SERVICE}"
    page = client.get(url).get_data(as_text=True)
    token = csrf_token(page)
    version = str(_service(site).version)
    refused = client.post(url, data={"csrf_token": token, "version": version, "method": "",
                                     "note": "short"}).get_data(as_text=True)
    assert "Choose how you checked this service." in refused
    assert "at least 10 characters" in refused
    assert _service(site).last_verified is None and not _audit(site)
    stale = client.post(url, data={"csrf_token": token, "version": "999",
                                   "method": "phoned_service", "note": "Rang them, all correct."},
                        follow_redirects=True).get_data(as_text=True)
    assert "Someone else changed this service" in stale
    assert _service(site).last_verified is None
    done = client.post(url, data={"csrf_token": token, "version": version,
                                  "method": "phoned_service", "note": "Rang them, all correct."})
    assert done.status_code == 302
    service = _service(site)
    assert service.verified_by == STAFF_EMAIL and service.verification_method == "phoned_service"
    assert [row.action for row in _audit(site, SERVICE)][:1] == ["confirm"]


def test_list_shows_phone_state_and_last_confirmed_with_filters(site):
    client = _staff(site)
    page = client.get("/admin/service/?search=Forced").get_data(as_text=True)
    for heading in ("Phone", "State", "Last confirmed"):
        assert heading in page
    assert "Not yet confirmed (from a public source)" in page and "Never" in page
    unconfirmed = client.get("/admin/service/?search=Forced&flt0_2=unconfirmed").get_data(as_text=True)
    assert "Forced Marriage Unit" in unconfirmed
    assert "Forced Marriage Unit" not in client.get(
        "/admin/service/?search=Forced&flt0_2=overdue").get_data(as_text=True)


@pytest.mark.parametrize(("search", "present", "absent"), [
    ("Athena", "Athena", "Forced Marriage Unit"),
    ("Lewisham", "Athena", "Bexley domestic abuse One Stop Shop"),
    ("stalking", "National Stalking Helpline", "Forced Marriage Unit"),
])
def test_search_by_name_borough_and_topic(site, search, present, absent):
    page = _staff(site).get(f"/admin/service/?search={search}").get_data(as_text=True)
    assert present in page and absent not in page


def test_edit_areas_topics_and_hours(site):
    """Areas, topics and opening hours are on the form, saved and audited like the rest."""
    client = _staff(site)
    values = _open_form(client)
    assert values["service_areas"] and values["topics"]
    values["service_areas"] = [*values["service_areas"], "E09000023"]
    values["topics"] = [*values["topics"], "stalking"]
    values["schedules-0-byday"] = "MO,TU,WE,TH,FR"
    values["schedules-0-opens_at"] = "09:00"
    values["schedules-0-closes_at"] = "17:00"
    values["schedules-0-description"] = "Weekdays 9am to 5pm"
    response = client.post(EDIT_URL, data=values)
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
    service = _service(site)
    assert "E09000023" in {area.borough_code for area in service.areas}
    assert "topic-stalking" in {link.taxonomy_term_id for link in service.taxonomies}
    assert "Weekdays 9am to 5pm" in {s.description for s in service.schedules}
    tables = {row.table_name for row in _audit(site)}
    assert {"service_area", "service_taxonomy", "schedule"} <= tables
    # A bad time is refused in plain words, and nothing is written.
    values = _open_form(client)
    values["schedules-0-opens_at"] = "9am"
    refused = client.post(EDIT_URL, data=values).get_data(as_text=True)
    assert "Enter a time on the 24-hour clock" in refused
    values = _open_form(client)
    values["service_areas"] = []
    assert "Choose at least one area" in client.post(EDIT_URL, data=values).get_data(
        as_text=True)
