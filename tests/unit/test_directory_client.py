"""The action server keeps its directory connections open, yet reads a replaced file afresh.

A kept SQLite connection reads the file it opened, even after that file is renamed or
replaced (a restored backup; tests/e2e/test_no_dead_ends.py moves it away and back). Each kept
connection is dropped when the file at the path is no longer the one it opened.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import text

from actions import directory_client


def _make(path: Path, value: int) -> None:
    with sqlite3.connect(path) as db:
        db.executescript(f"CREATE TABLE t (x INTEGER); INSERT INTO t VALUES ({value});")
    db.close()


def _read(sessions) -> int:
    with sessions() as session:
        return session.execute(text("SELECT x FROM t")).scalar_one()


def test_a_replaced_directory_file_is_read_afresh(tmp_path, monkeypatch):
    database, other = tmp_path / "d.sqlite3", tmp_path / "e.sqlite3"
    _make(database, 1)
    _make(other, 2)
    monkeypatch.setattr(directory_client, "database_url", lambda: f"sqlite:///{database}")
    directory_client._sessions.cache_clear()
    try:
        sessions = directory_client._sessions()
        assert _read(sessions) == 1
        assert _read(sessions) == 1  # the same kept connection
        other.replace(database)
        assert _read(sessions) == 2
    finally:
        directory_client._sessions.cache_clear()
