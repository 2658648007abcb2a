"""No response has two conditional variants where one's conditions include the other's.

Rasa picks at random among every conditional variant whose conditions all hold: a variant for
under-18s ([reply, age_group]) beside a general one ([reply]) was chosen only half the time, and a
16-year-old asking how to stop her marriage sometimes got the answer without Childline. Variants
with more conditions do not win; the action must choose a different value instead.
"""

from __future__ import annotations

from tests.support.domain import responses


def _conditions(variant: dict) -> frozenset[tuple[str, str]]:
    return frozenset((str(c["name"]), str(c.get("value"))) for c in variant.get("condition") or [])


def test_no_conditional_variant_is_shadowed_by_a_more_general_one() -> None:
    overlapping = []
    for name, variants in responses().items():
        conditional = [(v.get("channel"), _conditions(v)) for v in variants if v.get("condition")]
        for i, (channel, wanted) in enumerate(conditional):
            for other_channel, general in conditional[i + 1:] + conditional[:i]:
                if channel == other_channel and general < wanted:
                    overlapping.append(f"{name}: {sorted(wanted)} also matches {sorted(general)}")
    assert overlapping == []
