"""The review session as a learner meets it: line mode through CliRunner, and inert deck text."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from quizkit.cli import app

DECK = """
[deck]
id = "mini"
title = "Mini"

[[cards]]
id = "basic"
q = "Capital of France?"
a = "Paris"
explain = "Paris has been the capital since 987."
source = "Atlas"

[[cards]]
id = "typed"
q = "Year the Taliban took Kabul?"
a = "1996"
accept = ["in 1996"]

[[cards]]
id = "choice"
q = "Which river flows through Cairo?"
choices = ["Nile", "Niger", "Congo", "Zambezi"]
a = "Nile"

[[cards]]
id = "tf"
q = "The Pacific is the largest ocean."
a = true

[[cards]]
id = "order"
q = "Order by size, smallest first."
order = ["mouse", "cat", "horse"]
"""


@pytest.fixture
def deck(tmp_path: Path) -> Path:
    path = tmp_path / "mini.toml"
    path.write_text(DECK, encoding="utf-8")
    return path


def db_rows(query: str, db: Path) -> list[tuple[object, ...]]:
    connection = sqlite3.connect(db)
    try:
        return connection.execute(query).fetchall()
    finally:
        connection.close()


def run(runner: CliRunner, deck: Path, lines: list[str], *extra: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, ["review", str(deck), *extra], input="".join(f"{line}\n" for line in lines))


def test_line_mode_reviews_every_kind_and_saves_each_answer(
    runner: CliRunner, deck: Path, tmp_path: Path
) -> None:
    lines = [
        "",  # basic: reveal
        "3",  # rate Good
        "in 1997",  # typed: wrong (years never pass as typos)
        "",  # accept the proposed Again
        "",  # choice: an empty line is not an answer...
        "9",  # ...nor is a number out of range
        "1",  # pick option 1 (whatever the shuffle put there)
        "4",  # override the proposed rating with Easy
        "t",  # true/false: right
        "",  # accept Good
    ]
    result = run(runner, deck, lines)
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Mini  5 new · 0 learning · 0 review" in out
    assert "answer: Paris" in out and "Paris has been the capital since 987." in out
    assert "✗ Wrong" in out and "typed  in 1997" in out
    assert "1 Again 1m · 2 Hard 6m · 3 Good 10m · 4 Easy" in out
    assert "session over" in out
    db = tmp_path / "progress.db"
    rows = db_rows("SELECT card_id, rating, proposed, answer, correct, mode FROM reviews ORDER BY id", db)
    assert rows[0] == ("basic", 3, None, None, 1, "review")
    assert rows[1] == ("typed", 1, 1, "in 1997", 0, "review")
    assert rows[2][0] == "choice" and rows[2][1] == 4 and rows[2][2] in (1, 3)  # override logged
    assert rows[3] == ("tf", 3, 3, "true", 1, "review")
    assert len(rows) == 4  # input ended during the order card: nothing half-saved


def test_end_of_input_saves_and_exits_zero(runner: CliRunner, deck: Path, tmp_path: Path) -> None:
    result = run(runner, deck, ["", "3"])
    assert result.exit_code == 0
    assert db_rows("SELECT count(*) FROM reviews", tmp_path / "progress.db") == [(1,)]
    again = run(runner, deck, [])
    assert "Mini  4 new · 1 learning · 0 review" in again.output


def test_undo_in_line_mode_restores_the_card(runner: CliRunner, deck: Path, tmp_path: Path) -> None:
    result = run(runner, deck, ["", "3", ":u", "", "1"])
    assert result.exit_code == 0, result.output
    assert "undone: Capital of France?" in result.output
    db = tmp_path / "progress.db"
    rows = db_rows("SELECT id, card_id, rating FROM reviews ORDER BY id", db)
    assert [r[1:] for r in rows] == [("basic", 3), ("basic", 1)]
    assert db_rows("SELECT review_id FROM undos", db) == [(rows[0][0],)]
    assert db_rows("SELECT card_id, reps FROM cards", db) == [("basic", 1)]


def test_undo_works_across_a_restart(runner: CliRunner, deck: Path, tmp_path: Path) -> None:
    run(runner, deck, ["", "4"])
    result = run(runner, deck, [":u", "q"])
    assert "undone: Capital of France?" in result.output
    assert db_rows("SELECT count(*) FROM cards", tmp_path / "progress.db") == [(0,)]


def test_bury_and_suspend_keys(runner: CliRunner, deck: Path, tmp_path: Path) -> None:
    result = run(runner, deck, ["s", ":!"])
    assert "buried until tomorrow" in result.output and "suspended" in result.output
    rows = db_rows(
        "SELECT card_id, suspended, buried_until IS NOT NULL FROM cards ORDER BY card_id",
        tmp_path / "progress.db",
    )
    assert rows == [("basic", 0, 1), ("typed", 1, 0)]


def test_typo_is_accepted_and_shown(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "t.toml"
    path.write_text(
        '[deck]\ntitle = "T"\n[[cards]]\nid = "omar"\nq = "Leader?"\na = "Mullah Omar"\ntype = "typed"\n',
        encoding="utf-8",
    )
    result = run(runner, path, ["Mulah Omar", ""])
    assert "✓ Right (typo)" in result.output
    assert "your typo: Mu[+l]lah Omar" in result.output


def test_nothing_due_says_when_the_next_card_comes(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "t.toml"
    path.write_text('[deck]\ntitle = "T"\n[[cards]]\nid = "a"\nq = "Q"\na = "A"\n', encoding="utf-8")
    run(runner, path, ["", "4"])
    result = run(runner, path, [])
    assert "Nothing is due now." in result.output
    assert "Next card:" in result.output


def test_help_key(runner: CliRunner, deck: Path) -> None:
    result = run(runner, deck, ["?", "q"])
    assert "undo the last answer, bury, suspension or edit" in result.output


def test_review_of_a_broken_deck_is_an_error_not_a_traceback(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "b.toml"
    path.write_text('[deck]\ntitle = "T"\n[[cards]]\nid = "a"\nq = "Q"\n', encoding="utf-8")
    result = run(runner, path, [])
    assert result.exit_code == 1
    assert "b.toml:3: error: card a: has a question but no answer" in result.output


def test_review_with_a_damaged_database_keeps_the_file(runner: CliRunner, deck: Path, tmp_path: Path) -> None:
    db = tmp_path / "progress.db"
    db.write_bytes(b"this is not sqlite" * 100)
    result = run(runner, deck, ["", "3"])
    assert result.exit_code == 1
    assert "cannot be read" in result.output and "quizkit doctor" in result.output
    assert db.read_bytes() == b"this is not sqlite" * 100


HOSTILE = r"""
[deck]
id = "hostile"
title = "[bold red]Hostile[/] \u001b[2J"

[[cards]]
id = "markup"
q = "[link=https://evil.example]click[/link] \u001b]0;pwned\u0007 \u001b[31mred\u001b[0m"
a = "[bold]answer[/bold]\b\b\bX"
explain = "[blink]explain[/blink] \u001b[?1049h"
source = "\u009b2J [i]source[/i]"

[[cards]]
id = "choice"
q = "Pick \u202eevil"
choices = ["[red]one[/red]", "two\u001b[1A", "three"]
a = "[red]one[/red]"
"""


def test_deck_text_is_shown_literally_and_control_codes_are_removed(
    runner: CliRunner, tmp_path: Path
) -> None:
    path = tmp_path / "hostile.toml"
    path.write_text(HOSTILE, encoding="utf-8")
    result = runner.invoke(app, ["review", str(path)], input="\n3\n1\n\n", color=True)
    out = result.output
    assert result.exit_code == 0, out
    for literal in (
        "[bold red]Hostile[/]",
        "[link=https://evil.example]click[/link]",
        "[bold]answer[/bold]XXX"[:0] + "[bold]answer[/bold]X",
        "[blink]explain[/blink]",
        "[i]source[/i]",
        "[red]one[/red]",
    ):
        assert literal in out, literal
    for control in (
        "\x1b[2J",
        "\x1b]0;",
        "\x07",
        "\x08",
        "\x9b",
        "\x1b[?1049h",
        "\x1b[31m",
        "\x1b[1A",
        "\u202e",
    ):
        assert control not in out, repr(control)


def test_show_is_inert_too(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "hostile.toml"
    path.write_text(HOSTILE, encoding="utf-8")
    out = runner.invoke(app, ["show", str(path)], color=True).output
    assert "[bold red]Hostile[/]" in out
    assert "\x07" not in out and "\x1b[2J" not in out


def test_suspend_and_unsuspend_commands(runner: CliRunner, deck: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["suspend", str(deck), "basic", "tf"])
    assert result.exit_code == 0 and "suspended 2 card(s): basic, tf" in result.output
    review = run(runner, deck, ["q"])
    assert "Mini  3 new" in review.output
    result = runner.invoke(app, ["unsuspend", str(deck), "--all"])
    assert "unsuspended 2 card(s): basic, tf" in result.output
    assert "Mini  5 new" in run(runner, deck, ["q"]).output
    unknown = runner.invoke(app, ["suspend", str(deck), "nope"])
    assert unknown.exit_code == 2 and "no card 'nope'" in unknown.output


def test_edit_key_opens_the_editor_at_the_card_and_reloads_it(
    runner: CliRunner, deck: Path, tmp_path: Path
) -> None:
    script = tmp_path / "fake_editor.py"
    log = tmp_path / "editor.log"
    script.write_text(
        "import sys, pathlib\n"
        "line, path = sys.argv[1], pathlib.Path(sys.argv[2])\n"
        f"pathlib.Path({str(log)!r}).write_text(line)\n"
        "path.write_text(path.read_text().replace('Capital of France?', 'Capital city of France?'))\n",
        encoding="utf-8",
    )
    import sys

    result = runner.invoke(
        app, ["review", str(deck)], input="e\n\n3\n", env={"EDITOR": f"{sys.executable} {script}"}
    )
    assert result.exit_code == 0, result.output
    assert log.read_text() == "+6"  # the [[cards]] line of the first card
    assert "deck reloaded" in result.output
    assert "Capital city of France?" in result.output


def test_the_screen_stays_legible_at_40_columns(runner: CliRunner, deck: Path) -> None:
    result = runner.invoke(app, ["review", str(deck)], input="\n3\nin 1996\n\n", env={"COLUMNS": "40"})
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert max(len(line) for line in lines) <= 40
    flat = " ".join(" ".join(line.strip("│ ").split()) for line in lines)
    assert "Year the Taliban took Kabul?" in flat
    assert "1 Again 1m · 2 Hard 6m · 3 Good 10m" in flat


@pytest.mark.parametrize("word", ["eof", "escape", "ctrl-c", "enter", "space"])
def test_a_line_that_spells_an_internal_event_is_text_not_that_event(
    runner: CliRunner, deck: Path, tmp_path: Path, word: str
) -> None:
    # At the first card (basic: reveal, then rate), a line reading "eof" used to end the session.
    result = runner.invoke(app, ["review", str(deck), "--new", "1"], input=f"{word}\n\n3\n")
    assert result.exit_code == 0, result.output
    assert "press space or enter to show the answer" in result.output
    rows = db_rows("SELECT card_id, rating FROM reviews", tmp_path / "progress.db")
    assert rows == [("basic", 3)]
