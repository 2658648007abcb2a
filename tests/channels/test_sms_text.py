"""SMS formatting: segment arithmetic against known lengths, plain text, and splitting."""

from __future__ import annotations

import pytest
from channel_harness import domain
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.channels.conversation import urgent_first
from bot.channels.sms import OfferedButtons, render
from bot.channels.sms_text import (
    GSM7_BASIC,
    GSM7_EXTENDED,
    button_lines,
    encoding,
    segment_count,
    sms_bodies,
    split_to_fit,
    to_gsm7,
    to_plain,
)


@pytest.mark.parametrize(("text", "expected_encoding", "segments"), [
    ("", "GSM-7", 0),
    ("a" * 160, "GSM-7", 1),
    ("a" * 161, "GSM-7", 2),
    ("a" * 306, "GSM-7", 2),
    ("a" * 307, "GSM-7", 3),
    ("a" * 459, "GSM-7", 3),
    ("a" * 460, "GSM-7", 4),
    ("£" * 160, "GSM-7", 1),           # in the basic table: one septet
    ("€" * 80, "GSM-7", 1),            # extension table: two septets each
    ("€" * 81, "GSM-7", 2),
    ("a" * 159 + "[", "GSM-7", 2),     # 161 septets
    # An escape sequence never straddles two parts: 152 + (2) + 152 needs a third part.
    ("a" * 152 + "€" + "a" * 152, "GSM-7", 3),
    ("ж" * 70, "UCS-2", 1),
    ("ж" * 71, "UCS-2", 2),
    ("ж" * 134, "UCS-2", 2),
    ("ж" * 135, "UCS-2", 3),
    ("ж" * 201, "UCS-2", 3),
    ("ж" * 202, "UCS-2", 4),
    ("a" * 69 + "ж", "UCS-2", 1),      # one non-GSM character switches the whole text
    ("a" * 70 + "ж", "UCS-2", 2),
    ("\U0001f600" * 35, "UCS-2", 1),   # surrogate pairs: two units each
    ("\U0001f600" * 36, "UCS-2", 2),
    ("a" * 66 + "\U0001f600" + "a" * 66, "UCS-2", 3),  # a pair is never split
])
def test_segment_counts_match_known_lengths(text: str, expected_encoding: str, segments: int):
    assert encoding(text) == expected_encoding
    assert segment_count(text) == segments


def test_plain_text_drops_markup_and_emoji_but_keeps_every_script():
    assert to_plain("**Call** _now_ \U0001f4de: <b>999</b>") == "Call now: 999"
    assert to_plain("[Refuge](https://refuge.org.uk)") == "Refuge: https://refuge.org.uk"
    assert to_plain("\u201cIt\u2019s OK\u201d \u2013 really\u2026") == "\"It's OK\" - really..."
    assert to_plain("1\ufe0f\u20e3 \U0001f469\u200d\U0001f467 ok \U0001f44d\U0001f3fd") == "1 ok"
    assert to_plain("snake_case and 2 * 3 * 4") == "snake_case and 2 * 3 * 4"
    assert to_plain("Привет, ayuda, مرحبا") == "Привет, ayuda, مرحبا"
    assert to_plain("a\u200bb\x00c\u202e d") == "ab c d"
    assert to_plain("# Heading\n\n\n\nline   two  ") == "Heading\n\nline two"
    assert encoding(to_plain("We\u2019re here \u2764\ufe0f")) == "GSM-7"


def test_buttons_are_numbered_lines():
    assert button_lines([{"title": "Yes \U0001f44d"}, {"title": "**No**"}], first=3) == [
        "Reply 3 for Yes", "Reply 4 for No"]


def test_render_numbers_choices_across_messages_and_stops_at_nine():
    messages = [{"text": "First", "buttons": [{"title": "A", "payload": "/affirm"}]},
                {"text": "Second", "buttons": [{"title": f"B{i}", "payload": f"/p{i}"}
                                               for i in range(12)]},
                {"custom": {"quick_exit": True}}]
    blocks, payloads = render(messages)
    assert blocks[0] == "First\nReply 1 for A"
    assert blocks[1].splitlines()[1] == "Reply 2 for B0"
    assert blocks[1].splitlines()[-1] == "Reply 9 for B7"
    assert payloads == ["/affirm"] + [f"/p{i}" for i in range(8)]
    assert len(blocks) == 2


def test_splitting_prefers_lines_then_sentences():
    first, second = "First line. " + "x" * 300 + ".", "Second line. " + "y" * 300 + "."
    # Cutting at a sentence could fit "First line. xxx. Second line." into the first message;
    # a whole line is a gentler break.
    assert split_to_fit(f"{first}\n{second}\nThird.") == [first, f"{second}\nThird."]
    sentences = " ".join(f"Sentence number {i} is here." for i in range(40))
    parts = split_to_fit(sentences)
    assert len(parts) > 1
    assert all(part.endswith(".") and segment_count(part) <= 3 for part in parts)
    assert " ".join(parts) == sentences


def test_an_unbroken_run_is_cut_only_as_a_last_resort():
    parts = split_to_fit("x" * 1000)
    assert [len(p) for p in parts] == [459, 459, 82]


def test_messages_share_an_sms_when_they_fit_and_keep_their_order():
    assert sms_bodies(["one", "two", "three"]) == ["one\ntwo\nthree"]
    bodies = sms_bodies(["a" * 300, "b" * 300, "c" * 100])
    assert bodies == ["a" * 300, "b" * 300 + "\n" + "c" * 100]


_text = st.text(
    alphabet=st.sampled_from(sorted(GSM7_BASIC | GSM7_EXTENDED | set("жé\U0001f600 \n.!?"))),
    max_size=2000,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_text, max_size=4))
def test_every_sms_fits_and_no_word_is_lost(blocks: list[str]):
    bodies = sms_bodies(blocks)
    assert all(1 <= segment_count(body) <= 3 for body in bodies)
    words = [w for block in blocks for w in block.split()]
    assert "".join(" ".join(bodies).split()) == "".join(words)


def test_emergency_first_moves_only_the_emergency():
    loaded = domain()
    for variant in loaded.responses["utter_emergency"]:
        emergency = {"text": variant["text"]}
        others = [{"text": "one"}, {"text": "two"}]
        assert urgent_first(loaded, "sms", [*others, emergency]) == [emergency, *others]
        assert urgent_first(loaded, "sms", others) == others


def test_offered_choices_expire_and_are_bounded():
    now = [0.0]
    offered = OfferedButtons(ttl_seconds=60, max_conversations=2, clock=lambda: now[0])
    offered.remember("a", ["/affirm", "/deny"])
    assert offered.payload("a", 2) == "/deny"
    assert offered.payload("a", 3) is None and offered.payload("a", 0) is None
    now[0] = 61
    assert offered.payload("a", 1) is None
    for key in ("b", "c", "d"):
        offered.remember(key, ["/affirm"])
    assert "b" not in offered and "d" in offered
    offered.remember("d", [])
    assert "d" not in offered


@pytest.mark.parametrize(("text", "expected"), [
    ("Zo\u00eb\u2019s Place", "Zoe's Place"),          # accent GSM-7 lacks, curly quote
    ("Caf\u00e9 \u0141\u00f3d\u017a", "Caf\u00e9 odz"),  # GSM-7's own \u00e9 kept; \u0141 has no form
    ("M\u0101ori \u2713 Trust", "Maori Trust"),
    ("Plain text\nsecond line", "Plain text\nsecond line"),
])
def test_to_gsm7_keeps_every_text_in_the_gsm7_alphabet(text: str, expected: str) -> None:
    assert to_gsm7(text) == expected
    assert encoding(to_gsm7(text)) == "GSM-7"


@given(st.text(max_size=200))
@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
def test_to_gsm7_never_leaves_a_ucs2_character(text: str) -> None:
    assert encoding(to_gsm7(text)) == "GSM-7"
