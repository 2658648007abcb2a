"""The public read API (/api/services) on the real web front app and real databases."""

from __future__ import annotations

import json
from datetime import date

import pytest
from admin_support import LEWISHAM, LOCATION_SERVICE, PUBLIC_LOCATION, SECRET_LOCATION
from sqlalchemy import select

from services_directory.models import Location, Service, ServiceAtLocation, utcnow
from services_directory.service_layer import Confirmation, confirm_service


def _live_ids(site) -> set[str]:
    with site.sessions()() as session:
        return set(session.execute(
            select(Service.id).where(Service.deleted_at.is_(None), Service.status == "active")).scalars())


def _all_pages(client, query: str = "", per_page: int = 100) -> list[dict]:
    services, page = [], 1
    while True:
        body = client.get(f"/api/services?per_page={per_page}&page={page}{query}").get_json()
        services += body["contents"]
        if body["last_page"]:
            return services
        page += 1


def test_pagination_covers_every_live_service_once(site):
    client = site.client()
    live = _live_ids(site)
    first = client.get("/api/services?per_page=10")
    assert first.status_code == 200 and first.mimetype == "application/json"
    body = first.get_json()
    assert set(body) == {"total_items", "total_pages", "page_number", "size", "first_page",
                         "last_page", "empty", "contents"}
    assert body["total_items"] == len(live)
    assert body["total_pages"] == -(-len(live) // 10)
    assert (body["page_number"], body["size"], body["first_page"], body["last_page"],
            body["empty"]) == (1, 10, True, False, False)
    assert len(body["contents"]) == 10

    last = client.get(f"/api/services?per_page=10&page={body['total_pages']}").get_json()
    assert last["last_page"] and not last["first_page"]
    assert len(last["contents"]) == len(live) - 10 * (body["total_pages"] - 1)

    beyond = client.get(f"/api/services?per_page=10&page={body['total_pages'] + 1}").get_json()
    assert beyond["empty"] and beyond["contents"] == [] and beyond["last_page"]

    ids = [service["id"] for service in _all_pages(client, per_page=7)]
    assert len(ids) == len(set(ids)) and set(ids) == live

    default = client.get("/api/services").get_json()
    assert default["size"] == 20 and len(default["contents"]) == 20


def test_taxonomy_filter(site):
    client = site.client()
    stalking = _all_pages(client, "&taxonomy_term=stalking")
    assert stalking, "the bundled data has stalking services"
    for service in stalking:
        assert "stalking" in {term["name"] for term in service["taxonomy_terms"]}
    by_id = _all_pages(client, "&taxonomy_term=topic-stalking")
    assert [s["id"] for s in by_id] == [s["id"] for s in stalking]
    everything = _all_pages(client)
    expected = {s["id"] for s in everything
                if "stalking" in {t["name"] for t in s["taxonomy_terms"]}}
    assert {s["id"] for s in stalking} == expected


def _scopes(service: dict) -> set[str]:
    return {area["borough_code"] if area["scope"] == "borough" else area["scope"]
            for area in service["service_areas"]}


def _rank(service: dict) -> int:
    scopes = _scopes(service)
    return 0 if LEWISHAM in scopes else 1 if "london" in scopes else 2


def test_place_filter_serves_the_place_local_first(site):
    client = site.client()
    lewisham = _all_pages(client, "&postcode=SE6%204JQ")
    assert lewisham
    for service in lewisham:
        assert _scopes(service) & {LEWISHAM, "london", "national"}, service["id"]
    ranks = [_rank(service) for service in lewisham]
    assert ranks == sorted(ranks) and ranks[0] == 0 and 2 in ranks
    assert LOCATION_SERVICE in {service["id"] for service in lewisham}
    assert not any(service["id"].startswith("svc-bexley") for service in lewisham)
    # Any place text the bot understands works the same way.
    by_name = _all_pages(client, "&postcode=Lewisham")
    assert [s["id"] for s in by_name] == [s["id"] for s in lewisham]
    combined = _all_pages(client, "&postcode=Lewisham&taxonomy_term=stalking")
    assert {s["id"] for s in combined} == {
        s["id"] for s in lewisham if "stalking" in {t["name"] for t in s["taxonomy_terms"]}}


def test_outside_london_gets_national_services_only(site):
    services = _all_pages(site.client(), "&postcode=M1%201AE")
    assert services
    assert all(_scopes(service) == {"national"} for service in services)


def test_one_service_with_its_details(site):
    url = "/api/services/svc-national-forced-marriage-unit"
    unconfirmed = site.client().get(url).get_json()
    # api.py publishes a number only once staff have confirmed it (its own rule), and
    # nobody has confirmed the bundled numbers yet.
    assert unconfirmed["phones"] == [] and unconfirmed["last_verified"] is None
    with site.sessions()() as session:
        confirm_service(session, "officer@example.org", "svc-national-forced-marriage-unit",
                        None, Confirmation("service_website", "Both numbers on gov.uk page"))
    response = site.client().get(url)
    assert response.status_code == 200
    service = response.get_json()
    assert service["id"] == "svc-national-forced-marriage-unit"
    assert service["organization"]["name"]
    assert [phone["number"] for phone in service["phones"]] == ["020 7008 0151",
                                                                "+44 20 7008 0151"]
    assert all(phone["last_verified"] == date.today().isoformat()
               for phone in service["phones"])
    assert service["service_areas"] == [{
        "id": "area-svc-national-forced-marriage-unit-national", "scope": "national",
        "borough_code": None, "name": "National", "description": None}]
    assert "forced_marriage" in {term["name"] for term in service["taxonomy_terms"]}
    assert set(service["eligibility"]) == {"gender", "minimum_age", "maximum_age", "audiences",
                                           "audience_restricted", "description"}
    assert service["source"] and service["last_verified"]
    assert "verification_note" not in service and "version" not in service
    helpline = site.client().get("/api/services/svc-national-domestic-abuse-helpline")
    schedules = helpline.get_json()["schedules"]
    assert schedules and schedules[0]["is_24_hours"] is True
    arabic = site.client().get("/api/services/svc-kensington-al-aman").get_json()
    assert [language["name"] for language in arabic["languages"]] == ["Arabic"]


def test_unknown_and_deleted_services_are_404_json(site):
    client = site.client()
    missing = client.get("/api/services/svc-no-such-thing")
    assert missing.status_code == 404 and missing.get_json() == {
        "error": "no service with id 'svc-no-such-thing'"}
    assert client.get("/api/services/svc-lewisham-athena").status_code == 200
    with site.sessions()() as session, session.begin():
        session.get(Service, "svc-lewisham-athena").deleted_at = utcnow()
    deleted = client.get("/api/services/svc-lewisham-athena")
    assert deleted.status_code == 404 and "error" in deleted.get_json()
    assert "svc-lewisham-athena" not in {s["id"] for s in _all_pages(client)}


@pytest.mark.parametrize(("query", "mentions"), [
    ("page=0", "page"),
    ("page=two", "page"),
    ("page=-1", "page"),
    ("per_page=0", "per_page"),
    ("per_page=101", "per_page"),
    ("per_page=1.5", "per_page"),
    ("taxonomy_term=gardening", "taxonomy_term"),
    ("postcode=Atlantis", "postcode"),
    ("postcode=" + "x" * 101, "postcode"),
    ("taxonomy=stalking", "taxonomy"),
    ("page=1&page=2", "page"),
])
def test_bad_parameters_are_400_json_with_a_reason(site, query, mentions):
    response = site.client().get(f"/api/services?{query}")
    assert response.status_code == 400
    assert response.mimetype == "application/json"
    assert mentions in response.get_json()["error"]


def test_confidential_locations_never_leak(site):
    client = site.client()
    with site.sessions()() as session:
        secrets = [(loc.id, loc.name) for loc in session.execute(
            select(Location).where(Location.confidential.is_(True))).scalars()]
        refuge_links = set(session.execute(
            select(ServiceAtLocation.service_id).join(
                Location, Location.id == ServiceAtLocation.location_id
            ).where(Location.confidential.is_(True))).scalars())
    assert SECRET_LOCATION["id"] in {loc_id for loc_id, _ in secrets} and len(secrets) > 1

    athena = client.get(f"/api/services/{LOCATION_SERVICE}").get_json()
    shown = athena["service_at_locations"]
    assert [link["location"]["id"] for link in shown] == [PUBLIC_LOCATION["id"]]
    assert shown[0]["location"]["address_1"] == PUBLIC_LOCATION["address_1"]

    texts = [json.dumps(_all_pages(client))]
    texts += [client.get(f"/api/services/{service_id}").get_data(as_text=True)
              for service_id in refuge_links]
    texts += [json.dumps(_all_pages(client, "&postcode=Lewisham"))]
    for text in texts:
        for loc_id, name in secrets:
            assert loc_id not in text and name not in text
    for service_id in refuge_links - {LOCATION_SERVICE}:
        assert client.get(f"/api/services/{service_id}").get_json()["service_at_locations"] == []


def test_public_pages_and_api_set_no_cookie(site):
    client = site.client()
    for path in ("/", "/api/services", "/api/services/svc-lewisham-athena", "/api/services/x"):
        response = client.get(path)
        assert "Set-Cookie" not in response.headers, path
    assert "no-store" in client.get("/api/services").headers["Cache-Control"]


def test_engine_is_built_on_first_request_only(make_site):
    site = make_site()
    database = site.app.extensions["signpost_directory_db"]
    assert database.engine is None
    site.client().get("/api/services?per_page=1")
    assert database.engine is not None


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_database_down_is_503_json(make_site):
    site = make_site()
    site.app.extensions["signpost_directory_db"].url = "postgresql+psycopg2://u@127.0.0.1:1/x"
    response = site.client().get("/api/services")
    assert response.status_code == 503
    assert "unavailable" in response.get_json()["error"]



def test_closed_services_are_not_listed_but_readable_by_id(site):
    client = site.client()
    listed = {s["id"] for s in _all_pages(client)}
    assert "svc-triborough-fgm-service" not in listed
    one = client.get("/api/services/svc-triborough-fgm-service").get_json()
    assert one["status"] == "defunct"
