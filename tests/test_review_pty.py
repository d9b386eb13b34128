"""A real review in a pseudo-terminal: single keys, no Enter, then what the store holds."""

from __future__ import annotations

import os
import sqlite3
import sys
from pathlib import Path

import pexpect
import pytest

DECK = """
[deck]
id = "pty"
title = "PTY deck"

[[cards]]
id = "first"
q = "First question?"
a = "First answer"

[[cards]]
id = "second"
q = "Second question?"
a = "Second answer"

[[cards]]
id = "third"
q = "Is water wet?"
a = true
"""


@pytest.mark.slow
def test_keys_reveal_rate_undo_and_quit_in_a_real_terminal(tmp_path: Path) -> None:
    deck = tmp_path / "pty.toml"
    deck.write_text(DECK, encoding="utf-8")
    db = tmp_path / "p.db"
    env = {**os.environ, "QUIZKIT_DB": str(db), "TERM": "xterm-256color", "COLUMNS": "80", "LINES": "30"}
    env.pop("NO_COLOR", None)
    child = pexpect.spawn(
        sys.executable,
        ["-m", "quizkit", "review", str(deck)],
        env=env,
        encoding="utf-8",
        timeout=20,
        dimensions=(30, 80),
    )
    try:
        child.expect("First question")
        child.expect("show answer")
        child.send(" ")  # one key, no Enter
        child.expect("First answer")
        child.expect("Easy")
        child.send("3")
        child.expect("Second question")
        child.expect("show answer")
        child.send(" ")
        child.expect("Second answer")
        child.send("1")
        child.expect("Is water wet")
        child.send("u")  # undo the previous answer: the second card comes back
        child.expect("undone: Second question")
        child.expect("Second question")
        child.send(" ")
        child.expect("Second answer")
        child.send("4")
        child.expect("Is water wet")
        child.send("t")
        child.expect("Right")
        child.send("q")
        child.expect("session over")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0
    connection = sqlite3.connect(db)
    reviews = connection.execute("SELECT card_id, rating FROM reviews ORDER BY id").fetchall()
    undone = connection.execute(
        "SELECT r.card_id, r.rating FROM undos u JOIN reviews r ON r.id = u.review_id"
    ).fetchall()
    states = dict(connection.execute("SELECT card_id, phase FROM cards").fetchall())
    connection.close()
    assert reviews == [("first", 3), ("second", 1), ("second", 4)]
    assert undone == [("second", 1)]
    assert states == {"first": 1, "second": 2}  # Good: learning step 2; Easy: review
