"""The `directory` and `staff` sub-commands, driven through our own argparse harness."""

from __future__ import annotations

import argparse
import io
import json
import time

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


def test_init_is_idempotent_and_fast_when_done(loaded_engine):
    out = io.StringIO()
    started = time.perf_counter()
    timings = init_directory(loaded_engine, out=out)
    assert time.perf_counter() - started < 1.0
    assert set(timings) == {"migrate", "total"}  # nothing rebuilt or re-imported
    assert "directory ready" in out.getvalue()


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
