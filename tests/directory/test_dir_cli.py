"""The `directory` and `staff` sub-commands, driven through our own argparse harness."""

from __future__ import annotations

import argparse
import io
import json

import pytest

from services_directory import cli
from services_directory.cli import init_directory


def run(*argv: str) -> int:
    """What bot/cli.py does: build a parser, let us register, call the handler."""
    parser = argparse.ArgumentParser(prog="signpost")
    cli.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.handler(args)


def url(engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def test_init_on_a_ready_directory_reimports_nothing_and_rebuilds_the_search_table(loaded_engine):
    """The search table is derived by code that changes between releases: a directory built by
    older code (here: rows lost) is made whole again by init, without touching the data."""
    from sqlalchemy import delete, func, select

    from services_directory.db import session_factory
    from services_directory.models import ServiceSearch

    maker = session_factory(loaded_engine)
    with maker() as session:
        before = session.execute(select(func.count()).select_from(ServiceSearch)).scalar_one()
    with maker() as session, session.begin():
        session.execute(delete(ServiceSearch).where(ServiceSearch.service_id
                                                    == "svc-national-mens-advice-line"))
    out = io.StringIO()
    timings = init_directory(loaded_engine, out=out)
    assert set(timings) == {"migrate", "index", "total"}  # nothing re-imported
    assert "directory ready" in out.getvalue()
    with maker() as session:
        assert session.execute(select(func.count()).select_from(ServiceSearch)).scalar_one() == before


def test_search_json(loaded_engine, capsys):
    assert run("directory", "search", "--database-url", url(loaded_engine), "--topic",
               "stalking", "--where", "se6 4jq", "--json") == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["place"]["kind"] == "postcode"
    assert payload["place"]["candidates"] == [{"code": "E09000023", "name": "Lewisham"}]
    first = payload["services"][0]
    assert set(first) == {"name", "phone", "phones", "email", "website", "form_url", "hours",
                          "for", "area", "scope", "topics", "verification", "last_verified",
                          "source_read_on", "source_page_date"}
    assert first["name"] == "Athena" and first["scope"] == "local"
    # A public source, not a staff confirmation: unconfirmed, with the day it was read.
    assert first["verification"] == "unconfirmed" and first["last_verified"] is None
    assert first["source_read_on"]
    assert any(s["phone"] for s in payload["services"])


def test_search_text_and_ambiguous_place(loaded_engine, capsys):
    assert run("directory", "search", "--database-url", url(loaded_engine), "--where",
               "E1", "--audience", "men") == 0
    out = capsys.readouterr().out
    assert "ask which one" in out and "Men's Advice Line" in out


def test_search_takes_who_is_asking(loaded_engine, capsys):
    assert run("directory", "search", "--database-url", url(loaded_engine), "--where",
               "Croydon", "--gender", "male", "--json") == 0
    names = [s["name"] for s in json.loads(capsys.readouterr().out)["services"]]
    assert "Men's Advice Line" in names
    assert run("directory", "search", "--database-url", url(loaded_engine), "--where",
               "Lewisham", "--age-group", "under_13") == 0
    assert "Childline" in capsys.readouterr().out


def test_usage_errors_exit_2():
    with pytest.raises(SystemExit) as raised:
        run("directory", "search", "--topic", "not-a-topic", "--where", "Lewisham")
    assert raised.value.code == 2
    with pytest.raises(SystemExit) as raised:
        run("directory", "search")
    assert raised.value.code == 2


def test_import_export_and_dry_run(data_engine, csv_copy, tmp_path, capsys):
    db = url(data_engine)
    assert run("directory", "export", "--database-url", db, str(tmp_path / "out")) == 0
    assert run("directory", "import", "--database-url", db, str(tmp_path / "out")) == 0
    assert "imported: 0 change(s)" in capsys.readouterr().out
    services = (csv_copy / "services.csv").read_text(encoding="utf-8")
    (csv_copy / "services.csv").write_text(
        services.replace("Tamar supports women", "Tamar helps women"), encoding="utf-8")
    assert run("directory", "import", "--database-url", db, str(csv_copy), "--dry-run") == 0
    out = capsys.readouterr().out
    assert "service: +0 ~1 -0" in out and "nothing was written" in out


def test_import_validation_errors_exit_1(data_engine, csv_copy, capsys):
    phones = (csv_copy / "phones.csv").read_text(encoding="utf-8")
    (csv_copy / "phones.csv").write_text(phones.replace("0800 999 5428", "12"),
                                         encoding="utf-8")
    assert run("directory", "import", "--database-url", url(data_engine), str(csv_copy)) == 1
    err = capsys.readouterr().err
    assert "phones.csv:" in err and ":number: bad UK phone number format" in err
    assert "nothing was written" in err


def _tables(database_url: str) -> set[str]:
    from sqlalchemy import inspect

    from services_directory.db import make_engine

    engine = make_engine(database_url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def _one_line_error(err: str) -> str:
    """Staff see one plain line, never a traceback."""
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    return lines[0]


def test_an_export_imports_into_an_empty_database(loaded_engine, new_database_url, tmp_path,
                                                  capsys):
    """Issue 13: importing an export into a new database once stopped with `no such table`."""
    from sqlalchemy import func, select

    from services_directory.db import make_engine, session_factory
    from services_directory.models import Phone, Service
    from services_directory.search import find_services

    export = tmp_path / "export"
    assert run("directory", "export", "--database-url", url(loaded_engine), str(export)) == 0
    target = new_database_url(loaded_engine.dialect.name)
    assert run("directory", "import", "--database-url", target, str(export), "--dry-run") == 0
    assert _tables(target) == set()  # a dry run writes nothing, not even the schema
    assert run("directory", "import", "--database-url", target, str(export)) == 0
    assert "imported:" in capsys.readouterr().out
    engine = make_engine(target)
    try:
        with session_factory(engine)() as new, session_factory(loaded_engine)() as old:
            for model in (Service, Phone):
                count = select(func.count()).select_from(model)
                assert new.execute(count).scalar_one() == old.execute(count).scalar_one()
            cards = find_services(new, topic="stalking", place="Lewisham").services
            assert cards[0].id == "svc-lewisham-athena" and cards[0].phone
    finally:
        engine.dispose()
    # Importing the same export again changes nothing.
    assert run("directory", "import", "--database-url", target, str(export)) == 0
    assert "imported: 0 change(s)" in capsys.readouterr().out


@pytest.mark.parametrize("fault", ["database", "bug"])
def test_a_failed_import_into_an_empty_database_leaves_it_empty(
        loaded_engine, new_database_url, tmp_path, capsys, monkeypatch, fault):
    from sqlalchemy.exc import OperationalError

    from services_directory import tabular

    export = tmp_path / "export"
    assert run("directory", "export", "--database-url", url(loaded_engine), str(export)) == 0
    capsys.readouterr()
    real_apply = tabular._apply

    def apply_then_fail(write, *args, **kwargs):
        real_apply(write, *args, **kwargs)  # rows written in the transaction, then a fault
        if fault == "database":
            raise OperationalError("INSERT", {}, Exception("server closed the connection"))
        raise ValueError("something unexpected")

    monkeypatch.setattr(tabular, "_apply", apply_then_fail)
    target = new_database_url(loaded_engine.dialect.name)
    assert run("directory", "import", "--database-url", target, str(export)) == 1
    line = _one_line_error(capsys.readouterr().err)
    assert line.startswith("error: ") and "nothing was changed" in line
    assert _tables(target) == set()


def test_an_unreadable_file_is_one_line_and_nothing_is_written(empty_engine, csv_copy,
                                                               capsys):
    (csv_copy / "services.csv").write_bytes(b"\x91\x92 not text \xff\xfe")
    before = _tables(url(empty_engine))
    assert run("directory", "import", "--database-url", url(empty_engine), str(csv_copy)) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    # The file is named once; references to it are not reported a thousand times over.
    assert err.splitlines()[0].startswith("services.csv:0:(file): is not UTF-8 text")
    assert len(err.splitlines()) == 2 and "nothing was written" in err
    assert _tables(url(empty_engine)) == before


def test_staff_add_reads_the_password_from_the_environment(empty_engine, monkeypatch,
                                                           capsys):
    secret = "correct horse battery staple"
    monkeypatch.setenv(cli.PASSWORD_ENV, secret)
    assert run("staff", "add", "--database-url", url(empty_engine), "Staff@Example.org") == 0
    assert run("staff", "add", "--database-url", url(empty_engine), "staff@example.org") == 1
    captured = capsys.readouterr()
    assert secret not in captured.out + captured.err
    assert "staff account created: staff@example.org" in captured.out


def test_staff_add_prompts_without_echo(empty_engine, monkeypatch, capsys):
    monkeypatch.delenv(cli.PASSWORD_ENV, raising=False)
    answers = iter(["another long password", "another long password"])
    monkeypatch.setattr(cli.getpass, "getpass", lambda prompt: next(answers))
    assert run("staff", "add", "--database-url", url(empty_engine), "b@example.org") == 0
    assert "another long password" not in capsys.readouterr().out


def _account(engine, email: str):
    from sqlalchemy import select

    from services_directory.db import session_factory
    from services_directory.models import StaffAccount

    with session_factory(engine)() as session:
        return session.execute(select(StaffAccount).where(StaffAccount.email == email)
                               ).scalar_one()


def test_staff_accounts_can_be_limited_locked_and_have_their_second_factor_reset(
        empty_engine, monkeypatch, capsys):
    """Issue 13: an officer's account sees only their borough; a leaver is locked out; a lost
    phone means a new authenticator app, all from the command line and all audited."""
    from sqlalchemy import select

    from services_directory.db import session_factory
    from services_directory.models import AuditLog
    from services_directory.staff import new_totp_secret, set_totp_secret

    monkeypatch.setenv(cli.PASSWORD_ENV, "correct horse battery staple")
    db = url(empty_engine)
    assert run("staff", "add", "--database-url", db, "--borough", "tower-hamlets",
               "officer@example.org") == 0
    assert "limited to Tower Hamlets" in capsys.readouterr().out
    assert _account(empty_engine, "officer@example.org").borough_code == "E09000030"
    assert run("staff", "add", "--database-url", db, "--borough", "E09000023",
               "lewisham@example.org") == 0
    assert _account(empty_engine, "lewisham@example.org").borough_code == "E09000023"
    # a place that is not a London borough is refused, in one line, and nothing is created
    assert run("staff", "add", "--database-url", db, "--borough", "Kent", "k@example.org") == 1
    err = capsys.readouterr().err
    assert "not a London borough: 'Kent'" in err and "Traceback" not in err

    with session_factory(empty_engine)() as session:
        set_totp_secret(session, "officer@example.org", new_totp_secret(), actor="test")
    assert run("staff", "reset-second-factor", "--database-url", db, "--actor", "admin",
               "officer@example.org") == 0
    assert _account(empty_engine, "officer@example.org").totp_secret is None
    assert run("staff", "disable", "--database-url", db, "officer@example.org") == 0
    assert _account(empty_engine, "officer@example.org").active is False
    assert run("staff", "enable", "--database-url", db, "officer@example.org") == 0
    assert _account(empty_engine, "officer@example.org").active is True
    assert run("staff", "disable", "--database-url", db, "nobody@example.org") == 1
    assert "no staff account" in capsys.readouterr().err
    with session_factory(empty_engine)() as session:
        actions = session.execute(select(AuditLog.action)).scalars().all()
    assert "reset_second_factor" in actions
