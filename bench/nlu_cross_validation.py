"""Cross-validation of the intent classifier on the training data alone: how the classifier was chosen.

    python -m bench.nlu_cross_validation              # n-grams, then config.yml's classifier: ~12 min
    python -m bench.nlu_cross_validation --with-diet  # also DIET and blends, about 15 minutes

The held-out sets (tests/nlu_heldout*.yml) are for reporting, not for choosing, so the choice
between DIET, the linear model and a blend of the two was made on stratified folds of
data/nlu. For each classifier and each DIET weight it prints, at the FallbackClassifier
thresholds config.yml sets, how many messages were answered with the right intent, answered
with a wrong one, or left to the fallback question, and the abuse-topic and all-intent
macro-F1 (a fallback counts as an error). DIET runs with the settings it had in config.yml
before it was replaced (DIET_SETTINGS below). A benchmark: it prints and never fails.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import tempfile
from pathlib import Path
from typing import Any

from bench.nlu_calibration import fallback_settings, pipeline_component

ROOT = Path(__file__).resolve().parent.parent
# DIET as config.yml had it until it was replaced by bot/nlu/linear_blend.py.
DIET_FEATURIZERS: list[dict[str, Any]] = [
    {"name": "RegexFeaturizer", "use_lookup_tables": True},
    {"name": "LexicalSyntacticFeaturizer"},
    {"name": "CountVectorsFeaturizer"},
    {"name": "CountVectorsFeaturizer", "analyzer": "char_wb", "min_ngram": 2, "max_ngram": 4,
     "max_features": 12000},
]
DIET_SETTINGS: dict[str, Any] = {
    "name": "DIETClassifier", "epochs": 50, "number_of_transformer_layers": 1,
    "transformer_size": 128, "embedding_dimension": 32, "batch_size": [32, 128],
    "constrain_similarities": True, "random_seed": 7, "ranking_length": 0,
}
Probabilities = dict[int, dict[str, float]]


def classifier_settings() -> dict[str, Any]:
    """The intent classifier's settings as config.yml gives them, over its defaults."""
    from bot.nlu.linear_blend import LinearIntentBlend

    given = pipeline_component("LinearIntentBlend")
    return {**LinearIntentBlend.get_default_config(), **{k: v for k, v in given.items() if k != "name"}}


def _linear(texts: list[str], intents: list[str], folds: list[tuple[Any, Any]],
            ngrams_only: bool = False) -> Probabilities:
    """The classifier config.yml runs: n-grams, and the fine-tuned MiniLM when they are unsure
    (or, with fine_tune_epochs 0, the frozen sentence vector)."""
    from bot.nlu.fine_tuned import FineTuneSettings
    from bot.nlu.linear_blend import IntentScorer, train_intents

    settings = classifier_settings()
    weight = 0.0 if ngrams_only else float(settings["sentence_weight"])
    tuning = None if ngrams_only else FineTuneSettings(epochs=int(settings["fine_tune_epochs"]))
    out: Probabilities = {}
    for k, (train, test) in enumerate(folds):
        trained = train_intents([texts[i] for i in train], [intents[i] for i in train], float(settings["C"]),
                                int(settings["max_char_features"]), weight, tuning,
                                float(settings["fine_tuned_weight"]))
        scorer = IntentScorer(trained, float(settings["sentence_below"]), float(settings["fine_tuned_below"]))
        for i in test:
            out[int(i)] = scorer.probabilities(texts[i])
        if tuning is not None and tuning.epochs > 0:
            print(f"  fold {k + 1} of {len(folds)} fine-tuned", flush=True)
    return out


def _diet(folds: list[tuple[Any, Any]]) -> Probabilities:
    import yaml
    from rasa.core.agent import Agent
    from rasa.model_training import train_nlu
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLWriter
    from rasa.shared.nlu.training_data.loading import load_data
    from rasa.shared.nlu.training_data.training_data import TrainingData

    pipeline = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))["pipeline"]
    head = [c for c in pipeline if c["name"] in ("SpacyNLP", "SpacyTokenizer")]
    data = load_data(str(ROOT / "data" / "nlu"))
    messages = data.intent_examples
    out: Probabilities = {}
    with tempfile.TemporaryDirectory() as work:
        config = Path(work) / "config.yml"
        config.write_text(yaml.safe_dump({"recipe": "default.v1", "language": "en",
                                          "pipeline": [*head, *DIET_FEATURIZERS, DIET_SETTINGS]}))
        for k, (train, test) in enumerate(folds):
            fold = TrainingData([messages[i] for i in train], entity_synonyms=data.entity_synonyms,
                                regex_features=data.regex_features, lookup_tables=data.lookup_tables)
            path = Path(work) / f"fold{k}.yml"
            RasaYAMLWriter().dump(str(path), fold)
            model = train_nlu(str(config), str(path), str(Path(work) / "models"), fixed_model_name=f"fold{k}")
            agent = Agent.load(model)

            async def parse(indices: Any = test, loaded: Any = agent) -> None:
                for i in indices:
                    parsed = await loaded.parse_message(messages[i].get("text"))
                    out[int(i)] = {r["name"]: r["confidence"] for r in parsed["intent_ranking"]}

            asyncio.run(parse())
            print(f"  DIET fold {k + 1} of {len(folds)} done", flush=True)
    return out


def decide(probabilities: dict[str, float], threshold: float, ambiguity: float) -> str:
    """The intent, or nlu_fallback where the FallbackClassifier would ask instead."""
    ranked = [*sorted(probabilities.values(), reverse=True), 0.0]
    best = max(probabilities, key=probabilities.__getitem__)
    return "nlu_fallback" if ranked[0] < threshold or ranked[0] - ranked[1] < ambiguity else best


def report(intents: list[str], linear: Probabilities, diet: Probabilities | None,
           topics: list[str]) -> list[str]:
    from sklearn.metrics import f1_score

    threshold, ambiguity = fallback_settings()
    weights = (0.0, 0.25, 0.5, 1.0) if diet else (0.0,)
    lines = [f"{len(intents)} training examples, fallback at {threshold} (ambiguity {ambiguity})",
             "| DIET weight | right | wrong | fallback question | abuse-topic macro-F1 | all-intent macro-F1 |",
             "|---|---|---|---|---|---|"]
    for weight in weights:
        predicted, right, wrong, fallback = [], 0, 0, 0
        for i, gold in enumerate(intents):
            names = set(linear[i]) | set(diet[i] if diet else {})
            mixed = {n: weight * (diet[i].get(n, 0.0) if diet else 0.0) + (1 - weight) * linear[i].get(n, 0.0)
                     for n in names}
            decided = decide(mixed, threshold, ambiguity)
            predicted.append(decided)
            fallback += decided == "nlu_fallback"
            right += decided == gold
            wrong += decided not in (gold, "nlu_fallback")
        lines.append(f"| {weight} | {right} | {wrong} | {fallback} | "
                     f"{f1_score(intents, predicted, labels=topics, average='macro'):.3f} | "
                     f"{f1_score(intents, predicted, average='macro', labels=sorted(set(intents))):.3f} |")
    return lines


def per_topic(intents: list[str], linear: Probabilities, topics: list[str]) -> list[str]:
    """Which topics the configured classifier loses, and to what: where new training examples
    (written from personas, never from the held-out sets) would help most."""
    from collections import Counter

    from sklearn.metrics import precision_recall_fscore_support

    threshold, ambiguity = fallback_settings()
    predicted = [decide(linear[i], threshold, ambiguity) for i in range(len(intents))]
    precision, recall, f1, support = precision_recall_fscore_support(
        intents, predicted, labels=topics, zero_division=0)
    lines = ["| topic | examples | precision | recall | F1 | most often read instead | most often read as it |",
             "|---|---:|---:|---:|---:|---|---|"]
    for n, topic in enumerate(topics):
        missed = Counter(p for g, p in zip(intents, predicted, strict=True) if g == topic and p != topic)
        taken = Counter(g for g, p in zip(intents, predicted, strict=True) if p == topic and g != topic)
        lines.append(f"| {topic} | {support[n]} | {precision[n]:.2f} | {recall[n]:.2f} | {f1[n]:.3f} | "
                     + ", ".join(f"{name} {count}" for name, count in missed.most_common(3)) + " | "
                     + ", ".join(f"{name} {count}" for name, count in taken.most_common(3)) + " |")
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--with-diet", action="store_true", help="train DIET on every fold too (slow)")
    parser.add_argument("--misread", type=Path, help="write the topic examples the classifier misreads here "
                        "(tab-separated: written as, read as, text), to see what new examples should teach")
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)  # Rasa's debug log would print training messages
    os.chdir(ROOT)

    from rasa.shared.nlu.training_data.loading import load_data
    from sklearn.model_selection import StratifiedKFold

    from bot.understanding.reading import ABUSE_TOPICS

    messages = load_data(str(ROOT / "data" / "nlu")).intent_examples
    texts = [m.get("text") for m in messages]
    intents = [m.get("intent") for m in messages]
    folds = list(StratifiedKFold(args.folds, shuffle=True, random_state=0).split(texts, intents))
    print("n-grams alone (sentence_weight 0):")
    print("\n".join(report(intents, _linear(texts, intents, folds, ngrams_only=True), None, sorted(ABUSE_TOPICS))))
    print("\nconfig.yml's classifier (MiniLM read when the n-grams are unsure):")
    linear = _linear(texts, intents, folds)
    diet = _diet(folds) if args.with_diet else None
    print("\n".join(report(intents, linear, diet, sorted(ABUSE_TOPICS))))
    print("\nconfig.yml's classifier, topic by topic:")
    print("\n".join(per_topic(intents, linear, sorted(ABUSE_TOPICS))))
    if args.misread:
        args.misread.write_text("".join(f"{gold}\t{read}\t{texts[i]}\n" for i, gold, read
                                        in misread(intents, linear, sorted(ABUSE_TOPICS))), encoding="utf-8")


def misread(intents: list[str], linear: Probabilities, topics: list[str]) -> list[tuple[int, str, str]]:
    """Training examples of a topic read as something else, or read as a topic they are not:
    only training data, never the held-out sets."""
    threshold, ambiguity = fallback_settings()
    out = []
    for i, gold in enumerate(intents):
        read = decide(linear[i], threshold, ambiguity)
        if read != gold and (gold in topics or read in topics):
            out.append((i, gold, read))
    return sorted(out, key=lambda item: (item[1], item[2]))


if __name__ == "__main__":
    main()
