"""Code words are found as whole words after normalisation (pure)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sidecar.records.codewords import matching_clients, normalise, occurs


def test_normalise_folds_case_accents_and_punctuation() -> None:
    assert normalise("  My BLUE-Umbrella,   is wet!! ") == "my blue umbrella is wet"
    assert normalise("Café Noir") == "cafe noir"
    assert normalise("STRASSE") == normalise("straße")
    assert normalise("a_b\u200bc") == "a b c"


@pytest.mark.parametrize("text", [
    "my Blue-Umbrella is wet", "BLUE UMBRELLA", "blue   umbrella.", "(blue) umbrella?",
    "it's a blue\numbrella kind of day", "Blüe Umbrella"])
def test_phrase_matches_as_whole_words(text: str) -> None:
    assert occurs(text, ["blue umbrella"])


@pytest.mark.parametrize("text", [
    "blueumbrellas", "blue umbrellas", "a blue sky and an umbrella", "umbrella blue",
    "lightblue umbrella", ""])
def test_phrase_does_not_match_inside_other_words(text: str) -> None:
    assert not occurs(text, ["blue umbrella"])


def test_the_code_word_side_is_normalised_too() -> None:
    assert occurs("the cafe noir downstairs", ["Café-Noir"])
    assert occurs("weather report please", [" Weather  Report "])


def test_blank_or_punctuation_only_code_words_never_match() -> None:
    assert not occurs("anything at all", ["", "   ", "?!"])
    assert not occurs("anything", [])


def test_matching_clients_names_each_client_whose_word_occurs() -> None:
    words = {"client-001": ["blue umbrella"], "client-002": ["weather report"],
             "client-003": []}
    assert matching_clients("a weather report for the blue umbrella", words) == [
        "client-001", "client-002"]
    assert matching_clients("the weather, reported", words) == []


_WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyzé", min_size=3, max_size=10)
_GLUE = st.sampled_from([" ", "-", ", ", "... ", "\n", " / "])


@given(st.lists(_WORD, min_size=1, max_size=3), _WORD, _WORD, _GLUE)
def test_a_phrase_surrounded_by_other_words_is_found(
        phrase: list[str], before: str, after: str, glue: str) -> None:
    text = f"{before}{glue}{glue.join(w.upper() for w in phrase)}{glue}{after}"
    assert occurs(text, [" ".join(phrase)])


@given(st.lists(_WORD, min_size=1, max_size=3), _WORD)
def test_a_phrase_glued_to_another_word_is_not_found(phrase: list[str], extra: str) -> None:
    joined = " ".join(phrase)
    assert not occurs(joined + extra, [joined])
    assert not occurs(extra + joined, [joined])
