"""Opinion math, ours vs red-dwarf 0.4.0, on every Polis conversation in the shared data.

Same inputs for both: the openData folder. End to end: read ``votes.csv`` and ``comments.csv``
(plus, for us, ``participants-votes.csv`` and ``summary.csv`` with the sign checks), keep the latest
vote per (participant, statement), zero rejected statements, PCA, clustering, representativeness,
consensus and group-informed consensus. Ours runs in cold mode. Each side runs in its own child
process (imports and one warm-up run excluded), ``--repeats`` timed runs, medians reported, and
peak RSS read from the child's ``ru_maxrss``.

Run: ``.venv/bin/python bench/opinions.py`` (``--quick`` for 3 repeats).
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

SIDES = ("ours", "red-dwarf")


def run_ours(folder: Path, seed: int) -> int:
    """Analyse ``folder`` with our code and return the number of groups."""
    from maillage.analysis.opinions import analyze, read_opendata

    conversation = read_opendata(folder)
    result = analyze(
        conversation.votes,
        mod_out_ids=conversation.statements.mod_out_ids,
        meta_ids=conversation.statements.meta_ids,
        seed=seed,
    )
    return len(result.group_ids)


def run_peer(folder: Path, seed: int) -> int:
    """Analyse ``folder`` with red-dwarf's Polis pipeline and return the number of groups."""
    import pandas as pd
    from reddwarf.implementations.polis import run_pipeline

    votes = pd.read_csv(folder / "votes.csv")
    comments = pd.read_csv(folder / "comments.csv")
    # red-dwarf's Loader keeps the most recent vote per pair; do the same on the CSV export.
    votes = votes.sort_values("timestamp", kind="stable").drop_duplicates(
        ["voter-id", "comment-id"], keep="last"
    )
    records = [
        {"participant_id": p, "statement_id": s, "vote": v, "modified": t}
        for p, s, v, t in zip(
            votes["voter-id"], votes["comment-id"], votes["vote"], votes["timestamp"], strict=True
        )
    ]
    meta = (
        comments.loc[comments["is-meta"].astype(str).str.lower() == "true", "comment-id"].tolist()
        if "is-meta" in comments.columns
        else []
    )
    result = run_pipeline(
        votes=records,
        mod_out_statement_ids=comments.loc[comments["moderated"] == -1, "comment-id"].tolist(),
        meta_statement_ids=meta,
        random_state=seed,
    )
    return int(result.participants_df["cluster_id"].dropna().nunique())


def child(side: str, folder: Path, repeats: int, seed: int) -> None:
    """Time ``repeats`` runs of one side after a warm-up; print one JSON line."""
    run = run_ours if side == "ours" else run_peer
    groups = run(folder, seed)
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        run(folder, seed)
        times.append(time.perf_counter() - started)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"times": times, "groups": groups, "peak_rss_mb": peak}))


def conversations() -> list[Path]:
    """Return the conversation folders of the shared data."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    from maillage.analysis.shared_data import shared_data_dir

    root = shared_data_dir()
    if root is None:
        raise SystemExit("shared data absent: set MAILLAGE_SHARED_DATA")
    return sorted(p for p in (root / "polis").iterdir() if (p / "votes.csv").is_file())


def main() -> int:
    """Run both sides on every conversation and print the figures, JSON last."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--quick", action="store_true", help="3 repeats")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--child", nargs=2, metavar=("SIDE", "DIR"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    repeats = 3 if args.quick else args.repeats
    if args.child:
        child(args.child[0], Path(args.child[1]), repeats, args.seed)
        return 0
    rows = []
    for folder in conversations():
        figures = {}
        for side in SIDES:
            output = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--child",
                    side,
                    str(folder),
                    "--repeats",
                    str(repeats),
                    "--seed",
                    str(args.seed),
                ],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            figures[side] = json.loads(output.strip().splitlines()[-1])
        ours = statistics.median(figures["ours"]["times"])
        peer = statistics.median(figures["red-dwarf"]["times"])
        row = {
            "conversation": folder.name,
            "ours_median_s": ours,
            "peer_median_s": peer,
            "ratio": peer / ours,
            "ours_peak_rss_mb": figures["ours"]["peak_rss_mb"],
            "peer_peak_rss_mb": figures["red-dwarf"]["peak_rss_mb"],
            "ours_groups": figures["ours"]["groups"],
            "peer_groups": figures["red-dwarf"]["groups"],
        }
        rows.append(row)
        print(
            f"{folder.name}: ours {ours * 1000:.1f} ms, red-dwarf {peer * 1000:.1f} ms, "
            f"{row['ratio']:.1f}× faster; peak RSS {row['ours_peak_rss_mb']:.0f} MB vs "
            f"{row['peer_peak_rss_mb']:.0f} MB; groups {row['ours_groups']} vs {row['peer_groups']}"
        )
    worst = min(row["ratio"] for row in rows)
    print(f"smallest speed-up {worst:.1f}× (target ≥ 10×), medians of {repeats} runs")
    print(
        json.dumps(
            {
                "bench": "opinions",
                "repeats": repeats,
                "conversations": rows,
                "ours_total_median_s": sum(row["ours_median_s"] for row in rows),
                "peer_total_median_s": sum(row["peer_median_s"] for row in rows),
                "min_ratio": worst,
                "meets_target": worst >= 10,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
