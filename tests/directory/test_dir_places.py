"""Place resolution: names, neighbourhoods, postcodes, outward codes, outside London."""

from __future__ import annotations

import pytest

from services_directory.places import normalise_name, resolve_place


@pytest.mark.parametrize(("text", "kind", "borough"), [
    ("Lewisham", "borough", "Lewisham"),
    ("  london borough of LEWISHAM ", "borough", "Lewisham"),
    ("H&F", "borough", "Hammersmith and Fulham"),
    ("Kensington & Chelsea", "borough", "Kensington and Chelsea"),
    ("RBKC", "borough", "Kensington and Chelsea"),
    ("city of westminster", "borough", "Westminster"),
    ("Peckham", "neighbourhood", "Southwark"),
    ("earl's court", "neighbourhood", "Kensington and Chelsea"),
    ("Earls Court", "neighbourhood", "Kensington and Chelsea"),
    ("Sidcup", "neighbourhood", "Bexley"),
    ("I live near Holloway", "neighbourhood", "Islington"),
    ("SE6 4JQ", "postcode", "Lewisham"),
    ("se64jq", "postcode", "Lewisham"),
    ("  se6   4jq ", "postcode", "Lewisham"),
    ("SW1A 1AA", "postcode", "Westminster"),
    ("my postcode is n7 6ah", "postcode", "Islington"),
    ("SE6", "outward_code", "Lewisham"),
])
def test_single_borough_places(loaded_session, text, kind, borough):
    match = resolve_place(loaded_session, text)
    assert match.kind == kind
    assert [b.name for b in match.candidates] == [borough]
    assert match.borough is not None and match.borough.name == borough
    assert match.text == text
    assert not match.needs_choice


def test_outward_code_spanning_boroughs_returns_all_candidates(loaded_session):
    match = resolve_place(loaded_session, "e1")
    assert match.kind == "outward_code"
    assert {b.name for b in match.candidates} == {"Tower Hamlets", "City of London", "Hackney"}
    assert match.candidates[0].name == "Tower Hamlets"  # most postcodes first
    assert match.borough is None and match.needs_choice


def test_outward_code_partly_outside_london_needs_a_choice(loaded_session):
    match = resolve_place(loaded_session, "DA1")
    assert match.kind == "outward_code"
    assert [b.name for b in match.candidates] == ["Bexley"]
    assert match.also_outside_london and match.needs_choice


@pytest.mark.parametrize("text", ["M1 1AE", "m11ae", "M1", "EH1 1YZ", "BR8 7AA"])
def test_valid_postcodes_outside_london(loaded_session, text):
    match = resolve_place(loaded_session, text)
    assert match.kind == "outside_london"
    assert match.candidates == ()


@pytest.mark.parametrize("text", ["", "   ", "Paris", "ZZ9 9ZZ", "QQ1", "London", None])
def test_unknown_places(loaded_session, text):
    match = resolve_place(loaded_session, text)
    assert match.kind == "unknown"
    assert match.candidates == ()


def test_name_normalisation_folds_common_spellings():
    assert normalise_name("Hammersmith & Fulham Council") == "hammersmith and fulham"
    assert normalise_name("Earl’s Court") == "earls court"
