"""Scripted conversations the load harness replays, written the way people actually write.

Each one goes through what a real first visit does: a greeting, the situation in everyday
words (never the name of the abuse), a borough or postcode so the bot lists services from the
directory, often a question about contacting help safely, sometimes danger, then thanks. Using
whole conversations rather than single messages keeps the dialogue state realistic: the place
only finds services because the bot asked for one.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Conversation:
    name: str
    messages: tuple[str, ...]


CONVERSATIONS: tuple[Conversation, ...] = (
    Conversation("control, borough, safe contact", (
        "hi",
        "my partner checks my phone all the time and wont let me see my friends",
        "i live in lewisham",
        "is it safe to use this on my phone?",
        "thank you",
    )),
    Conversation("physical abuse, borough", (
        "hello",
        "he hit me last night and i'm scared to go home",
        "Hackney",
        "thanks",
    )),
    Conversation("money, full postcode", (
        "hi there",
        "he takes all my wages and i have to ask him for bus fare",
        "SW9 8PB",
        "ok thank you",
    )),
    Conversation("following, borough, safe contact", (
        "hey",
        "my ex keeps turning up at my work and following me home",
        "Croydon",
        "what if he looks through my phone and sees this",
        "thanks, bye",
    )),
    Conversation("danger", (
        "hello",
        "he's outside the door with a knife",
        "thank you",
    )),
    Conversation("a friend asks", (
        "my sister's boyfriend follows her home from work every day",
        "she lives in camden",
        "thanks for the help",
    )),
    Conversation("asks for help, postcode", (
        "hi",
        "where can i get help",
        "N16 6AA",
        "can he see that i've been on this site",
        "thank you so much",
    )),
    Conversation("family pressure, borough", (
        "good evening",
        "my family are making me marry a man i don't know",
        "I'm in Newham",
        "thanks",
    )),
)
