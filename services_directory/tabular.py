"""Import and export the directory as Open Referral tabular CSV files.

Import makes the database match a folder of CSVs. It validates every row of every file
before touching the database and, if anything is wrong, writes nothing and reports each
problem as `file:line:field: reason`. It then applies all changes in one transaction, with an
audit row per change. Services, organisations and locations missing from the files are soft
deleted (so history and audit survive); link rows are deleted. A dry run reports the same
added/updated/removed lists without writing. Export writes the same layout, so
export -> import changes nothing.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from services_directory.audit import record_change, snapshot
from services_directory.db import session_factory
from services_directory.models import utcnow
from services_directory.tabular_schema import SPEC_BY_FILE, SPECS, Field, TableSpec
from services_directory.vocabulary import topic_term_id

Row = dict[str, Any]
_TRUE = {"true", "1", "yes", "y"}
_FALSE = {"false", "0", "no", "n"}


@dataclass
class TableChanges:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.added) + len(self.updated) + len(self.removed)


@dataclass
class ImportReport:
    errors: list[str] = field(default_factory=list)
    changes: dict[str, TableChanges] = field(default_factory=dict)
    dry_run: bool = False
    written: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def total_changes(self) -> int:
        return sum(change.count for change in self.changes.values())

    def summary(self) -> dict[str, dict[str, int]]:
        return {
            table: {"added": len(c.added), "updated": len(c.updated), "removed": len(c.removed)}
            for table, c in self.changes.items()
        }


# ---------------------------------------------------------------- parsing and validation


def _parse_cell(spec_field: Field, raw: str) -> tuple[Any, str | None]:
    text = raw.strip()
    if text == "":
        if spec_field.required:
            return None, "required"
        return spec_field.default, None
    kind = spec_field.kind
    try:
        if kind == "int":
            value: Any = int(text)
        elif kind == "float":
            value = float(text)
        elif kind == "bool":
            lowered = text.lower()
            if lowered not in _TRUE | _FALSE:
                return None, "must be true or false"
            value = lowered in _TRUE
        elif kind == "date":
            if len(text) != 10:
                raise ValueError
            value = date.fromisoformat(text)
        elif kind == "datetime":
            value = datetime.fromisoformat(text)
            if value.tzinfo is not None:
                return None, "give the time in UTC without an offset"
        else:
            value = text
    except ValueError:
        expected = {"date": "YYYY-MM-DD", "datetime": "YYYY-MM-DDTHH:MM:SS"}.get(kind, kind)
        return None, f"bad {kind} {text!r} (expected {expected})"
    if spec_field.check is not None:
        reason = spec_field.check(value)
        if reason:
            return None, reason
    return value, None


def _row_checks(spec: TableSpec, row: Row) -> list[tuple[str, str]]:
    """Rules that involve more than one column of the same row."""
    problems: list[tuple[str, str]] = []
    if spec.file == "locations.csv" and row.get("confidential"):
        for name in ("address_1", "postal_code", "latitude", "longitude"):
            if row.get(name) not in (None, ""):
                problems.append((name, "confidential location must not have an address"))
    elif spec.file == "service_areas.csv":
        if row.get("scope") == "borough" and not row.get("borough_code"):
            problems.append(("borough_code", "required when scope is borough"))
        if row.get("scope") in ("london", "national") and row.get("borough_code"):
            problems.append(("borough_code", f"must be empty when scope is {row['scope']}"))
    elif spec.file == "eligibilities.csv":
        low, high = row.get("minimum_age"), row.get("maximum_age")
        if low is not None and high is not None and low > high:
            problems.append(("maximum_age", "is below minimum_age"))
    elif spec.file == "phones.csv":
        if not row.get("service_id") and not row.get("organization_id"):
            problems.append(("service_id", "a phone needs a service_id or organization_id"))
    elif spec.file == "taxonomy_terms.csv" and row.get("name"):
        if row.get("id") != topic_term_id(row["name"]):
            problems.append(("id", f"must be {topic_term_id(row['name'])!r} for this topic"))
        if row.get("code") and row.get("code") != row["name"]:
            problems.append(("code", "must equal name"))
    return problems


@dataclass
class ParsedFile:
    spec: TableSpec
    rows: list[tuple[int, Row]] = field(default_factory=list)


def read_directory(directory: Path) -> tuple[dict[str, ParsedFile], list[str]]:
    """Parse and check every file; returns typed rows and every error found."""
    errors: list[str] = []
    parsed: dict[str, ParsedFile] = {}
    for spec in SPECS:
        path = directory / spec.file
        result = ParsedFile(spec)
        parsed[spec.file] = result
        if not path.is_file():
            errors.append(f"{spec.file}:0:(file): file is missing")
            continue
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            header = reader.fieldnames or []
            missing = [name for name in spec.columns if name not in header]
            unknown = [name for name in header if name not in spec.columns]
            for name in missing:
                errors.append(f"{spec.file}:1:{name}: column is missing")
            for name in unknown:
                errors.append(f"{spec.file}:1:{name}: unknown column")
            if missing:
                continue
            seen: dict[tuple, int] = {}
            for raw in reader:
                line = reader.line_num
                if None in raw:
                    errors.append(f"{spec.file}:{line}:(row): more cells than columns")
                    continue
                row: Row = {}
                row_ok = True
                for spec_field in spec.fields:
                    value, reason = _parse_cell(spec_field, raw.get(spec_field.name) or "")
                    if reason:
                        errors.append(f"{spec.file}:{line}:{spec_field.name}: {reason}")
                        row_ok = False
                    row[spec_field.name] = value
                for name, reason in _row_checks(spec, row):
                    errors.append(f"{spec.file}:{line}:{name}: {reason}")
                    row_ok = False
                for key in (("id",), *spec.unique):
                    values = tuple(row.get(k) for k in key)
                    if any(v is None for v in values):
                        continue
                    first_lines = seen.setdefault(key, {})
                    if values in first_lines:
                        errors.append(
                            f"{spec.file}:{line}:{key[-1]}: duplicate of line {first_lines[values]}"
                        )
                        row_ok = False
                    else:
                        first_lines[values] = line
                if row_ok:
                    result.rows.append((line, row))
    errors.extend(_check_references(parsed))
    return parsed, errors


def _check_references(parsed: dict[str, ParsedFile]) -> list[str]:
    errors: list[str] = []
    ids = {name: {row["id"] for _, row in pf.rows} for name, pf in parsed.items()}
    for pf in parsed.values():
        for spec_field in pf.spec.fields:
            if spec_field.ref is None:
                continue
            targets = ids[spec_field.ref]
            for line, row in pf.rows:
                value = row.get(spec_field.name)
                if value is not None and value not in targets:
                    errors.append(
                        f"{pf.spec.file}:{line}:{spec_field.name}: "
                        f"no {spec_field.ref} row with id {value!r}"
                    )
    return errors


# ---------------------------------------------------------------- diff and apply


def _current_rows(session: Session, spec: TableSpec) -> dict[str, Any]:
    return {obj.id: obj for obj in session.execute(select(spec.model)).scalars()}


def _values(obj: Any, spec: TableSpec) -> Row:
    return {name: getattr(obj, name) for name in spec.columns}


def _plan(session: Session, parsed: dict[str, ParsedFile]) -> tuple[dict, dict[str, Any]]:
    """Work out adds/updates/removals per table without changing anything."""
    changes: dict[str, TableChanges] = {}
    current: dict[str, Any] = {}
    for spec in SPECS:
        existing = _current_rows(session, spec)
        current[spec.file] = existing
        wanted = {row["id"]: row for _, row in parsed[spec.file].rows}
        change = TableChanges()
        for row_id, row in wanted.items():
            obj = existing.get(row_id)
            if obj is None:
                change.added.append(row_id)
            elif _values(obj, spec) != row:
                change.updated.append(row_id)
        if spec.removable:
            for row_id, obj in existing.items():
                if row_id in wanted:
                    continue
                if spec.soft_delete and obj.deleted_at is not None:
                    continue
                change.removed.append(row_id)
        change.added.sort()
        change.updated.sort()
        change.removed.sort()
        changes[spec.table] = change
    return changes, current


def _apply(session: Session, parsed: dict[str, ParsedFile], changes: dict,
           current: dict[str, Any], actor: str) -> None:
    now = utcnow()
    for spec in reversed(SPECS):  # children first, so parents can go afterwards
        change = changes[spec.table]
        for row_id in change.removed:
            obj = current[spec.file][row_id]
            before = snapshot(obj)
            if spec.soft_delete:
                obj.deleted_at = now
                record_change(session, actor, spec.table, row_id, "soft_delete", before,
                              snapshot(obj))
            else:
                session.delete(obj)
                record_change(session, actor, spec.table, row_id, "delete", before, None)
        session.flush()
    for spec in SPECS:  # parents first
        change = changes[spec.table]
        rows = {row["id"]: row for _, row in parsed[spec.file].rows}
        for row_id in change.added:
            obj = spec.model(**rows[row_id])
            session.add(obj)
            record_change(session, actor, spec.table, row_id, "insert", None, rows[row_id])
        for row_id in change.updated:
            obj = current[spec.file][row_id]
            before = snapshot(obj)
            for name, value in rows[row_id].items():
                if getattr(obj, name) != value:
                    setattr(obj, name, value)
            record_change(session, actor, spec.table, row_id, "update", before, rows[row_id])
        session.flush()


def import_directory(engine: Engine, directory: Path | str, *, dry_run: bool = False,
                     actor: str = "import") -> ImportReport:
    """Validate everything, then (unless dry_run) apply it all in one transaction.

    Returns a report; on validation errors `report.errors` is filled and nothing is written.
    Concurrent staff edits to a service being updated raise StaleDataError and roll back.
    """
    report = ImportReport(dry_run=dry_run)
    parsed, errors = read_directory(Path(directory))
    if errors:
        report.errors = errors
        return report
    with session_factory(engine)() as session, session.begin():
        changes, current = _plan(session, parsed)
        report.changes = changes
        if dry_run or report.total_changes == 0:
            session.rollback()
            return report
        _apply(session, parsed, changes, current, actor)
    report.written = True
    return report


# ---------------------------------------------------------------- export


def _format(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    return str(value)


def export_directory(engine: Engine, directory: Path | str) -> dict[str, int]:
    """Write every table (soft-deleted rows included, with deleted_at) as CSV, rows by id."""
    target = Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    with session_factory(engine)() as session:
        for spec in SPECS:
            # Sorted in Python: database collations disagree about punctuation in ids.
            objs = sorted(session.execute(select(spec.model)).scalars(), key=lambda o: o.id)
            with (target / spec.file).open("w", newline="", encoding="utf-8") as handle:
                writer = csv.writer(handle, lineterminator="\n")
                writer.writerow(spec.columns)
                for obj in objs:
                    writer.writerow([_format(getattr(obj, name)) for name in spec.columns])
            counts[spec.file] = len(objs)
    return counts


def bundled_data_dir() -> Path:
    """The CSVs shipped with the package: the seed boroughs plus national helplines."""
    return Path(__file__).resolve().parent / "data" / "hsds"


__all__ = [
    "SPECS",
    "SPEC_BY_FILE",
    "ImportReport",
    "TableChanges",
    "bundled_data_dir",
    "export_directory",
    "import_directory",
    "read_directory",
]
