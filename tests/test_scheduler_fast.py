"""review() answers a card in the review phase without fsrs's Card (scheduler._review_phase), and
gives exactly what fsrs's own Scheduler.review_card gives (scheduler._review_by_fsrs), field by
field, bit for bit: every rating, same-day and overdue answers, fuzz on and off, exam caps,
relearning steps or none, leech thresholds, another time zone and day start, fitted parameters."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from quizkit.core import scheduler
from quizkit.model import CardState, Phase, Rating

FITTED = tuple(
    round(p * f, 4)
    for p, f in zip(
        scheduler.DEFAULT_PARAMETERS,
        (
            1.3,
            0.8,
            1.1,
            0.9,
            1.05,
            0.95,
            1.1,
            5,
            0.9,
            1.2,
            1.05,
            0.9,
            1.1,
            0.95,
            1.02,
            0.97,
            1.03,
            0.9,
            1.1,
            1.2,
            1.4,
        ),
        strict=True,
    )
)

configs = st.builds(
    scheduler.SchedulerConfig,
    retention=st.sampled_from((0.7, 0.85, 0.9, 0.97)),
    relearning_steps=st.sampled_from(
        ((), (timedelta(minutes=10),), (timedelta(minutes=5), timedelta(hours=1)))
    ),
    max_interval=st.sampled_from((36500, 30, 3)),
    fuzz=st.booleans(),
    day_start_hour=st.sampled_from((0, 4, 23)),
    tz=st.sampled_from((UTC, ZoneInfo("America/New_York"), ZoneInfo("Asia/Kolkata"))),
    leech_threshold=st.sampled_from((0, 1, 3, 8)),
    parameters=st.sampled_from((scheduler.DEFAULT_PARAMETERS, FITTED)),
)

START = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


@st.composite
def review_cards(draw: st.DrawFn) -> tuple[CardState, datetime]:
    last = START + timedelta(minutes=draw(st.integers(0, 60 * 24 * 400)))
    now = last + timedelta(
        minutes=draw(st.sampled_from((0, 1, 60 * 5, 60 * 23, 60 * 30)) | st.integers(0, 60 * 24 * 900))
    )
    state = CardState(
        phase=Phase.REVIEW,
        stability=draw(st.floats(0.001, 36500, allow_nan=False)),
        difficulty=draw(st.floats(1, 10, allow_nan=False)),
        due=last + timedelta(days=draw(st.integers(1, 400))),
        last_review=last,
        reps=draw(st.integers(1, 200)),
        lapses=draw(st.integers(0, 40)),
        leech=draw(st.booleans()),
        suspended=draw(st.booleans()),
    )
    return state, now


@settings(max_examples=1500, deadline=None)
@given(
    card=review_cards(),
    rating=st.sampled_from(list(Rating)),
    config=configs,
    cap=st.none() | st.integers(-3, 60),
    key=st.sampled_from(("deck\x1fc1", "other\x1fq-17")),
)
def test_the_review_phase_is_answered_exactly_as_fsrs_answers_it(
    card: tuple[CardState, datetime],
    rating: Rating,
    config: scheduler.SchedulerConfig,
    cap: int | None,
    key: str,
) -> None:
    state, now = card
    exam = None if cap is None else scheduler.study_day(now, config) + timedelta(days=cap)
    fast = scheduler.review(state, rating, now, config, key=key, cap=exam)
    slow = scheduler._review_by_fsrs(state, rating, now, config, key=key, cap=exam)
    assert fast == slow


def test_a_replayed_history_is_the_same_either_way() -> None:
    """Long histories through both paths, each answer's state fed to the next (the replay's use)."""
    import random

    rng = random.Random(3)
    config = scheduler.SchedulerConfig(tz=ZoneInfo("Europe/London"))
    for card in range(200):
        key = f"deck\x1fc{card}"
        fast = slow = CardState()
        now = START + timedelta(hours=rng.randrange(0, 24 * 30))
        for _ in range(40):
            rating = Rating(rng.choices((1, 2, 3, 4), (15, 10, 70, 5))[0])
            fast = scheduler.review(fast, rating, now, config, key=key)
            slow = scheduler._review_by_fsrs(slow, rating, now, config, key=key, cap=None)
            assert fast == slow
            assert fast.due is not None
            now = max(now + timedelta(minutes=1), fast.due + timedelta(hours=rng.randrange(-30, 24 * 20)))
    assert date(2026, 1, 1) < now.date()


@given(st.text(max_size=40), st.integers(min_value=0, max_value=10_000))
def test_the_fuzz_draw_is_the_seeded_generator_s_first_number(key: str, reps: int) -> None:
    """_fuzz_draw reseeds one generator instead of making one: the same number, interleaved too."""
    assert scheduler._fuzz_draw(key, reps) == scheduler._fuzz_rng(key, reps).random()
    assert scheduler._fuzz_draw(key, reps + 1) == scheduler._fuzz_rng(key, reps + 1).random()


def test_the_fsrs_scheduler_is_found_by_the_config_object_and_by_its_settings() -> None:
    config = scheduler.SchedulerConfig(retention=0.83)
    first = scheduler._fsrs_scheduler(config)
    assert scheduler._fsrs_scheduler(config) is first
    assert scheduler._fsrs_scheduler(scheduler.SchedulerConfig(retention=0.83)) is first
    assert scheduler._fsrs_scheduler(scheduler.SchedulerConfig(retention=0.84)) is not first
    for retention in range(70, 140):  # more configs than the object cache holds: still right
        other = scheduler.SchedulerConfig(retention=retention / 200 + 0.2)
        assert scheduler._fsrs_scheduler(other).desired_retention == other.retention
    assert scheduler._fsrs_scheduler(config).desired_retention == 0.83


def test_a_remembered_day_start_is_day_start() -> None:
    berlin = scheduler.SchedulerConfig(tz=ZoneInfo("Europe/Berlin"), day_start_hour=3)
    for config in (scheduler.SchedulerConfig(), berlin):
        for offset in range(0, 400, 7):  # summer time begins and ends in between
            day = date(2025, 1, 1) + timedelta(days=offset)
            assert scheduler._remembered_start(day, config) == scheduler.day_start(day, config)
