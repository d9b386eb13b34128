"""Study days in SQL: the statistics count days exactly as scheduler.study_day does, summer time included."""

from __future__ import annotations

import json
import random
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import hypothesis.strategies as st
import pytest
from hypothesis import given, settings

from quizkit.core import scheduler
from quizkit.core.calendar import day_shifts
from quizkit.core.scheduler import SchedulerConfig, forgetting_curve
from quizkit.model import CardState, Phase, Rating
from quizkit.store.figures import Figures
from quizkit.store.progress import Store, state_to_dict

EPOCH = date(1970, 1, 1)
ZONES = (
    "Europe/Berlin",
    "America/New_York",
    "Australia/Sydney",  # summer time in January
    "Australia/Lord_Howe",  # moves by half an hour
    "Asia/Kolkata",  # +05:30, no summer time
    "UTC",
)
# Summer-time changes in 2026: Berlin 29 March and 25 October, New York 8 March and 1 November,
# Sydney 5 April and 4 October.
CHANGES = ("2026-03-08", "2026-03-29", "2026-04-05", "2026-10-04", "2026-10-25", "2026-11-01")


def number(day: date) -> int:
    return (day - EPOCH).days


@pytest.fixture
def store() -> Iterator[Store]:
    """An in-memory store, closed when the test ends."""
    with Store.memory() as store:
        yield store


def add_answers(store: Store, moments: list[datetime], deck: str = "d") -> None:
    store.db.executemany(
        """INSERT INTO reviews (deck_id, card_id, reviewed_at, rating, mode, phase_before, state_before,
               state_after) VALUES (?, 'c', ?, 3, 'review', 2, '{}', '{}')""",
        [(deck, round(moment.timestamp() * 1000)) for moment in moments],
    )


def check_days(moments: list[datetime], config: SchedulerConfig) -> None:
    """Answers and due cards at these moments fall on the study days scheduler.study_day gives."""
    expected = Counter(number(scheduler.study_day(moment, config)) for moment in moments)
    with Store.memory() as store:
        add_answers(store, moments)
        store.db.executemany(
            "INSERT INTO cards (deck_id, card_id, phase, due) VALUES ('d', ?, 2, ?)",
            [(f"c{i}", round(moment.timestamp() * 1000)) for i, moment in enumerate(moments)],
        )
        Figures(store).set_scope([("d", [f"c{i}" for i in range(len(moments))], ())])
        start, end = min(moments), max(moments)
        shifts = day_shifts(start, end, config)
        # Day numbers computed in SQL: the forecast counts cards by the day they are due ...
        assert Figures(store).forecast(shifts, max(expected) + 1) == expected
        # ... and the streaks find the days with answers.
        runs = Figures(store).study_runs(None, False, shifts, end + timedelta(seconds=1))
        assert {day for first, last in runs for day in range(first, last + 1)} == set(expected)
        # The heatmap counts between day starts.
        first, last = scheduler.study_day(start, config), scheduler.study_day(end, config)
        days = [first + timedelta(days=n) for n in range((last - first).days + 2)]
        per_day = Figures(store).reviews_per_day(
            None, False, [scheduler.day_start(day, config) for day in days]
        )
        assert per_day == [expected.get(number(day), 0) for day in days[:-1]]


def test_every_few_minutes_around_each_summer_time_change() -> None:
    for zone in ZONES:
        for hour in (0, 2, 3, 4, 23):  # 2 and 3 fall in or next to the spring gap in Europe
            config = SchedulerConfig(tz=ZoneInfo(zone), day_start_hour=hour)
            moments = [
                datetime.fromisoformat(change + "T00:00:00+00:00") + timedelta(minutes=minutes)
                for change in CHANGES
                for minutes in range(-3 * 1440, 3 * 1440, 7)
            ]
            check_days(moments, config)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(1_600_000_000_000, 1_900_000_000_000), min_size=1, max_size=40),
    st.sampled_from(ZONES),
    st.integers(0, 23),
)
def test_any_moment_any_zone(stamps: list[int], zone: str, hour: int) -> None:
    config = SchedulerConfig(tz=ZoneInfo(zone), day_start_hour=hour)
    check_days([datetime.fromtimestamp(stamp / 1000, UTC) for stamp in stamps], config)


def test_a_fixed_offset_needs_one_piece() -> None:
    config = SchedulerConfig(tz=timezone(timedelta(hours=-3, minutes=-30)), day_start_hour=4)
    start = datetime(2020, 1, 1, tzinfo=UTC)
    assert day_shifts(start, start + timedelta(days=3000), config) == (
        (round(start.timestamp() - 86400) * 1000, -(3 * 3600 + 1800 + 4 * 3600) * 1000),
    )
    berlin = SchedulerConfig(tz=ZoneInfo("Europe/Berlin"))
    assert len(day_shifts(start, start + timedelta(days=365), berlin)) == 3  # winter, summer, winter


def test_streaks_across_the_spring_change(store: Store) -> None:
    """A learner in Berlin answering at 04:30 every morning keeps the streak when the clocks go forward."""
    config = SchedulerConfig(tz=ZoneInfo("Europe/Berlin"), day_start_hour=4)
    berlin = ZoneInfo("Europe/Berlin")
    mornings = [
        datetime(2026, 3, 20, 4, 30, tzinfo=berlin) + timedelta(days=n) for n in range(15) if n != 3
    ]  # 23 March skipped
    late = datetime(2026, 4, 3, 3, 59, tzinfo=berlin)  # still 2 April's study day
    add_answers(store, [*mornings, late])
    now = datetime(2026, 4, 3, 20, 0, tzinfo=berlin)
    calendar = Figures(store).calendar(now, config)
    assert calendar.today == date(2026, 4, 3)
    result = Figures(store).streaks(calendar)
    assert (result.current, result.longest) == (11, 11)  # 24 March to 3 April
    store.db.execute(
        "INSERT INTO undos (review_id, undone_at) SELECT id, 0 FROM reviews WHERE id = (SELECT max(id) FROM reviews)"
    )
    assert Figures(store).streaks(calendar).current == 11  # 3 April has its 04:30 answer still
    store.db.execute(
        "INSERT INTO undos (review_id, undone_at) SELECT id, 0 FROM reviews WHERE id = 14"
    )  # 3 April's morning
    assert (Figures(store).streaks(calendar).current, Figures(store).streaks(calendar).longest) == (10, 10)


def test_card_figures_across_summer_time(store: Store) -> None:
    """Intervals count study days and retrievability matches the scheduler's, in Berlin in spring."""
    config = SchedulerConfig(tz=ZoneInfo("Europe/Berlin"), day_start_hour=4)
    rng = random.Random(5)
    now = datetime(2026, 4, 10, 18, 0, tzinfo=UTC)
    expected = {}
    for i in range(200):
        last = datetime(2026, 3, 20, tzinfo=UTC) + timedelta(minutes=rng.randint(0, 20 * 1440))
        state = CardState()
        for rating in rng.choices(list(Rating), k=rng.randint(1, 5)):
            state = scheduler.review(state, rating, min(last, now), config, key=f"d/c{i}")
        store.db.execute(
            """INSERT INTO cards (deck_id, card_id, phase, stability, difficulty, due, last_review, reps,
                   lapses) VALUES ('d', ?, ?, ?, ?, ?, ?, ?, ?)""",
            (
                f"c{i}",
                int(state.phase),
                state.stability,
                state.difficulty,
                round(state.due.timestamp() * 1000) if state.due else None,
                round(state.last_review.timestamp() * 1000) if state.last_review else None,
                state.reps,
                state.lapses,
            ),
        )
        expected[f"c{i}"] = state
    Figures(store).set_scope([("d", list(expected), ())])
    calendar = Figures(store).calendar(now, config)
    factor, decay = forgetting_curve(config)
    figures = Figures(store).card_figures(
        now, calendar.shifts, calendar.number(calendar.today), factor, decay
    )
    assert len(figures) == 200
    for row in figures:
        state = expected[row.card_id]
        assert state.due is not None and state.last_review is not None
        if state.phase is Phase.REVIEW:
            days = (
                scheduler.study_day(state.due, config) - scheduler.study_day(state.last_review, config)
            ).days
            assert row.interval_days == days
        else:
            assert row.interval_days == (state.due - state.last_review).total_seconds() / 86400
        assert row.retrievability is not None
        assert abs(row.retrievability - scheduler.retrievability(state, now, config)) < 1e-12


def test_young_and_mature_by_the_interval_at_the_time_of_the_answer(store: Store) -> None:
    """An interval of 21 study days is mature, 20 is young, whatever the hour of the last answer."""
    config = SchedulerConfig(tz=ZoneInfo("Europe/Berlin"), day_start_hour=4)
    berlin = ZoneInfo("Europe/Berlin")
    answer_at = datetime(2026, 4, 10, 9, 0, tzinfo=berlin)
    for i, (days, hour, rating) in enumerate([(20, 23, 3), (21, 23, 3), (21, 3, 1), (20, 5, 1), (40, 12, 3)]):
        due_day = scheduler.study_day(answer_at, config)
        last = datetime.combine(due_day - timedelta(days=days), datetime.min.time(), berlin).replace(
            hour=hour
        )
        if hour < 4:  # before the day start: the previous study day, so move to the next date
            last += timedelta(days=1)
        before = CardState(Phase.REVIEW, None, 10.0, 5.0, scheduler.day_start(due_day, config), last, 3)
        for at, phase, rated, state in (
            (last, 1, 3, "{}"),
            (answer_at, 2, rating, json.dumps(state_to_dict(before))),
        ):
            store.db.execute(
                """INSERT INTO reviews (deck_id, card_id, reviewed_at, rating, mode, phase_before,
                       state_before, state_after) VALUES ('d', ?, ?, ?, 'review', ?, ?, '{}')""",
                (f"c{i}", round(at.timestamp() * 1000), rated, phase, state),
            )
    calendar = Figures(store).calendar(answer_at, config)
    counts = Figures(store).retention_counts(
        None,
        False,
        calendar.shifts,
        calendar.start(calendar.today - timedelta(days=29)),
        calendar.start(calendar.today - timedelta(days=6)),
        calendar.tomorrow,
    )
    # (mature, in the last 7 days): (rated above Again, all)
    assert counts == {(False, True): (1, 2), (True, True): (2, 3)}
