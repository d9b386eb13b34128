"""Custom study, as Anki has it: review ahead (--ahead N) and review forgotten cards (--forgotten)."""

from __future__ import annotations

import random
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from quizkit.cli import app
from quizkit.core import scheduler
from quizkit.core.scheduler import SchedulerConfig
from quizkit.core.session import DeckPlan, Session, days_back
from quizkit.core.settings import Limits
from quizkit.model import Card, CardState, Deck, Kind, Mode, Phase, Rating

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CONFIG = SchedulerConfig()
TODAY = scheduler.study_day(NOW, CONFIG)


def make_deck(n: int) -> Deck:
    cards = tuple(Card(f"c{i}", Kind.BASIC, f"Q{i}", f"A{i}", (f"A{i}",)) for i in range(n))
    return Deck("d", "T", "d.toml", cards)


def review_state(due_in_days: int, stability: float = 10.0, last_days_ago: int = 7) -> CardState:
    due = scheduler.day_start(TODAY + timedelta(days=due_in_days), CONFIG)
    return CardState(Phase.REVIEW, None, stability, 5.0, due, NOW - timedelta(days=last_days_ago), 3, 0)


def ahead_states() -> dict[tuple[str, str], CardState]:
    return {
        ("d", "c0"): review_state(2),
        ("d", "c1"): review_state(-1),  # overdue: first
        ("d", "c2"): review_state(1),
        ("d", "c3"): review_state(4),  # beyond the 3 days
        ("d", "c4"): CardState(Phase.LEARNING, 0, 1.0, 5.0, NOW, NOW - timedelta(minutes=5), 1, 0),
        ("d", "c5"): replace_suspended(review_state(1)),
    }


def replace_suspended(state: CardState) -> CardState:
    from msgspec.structs import replace

    return replace(state, suspended=True)


def test_review_ahead_takes_the_reviews_due_in_the_next_days_earliest_first() -> None:
    plan = DeckPlan(make_deck(7), CONFIG, Limits(new_per_day=20, reviews_per_day=1))
    session = Session.start([plan], ahead_states(), NOW, ahead=3)
    assert session.review_queue == [("d", "c1"), ("d", "c2"), ("d", "c0")]  # past the daily limit of 1
    assert session.new_queue == [] and session.learning == set()  # no new cards, no learning
    assert session.mode is Mode.REVIEW
    normal = Session.start([plan], ahead_states(), NOW)
    assert normal.review_queue == [("d", "c1")] and normal.new_queue == [("d", "c6")]


def test_review_ahead_covers_the_last_day_whole() -> None:
    plan = DeckPlan(make_deck(7), CONFIG, Limits())
    assert ("d", "c3") not in Session.start([plan], ahead_states(), NOW, ahead=3).review_queue
    assert ("d", "c3") in Session.start([plan], ahead_states(), NOW, ahead=4).review_queue


def test_an_early_review_counts_the_days_that_really_passed() -> None:
    """FSRS sees the early review's short elapsed time: less stability gained than on the due day."""
    state = review_state(6, stability=10.0, last_days_ago=4)  # interval 10, reviewed on day 4
    early = scheduler.review(state, Rating.GOOD, NOW, CONFIG, key="d/c0")
    on_time = scheduler.review(state, Rating.GOOD, NOW + timedelta(days=6), CONFIG, key="d/c0")
    assert early.stability is not None and on_time.stability is not None
    assert 10.0 < early.stability < on_time.stability
    assert early.last_review == NOW and early.reps == state.reps + 1


def test_review_ahead_answers_change_the_schedule() -> None:
    plan = DeckPlan(make_deck(7), CONFIG, Limits())
    session = Session.start([plan], ahead_states(), NOW, ahead=3)
    change = session.answer(("d", "c0"), Rating.GOOD, NOW)
    assert change.after.last_review == NOW and change.after.due != change.before.due
    again = session.answer(("d", "c2"), Rating.AGAIN, NOW)
    assert again.after.phase is Phase.RELEARNING
    assert session.next(NOW + timedelta(minutes=10)) in (("d", "c1"), ("d", "c2"))


def test_forgotten_cards_are_gone_over_without_touching_the_schedule() -> None:
    plan = DeckPlan(make_deck(7), CONFIG, Limits())
    states = ahead_states()
    keys = [("d", "c0"), ("d", "c2"), ("d", "c5"), ("d", "c0"), ("x", "c1"), ("d", "missing")]
    session = Session.forgotten([plan], states, keys, NOW, rng=random.Random(1))
    assert session.mode is Mode.CRAM
    assert sorted(session.new_queue) == [("d", "c0"), ("d", "c2")]  # not the suspended one, once each
    first = session.next(NOW)
    assert first is not None
    change = session.answer(first, Rating.AGAIN, NOW)
    assert change.after == change.before == states[first]
    assert session.new_queue[-1] == first  # a miss comes round again


def test_days_back_counts_study_days_as_anki_rated_does() -> None:
    assert days_back(NOW, CONFIG, 1) == scheduler.day_start(TODAY, CONFIG)
    assert days_back(NOW, CONFIG, 2) == scheduler.day_start(TODAY - timedelta(days=1), CONFIG)


# ---------------------------------------------------------------- as a learner meets it, over days

DECK = """
[deck]
id = "cs"
title = "Custom"

[[cards]]
id = "one"
q = "Capital of France?"
a = "Paris"

[[cards]]
id = "two"
q = "Capital of Spain?"
a = "Madrid"

[[cards]]
id = "three"
q = "Capital of Italy?"
a = "Rome"
"""

DAY1 = "2026-03-02T09:00:00+00:00"
DAY1_LATER = "2026-03-02T18:00:00+00:00"
DAY2 = "2026-03-03T09:00:00+00:00"


@pytest.fixture
def deck(tmp_path: Path) -> Path:
    path = tmp_path / "cs.toml"
    path.write_text(DECK, encoding="utf-8")
    return path


def rows(db: Path, query: str) -> list[tuple[object, ...]]:
    connection = sqlite3.connect(db)
    try:
        return connection.execute(query).fetchall()
    finally:
        connection.close()


def review(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, now: str, deck: Path, lines: list[str], *extra: str
):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("QUIZKIT_NOW", now)
    return runner.invoke(app, ["review", str(deck), *extra], input="".join(f"{line}\n" for line in lines))


def first_day(runner: CliRunner, monkeypatch: pytest.MonkeyPatch, deck: Path) -> None:
    """Day 1: 'one' is forgotten once (Again, then Easy); 'two' and 'three' are Easy at once."""
    result = review(runner, monkeypatch, DAY1, deck, ["", "1", "", "4", "", "4", "", "4"])
    assert result.exit_code == 0, result.output
    assert rows(deck.parent / "progress.db", "SELECT card_id, rating FROM reviews ORDER BY id") == [
        ("one", 1),
        ("two", 4),
        ("three", 4),
        ("one", 4),
    ]


def test_forgotten_goes_over_todays_misses_and_leaves_the_schedule(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, deck: Path
) -> None:
    first_day(runner, monkeypatch, deck)
    db = deck.parent / "progress.db"
    before = rows(db, "SELECT * FROM cards ORDER BY card_id")
    result = review(runner, monkeypatch, DAY1_LATER, deck, ["", "1", "", "3"], "--forgotten")
    assert result.exit_code == 0, result.output
    assert "Custom  cram · 1 left  (the schedule is not changed)" in result.output
    assert "Capital of France?" in result.output and "Capital of Spain?" not in result.output
    assert rows(db, "SELECT card_id, rating, mode FROM reviews WHERE id > 4 ORDER BY id") == [
        ("one", 1, "cram"),  # missed again: it came round once more
        ("one", 3, "cram"),
    ]
    assert rows(db, "SELECT * FROM cards ORDER BY card_id") == before


def test_forgotten_looks_back_days_study_days(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, deck: Path
) -> None:
    first_day(runner, monkeypatch, deck)
    today = review(runner, monkeypatch, DAY2, deck, [], "--forgotten")
    assert today.exit_code == 0, today.output
    assert "No card was answered Again today." in today.output
    two_days = review(runner, monkeypatch, DAY2, deck, ["", "3"], "--forgotten", "--days", "2")
    assert two_days.exit_code == 0, two_days.output
    assert "Capital of France?" in two_days.output
    several = review(runner, monkeypatch, DAY2, deck, [], "--forgotten", "--days", "3")
    assert several.exit_code == 0 and "Capital of France?" in several.output


def test_review_ahead_reviews_early_and_reschedules(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, deck: Path
) -> None:
    first_day(runner, monkeypatch, deck)
    db = deck.parent / "progress.db"
    due = dict(rows(db, "SELECT card_id, due FROM cards"))
    today = review(runner, monkeypatch, DAY2, deck, [])
    assert "Custom  0 new · 0 learning · 1 review" in today.output  # 'one' is due on day 2
    result = review(runner, monkeypatch, DAY2, deck, ["", "3", "", "3", "", "3"], "--ahead", "60")
    assert result.exit_code == 0, result.output
    assert "Custom  0 new · 0 learning · 3 review" in result.output
    # earliest due first, each logged as a review and rescheduled from today
    assert rows(db, "SELECT card_id, mode FROM reviews WHERE id > 4 ORDER BY id") == [
        ("one", "review"),
        ("three", "review"),
        ("two", "review"),
    ]
    after = dict(rows(db, "SELECT card_id, due FROM cards"))
    assert all(after[card] != due[card] for card in due)
    assert "Nothing is due now." in review(runner, monkeypatch, DAY2, deck, []).output


def test_review_ahead_takes_whole_study_days(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, deck: Path
) -> None:
    first_day(runner, monkeypatch, deck)  # 'one' due on day 2, 'three' on day 10, 'two' on day 11
    week = review(runner, monkeypatch, DAY2, deck, [], "--ahead", "7")
    assert "Custom  0 new · 0 learning · 1 review" in week.output
    eight = review(runner, monkeypatch, DAY2, deck, [], "--ahead", "8")
    assert "Custom  0 new · 0 learning · 2 review" in eight.output
    assert rows(deck.parent / "progress.db", "SELECT count(*) FROM reviews") == [(4,)]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--ahead", "3", "--forgotten"], "--ahead and --forgotten"),
        (["--days", "2"], "--days"),
        (["--ahead", "3", "--new", "5"], "--new"),
        (["--forgotten", "--limit", "5"], "--limit"),
        (["--ahead", "0"], "--ahead"),
        (["--forgotten", "--days", "0"], "--days"),
    ],
)
def test_custom_study_options_that_do_not_fit_are_usage_errors(
    runner: CliRunner, deck: Path, options: list[str], message: str
) -> None:
    result = runner.invoke(app, ["review", str(deck), *options], input="q\n")
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output
