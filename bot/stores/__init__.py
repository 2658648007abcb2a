"""Where conversations and per-channel state are kept: memory (one process) or Redis (replicas).

Chosen once, from `REDIS_URL` (bot.stores.config): Rasa's tracker and lock stores through
endpoints.yml (bot.stores.redis_tracker, bot.stores.locks), the channels' state through
bot.stores.channel_state.
"""
