"""Mock exams in a real pseudo-terminal: Ctrl-C never hands an exam in, a typed answer is an answer
whatever it spells, the countdown moves while the learner types, and marks are single keys."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import sys
import time
from pathlib import Path

import pexpect
import pytest

pytestmark = pytest.mark.slow

DECK = """
[deck]
id = "ptyexam"
title = "PTY exam"

[[cards]]
id = "word"
q = "Which word ends a countdown?"
a = "timeout"
type = "typed"

[[cards]]
id = "tf"
q = "Is water wet?"
a = true
"""


def spawn(tmp_path: Path, *args: str, clock: bool = False) -> pexpect.spawn:  # type: ignore[type-arg]
    deck = tmp_path / "exam.toml"
    deck.write_text(DECK, encoding="utf-8")
    env = {**os.environ, "QUIZKIT_DB": str(tmp_path / "p.db"), "TERM": "xterm-256color", "COLUMNS": "80"}
    env.pop("NO_COLOR", None)
    if clock:
        env.pop("QUIZKIT_NOW", None)  # the real clock: the time limit must run out
    return pexpect.spawn(
        sys.executable,
        ["-m", "quizkit", "quiz", str(deck), "--seed", "1", *args],
        env=env,
        encoding="utf-8",
        timeout=20,
        dimensions=(40, 80),
    )


def saved_exams(tmp_path: Path) -> int:
    db = tmp_path / "p.db"
    if not db.exists():
        return 0
    connection = sqlite3.connect(db)
    try:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
        return connection.execute("SELECT count(*) FROM quizzes").fetchone()[0] if "quizzes" in tables else 0
    finally:
        connection.close()


def finish(child: pexpect.spawn) -> int:  # type: ignore[type-arg]
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus is not None
    return child.exitstatus


def answer(child: pexpect.spawn, prompt: str) -> None:  # type: ignore[type-arg]
    """Answer whichever question is shown (the draw's order is the seed's)."""
    index = child.expect(["Which word ends", "Is water wet"])
    child.expect("> ")
    child.sendline("timeout" if index == 0 else "t")


def test_ctrl_c_at_a_question_asks_and_a_second_one_abandons(tmp_path: Path) -> None:
    child = spawn(tmp_path, "--time", "5m")
    try:
        child.expect("question 1 of 2")
        child.expect("left\\] > ")
        child.send("half an ans")
        child.sendintr()
        child.expect("abandon this exam\\? nothing is saved \\(Ctrl-C again to abandon, Enter to go on\\)")
        child.send("\r")  # go on: the same question again
        child.expect("question 1 of 2")
        child.expect("left\\] > ")
        child.sendintr()
        child.expect("abandon this exam")
        child.sendintr()
        child.expect("Exam abandoned; nothing was saved.")
        assert finish(child) == 0
    finally:
        child.close()
    assert saved_exams(tmp_path) == 0


def test_ctrl_c_at_the_submit_prompt_never_hands_in(tmp_path: Path) -> None:
    child = spawn(tmp_path)  # no time limit: the line is read with editing, as in a shell
    try:
        answer(child, "> ")
        answer(child, "> ")
        child.expect("All answered. Submit\\?")
        child.expect("> ")
        child.sendintr()
        child.expect("abandon this exam")
        child.sendintr()
        child.expect("Exam abandoned; nothing was saved.")
        assert finish(child) == 0
    finally:
        child.close()
    assert saved_exams(tmp_path) == 0


def test_going_on_after_ctrl_c_and_submitting_saves_the_typed_word_timeout(tmp_path: Path) -> None:
    report = tmp_path / "r.json"
    child = spawn(tmp_path, "--time", "5m", "--report", str(report))
    try:
        answer(child, "left] > ")
        answer(child, "left] > ")
        child.expect("All answered. Submit\\?")
        child.expect("> ")
        child.sendintr()
        child.expect("abandon this exam")
        child.send("\r")
        child.expect("All answered. Submit\\?")
        child.expect("> ")
        child.send("\r")
        child.expect("Score: 100%")
        assert finish(child) == 0
    finally:
        child.close()
    assert saved_exams(tmp_path) == 1
    items = {item["card"]: item for item in json.loads(report.read_text(encoding="utf-8"))["items"]}
    assert (items["word"]["answer_given"], items["word"]["verdict"]) == ("timeout", "right")


def test_a_ten_second_exam_counts_down_while_the_learner_types(tmp_path: Path) -> None:
    report = tmp_path / "r.json"
    child = spawn(tmp_path, "--time", "10s", "--report", str(report), clock=True)
    started = time.monotonic()
    try:
        child.expect("question 1 of 2")
        child.expect("\\[00:(09|10) left\\] > ")
        child.send("half")  # typed while the clock runs: kept on the line as it is redrawn
        child.expect("\\[00:07 left\\] > half")
        child.expect("\\[00:05 left\\] > half")
        child.expect("Time is up", timeout=15)
        child.expect("Score: 0%")
        assert finish(child) == 0
    finally:
        child.close()
    assert 9 <= time.monotonic() - started < 20
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["timed_out"] is True
    first = data["items"][0]
    assert first["verdict"] == "unanswered"
    assert sum(item["seconds"] for item in data["items"]) >= 9  # the open question's time is kept


def test_a_basic_card_is_marked_with_one_key(tmp_path: Path) -> None:
    deck = tmp_path / "basic.toml"
    deck.write_text(
        '[deck]\nid = "b"\ntitle = "B"\n\n[[cards]]\nid = "ttp"\nq = "What is the TTP?"\n'
        'a = "Tehrik-i-Taliban Pakistan"\nreverse = true\n',
        encoding="utf-8",
    )
    report = tmp_path / "r.json"
    env = {**os.environ, "QUIZKIT_DB": str(tmp_path / "p.db"), "TERM": "xterm-256color"}
    child = pexpect.spawn(
        sys.executable,
        ["-m", "quizkit", "quiz", str(deck), "--seed", "1", "--report", str(report)],
        env=env,
        encoding="utf-8",
        timeout=20,
        dimensions=(40, 80),
    )
    marks = {}
    try:
        for _ in range(2):
            shown = child.expect(["What is the TTP\\?", "Tehrik-i-Taliban Pakistan"])
            child.expect("> ")
            child.sendline("TTP")
            child.expect("partly right")
            mark = "w" if shown == 0 else "r"
            marks["ttp" if shown == 0 else "ttp.rev"] = mark
            child.send(mark)  # one key, no Enter
        child.expect("All answered. Submit\\?")
        child.expect("> ")
        child.sendline("")
        child.expect(re.escape("(1 of 2 right; 2 marked by you)"))
        assert finish(child) == 0
    finally:
        child.close()
    items = {item["card"]: item for item in json.loads(report.read_text(encoding="utf-8"))["items"]}
    assert {card: item["verdict"] for card, item in items.items()} == {
        card: "right" if mark == "r" else "wrong" for card, mark in marks.items()
    }
    assert all(item["self_graded"] for item in items.values())


def test_ctrl_c_at_a_mark_asks_too(tmp_path: Path) -> None:
    deck = tmp_path / "basic.toml"
    deck.write_text('[deck]\nid = "b"\ntitle = "B"\n\n[[cards]]\nq = "What is the TTP?"\na = "A group"\n')
    env = {**os.environ, "QUIZKIT_DB": str(tmp_path / "p.db"), "TERM": "xterm-256color"}
    child = pexpect.spawn(
        sys.executable, ["-m", "quizkit", "quiz", str(deck)], env=env, encoding="utf-8", timeout=20
    )
    try:
        child.expect("> ")
        child.sendline("no idea")
        child.expect("partly right")
        child.sendintr()
        child.expect("abandon this exam")
        child.send("\r")  # go on: the mark is still asked
        child.send("x")
        child.expect("mark your answer: r right, p partly right, w wrong")
        child.sendintr()
        child.expect("abandon this exam")
        child.sendintr()
        child.expect("Exam abandoned; nothing was saved.")
        assert finish(child) == 0
    finally:
        child.close()
    assert saved_exams(tmp_path) == 0


def test_time_runs_out_at_a_mark_and_the_exam_is_handed_in(tmp_path: Path) -> None:
    """The deadline does not wait for a key: at the mark prompt the exam is handed in when time is
    up, the unmarked answer left unanswered."""
    deck = tmp_path / "basic.toml"
    deck.write_text(
        '[deck]\nid = "b"\ntitle = "B"\n\n[[cards]]\nid = "ttp"\nq = "What is the TTP?"\na = "A group"\n'
    )
    report = tmp_path / "r.json"
    env = {**os.environ, "QUIZKIT_DB": str(tmp_path / "p.db"), "TERM": "xterm-256color"}
    env.pop("QUIZKIT_NOW", None)
    child = pexpect.spawn(
        sys.executable,
        ["-m", "quizkit", "quiz", str(deck), "--time", "3s", "--report", str(report)],
        env=env,
        encoding="utf-8",
        timeout=20,
    )
    try:
        child.expect("> ")
        child.sendline("no idea")
        child.expect("partly right")
        started = time.monotonic()
        child.expect("Time is up", timeout=10)  # no key pressed
        assert time.monotonic() - started < 5
        assert finish(child) == 0
    finally:
        child.close()
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["timed_out"] is True and data["items"][0]["verdict"] == "unanswered"
