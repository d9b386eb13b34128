"""quizkit sync's rebuild of many cards (a fresh device's first sync): their rows are read in one
pass over the review log instead of card by card (store.sync_log.BULK_CARDS), and each state's JSON
is written without json.dumps (state_text). Both must give exactly what the card-by-card path and
json.dumps give: two devices with real progress databases, and a sync killed in the middle."""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_sync import (
    CARDS,
    START,
    Devices,
    answer,
    bury,
    change_rows,
    close_every_store,
    events,
    review_rows,
    states,
    suspend,
    undo,
)

from quizkit.app.sync import Configs, run_sync
from quizkit.model import CardState, Mode, Phase, Rating
from quizkit.store import sync_log
from quizkit.store.progress import Store, state_to_dict

__all__ = ["close_every_store"]  # the fixture that closes every store, used here too

REPO = Path(__file__).resolve().parent.parent


def histories(tmp_path: Path) -> tuple[Store, Store, Path]:
    """Two devices that answered, crammed, undid, buried and suspended every card while apart, one
    answer at the same instant on both, then synced each other in."""
    folder = tmp_path / "shared"
    folder.mkdir()
    a, b = Store.open(tmp_path / "a.db"), Store.open(tmp_path / "b.db")
    at = START
    for day in range(6):
        for n, card in enumerate(CARDS):
            at += timedelta(minutes=7)
            answer(a, card, Rating((day + n) % 4 + 1), at)
            answer(b, card, Rating((day * n) % 4 + 1), at + timedelta(minutes=1))
        answer(a, "c1", Rating.GOOD, at + timedelta(minutes=2))
        answer(b, "c1", Rating.AGAIN, at + timedelta(minutes=2))  # the same millisecond
        answer(a, "c2", Rating.AGAIN, at + timedelta(minutes=3), mode=Mode.CRAM)
        undo(b, at + timedelta(minutes=4))
        bury(a, "c0", at + timedelta(minutes=5))
        suspend(b, "c3", at + timedelta(minutes=6), day % 2 == 0)
        if day == 3:
            undo(a, at + timedelta(minutes=7))  # a burial taken back
        at += timedelta(days=1, hours=day)
    for store, name in ((a, "a"), (b, "b"), (a, "a")):
        run_sync(store, folder, at + timedelta(days=1), name)
    return a, b, folder


def blank(store: Store) -> None:
    """Every replayed value wiped, so that a rebuild has to write each one again."""
    with store.write(START):
        store.db.execute(
            """UPDATE reviews SET phase_before = 0, state_before = '', state_after = '', stability = NULL,
                   difficulty = NULL, due = NULL"""
        )
        store.db.execute("UPDATE changes SET state_before = '', state_after = state_after")
        store.db.execute("DELETE FROM cards")


@pytest.mark.parametrize("bulk_cards", [0, 10**9], ids=["one pass", "card by card"])
def test_a_rebuild_in_one_pass_or_card_by_card_writes_the_rows_the_sync_wrote(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bulk_cards: int
) -> None:
    a, b, _folder = histories(tmp_path)
    assert review_rows(a) == review_rows(b) and states(a) == states(b)
    keys = {(d, c) for d, c in b.db.execute("SELECT deck_id, card_id FROM reviews")}
    expected = (review_rows(b), change_rows(b), states(b))
    assert len(expected[0]) > 50 and expected[2]
    monkeypatch.setattr(sync_log, "BULK_CARDS", bulk_cards)
    blank(b)
    with b.write(START):
        assert sync_log.SyncLog(b).rebuild(keys, Configs()) == len(keys)
    assert (review_rows(b), change_rows(b), states(b)) == expected
    assert b.log_disagreements() == []


def test_a_fresh_device_s_first_sync_in_one_pass_matches_one_card_by_card(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, _b, folder = histories(tmp_path)
    now = START + timedelta(days=30)
    monkeypatch.setattr(sync_log, "BULK_CARDS", 10**9)
    by_card = Store.open(tmp_path / "by-card.db")
    run_sync(by_card, folder, now, "by card")
    monkeypatch.setattr(sync_log, "BULK_CARDS", 0)
    one_pass = Store.open(tmp_path / "one-pass.db")
    report = run_sync(one_pass, folder, now, "one pass")
    assert report.rebuilt == len(CARDS)
    for store in (by_card, one_pass):
        assert events(store) == events(a)
        assert review_rows(store) == review_rows(a)
        assert change_rows(store) == change_rows(a)
        assert states(store) == states(a)


def test_the_state_machine_holds_with_every_rebuild_in_one_pass(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hypothesis import HealthCheck, settings
    from hypothesis.stateful import run_state_machine_as_test

    monkeypatch.setattr(sync_log, "BULK_CARDS", 0)
    Devices.base = tmp_path
    run_state_machine_as_test(
        Devices,
        settings=settings(
            max_examples=15,
            stateful_step_count=30,
            deadline=None,
            derandomize=True,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )


KILLED_SYNC = """
import os, signal, sys
from datetime import datetime
from pathlib import Path
from quizkit.app.sync import run_sync
from quizkit.core import replay
from quizkit.store import sync_log
from quizkit.store.progress import Store

sync_log.BULK_CARDS = 0
real, played = replay.replay, []

def replay_then_die(*args, **kwargs):
    played.append(1)
    if len(played) == 3:  # in the middle of the rebuild: some cards replayed, none written yet
        os.kill(os.getpid(), signal.SIGKILL)
    return real(*args, **kwargs)

replay.replay = replay_then_die
with Store.open(Path(sys.argv[1])) as store:
    run_sync(store, Path(sys.argv[2]), datetime.fromisoformat(sys.argv[3]), "killed")
"""


def test_a_sync_killed_during_the_rebuild_leaves_nothing_and_the_next_one_reads_everything(
    tmp_path: Path,
) -> None:
    a, _b, folder = histories(tmp_path)
    target, now = tmp_path / "fresh.db", START + timedelta(days=30)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    killed = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(KILLED_SYNC), str(target), str(folder), now.isoformat()],
        env=env,
        capture_output=True,
        check=False,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    fresh = Store.open(target)
    assert fresh.review_count() == 0  # the whole sync was one transaction: none of it was kept
    assert fresh.db.execute("SELECT count(*) FROM sync_files").fetchone()[0] == 0
    assert fresh.schema_problems() == [] and fresh.integrity() == []
    report = run_sync(fresh, folder, now, "again")
    assert report.rebuilt == len(CARDS)
    assert review_rows(fresh) == review_rows(a)
    assert change_rows(fresh) == change_rows(a)
    assert states(fresh) == states(a)


MOMENTS = st.none() | st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2199, 12, 31), timezones=st.just(UTC)
)
FLOATS = st.none() | st.floats(allow_nan=True, allow_infinity=True) | st.floats(0.001, 36500.0)


@given(
    phase=st.sampled_from(list(Phase)),
    step=st.none() | st.integers(0, 20),
    stability=FLOATS,
    difficulty=FLOATS,
    due=MOMENTS,
    last=MOMENTS,
    reps=st.integers(0, 10**6),
    lapses=st.integers(0, 10**4),
    suspended=st.booleans(),
    buried=MOMENTS,
    leech=st.booleans(),
)
def test_a_state_s_text_is_json_dumps_of_its_dict(
    phase: Phase,
    step: int | None,
    stability: float | None,
    difficulty: float | None,
    due: datetime | None,
    last: datetime | None,
    reps: int,
    lapses: int,
    suspended: bool,
    buried: datetime | None,
    leech: bool,
) -> None:
    state = CardState(phase, step, stability, difficulty, due, last, reps, lapses, suspended, buried, leech)
    assert sync_log.state_text(state) == json.dumps(state_to_dict(state))


def test_a_state_s_text_of_odd_values_is_json_dumps_too() -> None:
    odd = [
        CardState(),
        CardState(stability=math.inf, difficulty=-math.nan),
        CardState(stability=3, difficulty=True),  # type: ignore[arg-type]  # an int and a bool
        CardState(reps=True, suspended=1),  # type: ignore[arg-type]
        CardState(due=datetime(2026, 3, 1, 9, 0, 0, 123456, tzinfo=UTC)),
    ]
    for state in odd:
        assert sync_log.state_text(state) == json.dumps(state_to_dict(state))


IDLE_SYNC = """
import sys
from datetime import datetime
from pathlib import Path
from quizkit.app.sync import run_sync
from quizkit.store.progress import Store

with Store.open(Path(sys.argv[1])) as store:
    report = run_sync(store, Path(sys.argv[2]), datetime.fromisoformat(sys.argv[3]), "idle")
print(report.sent, report.received, report.rebuilt, "quizkit.core.replay" in sys.modules,
      "quizkit.core.session" in sys.modules)
"""


def test_an_idle_sync_loads_neither_the_replay_nor_the_session(tmp_path: Path) -> None:
    a, _b, folder = histories(tmp_path)
    a.close()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    idle = subprocess.run(
        [
            sys.executable,
            "-c",
            textwrap.dedent(IDLE_SYNC),
            str(tmp_path / "a.db"),
            str(folder),
            "2026-05-01T00:00:00+00:00",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert idle.stdout.split() == ["0", "0", "0", "False", "False"]
