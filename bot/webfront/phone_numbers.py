"""Which words of a reply are phone numbers, so every page can make them tap-to-call links.

One pattern for the chat page (phones.js receives it with the page's checks) and for the plain
page the edge serves while the web front is away, so both link the same numbers. It is written
in the subset of regular expressions that Python and JavaScript read alike (ASCII classes, no
inline flags): a UK number (0 or +44, then 9 or 10 more digits, groups split by spaces or
hyphens), Childline's 0800 1111, or one of the short numbers the bot gives: 999, 112, 111, 101, 116 xxx (Samaritans),
18000 (Relay UK). "Press 55" is an instruction, not a number to call, and is left alone.
"""

from __future__ import annotations

import html
import re

PHONE_PATTERN = (
    r"(?<![A-Za-z0-9_+])"
    r"(?:(?:\+44[ \u00a0]?(?:\(0\)[ \u00a0]?)?|0)[0-9](?:[ \u00a0-]?[0-9]){8,9}"
    r"|0800[ \u00a0]?[0-9]{4}|999|112|111|101|116[ \u00a0]?[0-9]{3}|18000)"
    r"(?![A-Za-z0-9_])"
)
_PHONE = re.compile(PHONE_PATTERN)


def dial_string(number: str) -> str:
    """What a tel: link dials: the digits, and a leading plus if there is one; the "(0)" of
    "+44 (0) 20..." is not dialled."""
    return re.sub(r"[^0-9+]", "", number.replace("(0)", ""))


def linked_html(text: str) -> str:
    """`text` as escaped HTML with each number a tel: link (escaped part by part, so nothing
    in the text can become markup)."""
    out, last = [], 0
    for match in _PHONE.finditer(text):
        out.append(html.escape(text[last:match.start()]))
        number = match.group(0)
        out.append(f'<a href="tel:{dial_string(number)}">{html.escape(number)}</a>')
        last = match.end()
    out.append(html.escape(text[last:]))
    return "".join(out)
