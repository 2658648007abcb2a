"""`signpost poster`: the QR code in both files holds the address, and the words are the
reviewed ones from bot/poster/words.yml.

The code is read back from what was written (the SVG path, the PDF's rectangles), redrawn as a
bitmap and decoded with zxing-cpp, so a drawing mistake cannot hide behind segno being right.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
import zlib
from pathlib import Path

import pytest
import yaml

from bot.cli import main
from bot.poster import QR_SIZE, WORDS_FILE, PosterError, load_words, write_poster

SVG = "{http://www.w3.org/2000/svg}"
URL = "https://your.host/"
PT_PER_MM = 72 / 25.4


def bitmap(dark: set[tuple[int, int]], scale: int = 6):
    """A black-on-white image of the modules, with the quiet zone the standard asks for."""
    from PIL import Image

    size = max(max(r for r, _ in dark), max(c for _, c in dark)) + 1
    image = Image.new("L", ((size + 8) * scale, (size + 8) * scale), 255)
    for row, column in dark:
        x, y = (column + 4) * scale, (row + 4) * scale
        image.paste(0, (x, y, x + scale, y + scale))
    return image


def decode(dark: set[tuple[int, int]]) -> list[str]:
    zxingcpp = pytest.importorskip("zxingcpp")
    return [found.text for found in zxingcpp.read_barcodes(bitmap(dark))]


def svg_modules(svg: Path) -> set[tuple[int, int]]:
    path = ET.parse(svg).getroot().find(f".//{SVG}path[@id='qr']")
    assert path is not None
    dark = set()
    for column, row, length in re.findall(r"M(\d+) (\d+)h(\d+)v1h-\3z", path.get("d")):
        dark |= {(int(row), int(column) + i) for i in range(int(length))}
    return dark


def pdf_streams(pdf: bytes) -> str:
    texts = []
    for raw in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            texts.append(zlib.decompress(raw).decode("latin-1"))
        except zlib.error:
            texts.append(raw.decode("latin-1"))
    return "\n".join(texts)


def pdf_modules(content: str, modules_across: int) -> set[tuple[int, int]]:
    """Filled rectangles (the only ones on the page) back to module rows and columns."""
    rects = [tuple(map(float, m)) for m in
             re.findall(r"(-?[\d.]+) (-?[\d.]+) (-?[\d.]+) (-?[\d.]+) re f", content)]
    assert rects
    module = QR_SIZE * PT_PER_MM / (modules_across + 8)
    left = min(x for x, _, _, _ in rects)
    top = max(y for _, y, _, _ in rects)  # heights are negative: y is the top edge
    dark = set()
    for x, y, width, _ in rects:
        row, column = round((top - y) / module), round((x - left) / module)
        dark |= {(row, column + i) for i in range(round(width / module))}
    return dark


@pytest.fixture
def written(tmp_path: Path) -> tuple[Path, Path]:
    assert main(["poster", "--url", URL, "--out", str(tmp_path)]) == 0
    return tmp_path / "poster.svg", tmp_path / "poster.pdf"


def test_the_command_writes_an_svg_and_a_pdf(written, capsys):
    svg, pdf = written
    assert svg.read_text(encoding="utf-8").startswith("<?xml")
    assert pdf.read_bytes().startswith(b"%PDF-")
    assert len(re.findall(rb"/Type\s*/Page(?!s)", pdf.read_bytes())) == 1  # one A4 page


def test_the_svg_code_decodes_to_the_address(written):
    dark = svg_modules(written[0])
    assert decode(dark) == [URL]


def test_the_pdf_code_decodes_to_the_address_and_links_to_it(written):
    svg_dark = svg_modules(written[0])
    across = max(c for _, c in svg_dark) + 1
    pdf = written[1].read_bytes()
    dark = pdf_modules(pdf_streams(pdf), across)
    assert dark == svg_dark  # one layout, two drawings
    assert decode(dark) == [URL]
    assert f"/URI ({URL})".encode() in pdf


def test_every_word_comes_from_words_yml(written):
    words = load_words()
    root = ET.parse(written[0]).getroot()
    lines = [t.text or "" for t in root.iter(f"{SVG}text")]
    shown = " ".join(lines)
    for key in ("heading", "body", "address_label", "exit_note", "safety"):
        assert words[key] in shown, key
    assert URL in lines  # printed whole, for anyone who cannot scan
    assert "0808 2000 247" in shown  # a number is never split across lines
    assert root.find(f"{SVG}title").text == words["title"]
    content = pdf_streams(written[1].read_bytes())
    for line in lines:
        assert f"({line})" in content.replace("\\(", "(").replace("\\)", ")"), line


def test_the_words_file_is_plain_and_complete():
    data = yaml.safe_load(WORDS_FILE.read_text(encoding="utf-8"))
    words = load_words()
    assert set(words) <= set(data)
    assert "999" in words["safety"] and "0808 2000 247" in words["safety"]


@pytest.mark.parametrize("url", ["your.host", "ftp://your.host/", "https://", "javascript:alert(1)",
                                 "https://your host/"])
def test_an_address_that_cannot_work_is_refused(tmp_path, url, capsys):
    assert main(["poster", "--url", url, "--out", str(tmp_path)]) == 2
    assert "absolute http(s) address" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_words_the_pdf_fonts_cannot_print_are_refused(tmp_path):
    words = yaml.safe_load(WORDS_FILE.read_text(encoding="utf-8"))
    words["heading"] = "Worried about a relationship\u2019s future? \U0001f49c"
    bad = tmp_path / "words.yml"
    bad.write_text(yaml.safe_dump(words), encoding="utf-8")
    with pytest.raises(PosterError, match="character the PDF fonts lack"):
        write_poster(URL, tmp_path / "out", words_file=bad)


def test_a_long_address_still_decodes_and_is_not_wrapped(tmp_path):
    url = "https://support.example-borough.gov.uk/domestic-abuse/chat/?from=poster-campaign-2026"
    svg, _ = write_poster(url, tmp_path)
    assert decode(svg_modules(svg)) == [url]
    lines = [t.text for t in ET.parse(svg).getroot().iter(f"{SVG}text")]
    assert url in lines
