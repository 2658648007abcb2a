"""A real redis-server for tests (never fakeredis): loopback only, nothing written to disk,
stopped at the end. `redis_server` is shared by a module; `redis_settings` empties it first."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.replicas.processes import RedisServer, find_redis_server
from bot.stores.config import RedisSettings


def start_redis() -> RedisServer:
    if find_redis_server() is None:
        pytest.fail("redis-server is not installed: run `make test` (it installs it) or "
                    "scripts/install-system-packages.sh redis-server")
    return RedisServer().start()


def flush(server: RedisServer) -> None:
    import redis

    server.thaw()
    client = redis.Redis.from_url(server.url, socket_timeout=5)
    try:
        client.flushall()
    finally:
        client.close()


def everything_in(server: RedisServer) -> dict[bytes, bytes]:
    """Every key and its value rendered as bytes (hashes, lists and sets flattened)."""
    import redis

    client = redis.Redis.from_url(server.url, socket_timeout=5)
    found: dict[bytes, bytes] = {}
    try:
        for key in client.scan_iter(count=1000):
            kind = client.type(key)
            if kind == b"string":
                value = client.get(key) or b""
            elif kind == b"hash":
                value = b"\n".join(k + b"=" + v for k, v in client.hgetall(key).items())
            elif kind == b"list":
                value = b"\n".join(client.lrange(key, 0, -1))
            elif kind == b"set":
                value = b"\n".join(client.smembers(key))
            elif kind == b"zset":
                value = b"\n".join(m for m, _ in client.zrange(key, 0, -1, withscores=True))
            else:
                value = b""
            found[key] = value
    finally:
        client.close()
    return found


@pytest.fixture(scope="module")
def redis_server() -> Iterator[RedisServer]:
    server = start_redis()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def redis_settings(redis_server: RedisServer) -> RedisSettings:
    """Fresh, short timeouts as in production; no breaker left open by an earlier test."""
    from bot.stores import redis_client

    flush(redis_server)
    redis_client._breakers.pop(redis_server.url, None)
    redis_client._sync_clients.pop(redis_server.url, None)
    return RedisSettings(url=redis_server.url, retry_after_seconds=0.5)
