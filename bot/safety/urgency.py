"""Which response must lead when a message is answered without the model: one rule for every
fallback (Rasa slow or down, the web front's own answers, the edge's fallback channels).

Danger from someone else leads with 999 and the Silent Solution; suicide or self-harm leads
with 999 or A&E and Samaritans, never the Silent Solution; anything else adds nothing.
"""

from __future__ import annotations

from bot.safety.danger import signals_danger
from bot.safety.self_harm import signals_self_harm

EMERGENCY_RESPONSE = "utter_emergency"
SELF_HARM_RESPONSE = "utter_self_harm_support"


def leading_responses(text: str | None) -> tuple[str, ...]:
    """The response names that must come first for this text, most urgent first."""
    if signals_danger(text):
        return (EMERGENCY_RESPONSE,)
    if signals_self_harm(text):
        return (SELF_HARM_RESPONSE,)
    return ()
