"""The page in real headless Chromium, served by waitress, talking to the fake Rasa."""

from __future__ import annotations

import pytest

from tests.support.domain import domain_text
from tests.support.ports import free_port
from tests.support.webfront import BOT, GREETING, XSS_REPLY, default_reply, open_chat, send

pytestmark = pytest.mark.browser

YOU = "#log .message-you .message-text"


def bot_texts(page):
    return page.locator(BOT).all_text_contents()


# ---- talking ---------------------------------------------------------------------------------

def test_the_bot_opens_by_saying_it_is_not_a_person(new_page, live_url, fake_rasa):
    page = open_chat(new_page, live_url)
    assert bot_texts(page) == [GREETING]
    assert page.locator(YOU).count() == 0  # the opening "hello" is not shown as typed
    assert fake_rasa.messages() == ["hello"]
    assert page.title() == "Support information"
    log = page.locator("#log")
    assert log.get_attribute("role") == "log"
    assert log.get_attribute("aria-live") == "polite"
    assert page.problems == []


def test_send_a_message_and_read_the_reply(new_page, live_url, fake_rasa):
    page = open_chat(new_page, live_url)
    send(page, "I need someone to talk to")
    page.get_by_text("Echo: I need someone to talk to").wait_for()
    assert page.locator(YOU).all_text_contents() == ["I need someone to talk to"]
    assert page.input_value("#message") == ""
    sender = page.evaluate("sessionStorage.getItem('tab')")
    assert fake_rasa.received()[-1] == {"sender": sender, "message": "I need someone to talk to"}
    assert page.problems == []


def test_a_quick_reply_sends_its_payload_and_shows_its_title(new_page, live_url, fake_rasa):
    page = open_chat(new_page, live_url)
    page.get_by_role("button", name="Find support near me").click()
    page.get_by_text("Which London borough or postcode are you in?").wait_for()
    assert page.locator(YOU).all_text_contents() == ["Find support near me"]
    assert fake_rasa.messages() == ["hello", "/find_support"]
    assert page.locator(".choice").count() == 0  # the old choices are gone
    assert page.evaluate("document.activeElement.id") == "message"


def test_markup_in_a_reply_is_shown_as_text(new_page, live_url, fake_rasa):
    page = open_chat(new_page, live_url)
    send(page, "show me markup")
    page.locator(BOT).nth(1).wait_for()
    assert bot_texts(page)[1] == XSS_REPLY
    assert page.locator("#log img, #log script").count() == 0
    page.wait_for_timeout(200)
    assert page.title() == "Support information"  # the onerror / script never ran


def test_markup_the_person_types_is_shown_as_text(new_page, live_url, fake_rasa):
    page = open_chat(new_page, live_url)
    typed = "<b>not bold</b><img src=x onerror=\"document.title='pwned'\">"
    send(page, typed)
    page.locator(BOT).nth(1).wait_for()
    assert page.locator(YOU).all_text_contents() == [typed]
    assert page.locator("#log b, #log img").count() == 0
    assert page.title() == "Support information"


def test_rasa_down_the_page_shows_the_helpline(new_page, make_app, serve_app, fake_rasa):
    url = serve_app(make_app(rasa_url=f"http://127.0.0.1:{free_port()}"))
    page = open_chat(new_page, url)
    assert bot_texts(page) == [domain_text("utter_service_unavailable")]
    send(page, "he has a knife")
    page.locator(BOT).nth(2).wait_for()
    assert bot_texts(page)[1:] == [domain_text("utter_emergency"),
                                   domain_text("utter_service_unavailable")]


def test_our_server_unreachable_the_page_still_shows_the_helpline(new_page, live_url):
    page = new_page()
    page.route("**/api/chat", lambda route: route.abort())
    page.goto(live_url + "/")
    page.locator(BOT).first.wait_for()
    assert bot_texts(page) == [domain_text("utter_service_unavailable")]


# ---- quick exit ------------------------------------------------------------------------------

def assert_left_without_trace(page, live_url, fake_rasa, sender):
    """Away on the neutral page, the server told to forget, and nothing left in the browser."""
    page.wait_for_url(f"{fake_rasa.url}/neutral")
    assert page.title() == "Weather"
    assert fake_rasa.wait_for(lambda: sender in fake_rasa.forgotten()), "forget never arrived"
    page.go_back()
    assert not page.url.startswith(live_url), "Back returned to the chat"
    assert "Support information" not in page.content()
    # Back in this tab on our origin (a page with no script): storage must be empty.
    page.goto(live_url + "/healthz")
    assert page.evaluate("sessionStorage.length") == 0
    assert page.evaluate("localStorage.length") == 0
    assert page.context.cookies() == []


def start_conversation(new_page, live_url):
    page = open_chat(new_page, live_url)
    send(page, "something private")
    page.get_by_text("Echo: something private").wait_for()
    sender = page.evaluate("sessionStorage.getItem('tab')")
    assert sender and page.evaluate("sessionStorage.length") == 1
    assert page.evaluate("localStorage.length") == 0
    assert page.context.cookies() == []
    return page, sender


def test_quick_exit_by_the_button(new_page, live_url, fake_rasa):
    page, sender = start_conversation(new_page, live_url)
    page.click("#quick-exit")
    assert_left_without_trace(page, live_url, fake_rasa, sender)


def test_quick_exit_by_pressing_shift_three_times(new_page, live_url, fake_rasa):
    page, sender = start_conversation(new_page, live_url)
    for _ in range(3):
        page.keyboard.press("Shift")
    assert_left_without_trace(page, live_url, fake_rasa, sender)


def test_quick_exit_works_while_typing_in_the_message_box(new_page, live_url, fake_rasa):
    page, sender = start_conversation(new_page, live_url)
    page.fill("#message", "half a sentence")
    page.focus("#message")
    for _ in range(3):
        page.keyboard.press("Shift")
    assert_left_without_trace(page, live_url, fake_rasa, sender)


def test_typing_capital_letters_does_not_exit(new_page, live_url, fake_rasa):
    page = open_chat(new_page, live_url)
    page.focus("#message")
    for key in ("Shift+I", "Shift+A", "Shift+M", "Shift+O", "Shift+K"):
        page.keyboard.press(key)
    page.wait_for_timeout(300)
    assert page.url == live_url + "/"
    assert page.input_value("#message") == "IAMOK"
    assert fake_rasa.forgotten() == []


def test_typing_exit_leaves_too(new_page, live_url, fake_rasa):
    page, sender = start_conversation(new_page, live_url)
    send(page, "exit")
    assert_left_without_trace(page, live_url, fake_rasa, sender)


def test_quick_exit_from_the_privacy_page(new_page, live_url, fake_rasa):
    page, sender = start_conversation(new_page, live_url)
    page.get_by_role("link", name="How to leave no trace on this device").click()
    page.wait_for_url(live_url + "/leaving-no-trace")
    page.get_by_role("heading", name="Leaving no trace on this device").wait_for()
    page.click("#quick-exit")
    # Moving between our pages replaced history, so Back skips both of them.
    assert_left_without_trace(page, live_url, fake_rasa, sender)


# ---- keyboard and small screens --------------------------------------------------------------

def test_keyboard_only_use(new_page, live_url, fake_rasa):
    page = open_chat(new_page, live_url)
    page.locator(".choice").first.wait_for()
    order = []
    for _ in range(12):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "(() => { const e = document.activeElement;"
            " const s = getComputedStyle(e);"
            " return [e.id || e.className || e.tagName, s.outlineStyle, s.outlineWidth]; })()")
        order.append(focused[0])
        if focused[0] in ("quick-exit", "message", "send"):
            assert focused[1] == "solid" and focused[2] == "3px", focused  # visible focus
        if focused[0] == "send":
            break
    assert order[0] == "quick-exit"  # the way out comes first
    assert order.index("message") < order.index("send")
    assert "choice" in order and order.index("choice") < order.index("message")

    page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.id") == "message"
    page.keyboard.type("typed with the keyboard only")
    page.keyboard.press("Enter")
    page.get_by_text("Echo: typed with the keyboard only").wait_for()
    assert page.url == live_url + "/"  # Shift+Tab did not count towards a quick exit


def test_shift_enter_starts_a_new_line_instead_of_sending(new_page, live_url, fake_rasa):
    page = open_chat(new_page, live_url)
    page.focus("#message")
    page.keyboard.type("line one")
    page.keyboard.press("Shift+Enter")
    page.keyboard.type("line two")
    assert page.input_value("#message") == "line one\nline two"
    page.keyboard.press("Enter")
    page.get_by_text("Echo: line one", exact=False).wait_for()
    assert page.locator(YOU).all_text_contents() == ["line one\nline two"]
    assert fake_rasa.messages()[-1] == "line one line two"  # input_guard folds whitespace


def no_horizontal_scroll(page):
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def test_a_320_px_phone_has_no_horizontal_scroll(new_page, live_url, fake_rasa):
    page = open_chat(new_page, live_url, width=320, height=640)
    page.locator(".choice").first.wait_for()
    assert no_horizontal_scroll(page)
    page.screenshot(path="/tmp/webfront-320-start.png")
    send(page, "https://a-very-long-unbroken-address.example/" + "x" * 120)
    page.locator(BOT).nth(1).wait_for()
    send(page, "Can someone help me find a place to stay in Tower Hamlets tonight?")
    page.locator(BOT).nth(2).wait_for()
    assert no_horizontal_scroll(page)
    assert page.locator("#quick-exit").is_visible()
    box = page.locator("#quick-exit").bounding_box()
    assert box["x"] + box["width"] <= 320 and box["y"] >= 0
    page.screenshot(path="/tmp/webfront-320.png")

    page.goto(live_url + "/leaving-no-trace")
    assert no_horizontal_scroll(page)
    page.screenshot(path="/tmp/webfront-privacy-320.png", full_page=True)


def test_the_exit_button_stays_visible_when_scrolled(new_page, live_url, fake_rasa):
    page = open_chat(new_page, live_url, width=320, height=480)
    for n in range(6):
        send(page, f"message number {n} " + "words " * 20)
        page.locator(BOT).nth(n + 1).wait_for()
    page.mouse.wheel(0, 5000)
    page.wait_for_timeout(100)
    assert page.evaluate("window.scrollY") > 0
    box = page.locator("#quick-exit").bounding_box()
    assert 0 <= box["y"] < 60  # still in the top bar on screen


def test_desktop_screenshot(new_page, live_url, fake_rasa):
    page = open_chat(new_page, live_url, width=1280, height=800)
    page.locator(".choice").first.wait_for()
    page.screenshot(path="/tmp/webfront-desktop-start.png")
    send(page, "He checks my phone and I'm scared to talk at home")
    page.locator(BOT).nth(1).wait_for()
    page.screenshot(path="/tmp/webfront-desktop.png")
    page.goto(live_url + "/leaving-no-trace")
    page.screenshot(path="/tmp/webfront-privacy-desktop.png", full_page=True)
    assert page.problems == []


# ---- replies structured by meaning -------------------------------------------------------------

# A made-up service (a number from Ofcom's drama range), as bot.channels.web sends a card.
CARD = {"name": "Example Advice Service", "phone": "020 7946 0123", "hours": "Open 24 hours",
        "website": "https://example.org/help", "description": "Advice for people in London.",
        "last_confirmed": "2026-10-01"}


def structured_replies(message):
    if message == "services":
        return [{"text": "\n".join(CARD[k] for k in ("name", "phone", "hours", "website",
                                                      "description")),
                 "service_card": CARD}]
    if message == "deaf services":
        card = dict(CARD, text_phone="07970 350366")
        return [{"text": "\n".join(card[k] for k in ("name", "phone", "text_phone")), "service_card": card}]
    if message == "danger":
        # The emergency reply is known by what it names, not only by its web wording.
        return [{"text": domain_text("utter_emergency", "sms"),
                 "emergency": {"call": "999", "call_label": "Call 999"}}]
    return default_reply(message)


def field_of(card, label):
    """The <dd> a <dt> with this label introduces."""
    return card.locator(f"xpath=.//dt[normalize-space()='{label}']/following-sibling::dd[1]")


def test_a_service_card_has_a_heading_and_labelled_fields(new_page, live_url, fake_rasa):
    from tests.support.domain import variants

    labels = variants("utter_services_outro")[0]["custom"]["service_card_labels"]
    fake_rasa.reply = structured_replies
    page = open_chat(new_page, live_url, width=375, height=667)
    assert bot_texts(page) == [GREETING]
    send(page, "services")
    card = page.locator("#log .message-card")
    card.wait_for()
    assert card.get_by_role("heading", name="Example Advice Service").count() == 1
    assert card.locator("dt").all_text_contents() == [
        labels[k] for k in ("phone", "hours", "website", "description", "last_confirmed")]
    phone = field_of(card, labels["phone"]).locator("a")
    assert phone.text_content() == "020 7946 0123"
    assert phone.get_attribute("href") == "tel:02079460123"
    website = field_of(card, labels["website"]).locator("a")
    assert website.get_attribute("href") == "https://example.org/help"
    assert field_of(card, labels["last_confirmed"]).text_content() == "2026-10-01"
    assert no_horizontal_scroll(page)
    page.screenshot(path="/tmp/webfront-card-375.png")
    assert page.problems == []


def test_a_text_number_is_shown_with_its_words_and_is_not_a_call_link(new_page, live_url, fake_rasa):
    """SignHealth's SMS line for Deaf people: labelled, copyable, and never a tel: link."""
    from tests.support.domain import variants

    labels = variants("utter_services_outro")[0]["custom"]["service_card_labels"]
    fake_rasa.reply = structured_replies
    page = open_chat(new_page, live_url, width=375, height=667)
    send(page, "deaf services")
    card = page.locator("#log .message-card")
    card.wait_for()
    assert card.locator("dt").all_text_contents()[:2] == [labels["phone"], labels["text_phone"]]
    text_line = field_of(card, labels["text_phone"])
    assert "07970 350366" in text_line.text_content()
    assert text_line.locator("a").count() == 0
    assert page.problems == []


def test_the_danger_reply_opens_with_a_large_call_999_link(new_page, live_url, fake_rasa):
    fake_rasa.reply = structured_replies
    page = open_chat(new_page, live_url)
    send(page, "danger")
    reply = page.locator("#log .message-bot").nth(1)
    call = reply.locator("a.call-button")
    call.wait_for()
    assert call.get_attribute("href") == "tel:999" and call.inner_text() == "Call 999"
    # First in the bubble, before the words, and large.
    assert reply.evaluate("e => e.querySelector('a, p.message-text').className") == "call-button"
    assert float(call.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) > float(
        reply.locator(".message-text").evaluate("e => parseFloat(getComputedStyle(e).fontSize)"))
    assert reply.locator(".message-text").text_content() == domain_text("utter_emergency", "sms")


def test_cards_and_the_call_pass_axe(new_page, live_url, fake_rasa):
    from axe_playwright_python.sync_playwright import Axe

    fake_rasa.reply = structured_replies
    page = open_chat(new_page, live_url)
    send(page, "services")
    page.locator("#log .message-card").wait_for()
    send(page, "danger")
    page.locator("#log a.call-button").wait_for()
    results = Axe().run(page)
    blocking = [f"{v['id']}: {v['help']}" for v in results.response["violations"]
                if v.get("impact") in ("critical", "serious")]
    assert blocking == []


def test_the_card_labels_and_the_call_words_come_from_domain_yml(new_page, make_app, serve_app,
                                                                 fake_rasa, tmp_path):
    """Reworded in a copy of domain.yml, the page says the new words: none is in the page."""
    import yaml

    from tests.support.domain import DOMAIN_FILE

    data = yaml.safe_load(DOMAIN_FILE.read_text(encoding="utf-8"))
    for variant in data["responses"]["utter_emergency"]:
        variant["custom"] = {"emergency": {"call": "999", "call_label": "Ring 999 now"}}
    data["responses"]["utter_services_outro"][0]["custom"]["service_card_labels"]["phone"] = "Tel"
    reworded = tmp_path / "domain.yml"
    reworded.write_text(yaml.safe_dump(data), encoding="utf-8")
    fake_rasa.reply = lambda m: ([{"text": domain_text("utter_emergency")}] if m == "danger"
                                 else structured_replies(m))
    page = open_chat(new_page, serve_app(make_app(domain_file=reworded)))
    send(page, "services")
    page.locator("#log .message-card").wait_for()
    assert field_of(page.locator("#log .message-card"), "Tel").locator("a").get_attribute(
        "href") == "tel:02079460123"
    send(page, "danger")  # recognised by its words, as when the page answers itself
    page.locator("#log a.call-button").wait_for()
    assert page.locator("#log a.call-button").inner_text() == "Ring 999 now"
