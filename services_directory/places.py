"""Turn what a person typed about where they are into London borough(s).

Accepts a borough name or one of its variants, a neighbourhood that lies in a single borough
(both from boroughs.py), a full postcode in any spacing or case, or an outward code. An outward
code can span boroughs (E1: Tower Hamlets, City of London, Hackney), so every candidate is
returned, most postcodes first, and the bot asks rather than guesses. A valid postcode
elsewhere in the UK is reported as outside London, so the bot can still offer national lines.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Literal

from sqlalchemy import text
from sqlalchemy.orm import Session

from services_directory.boroughs import BOROUGH_BY_CODE, BOROUGHS, Borough
from services_directory.postcodes import (
    is_london_lad,
    normalise_outward,
    normalise_postcode,
    outward_of,
)
from services_directory.uk_places import outside_london_place

PlaceKind = Literal[
    "borough", "neighbourhood", "postcode", "outward_code", "outside_london", "unknown"
]

_PREFIXES = ("london borough of ", "royal borough of ", "borough of ", "the ")
_SUFFIXES = (" council", " borough", " london")
_POSTCODE_IN_TEXT = re.compile(r"\b([A-Z]{1,2}[0-9][A-Z0-9]?)\s*([0-9][A-Z]{2})\b")
_OUTWARD_IN_TEXT = re.compile(r"\b([A-Z]{1,2}[0-9][A-Z0-9]?)\b")
_MAX_NAME_WORDS = 4
# Plain SQL: these run on every bot turn, and building expressions cost more than the query.
_POSTCODE_SQL = text("SELECT lad_code FROM postcode WHERE postcode = :postcode")
_OUTWARD_SQL = text(
    "SELECT lad_code, postcode_count FROM outward_code WHERE outward = :outward"
    " ORDER BY postcode_count DESC, lad_code"
)


@dataclass(frozen=True)
class PlaceMatch:
    """What `resolve_place` understood.

    `candidates` holds one borough, several (an outward code spanning boroughs), or none.
    `also_outside_london` is set when an outward code also covers places outside London.
    `normalised` is the canonical form that matched ('SE6 4JQ', 'E1', 'lewisham').
    """

    kind: PlaceKind
    text: str
    candidates: tuple[Borough, ...] = ()
    normalised: str | None = None
    also_outside_london: bool = False

    @property
    def borough(self) -> Borough | None:
        """The single borough, when there is no doubt about it."""
        if len(self.candidates) == 1 and not self.also_outside_london:
            return self.candidates[0]
        return None

    @property
    def needs_choice(self) -> bool:
        return len(self.candidates) > 1 or (bool(self.candidates) and self.also_outside_london)

    @property
    def outside_london(self) -> bool:
        return self.kind == "outside_london"


def normalise_name(text: str) -> str:
    """Fold the spellings people use ('H&F', "Earl's Court", 'LB of Lewisham') together."""
    name = (text or "").lower().replace("&", " and ").replace("’", "'")
    name = re.sub(r"['.,!?]", "", name)
    name = re.sub(r"[-_/]", " ", name)
    name = re.sub(r"\s+", " ", name).strip()
    for prefix in _PREFIXES:
        if name.startswith(prefix) and len(name) > len(prefix):
            name = name[len(prefix):]
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            name = name[: -len(suffix)]
    return name.strip()


@lru_cache(maxsize=1)
def _name_index() -> dict[str, tuple[PlaceKind, str]]:
    """Borough names and variants win over neighbourhoods when a word is both."""
    index: dict[str, tuple[PlaceKind, str]] = {}
    for borough in BOROUGHS:
        for name in (borough.name, *borough.variants):
            index.setdefault(normalise_name(name), ("borough", borough.ons_code))
    for borough in BOROUGHS:
        for name in borough.neighbourhoods:
            index.setdefault(normalise_name(name), ("neighbourhood", borough.ons_code))
    return index


def _match_name(text: str) -> PlaceMatch | None:
    key = normalise_name(text)
    hit = _name_index().get(key)
    if hit is None:
        return None
    kind, code = hit
    return PlaceMatch(kind=kind, text=text, candidates=(BOROUGH_BY_CODE[code],), normalised=key)


def _spaced(postcode: str) -> str:
    return f"{postcode[:-3]} {postcode[-3:]}"


def _outward_rows(session: Session, outward: str) -> list[tuple[str, int]]:
    rows = session.execute(_OUTWARD_SQL, {"outward": outward}).all()
    return [(lad, count) for lad, count in rows]


def _match_outward(session: Session, text: str, outward: str) -> PlaceMatch:
    rows = _outward_rows(session, outward)
    if not rows:
        return PlaceMatch(kind="unknown", text=text, normalised=outward)
    london = tuple(BOROUGH_BY_CODE[lad] for lad, _ in rows if lad in BOROUGH_BY_CODE)
    if not london:
        return PlaceMatch(kind="outside_london", text=text, normalised=outward)
    return PlaceMatch(
        kind="outward_code",
        text=text,
        candidates=london,
        normalised=outward,
        also_outside_london=any(not is_london_lad(lad) for lad, _ in rows),
    )


def _match_postcode(session: Session, text: str, postcode: str) -> PlaceMatch:
    lad = session.execute(_POSTCODE_SQL, {"postcode": postcode}).scalar_one_or_none()
    if lad is not None and lad in BOROUGH_BY_CODE:
        return PlaceMatch(
            kind="postcode", text=text, candidates=(BOROUGH_BY_CODE[lad],),
            normalised=_spaced(postcode),
        )
    # Not a London postcode we know. Every London postcode is in the table, so if its
    # outward code reaches outside London it is almost certainly outside; if the outward code
    # is wholly in London (a new or mistyped postcode) fall back to the outward candidates.
    by_outward = _match_outward(session, text, outward_of(postcode))
    if by_outward.kind == "outward_code" and by_outward.also_outside_london:
        return PlaceMatch(kind="outside_london", text=text, normalised=_spaced(postcode))
    if by_outward.kind in ("outside_london", "unknown"):
        return PlaceMatch(kind=by_outward.kind, text=text, normalised=_spaced(postcode))
    return by_outward


def _scan_text(session: Session, text: str) -> PlaceMatch | None:
    """Find a place inside a longer message ('I live in SE6', 'near Peckham please')."""
    upper = text.upper()
    found = _POSTCODE_IN_TEXT.search(upper)
    if found:
        return _match_postcode(session, text, found.group(1) + found.group(2))
    words = normalise_name(text).split()
    for size in range(min(_MAX_NAME_WORDS, len(words)), 0, -1):
        for start in range(len(words) - size + 1):
            match = _match_name(" ".join(words[start : start + size]))
            if match is not None:
                return PlaceMatch(kind=match.kind, text=text, candidates=match.candidates,
                                  normalised=match.normalised)
    for token in _OUTWARD_IN_TEXT.findall(upper):
        match = _match_outward(session, text, token)
        if match.kind != "unknown":
            return match
    return None


def resolve_place(session: Session, text: str | None) -> PlaceMatch:
    """Best reading of `text`; kind 'unknown' when nothing matched (the bot should ask)."""
    original = text or ""
    return replace(_resolve(session, original.strip()), text=original)


def _resolve(session: Session, stripped: str) -> PlaceMatch:
    if not stripped:
        return PlaceMatch(kind="unknown", text=stripped)
    postcode = normalise_postcode(stripped)
    if postcode:
        return _match_postcode(session, stripped, postcode)
    outward = normalise_outward(stripped)
    if outward:
        return _match_outward(session, stripped, outward)
    named = _match_name(stripped)
    if named is not None:
        return named
    scanned = _scan_text(session, stripped)
    if scanned is not None:
        return scanned
    close = _close_name(stripped)
    if close is not None:
        return close
    return PlaceMatch(kind="unknown", text=stripped)


def london_name(text: str) -> str | None:
    """The London borough or neighbourhood a whole short message names, spelt right or with a
    slip of the thumb ("wandswoth", "tower hamlet"); None otherwise. Needs no database, so the
    NLU can mark the place for the directory to resolve."""
    stripped = (text or "").strip()
    match = _match_name(stripped) or _close_name(stripped)
    return match.normalised if match is not None else None


def _close_name(text: str) -> PlaceMatch | None:
    """"wandswoth", "tower hamlet": a slip of the thumb on a London name, never a real place
    elsewhere in the UK ("Harlow" is not Harrow)."""
    key = normalise_name(text)
    if len(key) < 5 or len(key.split()) > _MAX_NAME_WORDS or outside_london_place(text):
        return None
    close = difflib.get_close_matches(key, list(_name_index()), n=1, cutoff=0.86)
    return _match_name(close[0]) if close else None
