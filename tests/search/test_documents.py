"""A record's search document: what of it is indexed."""
from __future__ import annotations

from search_index.documents import without_title_repeat


def test_a_summary_that_opens_with_its_title_is_indexed_without_that_repeat():
    assert without_title_repeat("Hand washing. Children learn to wash their hands.", "Hand washing") == \
        "Children learn to wash their hands."


def test_case_spacing_and_punctuation_do_not_hide_a_repeat():
    assert without_title_repeat("HAND-WASHING  in schools: a guide", "Hand washing in schools.") == "a guide"


def test_a_summary_that_only_shares_the_titles_first_words_is_indexed_whole():
    assert without_title_repeat("Hand hygiene for children", "Hand washing") == "Hand hygiene for children"
    assert without_title_repeat("Handwashing for children", "Hand") == "Handwashing for children"
    assert without_title_repeat("Hand", "Hand washing") == "Hand"


def test_a_summary_that_only_repeats_its_title_adds_nothing_to_the_body():
    assert without_title_repeat("First aid.", "First aid") == ""
