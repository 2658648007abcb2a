"""Free loopback ports."""

from __future__ import annotations

import socket


def free_port() -> int:
    """A loopback port nothing listens on (closed again at once), e.g. for "Rasa is down"."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
