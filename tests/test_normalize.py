"""Lookup keys: every spelling the press uses folds to one key or skeleton."""

from __future__ import annotations

import pytest

from geo.normalize import fold, is_latin, name_key, skeleton


@pytest.mark.parametrize(
    ("spellings", "key"),
    [
        (["Deir ez-Zor", "Deir-ez Zor", "Deir ez Zor", "DEIR EZ-ZOR"], "deir zor"),
        (["al-Bab", "Al Bab", "Al-Bāb", "el-Bab"], "bab"),
        (["Ḩalab", "Halab"], "halab"),
        (["Ma'arrat al-Nu'man", "Ma’arrat an-Nu’man"], "maarrat numan"),
        (["São Paulo", "Sao Paulo"], "sao paulo"),
    ],
)
def test_name_key_folds_case_diacritics_hyphens_and_articles(spellings: list[str],
                                                              key: str) -> None:
    assert {name_key(s) for s in spellings} == {key}


@pytest.mark.parametrize(
    "spellings",
    [
        ["Deir ez-Zor", "Deir el-Zour", "Dayr az Zawr", "Deir al-Zor"],
        ["Hamedan", "Hamadan"],
        ["Hmeimim", "Khmeimim", "Hmeimeem"],
        ["Idlib", "Idleb"],
        ["Homs", "Hims"],
    ],
)
def test_skeleton_folds_transliteration_variants(spellings: list[str]) -> None:
    assert len({skeleton(s) for s in spellings}) == 1


def test_different_places_keep_different_skeletons() -> None:
    assert skeleton("Aleppo") != skeleton("Idlib")
    assert skeleton("Hama") != skeleton("Homs")


def test_article_is_kept_when_it_is_the_whole_name() -> None:
    assert name_key("As") == "as"
    assert name_key("Al") == "al"


def test_fold_and_script() -> None:
    assert fold("  Köln–Bonn ") == "koln bonn"
    assert is_latin("Ḩalab")
    assert not is_latin("حلب")
    assert not is_latin("Алеппо")
    assert not is_latin("1234")
