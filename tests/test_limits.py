"""Trust items 7, 9 and 10: quadratic decks, deck text that crashed exports, deep nesting, and
extreme values. Each finding is reproduced here; every one must end in a message, never a
traceback."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from quizkit.cli import app
from quizkit.io import deck_parse
from quizkit.io.disk import MAX_DECK_BYTES

HEAD = '[deck]\ntitle = "T"\n\n'


def run(runner: CliRunner, *args: str, **env: str):  # type: ignore[no-untyped-def]
    result = runner.invoke(app, list(args), input="", env=env or None)
    assert "Traceback" not in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


def deck(tmp_path: Path, cards: str, name: str = "d.toml") -> Path:
    path = tmp_path / name
    path.write_text(HEAD + cards, encoding="utf-8")
    return path


# -- 7. quadratic decks


def test_many_cloze_deletions_are_refused_quickly(tmp_path: Path, runner: CliRunner) -> None:
    text = " ".join(f"{{{{w{i}}}}}" for i in range(5000))
    path = deck(tmp_path, f'[[cards]]\nid = "c"\ncloze = "{text}"\n')
    start = time.perf_counter()
    result = run(runner, "validate", str(path))
    assert time.perf_counter() - start < 3
    assert result.exit_code == 1
    assert "5000 cloze deletions" in result.output
    assert f"{deck_parse.MAX_DELETIONS}" in result.output
    assert "d.toml" in result.output and ":6:" in result.output  # file and line


def test_deletions_at_the_limit_load_in_linear_time(tmp_path: Path) -> None:
    n = deck_parse.MAX_DELETIONS
    text = " ".join(f"{{{{w{i}}}}}" for i in range(n))
    built = deck_parse.parse_valid(HEAD + f'[[cards]]\nid = "c"\ncloze = "{text}"\n')
    assert len(built.cards) == n
    assert built.cards[0].prompt.startswith("[...] w1 w2")
    assert built.cards[-1].prompt.endswith(f"w{n - 2} [...]")


def test_a_huge_field_is_refused(tmp_path: Path, runner: CliRunner) -> None:
    big = "x" * (deck_parse.MAX_FIELD_CHARS + 1)
    path = deck(tmp_path, f'[[cards]]\nid = "big"\nq = "{big}"\na = "y"\n')
    result = run(runner, "validate", str(path))
    assert result.exit_code == 1
    assert "'q' is" in result.output and "characters" in result.output
    assert "big" in result.output


def test_a_huge_list_entry_is_refused(tmp_path: Path) -> None:
    big = "x" * (deck_parse.MAX_FIELD_CHARS + 1)
    _, problems = deck_parse.parse_deck(
        HEAD + f'[[cards]]\nid = "big"\nq = "q"\nchoices = ["{big}", "b"]\na = "b"\n'
    )
    assert any("'choices'" in p.message and "characters" in p.message for p in problems)


def test_field_at_the_limit_is_fine() -> None:
    ok = "x" * deck_parse.MAX_FIELD_CHARS
    built = deck_parse.parse_valid(HEAD + f'[[cards]]\nid = "ok"\nq = "{ok}"\na = "y"\n')
    assert built.cards[0].prompt == ok


# -- 9. deck text in exports; deep nesting


@pytest.mark.parametrize("fmt", ["md", "html"])
@pytest.mark.parametrize(
    "q",
    ["x\\u00009\\u0000", "\\ue000\\uf8ff gap \\U000f0000", "[...] ____ \\u0000\\u0001", "{{a}} ___"],
)
def test_exports_survive_any_deck_text(tmp_path: Path, runner: CliRunner, fmt: str, q: str) -> None:
    path = deck(
        tmp_path,
        f'[[cards]]\nid = "n"\nq = "{q}"\na = "{q}"\n\n'
        f'[[cards]]\nid = "c"\nq = "{q}"\nchoices = ["{q}", "b"]\na = "b"\n\n'
        f'[[cards]]\nid = "z"\ncloze = "{q} {{{{x\\u0000}}}} {q}"\n',
    )
    out = tmp_path / f"out.{fmt}"
    assert run(runner, "validate", str(path)).exit_code == 0
    result = run(runner, "export", str(path), "--to", fmt, "-o", str(out))
    assert result.exit_code == 0, result.output
    assert out.exists()


def nested(depth: int) -> str:
    return "x = " + "[" * depth + "]" * depth + "\n"


def test_deeply_nested_deck_is_a_problem(tmp_path: Path, runner: CliRunner) -> None:
    path = tmp_path / "deep.toml"
    path.write_text(HEAD + nested(2000), encoding="utf-8")
    result = run(runner, "validate", str(path))
    assert result.exit_code == 1
    assert "nested too deeply" in result.output and "deep.toml" in result.output


def test_deeply_nested_inline_tables(tmp_path: Path) -> None:
    _, problems = deck_parse.parse_deck(HEAD + "x = " + "{a=" * 2000 + "1" + "}" * 2000 + "\n")
    assert any("nested too deeply" in p.message for p in problems)


def test_deeply_nested_config_is_a_config_error(tmp_path: Path, runner: CliRunner) -> None:
    config = tmp_path / "config.toml"
    config.write_text(nested(2000), encoding="utf-8")
    result = run(runner, "due", QUIZKIT_CONFIG=str(config))
    assert result.exit_code == 1
    assert "nested too deeply" in result.output and "config.toml" in result.output


def test_review_a_folder_with_a_deeply_nested_file(tmp_path: Path, runner: CliRunner) -> None:
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "deep.toml").write_text(HEAD + nested(2000), encoding="utf-8")
    (folder / "ok.toml").write_text(HEAD + '[[cards]]\nid = "a"\nq = "q"\na = "a"\n', encoding="utf-8")
    result = run(runner, "review", str(folder))
    assert result.exit_code in (0, 1)


# -- 10. extreme values


@pytest.mark.parametrize(
    "now",
    [
        "0001-01-01T00:00:00+00:00",
        "9999-12-31T23:59:59+00:00",
        "9999-12-31T23:59:59-14:00",
        "0001-01-01T00:00:00+14:00",
        "1969-12-31T23:59:59+00:00",
        "9001-01-01T00:00:00+00:00",
    ],
)
def test_quizkit_now_out_of_range(runner: CliRunner, now: str) -> None:
    result = run(runner, "due", QUIZKIT_NOW=now)
    assert result.exit_code == 2
    assert "QUIZKIT_NOW" in result.output and "1970" in result.output


def test_quizkit_now_edges_in_range_work(runner: CliRunner, tmp_path: Path) -> None:
    path = deck(tmp_path, '[[cards]]\nid = "a"\nq = "q"\na = "a"\n')
    for now in ("1970-01-02T00:00:00+00:00", "8999-12-31T00:00:00+00:00"):
        assert run(runner, "due", str(path), QUIZKIT_NOW=now).exit_code == 0


def _quiz_deck(tmp_path: Path) -> Path:
    return deck(tmp_path, '[[cards]]\nid = "a"\nq = "q"\na = "a"\n')


@pytest.mark.parametrize("seed", ["999999999999999999999", "-999999999999999999999", str(2**64)])
def test_huge_seed_is_refused_before_the_exam(tmp_path: Path, runner: CliRunner, seed: str) -> None:
    result = run(runner, "quiz", str(_quiz_deck(tmp_path)), "--seed", seed)
    assert result.exit_code == 2
    assert "--seed" in result.output


def test_largest_seed_works(tmp_path: Path, runner: CliRunner) -> None:
    result = runner.invoke(app, ["quiz", str(_quiz_deck(tmp_path)), "--seed", str(2**63 - 1)], input="a\n")
    assert "Traceback" not in result.output
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("time_limit", ["99999999h", "25h", "1441m", "999999999999999999999999s"])
def test_time_limit_is_capped(tmp_path: Path, runner: CliRunner, time_limit: str) -> None:
    result = run(runner, "quiz", str(_quiz_deck(tmp_path)), "--time", time_limit)
    assert result.exit_code == 2
    assert "--time" in result.output and "24h" in result.output


@pytest.mark.parametrize("mark", ["nan", "inf", "-inf", "101", "-1"])
def test_pass_mark_must_be_0_to_100(tmp_path: Path, runner: CliRunner, mark: str) -> None:
    result = run(runner, "quiz", str(_quiz_deck(tmp_path)), "--pass", mark)
    assert result.exit_code == 2
    assert "--pass" in result.output


def test_far_exam_date_is_refused_quickly(tmp_path: Path, runner: CliRunner) -> None:
    start = time.perf_counter()
    for command in ("due", "review"):
        result = run(runner, command, str(_quiz_deck(tmp_path)), "--exam-date", "9999-12-31")
        assert result.exit_code == 2
        assert "--exam-date" in result.output and "10 years" in result.output
    assert time.perf_counter() - start < 3


def test_far_exam_date_in_the_deck_is_a_problem(tmp_path: Path, runner: CliRunner) -> None:
    path = tmp_path / "d.toml"
    path.write_text('[deck]\ntitle = "T"\nexam_date = 9999-12-31\n\n[[cards]]\nid = "a"\nq = "q"\na = "a"\n')
    result = run(runner, "due", str(path))
    assert result.exit_code == 1
    assert "exam_date" in result.output


def test_exam_date_within_ten_years_works(tmp_path: Path, runner: CliRunner) -> None:
    result = run(runner, "due", str(_quiz_deck(tmp_path)), "--exam-date", "2036-01-01")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    "setting",
    [
        "learning_steps = ['99999999999d']",
        "learning_steps = ['infm']",
        "relearning_steps = ['nanh']",
        "learning_steps = ['1e400s']",
        "learning_steps = ['366d']",
        "max_interval = 99999999999",
        "max_interval = 36501",
        "new_per_day = -5",
        "reviews_per_day = -1",
        "leech_threshold = 99999999999999999999",
        "day_start_hour = 99999999999999999999",
        "retention = nan",
        "retention = inf",
    ],
)
def test_extreme_settings_are_config_errors(tmp_path: Path, runner: CliRunner, setting: str) -> None:
    config = tmp_path / "config.toml"
    config.write_text(setting + "\n", encoding="utf-8")
    result = run(runner, "due", QUIZKIT_CONFIG=str(config))
    assert result.exit_code == 1, result.output
    assert "config.toml" in result.output or "setting" in result.output


def test_max_interval_in_a_deck_is_bounded(tmp_path: Path) -> None:
    _, problems = deck_parse.parse_deck('[deck]\ntitle = "T"\nmax_interval = 99999999999\n')
    assert any("max_interval" in p.message for p in problems)


@pytest.mark.parametrize("name", ["", " ", "."])
def test_new_with_an_empty_name_is_a_usage_error(
    runner: CliRunner, name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run(runner, "new", name)
    assert result.exit_code == 2


def test_a_fifo_is_refused_without_blocking(tmp_path: Path, runner: CliRunner) -> None:
    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    start = time.perf_counter()
    result = run(runner, "validate", str(fifo))
    assert time.perf_counter() - start < 3
    assert result.exit_code == 1
    assert "not a regular file" in result.output


def test_a_fifo_in_a_folder_is_skipped_or_reported(tmp_path: Path, runner: CliRunner) -> None:
    folder = tmp_path / "f"
    folder.mkdir()
    os.mkfifo(folder / "pipe.toml")
    result = run(runner, "validate", str(folder))
    assert result.exit_code == 2  # the pipe is not a deck file: none found
    assert "no deck files" in result.output


def test_a_huge_sparse_file_is_refused(tmp_path: Path, runner: CliRunner) -> None:
    big = tmp_path / "big.toml"
    with open(big, "wb") as out:
        out.truncate(MAX_DECK_BYTES + 1)
    result = run(runner, "validate", str(big))
    assert result.exit_code == 1
    assert "limited to" in result.output
