"""How well quizkit's scheduler predicts real recall, on a real Anki review history.

    python benchmarks/revlog_eval.py [--csv PATH]

Every card's history is replayed through quizkit.core.scheduler.review (default FSRS-6
parameters, fuzz off, UTC, study day starting at 4 a.m.). Before each long-term
review (one made at least one study day after the previous review of the same card;
the first review of each card is excluded), the predicted recall is the card's
retrievability; the outcome is recalled when the rating is Hard, Good or Easy.

For contrast the same reviews are predicted by fsrs used directly, which counts the
elapsed time in whole 24-hour periods: a review at 09:00 after one at 20:00 the
evening before counts as 0 days there, as 1 day in quizkit.

Metrics: log loss, AUC (ranks, ties averaged), and RMSE (bins) with the bins of
fsrs-rs `evaluate` (FSRSItem::r_matrix_index: interval, review count and lapse
count, each on a log scale). The data set's README gives reference figures.
"""

from __future__ import annotations

import argparse
import csv
import math
import sys
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from fsrs.card import Card as FsrsCard
from fsrs.rating import Rating as FsrsRating
from fsrs.scheduler import Scheduler as FsrsScheduler

from quizkit.core.scheduler import SchedulerConfig, elapsed_days, retrievability, review
from quizkit.model import CardState, Rating

DEFAULT_CSV = Path("/work/shared/data/anki-revlog-12k.csv")
CONFIG = SchedulerConfig(fuzz=False, tz=UTC, day_start_hour=4)
REFERENCE = (
    "FSRS-6 default parameters replayed (data README): n=6276, retention 0.780, log loss 0.4650, AUC 0.727"
)
EPS = 1e-7
"""Predictions are clamped to [EPS, 1 - EPS] for the log loss (a prediction of exactly 1.0 that fails)."""

Bin = tuple[int, int, int]


@dataclass(frozen=True, slots=True)
class Prediction:
    recall: float
    recalled: bool
    bin: Bin


@dataclass(frozen=True, slots=True)
class Metrics:
    count: int
    retention: float
    log_loss: float
    auc: float
    rmse_bins: float
    certain: int
    """Predictions of exactly 1.0: reviews the model thinks were made on the same day."""


def read_histories(path: Path) -> dict[str, list[tuple[datetime, Rating]]]:
    """Each card's reviews in time order (the file's order breaks ties)."""
    histories: dict[str, list[tuple[datetime, Rating]]] = defaultdict(list)
    with path.open(newline="") as handle:
        for row in csv.DictReader(handle):
            moment = datetime.fromisoformat(row["review_time"]).astimezone(UTC)
            histories[row["card_id"]].append((moment, Rating(int(row["review_rating"]))))
    for history in histories.values():
        history.sort(key=lambda review: review[0])
    return dict(histories)


def fsrs_rs_bin(delta_ts: Sequence[int], ratings: Sequence[Rating]) -> Bin:
    """fsrs-rs FSRSItem::r_matrix_index for the last review of a history (delta_t in study days)."""
    delta_t = delta_ts[-1]
    delta_t_bin = round(2.48 * 3.62 ** math.floor(math.log(delta_t, 3.62)) * 100)
    length = sum(1 for d in delta_ts if d > 0) + 1
    length_bin = round(1.99 * 1.89 ** math.floor(math.log(length, 1.89)))
    lapses = sum(1 for d, r in zip(delta_ts[:-1], ratings[:-1], strict=True) if r == Rating.AGAIN and d > 0)
    if lapses == 0:
        return delta_t_bin, length_bin, 0
    return delta_t_bin, length_bin, round(1.65 * 1.73 ** math.floor(math.log(lapses, 1.73)))


Predictor = Callable[[str, list[tuple[datetime, Rating]]], list[float | None]]


def quizkit_predictions(card_id: str, history: list[tuple[datetime, Rating]]) -> list[float | None]:
    """Retrievability before each review, replaying through quizkit (elapsed = study days)."""
    state = CardState()
    out: list[float | None] = []
    for moment, rating in history:
        out.append(retrievability(state, moment, CONFIG) if state.reps else None)
        state = review(state, rating, moment, CONFIG, key=card_id)
    return out


_NATIVE = FsrsScheduler(enable_fuzzing=False)


def native_predictions(card_id: str, history: list[tuple[datetime, Rating]]) -> list[float | None]:
    """The same with fsrs used directly (elapsed = whole 24-hour periods)."""
    card = FsrsCard(card_id=int(card_id), due=history[0][0])
    out: list[float | None] = []
    for moment, rating in history:
        out.append(_NATIVE.get_card_retrievability(card, moment) if card.last_review else None)
        card, _ = _NATIVE.review_card(card, FsrsRating(int(rating)), moment)
    return out


def evaluate(histories: dict[str, list[tuple[datetime, Rating]]], predict: Predictor) -> list[Prediction]:
    predictions: list[Prediction] = []
    for card_id, history in histories.items():
        recalls = predict(card_id, history)
        moments = [moment for moment, _ in history]
        delta_ts = [0] + [elapsed_days(a, b, CONFIG) for a, b in zip(moments, moments[1:], strict=False)]
        ratings = [rating for _, rating in history]
        for i in range(1, len(history)):
            recall = recalls[i]
            if delta_ts[i] < 1 or recall is None:
                continue
            bin_ = fsrs_rs_bin(delta_ts[: i + 1], ratings[: i + 1])
            predictions.append(Prediction(recall, ratings[i] > Rating.AGAIN, bin_))
    return predictions


def metrics(predictions: Sequence[Prediction]) -> Metrics:
    n = len(predictions)
    outcomes = [p.recalled for p in predictions]
    clamped = [(min(max(p.recall, EPS), 1 - EPS), p.recalled) for p in predictions]
    log_loss = -sum(math.log(r) if recalled else math.log(1 - r) for r, recalled in clamped) / n
    return Metrics(
        count=n,
        retention=sum(outcomes) / n,
        log_loss=log_loss,
        auc=auc([p.recall for p in predictions], outcomes),
        rmse_bins=rmse_bins(predictions),
        certain=sum(1 for p in predictions if p.recall >= 1.0),
    )


def auc(scores: Sequence[float], outcomes: Sequence[bool]) -> float:
    """Area under the ROC curve: the Mann-Whitney U statistic, ties given their average rank."""
    order = sorted(range(len(scores)), key=lambda i: scores[i])
    ranks = [0.0] * len(scores)
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and scores[order[end + 1]] == scores[order[start]]:
            end += 1
        for k in range(start, end + 1):
            ranks[order[k]] = (start + end) / 2 + 1
        start = end + 1
    positives = sum(outcomes)
    negatives = len(outcomes) - positives
    rank_sum = sum(rank for rank, outcome in zip(ranks, outcomes, strict=True) if outcome)
    return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives)


def rmse_bins(predictions: Sequence[Prediction]) -> float:
    """fsrs-rs: per bin, (mean prediction - mean outcome)^2, weighted by the bin's size."""
    sums: dict[Bin, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    for p in predictions:
        entry = sums[p.bin]
        entry[0] += p.recall
        entry[1] += p.recalled
        entry[2] += 1
    total = sum((pred / count - real / count) ** 2 * count for pred, real, count in sums.values())
    return math.sqrt(total / len(predictions))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--csv", type=Path, default=DEFAULT_CSV, help=f"review log (default {DEFAULT_CSV})")
    args = parser.parse_args(argv)
    histories = read_histories(args.csv)
    print(f"{args.csv}: {sum(map(len, histories.values()))} reviews of {len(histories)} cards")
    print(f"{'elapsed time counted as':<36} {'n':>5} {'retention':>9} {'log loss':>9} {'AUC':>6}", end="")
    print(f" {'RMSE(bins)':>10} {'R=1.0':>6}")
    ours = evaluate(histories, quizkit_predictions)
    native = evaluate(histories, native_predictions)
    for label, predictions in (
        ("study days (quizkit)", ours),
        ("whole 24-hour periods (fsrs native)", native),
        ("  the same, without its R=1.0 rows", [p for p in native if p.recall < 1.0]),
        ("study days, on those rows only", [p for p, q in zip(ours, native, strict=True) if q.recall < 1.0]),
    ):
        m = metrics(predictions)
        print(f"{label:<36} {m.count:>5} {m.retention:>9.3f} {m.log_loss:>9.4f} {m.auc:>6.3f}", end="")
        print(f" {m.rmse_bins:>10.4f} {m.certain:>6}")
    print(f"reference: {REFERENCE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
