"""Who is asking, and over what: believed from X-Forwarded-* only when a configured proxy
sent them.

Anyone can write an X-Forwarded-For header. Taken from a stranger, it would let one script
spread itself over a thousand made-up addresses (escaping the per-address limit) or fill
someone else's; so the header is read only when the connection comes from a trusted proxy,
and then from the right: the last address a trusted hop did not add is the client.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(raw: Iterable[str]) -> tuple[Network, ...]:
    """Addresses or CIDR ranges; a malformed entry is dropped (trusting less is the safe side)."""
    networks = []
    for item in raw:
        try:
            networks.append(ipaddress.ip_network(item.strip(), strict=False))
        except ValueError:
            continue
    return tuple(networks)


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # "[2001:db8::1]:443"
        text = text[1:text.index("]")]
    elif text.count(":") == 1:  # "203.0.113.9:443"
        text = text.split(":", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


@dataclass(frozen=True)
class ProxyTrust:
    networks: tuple[Network, ...] = ()

    def trusts(self, address: str | None) -> bool:
        parsed = _address(address or "")
        return parsed is not None and any(parsed in network for network in self.networks)

    def client_address(self, environ: Mapping[str, Any]) -> str:
        """The address limits are counted against; the peer itself unless a trusted proxy
        forwarded the request."""
        peer = str(environ.get("REMOTE_ADDR") or "")
        if not self.trusts(peer):
            return peer
        forwarded = str(environ.get("HTTP_X_FORWARDED_FOR") or "")
        for hop in reversed([part for part in forwarded.split(",") if part.strip()]):
            address = _address(hop)
            if address is None:
                break  # garbage from further out: stop believing the chain here
            if not any(address in network for network in self.networks):
                return str(address)
            peer = str(address)
        return peer

    def is_secure(self, environ: Mapping[str, Any]) -> bool:
        """HTTPS to the person: our own TLS, or a trusted proxy that says it terminated TLS."""
        if environ.get("wsgi.url_scheme") == "https":
            return True
        if not self.trusts(str(environ.get("REMOTE_ADDR") or "")):
            return False
        proto = str(environ.get("HTTP_X_FORWARDED_PROTO") or "")
        # With several proxies each may append; the first is what the person used.
        return proto.split(",", 1)[0].strip().lower() == "https"
