"""Vote statistics per group: representativeness, consensus, group-informed consensus, priority.

Sources: ``compdemocracy/polis`` ``math/src/polismath/math/repness.clj`` (comment stats,
representativeness, selection, consensus), ``math/stats.clj`` (``prop-test``, ``two-prop-test``,
``z-sig-90?``) and ``math/conversation.clj`` (``group-votes``, ``group-aware-consensus``,
``importance-metric``, ``priority-metric``). Votes are agree = +1, disagree = −1, pass = 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from maillage.analysis.opinions.matrix import VoteMatrix

# One-sided 90 % significance (``stats.clj`` ``z-sig-90?``).
Z_90 = 1.2816
PICK_MAX = 5
META_PRIORITY = 49.0


@dataclass(frozen=True)
class GroupVotes:
    """Agree, disagree and seen (passes included) counts, groups × statements."""

    agree: np.ndarray
    disagree: np.ndarray
    seen: np.ndarray


@dataclass(frozen=True)
class CommentStats:
    """Polis's per-group statement statistics (``conv-repness``), each groups × statements.

    n = count, p = probability, r = representativeness (in-group vs the other groups pooled),
    t = test statistic, a = agree, d = disagree, s = seen.
    """

    na: np.ndarray
    nd: np.ndarray
    ns: np.ndarray
    pa: np.ndarray
    pd: np.ndarray
    pat: np.ndarray
    pdt: np.ndarray
    ra: np.ndarray
    rd: np.ndarray
    rat: np.ndarray
    rdt: np.ndarray


@dataclass(frozen=True)
class RepresentativeStatement:
    """A statement that characterises a group (one entry of Polis's ``repness``)."""

    statement_id: int
    repful_for: str
    n_success: int
    n_trials: int
    p_success: float
    p_test: float
    repness: float
    repness_test: float
    best_agree: bool = False
    n_agree: int | None = None


@dataclass(frozen=True)
class ConsensusStatement:
    """A statement most participants agree (or disagree) with (Polis's ``consensus``)."""

    statement_id: int
    direction: str
    n_success: int
    n_trials: int
    p_success: float
    p_test: float


def prop_test(successes: np.ndarray, trials: np.ndarray) -> np.ndarray:
    """Return ``2·sqrt(n+1)·((s+1)/(n+1) − 1/2)`` (``stats.clj`` ``prop-test``)."""
    successes = np.asarray(successes, dtype=float)
    trials = np.asarray(trials, dtype=float)
    return 2.0 * np.sqrt(trials + 1.0) * ((successes + 1.0) / (trials + 1.0) - 0.5)


def two_prop_test(
    successes_in: np.ndarray,
    successes_out: np.ndarray,
    trials_in: np.ndarray,
    trials_out: np.ndarray,
) -> np.ndarray:
    """Return the two-proportion z statistic with one pseudocount added to each count.

    ``stats.clj`` ``two-prop-test``: ``π1 = (s1+1)/(n1+1)``, ``π2 = (s2+1)/(n2+1)``,
    ``π̂ = (s1+s2+2)/(n1+n2+2)``, ``z = (π1 − π2) / sqrt(π̂(1 − π̂)(1/(n1+1) + 1/(n2+1)))``,
    and 0 where ``π̂ = 1``.
    """
    s1 = np.asarray(successes_in, dtype=float) + 1.0
    s2 = np.asarray(successes_out, dtype=float) + 1.0
    n1 = np.asarray(trials_in, dtype=float) + 1.0
    n2 = np.asarray(trials_out, dtype=float) + 1.0
    pi_hat = (s1 + s2) / (n1 + n2)
    variance = pi_hat * (1.0 - pi_hat) * (1.0 / n1 + 1.0 / n2)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (s1 / n1 - s2 / n2) / np.sqrt(variance)
    return np.where(pi_hat == 1.0, 0.0, z)


def group_votes(votes: VoteMatrix, labels: np.ndarray, n_groups: int) -> GroupVotes:
    """Return per-group counts over the raw matrix (``group-votes``; mod-out votes included).

    ``labels`` gives each row's group, −1 for participants who are not clustered.
    """
    matrix = votes.matrix
    n_cols = votes.shape[1]
    entry_group = np.repeat(labels, np.diff(matrix.indptr))
    clustered = entry_group >= 0
    key = entry_group[clustered] * n_cols + matrix.indices[clustered]
    values = matrix.data[clustered]
    size = n_groups * n_cols

    def count(mask: np.ndarray | None) -> np.ndarray:
        chosen = key if mask is None else key[mask]
        return np.bincount(chosen, minlength=size).reshape(n_groups, n_cols)

    return GroupVotes(agree=count(values > 0), disagree=count(values < 0), seen=count(None))


def rating_group_votes(
    counts: GroupVotes, group_sizes: np.ndarray, mod_out: np.ndarray
) -> GroupVotes:
    """Return the counts Polis's repness sees: mod-out columns are all passes (zeroed cells)."""
    agree = counts.agree.copy()
    disagree = counts.disagree.copy()
    seen = counts.seen.copy()
    agree[:, mod_out] = 0
    disagree[:, mod_out] = 0
    seen[:, mod_out] = group_sizes[:, None]
    return GroupVotes(agree, disagree, seen)


def comment_stats(counts: GroupVotes) -> CommentStats:
    """Return ``conv-repness`` statistics for every group and statement.

    ``pa = (na+1)/(ns+2)``; ``pat = prop_test(na, ns)``; ``ra = pa / ((1+na_o)/(2+ns_o))`` with
    ``_o`` the counts of all other groups pooled; ``rat = two_prop_test(na, na_o, ns, ns_o)``;
    likewise for disagree.
    """
    na, nd, ns = counts.agree, counts.disagree, counts.seen
    na_o = na.sum(axis=0) - na
    nd_o = nd.sum(axis=0) - nd
    ns_o = ns.sum(axis=0) - ns
    pa = (na + 1.0) / (ns + 2.0)
    pd = (nd + 1.0) / (ns + 2.0)
    return CommentStats(
        na=na,
        nd=nd,
        ns=ns,
        pa=pa,
        pd=pd,
        pat=prop_test(na, ns),
        pdt=prop_test(nd, ns),
        ra=pa / ((1.0 + na_o) / (2.0 + ns_o)),
        rd=pd / ((1.0 + nd_o) / (2.0 + ns_o)),
        rat=two_prop_test(na, na_o, ns, ns_o),
        rdt=two_prop_test(nd, nd_o, ns, ns_o),
    )


def _finalize(stats: CommentStats, g: int, c: int, statement_id: int) -> RepresentativeStatement:
    """Return the statement's entry in its stronger direction (``finalize-cmt-stats``).

    ``repness-test`` is rounded to single precision, as Polis stores it (``(float repness-test)``),
    so that orderings and values match Polis's.
    """
    if stats.rat[g, c] > stats.rdt[g, c]:
        n, p, pt, r, rt, side = (
            stats.na,
            stats.pa,
            stats.pat,
            stats.ra,
            stats.rat,
            "agree",
        )
    else:
        n, p, pt, r, rt, side = (
            stats.nd,
            stats.pd,
            stats.pdt,
            stats.rd,
            stats.rdt,
            "disagree",
        )
    return RepresentativeStatement(
        statement_id=statement_id,
        repful_for=side,
        n_success=int(n[g, c]),
        n_trials=int(stats.ns[g, c]),
        p_success=float(p[g, c]),
        p_test=float(pt[g, c]),
        repness=float(r[g, c]),
        repness_test=float(np.float32(rt[g, c])),
    )


def _metric(entry: RepresentativeStatement) -> float:
    """Return ``repness · repness-test · p-success · p-test`` (``repness-metric``)."""
    return entry.repness * entry.repness_test * entry.p_success * entry.p_test


def select_representative(
    stats: CommentStats,
    statement_ids: np.ndarray,
    mod_out: np.ndarray,
    pick_max: int = PICK_MAX,
) -> list[list[RepresentativeStatement]]:
    """Return, per group, up to ``pick_max`` representative statements (``select-rep-comments``).

    A statement passes when ``rat`` and ``pat`` exceed 1.2816, or ``rdt`` and ``pdt`` do. Passing
    statements are ranked by the repness metric (stable: ties keep statement order); the group's
    best-agree statement is put first, the list cut to ``pick_max``, then agrees are moved before
    disagrees. With no passing statement the group gets its best-agree statement, else the one
    with the highest ``max(rat, rdt)``. Mod-out statements are never selected.
    """
    passes = ((stats.rat > Z_90) & (stats.pat > Z_90)) | ((stats.rdt > Z_90) & (stats.pdt > Z_90))
    candidates = np.flatnonzero(~mod_out)
    result = []
    for g in range(stats.na.shape[0]):
        sufficient: list[RepresentativeStatement] = []
        best: RepresentativeStatement | None = None
        best_agree: int | None = None
        for c in candidates.tolist():
            if passes[g, c]:
                sufficient.append(_finalize(stats, g, c, int(statement_ids[c])))
            if not sufficient and (
                best is None or max(stats.rat[g, c], stats.rdt[g, c]) > best.repness_test
            ):
                best = _finalize(stats, g, c, int(statement_ids[c]))
            if _beats_best_agree(stats, g, c, best_agree):
                best_agree = int(c)
        head: list[RepresentativeStatement] = []
        if best_agree is not None:
            chosen = _finalize(stats, g, best_agree, int(statement_ids[best_agree]))
            head = [
                RepresentativeStatement(
                    **{
                        **chosen.__dict__,
                        "best_agree": True,
                        "n_agree": int(stats.na[g, best_agree]),
                    }
                )
            ]
        elif best is not None:
            head = [best]
        if not sufficient:
            result.append(head)
            continue
        head_id = head[0].statement_id if best_agree is not None else None
        ranked = sorted(
            (entry for entry in sufficient if entry.statement_id != head_id),
            key=lambda entry: -_metric(entry),
        )
        picked = ((head if best_agree is not None else []) + ranked)[:pick_max]
        result.append(
            [e for e in picked if e.repful_for == "agree"]
            + [e for e in picked if e.repful_for == "disagree"]
        )
    return result


def _beats_best_agree(stats: CommentStats, g: int, c: int, current: int | None) -> bool:
    """Return whether statement ``c`` replaces the group's best-agree one (``beats-best-agr?``)."""
    na, nd = stats.na[g, c], stats.nd[g, c]
    if na == 0 and nd == 0:
        return False
    ra, rat, pa, pat = stats.ra[g, c], stats.rat[g, c], stats.pa[g, c], stats.pat[g, c]
    if current is not None and stats.ra[g, current] > 1.0:
        best = stats.ra[g, current] * stats.rat[g, current] * stats.pa[g, current]
        return bool(ra * rat * pa * pat > best * stats.pat[g, current])
    if current is not None:
        return bool(pa * pat > stats.pa[g, current] * stats.pat[g, current])
    return bool(pat > Z_90 or (ra > 1.0 and pa > 0.5))


def select_consensus(
    votes: VoteMatrix, mod_out: np.ndarray, pick_max: int = PICK_MAX
) -> dict[str, list[ConsensusStatement]]:
    """Return the top agree and disagree consensus statements over all participants.

    ``repness.clj`` ``consensus-stats`` / ``select-consensus-comments``: on the rating matrix
    (every participant, not only the clustered ones), agree candidates have ``pa > 0.5`` and
    ``pat > 1.2816`` and are ranked by ``pa · pat`` (stable), top ``pick_max``; disagree alike.
    """
    agree, disagree, seen = votes.counts_by_column()
    result: dict[str, list[ConsensusStatement]] = {}
    for direction, successes in (("agree", agree), ("disagree", disagree)):
        p = (successes + 1.0) / (seen + 2.0)
        test = prop_test(successes, seen)
        eligible = np.flatnonzero((~mod_out) & (p > 0.5) & (test > Z_90))
        order = eligible[np.argsort(-(p * test)[eligible], kind="stable")][:pick_max]
        result[direction] = [
            ConsensusStatement(
                statement_id=int(votes.statement_ids[c]),
                direction=direction,
                n_success=int(successes[c]),
                n_trials=int(seen[c]),
                p_success=float(p[c]),
                p_test=float(test[c]),
            )
            for c in order
        ]
    return result


def group_informed_consensus(counts: GroupVotes) -> np.ndarray:
    """Return ``Π_g (A_g + 1) / (S_g + 2)`` per statement (``group-aware-consensus``)."""
    return np.prod((counts.agree + 1.0) / (counts.seen + 2.0), axis=0)


def statement_priority(
    counts: GroupVotes, extremity: np.ndarray, is_meta: np.ndarray
) -> np.ndarray:
    """Return each statement's priority for being shown next (``comment-priorities``).

    Over all groups: ``P = S − A − D``, ``p = (P+1)/(S+2)``, ``a = (A+1)/(S+2)``,
    ``importance = (1 − p)·(E + 1)·a`` with E the statement's extremity, and
    ``priority = (importance · (1 + 8·2^(−S/5)))²``; meta statements get 7² = 49. Polis feeds it
    the previous update's counts (delphi ``CLOJURE_QUIRKS.md`` Q2); the current ones are used here.
    """
    agree = counts.agree.sum(axis=0).astype(float)
    disagree = counts.disagree.sum(axis=0).astype(float)
    seen = counts.seen.sum(axis=0).astype(float)
    passes = seen - agree - disagree
    importance = (
        (1.0 - (passes + 1.0) / (seen + 2.0)) * (extremity + 1.0) * (agree + 1.0) / (seen + 2.0)
    )
    priority = (importance * (1.0 + 8.0 * 2.0 ** (-seen / 5.0))) ** 2
    return np.where(is_meta, META_PRIORITY, priority)
