"""The cross-validation report decides fallbacks as the FallbackClassifier does, and lists
only misreadings that involve a topic, since those are what new training examples teach."""

from bench.nlu_calibration import fallback_settings
from bench.nlu_cross_validation import decide, misread


def test_a_low_or_ambiguous_top_intent_is_a_fallback_question() -> None:
    threshold, ambiguity = fallback_settings()
    assert decide({"stalking": threshold - 0.01, "harassment": 0.0}, threshold, ambiguity) == "nlu_fallback"
    close = {"stalking": 0.9, "harassment": 0.9 - ambiguity / 2}
    assert decide(close, threshold, ambiguity) == "nlu_fallback"
    assert decide({"stalking": 0.95, "harassment": 0.01}, threshold, ambiguity) == "stalking"


def test_misread_lists_topic_confusions_and_skips_the_rest() -> None:
    intents = ["stalking", "greet", "economic_abuse", "thank"]
    probabilities = {
        0: {"stalking": 0.97, "harassment": 0.01},       # right
        1: {"greet": 0.02, "stalking": 0.96},            # a greeting read as a topic
        2: {"economic_abuse": 0.01, "ask_money": 0.98},  # a topic read as a question
        3: {"thank": 0.01, "goodbye": 0.98},             # neither is a topic
    }
    found = misread(intents, probabilities, ["economic_abuse", "stalking"])
    assert found == [(2, "economic_abuse", "ask_money"), (1, "greet", "stalking")]
