"""Scale benchmark: themes, labels, weak signals and per-territory shares of 1,000,000 answers.

Real Grand Débat answers from the shared data are resampled and recombined (see make_input) to
N rows, several hundred thousand of them distinct, with dates over 12 months and 50 territories; each side runs in a child process so that its peak RSS is its own. The peer
is BERTopic 0.17.4 (USE embeddings, PCA + MiniBatchKMeans) on a subsample, extrapolated
linearly to N because embedding every row would take hours on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))


def make_input(n: int, seed: int = 0) -> tuple[list[str], np.ndarray, list[str]]:
    """Return n realistic answers, their dates over 12 months and territories.

    Resampling the ~21,000 distinct real answers alone would give a million rows with few
    distinct texts, which flatters tokenizing. So 30 % of rows are real answers verbatim (short
    answers do repeat), 69.7 % recombine two or three sentences or clauses of different real
    answers to the same question (people answer with several ideas), and 0.3 % are one long real
    answer pasted as a campaign during the last month. Distinct texts: several hundred thousand.
    """
    import pandas as pd

    from maillage.analysis.shared_data import shared_data_dir

    folder = shared_data_dir()
    if folder is None:
        raise SystemExit("shared data absent: set MAILLAGE_SHARED_DATA")
    rng = np.random.default_rng(seed)
    questions: list[list[str]] = []
    for name in ("fiscalite_16", "democratie_38", "transition_20"):
        answers = pd.read_csv(folder / "text" / f"gd_animation_{name}.csv.gz").comment
        questions.append([a.strip() for a in answers.dropna().tolist() if a.strip()])
    pool = [answer for answers in questions for answer in answers]
    # Fragments end at a sentence or clause boundary, punctuation kept.
    fragments = [
        [f.strip() for f in re.split(r"(?<=[.!?;,])\s+", answer) if f.strip()] for answer in pool
    ]
    question_of = np.repeat(np.arange(len(questions)), [len(q) for q in questions])
    starts = np.r_[0, np.cumsum([len(q) for q in questions])]
    kind = rng.random(n)
    first = rng.integers(0, len(pool), n)
    q = question_of[first]
    # Up to two more answers to the same question, and a fragment position in each answer.
    others = starts[q, None] + (rng.random((n, 2)) * (starts[q + 1] - starts[q])[:, None]).astype(
        np.int64
    )
    extra = rng.integers(1, 3, n)
    pick = rng.random((n, 3))
    campaign = max(pool, key=len)
    texts: list[str] = []
    for row in range(n):
        if kind[row] < 0.30:
            texts.append(pool[first[row]])
        elif kind[row] >= 0.997:
            texts.append(campaign)
        else:
            sources = [first[row], *others[row, : extra[row]]]
            texts.append(
                " ".join(
                    fragments[a][int(u * len(fragments[a]))]
                    for a, u in zip(sources, pick[row], strict=False)
                )
            )
    day = rng.integers(0, 366, n)
    day[kind >= 0.997] = rng.integers(335, 366, int((kind >= 0.997).sum()))
    dates = np.datetime64("2024-01-01") + day.astype("timedelta64[D]")
    territories = [f"commune-{i:02d}" for i in rng.integers(0, 50, n)]
    return texts, dates, territories


def run_ours(n: int) -> dict:
    """Run our pipeline once and return its stage timings and peak RSS."""
    from maillage.analysis.themes import analyze_themes

    clock = time.perf_counter()
    texts, dates, territories = make_input(n)
    build = time.perf_counter() - clock
    clock = time.perf_counter()
    analysis = analyze_themes(texts, dates=dates, territories=territories)
    total = time.perf_counter() - clock
    return {
        "seconds": total,
        "input_seconds": build,
        "stages": analysis.timings,
        "themes": [t.label for t in analysis.themes],
        "signals": len(analysis.weak_signals.signals) if analysis.weak_signals else 0,
        "territories": len(analysis.shares_by_territory),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def run_peer(n: int, sample: int) -> dict:
    """Run BERTopic on ``sample`` rows of the same input; extrapolate its time linearly to n."""
    from bertopic import BERTopic
    from sklearn.cluster import MiniBatchKMeans
    from sklearn.decomposition import PCA
    from sklearn.feature_extraction.text import CountVectorizer

    from maillage.analysis.themes import sentence_encoder

    texts, _, _ = make_input(n)
    texts = texts[:sample]
    clock = time.perf_counter()
    embed = sentence_encoder()
    embeddings = embed(texts)
    embed_seconds = time.perf_counter() - clock
    clock = time.perf_counter()
    model = BERTopic(
        umap_model=PCA(n_components=10, random_state=0),
        hdbscan_model=MiniBatchKMeans(n_clusters=14, random_state=0, n_init=3),
        vectorizer_model=CountVectorizer(ngram_range=(1, 2), min_df=2),
        calculate_probabilities=False,
    )
    model.fit_transform(texts, embeddings)
    fit_seconds = time.perf_counter() - clock
    scale = n / sample
    return {
        "sample": sample,
        "seconds_on_sample": embed_seconds + fit_seconds,
        "embed_seconds_on_sample": embed_seconds,
        "seconds": (embed_seconds + fit_seconds) * scale,
        "extrapolated": True,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def child(side: str, n: int, sample: int) -> dict:
    """Run one side in a fresh Python process and return its JSON result."""
    command = [
        sys.executable,
        __file__,
        "--child",
        side,
        "--rows",
        str(n),
        "--peer-sample",
        str(sample),
    ]
    out = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    """Run both sides, print the stages and the final JSON line."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--peer-sample", type=int, default=5_000)
    parser.add_argument("--quick", action="store_true", help="100,000 rows, one repetition")
    parser.add_argument("--child", choices=["ours", "peer"])
    args = parser.parse_args()
    if args.quick:
        args.rows, args.repeat = 100_000, 1
    if args.child == "ours":
        print(json.dumps(run_ours(args.rows)))
        return
    if args.child == "peer":
        print(json.dumps(run_peer(args.rows, args.peer_sample)))
        return
    runs = []
    for repetition in range(args.repeat):
        result = child("ours", args.rows, args.peer_sample)
        runs.append(result)
        stages = ", ".join(f"{k} {v:.1f}s" for k, v in result["stages"].items())
        print(
            f"ours run {repetition + 1}: {result['seconds']:.1f}s end to end "
            f"(input building {result['input_seconds']:.1f}s apart), peak RSS "
            f"{result['peak_rss_mb']:.0f} MB; stages: {stages}"
        )
    print("themes:", " | ".join(runs[-1]["themes"]))
    peer = child("peer", args.rows, args.peer_sample)
    print(
        f"BERTopic on {peer['sample']} rows: {peer['seconds_on_sample']:.1f}s "
        f"(embeddings {peer['embed_seconds_on_sample']:.1f}s); extrapolated to {args.rows}: "
        f"{peer['seconds']:.0f}s; peak RSS {peer['peak_rss_mb']:.0f} MB"
    )
    ours = float(np.median([r["seconds"] for r in runs]))
    print(
        json.dumps(
            {
                "rows": args.rows,
                "ours_seconds_median": round(ours, 2),
                "ours_peak_rss_mb": round(max(r["peak_rss_mb"] for r in runs)),
                "ours_stages_last": {k: round(v, 2) for k, v in runs[-1]["stages"].items()},
                "peer_seconds_extrapolated": round(peer["seconds"], 1),
                "peer_sample": peer["sample"],
                "peer_peak_rss_mb": round(peer["peak_rss_mb"]),
                "ratio_peer_over_ours": round(peer["seconds"] / ours, 1),
                "target_seconds": 180,
                "target_rss_mb": 6144,
            }
        )
    )


if __name__ == "__main__":
    main()
