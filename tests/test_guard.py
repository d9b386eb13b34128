"""The safety net: an unexpected exception is one line and a crash log, exit 70, never a traceback.

The net is for bugs; the attack tests elsewhere make sure bad input never reaches it.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from quizkit import cli


def run_main(monkeypatch: pytest.MonkeyPatch, *argv: str) -> int:
    monkeypatch.setattr(sys, "argv", ["quizkit", *argv])
    with pytest.raises(SystemExit) as raised:
        cli.main()
    return int(raised.value.code or 0)


def test_a_bug_prints_one_line_and_writes_a_crash_log(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    from quizkit.app import due

    def broken(*args: object, **kwargs: object) -> int:
        raise RuntimeError("a bug, not the learner's input")

    monkeypatch.setattr(due, "due", broken)
    assert run_main(monkeypatch, "due") == cli.CRASHED == 70
    err = capsys.readouterr().err
    assert "Traceback" not in err
    (line,) = err.strip().splitlines()
    assert "internal error (RuntimeError)" in line
    (log,) = (tmp_path / "state" / "quizkit" / "crashes").glob("crash-*.log")
    assert str(log) in line
    text = log.read_text(encoding="utf-8")
    assert "command: due" in text and "RuntimeError: a bug, not the learner's input" in text


def test_ctrl_c_is_exit_130_without_a_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from quizkit.app import due

    def interrupted(*args: object, **kwargs: object) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(due, "due", interrupted)
    assert run_main(monkeypatch, "due") == 130
    assert "Traceback" not in capsys.readouterr().err


def test_bad_input_still_gets_its_own_message_and_code(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    assert run_main(monkeypatch, "validate", str(tmp_path / "missing.toml")) == 1
    err = capsys.readouterr()
    assert "no such file" in err.out + err.err and "internal error" not in err.err
    assert not (tmp_path / "state").exists()


def test_main_run_twice_in_one_process_knows_every_command(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """main() builds only the command asked for: the next call must still find every command."""
    assert run_main(monkeypatch, "due", "--help") == 0
    assert run_main(monkeypatch, "validate", "--help") == 0
    assert "quizkit validate [OPTIONS]" in capsys.readouterr().out
