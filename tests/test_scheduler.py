"""quizkit.core.scheduler: fsrs's reference sequence, study days, fuzz, leeches, exam cap, display."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import fsrs.scheduler
import pytest
from fsrs.card import Card as FsrsCard
from fsrs.rating import Rating as FsrsRating
from fsrs.scheduler import Scheduler as FsrsScheduler
from fsrs.state import State as FsrsState
from hypothesis import example, given, settings
from hypothesis import strategies as st
from msgspec.structs import replace

from quizkit.core import scheduler
from quizkit.core.scheduler import (
    SchedulerConfig,
    day_start,
    elapsed_days,
    fuzz_range,
    is_due,
    preview,
    retrievability,
    review,
    study_day,
)
from quizkit.model import CardState, Phase, Rating
from quizkit.ui.words import format_interval

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
EXACT = SchedulerConfig(fuzz=False)
GOOD_AGAIN_GOOD = [Rating.GOOD] * 6 + [Rating.AGAIN] * 2 + [Rating.GOOD] * 5


def review_state(stability: float, last_review: datetime, config: SchedulerConfig = EXACT) -> CardState:
    """A card in the review phase, last answered at `last_review`, due the next study day."""
    return CardState(
        phase=Phase.REVIEW,
        stability=stability,
        difficulty=5.0,
        due=day_start(study_day(last_review, config) + timedelta(days=1), config),
        last_review=last_review,
        reps=3,
    )


def fsrs_review(stability: float, last_review: datetime, rating: Rating, at: datetime) -> FsrsCard:
    """What fsrs itself makes of the card review_state() describes."""
    card = FsrsCard(
        card_id=1,
        state=FsrsState.Review,
        stability=stability,
        difficulty=5.0,
        due=at,
        last_review=last_review,
    )
    return FsrsScheduler(enable_fuzzing=False).review_card(card, FsrsRating(int(rating)), at)[0]


def days_until_due(state: CardState, now: datetime, config: SchedulerConfig) -> int:
    assert state.due is not None
    return (study_day(state.due, config) - study_day(now, config)).days


# --- the fsrs reference sequence -------------------------------------------------------------------------


def test_fsrs_reference_sequence() -> None:
    # py-fsrs pins this sequence in its own tests: fuzz off, start 2022-11-29 12:30 UTC, each review at
    # the previous due time. Here review-phase cards fall due at the start of a study day (04:00 UTC), so
    # the reviews after the first two happen at 04:00, 04:10 and 04:20, not at 12:30 or 12:40. That is
    # still the due instant, and it changes nothing fsrs computes: between reviews on different days
    # fsrs sees exactly the number of study days crossed, which is the same number of whole 24-hour
    # periods its own test sees (2, 11, 46, ... days); reviews 10 minutes apart are same-day in both.
    # The interval measured as due - review time rounds to the same whole days (the 12:40 review's
    # "2 days" is 1 day 15 h 20 min to 04:00, since the card is due from the start of that day).
    state = CardState()
    now = datetime(2022, 11, 29, 12, 30, tzinfo=UTC)
    reference = FsrsCard(card_id=1, due=now)
    reference_now = now
    fsrs_itself = FsrsScheduler(enable_fuzzing=False)
    rounded, study_days = [], []
    for rating in GOOD_AGAIN_GOOD:
        state = review(state, rating, now, EXACT, key="reference")
        reference, _ = fsrs_itself.review_card(reference, FsrsRating(int(rating)), reference_now)
        assert state.due is not None
        rounded.append(round((state.due - now) / timedelta(days=1)))
        study_days.append(days_until_due(state, now, EXACT))
        assert (state.stability, state.difficulty, int(state.phase), state.step) == (
            reference.stability,
            reference.difficulty,
            int(reference.state),
            reference.step,
        )
        now, reference_now = state.due, reference.due
    expected = [0, 2, 11, 46, 163, 498, 0, 0, 2, 4, 7, 12, 21]
    assert rounded == expected
    assert study_days == expected
    assert (state.reps, state.lapses) == (13, 1)


def test_new_card_enters_learning() -> None:
    now = datetime(2024, 5, 1, 10, 0, tzinfo=UTC)
    state = review(CardState(), Rating.GOOD, now, EXACT, key="k")
    assert state.phase == Phase.LEARNING
    assert state.step == 1
    assert state.due == now + timedelta(minutes=10)
    assert state.last_review == now
    assert state.reps == 1
    assert state.lapses == 0


def test_easy_on_new_card_goes_to_review_due_at_day_start() -> None:
    now = datetime(2024, 5, 1, 22, 15, tzinfo=UTC)
    state = review(CardState(), Rating.EASY, now, EXACT, key="k")
    assert state.phase == Phase.REVIEW
    assert state.due == datetime(2024, 5, 1 + 8, 4, 0, tzinfo=UTC)  # 8 study days, from 04:00


# --- study days and due-day modelling --------------------------------------------------------------------


def test_overnight_review_counts_as_one_day() -> None:
    evening = datetime(2024, 3, 4, 20, 0, tzinfo=UTC)
    morning = datetime(2024, 3, 5, 9, 0, tzinfo=UTC)  # 13 hours later, the next study day
    state = review_state(1.0, evening)
    assert is_due(state, morning, EXACT)
    assert elapsed_days(evening, morning, EXACT) == 1

    after = review(state, Rating.GOOD, morning, EXACT, key="k")

    one_day = fsrs_review(1.0, evening, Rating.GOOD, evening + timedelta(days=1))
    same_day = fsrs_review(1.0, evening, Rating.GOOD, morning)  # what fsrs alone makes of 13 hours
    assert after.stability == one_day.stability
    assert after.difficulty == one_day.difficulty
    assert after.stability != pytest.approx(same_day.stability)
    assert retrievability(state, morning, EXACT) == pytest.approx(0.9, abs=1e-9)  # S = 1 day, t = 1 day


def test_reviews_within_one_study_day_use_the_same_day_formula() -> None:
    evening = datetime(2024, 3, 4, 20, 0, tzinfo=UTC)
    late = datetime(2024, 3, 5, 3, 30, tzinfo=UTC)  # before 04:00: still the same study day
    state = review_state(1.0, evening)
    assert elapsed_days(evening, late, EXACT) == 0
    after = review(state, Rating.GOOD, late, EXACT, key="k")
    assert after.stability == fsrs_review(1.0, evening, Rating.GOOD, late).stability
    assert retrievability(state, late, EXACT) == 1.0


def test_study_day_starts_at_four_local_time_in_berlin() -> None:
    config = SchedulerConfig(tz=BERLIN)
    assert study_day(datetime(2024, 7, 10, 3, 30, tzinfo=BERLIN), config) == date(2024, 7, 9)
    assert study_day(datetime(2024, 7, 10, 3, 59, 59, tzinfo=BERLIN), config) == date(2024, 7, 9)
    assert study_day(datetime(2024, 7, 10, 4, 0, tzinfo=BERLIN), config) == date(2024, 7, 10)
    # the same instants given in UTC
    assert study_day(datetime(2024, 7, 10, 1, 30, tzinfo=UTC), config) == date(2024, 7, 9)
    assert study_day(datetime(2024, 7, 10, 2, 0, tzinfo=UTC), config) == date(2024, 7, 10)
    assert day_start(date(2024, 7, 10), config) == datetime(2024, 7, 10, 2, 0, tzinfo=UTC)  # summer time
    assert day_start(date(2024, 1, 10), config) == datetime(2024, 1, 10, 3, 0, tzinfo=UTC)


def test_review_at_half_past_three_in_berlin_is_the_previous_day() -> None:
    config = SchedulerConfig(tz=BERLIN, fuzz=False)
    evening = datetime(2024, 7, 9, 22, 0, tzinfo=BERLIN)
    night = datetime(2024, 7, 10, 3, 30, tzinfo=BERLIN)
    morning = datetime(2024, 7, 10, 8, 0, tzinfo=BERLIN)
    state = review_state(3.0, evening.astimezone(UTC), config)
    assert elapsed_days(evening, night, config) == 0
    assert elapsed_days(evening, morning, config) == 1
    assert not is_due(state, night, config)
    assert is_due(state, morning, config)
    assert review(state, Rating.GOOD, night, config, key="k").stability == pytest.approx(
        fsrs_review(3.0, evening.astimezone(UTC), Rating.GOOD, night.astimezone(UTC)).stability
    )


def test_review_phase_due_is_the_start_of_a_local_study_day() -> None:
    config = SchedulerConfig(tz=NEW_YORK, fuzz=False)
    now = datetime(2024, 3, 9, 21, 0, tzinfo=NEW_YORK)  # the night before summer time starts
    before = review_state(2.0, now.astimezone(UTC) - timedelta(days=2), config)
    state = review(before, Rating.GOOD, now, config, key="k")
    assert state.phase == Phase.REVIEW
    assert state.due is not None
    assert state.due.tzinfo is UTC
    local_due = state.due.astimezone(NEW_YORK)
    assert (local_due.hour, local_due.minute) == (4, 0)
    assert local_due.date() == date(2024, 3, 9) + timedelta(days=days_until_due(state, now, config))


def test_times_in_other_zones_are_accepted_and_naive_ones_refused() -> None:
    now = datetime(2024, 7, 10, 9, 0, tzinfo=ZoneInfo("UTC"))  # fsrs itself refuses this zone object
    state = review(CardState(), Rating.GOOD, now.astimezone(BERLIN), EXACT, key="k")
    assert state.last_review == now
    assert state.last_review is not None and state.last_review.tzinfo is UTC
    with pytest.raises(ValueError, match="timezone-aware"):
        review(CardState(), Rating.GOOD, datetime(2024, 7, 10, 9, 0), EXACT, key="k")
    with pytest.raises(ValueError, match="timezone-aware"):
        study_day(datetime(2024, 7, 10, 9, 0), EXACT)


ZONES = [
    "UTC",
    "Europe/Berlin",
    "America/New_York",
    "Australia/Lord_Howe",
    "America/Santiago",
    "Asia/Kolkata",
]


@given(
    zone=st.sampled_from(ZONES),
    hour=st.integers(0, 23),
    day=st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)),
)
# summer-time changes: the start hour skipped (gap) or repeated (fold)
@example(zone="Europe/Berlin", hour=2, day=date(2024, 3, 31))
@example(zone="Europe/Berlin", hour=2, day=date(2024, 10, 27))
@example(zone="America/New_York", hour=2, day=date(2024, 3, 10))
@example(zone="America/New_York", hour=1, day=date(2024, 11, 3))
@example(zone="America/Santiago", hour=0, day=date(2024, 9, 8))
@example(zone="Australia/Lord_Howe", hour=2, day=date(2024, 10, 6))
def test_each_study_day_begins_at_its_day_start(zone: str, hour: int, day: date) -> None:
    config = SchedulerConfig(tz=ZoneInfo(zone), day_start_hour=hour)
    start = day_start(day, config)
    assert study_day(start, config) == day
    assert study_day(start - timedelta(microseconds=1), config) == day - timedelta(days=1)


# --- fuzz ------------------------------------------------------------------------------------------------


def good_until_long(config: SchedulerConfig, key: str) -> tuple[CardState, datetime]:
    """A card answered Good at each due time until its interval passes 20 days."""
    state, now = CardState(), datetime(2024, 1, 1, 9, 0, tzinfo=UTC)
    while True:
        state = review(state, Rating.GOOD, now, config, key=key)
        assert state.due is not None
        if days_until_due(state, now, config) >= 20:
            return state, now
        now = state.due


def test_fuzz_is_reproducible() -> None:
    config = SchedulerConfig()
    assert good_until_long(config, "deck/card-1") == good_until_long(config, "deck/card-1")


def test_fuzz_varies_between_cards_within_the_range() -> None:
    state = review_state(30.0, datetime(2024, 1, 1, 9, 0, tzinfo=UTC))
    now = datetime(2024, 1, 2, 9, 0, tzinfo=UTC)
    unfuzzed = days_until_due(review(state, Rating.GOOD, now, EXACT, key="any"), now, EXACT)
    low, high = fuzz_range(unfuzzed, EXACT)
    assert low < unfuzzed < high
    seen = {
        days_until_due(review(state, Rating.GOOD, now, SchedulerConfig(), key=f"card-{i}"), now, EXACT)
        for i in range(200)
    }
    assert seen <= set(range(low, high + 1))
    assert seen == set(range(low, high + 1))  # 200 draws cover a handful of days


def test_fuzz_off_gives_fsrs_interval() -> None:
    state = review_state(30.0, datetime(2024, 1, 1, 9, 0, tzinfo=UTC))
    now = datetime(2024, 1, 2, 9, 0, tzinfo=UTC)
    reference = fsrs_review(30.0, datetime(2024, 1, 1, 9, 0, tzinfo=UTC), Rating.GOOD, now)
    for key in ("a", "b", "c"):
        after = review(state, Rating.GOOD, now, EXACT, key=key)
        assert days_until_due(after, now, EXACT) == (reference.due - now).days


@pytest.mark.parametrize("interval", [1, 2, 3, 5, 7, 10, 20, 50, 100, 1000])
def test_fuzz_range_is_fsrs_range(interval: int, monkeypatch: pytest.MonkeyPatch) -> None:
    low, high = fuzz_range(interval, EXACT)
    fuzzing = FsrsScheduler(enable_fuzzing=True)
    # fsrs draws round(random() * (high - low + 1) + low): pin random() to hit each end of its range
    monkeypatch.setattr(fsrs.scheduler, "random", lambda: 0.0)
    assert fuzzing._get_fuzzed_interval(interval=timedelta(days=interval)).days == low
    monkeypatch.setattr(fsrs.scheduler, "random", lambda: (high - low + 0.4) / (high - low + 1))
    assert fuzzing._get_fuzzed_interval(interval=timedelta(days=interval)).days == high


def test_max_interval_clamps_fuzzed_intervals() -> None:
    config = SchedulerConfig(max_interval=30)
    for key in ("a", "b", "c", "d"):
        state, now = CardState(), datetime(2024, 1, 1, 9, 0, tzinfo=UTC)
        intervals = []
        for _ in range(12):
            state = review(state, Rating.EASY, now, config, key=key)
            intervals.append(days_until_due(state, now, config))
            assert state.due is not None
            now = state.due
        assert max(intervals) == 30


# --- exam cap --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["a", "b", "c"])
def test_exam_cap_keeps_every_review_before_the_exam(key: str) -> None:
    config = SchedulerConfig()
    now = datetime(2024, 1, 1, 18, 0, tzinfo=UTC)
    exam = date(2024, 3, 1)
    state = CardState()
    uncapped = []
    while study_day(now, config) < exam - timedelta(days=1):
        capped = review(state, Rating.GOOD, now, config, key=key, cap=exam)
        uncapped.append(review(state, Rating.GOOD, now, config, key=key))
        assert capped.due is not None
        assert study_day(capped.due, config) < exam
        state, now = capped, capped.due
    assert any(u.due is not None and study_day(u.due, config) >= exam for u in uncapped)  # the cap mattered


def test_exam_cap_never_below_one_day() -> None:
    state = review_state(30.0, datetime(2024, 1, 1, 9, 0, tzinfo=UTC))
    now = datetime(2024, 1, 2, 9, 0, tzinfo=UTC)
    for cap in (date(2024, 1, 3), date(2024, 1, 2), date(2023, 12, 1)):
        assert days_until_due(review(state, Rating.GOOD, now, EXACT, key="k", cap=cap), now, EXACT) == 1
    assert (
        days_until_due(review(state, Rating.GOOD, now, EXACT, key="k", cap=date(2024, 1, 10)), now, EXACT)
        == 7
    )


# --- lapses and leeches ----------------------------------------------------------------------------------


def lapse_cycle(state: CardState, now: datetime, config: SchedulerConfig) -> tuple[CardState, datetime]:
    """Again on a review card, Again and Good in relearning, then Good when due: one lapse."""
    for rating in (Rating.AGAIN, Rating.AGAIN, Rating.GOOD, Rating.GOOD):
        state = review(state, rating, now, config, key="leech")
        assert state.due is not None
        now = state.due
    return state, now


def test_leech_after_eight_lapses() -> None:
    state = review_state(5.0, datetime(2024, 1, 1, 9, 0, tzinfo=UTC))
    now = datetime(2024, 1, 2, 9, 0, tzinfo=UTC)
    for lapse in range(1, 9):
        assert state.phase == Phase.REVIEW
        state, now = lapse_cycle(state, now, EXACT)
        assert state.lapses == lapse  # Again in relearning is not a lapse
        assert state.leech == state.suspended == (lapse == 8)


def test_leech_threshold_is_configurable_and_repeats_at_half() -> None:
    config = SchedulerConfig(fuzz=False, leech_threshold=4)
    state = review_state(5.0, datetime(2024, 1, 1, 9, 0, tzinfo=UTC))
    now = datetime(2024, 1, 2, 9, 0, tzinfo=UTC)
    became_leech = []
    for _ in range(8):
        state, now = lapse_cycle(state, now, config)
        became_leech.append(state.suspended)
        state = replace(state, suspended=False)  # the learner unsuspends it
    # Anki's rule: at the threshold, then every half threshold
    assert became_leech == [False, False, False, True, False, True, False, True]
    assert state.leech


def test_leech_threshold_zero_turns_leeches_off() -> None:
    config = SchedulerConfig(fuzz=False, leech_threshold=0)
    state = review_state(5.0, datetime(2024, 1, 1, 9, 0, tzinfo=UTC))
    now = datetime(2024, 1, 2, 9, 0, tzinfo=UTC)
    for _ in range(10):
        state, now = lapse_cycle(state, now, config)
    assert (state.lapses, state.leech, state.suspended) == (10, False, False)


def test_again_while_learning_is_not_a_lapse() -> None:
    state, now = CardState(), datetime(2024, 1, 1, 9, 0, tzinfo=UTC)
    for _ in range(20):
        state = review(state, Rating.AGAIN, now, EXACT, key="k")
        now += timedelta(minutes=1)
    assert (state.phase, state.lapses, state.reps, state.leech) == (Phase.LEARNING, 0, 20, False)


def test_suspension_and_burying_are_kept() -> None:
    buried = datetime(2024, 1, 3, 4, 0, tzinfo=UTC)
    state = replace(
        review_state(5.0, datetime(2024, 1, 1, 9, 0, tzinfo=UTC)), suspended=True, buried_until=buried
    )
    after = review(state, Rating.GOOD, datetime(2024, 1, 2, 9, 0, tzinfo=UTC), EXACT, key="k")
    assert (after.suspended, after.buried_until, after.leech) == (True, buried, False)


def test_state_without_memory_is_refused() -> None:
    broken = CardState(phase=Phase.REVIEW, last_review=datetime(2024, 1, 1, tzinfo=UTC))
    with pytest.raises(ValueError, match="stability, difficulty"):
        review(broken, Rating.GOOD, datetime(2024, 1, 2, tzinfo=UTC), EXACT, key="k")


# --- preview, retrievability, is_due ---------------------------------------------------------------------


def sample_states() -> list[tuple[CardState, datetime]]:
    start = datetime(2024, 1, 1, 21, 0, tzinfo=UTC)
    learning = review(CardState(), Rating.GOOD, start, EXACT, key="k")
    reviewing = review_state(12.0, start)
    relearning = review(reviewing, Rating.AGAIN, start + timedelta(days=1), EXACT, key="k")
    assert relearning.phase == Phase.RELEARNING
    return [
        (CardState(), start),
        (learning, start + timedelta(minutes=10)),
        (reviewing, start + timedelta(hours=12)),
        (relearning, start + timedelta(days=1, minutes=10)),
    ]


@pytest.mark.parametrize("cap", [None, date(2024, 1, 20)])
@pytest.mark.parametrize("config", [EXACT, SchedulerConfig(), SchedulerConfig(tz=BERLIN)])
def test_preview_agrees_with_review(config: SchedulerConfig, cap: date | None) -> None:
    for state, now in sample_states():
        shown = preview(state, now, config, key="deck/card", cap=cap)
        assert list(shown) == list(Rating)
        for rating, interval in shown.items():
            after = review(state, rating, now, config, key="deck/card", cap=cap)
            assert after.due is not None
            if after.phase == Phase.REVIEW:
                assert interval == timedelta(days=days_until_due(after, now, config))
            else:
                assert interval == after.due - now


def test_preview_of_a_new_card() -> None:
    now = datetime(2024, 1, 1, 21, 0, tzinfo=UTC)
    labels = {
        rating: format_interval(delta) for rating, delta in preview(CardState(), now, EXACT, key="k").items()
    }
    assert labels == {Rating.AGAIN: "1m", Rating.HARD: "6m", Rating.GOOD: "10m", Rating.EASY: "8d"}


def test_retrievability() -> None:
    last = datetime(2024, 1, 1, 9, 0, tzinfo=UTC)
    state = review_state(10.0, last)
    assert retrievability(CardState(), last, EXACT) == 0.0
    assert retrievability(state, last + timedelta(hours=5), EXACT) == 1.0
    values = [retrievability(state, last + timedelta(days=d, hours=-2), EXACT) for d in range(1, 60)]
    assert values == sorted(values, reverse=True)
    card = FsrsCard(
        card_id=1, state=FsrsState.Review, stability=10.0, difficulty=5.0, due=last, last_review=last
    )
    assert values[9] == FsrsScheduler().get_card_retrievability(card, last + timedelta(days=10))
    assert retrievability(state, last + timedelta(days=10), EXACT) == pytest.approx(0.9)  # R(S) = 90 %


def test_is_due() -> None:
    now = datetime(2024, 1, 5, 12, 0, tzinfo=UTC)
    due = CardState(
        phase=Phase.REVIEW, stability=3.0, difficulty=5.0, due=now, last_review=now - timedelta(days=3)
    )
    assert is_due(due, now, EXACT)
    assert not is_due(due, now - timedelta(seconds=1), EXACT)
    assert not is_due(CardState(), now, EXACT)
    assert not is_due(replace(due, suspended=True), now, EXACT)
    assert not is_due(replace(due, buried_until=now + timedelta(hours=1)), now, EXACT)
    assert is_due(replace(due, buried_until=now), now, EXACT)


@pytest.mark.parametrize(
    ("delta", "label"),
    [
        (timedelta(seconds=30), "30s"),
        (timedelta(seconds=70), "1m"),
        (timedelta(minutes=1), "1m"),
        (timedelta(minutes=10), "10m"),
        (timedelta(minutes=5, seconds=30), "6m"),
        (timedelta(minutes=90), "1.5h"),
        (timedelta(hours=1), "1h"),
        (timedelta(days=1), "1d"),
        (timedelta(days=3), "3d"),
        (timedelta(days=30), "30d"),
        (timedelta(days=64), "2.1mo"),
        (timedelta(days=365 / 12 * 1.1), "1.1mo"),
        (timedelta(days=365), "1y"),
        (timedelta(days=475), "1.3y"),
        (timedelta(days=36500), "100y"),
    ],
)
def test_format_interval(delta: timedelta, label: str) -> None:
    assert format_interval(delta) == label


# --- configuration ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("tz", [UTC, BERLIN, timezone(timedelta(hours=-5, minutes=-30))])
def test_config_round_trips_through_json(tz: timezone | ZoneInfo) -> None:
    config = SchedulerConfig(
        retention=0.85, learning_steps=(timedelta(seconds=90),), tz=tz, leech_threshold=5
    )
    stored = json.loads(json.dumps(config.to_dict()))
    assert stored["algorithm"] == "FSRS-6"
    assert stored["learning_steps"] == [90]
    assert len(stored["parameters"]) == 21
    assert SchedulerConfig.from_dict(stored) == config


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"retention": 1.0}, "retention"),
        ({"retention": 0.0}, "retention"),
        ({"learning_steps": (timedelta(0),)}, "learning_steps"),
        ({"max_interval": 0}, "max_interval"),
        ({"day_start_hour": 24}, "day_start_hour"),
        ({"leech_threshold": -1}, "leech_threshold"),
        ({"parameters": (1.0, 2.0)}, "parameters"),
        ({"parameters": (1000.0,) * 21}, "out of bounds"),
    ],
)
def test_bad_config_is_refused(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        SchedulerConfig(**changes)  # type: ignore[arg-type]


def test_fsrs_scheduler_is_built_once_per_settings() -> None:
    first = scheduler._fsrs_scheduler(SchedulerConfig(tz=BERLIN))
    assert scheduler._fsrs_scheduler(SchedulerConfig(fuzz=False)) is first
    assert scheduler._fsrs_scheduler(SchedulerConfig(retention=0.8)) is not first


# --- properties ------------------------------------------------------------------------------------------


@settings(deadline=None, max_examples=200)
@given(
    history=st.lists(
        st.tuples(st.sampled_from(list(Rating)), st.integers(min_value=1, max_value=400 * 86400)),
        min_size=1,
        max_size=40,
    ),
    config=st.sampled_from([EXACT, SchedulerConfig(), SchedulerConfig(tz=NEW_YORK, day_start_hour=0)]),
    cap=st.none() | st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 1, 1)),
)
def test_any_history_gives_a_sane_state(
    history: list[tuple[Rating, int]], config: SchedulerConfig, cap: date | None
) -> None:
    state, now = CardState(), datetime(2024, 1, 1, 12, 0, tzinfo=UTC)
    for count, (rating, gap) in enumerate(history, start=1):
        before = state
        state = review(state, rating, now, config, key="prop", cap=cap)
        assert state.phase != Phase.NEW
        assert state.due is not None and state.due > now
        assert state.stability is not None and state.stability > 0
        assert state.difficulty is not None and 1.0 <= state.difficulty <= 10.0
        assert state.last_review == now
        assert state.reps == count
        assert state.lapses == before.lapses + (before.phase == Phase.REVIEW and rating == Rating.AGAIN)
        if state.phase == Phase.REVIEW:
            assert state.step is None
            assert 1 <= days_until_due(state, now, config) <= config.max_interval
            assert state.due == day_start(study_day(state.due, config), config)
        else:
            assert state.step is not None
        assert 0.0 <= retrievability(state, now + timedelta(seconds=gap), config) <= 1.0
        now += timedelta(seconds=gap)


# --- purity ----------------------------------------------------------------------------------------------

ALLOWED_IMPORTS = {
    "__future__",
    "msgspec",  # record classes
    "datetime",
    "functools",
    "hashlib",
    "math",
    "random",
    "typing",
    "zoneinfo",
    "fsrs",
    "quizkit",
}


def test_scheduler_imports_only_stdlib_fsrs_and_the_model() -> None:
    tree = ast.parse(Path(scheduler.__file__).read_text())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)
    assert {name.split(".")[0] for name in imported} <= ALLOWED_IMPORTS
    assert {name for name in imported if name.startswith(("fsrs", "quizkit"))} <= {
        "fsrs.card",
        "fsrs.rating",
        "fsrs.scheduler",
        "fsrs.state",
        "quizkit.model",
    }
    source = Path(scheduler.__file__).read_text()
    assert ".now(" not in source and "random.random()" not in source


def test_importing_the_scheduler_does_not_load_torch() -> None:
    code = "import sys, quizkit.core.scheduler; print(sorted(m for m in sys.modules if m in ('torch', 'fsrs.optimizer')))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_default_parameters_are_the_fsrs_librarys_own() -> None:
    from fsrs.scheduler import DEFAULT_PARAMETERS as FSRS_DEFAULTS

    from quizkit.core.scheduler import DEFAULT_PARAMETERS

    assert tuple(FSRS_DEFAULTS) == DEFAULT_PARAMETERS
