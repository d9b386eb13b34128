"""FSRS-6 parameters fitted to a learner's review history, and measured out of sample.

Each card's history is replayed with FSRS-6's formulas (those of fsrs and fsrs-rs), all cards at
once as numpy arrays, carrying the derivative of stability and difficulty with respect to each of
the 21 parameters along (forward-mode differentiation): one replay gives the log loss and its exact
gradient, which L-BFGS-B (scipy) follows within FSRS-6's parameter bounds. The fit starts from
initial stabilities w0-w3 pretrained on first-review outcomes (`pretrain`, as fsrs-rs does).
Memory grows with the cards, not the reviews: the derivatives are two (21, cards) arrays.

What is predicted, as in fsrs-rs `evaluate` and srs-benchmark: the recall of each long-term review
(made at least one study day after the previous review of the same card; a card's first review is
never predicted). Same-day reviews move stability by FSRS-6's short-term formula (w17-w19).

Out of sample: the long-term reviews are put in time order and cut into `folds + 1` equal parts;
fold k trains on parts 0..k-1 and is tested on part k (srs-benchmark's TimeSeriesSplit, 5 folds).
A prediction never sees its own or any later outcome, because a card's replay runs forward in time.

numpy and scipy are the optional extra `quizkit[optimize]` (or `quizkit[optimizer]`); only this
module imports them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

import numpy as np
from msgspec import Struct
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


class Histories(Struct, frozen=True):
    """Every card's reviews as arrays, cards sorted longest first (rows: cards, columns: reviews)."""

    delta: NDArray[np.int32]
    """Study days since the card's previous review (0 for its first review)."""
    rating: NDArray[np.int8]
    """1 Again .. 4 Easy; 0 past the end of the card's history."""
    order: NDArray[np.int64]
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
    delta = np.zeros((len(cards), width), dtype=np.int32)
    rating = np.zeros((len(cards), width), dtype=np.int8)
    moments = np.full((len(cards), width), np.inf)
    for row, history in enumerate(cards):
        days = [study_day(moment, config).toordinal() for moment, _ in history]
        delta[row, 1 : len(days)] = np.diff(days)
        rating[row, : len(days)] = [int(grade) for _, grade in history]
        moments[row, : len(days)] = [moment.timestamp() for moment, _ in history]
    flat = moments.ravel()
    order = np.empty(flat.size, dtype=np.int64)
    order[np.argsort(flat, kind="stable")] = np.arange(flat.size)
    del moments, flat
    predicted = (rating > 0) & (delta >= 1)
    predicted[:, :1] = False  # a card's first review is never predicted
    active = [int(x) for x in (rating > 0).sum(axis=0)]
    return Histories(delta, rating, order.reshape(rating.shape), active, predicted)


def predict(h: Histories, w: Sequence[float] | Array) -> Array:
    """The predicted recall of every review (rows and columns as in `h`; 0 where nothing is predicted)."""
    return _replay(h, w, None)[0]


def _replay(
    h: Histories, w: Sequence[float] | Array, mask: NDArray[np.bool_] | None
) -> tuple[Array, float, Array]:
    """Every review's predicted recall; with `mask`, also the summed log loss of the reviews in it
    and that sum's gradient by each parameter.

    The derivatives of stability and difficulty by the 21 parameters are carried along as two
    (21, cards) arrays. Each step's new derivative is a combination of the old ones plus terms in a
    few parameters only (ds' = A ds + B dd + direct terms, dd' = C dd + direct terms), so a step costs
    two full-array operations and a handful of rows; the gradient is accumulated column by column,
    so memory grows with the cards, not with the reviews."""
    w = [float(x) for x in w]
    n, width = h.rating.shape
    recall = np.zeros((n, width))
    loss = 0.0
    grad = np.zeros(N_PARAMETERS)
    gradient = mask is not None
    if width == 0:
        return recall, loss, grad
    # First review: stability w[r-1], difficulty w4 - e^(w5 (r-1)) + 1.
    r0 = h.rating[:, 0].astype(int)
    s = np.maximum(np.array(w[:4])[r0 - 1], S_MIN)
    grow = np.exp(w[5] * (r0 - 1))
    d_raw = w[4] - grow + 1
    d = np.clip(d_raw, D_MIN, D_MAX)
    ds = np.zeros((N_PARAMETERS, n))
    dd = np.zeros((N_PARAMETERS, n))
    if gradient:
        ds[r0 - 1, np.arange(n)] = 1.0
        ds[:, s <= S_MIN] = 0.0
        inside = (d_raw >= D_MIN) & (d_raw <= D_MAX)
        dd[4] = inside
        dd[5] = -(r0 - 1) * grow * inside

    decay = -w[20]
    factor = 0.9 ** (1 / decay) - 1
    d_factor = 0.9 ** (1 / decay) * math.log(0.9) / w[20] ** 2  # d factor / d w20
    mean_rev_d = w[4] - math.exp(3 * w[5]) + 1  # initial difficulty of Easy, unclamped
    d_mean_rev_d4, d_mean_rev_d5 = 1.0, -3 * math.exp(3 * w[5])
    short_fail = math.exp(w[17] * w[18])

    for j in range(1, width):
        m = h.active[j]
        if m == 0:
            break
        s, d = s[:m], d[:m]
        t = h.delta[:m, j].astype(float)
        r = h.rating[:m, j].astype(float)
        # Retrievability: (1 + factor t / S)^decay.
        u = 1 + factor * t / s
        ln_u = np.log(u)
        ln_s = np.log(s)
        ret = np.exp(decay * ln_u)
        recall[:m, j] = ret
        # Long-term, recalled: S (1 + e^w8 (11 - D) S^-w9 (e^((1-R) w10) - 1) hard easy).
        hard = r == 2
        easy = r == 4
        bonus = np.where(hard, w[15], 1.0) * np.where(easy, w[16], 1.0)
        a0 = math.exp(w[8]) * (11 - d) * np.exp(-w[9] * ln_s)
        ex = np.exp((1 - ret) * w[10])
        g = a0 * bonus * (ex - 1)
        s_recall = s * (1 + g)
        # Long-term, forgotten: min(w11 D^-w12 ((S+1)^w13 - 1) e^((1-R) w14), S / e^(w17 w18)).
        b = w[11] * d ** -w[12] * np.exp((1 - ret) * w[14])
        ln_s1 = np.log(s + 1)
        sp = np.exp(w[13] * ln_s1)
        c = sp - 1
        s_fail_long = b * c
        s_fail_short = s / short_fail
        use_long = s_fail_long < s_fail_short
        s_fail = np.where(use_long, s_fail_long, s_fail_short)
        # Same day: S e^(w17 (r - 3 + w18)) S^-w19, at least S when recalled.
        sinc_raw = np.exp(w[17] * (r - 3 + w[18]) - w[19] * ln_s)
        floor = (r >= 2) & (sinc_raw < 1)
        sinc = np.where(floor, 1.0, sinc_raw)
        s_same = s * sinc
        same_day = t == 0
        failed = r == 1
        s_new_raw = np.where(same_day, s_same, np.where(failed, s_fail, s_recall))
        s_new = np.clip(s_new_raw, S_MIN, S_MAX)
        # Difficulty: damped step, then mean reversion towards the initial difficulty of Easy.
        step = -w[6] * (r - 3)
        d_step = d + (10 - d) * step / 9
        d_new_raw = w[7] * mean_rev_d + (1 - w[7]) * d_step
        d_new = np.clip(d_new_raw, D_MIN, D_MAX)
        if gradient:
            assert mask is not None
            ds, dd = ds[:, :m], dd[:, :m]
            # d ret = ret_s ds + ret_20 e20
            ret_s = -ret * decay * t * factor / (u * s * s)
            ret_20 = ret * (-ln_u + decay * t * d_factor / (s * u))
            scored = mask[:m, j]
            if scored.any():
                p = np.clip(ret, EPS, 1 - EPS)
                y = r > 1
                loss -= float(np.where(y, np.log(p), np.log(1 - p))[scored].sum())
                live = scored & (ret > EPS) & (ret < 1 - EPS)
                dp = np.where(live, (p - y) / (p * (1 - p)), 0.0)
                grad += ds @ (dp * ret_s)
                grad[20] += float(dp @ ret_20)
            # Which formula gave each new stability (0 where it was clamped: no derivative).
            kept = ((s_new_raw >= S_MIN) & (s_new_raw <= S_MAX)).astype(float)
            k_same = same_day * kept
            k_fail = (~same_day & failed) * kept
            k_long = k_fail * use_long
            k_short = k_fail * ~use_long
            k_recall = (~same_day & ~failed) * kept
            # recalled
            rec_ex = s * a0 * bonus * ex
            a_recall = (1 + g) - w[9] * g - w[10] * rec_ex * ret_s
            b_recall = -s * g / (11 - d)
            # forgotten, long formula
            bc = b * c
            a_long = -w[14] * bc * ret_s + b * sp * w[13] / (s + 1)
            b_long = -w[12] * bc / d
            # forgotten, short formula; same day
            grown = ~floor
            a_same = sinc - grown * w[19] * sinc_raw
            a = k_recall * a_recall + k_long * a_long + k_short / short_fail + k_same * a_same
            bb = k_recall * b_recall + k_long * b_long
            ds_new = ds * a + dd * bb
            ssg = s * g * k_recall
            ds_new[8] += ssg
            ds_new[9] -= ssg * ln_s
            ds_new[10] += k_recall * rec_ex * (1 - ret)
            dbonus = s * a0 * (ex - 1) * k_recall
            ds_new[15] += dbonus * hard * np.where(easy, w[16], 1.0)
            ds_new[16] += dbonus * easy * np.where(hard, w[15], 1.0)
            ds_new[20] += -(w[10] * k_recall * rec_ex + w[14] * k_long * bc) * ret_20
            bc_long = bc * k_long
            ds_new[11] += bc_long / w[11]
            ds_new[12] -= bc_long * np.log(d)
            ds_new[13] += k_long * b * sp * ln_s1
            ds_new[14] += bc_long * (1 - ret)
            same = k_same * grown * s * sinc_raw
            short = k_short * s_fail_short
            ds_new[17] += same * (r - 3 + w[18]) - short * w[18]
            ds_new[18] += (same - short) * w[17]
            ds_new[19] -= same * ln_s
            d_kept = ((d_new_raw >= D_MIN) & (d_new_raw <= D_MAX)).astype(float)
            dd_new = dd * (d_kept * (1 - w[7]) * (1 + w[6] * (r - 3) / 9))
            dd_new[4] += d_kept * w[7] * d_mean_rev_d4
            dd_new[5] += d_kept * w[7] * d_mean_rev_d5
            dd_new[6] -= d_kept * (1 - w[7]) * (r - 3) * (10 - d) / 9
            dd_new[7] += d_kept * (mean_rev_d - d_step)
            ds, dd = ds_new, dd_new
        s, d = s_new, d_new
    return recall, loss, grad


def _penalty(w: Array, n: int, center: Sequence[float]) -> tuple[float, Array]:
    w0 = np.array(center)
    sd = np.array(PARAMS_STDDEV)
    z = (w - w0) / sd
    return float((z**2).sum()) / n, 2 * z / sd / n


def objective(
    h: Histories,
    w: Array,
    mask: NDArray[np.bool_],
    penalty: bool = True,
    center: Sequence[float] = DEFAULT_PARAMETERS,
) -> tuple[float, Array]:
    """Mean log loss over the reviews in `mask` (plus the pull towards `center`), and its gradient."""
    _, total, grad = _replay(h, w, mask)
    n = int(mask.sum())
    loss = total / n
    grad = grad / n
    if penalty:
        extra, d_extra = _penalty(w, n, center)
        loss += extra
        grad = grad + d_extra
    return loss, grad


# ---- pretraining ---------------------------------------------------------------------------------

INIT_S_MAX = 100.0
"""fsrs-rs and fsrs-optimizer: a pretrained initial stability is at most 100 days."""


class FirstReviews(Struct, frozen=True):
    """What pretraining saw of each first rating (1 Again .. 4 Easy)."""

    stability: tuple[float, float, float, float]
    """w0-w3: the initial stabilities, pretrained where the data allowed, filled in otherwise."""
    counts: tuple[int, int, int, int]
    """The second reviews each first rating's fit used (outliers left out); 0: filled in."""


def pretrain(
    h: Histories, mask: NDArray[np.bool_] | None = None, start: Sequence[float] = DEFAULT_PARAMETERS
) -> FirstReviews:
    """The initial stabilities w0-w3 from first-review outcomes, as fsrs-rs `pretrain` does.

    For each card, its first long-term review (in `mask`) after the first review is a sample:
    (first rating, study days elapsed, recalled or not). Per first rating, the samples are grouped
    by elapsed days, outlying groups dropped (fsrs-rs `filter_outlier`: the smallest groups up to
    max(20, 5 %) of the rating's samples, then groups of fewer than 6 or more than 100 days, 365
    for Easy), each group's recall smoothed towards the mean recall by one sample, and the
    stability whose forgetting curve best explains them (weighted log loss, plus |S - default| / 16)
    found by ternary search in [0.001, 100]. Ratings with no samples left are filled in from the
    others with fsrs-rs's `smooth_and_fill` (a lower rating never gets a higher stability than
    a higher rating backed by more samples; missing ones by its fixed exponents); with none at
    all, `start`'s w0-w3 are kept."""
    chosen = h.predicted if mask is None else mask & h.predicted
    first = np.argmax(h.predicted, axis=1)
    rows = np.flatnonzero(h.predicted.any(axis=1))
    rows = rows[chosen[rows, first[rows]]]
    cols = first[rows]
    first_rating = h.rating[rows, 0].astype(int)
    elapsed = h.delta[rows, cols].astype(int)
    recalled = (h.rating[rows, cols] > 1).astype(float)
    groups: dict[int, list[tuple[int, int, float]]] = {}
    for rating in range(1, 5):
        of_rating = first_rating == rating
        if not of_rating.any():
            continue
        days, index, counts = np.unique(elapsed[of_rating], return_inverse=True, return_counts=True)
        means = np.bincount(index, recalled[of_rating]) / counts
        kept = _without_outliers(
            rating, [(int(t), int(c), float(y)) for t, c, y in zip(days, counts, means, strict=True)]
        )
        if kept:
            groups[rating] = kept
    start_s0 = [float(x) for x in start[:4]]
    if not groups:
        return FirstReviews((start_s0[0], start_s0[1], start_s0[2], start_s0[3]), (0, 0, 0, 0))
    total = sum(c for kept in groups.values() for _, c, _ in kept)
    average = sum(c * y for kept in groups.values() for _, c, y in kept) / total
    decay = -float(start[20])
    factor = 0.9 ** (1 / decay) - 1
    found: dict[int, float] = {}
    count: dict[int, int] = {}
    for rating, kept in groups.items():
        t = np.array([g[0] for g in kept], dtype=float)
        n = np.array([g[1] for g in kept], dtype=float)
        y = (np.array([g[2] for g in kept]) * n + average) / (n + 1)
        default = DEFAULT_PARAMETERS[rating - 1]

        def loss(
            stability: float, t: Array = t, n: Array = n, y: Array = y, default: float = default
        ) -> float:
            p = np.clip((1 + factor * t / stability) ** decay, EPS, 1 - EPS)
            return (
                float((-(y * np.log(p) + (1 - y) * np.log(1 - p)) * n).sum()) + abs(stability - default) / 16
            )

        found[rating] = _ternary_search(loss, S_MIN, INIT_S_MAX)
        count[rating] = int(n.sum())
    filled = _smooth_and_fill(found, count)
    s0 = [min(max(filled[r], S_MIN), INIT_S_MAX) for r in range(1, 5)]
    return FirstReviews((s0[0], s0[1], s0[2], s0[3]), tuple(count.get(r, 0) for r in range(1, 5)))  # type: ignore[arg-type]


def _without_outliers(rating: int, groups: list[tuple[int, int, float]]) -> list[tuple[int, int, float]]:
    """fsrs-rs `filter_outlier` on one first rating's (days, count, recall) groups."""
    total = sum(c for _, c, _ in groups)
    removed = 0
    kept = []
    longest = 365 if rating == 4 else 100
    for days, count, recall in sorted(groups, key=lambda g: (g[1], -g[0])):  # smallest first, then longest
        if removed + count >= max(total * 0.05, 20):
            if count >= 6 and days <= longest:
                kept.append((days, count, recall))
            else:
                removed += count
        else:
            removed += count
    return sorted(kept)


def _ternary_search(f: Callable[[float], float], low: float, high: float) -> float:
    for _ in range(200):
        if high - low <= 1e-6:
            break
        a = low + (high - low) / 3
        b = high - (high - low) / 3
        if f(a) < f(b):
            high = b
        else:
            low = a
    return (low + high) / 2


def _smooth_and_fill(found: dict[int, float], count: dict[int, int]) -> dict[int, float]:
    """fsrs-rs `smooth_and_fill`: initial stabilities kept in rating order, the missing ones filled."""
    s = dict(found)
    for small, big in ((1, 2), (2, 3), (3, 4), (1, 3), (2, 4), (1, 4)):
        if small in s and big in s and s[small] > s[big]:
            if count[small] > count[big]:
                s[big] = s[small]
            else:
                s[small] = s[big]
    w1, w2 = 0.41, 0.54
    if len(s) == 1:
        ((rating, value),) = s.items()
        ratio = value / DEFAULT_PARAMETERS[rating - 1]
        return {r: DEFAULT_PARAMETERS[r - 1] * ratio for r in range(1, 5)}
    if len(s) == 2:
        if 1 not in s and 2 not in s:
            s[2] = s[3] ** (1 / (1 - w2)) * s[4] ** (1 - 1 / (1 - w2))
            s[1] = s[2] ** (1 / w1) * s[3] ** (1 - 1 / w1)
        elif 1 not in s and 3 not in s:
            s[3] = s[2] ** (1 - w2) * s[4] ** w2
            s[1] = s[2] ** (1 / w1) * s[3] ** (1 - 1 / w1)
        elif 1 not in s and 4 not in s:
            s[4] = s[2] ** (1 - 1 / w2) * s[3] ** (1 / w2)
            s[1] = s[2] ** (1 / w1) * s[3] ** (1 - 1 / w1)
        elif 2 not in s and 3 not in s:
            k = w1 + w2 - w1 * w2
            s[2] = s[1] ** (w1 / k) * s[4] ** (1 - w1 / k)
            s[3] = s[1] ** (1 - w2 / k) * s[4] ** (w2 / k)
        elif 2 not in s and 4 not in s:
            s[2] = s[1] ** w1 * s[3] ** (1 - w1)
            s[4] = s[2] ** (1 - 1 / w2) * s[3] ** (1 / w2)
        else:  # 3 and 4 missing
            s[3] = s[1] ** (1 - 1 / (1 - w1)) * s[2] ** (1 / (1 - w1))
            s[4] = s[2] ** (1 - 1 / w2) * s[3] ** (1 / w2)
    elif len(s) == 3:
        if 1 not in s:
            s[1] = s[2] ** (1 / w1) * s[3] ** (1 - 1 / w1)
        elif 2 not in s:
            s[2] = s[1] ** w1 * s[3] ** (1 - w1)
        elif 3 not in s:
            s[3] = s[2] ** (1 - w2) * s[4] ** w2
        elif 4 not in s:
            s[4] = s[2] ** (1 - 1 / w2) * s[3] ** (1 / w2)
    return s


def fit(
    h: Histories,
    mask: NDArray[np.bool_] | None = None,
    start: Sequence[float] = DEFAULT_PARAMETERS,
    penalty: bool = True,
    max_iterations: int = 40,
    center: Sequence[float] = DEFAULT_PARAMETERS,
) -> tuple[float, ...]:
    """The parameters that minimise the log loss of the reviews in `mask` (all predicted reviews
    by default), from `start`, within FSRS-6's bounds."""
    from scipy.optimize import minimize

    chosen = h.predicted if mask is None else mask
    if not chosen.any():
        return tuple(start)
    h, chosen = _trimmed(h, chosen)

    def f(x: Array) -> tuple[float, Array]:
        return objective(h, x, chosen, penalty, center)

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
    """Only the cards that hold a review in `mask`, each cut after its last one: a fit on the past
    replays only the past (the rows sorted longest first again, as `Histories` keeps them)."""
    rows = np.flatnonzero(mask.any(axis=1))
    width = mask.shape[1]
    length = width - np.argmax(mask[rows, ::-1], axis=1)
    order = np.argsort(-length, kind="stable")
    rows, length = rows[order], length[order]
    width = int(length[0]) if len(rows) else 0
    keep = np.arange(width)[None, :] < length[:, None]
    rating = np.where(keep, h.rating[rows, :width], np.int8(0))
    active = [int(x) for x in keep.sum(axis=0)]
    part = Histories(
        np.where(keep, h.delta[rows, :width], np.int32(0)),
        rating,
        h.order[rows, :width],
        active,
        h.predicted[rows, :width] & keep,
    )
    return part, mask[rows, :width] & keep


# ---- metrics -------------------------------------------------------------------------------------


class Metrics(Struct, frozen=True):
    log_loss: float
    rmse_bins: float
    auc: float


def metrics(
    h: Histories, recall: Array, mask: NDArray[np.bool_], keys: NDArray[np.int64] | None = None
) -> Metrics:
    """Log loss, RMSE(bins) (fsrs-rs) and AUC of the predictions in `mask` (`keys`: `bins(h)`)."""
    p = recall[mask]
    y = (h.rating[mask] > 1).astype(float)
    q = np.clip(p, EPS, 1 - EPS)
    log_loss = float(-(y * np.log(q) + (1 - y) * np.log(1 - q)).mean())
    return Metrics(log_loss, _rmse_bins((bins(h) if keys is None else keys)[mask], p, y), _auc(p, y))


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


def _rmse_bins(keys: NDArray[np.int64], p: Array, y: Array) -> float:
    """fsrs-rs: per bin, (mean prediction - mean outcome)^2, weighted by the bin's size."""
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


class Evaluation(Struct, frozen=True):
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
    pretraining: bool = True,
    iterations: tuple[int, int, int] = (40, 30, 20),
) -> Evaluation:
    """Defaults against fitted parameters, each tested on reviews later than those it was fitted on.

    Each fold's fit starts from the previous fold's parameters (the first from `start`), with
    `pretraining` its initial stabilities pretrained on the fold's own training reviews: the first
    fold starts from them, every fold is pulled towards them (with `start`'s other parameters), and
    a first rating with no data of its own takes pretraining's filled-in value. `iterations`: the
    L-BFGS-B iterations of the first fold, of each later (warm-started) fold, and of the last fit
    on every review (the parameters kept)."""
    order = h.order[h.predicted]
    ranked = np.sort(order)
    edges = [ranked[min(len(ranked) - 1, (k * len(ranked)) // (folds + 1))] for k in range(folds + 1)]
    fitted = np.zeros(h.rating.shape)
    test = np.zeros_like(h.predicted)
    steps = folds + 1
    w: Sequence[float] = start
    first = True

    def initial(
        mask: NDArray[np.bool_] | None, w: Sequence[float]
    ) -> tuple[tuple[float, ...], tuple[float, ...]]:
        """(where the fit starts, what it is pulled towards)."""
        if not pretraining:
            return tuple(w), tuple(start)
        found = pretrain(h, mask, start)
        center = found.stability + tuple(start[4:])
        if first:
            return center, center
        begin = [w[i] if found.counts[i] else found.stability[i] for i in range(4)] + list(w[4:])
        return tuple(begin), center

    for k in range(1, folds + 1):
        if progress:
            progress(k - 1, steps)
        train = h.predicted & (h.order < edges[k])
        part = h.predicted & (h.order >= edges[k])
        if k < folds:
            part &= h.order < edges[k + 1]
        if not train.any() or not part.any():
            continue
        begin, center = initial(train, w)
        w = fit(h, train, begin, max_iterations=iterations[0 if first else 1], center=center)
        first = False
        recall = predict(h, w)
        fitted[part] = recall[part]
        del recall
        test |= part
    if progress:
        progress(folds, steps)
    begin, center = initial(None, w)
    parameters = fit(h, None, begin, max_iterations=iterations[2], center=center)
    baseline = predict(h, start)
    keys = bins(h)
    if progress:
        progress(steps, steps)
    return Evaluation(
        n_reviews=h.n_reviews,
        n_test=int(test.sum()),
        before=metrics(h, baseline, test, keys),
        after=metrics(h, fitted, test, keys),
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
