"""The learner's terminal is left as it was found: after a plain kill, and across Ctrl-Z and fg.

Each test runs a shell in a real pseudo-terminal, starts a review from it, and then reads the
terminal's modes with stty, as the learner's shell would find them.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

import pexpect
import pytest

DECK = """
[deck]
id = "tty"
title = "TTY deck"

[[cards]]
id = "first"
q = "First question?"
a = "First answer"

[[cards]]
id = "second"
q = "Second question?"
a = "Second answer"
"""


def shell(tmp_path: Path) -> pexpect.spawn:
    deck = tmp_path / "tty.toml"
    deck.write_text(DECK, encoding="utf-8")
    env = {
        **os.environ,
        "QUIZKIT_DB": str(tmp_path / "p.db"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "TERM": "xterm-256color",
        "PS1": "READY$ ",
        "HOME": str(tmp_path),
    }
    env.pop("NO_COLOR", None)
    child = pexpect.spawn(
        "bash", ["--norc", "--noprofile", "-i"], env=env, encoding="utf-8", timeout=20, dimensions=(30, 80)
    )
    child.expect("READY\\$ ")
    child.sendline(f"{sys.executable} -m quizkit review {deck}")
    child.expect("First question")
    child.expect("quit")
    return child


def modes(child: pexpect.spawn) -> str:
    child.sendline("stty -a; echo STTY-DONE")
    child.expect("STTY-DONE\r\n")
    child.expect("READY\\$ ")
    return str(child.before)


def review_pid(child: pexpect.spawn) -> int:
    children = Path(f"/proc/{child.pid}/task/{child.pid}/children").read_text().split()
    assert len(children) == 1, children
    return int(children[0])


@pytest.mark.slow
def test_a_plain_kill_leaves_echo_and_line_mode_on(tmp_path: Path) -> None:
    # Straight in the pseudo-terminal, with no shell to tidy up after it: the terminal's modes
    # are what quizkit leaves, read from the master side once it is gone.
    import termios

    deck = tmp_path / "tty.toml"
    deck.write_text(DECK, encoding="utf-8")
    env = {**os.environ, "QUIZKIT_DB": str(tmp_path / "p.db"), "XDG_CACHE_HOME": str(tmp_path / "c")}
    env["TERM"] = "xterm-256color"
    child = pexpect.spawn(sys.executable, ["-m", "quizkit", "review", str(deck)], env=env, timeout=20)
    try:
        child.expect("quit")
        time.sleep(0.3)  # waiting for a key, in single-key mode
        lflag = termios.tcgetattr(child.child_fd)[3]
        assert not lflag & termios.ICANON  # quizkit reads single keys...
        os.kill(child.pid, signal.SIGTERM)
        child.expect(pexpect.EOF)
        lflag = termios.tcgetattr(child.child_fd)[3]
        assert lflag & termios.ECHO and lflag & termios.ICANON  # ...and gives the terminal back
    finally:
        child.close(force=True)


@pytest.mark.slow
def test_keys_need_no_enter_after_ctrl_z_and_fg(tmp_path: Path) -> None:
    child = shell(tmp_path)
    try:
        time.sleep(0.3)
        child.sendcontrol("z")
        child.expect("Stopped")
        child.expect("READY\\$ ")
        found = modes(child)  # the shell gets its own terminal back while quizkit is stopped
        assert "-icanon" not in found and "-echo " not in found
        child.sendline("fg")
        time.sleep(0.5)
        child.send(" ")  # no Enter: a single key shows the answer again
        child.expect("First answer", timeout=5)
        child.send("3")
        child.expect("Second question", timeout=5)
        child.send("q")
        child.expect("READY\\$ ")
    finally:
        child.close(force=True)


class _Endless:
    """A stream that never ends a line: what a device of zeros or a runaway pipe gives."""

    def __init__(self, char: str) -> None:
        self.char = char
        self.read_chars = 0

    def readline(self, limit: int = -1) -> str:
        self.read_chars += limit
        return self.char * limit


@pytest.mark.parametrize("char", ["\x00", "x"])
def test_endless_input_without_a_line_end_ends_the_session_in_bounded_memory(char: str) -> None:
    from quizkit.ui.terminal import MAX_LINE, MAX_SKIPPED, Event, LineKeys

    stream = _Endless(char)
    keys = LineKeys(stream)  # type: ignore[arg-type]
    assert keys.key() is Event.EOF
    assert stream.read_chars <= MAX_SKIPPED + 3 * MAX_LINE


def test_an_overlong_line_is_cut_and_the_next_line_read() -> None:
    from io import StringIO

    from quizkit.ui.terminal import MAX_LINE, LineKeys

    keys = LineKeys(StringIO("y" * (3 * MAX_LINE) + "\nnext\n"))
    first = keys.line("> ")
    assert first is not None and len(first) == MAX_LINE
    assert keys.line("> ") == "next"
