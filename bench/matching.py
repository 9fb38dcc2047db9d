"""Benchmark the pooling matching engine against a naive scikit-learn and pandas peer.

Synthetic but shaped like a region: 2,000 territories (communes) in a 200 km square, 5,000
organizations each in one territory, 30 categories, texts of 6–24 words drawn from a Zipfian
vocabulary of 4,000 French-like words, date ranges in 2025–2026, 20,000 past exchanges.

OURS: ``MatchingIndex`` (build once) then ``top_k`` for one need and ``all_top_k`` for all.
PEER, said plainly:
* one need — scikit-learn ``NearestNeighbors(metric="cosine", algorithm="brute")`` on the same
  TF-IDF (text term only: a lower bound of the work), and a straightforward pandas scoring of
  the full five-term score (same formula, one DataFrame per query), whose top 10 must equal ours;
* all needs — the same ``NearestNeighbors.kneighbors`` over a sample of needs, extrapolated
  linearly to all needs (it is quadratic work done in chunks, so time is linear in needs).

Each side runs in its own child process, which reports its peak RSS (``ru_maxrss``).

    .venv/bin/python bench/matching.py            # 100,000 offers x 100,000 needs
    .venv/bin/python bench/matching.py --quick    # 10,000 x 10,000
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import resource
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from maillage.analysis.matching import (  # noqa: E402
    EARTH_RADIUS_KM,
    Listing,
    ListingTable,
    MatchingIndex,
    Weights,
)

_SYLLABLES = [
    "ba",
    "be",
    "bi",
    "bo",
    "bu",
    "ca",
    "ce",
    "ci",
    "co",
    "cu",
    "da",
    "de",
    "di",
    "do",
    "du",
    "fa",
    "fe",
    "fi",
    "fo",
    "la",
    "le",
    "li",
    "lo",
    "lu",
    "ma",
    "me",
    "mi",
    "mo",
    "mu",
    "na",
    "ne",
    "ni",
    "no",
    "nu",
    "pa",
    "pe",
    "pi",
    "po",
    "pu",
    "ra",
    "re",
    "ri",
    "ro",
    "ru",
    "sa",
    "se",
    "si",
    "so",
    "su",
    "ta",
    "te",
    "ti",
    "to",
    "tu",
    "va",
    "ve",
    "vi",
    "vo",
    "vu",
]  # noqa: E501


def region_places(
    n_orgs: int = 5000, n_territories: int = 2000
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.random.Generator]:
    """Return the territories' (lat, lon), each organization's territory, and the generator.

    Seeded once for every side and every table: the generator goes on to draw the vocabulary.
    """
    world = np.random.default_rng(7)
    terr_lat = 47.5 + world.random(n_territories) * 1.8
    terr_lon = 6.5 + world.random(n_territories) * 2.6
    org_territory = world.integers(0, n_territories, n_orgs)
    return terr_lat, terr_lon, org_territory, world


def make_listings(n: int, seed: int, n_orgs: int = 5000, n_territories: int = 2000) -> ListingTable:
    """Return ``n`` synthetic listings (deterministic for a seed)."""
    terr_lat, terr_lon, org_territory, world = region_places(n_orgs, n_territories)
    vocabulary = np.array(
        sorted({"".join(world.choice(_SYLLABLES, size=world.integers(2, 5))) for _ in range(6000)})[
            :4000
        ]
    )
    zipf = 1.0 / np.arange(1, len(vocabulary) + 1) ** 1.05
    zipf /= zipf.sum()
    rng = np.random.default_rng(seed)
    orgs = rng.integers(0, n_orgs, n)
    lengths = rng.integers(6, 25, n)
    words = vocabulary[rng.choice(len(vocabulary), size=int(lengths.sum()), p=zipf)]
    bounds = np.r_[0, np.cumsum(lengths)]
    texts = [" ".join(words[bounds[i] : bounds[i + 1]]) for i in range(n)]
    start = 20089 + rng.integers(0, 500, n)  # days since 1970: 2025-01-01 onwards
    end = start + rng.integers(0, 180, n)
    return ListingTable(
        ids=np.arange(n, dtype=np.int64) + seed * 10_000_000,
        organizations=orgs.astype(np.int64),
        categories=np.array([f"c{c}" for c in rng.integers(0, 30, n)], dtype=object),
        texts=texts,
        lat=terr_lat[org_territory[orgs]],
        lon=terr_lon[org_territory[orgs]],
        start_day=start.astype(np.int32),
        end_day=end.astype(np.int32),
    )


def make_exchanges(n: int = 20000, n_orgs: int = 5000) -> list[tuple[int, int]]:
    """Return past (giver, receiver) organization pairs, concentrated on usual partners."""
    rng = np.random.default_rng(11)
    givers = rng.integers(0, n_orgs, n)
    receivers = (givers + rng.geometric(0.3, n)) % n_orgs
    return list(zip(givers.tolist(), receivers.tolist(), strict=True))


def need_listing(needs: ListingTable, row: int) -> Listing:
    """Return one row of a table as a Listing."""
    import datetime as dt

    epoch = dt.date(1970, 1, 1)
    return Listing(
        id=int(needs.ids[row]),
        organization=int(needs.organizations[row]),
        category=str(needs.categories[row]),
        text=needs.texts[row],
        lat=float(needs.lat[row]),
        lon=float(needs.lon[row]),
        start=epoch + dt.timedelta(days=int(needs.start_day[row])),
        end=epoch + dt.timedelta(days=int(needs.end_day[row])),
    )


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_ours(size: int, queries: int, full: bool, out: mp.Queue) -> None:
    """Build the index, time single-need queries and (when ``full``) the whole recomputation."""
    offers, needs = make_listings(size, 1), make_listings(size, 2)
    exchanges = make_exchanges()
    t0 = time.perf_counter()
    index = MatchingIndex(offers, exchanges)
    build = time.perf_counter() - t0
    rows = np.random.default_rng(3).choice(size, queries, replace=False)
    latencies, tops = [], {}
    for r in rows:
        listing = need_listing(needs, int(r))
        t0 = time.perf_counter()
        suggestions = index.top_k(listing, 10)
        latencies.append(time.perf_counter() - t0)
        tops[int(r)] = [s.offer_id for s in suggestions]
    result = {
        "build_s": build,
        "query_ms": [x * 1000 for x in latencies],
        "tops": tops,
    }
    if full:
        t0, cpu0 = time.perf_counter(), time.process_time()
        everything = index.all_top_k(needs, 10, threads=2)
        result["full_s"] = time.perf_counter() - t0
        result["full_cpu_s"] = time.process_time() - cpu0
        result["full_check"] = {str(r): everything.offer_ids[r].tolist() for r in rows[:20]}
    result["peak_mb"] = _peak_mb()
    out.put(result)


def run_peer(size: int, queries: int, sample: int, out: mp.Queue) -> None:
    """Time NearestNeighbors (text only) and a pandas scoring of the full formula."""
    import pandas as pd
    from sklearn.neighbors import NearestNeighbors

    offers, needs = make_listings(size, 1), make_listings(size, 2)
    exchanges = make_exchanges()
    w = Weights()
    index = MatchingIndex(offers, [])  # only its fitted vectorizer is used: same TF-IDF
    x_offers = index.vectorizer.transform(offers.texts)
    t0 = time.perf_counter()
    knn = NearestNeighbors(n_neighbors=10, metric="cosine", algorithm="brute").fit(x_offers)
    fit = time.perf_counter() - t0
    frame = pd.DataFrame(
        {
            "id": offers.ids,
            "org": offers.organizations,
            "category": offers.categories,
            "lat": offers.lat,
            "lon": offers.lon,
            "start": offers.start_day,
            "end": offers.end_day,
        }
    )
    pair_counts = (
        pd.Series(1, index=pd.MultiIndex.from_tuples(exchanges)).groupby(level=[0, 1]).sum()
    )
    rows = np.random.default_rng(3).choice(size, queries, replace=False)
    knn_ms, pandas_ms, tops = [], [], {}
    for r in rows:
        vector = index.vectorizer.transform([needs.texts[r]])
        t0 = time.perf_counter()
        knn.kneighbors(vector, 10)
        knn_ms.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        org = int(needs.organizations[r])
        text = pd.Series((x_offers @ vector.T).toarray().ravel())
        lat1, lon1 = np.radians(needs.lat[r]), np.radians(needs.lon[r])
        lat2, lon2 = np.radians(frame["lat"]), np.radians(frame["lon"])
        a = (
            np.sin((lat2 - lat1) / 2) ** 2
            + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
        )
        km = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(a))
        s, e = int(needs.start_day[r]), int(needs.end_day[r])
        overlap = (np.minimum(frame["end"], e) - np.maximum(frame["start"], s) + 1).clip(lower=0)
        given = (
            pair_counts.xs(org, level=0)
            if org in pair_counts.index.get_level_values(0)
            else pd.Series(dtype=float)
        )
        taken = (
            pair_counts.xs(org, level=1)
            if org in pair_counts.index.get_level_values(1)
            else pd.Series(dtype=float)
        )
        history = given.add(taken, fill_value=0)
        past = frame["org"].map(history).fillna(0)
        score = (
            w.category * (frame["category"] == needs.categories[r])
            + w.text * text
            + w.distance * np.exp(-km / w.distance_scale_km)
            + w.availability * overlap / (e - s + 1)
            + w.partner / (1 + past)
        ).where(frame["org"] != org)
        best = score.sort_values(ascending=False, kind="stable").head(10)
        pandas_ms.append((time.perf_counter() - t0) * 1000)
        tops[int(r)] = frame["id"].to_numpy()[best.index.to_numpy()].tolist()
    sample_rows = np.random.default_rng(5).choice(size, min(sample, size), replace=False)
    vectors = index.vectorizer.transform([needs.texts[r] for r in sample_rows])
    t0 = time.perf_counter()
    knn.kneighbors(vectors, 10)
    sample_s = time.perf_counter() - t0
    out.put(
        {
            "fit_s": fit,
            "knn_ms": knn_ms,
            "pandas_ms": pandas_ms,
            "tops": tops,
            "full_s_extrapolated": sample_s * size / len(sample_rows),
            "sample": len(sample_rows),
            "sample_s": sample_s,
            "peak_mb": _peak_mb(),
        }
    )


def _child(target, *args):  # type: ignore[no-untyped-def]
    """Run ``target`` in a fresh process and return what it reports."""
    context = mp.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=target, args=(*args, queue))
    process.start()
    result = queue.get()
    process.join()
    return result


def _p95(values: list[float]) -> float:
    return float(np.percentile(values, 95))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10,000 offers x 10,000 needs")
    parser.add_argument("--size", type=int, default=None)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=1, help="runs of the full recomputation")
    parser.add_argument("--peer-sample", type=int, default=5000)
    args = parser.parse_args()
    size = args.size or (10_000 if args.quick else 100_000)

    ours_runs = [_child(run_ours, size, args.queries, True) for _ in range(args.repeats)]
    peer = _child(run_peer, size, args.queries, args.peer_sample)
    ours = ours_runs[0]
    query = [q for run in ours_runs for q in run["query_ms"]]
    full = statistics.median(run["full_s"] for run in ours_runs)
    agree = sum(ours["tops"][r] == peer["tops"][r] for r in ours["tops"])
    full_agree = sum(ours["full_check"][str(r)] == ours["tops"][r] for r in list(ours["tops"])[:20])
    print(f"matching {size:,} offers x {size:,} needs, {args.queries} single-need queries")
    print(f"ours  index build            {ours['build_s']:.2f} s")
    print(
        f"ours  top 10, one need       p50 {statistics.median(query):.1f} ms  p95 {_p95(query):.1f} ms"
    )
    print(
        f"peer  NearestNeighbors brute p50 {statistics.median(peer['knn_ms']):.1f} ms  "
        f"p95 {_p95(peer['knn_ms']):.1f} ms (text term only)"
    )
    print(
        f"peer  pandas full scoring    p50 {statistics.median(peer['pandas_ms']):.1f} ms  "
        f"p95 {_p95(peer['pandas_ms']):.1f} ms; same top 10 as ours for {agree}/{len(ours['tops'])}"
    )
    print(
        f"ours  full recomputation     {full:.1f} s (2 threads, median of {len(ours_runs)}); "
        f"consistent with top_k for {full_agree}/20 needs"
    )
    print(
        f"peer  kneighbors all needs   {peer['full_s_extrapolated']:.1f} s "
        f"(extrapolated from {peer['sample']:,} needs in {peer['sample_s']:.1f} s, text only)"
    )
    print(
        f"ours  full recomputation CPU {ours['full_cpu_s']:.1f} s (both threads); "
        f"load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    print(f"peak RSS ours {ours['peak_mb']:.0f} MB, peer {peer['peak_mb']:.0f} MB")
    figures = {
        "bench": "matching",
        "offers": size,
        "needs": size,
        "ours_top10_p50_ms": round(statistics.median(query), 2),
        "ours_top10_p95_ms": round(_p95(query), 2),
        "peer_knn_top10_p95_ms": round(_p95(peer["knn_ms"]), 2),
        "peer_pandas_top10_p95_ms": round(_p95(peer["pandas_ms"]), 2),
        "ratio_top10_p95_peer_knn_over_ours": round(_p95(peer["knn_ms"]) / _p95(query), 2),
        "ratio_top10_p95_peer_pandas_over_ours": round(_p95(peer["pandas_ms"]) / _p95(query), 2),
        "ours_index_build_s": round(ours["build_s"], 2),
        "ours_full_s": round(full, 1),
        "ours_full_cpu_s": round(ours["full_cpu_s"], 1),
        "load_average_1min": round(os.getloadavg()[0], 2),
        "peer_knn_full_s_extrapolated": round(peer["full_s_extrapolated"], 1),
        "ratio_full_peer_over_ours": round(peer["full_s_extrapolated"] / full, 2),
        "top10_agreement_with_pandas": f"{agree}/{len(ours['tops'])}",
        "ours_peak_mb": round(ours["peak_mb"]),
        "peer_peak_mb": round(peer["peak_mb"]),
        "targets": {"top10_p95_ms": 100, "full_s": 300},
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
