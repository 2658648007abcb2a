"""The web front's small parts: configuration, domain.yml texts, the rate limiter, the server."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from bot.rate_limit import SlidingWindowLimiter
from bot.webfront.config import DEFAULT_EXIT_URL, WebfrontConfig, safe_exit_url
from bot.webfront.responses import LAST_RESORT, DomainResponses, pick_text
from tests.support.domain import DOMAIN_FILE, domain_text
from tests.support.ports import free_port
from tests.support.webfront import TOKEN

ROOT = Path(__file__).resolve().parents[2]


# ---- configuration ---------------------------------------------------------------------------

def test_defaults_are_safe(monkeypatch):
    for name in ("WEBFRONT_HOST", "WEBFRONT_PORT", "EXIT_URL", "DOMAIN_FILE"):
        monkeypatch.delenv(name, raising=False)
    config = WebfrontConfig.from_mapping(os.environ)
    assert (config.host, config.port) == ("127.0.0.1", 8080)
    assert config.exit_url == DEFAULT_EXIT_URL == "https://www.bbc.co.uk/weather"
    assert config.domain_file == DOMAIN_FILE


def test_environment_is_read_when_asked(monkeypatch):
    monkeypatch.setenv("WEBFRONT_HOST", "0.0.0.0")
    monkeypatch.setenv("WEBFRONT_PORT", "9001")
    monkeypatch.setenv("EXIT_URL", "https://www.google.co.uk/")
    config = WebfrontConfig.from_mapping(os.environ)
    assert (config.host, config.port, config.exit_url) == ("0.0.0.0", 9001,
                                                           "https://www.google.co.uk/")


@pytest.mark.parametrize("raw", ["", "javascript:alert(1)", "www.bbc.co.uk", "/relative",
                                 "data:text/html,hi", 'https://x.example/"><script>',
                                 "ftp://example.org/"])
def test_an_unusable_exit_url_falls_back_to_the_default(raw):
    assert safe_exit_url(raw) == DEFAULT_EXIT_URL


@pytest.mark.parametrize("raw", ["nope", "0", "70000", "-1"])
def test_an_unusable_port_falls_back_to_the_default(monkeypatch, raw):
    monkeypatch.setenv("WEBFRONT_PORT", raw)
    assert WebfrontConfig.from_mapping(os.environ).port == 8080


# ---- domain.yml texts ------------------------------------------------------------------------

def test_texts_come_from_domain_yml():
    responses = DomainResponses(DOMAIN_FILE)
    for name in ("utter_emergency", "utter_service_unavailable", "utter_refused_too_long"):
        assert responses.text(name) == domain_text(name)


def test_the_web_variant_wins_over_the_default():
    variants = [{"channel": "sms", "text": "sms"}, {"text": "default"},
                {"channel": "web", "text": "web"}, {"channel": "web", "text": "cond",
                                                    "condition": [{"type": "slot"}]}]
    assert pick_text(variants) == "web"
    assert pick_text(variants[:2]) == "default"
    assert pick_text("junk") is None


def test_an_unreadable_domain_file_gives_the_last_resort_not_an_error(tmp_path):
    assert DomainResponses(tmp_path / "missing.yml").text("utter_emergency") == LAST_RESORT
    broken = tmp_path / "broken.yml"
    broken.write_text("responses: [unclosed", encoding="utf-8")
    assert DomainResponses(broken).text("utter_service_unavailable") == LAST_RESORT
    assert "999" in LAST_RESORT and "0808 2000 247" in LAST_RESORT


def test_domain_yml_is_read_lazily_and_once(tmp_path):
    path = tmp_path / "domain.yml"
    responses = DomainResponses(path)  # nothing read yet: the file does not even exist
    path.write_text("responses:\n  utter_x:\n    - text: first\n", encoding="utf-8")
    assert responses.text("utter_x") == "first"
    path.write_text("responses:\n  utter_x:\n    - text: second\n", encoding="utf-8")
    assert responses.text("utter_x") == "first"


# ---- rate limiter ----------------------------------------------------------------------------

class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_window_slides():
    clock = Clock()
    limiter = SlidingWindowLimiter(2, 60, clock=clock)
    assert limiter.allow("a") and limiter.allow("a")
    assert not limiter.allow("a")
    clock.now += 30
    assert not limiter.allow("a")
    clock.now += 30.1  # the first two are now more than a minute old
    assert limiter.allow("a")
    assert limiter.allow("a")
    assert not limiter.allow("a")


def test_refused_messages_do_not_extend_the_wait():
    clock = Clock()
    limiter = SlidingWindowLimiter(1, 60, clock=clock)
    assert limiter.allow("a")
    for _ in range(10):
        clock.now += 5
        assert not limiter.allow("a")
    clock.now += 11
    assert limiter.allow("a")


def test_memory_stays_bounded():
    clock = Clock()
    limiter = SlidingWindowLimiter(5, 60, clock=clock, max_keys=100)
    for n in range(1000):
        limiter.allow(f"sender-{n}")
    assert len(limiter) <= 100
    clock.now += 61
    limiter.allow("late")
    assert len(limiter) == 1


def test_no_tab_id_is_kept_in_memory():
    limiter = SlidingWindowLimiter(5)
    limiter.allow("my-tab-id-0123456789")
    assert all("my-tab-id" not in key for key in limiter._hits)


def test_a_limit_of_zero_disables_it():
    limiter = SlidingWindowLimiter(0)
    assert all(limiter.allow("a") for _ in range(100))


# ---- the entry point -------------------------------------------------------------------------

def test_python_m_bot_webfront_serves_the_page(fake_rasa):
    port = free_port()
    env = {**os.environ, "WEBFRONT_PORT": str(port), "WEBFRONT_HOST": "127.0.0.1",
           "RASA_URL": fake_rasa.url, "WEBFRONT_TOKEN": TOKEN,
           "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "bot.webfront"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 20
        while True:
            try:
                if requests.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            assert proc.poll() is None, proc.stdout.read().decode()
            assert time.monotonic() < deadline, "web front did not start"
            time.sleep(0.1)
        page = requests.get(base + "/", timeout=2)
        assert "<title>Support information</title>" in page.text
        reply = requests.post(base + "/api/chat", timeout=5,
                              json={"sender": "a" * 32, "message": "hello"})
        assert reply.json()[0]["text"].startswith("Hello. I'm an automated helper")
        assert fake_rasa.messages() == ["hello"]
        huge = requests.post(base + "/api/chat", timeout=5, data="x" * 100_000,
                             headers={"Content-Type": "application/json"})
        assert huge.status_code == 413
        assert huge.json() == [{"text": domain_text("utter_refused_too_long")}]
        # Without a Content-Length (chunked), the limit holds too.
        chunked = requests.post(base + "/api/chat", timeout=5,
                                data=iter([b'{"sender": "' + b"b" * 32 + b'", "message": "']
                                          + [b"x" * 1000] * 100 + [b'"}']),
                                headers={"Content-Type": "application/json"})
        assert chunked.status_code == 413
        assert fake_rasa.messages() == ["hello"]
    finally:
        proc.terminate()
        output = proc.communicate(timeout=10)[0].decode()
    assert "hello" not in output and "a" * 32 not in output


# ---- colour contrast (WCAG 2.2 AA) -----------------------------------------------------------

def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_the_colour_pairs_in_the_stylesheet_meet_aa():
    css = (ROOT / "bot" / "webfront" / "static" / "chat.css").read_text(encoding="utf-8")
    colours = dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})", css))
    colours["white"] = "#ffffff"
    text_pairs = [  # (text, background): 4.5:1
        ("ink", "paper"), ("ink", "card"), ("muted", "paper"), ("muted", "card"),
        ("white", "accent"), ("white", "exit"), ("white", "exit-dark"), ("accent", "card"),
        ("accent", "accent-soft"), ("accent", "paper"), ("focus-ink", "focus"),
    ]
    for text, background in text_pairs:
        ratio = contrast(colours[text], colours[background])
        assert ratio >= 4.5, (text, background, round(ratio, 2))
    ui_pairs = [  # control borders and the focus ring against what is around them: 3:1
        ("line", "card"), ("line", "paper"), ("focus-ink", "paper"), ("focus-ink", "card"),
        ("accent", "paper"), ("exit", "card"),
    ]
    for part, background in ui_pairs:
        ratio = contrast(colours[part], colours[background])
        assert ratio >= 3, (part, background, round(ratio, 2))
    assert contrast("#ffffff", "#1a385f") >= 4.5  # the Send button on hover
