"""Issue 13, measured: every borough reaches a local service by a sourced route, and the
coverage report says, borough by borough and topic by topic, what a person would be told."""

from __future__ import annotations

import io
from contextlib import redirect_stdout

import pytest
from sqlalchemy import select

from services_directory.boroughs import BOROUGHS
from services_directory.coverage import build_report, local_entries, render_markdown
from services_directory.models import Phone, Service
from services_directory.vocabulary import TOPICS

# Boroughs where no public page read so far gives a current council domestic abuse page or a
# service contact: residents are sent to the council's own website (or the council-run help
# site it names), and the coverage report says so. Closing one of these gaps with a real page
# makes its check below fail, so the list is kept true.
WEBSITE_ONLY = {
    "Ealing": "https://www.saferealing.co.uk",
    "Hounslow": "https://www.hounslow.gov.uk",
    "Kensington and Chelsea": "https://www.rbkc.gov.uk/",
    "Redbridge": "https://www.redbridge.gov.uk",
}


@pytest.fixture(scope="module")
def entries(loaded_engine):
    from services_directory.db import session_factory

    with session_factory(loaded_engine)() as session:
        return local_entries(session)


def test_there_are_33_boroughs():
    assert len(BOROUGHS) == 33 and len({b.ons_code for b in BOROUGHS}) == 33


@pytest.mark.parametrize("borough", BOROUGHS, ids=[b.name for b in BOROUGHS])
def test_each_borough_has_an_active_local_service_with_a_sourced_route(entries, borough):
    reachable = [entry for entry in entries.get(borough.ons_code, [])
                 if entry.active and entry.routes]
    assert reachable, f"{borough.name}: no active local service with a sourced contact route"
    for entry in reachable:
        for route in entry.routes:  # a public page's address and the day it was read
            assert route.source_url.startswith("http") and route.read_on, (entry.id, route)


@pytest.fixture(scope="module")
def report(loaded_engine):
    from services_directory.db import session_factory

    with session_factory(loaded_engine)() as session:
        return build_report(session)


def test_every_borough_and_topic_gets_a_number_and_never_an_ended_service(report):
    assert [item.borough.name for item in report.boroughs] == [b.name for b in BOROUGHS]
    for item in report.boroughs:
        assert [topic.topic for topic in item.topics] == list(TOPICS)
        for topic in item.topics:
            cards = topic.cards
            assert any(card.phone for card in cards), (item.borough.name, topic.topic)
            assert all(card.verification != "ended" for card in cards)
            assert all(card.has_contact_route for card in cards), (item.borough.name,
                                                                   topic.topic)


def test_crisis_reaches_samaritans_and_housing_reaches_shelter_everywhere(report):
    for item in report.boroughs:
        by_topic = {topic.topic: [card.id for card in topic.cards] for topic in item.topics}
        assert "svc-national-samaritans" in by_topic["crisis"], item.borough.name
        assert "svc-national-shelter" in by_topic["housing"], item.borough.name


def test_a_boroughs_own_route_comes_first_when_it_has_one(report):
    for item in report.boroughs:
        general = next(topic for topic in item.topics if topic.topic == "domestic_abuse")
        if item.reachable:
            assert general.cards[0].scope == "local", item.borough.name


def test_an_old_number_is_not_shown_and_the_council_page_is(loaded_session, report):
    """Merton's IDVA number rests on a 2020 page: kept for staff, not shown to the public."""
    old = loaded_session.execute(select(Phone).where(
        Phone.service_id == "svc-merton-community-idva")).scalars().all()
    assert [phone.source_page_date for phone in old] == ["2020"]
    merton = next(item for item in report.boroughs if item.borough.name == "Merton")
    shown = {card.id: card for topic in merton.topics for card in topic.cards}
    assert "svc-merton-council-da-page" in shown
    assert all(old[0].number not in [line.number for line in card.phones]
               for card in shown.values())
    assert any("0207 801 1777" in phone for entry in merton.entries
               for phone in entry.old_phones)


def test_the_report_counts_states_and_names_the_gaps(loaded_session, report):
    text = render_markdown(report, "signpost directory coverage")
    for borough in BOROUGHS:
        assert f"| {borough.name} |" in text and f"### {borough.name}" in text
    assert "no local entry with a sourced way to reach it" not in text
    website_only = {item.borough.name for item in report.boroughs
                    if item.route_in.startswith("council website only")}
    assert website_only == set(WEBSITE_ONLY)
    for name in WEBSITE_ONLY:
        assert f"**{name}**: only the council's website is shown as the way in" in text
    # Nothing is confirmed until staff confirm it; the seeds' ended services count as ended.
    ended = loaded_session.execute(select(Service.id).where(
        Service.id == "svc-southwark-sass")).scalar_one()
    assert ended
    southwark = next(item for item in report.boroughs if item.borough.name == "Southwark")
    assert southwark.states["ended"] >= 1 and southwark.states["confirmed"] == 0


def test_the_coverage_command_prints_or_writes_the_report(loaded_engine, tmp_path):
    from test_dir_cli import run, url

    out = io.StringIO()
    with redirect_stdout(out):
        assert run("directory", "coverage", "--database-url", url(loaded_engine)) == 0
    assert out.getvalue().startswith("# Directory coverage")
    target = tmp_path / "coverage.md"
    with redirect_stdout(io.StringIO()):
        assert run("directory", "coverage", "--database-url", url(loaded_engine),
                   "--output", str(target)) == 0
    assert "`signpost directory coverage --output" in target.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(WEBSITE_ONLY))
def test_a_borough_with_only_the_council_website_is_shown_that_website_first(report, name):
    """The website is the route in, above London-wide services, and the card says plainly
    that no number was found (its words come from the research file, not from code)."""
    item = next(item for item in report.boroughs if item.borough.name == name)
    for topic in item.topics:
        if topic.topic == "perpetrator_help":
            continue  # only services for people who abuse are shown there
        local = [card for card in topic.cards if card.scope == "local"]
        assert local and local[0].website == WEBSITE_ONLY[name], (name, topic.topic)
        assert not local[0].phones
        assert "we cannot list one" in local[0].description
        assert local[0].source_url and local[0].source_url.startswith("https://")
        # the national 24-hour line still gives a number to call
        assert any(card.phone for card in topic.cards)


def test_the_council_page_is_a_route_in_only_where_no_main_service_number_shows(report):
    """Hackney's council page gave the number of the council's own team shown beside it: a
    second card saying the same thing, in the place of another service."""
    hackney = next(item for item in report.boroughs if item.borough.name == "Hackney")
    cards = next(topic.cards for topic in hackney.topics if topic.topic == "domestic_abuse")
    assert cards[0].id == "svc-hackney-dais" and cards[0].phone
    assert "svc-hackney-council-da-page" not in [card.id for card in cards]
    for item in report.boroughs:
        for topic in item.topics:
            main_with_number = [card for card in topic.cards if card.main_service and card.phone
                                and card.scope == "local"]
            council = [card for card in topic.cards if card.id.endswith("-council-da-page")]
            assert not (main_with_number and council), (item.borough.name, topic.topic)


def test_a_council_page_card_reads_as_words_for_the_public_not_research_notes(report):
    for item in report.boroughs:
        for topic in item.topics:
            for card in topic.cards:
                if card.id.endswith("-council-da-page"):
                    assert not card.description.startswith(("Older version", "Council news",
                                                             "Describes", "Part of")), card.id
