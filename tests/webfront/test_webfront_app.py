"""The web front's HTTP behaviour, against a real fake Rasa on loopback."""

from __future__ import annotations

import json
import logging
import re
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest
from flask import Blueprint, Flask

from bot.channels.input_guard import REFUSED_EMPTY, REFUSED_RATE, REFUSED_TOO_LONG
from tests.support.domain import domain_text
from tests.support.ports import free_port
from tests.support.webfront import XSS_REPLY, tab_id

STATIC = Path(__file__).resolve().parents[2] / "bot" / "webfront" / "static"
EXIT_DEFAULT = "https://www.bbc.co.uk/weather"


def chat(client, message, sender=None):
    return client.post("/api/chat", json={"sender": sender or tab_id(), "message": message})


# ---- page and headers ----------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/", "/leaving-no-trace", "/static/chat.js",
                                  "/static/exit.js", "/static/chat.css", "/healthz"])
def test_every_response_carries_the_privacy_headers(client, path):
    reply = client.get(path)
    assert reply.status_code == 200
    csp = reply.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert reply.headers["X-Content-Type-Options"] == "nosniff"
    assert reply.headers["Referrer-Policy"] == "no-referrer"
    assert reply.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in reply.headers
    assert "ETag" not in reply.headers


def test_api_replies_carry_the_headers_too(client, fake_rasa):
    reply = chat(client, "hi")
    assert reply.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in reply.headers


@pytest.mark.parametrize("path", ["/", "/leaving-no-trace"])
def test_tab_title_is_neutral(client, path):
    html = client.get(path).get_data(as_text=True)
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1).strip()
    assert title == "Support information"
    assert not re.search(r"abuse|violence|domestic|refuge|help", title, re.I)


class _Resources(HTMLParser):
    """Collects what a page would load or run, and any inline script or style."""

    def __init__(self) -> None:
        super().__init__()
        self.loads: list[str] = []
        self.links: list[str] = []
        self.inline_scripts = 0
        self.inline_handlers: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in attrs:
            if name.startswith("on") or name == "style":
                self.inline_handlers.append(f"{tag}[{name}]")
        if tag == "script":
            if attrs.get("src"):
                self.loads.append(attrs["src"])
            self._in_script = True
        if tag == "link" and attrs.get("href"):
            self.loads.append(attrs["href"])
        if tag in ("img", "iframe", "audio", "video", "source", "embed", "object"):
            self.loads.append(attrs.get("src") or attrs.get("data") or "")
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag == "style":
            self.inline_handlers.append("style element")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.inline_scripts += 1


@pytest.mark.parametrize("path", ["/", "/leaving-no-trace"])
def test_pages_load_nothing_from_elsewhere_and_run_no_inline_code(client, fake_rasa, path):
    parser = _Resources()
    parser.feed(client.get(path).get_data(as_text=True))
    assert parser.loads, "the page should load its own CSS and JS"
    for url in parser.loads:
        assert url.startswith("/static/"), url
    assert parser.inline_scripts == 0
    assert parser.inline_handlers == []
    # The one absolute link is the quick exit (here the fake's neutral page); besides it,
    # only tap-to-call numbers.
    calls = [u for u in parser.links if u.startswith("tel:")]
    assert all(re.fullmatch(r"tel:\+?\d+", u) for u in calls), calls
    external = [u for u in parser.links if re.match(r"^[a-z]+:|^//", u) and u not in calls]
    assert external == [f"{fake_rasa.url}/neutral"]


def test_static_files_reference_no_other_site():
    for path in STATIC.iterdir():
        # Code only: the comments may (and do) explain what is never used.
        text = re.sub(r"/\*.*?\*/|^\s*//.*$", "", path.read_text(encoding="utf-8"),
                      flags=re.S | re.M)
        urls = re.findall(r"(?:https?:)?//[\w.-]+\.[a-z]{2,}[^\s'\")]*", text)
        # exit.js names the default exit page for when the configured one is missing.
        assert all(u == EXIT_DEFAULT for u in urls), (path.name, urls)
        assert "@import" not in text and "url(" not in text, path.name
        assert "innerHTML" not in text and "insertAdjacentHTML" not in text, path.name
        assert "localStorage" not in text and "document.cookie" not in text, path.name


def test_chat_page_gives_the_fallback_text_from_domain_yml(client):
    html = client.get("/").get_data(as_text=True)
    expected = domain_text("utter_service_unavailable").replace("'", "&#39;")
    assert f'data-unavailable="{expected}"' in html


def test_the_message_box_stops_at_the_length_the_server_reads(client):
    """A long telling of what happened was typed in full, then refused as too long; the box
    now stops at the limit instead (tests/support/webfront.py sets 1000)."""
    html = client.get("/").get_data(as_text=True)
    assert 'maxlength="1000"' in html


def test_leaving_no_trace_explains_the_limits_in_plain_words(client):
    text = re.sub(r"\s+", " ", client.get("/leaving-no-trace").get_data(as_text=True))
    for phrase in ("private window", "history", "can itself be noticed",
                   "cannot remove pages that are already in your browser history",
                   "iCloud", "a library computer", "0808 2000 247", "999"):
        assert phrase in text, phrase
    assert 'id="quick-exit"' in text


def test_healthz(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}


# ---- the chat proxy --------------------------------------------------------------------------

def test_chat_passes_the_message_with_the_token_and_returns_the_replies(client, fake_rasa):
    sender = tab_id()
    reply = chat(client, "hello", sender)
    assert reply.status_code == 200
    assert reply.get_json()[0]["text"].startswith("Hello. I'm an automated helper")
    assert reply.get_json()[0]["buttons"][0] == {"title": "Find support near me",
                                                 "payload": "/find_support"}
    assert fake_rasa.received() == [{"sender": sender, "message": "hello"}]


def test_a_button_payload_is_forwarded_unchanged(client, fake_rasa):
    reply = chat(client, "/find_support")
    assert reply.get_json() == [{"text": "Which London borough or postcode are you in?"}]
    assert fake_rasa.messages() == ["/find_support"]


def test_the_quick_exit_signal_reaches_the_page(client, fake_rasa):
    assert chat(client, "exit").get_json()[0]["quick_exit"] is True


def test_markup_in_a_reply_is_returned_as_json_data(client, fake_rasa):
    reply = chat(client, "show me markup")
    assert reply.mimetype == "application/json"
    assert reply.get_json() == [{"text": XSS_REPLY}]


def test_markup_the_person_types_is_sent_on_as_text(client, fake_rasa):
    typed = "<script>alert(1)</script> he <b>shouts</b>"
    assert chat(client, typed).get_json() == [{"text": f"Echo: {typed}"}]
    assert fake_rasa.messages() == [typed]


def test_only_what_the_page_needs_is_passed_back(client, fake_rasa):
    fake_rasa.reply = lambda _m: [
        {"text": "ok", "image": "https://tracker.example/x.png", "custom": {"a": 1},
         "buttons": [{"title": "A", "payload": "/affirm", "url": "https://x.example"}, "junk"]},
        "junk", {"quick_exit": "yes"},
    ]
    assert chat(client, "hi").get_json() == [
        {"text": "ok", "buttons": [{"title": "A", "payload": "/affirm"}]}]


def test_an_oversize_message_is_never_forwarded(client, fake_rasa):
    long_text = "he shouts at me every day " * 60  # about 1,560 characters
    reply = chat(client, long_text)
    assert reply.status_code == 200
    assert fake_rasa.messages() == [REFUSED_TOO_LONG]
    assert all("shouts" not in str(call) for call in fake_rasa.calls)


def test_a_message_at_the_limit_is_forwarded(client, fake_rasa):
    text = "a" * 1000
    chat(client, text)
    assert fake_rasa.messages() == [text]


def test_the_limit_comes_from_settings(make_app, fake_rasa):
    client = make_app(max_message_chars=10).test_client()
    chat(client, "twelve chars")
    assert fake_rasa.messages() == [REFUSED_TOO_LONG]


def test_a_refused_long_message_that_signals_danger_gets_the_emergency_first(client, fake_rasa):
    fake_rasa.reply = lambda _m: [{"text": domain_text("utter_refused_too_long")}]
    replies = chat(client, "he has a knife and " + "x" * 2000).get_json()
    assert [r["text"] for r in replies] == [domain_text("utter_emergency"),
                                            domain_text("utter_refused_too_long")]
    assert fake_rasa.messages() == [REFUSED_TOO_LONG]


def test_an_empty_message_is_forwarded_as_the_empty_marker(client, fake_rasa):
    chat(client, "  \u200b ")
    chat(client, None)
    assert fake_rasa.messages() == [REFUSED_EMPTY, REFUSED_EMPTY]


def test_a_huge_body_is_refused_kindly_before_it_is_read(client, fake_rasa):
    body = json.dumps({"sender": tab_id(), "message": "x" * 100_000})
    reply = client.post("/api/chat", data=body, content_type="application/json")
    assert reply.status_code == 413
    assert reply.get_json() == [{"text": domain_text("utter_refused_too_long")}]
    assert fake_rasa.calls == []


@pytest.mark.parametrize("body", [
    {"sender": "short", "message": "hi"},
    {"sender": "a" * 65, "message": "hi"},
    {"sender": "abcdefghijklmnop\n", "message": "hi"},
    {"sender": "abcdefgh/../ijklmnop", "message": "hi"},
    {"sender": 12345678901234567890, "message": "hi"},
    {"message": "hi"},
    ["not", "an", "object"],
])
def test_a_bad_sender_is_refused_and_nothing_is_forwarded(client, fake_rasa, body):
    reply = client.post("/api/chat", json=body)
    assert reply.status_code == 400
    assert fake_rasa.calls == []


def test_a_non_json_post_is_refused(client, fake_rasa):
    reply = client.post("/api/chat", data="sender=abc&message=hi",
                        content_type="application/x-www-form-urlencoded")
    assert reply.status_code == 415
    assert reply.get_json() == [{"text": domain_text("utter_service_unavailable")}]
    assert fake_rasa.calls == []


def test_another_site_cannot_post_into_a_conversation(client, fake_rasa):
    reply = client.post("/api/chat", json={"sender": tab_id(), "message": "hi"},
                        headers={"Sec-Fetch-Site": "cross-site"})
    assert reply.status_code == 403
    reply = client.post("/api/forget", json={"sender": tab_id()},
                        headers={"Sec-Fetch-Site": "cross-site"})
    assert reply.status_code == 403
    assert fake_rasa.calls == []


# ---- rate limit ------------------------------------------------------------------------------

def test_over_the_rate_limit_the_refusal_marker_is_forwarded_instead(make_app, fake_rasa):
    client = make_app(rate_limit_per_minute=3).test_client()
    sender = tab_id()
    for n in range(5):
        chat(client, f"message {n}", sender)
    assert fake_rasa.messages() == ["message 0", "message 1", "message 2",
                                    REFUSED_RATE, REFUSED_RATE]
    # Another conversation has its own allowance.
    chat(client, "someone else")
    assert fake_rasa.messages()[-1] == "someone else"


def test_the_default_rate_limit_is_twenty_a_minute(client, fake_rasa):
    sender = tab_id()
    for n in range(21):
        chat(client, f"m{n}", sender)
    assert fake_rasa.messages()[:20] == [f"m{n}" for n in range(20)]
    assert fake_rasa.messages()[20] == REFUSED_RATE


def test_a_rate_limited_danger_message_still_gets_the_emergency(make_app, fake_rasa):
    client = make_app(rate_limit_per_minute=1).test_client()
    sender = tab_id()
    chat(client, "hi", sender)
    fake_rasa.reply = lambda _m: [{"text": domain_text("utter_refused_rate")}]
    replies = chat(client, "he's at the door, he has a knife", sender).get_json()
    assert replies[0]["text"] == domain_text("utter_emergency")
    assert fake_rasa.messages()[-1] == REFUSED_RATE


# ---- Rasa unavailable ------------------------------------------------------------------------

def _down_client(make_app):
    return make_app(rasa_url=f"http://127.0.0.1:{free_port()}").test_client()


def test_rasa_down_and_danger_gives_the_emergency_first_then_the_helpline(make_app):
    replies = chat(_down_client(make_app), "he has a knife").get_json()
    assert replies == [{"text": domain_text("utter_emergency")},
                       {"text": domain_text("utter_service_unavailable")}]
    assert "999" in replies[0]["text"]


def test_rasa_down_otherwise_gives_the_helpline(make_app):
    reply = chat(_down_client(make_app), "where can I find support in Hackney")
    assert reply.status_code == 200
    assert reply.get_json() == [{"text": domain_text("utter_service_unavailable")}]
    assert "0808 2000 247" in reply.get_json()[0]["text"]


def test_rasa_down_typing_exit_still_leaves(make_app):
    assert chat(_down_client(make_app), " Exit! ").get_json() == [{"quick_exit": True}]


@pytest.mark.parametrize("mode", ["error", "garbage", "empty"])
def test_a_broken_rasa_reply_gives_the_fallback(client, fake_rasa, mode):
    fake_rasa.mode = mode
    reply = chat(client, "he's choking me")
    assert reply.status_code == 200
    assert [r["text"] for r in reply.get_json()] == [
        domain_text("utter_emergency"), domain_text("utter_service_unavailable")]


def test_a_slow_rasa_gives_the_fallback_in_time(make_app, fake_rasa):
    fake_rasa.mode, fake_rasa.slow_seconds = "slow", 2.0
    client = make_app(rasa_timeout_seconds=0.3).test_client()
    started = time.monotonic()
    reply = chat(client, "hello")
    assert time.monotonic() - started < 1.5
    assert reply.get_json() == [{"text": domain_text("utter_service_unavailable")}]


def test_a_wrong_token_gives_the_fallback_not_an_error(make_app, fake_rasa):
    client = make_app(webfront_token="not-the-token").test_client()
    reply = chat(client, "hello")
    assert reply.status_code == 200
    assert reply.get_json() == [{"text": domain_text("utter_service_unavailable")}]
    assert fake_rasa.received() == []  # the fake refused it with 403


def test_an_unexpected_error_still_gives_words_and_no_trace(make_app, fake_rasa, monkeypatch):
    app = make_app()
    app.testing = False  # let the error handler run, as in production
    state = app.extensions["signpost_webfront"]

    def explode(*_args):
        raise RuntimeError("he has a knife: secret")

    monkeypatch.setattr(state.rasa, "chat", explode)
    reply = chat(app.test_client(), "hello")
    assert reply.status_code == 503
    assert reply.get_json() == [{"text": domain_text("utter_service_unavailable")}]
    assert "Traceback" not in reply.get_data(as_text=True)


# ---- forget ----------------------------------------------------------------------------------

def test_forget_proxies_to_rasa(client, fake_rasa):
    sender = tab_id()
    reply = client.post("/api/forget", json={"sender": sender})
    assert reply.status_code == 204
    assert fake_rasa.forgotten() == [sender]


def test_forget_accepts_a_beacon_body(client, fake_rasa):
    # navigator.sendBeacon with a string posts text/plain.
    sender = tab_id()
    reply = client.post("/api/forget", data=json.dumps({"sender": sender}),
                        content_type="text/plain;charset=UTF-8")
    assert reply.status_code == 204
    assert fake_rasa.forgotten() == [sender]


def test_forget_also_clears_the_rate_limit_memory(make_app, fake_rasa):
    app = make_app(rate_limit_per_minute=1)
    client, sender = app.test_client(), tab_id()
    chat(client, "one", sender)
    assert len(app.extensions["signpost_webfront"].limiter) == 1
    client.post("/api/forget", json={"sender": sender})
    assert len(app.extensions["signpost_webfront"].limiter) == 0


def test_forget_is_quick_even_when_rasa_is_down(make_app):
    client = _down_client(make_app)
    started = time.monotonic()
    reply = client.post("/api/forget", json={"sender": tab_id()})
    assert reply.status_code == 204
    assert time.monotonic() - started < 1.5


def test_forget_with_a_bad_sender_or_body_is_refused_kindly_and_forwards_nothing(client, fake_rasa):
    for reply in (client.post("/api/forget", json={"sender": "x"}),
                  client.post("/api/forget", data="junk")):
        assert reply.status_code == 400
        assert reply.get_json() == [{"text": domain_text("utter_service_unavailable")}]
    assert fake_rasa.calls == []


# ---- privacy of logs -------------------------------------------------------------------------

def test_no_message_text_or_sender_id_reaches_the_logs(make_app, fake_rasa, caplog):
    caplog.set_level(logging.DEBUG)
    sender = tab_id()
    client = make_app().test_client()
    chat(client, "my secret words", sender)
    fake_rasa.mode = "error"
    chat(client, "he has a knife", sender)
    client.post("/api/forget", json={"sender": sender})
    down = _down_client(make_app)
    chat(down, "my secret words", sender)
    down.post("/api/forget", json={"sender": sender})
    logged = caplog.text
    assert "fallback" in logged  # something was logged, just not the words
    for secret in ("secret words", "knife", sender):
        assert secret not in logged


# ---- the factory -----------------------------------------------------------------------------

def test_extra_setup_can_mount_more_and_it_gets_the_same_headers(make_app, fake_rasa):
    from bot.webfront import create_app

    admin = Blueprint("admin_probe", __name__)
    admin.add_url_rule("/admin/", "index", lambda: "admin")
    seen: list[Flask] = []

    def mount(app: Flask) -> None:
        seen.append(app)
        app.register_blueprint(admin)

    app = create_app(make_app().extensions["signpost_webfront"].settings, extra_setup=mount)
    reply = app.test_client().get("/admin/")
    assert seen == [app]
    assert reply.get_data(as_text=True) == "admin"
    assert reply.headers["Cache-Control"] == "no-store"
    assert "default-src 'self'" in reply.headers["Content-Security-Policy"]
