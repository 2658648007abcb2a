"""No dead ends: bad input, forgetting, and a missing or slow dependency, through the real
Rasa server. Each reply must be kind and useful, never silence or an error page."""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.support.stack import Stack, new_tab_id
from tests.support.stack import wait_until_up as _wait

pytestmark = pytest.mark.e2e

HELPLINE = "0808 2000 247"


def joined(replies: list[dict]) -> str:
    return " ".join(r.get("text", "") for r in replies)


@pytest.mark.parametrize("message, expected", [
    ("", "didn't get any words"),
    ("   \n\t ", "didn't get any words"),
    ("\u200b\u200c\u200d", "didn't get any words"),
    ("x" * 100_000, "too long"),
    ("x" * 2_001, "too long"),
    # a long telling of what happened, under the limit, is read (it was refused at 1,000)
    ("my partner " * 150 + "hits me and takes my money, i live in croydon", None),
    ("\U0001f62d\U0001f52a", "999"),
    ("\x00\x01\x02\x7f\ufffe", None),
    ("\u202eeldoog\u202c he hits me", None),
    ("\u0632\u0648\u062c\u064a \u064a\u0636\u0631\u0628\u0646\u064a my husband hits me", None),
    ("/restart", None),
    ("/session_start", None),
    ('/inform_location{"location": "Westminster"} now', None),
    ("'; DROP TABLE service; --", None),
    ("<script>alert(1)</script>", None),
])
def test_bad_input_gets_a_clear_kind_reply(stack: Stack, message: str, expected: str | None) -> None:
    replies = stack.web(new_tab_id(), message)
    text = joined(replies)
    assert replies and text.strip(), replies
    if expected:
        assert expected in text, text
    assert "Traceback" not in text and "Exception" not in text


def test_emoji_danger_comes_first(stack: Stack) -> None:
    replies = stack.web(new_tab_id(), "\U0001f62d\U0001f52a")
    assert "999" in replies[0]["text"] and "55" in replies[0]["text"]


def test_slash_text_cannot_trigger_intents(stack: Stack) -> None:
    # "/quick_exit" is a button payload the bot offers, but "/greet" is not: it becomes text.
    tab = new_tab_id()
    stack.web(tab, "hello")
    stack.web(tab, "/restart")
    assert stack.forget(tab)["forgotten"] is True, "the conversation was restarted or lost"


def test_script_text_comes_back_as_data_not_markup(stack: Stack) -> None:
    replies = stack.web(new_tab_id(), "<img src=x onerror=alert(1)>")
    assert all(isinstance(r.get("text", ""), str) for r in replies)
    assert "<img" not in joined(replies)


def test_quick_exit_deletes_the_conversation(stack: Stack) -> None:
    tab = new_tab_id()
    stack.web(tab, "hello")
    stack.web(tab, "he checks my phone all the time")
    replies = stack.web(tab, "get me out of here")
    assert any(r.get("quick_exit") for r in replies), replies
    assert stack.forget(tab)["forgotten"] is False, "the tracker was still in the store"


def test_forget_endpoint_deletes_an_existing_conversation(stack: Stack) -> None:
    tab = new_tab_id()
    stack.web(tab, "hello")
    assert stack.forget(tab)["forgotten"] is True
    assert stack.forget(tab)["forgotten"] is False


def test_a_hundred_conversations_at_once(stack: Stack) -> None:
    messages = ["hello", "my ex follows me everywhere", "i live in southwark", "he's here with a knife"]

    def converse(i: int) -> str:
        return joined(stack.web(new_tab_id(), messages[i % len(messages)], timeout=120))

    with ThreadPoolExecutor(max_workers=100) as pool:
        answers = list(pool.map(converse, range(100)))
    assert all(a.strip() for a in answers)
    assert sum("999" in a for a in answers) >= 25


@pytest.fixture
def actions_down(stack: Stack) -> Iterator[None]:
    stack.stop("actions")
    try:
        yield
    finally:
        stack.start("actions")
        _wait(f"{stack.action_url}/health", stack.procs["actions"], 120)


def test_action_server_down_still_gives_helpline_and_999(stack: Stack, actions_down: None) -> None:
    text = joined(stack.web(new_tab_id(), "where can i get help", timeout=10))
    assert HELPLINE in text and "999" in text, text


def test_action_server_down_danger_still_first(stack: Stack, actions_down: None) -> None:
    replies = stack.web(new_tab_id(), "he is strangling me", timeout=10)
    assert "999" in replies[0]["text"] and "55" in replies[0]["text"]


class _SlowHandler(http.server.BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        time.sleep(8)
        self.send_response(500)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_slow_action_server_answers_with_fallback_in_time(stack: Stack, actions_down: None) -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", stack.action_port), _SlowHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        # The client gives up after 5 s: the fallback has to arrive well before the slow server.
        text = joined(stack.web(new_tab_id(), "is there anyone i can talk to", timeout=5))
        assert HELPLINE in text and "999" in text, text
    finally:
        server.shutdown()
        server.server_close()


def test_database_down_still_gives_helpline_and_999(stack: Stack) -> None:
    database = Path(stack.env["DATABASE_URL"].removeprefix("sqlite:///"))
    moved = database.with_suffix(".away")
    database.rename(moved)
    try:
        tab = new_tab_id()
        text = joined(stack.web(tab, "i need help, i'm in hackney", timeout=10))
        assert HELPLINE in text and "999" in text, text
    finally:
        database.unlink(missing_ok=True)
        moved.rename(database)
