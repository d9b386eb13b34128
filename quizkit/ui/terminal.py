"""Reading the learner's keys: single keypresses on a terminal, whole lines otherwise.

This is the only module that changes terminal modes. A key is the text typed, or an `Event`
(Enter, Space, end of input, time up...): events are enum members, never strings, so no answer a
learner types can be taken for one. The review and exam flows decide what a key means.
"""

from __future__ import annotations

import os
import select
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from enum import Enum
from typing import Any, Literal, Protocol, TextIO


class Event(Enum):
    """A key or a line that is not text."""

    EOF = "end of input"
    TIMEOUT = "time is up"
    INTERRUPT = "ctrl-c"
    ENTER = "enter"
    SPACE = "space"
    BACKSPACE = "backspace"
    ESCAPE = "escape"
    UP = "up"
    DOWN = "down"
    LEFT = "left"
    RIGHT = "right"
    PAGE_UP = "page up"
    PAGE_DOWN = "page down"
    HOME = "home"
    END = "end"
    OTHER = "another key"
    """A function key, an Alt combination or a sequence nobody uses here: ignored, never a command."""
    REDRAW = "redraw"
    """The terminal changed size, or came back after Ctrl-Z: draw the screen again."""


class Keys(Protocol):
    """Where answers come from."""

    interactive: bool

    def hold(self) -> AbstractContextManager[None]:
        """Keep the terminal in single-key mode for a whole session (type-ahead is kept)."""

    def key(self) -> str | Event:
        """One key (or, in line mode, one line): the text, or an Event (Enter, Space, end of input...)."""

    def timed_key(self, seconds: float | None) -> str | Event:
        """key(), or Event.TIMEOUT once `seconds` pass first (where the terminal allows it)."""

    def line(self, prompt: str) -> str | None:
        """A typed answer; None when input ends or the learner interrupts."""

    def timed_line(self, prompt: str, seconds: float | None) -> str | Event:
        """A typed answer for an exam, or what came instead: Event.TIMEOUT after `seconds` (where
        the terminal allows it), Event.INTERRUPT for Ctrl-C, Event.EOF at the end of input. On a
        terminal a countdown to the time limit is redrawn every second beside the prompt."""


MAX_LINE = 64 * 1024
"""The longest line read as an answer; a longer one is cut there."""

MAX_SKIPPED = 16 * 1024 * 1024
"""How much of an overlong line is skipped before its input counts as ended."""


class LineKeys:
    """Line mode, for pipes, scripts, tests and screen readers: one answer or key per line."""

    interactive = False

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def hold(self) -> AbstractContextManager[None]:
        return nullcontext()

    def _read(self) -> str | Literal[Event.EOF, Event.INTERRUPT]:
        """One line, at most MAX_LINE characters of it (the rest is skipped). Input that is not
        text (a NUL byte, as from a device) or a line without end is the end of input: memory
        stays bounded, and the session ends instead of reading for ever."""
        try:
            raw = self.stream.readline(MAX_LINE)
            skipped = 0
            while len(raw) + skipped >= MAX_LINE and not raw.endswith("\n") and "\x00" not in raw:
                more = self.stream.readline(MAX_LINE)
                if not more or "\x00" in more or skipped > MAX_SKIPPED:
                    return Event.EOF
                skipped += len(more)
                if more.endswith("\n"):
                    break
        except KeyboardInterrupt:
            return Event.INTERRUPT
        except UnicodeDecodeError:
            return Event.EOF
        if raw == "" or "\x00" in raw:
            return Event.EOF
        return raw.rstrip("\r\n")

    def key(self) -> str | Event:
        raw = self._read()
        if isinstance(raw, Event):
            return raw
        text = raw.strip()
        if text == "":
            return Event.ENTER
        return text

    def timed_key(self, seconds: float | None) -> str | Event:
        # As timed_line: the caller checks the clock after each line.
        return self.key()

    def line(self, prompt: str) -> str | None:
        raw = self._read()
        return None if isinstance(raw, Event) else raw

    def timed_line(self, prompt: str, seconds: float | None) -> str | Event:
        # Scripts and tests drive time with QUIZKIT_NOW: the caller checks the clock after each line.
        return self._read()


# The final byte of a CSI sequence (ESC [ ... final), and of an SS3 one (ESC O final).
_CSI_FINAL = {b"A": Event.UP, b"B": Event.DOWN, b"C": Event.RIGHT, b"D": Event.LEFT, b"H": Event.HOME}
_CSI_FINAL[b"F"] = Event.END
_CSI_TILDE = {
    b"1": Event.HOME,
    b"7": Event.HOME,
    b"4": Event.END,
    b"8": Event.END,
    b"5": Event.PAGE_UP,
    b"6": Event.PAGE_DOWN,
}
SEQUENCE_WAIT_S = 0.05
"""How long the rest of an escape sequence may take to arrive: a lone Esc is told from an arrow key
by nothing following it within this time (what curses' ESCDELAY and vim's ttimeout do)."""


class _Wake(Exception):
    """Raised out of a blocked read by a signal that means: draw the screen again."""


class TerminalKeys:
    """Single keypresses from a real terminal, restored to its normal mode afterwards.

    While held (a whole review session), the terminal stays in single-key mode: switching modes
    between keys would discard what the learner typed ahead. Ctrl-Z gives the shell its terminal
    back and takes single keys again after fg; a plain kill or a closed window gives it back before
    going. `on_leave` and `on_return` let the screen leave and re-enter its alternate screen then.
    """

    interactive = True

    def __init__(self, stream: TextIO, out: TextIO | None = None) -> None:
        self.stream = stream
        self.out = out or sys.stdout
        self.fd = stream.fileno()
        self.pending = bytearray()
        self.on_leave: Callable[[], None] | None = None
        self.on_return: Callable[[], None] | None = None
        self.wants_redraw = False
        """Set by a screen: report a resize or a return from Ctrl-Z as Event.REDRAW."""
        self._depth = 0
        self._saved: list[Any] | None = None
        self._reading = False
        self._woken = False

    # ------------------------------------------------------------ the mode

    @contextmanager
    def hold(self) -> Iterator[None]:
        import signal
        import termios

        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        self._saved = termios.tcgetattr(self.fd)
        handlers: dict[int, Any] = {
            signal.SIGTSTP: self._stopped,
            signal.SIGCONT: self._continued,
            signal.SIGTERM: self._ended,
            signal.SIGHUP: self._ended,
            signal.SIGWINCH: self._resized,
        }
        previous = {number: signal.signal(number, handler) for number, handler in handlers.items()}
        self._depth = 1
        try:
            self._single_keys()
            yield
        finally:
            self._depth = 0
            self._restore()
            for number, handler in previous.items():
                signal.signal(number, handler)

    def _single_keys(self) -> None:
        import termios

        # As tty.setcbreak, but TCSANOW: the default TCSAFLUSH would drop keys typed ahead.
        mode = termios.tcgetattr(self.fd)
        mode[3] &= ~(termios.ECHO | termios.ICANON)
        mode[6][termios.VMIN] = 1
        mode[6][termios.VTIME] = 0
        termios.tcsetattr(self.fd, termios.TCSANOW, mode)

    def release(self) -> None:
        """Give the terminal its normal modes for a while (an editor runs); `reclaim` takes it back."""
        self._restore()

    def reclaim(self) -> None:
        self._single_keys()

    def _restore(self) -> None:
        import termios

        if self._saved is not None:
            termios.tcsetattr(self.fd, termios.TCSADRAIN, self._saved)

    def _leave(self) -> None:
        if self.on_leave is not None:
            self.on_leave()
        self._restore()

    def _return(self) -> None:
        self._single_keys()
        if self.on_return is not None:
            self.on_return()
        self._wake()

    def _wake(self) -> None:
        if not self.wants_redraw:
            return
        if self._reading:
            raise _Wake
        self._woken = True

    def _stopped(self, signum: int, frame: object) -> None:
        import signal

        self._leave()
        signal.signal(signal.SIGTSTP, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGTSTP)  # stops here; fg continues from this line
        signal.signal(signal.SIGTSTP, self._stopped)
        self._return()

    def _continued(self, signum: int, frame: object) -> None:
        # After fg the shell may have set its own modes again: take single keys once more.
        if self._depth:
            self._return()

    def _ended(self, signum: int, frame: object) -> None:
        import signal

        self._leave()
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)

    def _resized(self, signum: int, frame: object) -> None:
        self._wake()

    # ------------------------------------------------------------ reading

    def _byte(self, wait: float | None) -> bytes:
        """One byte: typed ahead, or read (b"" at end of input, or if `wait` passes first)."""
        if self.pending:
            first = bytes(self.pending[:1])
            del self.pending[:1]
            return first
        if wait is not None and not select.select([self.fd], [], [], wait)[0]:
            return b""
        return os.read(self.fd, 1)

    def key(self) -> str | Event:
        return self.timed_key(None)

    def timed_key(self, seconds: float | None) -> str | Event:
        with self.hold():
            self.out.flush()
            if self._woken:
                self._woken = False
                return Event.REDRAW
            self._reading = True
            try:
                if seconds is not None and not self.pending:
                    if not select.select([self.fd], [], [], max(0.0, seconds))[0]:
                        return Event.TIMEOUT
                return self._decode(self._byte(None))
            except _Wake:
                return Event.REDRAW
            except KeyboardInterrupt:
                return Event.INTERRUPT
            finally:
                self._reading = False

    def _decode(self, data: bytes) -> str | Event:
        if data == b"\x1b":
            return self._sequence()
        if data and data[0] >= 0xC0:
            # The rest of a UTF-8 character.
            need = 1 if data[0] < 0xE0 else 2 if data[0] < 0xF0 else 3
            for _ in range(need):
                data += self._byte(SEQUENCE_WAIT_S)
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
        text = data.decode("utf-8", errors="replace")
        if not text.isprintable():
            return Event.OTHER  # Ctrl+letter, a stray byte: never a command
        return text

    def _sequence(self) -> Event:
        """After ESC: an arrow, page or function key, an Alt combination, or Esc alone."""
        second = self._byte(SEQUENCE_WAIT_S)
        if not second:
            return Event.ESCAPE
        if second == b"O":  # SS3: ESC O A (arrows in application mode), ESC O P (F1)...
            final = self._byte(SEQUENCE_WAIT_S)
            return _CSI_FINAL.get(final, Event.OTHER)
        if second != b"[":
            return Event.OTHER  # Alt+key
        params = b""
        while True:
            byte = self._byte(SEQUENCE_WAIT_S)
            if not byte:
                return Event.OTHER  # cut short: ignore what came
            if 0x40 <= byte[0] <= 0x7E:
                break
            params += byte
            if len(params) > 32:
                return Event.OTHER
        if byte == b"~":
            return _CSI_TILDE.get(params.split(b";")[0], Event.OTHER)
        return _CSI_FINAL.get(byte, Event.OTHER)

    def line(self, prompt: str) -> str | None:
        with self.hold():
            return self._line(prompt)

    def _line(self, prompt: str, interrupts: bool = False) -> str | None:
        """A line with echo and editing; Ctrl-C is None, or raised with `interrupts`."""
        import termios

        ahead = self.pending.decode("utf-8", errors="replace")
        self.pending.clear()
        held = termios.tcgetattr(self.fd)
        if self._saved is not None:
            termios.tcsetattr(self.fd, termios.TCSADRAIN, self._saved)  # echo and editing for the line
        try:
            return self._read_line(prompt, ahead, interrupts)
        finally:
            termios.tcsetattr(self.fd, termios.TCSANOW, held)

    def _read_line(self, prompt: str, ahead: str, interrupts: bool = False) -> str | None:
        if self.stream is sys.stdin:
            # input() with readline: arrow keys, Home/End and Ctrl-U edit the answer as in a shell.
            try:
                import readline
            except ImportError:  # pragma: no cover - Python built without readline
                readline = None  # type: ignore[assignment]
            if readline is not None and ahead:
                readline.set_startup_hook(lambda: readline.insert_text(ahead))
            try:
                return input(prompt)
            except KeyboardInterrupt:
                self.out.write("\n")
                if interrupts:
                    raise
                return None
            except EOFError:
                self.out.write("\n")
                return None
            finally:
                if readline is not None:
                    readline.set_startup_hook(None)
                    readline.clear_history()  # up-arrow must not offer earlier answers in an exam
        self.out.write(prompt + ahead)
        self.out.flush()
        try:
            raw = self.stream.readline()
        except KeyboardInterrupt:
            self.out.write("\n")
            if interrupts:
                raise
            return None
        if raw == "":
            self.out.write("\n")
            return None
        return ahead + raw.rstrip("\r\n")

    def timed_line(self, prompt: str, seconds: float | None) -> str | Event:
        """Without a time limit, a line edited as in a shell; with one, a line typed beside a
        countdown redrawn every second (the limit cannot be outwaited)."""
        with self.hold():
            if seconds is None:
                try:
                    typed = self._line(prompt, interrupts=True)
                except KeyboardInterrupt:
                    return Event.INTERRUPT
                return Event.EOF if typed is None else typed
            return self._countdown_line(prompt, time.monotonic() + seconds)

    def _countdown_line(self, prompt: str, deadline: float) -> str | Event:
        """Keys in single-key mode, echoed on one line that starts with the time left: Backspace
        and Ctrl-U edit; the line scrolls sideways rather than wrap, so redrawing it is one \\r."""
        ahead = self.pending.decode("utf-8", errors="replace")
        self.pending.clear()
        typed = [char for char in ahead if char.isprintable() and char not in "\r\n"]
        try:
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    self._draw_countdown(prompt, typed, 0)
                    self.out.write("\n")
                    self.out.flush()
                    return Event.TIMEOUT
                self._draw_countdown(prompt, typed, left)
                # Wake when the shown second changes (or sooner, for a key).
                wait = left - int(left) or 1.0
                if not self.pending and not select.select([self.fd], [], [], wait)[0]:
                    continue
                first = self._byte(None)
                if first == b"\x15":  # Ctrl-U: start the answer again
                    typed.clear()
                    continue
                key = self._decode(first)
                if key is Event.ENTER:
                    self.out.write("\n")
                    self.out.flush()
                    return "".join(typed)
                if key is Event.EOF or key is Event.INTERRUPT:
                    self.out.write("\n")
                    self.out.flush()
                    return key
                if key is Event.BACKSPACE:
                    if typed:
                        typed.pop()
                elif key is Event.SPACE:
                    typed.append(" ")
                elif isinstance(key, str):
                    typed.append(key)
        except KeyboardInterrupt:
            self.out.write("\n")
            self.out.flush()
            return Event.INTERRUPT

    def _draw_countdown(self, prompt: str, typed: list[str], left: float) -> None:
        whole = max(0, int(left))  # whole seconds left, as the exam's header counts them
        hours, rest = divmod(whole, 3600)
        minutes, secs = divmod(rest, 60)
        clock = f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"
        head = f"[{clock} left] {prompt}"
        try:
            width = os.get_terminal_size(self.out.fileno()).columns
        except (OSError, ValueError, AttributeError):
            width = 80
        room = max(1, width - len(head) - 1)
        text = "".join(typed)
        shown = text if len(text) <= room else "…" + text[-(room - 1) :] if room > 1 else text[-1:]
        self.out.write("\r\x1b[K" + head + shown)
        self.out.flush()


def keys_for(stream: TextIO, isatty: bool) -> Keys:
    return TerminalKeys(stream) if isatty else LineKeys(stream)
