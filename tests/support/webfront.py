"""Constants of the fake Rasa that the web-front tests drive (tests/webfront/conftest.py)."""

from __future__ import annotations

import os

TOKEN = "test-webfront-token"
GREETING = "Hello. I'm an automated helper, not a person."
XSS_REPLY = '<img src=x onerror="document.title=\'pwned\'"><script>document.title="pwned"</script>'


def tab_id() -> str:
    return os.urandom(12).hex()
