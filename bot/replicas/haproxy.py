"""The HAProxy configuration for several Rasa replicas: the one-machine edge, extended.

The public part is bot.webfront.edge's, unchanged (its timeouts, per-address caps, forged
X-Forwarded-* removal, answers from files, the web front as the webhooks' fallback). What
changes is behind it:

- Twilio's and Telegram's webhooks go to every replica, each conversation kept on one by
  consistent hashing on the SMS `From` parameter or the Telegram chat id;
- a second, loopback-only frontend carries the web front's calls to Rasa's web channel, kept
  on one replica by the `sender` in the JSON body.

Keeping a conversation on one replica is for speed and order only: every replica reads the
same conversation from Redis under an atomic lock, so when one dies its conversations move to
the others (health checks every second, failed connections redispatched) and carry on. With
every replica down, the webhooks go to the web front's fallback and the web front answers
from its own, both 999 first; the internal frontend answers 503 at once so the web front does
not wait.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.webfront.edge import EdgeConfig, render

_WEBHOOK_BACKEND = "backend rasa_webhooks\n"
# As the edge's own servers: a part that died is answered for at once, not after retries.
_FAIL_FAST = "check inter 1s fall 1 rise 1 observe layer4 error-limit 1 on-error mark-down"


@dataclass(frozen=True)
class ReplicaEdgeConfig:
    public_host: str
    public_port: int
    web_port: int
    rasa_ports: tuple[int, ...]
    internal_port: int
    trusted_upstreams: tuple[str, ...] = ()
    # A local admin socket (mode 600) for counters and server states: which replica served.
    stats_socket: Path | None = None


def _quote(path: Path) -> str:
    return '"' + str(path).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _servers(ports: tuple[int, ...]) -> str:
    return "".join(f"    server rasa{n} 127.0.0.1:{port} {_FAIL_FAST}\n"
                   for n, port in enumerate(ports, start=1))


def render_replicas(config: ReplicaEdgeConfig, errors: dict[str, Path]) -> str:
    if not config.rasa_ports:
        raise ValueError("at least one Rasa replica")
    edge = render(EdgeConfig(public_host=config.public_host, public_port=config.public_port,
                             web_port=config.web_port, rasa_port=config.rasa_ports[0],
                             trusted_upstreams=config.trusted_upstreams), errors)
    if config.stats_socket is not None:
        socket_line = f"    stats socket {_quote(config.stats_socket)} mode 600 level user\n"
        edge = edge.replace("global\n", "global\n" + socket_line, 1)
    start = edge.find(_WEBHOOK_BACKEND)
    if start < 0 or "\nbackend " in edge[start + len(_WEBHOOK_BACKEND):]:
        raise RuntimeError("bot.webfront.edge changed shape: rasa_webhooks is no longer the "
                           "last backend; update bot/replicas/haproxy.py")
    json_type = "application/json; charset=utf-8"
    webhook_unavailable = _quote(errors["webhook_unavailable.json"])
    api_unavailable = _quote(errors["api_unavailable.json"])
    # Values are hashed in HAProxy's memory only; nothing is logged (the edge has no log line).
    webhooks = f"""\
backend rasa_webhooks
    http-error status 502 content-type "{json_type}" file {webhook_unavailable}
    http-error status 503 content-type "{json_type}" file {webhook_unavailable}
    http-error status 504 content-type "{json_type}" file {webhook_unavailable}
    acl sms path_beg /webhooks/sms/
    acl telegram path_beg /webhooks/telegram/
    acl keyed var(txn.conversation) -m found
    http-request set-var(txn.conversation) req.body_param(From) if sms
    http-request set-var(txn.conversation) req.body,json_query('$.message.chat.id') if telegram
    http-request set-var(txn.conversation) req.body,json_query('$.callback_query.message.chat.id') if telegram !keyed
    balance hash var(txn.conversation)
    hash-type consistent
    option httpchk GET /webhooks/web/
{_servers(config.rasa_ports)}    server fallback 127.0.0.1:{config.web_port} backup
    http-response del-header Server

# The web front's calls to Rasa's web channel (token-guarded), on loopback only.
frontend rasa_internal
    bind 127.0.0.1:{config.internal_port}
    maxconn 2000
    default_backend rasa_web

backend rasa_web
    http-error status 502 content-type "{json_type}" file {api_unavailable}
    http-error status 503 content-type "{json_type}" file {api_unavailable}
    http-error status 504 content-type "{json_type}" file {api_unavailable}
    balance hash req.body,json_query('$.sender')
    hash-type consistent
    option httpchk GET /webhooks/web/
{_servers(config.rasa_ports)}    http-response del-header Server
"""
    return edge[:start] + webhooks
