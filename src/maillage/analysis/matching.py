"""Pooling (mutualisation) matching: rank offers for each need of another organization.

The score of an (need, offer) pair is a weighted sum of five terms, each in [0, 1]:

* **category** — 1 when the offer's category is the need's (skills, equipment, space, method…);
* **text** — cosine similarity of TF-IDF vectors (Salton & Buckley 1988; smooth IDF and
  sublinear TF as in scikit-learn's ``TfidfVectorizer``), French and English stop words removed,
  accents folded, fitted on the offers' texts;
* **distance** — ``exp(-d / scale_km)`` where ``d`` is the haversine great-circle distance
  between the territories' centroids (Sinnott 1984; mean Earth radius 6371.0088 km, IUGG);
* **availability** — the share of the need's date range (inclusive days) covered by the
  offer's range;
* **partner** — ``1 / (1 + n)`` where ``n`` counts past exchanges between the two
  organizations (either direction): a new partner gets the full bonus, a usual partner a
  return that shrinks with each exchange, so suggestions widen the circle (the seed article:
  pooling is not yet cooperation, it has to reach beyond the usual partners).

An organization is never matched with its own offers. Ties are broken by the offer's row
(lower first) so results are deterministic.

:class:`MatchingIndex` precomputes everything that depends on offers only (TF-IDF in CSC form
for per-term lookup, coordinates in radians, day numbers, organization codes, the exchange
matrix), so one need is scored against all offers with a handful of vectorised passes, and a
full recomputation scores needs in blocks on several threads (numpy and scipy release the GIL).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer, strip_accents_unicode
from stop_words import get_stop_words

EARTH_RADIUS_KM = 6371.0088
_EPOCH = dt.date(1970, 1, 1)


@dataclass(frozen=True)
class Weights:
    """Weights of the score's terms and the distance scale (km at which decay is 1/e)."""

    category: float = 1.0
    text: float = 1.0
    distance: float = 1.0
    availability: float = 0.5
    partner: float = 0.5
    distance_scale_km: float = 25.0


@dataclass(frozen=True)
class Listing:
    """One offer or need as the app stores it; ``end`` may not precede ``start``."""

    id: int
    organization: int
    category: str
    text: str
    lat: float
    lon: float
    start: dt.date
    end: dt.date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(
                f"listing {self.id} ends on {self.end.isoformat()}, "
                f"before it starts on {self.start.isoformat()}"
            )
        if not (-90.0 <= self.lat <= 90.0 and -180.0 <= self.lon <= 180.0):
            raise ValueError(f"listing {self.id} has coordinates outside the globe")


@dataclass(frozen=True)
class ListingTable:
    """Offers or needs as columns: ids, organizations, categories, texts, centroids, days."""

    ids: np.ndarray
    organizations: np.ndarray
    categories: np.ndarray
    texts: Sequence[str]
    lat: np.ndarray
    lon: np.ndarray
    start_day: np.ndarray
    end_day: np.ndarray

    def __post_init__(self) -> None:
        n = len(self.ids)
        columns = (self.organizations, self.categories, self.texts, self.lat, self.lon)
        if any(len(column) != n for column in (*columns, self.start_day, self.end_day)):
            raise ValueError("every column of a listing table must have one value per listing")
        bad = np.flatnonzero(np.asarray(self.end_day) < np.asarray(self.start_day))
        if len(bad):
            raise ValueError(
                f"listing {int(self.ids[bad[0]])} has a date range that ends before it starts"
            )

    def __len__(self) -> int:
        return len(self.ids)

    @classmethod
    def from_listings(cls, listings: Iterable[Listing]) -> ListingTable:
        """Return a table from listing objects (each already validated)."""
        rows = list(listings)
        return cls(
            ids=np.array([r.id for r in rows], dtype=np.int64),
            organizations=np.array([r.organization for r in rows], dtype=np.int64),
            categories=np.array([r.category for r in rows], dtype=object),
            texts=[r.text for r in rows],
            lat=np.array([r.lat for r in rows], dtype=np.float64),
            lon=np.array([r.lon for r in rows], dtype=np.float64),
            start_day=np.array([(r.start - _EPOCH).days for r in rows], dtype=np.int32),
            end_day=np.array([(r.end - _EPOCH).days for r in rows], dtype=np.int32),
        )


@dataclass(frozen=True)
class Suggestion:
    """One suggested offer for a need, with its total score and each weighted term."""

    offer_id: int
    score: float
    category: float
    text: float
    distance: float
    availability: float
    partner: float


@dataclass(frozen=True)
class AllSuggestions:
    """The top offers for every need: ``offer_ids[i]`` and ``scores[i]`` for need row ``i``.

    Rows hold ``k`` columns best first; a need with fewer eligible offers is padded with id
    -1 and score ``-inf``.
    """

    need_ids: np.ndarray
    offer_ids: np.ndarray
    scores: np.ndarray


def haversine_km(
    lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray
) -> np.ndarray:
    """Return great-circle distances in km between points given in degrees (broadcasting)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dlat = p2 - p1
    dlon = np.radians(lon2) - np.radians(lon1)
    a = np.sin(dlat / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


class MatchingIndex:
    """Everything about offers that scoring needs, computed once (build it nightly).

    Offers are stored sorted by category, so the category term is one slice addition; their
    territories' distinct centroids are kept apart, so the distance term is one haversine per
    distinct centroid and one gather; each organization's offers are listed, so excluding an
    organization's own offers touches only those.
    """

    def __init__(
        self,
        offers: ListingTable,
        exchanges: Iterable[tuple[int, int]] = (),
        *,
        weights: Weights | None = None,
    ) -> None:
        """Index ``offers``; ``exchanges`` are past (giver, receiver) organization pairs."""
        if len(offers) == 0:
            raise ValueError("there is no offer to match")
        self.weights = weights or Weights()
        self.offers = offers
        self.vectorizer = TfidfVectorizer(
            strip_accents="unicode",
            sublinear_tf=True,
            stop_words=_stop_words(),
            token_pattern=_WORD_PATTERN,
        )
        text = self.vectorizer.fit_transform(offers.texts)
        categories = np.asarray(offers.categories)
        self._category_names, category_codes = np.unique(categories, return_inverse=True)
        order = np.argsort(category_codes, kind="stable")
        self._row = order  # internal position -> row of ``offers``
        self._category_bounds = np.searchsorted(
            category_codes[order], np.arange(len(self._category_names) + 1)
        )
        self._text_rows = text[order].tocsr()  # offers x terms, in internal order
        self._text_t = self._text_rows.T.tocsr()  # terms x offers: postings
        self._df = np.diff(self._text_t.indptr)
        centroids, self._centroid = np.unique(
            np.column_stack([offers.lat, offers.lon])[order], axis=0, return_inverse=True
        )
        self._centroid_lat, self._centroid_lon = centroids[:, 0], centroids[:, 1]
        self._start = np.asarray(offers.start_day, dtype=np.int32)[order]
        self._end_next = np.asarray(offers.end_day, dtype=np.int32)[order] + 1
        pairs = np.array(list(exchanges), dtype=np.int64).reshape(-1, 2)
        organizations = np.asarray(offers.organizations, dtype=np.int64)[order]
        self._organizations = np.unique(np.concatenate([organizations, pairs.ravel()]))
        self._offer_org = np.searchsorted(self._organizations, organizations)
        by_org = np.argsort(self._offer_org, kind="stable")
        self._org_bounds = np.searchsorted(
            self._offer_org[by_org], np.arange(len(self._organizations) + 1)
        )
        self._org_offers = by_org
        codes = np.searchsorted(self._organizations, pairs)
        n_orgs = len(self._organizations)
        counts = sp.coo_matrix(
            (np.ones(len(codes)), (codes[:, 0], codes[:, 1])), shape=(n_orgs, n_orgs)
        ).tocsr()
        self._exchanges = (counts + counts.T).tocsr()

    def top_k(self, need: Listing, k: int = 10) -> list[Suggestion]:
        """Return the ``k`` best offers for one need, best first, with each weighted term."""
        if k < 1:
            raise ValueError("k must be at least 1")
        table = ListingTable.from_listings([need])
        text = self.vectorizer.transform(table.texts).tocsr()
        row = np.empty(len(self._row))
        work = np.empty(len(self._row), dtype=np.int32)
        chosen = self._best(table, 0, text, 0, k, row, work)
        return [self._explain(table, text, position, float(row[position])) for position in chosen]

    def all_top_k(
        self,
        needs: ListingTable,
        k: int = 10,
        *,
        block: int = 512,
        threads: int = 2,
        progress: Callable[[int], None] | None = None,
    ) -> AllSuggestions:
        """Return the ``k`` best offers for every need (the nightly recomputation).

        Needs are taken in blocks of ``block`` (one sparse product per block for the text
        term) on ``threads`` threads; ``progress`` is called with the number of needs done.
        """
        if k < 1:
            raise ValueError("k must be at least 1")
        n = len(needs)
        offer_ids = np.full((n, k), -1, dtype=np.int64)
        scores = np.full((n, k), -np.inf)
        ids = np.asarray(self.offers.ids)

        def run(start: int) -> int:
            stop = min(start + block, n)
            texts = [needs.texts[i] for i in range(start, stop)]
            text = self.vectorizer.transform(texts).tocsr()
            row = np.empty(len(self._row))
            work = np.empty(len(self._row), dtype=np.int32)
            for i in range(start, stop):
                chosen = self._best(needs, i, text, i - start, k, row, work)
                offer_ids[i, : len(chosen)] = ids[self._row[chosen]]
                scores[i, : len(chosen)] = row[chosen]
            return stop - start

        with ThreadPoolExecutor(max_workers=max(1, threads)) as pool:
            for done in pool.map(run, range(0, n, block)):
                if progress is not None:
                    progress(done)
        return AllSuggestions(need_ids=np.asarray(needs.ids), offer_ids=offer_ids, scores=scores)

    def _best(
        self,
        needs: ListingTable,
        i: int,
        text: sp.csr_matrix,
        text_row: int,
        k: int,
        row: np.ndarray,
        work: np.ndarray,
    ) -> np.ndarray:
        """Fill ``row`` with need ``i``'s scores and return the best internal positions.

        Exact top-k with max-score pruning (Turtle & Flood 1995): the need's frequent terms
        (those whose postings would cost most) are left out at first; their total contribution
        to any cosine is at most ``‖q_C‖`` (Cauchy–Schwarz, offer vectors have unit norm). The
        k-th best partial score is a lower bound ``τ`` of the true k-th best, so only offers
        whose partial score is at least ``τ - ‖q_C‖`` can be in the top k; those alone get
        the frequent terms added. ``work`` is an int32 scratch buffer.
        """
        w = self.weights
        km = haversine_km(needs.lat[i], needs.lon[i], self._centroid_lat, self._centroid_lon)
        # Every offer starts with the new-partner bonus; usual partners are corrected below.
        base = np.exp(km / -w.distance_scale_km) * w.distance + w.partner
        np.take(base, self._centroid, out=row)
        start, end = int(needs.start_day[i]), int(needs.end_day[i])
        np.minimum(self._end_next, end + 1, out=work)
        work -= np.maximum(self._start, start)
        np.maximum(work, 0, out=work)
        row += work * (w.availability / (end - start + 1))
        org = self._org_code(int(needs.organizations[i]))
        if org >= 0:
            lo_p, hi_p = self._exchanges.indptr[org], self._exchanges.indptr[org + 1]
            for partner, count in zip(
                self._exchanges.indices[lo_p:hi_p], self._exchanges.data[lo_p:hi_p], strict=True
            ):
                offers = self._org_offers[self._org_bounds[partner] : self._org_bounds[partner + 1]]
                row[offers] += w.partner / (1.0 + count) - w.partner
            row[self._org_offers[self._org_bounds[org] : self._org_bounds[org + 1]]] = -np.inf
        category = np.searchsorted(self._category_names, needs.categories[i])
        lo = hi = 0
        if (
            category < len(self._category_names)
            and self._category_names[category] == needs.categories[i]
        ):
            lo, hi = self._category_bounds[category], self._category_bounds[category + 1]
            row[lo:hi] += w.category
        terms = text.indices[text.indptr[text_row] : text.indptr[text_row + 1]]
        weights = text.data[text.indptr[text_row] : text.indptr[text_row + 1]]
        by_cost = np.argsort(-self._df[terms], kind="stable")
        left_out = np.sqrt(np.cumsum(weights[by_cost] ** 2)) * w.text <= _PRUNING_NORM
        frequent = by_cost[left_out & (self._df[terms[by_cost]] >= _FREQUENT_DF)]
        exact = np.setdiff1d(np.arange(len(terms)), frequent)
        for term, weight in zip(terms[exact], weights[exact], strict=True):
            lo_t, hi_t = self._text_t.indptr[term], self._text_t.indptr[term + 1]
            row[self._text_t.indices[lo_t:hi_t]] += self._text_t.data[lo_t:hi_t] * (weight * w.text)
        bound = float(np.sqrt(np.sum(weights[frequent] ** 2))) * w.text
        if hi - lo >= k:
            threshold = np.partition(row[lo:hi], hi - lo - k)[hi - lo - k]
        elif len(row) > k:
            threshold = np.partition(row, len(row) - k)[len(row) - k]
        else:
            threshold = -np.inf
        if np.isfinite(threshold):
            candidates = np.flatnonzero(row >= threshold - bound)
        else:
            candidates = np.flatnonzero(np.isfinite(row))
        if len(frequent) and len(candidates):
            query = np.zeros(self._text_rows.shape[1])
            query[terms[frequent]] = weights[frequent] * w.text
            row[candidates] += self._text_rows[candidates] @ query
        order = np.lexsort((self._row[candidates], -row[candidates]))
        return candidates[order[:k]]

    def _org_code(self, organization: int) -> int:
        """Return an organization's code in the index, or -1 when it has no offer nor exchange."""
        code = int(np.searchsorted(self._organizations, organization))
        if code < len(self._organizations) and self._organizations[code] == organization:
            return code
        return -1

    def _explain(
        self, needs: ListingTable, text: sp.csr_matrix, position: int, score: float
    ) -> Suggestion:
        """Return one suggestion with each weighted term recomputed for display."""
        w = self.weights
        row = int(self._row[position])
        centroid = self._centroid[position]
        km = haversine_km(
            needs.lat[0], needs.lon[0], self._centroid_lat[centroid], self._centroid_lon[centroid]
        )
        start, end = int(needs.start_day[0]), int(needs.end_day[0])
        overlap = max(
            0, min(end + 1, int(self._end_next[position])) - max(start, int(self._start[position]))
        )
        org = self._org_code(int(needs.organizations[0]))
        past = self._exchanges[org, self._offer_org[position]] if org >= 0 else 0.0
        return Suggestion(
            offer_id=int(self.offers.ids[row]),
            score=score,
            category=w.category * float(self.offers.categories[row] == needs.categories[0]),
            text=w.text * float(text.multiply(self._text_rows[position]).sum()),
            distance=w.distance * float(np.exp(-km / w.distance_scale_km)),
            availability=w.availability * overlap / (end - start + 1),
            partner=w.partner / (1.0 + float(past)),
        )


_WORD_PATTERN = r"(?u)\b[^\W\d_]{2,}\b"
# Terms in more offers than this are "frequent": scattering their postings costs most, and
# leaving out frequent terms of total weight at most _PRUNING_NORM keeps candidate sets small.
_FREQUENT_DF = 1000
_PRUNING_NORM = 0.6


def _stop_words() -> list[str]:
    """Return French and English stop words, folded and split like the vectorizer's input."""
    words = set(get_stop_words("french")) | set(get_stop_words("english"))
    folded: set[str] = set()
    for word in words:
        folded.update(re.findall(_WORD_PATTERN, strip_accents_unicode(word.lower())))
    return sorted(folded)
