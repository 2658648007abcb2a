"""Every London borough, its usual variants and single-borough neighbourhoods are recognised by
the spaCy pipeline the bot runs, and normalise to the official borough name in the directory."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.spacy_pipeline import build
from services_directory.boroughs import BOROUGHS


@pytest.fixture(scope="module")
def nlp(tmp_path_factory: pytest.TempPathFactory):
    import spacy

    return spacy.load(build(Path(tmp_path_factory.mktemp("spacy")) / "pipeline"))


def locations(nlp, text: str) -> list[str]:
    return [e.text for e in nlp(text.lower()).ents if e.label_ == "location"]


def test_all_33_boroughs_are_listed_once() -> None:
    codes = [b.ons_code for b in BOROUGHS]
    assert codes == [f"E090000{n:02d}" for n in range(1, 34)]


@pytest.mark.parametrize("name", sorted({n for b in BOROUGHS for n in (b.name, *b.variants)}))
def test_every_borough_name_and_variant_is_recognised(nlp, name: str) -> None:
    assert locations(nlp, f"i live in {name} with my kids") == [name.lower()]


@pytest.mark.parametrize("text, expected", [
    ("my postcode is SE13 6AB", "se13 6ab"),
    ("se136ab", "se136ab"),
    ("near E17 station", "e17"),
    ("im in peckham", "peckham"),
    ("we moved to manchester", "manchester"),
])
def test_postcodes_neighbourhoods_and_places_outside_london(nlp, text: str, expected: str) -> None:
    assert locations(nlp, text) == [expected]


@pytest.mark.parametrize("text", ["b4 he gets home", "gr8 thanks", "he hit me at 10pm", "m8 i need help"])
def test_text_speak_is_not_mistaken_for_a_postcode(nlp, text: str) -> None:
    assert locations(nlp, text) == []


@pytest.mark.parametrize(("text", "expected"), [
    ("wandswoth", "wandsworth"),
    ("tower hamlet", "tower hamlets"),
    ("  Barking ", "barking"),
    ("Lewisham", "lewisham"),
])
def test_a_london_name_said_alone_even_misspelt_is_found_without_a_database(text: str, expected: str) -> None:
    from services_directory.places import london_name

    assert london_name(text) == expected


@pytest.mark.parametrize("text", ["thanks", "yes please", "Harlow", "Manchester", "",
                                  "my husband hits me in wandsworth every night"])
def test_everyday_words_places_elsewhere_and_sentences_are_not_a_london_name(text: str) -> None:
    from services_directory.places import london_name

    assert london_name(text) is None


@pytest.mark.parametrize(("text", "place"), [
    ("wandswoth", "wandsworth"), ("she lives in wandswoth", "wandsworth"), ("im in tower hamlet", "tower hamlets"),
    ("i live in fear", None), ("i'm in pain", None), ("at the door", None),
    ("she lives in Harlow", "Harlow"),  # outside London: marked as it is, never as a London name
])
def test_the_nlu_marks_a_london_place_named_alone_or_at_the_end(text: str, place: str | None) -> None:
    from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
    from rasa.shared.nlu.training_data.message import Message

    from bot.nlu.person_axes import PersonAxes

    message = Message(data={TEXT: text, INTENT: {"name": "inform_location", "confidence": 0.6}})
    PersonAxes().process([message])

    marked = [e["value"] for e in message.get(ENTITIES) or [] if e["entity"] == "location"]
    assert marked == ([place] if place else [])


@pytest.mark.parametrize(("text", "place"), [
    # found talking to the bot as a man: "outside London" because of the word "reading"
    ("my girlfriend keeps reading my messages and says im nothing without her", None),
    ("the dog next door keeps barking and he shouts at it", None),
    ("my friend chelsea says her bf hits her", None),
    ("Reading", "reading"), ("i live in reading", "reading"), ("Barking", "barking"),
    ("im in barking", "barking"), ("barking station", "barking"), ("she lives in chelsea with him", "chelsea"),
    ("my husband is reading this over my shoulder in croydon", "croydon"),
])
def test_a_place_name_that_is_an_everyday_word_counts_only_when_used_as_a_place(
        nlp, text: str, place: str | None) -> None:
    from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
    from rasa.shared.nlu.training_data.message import Message

    from bot.nlu.person_axes import PersonAxes

    lowered = text.lower()  # as Rasa gives it to spaCy
    ruled = [{"entity": "location", "value": e.text, "start": e.start_char, "end": e.end_char,
              "extractor": "SpacyEntityExtractor"} for e in nlp(lowered).ents if e.label_ == "location"]
    message = Message(data={TEXT: text, INTENT: {"name": "coercive_control", "confidence": 0.6},
                            ENTITIES: ruled})
    PersonAxes().process([message])

    marked = [e["value"] for e in message.get(ENTITIES) or [] if e["entity"] == "location"]
    assert marked == ([place] if place else [])
