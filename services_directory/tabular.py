"""Import and export the directory as Open Referral tabular CSV files.

Import makes the database match a folder of CSVs. It validates every row of every file
before touching the database and, if anything is wrong, writes nothing and reports each
problem as `file:line:field: reason`. It then applies all changes in one transaction through
the directory service layer (an audit row per change). Services, organisations and locations
missing from the files are soft deleted (so history and audit survive); link rows are
deleted. A dry run reports the same added/updated/removed lists without writing. Export writes
the same layout, so export -> import changes nothing. An empty database gets its schema first.

Two things an import never does:
- set a staff confirmation (last_verified, verified_by, verification_method/note): those
  columns are exported for the record and ignored on import, because a file cannot say that
  a person checked something;
- store a cell a spreadsheet would run as a formula (starting with = + - @, a tab or a
  carriage return), except a phone number such as +44 20 7008 0151 in a phone column, which
  is checked as a phone number instead. Export writes such text with a leading apostrophe,
  and import takes that apostrophe off again, so a round trip is lossless.
A column left out of a file leaves that column as it is (older exports stay importable).
"""

from __future__ import annotations

import csv
import logging
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from services_directory.db import session_factory
from services_directory.models import utcnow
from services_directory.phones import is_uk_phone
from services_directory.service_layer import DirectoryWrite, WriteRefused
from services_directory.tabular_schema import (
    CONFIRMATION_COLUMNS,
    SPEC_BY_FILE,
    SPECS,
    Field,
    TableSpec,
)
from services_directory.vocabulary import topic_term_id

logger = logging.getLogger(__name__)

Row = dict[str, Any]
_TRUE = {"true", "1", "yes", "y"}
_FALSE = {"false", "0", "no", "n"}
# First characters that make a spreadsheet treat a cell as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_SHOWN = {"\t": "a tab", "\r": "a carriage return"}
# Files an older export may not have: when absent, their table is left as it is.
OPTIONAL_FILES = frozenset({"service_sources.csv"})


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
    # Confirmations in the files that differ from the database and were not imported.
    ignored_confirmations: int = 0

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


def formula_problem(spec_field: Field, raw: str) -> str | None:
    """Why this cell would be dangerous in a spreadsheet, or None."""
    if spec_field.kind != "str" or not raw or raw[0] not in FORMULA_STARTS:
        return None
    if spec_field.phone and is_uk_phone(raw):
        return None  # "+44 20 7008 0151" is a phone number, checked as one
    first = _SHOWN.get(raw[0], repr(raw[0]))
    return (f"starts with {first}, so a spreadsheet would run it as a formula; if it is "
            f"meant as text, put an apostrophe (') in front of it")


def _unescape(raw: str) -> str:
    """Take off the apostrophe export puts before text that starts like a formula."""
    if len(raw) > 1 and raw[0] == "'" and raw[1] in (*FORMULA_STARTS, "'"):
        return raw[1:]
    return raw


def _parse_cell(spec_field: Field, raw: str) -> tuple[Any, str | None]:
    danger = formula_problem(spec_field, raw)
    if danger:
        return None, danger
    if spec_field.kind == "str":
        raw = _unescape(raw)
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


def _max_length(spec: TableSpec, name: str) -> int | None:
    """The column's own limit (PostgreSQL refuses longer text; SQLite would keep it)."""
    column = spec.model.__table__.columns.get(name)
    return getattr(column.type, "length", None) if column is not None else None


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
    # Columns the file has; None: the file is absent and its table is left alone.
    columns: tuple[str, ...] | None = None

    @property
    def applied_columns(self) -> tuple[str, ...]:
        """Columns an import writes: in the file, and not a staff confirmation."""
        present = set(self.columns or ())
        return tuple(name for name in self.spec.imported_columns if name in present)


def read_directory(directory: Path) -> tuple[dict[str, ParsedFile], list[str]]:
    """Parse and check every file; returns typed rows and every error found."""
    errors: list[str] = []
    parsed: dict[str, ParsedFile] = {}
    for spec in SPECS:
        path = directory / spec.file
        result = ParsedFile(spec)
        parsed[spec.file] = result
        if not path.is_file():
            if spec.file not in OPTIONAL_FILES:
                errors.append(f"{spec.file}:0:(file): file is missing")
            continue
        try:
            _read_file(path, spec, result, errors)
        except (UnicodeDecodeError, csv.Error) as error:
            # A spreadsheet saved in another encoding, or not a CSV at all: name the file,
            # never show a traceback, and write nothing.
            reason = ("is not UTF-8 text (save it as 'CSV UTF-8')"
                      if isinstance(error, UnicodeDecodeError)
                      else f"is not a readable CSV ({error})")
            errors.append(f"{spec.file}:0:(file): {reason}")
            result.rows.clear()
            result.columns = None  # unread: other files' references to it are not checked
    errors.extend(_check_references(parsed))
    return parsed, errors


def _read_file(path: Path, spec: TableSpec, result: ParsedFile, errors: list[str]) -> None:
    """Parse one file into `result`, adding a line-numbered error for every bad cell."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        result.columns = tuple(name for name in spec.columns if name in header)
        required = [f.name for f in spec.fields if f.required]
        missing = [name for name in required if name not in header]
        unknown = [name for name in header if name not in spec.columns]
        for name in missing:
            errors.append(f"{spec.file}:1:{name}: column is missing")
        for name in unknown:
            errors.append(f"{spec.file}:1:{name}: unknown column")
        if missing:
            return
        seen: dict[tuple, int] = {}
        for raw in reader:
            line = reader.line_num
            if None in raw:
                errors.append(f"{spec.file}:{line}:(row): more cells than columns")
                continue
            row: Row = {}
            row_ok = True
            for spec_field in spec.fields:
                if spec_field.name not in header:
                    row[spec_field.name] = spec_field.default
                    continue
                value, reason = _parse_cell(spec_field, raw.get(spec_field.name) or "")
                limit = _max_length(spec, spec_field.name)
                if reason is None and isinstance(value, str) and limit and len(value) > limit:
                    reason = f"is {len(value)} characters long; at most {limit} fit"
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


def _check_references(parsed: dict[str, ParsedFile]) -> list[str]:
    errors: list[str] = []
    ids = {name: {row["id"] for _, row in pf.rows} for name, pf in parsed.items()}
    for pf in parsed.values():
        if pf.columns is None:
            continue
        for spec_field in pf.spec.fields:
            if spec_field.ref is None:
                continue
            if parsed[spec_field.ref].columns is None:
                continue  # that file is missing or unreadable, already reported once
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


def _current_rows(session: Session | None, spec: TableSpec) -> dict[str, Any]:
    if session is None:  # an empty database: nothing there yet
        return {}
    return {obj.id: obj for obj in session.execute(select(spec.model)).scalars()}


def _values(obj: Any, columns: tuple[str, ...]) -> Row:
    return {name: getattr(obj, name) for name in columns}


def _plan(session: Session | None, parsed: dict[str, ParsedFile], *,
          remove_missing: bool = True) -> tuple[dict, dict[str, Any]]:
    """Work out adds/updates/removals per table without changing anything."""
    changes: dict[str, TableChanges] = {}
    current: dict[str, Any] = {}
    for spec in SPECS:
        change = TableChanges()
        changes[spec.table] = change
        pf = parsed.get(spec.file)
        if pf is None or pf.columns is None:
            continue
        existing = _current_rows(session, spec)
        current[spec.file] = existing
        columns = pf.applied_columns
        wanted = {row["id"]: row for _, row in pf.rows}
        for row_id, row in wanted.items():
            obj = existing.get(row_id)
            if obj is None:
                change.added.append(row_id)
            elif _values(obj, columns) != {name: row[name] for name in columns}:
                change.updated.append(row_id)
        if spec.removable and remove_missing:
            for row_id, obj in existing.items():
                if row_id in wanted:
                    continue
                if spec.soft_delete and obj.deleted_at is not None:
                    continue
                change.removed.append(row_id)
        change.added.sort()
        change.updated.sort()
        change.removed.sort()
    return changes, current


def _ignored_confirmations(parsed: dict[str, ParsedFile], current: dict[str, Any]) -> int:
    """Rows whose confirmation in the file differs from the database's (left as it is)."""
    count = 0
    for spec in SPECS:
        pf = parsed.get(spec.file)
        if pf is None or pf.columns is None:
            continue
        names = [n for n in CONFIRMATION_COLUMNS if n in pf.columns]
        if not names:
            continue
        existing = current.get(spec.file, {})
        for _, row in pf.rows:
            obj = existing.get(row["id"])
            theirs = {n: row.get(n) for n in names}
            ours = {n: getattr(obj, n, None) if obj is not None else None for n in names}
            if any(theirs.values()) and theirs != ours:
                count += 1
    return count


def _apply(write: DirectoryWrite, parsed: dict[str, ParsedFile], changes: dict,
           current: dict[str, Any]) -> None:
    session = write.session
    now = utcnow()
    for spec in reversed(SPECS):  # children first, so parents can go afterwards
        change = changes[spec.table]
        for row_id in change.removed:
            obj = current[spec.file][row_id]
            if spec.soft_delete:
                write.track(obj, parts=False)
                write.action(obj, "soft_delete")
                obj.deleted_at = now
            else:
                write.delete(obj)
        session.flush()
    for spec in SPECS:  # parents first
        change = changes[spec.table]
        if not (change.added or change.updated):
            continue
        pf = parsed[spec.file]
        columns = pf.applied_columns
        rows = {row["id"]: row for _, row in pf.rows}
        for row_id in change.added:
            values = {name: rows[row_id][name] for name in columns}
            write.add(spec.model(**values))
        for row_id in change.updated:
            obj = current[spec.file][row_id]
            write.track(obj, parts=False)
            for name in columns:
                value = rows[row_id][name]
                if getattr(obj, name) != value:
                    setattr(obj, name, value)
        session.flush()


def _schema_ready(engine: Engine) -> bool:
    from services_directory.migrate import current_revision, head_revision

    return current_revision(engine) == head_revision()


def import_rows(engine: Engine, parsed: dict[str, ParsedFile], *, dry_run: bool = False,
                actor: str = "import", remove_missing: bool = True) -> ImportReport:
    """Apply already-validated rows (from CSVs or the sources loader) in one transaction.

    An empty or older database is migrated first, except in a dry run, which never writes.
    Failures come back in `report.errors` as plain sentences (or, for a fault of the
    database itself, as the exception); nothing is written then, and an empty database that
    was given its schema for this import loses it again.
    """
    from services_directory.migrate import current_revision, upgrade_database

    report = ImportReport(dry_run=dry_run)
    was_empty = current_revision(engine) is None
    if dry_run and was_empty:
        report.changes, _ = _plan(None, parsed, remove_missing=remove_missing)
        return report
    finished = False
    try:
        if not _schema_ready(engine):
            upgrade_database(engine)
        _import_into(engine, parsed, report, actor=actor, remove_missing=remove_missing)
        finished = not report.errors
    finally:
        if was_empty and not finished:
            try:
                _drop_new_schema(engine)
            except SQLAlchemyError:  # the first fault is the one to report
                logger.warning("could not remove the schema of a failed import", exc_info=True)
    return report


def _drop_new_schema(engine: Engine) -> None:
    """Take away the schema this import made in an empty database: a failed import into a
    new database leaves it as it was. Only our own tables; the database may hold others."""
    from sqlalchemy import MetaData, Table, inspect

    from services_directory.models import Base

    present = set(inspect(engine).get_table_names())
    if not present:
        return
    Base.metadata.drop_all(engine, checkfirst=True)
    if "alembic_version" in present:
        Table("alembic_version", MetaData()).drop(engine, checkfirst=True)


def _import_into(engine: Engine, parsed: dict[str, ParsedFile], report: ImportReport, *,
                 actor: str, remove_missing: bool) -> None:
    """Plan and (unless a dry run) apply the rows in one transaction, filling `report`."""
    dry_run = report.dry_run
    session = session_factory(engine)()
    try:
        changes, current = _plan(session, parsed, remove_missing=remove_missing)
        report.changes = changes
        report.ignored_confirmations = _ignored_confirmations(parsed, current)
        if dry_run or report.total_changes == 0:
            session.rollback()
            return
        write = DirectoryWrite(session, actor)
        try:
            _apply(write, parsed, changes, current)
        except BaseException:
            write.rollback()
            raise
        write.commit()
    except WriteRefused as error:
        report.errors = [str(error)]
        return
    finally:
        session.close()
    report.written = True


def import_directory(engine: Engine, directory: Path | str, *, dry_run: bool = False,
                     actor: str = "import") -> ImportReport:
    """Validate every file, then (unless dry_run) apply it all in one transaction.

    Returns a report; on validation errors `report.errors` is filled and nothing is written
    (not even the schema of an empty database).
    """
    report = ImportReport(dry_run=dry_run)
    parsed, errors = read_directory(Path(directory))
    if errors:
        report.errors = errors
        return report
    return import_rows(engine, parsed, dry_run=dry_run, actor=actor)


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


def neutralise(spec_field: Field, text: str) -> str:
    """The cell as written to a CSV: text a spreadsheet would run gets an apostrophe first.

    Phone numbers that pass the phone check stay as they are (+44 20 ...: data, and only
    digits, spaces, brackets and dashes, so nothing a spreadsheet could run).
    """
    if spec_field.kind != "str" or not text:
        return text
    if text[0] in FORMULA_STARTS and not (spec_field.phone and is_uk_phone(text)):
        return "'" + text
    if len(text) > 1 and text[0] == "'" and text[1] in (*FORMULA_STARTS, "'"):
        return "'" + text  # so import's unescape gives back exactly this text
    return text


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
                    writer.writerow([neutralise(f, _format(getattr(obj, f.name)))
                                     for f in spec.fields])
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
    "import_rows",
    "read_directory",
]
