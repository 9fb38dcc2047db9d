"""Theme labels and weak signals read as meaning: no filler word at a phrase's edge or alone."""

from __future__ import annotations

import numpy as np
import pytest

from maillage.analysis.tests.test_weak_signals_maps import _dated_corpus
from maillage.analysis.themes import analyze_themes
from maillage.analysis.themes.labels import (
    FRENCH_GENERIC_WORDS,
    FRENCH_VAGUE_ALONE,
    is_meaningful_term,
)
from maillage.analysis.themes.signals import benjamini_hochberg
from maillage.analysis.themes.text import FRENCH_STANCE_WORDS, stop_words_for


@pytest.mark.parametrize(
    "phrase",
    ["piscine en plein air", "sécurité le soir", "carte grise", "pistes cyclables", "fontaines"],
)
def test_phrases_of_content_words_make_labels(phrase: str) -> None:
    assert is_meaningful_term(phrase)


@pytest.mark.parametrize(
    "fragment",
    [
        "pas",
        "sans",
        "midi",
        "suffisant pas",
        "pas ces lampadaires",
        "veux juste me sentir",
        "poser sans",
        "rien acheter",
        "faudrait plus",
        "habitants pourraient",
        "tri c'est souvent",
        "viens lire",
        "",
    ],
)
def test_fragments_seen_in_the_demo_are_refused(fragment: str) -> None:
    assert not is_meaningful_term(fragment)


def test_no_stop_or_stance_word_can_be_a_labels_edge_or_a_signal_alone() -> None:
    for word in sorted(stop_words_for("fr") | FRENCH_STANCE_WORDS):
        assert not is_meaningful_term(word), word
        assert not is_meaningful_term(f"{word} piscine"), word
        assert not is_meaningful_term(f"piscine {word}"), word
        assert is_meaningful_term(f"piscine {word} chauffée") or word in {"n"}, word


def test_generic_words_are_refused_at_an_edge_and_vague_words_alone() -> None:
    for lemma in FRENCH_GENERIC_WORDS:
        assert not is_meaningful_term(f"{lemma} jardin", f"{lemma} jardin"), lemma
        assert not is_meaningful_term(f"jardin {lemma}", f"jardin {lemma}"), lemma
    for lemma in FRENCH_VAGUE_ALONE:
        assert not is_meaningful_term(lemma, lemma), lemma
    assert is_meaningful_term("marché du samedi", "marcher samedi")


def test_benjamini_hochberg_matches_a_hand_computed_example() -> None:
    # m = 5, sorted p: 0.001, 0.008, 0.039, 0.041, 0.6 → p·m/rank: 0.005, 0.02, 0.065,
    # 0.05125, 0.6; running minimum from the end: 0.005, 0.02, 0.05125, 0.05125, 0.6.
    q = benjamini_hochberg(np.array([0.039, 0.001, 0.6, 0.041, 0.008]))
    assert q == pytest.approx([0.05125, 0.005, 0.6, 0.05125, 0.02])
    assert benjamini_hochberg(np.array([])).size == 0


def test_a_rising_filler_word_is_never_reported_and_signals_are_significant_after_correction():
    texts, dates = _dated_corpus()
    # From day 7 on, many people say "pas" and "midi": rising, but no finding.
    for day in (7, 8, 9):
        for i in range(15):
            texts.append(f"Pas facile à midi, pas vraiment {i}")
            dates.append(np.datetime64("2024-03-01") + np.timedelta64(day, "D"))
    report = analyze_themes(texts, dates=dates, n_themes=3).weak_signals
    assert report is not None
    terms = {s.term for s in report.signals}
    assert not terms & {"pas", "midi", "vraiment"}
    assert all(is_meaningful_term(s.term, s.lemma) for s in report.signals)
    emerging = [s for s in report.signals if s.emerging]
    assert {"fontaines", "canicule"} & {s.term for s in emerging}
    assert all(s.q_value < 0.01 and s.q_value >= s.p_value for s in emerging)
    assert all(s.q_value >= s.p_value for s in report.signals)


def test_theme_labels_have_no_filler_word_at_an_edge() -> None:
    texts, _dates = _dated_corpus()
    texts += ["Il faudrait plus de pistes cyclables, pas assez de pistes"] * 3
    analysis = analyze_themes(texts, n_themes=3)
    for theme in analysis.themes:
        phrases = theme.label.split(" · ")
        assert 1 <= len(phrases) <= 4
        assert all(is_meaningful_term(phrase) for phrase in phrases), theme.label
