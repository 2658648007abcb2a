"""`python -m bot.webfront`: what `make run` starts for the web chat."""

from bot.webfront.server import serve

serve()
