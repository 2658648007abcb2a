"""find_services: ranking, phone guarantee, audience filtering, places, confidentiality."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from sqlalchemy import select

from services_directory.boroughs import BOROUGHS
from services_directory.cli import search_payload
from services_directory.db import session_factory
from services_directory.models import Eligibility, Location, Service
from services_directory.search import NATIONAL_DA_HELPLINE_ID, find_services
from services_directory.vocabulary import AUDIENCES, TOPICS

SEED_PLACES = ["Lewisham", "Southwark", "Bexley", "Islington", "Hammersmith and Fulham",
               "Kensington and Chelsea", "Westminster"]


def ids(result) -> list[str]:
    return [card.id for card in result.services]


def test_main_service_and_topic_line_come_before_narrow_services(loaded_session):
    """Issue 13: the borough's main commissioned service and the topic's specialist line
    first, then narrower local services, the 24-hour helpline last."""
    cards = find_services(loaded_session, topic="stalking", place="Lewisham").services
    assert cards[0].id == "svc-lewisham-athena"  # Lewisham's commissioned service
    assert cards[0].main_service and cards[0].scope == "local" and cards[0].phone
    assert cards[1].id == "svc-national-stalking-helpline"
    # narrower services: Lewisham's own first, then London-wide
    assert [c.scope for c in cards[2:4]] == ["local", "london"]
    assert not any(c.main_service for c in cards[1:])
    assert cards[4].id == NATIONAL_DA_HELPLINE_ID
    assert cards[4].is_24_hours and cards[4].phone == "0808 2000 247"


def test_narrow_services_go_local_then_london_wide_between_the_lines(loaded_session):
    result = find_services(loaded_session, topic="trafficking_exploitation", place="Bexley",
                           limit=12)
    cards = result.services
    assert cards[-1].id == NATIONAL_DA_HELPLINE_ID
    line = ids(result).index("svc-national-modern-slavery-helpline")
    narrow = [c.scope for c in cards[line + 1:-1]]
    assert "london" in narrow
    assert narrow == sorted(narrow, key=["local", "london", "national"].index)
    assert all(c.scope == "local" for c in cards[:line])  # only the borough's own before it


def test_every_answer_has_a_phone_number(loaded_session):
    places = ["Lewisham", "Islington", "Westminster", "E1", "M1 1AE", "nowhere", None]
    for place in places:
        for topic in TOPICS:
            for audience in (None, *AUDIENCES):
                for limit in ((1, 5) if audience in (None, "men") else (5,)):
                    result = find_services(loaded_session, topic=topic, place=place, audience=audience,
                                           limit=limit)
                    assert 1 <= len(result.services) <= limit
                    assert any(c.phone for c in result.services), (place, topic, audience)


def test_neighbourhood_search_is_local(loaded_session):
    result = find_services(loaded_session, topic=None, place="Peckham")
    assert result.place.kind == "neighbourhood"
    assert result.services[0].scope == "local"
    assert result.services[0].area == "Southwark"


def test_ambiguous_outward_code_returns_candidates_and_no_local_guess(loaded_session):
    result = find_services(loaded_session, topic="domestic_abuse", place="E1 ")
    assert result.needs_borough_choice
    assert set(result.candidates) == {"Tower Hamlets", "City of London", "Hackney"}
    assert all(c.scope in ("london", "national") for c in result.services)
    assert any(c.phone for c in result.services)


def test_outside_london_gets_national_services_only(loaded_session):
    result = find_services(loaded_session, topic="forced_marriage", place="M1 1AE")
    assert result.outside_london and not result.needs_borough_choice
    assert result.services and all(c.scope == "national" for c in result.services)
    assert {"svc-national-forced-marriage-unit", "svc-national-karma-nirvana"} & set(ids(result))


def test_men_get_the_mens_advice_line_and_no_women_only_services(loaded_session):
    women_only = set(loaded_session.execute(
        select(Eligibility.service_id).where(Eligibility.gender == "female")).scalars())
    assert women_only
    for place in SEED_PLACES:
        for topic in (None, "physical_abuse", "coercive_control", "sexual_violence"):
            result = find_services(loaded_session, topic=topic, place=place, audience="men",
                                   limit=10)
            expected = ("svc-national-rape-crisis" if topic == "sexual_violence"
                        else "svc-national-mens-advice-line")
            assert expected in ids(result), (place, topic)
            assert not women_only & set(ids(result)), (place, topic)


def test_lgbt_older_and_children_get_their_own_national_line(loaded_session):
    # The research's Galop entry replaces the seed's (same number, newer public pages).
    assert "svc-national-galop-helpline" in ids(
        find_services(loaded_session, topic=None, place="Bexley", audience="lgbt_plus"))
    assert "svc-national-hourglass" in ids(
        find_services(loaded_session, topic=None, place="Islington", audience="older_people"))
    assert "svc-national-childline" in ids(
        find_services(loaded_session, topic=None, place="Lewisham", audience="children"))


def test_restricted_lines_are_not_shown_to_everyone(loaded_session):
    result = find_services(loaded_session, topic=None, place="Lewisham")
    assert not {"svc-national-mens-advice-line", "svc-national-galop",
                "svc-national-respect-phoneline"} & set(ids(result))


def test_help_to_stop_abusing_goes_to_perpetrator_services_only(loaded_session):
    for audience in (None, "perpetrators"):
        result = find_services(loaded_session, topic="perpetrator_help", place="Islington",
                               audience=audience)
        assert "svc-national-respect-phoneline" in ids(result)
        assert NATIONAL_DA_HELPLINE_ID not in ids(result)
        assert all("perpetrators" in c.audience for c in result.services)


def test_audience_never_filters_everything_away(loaded_session):
    for audience in AUDIENCES:
        result = find_services(loaded_session, topic="fgm", place="Westminster", audience=audience)
        assert result.services


def test_unknown_place_still_answers(loaded_session):
    result = find_services(loaded_session, topic="sexual_violence", place="somewhere")
    assert result.place.kind == "unknown"
    assert "svc-national-rape-crisis" in ids(result)


def test_inactive_services_are_not_offered(loaded_session):
    result = find_services(loaded_session, topic="fgm", place="Westminster", limit=20)
    assert "svc-triborough-fgm-service" not in ids(result)


@pytest.mark.parametrize(("topic", "audience"), [("nonsense", None), (None, "martians")])
def test_bad_vocabulary_is_a_caller_bug(loaded_session, topic, audience):
    with pytest.raises(ValueError):
        find_services(loaded_session, topic=topic, place="Lewisham", audience=audience)


def test_confidential_locations_are_never_exposed(loaded_session):
    secret_locations = loaded_session.execute(
        select(Location).where(Location.confidential)).scalars().all()
    assert secret_locations
    for place in [*SEED_PLACES, "London", None]:
        for topic in TOPICS:
            payload = json.dumps(search_payload(find_services(loaded_session, topic=topic, place=place,
                                                              limit=50)))
            for location in secret_locations:
                assert location.name not in payload
                assert location.id not in payload
    for field in ("address", "postal_code", "latitude", "location"):
        assert not any(field in name for name in
                       find_services(loaded_session, topic=None, place="Lewisham").services[0].__dict__)


def test_confidential_location_cannot_store_an_address(data_engine):
    from sqlalchemy.exc import IntegrityError

    with (session_factory(data_engine)() as session, pytest.raises(IntegrityError),
          session.begin()):
        session.add(Location(id="loc-test", name="Refuge", confidential=True,
                             address_1="1 Secret Street"))


def test_cards_carry_what_the_bot_needs(loaded_session):
    card = find_services(loaded_session, topic="stalking", place="Lewisham").services[1]
    assert card.name == "National Stalking Helpline"
    assert card.website == "https://suzylamplugh.org"
    assert card.area == "National"
    assert card.topics == ("stalking",)
    assert card.last_verified is None  # nobody has confirmed it yet
    assert card.description


def _give_a_number(maker, service_id: str, number: str = "020 7946 0000") -> None:
    """The seed CSVs give local services no way to reach them, and search never lists a
    service nobody can reach: tests of local services give them a (fictional) number."""
    from services_directory.models import Phone

    with maker() as session, session.begin():
        session.add(Phone(id=f"ph-test-{service_id}", service_id=service_id, number=number,
                          type="voice", source="test"))


def test_soft_deleted_services_disappear_from_search(data_engine):
    maker = session_factory(data_engine)
    _give_a_number(maker, "svc-lewisham-athena")
    with maker() as session:
        assert "svc-lewisham-athena" in ids(find_services(session, topic="stalking",
                                                          place="Lewisham"))
    with maker() as session, session.begin():
        session.get(Service, "svc-lewisham-athena").deleted_at = datetime(2026, 11, 22)
    with maker() as session:
        assert "svc-lewisham-athena" not in ids(find_services(session, topic="stalking",
                                                              place="Lewisham"))
    with maker() as session, session.begin():
        session.get(Service, "svc-lewisham-athena").deleted_at = None
    with maker() as session:
        assert "svc-lewisham-athena" in ids(find_services(session, topic="stalking",
                                                          place="Lewisham"))


def test_phone_guarantee_survives_losing_the_helpline(data_engine):
    maker = session_factory(data_engine)
    with maker() as session, session.begin():
        session.get(Service, NATIONAL_DA_HELPLINE_ID).deleted_at = datetime(2026, 11, 22)
    with maker() as session:
        for topic in TOPICS:
            result = find_services(session, topic=topic, place="Lewisham")
            assert any(c.phone for c in result.services), (topic, result.services)
            assert NATIONAL_DA_HELPLINE_ID not in ids(result)


def test_all_boroughs_answer(loaded_session):
    for borough in BOROUGHS:
        result = find_services(loaded_session, topic=None, place=borough.name)
        assert result.place.kind == "borough"
        assert result.services


def test_search_index_follows_orm_edits(data_engine):
    """What the admin does through the ORM must show in search without a manual reindex."""
    from services_directory.models import Phone, ServiceTaxonomy

    maker = session_factory(data_engine)
    with maker() as session:  # the seed gives it no way to reach it: not listed
        assert "svc-lewisham-family-thrive" not in ids(
            find_services(session, topic=None, place="Lewisham", limit=20))
    with maker() as session, session.begin():
        session.add(Phone(id="ph-test", service_id="svc-lewisham-family-thrive",
                          number="020 7946 0000", type="voice", source="test",
                          last_verified=datetime(2026, 11, 22).date()))
    with maker() as session:
        first = find_services(session, topic=None, place="Lewisham").services[0]
        assert (first.id, first.phone) == ("svc-lewisham-family-thrive", "020 7946 0000")
    with maker() as session, session.begin():
        session.get(Service, "svc-lewisham-athena").url = "https://www.refuge.org.uk"
    with maker() as session:
        assert "svc-lewisham-athena" in ids(
            find_services(session, topic="stalking", place="Lewisham", limit=20))
    with maker() as session, session.begin():
        link = session.execute(select(ServiceTaxonomy).where(
            ServiceTaxonomy.service_id == "svc-lewisham-athena",
            ServiceTaxonomy.taxonomy_term_id == "topic-stalking")).scalar_one()
        session.delete(link)
    with maker() as session:
        result = find_services(session, topic="stalking", place="Lewisham", limit=20)
        assert "svc-lewisham-athena" in ids(result)  # still a general DA service
        assert result.services[0].id != "svc-lewisham-athena"
        assert "stalking" not in next(c for c in result.services
                                      if c.id == "svc-lewisham-athena").topics


def test_every_new_session_factory_keeps_the_index_in_sync(data_engine):
    """Regression: hooks were once skipped for some new sessionmakers (id reuse)."""
    import gc

    from sqlalchemy import func

    from services_directory.models import ServiceSearch

    def indexed() -> int:
        with session_factory(data_engine)() as session:
            return session.execute(select(func.count()).select_from(ServiceSearch).where(
                ServiceSearch.service_id == "svc-national-hourglass")).scalar_one()

    for round_number in range(12):
        maker = session_factory(data_engine)
        with maker() as session, session.begin():
            service = session.get(Service, "svc-national-hourglass")
            service.deleted_at = None if service.deleted_at else datetime(2026, 11, 22)
        assert (indexed() == 0) == (round_number % 2 == 0), round_number
        del maker
        gc.collect()


def test_cards_carry_opening_hours_in_the_directorys_words(loaded_session) -> None:
    result = find_services(loaded_session, topic="stalking", place="Lewisham")
    helpline = next(c for c in result.services if c.name == "National Domestic Abuse Helpline")
    assert helpline.hours == "Open 24 hours"


def _women_only(session) -> set[str]:
    return set(session.execute(
        select(Eligibility.service_id).where(Eligibility.gender == "female")).scalars())


def test_the_asker_fits_search_to_the_person_in_every_borough(loaded_session):
    """Issue 13: what the bot says about the person reaches search, in every borough."""
    from services_directory.asker import Asker

    women_only = _women_only(loaded_session)
    men_lines = {"svc-national-mens-advice-line", "svc-national-mankind-initiative"}
    for borough in BOROUGHS:
        man = ids(find_services(loaded_session, topic=None, place=borough.name,
                                asker=Asker(gender="male")))
        assert men_lines <= set(man), borough.name
        assert not women_only & set(man), borough.name
        child = ids(find_services(loaded_session, topic=None, place=borough.name,
                                  asker=Asker(age_group="under_13")))
        assert "svc-national-childline" in child, borough.name
        older = ids(find_services(loaded_session, topic=None, place=borough.name,
                                  asker=Asker(age_group="older")))
        assert "svc-national-hourglass" in older, borough.name
        lgbt = ids(find_services(loaded_session, topic=None, place=borough.name,
                                 asker=Asker(lgbt_plus=True)))
        assert "svc-national-galop-helpline" in lgbt, borough.name


def test_no_one_is_left_with_only_services_they_cannot_use(loaded_session):
    """Whatever the topic, every card is open to the person, and one has a number."""
    from services_directory.asker import AGE_RANGES, Asker

    askers = [Asker(gender="male"), Asker(gender="male", age_group="under_18"),
              Asker(gender="female", age_group="older", deaf=True),
              Asker(age_group="under_13"), Asker(role="supporter", gender="male"),
              Asker(gender="female", nrpf=True), Asker(role="own_behaviour")]
    elig = {row.service_id: row for row in loaded_session.execute(
        select(Eligibility)).scalars()}
    for place in ("Croydon", "Lewisham", "Hounslow", "Westminster"):
        for topic in TOPICS:
            for asker in askers:
                cards = find_services(loaded_session, topic=topic, place=place,
                                      asker=asker).services
                assert any(card.phone for card in cards), (place, topic, asker)
                for card in cards:
                    rule = elig.get(card.id)
                    if rule is None:
                        continue
                    if asker.gender is not None:  # unknown gender: nothing to rule out
                        assert rule.gender in (None, asker.gender), (card.id, asker)
                    low, high = AGE_RANGES.get(asker.age_group or "", (None, None))
                    if low is not None:
                        assert rule.maximum_age is None or rule.maximum_age >= low, card.id
                        assert rule.minimum_age is None or rule.minimum_age <= high, card.id


def test_a_supporter_sees_what_the_person_they_worry_about_could_use(loaded_session):
    """A friend worried about someone in Lewisham is told about Lewisham's service. For a
    supporter the Asker describes the person they worry about (the bot reads it from words about
    that person): worried about a brother, the men's lines; about a sister, never them."""
    from services_directory.asker import Asker

    friend = ids(find_services(loaded_session, topic=None, place="Lewisham",
                               asker=Asker(role="supporter")))
    assert friend[0] == "svc-lewisham-athena"
    mens_lines = {"svc-national-mens-advice-line", "svc-national-mankind-initiative"}
    about_a_man = ids(find_services(loaded_session, topic=None, place="Lewisham",
                                    asker=Asker(role="supporter", gender="male")))
    assert mens_lines & set(about_a_man)
    about_a_woman = ids(find_services(loaded_session, topic=None, place="Lewisham",
                                      asker=Asker(role="supporter", gender="female")))
    assert "svc-lewisham-athena" in about_a_woman and not mens_lines & set(about_a_woman)


def test_a_child_is_not_sent_to_adult_womens_services(loaded_session):
    from services_directory.asker import Asker

    adult_words = {"women", "men", "migrant_women", "pregnant_women"}
    adult_only = {
        row.service_id for row in loaded_session.execute(select(Eligibility)).scalars()
        if row.minimum_age is None
        and not {"children", "young_people"} & set((row.audiences or "").split(";"))
        and (row.gender is not None or adult_words & set((row.audiences or "").split(";")))}
    assert adult_only
    for borough in BOROUGHS:
        for topic in (None, "sexual_violence", "forced_marriage"):
            child = ids(find_services(loaded_session, topic=topic, place=borough.name,
                                      asker=Asker(age_group="under_13")))
            assert "svc-national-childline" in child, (borough.name, topic)
            assert not adult_only & set(child), (borough.name, topic)


def test_a_gay_man_hears_of_galop_and_the_mens_advice_line_even_in_a_short_answer(loaded_session):
    """Both of his groups have a line made for them; the most specific (LGBT+) comes first."""
    from services_directory.asker import Asker

    shown = ids(find_services(loaded_session, topic="economic_abuse", place=None,
                              asker=Asker(gender="male", lgbt_plus=True), limit=3))
    assert shown[:2] == ["svc-national-galop-helpline", "svc-national-mens-advice-line"]
    assert "svc-national-domestic-abuse-helpline" in shown


@pytest.mark.parametrize("topic", ["coercive_control", "physical_abuse", None])
def test_services_open_to_everyone_come_before_those_for_one_community(loaded_session, topic):
    """Issue 13: a woman in a borough with no local service of its own, who has said nothing
    about herself, is first shown London-wide services open to every woman; services run by
    and for Black and minoritised women, migrant women or women who sell sex come after
    them, and are still shown when there is room."""
    from services_directory.search_index import community_ranked

    for place in ("Ealing", "Hounslow", None):
        cards = find_services(loaded_session, topic=topic, place=place, limit=8).services
        london = [card for card in cards if card.scope == "london"]
        community = [any(word in card.audience for word in
                         ("black_and_minoritised", "migrant_women", "sex_workers"))
                     for card in london]
        assert community and not community[0], (place, [c.id for c in london])
        assert community == sorted(community), (place, [c.id for c in london])
    assert community_ranked(10_500 + 3) and not community_ranked(10_000 + 99)


def test_one_community_service_for_someone_who_has_not_said_they_belong(loaded_session):
    """A Romanian woman in Ealing was offered Ashiana, Southall Black Sisters and IKWRO, and a
    woman whose partner takes her wages Women at the Well (for women who sell sex): someone who
    has said nothing about herself now sees one by-and-for service, after the open ones, and
    none for women who sell sex unless the topic is sexual exploitation."""
    from services_directory.asker import Asker

    def community_cards(topic, asker=None):
        cards = find_services(loaded_session, topic=topic, place="Ealing", asker=asker, limit=10).services
        return [card for card in cards if any(word in card.audience for word in
                                              ("black_and_minoritised", "migrant_women", "sex_workers"))]

    for topic in ("coercive_control", "economic_abuse", None):
        shown = community_cards(topic, Asker(gender="female"))
        assert len(shown) <= 1, [c.id for c in shown]
        assert all("sex_workers" not in card.audience or "black_and_minoritised" in card.audience
                   or "migrant_women" in card.audience for card in shown)
    # a woman with no recourse to public funds, little English, or of a community they serve, sees them all
    for asker in (Asker(gender="female", nrpf=True), Asker(gender="female", limited_english=True),
                  Asker(gender="female", minoritised=True)):
        assert len(community_cards("coercive_control", asker)) >= 2
    # sexual exploitation: the service for women who sell sex may be shown
    exploited = community_cards("trafficking_exploitation", Asker(gender="female"))
    assert any("sex_workers" in card.audience for card in exploited), [c.id for c in exploited]


def test_a_young_persons_image_routes_are_theirs_and_the_adults_helpline_is_not(loaded_session):
    """The Revenge Porn Helpline supports adults only (its page, sourced-facts section 23): a
    15-year-old whose pictures are threatened is shown CEOP's Safety Centre beside Childline,
    and an adult still gets the helpline."""
    from services_directory.asker import Asker

    young = ids(find_services(loaded_session, topic="tech_abuse", place="Croydon",
                              asker=Asker(gender="female", age_group="under_18")))
    assert "svc-national-revenge-porn-helpline" not in young
    assert {"svc-national-ceop-safety-centre", "svc-national-childline"} <= set(young)
    adult = ids(find_services(loaded_session, topic="tech_abuse", place="Croydon",
                              asker=Asker(gender="female", age_group="adult")))
    assert "svc-national-revenge-porn-helpline" in adult
    assert not {"svc-national-ceop-safety-centre", "svc-national-report-remove"} & set(adult)


def test_a_card_that_only_repeats_a_shown_website_is_left_out(loaded_session):
    """Solace Women's Aid gives no number, and its website is the Solace Advice Line's."""
    result = find_services(loaded_session, topic="physical_abuse", place="Lewisham")
    shown = ids(result)
    assert "svc-london-solace-advice-line" in shown
    assert "svc-london-solace-womens-aid" not in shown
    for place in ("Lewisham", "Hackney", "Ealing", "Croydon", None):
        for topic in TOPICS:
            cards = find_services(loaded_session, topic=topic, place=place).services
            phoned_sites = {card.website for card in cards if card.phones}
            assert not [card.id for card in cards if not (card.phones or card.email or card.form_url)
                        and card.website in phoned_sites], (place, topic)
