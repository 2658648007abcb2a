"""Hostile and malformed requests to the web front (issue 10): every one gets a 4xx JSON reply in
the bot's words, never a 500 or plain text; limits per address and in all are fair and never
hold danger back; HSTS and Secure cookies only over TLS, believed from the configured proxy only.

Served by real waitress on loopback where the server itself is part of the behaviour.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from flask import Blueprint, Flask, session

from bot.webfront.config import WebfrontConfig
from bot.webfront.server import make_server
from tests.support.domain import domain_text
from tests.support.ports import free_port
from tests.support.slow_clients import slow_clients
from tests.support.webfront import tab_id

DANGER = "he has a knife"


def emergency() -> str:
    return domain_text("utter_emergency")


def unavailable() -> str:
    return domain_text("utter_service_unavailable")


def post_chat(client, message: str = "hello", sender: str | None = None, **environ: str) -> Any:
    return client.post("/api/chat", json={"sender": sender or tab_id(), "message": message},
                       environ_base=environ or None)


@pytest.fixture
def waitress_url(make_app, fake_rasa) -> Iterator[Callable[..., str]]:
    """Serve an app with the production server settings (bot.webfront.server) on loopback."""
    servers = []

    def start(**overrides: object) -> str:
        app = make_app(**overrides)
        config = WebfrontConfig(**{k: v for k, v in overrides.items()
                                   if k in WebfrontConfig.__dataclass_fields__})
        server = make_server(app, config, host="127.0.0.1", port=0)
        servers.append(server)
        threading.Thread(target=server.run, daemon=True).start()
        return f"http://127.0.0.1:{server.effective_port}"

    yield start
    for server in servers:
        server.close()


# ---- malformed requests ------------------------------------------------------------------------

DEEP = "[" * 3000 + "]" * 3000
DEEP_OBJECT = '{"":' * 3000 + "1" + "}" * 3000  # under the 16 KB body limit


@pytest.mark.parametrize("path", ["/api/chat", "/api/forget"])
@pytest.mark.parametrize("body", [DEEP, DEEP_OBJECT, '{"sender": ' + DEEP + "}"],
                         ids=["arrays", "objects", "inside-an-object"])
def test_json_nested_three_thousand_deep_is_a_kind_400(client, fake_rasa, path, body) -> None:
    reply = client.post(path, data=body, content_type="application/json")
    assert reply.status_code == 400
    assert reply.get_json() == [{"text": unavailable()}]
    assert fake_rasa.calls == []


@pytest.mark.parametrize("body", ["[]", '"hello"', "42", "null", "true", '["sender", "message"]',
                                  "{", "", "\xff\xfe", '{"sender": "' + "a" * 20 + '", }'])
def test_non_object_or_broken_json_is_a_kind_400(client, fake_rasa, body) -> None:
    for path in ("/api/chat", "/api/forget"):
        reply = client.post(path, data=body.encode("latin-1"), content_type="application/json")
        assert reply.status_code == 400, (path, body)
        assert reply.get_json() == [{"text": unavailable()}]
    assert fake_rasa.calls == []


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded",
                                          "multipart/form-data; boundary=x", "application/xml",
                                          None])
def test_a_wrong_content_type_on_chat_is_a_kind_415(client, fake_rasa, content_type) -> None:
    body = json.dumps({"sender": tab_id(), "message": "hi"})
    reply = client.post("/api/chat", data=body, content_type=content_type)
    assert reply.status_code == 415
    assert reply.get_json() == [{"text": unavailable()}]
    assert fake_rasa.calls == []


def test_json_with_a_charset_or_a_json_suffix_type_is_accepted(client, fake_rasa) -> None:
    for content_type in ("application/json; charset=utf-8", "application/vnd.api+json"):
        body = json.dumps({"sender": tab_id(), "message": "hello"})
        assert client.post("/api/chat", data=body, content_type=content_type).status_code == 200
    assert fake_rasa.messages() == ["hello", "hello"]


def test_forget_still_takes_a_beacon_body(client, fake_rasa) -> None:
    sender = tab_id()
    reply = client.post("/api/forget", data=json.dumps({"sender": sender}), content_type="text/plain")
    assert reply.status_code == 204
    assert fake_rasa.forgotten() == [sender]


@pytest.mark.parametrize("method,path", [("GET", "/api/chat"), ("PUT", "/api/forget"),
                                         ("DELETE", "/"), ("GET", "/no-such-page"),
                                         ("GET", "/api/nothing")])
def test_wrong_methods_and_paths_answer_json_not_plain_text(client, method, path) -> None:
    reply = client.open(path, method=method)
    assert 400 <= reply.status_code < 500
    assert reply.content_type.startswith("application/json")
    if reply.status_code == 405:
        assert reply.headers["Allow"]


def test_ten_megabytes_to_the_real_server_is_the_kind_413(waitress_url, fake_rasa) -> None:
    base = waitress_url()
    for path in ("/api/chat", "/api/forget"):
        reply = requests.post(base + path, data=b"x" * (10 * 1024 * 1024), timeout=30,
                              headers={"Content-Type": "application/json"})
        assert reply.status_code == 413
        assert reply.headers["Content-Type"].startswith("application/json")
        assert reply.json() == [{"text": domain_text("utter_refused_too_long")}]
    assert fake_rasa.calls == []


def test_a_broken_request_line_gets_json_from_the_server_itself(waitress_url) -> None:
    base = waitress_url()
    port = int(base.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(b"POST /api/chat HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n")
        chunks = []
        while chunk := sock.recv(65536):  # the server closes after an error
            chunks.append(chunk)
    answer = b"".join(chunks).decode("utf-8", "replace")
    head, _, body = answer.partition("\r\n\r\n")
    assert head.startswith("HTTP/1.1 400")
    assert "application/json" in head and "waitress" not in answer.lower()
    assert json.loads(body) == [{"text": unavailable()}]


# ---- limits per address and in all -------------------------------------------------------------

def test_one_address_over_its_rate_is_refused_others_are_not(make_app, fake_rasa) -> None:
    client = make_app(address_rate_per_minute=3).test_client()
    flooder = {"REMOTE_ADDR": "198.51.100.7"}
    answers = [post_chat(client, "hello", **flooder) for _ in range(5)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429, 429]
    assert answers[-1].get_json() == [{"text": domain_text("utter_refused_rate")}]
    # Someone else, and the flooder's danger message, are not held back.
    assert post_chat(client, "hello", REMOTE_ADDR="198.51.100.8").status_code == 200
    danger = post_chat(client, DANGER, **flooder)
    assert danger.status_code == 200
    assert fake_rasa.messages().count(DANGER) == 1


def test_when_every_slot_is_taken_danger_gets_999_first_at_once(make_app, fake_rasa) -> None:
    app = make_app(total_in_flight=1)
    in_flight = app.extensions["signpost_webfront"].address_limits.in_flight
    with in_flight.slot("203.0.113.1") as admitted:
        assert admitted
        reply = post_chat(app.test_client(), DANGER, REMOTE_ADDR="203.0.113.2")
        calm = post_chat(app.test_client(), "hello", REMOTE_ADDR="203.0.113.3")
    assert reply.status_code == 429
    assert reply.get_json() == [{"text": emergency()}, {"text": unavailable()}]
    assert calm.get_json() == [{"text": unavailable()}]
    assert fake_rasa.calls == []
    assert len(in_flight) == 0


def test_one_address_cannot_take_every_slot(make_app, fake_rasa) -> None:
    app = make_app(address_in_flight=1, total_in_flight=5)
    in_flight = app.extensions["signpost_webfront"].address_limits.in_flight
    with in_flight.slot("198.51.100.7"):
        same = post_chat(app.test_client(), "hello", REMOTE_ADDR="198.51.100.7")
        other = post_chat(app.test_client(), "hello", REMOTE_ADDR="198.51.100.9")
    assert same.status_code == 429
    assert other.status_code == 200


def test_forwarded_for_is_believed_only_from_the_configured_proxy(make_app, fake_rasa) -> None:
    app = make_app(address_rate_per_minute=1, trusted_proxies=("127.0.0.1",))
    client = app.test_client()
    # From a stranger, a made-up X-Forwarded-For does not make a new address.
    spoofed = [post_chat(client, "hi", REMOTE_ADDR="198.51.100.7",
                         HTTP_X_FORWARDED_FOR=f"203.0.113.{n}") for n in range(2)]
    assert [r.status_code for r in spoofed] == [200, 429]
    # From the proxy, the address it saw is the client: two people behind it are two.
    via_proxy = [post_chat(client, "hi", REMOTE_ADDR="127.0.0.1",
                           HTTP_X_FORWARDED_FOR=f"evil, 203.0.113.{n}") for n in range(2)]
    assert [r.status_code for r in via_proxy] == [200, 200]


# ---- TLS: HSTS and Secure cookies ---------------------------------------------------------------

def _cookie_app(make_app) -> Flask:
    app = make_app(trusted_proxies=("127.0.0.1",))
    app.secret_key = "test"
    extra = Blueprint("cookie_test", __name__)

    @extra.get("/set-cookie")
    def set_cookie() -> str:
        session["staff"] = "x"
        return "ok"

    app.register_blueprint(extra)
    return app


def test_over_tls_from_the_proxy_hsts_is_sent_and_cookies_are_secure(make_app) -> None:
    client = _cookie_app(make_app).test_client()
    reply = client.get("/set-cookie", environ_base={"REMOTE_ADDR": "127.0.0.1",
                                                    "HTTP_X_FORWARDED_PROTO": "https"})
    assert reply.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert all("; Secure" in c for c in reply.headers.getlist("Set-Cookie"))
    assert reply.headers.getlist("Set-Cookie")


@pytest.mark.parametrize("environ", [
    {"REMOTE_ADDR": "127.0.0.1"},  # plain HTTP from the proxy
    {"REMOTE_ADDR": "198.51.100.7", "HTTP_X_FORWARDED_PROTO": "https"},  # a stranger's claim
])
def test_over_plain_http_neither_is_sent(make_app, environ) -> None:
    reply = _cookie_app(make_app).test_client().get("/set-cookie", environ_base=environ)
    assert "Strict-Transport-Security" not in reply.headers
    assert not any("Secure" in c for c in reply.headers.getlist("Set-Cookie"))


def test_no_server_banner_from_the_real_server(waitress_url) -> None:
    base = waitress_url()
    for reply in (requests.get(base + "/", timeout=5), requests.get(base + "/nothing", timeout=5)):
        assert "Server" not in reply.headers
        assert "waitress" not in reply.text.lower()


# ---- slow clients, without HAProxy in front -----------------------------------------------------

def test_three_hundred_slow_clients_do_not_silence_the_chat(waitress_url, fake_rasa) -> None:
    """The single-machine default (WEBFRONT_PROXY=none): waitress alone, no Rasa, so the
    emergency text comes from the web front's own fallback."""
    base = waitress_url(rasa_url=f"http://127.0.0.1:{free_port()}")
    port = int(base.rsplit(":", 1)[1])
    sources = [f"127.0.0.{n}" for n in range(30, 40)]
    with slow_clients("127.0.0.1", port, 150, sources=sources, kind="headers") as headers, \
            slow_clients("127.0.0.1", port, 150, sources=sources, kind="body") as bodies:
        assert headers.opened + bodies.opened == 300
        for _ in range(3):
            started = time.monotonic()
            reply = requests.post(base + "/api/chat", timeout=2,
                                  json={"sender": tab_id(), "message": DANGER})
            assert time.monotonic() - started < 2.0
            assert reply.json()[0] == {"text": emergency()}
            time.sleep(0.5)


def test_limits_come_from_the_environment_and_zero_turns_them_off(monkeypatch) -> None:
    monkeypatch.setenv("ADDRESS_RATE_LIMIT_PER_MINUTE", "0")
    monkeypatch.setenv("ADDRESS_MAX_IN_FLIGHT", "0")
    monkeypatch.setenv("MAX_IN_FLIGHT", "junk")
    monkeypatch.setenv("WEBFRONT_TRUSTED_PROXIES", "127.0.0.1, 10.0.0.0/8")
    config = WebfrontConfig.from_mapping(os.environ)
    assert (config.address_rate_per_minute, config.address_in_flight, config.total_in_flight) == (0, 0, 12)
    assert config.trusted_proxies == ("127.0.0.1", "10.0.0.0/8")
    from bot.webfront.limits import InFlight

    unlimited = InFlight(total=0, per_address=0)
    with unlimited.slot("a") as first, unlimited.slot("a") as second:
        assert first and second


def test_the_real_staff_session_and_csrf_cookie_is_secure_over_tls(make_app) -> None:
    from bot.webfront.__main__ import mount_directory

    app = make_app(trusted_proxies=("127.0.0.1",))
    mount_directory(app)
    reply = app.test_client().get("/admin/login/", environ_base={
        "REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_PROTO": "https"})
    cookies = reply.headers.getlist("Set-Cookie")
    assert cookies and all(c.endswith("; Secure") or "; Secure;" in c for c in cookies)
    assert "Strict-Transport-Security" in reply.headers
