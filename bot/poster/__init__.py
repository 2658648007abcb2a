"""A printable poster with a QR code to the web chat, for campaigns (issue 12).

`signpost poster --url https://your.host/` writes poster.svg and poster.pdf. The QR code comes
from segno (a maintained, dependency-free QR library); the PDF from fpdf2. Nothing is fetched
from the network. Every word is in bot/poster/words.yml, where a reviewer reads them in one
place; this module only lays them out.

Both files are drawn from one layout (positions in millimetres on A4), so the SVG and the PDF
cannot drift apart. The QR code is drawn as filled runs of dark modules in plain vector shapes
with a quiet zone of four modules, large enough (100 mm) to scan across a waiting room.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit
from xml.sax.saxutils import escape, quoteattr

import segno
import yaml
from fpdf import FPDF

WORDS_FILE = Path(__file__).with_name("words.yml")
WORD_KEYS = ("title", "heading", "body", "address_label", "exit_note", "safety")

PAGE_WIDTH, PAGE_HEIGHT = 210.0, 297.0  # A4, mm
MARGIN = 20.0
QR_SIZE = 100.0  # mm, quiet zone included
QUIET_ZONE = 4  # modules, as the QR standard asks
POINT = 25.4 / 72  # mm per typographic point
LINE_HEIGHT = 1.3
FONT = "Helvetica"
SVG_FONTS = "Helvetica, Arial, sans-serif"


class PosterError(ValueError):
    """The address or the words cannot make a poster that works."""


@dataclass(frozen=True)
class Line:
    """One line of text, centred on the page, `baseline` mm from the top, `width` mm wide in
    Helvetica (the SVG holds it to that width whatever font the viewer has)."""

    text: str
    baseline: float
    size: float  # points
    bold: bool
    width: float


@dataclass(frozen=True)
class Layout:
    lines: tuple[Line, ...]
    qr_x: float
    qr_y: float
    module: float  # mm per module
    dark_runs: tuple[tuple[int, int, int], ...]  # (row, first column, length), quiet zone excluded
    url: str
    title: str


def check_url(url: str) -> str:
    """Only an absolute http(s) address with a host: a code pointing nowhere helps nobody."""
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or any(c.isspace() for c in url):
        raise PosterError(f"--url must be an absolute http(s) address, such as https://your.host/ (got {url!r})")
    return url


def load_words(path: Path = WORDS_FILE) -> dict[str, str]:
    """The poster's words; every one present and printable with the standard PDF fonts."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    words: dict[str, str] = {}
    for key in WORD_KEYS:
        value = data.get(key)
        if not isinstance(value, str) or not value.strip():
            raise PosterError(f"{path}: {key} is missing")
        try:
            value.encode("latin-1")
        except UnicodeEncodeError as error:
            raise PosterError(f"{path}: {key} has a character the PDF fonts lack: "
                              f"{value[error.start:error.end]!r}") from error
        words[key] = " ".join(value.split())
    return words


def dark_runs(qr: segno.QRCode) -> tuple[tuple[int, int, int], ...]:
    """Each row's runs of dark modules: far fewer shapes than one square per module."""
    runs = []
    for row, modules in enumerate(qr.matrix_iter(border=0)):
        start = None
        for column, dark in enumerate([*modules, 0]):
            if dark and start is None:
                start = column
            elif not dark and start is not None:
                runs.append((row, start, column - start))
                start = None
    return tuple(runs)


def _units(text: str) -> list[str]:
    """Words, with a phone number's digit groups kept together ("0808 2000 247")."""
    units: list[str] = []
    for word in text.split():
        if units and units[-1][-1].isdigit() and word[0].isdigit():
            units[-1] = f"{units[-1]} {word}"
        else:
            units.append(word)
    return units


def _wrap(pdf: FPDF, text: str, size: float, bold: bool, width: float) -> list[str]:
    pdf.set_font(FONT, "B" if bold else "", size)
    lines: list[str] = []
    for word in _units(text):
        candidate = f"{lines[-1]} {word}" if lines else word
        if lines and pdf.get_string_width(candidate) <= width:
            lines[-1] = candidate
        else:
            lines.append(word)
    return lines


def _fitting_size(pdf: FPDF, text: str, size: float, bold: bool, width: float) -> float:
    """The address is never wrapped (a broken address cannot be typed): it shrinks instead."""
    pdf.set_font(FONT, "B" if bold else "", size)
    while size > 8 and pdf.get_string_width(text) > width:
        size -= 0.5
        pdf.set_font(FONT, "B" if bold else "", size)
    return size


def layout(url: str, words: dict[str, str]) -> Layout:
    url = check_url(url)
    qr = segno.make_qr(url, error="m")  # boosted to a higher level when it costs no size
    pdf = FPDF(unit="mm", format="A4")  # only for its font metrics
    width = PAGE_WIDTH - 2 * MARGIN
    lines: list[Line] = []
    y = MARGIN

    def block(text: str, size: float, bold: bool = False, gap: float = 4.0) -> None:
        nonlocal y
        for part in _wrap(pdf, text, size, bold, width):
            y += size * POINT * LINE_HEIGHT
            lines.append(Line(part, y, size, bold, pdf.get_string_width(part)))
        y += gap

    block(words["heading"], 28, bold=True, gap=6)
    block(words["body"], 16, gap=8)
    qr_y = y
    y += QR_SIZE + 2
    block(words["address_label"], 12, gap=0)
    url_size = _fitting_size(pdf, url, 18, True, width)
    y += url_size * POINT * LINE_HEIGHT
    lines.append(Line(url, y, url_size, True, pdf.get_string_width(url)))
    y += 6
    block(words["exit_note"], 12, gap=0)
    safety = _wrap(pdf, words["safety"], 15, True, width)
    y = PAGE_HEIGHT - MARGIN - 15 * POINT * LINE_HEIGHT * (len(safety) - 1)
    if y - 15 * POINT * LINE_HEIGHT < lines[-1].baseline:
        raise PosterError("the words do not fit on one A4 page: shorten them in words.yml")
    pdf.set_font(FONT, "B", 15)
    for part in safety:
        lines.append(Line(part, y, 15, True, pdf.get_string_width(part)))
        y += 15 * POINT * LINE_HEIGHT

    modules = qr.symbol_size(border=QUIET_ZONE)[0]
    return Layout(lines=tuple(lines), qr_x=(PAGE_WIDTH - QR_SIZE) / 2, qr_y=qr_y,
                  module=QR_SIZE / modules, dark_runs=dark_runs(qr), url=url, title=words["title"])


def _mm(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".")


def render_svg(poster: Layout) -> str:
    """A4 in millimetres; the code as one path in module units, scaled into place."""
    path = "".join(f"M{column} {row}h{length}v1h-{length}z" for row, column, length in poster.dark_runs)
    origin_x = poster.qr_x + QUIET_ZONE * poster.module
    origin_y = poster.qr_y + QUIET_ZONE * poster.module
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_mm(PAGE_WIDTH)}mm" height="{_mm(PAGE_HEIGHT)}mm" '
        f'viewBox="0 0 {_mm(PAGE_WIDTH)} {_mm(PAGE_HEIGHT)}">',
        f"<title>{escape(poster.title)}</title>",
        f'<rect width="{_mm(PAGE_WIDTH)}" height="{_mm(PAGE_HEIGHT)}" fill="#ffffff"/>',
        f'<rect x="{_mm(poster.qr_x)}" y="{_mm(poster.qr_y)}" width="{_mm(QR_SIZE)}" '
        f'height="{_mm(QR_SIZE)}" fill="#ffffff"/>',
        f'<a href={quoteattr(poster.url)}><path id="qr" fill="#000000" '
        f'transform="translate({_mm(origin_x)} {_mm(origin_y)}) scale({_mm(poster.module)})" d="{path}"/></a>',
    ]
    for line in poster.lines:
        weight = ' font-weight="bold"' if line.bold else ""
        parts.append(
            f'<text x="{_mm(PAGE_WIDTH / 2)}" y="{_mm(line.baseline)}" text-anchor="middle" '
            f'font-family="{SVG_FONTS}" font-size="{_mm(line.size * POINT)}"{weight} '
            f'textLength="{_mm(line.width)}" lengthAdjust="spacingAndGlyphs" '
            f'fill="#000000">{escape(line.text)}</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def render_pdf(poster: Layout) -> bytes:
    """One A4 page: the same layout, the code as filled rectangles, the code a link too."""
    pdf = FPDF(unit="mm", format="A4")
    pdf.set_title(poster.title)
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.set_fill_color(0, 0, 0)
    origin_x = poster.qr_x + QUIET_ZONE * poster.module
    origin_y = poster.qr_y + QUIET_ZONE * poster.module
    for row, column, length in poster.dark_runs:
        pdf.rect(origin_x + column * poster.module, origin_y + row * poster.module,
                 length * poster.module, poster.module, style="F")
    pdf.link(poster.qr_x, poster.qr_y, QR_SIZE, QR_SIZE, poster.url)
    for line in poster.lines:
        pdf.set_font(FONT, "B" if line.bold else "", line.size)
        pdf.text((PAGE_WIDTH - pdf.get_string_width(line.text)) / 2, line.baseline, line.text)
    return bytes(pdf.output())


def write_poster(url: str, out_dir: Path, name: str = "poster",
                 words_file: Path = WORDS_FILE) -> tuple[Path, Path]:
    """Write `name`.svg and `name`.pdf into `out_dir`; returns their paths."""
    poster = layout(url, load_words(words_file))
    out_dir.mkdir(parents=True, exist_ok=True)
    svg_path, pdf_path = out_dir / f"{name}.svg", out_dir / f"{name}.pdf"
    svg_path.write_text(render_svg(poster), encoding="utf-8")
    pdf_path.write_bytes(render_pdf(poster))
    return svg_path, pdf_path
