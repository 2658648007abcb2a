"""The HAProxy edge `make run` puts in front of the web front (bot.webfront.edge), run for real
on loopback in front of a real waitress web front. Rasa is down throughout (nothing listens on
its port), so these also show what SMS and Telegram get while Rasa restarts."""

from __future__ import annotations

import re
import secrets
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from bot.supervision import find_haproxy
from bot.webfront.config import WebfrontConfig
from bot.webfront.edge import EdgeConfig, render, write_error_files
from bot.webfront.responses import DomainResponses
from bot.webfront.server import make_server
from tests.support.domain import DOMAIN_FILE, domain_text
from tests.support.ports import free_port
from tests.support.slow_clients import slow_clients
from tests.support.webfront import tab_id

SMS_URL = "https://bot.example.test/webhooks/sms/webhook"
DANGER = "he has a knife"

pytestmark = pytest.mark.skipif(find_haproxy() is None, reason="HAProxy is not installed (make test installs it)")


@dataclass
class Edge:
    url: str
    config_path: Path
    web_server: object


def _wait_up(url: str) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            requests.get(url, timeout=1)
            return
        except requests.RequestException:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


@pytest.fixture
def edge(make_app, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Edge]:
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "test-twilio-token")
    monkeypatch.setenv("SMS_PUBLIC_URL", SMS_URL)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:abc")
    monkeypatch.setenv("TELEGRAM_SECRET_TOKEN", "telegram-secret")
    app = make_app(rasa_url=f"http://127.0.0.1:{free_port()}", trusted_proxies=("127.0.0.1",),
                   address_rate_per_minute=3)
    web = make_server(app, WebfrontConfig(), host="127.0.0.1", port=0)
    threading.Thread(target=web.run, daemon=True).start()
    errors = write_error_files(DomainResponses(DOMAIN_FILE), tmp_path / "errors")
    public_port = free_port()
    config_path = tmp_path / "haproxy.cfg"
    config_path.write_text(render(EdgeConfig(public_host="127.0.0.1", public_port=public_port,
                                             web_port=web.effective_port, rasa_port=free_port()),
                                  errors))
    proc = subprocess.Popen([find_haproxy(), "-db", "-f", str(config_path)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{public_port}"
    try:
        _wait_up(url + "/healthz")
        yield Edge(url=url, config_path=config_path, web_server=web)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        web.close()


def emergency(channel: str = "web") -> str:
    import yaml

    from bot.webfront.responses import pick_text
    variants = yaml.safe_load(DOMAIN_FILE.read_text(encoding="utf-8"))["responses"]["utter_emergency"]
    return pick_text(variants, channel)


def chat(edge: Edge, message: str, **headers: str) -> requests.Response:
    return requests.post(f"{edge.url}/api/chat", json={"sender": tab_id(), "message": message},
                         headers=headers, timeout=5)


def test_the_generated_config_is_valid(edge: Edge) -> None:
    check = subprocess.run([find_haproxy(), "-c", "-f", str(edge.config_path)], capture_output=True,
                           text=True, timeout=30)
    assert check.returncode == 0, check.stdout + check.stderr


def test_answers_pass_through_without_a_server_banner(edge: Edge) -> None:
    page = requests.get(edge.url + "/", timeout=5)
    assert page.status_code == 200 and "Support information" in page.text
    assert "Server" not in page.headers
    # Rasa's own routes (its version at /, the token-guarded web channel) are not public.
    assert requests.post(edge.url + "/webhooks/web/webhook", json={}, timeout=5).status_code == 404


def test_forged_forwarding_headers_from_a_client_are_removed(edge: Edge) -> None:
    """The web front trusts the edge; the edge trusts no client's X-Forwarded-*."""
    answers = [chat(edge, "hello", **{"X-Forwarded-For": f"203.0.113.{n}",
                                      "X-Forwarded-Proto": "https"}) for n in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]  # one address, not four
    assert "Strict-Transport-Security" not in answers[0].headers


def test_ten_megabytes_through_the_edge_is_the_kind_413(edge: Edge) -> None:
    reply = requests.post(edge.url + "/api/chat", data=b"x" * (10 * 1024 * 1024), timeout=30,
                          headers={"Content-Type": "application/json"})
    assert reply.status_code == 413
    assert reply.json() == [{"text": domain_text("utter_refused_too_long")}]


def test_with_rasa_down_a_signed_sms_gets_999_first_from_the_fallback(edge: Edge) -> None:
    from twilio.request_validator import RequestValidator

    form = {"From": "+447700900123", "To": "+447700900000", "Body": DANGER,
            "MessageSid": "SM" + secrets.token_hex(16)}
    signature = RequestValidator("test-twilio-token").compute_signature(SMS_URL, form)
    reply = requests.post(edge.url + "/webhooks/sms/webhook", data=form, timeout=10,
                          headers={"X-Twilio-Signature": signature})
    assert reply.status_code == 200
    messages = re.findall(r"<Message>(.*?)</Message>", reply.text, re.S)
    assert "999" in messages[0] and "55" in messages[0]
    assert "0808 2000 247" in messages[-1]
    forged = requests.post(edge.url + "/webhooks/sms/webhook", data=form, timeout=10,
                           headers={"X-Twilio-Signature": "forged"})
    assert forged.status_code == 403 and forged.headers["Content-Type"].startswith("application/json")


def test_with_rasa_down_telegram_gets_999_first_in_the_webhook_reply(edge: Edge) -> None:
    update = {"update_id": 1, "message": {"message_id": 1, "date": 0, "text": DANGER,
                                          "chat": {"id": 42, "type": "private"}}}
    reply = requests.post(edge.url + "/webhooks/telegram/webhook", json=update, timeout=10,
                          headers={"X-Telegram-Bot-Api-Secret-Token": "telegram-secret"})
    body = reply.json()
    assert body["method"] == "sendMessage" and body["chat_id"] == 42
    assert body["text"].startswith(emergency("telegram"))
    assert "0808 2000 247" in body["text"]
    forged = requests.post(edge.url + "/webhooks/telegram/webhook", json=update, timeout=10,
                           headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"})
    assert forged.status_code == 403


def test_with_the_web_front_down_the_edge_answers_999_first_from_domain_yml(edge: Edge) -> None:
    edge.web_server.close()
    started = time.monotonic()
    reply = chat(edge, "hello")
    assert time.monotonic() - started < 2.0
    # 503 once HAProxy has seen the web front go; 502 when a connection it had already opened is
    # dropped: the same kind words either way (both statuses use the same error file).
    assert reply.status_code in (502, 503)
    assert reply.json() == [{"text": emergency()}, {"text": domain_text("utter_service_unavailable")}]
    page = requests.get(edge.url + "/", timeout=5)
    assert page.status_code in (502, 503) and page.headers["Content-Type"].startswith("text/html")
    assert "999" in page.text and "0808 2000 247" in page.text


def test_three_hundred_slow_clients_through_the_edge_starve_nobody(edge: Edge) -> None:
    port = int(edge.url.rsplit(":", 1)[1])
    sources = [f"127.0.0.{n}" for n in range(50, 60)]
    with slow_clients("127.0.0.1", port, 150, sources=sources, kind="headers") as headers, \
            slow_clients("127.0.0.1", port, 150, sources=sources, kind="body") as bodies:
        assert headers.opened + bodies.opened == 300
        for _ in range(3):
            started = time.monotonic()
            reply = chat(edge, DANGER)
            assert time.monotonic() - started < 2.0
            assert reply.json()[0] == {"text": emergency()}
