"""Scripted conversations the load harness replays, written the way people actually write.

Each one goes through what a real first visit does: a greeting, the situation in everyday
words (never the name of the abuse), a borough or postcode so the bot lists services from the
directory, often a question about contacting help safely, sometimes danger, then thanks. Using
whole conversations rather than single messages keeps the dialogue state realistic: the place
only finds services because the bot asked for one.
"""

from __future__ import annotations

from dataclasses import dataclass

# What each message does, so the report can say which kind of reply costs what.
GREETING = "greeting"
SITUATION = "describing what is happening, or asking for help"
PLACE = "giving a borough or postcode (directory search)"
SAFE_CONTACT = "asking how to stay safe using the bot"
DANGER = "danger now"
THANKS = "thanks or goodbye"
KINDS = (GREETING, SITUATION, PLACE, SAFE_CONTACT, DANGER, THANKS)


@dataclass(frozen=True)
class Conversation:
    """A name and its messages in order, each with its kind (one of KINDS)."""

    name: str
    steps: tuple[tuple[str, str], ...]

    @property
    def messages(self) -> tuple[str, ...]:
        return tuple(text for _, text in self.steps)


def kind_of(text: str) -> str:
    return next(kind for c in CONVERSATIONS for kind, t in c.steps if t == text)


G, S, P, C, D, T = GREETING, SITUATION, PLACE, SAFE_CONTACT, DANGER, THANKS

CONVERSATIONS: tuple[Conversation, ...] = (
    Conversation("control, borough, safe contact", (
        (G, "hi"),
        (S, "my partner checks my phone all the time and wont let me see my friends"),
        (P, "i live in lewisham"),
        (C, "is it safe to use this on my phone?"),
        (T, "thank you"),
    )),
    Conversation("physical abuse, borough", (
        (G, "hello"),
        (S, "he hit me last night and i'm scared to go home"),
        (P, "Hackney"),
        (T, "thanks"),
    )),
    Conversation("money, full postcode", (
        (G, "hi there"),
        (S, "he takes all my wages and i have to ask him for bus fare"),
        (P, "SW9 8PB"),
        (T, "ok thank you"),
    )),
    Conversation("following, borough, safe contact", (
        (G, "hey"),
        (S, "my ex keeps turning up at my work and following me home"),
        (P, "Croydon"),
        (C, "what if he looks through my phone and sees this"),
        (T, "thanks, bye"),
    )),
    Conversation("danger", (
        (G, "hello"),
        (D, "he's outside the door with a knife"),
        (T, "thank you"),
    )),
    Conversation("a friend asks", (
        (S, "my sister's boyfriend follows her home from work every day"),
        (P, "she lives in camden"),
        (T, "thanks for the help"),
    )),
    Conversation("asks for help, postcode", (
        (G, "hi"),
        (S, "where can i get help"),
        (P, "N16 6AA"),
        (C, "can he see that i've been on this site"),
        (T, "thank you so much"),
    )),
    Conversation("family pressure, borough", (
        (G, "good evening"),
        (S, "my family are making me marry a man i don't know"),
        (P, "I'm in Newham"),
        (T, "thanks"),
    )),
)
