"""Measures the NLU on the held-out set, beside a keyword baseline, and writes the report.

The held-out file (tests/nlu_heldout.yml) was written separately from the training data and is
never trained on. The baseline is derived from the training data the same way every run (the
words most particular to each intent), so the comparison shows what the model adds beyond
spotting words.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import re
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from bot.training import ROOT, model_path

HELDOUT = ROOT / "tests" / "nlu_heldout.yml"
REPORT = ROOT / "docs" / "nlu-evaluation.md"
DANGER = "immediate_danger"
_WORD = re.compile(r"[a-z']+")


@dataclass(frozen=True)
class Example:
    text: str
    intent: str


def load_examples(path: Path) -> list[Example]:
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(str(path))
    return [Example(m.get("text"), m.get("intent")) for m in data.intent_examples]


def training_examples() -> list[Example]:
    examples: list[Example] = []
    for file in sorted((ROOT / "data" / "nlu").glob("*.yml")):
        examples += load_examples(file)
    return examples


class KeywordBaseline:
    """Picks the intent whose most particular training words appear most in the message."""

    def __init__(self, examples: list[Example], per_intent: int = 25) -> None:
        by_intent: dict[str, Counter[str]] = defaultdict(Counter)
        overall: Counter[str] = Counter()
        for example in examples:
            words = set(_WORD.findall(example.text.lower()))
            by_intent[example.intent].update(words)
            overall.update(words)
        self.keywords: dict[str, set[str]] = {}
        for intent, counts in by_intent.items():
            scored = sorted(
                ((c * math.log(c / overall[w] * len(by_intent) + 1e-9), w)
                 for w, c in counts.items() if c >= 2),
                reverse=True,
            )
            self.keywords[intent] = {w for _, w in scored[:per_intent]}
        self.default = "out_of_scope"

    def predict(self, text: str) -> str:
        words = set(_WORD.findall(text.lower()))
        best, hits = self.default, 0
        for intent, keywords in sorted(self.keywords.items()):
            score = len(words & keywords)
            if score > hits:
                best, hits = intent, score
        return best


@dataclass
class Scores:
    precision: dict[str, float]
    recall: dict[str, float]
    f1: dict[str, float]
    support: dict[str, int]
    confusions: Counter[tuple[str, str]]

    @property
    def macro_f1(self) -> float:
        return sum(self.f1.values()) / len(self.f1)


def score(gold: list[str], predicted: list[str]) -> Scores:
    intents = sorted(set(gold))
    tp, fp, fn = Counter(), Counter(), Counter()
    confusions: Counter[tuple[str, str]] = Counter()
    for g, p in zip(gold, predicted, strict=True):
        if g == p:
            tp[g] += 1
        else:
            fp[p] += 1
            fn[g] += 1
            confusions[(g, p)] += 1
    precision, recall, f1 = {}, {}, {}
    for intent in intents:
        p = tp[intent] / (tp[intent] + fp[intent]) if tp[intent] + fp[intent] else 0.0
        r = tp[intent] / (tp[intent] + fn[intent]) if tp[intent] + fn[intent] else 0.0
        precision[intent], recall[intent] = p, r
        f1[intent] = 2 * p * r / (p + r) if p + r else 0.0
    return Scores(precision, recall, f1, Counter(gold), confusions)


async def _predict(model: Path, texts: list[str]) -> tuple[list[str], list[str], float]:
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    final, classifier = [], []
    started = time.perf_counter()
    for text in texts:
        parsed = await agent.parse_message(text)
        intent = (parsed.get("intent") or {}).get("name")
        final.append(intent)
        before = (parsed.get("classifier_intent") or parsed.get("intent") or {}).get("name")
        classifier.append(before)
    elapsed = time.perf_counter() - started
    return final, classifier, elapsed / max(1, len(texts))


def _table(scores: Scores, baseline: Scores) -> list[str]:
    rows = ["| intent | n | precision | recall | F1 | baseline F1 |", "|---|---|---|---|---|---|"]
    for intent in sorted(scores.f1):
        rows.append(
            f"| {intent} | {scores.support[intent]} | {scores.precision[intent]:.2f} | "
            f"{scores.recall[intent]:.2f} | {scores.f1[intent]:.2f} | {baseline.f1[intent]:.2f} |")
    return rows


def evaluate(model: Path, heldout: Path = HELDOUT) -> str:
    examples = load_examples(heldout)
    gold = [e.intent for e in examples]
    final, classifier, parse_seconds = asyncio.run(_predict(model, [e.text for e in examples]))
    baseline_model = KeywordBaseline(training_examples())
    baseline = [baseline_model.predict(e.text) for e in examples]
    with_backstop = score(gold, final)
    classifier_only = score(gold, classifier)
    keyword = score(gold, baseline)
    worst = min(with_backstop.f1.items(), key=lambda kv: kv[1])
    lines = [
        "# NLU evaluation",
        "",
        f"Made by `make eval` (`python -m bot.evaluation`) on {time.strftime('%Y-%m-%d')}, model "
        f"`{model.name}`, held-out set `{heldout.relative_to(ROOT)}` ({len(examples)} examples, "
        "written separately from the training data and never trained on).",
        "",
        "| measure | model + danger backstop | model alone | keyword baseline | goal |",
        "|---|---|---|---|---|",
        f"| macro-F1 | {with_backstop.macro_f1:.3f} | {classifier_only.macro_f1:.3f} | "
        f"{keyword.macro_f1:.3f} | >= 0.90 |",
        f"| lowest intent F1 | {worst[1]:.2f} ({worst[0]}) | "
        f"{min(classifier_only.f1.values()):.2f} | {min(keyword.f1.values()):.2f} | >= 0.75 |",
        f"| immediate_danger recall | {with_backstop.recall[DANGER]:.3f} | "
        f"{classifier_only.recall[DANGER]:.3f} | {keyword.recall[DANGER]:.3f} | "
        ">= 0.98 (1.0 with backstop) |",
        f"| mean parse time | {parse_seconds * 1000:.1f} ms | | | |",
        "",
        "\"Model alone\" is the trained pipeline with its fallback (and the danger-aware fallback, "
        "which keeps an unsure danger guess as danger) but without the deterministic danger "
        "backstop. A message the model is unsure about is classified `nlu_fallback` (the bot "
        "then asks a short question with buttons); here that counts as an error.",
        "",
        "## Per intent (model + danger backstop)",
        "",
        *_table(with_backstop, keyword),
        "",
        "## Confusions (gold -> predicted, count)",
        "",
        *[f"- {g} -> {p}: {n}" for (g, p), n in with_backstop.confusions.most_common(25)],
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=REPORT)
    args = parser.parse_args(argv)
    report = evaluate(args.model or model_path())
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report)
    print(report)


if __name__ == "__main__":
    main()
