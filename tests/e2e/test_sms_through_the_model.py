"""SMS through the real model: Twilio-signed requests, TwiML replies, danger first, EXIT forgets."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from tests.support.stack import Stack

pytestmark = pytest.mark.e2e


def messages(twiml: str) -> list[str]:
    return [m.text or "" for m in ET.fromstring(twiml).iter("Message")]


def test_danger_by_sms_gets_999_and_55_first(stack: Stack) -> None:
    reply = stack.sms("+447700900101", "hes outside with a knife")
    assert reply.status_code == 200
    first = messages(reply.text)[0]
    assert first.startswith("If you are in danger now, call 999") and "55" in first


def test_a_conversation_by_sms_lists_services_in_plain_text(stack: Stack) -> None:
    number = "+447700900102"
    stack.sms(number, "my ex keeps turning up at my work")
    texts = messages(stack.sms(number, "lewisham").text)
    joined = "\n".join(texts)
    assert "support for Lewisham" in joined and "0808 802 0300" in joined
    assert "<" not in joined and "*" not in joined


def test_forged_sms_is_refused(stack: Stack) -> None:
    assert stack.sms("+447700900103", "hello", sign=False).status_code == 403


def test_exit_by_sms_forgets_and_says_how_to_delete_the_thread(stack: Stack) -> None:
    number = "+447700900104"
    asked = messages(stack.sms(number, "my ex keeps turning up at my work").text)
    assert any("London borough" in t for t in asked), asked
    texts = messages(stack.sms(number, "EXIT").text)
    assert any("delete this thread on your phone" in t for t in texts), texts
    # Had the conversation survived, the place would be searched for stalking services.
    after = "\n".join(messages(stack.sms(number, "lewisham").text))
    assert "support for Lewisham" in after and "0808 802 0300" not in after, after


def test_without_exit_the_conversation_continues(stack: Stack) -> None:
    number = "+447700900105"
    stack.sms(number, "my ex keeps turning up at my work")
    after = "\n".join(messages(stack.sms(number, "lewisham").text))
    assert "0808 802 0300" in after, after


def test_the_raw_number_never_reaches_the_logs(stack: Stack) -> None:
    stack.sms("+447700900199", "hello")
    assert stack.log_path is not None
    assert "900199" not in stack.log_path.read_text(errors="replace")
