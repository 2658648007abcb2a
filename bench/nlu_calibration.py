"""How the trained NLU treats everyday messages that are not about abuse, beside a control set.

`python -m bench.nlu_calibration [--model PATH]` parses every probe in
bench/nlu_calibration_probes.yml with the trained model (the full pipeline, as the bot runs it)
and prints figures: how many everyday messages end as an abuse topic or immediate danger (the
bad outcome: the person is told about abuse they never mentioned) against nlu_fallback,
out_of_scope, greet and the rest, and how the classifier's confidence falls around the
FallbackClassifier threshold. A benchmark, not a test: it prints and never fails.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import logging
import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PROBES = ROOT / "bench" / "nlu_calibration_probes.yml"
NOT_ABUSE = "not_abuse"
FALLBACK = "nlu_fallback"
DANGER = "immediate_danger"
ABUSE_TOPICS = frozenset({
    "coercive_control", "physical_abuse", "sexual_violence", "economic_abuse", "tech_abuse",
    "harassment", "stalking", "fgm", "forced_marriage", "honour_based_abuse",
    "trafficking_exploitation", "perpetrator_help",
})
BAD = ABUSE_TOPICS | {DANGER}
# Where the bot says nothing about abuse: a question back, "can't help with that", small talk.
HARMLESS = frozenset({FALLBACK, "out_of_scope", "greet", "goodbye", "thank", "affirm", "deny",
                      "bot_challenge", "inform_location"})
BINS = (0.0, 0.2, 0.3, 0.35, 0.4, 0.45, 0.5, 0.7, 1.01)


@dataclass(frozen=True)
class Probe:
    text: str
    expected: str
    round: int = 1  # round 2 was written after the first retraining and never used to pick data


@dataclass(frozen=True)
class Outcome:
    probe: Probe
    intent: str  # what the bot acts on, after the deterministic components
    classifier: str  # the classifier's own best guess (never nlu_fallback)
    confidence: float  # the classifier's confidence in that guess
    top_topic: float  # the highest confidence given to any abuse topic or danger

    @property
    def bad(self) -> bool:
        return self.probe.expected == NOT_ABUSE and self.intent in BAD


def load_probes(path: Path = PROBES) -> list[Probe]:
    import yaml

    rows = yaml.safe_load(path.read_text(encoding="utf-8"))["probes"]
    return [Probe(str(r["text"]), str(r["expected"]), int(r.get("round", 1))) for r in rows]


def training_texts(root: Path = ROOT) -> set[str]:
    """Every training example, lowercased: a probe found here measures memory, not calibration."""
    from rasa.shared.nlu.training_data.loading import load_data

    texts: set[str] = set()
    for file in sorted((root / "data" / "nlu").glob("*.yml")):
        texts |= {" ".join(str(m.get("text")).lower().split()) for m in load_data(str(file)).intent_examples}
    return texts


def outcome(probe: Probe, parsed: dict[str, Any]) -> Outcome:
    intent = str((parsed.get("intent") or {}).get("name"))
    ranking = list(parsed.get("intent_ranking") or [])
    if parsed.get("classifier_intent") is not None:
        ranking = ranking[1:]  # an override leads the ranking at 1.0; the classifier's own follows
    ranking = [r for r in ranking if r.get("name") != FALLBACK]
    best = ranking[0] if ranking else {"name": intent, "confidence": 0.0}
    top_topic = max((float(r.get("confidence", 0.0)) for r in ranking if r.get("name") in BAD), default=0.0)
    return Outcome(probe, intent, str(best.get("name")), float(best.get("confidence", 0.0)), top_topic)


async def parse_all(model: Path, probes: list[Probe]) -> list[Outcome]:
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    return [outcome(p, await agent.parse_message(p.text)) for p in probes]


def histogram(values: list[float]) -> list[str]:
    rows = []
    for low, high in itertools.pairwise(BINS):
        n = sum(1 for v in values if low <= v < high)
        rows.append(f"  [{low:.2f}, {min(high, 1.0):.2f}{')' if high < 1 else ']'}  {n:3d}  {'#' * n}")
    return rows


def pipeline_component(name_ends: str) -> dict[str, Any]:
    """The settings config.yml gives the first pipeline component whose name ends so."""
    import yaml

    pipeline = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))["pipeline"]
    return next(c for c in pipeline if c["name"].endswith(name_ends))


def fallback_settings() -> tuple[float, float]:
    """The FallbackClassifier's threshold and ambiguity threshold as config.yml sets them, so the
    figures follow the config."""
    fallback = pipeline_component("FallbackClassifier")
    return float(fallback["threshold"]), float(fallback.get("ambiguity_threshold", 0.1))


def report(outcomes: list[Outcome], trained: set[str]) -> list[str]:
    threshold, _ = fallback_settings()
    everyday = [o for o in outcomes if o.probe.expected == NOT_ABUSE]
    control = [o for o in outcomes if o.probe.expected != NOT_ABUSE]
    ends = Counter(o.intent for o in everyday)
    bad = [o for o in everyday if o.bad]
    classifier_bad = [o for o in everyday if o.classifier in BAD and o.confidence >= threshold]
    lines = [
        f"everyday (not abuse) probes: {len(everyday)}",
        f"  BAD, end as an abuse topic or danger: {len(bad)} (goal <= 2)",
        *[f"    round {r}: {sum(1 for o in bad if o.probe.round == r)} of "
          f"{sum(1 for o in everyday if o.probe.round == r)}"
          for r in sorted({o.probe.round for o in everyday})],
        f"  classifier alone at or above {threshold} on a topic/danger: {len(classifier_bad)}",
        f"  harmless ends: {sum(n for i, n in ends.items() if i in HARMLESS)}",
        "  ends: " + ", ".join(f"{i} {n}" for i, n in ends.most_common()),
        "  highest topic/danger confidence per everyday probe:",
        *histogram([o.top_topic for o in everyday]),
        "  classifier's best-guess confidence per everyday probe:",
        *histogram([o.confidence for o in everyday]),
        f"  within 0.1 of the {threshold} threshold on a topic/danger: "
        f"{sum(1 for o in everyday if threshold - 0.1 <= o.top_topic < threshold + 0.1)}",
    ]
    lines += ["", "everyday probes ending as a topic or danger, or with a topic/danger >= 0.3:"]
    for o in sorted(everyday, key=lambda o: -o.top_topic):
        if o.bad or o.top_topic >= 0.3:
            lines.append(f"  {'BAD ' if o.bad else '    '}r{o.probe.round} {o.probe.text!r}: {o.intent} "
                         f"(classifier {o.classifier} {o.confidence:.2f}, top topic {o.top_topic:.2f})")
    exact = sum(o.intent == o.probe.expected for o in control)
    about_abuse = sum(o.intent not in HARMLESS for o in control)
    lines += [
        "",
        f"control (about abuse or help) probes: {len(control)}",
        f"  exact intent: {exact}",
        f"  answered as abuse/help (not fallback, out_of_scope or small talk): {about_abuse}",
        "  classifier's best-guess confidence per control probe:",
        *histogram([o.confidence for o in control]),
        "  control misses:",
        *[f"    {o.probe.text!r}: expected {o.probe.expected}, got {o.intent} "
          f"(classifier {o.classifier} {o.confidence:.2f})" for o in control if o.intent != o.probe.expected],
    ]
    leaked = [o.probe.text for o in outcomes if " ".join(o.probe.text.lower().split()) in trained]
    lines += ["", f"probes that are also training examples (should be 0): {len(leaked)}",
              *[f"  {t!r}" for t in leaked]]
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, default=None, help="default: the model for this checkout")
    parser.add_argument("--probes", type=Path, default=PROBES)
    args = parser.parse_args(argv)
    # Rasa's debug logs print message texts; figures only.
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    logging.disable(logging.WARNING)
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.ERROR)
    from bot.training import model_path

    model = args.model or model_path(ROOT)
    print(f"model: {model.name}, probes: {args.probes.name}")
    outcomes = asyncio.run(parse_all(model, load_probes(args.probes)))
    print("\n".join(report(outcomes, training_texts())))


if __name__ == "__main__":
    main()
