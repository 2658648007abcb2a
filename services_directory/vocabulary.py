"""The controlled words the directory, the bot and staff share.

Keeping them in one place means a topic the NLU can extract is always a topic the directory
can search, and an import can reject a misspelt audience instead of silently hiding a service.
"""

from __future__ import annotations

from typing import Final

# Abuse topics: the taxonomy_term names. domestic_abuse is the catch-all for general services.
TOPICS: Final[tuple[str, ...]] = (
    "coercive_control",
    "physical_abuse",
    "sexual_violence",
    "economic_abuse",
    "tech_abuse",
    "harassment",
    "stalking",
    "fgm",
    "forced_marriage",
    "honour_based_abuse",
    "trafficking_exploitation",
    "perpetrator_help",
    "domestic_abuse",
    # Needs that come with abuse: somewhere safe to live, someone to talk to tonight, the law.
    "housing",
    "crisis",
    "legal",
    "immigration",
)
GENERAL_TOPIC: Final = "domestic_abuse"

TOPIC_LABELS: Final[dict[str, str]] = {
    "coercive_control": "Coercive control",
    "physical_abuse": "Physical abuse",
    "sexual_violence": "Rape, sexual assault and sexual abuse",
    "economic_abuse": "Economic and financial abuse",
    "tech_abuse": "Tech abuse and intimate image abuse",
    "harassment": "Harassment",
    "stalking": "Stalking",
    "fgm": "Female genital mutilation (FGM)",
    "forced_marriage": "Forced marriage",
    "honour_based_abuse": "So-called honour-based abuse",
    "trafficking_exploitation": "Trafficking, modern slavery and exploitation",
    "perpetrator_help": "Help to stop being abusive",
    "domestic_abuse": "Domestic abuse (general)",
    "housing": "Housing and homelessness",
    "crisis": "Struggling to cope (emotional support)",
    "legal": "Legal advice",
    "immigration": "Immigration status and no recourse to public funds",
}

# Who a service is for. Used in eligibility.audiences and as the `audience` search filter.
AUDIENCES: Final[tuple[str, ...]] = (
    "women",
    "men",
    "lgbt_plus",
    "young_people",
    "older_people",
    "deaf",
    "disabled",
    "migrant_women",
    "black_and_minoritised",
    "children",
    "families",
    "perpetrators",
    "pregnant_women",
    "sex_workers",
    "friends_family",
    "homeless",
)

# Audiences that name a community a service is run by and for (search_index.rank_for).
COMMUNITY_AUDIENCES: Final[tuple[str, ...]] = (
    "black_and_minoritised", "migrant_women", "sex_workers",
)

# Audiences that say who may call on someone's behalf, not who a service is for.
ON_BEHALF: Final[frozenset[str]] = frozenset({"friends_family", "families"})

GENDERS: Final[tuple[str, ...]] = ("female", "male")

# Age ranges a searcher in that group is assumed to be in, to drop services they cannot use.
AUDIENCE_AGES: Final[dict[str, tuple[int, int]]] = {
    "children": (0, 15),
    "young_people": (13, 25),
    "older_people": (60, 120),
}
# A searcher in these groups is a woman or a man, so single-sex services for the other sex go.
AUDIENCE_GENDER: Final[dict[str, str]] = {
    "women": "female",
    "migrant_women": "female",
    "pregnant_women": "female",
    "men": "male",
}

# How a member of staff checked an entry when confirming it (service.verification_method).
VERIFICATION_METHODS: Final[tuple[str, ...]] = (
    "phoned_service",
    "emailed_service",
    "service_website",
    "council_website",
    "in_person",
    "other",
)
VERIFICATION_METHOD_LABELS: Final[dict[str, str]] = {
    "phoned_service": "Phoned the service",
    "emailed_service": "Emailed the service and had a reply",
    "service_website": "Checked the service's own website",
    "council_website": "Checked the council's website",
    "in_person": "In person or at a meeting",
    "other": "Another way (say how in the note)",
}
# What staff see about an entry: computed from the confirmation date and the status.
VERIFICATION_STATES: Final[tuple[str, ...]] = ("confirmed", "unconfirmed", "overdue", "ended")

SCOPES: Final[tuple[str, ...]] = ("borough", "london", "national")
SERVICE_STATUSES: Final[tuple[str, ...]] = ("active", "inactive", "defunct", "temporarily closed")
PHONE_TYPES: Final[tuple[str, ...]] = ("voice", "text", "textphone", "fax")
DAYS: Final[tuple[str, ...]] = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def topic_term_id(topic: str) -> str:
    """Stable taxonomy_term ids, so CSV links survive a round trip and a re-seed."""
    return f"topic-{topic}"
