"""Opinion math against Polis's own outputs on the real conversations of the shared data.

The biodiversity folder carries Polis's Clojure math blobs (production and cold start): given
the exported groups, group-informed consensus, representativeness and consensus must equal
them, and the PCA must match up to sign.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from maillage.analysis.opinions import OpinionAnalysis, analyze, read_opendata
from maillage.analysis.shared_data import shared_data_dir

pytestmark = pytest.mark.shared_data

BIODIVERSITY = "scoop-hivemind.biodiversity"
CONVERSATIONS = ("15-per-hour-seattle", "london.youth.policing", BIODIVERSITY)


def polis_folder(name: str) -> Path:
    """Return the folder of a shared Polis conversation, or skip when shared data is absent."""
    root = shared_data_dir()
    if root is None:
        pytest.skip("shared data absent: set MAILLAGE_SHARED_DATA")
    return root / "polis" / name


def blob(name: str) -> dict:
    """Return a biodiversity math blob."""
    path = polis_folder(BIODIVERSITY) / "polis-math" / name
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def production() -> tuple[dict, OpinionAnalysis]:
    """Return the production blob and our analysis with the exported groups and its meta tids."""
    math = blob("r4tykwac8thvzv35jrn53_math_blob.json")
    conversation = read_opendata(polis_folder(BIODIVERSITY))
    result = analyze(
        conversation.votes,
        mod_out_ids=conversation.statements.mod_out_ids,
        meta_ids=math["meta-tids"],
        groups=conversation.export_groups,
    )
    return math, result


def test_mod_out_statements_are_those_of_polis(production: tuple[dict, OpinionAnalysis]) -> None:
    math, result = production
    voted = set(result.statement_ids.tolist())
    assert set(result.statement_ids[result.mod_out].tolist()) == set(math["mod-out"]) & voted


def test_group_informed_consensus_equals_polis(production: tuple[dict, OpinionAnalysis]) -> None:
    math, result = production
    expected = np.array([math["group-aware-consensus"][str(t)] for t in result.statement_ids])
    assert np.abs(result.group_informed_consensus - expected).max() < 1e-9


def test_representative_statements_equal_polis(production: tuple[dict, OpinionAnalysis]) -> None:
    math, result = production
    for gid, entries in math["repness"].items():
        ours = result.representative[int(gid)]
        assert [e.statement_id for e in ours] == [e["tid"] for e in entries]
        for mine, theirs in zip(ours, entries, strict=True):
            assert mine.repful_for == theirs["repful-for"]
            assert (mine.n_success, mine.n_trials) == (theirs["n-success"], theirs["n-trials"])
            assert mine.best_agree == theirs.get("best-agree", False)
            for key in ("p-success", "p-test", "repness"):
                assert abs(getattr(mine, key.replace("-", "_")) - theirs[key]) < 1e-9
            # Polis stores repness-test in single precision; ours is rounded the same way.
            assert np.float32(mine.repness_test) == np.float32(theirs["repness-test"])


def test_consensus_statements_equal_polis(production: tuple[dict, OpinionAnalysis]) -> None:
    math, result = production
    for direction in ("agree", "disagree"):
        ours = result.consensus[direction]
        theirs = math["consensus"][direction]
        assert [e.statement_id for e in ours] == [e["tid"] for e in theirs]
        for mine, expected in zip(ours, theirs, strict=True):
            assert (mine.n_success, mine.n_trials) == (expected["n-success"], expected["n-trials"])
            assert abs(mine.p_success - expected["p-success"]) < 1e-9
            assert abs(mine.p_test - expected["p-test"]) < 1e-9


def test_pca_and_statement_projection_equal_polis_up_to_sign(
    production: tuple[dict, OpinionAnalysis],
) -> None:
    math, result = production
    assert math["tids"] == result.statement_ids.tolist()
    # Polis's centre is in its internal sign (agree = -1).
    assert np.abs(-result.pca.center - np.array(math["pca"]["center"])).max() < 1e-9
    for k in range(2):
        theirs = np.array(math["pca"]["comps"][k])
        sign = np.sign(result.pca.components[k] @ theirs)
        assert np.abs(sign * result.pca.components[k] - theirs).max() < 1e-9
        projection = np.array(math["pca"]["comment-projection"][k])
        sign = np.sign(result.pca.statement_projection[:, k] @ projection)
        assert np.abs(sign * result.pca.statement_projection[:, k] - projection).max() < 1e-9
    extremity = np.array(math["pca"]["comment-extremity"])
    assert np.abs(result.pca.statement_extremity - extremity).max() < 1e-9
    priority = np.array([math["comment-priorities"][str(t)] for t in result.statement_ids])
    assert np.abs(result.priority - priority).max() < 1e-9


def test_cold_start_pca_and_participant_projections_match_polis() -> None:
    math = blob("r4tykwac8thvzv35jrn53_math_blob_cold_start.json")
    conversation = read_opendata(polis_folder(BIODIVERSITY))
    result = analyze(conversation.votes)
    for k in range(2):
        theirs = np.array(math["pca"]["comps"][k])
        sign = np.sign(result.pca.components[k] @ theirs)
        # Polis stops its power iteration after 100 steps: converged to ~1e-9, not further.
        assert np.abs(sign * result.pca.components[k] - theirs).max() < 1e-8
    # A base cluster's centre is the mean of its members' projections once k-means converged.
    row = {int(p): i for i, p in enumerate(result.participant_ids)}
    projection = result.pca.participant_projection
    base = math["base-clusters"]
    for members, x, y in zip(base["members"], base["x"], base["y"], strict=True):
        centre = projection[[row[p] for p in members]].mean(axis=0)
        assert np.abs(np.abs(centre) - np.abs([x, y])).max() < 1e-6
    assert set(result.participant_ids[result.in_conv].tolist()) == set(math["in-conv"])


def agreement_with_export(name: str, mode: str) -> tuple[int, int, float]:
    """Return (our number of groups, the export's, adjusted Rand index) on all participants.

    Unclustered participants form one more class on both sides.
    """
    conversation = read_opendata(polis_folder(name))
    result = analyze(
        conversation.events if mode == "replay" else conversation.votes,
        mod_out_ids=conversation.statements.mod_out_ids,
        meta_ids=conversation.statements.meta_ids,
        mode=mode,
    )
    exported = [conversation.export_groups.get(int(p)) for p in result.participant_ids]
    exported_labels = np.array([-1 if g is None else g for g in exported])
    ari = adjusted_rand_score(exported_labels, result.group)
    n_exported = len({g for g in exported if g is not None})
    print(f"{name} {mode}: {len(result.group_ids)} groups (export {n_exported}), ARI {ari:.3f}")
    return len(result.group_ids), n_exported, ari


@pytest.mark.parametrize(
    ("name", "minimum_ari"),
    [("15-per-hour-seattle", 0.8), ("london.youth.policing", 0.0), (BIODIVERSITY, 0.95)],
)
def test_cold_groups_agree_with_the_export(name: str, minimum_ari: float) -> None:
    n_groups, _, ari = agreement_with_export(name, "cold")
    assert 2 <= n_groups <= 5
    assert ari >= minimum_ari


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "minimum_ari"),
    [("15-per-hour-seattle", 0.9), ("london.youth.policing", 0.0), (BIODIVERSITY, 0.9)],
)
def test_replayed_groups_agree_with_the_export(name: str, minimum_ari: float) -> None:
    n_groups, _, ari = agreement_with_export(name, "replay")
    assert 2 <= n_groups <= 5
    assert ari >= minimum_ari
