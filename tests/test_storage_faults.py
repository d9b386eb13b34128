"""Storage faults: a full disk, read-only files and folders, a blocked backups folder, junk
left by killed backups, and damaged databases. Every command answers with a message and an exit
code (never a traceback), doctor always runs and says what is wrong, and a failing backup never
costs an answer."""

from __future__ import annotations

import os
import random
import shutil
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from quizkit.cli import app
from quizkit.errors import StoreError
from quizkit.model import CardState, Phase, Rating
from quizkit.store import db
from quizkit.store.progress import Answer, Store

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DAY2 = "2026-03-03T09:00:00+00:00"
ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
LEARNED = CardState(Phase.LEARNING, 1, 2.3, 5.1, NOW + timedelta(minutes=10), NOW, 1, 0)


def write_deck(tmp_path: Path, n: int = 3, name: str = "sim") -> Path:
    path = tmp_path / f"{name}.toml"
    body = "".join(f'[[cards]]\nid = "c{i}"\nq = "Q{i}"\na = "A{i}"\n' for i in range(n))
    path.write_text(f'[deck]\nid = "{name}"\ntitle = "Sim"\nnew_per_day = 5\n' + body, encoding="utf-8")
    return path


def answer(at: datetime = NOW, card: str = "c1", text: str = "1996") -> Answer:
    return Answer("deck", card, at, Rating.GOOD, CardState(), LEARNED, answer=text, scheduler='{"x": 1}')


def reviews(path: Path) -> int:
    with closing(sqlite3.connect(path)) as connection:
        return int(connection.execute("SELECT count(*) FROM reviews").fetchone()[0])


def clean(result: Result) -> None:
    """A message and an exit code of 0, 1 or 2: never a traceback."""
    assert result.exit_code in (0, 1, 2), (result.exit_code, result.output, result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output


@pytest.fixture
def studied(runner: CliRunner, tmp_path: Path) -> Path:
    """A database with a day of answers (so the next day's first answer takes a backup)."""
    deck = write_deck(tmp_path)
    clean(runner.invoke(app, ["review", str(deck)], input="\n4\n\n4\n"))
    assert reviews(tmp_path / "progress.db") == 2
    return deck


# ------------------------------------------------------------------ 3: a backup never costs an answer


def test_a_file_named_backups_does_not_cost_the_answer(
    runner: CliRunner, tmp_path: Path, studied: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "backups").write_text("not a folder")  # mkdir fails, even for root
    monkeypatch.setenv("QUIZKIT_NOW", DAY2)
    result = runner.invoke(app, ["review", str(studied)], input="\n4\n")
    clean(result)
    assert result.exit_code == 0
    assert reviews(tmp_path / "progress.db") == 3
    assert "warning: today's backup of the progress database could not be made" in result.output


def test_a_failed_backup_is_a_warning_on_the_store(tmp_path: Path) -> None:
    path = tmp_path / "p.db"
    with Store.open(path) as store:
        store.record(answer())
    (tmp_path / "backups").write_text("not a folder")
    with Store.open(path) as store:
        store.record(answer(NOW + timedelta(days=1), card="c2"))
        assert store.backup_warning is not None
        assert "could not be made" in store.backup_warning and "saved" in store.backup_warning
        assert set(store.states("deck")) == {"c1", "c2"}


def test_the_backup_is_taken_after_the_answer_is_committed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "p.db"
    with Store.open(path) as store:
        store.record(answer())

    def killed(self: db.Database, target: Path, source: object = None) -> Path:
        assert reviews(path) == 2  # the answer is already in the file when the backup starts
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(db.Database, "backup_to", killed)
    with Store.open(path) as store:
        store.record(answer(NOW + timedelta(days=1), card="c2"))
        assert store.backup_warning is not None and "No space left" in store.backup_warning
    assert reviews(path) == 2


def test_junk_and_stale_partial_files(tmp_path: Path) -> None:
    path = tmp_path / "p.db"
    with Store.open(path) as store:
        store.record(answer())
    folder = tmp_path / "backups"
    folder.mkdir()
    junk = folder / "p-2026-03-03.partial"  # an older quizkit's fixed name, left by a killed backup
    junk.write_bytes(os.urandom(5000))
    dead = folder / "p-2026-03-01.999999999-abcd.partial"  # no such process
    dead.write_bytes(b"x" * 100)
    live = folder / f"p-2026-03-03.{os.getpid()}-beef.partial"  # a backup under way, here
    live.write_bytes(b"y")
    with Store.open(path) as store:
        store.record(answer(NOW + timedelta(days=1), card="c2"))
        assert store.backup_warning is None
    assert not junk.exists() and not dead.exists() and live.exists()
    assert [p.name for p in db.backups_of(path)] == ["p-2026-03-03.db"]


def test_two_terminals_making_their_first_rating_at_once(tmp_path: Path) -> None:
    path = tmp_path / "p.db"
    with Store.open(path) as store:
        store.record(answer())
    errors: list[BaseException] = []

    def rate(day: datetime, card: str, start: threading.Barrier) -> None:
        try:
            with Store.open(path) as store:
                start.wait()
                store.record(answer(day, card=card))
        except BaseException as error:  # noqa: BLE001 - collected for the assertion
            errors.append(error)

    for trial in range(5):
        start = threading.Barrier(2)
        day = NOW + timedelta(days=trial + 1)
        threads = [threading.Thread(target=rate, args=(day, f"t{trial}-{i}", start)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert errors == []
    assert reviews(path) == 11
    assert list((tmp_path / "backups").glob("*.partial")) == []


# ------------------------------------------------------------------ 16: the real cause, and only damage advises restore


def test_a_full_disk_says_so_and_does_not_advise_a_restore(tmp_path: Path) -> None:
    path = tmp_path / "p.db"
    with Store.open(path) as store:
        store.record(answer())
        pages = store.db.execute("PRAGMA page_count").fetchone()[0]
        store.db.execute(f"PRAGMA max_page_count = {pages}")
        with pytest.raises(StoreError) as caught:
            store.record(answer(card="big", text="x" * 200_000))
        message = str(caught.value)
        assert "full" in message and "restore" not in message and "doctor" not in message
        assert set(store.states("deck")) == {"c1"}  # nothing half-written
        store.db.execute(f"PRAGMA max_page_count = {pages * 100}")
        store.record(answer(card="after"))  # and the store still works


def test_a_read_only_file_says_so_and_does_not_advise_a_restore(tmp_path: Path) -> None:
    path = tmp_path / "p.db"
    with Store.open(path) as store:
        store.record(answer())
    # Root writes through chmod, so the file is opened read-only by SQLite itself (mode=ro).
    connection = db._connect(f"{path.as_uri()}?mode=ro", path, uri=True, isolation_level=None)
    store = Store(connection, path)
    try:
        with pytest.raises(StoreError) as caught:
            store.record(answer(card="c2"))
    finally:
        store.close()
    message = str(caught.value)
    assert "read-only" in message and "restore" not in message and "doctor" not in message


@pytest.mark.skipif(ROOT, reason="root writes through chmod; a read-only file is tested with mode=ro above")
def test_a_read_only_file_through_the_cli(runner: CliRunner, tmp_path: Path, studied: Path) -> None:
    path = tmp_path / "progress.db"
    for name in ("progress.db", "progress.db-wal", "progress.db-shm"):
        if (tmp_path / name).exists():
            (tmp_path / name).chmod(0o444)
    result = runner.invoke(app, ["review", str(studied)], input="\n4\n")
    clean(result)
    assert "restore" not in result.output
    path.chmod(0o644)


@pytest.mark.skipif(
    ROOT, reason="root writes through chmod, and SQLite cannot be made to see a read-only folder"
)
def test_a_read_only_folder_is_not_called_damage(runner: CliRunner, tmp_path: Path, studied: Path) -> None:
    folder = tmp_path
    folder.chmod(0o555)
    try:
        for command in (["due", str(studied)], ["doctor"], ["review", str(studied)]):
            result = runner.invoke(app, command, input="\n4\n")
            clean(result)
            assert "cannot be read" not in result.output and "damaged" not in result.output
    finally:
        folder.chmod(0o755)


def test_a_folder_sqlite_cannot_write_is_called_read_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Root cannot be stopped by chmod: the folder's permission check is replaced instead."""
    monkeypatch.setattr(db, "_writable", lambda path: False)
    for text in ("unable to open database file", "attempt to write a readonly database", "disk I/O error"):
        message = str(db.fault(tmp_path / "p.db", sqlite3.OperationalError(text)))
        assert "read-only" in message and "restore" not in message and "cannot be read" not in message


def test_a_database_path_through_a_file_is_not_called_damage(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "blocker").write_text("a file")
    result = runner.invoke(app, ["due", "--db", str(tmp_path / "blocker" / "p.db")])
    clean(result)
    assert result.exit_code == 1 and "cannot be opened" in result.output and "restore" not in result.output


def test_a_busy_database_says_busy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "p.db"
    with Store.open(path) as store:
        store.record(answer())
    monkeypatch.setattr(db, "BUSY_TIMEOUT_S", 0.1)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with Store.open(path) as store:
            store.db.execute("PRAGMA busy_timeout = 100")
            with pytest.raises(StoreError) as caught:
                store.record(answer(card="c2"))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert "busy" in str(caught.value) and "restore" not in str(caught.value)


# ------------------------------------------------------------------ 5: damaged databases


def _sql(statement: str) -> Callable[[Path], None]:
    def damage(path: Path) -> None:
        with closing(sqlite3.connect(path)) as connection:
            connection.execute(statement)
            connection.commit()

    return damage


def _flip(seed: int) -> Callable[[Path], None]:
    def damage(path: Path) -> None:
        data = bytearray(path.read_bytes())
        rng = random.Random(seed)
        for _ in range(rng.randint(1, 40)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        path.write_bytes(bytes(data))

    return damage


def _schema_bytes(path: Path) -> None:
    """Invalid UTF-8 in the schema's text: SQLite's message carries it (the UnicodeDecodeError)."""
    data = bytearray(path.read_bytes())
    for marker, skip in ((b"tablecardscards", 5), (b"CREATE TABLE cards", 13)):
        at = data.find(marker)
        assert at >= 0
        data[at + skip : at + skip + 5] = b"\xff\xfe\xfd\xfc\xfb"
    path.write_bytes(bytes(data))


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: 4096 * 3 + 100])


def _header(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[:16] = b"not a database!!"
    path.write_bytes(bytes(data))


DAMAGE: dict[str, Callable[[Path], None]] = {
    "user_version=-10": _sql("PRAGMA user_version = -10"),
    "phase=9": _sql("UPDATE cards SET phase = 9"),
    "due=huge": _sql(f"UPDATE cards SET due = {2**62}"),
    "bad state_before": _sql("UPDATE reviews SET state_before = '{not json', state_after = '[1'"),
    "no undos table": _sql("DROP TABLE undos"),
    "schema bytes": _schema_bytes,
    "truncated": _truncate,
    "bad header": _header,
    **{f"flip-{seed}": _flip(seed) for seed in range(12)},
}

COMMANDS: list[list[str]] = [
    [],  # the dashboard
    ["due", "{deck}"],
    ["stats", "{deck}"],
    ["cards", "sim"],
    ["history"],
    ["review", "{deck}"],
    ["suspend", "sim", "c0"],
    ["doctor"],
]


def _checkpointed(path: Path) -> None:
    with closing(sqlite3.connect(path)) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.execute("PRAGMA journal_mode = DELETE")
    for suffix in ("-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)


@pytest.mark.parametrize("name", sorted(DAMAGE))
def test_every_command_on_a_damaged_database_gives_a_message(
    runner: CliRunner, tmp_path: Path, studied: Path, name: str
) -> None:
    path = tmp_path / "progress.db"
    _checkpointed(path)
    DAMAGE[name](path)
    damaged = path.read_bytes()
    for command in COMMANDS:
        args = [part.format(deck=studied) for part in command]
        result = runner.invoke(app, args, input="\n4\nu\nq\n")
        clean(result)
    doctor = runner.invoke(app, ["doctor"])
    clean(doctor)
    assert "database:" in doctor.output
    if name in ("user_version=-10", "no undos table", "schema bytes", "truncated", "bad header"):
        assert doctor.exit_code == 1
        assert "restore" in doctor.output or "backups: none to restore" in doctor.output
    if name.startswith("flip") and doctor.exit_code == 0:
        assert "integrity: ok" in doctor.output
    del damaged


@pytest.mark.parametrize("name", ["phase=9", "due=huge", "bad state_before"])
def test_values_from_a_damaged_file_are_reported_as_damage(
    runner: CliRunner, tmp_path: Path, studied: Path, name: str
) -> None:
    path = tmp_path / "progress.db"
    DAMAGE[name](path)
    command = ["review", str(studied)]
    result = runner.invoke(app, command, input="u\nq\n")
    clean(result)
    if name != "bad state_before":
        assert result.exit_code == 1 and "quizkit doctor" in result.output
    else:
        assert "quizkit doctor" in result.output


def test_undo_of_an_answer_with_bad_json_names_doctor(tmp_path: Path) -> None:
    path = tmp_path / "p.db"
    with Store.open(path) as store:
        store.record(answer())
    _sql("UPDATE reviews SET state_before = '{not json'")(path)
    with Store.open(path) as store, pytest.raises(StoreError, match="quizkit doctor"):
        store.last_review(["deck"])


def test_doctor_reports_a_missing_table_and_offers_the_backups(
    runner: CliRunner, tmp_path: Path, studied: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QUIZKIT_NOW", DAY2)
    clean(runner.invoke(app, ["review", str(studied)], input="\n4\n"))  # takes a backup
    _sql("DROP TABLE undos")(tmp_path / "progress.db")
    result = runner.invoke(app, ["doctor"])
    assert result.exit_code == 1
    assert "undos" in result.output and "progress-2026-03-03.db" in result.output


def test_doctor_reports_answers_dropped_from_a_damaged_wal(tmp_path: Path, runner: CliRunner) -> None:
    path = tmp_path / "live.db"
    crash = tmp_path / "progress.db"
    with Store.open(path) as store:
        store.db.execute("PRAGMA wal_autocheckpoint = 0")
        store.record(answer())
        store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        for i in range(3):
            store.record(answer(card=f"late{i}"))
        shutil.copy(path, crash)  # the files as a crash leaves them: the answers only in the log
        shutil.copy(path.with_name("live.db-wal"), crash.with_name("progress.db-wal"))
    wal = crash.with_name("progress.db-wal")
    assert db.wal_problems(crash) == []  # a sound log is not called damaged
    data = bytearray(wal.read_bytes())
    data[-100] ^= 0xFF  # the last answer's frame fails its checksum
    wal.write_bytes(bytes(data))
    assert db.wal_problems(crash)
    result = runner.invoke(app, ["doctor"])
    assert result.exit_code == 1, result.output
    assert "write-ahead log" in result.output and "dropped" in result.output
    assert reviews(crash) == 3  # what SQLite keeps: the last answer is gone, as doctor said


def test_doctor_compares_the_log_with_the_card_states(
    runner: CliRunner, tmp_path: Path, studied: Path
) -> None:
    _sql("UPDATE cards SET reps = 7 WHERE card_id = 'c0'")(tmp_path / "progress.db")
    result = runner.invoke(app, ["doctor"])
    assert result.exit_code == 1
    assert "disagrees with the log" in result.output and "sim / c0" in result.output


def test_commands_in_a_real_process_on_a_damaged_database(tmp_path: Path, studied: Path) -> None:
    path = tmp_path / "progress.db"
    _checkpointed(path)
    _schema_bytes(path)
    env = {**os.environ, "QUIZKIT_DB": str(path)}
    for command in (["due", str(studied)], ["doctor"], ["review", str(studied)]):
        done = subprocess.run(
            [sys.executable, "-m", "quizkit", *command],
            env=env,
            input="\n4\n",
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 1, done
        assert "Traceback" not in done.stderr and "error" in done.stderr


def test_a_blocked_backups_folder_in_a_real_process(tmp_path: Path, studied: Path) -> None:
    (tmp_path / "backups").write_text("a file")
    env = {**os.environ, "QUIZKIT_DB": str(tmp_path / "progress.db"), "QUIZKIT_NOW": DAY2}
    done = subprocess.run(
        [sys.executable, "-m", "quizkit", "review", str(studied)],
        env=env,
        input="\n4\n",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done
    assert "Traceback" not in done.stderr
    assert reviews(tmp_path / "progress.db") == 3


# ------------------------------------------------------------------ 8: restore and orphans


def _day2_backup(runner: CliRunner, studied: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUIZKIT_NOW", DAY2)
    clean(runner.invoke(app, ["review", str(studied)], input="\n4\n"))


def test_restoring_the_database_onto_itself_is_refused_and_changes_nothing(
    runner: CliRunner, tmp_path: Path, studied: Path
) -> None:
    path = tmp_path / "progress.db"
    result = runner.invoke(app, ["doctor", "--restore", str(path)])
    clean(result)
    assert result.exit_code == 1 and "itself" in result.output
    assert path.exists() and reviews(path) == 2
    assert list(tmp_path.glob("*before-restore*")) == []


def test_restoring_through_a_symlink_keeps_the_link(
    runner: CliRunner, tmp_path: Path, studied: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = tmp_path / "progress.db"
    _day2_backup(runner, studied, monkeypatch)
    link = tmp_path / "link.db"
    link.symlink_to(real)
    (backup,) = db.backups_of(real)
    result = runner.invoke(app, ["doctor", "--db", str(link), "--restore", str(backup)])
    clean(result)
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and link.resolve() == real.resolve()
    assert reviews(real) == 2


def test_a_review_open_during_a_restore_does_not_write_to_the_moved_file(
    runner: CliRunner, tmp_path: Path, studied: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "progress.db"
    _day2_backup(runner, studied, monkeypatch)
    (backup,) = db.backups_of(path)
    with Store.open(path) as other:  # another terminal, between two answers
        db.restore(path, backup, NOW + timedelta(days=2))
        with pytest.raises(StoreError, match="replaced"):
            other.record(answer(NOW + timedelta(days=2), card="lost?"))
    (kept,) = tmp_path.glob("progress-before-restore-*.db")
    with closing(sqlite3.connect(kept)) as moved:
        assert moved.execute("SELECT count(*) FROM reviews WHERE card_id = 'lost?'").fetchone()[0] == 0


def test_restoring_while_another_quizkit_writes_is_refused(
    runner: CliRunner, tmp_path: Path, studied: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "progress.db"
    _day2_backup(runner, studied, monkeypatch)
    (backup,) = db.backups_of(path)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(StoreError, match="in use"):
            db.restore(path, backup, NOW + timedelta(days=2))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert list(tmp_path.glob("*before-restore*")) == []
    assert list(tmp_path.glob(".progress.db.restoring-*")) == []


def test_a_deck_reviewed_by_its_path_is_not_orphaned(
    runner: CliRunner, tmp_path: Path, studied: Path
) -> None:
    path = tmp_path / "progress.db"
    result = runner.invoke(app, ["doctor"])  # the deck is in no configured folder
    assert result.exit_code == 0, result.output
    assert "orphaned progress: none" in result.output
    result = runner.invoke(app, ["doctor", "--remove-orphans", "--yes"])
    clean(result)
    with closing(sqlite3.connect(path)) as connection:
        assert connection.execute("SELECT count(*) FROM cards").fetchone()[0] == 2


def test_reviewing_a_deck_by_its_path_records_the_path(
    runner: CliRunner, tmp_path: Path, studied: Path
) -> None:
    with Store.open(tmp_path / "progress.db") as store:
        assert store.deck_paths() == {"sim": {str(studied.resolve())}}
    studied.write_text(
        '[deck]\nid = "sim"\ntitle = "Sim"\n[[cards]]\nid = "c0"\nq = "Q0"\na = "A0"\n', encoding="utf-8"
    )
    result = runner.invoke(app, ["doctor"])
    assert "orphaned progress: 1 card(s)" in result.output and "sim / c1" in result.output


def test_a_recorded_deck_path_finds_real_orphans(runner: CliRunner, tmp_path: Path, studied: Path) -> None:
    path = tmp_path / "progress.db"
    with Store.open(path) as store:
        store.note_deck_paths([("sim", str(studied))], NOW)
    studied.write_text(
        '[deck]\nid = "sim"\ntitle = "Sim"\n[[cards]]\nid = "c0"\nq = "Q0"\na = "A0"\n', encoding="utf-8"
    )
    result = runner.invoke(app, ["doctor"])
    assert "orphaned progress: 1 card(s)" in result.output and "sim / c1" in result.output
    refused = runner.invoke(app, ["doctor", "--remove-orphans"])
    assert refused.exit_code == 2 and "--yes" in refused.output
    removed = runner.invoke(app, ["doctor", "--remove-orphans", "--yes"])
    assert removed.exit_code == 0, removed.output
    assert "backup taken" in removed.output
    (backup,) = (tmp_path / "backups").glob("progress-before-remove-orphans-*.db")
    with closing(sqlite3.connect(backup)) as kept:
        assert kept.execute("SELECT count(*) FROM cards").fetchone()[0] == 2
    studied.unlink()  # a deck file that is gone orphans nothing
    assert "orphaned progress: none" in runner.invoke(app, ["doctor"]).output


def test_orphans_are_not_removed_when_no_backup_can_be_taken(
    runner: CliRunner, tmp_path: Path, studied: Path
) -> None:
    path = tmp_path / "progress.db"
    with Store.open(path) as store:
        store.note_deck_paths([("sim", str(studied))], NOW)
    studied.write_text(
        '[deck]\nid = "sim"\ntitle = "Sim"\n[[cards]]\nid = "c0"\nq = "Q0"\na = "A0"\n', encoding="utf-8"
    )
    (tmp_path / "backups").write_text("a file")
    result = runner.invoke(app, ["doctor", "--remove-orphans", "--yes"])
    clean(result)
    assert result.exit_code == 1 and "nothing was removed" in result.output
    with closing(sqlite3.connect(path)) as connection:
        assert connection.execute("SELECT count(*) FROM cards").fetchone()[0] == 2


@pytest.mark.parametrize(("reply", "left"), [("n\n", 2), ("y\n", 1)])
def test_removing_orphans_in_a_terminal_asks_first(
    runner: CliRunner, tmp_path: Path, studied: Path, reply: str, left: int
) -> None:
    import io

    from rich.console import Console

    from quizkit.app.doctor import doctor
    from quizkit.app.env import Environment

    path = tmp_path / "progress.db"
    with Store.open(path) as store:
        store.note_deck_paths([("sim", str(studied))], NOW)
    studied.write_text(
        '[deck]\nid = "sim"\ntitle = "Sim"\n[[cards]]\nid = "c0"\nq = "Q0"\na = "A0"\n', encoding="utf-8"
    )
    out = io.StringIO()
    env = Environment(
        stdout=Console(file=out, width=80),
        stderr=Console(file=out, width=80),
        stdin=io.StringIO(reply),
        stdin_isatty=True,
        db_path=path,
        clock=lambda: NOW,
    )
    assert doctor(env, remove_orphans=True) == 0
    assert "forget the scheduling state of 1 card(s)? [y/N]" in out.getvalue()
    with closing(sqlite3.connect(path)) as connection:
        assert connection.execute("SELECT count(*) FROM cards").fetchone()[0] == left
