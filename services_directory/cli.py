"""`signpost directory ...` and `signpost staff ...` sub-commands.

bot/cli.py owns the `signpost` command and calls `register(subparsers)`; each sub-command
sets `handler`, a function taking the parsed args and returning the exit code:
0 ok, 1 validation errors (bad import rows, refused staff account), 2 usage (argparse).
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from services_directory.vocabulary import AUDIENCES, TOPICS

PASSWORD_ENV = "SIGNPOST_STAFF_PASSWORD"


def _engine(args: argparse.Namespace) -> Engine:
    from services_directory.db import database_url, make_engine

    return make_engine(getattr(args, "database_url", None) or database_url())


def _actor(args: argparse.Namespace) -> str:
    return getattr(args, "actor", None) or f"cli:{os.environ.get('USER', 'unknown')}"


# ---------------------------------------------------------------- directory init


def init_directory(engine: Engine, out=sys.stdout) -> dict[str, float]:
    """Migrate, build postcodes if empty, load bundled CSVs if no services, index search.

    Idempotent: on a ready database it only checks, which takes well under a second.
    """
    from services_directory.db import session_factory
    from services_directory.migrate import upgrade_database
    from services_directory.models import Service
    from services_directory.postcodes import build_postcode_tables, postcode_tables_empty
    from services_directory.search_index import refresh_search_index, search_index_empty
    from services_directory.tabular import bundled_data_dir, import_directory

    timings: dict[str, float] = {}
    started = time.perf_counter()
    upgrade_database(engine)
    timings["migrate"] = time.perf_counter() - started
    maker = session_factory(engine)
    with maker() as session:
        need_postcodes = postcode_tables_empty(session)
        service_count = session.execute(select(func.count()).select_from(Service)).scalar_one()
    if need_postcodes:
        stats = build_postcode_tables(engine)
        timings["postcodes"] = stats.seconds
        print(f"postcodes: {stats.london_postcodes} London postcodes, {stats.outward_codes} UK "
              f"outward codes ({stats.seconds:.1f}s)", file=out)
    if service_count == 0:
        step = time.perf_counter()
        report = import_directory(engine, bundled_data_dir(), actor="directory init")
        if report.errors:
            raise RuntimeError("bundled directory data is invalid:\n" + "\n".join(report.errors))
        timings["import"] = time.perf_counter() - step
        print(f"directory: loaded {report.summary()['service']['added']} services from "
              f"{bundled_data_dir()}", file=out)
    with maker() as session, session.begin():
        if search_index_empty(session):
            rows = refresh_search_index(session)
            print(f"search index: {rows} rows", file=out)
    timings["total"] = time.perf_counter() - started
    print(f"directory ready ({timings['total']:.2f}s)", file=out)
    return timings


def _cmd_init(args: argparse.Namespace) -> int:
    engine = _engine(args)
    try:
        init_directory(engine)
    finally:
        engine.dispose()
    return 0


# ---------------------------------------------------------------- directory search


def search_payload(result) -> dict:
    place = result.place
    return {
        "place": {
            "text": place.text,
            "kind": place.kind,
            "normalised": place.normalised,
            "candidates": [{"code": b.ons_code, "name": b.name} for b in place.candidates],
        },
        "topic": result.topic,
        "audience": result.audience,
        "needs_borough_choice": result.needs_borough_choice,
        "outside_london": result.outside_london,
        "services": [
            {
                "name": card.name,
                "phone": card.phone,
                "website": card.website,
                "area": card.area,
                "topics": list(card.topics),
                "last_verified": card.last_verified.isoformat() if card.last_verified else None,
            }
            for card in result.services
        ],
    }


def _cmd_search(args: argparse.Namespace) -> int:
    from services_directory.db import session_factory
    from services_directory.search import find_services

    engine = _engine(args)
    try:
        with session_factory(engine)() as session:
            result = find_services(session, args.topic, args.where, args.audience, args.limit)
    finally:
        engine.dispose()
    if args.json:
        print(json.dumps(search_payload(result), indent=2, ensure_ascii=False))
        return 0
    place = result.place
    names = ", ".join(result.candidates) or "-"
    print(f"place: {place.kind} ({names})")
    if result.needs_borough_choice:
        print("  more than one borough matches: ask which one")
    if result.outside_london:
        print("  outside London: national services only")
    for n, card in enumerate(result.services, 1):
        contact = card.phone or card.website or "no contact details recorded"
        hours = " (24 hours)" if card.is_24_hours else ""
        print(f"{n}. {card.name} [{card.area}] {contact}{hours}")
    return 0


# ---------------------------------------------------------------- import / export


def _cmd_import(args: argparse.Namespace) -> int:
    from services_directory.tabular import import_directory

    directory = Path(args.dir)
    if not directory.is_dir():
        print(f"error: {directory} is not a folder", file=sys.stderr)
        return 2
    engine = _engine(args)
    try:
        report = import_directory(engine, directory, dry_run=args.dry_run, actor=_actor(args))
    finally:
        engine.dispose()
    if report.errors:
        for error in report.errors:
            print(error, file=sys.stderr)
        print(f"{len(report.errors)} problem(s); nothing was written", file=sys.stderr)
        return 1
    for table, counts in report.summary().items():
        if any(counts.values()):
            print(f"{table}: +{counts['added']} ~{counts['updated']} -{counts['removed']}")
    if args.dry_run:
        print(f"dry run: {report.total_changes} change(s) would be made; nothing was written")
    else:
        print(f"imported: {report.total_changes} change(s)")
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    from services_directory.tabular import export_directory

    engine = _engine(args)
    try:
        counts = export_directory(engine, Path(args.dir))
    finally:
        engine.dispose()
    for name, count in counts.items():
        print(f"{name}: {count} rows")
    return 0


def _cmd_reindex(args: argparse.Namespace) -> int:
    from services_directory.db import session_factory
    from services_directory.search_index import refresh_search_index

    engine = _engine(args)
    try:
        with session_factory(engine)() as session, session.begin():
            rows = refresh_search_index(session)
    finally:
        engine.dispose()
    print(f"search index rebuilt: {rows} rows")
    return 0


# ---------------------------------------------------------------- staff


def _read_password() -> str:
    password = os.environ.get(PASSWORD_ENV)
    if password:
        return password
    first = getpass.getpass("Password: ")
    second = getpass.getpass("Repeat password: ")
    if first != second:
        raise ValueError("passwords do not match")
    return first


def _cmd_staff_add(args: argparse.Namespace) -> int:
    from services_directory.db import session_factory
    from services_directory.migrate import upgrade_database
    from services_directory.staff import StaffError, create_staff_account

    try:
        password = _read_password()
    except (ValueError, EOFError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    engine = _engine(args)
    try:
        upgrade_database(engine)
        with session_factory(engine)() as session:
            account = create_staff_account(session, args.email, password, actor=_actor(args))
            email = account.email
    except StaffError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    print(f"staff account created: {email}")
    return 0


# ---------------------------------------------------------------- wiring


def _database_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--database-url", help="overrides DATABASE_URL")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `directory` and `staff` commands to the `signpost` parser."""
    directory = subparsers.add_parser("directory", help="the service directory")
    commands = directory.add_subparsers(dest="directory_command", required=True)

    init = commands.add_parser("init", help="migrate, load postcodes and bundled services")
    _database_option(init)
    init.set_defaults(handler=_cmd_init)

    search = commands.add_parser("search", help="find services for a topic and place")
    _database_option(search)
    search.add_argument("--topic", choices=TOPICS, default=None)
    search.add_argument("--where", required=True, help="borough, neighbourhood or postcode")
    search.add_argument("--audience", choices=AUDIENCES, default=None)
    search.add_argument("--limit", type=int, default=5)
    search.add_argument("--json", action="store_true")
    search.set_defaults(handler=_cmd_search)

    load = commands.add_parser("import", help="import Open Referral CSVs from a folder")
    _database_option(load)
    load.add_argument("dir")
    load.add_argument("--dry-run", action="store_true")
    load.add_argument("--actor", help="who to record in the audit log")
    load.set_defaults(handler=_cmd_import)

    dump = commands.add_parser("export", help="export Open Referral CSVs to a folder")
    _database_option(dump)
    dump.add_argument("dir")
    dump.set_defaults(handler=_cmd_export)

    reindex = commands.add_parser("reindex", help="rebuild the derived search table")
    _database_option(reindex)
    reindex.set_defaults(handler=_cmd_reindex)

    staff = subparsers.add_parser("staff", help="staff accounts for the directory admin")
    staff_commands = staff.add_subparsers(dest="staff_command", required=True)
    add = staff_commands.add_parser("add", help=f"create an account (password from "
                                                f"{PASSWORD_ENV} or a prompt)")
    _database_option(add)
    add.add_argument("email")
    add.add_argument("--actor", help="who to record in the audit log")
    add.set_defaults(handler=_cmd_staff_add)


def main(argv: Sequence[str] | None = None) -> int:
    """Stand-alone entry (python -m services_directory.cli) mirroring bot/cli.py."""
    parser = argparse.ArgumentParser(prog="signpost")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return int(args.handler(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
