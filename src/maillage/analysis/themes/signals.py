"""Weak signals over periods: Yoon's keyword emergence and issue maps, Kleinberg bursts."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import chi2, false_discovery_control

WEAK = "weak"
STRONG = "strong"
LATENT = "latent"
WELL_KNOWN = "well-known"


@dataclass
class EmergenceMaps:
    """Yoon's degrees per term (rows) and period (columns), and their increase rates.

    ``dov_rate[:, j]`` and ``dod_rate[:, j]`` are the mean period-over-period growth over the
    window that ends at period ``j`` (NaN at the first period, which has no growth).
    """

    dov: np.ndarray
    dod: np.ndarray
    dov_rate: np.ndarray
    dod_rate: np.ndarray
    dov_level: np.ndarray
    dod_level: np.ndarray


def emergence_maps(
    term_frequency: np.ndarray,
    document_frequency: np.ndarray,
    documents_per_period: np.ndarray,
    *,
    time_weight: float = 0.05,
    smoothing: float = 0.5,
    window: int = 3,
) -> EmergenceMaps:
    """Return the degrees of visibility and diffusion and their time-weighted increase rates.

    Yoon (2012), "Detecting weak signals for long-term business opportunities using text
    mining of Web news", Expert Systems with Applications 39(16), eqs. 1-2, for period
    j = 1..n::

        DoV_ij = (TF_ij / NN_j) * (1 - tw * (n - j))
        DoD_ij = (DF_ij / NN_j) * (1 - tw * (n - j))

    with TF the term frequency, DF the document frequency, NN_j the number of documents of
    period j and tw = ``time_weight``. Counts get add-k smoothing (k = ``smoothing``) so that a
    term absent from a period has a finite growth. The map's vertical axis is the *increase
    rate*, not the level: the mean over the last ``window`` steps ending at j of
    (DoV_ij - DoV_i,j-1) / DoV_i,j-1, likewise for DoD. The horizontal axis (level) is the mean
    degree over the same periods.
    """
    tf = np.asarray(term_frequency, dtype=np.float64)
    df = np.asarray(document_frequency, dtype=np.float64)
    totals = np.asarray(documents_per_period, dtype=np.float64)
    n_periods = tf.shape[1]
    if time_weight * (n_periods - 1) >= 1.0:
        raise ValueError(
            f"{n_periods} periods make Yoon's time weights non-positive for w = {time_weight}"
        )
    weights = 1.0 - time_weight * (n_periods - np.arange(1, n_periods + 1))
    denominator = np.maximum(totals, 1.0)
    dov = (tf + smoothing) / denominator * weights
    dod = (df + smoothing) / denominator * weights
    return EmergenceMaps(
        dov=dov,
        dod=dod,
        dov_rate=_windowed_growth(dov, window),
        dod_rate=_windowed_growth(dod, window),
        dov_level=_windowed_mean(dov, window),
        dod_level=_windowed_mean(dod, window),
    )


def _windowed_growth(degree: np.ndarray, window: int) -> np.ndarray:
    """Return the mean of the last ``window`` relative step changes ending at each period."""
    rates = np.full(degree.shape, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        steps = (degree[:, 1:] - degree[:, :-1]) / degree[:, :-1]
    for j in range(1, degree.shape[1]):
        rates[:, j] = steps[:, max(0, j - window) : j].mean(axis=1)
    return rates


def _windowed_mean(degree: np.ndarray, window: int) -> np.ndarray:
    """Return the mean degree over the periods of each growth window (``window`` + 1 periods)."""
    levels = np.empty(degree.shape)
    for j in range(degree.shape[1]):
        levels[:, j] = degree[:, max(0, j - window) : j + 1].mean(axis=1)
    return levels


def quadrants(level: np.ndarray, rate: np.ndarray, candidates: np.ndarray) -> np.ndarray:
    """Return the quadrant of each term: weak, strong, latent or well-known.

    Yoon (2012), fig. 3: cut both axes at their median over the ``candidates`` (terms with
    enough support). Low level and rising: weak signal; high and rising: strong signal; low
    and not rising: latent; high and not rising: well-known.
    """
    labels = np.full(len(level), "", dtype=object)
    if not candidates.any():
        return labels
    level_cut = np.median(level[candidates])
    rate_cut = np.median(rate[candidates])
    high = level >= level_cut
    rising = rate > rate_cut
    labels[~high & rising] = WEAK
    labels[high & rising] = STRONG
    labels[~high & ~rising] = LATENT
    labels[high & ~rising] = WELL_KNOWN
    labels[~candidates] = ""
    return labels


def log_likelihood(
    count: np.ndarray, total: float, reference_count: np.ndarray, reference_total: float
) -> tuple[np.ndarray, np.ndarray]:
    """Return Dunning's log-likelihood G² and its p-value (chi², 1 d.f.) per term.

    Dunning (1993), "Accurate methods for the statistics of surprise and coincidence",
    Computational Linguistics 19(1): G² = 2 Σ O ln(O / E) over the 2x2 table of (documents with
    / without the term) x (this period / the reference periods).
    """
    a = np.asarray(count, dtype=np.float64)
    c = np.asarray(reference_count, dtype=np.float64)
    b = total - a
    d = reference_total - c
    n = total + reference_total
    observed = np.stack([a, b, c, d])
    row = np.stack([a + c, b + d, a + c, b + d])
    column = np.array([total, total, reference_total, reference_total])[:, None]
    expected = row * column / max(n, 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(observed > 0, observed * np.log(observed / expected), 0.0)
    g2 = np.maximum(2.0 * terms.sum(axis=0), 0.0)
    return g2, chi2.sf(g2, df=1)


def kleinberg_bursts(
    relevant: np.ndarray, totals: np.ndarray, *, scaling: float = 2.0, gamma: float = 1.0
) -> np.ndarray:
    """Return a boolean (terms x periods) array: True where the term is in a burst.

    Kleinberg (2003), "Bursty and hierarchical structure in streams", §4 (batched arrivals),
    with two states: base rate p0 = Σr / Σd and burst rate p1 = ``scaling`` * p0. The cost of
    emitting r_t relevant documents among d_t in state i is -ln[p_i^r_t (1 - p_i)^(d_t - r_t)]
    (the binomial coefficient is the same for both states); entering the burst state costs
    ``gamma`` * ln(n) for n periods; leaving it is free. The cheapest state sequence is found
    by Viterbi, vectorized over terms.
    """
    r = np.asarray(relevant, dtype=np.float64)
    d = np.broadcast_to(np.asarray(totals, dtype=np.float64), r.shape)
    n_terms, n_periods = r.shape
    base = np.clip(r.sum(axis=1) / np.maximum(d.sum(axis=1), 1.0), 1e-9, 1 - 1e-9)
    burst = np.clip(base * scaling, 1e-9, 1 - 1e-9)
    rates = np.stack([base, burst], axis=1)[:, :, None]
    emission = -(r[:, None, :] * np.log(rates) + (d - r)[:, None, :] * np.log(1 - rates))
    enter = gamma * np.log(max(n_periods, 2))
    cost = emission[:, :, 0].copy()
    cost[:, 1] += enter
    back = np.zeros((n_terms, 2, n_periods), dtype=np.int8)
    for t in range(1, n_periods):
        stay_base = cost[:, 0]
        from_burst = cost[:, 1]
        to_base = np.minimum(stay_base, from_burst)
        back[:, 0, t] = from_burst < stay_base
        from_base = cost[:, 0] + enter
        to_burst = np.minimum(from_base, cost[:, 1])
        back[:, 1, t] = cost[:, 1] <= from_base
        cost = np.stack([to_base + emission[:, 0, t], to_burst + emission[:, 1, t]], axis=1)
    states = np.zeros((n_terms, n_periods), dtype=np.int8)
    states[:, -1] = cost.argmin(axis=1)
    rows = np.arange(n_terms)
    for t in range(n_periods - 1, 0, -1):
        states[:, t - 1] = back[rows, states[:, t], t]
    return states.astype(bool)


def benjamini_hochberg(p_values: np.ndarray) -> np.ndarray:
    """Return the Benjamini-Hochberg adjusted p-values (q-values) of ``p_values``.

    Benjamini & Hochberg (1995), "Controlling the false discovery rate", JRSS B 57(1): a term
    with q < alpha is significant with the expected share of false discoveries among the
    significant ones at most alpha. Computed by SciPy's ``false_discovery_control``.
    """
    values = np.asarray(p_values, dtype=np.float64)
    if values.size == 0:
        return values.copy()
    return np.asarray(false_discovery_control(np.clip(values, 0.0, 1.0), method="bh"))
