"""Issue 12 in real Chromium: the page keeps its promises without the server, numbers are one
tap away, and the Exit control stays whole at 200% text and at 320 px."""

from __future__ import annotations

import socket
import time
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from bot.safety.danger import signals_danger
from bot.safety.self_harm import signals_self_harm
from bot.safety.text import for_matching
from bot.understanding.exit import wants_to_leave
from bot.webfront.phone_numbers import _PHONE as PHONE
from bot.webfront.phone_numbers import dial_string
from tests.support.domain import ROOT, domain_text
from tests.support.domain import responses as domain_responses
from tests.support.webfront import BOT, default_reply, open_chat, send

pytestmark = pytest.mark.browser

STALL_SECONDS = 4.0  # how long the fake Rasa sits on a stalled message
PAGE_TIMEOUT_SECONDS = 1.5  # how long the page waits in these tests (6 s in production)


def chat_posts(page) -> list[str]:
    """Record every message the page posts to /api/chat from now on."""
    posted: list[str] = []

    def on_request(request) -> None:
        if request.url.endswith("/api/chat") and request.method == "POST":
            posted.append(request.post_data_json.get("message"))

    page.on("request", on_request)
    return posted


def no_horizontal_scroll(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def exit_is_whole_and_visible(page) -> None:
    """The Exit control inside the viewport, its words not cut (nothing overflowing it)."""
    width = page.viewport_size["width"]
    height = page.viewport_size["height"]
    box = page.locator("#quick-exit").bounding_box()
    assert box is not None
    assert box["x"] >= 0 and box["x"] + box["width"] <= width, box
    assert box["y"] >= 0 and box["y"] + box["height"] <= height, box
    clipped = page.evaluate(
        "(() => { const e = document.getElementById('quick-exit');"
        " return e.scrollWidth > e.clientWidth || e.scrollHeight > e.clientHeight; })()")
    assert not clipped
    assert page.locator("#quick-exit").inner_text().replace("\n", " ") == "Exit this page"


def safety_line_is_visible(page) -> None:
    """The opening "In danger now, call 999" line, below the sticky bar and above the message
    box, without scrolling."""
    bar = page.locator(".bar").bounding_box()
    composer = page.locator("#composer").bounding_box()
    line = page.locator(".intro").first.bounding_box()
    assert page.evaluate("window.scrollY") == 0
    assert line["y"] >= bar["y"] + bar["height"] - 1, (line, bar)
    assert line["y"] + line["height"] <= composer["y"] + 1, (line, composer)


def long_greeting(message: str):
    if message == "hello":
        return [{"text": domain_text("utter_greet"), "buttons": [
            {"title": "Find support near me", "payload": "/find_support"},
            {"title": "Is this abuse?", "payload": "/coercive_control"},
        ]}]
    if message == "he has a knife":
        return [{"text": domain_text("utter_emergency")},
                {"text": domain_text("utter_after_emergency")}]
    return default_reply(message)


def with_text_size(page, percent: int) -> None:
    """The browser's own text size setting (as a person sets it), not page zoom."""
    session = page.context.new_cdp_session(page)
    session.send("Page.enable")
    size = round(16 * percent / 100)
    session.send("Page.setFontSizes", {"fontSizes": {"standard": size, "fixed": size}})


# ---- exit in the page itself -----------------------------------------------------------------

@pytest.mark.parametrize("words", ["exit", "Exit", "hes back gtg", "get me off this page"])
def test_the_exit_words_leave_without_asking_the_server(new_page, live_url, fake_rasa, words):
    page = open_chat(new_page, live_url)
    posted = chat_posts(page)
    page.route("**/api/chat", lambda route: route.abort())  # our server is gone
    send(page, words)
    page.wait_for_url(f"{fake_rasa.url}/neutral")
    assert posted == []  # it never asked
    assert words not in fake_rasa.messages()


def test_exit_leaves_at_once_offline(new_page, live_url, fake_rasa):
    page = open_chat(new_page, live_url)
    posted = chat_posts(page)
    page.context.set_offline(True)
    send(page, "exit")
    # The page covers itself and heads for the everyday site (which offline cannot load).
    page.wait_for_url(lambda url: not url.startswith(live_url), timeout=3000)
    assert posted == []
    assert "Support information" not in page.content()


def test_a_question_about_exit_is_sent_not_obeyed(new_page, live_url, fake_rasa):
    page = open_chat(new_page, live_url)
    send(page, "how does the exit button work?")
    page.get_by_text("Echo: how does the exit button work?").wait_for()
    assert page.url == live_url + "/"


# ---- a stalled server ------------------------------------------------------------------------

@pytest.fixture
def stalling_url(make_app, serve_app, fake_rasa) -> Iterator[str]:
    """Rasa sits on every message but the opening one; our server waits longer than the page."""

    def reply(message: str):
        if message != "hello":
            time.sleep(STALL_SECONDS)
        return long_greeting(message)

    fake_rasa.reply = reply
    yield serve_app(make_app(rasa_timeout_seconds=30.0, page_reply_timeout_seconds=PAGE_TIMEOUT_SECONDS))


def test_a_stalled_reply_is_given_up_and_the_page_answers_itself(new_page, stalling_url, fake_rasa):
    page = open_chat(new_page, stalling_url)
    started = time.monotonic()
    send(page, "is anyone there")
    page.locator(BOT).nth(1).wait_for(timeout=(PAGE_TIMEOUT_SECONDS + 2) * 1000)
    assert time.monotonic() - started < STALL_SECONDS
    assert page.locator(BOT).all_text_contents()[1:] == [domain_text("utter_service_unavailable")]
    assert page.locator("#busy").is_hidden()  # "replying…" does not stay


def test_a_stalled_danger_message_gets_999_first_from_the_page(new_page, stalling_url, fake_rasa):
    page = open_chat(new_page, stalling_url)
    send(page, "he has a knife")
    page.locator(BOT).nth(2).wait_for(timeout=(PAGE_TIMEOUT_SECONDS + 2) * 1000)
    assert page.locator(BOT).all_text_contents()[1:] == [
        domain_text("utter_emergency"), domain_text("utter_service_unavailable")]
    call = page.locator("#log .message-bot").nth(1).locator(".call-button")
    assert call.get_attribute("href") == "tel:999"
    assert call.inner_text() == "Call 999"
    assert page.locator("#busy").is_hidden()


def test_a_later_message_is_not_stuck_behind_a_stalled_one(new_page, make_app, serve_app, fake_rasa):
    def reply(message: str):
        if message == "first thing":
            time.sleep(STALL_SECONDS)
        return long_greeting(message)

    fake_rasa.reply = reply
    # The page waits longer than the stall here: only the order of messages can hold it back.
    url = serve_app(make_app(rasa_timeout_seconds=30.0, page_reply_timeout_seconds=STALL_SECONDS + 3))
    page = open_chat(new_page, url)
    send(page, "first thing")
    page.wait_for_timeout(100)
    started = time.monotonic()
    send(page, "he has a knife")
    page.get_by_text(domain_text("utter_emergency")).wait_for(timeout=STALL_SECONDS * 1000)
    assert time.monotonic() - started < STALL_SECONDS - 1
    assert page.locator("#busy").is_visible()  # the first is still on its way
    page.get_by_text("Echo: first thing").wait_for(timeout=(STALL_SECONDS + 2) * 1000)
    assert page.locator("#busy").is_hidden()


def test_a_calm_message_waits_only_briefly_for_the_one_before(new_page, make_app, serve_app, fake_rasa):
    def reply(message: str):
        if message == "first thing":
            time.sleep(STALL_SECONDS)
        return default_reply(message)

    fake_rasa.reply = reply
    url = serve_app(make_app(rasa_timeout_seconds=30.0, page_reply_timeout_seconds=STALL_SECONDS + 3))
    page = open_chat(new_page, url)
    send(page, "first thing")
    send(page, "second thing")
    page.get_by_text("Echo: second thing").wait_for(timeout=(STALL_SECONDS - 1) * 1000)


# ---- tap to call ----------------------------------------------------------------------------

def test_numbers_in_replies_are_tap_to_call_links(new_page, make_app, serve_app, fake_rasa):
    fake_rasa.reply = long_greeting
    page = open_chat(new_page, serve_app(make_app()))
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    send(page, "he has a knife")
    page.locator(BOT).nth(2).wait_for()
    emergency = page.locator("#log .message-bot").nth(1)
    # One large "Call 999" first, then the words exactly as domain.yml has them.
    call = emergency.locator(".call-button")
    assert call.inner_text() == "Call 999" and call.get_attribute("href") == "tel:999"
    assert emergency.locator(".message-text").text_content() == domain_text("utter_emergency")
    links = emergency.locator("a.tel")
    found = {links.nth(i).text_content(): links.nth(i).get_attribute("href") for i in range(links.count())}
    assert found == {"999": "tel:999", "18000": "tel:18000"}
    helpline = page.locator("#log .message-bot").nth(2)
    assert helpline.locator("a.tel").text_content() == "0808 2000 247"
    assert helpline.locator("a.tel").get_attribute("href") == "tel:08082000247"
    assert helpline.locator(".call-button").count() == 0  # only the emergency reply has it
    # "press 55" is not a number to call.
    assert page.locator("#log a.tel", has_text="55").count() == 0
    helpline.get_by_role("button", name="Copy 0808 2000 247").click()
    assert page.evaluate("navigator.clipboard.readText()") == "08082000247"
    helpline.get_by_role("button", name="Copied 0808 2000 247").wait_for()
    assert page.problems == []


def test_numbers_in_markup_are_linked_without_running_the_markup(new_page, live_url, fake_rasa):
    reply = "<b>0800 999 5428</b><img src=x onerror=\"document.title='pwned'\"> or 020 3299 6900"
    fake_rasa.reply = lambda m: [{"text": reply}] if m == "markup" else default_reply(m)
    page = open_chat(new_page, live_url)
    send(page, "markup")
    page.locator(BOT).nth(1).wait_for()
    bubble = page.locator("#log .message-bot").nth(1)
    assert bubble.locator(".message-text").text_content() == reply
    assert [a.get_attribute("href") for a in bubble.locator("a.tel").all()] == [
        "tel:08009995428", "tel:02032996900"]
    assert page.locator("#log b, #log img").count() == 0
    page.wait_for_timeout(200)
    assert page.title() == "Support information"


def test_the_privacy_page_and_the_opening_line_have_tap_to_call_links(new_page, live_url, fake_rasa):
    page = open_chat(new_page, live_url)
    assert page.locator(".intro a[href='tel:999']").count() == 1
    page.goto(live_url + "/leaving-no-trace")
    hrefs = [a.get_attribute("href") for a in page.locator("a[href^='tel:']").all()]
    assert "tel:08082000247" in hrefs and "tel:999" in hrefs
    assert page.get_by_role("link", name="Call 999").get_attribute("href") == "tel:999"


# ---- layout: 200% text at 375 px, 320 px reflow ---------------------------------------------

@pytest.mark.parametrize(("width", "height", "percent"), [(375, 667, 200), (320, 568, 100),
                                                           (320, 640, 200)])
def test_exit_whole_and_no_sideways_scroll_at_large_text_and_narrow_screens(
        new_page, make_app, serve_app, fake_rasa, width, height, percent):
    fake_rasa.reply = long_greeting
    url = serve_app(make_app())
    page = new_page(width=width, height=height)
    with_text_size(page, percent)
    page.goto(url + "/")
    page.locator(BOT).first.wait_for()
    page.locator(".choice").first.wait_for()
    assert no_horizontal_scroll(page)
    exit_is_whole_and_visible(page)
    safety_line_is_visible(page)
    page.screenshot(path=f"/tmp/webfront-{width}-{percent}pc-start.png")

    send(page, "he has a knife")
    page.locator(BOT).nth(2).wait_for()
    # "Call 999" may take two lines at large text, never one letter a line.
    lines = page.evaluate("""(() => {
        const range = document.createRange();
        range.selectNodeContents(document.querySelector('.call-button'));
        return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size; })()""")
    assert 1 <= lines <= 2
    send(page, "https://a-very-long-unbroken-address.example/" + "x" * 120)
    page.locator(BOT).nth(3).wait_for()
    assert no_horizontal_scroll(page)
    exit_is_whole_and_visible(page)
    page.screenshot(path=f"/tmp/webfront-{width}-{percent}pc.png")

    page.goto(url + "/leaving-no-trace")
    assert no_horizontal_scroll(page)
    exit_is_whole_and_visible(page)


# ---- leaving: the cover, Ctrl- and middle-click ---------------------------------------------

@pytest.fixture
def silent_exit_site() -> Iterator[str]:
    """An exit site that accepts connections and never answers: the cover stays up."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/weather"
    listener.close()


def test_a_plain_cover_is_shown_at_once_while_leaving(new_page, make_app, serve_app, fake_rasa,
                                                       silent_exit_site):
    page = open_chat(new_page, serve_app(make_app(exit_url=silent_exit_site)))
    # Looked at in the same task as the click: the cover is there before anything else runs.
    shown = page.evaluate("""() => {
        document.getElementById('quick-exit').click();
        const cover = document.querySelector('.exit-cover');
        const box = cover.getBoundingClientRect();
        return {words: cover.textContent, children: document.body.children.length,
                left: box.left, top: box.top, width: box.width, height: box.height,
                background: getComputedStyle(cover).backgroundColor,
                other: document.querySelectorAll('#log, .bar, #composer').length};
    }""")
    assert shown == {"words": "Loading.", "children": 1, "left": 0, "top": 0,
                     "width": page.viewport_size["width"], "height": page.viewport_size["height"],
                     "background": "rgb(255, 255, 255)", "other": 0}


@pytest.mark.parametrize("how", [{"modifiers": ["Control"]}, {"button": "middle"},
                                 {"modifiers": ["Shift"]}])
def test_ctrl_or_middle_click_on_exit_still_hides_this_page(new_page, live_url, fake_rasa, how):
    page = open_chat(new_page, live_url)
    sender = page.evaluate("sessionStorage.getItem('tab')")
    page.click("#quick-exit", **how)
    page.wait_for_url(f"{fake_rasa.url}/neutral")
    assert fake_rasa.wait_for(lambda: sender in fake_rasa.forgotten())
    page.wait_for_timeout(200)
    assert len(page.context.pages) == 1  # no other tab opened, with or without this page


# ---- the page's checks are the bot's ---------------------------------------------------------

def _messages() -> list[str]:
    """Every training and held-out example, and a few written for this test."""
    texts = ["exit", "EXIT!", "hes back gtg", "he\u2019s coming bye", "get me off this page",
             "I need to leave him", "how do I exit?", "he has a knife", "HE HAS A KNIFE",
             "he\u200b has a knife", "\U0001f52a", "help me now", "i want to die",
             "Ｅｘｉｔ", "where is the exit button?", "zamknij", "me va a matar"]
    files = [*sorted((ROOT / "data" / "nlu").glob("*.yml")), ROOT / "tests" / "nlu_heldout.yml"]
    for path in files:
        for block in (yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}).get("nlu", []):
            for line in str(block.get("examples", "")).splitlines():
                if line.strip().startswith("- "):
                    texts.append(line.strip()[2:])
    return texts


def _simple_fold(text: str) -> str:
    """bot/safety/text.py without the look-alike mapping: what the page does."""
    folded = unicodedata.normalize("NFKC", text)
    folded = "".join(ch for ch in folded if unicodedata.category(ch) != "Cf")
    folded = folded.translate(str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'",
                                             "`": "'", "\u00b4": "'", "\u201c": '"', "\u201d": '"'}))
    return " ".join(folded.lower().split())


def test_the_page_checks_agree_with_the_bot(new_page, live_url, fake_rasa):
    page = open_chat(new_page, live_url)
    texts = [t for t in _messages() if _simple_fold(t) == for_matching(t)]
    assert len(texts) > 1000
    counts = page.evaluate("""async () => {
        const checks = JSON.parse(document.body.dataset.checks);
        let compiled = 0;
        for (const source of [...checks.leave, ...checks.aboutLeaving, ...checks.danger,
                              ...checks.selfHarm]) { new RegExp(source, 'i'); compiled += 1; }
        return compiled; }""")
    assert counts > 50  # every pattern compiles in Chromium (a failure throws here)
    found = page.evaluate("""async (texts) => {
        const w = await import('/static/words.js');
        return texts.map((t) => [w.wantsToLeave(t), w.signalsDanger(t), w.signalsSelfHarm(t)]);
    }""", texts)
    disagree = [(t, got) for t, got in zip(texts, found, strict=True)
                if got != [wants_to_leave(t), signals_danger(t), signals_self_harm(t)]]
    assert disagree == []


def test_the_page_links_the_numbers_the_server_links(new_page, live_url, fake_rasa):
    """phones.js and bot/webfront/phone_numbers.py on every text in domain.yml."""
    page = open_chat(new_page, live_url)
    texts = [v["text"] for variants in domain_responses().values() for v in variants if v.get("text")]
    texts += ["+44 (0) 20 3299 6900 or 020-3299-6900", "press 55; ref 99999; 0800 1111."]
    found = page.evaluate("""async (texts) => {
        const p = await import('/static/phones.js');
        return texts.map((t) => p.phoneParts(t).filter(([kind]) => kind === 'phone')
            .map(([, words]) => [words, p.dialString(words)]));
    }""", texts)
    expected = [[[m.group(0), dial_string(m.group(0))] for m in PHONE.finditer(t)] for t in texts]
    assert found == expected
