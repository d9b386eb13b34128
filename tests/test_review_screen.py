"""The review screen as a person sees it: tmux runs quizkit in a real terminal, keys are sent
one by one, and `capture-pane` gives the whole screen, compared with docs/screens/*.txt.

Each test has its own tmux server (a socket in tmp_path), its own deck, database and folders,
and a fixed clock, so nothing depends on this machine. Regenerate the captures after a deliberate
change of the screen with QUIZKIT_WRITE_DOCS=1 (then read the diff: it is what learners will see).
"""

from __future__ import annotations

import os
import shlex
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]

SCREENS = Path(__file__).resolve().parent.parent / "docs" / "screens"
WRITE = os.environ.get("QUIZKIT_WRITE_DOCS") == "1"
NOW = "2026-03-02T10:00:00+01:00"

DECK = """\
[deck]
id = "screens"
title = "Durand Line"

[[cards]]
id = "line-drawn"
q = "In which year was the Durand Line agreed between British India and Afghanistan?"
a = "1893"
explain = "Sir Mortimer Durand and Amir Abdur Rahman Khan signed the agreement in Kabul."
source = "Encyclopaedia entry on the Durand Line"
tags = ["dates"]

[[cards]]
id = "arc"
q = "Put these events in the order they happened, earliest first."
order = [
  "The Durand Line is agreed between British India and Afghanistan",
  "Pakistan becomes independent and inherits the border",
  "The Soviet Union invades Afghanistan",
  "The Taliban take Kabul for the first time",
  "The Taliban return to power after the American withdrawal",
]
explain = "1893, 1947, 1979, 1996, 2021: each step changed what Pakistan wanted from Kabul."
tags = ["dates"]

[[cards]]
id = "founder"
q = "Who founded the Taliban movement?"
a = "Mullah Omar"
accept = ["Mohammed Omar"]
tags = ["people"]
"""


class Tmux:
    """A private tmux server running one quizkit command in a window of a given size."""

    def __init__(self, tmp_path: Path, columns: int, rows: int) -> None:
        self.socket = tmp_path / "tmux.sock"
        self.tmp_path = tmp_path
        self.columns, self.rows = columns, rows

    def run(self, *args: str) -> str:
        done = subprocess.run(
            ["tmux", "-S", str(self.socket), *args], capture_output=True, text=True, timeout=20, check=True
        )
        return done.stdout

    def start(self, command: list[str], env: dict[str, str]) -> None:
        exports = " ".join(f"{name}={shlex.quote(value)}" for name, value in env.items())
        line = f"env -i {exports} {shlex.join(command)}; echo EXITED $?; sleep 30"
        self.run(
            "-f", str(self.tmp_path / "tmux.conf"),
            "new-session", "-d", "-x", str(self.columns), "-y", str(self.rows), line,
        )  # fmt: skip

    def screen(self) -> str:
        text = self.run("capture-pane", "-p")
        lines = [line.rstrip() for line in text.split("\n")][: self.rows]
        return "\n".join(lines).rstrip("\n") + "\n"

    def send(self, *keys: str) -> None:
        for key in keys:
            self.run("send-keys", key)
            time.sleep(0.05)

    def wait_for(self, text: str, timeout: float = 15) -> str:
        """The screen once it shows `text` and has stopped changing."""
        deadline = time.monotonic() + timeout
        last = ""
        while time.monotonic() < deadline:
            shown = self.screen()
            if text in shown and shown == last:
                return shown
            last = shown
            time.sleep(0.15)
        raise AssertionError(f"{text!r} never appeared; the screen shows:\n{last}")

    def kill(self) -> None:
        subprocess.run(["tmux", "-S", str(self.socket), "kill-server"], capture_output=True, timeout=20)


@pytest.fixture
def study(tmp_path: Path) -> Iterator[tuple[Path, dict[str, str]]]:
    deck = tmp_path / "durand.toml"
    deck.write_text(DECK, encoding="utf-8")
    (tmp_path / "tmux.conf").write_text("set -g status off\n", encoding="utf-8")
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "TERM": "xterm-256color",
        "NO_COLOR": "1",
        "TZ": "Europe/Berlin",
        "QUIZKIT_NOW": NOW,
        "QUIZKIT_DB": str(tmp_path / "progress.db"),
        "QUIZKIT_CONFIG": str(tmp_path / "config.toml"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "EDITOR": str(tmp_path / "no-such-editor"),
    }
    yield deck, env


def check(name: str, shown: str) -> None:
    path = SCREENS / f"{name}.txt"
    if WRITE:
        SCREENS.mkdir(parents=True, exist_ok=True)
        path.write_text(shown, encoding="utf-8")
    assert shown == path.read_text(encoding="utf-8"), f"{path.name} differs; the screen shows:\n{shown}"


@pytest.mark.parametrize(("columns", "rows"), [(80, 24), (40, 20), (200, 50)])
def test_the_review_screens_at_three_sizes(
    study: tuple[Path, dict[str, str]], tmp_path: Path, columns: int, rows: int
) -> None:
    deck, env = study
    tmux = Tmux(tmp_path, columns, rows)
    size = f"{columns}x{rows}"
    try:
        tmux.start([sys.executable, "-m", "quizkit", "review", str(deck)], env)
        check(f"card-{size}", tmux.wait_for("show answer"))
        tmux.send("Space")
        check(f"answered-{size}", tmux.wait_for("Again"))
        tmux.send("?")
        check(f"help-{size}", tmux.wait_for("─ keys ─"))
        tmux.send("?")  # closes the help; the answer is back
        tmux.wait_for("1893")
        tmux.send("s")  # bury: the next card comes with the message under it
        check(f"message-{size}", tmux.wait_for("buried until tomorrow"))
        tmux.send("5", "4", "3", "2", "1", "Enter")  # a wrong order: the long answer pages
        check(f"long-order-{size}", tmux.wait_for("Again"))
        tmux.send("q")
        tmux.wait_for("EXITED 0")
    finally:
        tmux.kill()


def test_keys_never_misfire(study: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    """Arrows and function keys do nothing; keys typed ahead are all taken; s ! e work on the
    answer; a missing editor says so on screen; bury, suspend and the answers undo in turn."""
    deck, env = study
    tmux = Tmux(tmp_path, 80, 24)
    try:
        tmux.start([sys.executable, "-m", "quizkit", "review", str(deck)], env)
        tmux.wait_for("show answer")
        tmux.send("Up", "Down", "Left", "Right", "F5", "PageDown", "Home", "M-x")
        time.sleep(0.3)
        assert "EXITED" not in tmux.screen()
        assert "show answer" in tmux.wait_for("In which year was the Durand Line")
        tmux.send("Space")
        tmux.wait_for("1893")
        tmux.send("e")  # after the answer is shown, with an editor that does not exist
        shown = tmux.wait_for("could not start the editor")
        words = " ".join(shown.split())
        assert "could not start the editor no-such-editor: No such file" in words
        assert "Set $VISUAL or $EDITOR to an editor you have" in words
        tmux.send("!")  # suspend, from the answer
        tmux.wait_for("suspended: In which year")
        tmux.send(":u", "Enter")  # at the typed answer of the next card: the suspended card is back
        shown = tmux.wait_for("suspension undone")
        assert "In which year was the Durand Line" in shown
        # Type-ahead: reveal and rate, four keys sent at once, without waiting for the screen.
        tmux.run("send-keys", "Space", "3")
        tmux.wait_for("Put these events")
        tmux.send(":s", "Enter")
        tmux.wait_for("buried until tomorrow: Put these")
        tmux.send(":u", "Enter")
        tmux.wait_for("bury undone")
        tmux.wait_for("Put these events")
        tmux.send(":q", "Enter")
        tmux.wait_for("EXITED 0")
    finally:
        tmux.kill()
    connection = sqlite3.connect(env["QUIZKIT_DB"])
    reviews = connection.execute("SELECT card_id, rating FROM reviews ORDER BY id").fetchall()
    changes = connection.execute(
        "SELECT card_id, action, undone_at IS NOT NULL FROM changes ORDER BY id"
    ).fetchall()
    states = connection.execute(
        "SELECT card_id, suspended, buried_until FROM cards ORDER BY card_id"
    ).fetchall()
    connection.close()
    assert reviews == [("line-drawn", 3)]
    assert changes == [("line-drawn", "suspend", 1), ("arc", "bury", 1)]
    assert states == [("line-drawn", 0, None)]  # arc is as it was before the bury: never studied


def test_type_ahead_space_3_space_3_rates_two_cards(
    study: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    deck, env = study
    two = DECK[: DECK.index('[[cards]]\nid = "arc"')] + '[[cards]]\nid = "arc"\nq = "Second?"\na = "Two"\n'
    deck.write_text(two + DECK[DECK.index('[[cards]]\nid = "founder"') :], encoding="utf-8")
    tmux = Tmux(tmp_path, 80, 24)
    try:
        tmux.start([sys.executable, "-m", "quizkit", "review", str(deck)], env)
        tmux.wait_for("show answer")
        tmux.run("send-keys", "Space", "3", "Space", "3")  # one call: the keys arrive together
        tmux.wait_for("Who founded the Taliban")
        tmux.send(":q", "Enter")
        tmux.wait_for("EXITED 0")
    finally:
        tmux.kill()
    connection = sqlite3.connect(env["QUIZKIT_DB"])
    reviews = connection.execute("SELECT card_id, rating FROM reviews ORDER BY id").fetchall()
    connection.close()
    assert reviews == [("line-drawn", 3), ("arc", 3)]


def test_overriding_a_wrong_verdict_counts_the_answer_as_the_learner_said(
    study: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    deck, env = study
    tmux = Tmux(tmp_path, 80, 24)
    try:
        tmux.start([sys.executable, "-m", "quizkit", "review", str(deck)], env)
        tmux.wait_for("show answer")
        tmux.send("s")
        tmux.wait_for("Put these events")
        tmux.send(":s", "Enter")  # a typed answer: commands are typed, then Enter
        tmux.wait_for("Who founded")
        tmux.send("m", "u", "l", "a", "h", " ", "o", "m", "e", "r", "Enter")
        check("compare-80x24", tmux.wait_for("Wrong"))  # aligned against the answer, marked
        tmux.send("3")  # the learner says it was right
        tmux.wait_for("counted as right, as you said")
        tmux.send(":q", "Enter")
        tmux.wait_for("EXITED 0")
    finally:
        tmux.kill()
    connection = sqlite3.connect(env["QUIZKIT_DB"])
    row = connection.execute("SELECT answer, rating, proposed, correct, graded FROM reviews").fetchall()
    connection.close()
    assert row == [("mulah omer", 3, 1, 1, 0)]


def test_a_resize_redraws_the_screen_at_once(study: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    deck, env = study
    tmux = Tmux(tmp_path, 80, 24)
    try:
        tmux.start([sys.executable, "-m", "quizkit", "review", str(deck)], env)
        tmux.wait_for("show answer")
        tmux.run("resize-window", "-x", "50", "-y", "20")
        tmux.rows = 20
        panel = "╭─ question " + "─" * 37 + "╮"
        assert len(panel) == 50
        shown = tmux.wait_for(panel)  # the panel is 50 wide at once, with no key pressed
        assert all(len(line) <= 50 for line in shown.splitlines())
        tmux.send("Space")
        shown = tmux.wait_for("1893")
        assert shown.splitlines()[0].startswith("Durand Line")  # the header is still on top
        tmux.send("q")
        tmux.wait_for("EXITED 0")
    finally:
        tmux.kill()


def test_e_runs_the_editor_on_the_normal_screen_and_u_undoes_the_edit(
    study: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    deck, env = study
    editor = tmp_path / "editor.py"
    editor.write_text(
        "import pathlib, sys, time\n"
        "path = pathlib.Path(sys.argv[-1])\n"
        "print('EDITING', sys.argv[1], flush=True)\n"
        "time.sleep(1.5)\n"
        "path.write_text(path.read_text().replace('In which year', 'When'))\n",
        encoding="utf-8",
    )
    env = {**env, "EDITOR": f"{sys.executable} {editor}"}
    before = deck.read_bytes()
    tmux = Tmux(tmp_path, 80, 24)
    try:
        tmux.start([sys.executable, "-m", "quizkit", "review", str(deck)], env)
        tmux.wait_for("show answer")
        tmux.send("e")
        shown = tmux.wait_for("EDITING +")
        assert "show answer" not in shown
        assert tmux.run("display", "-p", "#{alternate_on}").strip() == "0"
        shown = tmux.wait_for("deck reloaded (u undoes the edit)")
        assert "When was the Durand Line agreed" in shown
        assert tmux.run("display", "-p", "#{alternate_on}").strip() == "1"
        tmux.send("u")
        shown = tmux.wait_for("undone: the edit of")
        assert "In which year was the Durand Line" in shown
        tmux.send("q")
        tmux.wait_for("EXITED 0")
    finally:
        tmux.kill()
    assert deck.read_bytes() == before
