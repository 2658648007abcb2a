"""`signpost telegram set-webhook URL`: point Telegram at our webhook, with the secret.

The channel refuses every update without the secret token, so the webhook has to be set with
the same TELEGRAM_SECRET_TOKEN the server runs with; doing it by hand with curl is easy to get
subtly wrong (and puts the bot token in shell history).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

ALLOWED_UPDATES = ["message", "callback_query"]


def register(subparsers: Any) -> None:
    telegram = subparsers.add_parser("telegram", help="Telegram channel administration")
    commands = telegram.add_subparsers(dest="telegram_command", required=True)
    set_webhook = commands.add_parser(
        "set-webhook",
        help="register URL (https://.../webhooks/telegram/webhook) as the bot's webhook",
    )
    set_webhook.add_argument("url", help="public HTTPS URL of /webhooks/telegram/webhook")
    set_webhook.set_defaults(handler=_set_webhook_command)


def _set_webhook_command(args: argparse.Namespace) -> int:
    from bot.channels.telegram import SECRET_FORMAT
    from bot.config import ConfigError, current

    try:
        secrets = current().secrets
    except ConfigError as error:  # e.g. TELEGRAM_SECRET_TOKEN in the wrong format
        print(error, file=sys.stderr)
        return 2
    token, secret = secrets.telegram_bot_token, secrets.telegram_secret_token
    api_url = secrets.telegram_api_url
    if not token or not secret:
        print("TELEGRAM_BOT_TOKEN and TELEGRAM_SECRET_TOKEN must both be set", file=sys.stderr)
        return 2
    if not SECRET_FORMAT.match(secret):
        print("TELEGRAM_SECRET_TOKEN must be 1-256 letters, digits, _ or -", file=sys.stderr)
        return 2
    try:
        asyncio.run(set_webhook(token, secret, args.url, api_url))
    except Exception as error:  # report any failure in one line, never a traceback with the token
        message = str(error).replace(token, "[bot-token]")
        print(f"setWebhook failed: {type(error).__name__}: {message}", file=sys.stderr)
        return 1
    print("webhook set; Telegram will send only message and callback_query updates")
    return 0


async def set_webhook(token: str, secret: str, url: str, api_url: str) -> None:
    """Set the webhook, dropping anything queued while no webhook was listening."""
    from bot.channels.telegram import make_bot

    bot, requests = make_bot(token, api_url)
    try:
        await bot.set_webhook(
            url,
            secret_token=secret,
            allowed_updates=ALLOWED_UPDATES,
            drop_pending_updates=True,
        )
    finally:
        for request in requests:
            await request.shutdown()
