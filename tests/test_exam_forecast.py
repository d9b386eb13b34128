"""The exam forecast (issue 18): each card's recall on the exam day, projected along its reviews;
the score of a mock exam with its interval; the calibration against past mock exams.

Each is checked against something independent of the code that computes it: the scheduler's own
review() and retrievability(), a Monte Carlo run of the real scheduler, and draws of exams.
"""

from __future__ import annotations

import math
import random
import statistics
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from msgspec.structs import replace

from quizkit.core import forecast, scheduler
from quizkit.model import CardState, Phase, Rating

CONFIG = replace(scheduler.SchedulerConfig(), fuzz=False)
NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


def _in_review(config: scheduler.SchedulerConfig, when: datetime, ratings: list[Rating]) -> CardState:
    """A card learned at `when` and then answered with `ratings`, each on its due day."""
    state = scheduler.review(CardState(), Rating.GOOD, when, config, key="k")
    while state.phase is not Phase.REVIEW:
        assert state.due is not None
        state = scheduler.review(state, Rating.GOOD, state.due, config, key="k")
    for rating in ratings:
        assert state.due is not None
        state = scheduler.review(state, rating, state.due + timedelta(hours=3), config, key="k")
        while state.phase is not Phase.REVIEW:
            assert state.due is not None
            state = scheduler.review(state, Rating.GOOD, state.due, config, key="k")
    return state


@settings(max_examples=60, deadline=None)
@given(
    stability=st.floats(0.1, 2000),
    difficulty=st.floats(1, 10),
    days=st.integers(1, 400),
    forgot=st.booleans(),
    steps=st.integers(0, 2),
)
def test_the_memory_model_is_what_review_does(
    stability: float, difficulty: float, days: int, forgot: bool, steps: int
) -> None:
    config = replace(CONFIG, relearning_steps=tuple(timedelta(minutes=10 * (i + 1)) for i in range(steps)))
    memory = scheduler.Memory(config)
    last = datetime(2026, 1, 1, 10, tzinfo=UTC)
    state = CardState(
        phase=Phase.REVIEW,
        stability=stability,
        difficulty=difficulty,
        due=last + timedelta(days=days),
        last_review=last,
        reps=3,
    )
    when = last + timedelta(days=days)
    after = scheduler.review(state, Rating.AGAIN if forgot else Rating.GOOD, when, config, key="k")
    while after.phase is not Phase.REVIEW:
        assert after.due is not None
        after = scheduler.review(after, Rating.GOOD, after.due, config, key="k")
    s, d = (memory.forgotten if forgot else memory.recalled)(stability, difficulty, days)
    assert (s, d) == pytest.approx((after.stability, after.difficulty), rel=1e-12)
    assert after.due is not None and after.last_review is not None
    given_days = (
        scheduler.study_day(after.due, config) - scheduler.study_day(after.last_review, config)
    ).days
    assert memory.interval(s, scheduler.study_day(after.last_review, config), None) == given_days
    assert memory.recall(stability, days) == pytest.approx(scheduler.retrievability(state, when, config))


@pytest.mark.parametrize("ratings", [[], [Rating.GOOD], [Rating.GOOD, Rating.AGAIN, Rating.GOOD]])
def test_a_card_not_due_before_the_exam_is_predicted_its_retrievability_on_the_day(
    ratings: list[Rating],
) -> None:
    state = _in_review(CONFIG, NOW - timedelta(days=200), ratings)
    assert state.due is not None
    day = scheduler.study_day(state.due, CONFIG) - timedelta(days=1)  # the day before it falls due
    moment = scheduler.day_start(day, CONFIG) + timedelta(hours=10)
    expected = scheduler.retrievability(state, moment, CONFIG)
    memory = scheduler.Memory(CONFIG)
    assert 0 < expected < 1
    assert forecast.recall_on(state, day, NOW, memory, CONFIG) == pytest.approx(expected, rel=1e-12)
    suspended = replace(state, suspended=True, due=NOW)  # never reviewed before: the same
    assert forecast.recall_on(suspended, day, NOW, memory, CONFIG) == pytest.approx(expected, rel=1e-12)


def _simulated(state: CardState, day: date, cap: date | None, rng: random.Random) -> float:
    """One run of the real scheduler until `day`: each due review recalled with the probability
    FSRS gives, then the card's retrievability on the day."""
    today = scheduler.study_day(NOW, CONFIG)
    while state.due is not None and scheduler.study_day(state.due, CONFIG) < day:
        review_day = max(scheduler.study_day(state.due, CONFIG), today)
        when = scheduler.day_start(review_day, CONFIG) + timedelta(hours=5)
        recalled = rng.random() < scheduler.retrievability(state, when, CONFIG)
        state = scheduler.review(
            state, Rating.GOOD if recalled else Rating.AGAIN, when, CONFIG, key="k", cap=cap
        )
        while state.phase is not Phase.REVIEW:
            assert state.due is not None
            state = scheduler.review(state, Rating.GOOD, state.due, CONFIG, key="k", cap=cap)
    return scheduler.retrievability(state, scheduler.day_start(day, CONFIG) + timedelta(hours=5), CONFIG)


@pytest.mark.parametrize(
    ("age", "ratings", "ahead", "capped"),
    [
        (3, [], 40, False),  # a young card, several reviews before the day
        (60, [Rating.GOOD, Rating.GOOD], 90, False),
        (20, [Rating.AGAIN], 30, True),  # with the exam cap: reviewed the day before
        (400, [Rating.GOOD, Rating.GOOD, Rating.GOOD], 25, True),  # overdue: reviewed today
        (10, [Rating.AGAIN, Rating.AGAIN], 300, False),  # a weak card, a far day
    ],
)
def test_the_projected_recall_is_what_the_scheduler_gives_on_average(
    age: int, ratings: list[Rating], ahead: int, capped: bool
) -> None:
    state = _in_review(CONFIG, NOW - timedelta(days=age), ratings)
    day = scheduler.study_day(NOW, CONFIG) + timedelta(days=ahead)
    cap = day if capped else None
    predicted = forecast.recall_on(state, day, NOW, scheduler.Memory(CONFIG), CONFIG, cap)
    rng = random.Random(18)
    runs = [_simulated(state, day, cap, rng) for _ in range(3000)]
    mean, error = statistics.fmean(runs), statistics.stdev(runs) / math.sqrt(len(runs))
    # PRUNE's paths played on without more lapses err upwards by a few tenths of a percent at most.
    assert abs(predicted - mean) < 4 * error + 0.003, (predicted, mean, error)


def test_a_new_card_is_predicted_nothing() -> None:
    assert forecast.recall_on(CardState(), date(2027, 1, 1), NOW, scheduler.Memory(CONFIG), CONFIG) == 0.0


def test_the_score_interval_holds_the_score_as_often_as_it_says() -> None:
    rng = random.Random(7)
    chances = [min(0.99, max(0.05, rng.betavariate(5, 2))) for _ in range(150)]
    result = forecast.exam_score(chances, 20, model_error=0.0)
    assert result.questions == 20
    assert result.expected == pytest.approx(statistics.fmean(chances))
    scores = []
    for _ in range(4000):
        drawn = rng.sample(chances, 20)
        scores.append(sum(rng.random() < p for p in drawn) / 20)
    inside = sum(result.low <= score <= result.high for score in scores) / len(scores)
    assert forecast.LEVEL - 0.06 <= inside <= forecast.LEVEL + 0.08, inside
    assert statistics.fmean(scores) == pytest.approx(result.expected, abs=0.01)
    # The model's own error widens it; more questions narrow it.
    assert (
        forecast.exam_score(chances, 20).high - forecast.exam_score(chances, 20).low
        > result.high - result.low
    )
    assert forecast.exam_score(chances, 100, 0.0).high - forecast.exam_score(chances, 100, 0.0).low < (
        result.high - result.low
    )
    # Every card asked: no drawing, only the answers vary.
    whole = forecast.exam_score(chances, 500, 0.0)
    assert whole.questions == 150


def test_the_calibration_measures_the_model_error_past_exams_show() -> None:
    rng = random.Random(3)

    def exams(bias: float) -> forecast.Calibration:
        out = []
        for k in range(12):
            chances = [rng.uniform(0.4, 0.95) for _ in range(30)]
            marks = sum(rng.random() < min(1.0, max(0.0, p + bias)) for p in chances)
            out.append(forecast.past_exam(NOW + timedelta(days=k), chances, marks))
        return forecast.Calibration(tuple(out))

    honest, optimistic = exams(0.0), exams(-0.25)
    assert honest.model_error < 0.06
    assert 0.15 < optimistic.model_error < 0.3  # misses of 0.25, pooled with MODEL_ERROR over 3 exams
    assert optimistic.scored < optimistic.predicted - 0.15
    assert forecast.Calibration(()).model_error == forecast.MODEL_ERROR


def test_guessing_counts_for_choices_and_true_false_only() -> None:
    from quizkit.model import Card, Kind

    choice = Card("c", Kind.CHOICE, "?", "a", accept=("a",), choices=("a", "b", "c", "d"))
    assert forecast.guess_chance(choice) == 0.25
    assert forecast.guess_chance(Card("t", Kind.TRUEFALSE, "?", "true", accept=("true",))) == 0.5
    assert forecast.guess_chance(Card("y", Kind.TYPED, "?", "a", accept=("a",))) == 0.0
    assert forecast.score_chance(0.6, 0.25) == pytest.approx(0.7)
