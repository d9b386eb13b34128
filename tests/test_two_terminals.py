"""Two terminals reviewing the same deck at once: real processes, each in its own pseudo-terminal.

An answer is computed from the card's state in the store, not the state the session loaded,
and `u` takes back only its own terminal's answer, and only while nobody has answered the card
since. Afterwards every card's state is what its review log replays to.
"""

from __future__ import annotations

import os
import sqlite3
import sys
from pathlib import Path

import pexpect
import pytest

from tests_support import assert_log_replays

DECK = """
[deck]
id = "two"
title = "Two terminals"

[[cards]]
id = "first"
q = "First question?"
a = "First answer"

[[cards]]
id = "second"
q = "Second question?"
a = "Second answer"
"""


def terminal(tmp_path: Path, deck: Path) -> pexpect.spawn:
    env = {
        **os.environ,
        "QUIZKIT_DB": str(tmp_path / "p.db"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "QUIZKIT_NOW": "2026-03-02T09:00:00+00:00",
        "TERM": "dumb",
        "NO_COLOR": "1",
    }
    child = pexpect.spawn(
        sys.executable, ["-m", "quizkit", "review", str(deck)], env=env, encoding="utf-8", timeout=20
    )
    child.expect("First question")
    child.expect("quit")
    return child


@pytest.mark.slow
def test_two_terminals_answer_the_same_card_and_undo_only_their_own(tmp_path: Path) -> None:
    deck = tmp_path / "two.toml"
    deck.write_text(DECK, encoding="utf-8")
    a = terminal(tmp_path, deck)
    b = terminal(tmp_path, deck)
    try:
        # Both show the first card as new. A rates it Good; then B, still showing it as new, Again.
        a.send(" ")
        a.expect("First answer")
        a.send("3")
        a.expect("Second question")
        b.send(" ")
        b.expect("First answer")
        b.send("1")
        b.expect("Second question")
        # A's latest answer was answered over by B: A's undo must not touch it.
        a.send("u")
        a.expect("answered since, in another terminal")
        # B's undo takes back B's answer, and leaves A's.
        b.send("u")
        b.expect("undone: First question")
        for child in (a, b):
            child.send("q")
            child.expect(pexpect.EOF)
    finally:
        a.close(force=True)
        b.close(force=True)
    db = tmp_path / "p.db"
    connection = sqlite3.connect(db)
    try:
        rows = connection.execute(
            """SELECT r.rating, r.origin, json_extract(r.state_before, '$.reps'),
                      EXISTS (SELECT 1 FROM undos u WHERE u.review_id = r.id)
               FROM reviews r ORDER BY r.id"""
        ).fetchall()
    finally:
        connection.close()
    (a_rating, a_origin, a_reps, a_undone), (b_rating, b_origin, b_reps, b_undone) = rows
    assert (a_rating, a_reps, a_undone) == (3, 0, 0)  # A's Good, from the new card, kept
    assert (b_rating, b_reps, b_undone) == (1, 1, 1)  # B's Again, computed from A's answer, undone
    assert a_origin != b_origin and a_origin and b_origin
    assert_log_replays(db)
