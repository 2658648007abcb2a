"""The bundled directory content: complete, honest about its sources, and safe."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from services_directory.db import session_factory
from services_directory.models import Location, Phone, Service
from services_directory.phones import normalise_uk_phone
from services_directory.tabular import bundled_data_dir, read_directory

REPO = Path(__file__).resolve().parents[2]
from tests.support.shared import NATIONAL_REFERENCE  # noqa: E402

SEED_BOROUGHS = {
    "E09000023": "Lewisham", "E09000028": "Southwark", "E09000004": "Bexley",
    "E09000019": "Islington", "E09000013": "Hammersmith and Fulham",
    "E09000020": "Kensington and Chelsea", "E09000033": "Westminster",
}


def rows(name: str) -> list[dict[str, str]]:
    with (bundled_data_dir() / name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def topics_of(service_id: str) -> set[str]:
    return {r["taxonomy_term_id"].removeprefix("topic-") for r in rows("service_taxonomies.csv")
            if r["service_id"] == service_id}


def eligibility_of(service_id: str) -> dict[str, str]:
    return next(r for r in rows("eligibilities.csv") if r["service_id"] == service_id)


def test_bundled_csvs_pass_import_validation():
    _, errors = read_directory(bundled_data_dir())
    assert errors == []


@pytest.mark.skipif(not NATIONAL_REFERENCE.exists(), reason="shared reference not mounted")
def test_no_invented_phone_numbers():
    """Every number we ship must be printed in the national reference list."""
    reference = NATIONAL_REFERENCE.read_text(encoding="utf-8")
    published = {
        normalise_uk_phone(match)
        for match in re.findall(r"\+?\d[\d ]{2,}\d", reference)
    } - {None}
    shipped = [r["number"] for r in rows("phones.csv")]
    assert shipped, "expected the national helplines to have numbers"
    for number in shipped:
        assert normalise_uk_phone(number) in published, f"{number} is not in national-support.md"


def test_phones_belong_only_to_national_services_and_cite_the_reference():
    for phone in rows("phones.csv"):
        assert phone["service_id"].startswith("svc-national-"), phone
        assert phone["source"] == "shared/reference/national-support.md"
        assert phone["last_verified"] == "", "nobody has confirmed a bundled number"


def test_every_service_names_its_source_and_nobody_claims_to_have_confirmed_it():
    seeds = {p.name for p in Path("/work/shared/seeds").glob("*.txt")}
    for service in rows("services.csv"):
        assert service["description"].strip()
        for column in ("last_verified", "verified_by", "verification_method",
                       "verification_note"):
            assert service[column] == "", (service["id"], column)
        source = service["source"]
        if service["id"].startswith("svc-national-"):
            assert source == "shared/reference/national-support.md"
        else:
            match = re.match(r"^seeds/(\S+\.txt) \(.+\)$", source)
            assert match, source
            if seeds:
                assert match.group(1) in seeds
            assert "Contact details were not in the seed" in service["source_note"]


@pytest.mark.parametrize("service_id", ["svc-southwark-sass", "svc-southwark-sass-perpetrator",
                                        "svc-triborough-dvip", "svc-triborough-fgm-service"])
def test_services_the_seeds_say_ended_are_defunct_with_the_reason(service_id):
    service = next(r for r in rows("services.csv") if r["id"] == service_id)
    assert service["status"] == "defunct"
    assert re.search(r"20(17|19)", service["status_note"]), service["status_note"]


def test_shelter_is_housing_and_samaritans_is_crisis():
    assert "housing" in topics_of("svc-national-shelter")
    assert "crisis" in topics_of("svc-national-samaritans")


def test_all_seed_boroughs_have_local_services():
    covered = {r["borough_code"] for r in rows("service_areas.csv") if r["scope"] == "borough"}
    assert set(SEED_BOROUGHS) <= covered


def test_professional_only_mechanisms_are_not_listed():
    names = " ".join(r["name"] for r in rows("services.csv")).lower()
    for word in ("marac", "mash", "daily safeguarding", "domestic homicide", "iris",
                 "strategic board", "mopac"):
        assert word not in names, word


def test_refuges_are_confidential_with_no_address():
    locations = rows("locations.csv")
    assert locations, "refuge-type services should have a confidential location"
    for location in locations:
        assert location["confidential"] == "true"
        for field in ("address_1", "postal_code", "latitude", "longitude"):
            assert location[field] == "", (location["id"], field)


@pytest.mark.parametrize(("service_id", "expected_topics", "audience"), [
    ("svc-national-karma-nirvana", {"forced_marriage", "honour_based_abuse"}, None),
    ("svc-national-nspcc-fgm-helpline", {"fgm"}, None),
    ("svc-national-galop", None, "lgbt_plus"),
    ("svc-national-mens-advice-line", None, "men"),
    ("svc-national-respect-phoneline", {"perpetrator_help"}, "perpetrators"),
    ("svc-national-rape-crisis", {"sexual_violence"}, None),
    ("svc-national-revenge-porn-helpline", {"tech_abuse"}, None),
    ("svc-national-stalking-helpline", {"stalking"}, None),
    ("svc-national-modern-slavery-helpline", {"trafficking_exploitation"}, None),
])
def test_national_lines_have_the_right_topics_and_audiences(service_id, expected_topics,
                                                            audience):
    if expected_topics is not None:
        assert topics_of(service_id) == expected_topics
    if audience is not None:
        assert audience in eligibility_of(service_id)["audiences"].split(";")


def test_national_domestic_abuse_helpline_is_the_catch_all():
    topics = topics_of("svc-national-domestic-abuse-helpline")
    assert {"domestic_abuse", "coercive_control", "physical_abuse", "economic_abuse"} <= topics
    schedule = [r for r in rows("schedules.csv")
                if r["service_id"] == "svc-national-domestic-abuse-helpline"]
    assert schedule and schedule[0]["is_24_hours"] == "true"


def test_bundled_data_loads(data_engine):
    with session_factory(data_engine)() as session:
        services = session.execute(select(func.count()).select_from(Service)).scalar_one()
        phones = session.execute(select(func.count()).select_from(Phone)).scalar_one()
        confidential = session.execute(
            select(func.count()).select_from(Location).where(Location.confidential)
        ).scalar_one()
    assert services == len(rows("services.csv"))
    assert phones == len(rows("phones.csv"))
    assert confidential == len(rows("locations.csv"))
