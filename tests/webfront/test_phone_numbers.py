"""Which words become tap-to-call links (bot/webfront/phone_numbers.py), on the edge's plain
page as in the chat."""

from __future__ import annotations

import re

import pytest

from bot.webfront.edge import write_error_files
from bot.webfront.phone_numbers import _PHONE, dial_string, linked_html
from bot.webfront.responses import DomainResponses
from tests.support.domain import DOMAIN_FILE, responses


@pytest.mark.parametrize(("text", "numbers"), [
    ("call 999 now", ["999"]),
    ("Helpline: 0808 2000 247, free", ["0808 2000 247"]),
    ("Galop 0800 999 5428 (999 is for emergencies)", ["0800 999 5428", "999"]),
    ("Samaritans 116 123, NHS 111, police 101, Relay UK 18000", ["116 123", "111", "101", "18000"]),
    ("Childline: 0800 1111.", ["0800 1111"]),
    ("+44 20 3299 6900 or 020-3299-6900 or 02032996900", ["+44 20 3299 6900", "020-3299-6900", "02032996900"]),
    ("press 55 when asked; open 24 hours; within 72 hours; 13 or over", []),
    ("ref 99999 and 9999 and E1 6AN and 2026", []),
    ("https://example.org/0808200024799", []),
])
def test_the_numbers_that_are_linked(text, numbers):
    assert [m.group(0) for m in _PHONE.finditer(text)] == numbers


def test_every_number_the_bot_gives_is_linked_and_nothing_else_is():
    """All of domain.yml: any run of digits left unlinked is not a phone number."""
    left = set()
    for variants in responses().values():
        for variant in variants:
            rest = _PHONE.sub("#", variant.get("text") or "")
            left |= set(re.findall(r"[0-9][0-9 ]*[0-9]|[0-9]", rest))
    assert left <= {"12", "13", "15", "18", "24", "30", "48", "55", "72", "7", "16"}, left


def test_linked_html_escapes_everything_else():
    out = linked_html('<b>0808 2000 247</b> & "999"')
    assert out == ('&lt;b&gt;<a href="tel:08082000247">0808 2000 247</a>&lt;/b&gt; &amp; '
                   '&quot;<a href="tel:999">999</a>&quot;')
    assert dial_string("+44 (0) 20 3299 6900") == "+442032996900"


def test_the_edge_page_links_999_and_the_helpline(tmp_path):
    paths = write_error_files(DomainResponses(DOMAIN_FILE), tmp_path)
    page = paths["page_unavailable.html"].read_text(encoding="utf-8")
    assert '<a href="tel:999">999</a>' in page
    assert '<a href="tel:08082000247">0808 2000 247</a>' in page
