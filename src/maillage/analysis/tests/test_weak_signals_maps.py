"""Tests of Yoon's emergence maps, Kleinberg bursts, the G² test and the place filter."""

from __future__ import annotations

import numpy as np
import pytest

from maillage.analysis.themes import (
    analyze_themes,
    emergence_maps,
    is_place_name,
    kleinberg_bursts,
    log_likelihood,
    quadrants,
)


def test_increase_rate_matches_a_hand_computed_example():
    # TF 2, 4, 8 over 10 documents each, n = 3, w = 0.05, no smoothing:
    # DoV = 0.2*0.9 = 0.18, 0.4*0.95 = 0.38, 0.8*1.0 = 0.8
    # growth = (0.38-0.18)/0.18 = 1.1111, (0.8-0.38)/0.38 = 1.1053; mean 1.1082.
    maps = emergence_maps(
        np.array([[2, 4, 8]]), np.array([[1, 2, 4]]), np.array([10, 10, 10]), smoothing=0.0
    )
    assert maps.dov[0] == pytest.approx([0.18, 0.38, 0.8])
    assert maps.dod[0] == pytest.approx([0.09, 0.19, 0.4])
    assert maps.dov_rate[0, 2] == pytest.approx((0.20 / 0.18 + 0.42 / 0.38) / 2)
    assert maps.dov_rate[0, 1] == pytest.approx(0.20 / 0.18)
    assert np.isnan(maps.dov_rate[0, 0])


def test_a_frequent_flat_term_has_no_growth_while_a_rare_rising_one_has():
    tf = np.array([[50, 50, 50], [1, 2, 4]])
    maps = emergence_maps(tf, tf, np.array([100, 100, 100]), smoothing=0.0)
    # Only the time weight makes the flat term grow: 0.95/0.9 - 1 and 1/0.95 - 1.
    assert maps.dov_rate[0, 2] == pytest.approx(((0.95 / 0.9 - 1) + (1 / 0.95 - 1)) / 2)
    assert maps.dov_rate[1, 2] > 1.0


def test_quadrants_follow_level_and_growth():
    level = np.array([0.1, 0.9, 0.1, 0.9])
    rate = np.array([2.0, 2.0, -1.0, -1.0])
    labels = quadrants(level, rate, np.ones(4, dtype=bool))
    assert labels.tolist() == ["weak", "strong", "latent", "well-known"]


def test_too_many_periods_for_the_time_weight_are_refused():
    with pytest.raises(ValueError, match="non-positive"):
        emergence_maps(np.ones((1, 25)), np.ones((1, 25)), np.full(25, 10))


def test_kleinberg_finds_a_planted_burst_and_nothing_in_a_flat_series():
    totals = np.full(12, 1000)
    planted = np.array([10, 12, 9, 11, 10, 80, 95, 90, 10, 11, 9, 10])
    flat = np.array([10, 12, 9, 11, 10, 10, 11, 9, 10, 11, 9, 10])
    bursts = kleinberg_bursts(np.vstack([planted, flat]), totals)
    assert np.flatnonzero(bursts[0]).tolist() == [5, 6, 7]
    assert not bursts[1].any()


def test_log_likelihood_flags_a_rise_and_not_a_stable_share():
    g2, p = log_likelihood(np.array([40, 10]), 100.0, np.array([40, 100]), 1000.0)
    assert p[0] < 1e-6
    assert p[1] > 0.5
    assert g2[0] > 30


def test_place_names_are_recognised_and_common_words_are_not():
    assert is_place_name("Caen") and is_place_name("mulhouse") and is_place_name("Bretagne")
    assert (
        not is_place_name("carte grise") and not is_place_name("mer") and not is_place_name("pays")
    )
    assert is_place_name("Tours", capitalized_share=0.9)
    assert not is_place_name("tours", capitalized_share=0.1)


def _dated_corpus() -> tuple[list[str], list[np.datetime64]]:
    base = [
        "Plus de pistes cyclables dans la ville",
        "Des bancs et de l'ombre dans le parc",
        "Réduire le bruit des voitures la nuit",
        "Plus de poubelles et de propreté",
    ]
    texts, dates = [], []
    for day in range(10):
        for i, text in enumerate(base * 5):
            texts.append(f"{text} {i}")
            dates.append(np.datetime64("2024-03-01") + np.timedelta64(day, "D"))
        if day >= 7:
            # Twelve people, twelve wordings: a pasted text would count once (see below).
            for fountain, market in zip(FOUNTAINS, MARKETS, strict=True):
                texts += [fountain, market]
                dates += [np.datetime64("2024-03-01") + np.timedelta64(day, "D")] * 2
    return texts, dates


FOUNTAINS = [
    "Installer des fontaines à eau potable contre la canicule",
    "Pendant la canicule les enfants ont soif, il faut des fontaines",
    "Des fontaines publiques dans chaque square",
    "La canicule de cet été a été terrible pour les personnes âgées",
    "Remettre en service les vieilles fontaines du centre",
    "Face à la canicule, prévoir des fontaines et des brumisateurs",
    "Une fontaine près de l'école serait bienvenue",
    "On manque d'eau fraîche dehors quand arrive la canicule",
    "Les fontaines Wallace sont belles et utiles",
    "Canicule : ouvrir des salles fraîches et ajouter des fontaines",
    "Boire gratuitement en ville grâce à des fontaines",
    "Planter des arbres et installer des fontaines contre la canicule en ville",
]
MARKETS = [
    "Le marché de Mulhouse est trop cher",
    "J'aime aller à Mulhouse le samedi",
    "Caen devrait s'inspirer de Mulhouse",
    "Les bus entre Mulhouse et Caen",
    "Mulhouse a de beaux parcs",
    "La gare de Caen est sale",
    "Comme à Mulhouse, des navettes gratuites",
    "Le centre de Caen se vide",
    "Mulhouse et ses musées",
    "Les commerces de Caen ferment tôt",
    "À Mulhouse, le tram marche bien",
    "Caen et Mulhouse, deux villes à vivre",
]


def test_a_planted_emerging_term_is_a_signal_with_examples_and_places_are_not():
    texts, dates = _dated_corpus()
    analysis = analyze_themes(texts, dates=dates, n_themes=3)
    report = analysis.weak_signals
    assert report is not None and len(report.periods) == 10
    emerging = {s.term for s in report.signals if s.emerging}
    assert {"fontaines", "canicule"} & emerging
    fontaine = next(s for s in report.signals if s.term == "fontaines" and s.emerging)
    assert fontaine.examples and "fontaines" in texts[fontaine.examples[0]]
    assert all(
        "mulhouse" not in s.term.lower() and "caen" not in s.term.lower() for s in report.signals
    )
    assert "Mulhouse" in report.filtered_places or "mulhouse" in report.filtered_places


def test_unparseable_dates_are_counted_and_the_rest_still_works():
    texts, dates = _dated_corpus()
    dates[0] = None
    dates[1] = None
    analysis = analyze_themes(texts, dates=dates, n_themes=3)
    assert analysis.weak_signals is not None
    assert analysis.weak_signals.undated_rows == 2


def test_a_text_pasted_many_times_counts_once_toward_a_signal():
    texts, dates = _dated_corpus()
    campaign = "Nous exigeons la gratuité totale des cantines scolaires pour tous les enfants"
    for day in (8, 9):
        texts += [campaign] * 30 + [campaign + " !"] * 5
        dates += [np.datetime64("2024-03-01") + np.timedelta64(day, "D")] * 35
    report = analyze_themes(texts, dates=dates, n_themes=3).weak_signals
    assert report is not None
    assert not [s for s in report.signals if "cantine" in s.term]
    # Each day's 35 copies weigh one document together.
    assert report.documents_per_period[8] == report.documents_per_period[7] + 1
    assert {"fontaines", "canicule"} & {s.term for s in report.signals if s.emerging}


def test_examples_of_a_signal_come_from_distinct_texts_of_its_period():
    texts, dates = _dated_corpus()
    report = analyze_themes(texts, dates=dates, n_themes=3).weak_signals
    signal = next(s for s in report.signals if s.term == "fontaines")
    assert len(signal.examples) == 3
    assert len({texts[row] for row in signal.examples}) == 3
    assert all(str(dates[row]) == signal.period for row in signal.examples)
