"""What the web front's routes share, built once per app by the factory."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from flask import current_app, request

from bot.config import ChannelSecrets
from bot.rate_limit import SlidingWindowLimiter
from bot.settings import Settings
from bot.webfront.config import WebfrontConfig
from bot.webfront.limits import AddressLimits
from bot.webfront.proxy import ProxyTrust
from bot.webfront.rasa_client import RasaClient
from bot.webfront.responses import DomainResponses

EXTENSION_KEY = "signpost_webfront"
# The same shape bot.channels.web accepts; fullmatch, so a trailing newline is not let through.
_TAB_ID = re.compile(r"[A-Za-z0-9-]{16,64}")


def valid_sender(value: object) -> bool:
    return isinstance(value, str) and _TAB_ID.fullmatch(value) is not None


@dataclass(frozen=True)
class WebfrontState:
    settings: Settings
    config: WebfrontConfig
    responses: DomainResponses
    rasa: RasaClient
    limiter: SlidingWindowLimiter
    trust: ProxyTrust
    address_limits: AddressLimits
    # Twilio's and Telegram's secrets, for the fallback webhooks (bot.webfront.fallback_channels).
    channel_secrets: ChannelSecrets = field(default_factory=ChannelSecrets)


def state() -> WebfrontState:
    return current_app.extensions[EXTENSION_KEY]


def client_address() -> str:
    return state().trust.client_address(request.environ)
