"""Quality benchmark: nearest-neighbour tag precision and theme purity on the human gold tags.

For each distinct answer of gold_tags_dev.csv (tag "Idée marquée" dropped), its nearest
neighbour (cosine) in theme space should share at least one human tag; purity assigns each
theme its most common tag and counts the answers carrying it. Ours (TF-IDF + NMF, with and
without USE embeddings) and BERTopic 0.17.4 (same USE embeddings, PCA + MiniBatchKMeans, same
number of themes) run side by side. ``--signals`` also prints the weak signals found on the
dated République numérique 2015 consultation.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))


def load_gold() -> tuple[list[str], list[set[str]]]:
    """Return the distinct gold answers and the set of human tags of each."""
    import pandas as pd

    from maillage.analysis.shared_data import shared_data_dir

    folder = shared_data_dir()
    if folder is None:
        raise SystemExit("shared data absent: set MAILLAGE_SHARED_DATA")
    table = pd.read_csv(
        folder / "text" / "gold_tags_dev.csv", sep="\t", index_col=0, keep_default_na=False
    )
    table = table[table.tag != "Idée marquée"]
    grouped = table.groupby("corpus").tag.agg(set)
    return grouped.index.tolist(), grouped.tolist()


def nn_precision(space: np.ndarray, tags: list[set[str]]) -> float:
    """Return the share of answers whose cosine nearest neighbour shares a tag with them."""
    norms = np.linalg.norm(space, axis=1, keepdims=True)
    unit = space / np.where(norms > 0, norms, 1)
    similarity = unit @ unit.T
    np.fill_diagonal(similarity, -np.inf)
    neighbour = similarity.argmax(axis=1)
    return float(np.mean([bool(tags[i] & tags[j]) for i, j in enumerate(neighbour)]))


def purity(assignment: np.ndarray, tags: list[set[str]]) -> float:
    """Return multi-label purity: per theme, the answers carrying its most common tag, over all."""
    hit = 0
    for theme in np.unique(assignment[assignment >= 0]):
        members = np.flatnonzero(assignment == theme)
        counts: dict[str, int] = {}
        for i in members:
            for tag in tags[i]:
                counts[tag] = counts.get(tag, 0) + 1
        hit += max(counts.values(), default=0)
    return hit / len(assignment)


def ours(
    texts: list[str], tags: list[set[str]], embeddings: np.ndarray | None, k: int | None
) -> dict:
    """Score our pipeline (optionally with embeddings, reusing precomputed vectors)."""
    from maillage.analysis.themes import analyze_themes

    lookup = {t.lower(): i for i, t in enumerate(texts)}
    embedder = None
    if embeddings is not None:

        def embedder(batch: list[str]) -> np.ndarray:
            return embeddings[[lookup.get(t, 0) for t in batch]]

    clock = time.perf_counter()
    analysis = analyze_themes(texts, n_themes=k, embedder=embedder)
    seconds = time.perf_counter() - clock
    kept = analysis.row_theme >= 0
    return {
        "precision": nn_precision(
            analysis.theme_space[kept], [tags[i] for i in np.flatnonzero(kept)]
        ),
        "purity": purity(analysis.row_theme, tags),
        "themes": len(analysis.themes),
        "seconds": seconds,
        "labels": [t.label for t in analysis.themes],
    }


def bertopic(texts: list[str], tags: list[set[str]], embeddings: np.ndarray, k: int) -> dict:
    """Score BERTopic over the same embeddings: topic distribution and its PCA space."""
    from bertopic import BERTopic
    from sklearn.cluster import MiniBatchKMeans
    from sklearn.decomposition import PCA
    from sklearn.feature_extraction.text import CountVectorizer

    clock = time.perf_counter()
    reducer = PCA(n_components=10, random_state=0)
    model = BERTopic(
        umap_model=reducer,
        hdbscan_model=MiniBatchKMeans(n_clusters=k, random_state=0, n_init=3),
        vectorizer_model=CountVectorizer(ngram_range=(1, 2), min_df=2),
        calculate_probabilities=False,
    )
    topics, _ = model.fit_transform(texts, embeddings)
    seconds = time.perf_counter() - clock
    distribution, _ = model.approximate_distribution(texts)
    reduced = reducer.transform(embeddings)
    return {
        "precision_topic_distribution": nn_precision(distribution, tags),
        "precision_reduced_embedding": nn_precision(reduced, tags),
        "precision": max(nn_precision(distribution, tags), nn_precision(reduced, tags)),
        "purity": purity(np.asarray(topics), tags),
        "seconds": seconds,
    }


def signals() -> None:
    """Print the emerging weak signals of the République numérique 2015 consultation."""
    import pandas as pd

    from maillage.analysis.shared_data import shared_data_dir
    from maillage.analysis.themes import analyze_themes

    table = pd.read_csv(
        shared_data_dir() / "text" / "republique_numerique_2015.csv.gz", keep_default_na=False
    )
    table = table[table.author_is_government != "true"]
    texts = (table.title + ". " + table.body).str.strip(". ").tolist()
    dates = (
        pd.to_datetime(table.created_at, utc=True)
        .dt.tz_localize(None)
        .to_numpy(dtype="datetime64[D]")
    )
    analysis = analyze_themes(texts, dates=dates, territories=table.theme.tolist())
    report = analysis.weak_signals
    print("periods:", report.periods, report.documents_per_period)
    print("place names filtered:", report.filtered_places)
    for s in report.signals:
        if s.emerging and s.quadrant == "weak":
            print(
                f"  {s.period} WEAK {s.term!r} docs={s.document_frequency} rise={s.visibility_increase:+.2f} "
                f"G2={s.log_likelihood:.1f} burst={s.burst} e.g. {texts[s.examples[0]][:110]!r}"
            )
    strong = [s for s in report.signals if s.emerging and s.quadrant == "strong"]
    print("strong emerging:", [(s.period, s.term) for s in strong][:40])


def main() -> None:
    """Run both sides and print the final JSON line."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--signals", action="store_true", help="also show République numérique signals"
    )
    args = parser.parse_args()
    texts, tags = load_gold()
    print(f"{len(texts)} distinct tagged answers")
    from maillage.analysis.themes import sentence_encoder

    clock = time.perf_counter()
    embeddings = sentence_encoder()(texts)
    embed_seconds = time.perf_counter() - clock
    plain = [ours(texts, tags, None, None) for _ in range(args.repeat)]
    k = plain[0]["themes"]
    hybrid = [ours(texts, tags, embeddings, k) for _ in range(args.repeat)]
    peer = [bertopic(texts, tags, embeddings, k) for _ in range(args.repeat)]

    def median(runs: list[dict], key: str) -> float:
        return float(np.median([r[key] for r in runs]))

    print("our labels:", " | ".join(plain[0]["labels"]))
    for name, runs in (
        ("ours (TF-IDF+NMF)", plain),
        ("ours + embeddings", hybrid),
        ("BERTopic", peer),
    ):
        print(
            f"{name:20s} NN tag precision {median(runs, 'precision'):.3f}  purity {median(runs, 'purity'):.3f}  "
            f"{median(runs, 'seconds'):.1f}s"
        )
    print(
        f"BERTopic precision by space: topic distribution {median(peer, 'precision_topic_distribution'):.3f}, "
        f"PCA space {median(peer, 'precision_reduced_embedding'):.3f}; embeddings took {embed_seconds:.1f}s"
    )
    if args.signals:
        signals()
    print(
        json.dumps(
            {
                "answers": len(texts),
                "themes": k,
                "ours_precision": round(median(plain, "precision"), 4),
                "ours_purity": round(median(plain, "purity"), 4),
                "ours_embeddings_precision": round(median(hybrid, "precision"), 4),
                "ours_embeddings_purity": round(median(hybrid, "purity"), 4),
                "peer_precision": round(median(peer, "precision"), 4),
                "peer_purity": round(median(peer, "purity"), 4),
                "ratio_precision": round(
                    median(hybrid, "precision") / median(peer, "precision"), 3
                ),
                "embedding_seconds": round(embed_seconds, 1),
                "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            }
        )
    )


if __name__ == "__main__":
    main()
