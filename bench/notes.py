"""Notes written by a person after reading a run's figures; the report prints them as they are.

Met or missed is always computed from the figures (bench/report.py). What a figure means, why a
goal was missed and what would close it needs judgement, so it is written here after reviewing
a full run, with the date of that run, and shown only while the goal it explains is missed.
"""

from __future__ import annotations

REVIEWED_RUN = ""

# Goal id (see bench/report.py GOALS) -> why it was missed and what would close it.
WHEN_MISSED: dict[str, str] = {}

# Free-standing observations on the reviewed run, one paragraph each.
OBSERVATIONS: list[str] = []
