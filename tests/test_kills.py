"""kill -9 at random moments of real reviews: no confirmed answer is ever lost or doubled.

A review runs in a pseudo-terminal and is killed (SIGKILL) at a random moment: at start-up
(while the database is created or migrated), on reveal, just after a rating key, or during the
day's first answer (when the daily backup is taken). An answer is confirmed when the next card
is on the screen. After every kill the database passes SQLite's integrity check, holds every
confirmed answer exactly once at most one more (the one in flight), and every card's state is
what its review log replays to. Seeded, bounded: 60 kills in about a minute.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import sys
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import pexpect
import pytest

from tests_support import assert_log_replays

CARDS = 120
KILLS = 60


def write_deck(path: Path) -> None:
    blocks = [f'[[cards]]\nid = "c{i}"\nq = "Question {i}?"\na = "Answer {i}"\n' for i in range(CARDS)]
    path.write_text('[deck]\nid = "kills"\ntitle = "Kills"\nnew_per_day = 1000\n\n' + "\n".join(blocks))


def check(db: Path, confirmed: Counter[tuple[str, int]], in_flight: int) -> None:
    connection = sqlite3.connect(db)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        if connection.execute("PRAGMA user_version").fetchone()[0] == 0:
            # Killed while the new database was being created: its first migration is one
            # transaction, so it is empty, and the next start creates it again.
            assert not confirmed
            assert connection.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0
            return
    finally:
        connection.close()
    logged = Counter(assert_log_replays(db))
    lost = confirmed - logged
    assert not lost, f"confirmed answers missing from the log: {dict(lost)}"
    extra = sum(logged.values()) - sum(confirmed.values())
    assert 0 <= extra <= in_flight, "more answers logged than were given"


@pytest.mark.slow
def test_random_kills_never_lose_a_confirmed_answer(tmp_path: Path) -> None:
    rng = random.Random(2026)
    deck = tmp_path / "kills.toml"
    write_deck(deck)
    db = tmp_path / "p.db"
    confirmed: Counter[tuple[str, int]] = Counter()
    in_flight = 0  # ratings sent whose next card was never seen: logged or not, both are right
    start = datetime(2026, 3, 2, 9, 0)
    kills = 0
    for run in range(KILLS):
        now = start + timedelta(days=run // 6, minutes=run)  # a new study day every 6 runs: backups
        env = {
            **os.environ,
            "QUIZKIT_DB": str(db),
            "XDG_CACHE_HOME": str(tmp_path / "cache"),
            "QUIZKIT_NOW": now.isoformat() + "+00:00",
            "TERM": "dumb",
            "NO_COLOR": "1",
        }
        child = pexpect.spawn(
            sys.executable, ["-m", "quizkit", "review", str(deck)], env=env, encoding="utf-8", timeout=15
        )
        try:
            moment = rng.random()
            if moment < 0.15:  # while starting: creating, migrating or opening the database
                time.sleep(rng.uniform(0.05, 0.4))
            else:
                child.expect(r"Question (\d+)\?")
                card = f"c{child.match.group(1)}"
                for _ in range(rng.randint(0, 4)):
                    child.expect("quit")
                    child.send(" ")
                    child.expect("Again")
                    rating = rng.choice([1, 3, 3, 4])
                    child.send(str(rating))
                    index = child.expect([r"Question (\d+)\?", "Nothing", "come back", pexpect.EOF])
                    if index != 0:
                        in_flight += 1  # answered, but no next card to confirm it by
                        break
                    confirmed[(card, rating)] += 1  # the next card is on the screen
                    card = f"c{child.match.group(1)}"
                if rng.random() < 0.5:  # kill right after a key, before its answer shows
                    child.expect("quit")
                    child.send(" ")
                    if rng.random() < 0.5:
                        child.expect("Again")
                        child.send(str(rng.choice([1, 3, 4])))
                        in_flight += 1
                time.sleep(rng.uniform(0, 0.05))
            if child.isalive():
                os.kill(child.pid, signal.SIGKILL)
                kills += 1
            child.expect(pexpect.EOF)
        finally:
            child.close(force=True)
        if db.exists():
            check(db, confirmed, in_flight)
    assert kills >= 50
    assert sum(confirmed.values()) >= 60  # the runs did answer cards
