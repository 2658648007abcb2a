"""Runs every benchmark section in order and writes docs/performance.md.

Order matters on a 2-core machine: nothing else of ours runs while a section measures, every
server a section starts is stopped before the next one begins, and the CPU used by other
people's processes is recorded per section so a noisy run says so in its own report.
"""

from __future__ import annotations

import argparse
import pickle
import re
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

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
    tree_rss,
)
from bench.floor import FloorServer, ensure_floor_model
from bench.load import LevelResult, Target, run_level, send_one, warm_up
from bench.nlu import ProbeResult, TrainingResult, run_probe, time_training
from bench.replicas import END as REPLICAS_END
from bench.replicas import START as REPLICAS_START
from bench.replicas import run_all as run_replicas
from bench.replicas import saved_path as replicas_saved
from bench.replicas import update_report as add_replicas
from bench.report import render
from bench.stack import Stack

REPORT = ROOT / "docs" / "performance.md"
LEVELS = (1, 10, 50)
RSS_LEVEL = 10
REFUSAL_CHARS = 100_000
T = TypeVar("T")


@dataclass(frozen=True)
class Plan:
    """How long each part runs: the full run fits 15 minutes on 2 cores, --quick about 3."""

    quick: bool
    warmup_seconds: float
    level_seconds: float
    refusal_repeats: int
    directory_args: tuple[str, ...]
    train_nlu: bool

    @classmethod
    def make(cls, quick: bool) -> Plan:
        if quick:
            return cls(True, 3, 4, 3, ("--sizes", "1000", "--queries", "300", "--no-postgres"),
                       False)
        return cls(False, 6, 20, 10, (), True)


@dataclass
class Refusal:
    target: str
    status: int
    refused: bool
    seconds: list[float]
    rss_before: dict[str, int]
    rss_peak: dict[str, int]
    rss_after: dict[str, int]


@dataclass
class StackRun:
    cold_start: float
    rss_idle: dict[str, int]
    rss_load_peak: dict[str, int]
    rss_load_total_peak: int
    levels: list[LevelResult]
    refusals: list[Refusal]


@dataclass
class FloorRun:
    start_seconds: float
    trained_seconds: float | None
    model: Path
    rss_idle: int
    rss_load_peak: int
    levels: list[LevelResult]


@dataclass
class DirectoryRun:
    command: str
    table: str
    seconds: float
    returncode: int
    stderr_tail: str


@dataclass
class Results:
    command: str
    quick: bool
    started: str
    machine: dict[str, str]
    model: Path
    stack: StackRun | None = None
    floor: FloorRun | None = None
    directory: DirectoryRun | None = None
    training: TrainingResult | None = None
    probe: ProbeResult | None = None
    noise: list[Noise] = field(default_factory=list)
    total_seconds: float = 0.0
    model_trained_seconds: float | None = None
    failures: list[str] = field(default_factory=list)


def _levels(target: Target, plan: Plan, sampler_pids: dict[str, int] | None = None,
            ) -> tuple[list[LevelResult], RssSampler | None]:
    """Warm up, then 1, 10 and 50 conversations; RSS is sampled throughout the level of 10."""
    print(f"  warm-up {plan.warmup_seconds:.0f}s: {target.name}", flush=True)
    warm_up(target, plan.warmup_seconds)
    results, sampler = [], None
    for concurrency in LEVELS:
        before = CpuSnapshot.take()
        if concurrency == RSS_LEVEL and sampler_pids:
            with RssSampler(sampler_pids) as sampler:
                result = run_level(target, concurrency, plan.level_seconds)
        else:
            result = run_level(target, concurrency, plan.level_seconds)
        result.noise = Noise.since(before, f"{target.name} x{concurrency}")
        results.append(result)
        print(f"  {concurrency:>2} conversations: {result.count} messages, "
              f"p50 {result.p50_ms:.0f} ms, p99 {result.p99_ms:.0f} ms, "
              f"{result.throughput:.1f} msg/s, fallbacks {result.fallbacks}, "
              f"refused by a limit {result.limited}, errors {result.errors}, "
              f"other CPU {result.noise.foreign_share:.0%}", flush=True)
    return results, sampler


def _refusal(target: Target, pids: dict[str, int], repeats: int, refused_text: str) -> Refusal:
    """A 100,000-character message, several times: how fast it is refused and what it costs."""
    text = ("please help me i don't know what to do " * 3000)[:REFUSAL_CHARS]
    sender = new_sender("bench-refusal")
    before = {name: tree_rss(pid) for name, pid in pids.items()}
    seconds, status, refused = [], 0, True
    with RssSampler(pids, interval=0.05) as sampler:
        for _ in range(repeats):
            elapsed, status, replies = send_one(target, sender, text)
            seconds.append(elapsed)
            texts = [r.get("text") for r in replies or [] if isinstance(r, dict)]
            refused = refused and refused_text in texts
        time.sleep(0.5)
    after = {name: tree_rss(pid) for name, pid in pids.items()}
    return Refusal(target.name, status, refused, seconds, before, dict(sampler.peak), after)


def refused_too_long_text() -> str:
    import yaml

    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    variants = domain["responses"]["utter_refused_too_long"]
    plain = [v for v in variants if not v.get("condition")]
    web = [v for v in plain if v.get("channel") == "web"]
    return (web or [v for v in plain if not v.get("channel")])[0]["text"]


def run_stack(model: Path, plan: Plan) -> StackRun:
    stack = Stack(model)
    try:
        print("our stack: cold start (actions, rasa, web front launched together)", flush=True)
        cold = stack.start()
        print(f"  first real answer through the web front after {cold:.1f}s", flush=True)
        stack.check_all_up()
        time.sleep(3)  # let start-up work (imports, first requests) settle before "idle"
        pids = stack.pids()
        idle = {name: tree_rss(pid) for name, pid in pids.items()}
        levels, sampler = _levels(stack.web_front(), plan, pids)
        direct, _ = _levels(stack.rasa_direct(), plan)
        refused_text = refused_too_long_text()
        watched = {"rasa": pids["rasa"], "web": pids["web"]}
        refusals = [_refusal(stack.web_front(), watched, plan.refusal_repeats, refused_text),
                    _refusal(stack.rasa_direct(), watched, plan.refusal_repeats, refused_text)]
        for r in refusals:
            print(f"  100k message via {r.target}: HTTP {r.status}, refused {r.refused}, "
                  f"max {max(r.seconds) * 1000:.0f} ms", flush=True)
        assert sampler is not None
        return StackRun(cold, idle, dict(sampler.peak), sampler.peak_total, levels + direct,
                        refusals)
    finally:
        stack.stop()


def run_floor(plan: Plan) -> FloorRun:
    model, trained = ensure_floor_model()
    server = FloorServer(model)
    print(f"floor: {model.name}" + (f" (trained now in {trained:.0f}s)" if trained else
                                    " (cached)"), flush=True)
    started = server.start()
    try:
        assert server.proc is not None
        pid = server.proc.pid
        time.sleep(2)
        idle = tree_rss(pid)
        levels, sampler = _levels(server.target(), plan, {"rasa": pid})
        assert sampler is not None
        return FloorRun(started, trained, model, idle, sampler.peak["rasa"], levels)
    finally:
        server.stop()


def run_directory(plan: Plan) -> DirectoryRun:
    argv = [sys.executable, "bench/bench_directory.py", *plan.directory_args]
    print("directory: " + " ".join(argv[1:]), flush=True)
    started = time.monotonic()

    done = subprocess.run(argv, cwd=ROOT, env=base_env(), capture_output=True, text=True,
                          timeout=900)
    seconds = time.monotonic() - started
    LOGS.mkdir(parents=True, exist_ok=True)
    (LOGS / "directory.log").write_text(done.stderr)
    table = "\n".join(line for line in done.stdout.splitlines() if line.startswith("|"))
    print(table, flush=True)
    return DirectoryRun(" ".join(["python", *argv[1:]]), table, seconds, done.returncode,
                        "\n".join(done.stderr.strip().splitlines()[-5:]))


def _section(results: Results, name: str, work: Callable[[], T]) -> T | None:
    """Run one section, record the CPU others used meanwhile, and keep going if it fails."""
    before = CpuSnapshot.take()
    try:
        return work()
    except Exception as error:  # one broken section must not lose the others
        results.failures.append(f"{name}: {type(error).__name__}: {error}")
        print(f"!! {name} failed: {error}", file=sys.stderr, flush=True)
        return None
    finally:
        noise = Noise.since(before, name)
        results.noise.append(noise)
        print(f"  [{name}: {noise.wall:.0f}s, other processes used "
              f"{noise.foreign_share:.0%} of the CPU]", flush=True)


# Sections made by another command (bench/budgets.py: issue 14's before/after comparison)
# between `<!-- kept: NAME -->` and `<!-- kept: NAME end -->`: a rerun keeps them as they were,
# before section 1 (where bench/budgets.py puts them), since they quote figures of their own runs.
KEPT = re.compile(r"<!-- kept: (?P<name>[\w.-]+) -->.*?<!-- kept: (?P=name) end -->", re.S)


def write_report(out: Path, rendered: str, keep_replicas: bool) -> None:
    """Write the rendered report, keeping the previous file's kept sections and, when this run
    did not measure the replicas (`keep_replicas`), its replicas section as it was."""
    old = out.read_text(encoding="utf-8") if out.exists() else ""
    kept = [m.group(0) for m in KEPT.finditer(old)]
    head, sep, tail = rendered.rstrip("\n").partition("\n## 1. ")
    body = [head.rstrip("\n"), *kept, sep.lstrip("\n") + tail] if sep else [head, *kept]
    parts = body if kept else [rendered.rstrip("\n")]
    if keep_replicas and REPLICAS_START in old and REPLICAS_END in old:
        section = old.split(REPLICAS_START, 1)[1].split(REPLICAS_END, 1)[0]
        parts.append(REPLICAS_START + section + REPLICAS_END)
    out.write_text("\n\n".join(parts) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="short smoke run (seconds per level, no NLU training, SQLite 1k)")
    parser.add_argument("--out", type=Path, default=None,
                        help="report path (default docs/performance.md; --quick writes "
                             "bench/.out/performance-quick.md)")
    parser.add_argument("--render-only", action="store_true",
                        help="rewrite the report from the last full run's saved results, e.g. "
                             "after editing bench/notes.py; measures nothing")
    parser.add_argument("--no-replicas", action="store_true",
                        help="skip the several-replicas section (about 10 min); the report keeps "
                             "that section from its previous run, with that run's date")
    parser.add_argument("--baseline", type=Path, default=None,
                        help="also run issue 14's budgets against this checkout of an earlier "
                             "commit (python -m bench.budgets --baseline PATH, about 30 min), "
                             "written to the report's \"Budgets (issue 14)\" section")
    args = parser.parse_args(argv)
    plan = Plan.make(args.quick)
    out = args.out or (OUT / "performance-quick.md" if args.quick else REPORT)
    saved = OUT / ("results-quick.pickle" if args.quick else "results.pickle")
    if args.render_only:
        results = pickle.loads(saved.read_bytes())
        write_report(out, render(results), keep_replicas=True)
        if replicas_saved(args.quick).exists():  # the multi-replica section (bench/replicas.py)
            add_replicas(out, pickle.loads(replicas_saved(args.quick).read_bytes()))
        print(f"rewrote {out.relative_to(ROOT)} from {saved.relative_to(ROOT)}")
        return 0
    started = time.monotonic()

    # Stopped by SIGTERM (or SIGINT while started in the background, which ignores SIGINT):
    # unwind through the `finally` blocks, which stop every server this run started.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    from bot.training import ensure_model, model_path

    out_of_date = not model_path().exists()
    training_started = time.monotonic()
    model = ensure_model()  # trains only when the data changed; not part of any figure
    trained_now = time.monotonic() - training_started if out_of_date else None
    results = Results(
        command=" ".join(["python -m bench", *map(shlex.quote, argv or sys.argv[1:])]).strip(),
        quick=plan.quick, started=time.strftime("%Y-%m-%d %H:%M %Z"), machine=machine(),
        model=model, model_trained_seconds=trained_now)
    results.stack = _section(results, "our stack", lambda: run_stack(model, plan))
    results.floor = _section(results, "floor", lambda: run_floor(plan))
    results.directory = _section(results, "directory search", lambda: run_directory(plan))
    if results.directory is not None and results.directory.returncode != 0:
        results.failures.append(f"directory search: bench/bench_directory.py exited "
                                f"{results.directory.returncode} (see section 3)")
    if plan.train_nlu:
        results.training = _section(results, "NLU training", time_training)
    floor_model = results.floor.model if results.floor else None
    results.probe = _section(results, "NLU parse + evaluation",
                             lambda: run_probe(model, floor_model))
    replicas = None if args.no_replicas else _section(
        results, "several replicas with Redis", lambda: run_replicas(model, plan.quick))
    results.failures += [f"replicas: {failure}" for failure in (replicas.failures if replicas else [])]
    results.total_seconds = time.monotonic() - started
    out.parent.mkdir(parents=True, exist_ok=True)
    saved.write_bytes(pickle.dumps(results))
    write_report(out, render(results), keep_replicas=replicas is None)
    if replicas is not None:
        add_replicas(out, replicas)
    print(f"\nwrote {out.relative_to(ROOT)} in {results.total_seconds / 60:.1f} min", flush=True)
    budgets_failed = 0
    if args.baseline is not None:
        from bench.budgets import main as budgets

        budgets_failed = budgets(["--baseline", str(args.baseline), "--out", str(out)])
    return 1 if results.failures or budgets_failed else 0
