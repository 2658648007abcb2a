"""NLU figures: a real training run, model size, parse latency and the held-out evaluation.

Training runs in a subprocess with its own empty Rasa cache and output folder, so nothing can
be reused from an earlier run and the time is what a fresh machine pays. Parsing runs in a
second subprocess (`python -m bench.nlu probe`) so TensorFlow's memory and threads never sit
inside the load generator.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.common import LOGS, ROOT, base_env, percentile


@dataclass
class TrainingResult:
    seconds: float
    model_bytes: int


@dataclass
class ProbeResult:
    load_seconds: float
    parse_ms: list[float]
    evaluation_seconds: float
    evaluation: str

    @property
    def p50_ms(self) -> float:
        return percentile(self.parse_ms, 50)

    @property
    def p99_ms(self) -> float:
        return percentile(self.parse_ms, 99)


def time_training(timeout: float = 900) -> TrainingResult:
    """A full `rasa train nlu` of the project's config and NLU data, from an empty cache."""
    folder = Path(tempfile.mkdtemp(prefix="signpost-bench-train-"))
    env = base_env()
    env["RASA_CACHE_DIRECTORY"] = str(folder / "cache")
    LOGS.mkdir(parents=True, exist_ok=True)
    try:
        started = time.monotonic()
        with (LOGS / "nlu-train.log").open("wb") as log:
            subprocess.run(
                [sys.executable, "-m", "rasa", "train", "nlu", "--config", "config.yml", "--nlu",
                 "data/nlu", "--domain", "domain.yml", "--out", str(folder / "models"),
                 "--fixed-model-name", "nlu-bench", "--quiet"],
                cwd=ROOT, env=env, check=True, stdout=log, stderr=subprocess.STDOUT,
                timeout=timeout)
        seconds = time.monotonic() - started
        model = folder / "models" / "nlu-bench.tar.gz"
        return TrainingResult(seconds, model.stat().st_size)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def run_probe(model: Path, timeout: float = 600) -> ProbeResult:
    LOGS.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="signpost-bench-probe-") as folder:
        out = Path(folder) / "probe.json"
        with (LOGS / "nlu-probe.log").open("wb") as log:
            subprocess.run([sys.executable, "-m", "bench.nlu", "probe", str(model), str(out)],
                           cwd=ROOT, env=base_env(), check=True, stdout=log,
                           stderr=subprocess.STDOUT, timeout=timeout)
        return ProbeResult(**json.loads(out.read_text()))


async def _parse_times(model: Path, texts: list[str]) -> tuple[float, list[float]]:
    from rasa.core.agent import Agent

    started = time.perf_counter()
    agent = Agent.load(str(model))
    load_seconds = time.perf_counter() - started
    for text in texts[:20]:  # first calls build TensorFlow graphs; a server has done that
        await agent.parse_message(text)
    times = []
    for text in texts:
        started = time.perf_counter()
        await agent.parse_message(text)
        times.append((time.perf_counter() - started) * 1000)
    return load_seconds, times


def probe(model: Path, out: Path) -> None:
    from bot.evaluation import HELDOUT, evaluate, load_examples

    texts = [e.text for e in load_examples(HELDOUT)]
    load_seconds, times = asyncio.run(_parse_times(model, texts))
    started = time.perf_counter()
    report = evaluate(model)
    out.write_text(json.dumps({
        "load_seconds": load_seconds, "parse_ms": times,
        "evaluation_seconds": time.perf_counter() - started, "evaluation": report}))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["probe"])
    parser.add_argument("model", type=Path)
    parser.add_argument("out", type=Path)
    args = parser.parse_args(argv)
    probe(args.model, args.out)


if __name__ == "__main__":
    main()
