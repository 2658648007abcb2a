"""Response headers that keep the page self-contained and leave as little on the device as can be.

Nothing is loaded from anyone else (a third party would learn who visits), nothing is cached
(a cached page is a trace), and no inline script runs, so a reply that somehow became markup
could still not execute.
"""

from __future__ import annotations

from flask import Response

CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "require-trusted-types-for 'script'",
))

_DEFAULTS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def add_security_headers(response: Response) -> Response:
    """Set on every response. A blueprint mounted later (the staff admin) may set its own
    policy first and keep it; caching is refused everywhere."""
    for name, value in _DEFAULTS.items():
        response.headers.setdefault(name, value)
    response.headers["Cache-Control"] = "no-store"
    response.headers.pop("ETag", None)
    response.headers.pop("Last-Modified", None)
    return response
