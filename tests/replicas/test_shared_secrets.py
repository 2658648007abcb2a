"""With REDIS_URL set, replicas share conversations: the hash key and the web token must be
set on purpose, or nothing starts (one line, no traceback). Without Redis nothing changes."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from bot.config import current
from bot.stores.config import BadStoreSetting, MissingSharedSecret, RedisSettings
from bot.training import ROOT
from tests.support.redis_models import trained_model

REASON = "refusing to start"


def test_without_redis_a_per_process_key_is_still_fine(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("REDIS_URL", "SENDER_HASH_KEY", "WEBFRONT_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    settings = current().channels
    assert settings.redis is None and len(settings.sender_hash_key) == 32


@pytest.mark.parametrize("missing", [("SENDER_HASH_KEY",), ("WEBFRONT_TOKEN",),
                                     ("SENDER_HASH_KEY", "WEBFRONT_TOKEN")])
def test_with_redis_both_must_be_set(monkeypatch: pytest.MonkeyPatch, missing: tuple[str, ...]) -> None:
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    monkeypatch.setenv("SENDER_HASH_KEY", "a-long-enough-shared-key")
    monkeypatch.setenv("WEBFRONT_TOKEN", "a-token")
    for name in missing:
        monkeypatch.setenv(name, "  ")
    with pytest.raises(MissingSharedSecret) as refused:
        current()
    line = str(refused.value)
    assert "\n" not in line and REASON in line and all(name in line for name in missing)


def test_with_redis_and_both_set_it_starts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    monkeypatch.setenv("SENDER_HASH_KEY", "a-long-enough-shared-key")
    monkeypatch.setenv("WEBFRONT_TOKEN", "a-token")
    settings = current().channels
    assert settings.redis == RedisSettings(url="redis://127.0.0.1:6379/0")
    assert settings.sender_hash_key == b"a-long-enough-shared-key"


@pytest.mark.parametrize("name, value", [("REDIS_URL", "http://127.0.0.1:6379"),
                                         ("REDIS_KEY_PREFIX", "bad prefix!"),
                                         ("REDIS_SOCKET_TIMEOUT_SECONDS", "soon"),
                                         ("REDIS_SOCKET_TIMEOUT_SECONDS", "600")])
def test_a_redis_setting_that_cannot_be_right_stops_the_start(
        monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    monkeypatch.setenv(name, value)
    with pytest.raises(BadStoreSetting) as refused:
        RedisSettings.from_mapping(os.environ)
    assert name in str(refused.value) and "\n" not in str(refused.value)


def _env(**changes: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("SENDER_HASH_KEY", "WEBFRONT_TOKEN", "REDIS_URL")}
    env.update({"RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "3",
                "PYTHONWARNINGS": "ignore", "PYTHONPATH": str(ROOT)})
    env.update({k: v for k, v in changes.items() if v is not None})
    return env


def test_the_web_front_refuses_to_start_with_one_line() -> None:
    done = subprocess.run([sys.executable, "-m", "bot.webfront"], cwd=ROOT, capture_output=True,
                          text=True, timeout=60,
                          env=_env(REDIS_URL="redis://127.0.0.1:9/0", WEBFRONT_PORT="1"))
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1].endswith(REASON)
    assert "Traceback" not in done.stderr


def test_a_rasa_replica_refuses_to_start_with_one_line() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "rasa", "run", "--model", str(trained_model()), "--port", "9",
         "--interface", "127.0.0.1", "--credentials", "credentials.yml",
         "--endpoints", "endpoints.yml"],
        cwd=ROOT, capture_output=True, text=True, timeout=180,
        env=_env(REDIS_URL="redis://127.0.0.1:9/0", WEBFRONT_TOKEN="set-but-no-hash-key"))
    assert done.returncode == 1
    last = done.stderr.strip().splitlines()[-1]
    assert last.endswith(REASON) and "SENDER_HASH_KEY" in last
    assert "Traceback" not in done.stderr
