"""One typed configuration object and one parser that names every bad value (issue 11)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from bot.config import AppConfig, ConfigError, load, problems, redacted
from bot.training import ROOT

CLEAN = {"WEBFRONT_TOKEN": "a-token", "SENDER_HASH_KEY": "a-long-enough-shared-key"}


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in ("REDIS_URL", "TWILIO_AUTH_TOKEN", "SMS_PUBLIC_URL", "TELEGRAM_BOT_TOKEN",
                 "TELEGRAM_SECRET_TOKEN", "DATABASE_URL", "SESSION_TTL_SECONDS", "WEBFRONT_PORT",
                 "EXIT_URL", "WEBFRONT_TRUSTED_PROXIES", "ADMIN_COOKIE_SECURE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in CLEAN.items():
        monkeypatch.setenv(name, value)
    return monkeypatch


def test_every_section_is_read_into_one_object(env: pytest.MonkeyPatch) -> None:
    env.setenv("SESSION_TTL_SECONDS", "900")
    env.setenv("WEBFRONT_PORT", "8181")
    env.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    env.setenv("DATABASE_URL", "postgresql+psycopg2://u@127.0.0.1:5432/d")
    config = load()
    assert isinstance(config, AppConfig)
    assert config.channels.session_ttl_seconds == 900
    assert config.web.port == 8181 and config.run.public_port == 8181
    assert config.store is not None and config.channels.redis == config.store
    assert config.database_url.startswith("postgresql")
    assert config.admin.session_hours == 8


def test_bad_values_are_all_named_at_once_instead_of_silently_defaulted(
        env: pytest.MonkeyPatch) -> None:
    bad = {"SESSION_TTL_SECONDS": "half an hour", "WEBFRONT_PORT": "99999", "EXIT_URL": "bbc.co.uk",
           "WEBFRONT_TRUSTED_PROXIES": "10.0.0.0/8,not-an-address", "ADMIN_COOKIE_SECURE": "yes",
           "REDIS_URL": "http://redis"}
    for name, value in bad.items():
        env.setenv(name, value)
    env.setenv("TWILIO_AUTH_TOKEN", "only-half-of-a-pair")
    with pytest.raises(ConfigError) as refused:
        load()
    found = refused.value.problems
    assert len(found) == len(bad) + 1
    for name in [*bad, "TWILIO_AUTH_TOKEN"]:
        assert sum(line.startswith(name) for line in found) == 1, name
    assert "only-half-of-a-pair" not in str(refused.value)  # values are never echoed


def test_a_clean_environment_has_no_problems() -> None:
    assert problems({"SESSION_TTL_SECONDS": "1800", "SMS_PUBLIC_URL": "https://x.test/sms",
                     "TWILIO_AUTH_TOKEN": "t", "TELEGRAM_SECRET_TOKEN": "a_b-c",
                     "TELEGRAM_BOT_TOKEN": "1:x", "DATABASE_URL": "sqlite:///var/d.sqlite3"}) == []


def test_the_printed_configuration_hides_every_secret(env: pytest.MonkeyPatch) -> None:
    env.setenv("TWILIO_AUTH_TOKEN", "twilio-secret-value")
    env.setenv("SMS_PUBLIC_URL", "https://x.test/sms")
    env.setenv("REDIS_URL", "redis://:redis-password@127.0.0.1:6379/0")
    env.setenv("ADMIN_SECRET_KEY", "admin-secret-value")
    text = json.dumps(redacted(load()))
    for secret in ("twilio-secret-value", "redis-password", "admin-secret-value", *CLEAN.values()):
        assert secret not in text
    done = subprocess.run([sys.executable, "-m", "bot.config"], cwd=ROOT, capture_output=True,
                          text=True, timeout=60, env={**__import__("os").environ,
                                                      "SESSION_TTL_SECONDS": "soon"})
    assert done.returncode == 1 and "SESSION_TTL_SECONDS is not a whole number" in done.stderr
