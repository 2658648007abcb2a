"""`signpost telegram set-webhook URL` against a fake Telegram Bot API on loopback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from channel_harness import FakeBotApi, fake_bot_api

from bot.cli import build_parser

BOT_TOKEN = "987654321:AAHclifakefakefakefakefakefakefake00"
SECRET = "cli-secret_token-1"
URL = "https://signpost.example.org/webhooks/telegram/webhook"


@pytest.fixture
def bot_api(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeBotApi]:
    with fake_bot_api() as api:
        monkeypatch.setenv("TELEGRAM_BOT_TOKEN", BOT_TOKEN)
        monkeypatch.setenv("TELEGRAM_SECRET_TOKEN", SECRET)
        monkeypatch.setenv("TELEGRAM_API_URL", api.api_url)
        yield api


def run_cli(*argv: str) -> int:
    args = build_parser().parse_args(list(argv))
    return args.handler(args)


def test_set_webhook_registers_the_url_with_the_secret(bot_api: FakeBotApi,
                                                       capsys: pytest.CaptureFixture[str]):
    assert run_cli("telegram", "set-webhook", URL) == 0
    (call,) = bot_api.of("setWebhook")
    assert call.token == BOT_TOKEN
    assert call.params["url"] == URL
    assert call.params["secret_token"] == SECRET
    assert call.params["allowed_updates"] == ["message", "callback_query"]
    assert call.params["drop_pending_updates"] is True
    assert [c.method for c in bot_api.calls] == ["setWebhook"]  # no getMe, nothing else
    assert BOT_TOKEN not in capsys.readouterr().out


def test_set_webhook_reports_failure_without_the_token(bot_api: FakeBotApi,
                                                       capsys: pytest.CaptureFixture[str]):
    bot_api.fail_with = "Bad Request: bad webhook: HTTPS url must be provided for webhook"
    assert run_cli("telegram", "set-webhook", "http://insecure.example/hook") == 1
    err = capsys.readouterr().err
    assert "https url must be provided" in err.lower()
    assert BOT_TOKEN not in err


def test_set_webhook_needs_both_secrets(bot_api: FakeBotApi, monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]):
    monkeypatch.delenv("TELEGRAM_SECRET_TOKEN")
    assert run_cli("telegram", "set-webhook", URL) == 2
    assert "TELEGRAM_SECRET_TOKEN" in capsys.readouterr().err
    monkeypatch.setenv("TELEGRAM_SECRET_TOKEN", "not allowed!")
    assert run_cli("telegram", "set-webhook", URL) == 2
    assert bot_api.calls == []
