"""The first real conversation, end to end through the running Rasa server and action server."""

from __future__ import annotations

import re

import pytest
import requests

from tests.support.stack import Stack, new_tab_id

pytestmark = pytest.mark.e2e

PHONE = re.compile(r"\b0\d{2,4}(?: ?\d){6,8}\b")


def texts(replies: list[dict]) -> list[str]:
    return [r.get("text", "") for r in replies]


def test_greeting_describe_place_services(stack: Stack) -> None:
    tab = new_tab_id()

    hello = texts(stack.web(tab, "hello"))
    assert any("not a person" in t for t in hello), hello
    assert any("what has been happening" in t.lower() for t in hello), hello

    described = texts(stack.web(tab, "he checks my phone and where i go and wont let me see my friends"))
    joined = " ".join(described).lower()
    assert "not your fault" in joined, described
    # The helplines come at once; a place is offered, never required.
    assert "0808 2000 247" in joined, described
    assert "london borough, area or postcode" in joined and "you don't have to" in joined, described

    listed = texts(stack.web(tab, "i live in lewisham"))
    assert "support for Lewisham" in listed[0], listed
    cards = listed[1:-1]
    assert cards, listed
    assert any(PHONE.search(card) for card in cards), listed
    assert "0808 2000 247" in " ".join(cards), cards


def test_danger_gets_999_and_silent_solution_first(stack: Stack) -> None:
    tab = new_tab_id()
    stack.web(tab, "hi")
    replies = texts(stack.web(tab, "he's outside with a knife"))
    assert "999" in replies[0] and "55" in replies[0], replies


def test_a_friend_gets_the_supporter_answer(stack: Stack) -> None:
    tab = new_tab_id()
    replies = " ".join(texts(stack.web(tab, "my sister's boyfriend follows her home from work every day")))
    assert "to help them" in replies.lower(), replies
    assert "not your fault" not in replies.lower(), "a friend was addressed as the victim"
    assert "their london borough" in replies.lower(), replies


def test_outward_code_spanning_boroughs_asks_which(stack: Stack) -> None:
    tab = new_tab_id()
    stack.web(tab, "where can i get help")
    replies = stack.web(tab, "E1")
    assert "more than one borough" in " ".join(texts(replies)), replies
    buttons = [b for r in replies for b in r.get("buttons", [])]
    assert "Tower Hamlets" in [b["title"] for b in buttons], replies
    chosen = next(b for b in buttons if b["title"] == "Tower Hamlets")
    listed = texts(stack.web(tab, chosen["payload"]))
    assert "support for Tower Hamlets" in listed[0], listed


def test_the_rasa_http_api_is_not_exposed(stack: Stack) -> None:
    for path in ("/status", "/model/parse", "/conversations/x/tracker", "/webhooks/rest/webhook"):
        assert requests.get(f"{stack.rasa_url}{path}", timeout=10).status_code in (404, 405), path
    assert requests.post(f"{stack.rasa_url}/model", timeout=10).status_code in (404, 405)


def test_no_version_banner(stack: Stack) -> None:
    root = requests.get(f"{stack.rasa_url}/", timeout=10)
    assert root.status_code == 200 and root.json() == {"status": "ok"}
    assert "3.6" not in root.text and "Rasa" not in root.text


def test_message_text_never_reaches_the_logs(stack: Stack) -> None:
    secret_words = "my uncle zanzibarquux keeps my passport 07700 900123"
    tab = new_tab_id()
    stack.web(tab, secret_words)
    assert stack.log_path is not None
    logged = stack.log_path.read_text(errors="replace")
    assert "zanzibarquux" not in logged and "900123" not in logged
    assert tab not in logged


def test_an_unclear_message_gets_topic_buttons_and_the_helpline(stack: Stack) -> None:
    """Whether it is read as unclear (a question back) or as out of scope (what I can help
    with), the person has buttons to go on and a number to call; never an abuse topic."""
    replies = stack.web(new_tab_id(), "the cat sat on the mat")
    text = " ".join(texts(replies))
    buttons = [b for r in replies for b in r.get("buttons", [])]
    assert "0808 2000 247" in text, replies
    assert len(buttons) >= 3 and all(b["payload"].startswith("/") for b in buttons), replies
    assert "What you describe sounds like" not in text, replies


def test_safe_contact_advice_is_for_the_web(stack: Stack) -> None:
    text = " ".join(texts(stack.web(new_tab_id(), "how do i delete my history so he doesnt see i was here")))
    assert "private or incognito" in text, text
    assert "ANI" in text, text
