"""The progress store, against real files: answers, undo, identity, migrations, concurrency, damage."""

from __future__ import annotations

import json
import sqlite3
import threading
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from quizkit.errors import StoreError
from quizkit.model import CardState, Mode, Phase, Rating
from quizkit.store import db, progress
from quizkit.store.db import MIGRATIONS, SCHEMA_VERSION
from quizkit.store.progress import Answer, Store

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
NEW = CardState()
LEARNED = CardState(Phase.LEARNING, 1, 2.3, 5.1, NOW + timedelta(minutes=10), NOW, 1, 0)


def answer(
    at: datetime = NOW,
    card: str = "c1",
    before: CardState = NEW,
    after: CardState = LEARNED,
    mode: Mode = Mode.REVIEW,
) -> Answer:
    return Answer(
        "deck",
        card,
        at,
        Rating.GOOD,
        before,
        after,
        mode=mode,
        proposed=Rating.AGAIN,
        answer="1996",
        correct=True,
        duration_ms=4200,
        fingerprint="f1",
        scheduler='{"x": 1}',
    )


def test_answer_commits_state_and_log_row_together(tmp_path: Path) -> None:
    path = tmp_path / "p.db"
    with Store.open(path) as store:
        review_id = store.record(answer())
    # A second, independent connection sees it: it was committed, not just cached.
    with closing(sqlite3.connect(path)) as raw:
        row = raw.execute(
            "SELECT deck_id, card_id, reviewed_at, rating, proposed, answer, correct, duration_ms, mode,"
            " phase_before, stability, difficulty, due, scheduler_id FROM reviews WHERE id = ?",
            (review_id,),
        ).fetchone()
        assert row == (
            "deck",
            "c1",
            int(NOW.timestamp() * 1000),
            3,
            1,
            "1996",
            1,
            4200,
            "review",
            0,
            2.3,
            5.1,
            int((NOW + timedelta(minutes=10)).timestamp() * 1000),
            1,
        )
        assert json.loads(raw.execute("SELECT config FROM schedulers").fetchone()[0]) == {"x": 1}
    with Store.open(path) as store:
        assert store.state("deck", "c1") == LEARNED
        assert store.fingerprints("deck") == {"c1": "f1"}


def test_states_round_trip_exactly(tmp_path: Path) -> None:
    state = CardState(
        Phase.RELEARNING,
        0,
        0.123456789,
        9.87654321,
        NOW,
        NOW - timedelta(days=3),
        12,
        3,
        True,
        NOW + timedelta(hours=5),
        True,
    )
    with Store.open(tmp_path / "p.db") as store:
        store.record(answer(after=state))
        assert store.state("deck", "c1") == state
        assert progress.state_from_dict(progress.state_to_dict(state)) == state


def test_quiz_and_cram_answers_are_logged_but_leave_the_schedule(tmp_path: Path) -> None:
    with Store.open(tmp_path / "p.db") as store:
        store.record(answer(mode=Mode.CRAM))
        store.record(answer(mode=Mode.QUIZ))
        assert store.state("deck", "c1") == CardState()
        assert store.review_count() == 2
        assert store.last_review(["deck"]) is None  # only review answers are undone


def test_undo_restores_the_previous_state_exactly_even_in_a_later_session(tmp_path: Path) -> None:
    path = tmp_path / "p.db"
    second = CardState(
        Phase.REVIEW, None, 5.0, 4.0, NOW + timedelta(days=3), NOW + timedelta(minutes=10), 2, 0
    )
    with Store.open(path) as store:
        store.record(answer())
        store.record(answer(at=NOW + timedelta(minutes=10), before=LEARNED, after=second))
    with Store.open(path) as store:  # a new process, the next day
        last = store.last_review(["deck"])
        assert last is not None and last.after == second and last.before == LEARNED
        store.undo(last, NOW + timedelta(days=1))
        assert store.state("deck", "c1") == LEARNED
        first = store.last_review(["deck"])
        assert first is not None and first.before == CardState()
        store.undo(first, NOW + timedelta(days=1))
        assert store.states("deck") == {}  # back to new: no row at all
        assert store.last_review(["deck"]) is None
        # The log is append-only: both answers are still there, marked undone.
        assert store.review_count() == 2
        assert store.db.execute("SELECT count(*) FROM undos").fetchone()[0] == 2
        assert store.answered_since("deck", NOW - timedelta(hours=1)) == (0, 0)


def test_daily_counts_for_limits(tmp_path: Path) -> None:
    review = CardState(Phase.REVIEW, None, 5.0, 4.0, NOW, NOW - timedelta(days=5), 3, 0)
    with Store.open(tmp_path / "p.db") as store:
        store.record(answer(card="a"))
        store.record(answer(card="a", before=LEARNED))  # the same new card again: still one new card
        store.record(answer(card="b"))
        store.record(answer(card="c", before=review))
        assert store.answered_since("deck", NOW - timedelta(minutes=1)) == (2, 1)
        assert store.answered_since("deck", NOW + timedelta(minutes=1)) == (0, 0)


def test_identity_survives_edits_and_removals(tmp_path: Path) -> None:
    path = tmp_path / "p.db"
    with Store.open(path) as store:
        store.record(answer(card="kept"))
        store.record(answer(card="removed"))
    with Store.open(path) as store:
        # progress is keyed by (deck, card id), whatever the text says now
        assert set(store.states("deck")) == {"kept", "removed"}
        store.remove_progress([("deck", "removed")], NOW)
        assert set(store.states("deck")) == {"kept"}
        # the history of the removed card is kept
        assert store.db.execute("SELECT count(*) FROM reviews WHERE card_id = 'removed'").fetchone()[0] == 1


def test_migrations_from_an_empty_file_and_from_the_first_schema(tmp_path: Path) -> None:
    path = tmp_path / "v1.db"
    raw = sqlite3.connect(path)
    for statement in MIGRATIONS[0]:
        raw.execute(statement)
    raw.execute("PRAGMA user_version = 1")
    raw.execute("INSERT INTO cards (deck_id, card_id, phase) VALUES ('deck', 'old', 2)")
    raw.commit()
    raw.close()
    with Store.open(path) as store:
        assert store.schema_version == SCHEMA_VERSION
        assert store.state("deck", "old").phase is Phase.REVIEW
    with closing(sqlite3.connect(path)) as raw:
        tables = {r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        strict = raw.execute("SELECT sql FROM sqlite_master WHERE name = 'reviews'").fetchone()[0]
    assert {"cards", "reviews", "undos", "schedulers", "meta"} <= tables
    assert strict.rstrip().endswith("STRICT")


def test_a_database_from_a_newer_quizkit_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    raw = sqlite3.connect(path)
    raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    raw.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match="written by a newer quizkit"):
        Store.open(path)
    assert path.read_bytes() == before


def test_wal_mode_and_two_connections_writing_at_once(tmp_path: Path) -> None:
    path = tmp_path / "p.db"
    Store.open(path).close()
    with closing(sqlite3.connect(path)) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    errors: list[BaseException] = []

    def writer(name: str) -> None:
        try:
            with Store.open(path) as store:
                for i in range(40):
                    store.record(answer(card=f"{name}-{i}", at=NOW + timedelta(seconds=i)))
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(n,)) for n in ("left", "right")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with Store.open(path) as store:
        assert store.review_count() == 80
        assert len(store.states("deck")) == 80


@pytest.mark.parametrize("content", [b"not a database at all\n" * 50, b"SQLite format 3\x00" + b"\xff" * 400])
def test_a_corrupt_file_gives_a_clear_error_and_is_never_overwritten(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "p.db"
    path.write_bytes(content)
    with pytest.raises(StoreError) as caught:
        Store.open(path)
    assert "cannot be read" in str(caught.value)
    assert "quizkit doctor" in str(caught.value)
    assert path.read_bytes() == content


def test_daily_backup_before_the_first_write_and_restore(tmp_path: Path) -> None:
    path = tmp_path / "p.db"
    with Store.open(path) as store:
        store.record(answer(card="day1"))
    assert db.backups_of(path) == []  # nothing worth keeping before the first answer
    with Store.open(path) as store:
        store.record(answer(card="day2", at=NOW + timedelta(days=1)))
        store.record(answer(card="day2b", at=NOW + timedelta(days=1)))
    (backup,) = db.backups_of(path)
    assert backup.name == "p-2026-03-03.db"
    with Store.open(backup) as old:
        assert set(old.states("deck")) == {"day1"}
    # Damage the live file, then restore: the damaged file is kept aside, not overwritten.
    path.write_bytes(b"ruined")
    kept = db.restore(path, backup, NOW + timedelta(days=2))
    assert kept is not None and kept.read_bytes() == b"ruined"
    with Store.open(path) as store:
        assert set(store.states("deck")) == {"day1"}


def test_only_the_last_backups_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "p.db"
    for day in range(10):
        with Store.open(path) as store:
            store.record(answer(card=f"d{day}", at=NOW + timedelta(days=day)))
    backups = db.backups_of(path)
    assert len(backups) == db.BACKUPS_KEPT
    assert backups[-1].name == "p-2026-03-11.db"
