"""quizkit optimize and the progress store: --reschedule, too few reviews for a deck's own fit, and
the reviews an Anki import brought in (real SQLite files, through the command)."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from msgspec.structs import replace
from test_fitting import TRUE, simulate
from typer.testing import CliRunner

from quizkit.cli import app
from quizkit.core import scheduler
from quizkit.core.scheduler import SchedulerConfig
from quizkit.core.session import fuzz_key
from quizkit.model import CardState, Rating
from quizkit.store.progress import Action, Answer, Store

NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)  # conftest's QUIZKIT_NOW


def record_history(db: Path, deck_id: str, cards: int, seed: int) -> dict[str, list[tuple[datetime, Rating]]]:
    """A simulated learner's answers until today, each replayed through quizkit's scheduler with the default
    parameters and recorded as a session records it (the card's state and its log row)."""
    reviews = {  # a learner's past: simulate follows the cards for years, here cut at today
        card: [(moment, rating) for moment, rating in history if moment < NOW]
        for card, history in simulate(TRUE, cards, seed=seed).items()
    }
    config = SchedulerConfig()
    setting = json.dumps(config.to_dict(), sort_keys=True)
    with Store.open(db) as store, store.write(NOW):
        for card, history in reviews.items():
            state = CardState()
            for moment, rating in history:
                after = scheduler.review(state, rating, moment, config, key=fuzz_key((deck_id, card)))
                store.record(Answer(deck_id, card, moment, rating, state, after, scheduler=setting))
                state = after
    return reviews


def cards(db: Path) -> dict[tuple[str, str], tuple[Any, ...]]:
    connection = sqlite3.connect(db)
    try:
        return {
            (row[0], row[1]): row[2:]
            for row in connection.execute(
                "SELECT deck_id, card_id, due, stability, difficulty, reps, suspended FROM cards"
            )
        }
    finally:
        connection.close()


def test_reschedule_replays_each_card_with_the_new_parameters_and_without_it_due_dates_stay(
    runner: CliRunner, tmp_path: Path
) -> None:
    db = tmp_path / "progress.db"
    reviews = record_history(db, "a", 200, seed=5)
    record_history(db, "b", 5, seed=12)
    with Store.open(db) as store:  # a suspended card stays suspended
        state = store.state("a", "3")
        store.change("a", "3", Action.SUSPEND, state, replace(state, suspended=True), NOW)
    before = cards(db)

    kept = runner.invoke(app, ["optimize", "--deck", "a", "--json"])
    assert kept.exit_code == 0, kept.output
    data = json.loads(kept.output)
    assert (data["saved"], data["deck"], data["rescheduled"]) == (True, "a", None)
    assert cards(db) == before
    assert not (tmp_path / "backups").exists() or not list((tmp_path / "backups").glob("*reschedule*"))

    moved = runner.invoke(app, ["optimize", "--deck", "a", "--reschedule", "--json"])
    assert moved.exit_code == 0, moved.output
    data = json.loads(moved.output)
    assert data["saved"] is True and data["deck"] == "a"
    after = cards(db)
    fitted = replace(SchedulerConfig(), parameters=tuple(data["parameters"]))
    changed = []
    for card, history in reviews.items():
        state = CardState()
        for moment, rating in history:
            state = scheduler.review(state, rating, moment, fitted, key=fuzz_key(("a", card)))
        due, stability, difficulty, reps, suspended = after[("a", card)]
        assert (datetime.fromtimestamp(due / 1000, UTC), reps) == (state.due, state.reps), card
        assert (stability, difficulty) == (state.stability, state.difficulty)
        assert bool(suspended) is (card == "3")
        if due != before[("a", card)][0]:
            changed.append(card)
    assert len(changed) > len(reviews) // 2
    assert data["rescheduled"]["cards"] == len(reviews)
    assert data["rescheduled"]["moved"] == len(changed)
    assert {key: row for key, row in after.items() if key[0] == "b"} == {
        key: row for key, row in before.items() if key[0] == "b"
    }
    assert len(list((tmp_path / "backups").glob("progress-before-reschedule-*.db"))) == 1


def test_reschedule_keeps_a_remembered_exam_date_in_force(runner: CliRunner, tmp_path: Path) -> None:
    """As in a session, a card is due the day before the exam at the latest; a past exam caps nothing."""
    from quizkit.store.exam_dates import ExamDates

    db = tmp_path / "progress.db"
    record_history(db, "a", 200, seed=5)
    record_history(db, "b", 200, seed=6)
    exam = date(2026, 3, 20)
    with Store.open(db) as store:
        ExamDates(store).remember(["a"], exam, NOW)
        ExamDates(store).remember(["b"], date(2026, 2, 1), NOW)  # past
    result = runner.invoke(app, ["optimize", "--reschedule", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["rescheduled"]["cards"] == 400
    latest = scheduler.day_start(exam - timedelta(days=1), SchedulerConfig())
    dues = {key: datetime.fromtimestamp(row[0] / 1000, UTC) for key, row in cards(db).items()}
    assert max(due for key, due in dues.items() if key[0] == "a") <= latest
    assert max(due for key, due in dues.items() if key[0] == "b") > latest


def test_reschedule_says_how_many_cards_moved(runner: CliRunner, tmp_path: Path) -> None:
    db = tmp_path / "progress.db"
    record_history(db, "a", 200, seed=5)
    result = runner.invoke(app, ["optimize", "--reschedule"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[-3].startswith("saved: the scheduler uses them for every deck without its own")
    assert lines[-2].startswith(f"backup taken: {tmp_path / 'backups'}")
    assert lines[-1].startswith("rescheduled 200 cards with the new parameters: ")
    assert " due on another day, median " in lines[-1]


def test_a_deck_with_too_few_reviews_keeps_the_parameters_fitted_over_all_decks(
    runner: CliRunner, tmp_path: Path
) -> None:
    db = tmp_path / "progress.db"
    record_history(db, "big", 200, seed=5)
    small = record_history(db, "small", 20, seed=15)
    assert runner.invoke(app, ["optimize"]).exit_code == 0
    shared = cards(db)
    result = runner.invoke(app, ["optimize", "--deck", "small"])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert text.startswith("deck small: ")
    assert (
        "a deck's own fit needs at least 400. Nothing fitted or saved: the deck keeps the parameters " in text
    )
    assert "fitted over all decks." in text
    connection = sqlite3.connect(db)
    try:
        assert connection.execute("SELECT deck_id FROM fitted_parameters").fetchall() == [("",)]
    finally:
        connection.close()
    assert cards(db) == shared
    data = json.loads(runner.invoke(app, ["optimize", "--deck", "small", "--json"]).output)
    assert data["saved"] is False and data["deck"] == "small" and data["needed"] == 400
    assert data["n_reviews"] == sum(map(len, small.values()))


def test_the_reviews_of_an_anki_import_are_in_the_history_fitted(runner: CliRunner, tmp_path: Path) -> None:
    from test_anki_progress import _build

    source, known = _build(tmp_path / "anki")
    result = runner.invoke(app, ["import", str(source), "-o", str(tmp_path / "decks"), "--with-progress"])
    assert result.exit_code == 0, result.output
    imported = sum(len(r) - 2 for r in known["reviews"].values())  # as first exported
    result = runner.invoke(app, ["optimize", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["n_reviews"] == imported == 200
    result = runner.invoke(app, ["optimize", "--deck", "Spanish", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["n_reviews"] == 4 * 29  # the 4 Spanish cards, 29 times each
