"""The sourced research files: strict checks that name the file and field, no invented facts,
and a merge that keeps the seed entries while the research wins for the same service."""

from __future__ import annotations

import re
import shutil
import textwrap
from pathlib import Path

import pytest
import yaml

from services_directory.phones import normalise_uk_phone
from services_directory.sources import (
    SourcesError,
    audience_restricted,
    build_bundle,
    load_bundle,
    read_sources,
    sources_dir,
)
from tests.support.shared import NATIONAL_REFERENCE

GOOD_SERVICE = {
    "id": "svc-lewisham-example",
    "name": "Example service",
    "provider": "Example charity",
    "scope": "borough",
    "boroughs": ["E09000023"],
    "commissioned_by_council": True,
    "main_service": True,
    "description": "Help for people in Lewisham.",
    "topics": ["domestic_abuse"],
    "eligibility": {"gender": None, "min_age": 16, "max_age": None, "audiences": ["women"],
                    "residents_only": True, "note": "For women 16+ living in Lewisham."},
    # The National Domestic Abuse Helpline's number (national-support.md): tests never
    # make numbers up either.
    "contact": {"phones": [{"number": "0808 2000 247", "label": None, "hours": None}],
                "email": None, "website": "https://example.org", "form_url": None,
                "hours": None, "address": None},
    "sources": [{"url": "https://example.org/help", "page_date": "2025-01", "read_on":
                 "2026-11-28", "page_date_basis": "shown", "supports": ["name", "phone"]}],
    "status": "active",
    "status_note": None,
}


def research_tree(tmp_path: Path, service: dict | None = None, **top: object) -> Path:
    """A sources folder with one Lewisham file holding `service`."""
    root = tmp_path / "sources"
    (root / "boroughs").mkdir(parents=True)
    (root / "london").mkdir()
    data = {"borough_code": "E09000023", "borough": "Lewisham", "researched_on": "2026-11-28",
            "council_pages": [], "services": [service or GOOD_SERVICE], "notes": None}
    data.update(top)
    (root / "boroughs" / "E09000023-lewisham.yaml").write_text(yaml.safe_dump(data))
    return root


def with_changes(**changes: object) -> dict:
    service = yaml.safe_load(yaml.safe_dump(GOOD_SERVICE))
    for dotted, value in changes.items():
        target = service
        *path, last = dotted.split("__")
        for key in path:
            target = target[int(key)] if isinstance(target, list) else target[key]
        target[last] = value
    return service


def problems_for(tmp_path: Path, service: dict) -> list[str]:
    _, problems = read_sources(research_tree(tmp_path, service))
    return problems


def test_the_research_files_in_the_repository_are_valid():
    """Fails until every research file passes: run `signpost directory sources check`."""
    files, problems = read_sources()
    assert problems == []
    assert len([f for f in files if f.borough_code]) == 33
    assert load_bundle()[1].unused_curation == []


def test_a_good_file_has_no_problems(tmp_path):
    assert problems_for(tmp_path, GOOD_SERVICE) == []


@pytest.mark.parametrize(("changes", "field", "words"), [
    ({"topics": ["domestic_abuse", "burglary"]}, "services[0].topics", "unknown topic 'burglary'"),
    ({"eligibility__audiences": ["women", "aliens"]}, "services[0].eligibility.audiences",
     "unknown audience 'aliens'"),
    ({"contact__phones__0__number": "12345"}, "services[0].contact.phones[0].number",
     "does not look like a UK phone number"),
    ({"contact__phones__0__number": "+1 212 555 0100"}, "services[0].contact.phones[0].number",
     "does not look like a UK phone number"),
    ({"sources": []}, "services[0].sources", "needs at least one source"),
    ({"sources__0__supports": ["name"]}, "services[0].contact.phones",
     "no source lists 'phone'"),
    ({"contact__email": "help@example.org"}, "services[0].contact.email",
     "no source lists 'email'"),
    ({"contact__hours": "Monday to Friday"}, "services[0].contact.hours",
     "no source lists 'hours'"),
    ({"sources__0__page_date": "spring 2024"}, "services[0].sources[0].page_date",
     "YYYY, YYYY-MM or YYYY-MM-DD"),
    ({"sources__0__read_on": None}, "services[0].sources[0].read_on", "is required"),
    ({"scope": "borough", "boroughs": ["E09000099"]}, "services[0].boroughs",
     "unknown borough code"),
    ({"eligibility__gender": "woman"}, "services[0].eligibility.gender", "unknown gender"),
    ({"status": "maybe"}, "services[0].status", "unknown status"),
    ({"name": "Refuge for women", "contact__address": "1 High Street"},
     "services[0].contact.address", "refuge's address must never be recorded"),
])
def test_each_problem_names_the_file_and_field(tmp_path, changes, field, words):
    problems = problems_for(tmp_path, with_changes(**changes))
    expected = f"boroughs/E09000023-lewisham.yaml: {field}: "
    assert any(p.startswith(expected) and words in p for p in problems), problems


def test_a_borough_file_must_match_its_name(tmp_path):
    root = research_tree(tmp_path, borough_code="E09000028")
    _, problems = read_sources(root)
    assert any("borough_code: E09000028 does not match the file name" in p for p in problems)


def test_a_broken_yaml_file_is_named(tmp_path):
    root = research_tree(tmp_path)
    (root / "london" / "broken.yaml").write_text("services: [\n  - id: x\n")
    _, problems = read_sources(root)
    assert any(p.startswith("london/broken.yaml: line ") for p in problems), problems


def test_strict_build_refuses_and_lenient_build_leaves_the_bad_file_out(tmp_path):
    root = research_tree(tmp_path)
    (root / "london" / "bad.yaml").write_text(yaml.safe_dump({
        "researched_on": "2026-11-28",
        "services": [{**with_changes(id="svc-london-bad", scope="london", boroughs=[]),
                      "topics": ["nonsense"]}]}))
    with pytest.raises(SourcesError, match=re.escape("london/bad.yaml: services[0].topics")):
        build_bundle(root=root)
    bundle = build_bundle(root=root, strict=False)
    ids = {row["id"] for _, row in bundle.parsed["services.csv"].rows}
    assert "svc-lewisham-example" in ids and "svc-london-bad" not in ids
    assert bundle.report.skipped_files == ["london/bad.yaml"]


def test_rows_carry_provenance_and_no_confirmation(tmp_path):
    parsed, _ = load_bundle(root=research_tree(tmp_path))
    [service] = [row for _, row in parsed["services.csv"].rows
                 if row["id"] == "svc-lewisham-example"]
    assert service["source_url"] == "https://example.org/help"
    assert service["source_page_date"] == "2025-01"
    assert str(service["source_read_on"]) == "2026-11-28"
    assert service["main_service"] and service["commissioned_by_council"]
    assert service["last_verified"] is None and service["verified_by"] is None
    [phone] = [row for _, row in parsed["phones.csv"].rows
               if row["service_id"] == "svc-lewisham-example"]
    assert (phone["number"], phone["source_url"], phone["source_page_date"]) == (
        "0808 2000 247", "https://example.org/help", "2025-01")
    [elig] = [row for _, row in parsed["eligibilities.csv"].rows
              if row["service_id"] == "svc-lewisham-example"]
    assert (elig["minimum_age"], elig["residents_only"], elig["audiences"]) == (16, True, "women")


def test_research_with_a_seed_id_replaces_it_and_ended_stays_ended():
    parsed, report = load_bundle()
    services = {row["id"]: row for _, row in parsed["services.csv"].rows}
    # Seed entries stay, with their seed source...
    assert services["svc-bexley-family-wellbeing"]["source"].startswith("seeds/")
    # ...and the research wins where it is the same service.
    assert services["svc-lewisham-athena"]["source"].startswith("sources/boroughs/")
    assert services["svc-southwark-sass"]["status"] == "defunct"
    for ended in ("svc-southwark-sass-perpetrator", "svc-triborough-dvip",
                  "svc-triborough-fgm-service"):
        assert services[ended]["status"] == "defunct", ended
    # A seed entry replaced under other ids is kept, inactive, pointing at its replacements.
    angelou = services["svc-triborough-angelou"]
    assert angelou["status"] == "inactive"
    assert "svc-hammersmith-and-fulham-angelou" in angelou["status_note"]
    assert services["svc-national-galop"]["status"] == "inactive"
    assert report.superseded["svc-national-galop"] == ["svc-national-galop-helpline"]


def test_no_address_is_ever_stored_from_the_research():
    parsed, report = load_bundle()
    locations = [row for _, row in parsed["locations.csv"].rows]
    assert all(row["id"].startswith("loc-") and row["address_1"] is None for row in locations)
    assert report.addresses_left_out  # some research entries had walk-in addresses


def _published_numbers(text: str) -> set[str]:
    return {normalise_uk_phone(match) for match in re.findall(r"\+?\d[\d ]{2,}\d", text)} - {
        None}


@pytest.mark.skipif(not NATIONAL_REFERENCE.exists(), reason="shared reference not mounted")
def test_every_number_is_printed_in_a_research_file_or_the_national_reference():
    """Nothing from memory: each number appears in the file that cites its page."""
    published = _published_numbers(NATIONAL_REFERENCE.read_text(encoding="utf-8"))
    for path in sources_dir().rglob("*.yaml"):
        published |= _published_numbers(path.read_text(encoding="utf-8"))
    parsed, _ = load_bundle()
    numbers = [row["number"] for _, row in parsed["phones.csv"].rows]
    assert len(numbers) > 30
    for number in numbers:
        assert normalise_uk_phone(number) in published, number


def test_every_research_phone_keeps_its_own_source():
    parsed, _ = load_bundle()
    for _, phone in parsed["phones.csv"].rows:
        if phone["source"].startswith("sources/"):
            assert phone["source_url"] and phone["source_read_on"], phone["id"]


@pytest.mark.parametrize(("audiences", "restricted"), [
    (["lgbt_plus"], True), (["men"], True), (["deaf", "disabled"], True),
    (["disabled", "friends_family"], True), (["women", "men"], False), ([], False),
    (["women", "black_and_minoritised"], False), (["friends_family"], False),
])
def test_who_a_service_is_only_for(audiences, restricted):
    assert audience_restricted(audiences) is restricted


def test_council_pages_become_the_boroughs_route_in(tmp_path):
    page = {"url": "https://lewisham.gov.uk/domestic-abuse", "title": "Domestic abuse",
            "page_date": None, "page_date_basis": "none shown", "read_on": "2026-11-28",
            "summary": "How to get help in Lewisham.", "contact": {
                "phone": None, "email": None, "form_url": None}}
    news = {**page, "url": "https://lewisham.gov.uk/news/2017/campaign", "title": "Campaign"}
    root = research_tree(tmp_path, council_pages=[news, page])
    bundle = build_bundle(root=root)
    route = next(row for _, row in bundle.parsed["services.csv"].rows
                 if row["id"] == "svc-lewisham-council-da-page")
    assert route["url"] == "https://lewisham.gov.uk/domestic-abuse"
    # Named in plain words for the public; the page's own title stays with its source.
    assert route["name"] == "Lewisham Council: help with domestic abuse"
    sources = [row for _, row in bundle.parsed["service_sources.csv"].rows
               if row["service_id"] == "svc-lewisham-council-da-page"]
    assert [row["title"] for row in sources] == ["Domestic abuse"]
    root = research_tree(tmp_path / "only-news", council_pages=[news])
    assert "svc-lewisham-council-da-page" not in {
        row["id"] for _, row in build_bundle(root=root).parsed["services.csv"].rows}


def test_a_researcher_can_choose_the_route_in_when_no_council_page_qualifies(tmp_path):
    """Bexley and Havering have no council page for residents: the researcher marks the
    borough's own domestic abuse site as the route in, named for what it is."""
    professionals = {"url": "https://lewisham.gov.uk/vawg/information-professionals",
                     "title": "Information for professionals", "page_date": None,
                     "page_date_basis": "none shown", "read_on": "2026-11-29",
                     "summary": "What to do and which services to refer to.",
                     "contact": {"phone": None, "email": None, "form_url": None}}
    root = research_tree(tmp_path / "plain", council_pages=[professionals])
    assert "svc-lewisham-council-da-page" not in {
        row["id"] for _, row in build_bundle(root=root).parsed["services.csv"].rows}
    chosen = {**professionals, "route_in": True, "route_name": "Lewisham VAWG advice"}
    root = research_tree(tmp_path / "chosen", council_pages=[chosen])
    route = next(row for _, row in build_bundle(root=root).parsed["services.csv"].rows
                 if row["id"] == "svc-lewisham-council-da-page")
    assert route["name"] == "Lewisham VAWG advice" and route["url"] == professionals["url"]
    # A chosen page is still not the council's current page once it is too old.
    old = {**chosen, "page_date": "2019"}
    root = research_tree(tmp_path / "old", council_pages=[old])
    assert "svc-lewisham-council-da-page" not in {
        row["id"] for _, row in build_bundle(root=root).parsed["services.csv"].rows}


def test_curation_must_point_at_real_entries(tmp_path):
    curation = tmp_path / "curation.yaml"
    curation.write_text(textwrap.dedent("""
        same_service:
          svc-lewisham-example: {replaces: [svc-not-in-the-seed], why: "test"}
    """))
    with pytest.raises(SourcesError, match="no seed entry 'svc-not-in-the-seed'"):
        build_bundle(root=research_tree(tmp_path), curation_path=curation)


def test_the_loader_does_not_change_the_research_files(tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(sources_dir(), copy)
    load_bundle(root=copy)
    for path in copy.rglob("*.yaml"):
        assert path.read_bytes() == (sources_dir() / path.relative_to(copy)).read_bytes()
