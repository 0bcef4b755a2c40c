"""Roles read from sentence structure, on sentences written for the purpose."""

from __future__ import annotations

import re

import pytest
from spacy.language import Language

from geo.models import Article, Feature, GazetteerEntry, Mention, MentionKind, Place, Role
from geo.nlp import load_nlp
from geo.roles import RoleReading, block_spans, cue_kinds, cue_stretches, read_roles

# name: (id, feature, country, lat, lon, kind, cue) -- invented rows, test data only.
ENTRIES = {
    "Hamedan": ("t:hamedan", Feature.AIRBASE, "IR", 35.2, 48.6),
    "Hmeimim": ("t:hmeimim", Feature.AIRBASE, "SY", 35.4, 35.9),
    "Aleppo": ("t:aleppo", Feature.CITY, "SY", 36.2, 37.2),
    "Idlib": ("t:idlib", Feature.CITY, "SY", 35.9, 36.6),
    "Homs": ("t:homs", Feature.CITY, "SY", 34.7, 36.7),
    "al-Bab": ("t:bab", Feature.CITY, "SY", 36.4, 37.5),
    "Astana": ("t:astana", Feature.CITY, "KZ", 51.2, 71.4),
    "Tehran": ("t:tehran", Feature.CITY, "IR", 35.7, 51.4),
    "Moscow": ("t:moscow", Feature.CITY, "RU", 55.8, 37.6),
    "Raqqa": ("t:raqqa", Feature.CITY, "SY", 35.9, 39.0),
    "Iraq": ("t:IQ", Feature.COUNTRY, "IQ", 33.0, 44.0),
    "Iraqi": ("t:IQ", Feature.COUNTRY, "IQ", 33.0, 44.0),
    "Iranian": ("t:IR", Feature.COUNTRY, "IR", 32.0, 53.0),
    "Syria": ("t:SY", Feature.COUNTRY, "SY", 35.0, 38.0),
}
DEMONYMS = {"Iraqi", "Iranian"}


def make_places(doc_id: str, text: str, cues: dict[str, str] | None = None) -> list[Place]:
    """A Place for every occurrence of a known name, as the resolver would give them."""
    places = []
    for name, (gid, feature, country, lat, lon) in ENTRIES.items():
        for match in re.finditer(rf"(?<![\w-]){re.escape(name)}(?!\w)", text):
            entry = GazetteerEntry(gid, name, lat, lon, country, feature)
            kind = MentionKind.DEMONYM if name in DEMONYMS else MentionKind.TOPONYM
            cue = (cues or {}).get(name, "")
            mention = Mention(doc_id, match.start(), match.end(), name, kind, cue=cue)
            places.append(Place(mention, entry, 0.9))
    return sorted(places, key=lambda p: p.mention.start)


@pytest.fixture(scope="module")
def nlp() -> Language:
    return load_nlp()


def roles_of(nlp: Language, text: str, cues: dict[str, str] | None = None
             ) -> dict[str, RoleReading]:
    article = Article("t1", text)
    readings = read_roles([article], make_places("t1", text, cues), nlp)
    return {r.place.mention.text: r for r in readings}


def role_names(nlp: Language, text: str, cues: dict[str, str] | None = None) -> dict[str, Role]:
    return {name: reading.role.role for name, reading in roles_of(nlp, text, cues).items()}


def roles_with(nlp: Language, text: str, entry: GazetteerEntry) -> dict[str, Role]:
    """The roles of the known names and of ``entry``'s name (its first occurrence)."""
    start = text.index(entry.name)
    extra = Place(Mention("t1", start, start + len(entry.name), entry.name), entry, 0.9)
    places = sorted([*make_places("t1", text), extra], key=lambda p: p.mention.start)
    return {r.place.mention.text: r.role.role
            for r in read_roles([Article("t1", text)], places, nlp)}


def test_active_voice_took_off_from_to_strike(nlp: Language) -> None:
    roles = role_names(nlp, "Bombers took off from Hamedan to strike Aleppo and Idlib.")
    assert roles == {"Hamedan": Role.BASE, "Aleppo": Role.TARGET, "Idlib": Role.TARGET}


def test_passive_voice_struck_by_bombers_based_at(nlp: Language) -> None:
    roles = role_names(nlp, "Aleppo was struck by bombers based at Hamedan.")
    assert roles == {"Aleppo": Role.TARGET, "Hamedan": Role.BASE}


def test_passive_with_list_and_flying_from(nlp: Language) -> None:
    roles = role_names(nlp, "Idlib and Aleppo were bombed by Russian jets flying from Hamedan.")
    assert roles == {"Idlib": Role.TARGET, "Aleppo": Role.TARGET, "Hamedan": Role.BASE}


def test_jets_stationed_at_x_hit_y(nlp: Language) -> None:
    roles = role_names(nlp, "Jets stationed at Hmeimim hit al-Bab on Monday.")
    assert roles == {"Hmeimim": Role.BASE, "al-Bab": Role.TARGET}


def test_strikes_on_noun_cue(nlp: Language) -> None:
    roles = role_names(nlp, "Russian jets based in Hmeimim carried out strikes on Homs.")
    assert roles == {"Hmeimim": Role.BASE, "Homs": Role.TARGET}


def test_talks_venue_and_capital_are_mentions(nlp: Language) -> None:
    text = ("The talks were held in Astana while Russian bombers struck Homs. "
            "Moscow said its jets had hit Raqqa.")
    roles = role_names(nlp, text)
    assert roles["Astana"] is Role.MENTION
    assert roles["Moscow"] is Role.MENTION
    assert roles["Homs"] is Role.TARGET
    assert roles["Raqqa"] is Role.TARGET


def test_flew_over_and_airspace_are_transit(nlp: Language) -> None:
    assert role_names(nlp, "The Russian planes flew over Iraq.") == {"Iraq": Role.TRANSIT}
    assert role_names(nlp, "The bombers crossed Iraqi airspace.") == {"Iraqi": Role.TRANSIT}


def test_locator_is_not_the_base(nlp: Language) -> None:
    text = "The bombing runs from a base near Hamedan, 175 miles southwest of Tehran, began."
    roles = role_names(nlp, text)
    assert roles["Hamedan"] is Role.BASE
    assert roles["Tehran"] is Role.MENTION


def test_province_beside_a_town_only_qualifies_it(nlp: Language) -> None:
    text = "IS was targeted in the suburbs of the town of al-Bab, Aleppo province."
    roles = role_names(nlp, text)
    assert roles["al-Bab"] is Role.TARGET
    assert roles["Aleppo"] is Role.MENTION


def test_people_based_somewhere_are_no_air_base(nlp: Language) -> None:
    roles = role_names(nlp, "Officials warned American commanders based in Iraq.")
    assert roles == {"Iraq": Role.MENTION}


def test_demonym_before_air_base_is_the_base_country(nlp: Language) -> None:
    text = "Russian warplanes took off from an Iranian air base to strike Aleppo."
    roles = role_names(nlp, text)
    assert roles == {"Iranian": Role.BASE, "Aleppo": Role.TARGET}


def test_demonym_on_a_strike_is_the_striker(nlp: Language) -> None:
    assert role_names(nlp, "Iraqi airstrikes on Aleppo killed dozens.") == {
        "Iraqi": Role.MENTION, "Aleppo": Role.TARGET}


def test_supporting_jets_are_read_as_support(nlp: Language) -> None:
    readings = roles_of(nlp, "Fighter jets from Hmeimim supported the bombers.")
    assert readings["Hmeimim"].role.role is Role.BASE
    assert readings["Hmeimim"].support


def test_evidence_is_the_sentence_with_exact_offsets(nlp: Language) -> None:
    text = "Talks went on in Astana.\nLater, bombers took off from Hamedan. They struck Homs."
    readings = roles_of(nlp, text)
    evidence = readings["Hamedan"].role.evidence
    assert evidence is not None
    assert text[evidence.start:evidence.end] == evidence.sentence
    assert evidence.sentence == "Later, bombers took off from Hamedan."
    assert "from" in evidence.cue
    first, second = readings["Hamedan"].sentence, readings["Homs"].sentence
    assert first is not None and second is not None
    assert first.paragraph == second.paragraph and first.index < second.index


def test_blocks_keep_to_the_body_and_skip_blank_lines() -> None:
    text = "MENU\n\nBombers struck Homs.\n\nComment form"
    article = Article("t1", text, body=((6, 26),))
    assert [text[s:e] for s, e in block_spans(article)] == ["Bombers struck Homs."]


def test_unresolved_places_get_no_role(nlp: Language) -> None:
    text = "Bombers struck Homs."
    place = make_places("t1", text)[0]
    unresolved = Place(place.mention, None, 0.0)
    assert read_roles([Article("t1", text)], [unresolved], nlp) == ()


def test_cue_table_lemmas(nlp: Language) -> None:
    doc = nlp("Warplanes have taken off from Iranian bases.")
    kinds = {t.text: cue_kinds(t) for t in doc}
    assert kinds["taken"] and kinds["bases"] and kinds["Warplanes"]


# What is not a strike yields no base or target (geo.roles, "What is not a strike").
@pytest.mark.parametrize(("text", "name", "why"), [
    ("Four bombers were deployed from Hamedan to Hmeimim on Wednesday.", "Hamedan",
     "relocation"),
    ("Four bombers were deployed from Hamedan to Hmeimim on Wednesday.", "Hmeimim",
     "relocation"),
    ("Russia has moved its bombers from Hmeimim to Hamedan.", "Hmeimim", "relocation"),
    ("The jets returned to Hmeimim after the raid.", "Hmeimim", "return"),
    ("The bombers landed back at Hamedan on Tuesday morning.", "Hamedan", "return"),
    ("Fighters were scrambled from Hmeimim to intercept two drones.", "Hmeimim",
     "interception"),
    ("From there the bombers could strike Aleppo within hours.", "Aleppo", "hypothetical"),
    ("Moscow asked whether its jets could strike Raqqa.", "Raqqa", "hypothetical"),
    ("The missiles may have been fired at Homs.", "Homs", "hypothetical"),
])
def test_no_strike_gives_a_mention(nlp: Language, text: str, name: str, why: str) -> None:
    reading = roles_of(nlp, text)[name]
    assert reading.role.role is Role.MENTION
    assert reading.role.evidence is not None and reading.role.evidence.cue.startswith(why)


def test_request_to_strike_is_no_target(nlp: Language) -> None:
    text = "Moscow planned to bomb Raqqa from Hamedan, officials said."
    roles = role_names(nlp, text)
    assert roles["Raqqa"] is Role.MENTION and roles["Hamedan"] is Role.MENTION


def test_a_real_strike_beside_a_modal_in_another_clause(nlp: Language) -> None:
    text = "Jets from Hmeimim struck Idlib on Monday, and officials said more raids would follow."
    roles = role_names(nlp, text)
    assert roles["Hmeimim"] is Role.BASE and roles["Idlib"] is Role.TARGET


def test_escort_stays_a_supporting_base(nlp: Language) -> None:
    reading = roles_of(nlp, "Fighter jets from Hmeimim escorted the bombers over Idlib.")
    assert reading["Hmeimim"].role.role is Role.BASE and reading["Hmeimim"].support


def test_fired_at_makes_a_target_and_a_launcher_places_the_launch(nlp: Language) -> None:
    roles = roles_of(nlp, "Two destroyers in the Mediterranean fired cruise missiles at Homs.",
                     None)
    assert roles["Homs"].role.role is Role.TARGET
    with_sea = {"Mediterranean": ("t:med", Feature.REGION, "", 35.0, 18.0)}
    ENTRIES.update(with_sea)
    try:
        roles = roles_of(nlp, "Two destroyers in the Mediterranean fired missiles at Homs.")
    finally:
        for key in with_sea:
            ENTRIES.pop(key)
    assert roles["Mediterranean"].role.role is Role.BASE
    assert roles["Homs"].role.role is Role.TARGET


def test_a_base_named_in_a_strike_is_struck(nlp: Language) -> None:
    text = "Missiles were fired at the Hmeimim air base, which hosts Russian jets."
    assert role_names(nlp, text, {"Hmeimim": "airbase"})["Hmeimim"] is Role.TARGET


def test_bombed_parsed_as_a_modifier_still_strikes(nlp: Language) -> None:
    text = "Jets took off from Hmeimim and bombed rebel positions near Idlib, a group said."
    roles = role_names(nlp, text)
    assert roles["Hmeimim"] is Role.BASE and roles["Idlib"] is Role.TARGET


def test_file_photo_caption_is_not_read(nlp: Language) -> None:
    text = ("Jets strike al-Bab\n"
            "File photo: a jet takes off from Hmeimim in 2016.\n"
            "Jets struck al-Bab on Tuesday.\n")
    roles = roles_of(nlp, text)
    assert roles["Hmeimim"].role.role is Role.MENTION and roles["Hmeimim"].sentence is None


def test_caption_of_the_operation_itself_is_read(nlp: Language) -> None:
    text = "Caption: a bomber during an air strike over Aleppo on Tuesday.\n"
    assert role_names(nlp, text)["Aleppo"] is Role.TARGET


def test_only_cue_sentences_are_parsed() -> None:
    text = "Talks were held in Astana. Jets took off from Hmeimim. The weather was fine."
    stretches = cue_stretches(text, 0, len(text))
    assert [text[s:e] for s, e in stretches] == ["Jets took off from Hmeimim."]


def test_place_outside_cue_sentences_is_a_mention_without_parse(nlp: Language) -> None:
    text = "Talks were held in Astana on Monday. Jets struck Idlib later."
    roles = roles_of(nlp, text)
    assert roles["Astana"].role.role is Role.MENTION and roles["Astana"].sentence is None
    assert roles["Idlib"].role.role is Role.TARGET


def test_named_warships_place_the_launch_at_their_sea(nlp: Language) -> None:
    with_sea = {"Mediterranean": ("t:med", Feature.REGION, "", 34.5, 33.0)}
    ENTRIES.update(with_sea)
    try:
        roles = roles_of(nlp, "The USS Porter and USS Ross in the Mediterranean fired 59 "
                              "missiles at Homs.")
        idle = roles_of(nlp, "The USS Porter sailed in the Mediterranean on Monday.")
    finally:
        for key in with_sea:
            ENTRIES.pop(key)
    assert roles["Mediterranean"].role.role is Role.BASE
    assert roles["Homs"].role.role is Role.TARGET
    assert idle["Mediterranean"].role.role is Role.MENTION


@pytest.mark.parametrize(("text", "expected"), [
    ("A ballistic missile from Iraq targeted Homs on Sunday.",
     {"Iraq": Role.BASE, "Homs": Role.TARGET}),
    ("The raid originated from Hamedan, and the bombs hit Raqqa.",
     {"Hamedan": Role.BASE, "Raqqa": Role.TARGET}),
    ("Jets struck 60 targets, including Aleppo and Idlib.",
     {"Aleppo": Role.TARGET, "Idlib": Role.TARGET}),
])
def test_more_launch_constructions(nlp: Language, text: str, expected: dict[str, Role]) -> None:
    roles = role_names(nlp, text)
    assert {name: roles[name] for name in expected} == expected


@pytest.mark.parametrize(("text", "expected"), [
    # a nation's adjective or name on what flew or struck says whose, not from where
    ("The drones were fired from an Iranian frigate off Homs.",
     {"Iranian": Role.MENTION}),
    ("Iraq's missiles were launched at Idlib overnight.",
     {"Iraq": Role.MENTION, "Idlib": Role.TARGET}),
    ("The Syria strike hit Raqqa at dawn.", {"Syria": Role.MENTION, "Raqqa": Role.TARGET}),
    # ... but an adjective on a base still places the base, and "Iranian targets" are struck
    ("Jets took off from an Iranian base and hit Aleppo.",
     {"Iranian": Role.BASE, "Aleppo": Role.TARGET}),
    ("Bombers from Hamedan struck Iranian targets near Tehran.",
     {"Hamedan": Role.BASE, "Iranian": Role.TARGET}),
])
def test_an_owner_is_no_origin(nlp: Language, text: str, expected: dict[str, Role]) -> None:
    roles = role_names(nlp, text)
    assert {name: roles[name] for name in expected} == expected


@pytest.mark.parametrize(("text", "expected"), [
    # the struck place hangs under the origin phrase in the parse: its own "against" wins
    ("Cruise missiles were launched from the waters of the Raqqa reservoir against the "
     "Aleppo plant that builds engines.", {"Raqqa": Role.BASE, "Aleppo": Role.TARGET}),
    ("The strikes were aimed at the Hmeimim air base in Syria.", {"Hmeimim": Role.TARGET}),
    ("The bombers destroyed three command posts in Idlib and al-Bab.",
     {"Idlib": Role.TARGET, "al-Bab": Role.TARGET}),
    ("Crews are on standby to start bombing Raqqa from Hmeimim.",
     {"Raqqa": Role.MENTION, "Hmeimim": Role.MENTION}),
])
def test_more_strike_constructions(nlp: Language, text: str, expected: dict[str, Role]) -> None:
    roles = role_names(nlp, text)
    assert {name: roles[name] for name in expected} == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("A terrorist bombing at a club in Aleppo killed two soldiers.", {"Aleppo": Role.MENTION}),
    ("Officials can confirm the base was attacked by missiles originating from Iraq.",
     {"Iraq": Role.BASE}),
    ("Six bombers took off and headed to the base Hamedan.", {"Hamedan": Role.MENTION}),
    ("The airstrikes were carried out on Idlib and seven other towns.",
     {"Idlib": Role.TARGET}),
])
def test_what_the_sentence_around_a_cue_changes(nlp: Language, text: str,
                                                expected: dict[str, Role]) -> None:
    roles = role_names(nlp, text)
    assert {name: roles[name] for name in expected} == expected


def test_aircraft_that_left_a_base_flew_from_it(nlp: Language) -> None:
    roles = role_names(nlp, "Twelve F-111s left Hmeimim at dusk and struck Raqqa.")
    assert roles == {"Hmeimim": Role.BASE, "Raqqa": Role.TARGET}


def test_the_base_a_flight_left_is_the_articles_one_airfield(nlp: Language) -> None:
    text = ("Two jets took off from the air base that was hit by missiles and struck Raqqa.\n"
            "The strike on Hmeimim air base had damaged its shelters.")
    readings = read_roles([Article("t1", text)], make_places("t1", text, {"Hmeimim": "airbase"}),
                          nlp)
    bases = [r for r in readings if r.role.role is Role.BASE]
    assert [r.place.mention.text for r in bases] == ["Hmeimim"]
    assert bases[0].sentence is not None and "Raqqa" in bases[0].sentence.text
    jets = "Jets from this base bombed Raqqa.\nThe Hmeimim air base lies near the coast."
    readings_jets = read_roles([Article("t3", jets)], make_places(
        "t3", jets, {"Hmeimim": "airbase"}), nlp)
    assert any(r.role.role is Role.BASE and r.sentence is not None and "Raqqa" in r.sentence.text
               for r in readings_jets)
    # with two airfields named, "the base" is not guessed
    text2 = text + "\nHamedan air base was quiet."
    readings2 = read_roles([Article("t2", text2)], make_places(
        "t2", text2, {"Hmeimim": "airbase", "Hamedan": "airbase"}), nlp)
    assert not any(r.role.role is Role.BASE and "Raqqa" in (r.sentence.text if r.sentence
                                                             else "") for r in readings2)


def test_what_the_targets_included_is_struck(nlp: Language) -> None:
    roles = role_names(nlp, "Jets flew from Hmeimim. The targets included depots and an "
                            "airport in Idlib.")
    assert roles["Idlib"] is Role.TARGET and roles["Hmeimim"] is Role.BASE


def test_a_second_struck_base_after_a_relative_clause_is_struck(nlp: Language) -> None:
    roles = role_names(nlp, "Iraq fired missiles at the Hmeimim air base in Syria, which "
                            "hosts Russian troops, and at a base near Aleppo, officials said.",
                       {"Hmeimim": "airbase"})
    assert roles["Hmeimim"] is Role.TARGET and roles["Aleppo"] is Role.TARGET


@pytest.mark.parametrize(("text", "expected"), [
    ("The missiles landed at Hmeimim, officials said.", {"Hmeimim": Role.TARGET}),
    ("A drone crashed and exploded in Homs.", {"Homs": Role.TARGET}),
    ("Debris of a drone fell near Aleppo.", {"Aleppo": Role.TARGET}),
    ("Two bombers landed at Hmeimim.", {"Hmeimim": Role.BASE}),  # aircraft land at a base
    # the parse hangs the landing under the firing; the missiles still came down there
    ("Rockets fired from Iraq landed near Homs on Sunday.",
     {"Iraq": Role.BASE, "Homs": Role.TARGET}),
    ("Missiles fired from Iraq landed near Homs overnight, the army said.",  # as a conj
     {"Iraq": Role.BASE, "Homs": Role.TARGET}),
])
def test_where_a_missile_or_drone_came_down_is_struck(nlp: Language, text: str,
                                                     expected: dict[str, Role]) -> None:
    assert role_names(nlp, text) == expected


def test_targets_struck_from_a_ship_say_so(nlp: Language) -> None:
    readings = roles_of(nlp, "Navy aircraft attacked Homs; bombers from Hamedan hit Aleppo.")
    assert readings["Homs"].role.role is Role.TARGET and readings["Homs"].carrier
    assert readings["Aleppo"].role.role is Role.TARGET and not readings["Aleppo"].carrier
    assert roles_of(nlp, "Jets from the aircraft carrier struck Idlib.")["Idlib"].carrier


@pytest.mark.parametrize(("text", "expected"), [
    # a bomb left in a venue is no air strike; the jets' strike still is
    ("The bombing of a nightclub in Homs killed two, and jets from Hmeimim then struck "
     "Aleppo.", {"Homs": Role.MENTION, "Hmeimim": Role.BASE, "Aleppo": Role.TARGET}),
    # sent from a base and then striking is a sortie from it; sent from X to Y a move
    ("Four jets were deployed from Hmeimim and struck Aleppo.",
     {"Hmeimim": Role.BASE, "Aleppo": Role.TARGET}),
    ("Four jets were deployed from Hmeimim to Hamedan.",
     {"Hmeimim": Role.MENTION, "Hamedan": Role.MENTION}),
    # a comparison tells of no flight
    ("The raid was a flight equivalent to flying from Hamedan to bomb Aleppo.",
     {"Hamedan": Role.MENTION, "Aleppo": Role.MENTION}),
    # a squadron flies from its base as its aircraft do
    ("An air squadron from Hmeimim struck Idlib.", {"Hmeimim": Role.BASE, "Idlib": Role.TARGET}),
    # "tens of missiles at X": the "at" hangs on the missiles, the launch took it
    ('The army has launched "tens" of missiles at Homs.', {"Homs": Role.TARGET}),
])
def test_strike_constructions_of_real_reports(nlp: Language, text: str,
                                              expected: dict[str, Role]) -> None:
    assert role_names(nlp, text) == expected


def test_launching_an_attack_from_an_area_is_a_launch_from_it(nlp: Language) -> None:
    reading = roles_of(nlp, "Bombers launched the attack from Iraq.")["Iraq"]
    assert reading.role.role is Role.BASE and reading.role.confidence == 0.9


def test_a_province_that_a_named_district_lies_in_only_qualifies_it(nlp: Language) -> None:
    text = "Jets struck positions in the Idlib District of Latakia."
    province = GazetteerEntry("t:latakia", "Latakia", 35.6, 36.0, "SY", Feature.ADMIN)
    assert roles_with(nlp, text, province) == {"Idlib": Role.TARGET, "Latakia": Role.MENTION}


def test_a_launch_from_somewhere_near_an_area_is_from_it(nlp: Language) -> None:
    text = "The bombers launched the missiles from somewhere near Iraq."
    assert role_names(nlp, text) == {"Iraq": Role.BASE}


def test_a_town_after_a_named_sites_compound_only_locates_it(nlp: Language) -> None:
    text = "The bombers hit the Azizia compound in Homs."
    site = GazetteerEntry("t:azizia", "Azizia", 34.7, 36.7, "SY", Feature.FACILITY)
    assert roles_with(nlp, text, site) == {"Azizia": Role.TARGET, "Homs": Role.MENTION}
