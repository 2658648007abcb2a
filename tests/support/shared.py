"""Where the project's shared reference folder is: beside the checkout, as on every machine
and in CI (a clone in another folder gets its own copy of shared/ beside it)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
NATIONAL_REFERENCE = SHARED / "reference" / "national-support.md"
