"""`signpost poster`: print-ready SVG and PDF with a QR code to the web chat."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "poster", help="write a printable A4 poster (SVG and PDF) with a QR code to the chat",
        description="Write poster.svg and poster.pdf with a QR code to --url. The words are in "
                    "bot/poster/words.yml.")
    parser.add_argument("--url", required=True, help="the public address of the web chat, e.g. https://your.host/")
    parser.add_argument("--out", type=Path, default=Path("."), help="folder to write into (default: here)")
    parser.add_argument("--name", default="poster", help="file name without extension (default: poster)")
    parser.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    from bot.poster import PosterError, write_poster

    try:
        paths = write_poster(args.url, args.out, args.name)
    except PosterError as error:
        print(f"signpost poster: {error}", file=sys.stderr)
        return 2
    for path in paths:
        print(path)
    return 0
