"""HSDS CSV import/export: validation before writing, dry runs, one transaction, round trip."""

from __future__ import annotations

import csv
import filecmp
from pathlib import Path

from sqlalchemy import func, select

from services_directory.db import session_factory
from services_directory.models import AuditLog, Phone, Service
from services_directory.search import find_services
from services_directory.tabular import bundled_data_dir, export_directory, import_directory


def read(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def write(path: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def edit(folder: Path, file: str, row_id: str, **changes: str) -> int:
    """Change one row; returns its line number in the file (header is line 1)."""
    header, rows = read(folder / file)
    for index, row in enumerate(rows):
        if row["id"] == row_id:
            row.update(changes)
            write(folder / file, header, rows)
            return index + 2
    raise KeyError(row_id)


def counts(engine) -> tuple[int, int, int]:
    with session_factory(engine)() as session:
        return tuple(
            session.execute(select(func.count()).select_from(model)).scalar_one()
            for model in (Service, Phone, AuditLog)
        )


def test_import_rejects_bad_rows_with_file_line_field_and_writes_nothing(data_engine, csv_copy):
    lines = {
        "name": edit(csv_copy, "services.csv", "svc-lewisham-athena", name=""),
        "date": edit(csv_copy, "services.csv", "svc-bexley-solace", last_verified="22/11/2026"),
        "phone": edit(csv_copy, "phones.csv", "ph-svc-national-galop-1", number="0800 99"),
        "borough": edit(csv_copy, "service_areas.csv", "area-svc-lewisham-athena-E09000023",
                        borough_code="E09000099"),
        "topic": edit(csv_copy, "taxonomy_terms.csv", "topic-stalking", name="stalkingg"),
        "fk": edit(csv_copy, "service_taxonomies.csv", "st-svc-southwark-sass-domestic_abuse",
                   service_id="svc-does-not-exist"),
        "audience": edit(csv_copy, "eligibilities.csv", "elig-svc-national-galop",
                         audiences="lgbt_plus;aliens"),
    }
    # A good change alongside the bad ones must not be written either.
    edit(csv_copy, "services.csv", "svc-london-tamar", description="Changed text")
    before = counts(data_engine)

    report = import_directory(data_engine, csv_copy)

    assert not report.ok and not report.written
    errors = report.errors
    assert f"services.csv:{lines['name']}:name: required" in errors
    assert any(e.startswith(f"services.csv:{lines['date']}:last_verified: bad date")
               for e in errors)
    assert any(e.startswith(f"phones.csv:{lines['phone']}:number: bad UK phone number")
               for e in errors)
    assert any(e.startswith(f"service_areas.csv:{lines['borough']}:borough_code: unknown "
                            "borough code") for e in errors)
    assert any(e.startswith(f"taxonomy_terms.csv:{lines['topic']}:name: unknown topic")
               for e in errors)
    assert any(e.startswith(f"service_taxonomies.csv:{lines['fk']}:service_id: no services.csv")
               for e in errors)
    assert any(e.startswith(f"eligibilities.csv:{lines['audience']}:audiences: unknown "
                            "audience") for e in errors)
    assert counts(data_engine) == before
    with session_factory(data_engine)() as session:
        assert session.get(Service, "svc-london-tamar").description != "Changed text"


def test_missing_file_and_columns_are_reported(data_engine, csv_copy):
    (csv_copy / "languages.csv").unlink()
    header, rows = read(csv_copy / "phones.csv")
    write(csv_copy / "phones.csv", [h for h in header if h != "source"],
          [{k: v for k, v in r.items() if k != "source"} for r in rows])
    report = import_directory(data_engine, csv_copy)
    assert "languages.csv:0:(file): file is missing" in report.errors
    assert "phones.csv:1:source: column is missing" in report.errors


def test_dry_run_reports_changes_and_writes_nothing(data_engine, csv_copy):
    edit(csv_copy, "services.csv", "svc-london-tamar", description="New words")
    header, rows = read(csv_copy / "languages.csv")
    write(csv_copy / "languages.csv", header, [])
    header, rows = read(csv_copy / "services.csv")
    new = dict(rows[0], id="svc-lewisham-new-service", name="New service")
    write(csv_copy / "services.csv", header, [*rows, new])
    before = counts(data_engine)

    report = import_directory(data_engine, csv_copy, dry_run=True)

    assert report.ok and report.dry_run and not report.written
    assert report.changes["service"].updated == ["svc-london-tamar"]
    assert report.changes["service"].added == ["svc-lewisham-new-service"]
    assert report.changes["language"].removed == ["lang-svc-kensington-al-aman-1"]
    assert report.summary()["phone"] == {"added": 0, "updated": 0, "removed": 0}
    assert counts(data_engine) == before


def test_import_applies_changes_in_one_go_with_audit(data_engine, csv_copy):
    edit(csv_copy, "services.csv", "svc-london-tamar", description="New words")
    header, rows = read(csv_copy / "services.csv")
    kept = [r for r in rows if r["id"] != "svc-lewisham-family-thrive"]
    write(csv_copy / "services.csv", header, kept)
    for name in ("service_areas.csv", "service_taxonomies.csv", "eligibilities.csv"):
        header, rows = read(csv_copy / name)
        write(csv_copy / name, header,
              [r for r in rows if r["service_id"] != "svc-lewisham-family-thrive"])

    report = import_directory(data_engine, csv_copy, actor="tester")

    assert report.ok and report.written
    assert report.changes["service"].removed == ["svc-lewisham-family-thrive"]
    maker = session_factory(data_engine)
    with maker() as session:
        tamar = session.get(Service, "svc-london-tamar")
        assert tamar.description == "New words" and tamar.version == 2
        removed = session.get(Service, "svc-lewisham-family-thrive")
        assert removed is not None and removed.deleted_at is not None  # soft delete
        actions = dict(session.execute(
            select(AuditLog.record_id, AuditLog.action).where(AuditLog.who == "tester",
                                                              AuditLog.table_name == "service")
        ).all())
        assert actions == {"svc-london-tamar": "update",
                           "svc-lewisham-family-thrive": "soft_delete"}
        result = find_services(session, topic=None, place="Lewisham", limit=20)
        assert "svc-lewisham-family-thrive" not in [c.id for c in result.services]


def test_export_then_import_is_lossless(data_engine, tmp_path):
    out = tmp_path / "export"
    export_directory(data_engine, out)
    for path in bundled_data_dir().glob("*.csv"):
        assert filecmp.cmp(path, out / path.name, shallow=False), path.name
    report = import_directory(data_engine, out, dry_run=True)
    assert report.ok and report.total_changes == 0


def test_round_trip_keeps_soft_deleted_rows(data_engine, tmp_path):
    from datetime import datetime

    maker = session_factory(data_engine)
    with maker() as session, session.begin():
        session.get(Service, "svc-london-tamar").deleted_at = datetime(2026, 11, 22, 9, 30, 1, 5)
    out = tmp_path / "export"
    export_directory(data_engine, out)
    assert import_directory(data_engine, out, dry_run=True).total_changes == 0
    _, rows = read(out / "services.csv")
    tamar = next(r for r in rows if r["id"] == "svc-london-tamar")
    assert tamar["deleted_at"] == "2026-11-22T09:30:01.000005"


def test_reimporting_the_same_files_changes_nothing(data_engine):
    report = import_directory(data_engine, bundled_data_dir())
    assert report.ok and report.total_changes == 0 and not report.written
