"""Deck text is data in every output: no raw control, escape or reordering character from a
hostile deck reaches the screen, --json, a report, a worksheet or a CSV file."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from quizkit.cli import app

ESC, BEL, CSI, RLO, DEL = "\x1b", "\x07", "\x9b", "\u202e", "\x7f"
OSC52 = f"{ESC}]52;c;ZXZpbA=={BEL}"  # writes the clipboard
HOSTILE = f"{ESC}[2J{OSC52}{CSI}31m{RLO}{DEL}\x08\x00"
# The characters that must never appear raw: C0 but tab, newline and carriage return, DEL, C1,
# and the bidirectional overrides and isolates.
RAW = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def toml_text(text: str) -> str:
    return "".join(c if 32 <= ord(c) < 127 and c not in '"\\' else f"\\u{ord(c):04x}" for c in text)


@pytest.fixture
def deck(tmp_path: Path) -> Path:
    h = toml_text(HOSTILE)
    path = tmp_path / "hostile.toml"
    path.write_text(
        f"""[deck]
id = "hostile"
title = "Title {h}"
description = "About {h}"

[[cards]]
id = "basic"
q = "Question {h}?"
a = "Answer {h}"
explain = "Because {h}"
source = "Source {h}"
tags = ["t"]

[[cards]]
id = "typed"
type = "typed"
q = "Type {h}"
a = "word"

[[cards]]
id = "choice"
q = "Choose {h}"
choices = ["one {h}", "two", "three"]
a = "one {h}"

[[cards]]
id = "cloze"
cloze = "Fill {{{{gap {h}}}}} here {h}"

[[cards]]
id = "order"
q = "Order {h}"
order = ["first {h}", "second", "third"]
""",
        encoding="utf-8",
    )
    return path


def assert_clean(where: str, text: str) -> None:
    found = sorted({f"U+{ord(c):04X}" for c in RAW.findall(text)})
    assert found == [], f"{where}: raw {', '.join(found)}"


def invoke(runner: CliRunner, *args: str, input: str = "") -> str:
    result = runner.invoke(app, list(args), input=input)
    assert result.exit_code in (0, 1), result.output
    assert "Traceback" not in result.output
    return result.output


def test_the_screen_and_json_outputs(runner: CliRunner, deck: Path) -> None:
    answers = "\n".join(["", "3", "word", "3", "1", "3", "", "3", "1 2 3", "3"]) + "\n"
    outputs = {
        "validate": invoke(runner, "validate", str(deck)),
        "validate --json": invoke(runner, "validate", "--json", str(deck)),
        "show": invoke(runner, "show", str(deck)),
        "review": invoke(runner, "review", str(deck), input=answers),
        "due": invoke(runner, "due", str(deck)),
        "due --json": invoke(runner, "due", "--json", str(deck)),
        "stats": invoke(runner, "stats", str(deck)),
        "stats --json": invoke(runner, "stats", "--json", str(deck)),
        "cards": invoke(runner, "cards", str(deck)),
        "cards --json": invoke(runner, "cards", "--json", str(deck)),
        "dashboard": invoke(runner),
        "quiz": invoke(runner, "quiz", str(deck), "--seed", "3", input="x\nword\n1\n1 2 3\n\n"),
        "history": invoke(runner, "history"),
        "history --json": invoke(runner, "history", "--json"),
        "cram": invoke(runner, "cram", str(deck), input="\n3\n" * 5),
    }
    for where, text in outputs.items():
        assert_clean(where, text)
    assert "Question" in outputs["show"] and "Title" in outputs["due --json"]


@pytest.mark.parametrize("fmt", ["md", "html", "csv", "apkg"])
def test_exports(runner: CliRunner, deck: Path, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"sheet.{fmt}"
    assert_clean(f"export {fmt} message", invoke(runner, "export", str(deck), "--to", fmt, "-o", str(out)))
    if fmt == "apkg":
        with zipfile.ZipFile(out) as package:  # the notes' fields, as Anki will show them
            names = [n for n in package.namelist() if n.startswith("collection")]
            data = package.read(names[0])
        import sqlite3

        collection = tmp_path / "collection.anki2"
        collection.write_bytes(data)
        connection = sqlite3.connect(collection)
        try:
            fields = "\n".join(row[0] for row in connection.execute("SELECT flds FROM notes"))
        finally:
            connection.close()
        assert_clean("export apkg fields", fields.replace("\x1f", "\n"))  # \x1f is Anki's field separator
    else:
        assert_clean(f"export {fmt}", out.read_text(encoding="utf-8-sig"))


@pytest.mark.parametrize("suffix", ["md", "json"])
def test_exam_reports(runner: CliRunner, deck: Path, tmp_path: Path, suffix: str) -> None:
    report = tmp_path / f"report.{suffix}"
    invoke(runner, "quiz", str(deck), "--seed", "3", "--report", str(report), input="x\nword\n1\n1 2 3\n\n")
    assert_clean(f"report {suffix}", report.read_text(encoding="utf-8"))
