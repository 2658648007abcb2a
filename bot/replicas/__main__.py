"""`make replicas`: the multi-replica mode on this machine, in the foreground; Ctrl-C stops it.

Everything listens on 127.0.0.1. Channel secrets (TWILIO_*, SMS_PUBLIC_URL, TELEGRAM_*) come
from the environment as for `make run`; WEBFRONT_TOKEN and SENDER_HASH_KEY too, or are made
for this run (its Redis is new and empty, so a new key loses nothing). REPLICAS_PORT sets the
public port (default 8080), REPLICAS (default 2) the number of Rasa replicas.
"""

from __future__ import annotations

import signal
import sys
import time

from bot.replicas.stack import ReplicaStack
from bot.training import model_path


def _stop_on_signal(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def main() -> int:
    signal.signal(signal.SIGINT, _stop_on_signal)
    signal.signal(signal.SIGTERM, _stop_on_signal)
    from bot.config import load

    try:
        config = load()  # a typo must stop the start, not be replaced by a default
    except SystemExit as error:
        print(error, file=sys.stderr)
        print("multi-replica mode not started: fix the settings above", file=sys.stderr)
        return 1
    model = model_path()
    if not model.exists():
        print(f"no model at {model}: run `make replicas`, which trains it first", file=sys.stderr)
        return 1
    stack = ReplicaStack(model=model, replicas=config.replicas.replicas,
                         public_port=config.replicas.public_port)
    try:
        stack.start(on_step=lambda step: print(step + "...", flush=True))
        print(f"""
Multi-replica mode is running (logs in {stack.run_dir}):
  web chat:         {stack.public_url}/
  SMS webhook:      {stack.public_url}/webhooks/sms/webhook
  Telegram webhook: {stack.public_url}/webhooks/telegram/webhook
  Redis:            {stack.redis.url if stack.redis else '-'} (conversations, locks, limits)
  PostgreSQL:       127.0.0.1:{stack.postgres.port if stack.postgres else '-'} (the directory)
  Rasa replicas:    {', '.join(str(p) for p in stack.rasa_ports)} behind HAProxy
Press Ctrl-C to stop everything.""", flush=True)
        while all(stack.alive(name) for name in ("haproxy", "web")):
            time.sleep(1)
        print("HAProxy or the web front exited; stopping", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nstopping...", flush=True)
        return 0
    except RuntimeError as error:
        print(f"multi-replica mode did not start: {error}", file=sys.stderr)
        return 1
    finally:
        stack.stop()


if __name__ == "__main__":
    sys.exit(main())
