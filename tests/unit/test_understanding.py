"""The person-level readers: who is speaking, who they are, urgency and leaving the page.

Each case is a way a real person might put it; the wrong answer for most of them was seen on
the bot before these readers existed (issue 14).
"""

from __future__ import annotations

import pytest

from bot.safety.risk import high_risk_signs, recent_sexual_assault
from bot.safety.self_harm import life_at_risk_now, signals_self_harm
from bot.safety.text import for_matching
from bot.understanding.audience import audience_of
from bot.understanding.exit import abuser_present, wants_to_leave
from bot.understanding.reading import read_person, supporter_worry
from bot.understanding.speaker import speaker_of
from services_directory.uk_places import outside_london_place


@pytest.mark.parametrize(("text", "speaker"), [
    # a relation word beside what is being done to the speaker (found as a 16-year-old persona)
    ("my dad says im going to be sent back home to get married after my exams, im 16", "self"),
    ("my sister is going to be sent abroad to marry", "other"),
    ("my wife hits me when she's been drinking and says no one would believe a bloke", "self"),
    ("my girlfriend says she'll tell my family I'm gay if I ever leave her", "self"),
    ("he's never hit me though so it's not abuse right?", "self"),
    ("my daughter's father hits me in front of her", "self"),
    ("my mum's boyfriend hits me", "self"),
    ("I pushed him away to get him off me and now he says I'm the abuser", "self"),
    ("am I the abuser? I shouted back at him", "self"),
    ("actually it's me, not my friend", "self"),
    ("what can I do to help her without making it worse", "other"),
    ("I'm worried about my mum, her boyfriend shouts at her all the time", "other"),
    ("my friend's husband checks her phone", "other"),
    ("i'm a teacher and a pupil told me her dad hits her", "other"),
    ("i hit my boyfriend last night and i can't believe i did it", "own_behaviour"),
    ("I'm a man. I shoved my girlfriend off me when she was hitting me with her shoe", "self"),
    ("Im her husband and she scratches and bites me when she doesnt get her way", "self"),
    ("to be honest the mate is me", "self"),
    ("I was raped two days ago by someone I know", "self"),
    ("I lose my temper and scare my wife", "own_behaviour"),
    # someone else is plainly the one harmed, though relation words and "I" appear
    ("my brother's wife hits him. he laughs it off but I've seen the bruises on his back", "other"),
    ("a woman in my team keeps coming into work with bruises on her arms", "other"),
    ("my friends husband wont let her work and takes her child benefit off her", "other"),
    ("the girl at my local nail bar never has her own phone, she looks terrified", "other"),
    ("asking for a friend. her boyfriend reads all her messages", "other"),
    # ...unless the speaker is the one harmed
    ("my sister's husband keeps sending me horrible messages", "self"),
    ("my husband's family watch everything I do and take my money", "self"),
    ("I get so angry I punch walls near my girlfriend", "own_behaviour"),
    ("a guy i know had sex with me when i was really drunk and i said no", "self"),
    ("a man i work with kept going even though i didn't want to", "self"),
    # a threat of a false accusation is said by the person harmed
    ("she says she will tell the police i hit her", "self"),
    ("if i phone police will they arrest me instead? she said she'd say i attacked her", "self"),
    ("my husband keeps saying he'll report that i'm the abuser", "self"),
    ("i told my counsellor i hit my wife", "own_behaviour"),
    # a report of what was said, agreed with, is a confession, not a threat of a false accusation
    ("she says i hit her and shes right", "own_behaviour"),
    # a young person's own fears, and a question of whom to tell, are not a worry about the family
    ("i dont want to go but if i say anything my dad will go mad", "self"),
    ("should i tell my mum", None),
    # found by personas (tenth session)
    ("i lost it once with my wife and slapped her", "own_behaviour"),
    ("my little sister is 19 and my parents are taking her to pakistan, i think its HER wedding", "other"),
    ("hes never done anything to me, its me", "own_behaviour"),
    ("am i the abuser? my husband had me by the throat and i scratched his face to get him off", "self"),
])
def test_who_is_speaking(text: str, speaker: str | None) -> None:
    assert speaker_of(text) == speaker


def test_doubt_alone_never_makes_someone_a_perpetrator() -> None:
    assert speaker_of("my partner says i'm controlling") != "own_behaviour"
    reading = read_person("she says i'm the abuser but she controls everything", "perpetrator_help",
                          [{"name": "perpetrator_help", "confidence": 0.6},
                           {"name": "coercive_control", "confidence": 0.3}])
    assert reading.intent == "coercive_control"


@pytest.mark.parametrize(("text", "tags"), [
    ("I'm a man and my wife hits me", {"man"}),
    ("my wife hits me", set()),  # a partner's pronoun says nothing about the speaker
    ("she'll tell my family I'm gay", {"lgbt_plus"}),
    ("I'm 17, can they actually make me?", {"under_18"}),
    ("im 15 and my mums boyfriend hits me", {"under_18"}),
    ("my girlfriend and I are both women and she hits me", {"lgbt_plus"}),
    ("my sons are both boys and my husband hits them", set()),
    ("my boyfriend hit me again. will people think its just two guys fighting?", {"man", "lgbt_plus"}),
    ("two girls arguing is how the police will see it but my girlfriend really hurts me", {"lgbt_plus"}),
    ("I saw two men fighting outside the pub", set()),
    # an age followed by any word but a unit
    ("im 16 my boyfriend checks my phone and gets angry if i talk to boys", {"under_18"}),
    ("I'm 16 weeks pregnant and he kicked me", set()),
    ("im 10 mins away from home and scared", set()),
    ("I'm 78 and my grandson takes my pension", {"older"}),
    ("I am deaf and use BSL", {"deaf"}),
    ("I have no recourse to public funds, can a refuge take me?", {"nrpf"}),
    ("my english not good", {"limited_english"}),
    ("I am Polish, my English is small", {"limited_english"}),
    ("my best friend's boyfriend tracks her phone and she's stopped coming out with us", set()),
    ("\u0632\u0648\u062c\u064a \u064a\u0636\u0631\u0628\u0646\u064a", {"limited_english"}),
])
def test_who_they_are(text: str, tags: set[str]) -> None:
    assert set(audience_of(text).tags()) == tags


@pytest.mark.parametrize("text", [
    "he's coming I need to close this", "hes back gtg", "get me off this page", "exit", "EXIT",
    "gotta go", "close this now", "he just walked in", "clsoe it hes here",
    "hes here and hes going to hurt me get rid of this page NOW",
    "i have to go", "sorry i need to go now", "have to go he's back", "must go bye",
    "he's coming", "hes coming up the stairs", "shit he's back", "omg hes coming", "he's on his way up",
])
def test_leaving_the_page_in_everyday_words(text: str) -> None:
    assert wants_to_leave(text)


@pytest.mark.parametrize(("text", "present"), [
    ("he just walked in", True), ("hes back gtg", True), ("my husband got home, close this", True),
    ("he can see the screen bye", True), ("gotta go", False), ("get me off this page", False),
    ("his key is in the door bye", True), ("he's awake gtg", True), ("i can hear his car, close this", True),
    ("hes downstairs gotta go", True),
    # third pass (2026-11-29, from personas)
    ("he just walked in bye", True), ("i can hear him on the stairs gtg", True),
    ("he came back early, i have to go", True), ("husband home now, bye", True),
    ("his car just pulled up", True), ("he just pulled into the drive, gtg", True),
    ("exit", False),
])
def test_leaving_because_the_abuser_is_there_is_danger_now_too(text: str, present: bool) -> None:
    """Leaving still comes first; the reading also records that he is there."""
    reading = read_person(text, "quick_exit")
    assert reading.intent == "quick_exit"
    assert abuser_present(text) is present
    assert ("danger_now" in reading.urgency) is present


@pytest.mark.parametrize("text", [
    "I need to leave him", "how do i leave", "i need to go to the police", "how do I exit this?",
    "i want to leave my husband", "he's back", "what do I need to grab if I have to go in a hurry",
    "when he comes home he hits me", "his car is a ford focus", "my husband is home on fridays",
    "oh god he's back and he's taken his belt off, he's coming for me",
    # going somewhere, asked about: a housing officer and a woman thinking of a refuge
    "can she get a management transfer or does she have to go homeless?",
    "will I have to go into a refuge?", "do i need to go to court", "must go through the police?",
])
def test_leaving_a_relationship_is_not_leaving_the_page(text: str) -> None:
    assert not wants_to_leave(text)


@pytest.mark.parametrize("text", [
    "he had his hands round my neck 5 mins ago and hes still in the flat",
    "my boyfriend says he's going to set the flat on fire with me in it, he's got the petrol here",
    "he's just hit our baby and he's still here",
])
def test_the_abuser_still_there_or_fire_is_danger_now(text: str) -> None:
    from bot.safety.danger import signals_danger

    assert signals_danger(text)


def test_leaving_wins_over_danger() -> None:
    assert read_person("he's back with a knife gtg", "immediate_danger").intent == "quick_exit"


def test_suicide_is_not_the_silent_solution_path() -> None:
    assert signals_self_harm("I don't want to be alive")
    assert signals_self_harm("I've got tablets saved up")
    assert life_at_risk_now("i've taken all my pills")
    assert not life_at_risk_now("I don't want to be alive")
    assert read_person("I don't want to be alive", "nlu_fallback").intent == "self_harm"
    assert signals_self_harm("some days I think everyone would be better off if I wasn't here")
    assert signals_self_harm("honestly I think about ending it so I never have to hear his voice")


def test_a_weak_sign_of_the_speaker_does_not_undo_an_earlier_message() -> None:
    follow_up = "she won't leave him. what can I actually do?"
    assert speaker_of(follow_up, weak=False) is None
    reading = read_person(follow_up, "nlu_fallback")
    assert "speaker" not in dict(reading.entities()) and reading.intent == "find_support"
    assert dict(read_person("my husband hits me", "physical_abuse").entities())["speaker"] == "self"


@pytest.mark.parametrize(("text", "intent"), [
    ("ok it's actually me. there isn't a friend", "find_support"),
    ("is this county lines? i dont want him getting arrested hes just a kid", "find_support"),
    ("he says I'm the abusive one because I scream back at him. am I?", "physical_abuse"),
    ("I hear the man next door screaming at his wife most nights. should I be doing something?",
     "ask_how_to_help"),
])
def test_the_model_alone_calling_danger_is_overruled_only_where_the_words_settle_it(text: str, intent: str) -> None:
    ranking = [{"name": "immediate_danger", "confidence": 0.9}, {"name": "physical_abuse", "confidence": 0.05}]
    reading = read_person(text, "immediate_danger", ranking)
    assert reading.intent == intent and "danger_now" not in reading.urgency
    # words of danger now are never overruled
    kept = read_person("he's hitting me right now, am I the abuser?", "immediate_danger", ranking)
    assert "danger_now" in kept.urgency and kept.intent is None


def test_a_friends_suicide_risk_is_suicide_not_a_threat_from_someone() -> None:
    told = "my friend just texted me that she's going to kill herself because of what her husband does"
    reading = read_person(told, "immediate_danger")
    assert reading.intent == "self_harm" and reading.speaker == "other"
    assert "danger_now" not in reading.urgency and not reading.risk_signs
    assert "threat_to_kill" in high_risk_signs("he's going to kill me")


@pytest.mark.parametrize(("text", "sign"), [
    ("he strangled me last month", "strangulation"),
    ("im pregnant and he pushed me", "pregnancy"),
    ("he said if i ever leave he will kill me", "threat_to_kill"),
    ("he hits me in front of the kids", "child_at_risk"),
    ("since i left him he keeps turning up", "separation"),
    ("im telling him im leaving this weekend and im scared what hell do", "separation"),
    ("he grabbed my 3 year old by the arm and threw her onto the sofa", "child_at_risk"),
    ("hes started hitting my teenage son when im at work", "child_at_risk"),
    ("my ex has a shotgun licence", "weapon"),
])
def test_high_risk_signs(text: str, sign: str) -> None:
    assert sign in high_risk_signs(text)


def test_recent_sexual_assault_needs_a_recent_time_or_its_aftermath() -> None:
    assert recent_sexual_assault("he raped me last night, I haven't showered")
    assert recent_sexual_assault("i was raped yesterday")
    assert not recent_sexual_assault("i was raped years ago")
    assert recent_sexual_assault("my friends older brother did stuff to me at a sleepover last night that i didnt want")


def test_look_alike_letters_are_read_as_latin_but_real_scripts_are_kept() -> None:
    assert for_matching("\u04bb\u0435 \u0456\u0455 \u04bb\u0456tt\u0456ng m\u0435") == "he is hitting me"
    assert for_matching("\u043e\u043d \u0431\u044c\u0451\u0442") == "\u043e\u043d \u0431\u044c\u0451\u0442"


def test_a_bare_place_outside_london_becomes_a_location() -> None:
    reading = read_person("Manchester", "nlu_fallback")
    assert reading.intent == "inform_location"
    assert ("place_scope", "outside_london") in list(reading.entities())


@pytest.mark.parametrize("text", [
    "my brother in law keeps calling my sister useless",
    "my mother-in-law hits me when my husband is at work",
    "her in-laws took her passport",
    "he keeps going over and over what i did",
    "he threw my phone in the pool",
    "i'm in a lot of debt because of him, i'm in a rock and a hard place",
    "we're in battle over the kids",
])
def test_family_words_and_everyday_words_are_not_places_outside_london(text: str) -> None:
    """Law, Over, Pool and Rock are UK places, but a sister-in-law is family: someone who
    names an in-law must never be told she is outside London."""
    assert outside_london_place(text) is None
    assert ("place_scope", "outside_london") not in list(read_person(text, "coercive_control").entities())


@pytest.mark.parametrize(("text", "intent"), [
    ("I'm Deaf, can I text someone?", "nlu_fallback"), ("im deaf how do i contact you", "safe_contact"),
    ("i use bsl is there anyone i can talk to", "find_support"),
])
def test_a_deaf_person_asking_how_to_reach_someone_gets_the_services(text: str, intent: str) -> None:
    """The services' introduction for a Deaf person names emergencySMS and Relay UK; she had
    been given a question back with an own-behaviour button."""
    reading = read_person(text, intent)
    assert reading.audience.deaf
    assert (reading.intent or intent) == "find_support"


_SAFE_CONTACT_FIRST = [{"name": "safe_contact", "confidence": 0.9}, {"name": "nlu_fallback", "confidence": 0.4},
                       {"name": "tech_abuse", "confidence": 0.2}]


@pytest.mark.parametrize(("text", "topic"), [
    ("im 16 my boyfriend checks my phone and gets angry if i talk to boys", "tech_abuse"),
    ("my husband reads all my messages", "tech_abuse"),
    ("what if he checks my phone", None),
    ("he checks my phone, how can i contact you safely", None),
])
def test_telling_of_control_is_not_a_question_about_contacting_safely(text: str, topic: str | None) -> None:
    assert read_person(text, "safe_contact", _SAFE_CONTACT_FIRST).intent == topic
    # unsure, but leaning to safe contact: the same
    unsure = [{"name": "nlu_fallback", "confidence": 0.4}, *_SAFE_CONTACT_FIRST[:1], _SAFE_CONTACT_FIRST[2]]
    assert read_person(text, "nlu_fallback", unsure).intent == (topic or "safe_contact")


@pytest.mark.parametrize(("text", "answer"), [
    ("is it abuse if he never hits me", "coercive_control"),
    ("it's not like he hits me", "coercive_control"),
    ("he's never laid a finger on me but i'm scared of him", "coercive_control"),
    ("he never hits me but he pushed me down the stairs", None),
    ("he didn't hit me this time but he choked me", None),
    ("he hits me", None),
    ("im deaf and my partner takes my hearing aids away when hes angry", "coercive_control"),
    ("she hides my tablets and says i'm imagining things", "coercive_control"),
    ("he took my wheelchair and left me in the bedroom all day", "coercive_control"),
    ("he takes my glasses off me and then hits me", None),
])
def test_abuse_without_violence_is_not_answered_as_being_hit(text: str, answer: str | None) -> None:
    assert read_person(text, "physical_abuse", [{"name": "physical_abuse", "confidence": 0.97}]).intent == answer


@pytest.mark.parametrize(("text", "speaker"), [
    ("my dad hits my mum every weekend when hes drunk, im 13", "self"),
    ("im 15 and my mums boyfriend screams at my mum and pushes her", "self"),
    ("im 15 my mums boyfriend hits her and i dont know what to do", "self"),
    ("I'm 12, my mum's partner is horrible to her every night", "self"),
    # an adult worried about her parents is a supporter
    ("my dad hits my mum every weekend when hes drunk", "other"),
    ("I'm 45 and my dad shouts at my mum all the time", "other"),
    ("my mums boyfriend hits her and i dont know what to do", "other"),
])
def test_a_child_who_sees_a_parent_harmed_is_harmed_too(text: str, speaker: str) -> None:
    assert read_person(text, "physical_abuse").speaker == speaker


def test_a_place_in_an_ordinary_sentence_is_not_read_as_abuse() -> None:
    ranking = [{"name": "inform_location", "confidence": 0.8}, {"name": "trafficking_exploitation", "confidence": 0.05}]
    assert read_person("my mate's band is playing in camden tonight", "inform_location", ranking).intent is None
    told = [{"name": "inform_location", "confidence": 0.6}, {"name": "physical_abuse", "confidence": 0.35}]
    assert read_person("I live in Camden and my husband hits me", "inform_location", told).intent == "physical_abuse"


def test_calling_oneself_the_controlling_one_is_own_behaviour() -> None:
    ranking = [{"name": "perpetrator_help", "confidence": 0.94}, {"name": "sexual_violence", "confidence": 0.02}]
    reading = read_person("i think i'm the controlling one in my relationship", "perpetrator_help", ranking)
    assert reading.speaker == "own_behaviour" and reading.intent in (None, "perpetrator_help")
    # being told so is not a confession
    told = read_person("my partner says i'm the controlling one but he hits me", "perpetrator_help",
                       [{"name": "perpetrator_help", "confidence": 0.5}, {"name": "physical_abuse", "confidence": 0.3}])
    assert told.speaker == "self" and told.intent == "physical_abuse"


def test_a_guess_of_own_behaviour_with_nothing_behind_it_gets_a_question() -> None:
    ranking = [{"name": "perpetrator_help", "confidence": 0.45}, {"name": "fgm", "confidence": 0.05}]
    assert read_person("i love sushi", "perpetrator_help", ranking).intent == "nlu_fallback"


def test_a_postcode_the_classifier_took_for_leaving_is_a_place() -> None:
    """A false exit hides the page and deletes the conversation: only the words of leaving may."""
    assert read_person("HA9 0WS", "quick_exit", has_location=True).intent == "inform_location"
    assert read_person("Hackney gtg", "quick_exit", has_location=True).intent == "quick_exit"


@pytest.mark.parametrize("text", [
    "she says she walked into a door", "she keeps saying everything's fine", "she denies it",
])
def test_a_cover_story_told_by_a_supporter_is_a_worry_about_how_to_help(text: str) -> None:
    assert supporter_worry(text, "find_support")
    assert read_person(text, "nlu_fallback").intent == "find_support"  # the slot says who is asking


def test_a_cover_story_does_not_hide_a_kind_of_abuse_the_classifier_heard() -> None:
    text = "my cousin is 16 and her family say she's marrying a man from back home. she says she's fine with it"
    assert not supporter_worry(text, "forced_marriage")


def test_a_place_outside_london_is_still_found_beside_family_words() -> None:
    assert outside_london_place("my sister in law lives in Leeds and he hits her") == "leeds"


@pytest.mark.parametrize(("text", "language", "intent"), [
    ("meu marido me bate", "pt", "find_support"),
    ("Mi pareja me pega y no hablo bien inglés", "es", "find_support"),
    ("mój mąż mnie bije", "pl", "find_support"),
    ("il mio marito mi picchia", "it", "find_support"),
    ("ma femme me frappe", "fr", "find_support"),
    ("mano vyras mane muša", "lt", "find_support"),
    # "is beating me" in the danger backstop's own words: 999 first, as in English
    ("soțul meu mă bate", "ro", "immediate_danger"),
    ("kocam beni dövüyor", "tr", "immediate_danger"),
])
def test_a_message_in_another_language_is_answered_plainly_with_a_translator(
        text: str, language: str, intent: str) -> None:
    """The English classifier guesses a topic for any words (Portuguese "my husband hits me"
    was forced marriage); another language is recognised and answered as such instead,
    unless its words say danger now."""
    from bot.understanding.language import other_language

    assert other_language(text) == language
    reading = read_person(text, "forced_marriage", [{"name": "forced_marriage", "confidence": 0.6}])
    assert reading.intent == intent and reading.other_language
    assert reading.audience.limited_english
    assert ("language", "other") in set(reading.entities())


@pytest.mark.parametrize("text", [
    "wot do i do", "hes back gtg", "my bf hits me", "im scared", "plz help", "i cant tlk",
    "my sister Maria lives in Ealing", "he calls me a puta and a bitch",
    "I'm from Poland and my husband hits me", "she keeps saying no no no",
    "my husband is italian and says mamma mia when angry", "i am de one who got hit",
    "my partner is Portuguese and he says que sera sera", "Lewisham", "SE13 6AB",
])
def test_english_texting_and_foreign_names_stay_english(text: str) -> None:
    from bot.understanding.language import other_language

    assert other_language(text) is None
    assert not read_person(text, "physical_abuse").other_language


def test_danger_and_leaving_are_never_replaced_by_the_language_answer() -> None:
    # the danger words are English; the rest is Spanish: 999 comes first, as always
    assert read_person("he has a knife, ayuda por favor mi pareja", "immediate_danger").intent != \
        "find_support"
    assert read_person("exit", "quick_exit").intent in (None, "quick_exit")


@pytest.mark.parametrize(("text", "supporter_worry"), [
    ("what if she doesn't want help", True),
    ("she won't leave him", True),
    ("my neighbour screams every night, should I do something?", True),
    ("what can I actually do?", True),
    ("he won't leave me alone", False),  # harassment of the speaker, not a supporter's worry
    ("he won't leave her alone", False),
    ("what if he doesn't stop", False),
])
def test_a_supporters_worry_about_what_to_do(text: str, supporter_worry: bool) -> None:
    from bot.understanding.reading import SUPPORTER_WORRY

    assert (SUPPORTER_WORRY.search(text) is not None) is supporter_worry


@pytest.mark.parametrize("classified", ["nlu_fallback", "safe_contact"])
def test_a_supporters_worry_is_answered_by_who_is_speaking_not_as_safe_contact(classified: str) -> None:
    # the speaker slot from earlier says who asks; plan_reply answers a supporter with how to help
    assert read_person("what if she doesn't want help", classified).intent == "find_support"
    assert read_person("how do I call them without him hearing?", "safe_contact").intent is None


# Written from personas for the second pass of the high-risk signs (2026-11-29).
@pytest.mark.parametrize(("text", "sign"), [
    ("he said if i leave he'll find me", "separation"),
    ("i told him it's over on sunday", "separation"),
    ("im expecting and he pushed me down the stairs", "pregnancy"),
    ("i'm carrying his baby and he still kicks me", "pregnancy"),
    ("he said he'd slit my throat", "threat_to_kill"),
    ("he grabbed me by the throat", "strangulation"),
    ("he squeezed till I passed out", "strangulation"),
    # third pass (2026-11-29): suffocation is the same offence; a threat to kill in other words
    ("he put a pillow over my face until i went limp", "strangulation"),
    ("she held her hand over my mouth and nose", "strangulation"),
    ("he held my head under the water in the bath", "strangulation"),
    ("he covered my mouth and nose so i couldnt scream", "strangulation"),
    ("he says if he can't have me no one can", "threat_to_kill"),
    ("she told him if she cant have him nobody will", "threat_to_kill"),
    # fourth pass (fifth session): each sign in words the patterns had missed
    ("he said i'd end up in a box if i ever went to the police", "threat_to_kill"),
    ("he told me he'd put me in the ground", "threat_to_kill"),
    ("she said she'd make sure i never see another birthday", "threat_to_kill"),
    ("he threatened my life last week", "threat_to_kill"),
    ("he keeps a crossbow under the bed", "weapon"),
    ("she came at me with a broken bottle last month", "weapon"),
    ("he put me in a headlock until i nearly fainted", "strangulation"),
    ("he had his forearm across my throat", "strangulation"),
    ("he grabbed me round the neck on saturday", "strangulation"),
    ("i'm 20 weeks and he still kicks me", "pregnancy"),
    ("im pregant and scared", "pregnancy"),
    ("i finally told him i want a divorce", "separation"),
    ("since i ended things he won't leave me alone", "separation"),
    ("i want to leave him but i'm scared what he'll do", "separation"),
    ("he shook the baby when she wouldn't stop crying", "child_at_risk"),
    ("the kids hide under the bed when he shouts", "child_at_risk"),
    ("he threw a plate at my son", "child_at_risk"),
    ("my daughter saw him hit me", "child_at_risk"),
    ("he says he'll take the kids and i'll never see them again", "child_at_risk"),
    ("he locks the kids in their room", "child_at_risk"),
    ("my sister's husband threw a plate at her kid last night", "child_at_risk"),
    ("my neighbour hits her little boy", "child_at_risk"),
])
def test_high_risk_signs_in_everyday_words(text: str, sign: str) -> None:
    assert sign in high_risk_signs(text)


@pytest.mark.parametrize("text", [
    "i put my hands over my face and cried", "we swam under the water at the lido",
    "i can't have my phone at work", "he can't have me round on sundays",
])
def test_everyday_words_near_the_high_risk_signs_are_not_signs(text: str) -> None:
    assert not ({"strangulation", "threat_to_kill"} & set(high_risk_signs(text)))


@pytest.mark.parametrize("text", [
    "I'm expecting a call from the council", "we're having a baby shower",
    "if i leave the house he asks where i've been", "he wouldn't stop calling me",
    "my parents got divorced when i was 5", "i am 20 weeks into my course", "i want to leave my job",
    "she hit me with a question about work", "we live in the ground floor flat",
    "the kids were hiding in the garden playing", "my son saw him at the shop", "i put her in a box for the move",
])
def test_everyday_words_are_not_high_risk_signs(text: str) -> None:
    assert not high_risk_signs(text) and not recent_sexual_assault(text)


@pytest.mark.parametrize(("text", "recent"), [
    ("it happened 3 days ago, he didn't stop when I said no", True),
    ("i woke up and he was having sex with me, this morning", True),
    ("he wouldn't take no for an answer last night", True),
    ("he raped me on tuesday", True),
    ("he raped me 2 weeks ago", False),  # past the Havens' usual seven days: not the urgent note
    # from personas (fifth session)
    ("last night he had sex with me when i was too drunk to say no", True),
    ("it happened on friday, he held me down and i kept saying no", True),
    ("my husband forced me last night", True),
    ("a man put his hand up my skirt on the bus this afternoon", True),
    ("i woke up at his flat with no memory this morning and my clothes were off", True),
    ("we had sex last night and it was nice", False),
    ("he held me down years ago and i said no", False),
])
def test_a_recent_sexual_assault_in_everyday_words(text: str, recent: bool) -> None:
    assert recent_sexual_assault(text) is recent


@pytest.mark.parametrize(("text", "images"), [
    ("he is threatening to post my nudes", True), ("he has pics of me", True),
    ("he shared a video of us", True), ("he films me without me knowing", True),
    ("he put an app on my phone", False), ("he reads my messages", False),
    ("i took photos of my bruises", False),  # evidence, not image abuse
])
def test_the_revenge_porn_helpline_leads_only_when_images_are_spoken_of(text: str, images: bool) -> None:
    from bot.understanding.images import speaks_of_images

    assert speaks_of_images([text]) is images


@pytest.mark.parametrize(("text", "intent"), [
    ("im 15 and my mum's boyfriend keeps touching me", "sexual_violence"),
    ("my stepdad touches me when mum is at work", "sexual_violence"),
    ("a man on the bus keeps touching me", None),  # harassment and sexual assault by a stranger
])
def test_sexual_touching_by_someone_close_is_sexual_abuse_not_harassment(
        text: str, intent: str | None) -> None:
    assert read_person(text, "harassment").intent == intent


@pytest.mark.parametrize(("text", "intent", "answer"), [
    ("my ex keeps making new accounts to message me every time I block him", "harassment", "stalking"),
    ("i blocked her number and she rings from a different number every night", "harassment", "stalking"),
    ("every time I block him he finds another way to text me", "tech_abuse", "stalking"),
    # posting about someone, or a block with no contact after it, stays as it was
    ("he keeps making new accounts to post lies about me", "harassment", None),
    ("i blocked him and he posted horrible things about me on his story", "harassment", None),
    ("my new account got blocked by instagram", "tech_abuse", None),
])
def test_contacting_round_a_block_is_stalking(text: str, intent: str, answer: str | None) -> None:
    ranking = [{"name": intent, "confidence": 0.65}, {"name": "stalking", "confidence": 0.3}]
    assert read_person(text, intent, ranking).intent == answer


def test_a_young_person_telling_of_harm_the_classifier_cannot_place_gets_their_own_answer() -> None:
    unsure = [{"name": "nlu_fallback", "confidence": 0.3}, {"name": "sexual_violence", "confidence": 0.25},
              {"name": "coercive_control", "confidence": 0.24}]
    text = "im in year 10 and my step dad pulls my hair and says no one will believe me"
    assert read_person(text, "nlu_fallback", unsure).intent == "find_support"
    # an adult is asked, or answered by the classifier's leaning, as before
    assert read_person("my step dad pulls my hair and says no one will believe me", "nlu_fallback",
                       unsure).intent != "find_support"
    # and a young person's message with no kind of abuse in it is not treated as harm
    small_talk = [{"name": "nlu_fallback", "confidence": 0.3}, {"name": "out_of_scope", "confidence": 0.28},
                  {"name": "physical_abuse", "confidence": 0.05}]
    assert read_person("im in year 10 and i like football", "nlu_fallback", small_talk).intent is None


@pytest.mark.parametrize(("text", "male"), [
    ("my wife punches me and I'm a big bloke so I can't hit back", True),
    ("34m, my partner controls all the money", True),
    ("he/him here, my girlfriend checks my phone", True),
    ("im just a normal lad and my boyfriend hits me", True),
    # a distance, a fan, someone else's pronouns or size say nothing about the speaker
    ("he lives 30m down the road", False),
    ("im a big fan of his", False),
    ("he/him pronouns are what my son uses", False),
    ("my husband is a big bloke", False),
])
def test_a_man_saying_so_in_other_words(text: str, male: bool) -> None:
    assert (audience_of(text, False).gender == "male") is male


@pytest.mark.parametrize(("text", "topic"), [
    ("mój mąż mnie bije i zabiera mi pieniądze", "physical_abuse"),
    ("mi familia quiere obligarme a casarme con mi primo", "forced_marriage"),
    ("mon mari m'a violée hier soir", "sexual_violence"),
    ("meu marido me bate todos os dias", "physical_abuse"),
    ("il mio ragazzo mi picchia", "physical_abuse"),
    ("mi ex novio me sigue a todas partes y tengo miedo", "stalking"),
    ("necesito ayuda por favor", None),  # help asked for, no kind told
])
def test_the_kind_of_abuse_told_in_another_language_carries_to_the_services(text: str, topic: str | None) -> None:
    # the classifier's English reading ("forced marriage" for "meu marido me bate") is ignored
    reading = read_person(text, "forced_marriage", [{"name": "forced_marriage", "confidence": 0.5}])
    assert reading.other_language
    assert reading.intent in ("find_support", "immediate_danger")
    assert reading.topic == topic
    assert (("topic", topic) in set(reading.entities())) is (topic is not None)


@pytest.mark.parametrize(("text", "script", "topic"), [
    ("میرا شوہر مجھے مارتا ہے", "arabic", "physical_abuse"),  # Urdu: my husband hits me
    ("أهلي يريدون تزويجي من ابن عمي", "arabic", "forced_marriage"),  # Arabic: marry me to my cousin
    ("আমার স্বামী আমাকে মারে", "bengali", "physical_abuse"),  # Bengali: my husband hits me
    ("আমারে সাহায্য করো", "bengali", None),  # Bengali: help me ("to me" is not "hits")
    ("मेरे घरवाले मेरी जबरदस्ती शादी करवा रहे हैं", "devanagari", "forced_marriage"),  # Hindi
    ("ਮੇਰਾ ਪਤੀ ਮੈਨੂੰ ਕੁੱਟਦਾ ਹੈ", "gurmukhi", "physical_abuse"),  # Punjabi: my husband beats me
    ("我前男友一直跟踪我", "cjk", "stalking"),  # Chinese: my ex keeps following me
    ("муж меня изнасиловал", "cyrillic", "sexual_violence"),  # Russian: my husband raped me
    ("муж забирает мою зарплату", "cyrillic", "economic_abuse"),  # Russian: takes my wages
])
def test_a_message_in_another_script_is_answered_plainly_with_its_kind_carried(
        text: str, script: str, topic: str | None) -> None:
    """Urdu, Bengali or Chinese got the long English next-steps answer, which asks the person
    to say more in English; now the short interpreter answer, and the services fit what the
    words told."""
    from bot.understanding.language import language_of

    assert language_of(text) == script
    reading = read_person(text, "forced_marriage", [{"name": "forced_marriage", "confidence": 0.6}])
    assert reading.intent == "find_support" and reading.other_language
    assert reading.audience.limited_english
    assert reading.topic == topic


@pytest.mark.parametrize("text", [
    "my husband Ahmed hits me", "😭😭😭", "he said يا حبيبتي then hit me", "ok", "我",
])
def test_latin_messages_emoji_and_single_characters_are_not_another_script(text: str) -> None:
    from bot.understanding.language import other_script

    assert other_script(text) is None


def test_words_of_one_language_are_not_read_in_another() -> None:
    from bot.understanding.other_language_topics import topic_in_language

    assert topic_in_language("necesito dinero para el autobús", "es") == "economic_abuse"
    assert topic_in_language("necesito dinero para el autobús", "tr") is None  # "para" is Turkish money
    assert topic_in_language("my husband hits me", None) is None


@pytest.mark.parametrize(("text", "speaker"), [
    ("my daughter takes my bank card and won't give it back", "self"),
    ("my grandson keeps asking for money and gets nasty if i say no", "self"),
    ("my son spends my pension and leaves me with nothing", "self"),
    # the person harmed is someone else: still a supporter
    ("my daughter's boyfriend takes all her money", "other"),
    ("my grandson says his girlfriend gets nasty when he says no", "other"),
])
def test_an_older_person_harmed_by_family_is_the_person_affected(text: str, speaker: str) -> None:
    assert speaker_of(text) == speaker


@pytest.mark.parametrize(("text", "intent", "answer"), [
    ("my ex keeps threatening to out me to my family", "harassment", "coercive_control"),
    ("im a gay man and my ex keeps threatening to out me to my family", "honour_based_abuse", "coercive_control"),
    ("my boyfriend says he'll tell my parents i'm trans if i leave", "honour_based_abuse", "coercive_control"),
    # the family itself punishing someone for being gay stays honour-based abuse
    ("my brothers beat me when they found out i'm gay and say i shamed the family", "honour_based_abuse", None),
])
def test_a_partner_threatening_to_out_someone_is_coercive_control(text: str, intent: str, answer: str | None) -> None:
    ranking = [{"name": intent, "confidence": 0.6}, {"name": "coercive_control", "confidence": 0.2}]
    assert read_person(text, intent, ranking).intent == answer


@pytest.mark.parametrize(("text", "speaker"), [
    ("my family are planning for me to marry my cousin back in bangladesh in the summer, i'm 19", "self"),
    ("my parents want to marry me off", "self"),
    ("my sister is being forced to marry", "other"),
    ("my friend says her parents are arranging her wedding", "other"),
    ("i really dont want to but i love my mum and dad", "self"),  # love for family is not worry
])
def test_a_marriage_planned_for_the_speaker_is_about_them(text: str, speaker: str) -> None:
    """"my family are planning for me to marry my cousin" was answered as a supporter."""
    from bot.understanding.speaker import speaker_of

    assert speaker_of(text) == speaker


@pytest.mark.parametrize(("text", "switched"), [
    ("actually it's me", True),
    ("ok it was me all along, there is no friend", True),
    # a supporter afraid of being known as the one who told
    ("will he find out it was me", False),
    ("will they know it was me who reported it?", False),
    ("i dont want her to think it was me that called", False),
])
def test_being_known_as_the_one_who_told_is_not_saying_it_happens_to_me(text: str, switched: bool) -> None:
    from bot.understanding.speaker import switches_to_self

    assert switches_to_self(text) is switched


@pytest.mark.parametrize(("text", "intent", "expected"), [
    ("\U0001f622", "out_of_scope", "find_support"),  # crying face
    ("\U0001f494\U0001f494", "nlu_fallback", "find_support"),  # broken hearts
    ("\U0001f44d", "affirm", None),  # a thumbs-up stays a yes
    ("\U0001f62d\U0001f52a", "out_of_scope", "immediate_danger"),  # crying and a knife: danger
])
def test_a_message_of_emoji_only_gets_the_next_steps(text: str, intent: str, expected: str | None) -> None:
    assert read_person(text, intent).intent == expected


@pytest.mark.parametrize(("text", "minoritised"), [
    ("im bengali and my husband hits me", True),
    ("my husband is pakistani and his family control everything", True),
    ("as a black woman i dont trust the police", True),
    ("he gave me a black eye", False),
    ("he took my black car", False),
    ("my husband hits me", False),
])
def test_a_community_by_and_for_services_serve(text: str, minoritised: bool) -> None:
    audience = audience_of(text, False)
    assert audience.minoritised is minoritised
    assert "minoritised" not in audience.tags()  # not an evaluation label
    assert (("minoritised", "yes") in set(read_person(text, "physical_abuse").entities())) is minoritised
