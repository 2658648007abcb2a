"""Issue 14's budgets: this checkout against an earlier one, on the same machine, in one run.

    python -m bench.budgets --baseline /tmp/bench-base

measures, for each checkout with its own code, data and model:

- training: a full `rasa train` (NLU and dialogue, what `make model` runs) in a temporary folder
  with an empty Rasa cache, timed, and the peak RSS of the training process tree;
- reply latency: p50 and p95 for a mix of messages (bench/conversations.py and the person-level
  messages issue 14 quotes, below) on the web channel, through the web front (`POST /api/chat`,
  what a browser sends) and straight to Rasa's web channel, at 1 and at 10 conversations;
- resident memory of each part (action server, Rasa, web front) after start-up and at its peak
  under that load, and the peak of all three together.

The servers of each checkout are started with that checkout's own commands (bot.supervision or,
in older checkouts, bot.run), the model this run trained, a fresh SQLite directory and every
limit a load test from one address trips switched off (bench/stack.py). Sides run one after
the other, baseline first, `--rounds` times (baseline, now, baseline, now...), so a drift in
what else the machine is doing falls on both. The latencies of the rounds are pooled; the
p50 difference between a side's own rounds is reported as the run-to-run spread.

The figures go to docs/performance.md between `<!-- kept: budgets-14 -->` markers, which
`make bench` keeps when it rewrites the rest of the file (bench/run.py). No figure here is
asserted by a test: met / not met is computed from the figures and printed, nothing fails.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import math
import os
import pickle
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import yaml

from bench.common import (
    LOGS,
    OUT,
    ROOT,
    CpuSnapshot,
    Noise,
    RssSampler,
    base_env,
    machine,
    new_sender,
    percentile,
    process_tree,
    stop_process,
    tree_rss,
    wait_for_url,
)
from bench.conversations import CONVERSATIONS, Conversation
from bench.load import LevelResult, Target, run_level, send_one, warm_up
from bench.stack import LIMITS_OFF, PROBE_MESSAGE
from bot.replicas.processes import free_port

REPORT = ROOT / "docs" / "performance.md"
MARK = "budgets-14"
START, END = f"<!-- kept: {MARK} -->", f"<!-- kept: {MARK} end -->"
MB = 1_000_000
NOISY_SHARE = 0.10  # as bench/report.py: others over a tenth of the machine move latency

# The budgets of issue 14 ("each compared with main before the change on the same machine").
BUDGET_TRAINING_SECONDS = 6 * 60
BUDGET_EXTRA_PEAK_BYTES = 200 * MB

LEVELS = (1, 10)

# Person-level messages quoted in issue 14, so the mix exercises what the change added (who is
# speaking, urgency, questions, places outside London, leaving the page). Leaving comes last in
# its conversation: it ends the conversation.
ISSUE14: tuple[Conversation, ...] = (
    Conversation("man reporting violence", (
        ("situation", "my wife hits me when she's been drinking and says no one would believe "
                      "a bloke"),
        ("place", "Bexley"),
        ("thanks", "thank you"),
    )),
    Conversation("threat to kill, misspelt", (
        ("situation", "my partnr sed he wil kil me if i ever leav him, he keps a nife by the bed"),
        ("thanks", "thanks"),
    )),
    Conversation("suicide", (
        ("situation", "I don't want to be alive"),
        ("situation", "I've got tablets saved up"),
    )),
    Conversation("questions", (
        ("question", "just give me the number"),
        ("question", "does this save what I type?"),
        ("question", "will I lose the flat if I go?"),
    )),
    Conversation("outside London", (
        ("situation", "I live in Manchester and my husband hits me"),
        ("place", "Manchester"),
    )),
    Conversation("a friend asks how to help", (
        ("situation", "what can I do to help her without making it worse"),
        ("place", "she lives in Tottenham"),
    )),
    Conversation("leaving in a hurry", (
        ("greeting", "hi"),
        ("exit", "hes back gtg"),
    )),
)
MIX: tuple[Conversation, ...] = (*CONVERSATIONS, *ISSUE14)

# Prints the checkout's own commands for the three parts as JSON (run in that checkout).
_COMMANDS = """
import json, sys
from pathlib import Path
try:
    from bot.supervision import commands
except ImportError:
    from bot.run import commands
print(json.dumps(commands(Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]))))
"""


def _env(checkout: Path) -> dict[str, str]:
    env = base_env()
    env["PYTHONPATH"] = str(checkout)  # the checkout's own bot/, not this one's
    return env


def _plain_text(checkout: Path, response: str) -> str | None:
    domain = yaml.safe_load((checkout / "domain.yml").read_text(encoding="utf-8"))
    variants = domain["responses"].get(response) or []
    return next((v["text"] for v in variants
                 if not v.get("channel") and not v.get("condition")), None)


def part_cpu(pid: int) -> float:
    """CPU seconds (user + system, reaped children included) of one process tree."""
    total = 0
    for member in process_tree(pid):
        try:
            stat = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(x) for x in stat[11:15])
    return total / os.sysconf("SC_CLK_TCK")


def tree_cpu(pids: dict[str, int]) -> float:
    """CPU seconds of the named process trees together."""
    return sum(part_cpu(pid) for pid in pids.values())


def _git(checkout: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(checkout), *args], capture_output=True, text=True,
                          check=True).stdout.strip()


@dataclass
class Training:
    seconds: float
    model_bytes: int
    peak_rss: int
    noise: Noise


@dataclass
class Round:
    cold_start: float
    rss_idle: dict[str, int]
    rss_peak: dict[str, int]
    rss_peak_total: int
    levels: list[LevelResult]
    noise: Noise
    # Server CPU (all three parts) per reply, in ms, for each level: less moved by other
    # people's work on the machine than wall-clock latency.
    cpu_ms: dict[tuple[str, int], float] = field(default_factory=dict)


@dataclass
class Side:
    label: str
    checkout: Path
    commit: str
    subject: str
    dirty: bool
    training: Training | None = None
    # The last commit that changed anything but the benchmarks (bench/, their report, the
    # Makefile): the product's code actually measured.
    code_commit: str = ""
    rounds: list[Round] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def latencies(self, path: str, concurrency: int) -> list[float]:
        return [x for r in self.rounds for lv in r.levels
                if lv.target == path and lv.concurrency == concurrency for x in lv.latencies]

    def p(self, path: str, concurrency: int, q: float) -> float:
        return percentile(self.latencies(path, concurrency), q) * 1000

    def round_p50s(self, path: str, concurrency: int) -> list[float]:
        return [percentile(lv.latencies, 50) * 1000 for r in self.rounds for lv in r.levels
                if lv.target == path and lv.concurrency == concurrency]

    def count(self, path: str, concurrency: int, what: str) -> int:
        return sum(getattr(lv, what) for r in self.rounds for lv in r.levels
                   if lv.target == path and lv.concurrency == concurrency)

    def cpu_ms(self, path: str, concurrency: int) -> float:
        """Server CPU per reply over the rounds (total CPU / total replies)."""
        pairs = [(r.cpu_ms[(lv.target, lv.concurrency)], lv.count) for r in self.rounds
                 for lv in r.levels if lv.target == path and lv.concurrency == concurrency]
        replies = sum(n for _, n in pairs)
        return sum(ms * n for ms, n in pairs) / replies if replies else float("nan")

    def rss_peak(self, part: str) -> int:
        return max((r.rss_peak.get(part, 0) for r in self.rounds), default=0)

    def rss_idle(self, part: str) -> int:
        return max((r.rss_idle.get(part, 0) for r in self.rounds), default=0)

    @property
    def rss_peak_total(self) -> int:
        return max((r.rss_peak_total for r in self.rounds), default=0)


# ---------------------------------------------------------------- training


def train(checkout: Path, out: Path, timeout: float = 900) -> tuple[Path, Training]:
    """A full `rasa train` of the checkout from an empty cache; the model is kept in `out`."""
    cache = Path(tempfile.mkdtemp(prefix="signpost-budget-cache-"))
    env = _env(checkout)
    env["RASA_CACHE_DIRECTORY"] = str(cache)
    LOGS.mkdir(parents=True, exist_ok=True)
    log_path = LOGS / f"budget-train-{checkout.name}.log"
    before = CpuSnapshot.take()
    try:
        with log_path.open("wb") as log:
            started = time.monotonic()
            proc = subprocess.Popen(
                [sys.executable, "-m", "rasa", "train", "--out", str(out), "--fixed-model-name",
                 "budget", "--quiet"], cwd=checkout, env=env, stdout=log,
                stderr=subprocess.STDOUT)
            with RssSampler({"train": proc.pid}, interval=0.5) as sampler:
                try:
                    code = proc.wait(timeout=timeout)
                except subprocess.TimeoutExpired:
                    stop_process(proc)
                    raise
            seconds = time.monotonic() - started
        if code != 0:
            raise RuntimeError(f"rasa train exited {code}; see {log_path}")
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    model = out / "budget.tar.gz"
    return model, Training(seconds, model.stat().st_size, sampler.peak_total,
                           Noise.since(before, f"training ({checkout})"))


# ---------------------------------------------------------------- the stack


@dataclass
class CheckoutStack:
    """The three parts of one checkout, started as `make run` starts them (without supervisord
    or the HAProxy edge, as bench/stack.py does)."""

    checkout: Path
    model: Path
    folder: Path
    rasa_port: int = field(default_factory=free_port)
    action_port: int = field(default_factory=free_port)
    web_port: int = field(default_factory=free_port)
    token: str = field(default_factory=lambda: new_sender("budget-token"))
    procs: dict[str, subprocess.Popen] = field(default_factory=dict)

    def env(self) -> dict[str, str]:
        env = _env(self.checkout)
        env.update({
            "DATABASE_URL": f"sqlite:///{self.folder / 'directory.sqlite3'}",
            "WEBFRONT_TOKEN": self.token,
            "SENDER_HASH_KEY": new_sender("budget-hash"),
            "SANIC_HOST": "127.0.0.1",
            "WEBFRONT_PORT": str(self.web_port),
            "RASA_URL": f"http://127.0.0.1:{self.rasa_port}",
            **LIMITS_OFF,
        })
        return env

    def targets(self) -> list[Target]:
        fallback = _plain_text(self.checkout, "utter_service_unavailable")
        limited = _plain_text(self.checkout, "utter_refused_rate")
        return [
            Target("web front", f"http://127.0.0.1:{self.web_port}/api/chat",
                   {"Sec-Fetch-Site": "same-origin"}, fallback, limited),
            Target("Rasa web channel", f"http://127.0.0.1:{self.rasa_port}/webhooks/web/webhook",
                   {"X-Webfront-Token": self.token}, fallback, limited),
        ]

    def start(self, timeout: float = 240) -> float:
        env = self.env()
        subprocess.run([sys.executable, "-m", "bot.cli", "directory", "init"], cwd=self.checkout,
                       env=env, check=True, capture_output=True)
        argv = json.loads(subprocess.run(
            [sys.executable, "-c", _COMMANDS, str(self.model), str(self.rasa_port),
             str(self.action_port)], cwd=self.checkout, env=env, check=True,
            capture_output=True, text=True).stdout)
        LOGS.mkdir(parents=True, exist_ok=True)
        started = time.monotonic()
        for name in ("actions", "rasa", "web"):
            with (LOGS / f"budget-{self.checkout.name}-{name}.log").open("wb") as log:
                self.procs[name] = subprocess.Popen(argv[name], cwd=self.checkout, env=env,
                                                    stdout=log, stderr=subprocess.STDOUT)
        web = self.targets()[0]
        sender = new_sender("budget-coldstart")
        while time.monotonic() < started + timeout:
            dead = [n for n, p in self.procs.items() if p.poll() is not None]
            if dead:
                raise RuntimeError(f"{', '.join(dead)} exited during start-up; see {LOGS}")
            try:
                _, status, replies = send_one(web, sender, PROBE_MESSAGE, timeout=5)
            except (aiohttp.ClientError, OSError, asyncio.TimeoutError):
                status, replies = 0, None
            if status == 200 and replies and not any(
                    isinstance(r, dict) and r.get("text") == web.fallback_text for r in replies):
                if not wait_for_url(f"http://127.0.0.1:{self.action_port}/health",
                                    list(self.procs.values()), 10):
                    raise RuntimeError("action server is not answering /health")
                return time.monotonic() - started
            time.sleep(0.25)
        raise RuntimeError(f"no real answer through the web front within {timeout:.0f}s")

    def stop(self) -> None:
        for proc in self.procs.values():
            stop_process(proc)


def measure_round(checkout: Path, model: Path, seconds: float, warmup: float) -> Round:
    folder = Path(tempfile.mkdtemp(prefix="signpost-budget-"))
    stack = CheckoutStack(checkout, model, folder)
    before = CpuSnapshot.take()
    try:
        cold = stack.start()
        print(f"  first real answer after {cold:.1f}s", flush=True)
        time.sleep(3)  # start-up work settles before "idle"
        pids = {name: proc.pid for name, proc in stack.procs.items()}
        idle = {name: tree_rss(pid) for name, pid in pids.items()}
        levels, cpu = [], {}
        with RssSampler(pids) as sampler:
            for target in stack.targets():
                warm_up(target, warmup, MIX)
                for concurrency in LEVELS:
                    level_before, cpu_before = CpuSnapshot.take(), tree_cpu(pids)
                    level = run_level(target, concurrency, seconds, conversations=MIX)
                    level.noise = Noise.since(level_before, f"{target.name} x{concurrency}")
                    cpu[(target.name, concurrency)] = (
                        (tree_cpu(pids) - cpu_before) * 1000 / max(level.count, 1))
                    levels.append(level)
                    print(f"  {target.name} x{concurrency}: {level.count} replies, "
                          f"p50 {level.p50_ms:.1f} ms, server CPU "
                          f"{cpu[(target.name, concurrency)]:.1f} ms/reply, p95 "
                          f"{percentile(level.latencies, 95) * 1000:.1f} ms, fallbacks "
                          f"{level.fallbacks}, refused {level.limited}, errors "
                          f"{level.errors + level.empty}, other CPU "
                          f"{level.noise.foreign_share:.0%}", flush=True)
        return Round(cold, idle, dict(sampler.peak), sampler.peak_total, levels,
                     Noise.since(before, f"round ({checkout})"), cpu)
    finally:
        stack.stop()
        shutil.rmtree(folder, ignore_errors=True)


# ---------------------------------------------------------------- the report


def _ms(value: float) -> str:
    return f"{value:.1f} ms"


def _mb(value: int) -> str:
    return f"{value / MB:,.0f} MB"


def _min(seconds: float) -> str:
    return f"{seconds / 60:.1f} min ({seconds:.0f} s)"


@dataclass
class Budgets:
    command: str
    started: str
    machine: dict[str, str]
    seconds: float
    warmup: float
    base: Side
    now: Side
    total_seconds: float = 0.0


def _range(values: list[float]) -> str:
    return f"{min(values):.1f}-{max(values):.1f} ms" if values else "n/a"


def _others(side: Side, path: str, concurrency: int) -> float:
    """Mean share of the machine's CPU that other people's processes used during these levels."""
    shares = [lv.noise.foreign_share for r in side.rounds for lv in r.levels
              if lv.target == path and lv.concurrency == concurrency and lv.noise]
    return sum(shares) / len(shares) if shares else float("nan")


def _busy(base: float, now: float) -> str:
    note = f"others used {base:.0%} / {now:.0%} of the CPU (baseline / now)"
    if max(base, now) > NOISY_SHARE:
        note += ": noisy, wall-clock figures are pessimistic"
    return note


def verdicts(b: Budgets) -> list[tuple[str, ...]]:
    """(figure, baseline, now, budget, result, machine note) rows; the result is computed from
    the figures, never written by hand."""
    base, now = b.base, b.now
    rows: list[tuple[str, ...]] = []
    if base.training and now.training:
        t = now.training.seconds
        rows.append((
            "training: full `rasa train`, empty cache", _min(base.training.seconds), _min(t),
            "at most 6 min on 2 cores",
            "**met**" if t <= BUDGET_TRAINING_SECONDS else "**not met**",
            _busy(base.training.noise.foreign_share, now.training.noise.foreign_share)))
        extra = now.training.peak_rss - base.training.peak_rss
        rows.append((
            "peak RSS of the training process tree", _mb(base.training.peak_rss),
            _mb(now.training.peak_rss), f"at most baseline + 200 MB ({extra / MB:+,.0f} MB)",
            "**met**" if extra <= BUDGET_EXTRA_PEAK_BYTES else "**not met**",
            "sampled every 0.5 s"))
    if base.rounds and now.rounds:
        for path in ("web front", "Rasa web channel"):
            for concurrency in LEVELS:
                plural = "s" if concurrency > 1 else ""
                note = _busy(_others(base, path, concurrency), _others(now, path, concurrency))
                bp, np_ = base.p(path, concurrency, 50), now.p(path, concurrency, 50)
                rounds = (f"; p50 of each round {_range(base.round_p50s(path, concurrency))} / "
                          f"{_range(now.round_p50s(path, concurrency))}")
                result = ("**met**" if np_ <= bp else "**not met**") + (
                    f": {np_ / bp:.2f}x the baseline")
                budget = "no worse than the baseline" if concurrency == 1 else (
                    "no worse (the issue names p50; this level is extra)")
                rows.append((f"reply p50, {path}, {concurrency} conversation{plural}", _ms(bp),
                             _ms(np_), budget, result, note + rounds))
                b95, n95 = base.p(path, concurrency, 95), now.p(path, concurrency, 95)
                rows.append((f"reply p95, {path}, {concurrency} conversation{plural}",
                             _ms(b95), _ms(n95), "none (reported)",
                             f"{n95 / b95:.2f}x the baseline", note))
                if concurrency == 1:
                    bc, nc = base.cpu_ms(path, 1), now.cpu_ms(path, 1)
                    rows.append((f"server CPU per reply, {path}, 1 conversation", _ms(bc),
                                 _ms(nc), "none (reported)", f"{nc / bc:.2f}x the baseline",
                                 "CPU time of the three parts: less moved by others' work "
                                 "than latency"))
        extra = now.rss_peak_total - base.rss_peak_total
        rows.append((
            "peak RSS of all three processes under load", _mb(base.rss_peak_total),
            _mb(now.rss_peak_total), f"at most baseline + 200 MB ({extra / MB:+,.0f} MB)",
            "**met**" if extra <= BUDGET_EXTRA_PEAK_BYTES else "**not met**",
            "24 GiB machine; RSS does not depend on others' CPU"))
    return rows


def _message_p50(side: Side, path: str, text: str) -> float:
    samples = [x for r in side.rounds for lv in r.levels
               if lv.target == path and lv.concurrency == 1 for x in lv.by_message.get(text, [])]
    return percentile(samples, 50) * 1000


def by_message(base: Side, now: Side, path: str = "Rasa web channel") -> list[str]:
    """Where the p50 moved: each message's p50 at 1 conversation on both sides."""
    lines = [f"p50 of each message at 1 conversation, {path} (pooled over the rounds):", "",
             "| message | baseline | now | now / baseline |", "|---|---:|---:|---:|"]
    seen: list[str] = []
    for conversation in MIX:
        for text in conversation.messages:
            if text not in seen:
                seen.append(text)
    for text in seen:
        b, n = _message_p50(base, path, text), _message_p50(now, path, text)
        ratio = "n/a" if math.isnan(b) or math.isnan(n) or not b else f"{n / b:.2f}x"
        lines.append(f"| {text} | {_ms(b)} | {_ms(n)} | {ratio} |")
    return lines


def render(b: Budgets) -> str:
    base, now, m = b.base, b.now, b.machine
    lines = [
        START,
        "## Budgets (issue 14)",
        "",
        f"Made by `{b.command}` on {b.started} ({b.total_seconds / 60:.1f} min), with the "
        f"baseline checked out by `git worktree add {base.checkout} {base.commit[:7]}` "
        "(its .venv and var/spacy symlinked from the main checkout, so both sides use the same "
        "Python packages and spaCy pipeline). Each side runs its own code, data and "
        + ("a model trained in this run" if base.training else "its models/ model")
        + "; see bench/budgets.py for what is measured and how.",
        "",
        f"- baseline: `{base.commit[:7]}` {base.subject}",
        *[f"- {side.label}: `{side.commit[:7]}` {side.subject}"
          + (" (with uncommitted changes)" if side.dirty else "")
          + (f"; the product's code as of `{code[:7]}` {_short(code[8:], 70)}"
             if (code := getattr(side, "code_commit", "")) and code[:7] != side.commit[:7]
             else "") for side in (now,)],
        f"- machine: {m['cpu']}, {m['cores']} cores, {m['memory']}, Python {m['python']}, "
        f"Rasa {m['rasa']}, kernel {m['kernel']} (the `python` kind of "
        "/work/.library/env/machines/python.md: 2 cores, 24 GiB, shared with other "
        "sessions' work, whose CPU share is shown below)",
        f"- latency: {len(MIX)} conversations ({len(CONVERSATIONS)} of bench/conversations.py "
        f"and {len(ISSUE14)} made of the messages issue 14 quotes) replayed closed-loop, "
        f"{b.seconds:.0f} s per level after a {b.warmup:.0f} s warm-up, every limit off; "
        f"{len(now.rounds)} round(s) per side, alternating baseline and now, latencies pooled",
        "",
        "| figure | baseline | now | budget (issue 14) | result | machine note |",
        "|---|---:|---:|---|---|---|",
        *[f"| {' | '.join(row)} |" for row in verdicts(b)],
        "",
    ]
    if base.rounds and now.rounds:
        lines += [
            "Resident memory of each part (RSS of its process tree, sampled every 0.5 s; "
            "after start-up / peak under the load above, highest over the rounds):",
            "",
            "| part | baseline idle | baseline peak | now idle | now peak |",
            "|---|---:|---:|---:|---:|",
        ]
        for part, label in (("actions", "action server"), ("rasa", "Rasa (channels, model)"),
                            ("web", "web front")):
            lines.append(f"| {label} | {_mb(base.rss_idle(part))} | {_mb(base.rss_peak(part))} "
                         f"| {_mb(now.rss_idle(part))} | {_mb(now.rss_peak(part))} |")
        lines.append(f"| **all three** (peak of the sum) | | {_mb(base.rss_peak_total)} | | "
                     f"{_mb(now.rss_peak_total)} |")
        lines += ["", "Reply latency in detail (pooled over the rounds):", "",
                  "| side | path | conversations | replies | p50 | p95 | p99 | p50 of each "
                  "round | server CPU per reply | fallbacks | refused by a limit | errors |",
                  "|---|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|"]
        for side in (base, now):
            for path in ("web front", "Rasa web channel"):
                for c in LEVELS:
                    lines.append(
                        f"| {side.label} | {path} | {c} | {len(side.latencies(path, c)):,} | "
                        f"{_ms(side.p(path, c, 50))} | {_ms(side.p(path, c, 95))} | "
                        f"{_ms(side.p(path, c, 99))} | "
                        f"{', '.join(f'{x:.1f}' for x in side.round_p50s(path, c))} ms | "
                        f"{_ms(side.cpu_ms(path, c))} | "
                        f"{side.count(path, c, 'fallbacks')} | {side.count(path, c, 'limited')} | "
                        f"{side.count(path, c, 'errors') + side.count(path, c, 'empty')} |")
        lines += ["", *by_message(base, now)]
        lines += ["", "| side | round | cold start to first real answer | other processes' "
                  "CPU during the round |", "|---|---:|---:|---:|"]
        for side in (base, now):
            for i, r in enumerate(side.rounds, 1):
                lines.append(f"| {side.label} | {i} | {r.cold_start:.1f} s | "
                             f"{r.noise.foreign_share:.0%} |")
    for side in (base, now):
        if side.training:
            t = side.training
            lines.append(
                f"\nTraining, {side.label}: {_min(t.seconds)}, model {t.model_bytes / MB:.0f} MB "
                f"as tar.gz, peak RSS of the training process {_mb(t.peak_rss)}; other "
                f"processes used {t.noise.foreign_share:.0%} of the CPU meanwhile.")
    failures = [f"{s.label}: {f}" for s in (base, now) for f in s.failures]
    if failures:
        lines += ["", "Failures:", "", *[f"- {f}" for f in failures]]
    lines += [
        "",
        f"To rerun (this run took {b.total_seconds / 60:.0f} min): "
        f"`git worktree add {base.checkout} {base.commit[:7]}`, symlink `.venv` and "
        f"`var/spacy` of the main checkout into it, then `.venv/bin/{b.command}` (or "
        f"`make bench BENCH_ARGS=\"--baseline {base.checkout}\"`, which first runs the other "
        f"sections), and `git worktree remove --force {base.checkout}`.",
        END,
    ]
    return "\n".join(lines) + "\n"


def write(out: Path, text: str) -> None:
    """Replace the kept section, or put it after the goals' notes (before section 1)."""
    old = out.read_text(encoding="utf-8") if out.exists() else "# Performance\n"
    pattern = re.compile(re.escape(START) + r".*?" + re.escape(END) + r"\n?", re.S)
    if pattern.search(old):
        new = pattern.sub(lambda _: text, old, count=1)
    elif "\n## 1. " in old:
        head, tail = old.split("\n## 1. ", 1)
        new = f"{head.rstrip()}\n\n{text}\n## 1. {tail}"
    else:
        new = f"{old.rstrip()}\n\n{text}"
    out.write_text(new, encoding="utf-8")


# ---------------------------------------------------------------- main


class _Unpickler(pickle.Unpickler):
    """Results pickled by `python -m bench.budgets` name this module `__main__`."""

    def find_class(self, module: str, name: str) -> object:
        if module == "__main__":
            module = __name__ if __name__ != "__main__" else "bench.budgets"
        return super().find_class(module, name)


def _short(subject: str, chars: int = 90) -> str:
    return subject if len(subject) <= chars else subject[:chars].rsplit(" ", 1)[0] + " ..."


def _side(label: str, checkout: Path) -> Side:
    dirty = bool(_git(checkout, "status", "--porcelain", "--untracked-files=no"))
    return Side(label, checkout, _git(checkout, "rev-parse", "HEAD"),
                _short(_git(checkout, "log", "-1", "--format=%s", "HEAD")), dirty,
                code_commit=_code_commit(checkout))


def _code_commit(checkout: Path) -> str:
    return _git(checkout, "log", "-1", "--format=%h %s", "--", ".", ":(exclude)bench",
                ":(exclude)docs/performance.md", ":(exclude)Makefile")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.budgets",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path, required=True,
                        help="a checkout of the commit to compare with (a git worktree)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=20.0, help="per level")
    parser.add_argument("--warmup", type=float, default=6.0)
    parser.add_argument("--no-training", action="store_true",
                        help="serve each checkout's models/ model (make model) and skip timing")
    parser.add_argument("--out", type=Path, default=REPORT)
    parser.add_argument("--render-only", action="store_true",
                        help="rewrite the section from the last run's bench/.out/budgets.pickle")
    args = parser.parse_args(argv)
    if args.render_only:
        budgets = _Unpickler(io.BytesIO((OUT / "budgets.pickle").read_bytes())).load()
        for side in (budgets.base, budgets.now):  # results saved before code_commit existed
            if not getattr(side, "code_commit", "") and side.checkout.exists():
                side.code_commit = _code_commit(side.checkout)
        write(args.out, render(budgets))
        print(f"rewrote the budgets section of {args.out}")
        return 0
    started = time.monotonic()
    budgets = Budgets(
        " ".join(["python -m bench.budgets", *map(shlex.quote, argv or sys.argv[1:])]),
        time.strftime("%Y-%m-%d %H:%M %Z"), machine(), args.seconds, args.warmup,
        _side("baseline", args.baseline.resolve()), _side("now", ROOT))
    sides = (budgets.base, budgets.now)
    models: dict[str, Path] = {}
    keep = Path(tempfile.mkdtemp(prefix="signpost-budget-models-"))
    try:
        for side in sides:
            if args.no_training:
                models[side.label] = Path(subprocess.run(
                    [sys.executable, "-m", "bot.training", "path"], cwd=side.checkout,
                    env=_env(side.checkout), capture_output=True, text=True,
                    check=True).stdout.strip())
                continue
            print(f"{side.label}: training ({side.checkout})", flush=True)
            try:
                models[side.label], side.training = train(side.checkout, keep / side.label)
                print(f"  {side.training.seconds:.0f} s", flush=True)
            except Exception as error:  # the other figures are still worth having
                side.failures.append(f"training: {type(error).__name__}: {error}")
        for i in range(args.rounds):
            for side in sides:
                if side.label not in models:
                    continue
                print(f"{side.label}: round {i + 1} ({side.checkout})", flush=True)
                try:
                    side.rounds.append(measure_round(side.checkout, models[side.label],
                                                     args.seconds, args.warmup))
                except Exception as error:
                    side.failures.append(f"round {i + 1}: {type(error).__name__}: {error}")
                    print(f"!! {error}", file=sys.stderr, flush=True)
    finally:
        shutil.rmtree(keep, ignore_errors=True)
    budgets.total_seconds = time.monotonic() - started
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "budgets.pickle").write_bytes(pickle.dumps(budgets))
    text = render(budgets)
    write(args.out, text)
    print(text)
    return 1 if any(s.failures for s in sides) else 0


if __name__ == "__main__":
    # Through the module's own name, so what it pickles is bench.budgets.*, not __main__.*.
    from bench.budgets import main as _main

    sys.exit(_main())
