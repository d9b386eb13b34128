"""Where quizkit writes: only to a regular file (new or replaced whole), never onto a device, a
pipe or a folder, whichever command writes it. Every special file here is made by the test in its
own temporary folder."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from quizkit.cli import app

from conftest import BUNDLED

EXAMPLE = BUNDLED / "example-all-kinds.toml"
CSV = "q,a\nWhat is the capital of France?,Paris\n"


def special(tmp_path: Path, kind: str, name: str) -> Path:
    path = tmp_path / name
    if kind == "fifo":
        os.mkfifo(path)
    else:
        path.mkdir()
    return path


def still(path: Path, kind: str) -> bool:
    mode = path.lstat().st_mode
    return stat.S_ISFIFO(mode) if kind == "fifo" else stat.S_ISDIR(mode)


@pytest.mark.parametrize("kind", ["fifo", "folder"])
@pytest.mark.parametrize(
    ("name", "command"),
    [
        ("out.csv", lambda out, tmp: ["export", str(EXAMPLE), "--to", "csv", "-o", str(out)]),
        ("out.html", lambda out, tmp: ["export", str(EXAMPLE), "--to", "html", "-o", str(out)]),
        ("out.apkg", lambda out, tmp: ["export", str(EXAMPLE), "--to", "apkg", "-o", str(out)]),
        ("out.toml", lambda out, tmp: ["import", str(tmp / "notes.csv"), "-o", str(out), "--force"]),
        ("out.toml", lambda out, tmp: ["new", str(out)]),
    ],
)
def test_an_output_that_is_not_a_regular_file_is_refused_and_left_as_it_is(
    runner: CliRunner, tmp_path: Path, kind: str, name: str, command: object
) -> None:
    (tmp_path / "notes.csv").write_text(CSV, encoding="utf-8")
    out = special(tmp_path, kind, name)
    result = runner.invoke(app, command(out, tmp_path))  # type: ignore[operator]
    assert result.exit_code == 2, result.output
    assert str(out) in result.output and "not a regular file" in result.output
    assert "Traceback" not in result.output
    assert still(out, kind)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []  # no temp file left


@pytest.mark.parametrize("kind", ["fifo", "folder"])
def test_an_exam_report_onto_a_special_file_is_refused_before_the_exam(
    runner: CliRunner, tmp_path: Path, kind: str
) -> None:
    out = special(tmp_path, kind, "report.md")
    result = runner.invoke(
        app, ["quiz", str(EXAMPLE), "--count", "1", "--seed", "1", "--report", str(out)], input=""
    )
    assert result.exit_code == 2, result.output
    assert "not a regular file" in result.output
    assert still(out, kind)


def test_an_output_through_a_symlink_to_a_file_is_written(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "real.csv"
    target.write_text("old", encoding="utf-8")
    link = tmp_path / "link.csv"
    link.symlink_to(target)
    result = runner.invoke(app, ["export", str(EXAMPLE), "--to", "csv", "-o", str(link), "--force"])
    assert result.exit_code == 0, result.output
    assert "Paris" in link.read_text(encoding="utf-8-sig") or link.read_text(encoding="utf-8-sig").startswith(
        "id,"
    )


def test_an_output_in_a_missing_folder_names_the_folder(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "nowhere" / "out.csv"
    result = runner.invoke(app, ["export", str(EXAMPLE), "--to", "csv", "-o", str(out)])
    assert result.exit_code == 2
    assert f"{out.parent} is not a folder; create it first" in result.output
