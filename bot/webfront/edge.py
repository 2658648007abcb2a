"""The public edge in front of the web front and Rasa's webhooks: a generated HAProxy config.

Why a proxy at all: waitress holds a fixed number of connections and has no deadline for a
request's headers, so about a hundred half-sent requests once silenced the chat for everyone.
HAProxy gives each request 5 s to arrive whole, caps connections per address and overall,
and answers from files when a part behind it is down or restarting, so a person still gets
999 and the helpline in words (read from domain.yml) rather than a connection error.

Only Twilio's and Telegram's webhooks reach Rasa; its other routes (its version banner at
`/`, the token-guarded web channel) stay on loopback. While Rasa is down, the webhooks go to
the web front's fallback instead (bot.webfront.fallback_channels).
"""

from __future__ import annotations

import ipaddress
import json
from dataclasses import dataclass
from pathlib import Path

from bot.webfront.phone_numbers import linked_html
from bot.webfront.responses import (
    EMERGENCY,
    REFUSED_RATE_RESPONSE,
    REFUSED_TOO_LONG,
    UNAVAILABLE,
    DomainResponses,
)

# Paths Twilio and Telegram post to; everything else public is the web front.
RASA_WEBHOOK_PREFIXES = ("/webhooks/sms/", "/webhooks/telegram/")


@dataclass(frozen=True)
class EdgeConfig:
    public_host: str
    public_port: int
    web_port: int
    rasa_port: int
    # Addresses of a TLS proxy in front of this one, whose X-Forwarded-For/-Proto are kept.
    # From anyone else those headers are removed before the web front sees them.
    trusted_upstreams: tuple[str, ...] = ()
    max_connections: int = 4000
    max_connections_per_address: int = 64
    # A request's headers (and, with http-buffer-request, a small body) must arrive in this.
    request_seconds: int = 5
    # The web front's server refuses larger bodies itself (bot.webfront.server).
    max_body_bytes: int = 1024 * 1024
    idle_seconds: int = 30


def _json_messages(*texts: str) -> str:
    return json.dumps([{"text": text} for text in texts], ensure_ascii=False)


def _page(*texts: str) -> str:
    """A plain page for a browser that asked for one while the web front is away; its numbers
    are tap-to-call links like the chat's."""
    paragraphs = "".join(f"<p>{linked_html(text).replace(chr(10), '<br>')}</p>" for text in texts)
    return ('<!doctype html><html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>Support information</title></head><body>{paragraphs}</body></html>")


def write_error_files(responses: DomainResponses, directory: Path) -> dict[str, Path]:
    """The words HAProxy answers with on its own. It cannot read a message, so whenever it
    answers instead of the bot the emergency advice comes first, for everyone."""
    directory.mkdir(parents=True, exist_ok=True)
    emergency, unavailable = responses.text(EMERGENCY), responses.text(UNAVAILABLE)
    bodies = {
        "api_unavailable.json": _json_messages(emergency, unavailable),
        "api_refused.json": _json_messages(emergency, responses.text(REFUSED_RATE_RESPONSE)),
        "api_too_long.json": _json_messages(responses.text(REFUSED_TOO_LONG)),
        "page_unavailable.html": _page(emergency, unavailable),
        "webhook_unavailable.json": json.dumps({"error": unavailable}, ensure_ascii=False),
    }
    paths = {}
    for name, body in bodies.items():
        path = directory / name
        path.write_text(body, encoding="utf-8")
        paths[name] = path
    return paths


def _acl_addresses(addresses: tuple[str, ...]) -> str:
    """Validated here: a typo must not become part of the proxy's config."""
    return " ".join(str(ipaddress.ip_network(a.strip(), strict=False)) for a in addresses if a.strip())


def _quote(path: Path) -> str:
    return '"' + str(path).replace("\\", "\\\\").replace('"', '\\"') + '"'


def render(config: EdgeConfig, errors: dict[str, Path]) -> str:
    """The haproxy.cfg text. No logging: request lines carry addresses and what people ask."""
    api_unavailable = _quote(errors["api_unavailable.json"])
    api_refused = _quote(errors["api_refused.json"])
    page_unavailable = _quote(errors["page_unavailable.html"])
    webhook_unavailable = _quote(errors["webhook_unavailable.json"])
    too_long = _quote(errors["api_too_long.json"])
    too_large = f"{{ req.hdr_val(content-length) gt {config.max_body_bytes} }}"
    upstreams = _acl_addresses(config.trusted_upstreams)
    forwarded = (
        f"    acl from_trusted_upstream src {upstreams}\n"
        "    http-request del-header X-Forwarded-For unless from_trusted_upstream\n"
        "    http-request del-header X-Forwarded-Proto unless from_trusted_upstream\n"
        if upstreams else
        "    http-request del-header X-Forwarded-For\n"
        "    http-request del-header X-Forwarded-Proto\n"
    )
    prefixes = " ".join(RASA_WEBHOOK_PREFIXES)
    json_type = "application/json; charset=utf-8"
    # Checked every second, and marked down at the first refused connection, so a part that
    # died is answered for (from the files, or by the fallback) at once, not after retries.
    fail_fast = "check inter 1s fall 1 rise 1 observe layer4 error-limit 1 on-error mark-down"
    return f"""\
# Generated by bot.run for this run; edit bot/webfront/edge.py instead.
global
    maxconn {config.max_connections + 100}
    hard-stop-after 10s

defaults
    mode http
    timeout connect 1s
    timeout client {config.idle_seconds}s
    timeout http-request {config.request_seconds}s
    timeout http-keep-alive 5s
    timeout server 10s
    timeout queue 3s
    option http-buffer-request
    option forwardfor
    retries 2
    option redispatch 1
    http-error status 400 content-type "{json_type}" file {api_unavailable}
    http-error status 403 content-type "{json_type}" file {api_unavailable}
    http-error status 408 content-type "{json_type}" file {api_unavailable}
    http-error status 429 content-type "{json_type}" file {api_refused}
    http-error status 500 content-type "{json_type}" file {api_unavailable}
    http-error status 502 content-type "{json_type}" file {api_unavailable}
    http-error status 503 content-type "{json_type}" file {api_unavailable}
    http-error status 504 content-type "{json_type}" file {api_unavailable}

frontend public
    bind {config.public_host}:{config.public_port}
    maxconn {config.max_connections}
    stick-table type ipv6 size 200k expire 60s store conn_cur
    tcp-request connection track-sc0 src
    tcp-request connection reject if {{ sc0_conn_cur gt {config.max_connections_per_address} }}
{forwarded}    # Refused here, before any of it is sent on: waitress would refuse it too, but closing
    # while the rest still arrives can cut its answer short.
    http-request return status 413 content-type "{json_type}" file {too_long} if {too_large}
    http-response del-header Server
    use_backend rasa_webhooks if {{ path_beg {prefixes} }}
    use_backend web_api if {{ path_beg /api/ }}
    default_backend web_pages

backend web_api
    option httpchk GET /healthz
    server web 127.0.0.1:{config.web_port} maxconn 32 {fail_fast}
    http-response del-header Server

backend web_pages
    http-error status 502 content-type "text/html; charset=utf-8" file {page_unavailable}
    http-error status 503 content-type "text/html; charset=utf-8" file {page_unavailable}
    http-error status 504 content-type "text/html; charset=utf-8" file {page_unavailable}
    option httpchk GET /healthz
    server web 127.0.0.1:{config.web_port} maxconn 32 {fail_fast}
    http-response del-header Server

backend rasa_webhooks
    http-error status 502 content-type "{json_type}" file {webhook_unavailable}
    http-error status 503 content-type "{json_type}" file {webhook_unavailable}
    http-error status 504 content-type "{json_type}" file {webhook_unavailable}
    option httpchk GET /webhooks/web/
    server rasa 127.0.0.1:{config.rasa_port} {fail_fast}
    server fallback 127.0.0.1:{config.web_port} backup
    http-response del-header Server
"""
