"""A bounded slow-client (slowloris-style) attack on a loopback server, for tests only.

Each connection sends part of a request and then a header line now and then, never finishing,
so a server that waits politely for the rest keeps a slot for it. Sources are spread over
loopback addresses (127.0.0.0/8 is all loopback) so per-address caps do not hide the effect.
Everything is bounded: the number of sockets, the time, and every socket is closed on exit.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

MAX_SOCKETS = 1000


@dataclass
class SlowClients:
    opened: int = 0
    refused: int = 0
    closed_by_server: int = 0
    sockets: list[socket.socket] = field(default_factory=list)


def _is_loopback(host: str) -> bool:
    return host == "localhost" or host.startswith("127.") or host == "::1"


def _request_start(kind: str, port: int) -> bytes:
    if kind == "headers":  # the request line and one header, then nothing
        return f"POST /api/chat HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n".encode()
    # kind == "body": complete headers promising a body that never arrives
    return (f"POST /api/chat HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            "Content-Type: application/json\r\nContent-Length: 4000\r\n\r\n{\"sender\": ").encode()


@contextlib.contextmanager
def slow_clients(host: str, port: int, count: int, *, sources: Sequence[str] = ("127.0.0.1",),
                 kind: str = "headers", trickle_seconds: float = 1.0) -> Iterator[SlowClients]:
    """Open `count` slow connections to host:port and keep them trickling until the block ends."""
    if not _is_loopback(host) or not all(_is_loopback(s) for s in sources):
        raise ValueError("slow-client attacks are for loopback only")
    if not 0 < count <= MAX_SOCKETS:
        raise ValueError(f"count must be 1..{MAX_SOCKETS}")
    state = SlowClients()
    start = _request_start(kind, port)
    for n in range(count):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.settimeout(2)
        try:
            sock.bind((sources[n % len(sources)], 0))
            sock.connect((host, port))
            sock.sendall(start)
        except OSError:
            state.refused += 1
            sock.close()
            continue
        state.opened += 1
        state.sockets.append(sock)
    stop = threading.Event()

    def trickle() -> None:
        while not stop.wait(trickle_seconds):
            for sock in list(state.sockets):
                try:
                    sock.sendall(b"X-Slow: 1\r\n" if kind == "headers" else b"1")
                except OSError:
                    state.closed_by_server += 1
                    state.sockets.remove(sock)
                    sock.close()

    thread = threading.Thread(target=trickle, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        stop.set()
        thread.join(timeout=5)
        for sock in state.sockets:
            sock.close()
