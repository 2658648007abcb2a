"""What reaches the NLU: cleaned text, the bot's own button payloads, or a refusal marker."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.channels.input_guard import (
    REFUSED_EMPTY,
    REFUSED_RATE,
    REFUSED_TOO_LONG,
    clean,
    guard,
    is_button_payload,
)

LIMIT = 1000


@pytest.mark.parametrize("raw", ["", "   ", "\n\t", None, 42, ["x"], "\u200b\u200d", "/", "///"])
def test_empty_or_not_text_is_refused_kindly(raw: object) -> None:
    guarded = guard(raw, LIMIT)
    assert guarded.refused and guarded.text == REFUSED_EMPTY


def test_too_long_is_refused_without_passing_the_text_on() -> None:
    guarded = guard("a" * 100_000, LIMIT)
    assert guarded.refused and guarded.text == REFUSED_TOO_LONG
    assert guard("a" * (LIMIT + 1), LIMIT).text == REFUSED_TOO_LONG
    assert guard("a" * LIMIT, LIMIT).text == "a" * LIMIT


@pytest.mark.parametrize("raw, expected", [
    ("/greet", "greet"),
    ("/restart", "restart"),
    ('/inform_location{"location": "x"}; DROP TABLE service', 'inform_location{"location": "x"}; DROP TABLE service'),
    ("/session_start", "session_start"),
])
def test_slash_commands_from_people_become_plain_text(raw: str, expected: str) -> None:
    guarded = guard(raw, LIMIT)
    assert not guarded.refused
    assert guarded.text == expected


@pytest.mark.parametrize("payload", [
    "/coercive_control",
    "/find_support",
    '/inform_location{"location": "Tower Hamlets"}',
])
def test_the_bots_own_buttons_pass(payload: str) -> None:
    assert is_button_payload(payload)
    assert guard(payload, LIMIT).text == payload


@pytest.mark.parametrize("payload", [
    "/restart", "/nlu_fallback", '/inform_location{"location": "<script>"}', "/greet{}",
])
def test_other_payloads_do_not(payload: str) -> None:
    assert not is_button_payload(payload)


@pytest.mark.parametrize("marker", [REFUSED_TOO_LONG, REFUSED_EMPTY, REFUSED_RATE])
def test_refusal_markers_from_the_web_front_pass_unchanged(marker: str) -> None:
    assert guard(marker, LIMIT).text == marker


def test_control_bidi_and_zero_width_characters_are_removed() -> None:
    assert clean("he\x00llo\x07 \u202eevil\u202c w\u200borld") == "he llo evil world"


def test_other_scripts_and_emoji_are_kept() -> None:
    assert clean("مرحبا hello 你好 😭🔪") == "مرحبا hello 你好 😭🔪"


@given(st.text(max_size=3000))
def test_guard_never_fails_and_never_passes_control_characters(raw: str) -> None:
    guarded = guard(raw, LIMIT)
    assert isinstance(guarded.text, str) and guarded.text
    if not guarded.refused:
        assert len(guarded.text) <= LIMIT
        assert not any(ord(ch) < 32 and ch not in "\n\t" for ch in guarded.text)
