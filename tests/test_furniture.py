"""Page furniture falls outside Article.body; article text, captions included, stays inside."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.furniture import attribution, body_ranges, classify_lines, is_timestamp

SEEDS = Path(__file__).resolve().parent.parent / "data" / "articles"


def seed(prefix: str) -> str:
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return path.read_text(encoding="utf-8")


def inside(text: str, phrase: str) -> bool:
    """Every occurrence of ``phrase`` lies within one body range."""
    ranges = body_ranges(text)
    starts = _occurrences(text, phrase)
    return all(any(s <= at and at + len(phrase) <= e for s, e in ranges) for at in starts)


def outside(text: str, phrase: str) -> bool:
    """No occurrence of ``phrase`` overlaps a body range."""
    ranges = body_ranges(text)
    starts = _occurrences(text, phrase)
    return all(not any(at < e and s < at + len(phrase) for s, e in ranges) for at in starts)


def _occurrences(text: str, phrase: str) -> list[int]:
    found, at = [], text.find(phrase)
    while at >= 0:
        found.append(at)
        at = text.find(phrase, at + 1)
    assert found, f"{phrase!r} is not in the text"
    return found


@pytest.mark.parametrize("phrase", [
    "Name *", "Comment Title*", "Security Code*", "I agree with the Terms of Use",
    "Publishing Terms: Not to offend", "Source: Arab News",
    "Qatar spending $500m a week", "Kenya tanker crashes", "Second Sydney airport",
    "Bangladesh rescues 20 Rohingya", "Under siege, Syria doctors", "GMT 06:49 2012 Saturday",
    "بيروت", "Arab Today, arab today", "Last Updated : GMT 06:49:16",
    "All rights reserved", "Arab Today Facebook",
])
def test_002_furniture_is_outside_body(phrase: str) -> None:
    assert outside(seed("002"), phrase)


@pytest.mark.parametrize("phrase", [
    "Russia said its planes targeted Daesh militants and the Al-Qaeda-linked group formerly "
    "known as the Nusra Front in Aleppo, as well as in Deir el-Zour and Idlib",
    "There is little Baghdad can do to stop those flights",
    "Washington - Arab Today",
    "Russia-Iran cooperation in Syria sends message to US",
    "In this frame grab provided by Russian Defence Ministry press service",
])
def test_002_article_text_is_inside_body(phrase: str) -> None:
    assert inside(seed("002"), phrase)


def test_002_site_name_glued_to_the_headline_is_cut() -> None:
    text = seed("002")
    glued = text.index("Arab Today, arab today Russia-Iran")
    headline = glued + len("Arab Today, arab today ")
    ranges = body_ranges(text)
    assert not any(glued < e and s < headline - 1 for s, e in ranges)
    assert any(s == headline for s, _ in ranges)


@pytest.mark.parametrize("phrase", [
    "14650115595600640854.jpg", "3d65f5e0-cadc-42e3-9a88-29449e0b220e.gif",
    "1-ProspectingDisplay_GroceryList_250x250.jpg",
])
def test_004_image_file_list_is_outside_body(phrase: str) -> None:
    assert outside(seed("004"), phrase)


def test_004_article_paragraphs_are_inside_body() -> None:
    text = seed("004")
    assert inside(text, "IS was targeted in the suburbs of the town of al-Bab, Aleppo province")
    assert inside(text, "Syria’s battle lines are as complex as ever.")
    assert text[body_ranges(text)[-1][1] - 1] == "."


@pytest.mark.parametrize("phrase", [
    "Interested in ISIS?", "Add ISIS as an interest to stay up to date", "Add Interest",
])
def test_001_call_to_action_is_outside_body(phrase: str) -> None:
    assert outside(seed("001"), phrase)


def test_001_caption_and_sentences_are_inside_body() -> None:
    text = seed("001")
    assert inside(text, "PHOTO: A Russian long range bomber Tu-22M3 flies during an air strike "
                        "over Aleppo region of Syria")
    assert inside(text, "taken off from Khamandan air base in Iran")
    assert inside(text, "Russian warplanes are now taking off from an Iranian air base")


def test_003_contact_and_comment_policy_are_outside_body() -> None:
    text = seed("003")
    assert outside(text, "can be reached at cmunoz@washingtontimes.com")
    assert outside(text, "Please read our comment policy")
    assert inside(text, "carry out joint airstrikes and other counterterrorism operations")


def test_000_captions_are_article_text() -> None:
    text = seed("000")
    assert body_ranges(text) == ((0, len(text.rstrip())),)
    assert inside(text, "Caption: In this frame grab provided by Russian Defence Ministry press "
                        "service, Russian long range bomber Tu-22M3 flies during an air strike "
                        "over Aleppo region of Syria on Tuesday.")


def test_rules_are_generic_on_a_made_up_page() -> None:
    page = "\n".join([
        "Strikes hit Mosul airport",
        "",
        "Coalition aircraft struck the airport of Mosul in northern Iraq on Monday, officials "
        "said, in the heaviest raid on the city this year.",
        "Interested in Iraq?",
        "Add Iraq as an interest to stay up to date on the latest news.",
        "Photo: smoke rises over Mosul after an air strike, seen from the east bank of the river.",
        "Share this article",
        "Full name *",
        "2 Characters Left",
        "- Jane Roe can be reached at jroe@example.org.",
        "Posted: 14:05 GMT, Tuesday 3 May 2016",
        "Source: Example Wire",
        "",
        "Tue 03 May 2016 10:12",
        "Floods close schools in Lagos",
        "Wed 04 May 2016 11:40",
        "Wildfire near Fort McMurray grows",
        "  - photo_2016_05_03.PNG",
        "(c) Example Media 2016",
    ])
    for phrase in ["Interested in Iraq?", "as an interest", "Share this article", "Full name *",
                   "Characters Left", "jroe@example.org", "Posted: 14:05", "Lagos",
                   "Fort McMurray", "photo_2016_05_03.PNG", "Example Media"]:
        assert outside(page, phrase), phrase
    for phrase in ["Strikes hit Mosul airport", "struck the airport of Mosul in northern Iraq",
                   "Photo: smoke rises over Mosul"]:
        assert inside(page, phrase), phrase
    assert attribution(page) == "Example Wire"


def test_a_source_line_followed_by_prose_does_not_end_the_article() -> None:
    text = ("Source: Reuters\nRussian bombers took off from Hamedan in Iran and struck targets "
            "near Aleppo in Syria on Tuesday, the ministry said.\n")
    assert inside(text, "Russian bombers took off from Hamedan")
    mid = ("Troops entered Raqqa on Sunday after a long siege of the city by the coalition "
           "forces.\nSource: Reuters\nMore fighting was reported near Deir ez-Zor on Monday "
           "morning, local activists said in a statement.\n")
    assert inside(mid, "More fighting was reported near Deir ez-Zor")


def test_related_headline_lists_need_two_timestamped_pairs() -> None:
    prose = ("Russian jets struck targets near Aleppo in Syria on Tuesday, officials said in a "
             "statement to reporters.")
    listed = (f"{prose}\n\nGMT 10:31 2016 Monday ,12 December\n\nFloods close schools in Lagos\n"
              "GMT 05:27 2017 Sunday ,16 April\nWildfire near Fort McMurray grows\n")
    assert outside(listed, "Lagos") and outside(listed, "Fort McMurray")
    assert inside(listed, prose)
    dated = f"Tuesday 16 August 2016\nJets fly from Hamedan\n{prose}"
    assert inside(dated, "Jets fly from Hamedan")
    assert outside(dated, "Tuesday 16 August 2016")


def test_lines_repeated_under_three_times_are_kept() -> None:
    line = "Aleppo is under siege."
    assert inside(f"{line}\n{line}\n", line)
    assert outside(f"{line}\n{line}\n{line}\n", line)


def test_repeated_sentences_are_kept() -> None:
    prose = ("Russian jets struck targets near Aleppo in Syria on Tuesday, officials said in a "
             "statement to reporters.")
    assert body_ranges("\n".join([prose] * 3)) == ((0, len(prose) * 3 + 2),)


@pytest.mark.parametrize("line", [
    " ".join(["2016-08-16"] * 24) + " x",
    "1-2-3-4-5-6-7-8-9-" * 4 + " x",
    "GMT 10:07 " * 7 + "x",
    "facebook twitter " + "a" * 500,
    "a" * 590 + ".jp",
    "Source: " + "a " * 300,
    "Interested in " + "a " * 40 + "!",
])
def test_pathological_lines_are_classified_quickly(line: str) -> None:
    began = time.perf_counter()
    classify_lines("\n".join([line] * 50))
    assert time.perf_counter() - began < 0.5


def test_timestamps_inside_prose_are_not_timestamp_lines() -> None:
    assert is_timestamp("GMT 13:58 2016 Friday ,30 December")
    assert is_timestamp("Tuesday, 16 August 2016 10:31")
    assert not is_timestamp("On 16 August 2016 Russian jets flew from Iran.")
    assert not is_timestamp("Fighting in 2016")


def test_all_furniture_gives_no_body() -> None:
    assert body_ranges("Add Interest\nShare this\n\nName *\n") == ()


def test_classify_lines_names_the_rule() -> None:
    rules = {line.text: line.furniture for line in classify_lines("Hello there.\nName *")}
    assert rules == {"Hello there.": "", "Name *": "comment form"}


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from([
    "", "  ", "Name *", "Add Interest", "Arab Today", "Source: Wire", "GMT 10:07 2017 Monday",
    "a.jpg", "Russian jets struck targets near Aleppo in Syria on Tuesday, officials said.",
    "Short headline", "  indented line  ", "é ’ 漢字",
]), max_size=30))
def test_body_ranges_are_ordered_trimmed_and_within_text(lines: list[str]) -> None:
    text = "\n".join(lines)
    ranges = body_ranges(text)
    previous_end = -1
    for start, end in ranges:
        assert previous_end < start < end <= len(text)
        assert text[start:end] == text[start:end].strip()
        previous_end = end
