"""The command line as a user meets it, through CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from quizkit import __version__
from quizkit.cli import app

from test_decks import CASES
from tests_support import HEAD


def test_version(runner: CliRunner) -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output == f"quizkit {__version__}\n"


def _commands() -> list[str]:
    group = get_command(app)
    return sorted(group.commands)  # type: ignore[attr-defined]


@pytest.mark.parametrize("command", _commands())
def test_every_command_has_help_with_an_example(runner: CliRunner, command: str) -> None:
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output


@pytest.mark.parametrize(("what", "body", "line", "card", "message", "hint"), CASES)
def test_validate_prints_each_problem_with_file_line_and_card(
    runner: CliRunner, write_deck, what: str, body: str, line: int, card: str, message: str, hint: str
) -> None:
    path = write_deck(HEAD + body)
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 1, what
    expected = f"{path}:{line}: error: card {card}: {message}"
    flat = " ".join(result.output.split())
    assert " ".join(expected.split()) in flat, result.output
    assert " ".join(hint.split()) in flat
    assert "Traceback" not in result.output


def test_validate_valid_deck_prints_a_summary(runner: CliRunner, write_deck) -> None:
    path = write_deck(
        HEAD
        + '[[cards]]\nid = "a"\nq = "Q"\na = "A"\ntags = ["dates"]\n'
        + '[[cards]]\nid = "b"\ncloze = "{{x}} and {{y}}"\ntags = ["dates", "actors"]\n'
    )
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    assert f"✓ {path} deck · 3 cards" in " ".join(result.output.split())
    assert "kinds cloze 2 · basic 1" in " ".join(result.output.split())
    assert "tags dates 3 · actors 2" in " ".join(result.output.split())
    assert result.output.rstrip().endswith("1 deck file: 0 errors, 0 warnings")


def test_validate_folder_reports_every_deck(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "good.toml").write_text(HEAD + '[[cards]]\nid = "a"\nq = "Q"\na = "A"\n', encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "bad.toml").write_text(HEAD + '[[cards]]\nid = "a"\nq = "Q"\n', encoding="utf-8")
    result = runner.invoke(app, ["validate", str(tmp_path)])
    assert result.exit_code == 1
    assert "2 deck files: 1 error, 0 warnings" in result.output


def test_validate_two_decks_sharing_an_id_is_an_error(runner: CliRunner, tmp_path: Path) -> None:
    text = '[deck]\nid = "same"\ntitle = "T"\n[[cards]]\nid = "a"\nq = "Q"\na = "A"\n'
    (tmp_path / "one.toml").write_text(text, encoding="utf-8")
    (tmp_path / "two.toml").write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["validate", str(tmp_path)])
    assert result.exit_code == 1
    assert "deck id 'same' is also used by" in result.output


def test_validate_json(runner: CliRunner, write_deck) -> None:
    path = write_deck(HEAD + '[[cards]]\nid = "a"\nq = "Q"\nanwser = "A"\n')
    result = runner.invoke(app, ["validate", "--json", str(path)])
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert data["errors"] == 2 and data["warnings"] == 0
    (entry,) = data["decks"]
    assert entry["valid"] is False
    assert {
        "severity": "error",
        "path": str(path),
        "line": 6,
        "card": "a",
        "message": "unknown key 'anwser'",
        "hint": "did you mean 'a'?",
    } in entry["problems"]


def test_validate_json_for_a_valid_deck(runner: CliRunner, write_deck) -> None:
    path = write_deck(HEAD + '[[cards]]\nid = "a"\nq = "Q"\na = "A"\ntags = ["x"]\n')
    data = json.loads(runner.invoke(app, ["validate", "--json", str(path)]).output)
    assert data["decks"][0] | {"problems": []} == {
        "path": str(path),
        "valid": True,
        "problems": [],
        "id": "deck",
        "title": "T",
        "cards": 1,
        "kinds": {"basic": 1},
        "tags": {"x": 1},
    }


@pytest.mark.parametrize(
    "content",
    [b"", b"\x00\xff\xfe binary", b"\xff\xfe[deck]", b"[deck", b"[[cards]]\n" * 10_000, "é".encode("utf-16")],
)
def test_validate_never_shows_a_traceback(runner: CliRunner, tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "broken.toml"
    path.write_bytes(content)
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert str(path) in result.output


def test_validate_missing_file_and_folder_without_decks(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["validate", str(tmp_path / "nope.toml")])
    assert result.exit_code == 1
    assert "nope.toml: error: no such file" in result.output
    result = runner.invoke(app, ["validate", str(tmp_path)])
    assert result.exit_code == 2
    assert "no deck files (*.toml) found" in result.output


def test_validate_without_arguments_checks_the_bundled_decks(runner: CliRunner) -> None:
    result = runner.invoke(app, ["validate"])
    assert result.exit_code == 0, result.output
    assert "taliban-pakistan" in result.output
    assert "0 errors, 0 warnings" in result.output


def test_show_lists_cards_filtered_by_tag(runner: CliRunner, write_deck) -> None:
    path = write_deck(
        HEAD
        + '[[cards]]\nid = "a"\nq = "Q1"\na = "A1"\ntags = ["x"]\n[[cards]]\nid = "b"\nq = "Q2"\na = "A2"\n'
    )
    result = runner.invoke(app, ["show", str(path), "--tag", "x"])
    assert result.exit_code == 0
    assert "Q1" in result.output and "Q2" not in result.output
    assert "1 of 2 cards" in result.output


def test_show_rejects_unknown_kind(runner: CliRunner, write_deck) -> None:
    path = write_deck(HEAD + '[[cards]]\nid = "a"\nq = "Q1"\na = "A1"\n')
    result = runner.invoke(app, ["show", str(path), "--kind", "essay"])
    assert result.exit_code == 2
    assert "unknown kind" in result.output


def test_bad_quizkit_now_is_a_usage_error(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUIZKIT_NOW", "2026-03-02T09:00:00")
    result = runner.invoke(app, ["validate"])
    assert result.exit_code == 2
    assert "QUIZKIT_NOW='2026-03-02T09:00:00' has no time zone" in result.output


@pytest.mark.parametrize("command", [["doctor", "--remove-orphans"], ["stats"], ["review"]])
def test_an_empty_db_option_is_a_usage_error(runner: CliRunner, command: list[str]) -> None:
    # Found by tests/test_cli_fuzz.py: --db '' became Path('.') and a ValueError.
    result = runner.invoke(app, [*command, "--db", ""])
    assert result.exit_code == 2, result.output
    assert "--db needs a database file" in result.output
