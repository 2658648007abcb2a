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
from dataclasses import dataclass, field
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
    floor_parse_ms: list[float] = field(default_factory=list)

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


def run_probe(model: Path, floor_model: Path | None, timeout: float = 600) -> ProbeResult:
    LOGS.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="signpost-bench-probe-") as folder:
        out = Path(folder) / "probe.json"
        with (LOGS / "nlu-probe.log").open("wb") as log:
            subprocess.run([sys.executable, "-m", "bench.nlu", "probe", str(model), str(out),
                            *([str(floor_model)] if floor_model else [])],
                           cwd=ROOT, env=base_env(), check=True, stdout=log,
                           stderr=subprocess.STDOUT, timeout=timeout)
        return ProbeResult(**json.loads(out.read_text()))


def _share_loaded_agents() -> None:
    """Make Agent.load return the agent already loaded for a path.

    bot.evaluation.evaluate loads the model itself; loading it a second time in the same process
    costs 10-40 s and measures nothing new, so the evaluation runs on the agent timed here.
    """
    from rasa.core.agent import Agent

    loaded: dict[str, Agent] = {}
    original = Agent.load

    def load(model_path: str, *args: object, **kwargs: object) -> Agent:
        key = str(model_path)
        if key not in loaded or args or kwargs:
            loaded[key] = original(model_path, *args, **kwargs)
        return loaded[key]

    Agent.load = staticmethod(load)  # type: ignore[method-assign]


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


def probe(model: Path, out: Path, floor_model: Path | None = None) -> None:
    import logging

    from rasa.utils.log_utils import configure_structlog

    from bot.evaluation import HELDOUT, evaluate, load_examples

    # As a server runs: no debug line per parse (the default here would print each one).
    configure_structlog(logging.WARNING)
    logging.getLogger().setLevel(logging.WARNING)
    _share_loaded_agents()
    texts = [e.text for e in load_examples(HELDOUT)]
    load_seconds, times = asyncio.run(_parse_times(model, texts))
    started = time.perf_counter()
    report = evaluate(model)
    evaluation_seconds = time.perf_counter() - started
    # The floor's parse time on the same texts: how much of the floor ratio is the NLU itself.
    floor_times = asyncio.run(_parse_times(floor_model, texts))[1] if floor_model else []
    out.write_text(json.dumps({
        "load_seconds": load_seconds, "parse_ms": times, "evaluation_seconds": evaluation_seconds,
        "evaluation": report, "floor_parse_ms": floor_times}))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["probe"])
    parser.add_argument("model", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("floor_model", type=Path, nargs="?")
    args = parser.parse_args(argv)
    probe(args.model, args.out, args.floor_model)


if __name__ == "__main__":
    main()
