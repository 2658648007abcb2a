"""CSV formula injection (issue 10): a cell a spreadsheet would run is refused on import with a
clear message, and export puts an apostrophe before text that starts like a formula, so a
council officer opening the export in a spreadsheet never runs it and a re-import gives back the
same words."""

from __future__ import annotations

import pytest

from services_directory.db import session_factory
from services_directory.models import Service
from services_directory.tabular import export_directory, import_directory
from tests.directory.test_dir_tabular import edit, read

ATTACK = '=HYPERLINK("http://evil.example","click")'


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t"])
def test_import_refuses_a_cell_a_spreadsheet_would_run(data_engine, csv_copy, start):
    line = edit(csv_copy, "services.csv", "svc-london-tamar", name=start + "SUM(A1:A9)")
    with session_factory(data_engine)() as session:
        before = session.get(Service, "svc-london-tamar").name

    report = import_directory(data_engine, csv_copy)

    assert not report.ok and not report.written
    assert any(e.startswith(f"services.csv:{line}:name: starts with") and "formula" in e
               for e in report.errors), report.errors
    with session_factory(data_engine)() as session:
        assert session.get(Service, "svc-london-tamar").name == before


def test_a_carriage_return_at_the_start_is_refused_and_nothing_changes(data_engine, csv_copy):
    edit(csv_copy, "services.csv", "svc-london-tamar", name="\rSUM(A1:A9)")
    report = import_directory(data_engine, csv_copy)
    assert not report.ok and not report.written and report.errors
    with session_factory(data_engine)() as session:
        assert "SUM" not in session.get(Service, "svc-london-tamar").name


def test_a_phone_number_with_a_plus_is_data_not_a_formula(data_engine, csv_copy):
    edit(csv_copy, "phones.csv", "ph-svc-national-galop-1", number="+44 800 999 5428")
    report = import_directory(data_engine, csv_copy, dry_run=True)
    assert not any("formula" in e for e in report.errors), report.errors


def test_text_that_starts_like_a_formula_is_exported_inert_and_comes_back_the_same(
        data_engine, csv_copy, tmp_path):
    # The officer meant these words: the apostrophe says so, and import stores the text itself.
    edit(csv_copy, "services.csv", "svc-london-tamar", name="'" + ATTACK)
    assert import_directory(data_engine, csv_copy, actor="test").ok
    with session_factory(data_engine)() as session:
        assert session.get(Service, "svc-london-tamar").name == ATTACK

    out = tmp_path / "export"
    export_directory(data_engine, out)
    _, rows = read(out / "services.csv")
    exported = next(r["name"] for r in rows if r["id"] == "svc-london-tamar")
    assert exported == "'" + ATTACK  # a spreadsheet shows it as text and never runs it

    assert import_directory(data_engine, out, actor="test").ok
    with session_factory(data_engine)() as session:
        assert session.get(Service, "svc-london-tamar").name == ATTACK
