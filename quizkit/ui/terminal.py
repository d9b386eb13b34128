"""Reading the learner's keys: single keypresses on a terminal, whole lines otherwise.

This is the only module that changes terminal modes. A key is the text typed, or an `Event`
(Enter, Space, end of input, time up...): events are enum members, never strings, so no answer a
learner types can be taken for one. The review and exam flows decide what a key means.
"""

from __future__ import annotations

import os
import select
import sys
from enum import Enum
from typing import Literal, Protocol, TextIO


class Event(Enum):
    """A key or a line that is not text."""

    EOF = "end of input"
    TIMEOUT = "time is up"
    INTERRUPT = "ctrl-c"
    ENTER = "enter"
    SPACE = "space"
    BACKSPACE = "backspace"
    ESCAPE = "escape"


class Keys(Protocol):
    """Where answers come from."""

    interactive: bool

    def key(self) -> str | Event:
        """One key (or, in line mode, one line): the text, or an Event (Enter, Space, end of input...)."""

    def line(self, prompt: str) -> str | None:
        """A typed answer; None when input ends or the learner interrupts."""

    def timed_line(self, prompt: str, seconds: float | None) -> str | Literal[Event.TIMEOUT] | None:
        """Like line(), but gives up after `seconds` (Event.TIMEOUT) where the terminal allows it."""


class LineKeys:
    """Line mode, for pipes, scripts, tests and screen readers: one answer or key per line."""

    interactive = False

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def _read(self) -> str | None:
        try:
            raw = self.stream.readline()
        except (KeyboardInterrupt, UnicodeDecodeError):
            return None
        if raw == "":
            return None
        return raw.rstrip("\r\n")

    def key(self) -> str | Event:
        raw = self._read()
        if raw is None:
            return Event.EOF
        text = raw.strip()
        if text == "":
            return Event.ENTER
        return text

    def line(self, prompt: str) -> str | None:
        return self._read()

    def timed_line(self, prompt: str, seconds: float | None) -> str | Literal[Event.TIMEOUT] | None:
        # Scripts and tests drive time with QUIZKIT_NOW: the caller checks the clock after each line.
        return self._read()


class TerminalKeys:
    """Single keypresses from a real terminal, restored to its normal mode afterwards."""

    interactive = True

    def __init__(self, stream: TextIO, out: TextIO | None = None) -> None:
        self.stream = stream
        self.out = out or sys.stdout
        self.fd = stream.fileno()

    def key(self) -> str | Event:
        import signal
        import termios
        import tty

        self.out.flush()
        saved = termios.tcgetattr(self.fd)

        def restore() -> None:
            termios.tcsetattr(self.fd, termios.TCSADRAIN, saved)

        # While a key is awaited the terminal is in single-key mode: give the learner's shell its
        # terminal back on Ctrl-Z (and take single keys again after fg), and on a plain kill or a
        # closed window before going.
        def stopped(signum: int, frame: object) -> None:
            restore()
            signal.signal(signal.SIGTSTP, signal.SIG_DFL)
            os.kill(os.getpid(), signal.SIGTSTP)  # stops here; fg continues from this line
            signal.signal(signal.SIGTSTP, stopped)
            tty.setcbreak(self.fd)

        def ended(signum: int, frame: object) -> None:
            restore()
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)

        handlers = {signal.SIGTSTP: stopped, signal.SIGTERM: ended, signal.SIGHUP: ended}
        previous = {number: signal.signal(number, handler) for number, handler in handlers.items()}
        try:
            tty.setcbreak(self.fd)
            data = os.read(self.fd, 1)
            if data == b"\x1b":
                # An escape sequence (arrow keys, ...): swallow the rest of it.
                while select.select([self.fd], [], [], 0.02)[0]:
                    os.read(self.fd, 16)
                return Event.ESCAPE
            if data and data[0] >= 0xC0:
                # The rest of a UTF-8 character.
                need = 1 if data[0] < 0xE0 else 2 if data[0] < 0xF0 else 3
                data += os.read(self.fd, need)
        except KeyboardInterrupt:
            return Event.INTERRUPT
        finally:
            restore()
            for number, handler in previous.items():
                signal.signal(number, handler)
        if not data or data == b"\x04":
            return Event.EOF
        if data == b"\x03":
            return Event.INTERRUPT
        if data in (b"\r", b"\n"):
            return Event.ENTER
        if data == b" ":
            return Event.SPACE
        if data in (b"\x7f", b"\x08"):
            return Event.BACKSPACE
        return data.decode("utf-8", errors="replace")

    def line(self, prompt: str) -> str | None:
        if self.stream is sys.stdin:
            # input() with readline: arrow keys, Home/End and Ctrl-U edit the answer as in a shell.
            try:
                import readline
            except ImportError:  # pragma: no cover - Python built without readline
                readline = None  # type: ignore[assignment]
            try:
                return input(prompt)
            except (KeyboardInterrupt, EOFError):
                self.out.write("\n")
                return None
            finally:
                if readline is not None:
                    readline.clear_history()  # up-arrow must not offer earlier answers in an exam
        self.out.write(prompt)
        self.out.flush()
        try:
            raw = self.stream.readline()
        except KeyboardInterrupt:
            self.out.write("\n")
            return None
        if raw == "":
            self.out.write("\n")
            return None
        return raw.rstrip("\r\n")

    def timed_line(self, prompt: str, seconds: float | None) -> str | Literal[Event.TIMEOUT] | None:
        """Read a line, cut short by SIGALRM when the time is up: the countdown cannot be outwaited."""
        if seconds is None:
            return self.line(prompt)
        import signal

        class _TimeUp(Exception):
            pass

        def ring(signum: int, frame: object) -> None:
            raise _TimeUp

        previous = signal.signal(signal.SIGALRM, ring)
        signal.setitimer(signal.ITIMER_REAL, max(0.01, seconds))
        try:
            return self.line(prompt)
        except _TimeUp:
            self.out.write("\n")
            return Event.TIMEOUT
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)


def keys_for(stream: TextIO, isatty: bool) -> Keys:
    return TerminalKeys(stream) if isatty else LineKeys(stream)
