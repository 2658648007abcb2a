"""The compiled action-reply check agrees with Rasa's own; failed actions are remembered once."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest
from jsonschema import ValidationError
from jsonschema import validate as rasa_style_validate
from rasa.core.actions.action import RemoteAction

from bot import rasa_runtime

GOOD = {"events": [{"event": "slot", "name": "x", "value": 1}], "responses": [{"text": "hi"}]}
BAD = [{"events": "not a list"}, {"responses": [{"text": 5}], "events": [{"no_event_key": 1}]}, []]


@pytest.fixture(scope="module", autouse=True)
def installed() -> None:
    rasa_runtime.install()


def test_good_replies_pass_both_checks() -> None:
    rasa_style_validate(GOOD, RemoteAction.action_response_format_spec())
    assert RemoteAction("action_x", None)._validate_action_result(GOOD) is True


@pytest.mark.parametrize("reply", BAD)
def test_bad_replies_fail_both_checks(reply: object) -> None:
    with pytest.raises(ValidationError):
        rasa_style_validate(reply, RemoteAction.action_response_format_spec())
    with pytest.raises(ValidationError):
        RemoteAction("action_x", None)._validate_action_result(reply)  # type: ignore[arg-type]


def test_a_failed_action_is_recorded_once_for_its_conversation() -> None:
    action = RemoteAction("action_find_services", None)  # no endpoint: Rasa raises
    tracker = SimpleNamespace(sender_id="web-abc", current_state=lambda: {})
    with pytest.raises(Exception):  # noqa: B017 - whatever Rasa raises, it must be recorded
        asyncio.run(action.run(None, None, tracker, None))
    assert rasa_runtime.took_failure("web-abc") is True
    assert rasa_runtime.took_failure("web-abc") is False
    assert rasa_runtime.took_failure("web-other") is False
