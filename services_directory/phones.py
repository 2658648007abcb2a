"""What counts as a well-formed UK phone number in the directory.

Format only: this cannot tell a real helpline from a made-up one. That is why every number
carries `source` and `last_verified`, and why a test checks bundled numbers against the
national reference list.
"""

from __future__ import annotations

import re

# Short numbers a person may really be told to call: 999/112 emergency, 101 police
# non-emergency, 111 NHS, 116xxx European helplines (Samaritans 116 123), 18000 Relay UK.
_SHORT = re.compile(r"^(999|112|101|111|116\d{3}|18000|18001)$")
# Ordinary UK numbers are 10 or 11 digits with the leading 0 (020 7008 0151, 0808 2000 247).
_NATIONAL = re.compile(r"^0[1-9]\d{8,9}$")
# A few freephone numbers are shorter (Childline 0800 1111).
_SHORT_FREEPHONE = re.compile(r"^080[08]\d{4}$")
_ALLOWED_CHARS = re.compile(r"^[+\d\s()-]+$")
# Relay UK: 18001 (text relay) or 18002 (video relay) before an ordinary number, so a Deaf
# person can call a hearing one from a textphone or the Relay UK app.
_RELAY = re.compile(r"^1800[12](0[1-9]\d{8,9}|080[08]\d{4})$")


def normalise_uk_phone(number: str) -> str | None:
    """Digits only, +44 folded to 0; None when it is not a UK number we would show."""
    text = (number or "").strip()
    if not text or not _ALLOWED_CHARS.match(text):
        return None
    digits = re.sub(r"[\s()-]", "", text)
    if digits.startswith("+44"):
        digits = "0" + digits[3:].removeprefix("0")
    elif digits.startswith("0044"):
        digits = "0" + digits[4:].removeprefix("0")
    if not digits.isdigit():
        return None
    if (_SHORT.match(digits) or _NATIONAL.match(digits) or _SHORT_FREEPHONE.match(digits)
            or _RELAY.match(digits)):
        return digits
    return None


def is_uk_phone(number: str) -> bool:
    return normalise_uk_phone(number) is not None
