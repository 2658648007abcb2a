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


# ---- one parser, passed to the parts ---------------------------------------------------------

ALLOWED_ENVIRONMENT_READERS = {
    "bot/config.py",  # the one parser
    "bot/run.py", "bot/replicas/stack.py",  # build the environment of the processes they start
    "services_directory/cli.py",  # the operator's USER for the audit log, a password prompt's input
}


def test_no_module_but_the_parser_reads_settings_from_the_environment() -> None:
    readers = set()
    for folder in ("bot", "actions", "services_directory"):
        for path in (ROOT / folder).rglob("*.py"):
            text = path.read_text()
            if "os.environ" in text or "getenv" in text:
                readers.add(str(path.relative_to(ROOT)))
    assert readers <= ALLOWED_ENVIRONMENT_READERS, sorted(readers - ALLOWED_ENVIRONMENT_READERS)


def test_every_part_is_handed_its_section_of_one_object(env: pytest.MonkeyPatch) -> None:
    from rasa.core.lock_store import InMemoryLockStore

    from bot.channels.sms import SmsInput
    from bot.channels.telegram import TelegramInput
    from bot.channels.web import WebInput
    from bot.config import current
    from bot.stores.locks import ConfiguredLockStore
    from bot.stores.redis_tracker import ConfiguredTrackerStore
    from bot.webfront.app import create_app
    from services_directory.db import database_url
    from services_directory.freshness import max_age_days
    from services_directory.verification import review_months

    env.delenv("SENDER_HASH_KEY")  # one process, memory only: a random key for this process
    env.setenv("SESSION_TTL_SECONDS", "77")
    env.setenv("TWILIO_AUTH_TOKEN", "twilio-token")
    env.setenv("SMS_PUBLIC_URL", "https://x.test/sms")
    env.setenv("DATABASE_URL", "sqlite:////tmp/one-config.sqlite3")
    env.setenv("DIRECTORY_REVIEW_MONTHS", "9")
    env.setenv("DIRECTORY_PHONE_MAX_AGE_DAYS", "400")
    config = current()
    assert current() is config  # parsed once while the environment is unchanged
    sms, web, tg = (SmsInput.from_credentials(None), WebInput.from_credentials(None),
                    TelegramInput.from_credentials(None))
    assert sms.settings is web.settings is tg.settings is config.channels
    assert sms.enabled and not tg.enabled  # Telegram unset: disabled, not broken
    assert ConfiguredTrackerStore(None).ttl_seconds == 77
    assert isinstance(ConfiguredLockStore(), InMemoryLockStore)
    app = create_app()
    state = app.extensions["signpost_webfront"]
    assert state.settings is config.channels and state.config is config.web
    assert state.channel_secrets.twilio_auth_token == "twilio-token"
    assert (database_url(), review_months(), max_age_days()) == (
        "sqlite:////tmp/one-config.sqlite3", 9, 400)
    env.setenv("SESSION_TTL_SECONDS", "78")
    assert current() is not config and current().channels.session_ttl_seconds == 78


@pytest.mark.parametrize("module, name, value, said", [
    ("bot.webfront", "WEBFRONT_PORT", "eighty", "WEBFRONT_PORT is not a whole number"),
    ("bot.run", "SESSION_TTL_SECONDS", "soon", "SESSION_TTL_SECONDS is not a whole number"),
    ("bot.run", "REDIS_LOCK_TTL_SECONDS", "forever", "REDIS_LOCK_TTL_SECONDS"),
])
def test_a_bad_value_stops_a_start_with_one_clear_line(module: str, name: str, value: str,
                                                       said: str) -> None:
    import os

    environment = {**os.environ, "PYTHONPATH": str(ROOT), "REDIS_URL": "redis://127.0.0.1:9/0",
                   name: value, **CLEAN}
    done = subprocess.run([sys.executable, "-m", module], cwd=ROOT, capture_output=True,
                          text=True, timeout=60, env=environment)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and said in lines[0], done.stderr
    assert value not in done.stderr  # never echoed


def test_make_run_defaults_pass_the_parser() -> None:
    """`make run` sets nothing: with an empty environment every section has its default."""
    from bot.config import parse

    config = parse({})
    assert config.store is None and config.run.rasa_port == 5005 and config.web.port == 8080
    assert config.channels.session_ttl_seconds == 1800 and len(config.channels.sender_hash_key) == 32
    assert config.directory.database_url.startswith("sqlite:///")
    assert config.replicas.replicas == 2
