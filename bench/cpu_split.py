"""Server CPU per reply, split by part and by message, for one checkout: where a reply's time goes.

    python -m bench.cpu_split --checkout /tmp/p50-base --passes 5
    python -m bench.cpu_split --checkout . --passes 5 --profile bench/.out/rasa.prof

Wall-clock latency on a shared 2-core machine moves with other people's work; the CPU time the
three processes spend is much steadier. This replays the budgets' conversation mix
(bench/budgets.py MIX) one message at a time (nothing else in flight, so each message's CPU is
its own) on the Rasa web channel, `--passes` times after one warm-up pass, and reads the CPU
of each part's process tree from /proc before and after every message. Each checkout runs its
own code and the model `make model` made there (bot.training path), like `bench.budgets
--no-training`. `--profile FILE` runs Rasa (or, with `--profile-part actions`, the action
server) under cProfile and writes its stats to FILE: the main thread only, which is where
Rasa's NLU, policies and tracker handling, and the actions, run.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from bench.budgets import MIX, CheckoutStack, _env, part_cpu
from bench.common import new_sender
from bench.load import send_one

# Runs `python -m MODULE ...` under cProfile; SIGUSR1 writes the stats (Sanic owns SIGTERM).
_PROFILED = """
import cProfile, runpy, signal, sys
out, module = sys.argv.pop(1), sys.argv.pop(1)
profile = cProfile.Profile()
def dump(*_):
    profile.disable(); profile.dump_stats(out); profile.enable()
signal.signal(signal.SIGUSR1, dump)
sys.argv = [module, *sys.argv[1:]]
profile.enable()
runpy.run_module(module, run_name="__main__", alter_sys=True)
"""


class _Stack(CheckoutStack):
    profile: Path | None = None
    module: str = "rasa"  # or rasa_sdk: the action server

    def start(self, timeout: float = 240) -> float:
        if self.profile is None:
            return super().start(timeout)
        original = subprocess.Popen

        def popen(argv: list[str], *args: object, **kwargs: object) -> subprocess.Popen:
            if argv[1:3] == ["-m", self.module]:
                argv = [argv[0], "-c", _PROFILED, str(self.profile), self.module, *argv[3:]]
            return original(argv, *args, **kwargs)

        subprocess.Popen = popen  # type: ignore[assignment,misc]
        try:
            return super().start(timeout)
        finally:
            subprocess.Popen = original  # type: ignore[misc]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.cpu_split",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--checkout", type=Path, required=True)
    parser.add_argument("--passes", type=int, default=5)
    parser.add_argument("--profile", type=Path, default=None)
    parser.add_argument("--profile-part", choices=("rasa", "actions"), default="rasa",
                        help="which server --profile profiles")
    parser.add_argument("--json", type=Path, default=None, help="write the figures here too")
    args = parser.parse_args(argv)
    checkout = args.checkout.resolve()
    model = Path(subprocess.run([sys.executable, "-m", "bot.training", "path"], cwd=checkout,
                                env=_env(checkout), capture_output=True, text=True,
                                check=True).stdout.strip())
    folder = Path(tempfile.mkdtemp(prefix="signpost-cpusplit-"))
    stack = _Stack(checkout, model, folder)
    stack.profile = args.profile.resolve() if args.profile else None
    stack.module = "rasa_sdk" if args.profile_part == "actions" else "rasa"
    try:
        stack.start()
        time.sleep(3)
        target = stack.targets()[1]  # the Rasa web channel
        pids = {name: proc.pid for name, proc in stack.procs.items()}
        per_part: dict[str, float] = defaultdict(float)
        per_message: dict[str, list[float]] = defaultdict(list)
        replies = 0
        for n in range(args.passes + 1):
            for conversation in MIX:
                sender = new_sender("cpusplit")
                for text in conversation.messages:
                    before = {name: part_cpu(pid) for name, pid in pids.items()}
                    send_one(target, sender, text)
                    after = {name: part_cpu(pid) for name, pid in pids.items()}
                    if n == 0:
                        continue  # warm-up
                    replies += 1
                    for name in pids:
                        per_part[name] += after[name] - before[name]
                    per_message[text].append(sum(after.values()) - sum(before.values()))
        if stack.profile is not None:
            os.kill(stack.procs[args.profile_part].pid, signal.SIGUSR1)
            time.sleep(2)
        figures = {
            "checkout": str(checkout),
            "replies": replies,
            "cpu_ms_per_reply": {k: v * 1000 / replies for k, v in per_part.items()},
            "by_message_ms": {t: sum(v) * 1000 / len(v) for t, v in per_message.items()},
        }
        figures["cpu_ms_per_reply"]["total"] = sum(figures["cpu_ms_per_reply"].values())
        print(f"{checkout}: {replies} replies, server CPU per reply (ms): " + ", ".join(
            f"{k} {v:.1f}" for k, v in figures["cpu_ms_per_reply"].items()))
        for text, ms in sorted(figures["by_message_ms"].items(), key=lambda kv: -kv[1]):
            print(f"  {ms:6.1f} ms  {text}")
        if args.json:
            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.write_text(json.dumps(figures, indent=1), encoding="utf-8")
    finally:
        stack.stop()
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
