"""The public web chat: a page, a quick exit, and a thin proxy to Rasa's web channel.

People may open this on a device their abuser checks, so the page keeps nothing about the
conversation on the device, loads nothing from anyone else, and can vanish at once.
"""

from bot.webfront.app import create_app
from bot.webfront.server import serve

__all__ = ["create_app", "serve"]
