"""The `signpost` command: one entry point for staff and operators.

Sub-commands come from the module that owns each concern (the directory, the channels), so
this file only wires them together.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="signpost", description=__doc__)
    subparsers = parser.add_subparsers(dest="command", required=True)
    from services_directory import cli as directory_cli

    directory_cli.register(subparsers)
    from bot.poster import cli as poster_cli

    poster_cli.register(subparsers)
    try:
        from bot.channels import telegram_cli
    except ImportError:  # the Telegram channel is optional
        telegram_cli = None
    if telegram_cli is not None:
        telegram_cli.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from bot.logging_redaction import install

    install()
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    return int(handler(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
