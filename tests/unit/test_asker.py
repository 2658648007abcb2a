"""actions/asker.py: the person as search sees them, from the conversation's slots only."""

from __future__ import annotations

from typing import Any

import pytest

from actions.asker import asker_fields, asker_from
from services_directory.asker import Asker, asker_for_audience


class Slots:
    """The one thing the action reads from a tracker: its slots."""

    def __init__(self, **slots: Any) -> None:
        self.slots = slots

    def get_slot(self, name: str) -> Any:
        return self.slots.get(name)


def test_nothing_said_means_nothing_assumed() -> None:
    assert asker_from(Slots(speaker="self")) == Asker()


def test_what_the_person_said_becomes_the_asker() -> None:
    asker = asker_from(Slots(speaker="self", gender="male", age_group="older", lgbt_plus="yes",
                             deaf="yes", disabled="yes", nrpf="yes", limited_english="yes"))
    assert asker == Asker(gender="male", age_group="older", lgbt_plus=True, deaf=True,
                          disabled=True, nrpf=True, limited_english=True, role="self")
    assert asker.audiences()[:1] == ("older_people",)


@pytest.mark.parametrize(("speaker", "role"), [
    ("self", "self"), ("other", "supporter"), ("own_behaviour", "own_behaviour"),
    (None, "self")])
def test_who_is_speaking_becomes_the_role(speaker: str | None, role: str) -> None:
    assert asker_from(Slots(speaker=speaker)).role == role


def test_an_unexpected_slot_value_is_not_known_rather_than_a_crash() -> None:
    """A bad value would make Asker raise and the person would get no services at all."""
    fields = asker_fields(Slots(gender="Female", age_group="teen", lgbt_plus="maybe"))
    assert fields["gender"] is None and fields["age_group"] is None
    assert fields["lgbt_plus"] is False
    assert asker_from(Slots(gender="Female", age_group="teen")) == Asker()


def test_the_asker_refuses_words_outside_its_vocabulary() -> None:
    with pytest.raises(ValueError):
        Asker(gender="unknown")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        Asker(age_group="teen")  # type: ignore[arg-type]


@pytest.mark.parametrize(("asker", "first"), [
    (Asker(role="own_behaviour"), "perpetrators"),
    (Asker(age_group="under_13"), "children"),
    (Asker(age_group="under_18"), "young_people"),
    (Asker(gender="male"), "men"),
    (Asker(lgbt_plus=True, gender="female"), "lgbt_plus"),
])
def test_the_most_specific_group_comes_first(asker: Asker, first: str) -> None:
    assert asker.audiences()[0] == first


def test_a_supporter_is_not_the_person_they_worry_about() -> None:
    assert asker_for_audience("friends_family") == Asker(role="supporter")
    assert asker_for_audience("black_and_minoritised") is None
