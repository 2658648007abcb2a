"""Reads the person-level facts of a message into entities, and corrects intents that would
mistreat the person.

Runs last in the NLU pipeline, after the danger backstop. It adds entities that fill slots:
`speaker` (self / other / own_behaviour), `urgency` (danger_now, high_risk, suicide,
recent_sexual_assault), `risk_sign`, the audience facts (`gender`, `age_group`, `lgbt_plus`,
`deaf`, `disabled`, `limited_english`, `nrpf`) and `place_scope` for a UK place outside
London. It overrides the intent only where the words are unambiguous and a wrong intent would
harm: leaving the page, suicide, abuse described as one's own behaviour when the person never
said they harm anyone (and the reverse), and a bare place name the classifier did not place.
"""

from __future__ import annotations

import re
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.override import override_intent
from bot.understanding.language import warm as warm_language_lists
from bot.understanding.place_words import used_as_place
from bot.understanding.reading import PLACE_LIKE, PersonReading, read_person
from services_directory.places import london_name

EXTRACTOR = "PersonAxes"
# "she lives in wandswoth": a place named at the end of a short message, after a preposition.
_PLACE_AT_THE_END = re.compile(r"\b(?:in|from|near|around|at)\s+([a-z][a-z' &-]{2,38}?)\W*$", re.IGNORECASE)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class PersonAxes(GraphComponent):
    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> PersonAxes:
        warm_language_lists()  # at model load, so the first message does not wait for it
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            if text.startswith("/"):
                continue  # a button the bot offered: its payload already says what it means
            self._drop_everyday_words(message, text)
            intent = message.get(INTENT) or {}
            ranking = message.get(INTENT_RANKING_KEY) or []
            has_location = any(e.get("entity") == "location" for e in message.get(ENTITIES) or [])
            if not has_location and intent.get("name") in PLACE_LIKE | {"inform_location"}:
                has_location = self._add_place_named(message, text)
            reading = read_person(text, intent.get("name"), ranking, has_location=has_location)
            self._add_entities(message, text, reading)
            if reading.intent and reading.intent != intent.get("name"):
                override_intent(message, reading.intent)
        return messages

    @staticmethod
    def _drop_everyday_words(message: Message, text: str) -> None:
        """"he keeps reading my messages" names no place (bot/understanding/place_words.py)."""
        entities = message.get(ENTITIES) or []
        kept = [e for e in entities if e.get("entity") != "location" or "start" not in e
                or used_as_place(text, int(e["start"]), int(e["end"]))]
        if len(kept) != len(entities):
            message.set(ENTITIES, kept, add_to_output=True)

    @staticmethod
    def _add_place_named(message: Message, text: str) -> bool:
        """A London name said on its own or at the end ("she lives in wandswoth"), even misspelt,
        which the exact-name ruler missed. The value is the name it matched, so the directory
        finds it without matching it again."""
        if len(text) > 80:
            return False
        trailing = _PLACE_AT_THE_END.search(text)
        name = london_name(text) or (london_name(trailing.group(1)) if trailing else None)
        if name is None:
            return False
        place = {"entity": "location", "value": name, "start": 0, "end": len(text),
                 "confidence": 1.0, "extractor": EXTRACTOR}
        message.set(ENTITIES, [*(message.get(ENTITIES) or []), place], add_to_output=True)
        return True

    @staticmethod
    def _add_entities(message: Message, text: str, reading: PersonReading) -> None:
        entities = [e for e in message.get(ENTITIES) or []
                    if e.get("entity") not in reading.ENTITY_NAMES]
        for name, value in reading.entities():
            entities.append({"entity": name, "value": value, "start": 0, "end": len(text),
                             "confidence": 1.0, "extractor": EXTRACTOR})
        message.set(ENTITIES, entities, add_to_output=True)

    def process_training_data(self, training_data: Any) -> Any:
        return training_data
