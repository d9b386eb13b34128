"""A deck named by its id or by its file, everywhere; the learner's own decks folder; editing
the bundled deck copies it there first (issue 14, items 8, 9 and 14)."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from io import StringIO
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from quizkit.app.env import Environment, default_decks_dir
from quizkit.cli import app
from quizkit.io.deck_files import load_deck

from conftest import BUNDLED

TALIBAN = BUNDLED / "taliban-pakistan.toml"

RIVERS = """
[deck]
id = "rivers"
title = "Rivers of the world"

[[cards]]
id = "nile"
q = "Which river flows through Cairo?"
a = "Nile"

[[cards]]
id = "amazon"
q = "Which river flows through Manaus?"
a = "Amazon"
"""


@pytest.fixture(autouse=True)
def installed(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The bundled decks as an installation has them, in a folder of their own: a test that goes
    wrong edits this copy, never the checkout's decks."""
    import shutil

    from quizkit.io import deck_files

    folder = tmp_path_factory.mktemp("site-packages") / "decks"
    shutil.copytree(BUNDLED, folder)
    monkeypatch.setattr(deck_files, "bundled_decks_dir", lambda: folder)
    return folder


def flat(text: str) -> str:
    return " ".join(text.split())


def own_deck(text: str, name: str) -> Path:
    folder = default_decks_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def db_rows(query: str, db: Path) -> list[tuple[object, ...]]:
    connection = sqlite3.connect(db)
    try:
        return connection.execute(query).fetchall()
    finally:
        connection.close()


# ---------------------------------------------------------------- by id, everywhere


def test_cards_takes_the_bundled_decks_id(runner: CliRunner, installed: Path) -> None:
    result = runner.invoke(app, ["cards", "taliban-pakistan"])
    assert result.exit_code == 0, result.output
    assert "The Taliban and Pakistan" in result.output
    count = len(load_deck(installed / "taliban-pakistan.toml").cards)
    assert result.output.splitlines()[-1] == f"{count} of {count} cards"


@pytest.mark.parametrize(
    ("command", "stdin"),
    [
        (["show", "taliban-pakistan"], ""),
        (["cards", "taliban-pakistan", "--json"], ""),
        (["due", "taliban-pakistan"], ""),
        (["stats", "taliban-pakistan"], ""),
        (["validate", "taliban-pakistan"], ""),
        (["review", "taliban-pakistan"], "q\n"),
        (["cram", "taliban-pakistan"], "q\n"),
        (["quiz", "taliban-pakistan", "--count", "1", "--seed", "1"], ":s\n"),
        (["history", "taliban-pakistan"], ""),
        (["suspend", "taliban-pakistan", "kabul-1996"], ""),
    ],
)
def test_every_command_takes_a_deck_id(runner: CliRunner, command: list[str], stdin: str) -> None:
    result = runner.invoke(app, command, input=stdin)
    assert result.exit_code == 0, result.output
    assert "no such file" not in result.output


def test_the_reviews_own_unsuspend_hint_works_with_the_id(runner: CliRunner) -> None:
    # The review says "quizkit unsuspend DECK CARD": DECK is the id a pip user sees.
    assert runner.invoke(app, ["suspend", "taliban-pakistan", "kabul-1996"]).exit_code == 0
    result = runner.invoke(app, ["unsuspend", "taliban-pakistan", "kabul-1996"])
    assert result.exit_code == 0, result.output
    assert "unsuspended 1 card(s): kabul-1996" in result.output


def test_export_takes_a_deck_id(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "sheet.md"
    result = runner.invoke(app, ["export", "taliban-pakistan", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "The Taliban and Pakistan" in out.read_text(encoding="utf-8")


def test_history_takes_a_deck_file(runner: CliRunner, tmp_path: Path) -> None:
    taken = runner.invoke(app, ["quiz", str(TALIBAN), "--count", "1", "--seed", "1"], input=":s\n")
    assert taken.exit_code == 0, taken.output
    by_file = runner.invoke(app, ["history", str(TALIBAN), "--json"])
    by_id = runner.invoke(app, ["history", "taliban-pakistan", "--json"])
    assert by_file.exit_code == 0, by_file.output
    assert by_file.output == by_id.output
    assert '"deck": "taliban-pakistan"' in by_file.output


def test_an_unknown_id_lists_the_known_decks(runner: CliRunner, installed: Path) -> None:
    own_deck(RIVERS, "rivers.toml")
    result = runner.invoke(app, ["cards", "talibn-pakistan"])
    assert result.exit_code == 2
    own, bundled = default_decks_dir(), installed
    assert result.output.splitlines() == [
        "error: no deck 'talibn-pakistan': it is neither a file nor the id of a deck quizkit knows",
        "known decks:",
        f"  rivers             your decks folder: {own / 'rivers.toml'}",
        f"  taliban-pakistan   bundled with quizkit: {bundled / 'taliban-pakistan.toml'}",
        f"  example-all-kinds  bundled example: {bundled / 'example-all-kinds.toml'}",
        f"decks are known from your decks folder ({own}), the bundled decks and deck_folders in config.toml",
    ]
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    "command", [["review"], ["due"], ["stats"], ["suspend"], ["show"], ["export", "--to", "md"]]
)
def test_every_command_refuses_an_unknown_id_the_same_way(runner: CliRunner, command: list[str]) -> None:
    result = runner.invoke(app, [*command, "nope", *(["x"] if command == ["suspend"] else [])])
    assert result.exit_code == 2, result.output
    assert "no deck 'nope'" in result.output and "taliban-pakistan" in result.output


def test_the_bundled_example_deck_is_named_by_its_id_but_not_studied_unless_named(
    runner: CliRunner,
) -> None:
    shown = runner.invoke(app, ["show", "example-all-kinds"])
    assert shown.exit_code == 0, shown.output
    assert "Capital of Australia" in flat(shown.output) or "Australia" in shown.output
    assert "example" not in runner.invoke(app, ["due", "--json"]).output


def test_a_missing_deck_file_is_still_a_missing_file(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["cards", str(tmp_path / "nope.toml")])
    assert result.exit_code == 1
    assert "nope.toml: error: no such file" in result.output


def test_an_existing_path_wins_over_an_id(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "taliban-pakistan").write_text(RIVERS, encoding="utf-8")
    result = runner.invoke(app, ["show", "taliban-pakistan"])
    assert result.exit_code == 0, result.output
    assert "Which river flows through Cairo?" in result.output
    assert "2 of 2 cards" in result.output


def test_a_broken_own_deck_named_by_its_id_says_what_is_wrong(runner: CliRunner) -> None:
    path = own_deck('[deck]\nid = "rivers"\n[[cards]]\nq = "no answer"\n', "rivers.toml")
    result = runner.invoke(app, ["cards", "rivers"])
    assert result.exit_code == 1
    assert str(path) in flat(result.output) and "no deck 'rivers'" not in result.output


# ---------------------------------------------------------------- the learner's own decks folder


def test_own_decks_are_known_without_config(runner: CliRunner) -> None:
    own_deck(RIVERS, "rivers.toml")
    dashboard = runner.invoke(app, [])
    assert dashboard.exit_code == 0, dashboard.output
    assert "Rivers of the world" in dashboard.output
    assert "The Taliban and Pakistan" in dashboard.output
    result = runner.invoke(app, ["review", "rivers"], input="\n3\nq\n")
    assert result.exit_code == 0, result.output
    assert "Which river flows through" in result.output


def test_the_learners_copy_of_a_bundled_deck_wins_and_shows_once(runner: CliRunner) -> None:
    text = TALIBAN.read_text(encoding="utf-8").replace(
        'title = "The Taliban and Pakistan', 'title = "My Taliban and Pakistan', 1
    )
    copy = own_deck(text, "taliban-pakistan.toml")
    dashboard = runner.invoke(app, [])
    assert dashboard.exit_code == 0, dashboard.output
    assert "My Taliban and Pakistan" in dashboard.output
    assert dashboard.output.count("Taliban and Pakistan") == 1
    assert "errors" not in dashboard.output and "also used by" not in dashboard.output
    shown = runner.invoke(app, ["cards", "taliban-pakistan"])
    assert "My Taliban and Pakistan" in shown.output
    assert "My Taliban and Pakistan" in runner.invoke(app, ["show"]).output  # the default deck
    review = runner.invoke(app, ["review"], input="q\n")
    assert review.exit_code == 0, review.output
    assert "also used by" not in review.output
    assert "My Taliban and Pakistan" in review.output
    assert copy.is_file()


# ---------------------------------------------------------------- editing the bundled deck


def _env(tmp_path: Path, keys: str, out: StringIO) -> Environment:
    return Environment(
        stdout=Console(file=out, width=80, no_color=True),
        stderr=Console(file=out, width=80, no_color=True),
        stdin=StringIO(keys),
        db_path=tmp_path / "p.db",
        clock=lambda: datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
        decks_dir=tmp_path / "own",
    )


def test_the_first_edit_of_the_bundled_deck_copies_it_and_keeps_its_progress(
    tmp_path: Path, installed: Path
) -> None:
    from quizkit.app import review

    bundled = installed / "taliban-pakistan.toml"
    bundled_before = bundled.read_bytes()
    edited: list[Path] = []

    def editor(path: Path, line: int) -> None:
        edited.append(path)
        path.write_text(
            path.read_text(encoding="utf-8").replace("What central question", "Which central question"),
            encoding="utf-8",
        )

    out = StringIO()
    code = review.review(_env(tmp_path, "e\n\n3\ne\nq\n", out), ["taliban-pakistan"], editor=editor)
    assert code == 0
    copy = tmp_path / "own" / "taliban-pakistan.toml"
    assert edited == [copy, copy]  # the second edit goes to the copy, without copying again
    assert bundled.read_bytes() == bundled_before
    said = flat(out.getvalue())
    assert f"copied the bundled deck to {copy}; your edits go there" in said
    assert said.count("copied the bundled deck") == 1
    assert "Which central question" in said
    # The progress stays: the copy keeps the deck id, and the answer given before it counts.
    assert db_rows("SELECT deck_id, card_id FROM reviews", tmp_path / "p.db") == [
        ("taliban-pakistan", "intro-central-question")
    ]
    # From then on the copy is the deck: the next session reads it.
    later = StringIO()
    assert review.review(_env(tmp_path, "q\n", later), []) == 0
    assert "Taliban and Pakistan" in later.getvalue()
    assert "also used by" not in later.getvalue()


def test_the_edit_key_on_the_bundled_deck_through_the_command(
    runner: CliRunner, tmp_path: Path, installed: Path
) -> None:
    import sys

    script = tmp_path / "fake_editor.py"
    script.write_text(
        "import sys, pathlib\n"
        "path = pathlib.Path(sys.argv[2])\n"
        "path.write_text(path.read_text().replace('What central question', 'Which central question'))\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["review"], input="e\n\n3\nq\n", env={"EDITOR": f"{sys.executable} {script}"})
    assert result.exit_code == 0, result.output
    copy = default_decks_dir() / "taliban-pakistan.toml"
    assert f"copied the bundled deck to {copy}; your edits go there" in flat(result.output)
    assert "Which central question" in copy.read_text(encoding="utf-8")
    assert "What central question" in (installed / "taliban-pakistan.toml").read_text(encoding="utf-8")
    shown = runner.invoke(app, ["cards", "taliban-pakistan", "--json", "--search", "central question"])
    assert '"question": "Which central question does the article' in shown.output


def test_editing_a_deck_of_ones_own_edits_it_in_place(tmp_path: Path) -> None:
    from quizkit.app import library

    path = tmp_path / "rivers.toml"
    path.write_text(RIVERS, encoding="utf-8")
    env = _env(tmp_path, "", StringIO())
    deck = library.one_deck(env, path)
    assert library.editable_path(env, deck) == (path, False)
    assert not (tmp_path / "own").exists()


# ---------------------------------------------------------------- small ones


def test_unsuspend_all_with_nothing_suspended_is_not_an_error(runner: CliRunner) -> None:
    result = runner.invoke(app, ["unsuspend", "taliban-pakistan", "--all"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "no card of taliban-pakistan is suspended: nothing to unsuspend"


def test_db_before_the_command_is_used(runner: CliRunner, tmp_path: Path) -> None:
    db = tmp_path / "elsewhere.db"
    result = runner.invoke(app, ["--db", str(db), "review"], input="\n3\nq\n")
    assert result.exit_code == 0, result.output
    assert db_rows("SELECT count(*) FROM reviews", db) == [(1,)]
    assert not (tmp_path / "progress.db").exists()  # QUIZKIT_DB, which the flag overrides


def test_db_after_the_command_wins_over_db_before_it(runner: CliRunner, tmp_path: Path) -> None:
    before, after = tmp_path / "before.db", tmp_path / "after.db"
    result = runner.invoke(app, ["--db", str(before), "review", "--db", str(after)], input="\n3\nq\n")
    assert result.exit_code == 0, result.output
    assert db_rows("SELECT count(*) FROM reviews", after) == [(1,)]
    assert not before.exists()


def test_add_to_the_bundled_deck_by_its_id_goes_into_the_learners_copy(
    runner: CliRunner, installed: Path
) -> None:
    bundled = installed / "taliban-pakistan.toml"
    before = bundled.read_bytes()
    answers = ["", "Capital of Peru?", "Lima", "", "", "", ""]
    result = runner.invoke(app, ["add", "taliban-pakistan"], input="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.output
    copy = default_decks_dir() / "taliban-pakistan.toml"
    assert f"copied the bundled deck to {copy}; your edits go there" in flat(result.output)
    assert bundled.read_bytes() == before
    assert copy.read_bytes().startswith(before) and b"Capital of Peru?" in copy.read_bytes()
    shown = runner.invoke(app, ["cards", "taliban-pakistan", "--search", "Peru", "--json"])
    assert '"question": "Capital of Peru?"' in shown.output


def test_exam_date_names_a_deck_by_its_id(runner: CliRunner) -> None:
    # exam-date came in beside the deck-naming work: it took only a file.
    result = runner.invoke(app, ["exam-date", "taliban-pakistan", "2026-03-20"])
    assert result.exit_code == 0, result.output
    assert "exam in 18 days, 2026-03-20 (remembered)" in result.output
