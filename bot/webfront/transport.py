"""HTTPS-only promises, made only when the person really reached us over HTTPS.

Behind a TLS proxy the web front itself speaks plain HTTP, so it learns the scheme from
X-Forwarded-Proto, believed from a configured proxy only (bot.webfront.proxy). Then every
answer carries HSTS and every cookie (the staff session, which also carries the CSRF token)
is marked Secure, whatever the part that set it asked for; over plain HTTP neither is sent,
so a local `make run` still works.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from bot.webfront.proxy import ProxyTrust

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def secure_cookie(value: str) -> str:
    attributes = {part.strip().split("=", 1)[0].lower() for part in value.split(";")[1:]}
    return value if "secure" in attributes else value + "; Secure"


class SecureTransport:
    """WSGI middleware: sets the scheme Flask sees, then adds HSTS and Secure on HTTPS."""

    def __init__(self, app: WsgiApp, trust: ProxyTrust, hsts_seconds: int) -> None:
        self.app = app
        self.trust = trust
        self.hsts = f"max-age={hsts_seconds}; includeSubDomains"

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if not self.trust.is_secure(environ):
            return self.app(environ, start_response)
        environ["wsgi.url_scheme"] = "https"

        def secure_start(status: str, headers: list[tuple[str, str]], *args: Any) -> Any:
            headers = [(name, secure_cookie(value) if name.lower() == "set-cookie" else value)
                       for name, value in headers
                       if name.lower() != "strict-transport-security"]
            headers.append(("Strict-Transport-Security", self.hsts))
            return start_response(status, headers, *args)

        return self.app(environ, secure_start)
