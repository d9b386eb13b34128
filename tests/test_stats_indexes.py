"""Migration 10 and the statistics' reads off indexes, against real SQLite files.

Migration 10 makes the review log's indexes by mode and time and by card again, wider, so that
the statistics read a month's answers, or a tag's, from the indexes alone. These tests check that
an existing database keeps every row, that the queries read the indexes they were written for
(EXPLAIN QUERY PLAN), and that the per-card answers and the by-card figures (stats --tag, from
temp.scope_answers) equal the same figures counted here in plain Python from the raw log. The
exam forecast's study days by arithmetic (core.calendar.DayNumbers) are checked against
scheduler.study_day.
"""

from __future__ import annotations

import random
import sqlite3
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import hypothesis.strategies as st
import pytest
from hypothesis import given, settings

from quizkit.core import scheduler
from quizkit.core.calendar import DayNumbers, day_shifts
from quizkit.core.scheduler import SchedulerConfig
from quizkit.errors import StoreError
from quizkit.store.db import MIGRATIONS, SCHEMA_VERSION
from quizkit.store.figures import Figures
from quizkit.store.progress import Store

NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)
START = NOW - timedelta(days=30)
MODES = ("review", "review", "review", "quiz", "cram")


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def _version_9(path: Path) -> None:
    """A database as quizkit wrote it before migration 10."""
    with closing(sqlite3.connect(path)) as raw:
        for migration in MIGRATIONS[:9]:
            for statement in migration:
                raw.execute(statement)
        raw.execute("PRAGMA user_version = 9")
        raw.commit()


def _answers(path: Path, seed: int = 7) -> list[tuple[object, ...]]:
    """Answers in two decks over 60 days, every mode, some with a verdict and a time, some undone."""
    rng = random.Random(seed)
    rows = []
    for n in range(1500):
        moment = NOW - timedelta(seconds=rng.randrange(60 * 86400))
        rows.append(
            (
                n + 1,
                rng.choice(("a", "b")),
                f"c{rng.randrange(40)}",
                _ms(moment),
                rng.choice((1, 2, 3, 3, 4)),
                rng.choice((None, 0, 1)),
                rng.choice((None, 1200, 45000)),
                rng.choice(MODES),
                rng.choice((0, 1, 2, 2, 3)),
            )
        )
    with closing(sqlite3.connect(path)) as raw:
        raw.executemany(
            """INSERT INTO reviews (id, deck_id, card_id, reviewed_at, rating, correct, duration_ms,
                   mode, phase_before, state_before, state_after)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, '{}', '{}')""",
            rows,
        )
        raw.executemany(
            "INSERT INTO undos (review_id, undone_at) VALUES (?, ?)",
            [(row[0], row[3]) for row in rows if row[0] % 13 == 0],  # type: ignore[operator]
        )
        raw.commit()
    return rows


def _counted(rows: list[tuple[object, ...]]) -> list[tuple[object, ...]]:
    """The answers the statistics count: review mode, not undone."""
    return [row for row in rows if row[7] == "review" and row[0] % 13 != 0]  # type: ignore[operator]


def _index_columns(path: Path, name: str) -> list[str]:
    with closing(sqlite3.connect(path)) as raw:
        return [row[2] for row in raw.execute(f"PRAGMA index_info({name})")]


def test_migration_10_widens_the_indexes_and_keeps_every_row(tmp_path: Path) -> None:
    path = tmp_path / "v9.db"
    _version_9(path)
    rows = _answers(path)
    assert _index_columns(path, "reviews_by_mode_time") == ["mode", "reviewed_at", "deck_id"]
    with closing(sqlite3.connect(path)) as raw:
        before = raw.execute("SELECT * FROM reviews ORDER BY id").fetchall()
        undos = raw.execute("SELECT * FROM undos ORDER BY review_id").fetchall()
    with Store.open(path) as store:
        assert store.schema_version == SCHEMA_VERSION == 10
    with closing(sqlite3.connect(path)) as raw:
        assert raw.execute("SELECT * FROM reviews ORDER BY id").fetchall() == before
        assert raw.execute("SELECT * FROM undos ORDER BY review_id").fetchall() == undos
        assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert len(before) == len(rows)
    # The old columns lead (every query that used the index still can), the counted ones follow.
    assert _index_columns(path, "reviews_by_mode_time") == [
        "mode", "reviewed_at", "deck_id", "card_id", "rating", "correct", "phase_before", "duration_ms",
    ]  # fmt: skip
    assert _index_columns(path, "reviews_by_card") == [
        "deck_id", "card_id", "reviewed_at", "mode", "rating", "correct", "phase_before", "duration_ms",
    ]  # fmt: skip


def test_an_empty_file_gets_the_same_indexes(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    Store.open(path).close()
    assert _index_columns(path, "reviews_by_mode_time")[3:] == [
        "card_id",
        "rating",
        "correct",
        "phase_before",
        "duration_ms",
    ]
    assert _index_columns(path, "reviews_by_card")[3] == "mode"


def _expected_card_answers(
    rows: list[tuple[object, ...]], decks: set[str], cards: set[tuple[str, str]] | None
) -> dict[tuple[str, str], tuple[int, int, int, int]]:
    out: dict[tuple[str, str], tuple[int, int, int, int]] = {}
    for _id, deck, card, at, rating, correct, _ms_spent, _mode, phase in _counted(rows):
        key = (str(deck), str(card))
        if not _ms(START) <= at < _ms(NOW) or deck not in decks or (cards is not None and key not in cards):  # type: ignore[operator]
            continue
        right = int(correct) if correct is not None else int(rating > 1)  # type: ignore[operator]
        n, r, in_review, passed = out.get(key, (0, 0, 0, 0))
        out[key] = (n + 1, r + right, in_review + (phase == 2), passed + (phase == 2 and rating > 1))  # type: ignore[operator]
    return out


def test_card_answers_per_card_of_the_decks_and_of_a_scope(tmp_path: Path) -> None:
    path = tmp_path / "p.db"
    Store.open(path).close()
    rows = _answers(path)
    picked = [f"c{i}" for i in range(0, 40, 3)]
    with Store.open(path) as store:
        figures = Figures(store)
        # Deck a's cards: its answers by card, whichever cards are in scope; deck b left out.
        figures.set_scope([("a", picked, [["t"]] * len(picked))])
        assert figures.card_answers(START, NOW) == _expected_card_answers(rows, {"a"}, None)
        assert figures.card_answers(START, NOW, by_card=True) == _expected_card_answers(
            rows, {"a", "b"}, {("a", c) for c in picked}
        )
        plan = store.db.execute(
            "EXPLAIN QUERY PLAN SELECT r.deck_id, r.card_id, r.rating, r.correct, r.phase_before"
            " FROM reviews r INDEXED BY reviews_by_mode_time"
            " WHERE r.mode = 'review' AND r.reviewed_at >= 0 AND r.reviewed_at < 1"
        ).fetchall()
    assert "COVERING INDEX reviews_by_mode_time" in plan[0][3]


def test_figures_by_card_count_the_scopes_answers(tmp_path: Path) -> None:
    """stats --tag's review-log figures: today's totals, the days with answers, the heatmap."""
    path = tmp_path / "p.db"
    Store.open(path).close()
    rows = _answers(path, seed=11)
    config = SchedulerConfig()
    picked = {("a", f"c{i}") for i in range(0, 40, 4)} | {("b", "c1")}
    counted = [row for row in _counted(rows) if (row[1], row[2]) in picked]
    with Store.open(path) as store:
        figures = Figures(store)
        figures.set_scope([("a", [c for d, c in sorted(picked) if d == "a"], ()), ("b", ["c1"], ())])
        start, end = NOW - timedelta(days=61), NOW + timedelta(days=1)
        shifts = day_shifts(start, end, config)
        assert len(shifts) == 1  # UTC: one shift, the day's start hour
        totals = figures.review_totals(["a", "b"], True, NOW - timedelta(days=10), NOW)
        recent = [row for row in counted if _ms(NOW - timedelta(days=10)) <= row[3] < _ms(NOW)]  # type: ignore[operator]
        assert totals == (
            len(recent),
            sum(row[6] or 0 for row in recent),  # type: ignore[misc]
            sum(int(row[5]) if row[5] is not None else int(row[4] > 1) for row in recent),  # type: ignore[call-overload, operator]
        )
        # Deck b alone: only its one card's answers.
        only_b = figures.review_totals(["b"], True, start, end)
        assert only_b[0] == sum(1 for row in counted if row[1] == "b")
        days = {(row[3] + shifts[0][1]) // 86400000 for row in counted}  # type: ignore[operator]
        runs = figures.study_runs(None, True, shifts, end)
        assert {day for first, last in runs for day in range(first, last + 1)} == days
        starts = [start + timedelta(days=n) for n in range(63)]
        per_day = figures.reviews_per_day(None, True, starts)
        assert (
            per_day
            == [
                sum(1 for row in counted if _ms(a) <= row[3] < _ms(b))  # type: ignore[operator]
                for a, b in zip(starts, starts[1:], strict=False)
            ]
        )
        # A new scope is copied again.
        figures.set_scope([("b", ["c1"], ())])
        assert figures.review_totals(None, True, start, end)[0] == only_b[0]


@settings(max_examples=200, deadline=None)
@given(
    zone=st.sampled_from(("Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata", "UTC")),
    hour=st.integers(0, 23),
    moments=st.lists(st.integers(_ms(NOW) - 400 * 86_400_000, _ms(NOW) + 400 * 86_400_000), max_size=40),
)
def test_day_numbers_are_study_days(zone: str, hour: int, moments: list[int]) -> None:
    """The exam forecast's days by arithmetic equal scheduler.study_day, summer time included, and
    outside the range it was made for too."""
    config = SchedulerConfig(tz=ZoneInfo(zone), day_start_hour=hour)
    numbers = DayNumbers(_ms(NOW) - 200 * 86_400_000, _ms(NOW) + 200 * 86_400_000, config)
    for ms in moments:
        moment = datetime.fromtimestamp(ms / 1000, UTC)
        assert numbers.ordinal(ms) == scheduler.study_day(moment, config).toordinal()


def _cards(path: Path, rows: list[tuple[str, int, int | None, int | None]]) -> None:
    with closing(sqlite3.connect(path)) as raw:
        raw.executemany(
            """INSERT INTO cards (deck_id, card_id, phase, stability, difficulty, due, last_review, suspended)
               VALUES ('a', ?, ?, 3.5, 5.0, ?, ?, 0)""",
            rows,
        )
        raw.commit()


def test_memory_rows_are_the_stored_numbers_and_a_damaged_row_is_reported(tmp_path: Path) -> None:
    """The projection's rows, checked in SQL: every sound row as stored; a phase or a time no
    card can have is damage, whichever row it is in."""
    path = tmp_path / "p.db"
    Store.open(path).close()
    sound = [("c0", 0, None, None), ("c1", 2, _ms(NOW), _ms(START)), ("c2", 3, -5, -62135596800000)]
    _cards(path, sound)
    with Store.open(path) as store:
        assert store.memory_rows("a") == [(c, p, 3.5, 5.0, due, last, 0) for c, p, due, last in sound]
        assert store.memory_rows("b") == []
    for damaged in [("d", 7, None, None), ("d", 2, 253402300800000, None), ("d", 2, None, -62135596800001)]:
        broken = tmp_path / f"{damaged[1]}-{damaged[2]}.db"
        Store.open(broken).close()
        _cards(broken, [*sound, damaged])
        with Store.open(broken) as store, pytest.raises(StoreError, match="quizkit doctor"):
            store.memory_rows("a")


def test_day_numbers_written_out_equal_ordinal() -> None:
    """DayNumbers.fixed: one shift over the range (a fixed zone), None across summer time."""
    utc = SchedulerConfig(day_start_hour=4)
    low, high = _ms(START), _ms(NOW + timedelta(days=40))
    numbers = DayNumbers(low, high, utc)
    fixed = numbers.fixed()
    assert fixed is not None and fixed[:2] == (low, high)
    epoch = datetime(1970, 1, 1).toordinal()
    for ms in range(low, high, 3_600_000 * 7 + 12_345):
        assert (ms + fixed[2]) // 86_400_000 + epoch == numbers.ordinal(ms)
    berlin = SchedulerConfig(tz=ZoneInfo("Europe/Berlin"), day_start_hour=4)
    assert (
        DayNumbers(
            _ms(datetime(2026, 3, 1, tzinfo=UTC)), _ms(datetime(2026, 4, 30, tzinfo=UTC)), berlin
        ).fixed()
        is None
    )
