"""Who is asking, in the directory's terms: what search needs to fit services to the person.

The bot's actions build an Asker from what the conversation has told them (never guessed);
every field defaults to "not known", and search then filters nothing on it. Search uses it to
drop services the person cannot use (a man is not sent to a women-only service; someone who
wants help to stop abusing gets the Respect Phoneline, never victims' services) and to put
the lines made for them first (the Men's Advice Line for men, Galop for LGBT+ people,
Childline for under-18s, Hourglass for older people, Deaf services for Deaf people).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Gender = Literal["female", "male"]
AgeGroup = Literal["under_13", "under_18", "adult", "older"]
Role = Literal["self", "supporter", "own_behaviour"]

GENDERS: tuple[str, ...] = ("female", "male")
AGE_GROUPS: tuple[str, ...] = ("under_13", "under_18", "adult", "older")
ROLES: tuple[str, ...] = ("self", "supporter", "own_behaviour")
# The ages each group may be, for dropping services with age limits the person is outside.
AGE_RANGES: dict[str, tuple[int, int]] = {
    "under_13": (0, 12),
    "under_18": (13, 17),
    "adult": (18, 59),
    "older": (60, 120),
}


@dataclass(frozen=True)
class Asker:
    gender: Literal["female", "male"] | None = None
    age_group: Literal["under_13", "under_18", "adult", "older"] | None = None
    lgbt_plus: bool = False
    deaf: bool = False
    disabled: bool = False
    nrpf: bool = False            # no recourse to public funds
    limited_english: bool = False
    minoritised: bool = False     # of a community by-and-for services serve
    role: Literal["self", "supporter", "own_behaviour"] = "self"
    # For a supporter every other field describes the person they worry about ("my brother's
    # wife hits him": a man), never the supporter: the bot reads it from words about that
    # person (bot/understanding/reading.py), so services fit the one who would use them.

    def __post_init__(self) -> None:
        """A wrong value is a bug in the caller: say so rather than search for nobody."""
        if self.gender is not None and self.gender not in GENDERS:
            raise ValueError(f"unknown gender {self.gender!r}; expected female, male or None")
        if self.age_group is not None and self.age_group not in AGE_GROUPS:
            raise ValueError(f"unknown age_group {self.age_group!r}; expected one of "
                             f"{', '.join(AGE_GROUPS)} or None")
        if self.role not in ROLES:
            raise ValueError(f"unknown role {self.role!r}; expected one of {', '.join(ROLES)}")

    def audiences(self) -> tuple[str, ...]:
        """The directory audiences (vocabulary.AUDIENCES) this person belongs to, most
        specific first: services kept for one of them are open to this person."""
        groups: list[str] = []
        if self.role == "own_behaviour":
            groups.append("perpetrators")
        if self.role == "supporter":
            groups.append("friends_family")
        if self.age_group == "under_13":
            groups += ["children", "young_people"]
        elif self.age_group == "under_18":
            groups += ["young_people", "children"]
        elif self.age_group == "older":
            groups.append("older_people")
        if self.deaf:
            groups.append("deaf")
        if self.lgbt_plus:
            groups.append("lgbt_plus")
        if self.disabled:
            groups.append("disabled")
        if self.gender == "male":
            groups.append("men")
        if (self.nrpf or self.limited_english) and self.gender != "male":
            # by-and-for services for migrant and minoritised women work in many languages
            groups.append("migrant_women")
        if self.limited_english or self.minoritised:
            groups.append("black_and_minoritised")
        if self.gender == "female":
            groups.append("women")
        return tuple(groups)


# The single audience word older callers (and the read API) pass, as an Asker.
_FROM_AUDIENCE: dict[str, Asker] = {
    "women": Asker(gender="female"),
    "men": Asker(gender="male"),
    "lgbt_plus": Asker(lgbt_plus=True),
    "young_people": Asker(age_group="under_18"),
    "children": Asker(age_group="under_13"),
    "older_people": Asker(age_group="older"),
    "deaf": Asker(deaf=True),
    "disabled": Asker(disabled=True),
    "migrant_women": Asker(gender="female", nrpf=True),
    "pregnant_women": Asker(gender="female"),
    "perpetrators": Asker(role="own_behaviour"),
    "friends_family": Asker(role="supporter"),
}


def asker_for_audience(audience: str | None) -> Asker | None:
    """The Asker an audience word stands for; None for words that only say what the person
    would like first (black_and_minoritised, families, sex_workers, homeless)."""
    return _FROM_AUDIENCE.get(audience or "")
