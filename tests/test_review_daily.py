"""The daily review's finishing touches (issue 14), as a learner meets them in line mode, and the
key decoder fed through a real pseudo-terminal."""

from __future__ import annotations

import os
import sqlite3
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from quizkit.cli import app
from quizkit.ui.terminal import Event, TerminalKeys

DECK = """\
[deck]
id = "daily"
title = "Daily"

[[cards]]
id = "first"
q = "First question?"
a = "First answer"

[[cards]]
id = "second"
q = "Second question?"
a = "Second answer"

[[cards]]
id = "pick"
q = "Which are rivers?"
choices = ["Nile", "Rhine", "Alps", "Andes"]
a = ["Nile", "Rhine"]

[[cards]]
id = "sizes"
q = "Order by size, smallest first."
order = ["mouse", "cat", "horse"]
"""


@pytest.fixture
def deck(tmp_path: Path) -> Path:
    path = tmp_path / "daily.toml"
    path.write_text(DECK, encoding="utf-8")
    return path


def review(runner: CliRunner, deck: Path, lines: list[str], *extra: str, now: str | None = None) -> str:
    env = {"QUIZKIT_NOW": now} if now else {}
    result = runner.invoke(
        app, ["review", str(deck), *extra], input="".join(f"{line}\n" for line in lines), env=env
    )
    assert result.exit_code == 0, result.output
    return result.output


def rows(tmp_path: Path, query: str) -> list[tuple[object, ...]]:
    connection = sqlite3.connect(tmp_path / "progress.db")
    try:
        return connection.execute(query).fetchall()
    finally:
        connection.close()


# ---------------------------------------------------------------- one undo stack


def test_u_after_a_bury_brings_the_buried_card_back_not_the_previous_rating(
    runner: CliRunner, deck: Path, tmp_path: Path
) -> None:
    # first: reveal, Good; second: bury; :u at the next card (a typed answer in line mode): the
    # bury is undone and second comes back (not first).
    out = review(runner, deck, ["", "3", "s", ":u", ""])
    assert "buried until tomorrow: Second question?" in out
    assert "bury undone: Second question?" in out
    assert out.rindex("Second question?") > out.index("bury undone")
    assert rows(tmp_path, "SELECT card_id, rating FROM reviews") == [("first", 3)]
    assert rows(tmp_path, "SELECT count(*) FROM undos") == [(0,)]
    assert rows(tmp_path, "SELECT card_id, action, undone_at IS NOT NULL FROM changes") == [
        ("second", "bury", 1)
    ]
    assert rows(tmp_path, "SELECT card_id FROM cards ORDER BY card_id") == [("first",)]


def test_a_suspension_is_undone_even_after_a_restart(runner: CliRunner, deck: Path, tmp_path: Path) -> None:
    review(runner, deck, ["!", "q"])  # suspend the first card, quit
    assert rows(tmp_path, "SELECT card_id, suspended FROM cards") == [("first", 1)]
    out = review(runner, deck, ["u", "q"])  # a new session: u takes the suspension back
    assert "suspension undone: First question?" in out
    assert rows(tmp_path, "SELECT card_id FROM cards") == []  # as before: never studied
    out = review(runner, deck, ["u", "q"])
    assert "nothing to undo" in out


def test_the_stack_unwinds_in_order_answers_and_changes_alike(
    runner: CliRunner, deck: Path, tmp_path: Path
) -> None:
    # rate first, suspend second, then undo twice: the suspension first, then the rating.
    out = review(runner, deck, ["", "3", "!", ":u", "u", "q"])
    assert out.index("suspension undone: Second question?") < out.index("undone: First question?")
    assert rows(tmp_path, "SELECT count(*) FROM undos") == [(1,)]
    assert rows(tmp_path, "SELECT count(*) FROM cards") == [(0,)]


def test_s_and_bang_work_once_the_answer_is_shown(runner: CliRunner, deck: Path, tmp_path: Path) -> None:
    out = review(runner, deck, ["", "s", "", "!", "q"])
    assert "buried until tomorrow: First question?" in out
    assert "suspended: Second question?" in out
    assert rows(tmp_path, "SELECT count(*) FROM reviews") == [(0,)]
    states = rows(tmp_path, "SELECT card_id, suspended, buried_until IS NOT NULL FROM cards ORDER BY card_id")
    assert states == [("first", 0, 1), ("second", 1, 0)]


def test_an_edit_is_undone_by_u_and_the_deck_file_is_as_before(
    runner: CliRunner, deck: Path, tmp_path: Path
) -> None:
    script = tmp_path / "editor.py"
    script.write_text(
        "import sys, pathlib\n"
        "p = pathlib.Path(sys.argv[-1])\n"
        "p.write_text(p.read_text().replace('First question?', 'Edited question?'))\n",
        encoding="utf-8",
    )
    before = deck.read_bytes()
    result = runner.invoke(
        app,
        ["review", str(deck)],
        input="e\n\nu\nq\n",
        env={"EDITOR": f"{sys.executable} {script}"},
    )
    assert result.exit_code == 0, result.output
    assert "deck reloaded (u undoes the edit)" in result.output
    assert "Edited question?" in result.output
    assert f"undone: the edit of {deck}" in " ".join(result.output.split())
    assert deck.read_bytes() == before


def test_a_missing_editor_says_so(runner: CliRunner, deck: Path, tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["review", str(deck)], input="e\nq\n", env={"EDITOR": str(tmp_path / "nano-not-here")}
    )
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "could not start the editor nano-not-here: No such file or directory" in said
    assert "Set $VISUAL or $EDITOR to an editor you have" in said


# ---------------------------------------------------------------- verdicts and messages


def shown_order(deck: Path, card_id: str) -> list[str]:
    """The options as the review shows them (shuffled the same way for the same card and count)."""
    from quizkit.app.review import _display_order
    from quizkit.io import deck_files

    card = next(c for c in deck_files.load_deck(deck).cards if c.id == card_id)
    return _display_order(card, ("daily", card_id), 0)


def test_a_partly_right_multi_answer_says_why(runner: CliRunner, deck: Path) -> None:
    shown = shown_order(deck, "pick")
    nile = shown.index("Nile") + 1
    out = review(runner, deck, ["s", "s", str(nile), "", "q"])  # one of the two rivers
    assert "~ Partly right (1 of 2 right answers picked: 50% of the marks)" in out


def test_a_partly_right_order_says_why(runner: CliRunner, deck: Path) -> None:
    shown = shown_order(deck, "sizes")
    mouse, cat, horse = (shown.index(item) + 1 for item in ("mouse", "cat", "horse"))
    out = review(runner, deck, ["s", "s", ":s", f"{mouse} {horse} {cat}", "", "q"])
    assert "~ Partly right (1 of 3 in the right place: 33% of the marks)" in out


def test_a_deck_whose_only_card_is_suspended_says_so(runner: CliRunner, tmp_path: Path) -> None:
    deck = tmp_path / "one.toml"
    deck.write_text('[deck]\nid = "one"\ntitle = "One"\n[[cards]]\nid = "c"\nq = "Q?"\na = "A"\n')
    review(runner, deck, ["!", "q"])
    out = review(runner, deck, [])
    assert "Nothing is due now." in out
    assert "1 card is suspended (quizkit unsuspend DECK --all brings them back)." in out
    assert "No cards are scheduled yet" not in out


def test_due_tomorrow_leaves_out_todays_learning_cards(runner: CliRunner, deck: Path) -> None:
    out = review(runner, deck, ["", "3", "", "1", "q"])  # two learning cards, due again in minutes
    assert "due tomorrow  0" in out


# ---------------------------------------------------------------- screen readers


def test_plain_mode_draws_no_boxes_and_labels_each_part(runner: CliRunner, deck: Path) -> None:
    out = review(runner, deck, ["", "3", "?", "q"], "--plain")
    assert not set(out) & set("╭╮╰╯│─┌┐└┘")
    assert "Question, question:" in out
    assert "Answer:" in out
    assert "Keys:" in out
    assert "Session over:" in out


def test_quizkit_plain_1_is_the_same(runner: CliRunner, deck: Path) -> None:
    result = runner.invoke(app, ["review", str(deck)], input="\n3\nq\n", env={"QUIZKIT_PLAIN": "1"})
    assert result.exit_code == 0
    assert not set(result.output) & set("╭╮╰╯│─")


# ---------------------------------------------------------------- keys, byte by byte


@pytest.fixture
def pty_keys():  # type: ignore[no-untyped-def]
    """TerminalKeys reading the slave side of a pseudo-terminal this test creates."""
    master, slave = os.openpty()
    stream = os.fdopen(slave, "r", encoding="utf-8", closefd=False)
    sink = os.fdopen(master, "w", closefd=False)
    keys = TerminalKeys(stream, sink)
    try:
        yield keys, master
    finally:
        stream.close()
        sink.close()
        os.close(slave)
        os.close(master)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        (b"\x1b[A", [Event.UP]),
        (b"\x1b[B\x1b[C\x1b[D", [Event.DOWN, Event.RIGHT, Event.LEFT]),
        (b"\x1bOA", [Event.UP]),  # application cursor mode
        (b"\x1b[5~\x1b[6~", [Event.PAGE_UP, Event.PAGE_DOWN]),
        (b"\x1b[1;5A", [Event.UP]),  # Ctrl+Up
        (b"\x1b[15~", [Event.OTHER]),  # F5
        (b"\x1bOP", [Event.OTHER]),  # F1
        (b"\x1bx", [Event.OTHER]),  # Alt+x
        (b"\x1b", [Event.ESCAPE]),  # Esc alone: nothing follows
        (b" 3 3", [Event.SPACE, "3", Event.SPACE, "3"]),  # typed ahead: nothing dropped
        (b"\x1b[Aq", [Event.UP, "q"]),
        ("é!".encode(), ["é", "!"]),
        (b"\x01", [Event.OTHER]),  # Ctrl-A is no command
    ],
)
def test_keys_are_decoded_whole(pty_keys, typed: bytes, expected: list[object]) -> None:  # type: ignore[no-untyped-def]
    keys, master = pty_keys
    with keys.hold():
        os.write(master, typed)
        got = [keys.key() for _ in expected]
    assert got == expected


def test_holding_the_terminal_keeps_keys_typed_before_it(pty_keys) -> None:  # type: ignore[no-untyped-def]
    keys, master = pty_keys
    os.write(master, b" 3")  # typed before the session takes single keys
    with keys.hold():
        assert [keys.key(), keys.key()] == [Event.SPACE, "3"]


@pytest.mark.slow
def test_keys_from_a_terminal_and_output_to_a_pipe_print_lines(deck: Path, tmp_path: Path) -> None:
    """`quizkit review | tee log`: single keys still work, but nothing draws a screen into the pipe."""
    import shlex

    import pexpect

    log = tmp_path / "log.txt"
    command = f"{shlex.quote(sys.executable)} -m quizkit review {shlex.quote(str(deck))} | tee {shlex.quote(str(log))}"
    env = {**os.environ, "QUIZKIT_DB": str(tmp_path / "progress.db"), "TERM": "xterm-256color"}
    child = pexpect.spawn("bash", ["--norc", "-c", command], env=env, encoding="utf-8", timeout=20)
    try:
        child.expect("show answer")
        child.send(" ")
        child.expect("Again")
        child.send("3")
        child.expect("Second question")
        child.send("q")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    text = log.read_text(encoding="utf-8")
    assert "\x1b[?1049h" not in text and "\x1b[H" not in text  # no alternate screen, no cursor moves
    assert "First answer" in text and "session over" in text
    assert rows(tmp_path, "SELECT card_id, rating FROM reviews") == [("first", 3)]


def test_a_quiz_in_plain_mode_draws_no_boxes(runner: CliRunner, deck: Path) -> None:
    result = runner.invoke(
        app, ["quiz", str(deck), "--count", "2", "--seed", "1", "--plain"], input="x\nw\nx\nw\n\n"
    )
    assert result.exit_code == 0, result.output
    assert not set(result.output) & set("╭╮╰╯│─┏┓┗┛┃━┡┩")
    assert "Question, " in result.output and "exam: Daily:" in result.output


def test_command_keys_win_over_choice_letters(runner: CliRunner, tmp_path: Path) -> None:
    """On a choice card of five options, 'e' would also name option E: in review it is the edit
    key, as the footer says (the options are numbered 1-5). Found by the deck revision (issue 16)."""
    deck = tmp_path / "five.toml"
    deck.write_text(
        '[deck]\nid = "five"\ntitle = "Five"\n[[cards]]\nid = "c"\nq = "Pick?"\n'
        'choices = ["A1", "B2", "C3", "D4", "E5"]\na = "A1"\n',
        encoding="utf-8",
    )
    result = runner.invoke(
        app, ["review", str(deck)], input="e\ns\n", env={"EDITOR": str(tmp_path / "no-editor")}
    )
    assert result.exit_code == 0, result.output
    assert "could not start the editor no-editor" in " ".join(result.output.split())
    assert "buried until tomorrow: Pick?" in result.output
    assert rows(tmp_path, "SELECT count(*) FROM reviews") == [(0,)]
