"""quizkit sync: devices merge their progress through one shared folder, in any order of syncs.

The state machine plays three devices (three real progress databases made with quizkit's Store,
one clock two hours ahead, one half an hour behind) that answer, undo, bury and suspend cards over
simulated days and sync in any order, repeatedly.
After a last round of syncs every device holds the same events and the same card states, equal to
what a fresh database replays from the folder, and no answer is lost or doubled.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
from contextlib import closing
from datetime import UTC, date, datetime, timedelta
from itertools import count
from pathlib import Path
from typing import Any, ClassVar

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, rule, run_state_machine_as_test
from msgspec.structs import replace
from typer.testing import CliRunner

from quizkit.app.sync import Report, run_sync
from quizkit.cli import app
from quizkit.core import scheduler
from quizkit.core.session import fuzz_key
from quizkit.model import CardState, Mode, Rating
from quizkit.store.progress import Action, Answer, Store
from quizkit.store.sync_log import SyncLog


@pytest.fixture(autouse=True)
def close_every_store(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Every Store these tests open is closed at the end (Python 3.13 warns of an unclosed one,
    and the warning fails whichever later test the garbage collector meets it in)."""
    opened: list[Store] = []
    real = Store.open.__func__  # type: ignore[attr-defined]

    def tracked(cls: type[Store], *args: Any, **kwargs: Any) -> Store:
        store = real(cls, *args, **kwargs)
        opened.append(store)
        return store

    monkeypatch.setattr(Store, "open", classmethod(tracked))
    yield
    for store in opened:
        store.close()


DECK = "deck"
CARDS = ("c0", "c1", "c2", "c3")
START = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
CONFIG = scheduler.SchedulerConfig()
CONFIG_JSON = json.dumps(CONFIG.to_dict(), sort_keys=True)
OTHER_CONFIG = scheduler.SchedulerConfig(retention=0.8, learning_steps=(timedelta(minutes=5),))
OTHER_JSON = json.dumps(OTHER_CONFIG.to_dict(), sort_keys=True)


# ---------------------------------------------------------------- a device, as quizkit's session does it


def answer(
    store: Store,
    card: str,
    rating: Rating,
    at: datetime,
    *,
    mode: Mode = Mode.REVIEW,
    cap: date | None = None,
) -> None:
    """An answer as app.study records it: the new state from core.scheduler, then Store.record."""
    config, text = (OTHER_CONFIG, OTHER_JSON) if card == "c3" else (CONFIG, CONFIG_JSON)
    with store.write(at):
        before = store.state(DECK, card)
        after = before
        if mode is Mode.REVIEW:
            after = scheduler.review(before, rating, at, config, key=fuzz_key((DECK, card)), cap=cap)
        store.record(Answer(DECK, card, at, rating, before, after, mode=mode, scheduler=text, cap=cap))


def bury(store: Store, card: str, at: datetime) -> None:
    before = store.state(DECK, card)
    tomorrow = scheduler.study_day(at, CONFIG) + timedelta(days=1)
    after = replace(before, buried_until=scheduler.day_start(tomorrow, CONFIG))
    store.change(DECK, card, Action.BURY, before, after, at)


def suspend(store: Store, card: str, at: datetime, suspended: bool) -> None:
    before = store.state(DECK, card)
    action = Action.SUSPEND if suspended else Action.UNSUSPEND
    store.change(DECK, card, action, before, replace(before, suspended=suspended), at)


def undo(store: Store, at: datetime) -> None:
    """The session's undo: the latest change or answer made here, whichever is newer."""
    review = store.last_review([DECK])
    change = store.last_change([DECK])
    if change is not None and change.after_review >= (review.id if review else 0):
        store.undo_change(change, at)
    elif review is not None:
        store.undo(review, at)


def events(store: Store) -> set[str]:
    rows = store.db.execute(
        """SELECT event FROM reviews UNION ALL SELECT event FROM undos UNION ALL SELECT event FROM changes
           UNION ALL SELECT undo_event FROM changes WHERE undo_event IS NOT NULL
           UNION ALL SELECT event FROM quizzes"""
    ).fetchall()
    found = [row[0] for row in rows]
    assert None not in found, "every event was sent"
    assert len(found) == len(set(found))
    return set(found)


def states(store: Store) -> dict[str, CardState]:
    return {card: state for card, state in store.states(DECK).items() if state != CardState()}


def review_rows(store: Store) -> dict[str, tuple[Any, ...]]:
    """Each answer by its event id: what it was, and the states the replay gave it."""
    rows = store.db.execute(
        """SELECT r.event, r.deck_id, r.card_id, r.reviewed_at, r.rating, r.mode, r.cap,
                  r.state_before, r.state_after, r.due, EXISTS (SELECT 1 FROM undos u WHERE u.review_id = r.id)
           FROM reviews r"""
    ).fetchall()
    return {row[0]: tuple(row[1:]) for row in rows}


def change_rows(store: Store) -> dict[str, tuple[Any, ...]]:
    rows = store.db.execute(
        "SELECT event, card_id, changed_at, action, state_before, state_after, undo_event FROM changes"
    ).fetchall()
    return {row[0]: tuple(row[1:]) for row in rows}


# ---------------------------------------------------------------- the state machine

CLOCK_OFFSETS = (timedelta(0), timedelta(hours=2), timedelta(minutes=-30))


class Devices(RuleBasedStateMachine):
    base: ClassVar[Path]
    runs: ClassVar[count[int]] = count()

    def __init__(self) -> None:
        super().__init__()
        self.root = self.base / f"run{next(self.runs)}"
        self.folder = self.root / "shared"
        self.folder.mkdir(parents=True)
        self.stores = [Store.open(self.root / f"device{i}.db") for i in range(3)]
        self.now = START
        self.answers = [0, 0, 0]
        """Answers given on each device (the model: none may be lost or doubled)."""

    def tick(self, device: int = 0) -> datetime:
        """The device's clock: device 1's runs two hours ahead, device 2's half an hour behind."""
        self.now += timedelta(minutes=3)
        return self.now + CLOCK_OFFSETS[device]

    @rule(device=st.integers(0, 2), card=st.sampled_from(CARDS), rating=st.sampled_from(list(Rating)))
    def review(self, device: int, card: str, rating: Rating) -> None:
        answer(self.stores[device], card, rating, self.tick(device))
        self.answers[device] += 1

    @rule(device=st.integers(0, 2), card=st.sampled_from(CARDS), rating=st.sampled_from(list(Rating)))
    def review_before_an_exam(self, device: int, card: str, rating: Rating) -> None:
        cap = scheduler.study_day(self.now, CONFIG) + timedelta(days=4)
        answer(self.stores[device], card, rating, self.tick(device), cap=cap)
        self.answers[device] += 1

    @rule(
        devices=st.lists(st.integers(0, 2), min_size=2, max_size=2, unique=True),
        card=st.sampled_from(CARDS),
        ratings=st.lists(st.sampled_from(list(Rating)), min_size=2, max_size=2),
    )
    def review_at_the_same_instant(self, devices: list[int], card: str, ratings: list[Rating]) -> None:
        """Two devices answer one card at the same millisecond (the replay breaks the tie by device id)."""
        at = self.tick()
        for device, rating in zip(devices, ratings, strict=True):
            answer(self.stores[device], card, rating, at)
            self.answers[device] += 1

    @rule(device=st.integers(0, 2), card=st.sampled_from(CARDS))
    def cram(self, device: int, card: str) -> None:
        answer(self.stores[device], card, Rating.AGAIN, self.tick(device), mode=Mode.CRAM)
        self.answers[device] += 1

    @rule(device=st.integers(0, 2))
    def undo(self, device: int) -> None:
        undo(self.stores[device], self.tick(device))

    @rule(device=st.integers(0, 2), card=st.sampled_from(CARDS))
    def bury(self, device: int, card: str) -> None:
        bury(self.stores[device], card, self.tick(device))

    @rule(device=st.integers(0, 2), card=st.sampled_from(CARDS), suspended=st.booleans())
    def suspend(self, device: int, card: str, suspended: bool) -> None:
        suspend(self.stores[device], card, self.tick(device), suspended)

    @rule(device=st.integers(0, 2))
    def sync(self, device: int) -> None:
        run_sync(self.stores[device], self.folder, self.tick(device), f"device {device}")

    @rule(device=st.integers(0, 2))
    def sync_twice(self, device: int) -> None:
        run_sync(self.stores[device], self.folder, self.tick(device), f"device {device}")
        again = run_sync(self.stores[device], self.folder, self.tick(device), f"device {device}")
        assert (again.sent, again.received, again.rebuilt) == (0, 0, 0)  # idempotent

    @rule(days=st.integers(1, 5))
    def advance(self, days: int) -> None:
        self.now += timedelta(days=days)

    def teardown(self) -> None:
        try:
            for _ in range(2):  # the first round sends everything; the second brings it to everyone
                for device, store in enumerate(self.stores):
                    run_sync(store, self.folder, self.tick(device), f"device {device}")
            fresh = Store.open(self.root / "fresh.db")
            self.stores.append(fresh)
            run_sync(fresh, self.folder, self.tick(), "fresh")
            first = self.stores[0]
            for store in self.stores[1:]:
                assert events(store) == events(first)  # the fresh database sent nothing of its own
                assert states(store) == states(first)
                assert review_rows(store) == review_rows(first)
                assert change_rows(store) == change_rows(first)
                assert store.log_disagreements() == []  # doctor agrees with the replayed log
            # no answer lost or doubled: each device's answers are there once, everywhere
            for store in self.stores:
                by_device: dict[str, int] = {}
                for event in review_rows(store):
                    by_device[event.split(":")[0]] = by_device.get(event.split(":")[0], 0) + 1
                own = {SyncLog(s).device(): n for s, n in zip(self.stores, self.answers, strict=False)}
                assert {d: n for d, n in own.items() if n} == by_device
        finally:
            for store in self.stores:
                store.close()
            shutil.rmtree(self.root, ignore_errors=True)


def test_any_order_of_syncs_gives_every_device_the_same_log_and_states(tmp_path: Path) -> None:
    Devices.base = tmp_path
    run_state_machine_as_test(
        Devices,
        settings=settings(
            max_examples=60,
            stateful_step_count=40,
            deadline=None,
            # Fixed, so that CI is reproducible (a random search of 400 examples of 60 steps passes too).
            derandomize=True,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )


# ---------------------------------------------------------------- the folder as sync tools leave it


def two_devices(tmp_path: Path) -> tuple[Store, Store, Path]:
    folder = tmp_path / "shared"
    folder.mkdir()
    return Store.open(tmp_path / "a.db"), Store.open(tmp_path / "b.db"), folder


def segment_of(store: Store, folder: Path) -> Path:
    device = SyncLog(store).device()
    assert device is not None
    (segment,) = sorted((folder / "quizkit" / device).glob("*.jsonl"))
    return segment


def test_a_half_copied_segment_is_skipped_then_read_when_whole(tmp_path: Path) -> None:
    a, b, folder = two_devices(tmp_path)
    answer(a, "c0", Rating.GOOD, START)
    answer(a, "c1", Rating.AGAIN, START + timedelta(minutes=1))
    run_sync(a, folder, START + timedelta(minutes=2), "laptop")
    segment = segment_of(a, folder)
    whole = segment.read_bytes()
    assert whole.count(b"\n") == 3  # two events and the end line
    segment.write_bytes(whole[: whole.rindex(b"{")])  # a copy in progress: the end line has not arrived
    report = run_sync(b, folder, START + timedelta(minutes=3), "desktop")
    assert report.received == 0
    assert [(s.path, s.reason) for s in report.skipped] == [
        (segment, "cut short: no end line (still being copied?)")
    ]
    segment.write_bytes(whole[:-5])  # cut in the middle of the last line
    assert run_sync(b, folder, START + timedelta(minutes=4), "desktop").skipped[0].reason == (
        "cut short: its last line is not whole (still being copied?)"
    )
    assert states(b) == {}
    segment.write_bytes(whole)  # the copy finished
    report = run_sync(b, folder, START + timedelta(minutes=5), "desktop")
    assert (report.received, report.rebuilt, report.skipped) == (2, 2, [])
    assert states(b) == states(a)


def test_a_sync_conflict_copy_and_temporary_files_are_never_read(tmp_path: Path) -> None:
    a, b, folder = two_devices(tmp_path)
    answer(a, "c0", Rating.GOOD, START)
    run_sync(a, folder, START + timedelta(minutes=1), "laptop")
    segment = segment_of(a, folder)
    text = segment.read_text()
    conflict = segment.with_name("000000000001.sync-conflict-20260301-093000-ABCDEFG.jsonl")
    conflict.write_text(text.replace('"rating":3', '"rating":1'))
    (segment.parent / "000000000002.jsonl.tmp").write_text(text)
    (segment.parent / "000000000001 (conflicted copy).jsonl").write_text(text)
    report = run_sync(b, folder, START + timedelta(minutes=2), "desktop")
    assert report.received == 1
    assert sorted((s.path.name, s.reason) for s in report.skipped) == [
        (
            "000000000001 (conflicted copy).jsonl",
            "a sync tool's conflict copy (quizkit never writes one file twice; it can be deleted)",
        ),
        (
            "000000000001.sync-conflict-20260301-093000-ABCDEFG.jsonl",
            "a sync tool's conflict copy (quizkit never writes one file twice; it can be deleted)",
        ),
        ("000000000002.jsonl.tmp", "a temporary file (a copy in progress?)"),
    ]
    assert states(b) == states(a)
    assert b.db.execute("SELECT rating FROM reviews").fetchall() == [(3,)]


def test_a_bad_event_is_refused_by_file_and_line_and_the_rest_is_read(tmp_path: Path) -> None:
    a, b, folder = two_devices(tmp_path)
    answer(a, "c0", Rating.GOOD, START)
    answer(a, "c1", Rating.GOOD, START + timedelta(minutes=1))
    answer(a, "c2", Rating.GOOD, START + timedelta(minutes=2))
    run_sync(a, folder, START + timedelta(minutes=3), "laptop")
    segment = segment_of(a, folder)
    lines = segment.read_text().splitlines()
    bad = json.loads(lines[1])
    bad["rating"] = 7
    evil = json.loads(lines[2])
    evil["card"] = "[bold red]x[/]" * 40
    lines[1] = json.dumps(bad)
    lines[2] = json.dumps(evil)
    segment.write_text("\n".join(lines) + "\n")
    report = run_sync(b, folder, START + timedelta(minutes=4), "desktop")
    assert [(r.path, r.line, r.reason) for r in report.bad] == [
        (segment, 2, "'rating' must be a whole number from 1 to 4, not 7"),
        (segment, 3, f"'card' must be text of at most 200 characters, not {evil['card']!r:.40}"),
    ]
    assert report.received == 1
    assert set(states(b)) == {"c0"}


def test_a_device_whose_clock_is_two_hours_ahead_is_named(tmp_path: Path) -> None:
    a, b, folder = two_devices(tmp_path)
    run_sync(b, folder, START, "phone-ish")  # b's name is known from device.json
    answer(b, "c0", Rating.GOOD, START + timedelta(hours=2, minutes=5))  # its clock says 11:05 at 9:05
    run_sync(b, folder, START + timedelta(hours=2, minutes=6), "phone-ish")
    answer(a, "c0", Rating.AGAIN, START + timedelta(minutes=6))
    report = run_sync(a, folder, START + timedelta(minutes=7), "laptop")
    device = SyncLog(b).device()
    assert device is not None
    assert report.warnings == [
        f"device phone-ish ({device[:8]})'s clock is 2 h ahead of the others: its answers are ordered by "
        "the time it gave them; set its clock right"
    ]
    run_sync(b, folder, START + timedelta(hours=2, minutes=8), "phone-ish")
    assert states(a) == states(b)
    # ordered by time: b's Good (at its 11:05) comes after a's Again (9:06)
    assert a.state(DECK, "c0").last_review == START + timedelta(hours=2, minutes=5)


def test_an_undo_takes_back_only_its_own_answer_on_every_device(tmp_path: Path) -> None:
    a, b, folder = two_devices(tmp_path)
    answer(a, "c0", Rating.GOOD, START)
    answer(b, "c0", Rating.AGAIN, START + timedelta(minutes=1))
    run_sync(a, folder, START + timedelta(minutes=2), "a")
    run_sync(b, folder, START + timedelta(minutes=3), "b")
    run_sync(a, folder, START + timedelta(minutes=3), "a")
    undo(a, START + timedelta(minutes=4))  # a's Good was answered since (b's Again): nothing undone
    assert a.db.execute("SELECT count(*) FROM undos").fetchone()[0] == 0
    run_sync(a, folder, START + timedelta(minutes=5), "a")
    assert b.last_review([DECK]) is not None
    undo(b, START + timedelta(minutes=6))  # b's own Again is the latest: undone
    run_sync(b, folder, START + timedelta(minutes=7), "b")
    run_sync(a, folder, START + timedelta(minutes=8), "a")
    assert states(a) == states(b)
    assert a.state(DECK, "c0").reps == 1
    # a never offers to undo b's answer
    review = a.last_review([DECK])
    assert review is not None and review.rating is Rating.GOOD


def test_two_answers_at_the_same_instant_are_ordered_alike_by_the_replay_and_the_store(
    tmp_path: Path,
) -> None:
    """Found by the random state machine: a device whose clock is half an hour behind answered a
    card at the very millisecond another device had. Both stores held the same log and states, but
    doctor's log check (and optimize's replay) broke the tie by row id, which differs from store
    to store, while the sync replay breaks it by device id and sequence: one store always disagreed."""
    a, b, folder = two_devices(tmp_path)
    answer(a, "c1", Rating.AGAIN, START)
    answer(b, "c1", Rating.GOOD, START)  # the same instant
    for store in (a, b, a):
        run_sync(store, folder, START + timedelta(minutes=1), "device")
    assert states(a) == states(b) and a.state(DECK, "c1").reps == 2
    by_id = [
        [row[0] for row in store.db.execute("SELECT event FROM reviews ORDER BY reviewed_at, id")]
        for store in (a, b)
    ]
    assert by_id[0] != by_id[1]  # row ids differ from store to store: the tie is broken by the event
    first = min(by_id[0])  # the replay's order: the smaller device id first
    ratings = {row[0]: Rating(row[1]) for row in a.db.execute("SELECT event, rating FROM reviews")}
    for store in (a, b):
        assert store.log_disagreements() == []
        history = store.replay_history([DECK])[(DECK, "c1")]
        assert [rating for _, rating, _ in history] == [ratings[first], ratings[max(by_id[0])]]


def test_an_undo_after_the_clock_was_set_back_is_sent_after_its_answer(tmp_path: Path) -> None:
    """Found by the state machine: the clock went back half an hour between an answer and its undo,
    so the undo came first in time, got the first event id, and named an answer with no id yet
    ('of': null): every other device refused the line and kept the answer."""
    a, b, folder = two_devices(tmp_path)
    answer(a, "c0", Rating.AGAIN, START)
    undo(a, START - timedelta(minutes=30))
    report = run_sync(a, folder, START + timedelta(minutes=1), "a")
    assert (report.sent, report.bad) == (2, [])
    report = run_sync(b, folder, START + timedelta(minutes=2), "b")
    assert (report.received, report.bad) == (2, [])
    assert states(b) == states(a) == {}
    assert b.db.execute("SELECT count(*) FROM undos").fetchone()[0] == 1


def test_a_restored_database_gets_back_what_it_had_sent(tmp_path: Path) -> None:
    a, b, folder = two_devices(tmp_path)
    answer(a, "c0", Rating.GOOD, START)
    run_sync(a, folder, START + timedelta(minutes=1), "a")
    a.close()
    backup = tmp_path / "a-before.db"
    shutil.copy(tmp_path / "a.db", backup)
    a = Store.open(tmp_path / "a.db")
    answer(a, "c1", Rating.GOOD, START + timedelta(minutes=2))
    run_sync(a, folder, START + timedelta(minutes=3), "a")
    a.close()
    shutil.copy(backup, tmp_path / "a.db")  # restored: c1's answer is lost here, not in the folder
    a = Store.open(tmp_path / "a.db")
    answer(a, "c2", Rating.GOOD, START + timedelta(minutes=4))
    report = run_sync(a, folder, START + timedelta(minutes=5), "a")
    assert (report.received, report.sent) == (1, 1)
    assert set(states(a)) == {"c0", "c1", "c2"}
    run_sync(b, folder, START + timedelta(minutes=6), "b")
    assert states(b) == states(a)


def test_mock_exams_and_fitted_parameters_travel(tmp_path: Path) -> None:
    from quizkit.store.exams import ExamLog, QuizAnswer, QuizRecord
    from quizkit.store.fitted import FittedParameters

    a, b, folder = two_devices(tmp_path)
    ExamLog(a).save(
        QuizRecord(DECK, START, START + timedelta(minutes=5), 0.5, False, 0.8, 7, None, "{}"),
        [QuizAnswer(0, "c0", ("t",), "x", True, 1.0, 3.5), QuizAnswer(1, "c1", (), None, False, 0.0, 2.0)],
    )
    FittedParameters(b).save(None, scheduler.DEFAULT_PARAMETERS, START, 500, 0.5, 0.4)
    older = [round(p * 1.01, 4) for p in scheduler.DEFAULT_PARAMETERS]
    FittedParameters(a).save(None, older, START - timedelta(days=1), 400, 0.5, 0.45)
    for store in (a, b, a, b):
        run_sync(store, folder, START + timedelta(minutes=10), "x")
    for store in (a, b):
        assert ExamLog(store).history()[0].score == 50.0  # in percent
        assert store.db.execute("SELECT count(*) FROM quiz_answers").fetchone()[0] == 2
        assert FittedParameters(store).get(None) == scheduler.DEFAULT_PARAMETERS  # the later fit wins
    newer = tuple(round(p * 0.99, 4) for p in scheduler.DEFAULT_PARAMETERS)
    FittedParameters(a).save(None, newer, START + timedelta(days=1), 600, 0.5, 0.39)  # a fits again
    for store in (a, b):
        run_sync(store, folder, START + timedelta(days=1, minutes=1), "x")
        assert FittedParameters(store).get(None) == newer


def test_the_folder_under_git_never_conflicts(tmp_path: Path) -> None:
    env = {
        "HOME": str(tmp_path),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.org",
        "PATH": "/usr/bin:/bin",
    }

    def git(where: Path, *args: str) -> None:
        subprocess.run(["git", "-C", str(where), *args], check=True, env=env, capture_output=True)

    hub = tmp_path / "hub.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(hub)], check=True, env=env)
    seed = tmp_path / "seed"
    subprocess.run(["git", "clone", "-q", str(hub), str(seed)], check=True, env=env, capture_output=True)
    (seed / "README").write_text("decks and progress\n")
    git(seed, "checkout", "-q", "-B", "main")
    git(seed, "add", "README")
    git(seed, "commit", "-q", "-m", "start")
    git(seed, "push", "-q", "origin", "main")
    clones = [tmp_path / "laptop", tmp_path / "desktop"]
    for clone in clones:
        subprocess.run(["git", "clone", "-q", str(hub), str(clone)], check=True, env=env, capture_output=True)
        git(clone, "config", "pull.rebase", "false")
    stores = [Store.open(tmp_path / "laptop.db"), Store.open(tmp_path / "desktop.db")]
    moment = START
    for day in range(6):
        for i, (store, clone) in enumerate(zip(stores, clones, strict=True)):
            moment += timedelta(minutes=7)
            answer(store, CARDS[(day + i) % 4], Rating.GOOD if day % 3 else Rating.AGAIN, moment)
            run_sync(store, clone, moment, clone.name)
            git(clone, "add", "-A")
            git(clone, "commit", "-q", "-m", f"{clone.name} day {day}")
            git(clone, "pull", "-q", "--no-edit", "origin", "main")  # check=True: never a conflict
            git(clone, "push", "-q", "origin", "HEAD:main")
        moment += timedelta(days=1)
    for store, clone in zip(stores, clones, strict=True):
        git(clone, "pull", "-q", "--no-edit", "origin", "main")
        run_sync(store, clone, moment, clone.name)
    assert states(stores[0]) == states(stores[1])
    assert review_rows(stores[0]) == review_rows(stores[1])
    assert len(review_rows(stores[0])) == 12


# ---------------------------------------------------------------- the store's part


def test_migration_9_keeps_old_answers_and_sends_them(tmp_path: Path) -> None:
    from quizkit.store.db import MIGRATIONS

    path = tmp_path / "v8.db"
    with closing(sqlite3.connect(path)) as raw:
        for statements in MIGRATIONS[:8]:
            for statement in statements:
                raw.execute(statement)
        raw.execute("PRAGMA user_version = 8")
        raw.commit()
    with Store.open(path) as old:
        # an answer as quizkit 8 kept it (no cap, no event): written through today's store, then cleared
        answer(old, "c0", Rating.GOOD, START)
    with closing(sqlite3.connect(path)) as raw:
        assert raw.execute("SELECT cap, event FROM reviews").fetchall() == [(None, None)]
    folder = tmp_path / "shared"
    folder.mkdir()
    with Store.open(path) as store:
        assert run_sync(store, folder, START + timedelta(minutes=1), "old").sent == 1
        device = SyncLog(store).device()
        assert store.db.execute("SELECT event FROM reviews").fetchall() == [(f"{device}:1",)]


def test_record_keeps_the_exam_cap_and_a_replay_gives_the_live_due_date(tmp_path: Path) -> None:
    a, b, folder = two_devices(tmp_path)
    at = START
    cap = scheduler.study_day(at, CONFIG) + timedelta(days=3)
    for rating in (Rating.GOOD, Rating.GOOD, Rating.GOOD, Rating.EASY):
        answer(a, "c0", rating, at, cap=cap)
        at += timedelta(days=1)
    assert a.db.execute("SELECT DISTINCT cap FROM reviews").fetchall() == [(cap.isoformat(),)]
    live = a.state(DECK, "c0")
    uncapped = CardState()
    for i, rating in enumerate((Rating.GOOD, Rating.GOOD, Rating.GOOD, Rating.EASY)):
        uncapped = scheduler.review(
            uncapped, rating, START + timedelta(days=i), CONFIG, key=fuzz_key((DECK, "c0"))
        )
    assert live.due != uncapped.due  # the cap changed something worth keeping
    run_sync(a, folder, at, "a")
    run_sync(b, folder, at, "b")
    assert b.state(DECK, "c0") == live


def test_an_idle_sync_sends_and_receives_nothing(tmp_path: Path) -> None:
    a, b, folder = two_devices(tmp_path)
    answer(a, "c0", Rating.GOOD, START)
    first = run_sync(a, folder, START, "a")
    assert isinstance(first, Report) and first.sent == 1
    before = sorted(p.name for p in folder.rglob("*"))
    again = run_sync(a, folder, START + timedelta(minutes=1), "a")
    assert (again.sent, again.received, again.rebuilt) == (0, 0, 0)
    assert sorted(p.name for p in folder.rglob("*")) == before  # no empty segment


# ---------------------------------------------------------------- the command


def sim_deck(tmp_path: Path) -> Path:
    path = tmp_path / "sim.toml"
    body = "".join(f'[[cards]]\nid = "c{i}"\nq = "Q{i}"\na = "A{i}"\n' for i in range(3))
    path.write_text('[deck]\nid = "sim"\ntitle = "Sim"\n' + body, encoding="utf-8")
    return path


def test_sync_without_a_folder_says_how_to_set_one(runner: CliRunner) -> None:
    result = runner.invoke(app, ["sync"])
    assert result.exit_code == 2
    assert result.output == (
        "error: no sync folder given: name one ('quizkit sync ~/Sync/quizkit') or set it once in "
        'config.toml: sync_folder = "~/Sync/quizkit" (docs/sync.md)\n'
    )


def test_sync_to_a_missing_folder_is_refused(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["sync", str(tmp_path / "nope")])
    assert result.exit_code == 1
    assert (
        result.output
        == f"error: the sync folder {tmp_path / 'nope'} does not exist; create it (or mount it) first\n"
    )


def test_two_devices_review_and_sync_through_the_command(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import socket

    deck = sim_deck(tmp_path)
    folder = tmp_path / "Sync"
    folder.mkdir()
    laptop, desktop = tmp_path / "laptop.db", tmp_path / "desktop.db"
    config = tmp_path / "config.toml"
    config.write_text(f'sync_folder = "{folder}"\n', encoding="utf-8")
    monkeypatch.setenv("QUIZKIT_CONFIG", str(config))
    monkeypatch.setenv("QUIZKIT_NOW", "2026-03-02T09:00:00+00:00")
    answers = "\n".join(["", "3"] * 3) + "\n"
    result = runner.invoke(
        app, ["review", str(deck), "--db", str(laptop), "--exam-date", "2026-03-09"], input=answers
    )
    assert result.exit_code == 0, result.output
    # the review synced after it ended (sync_folder is set)
    assert (
        result.output.splitlines()[-1] == "synced after the review: sent 3 events, received 0 from 0 devices"
    )
    result = runner.invoke(app, ["sync", "--db", str(laptop)])  # the folder from config.toml
    assert (result.exit_code, result.output) == (
        0,
        "sent 0 events, received 0 from 0 devices, rebuilt 0 cards\n",
    )
    monkeypatch.setenv("QUIZKIT_NOW", "2026-03-02T10:00:00+00:00")
    result = runner.invoke(app, ["suspend", str(deck), "c2", "--db", str(desktop)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["sync", str(folder), "--db", str(desktop), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert {k: report[k] for k in ("sent", "received", "devices", "rebuilt", "warnings", "skipped")} == {
        "sent": 1,
        "received": 3,
        "devices": 1,
        "rebuilt": 3,
        "warnings": [],
        "skipped": [],
    }
    result = runner.invoke(app, ["sync", "--db", str(laptop)])
    assert result.output == "sent 0 events, received 1 from 1 device, rebuilt 1 card\n"
    with Store.open(laptop) as a, Store.open(desktop) as b:
        assert a.states("sim") == b.states("sim")
        assert a.state("sim", "c2").suspended
        assert a.db.execute("SELECT DISTINCT cap FROM reviews").fetchall() == [("2026-03-09",)]
        ids = sorted(d for d, *_ in SyncLog(a).devices())
        own = SyncLog(a).device()
    result = runner.invoke(app, ["sync", "--status", "--db", str(laptop)])
    host = socket.gethostname()
    lines = [f"sync folder {folder}; this device {own}"]
    for device in ids:
        mine = device == own
        lines.append(
            f"{device}  {host}{' (this device)' if mine else ''}: {3 if mine else 1} events, last "
            f"{'2026-03-02 09:00' if mine else '2026-03-02 10:00'}"
        )
    assert result.output == "\n".join(lines) + "\n"
    result = runner.invoke(app, ["sync", "--status", "--json", "--db", str(laptop)])
    status = json.loads(result.output)
    assert status["device"] == own
    assert [(d["id"], d["events"], d["this"]) for d in status["devices"]] == [
        (device, 3 if device == own else 1, device == own) for device in ids
    ]
    assert status["skipped"] == []


def test_status_lists_what_was_skipped_and_why(runner: CliRunner, tmp_path: Path) -> None:
    folder = tmp_path / "Sync"
    (folder / "quizkit" / ("ab" * 16)).mkdir(parents=True)
    (folder / "quizkit" / ("ab" * 16) / "000000000001.jsonl").write_text('{"id": "x"}\n')
    (folder / "quizkit" / "notes").mkdir()
    result = runner.invoke(app, ["sync", str(folder), "--status"])
    assert result.exit_code == 0
    assert result.output.splitlines()[1:] == [
        "no device seen yet: run 'quizkit sync'",
        f"skipped {folder / 'quizkit' / 'notes'}: not a device's folder (its name is not a device id)",
        f"skipped {folder / 'quizkit' / ('ab' * 16) / '000000000001.jsonl'}: cut short: no end line "
        "(still being copied?)",
    ]


def test_a_restored_database_sends_nothing_while_its_own_segment_is_unreadable(tmp_path: Path) -> None:
    a, _b, folder = two_devices(tmp_path)
    answer(a, "c0", Rating.GOOD, START)
    run_sync(a, folder, START + timedelta(minutes=1), "a")
    device = SyncLog(a).device()
    a.close()
    backup = tmp_path / "a-before.db"
    shutil.copy(tmp_path / "a.db", backup)
    a = Store.open(tmp_path / "a.db")
    answer(a, "c1", Rating.GOOD, START + timedelta(minutes=2))
    run_sync(a, folder, START + timedelta(minutes=3), "a")
    a.close()
    shutil.copy(backup, tmp_path / "a.db")
    second = folder / "quizkit" / str(device) / "000000000002.jsonl"
    whole = second.read_bytes()
    second.write_bytes(whole[:-3])  # damaged on this device's disk
    a = Store.open(tmp_path / "a.db")
    answer(a, "c2", Rating.GOOD, START + timedelta(minutes=4))
    report = run_sync(a, folder, START + timedelta(minutes=5), "a")
    assert report.sent == 0
    assert report.warnings == [
        f"nothing was sent: this device's own segment {second} cannot be read yet; sync again once it is whole"
    ]
    second.write_bytes(whole)
    assert run_sync(a, folder, START + timedelta(minutes=6), "a").sent == 1
    assert set(states(a)) == {"c0", "c1", "c2"}


def test_a_bulk_merge_makes_the_time_indexes_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import quizkit.app.sync as use

    monkeypatch.setattr(use, "BULK_BYTES", 0)  # every merge counts as a bulk load
    a, b, folder = two_devices(tmp_path)
    for i, card in enumerate(CARDS):
        answer(a, card, Rating.GOOD, START + timedelta(minutes=i))
    run_sync(a, folder, START + timedelta(hours=1), "a")
    report = run_sync(b, folder, START + timedelta(hours=1), "b")
    assert report.received == 4
    assert b.schema_problems() == [] and b.integrity() == []
    indexes = "SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name"
    assert b.db.execute(indexes).fetchall() == a.db.execute(indexes).fetchall()
    assert states(b) == states(a)


def test_a_review_syncs_before_and_after_when_sync_folder_is_set(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    deck = sim_deck(tmp_path)
    folder = tmp_path / "Sync"
    folder.mkdir()
    config = tmp_path / "config.toml"
    config.write_text(f'sync_folder = "{folder}"\n', encoding="utf-8")
    monkeypatch.setenv("QUIZKIT_CONFIG", str(config))
    answers = "\n".join(["", "3"] * 3) + "\n"
    laptop, desktop = tmp_path / "laptop.db", tmp_path / "desktop.db"
    result = runner.invoke(app, ["review", str(deck), "--db", str(laptop)], input=answers)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "synced before the review: sent 0 events, received 0 from 0 devices"
    assert lines[-1] == "synced after the review: sent 3 events, received 0 from 0 devices"
    result = runner.invoke(app, ["review", str(deck), "--db", str(desktop)], input=answers)
    assert (
        result.output.splitlines()[0] == "synced before the review: sent 0 events, received 3 from 1 device"
    )
    assert runner.invoke(app, ["sync", "--db", str(laptop)]).exit_code == 0  # the desktop's answers too
    with Store.open(laptop) as a, Store.open(desktop) as b:
        assert a.states("sim") == b.states("sim") != {}
        count = "SELECT count(*) FROM reviews"
        assert a.db.execute(count).fetchone() == b.db.execute(count).fetchone()
    shutil.rmtree(folder)  # the folder gone (a drive not mounted): a warning, the review goes on
    result = runner.invoke(app, ["review", str(deck), "--db", str(desktop)], input=answers)
    assert result.exit_code == 0
    assert result.output.splitlines()[0] == (
        f"warning: not synced before the review: the sync folder {folder} does not exist; "
        "create it (or mount it) first"
    )


def test_hostile_segments_are_refused_line_by_line_never_a_crash(tmp_path: Path) -> None:
    device = "cd" * 16
    folder = tmp_path / "shared"
    home = folder / "quizkit" / device
    home.mkdir(parents=True)
    (home / "device.json").write_text("[" * 3000 + "]" * 3000)
    good = {
        "id": f"{device}:5",
        "kind": "change",
        "at": 1_772_355_600_000,
        "deck": "deck",
        "card": "c0",
        "action": "suspend",
        "until": None,
    }
    lines = [
        b"[" * 100_000 + b"]" * 100_000,  # nested too deep for json
        b"\xff\xfe not text",
        b'{"id": "' + device.encode() + b':1", "kind": "review", "mode": "review", "at": 1.5}',
        json.dumps({**good, "id": f"{'ef' * 16}:2"}).encode(),  # another device's id in this folder
        json.dumps({**good, "kind": "undo", "of": f"{'ef' * 16}:1", "id": f"{device}:3"}).encode(),
        b"x" * (2 << 20),
        json.dumps(good).encode(),
    ]
    end = json.dumps({"end": len(lines), "device": device, "format": 1}).encode()
    (home / "000000000001.jsonl").write_bytes(b"\n".join([*lines, end]) + b"\n")
    with Store.open(tmp_path / "a.db") as store:
        report = run_sync(store, folder, START, "a")
        assert report.received == 1
        assert [(bad.line, bad.reason) for bad in report.bad] == [
            (1, "not JSON"),
            (2, "not JSON"),
            (3, "'at' must be a whole number from 946684800000 to 7258118400000, not 1.5"),
            (4, f"event {'ef' * 16}:2 is not of the device {device} whose folder holds it"),
            (5, f"an undo takes back only its own device's events, not {'ef' * 16}:1"),
            (6, "the line is longer than 1048576 bytes"),
        ]
        assert store.state("deck", "c0").suspended
