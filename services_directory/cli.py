"""`signpost directory ...` and `signpost staff ...` sub-commands.

bot/cli.py owns the `signpost` command and calls `register(subparsers)`; each sub-command
sets `handler`, a function taking the parsed args and returning the exit code:
0 ok, 1 validation errors (bad import rows, refused staff account), 2 usage (argparse).
"""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import os
import re
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from services_directory.boroughs import BOROUGH_BY_CODE
from services_directory.vocabulary import AUDIENCES, TOPICS

logger = logging.getLogger(__name__)

PASSWORD_ENV = "SIGNPOST_STAFF_PASSWORD"
_ERRORS_SHOWN = 20  # a badly broken file gives hundreds: the first few say what to fix


def _engine(args: argparse.Namespace) -> Engine:
    from services_directory.db import database_url, make_engine

    return make_engine(getattr(args, "database_url", None) or database_url())


def _actor(args: argparse.Namespace) -> str:
    return getattr(args, "actor", None) or f"cli:{os.environ.get('USER', 'unknown')}"


# ---------------------------------------------------------------- directory init


def init_directory(engine: Engine, out=sys.stdout) -> dict[str, float]:
    """Migrate, build postcodes if empty, load the bundled directory, index search.

    The bundled directory is the seed CSVs merged with the sourced research files
    (sources.py). It is loaded into an empty directory, and once into a directory that has
    never had the research (one made before it existed); after that, research changes are
    loaded on purpose with `signpost directory sources load`, so a restart never overwrites
    staff edits. A research file with a problem is left out and its problems are printed.
    Idempotent: on a ready database it checks and rebuilds the derived search table (about a
    second for a thousand services).
    """
    from services_directory.db import session_factory
    from services_directory.migrate import upgrade_database
    from services_directory.models import Service, ServiceSource
    from services_directory.postcodes import build_postcode_tables, postcode_tables_empty
    from services_directory.search_index import refresh_search_index
    from services_directory.sources import load_bundle
    from services_directory.tabular import import_rows

    timings: dict[str, float] = {}
    started = time.perf_counter()
    upgrade_database(engine)
    timings["migrate"] = time.perf_counter() - started
    maker = session_factory(engine)
    with maker() as session:
        need_postcodes = postcode_tables_empty(session)
        service_count = session.execute(select(func.count()).select_from(Service)).scalar_one()
        has_research = session.execute(select(ServiceSource.id).limit(1)).first() is not None
    if need_postcodes:
        stats = build_postcode_tables(engine)
        timings["postcodes"] = stats.seconds
        print(f"postcodes: {stats.london_postcodes} London postcodes, {stats.outward_codes} UK "
              f"outward codes ({stats.seconds:.1f}s)", file=out)
    if service_count == 0 or not has_research:
        step = time.perf_counter()
        parsed, merge = load_bundle(strict=False)
        for problem in merge.problems:
            print(f"research problem (file left out): {problem}", file=out)
        report = import_rows(engine, parsed, actor="directory init", remove_missing=False)
        if report.errors:
            raise RuntimeError("bundled directory data is invalid:\n" + "\n".join(report.errors))
        timings["import"] = time.perf_counter() - step
        counts = report.summary()["service"]
        print(f"directory: {counts['added']} services added and {counts['updated']} updated "
              f"from the seed data and {merge.research_services} research entries", file=out)
        if merge.skipped_files:
            print(f"directory: {len(merge.skipped_files)} research file(s) left out: "
                  f"{', '.join(merge.skipped_files)}", file=out)
    # The search table is derived, and what goes into it (who may see a service, how it ranks,
    # which numbers are too old to show) is code that changes between releases: rebuilt at
    # every init, so a directory made by older code never answers with stale rules.
    step = time.perf_counter()
    with maker() as session, session.begin():
        rows = refresh_search_index(session)
        print(f"search index: {rows} rows", file=out)
    timings["index"] = time.perf_counter() - step
    timings["total"] = time.perf_counter() - started
    print(f"directory ready ({timings['total']:.2f}s)", file=out)
    return timings


def _fail(message: str) -> int:
    """One line on stderr, never a traceback: staff run these by hand."""
    first = " ".join(str(message).split())
    print(f"error: {first[:500]}", file=sys.stderr)
    return 1


def _database_problem(error: BaseException) -> str:
    """What went wrong with the database, in words, without connection secrets."""
    from sqlalchemy.exc import OperationalError, SQLAlchemyError

    if isinstance(error, OperationalError):
        reason = str(getattr(error, "orig", error)).strip().splitlines()[0]
        return f"cannot use the directory database ({reason}); nothing was changed"
    if isinstance(error, SQLAlchemyError):
        return f"the directory database refused the change ({type(error).__name__}); " \
               "nothing was changed"
    return f"{error}; nothing was changed"


def _cmd_init(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from services_directory.sources import SourcesError

    engine = _engine(args)
    try:
        init_directory(engine)
    except SourcesError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        return _fail(f"{len(error.problems)} problem(s) in the bundled data")
    except (SQLAlchemyError, OSError, RuntimeError) as error:
        return _fail(_database_problem(error))
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
                "phones": [{"number": line.number, "label": line.label, "hours": line.hours}
                           for line in card.phones],
                "email": card.email,
                "website": card.website,
                "form_url": card.form_url,
                "hours": card.hours,
                "for": card.eligibility_note,
                "area": card.area,
                "scope": card.scope,
                "topics": list(card.topics),
                "verification": card.verification,
                "last_verified": card.last_verified.isoformat() if card.last_verified else None,
                "source_read_on": card.source_read_on.isoformat()
                if card.source_read_on else None,
                "source_page_date": card.source_page_date,
            }
            for card in result.services
        ],
    }


def _cmd_search(args: argparse.Namespace) -> int:
    from services_directory.asker import Asker
    from services_directory.db import session_factory
    from services_directory.search import find_services

    asker = Asker(gender=args.gender, age_group=args.age_group, lgbt_plus=args.lgbt_plus,
                  deaf=args.deaf, disabled=args.disabled, nrpf=args.nrpf,
                  limited_english=args.limited_english, minoritised=args.minoritised, role=args.role)
    engine = _engine(args)
    try:
        with session_factory(engine)() as session:
            result = find_services(session, topic=args.topic, place=args.where,
                                   asker=asker if asker != Asker() else None,
                                   audience=args.audience, limit=args.limit)
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
        contact = card.phone or card.email or card.form_url or card.website \
            or "no contact details recorded"
        hours = " (24 hours)" if card.is_24_hours else ""
        who = f" {card.eligibility_note}." if card.eligibility_note else ""
        print(f"{n}. {card.name} [{card.area}] {contact}{hours}{who} ({card.verification})")
    return 0


# ---------------------------------------------------------------- import / export


def _cmd_import(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from services_directory.tabular import import_directory

    directory = Path(args.dir)
    if not directory.is_dir():
        print(f"error: {directory} is not a folder", file=sys.stderr)
        return 2
    try:
        engine = _engine(args)
    except (SQLAlchemyError, ValueError) as error:
        return _fail(f"cannot use the database address ({type(error).__name__}); "
                     "nothing was changed")
    try:
        report = import_directory(engine, directory, dry_run=args.dry_run, actor=_actor(args))
    except (SQLAlchemyError, OSError, RuntimeError) as error:
        return _fail(_database_problem(error))
    except Exception as error:  # staff get one line, never a traceback
        logger.debug("import failed", exc_info=True)
        return _fail(f"the import stopped ({type(error).__name__}: {error}); "
                     "nothing was changed")
    finally:
        engine.dispose()
    return _print_report(report, args.dry_run)


def _print_report(report, dry_run: bool) -> int:
    if report.errors:
        for error in report.errors[:_ERRORS_SHOWN]:
            print(error, file=sys.stderr)
        if len(report.errors) > _ERRORS_SHOWN:
            print(f"... and {len(report.errors) - _ERRORS_SHOWN} more", file=sys.stderr)
        print(f"{len(report.errors)} problem(s); nothing was written", file=sys.stderr)
        return 1
    for table, counts in report.summary().items():
        if any(counts.values()):
            print(f"{table}: +{counts['added']} ~{counts['updated']} -{counts['removed']}")
    if report.ignored_confirmations:
        print(f"{report.ignored_confirmations} confirmation(s) in the files were not imported: "
              "only staff confirm entries (in the admin)")
    if dry_run:
        print(f"dry run: {report.total_changes} change(s) would be made; nothing was written")
    else:
        print(f"imported: {report.total_changes} change(s)")
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from services_directory.tabular import export_directory

    engine = _engine(args)
    try:
        counts = export_directory(engine, Path(args.dir))
    except (SQLAlchemyError, OSError) as error:
        return _fail(_database_problem(error))
    finally:
        engine.dispose()
    for name, count in counts.items():
        print(f"{name}: {count} rows")
    return 0


def _cmd_coverage(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from services_directory.coverage import build_report, render_markdown
    from services_directory.db import session_factory

    command = "signpost directory coverage" + (f" --output {args.output}" if args.output else "")
    engine = _engine(args)
    try:
        with session_factory(engine)() as session:
            text = render_markdown(build_report(session), command)
    except SQLAlchemyError as error:
        return _fail(_database_problem(error).replace("; nothing was changed", ""))
    finally:
        engine.dispose()
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"coverage report written to {args.output}")
    else:
        print(text, end="")
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


# ---------------------------------------------------------------- research sources


def _cmd_sources_check(_args: argparse.Namespace) -> int:
    from services_directory.sources import SourcesError, load_bundle

    try:
        parsed, merge = load_bundle(strict=True)
    except SourcesError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        return _fail(f"{len(error.problems)} problem(s) in the research files; fix them and "
                     "run this again")
    print(f"research files are valid: {merge.research_services} entries "
          f"({len(merge.council_routes)} council pages), "
          f"{len(parsed['services.csv'].rows)} services with the seed data")
    for seed_id, ids in merge.superseded.items():
        print(f"  seed {seed_id} is replaced by {', '.join(ids)}")
    for key in merge.unused_curation:
        print(f"  curation.yaml {key} names no entry: check the id")
    return 1 if merge.unused_curation else 0


def _cmd_sources_load(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from services_directory.sources import SourcesError, load_bundle
    from services_directory.tabular import import_rows

    try:
        parsed, _merge = load_bundle(strict=True)
    except SourcesError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        return _fail(f"{len(error.problems)} problem(s) in the research files; nothing was "
                     "written")
    engine = _engine(args)
    try:
        report = import_rows(engine, parsed, dry_run=args.dry_run, actor=_actor(args),
                             remove_missing=False)
    except (SQLAlchemyError, OSError, RuntimeError) as error:
        return _fail(_database_problem(error))
    finally:
        engine.dispose()
    return _print_report(report, args.dry_run)


def _cmd_sources_build(args: argparse.Namespace) -> int:
    from services_directory.sources import SourcesError, load_bundle, write_bundle

    try:
        parsed, _merge = load_bundle(strict=True)
    except SourcesError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        return _fail(f"{len(error.problems)} problem(s) in the research files")
    write_bundle(parsed, Path(args.dir))
    print(f"wrote {len(parsed['services.csv'].rows)} services to {args.dir}")
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


def _staff_write(args: argparse.Namespace, change: Callable[[Session], str]) -> int:
    """Open the directory, make one staff-account change through the service layer and print
    what happened in one line; a refused change is one line on stderr, never a traceback."""
    from services_directory.db import session_factory
    from services_directory.migrate import upgrade_database
    from services_directory.staff import StaffError

    engine = _engine(args)
    try:
        upgrade_database(engine)
        with session_factory(engine)() as session:
            done = change(session)
    except StaffError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    print(done)
    return 0


def _cmd_staff_add(args: argparse.Namespace) -> int:
    from services_directory.staff import create_staff_account

    try:
        password = _read_password()
    except (ValueError, EOFError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1

    def add(session: Session) -> str:
        account = create_staff_account(session, args.email, password, actor=_actor(args),
                                       borough_code=_borough_code(args.borough))
        limited = (f", limited to {BOROUGH_BY_CODE[account.borough_code].name}"
                   if account.borough_code else "")
        return f"staff account created: {account.email}{limited}"

    return _staff_write(args, add)


def _borough_code(value: str | None) -> str | None:
    """A borough named as staff write it ("Tower Hamlets", "tower-hamlets") or its ONS code;
    anything else is refused rather than guessed."""
    from services_directory.staff import StaffError

    if value is None:
        return None
    wanted = value.strip()
    if wanted.upper() in BOROUGH_BY_CODE:
        return wanted.upper()
    key = re.sub(r"[^a-z]+", " ", wanted.lower()).strip()
    for code, borough in BOROUGH_BY_CODE.items():
        if re.sub(r"[^a-z]+", " ", borough.name.lower()).strip() == key:
            return code
    raise StaffError(f"not a London borough: {value!r} (use its name or ONS code, e.g. E09000023)")


def _cmd_staff_change(args: argparse.Namespace) -> int:
    """Lock an account out, let it back in, or reset its second factor (a lost phone)."""
    from services_directory.staff import set_staff_active, set_totp_secret

    def change(session: Session) -> str:
        if args.staff_command == "reset-second-factor":
            account = set_totp_secret(session, args.email, None, actor=_actor(args))
            return f"{account.email}: second factor reset: they set up an authenticator app at " \
                   "next sign-in"
        active = args.staff_command == "enable"
        account = set_staff_active(session, args.email, active, actor=_actor(args))
        return f"{account.email}: {'can sign in' if active else 'locked out'}"

    return _staff_write(args, change)


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
    search.add_argument("--audience", choices=AUDIENCES, default=None,
                        help="older single-word form; prefer the options below")
    search.add_argument("--gender", choices=("female", "male"), default=None)
    search.add_argument("--age-group", choices=("under_13", "under_18", "adult", "older"),
                        default=None)
    search.add_argument("--role", choices=("self", "supporter", "own_behaviour"),
                        default="self")
    for flag in ("--lgbt-plus", "--deaf", "--disabled", "--nrpf", "--limited-english", "--minoritised"):
        search.add_argument(flag, action="store_true")
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

    coverage = commands.add_parser(
        "coverage", help="per borough and topic, what search returns, and entry states")
    _database_option(coverage)
    coverage.add_argument("--output", metavar="FILE", default=None,
                          help="write the Markdown report here instead of printing it")
    coverage.set_defaults(handler=_cmd_coverage)

    sources = commands.add_parser("sources", help="the sourced research files (data/sources)")
    source_commands = sources.add_subparsers(dest="sources_command", required=True)
    check = source_commands.add_parser("check", help="validate every research file strictly")
    check.set_defaults(handler=_cmd_sources_check)
    load_sources = source_commands.add_parser(
        "load", help="load the research (merged with the seed) into an existing directory")
    _database_option(load_sources)
    load_sources.add_argument("--dry-run", action="store_true")
    load_sources.add_argument("--actor", help="who to record in the audit log")
    load_sources.set_defaults(handler=_cmd_sources_load)
    build = source_commands.add_parser("build", help="write the merged directory as CSVs")
    build.add_argument("dir")
    build.set_defaults(handler=_cmd_sources_build)

    staff = subparsers.add_parser("staff", help="staff accounts for the directory admin")
    staff_commands = staff.add_subparsers(dest="staff_command", required=True)
    add = staff_commands.add_parser("add", help=f"create an account (password from "
                                                f"{PASSWORD_ENV} or a prompt)")
    _database_option(add)
    add.add_argument("email")
    add.add_argument("--actor", help="who to record in the audit log")
    add.add_argument("--borough", help="limit the account to one borough's entries (its name "
                                       "or ONS code); without it the account sees every entry")
    add.set_defaults(handler=_cmd_staff_add)
    for name, summary in (("disable", "lock an account out (it can no longer sign in)"),
                          ("enable", "let a locked-out account sign in again"),
                          ("reset-second-factor", "forget an account's authenticator app (a "
                                                  "lost phone): it enrols a new one at next "
                                                  "sign-in")):
        change = staff_commands.add_parser(name, help=summary)
        _database_option(change)
        change.add_argument("email")
        change.add_argument("--actor", help="who to record in the audit log")
        change.set_defaults(handler=_cmd_staff_change)


def main(argv: Sequence[str] | None = None) -> int:
    """Stand-alone entry (python -m services_directory.cli) mirroring bot/cli.py."""
    parser = argparse.ArgumentParser(prog="signpost")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return int(args.handler(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
