"""Property tests (hypothesis) of how the web front reads requests: whatever arrives, the
answer is a decision, never an exception, and the decision is the right one."""

from __future__ import annotations

import ipaddress
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.webfront.parsing import MAX_DEPTH, BodyError, nesting_depth, parse_object
from bot.webfront.proxy import ProxyTrust, parse_networks
from bot.webfront.transport import secure_cookie
from tests.support.domain import domain_text
from tests.support.webfront import tab_id

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4),
    max_leaves=30,
)


def depth_of(value: Any) -> int:
    if isinstance(value, list):
        return 1 + max((depth_of(v) for v in value), default=0)
    if isinstance(value, dict):
        return 1 + max((depth_of(v) for v in value.values()), default=0)
    return 0


@given(JSON_VALUES)
def test_the_depth_scan_agrees_with_the_parsed_value(value: Any) -> None:
    assert nesting_depth(json.dumps(value), limit=10_000) == depth_of(value)


@given(st.binary(max_size=2000))
def test_any_bytes_give_an_object_or_a_body_error(raw: bytes) -> None:
    try:
        assert isinstance(parse_object(raw), dict)
    except BodyError as error:
        assert error.status in (400, 415)


@given(JSON_VALUES)
def test_a_shallow_object_is_read_back_exactly(value: Any) -> None:
    document = {"sender": "s", "message": value}
    raw = json.dumps(document).encode()
    if depth_of(document) <= MAX_DEPTH:
        assert parse_object(raw) == json.loads(raw)


@given(st.integers(min_value=MAX_DEPTH + 1, max_value=20_000), st.sampled_from(["[", '{"":']))
def test_anything_deeper_than_the_limit_is_refused_without_recursing(depth: int, opener: str) -> None:
    closer = "]" if opener == "[" else "}"
    raw = (opener * depth + "1" + closer * depth).encode()
    try:
        parse_object(raw)
    except BodyError as error:
        assert error.status == 400
    else:
        raise AssertionError("a too-deep body was accepted")


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(body=st.one_of(st.binary(max_size=300), JSON_VALUES.map(lambda v: json.dumps(v).encode())),
       content_type=st.sampled_from(["application/json", "text/plain", "application/x-www-form-urlencoded",
                                     "application/json; charset=utf-8", ""]))
def test_chat_answers_any_body_with_words_never_a_server_error(client, fake_rasa, body: bytes,
                                                                content_type: str) -> None:
    reply = client.post("/api/chat", data=body, content_type=content_type or None)
    assert reply.status_code in (200, 400, 413, 415, 429)
    messages = reply.get_json()
    assert isinstance(messages, list) and messages
    if reply.status_code != 200:
        assert messages == [{"text": domain_text("utter_service_unavailable")}]


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(message=st.one_of(st.none(), st.integers(), st.text(max_size=300), st.lists(st.text(), max_size=3)))
def test_chat_with_a_valid_sender_and_any_message_is_answered(client, fake_rasa, message: Any) -> None:
    reply = client.post("/api/chat", json={"sender": tab_id(), "message": message})
    assert reply.status_code == 200
    assert isinstance(reply.get_json(), list)


ADDRESSES = st.one_of(st.ip_addresses(v=4), st.ip_addresses(v=6)).map(str)


@given(peer=ADDRESSES, forwarded=st.lists(st.one_of(ADDRESSES, st.text(max_size=20)), max_size=5))
def test_a_stranger_cannot_choose_the_address_they_are_counted_as(peer: str, forwarded: list[str]) -> None:
    trust = ProxyTrust(parse_networks(["10.0.0.1"]))
    environ = {"REMOTE_ADDR": peer, "HTTP_X_FORWARDED_FOR": ", ".join(forwarded),
               "HTTP_X_FORWARDED_PROTO": "https"}
    if peer != "10.0.0.1":
        assert trust.client_address(environ) == peer
        assert not trust.is_secure(environ)


@given(forwarded=st.lists(st.one_of(ADDRESSES, st.text(max_size=20)), max_size=5), client=ADDRESSES)
def test_behind_the_proxy_the_address_it_added_is_the_client(forwarded: list[str], client: str) -> None:
    trust = ProxyTrust(parse_networks(["10.0.0.1"]))
    environ = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": ", ".join([*forwarded, client])}
    expected = client if ipaddress.ip_address(client) != ipaddress.ip_address("10.0.0.1") else None
    if expected is not None:
        assert trust.client_address(environ) == str(ipaddress.ip_address(client))


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n"), max_size=80))
def test_every_cookie_comes_out_secure_exactly_once(value: str) -> None:
    once = secure_cookie(value)
    assert secure_cookie(once) == once
    assert "secure" in {part.strip().split("=", 1)[0].lower() for part in once.split(";")[1:]}
