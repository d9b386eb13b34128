"""Desired retention against workload: a simulated year of study at each retention (quizkit retention).

As Anki's "compute minimum recommended retention" (fsrs-rs `simulate`): every card of the decks is
studied for `days` days with FSRS-6's memory model and the learner's parameters. A card already
studied starts from its stability, difficulty and last review; a new card is first seen when its
deck's daily new-card limit reaches it. At each review the card is recalled with the probability
FSRS-6's forgetting curve gives; then its stability and difficulty move by FSRS-6's formulas (those
of core/fitting.py, which mirror fsrs) and it comes back after the interval that reaches the
desired retention (fsrs's interval, without fuzz, at most `max_interval` days).

Each answer costs the seconds the learner's log says a first sight, a recall or a lapse takes, and
first ratings and ratings on recall are drawn in the proportions of the log (Anki's defaults when the
log is too small). Learning steps are not played one by one: their time is in the cost of the day.

Every retention sees the same random draws (the same card on the same day draws the same number), so
that the rows differ by the retention and not by luck. A small deck is simulated several times over
(at least `MIN_SIMULATED` cards in all), a large one through a sample of `MAX_SIMULATED` cards, and
the figures scaled back to the deck.

Knowledge is the sum of every card's retrievability on the day after the last (the cards "known");
workload is the minutes a day, averaged over the days. The recommendation is the retention with the
most knowledge per minute, as Anki's is the one with the least time per card known.

numpy (the optional extra `quizkit[optimize]`) runs every retention at once, as arrays.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import datetime

import numpy as np
from msgspec import Struct

from quizkit.core import fitting
from quizkit.core.fitting import Array
from quizkit.core.scheduler import SchedulerConfig, study_day
from quizkit.model import Rating

RETENTIONS: tuple[float, ...] = tuple(round(0.70 + 0.01 * k, 2) for k in range(28))
"""0.70, 0.71 ... 0.97: the desired retentions compared."""

MIN_SIMULATED = 10_000
"""A deck with fewer cards is simulated as several copies of itself: an 86-card deck alone would
give figures that move by luck more than by retention."""

MAX_SIMULATED = 50_000
"""A larger collection is simulated through a random sample of this many cards (each card's year
is independent of the others': no daily review limit), the figures scaled up: time and memory
stay bounded (28 retentions x 50,000 cards of arrays)."""

MIN_SAMPLES = 20
"""Fewer timed answers (or ratings) of a kind than this in the log: Anki's default is used."""


class Costs(Struct, frozen=True):
    """Seconds per study day of a card, by outcome, and how the learner rates."""

    learn: float
    recall: float
    forget: float
    first_ratings: tuple[float, float, float, float]
    """Again, Hard, Good, Easy on a card's first sight."""
    recall_ratings: tuple[float, float, float]
    """Hard, Good, Easy when a review is passed."""
    from_log: tuple[str, ...] = ()
    """The fields that the learner's log gave (the others are Anki's)."""


ANKI_FIRST_RATINGS = (0.24, 0.094, 0.495, 0.171)
ANKI_RECALL_RATINGS = (0.224, 0.631, 0.145)
ANKI_COSTS = Costs(
    # fsrs-rs SimulatorConfig::default(): learn_costs [33.79, 24.3, 13.68, 6.5] by first rating and
    # review_costs [23.0, 11.68, 7.33, 5.6] by rating, weighted by its default shares of ratings.
    learn=round(sum(c * p for c, p in zip((33.79, 24.3, 13.68, 6.5), ANKI_FIRST_RATINGS, strict=True)), 2),
    recall=round(sum(c * p for c, p in zip((11.68, 7.33, 5.6), ANKI_RECALL_RATINGS, strict=True)), 2),
    forget=23.0,
    first_ratings=ANKI_FIRST_RATINGS,
    recall_ratings=ANKI_RECALL_RATINGS,
)
"""Anki's defaults, for a log too small to say."""


def costs_from_log(
    histories: Mapping[str, Sequence[tuple[datetime, Rating, float | None]]],
    config: SchedulerConfig,
    fallback: Costs = ANKI_COSTS,
) -> Costs:
    """The learner's costs: each card's answers grouped by study day; the first day is a first
    sight, a later day a recall or (first answer Again) a lapse, its seconds the day's total."""
    seconds: dict[str, list[float]] = {"learn": [], "recall": [], "forget": []}
    first = [0, 0, 0, 0]
    passed = [0, 0, 0]
    for answers in histories.values():
        days: list[list[tuple[Rating, float | None]]] = []
        last = None
        for moment, rating, taken in answers:
            day = study_day(moment, config)
            if day != last:
                days.append([])
                last = day
            days[-1].append((rating, taken))
        for index, answered in enumerate(days):
            rating = answered[0][0]
            if index == 0:
                kind = "learn"
                first[int(rating) - 1] += 1
            elif rating == Rating.AGAIN:
                kind = "forget"
            else:
                kind = "recall"
                passed[int(rating) - 2] += 1
            times = [t for _, t in answered]
            spent = sum(t for t in times if t is not None)
            # No time, or none at all (an import without times, a frozen clock): not a measurement.
            if all(t is not None for t in times) and spent > 0:
                seconds[kind].append(spent)
    from_log: list[str] = []

    def mean(kind: str, default: float) -> float:
        values = seconds[kind]
        if len(values) < MIN_SAMPLES:
            return default
        from_log.append(kind)
        return round(sum(values) / len(values), 2)

    def shares(counts: list[int], default: tuple[float, ...], name: str) -> tuple[float, ...]:
        total = sum(counts)
        if total < MIN_SAMPLES:
            return default
        from_log.append(name)
        return tuple(round(c / total, 4) for c in counts)

    learn = mean("learn", fallback.learn)
    recall = mean("recall", fallback.recall)
    forget = mean("forget", fallback.forget)
    first_shares = shares(first, fallback.first_ratings, "first_ratings")
    recall_shares = shares(passed, fallback.recall_ratings, "recall_ratings")
    return Costs(
        learn,
        recall,
        forget,
        (first_shares[0], first_shares[1], first_shares[2], first_shares[3]),
        (recall_shares[0], recall_shares[1], recall_shares[2]),
        tuple(from_log),
    )


class Studied(Struct, frozen=True):
    """A card already studied, as the simulation starts."""

    stability: float
    difficulty: float
    days_since: int
    """Study days since its last review (0: today)."""
    due_today: bool = False
    """In learning or relearning: due again today, whatever its interval would be."""


class NewCards(Struct, frozen=True):
    """A deck's unseen cards and how many of them a day may be new."""

    count: int
    per_day: int


class Row(Struct, frozen=True):
    retention: float
    minutes_per_day: float
    reviews_per_day: float
    cards_known: float

    @property
    def knowledge_per_minute(self) -> float:
        return self.cards_known / self.minutes_per_day if self.minutes_per_day > 0 else 0.0


def introduction_days(decks: Sequence[NewCards], days: int) -> list[int]:
    """The study day on which each new card (deck after deck) is first seen, within `days`."""
    out: list[int] = []
    for deck in decks:
        if deck.per_day <= 0:
            continue
        out.extend(k // deck.per_day for k in range(min(deck.count, deck.per_day * days)))
    return out


def intervals(parameters: Sequence[float], stability: Array, retention: Array, longest: int) -> Array:
    """fsrs's next interval in days (rounded, 1 to `longest`), without fuzz."""
    decay = -parameters[20]
    factor = 0.9 ** (1 / decay) - 1
    days = stability / factor * (retention ** (1 / decay) - 1)
    result: Array = np.clip(np.floor(days + 0.5), 1, longest)
    return result


def simulate(
    parameters: Sequence[float],
    costs: Costs,
    studied: Sequence[Studied],
    new: Sequence[NewCards],
    *,
    days: int = 365,
    retentions: Sequence[float] = RETENTIONS,
    max_interval: int = 36500,
    seed: int = 0,
    min_simulated: int = MIN_SIMULATED,
    max_simulated: int = MAX_SIMULATED,
) -> list[Row]:
    """Each retention's minutes and answers a day and cards known after `days` days of study."""
    w = [float(x) for x in parameters]
    arrivals = introduction_days(new, days)
    cards = len(studied) + len(arrivals)
    if cards == 0 or days <= 0:
        return [Row(r, 0.0, 0.0, 0.0) for r in retentions]
    rng = np.random.default_rng(seed)
    if cards > max_simulated:
        keep = np.sort(rng.choice(cards, size=max_simulated, replace=False))
        n_studied = len(studied)
        studied = [studied[i] for i in keep if i < n_studied]
        arrivals = [arrivals[i - n_studied] for i in keep if i >= n_studied]
        copies = max_simulated / cards
        repeat = 1
    else:
        repeat = max(1, math.ceil(min_simulated / cards))
        copies = float(repeat)
    n_old = len(studied) * repeat
    n = (len(studied) + len(arrivals)) * repeat
    k = len(retentions)
    desired = np.array(retentions, dtype=float)

    s = np.ones((k, n))
    d = np.ones((k, n))
    last = np.zeros((k, n))
    due = np.zeros((k, n), dtype=np.int64)
    fresh = np.zeros((k, n), dtype=bool)
    if n_old:
        s[:, :n_old] = np.tile([c.stability for c in studied], repeat)
        d[:, :n_old] = np.tile([c.difficulty for c in studied], repeat)
        last[:, :n_old] = -np.tile([float(c.days_since) for c in studied], repeat)
        ahead = last[:, :n_old] + intervals(w, s[:, :n_old], desired[:, None], max_interval)
        today = np.tile([c.due_today for c in studied], repeat)
        due[:, :n_old] = np.where(today, 0, np.maximum(ahead, 0)).astype(np.int64)
    if arrivals:
        due[:, n_old:] = np.tile(arrivals, repeat)
        fresh[:, n_old:] = True

    first_edges = np.cumsum(costs.first_ratings)[:-1] / sum(costs.first_ratings)
    recall_edges = np.cumsum(costs.recall_ratings)[:-1] / sum(costs.recall_ratings)
    seconds = np.zeros(k)
    answers = np.zeros(k)
    for day in range(days):
        draw = rng.random(n)  # recalled or not, and the first rating: one draw per card a day
        rate = rng.random(n)  # the rating of a recall
        rows, cols = np.nonzero(due == day)
        if rows.size == 0:
            continue
        answers += np.bincount(rows, minlength=k)
        is_new = fresh[rows, cols]
        nr, nc = rows[is_new], cols[is_new]
        if nr.size:
            rating: Array = (np.searchsorted(first_edges, draw[nc], side="right") + 1).astype(np.float64)
            s_new, d_new = fitting.first_memory(w, rating)
            s[nr, nc], d[nr, nc] = s_new, d_new
            fresh[nr, nc] = False
            seconds += np.bincount(nr, minlength=k) * costs.learn
        rr, rc = rows[~is_new], cols[~is_new]
        if rr.size:
            elapsed = day - last[rr, rc]
            recalled = draw[rc] < fitting.recall_after(w, elapsed, s[rr, rc])
            passed = np.searchsorted(recall_edges, rate[rc], side="right") + 2
            grade: Array = np.where(recalled, passed, 1).astype(np.float64)
            s_new, d_new = fitting.next_memory(w, s[rr, rc], d[rr, rc], elapsed, grade)
            s[rr, rc], d[rr, rc] = s_new, d_new
            seconds += np.bincount(rr, weights=np.where(recalled, costs.recall, costs.forget), minlength=k)
        last[rows, cols] = day
        due[rows, cols] = day + intervals(w, s[rows, cols], desired[rows], max_interval).astype(np.int64)

    seen = ~fresh
    known = np.where(seen, fitting.recall_after(w, days - last, s), 0.0).sum(axis=1) / copies
    return [
        Row(
            float(r),
            float(seconds[i]) / 60 / days / copies,
            float(answers[i]) / days / copies,
            float(known[i]),
        )
        for i, r in enumerate(retentions)
    ]
