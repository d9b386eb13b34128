"""FSRS-6 parameters fitted to a learner's review history, and measured out of sample.

Each card's history is replayed with FSRS-6's formulas (those of fsrs and fsrs-rs), all cards at
once as numpy arrays, carrying the derivative of stability and difficulty with respect to each of
the 21 parameters along (forward-mode differentiation): one replay gives the log loss and its exact
gradient, which L-BFGS-B (scipy) follows within FSRS-6's parameter bounds.

What is predicted, as in fsrs-rs `evaluate` and srs-benchmark: the recall of each long-term review
(made at least one study day after the previous review of the same card; a card's first review is
never predicted). Same-day reviews move stability by FSRS-6's short-term formula (w17-w19).

Out of sample: the long-term reviews are put in time order and cut into `folds + 1` equal parts;
fold k trains on parts 0..k-1 and is tested on part k (srs-benchmark's TimeSeriesSplit, 5 folds).
A prediction never sees its own or any later outcome, because a card's replay runs forward in time.

numpy and scipy are the optional extra `quizkit[optimize]`; only this module imports them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from numpy.typing import NDArray

from quizkit.core.scheduler import DEFAULT_PARAMETERS, SchedulerConfig, study_day
from quizkit.model import Rating

Array = NDArray[np.float64]

N_PARAMETERS = 21
LOWER_BOUNDS: tuple[float, ...] = (
    0.001, 0.001, 0.001, 0.001, 1.0, 0.001, 0.001, 0.001, 0.0, 0.0, 0.001,
    0.001, 0.001, 0.001, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.1,
)  # fmt: skip
UPPER_BOUNDS: tuple[float, ...] = (
    100.0, 100.0, 100.0, 100.0, 10.0, 4.0, 4.0, 0.75, 4.5, 0.8, 3.5,
    5.0, 0.25, 0.9, 4.0, 1.0, 6.0, 2.0, 2.0, 0.8, 0.8,
)  # fmt: skip
"""fsrs's FSRS-6 bounds (tests/test_fitting.py checks they are the library's own)."""

PARAMS_STDDEV: tuple[float, ...] = (
    6.43, 9.66, 17.58, 27.85, 0.57, 0.28, 0.6, 0.12, 0.39, 0.18, 0.33,
    0.3, 0.09, 0.16, 0.57, 0.25, 1.03, 0.31, 0.32, 0.14, 0.27,
)  # fmt: skip
"""The spread of each parameter over many learners (fsrs-optimizer's DEFAULT_PARAMS_STDDEV_TENSOR):
the fit's L2 pull towards the defaults, sum(((w - w0) / sd)^2) / n_train, as fsrs-optimizer adds."""

S_MIN, S_MAX = 0.001, 36500.0
D_MIN, D_MAX = 1.0, 10.0
EPS = 1e-7
"""Predictions are clamped to [EPS, 1 - EPS] for the log loss."""


@dataclass(frozen=True, slots=True)
class Histories:
    """Every card's reviews as arrays, cards sorted longest first (rows: cards, columns: reviews)."""

    delta: Array
    """Study days since the card's previous review (0 for its first review)."""
    rating: Array
    """1 Again .. 4 Easy; 0 past the end of the card's history."""
    order: Array
    """Each review's position in the whole log's time order."""
    active: list[int]
    """How many cards have a review in column j (a prefix of the rows)."""
    predicted: NDArray[np.bool_]
    """The long-term reviews: the ones whose recall is predicted and scored."""

    @property
    def n_reviews(self) -> int:
        return int((self.rating > 0).sum())

    @property
    def n_predicted(self) -> int:
        return int(self.predicted.sum())


def histories(reviews: Mapping[str, Sequence[tuple[datetime, Rating]]], config: SchedulerConfig) -> Histories:
    """Arrays of each card's reviews (each card's list in time order), counted in study days."""
    cards = sorted(reviews.values(), key=len, reverse=True)
    width = len(cards[0]) if cards else 0
    delta = np.zeros((len(cards), width))
    rating = np.zeros((len(cards), width))
    moments = np.full((len(cards), width), np.inf)
    for row, history in enumerate(cards):
        days = [study_day(moment, config).toordinal() for moment, _ in history]
        for col, (moment, grade) in enumerate(history):
            delta[row, col] = days[col] - days[col - 1] if col else 0
            rating[row, col] = int(grade)
            moments[row, col] = moment.timestamp()
    flat = moments.ravel()
    order = np.empty(flat.size)
    order[np.argsort(flat, kind="stable")] = np.arange(flat.size)
    predicted = (rating > 0) & (delta >= 1)
    predicted[:, :1] = False  # a card's first review is never predicted
    active = [int((rating[:, j] > 0).sum()) for j in range(width)]
    return Histories(delta, rating, order.reshape(moments.shape), active, predicted)


def _unit(k: int) -> Array:
    e = np.zeros(N_PARAMETERS)
    e[k] = 1.0
    return e


_E = [_unit(k) for k in range(N_PARAMETERS)]


def predict(h: Histories, w: Sequence[float] | Array, gradient: bool = False) -> tuple[Array, Array | None]:
    """The predicted recall of every review (rows and columns as in `h`; 0 where nothing is
    predicted) and, with `gradient`, its derivative by each parameter (a trailing axis of 21)."""
    w = [float(x) for x in w]
    n, width = h.rating.shape
    recall = np.zeros((n, width))
    d_recall = np.zeros((n, width, N_PARAMETERS)) if gradient else None
    if width == 0:
        return recall, d_recall
    E = _E
    # First review: stability w[r-1], difficulty w4 - e^(w5 (r-1)) + 1.
    r0 = h.rating[:, 0].astype(int)
    s = np.maximum(np.array(w[:4])[r0 - 1], S_MIN)
    ds = np.zeros((n, N_PARAMETERS))
    ds[np.arange(n), r0 - 1] = 1.0
    ds[s <= S_MIN] = 0.0
    grow = np.exp(w[5] * (r0 - 1))
    d_raw = w[4] - grow + 1
    d = np.clip(d_raw, D_MIN, D_MAX)
    dd = E[4][None, :] - ((r0 - 1) * grow)[:, None] * E[5][None, :]
    dd[(d_raw < D_MIN) | (d_raw > D_MAX)] = 0.0

    decay = -w[20]
    factor = 0.9 ** (1 / decay) - 1
    d_factor = 0.9 ** (1 / decay) * math.log(0.9) / w[20] ** 2  # d factor / d w20
    mean_rev_d = w[4] - math.exp(3 * w[5]) + 1  # initial difficulty of Easy, unclamped
    d_mean_rev_d = E[4] - 3 * math.exp(3 * w[5]) * E[5]
    short_fail = math.exp(w[17] * w[18])

    for j in range(1, width):
        m = h.active[j]
        if m == 0:
            break
        s, d = s[:m], d[:m]
        ds, dd = ds[:m], dd[:m]
        t = h.delta[:m, j]
        r = h.rating[:m, j]
        # Retrievability: (1 + factor t / S)^decay.
        u = 1 + factor * t / s
        ret = u**decay
        recall[:m, j] = ret
        if gradient:
            du = t[:, None] * (d_factor * E[20][None, :] / s[:, None] - (factor / s**2)[:, None] * ds)
            d_ret = ret[:, None] * (-np.log(u)[:, None] * E[20][None, :] + decay * du / u[:, None])
            assert d_recall is not None
            d_recall[:m, j] = d_ret
        # Long-term, recalled: S (1 + e^w8 (11 - D) S^-w9 (e^((1-R) w10) - 1) hard easy).
        hard = r == 2
        easy = r == 4
        bonus = np.where(hard, w[15], 1.0) * np.where(easy, w[16], 1.0)
        a0 = math.exp(w[8]) * (11 - d) * s ** -w[9]
        ex = np.exp((1 - ret) * w[10])
        g = a0 * bonus * (ex - 1)
        s_recall = s * (1 + g)
        # Long-term, forgotten: min(w11 D^-w12 ((S+1)^w13 - 1) e^((1-R) w14), S / e^(w17 w18)).
        b = w[11] * d ** -w[12] * np.exp((1 - ret) * w[14])
        c = (s + 1) ** w[13] - 1
        s_fail_long = b * c
        s_fail_short = s / short_fail
        use_long = s_fail_long < s_fail_short
        s_fail = np.where(use_long, s_fail_long, s_fail_short)
        # Same day: S e^(w17 (r - 3 + w18)) S^-w19, at least S when recalled.
        sinc_raw = np.exp(w[17] * (r - 3 + w[18])) * s ** -w[19]
        floor = (r >= 2) & (sinc_raw < 1)
        sinc = np.where(floor, 1.0, sinc_raw)
        s_same = s * sinc
        same_day = t == 0
        s_new_raw = np.where(same_day, s_same, np.where(r == 1, s_fail, s_recall))
        s_new = np.clip(s_new_raw, S_MIN, S_MAX)
        # Difficulty: damped step, then mean reversion towards the initial difficulty of Easy.
        step = -w[6] * (r - 3)
        d_step = d + (10 - d) * step / 9
        d_new_raw = w[7] * mean_rev_d + (1 - w[7]) * d_step
        d_new = np.clip(d_new_raw, D_MIN, D_MAX)
        if gradient:
            ln_s = np.log(s)[:, None]
            ds_s = ds / s[:, None]
            d_bonus = np.where(hard, 1.0, 0.0)[:, None] * np.where(easy, w[16], 1.0)[:, None] * E[15]
            d_bonus = (
                d_bonus + np.where(easy, 1.0, 0.0)[:, None] * np.where(hard, w[15], 1.0)[:, None] * E[16]
            )
            da0 = a0[:, None] * (E[8] - dd / (11 - d)[:, None] - ln_s * E[9] - w[9] * ds_s)
            dex = ex[:, None] * ((1 - ret)[:, None] * E[10] - w[10] * d_ret)
            dg = (da0 * bonus[:, None] + a0[:, None] * d_bonus) * (ex - 1)[:, None] + (a0 * bonus)[
                :, None
            ] * dex
            ds_recall = ds * (1 + g)[:, None] + s[:, None] * dg
            db = b[:, None] * (
                E[11] / w[11]
                - np.log(d)[:, None] * E[12]
                - w[12] * dd / d[:, None]
                + (1 - ret)[:, None] * E[14]
                - w[14] * d_ret
            )
            dc = ((s + 1) ** w[13])[:, None] * (
                np.log(s + 1)[:, None] * E[13] + w[13] * ds / (s + 1)[:, None]
            )
            ds_fail_long = db * c[:, None] + b[:, None] * dc
            ds_fail_short = s_fail_short[:, None] * (ds_s - w[18] * E[17] - w[17] * E[18])
            ds_fail = np.where(use_long[:, None], ds_fail_long, ds_fail_short)
            dsinc = sinc_raw[:, None] * (
                (r - 3 + w[18])[:, None] * E[17] + w[17] * E[18] - ln_s * E[19] - w[19] * ds_s
            )
            dsinc[floor] = 0.0
            ds_same = ds * sinc[:, None] + s[:, None] * dsinc
            ds_new = np.where(same_day[:, None], ds_same, np.where((r == 1)[:, None], ds_fail, ds_recall))
            ds_new[(s_new_raw < S_MIN) | (s_new_raw > S_MAX)] = 0.0
            dd_step = dd - ((r - 3) / 9)[:, None] * ((10 - d)[:, None] * E[6] - w[6] * dd)
            dd_new = (mean_rev_d - d_step)[:, None] * E[7] + w[7] * d_mean_rev_d + (1 - w[7]) * dd_step
            dd_new[(d_new_raw < D_MIN) | (d_new_raw > D_MAX)] = 0.0
            ds, dd = ds_new, dd_new
        s, d = s_new, d_new
    return recall, d_recall


def _penalty(w: Array, n: int) -> tuple[float, Array]:
    w0 = np.array(DEFAULT_PARAMETERS)
    sd = np.array(PARAMS_STDDEV)
    z = (w - w0) / sd
    return float((z**2).sum()) / n, 2 * z / sd / n


def objective(h: Histories, w: Array, mask: NDArray[np.bool_], penalty: bool = True) -> tuple[float, Array]:
    """Mean log loss over the reviews in `mask` (plus the pull towards the defaults), and its gradient."""
    recall, d_recall = predict(h, w, gradient=True)
    assert d_recall is not None
    p = np.clip(recall[mask], EPS, 1 - EPS)
    y = (h.rating[mask] > 1).astype(float)
    n = int(mask.sum())
    loss = float(-(y * np.log(p) + (1 - y) * np.log(1 - p)).sum()) / n
    dp = np.where((recall[mask] > EPS) & (recall[mask] < 1 - EPS), (p - y) / (p * (1 - p)), 0.0)
    grad = (dp[:, None] * d_recall[mask]).sum(axis=0) / n
    if penalty:
        extra, d_extra = _penalty(w, n)
        loss += extra
        grad = grad + d_extra
    return loss, grad


def fit(
    h: Histories,
    mask: NDArray[np.bool_] | None = None,
    start: Sequence[float] = DEFAULT_PARAMETERS,
    penalty: bool = True,
    max_iterations: int = 40,
) -> tuple[float, ...]:
    """The parameters that minimise the log loss of the reviews in `mask` (all predicted reviews
    by default), from `start`, within FSRS-6's bounds."""
    from scipy.optimize import minimize

    chosen = h.predicted if mask is None else mask
    if not chosen.any():
        return tuple(start)
    h, chosen = _trimmed(h, chosen)

    def f(x: Array) -> tuple[float, Array]:
        return objective(h, x, chosen, penalty)

    result: Any = minimize(
        f,
        np.array(start, dtype=float),
        jac=True,
        method="L-BFGS-B",
        bounds=list(zip(LOWER_BOUNDS, UPPER_BOUNDS, strict=True)),
        options={"maxiter": max_iterations},
    )
    return tuple(round(float(x), 4) for x in result.x)


def _trimmed(h: Histories, mask: NDArray[np.bool_]) -> tuple[Histories, NDArray[np.bool_]]:
    """Only the cards, and the columns, that hold a review in `mask`: a fit on the past replays less."""
    rows = mask.any(axis=1)
    cols = np.flatnonzero(mask.any(axis=0))
    width = int(cols[-1]) + 1
    rating = h.rating[rows, :width]
    active = [int((rating[:, j] > 0).sum()) for j in range(width)]
    part = Histories(h.delta[rows, :width], rating, h.order[rows, :width], active, h.predicted[rows, :width])
    return part, mask[rows, :width]


# ---- metrics -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Metrics:
    log_loss: float
    rmse_bins: float
    auc: float


def metrics(h: Histories, recall: Array, mask: NDArray[np.bool_]) -> Metrics:
    """Log loss, RMSE(bins) (fsrs-rs) and AUC of the predictions in `mask`."""
    p = recall[mask]
    y = (h.rating[mask] > 1).astype(float)
    q = np.clip(p, EPS, 1 - EPS)
    log_loss = float(-(y * np.log(q) + (1 - y) * np.log(1 - q)).mean())
    return Metrics(log_loss, _rmse_bins(h, recall, mask), _auc(p, y))


def bins(h: Histories) -> NDArray[np.int64]:
    """fsrs-rs FSRSItem::r_matrix_index of each review, as one integer: the elapsed days, the
    number of earlier reviews on distinct days and the lapses so far, each on a log scale."""
    n, width = h.rating.shape
    out = np.zeros((n, width), dtype=np.int64)
    for row in range(n):
        length = 1  # fsrs-rs counts the first review, then each later one made on a later day
        lapses = 0
        for col in range(width):
            if h.rating[row, col] == 0:
                break
            t = h.delta[row, col]
            if col and t > 0:
                length += 1
            if h.predicted[row, col]:
                t_bin = round(2.48 * 3.62 ** math.floor(math.log(t, 3.62)) * 100)
                l_bin = round(1.99 * 1.89 ** math.floor(math.log(length, 1.89)))
                lapse_bin = round(1.65 * 1.73 ** math.floor(math.log(lapses, 1.73))) if lapses else 0
                out[row, col] = (t_bin * 1000 + l_bin) * 1000 + lapse_bin
            if h.rating[row, col] == 1 and col and t > 0:
                lapses += 1
    return out


def _rmse_bins(h: Histories, recall: Array, mask: NDArray[np.bool_]) -> float:
    """fsrs-rs: per bin, (mean prediction - mean outcome)^2, weighted by the bin's size."""
    keys = bins(h)[mask]
    p = recall[mask]
    y = (h.rating[mask] > 1).astype(float)
    _, index, counts = np.unique(keys, return_inverse=True, return_counts=True)
    mean_p = np.bincount(index, p) / counts
    mean_y = np.bincount(index, y) / counts
    return float(math.sqrt(float(((mean_p - mean_y) ** 2 * counts).sum()) / len(p)))


def _auc(scores: Array, outcomes: Array) -> float:
    """Area under the ROC curve: the Mann-Whitney U statistic, ties given their average rank."""
    from scipy.stats import rankdata

    positives = float(outcomes.sum())
    negatives = len(outcomes) - positives
    if positives == 0 or negatives == 0:
        return float("nan")
    ranks = rankdata(scores)
    return float((ranks[outcomes > 0].sum() - positives * (positives + 1) / 2) / (positives * negatives))


# ---- out of sample -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Evaluation:
    n_reviews: int
    n_test: int
    before: Metrics
    after: Metrics
    parameters: tuple[float, ...]
    """Fitted on every predicted review (what a learner would keep)."""


def evaluate(
    h: Histories,
    folds: int = 5,
    start: Sequence[float] = DEFAULT_PARAMETERS,
    progress: Callable[[int, int], None] | None = None,
) -> Evaluation:
    """Defaults against fitted parameters, each tested on reviews later than those it was fitted on."""
    order = h.order[h.predicted]
    ranked = np.sort(order)
    edges = [ranked[min(len(ranked) - 1, (k * len(ranked)) // (folds + 1))] for k in range(folds + 1)]
    fitted = np.zeros_like(h.delta)
    test = np.zeros_like(h.predicted)
    steps = folds + 1
    w: Sequence[float] = start
    for k in range(1, folds + 1):
        if progress:
            progress(k - 1, steps)
        train = h.predicted & (h.order < edges[k])
        part = h.predicted & (h.order >= edges[k])
        if k < folds:
            part &= h.order < edges[k + 1]
        if not train.any() or not part.any():
            continue
        w = fit(h, train, w)  # warm start: each fold's data contains the previous fold's
        recall, _ = predict(h, w)
        fitted[part] = recall[part]
        test |= part
    if progress:
        progress(folds, steps)
    baseline, _ = predict(h, start)
    parameters = fit(h, None, w, max_iterations=20)
    if progress:
        progress(steps, steps)
    return Evaluation(
        n_reviews=h.n_reviews,
        n_test=int(test.sum()),
        before=metrics(h, baseline, test),
        after=metrics(h, fitted, test),
        parameters=parameters,
    )


# ---- one review at a time, for a simulation (core/retention.py) ----------------------------------


def first_memory(w: Sequence[float], rating: Array) -> tuple[Array, Array]:
    """Stability and difficulty after a card's first review (ratings 1-4), as `predict` starts."""
    r = rating.astype(int)
    s = np.maximum(np.asarray(w[:4], dtype=float)[r - 1], S_MIN)
    d = np.clip(w[4] - np.exp(w[5] * (r - 1)) + 1, D_MIN, D_MAX)
    return s, d


def recall_after(w: Sequence[float], days: Array, s: Array) -> Array:
    """FSRS-6's retrievability `days` after a review that left stability `s`."""
    decay = -w[20]
    factor = 0.9 ** (1 / decay) - 1
    result: Array = (1 + factor * days / s) ** decay
    return result


def next_memory(w: Sequence[float], s: Array, d: Array, days: Array, rating: Array) -> tuple[Array, Array]:
    """Stability and difficulty after a review `days` after the last one: `predict`'s step, without
    its derivatives (tests/test_retention.py checks the two agree on a replayed history)."""
    ret = recall_after(w, days, s)
    bonus = np.where(rating == 2, w[15], 1.0) * np.where(rating == 4, w[16], 1.0)
    s_recall = s * (1 + math.exp(w[8]) * (11 - d) * s ** -w[9] * (np.exp((1 - ret) * w[10]) - 1) * bonus)
    s_fail_long = w[11] * d ** -w[12] * ((s + 1) ** w[13] - 1) * np.exp((1 - ret) * w[14])
    s_fail = np.minimum(s_fail_long, s / math.exp(w[17] * w[18]))
    sinc = np.exp(w[17] * (rating - 3 + w[18])) * s ** -w[19]
    s_same = s * np.where((rating >= 2) & (sinc < 1), 1.0, sinc)
    s_new = np.where(days == 0, s_same, np.where(rating == 1, s_fail, s_recall))
    mean_rev_d = w[4] - math.exp(3 * w[5]) + 1
    d_step = d + (10 - d) * (-w[6] * (rating - 3)) / 9
    d_new = w[7] * mean_rev_d + (1 - w[7]) * d_step
    return np.clip(s_new, S_MIN, S_MAX), np.clip(d_new, D_MIN, D_MAX)
