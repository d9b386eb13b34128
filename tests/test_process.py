"""The quizkit process (quizkit/__main__.py): it ends with os._exit after flushing its streams.

Run as a user runs it, as a child process: every byte of a long output reaches the file or pipe,
the exit codes are the command's, a reader that goes away early gets no traceback, and an answer
given in a review is in the database after the process has gone.
"""

from __future__ import annotations

import io
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from quizkit import __main__ as process

CARDS = 3000


def env_for(tmp_path: Path) -> dict[str, str]:
    home = tmp_path / "home"
    return {
        **os.environ,
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / "c"),
        "XDG_DATA_HOME": str(home / "d"),
        "XDG_STATE_HOME": str(home / "s"),
        "XDG_CACHE_HOME": str(home / "k"),
        "QUIZKIT_DB": str(tmp_path / "p.db"),
        "QUIZKIT_NOW": "2026-12-02T09:00:00+00:00",
        "NO_COLOR": "1",
        "COLUMNS": "100",
    }


def big_deck(tmp_path: Path) -> Path:
    deck = tmp_path / "big.toml"
    cards = "".join(
        f'[[cards]]\nid = "c{i}"\nq = "Question {i}?"\na = "Answer {i}"\n\n' for i in range(CARDS)
    )
    deck.write_text(f'[deck]\nid = "big"\ntitle = "Big"\n\n{cards}', encoding="utf-8")
    return deck


def quizkit(tmp_path: Path, *args: str, **kwargs: object) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "quizkit", *args],
        env=env_for(tmp_path),
        capture_output=True,
        timeout=60,
        check=False,
        **kwargs,  # type: ignore[call-overload]
    )


def test_a_long_listing_reaches_its_file_whole(tmp_path: Path) -> None:
    deck = big_deck(tmp_path)
    out = tmp_path / "cards.txt"
    with out.open("wb") as file:
        done = subprocess.run(
            [sys.executable, "-m", "quizkit", "cards", str(deck)],
            env=env_for(tmp_path),
            stdout=file,
            stderr=subprocess.PIPE,
            timeout=60,
            check=False,
        )
    assert done.returncode == 0, done.stderr
    lines = out.read_text(encoding="utf-8").splitlines()
    shown = [line for line in lines if line.startswith("c") and "Question" in line]
    assert len(shown) == CARDS
    assert lines[-1].strip(), "the last line was written"


def test_exit_codes_are_the_commands(tmp_path: Path) -> None:
    assert quizkit(tmp_path, "--version").returncode == 0
    missing = quizkit(tmp_path, "validate", str(tmp_path / "missing.toml"))
    assert missing.returncode == 1
    assert b"no such file" in missing.stdout + missing.stderr
    usage = quizkit(tmp_path, "review", "--no-such-option")
    assert usage.returncode == 2
    assert b"Traceback" not in usage.stderr


def test_a_reader_that_goes_away_gets_no_traceback(tmp_path: Path) -> None:
    deck = big_deck(tmp_path)
    with subprocess.Popen(
        [sys.executable, "-m", "quizkit", "cards", str(deck)],
        env=env_for(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    ) as child:
        assert child.stdout is not None and child.stderr is not None
        child.stdout.readline()
        child.stdout.close()  # `quizkit cards | head -1`
        err = child.stderr.read()
        assert child.wait(timeout=60) != 0
    assert b"Traceback" not in err and b"internal error" not in err


def test_an_answer_is_kept_after_the_process_ends(tmp_path: Path) -> None:
    deck = big_deck(tmp_path)
    done = quizkit(tmp_path, "review", str(deck), input=b"\n3\n")  # line mode: show, then Good
    assert done.returncode == 0, done.stderr
    connection = sqlite3.connect(tmp_path / "p.db")
    try:
        rows = connection.execute("SELECT card_id, rating FROM reviews").fetchall()
    finally:
        connection.close()
    assert len(rows) == 1 and rows[0][1] == 3


@pytest.mark.parametrize(
    ("code", "status", "printed"),
    [(None, 0, ""), (0, 0, ""), (2, 2, ""), (130, 130, ""), ("a message", 1, "a message\n")],
)
def test_exit_code_is_read_as_the_interpreter_reads_it(
    code: object, status: int, printed: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert process._exit_code(code) == status
    assert capsys.readouterr().err == printed


class _Gone(io.StringIO):
    def flush(self) -> None:
        raise BrokenPipeError


def test_a_stream_that_cannot_be_flushed_is_exit_120_unless_already_failing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sys, "stdout", _Gone())
    assert process._flushed(0) == 120
    assert process._flushed(1) == 1
