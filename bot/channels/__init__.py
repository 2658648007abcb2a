"""Our own Rasa input channels (web, SMS, Telegram): safer than Rasa's stock connectors."""
