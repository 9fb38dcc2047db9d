"""Pooling matching: each score term, exclusions, and agreement with a brute-force scoring."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest

from maillage.analysis.matching import (
    Listing,
    ListingTable,
    MatchingIndex,
    Weights,
    haversine_km,
)

D = dt.date
MULHOUSE = (47.7508, 7.3359)
COLMAR = (48.0794, 7.3585)
STRASBOURG = (48.5734, 7.7521)


def offer(i, org, category, text, where, start=D(2025, 1, 1), end=D(2025, 12, 31)):
    return Listing(i, org, category, text, where[0], where[1], start, end)


OFFERS = [
    offer(1, 10, "méthode", "méthode de co-construction avec les habitants", MULHOUSE),
    offer(2, 11, "équipement", "prêt de vidéoprojecteur et sonorisation", MULHOUSE),
    offer(3, 12, "méthode", "atelier de co-construction des espaces publics", STRASBOURG),
    offer(4, 13, "espace", "salle de réunion pour quarante personnes", COLMAR),
    offer(5, 14, "méthode", "méthode de concertation avec les habitants", MULHOUSE,
          start=D(2026, 1, 1), end=D(2026, 6, 30)),
]  # fmt: skip


def need(org=99, text="méthode de co-construction avec les habitants", category="méthode"):
    return Listing(100, org, category, text, *MULHOUSE, D(2025, 3, 1), D(2025, 3, 31))


def test_haversine_gives_the_known_mulhouse_strasbourg_distance():
    km = haversine_km(*MULHOUSE, *STRASBOURG)
    assert 95 < float(km) < 100


def test_best_offer_matches_category_text_place_and_dates():
    index = MatchingIndex(ListingTable.from_listings(OFFERS))
    best = index.top_k(need(), k=5)
    assert best[0].offer_id == 1
    first = best[0]
    assert first.category == 1.0 and first.distance == pytest.approx(1.0)
    assert first.availability == pytest.approx(0.5) and first.partner == pytest.approx(0.5)
    assert first.text == pytest.approx(1.0)
    assert first.score == pytest.approx(
        first.category + first.text + first.distance + first.availability + first.partner
    )


def test_distance_decays_with_the_documented_scale():
    index = MatchingIndex(ListingTable.from_listings(OFFERS), weights=Weights(distance_scale_km=25))
    by_id = {s.offer_id: s for s in index.top_k(need(), k=5)}
    km = float(haversine_km(*MULHOUSE, *STRASBOURG))
    assert by_id[3].distance == pytest.approx(math.exp(-km / 25))


def test_offer_unavailable_during_the_need_gets_no_availability():
    index = MatchingIndex(ListingTable.from_listings(OFFERS))
    by_id = {s.offer_id: s for s in index.top_k(need(), k=5)}
    assert by_id[5].availability == 0.0


def test_usual_partners_get_a_diminishing_bonus_and_new_partners_the_full_one():
    exchanges = [(10, 99), (99, 10), (10, 99), (14, 99)]
    index = MatchingIndex(ListingTable.from_listings(OFFERS), exchanges)
    by_id = {s.offer_id: s for s in index.top_k(need(), k=5)}
    assert by_id[1].partner == pytest.approx(0.5 / 4)
    assert by_id[5].partner == pytest.approx(0.5 / 2)
    assert by_id[3].partner == pytest.approx(0.5)


def test_an_organization_is_never_matched_with_its_own_offers():
    index = MatchingIndex(ListingTable.from_listings(OFFERS))
    assert 1 not in [s.offer_id for s in index.top_k(need(org=10), k=5)]
    assert len(index.top_k(need(org=10), k=10)) == 4


def test_date_range_ending_before_it_starts_is_refused():
    with pytest.raises(ValueError, match="ends on 2025-01-01, before it starts on 2025-02-01"):
        Listing(7, 1, "espace", "salle", *MULHOUSE, D(2025, 2, 1), D(2025, 1, 1))
    with pytest.raises(ValueError, match="date range that ends before it starts"):
        ListingTable(np.array([1]), np.array([1]), np.array(["a"]), ["x"], np.array([0.0]),
                     np.array([0.0]), np.array([5]), np.array([4]))  # fmt: skip


def _random_table(rng, n, seed_ids):
    words = np.array(["jardin", "partagé", "vélo", "atelier", "cuisine", "salle", "outil", "méthode", "habitants", "numérique", "réparation", "énergie", "école", "musique", "bois"])  # fmt: skip
    texts = [" ".join(rng.choice(words, rng.integers(2, 7))) for _ in range(n)]
    start = rng.integers(20000, 20300, n)
    return ListingTable(
        ids=np.arange(n) + seed_ids,
        organizations=rng.integers(0, 30, n),
        categories=np.array([f"c{c}" for c in rng.integers(0, 4, n)], dtype=object),
        texts=texts,
        lat=47.5 + rng.integers(0, 20, n) * 0.05,
        lon=7.0 + rng.integers(0, 20, n) * 0.05,
        start_day=start,
        end_day=start + rng.integers(0, 90, n),
    )


def test_all_needs_top_k_equals_a_brute_force_scoring_of_every_pair():
    rng = np.random.default_rng(0)
    offers, needs = _random_table(rng, 400, 0), _random_table(rng, 60, 10_000)
    exchanges = [tuple(map(int, p)) for p in rng.integers(0, 30, (50, 2))]
    index = MatchingIndex(offers, exchanges)
    result = index.all_top_k(needs, k=7, block=16, threads=2)
    w = Weights()
    x_offers = index.vectorizer.transform(offers.texts)
    x_needs = index.vectorizer.transform(needs.texts)
    text = (x_needs @ x_offers.T).toarray()
    pair_counts = {}
    for a, b in exchanges:
        for key in ((a, b), (b, a)):
            pair_counts[key] = pair_counts.get(key, 0) + 1
    for i in range(len(needs)):
        km = haversine_km(needs.lat[i], needs.lon[i], offers.lat, offers.lon)
        overlap = np.clip(np.minimum(needs.end_day[i], offers.end_day)
                          - np.maximum(needs.start_day[i], offers.start_day) + 1, 0, None)  # fmt: skip
        past = np.array([pair_counts.get((int(needs.organizations[i]), int(o)), 0)
                         for o in offers.organizations])  # fmt: skip
        score = (w.category * (offers.categories == needs.categories[i]) + w.text * text[i]
                 + w.distance * np.exp(-km / w.distance_scale_km)
                 + w.availability * overlap / (needs.end_day[i] - needs.start_day[i] + 1)
                 + w.partner / (1 + past))  # fmt: skip
        score[offers.organizations == needs.organizations[i]] = -np.inf
        expected = np.lexsort((np.arange(len(score)), -score))[:7]
        assert result.offer_ids[i].tolist() == offers.ids[expected].tolist()
        assert np.allclose(result.scores[i], score[expected])


def test_index_without_offers_and_bad_k_are_refused():
    with pytest.raises(ValueError, match="no offer"):
        MatchingIndex(ListingTable.from_listings([]))
    index = MatchingIndex(ListingTable.from_listings(OFFERS))
    with pytest.raises(ValueError, match="k must be at least 1"):
        index.top_k(need(), k=0)
