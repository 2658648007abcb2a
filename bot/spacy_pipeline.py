"""Builds the spaCy pipeline that Rasa's SpacyNLP loads by path.

Official spaCy models cannot be downloaded here, and the bot needs only tokens and place
entities: a blank English pipeline plus an entity ruler does both, from the same borough table
the directory searches. Rasa lower-cases text before spaCy sees it, so every pattern is
lower-case.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from services_directory.boroughs import BOROUGHS, OUTSIDE_LONDON_PLACES

LOCATION_LABEL = "location"
DEFAULT_OUTPUT = Path("var/spacy/en_signpost")

# Standalone outward codes are matched only for London postcode areas: elsewhere "b4" and
# "m8" are everyday text-speak, not places.
_LONDON_AREAS = "e|ec|n|nw|se|sw|w|wc|br|cr|da|en|ha|ig|kt|rm|sm|tw|ub"
OUTWARD_LONDON = rf"^({_LONDON_AREAS})[0-9][0-9a-z]?$"
OUTWARD_ANY = r"^[a-z]{1,2}[0-9][0-9a-z]?$"
INWARD = r"^[0-9][a-z]{2}$"
FULL_NO_SPACE = r"^[a-z]{1,2}[0-9][0-9a-z]?[0-9][a-z]{2}$"


def place_phrases() -> list[str]:
    phrases: set[str] = set(OUTSIDE_LONDON_PLACES)
    for borough in BOROUGHS:
        phrases.update(n.lower() for n in (borough.name, *borough.variants, *borough.neighbourhoods))
    return sorted(phrases)


def entity_patterns() -> list[dict]:
    patterns: list[dict] = [{"label": LOCATION_LABEL, "pattern": p} for p in place_phrases()]
    patterns += [
        {"label": LOCATION_LABEL,
         "pattern": [{"LOWER": {"REGEX": OUTWARD_ANY}}, {"LOWER": {"REGEX": INWARD}}]},
        {"label": LOCATION_LABEL, "pattern": [{"LOWER": {"REGEX": FULL_NO_SPACE}}]},
        {"label": LOCATION_LABEL, "pattern": [{"LOWER": {"REGEX": OUTWARD_LONDON}}]},
    ]
    return patterns


def build(output: Path = DEFAULT_OUTPUT) -> Path:
    import spacy

    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER"})
    ruler.add_patterns(entity_patterns())
    output.parent.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(output)
    return output


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    print(f"spaCy pipeline written to {build(args.output)}")


if __name__ == "__main__":
    main()
