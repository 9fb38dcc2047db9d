"""Opinion math at Polis's hard caps: 100,000 participants × 10,000 statements, 10,000,000 votes.

A synthetic conversation with realistic skew (a few participants vote on thousands of statements,
most on a few dozen; early statements are seen far more than late ones) and three planted opinion
groups plus undecided participants. The votes are generated once and saved; each repetition runs
``maillage.analysis.opinions.analyze`` (cold mode, end to end from the vote arrays) in a child
process that reports its wall time and peak RSS (``ru_maxrss``), so that memory is measured
for the computation alone. The peer (red-dwarf) densifies the full matrix (10^9 cells, 8 GB) and
cannot run at this size; it is compared on real conversations in ``bench/opinions.py``.

Run: ``.venv/bin/python bench/opinions_scale.py`` (``--scale 0.1`` for a 10× smaller run).
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

PARTICIPANTS = 100_000
STATEMENTS = 10_000
VOTES = 10_000_000
GROUPS = 3


def synthetic_votes(scale: float, seed: int) -> dict[str, np.ndarray]:
    """Return a synthetic conversation's votes as arrays (unique cells, time-ordered)."""
    rng = np.random.default_rng(seed)
    n_people = max(50, int(PARTICIPANTS * scale))
    n_statements = max(20, int(STATEMENTS * scale))
    n_votes = int(VOTES * scale)
    # Participation: log-normal, capped at the number of statements, rescaled to the vote budget.
    activity = rng.lognormal(mean=0.0, sigma=1.2, size=n_people)
    per_person = np.minimum(
        np.maximum(1, np.round(activity / activity.sum() * n_votes * 1.15)), n_statements
    ).astype(np.int64)
    # Statement popularity: Zipf-like, earlier statements are shown to more people.
    popularity = 1.0 / (np.arange(n_statements) + 10.0) ** 0.8
    cdf = np.cumsum(popularity) / popularity.sum()
    people = np.repeat(np.arange(n_people), per_person)
    statements = np.minimum(np.searchsorted(cdf, rng.random(len(people))), n_statements - 1)
    key = people * n_statements + statements
    # Sort-based distinct keys: numpy's hash-based np.unique is far slower at this size.
    key = np.sort(key)
    key = key[np.append(True, key[1:] != key[:-1])]
    if len(key) > n_votes:
        key = np.sort(rng.choice(key, size=n_votes, replace=False))
    people = key // n_statements
    statements = key % n_statements
    # Planted groups: each group has a stance per statement; a fifth of people are undecided.
    group = rng.integers(0, GROUPS + 1, size=n_people)
    stance = rng.choice([-1.0, 0.0, 1.0], size=(GROUPS + 1, n_statements), p=[0.35, 0.3, 0.35])
    stance[GROUPS] = 0.0
    p_agree = 0.4 + 0.45 * stance[group[people], statements]
    p_agree = np.clip(p_agree, 0.05, 0.9)
    draw = rng.random(len(people))
    passes = rng.random(len(people)) < 0.15
    values = np.where(draw < p_agree, 1, -1).astype(np.int8)
    values[passes] = 0
    timestamps = np.sort(
        rng.integers(1_600_000_000_000, 1_600_000_000_000 + 30 * 86_400_000, size=len(people))
    )
    order = rng.permutation(len(people))
    return {
        "participant_ids": people[order],
        "statement_ids": statements[order],
        "values": values[order],
        "timestamps": timestamps,
        "planted": group,
    }


def run_child(path: str, seed: int) -> None:
    """Load the saved votes, analyse them and print one JSON line with time and peak RSS."""
    from maillage.analysis.opinions import VoteTable, analyze

    data = np.load(path)
    votes = VoteTable(
        participant_ids=data["participant_ids"],
        statement_ids=data["statement_ids"],
        values=data["values"],
        timestamps=data["timestamps"],
    )
    planted = data["planted"]
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    result = analyze(votes, seed=seed)
    elapsed = time.perf_counter() - started
    from sklearn.metrics import adjusted_rand_score

    clustered = result.group >= 0
    ari = adjusted_rand_score(planted[result.participant_ids[clustered]], result.group[clustered])
    print(
        json.dumps(
            {
                "seconds": elapsed,
                "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "rss_after_load_mb": rss_before / 1024,
                "participants": len(result.participant_ids),
                "statements": len(result.statement_ids),
                "votes": int(result.n_votes.sum()),
                "clustered": int(clustered.sum()),
                "groups": len(result.group_ids),
                "ari_vs_planted": ari,
                "timings": result.timings,
            }
        )
    )


def main() -> int:
    """Generate the conversation, time the analysis in child processes, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the caps (1.0)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_child(args.child, args.seed)
        return 0
    started = time.perf_counter()
    data = synthetic_votes(args.scale, args.seed)
    with tempfile.TemporaryDirectory() as folder:
        path = str(Path(folder) / "votes.npz")
        np.savez(path, **data)
        print(
            f"generated {len(data['values']):,} votes, {len(data['planted']):,} participants "
            f"in {time.perf_counter() - started:.1f} s"
        )
        del data
        runs = []
        for repeat in range(args.repeats):
            output = subprocess.run(
                [sys.executable, __file__, "--child", path, "--seed", str(args.seed)],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            run = json.loads(output.strip().splitlines()[-1])
            runs.append(run)
            print(
                f"run {repeat + 1}: {run['seconds']:.2f} s, peak RSS {run['peak_rss_mb']:.0f} MB "
                f"({run['participants']:,} × {run['statements']:,}, {run['votes']:,} votes, "
                f"{run['groups']} groups, ARI vs planted {run['ari_vs_planted']:.3f}) "
                + ", ".join(f"{k} {v:.2f}" for k, v in run["timings"].items())
            )
    seconds = statistics.median(run["seconds"] for run in runs)
    peak = max(run["peak_rss_mb"] for run in runs)
    print(f"median {seconds:.2f} s (target < 60 s), peak RSS {peak:.0f} MB (target < 4096 MB)")
    print(
        json.dumps(
            {
                "bench": "opinions_scale",
                "scale": args.scale,
                "participants": runs[0]["participants"],
                "statements": runs[0]["statements"],
                "votes": runs[0]["votes"],
                "ours_median_s": seconds,
                "ours_runs_s": [run["seconds"] for run in runs],
                "peak_rss_mb": peak,
                "groups": runs[0]["groups"],
                "ari_vs_planted": runs[0]["ari_vs_planted"],
                "timings": runs[0]["timings"],
                "peer": None,
                "target_s": 60,
                "target_rss_mb": 4096,
                "meets_targets": seconds < 60 and peak < 4096,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
