"""Fixtures for the Redis and multi-replica tests: real servers only (tests/support)."""

from tests.support.redis_server import redis_server, redis_settings  # noqa: F401
