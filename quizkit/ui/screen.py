"""Where a study session is shown: a whole screen that keeps its place, or lines for pipes.

`Screen` owns the terminal for a session (the alternate screen, as less and vim do): each step
redraws the whole screen from a `Frame`, so the question stays at the top while the answer and
the rating bar are shown, long content pages (arrows, PgUp/PgDn) instead of scrolling away, a
status line keeps the last message until the next key, and a resize redraws. `Lines` prints the
same parts one after another, for pipes, scripts and screen readers (`--plain`): it never moves
the cursor. The review and cram flows talk to either through the same few calls.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, Protocol

from msgspec import Struct, field
from msgspec.structs import replace
from rich.console import Console, RenderableType
from rich.control import Control
from rich.segment import Segment, Segments
from rich.text import Text

from quizkit.ui.terminal import Event, Keys, TerminalKeys

SCROLL_KEYS = {Event.UP, Event.DOWN, Event.PAGE_UP, Event.PAGE_DOWN, Event.HOME, Event.END}


class Frame(Struct, frozen=True):
    """One screen: what is shown, top to bottom."""

    header: RenderableType = ""
    question: RenderableType | None = None
    answer: RenderableType | None = None
    bottom: Sequence[RenderableType] = ()
    """The rating bar, the keys: always on the last lines, above the status line."""
    help: RenderableType | None = None
    """Shown in place of the answer while open; the question stays."""
    prompt: bool = False
    """Keep a line for a typed answer at the bottom."""
    status: RenderableType | None = None


class Display(Protocol):
    """What a study flow needs from the screen."""

    def show(self, frame: Frame) -> None:
        """Show a new step (a card, an answer): the screen starts from its top."""

    def update(self, **changes: object) -> None:
        """Change parts of the current frame (a message, the help) without starting again."""

    def say(self, message: RenderableType) -> None:
        """A message that stays in view until the next key."""

    def note(self, message: RenderableType | None) -> None:
        """A message for the next screen (None: none); line mode prints it at once."""

    def key(self) -> str | Event:
        """The next key that means something to the flow (scrolling and redraws are handled here)."""

    def line(self, prompt: str) -> str | None:
        """A typed answer."""

    @property
    def frame(self) -> Frame: ...


class Lines:
    """Line mode: each part printed once, as it appears; messages printed where they happen."""

    def __init__(self, console: Console, keys: Keys) -> None:
        self.console = console
        self.keys = keys
        self._frame = Frame()

    @property
    def frame(self) -> Frame:
        return self._frame

    def show(self, frame: Frame) -> None:
        self.console.print()
        self._print_new(Frame(), frame)
        self._frame = frame

    def update(self, **changes: object) -> None:
        fresh = replace(self._frame, **changes)
        self._print_new(self._frame, fresh)
        self._frame = replace(fresh, help=None, status=None)

    def _print_new(self, old: Frame, new: Frame) -> None:
        for name in ("header", "question", "answer", "help"):
            part = getattr(new, name)
            if part is not None and part != "" and part is not getattr(old, name):
                self.console.print(part)
        if new.bottom and new.bottom is not old.bottom:
            for part in new.bottom:
                self.console.print(part)
        if new.status is not None and new.status is not old.status:
            self.console.print(new.status, soft_wrap=True)

    def say(self, message: RenderableType) -> None:
        self.console.print(message, soft_wrap=True)  # a path in a message is never cut in two

    def note(self, message: RenderableType | None) -> None:
        if message is not None:
            self.say(message)

    def key(self) -> str | Event:
        while True:
            pressed = self.keys.key()
            if pressed is not Event.REDRAW:
                return pressed

    def line(self, prompt: str) -> str | None:
        return self.keys.line(prompt)


class _Scroll(Struct):
    offset: int = 0
    limit: int = 0
    page: int = 1
    to_answer: bool = False
    """Open at the answer: on a screen too small to keep the question, its verdict comes first."""


class Screen(Struct):
    """The alternate screen, redrawn whole for every change (see the module's docstring)."""

    console: Console
    keys: TerminalKeys
    _frame: Frame = field(default_factory=Frame)
    _scroll: _Scroll = field(default_factory=_Scroll)
    _active: bool = False
    _pictures_drawn: bool = False
    """Whether the last drawing drew a picture by the kitty protocol (deleted before the next)."""

    # ------------------------------------------------------------ entering and leaving

    def __enter__(self) -> Screen:
        self.keys.on_leave = self._leave
        self.keys.on_return = self._return
        self.keys.wants_redraw = True
        self._enter()
        return self

    def __exit__(self, *exc: object) -> Literal[False]:
        self._leave()
        self.keys.on_leave = self.keys.on_return = None
        self.keys.wants_redraw = False
        return False

    def _enter(self) -> None:
        if not self._active:
            self.console.set_alt_screen(True)
            self.console.show_cursor(False)
            self._active = True

    def _leave(self) -> None:
        if self._active and self._pictures_drawn:
            from quizkit.ui.pictures import KITTY_CLEAR

            self.console.file.write(KITTY_CLEAR)
            self._pictures_drawn = False
        if self._active:
            self.console.show_cursor(True)
            self.console.set_alt_screen(False)
            self.console.file.flush()
            self._active = False

    def _return(self) -> None:
        self._enter()

    def suspended(self) -> _Away:
        """Give the terminal back for a while (to run the editor), then take it again."""
        return _Away(self)

    # ------------------------------------------------------------ the frame

    @property
    def frame(self) -> Frame:
        return self._frame

    def show(self, frame: Frame) -> None:
        self._frame = frame
        self._scroll = _Scroll()
        self.draw()

    def update(self, **changes: object) -> None:
        self._frame = replace(self._frame, **changes)
        if "help" in changes:
            self._scroll = _Scroll()
        if changes.get("answer") is not None:
            self._scroll = _Scroll(to_answer=True)
        self.draw()

    def say(self, message: RenderableType) -> None:
        self.update(status=message)

    def note(self, message: RenderableType | None) -> None:
        self._frame = replace(self._frame, status=message)

    def key(self) -> str | Event:
        while True:
            pressed = self.keys.key()
            if pressed is Event.REDRAW:
                self.draw()
                continue
            if pressed in SCROLL_KEYS:
                if self._move(pressed):
                    self.draw()
                continue
            if self._frame.status is not None:
                # Gone from the next drawing: redrawing now would show this step again before
                # the key is acted on (and a reader of the screen would take it for the next).
                self._frame = replace(self._frame, status=None)
            return pressed

    def line(self, prompt: str) -> str | None:
        self._frame = replace(self._frame, prompt=True)
        row = self.draw()
        self.console.control(Control.move_to(0, row))
        self.console.show_cursor(True)
        try:
            return self.keys.line(prompt)
        finally:
            self.console.show_cursor(False)
            self._frame = replace(self._frame, prompt=False, status=None)  # the answer was an action

    def _move(self, pressed: str | Event) -> bool:
        scroll = self._scroll
        step = {
            Event.UP: -1,
            Event.DOWN: 1,
            Event.PAGE_UP: -scroll.page,
            Event.PAGE_DOWN: scroll.page,
            Event.HOME: -scroll.limit,
            Event.END: scroll.limit,
        }[pressed]  # type: ignore[index]
        moved = max(0, min(scroll.limit, scroll.offset + step))
        if moved == scroll.offset:
            return False
        scroll.offset = moved
        return True

    # ------------------------------------------------------------ drawing

    def _lines(self, part: RenderableType | None, width: int) -> list[list[Segment]]:
        if part is None or part == "":
            return []
        options = self.console.options.update(width=width, height=None)
        return self.console.render_lines(part, options, pad=True)

    def compose(self, width: int, height: int) -> tuple[list[list[Segment]], int]:
        """The frame as exactly `height` lines of `width` cells, and the row kept for a prompt."""
        frame = self._frame
        blank = [Segment(" " * width)]
        header = self._lines(frame.header, width)
        bottom = [line for part in frame.bottom for line in self._lines(part, width)]
        if frame.prompt:
            bottom.append(blank)
        status = self._lines(frame.status, width)[:3] or [blank]
        question = self._lines(frame.question, width)
        rest = self._lines(frame.help if frame.help is not None else frame.answer, width)
        area = max(1, height - len(header) - len(bottom) - len(status))
        if len(header) + len(bottom) + len(status) >= height:
            header = header[:1]
        body: list[list[Segment]]
        if len(question) + len(rest) <= area:
            body = question + rest
            self._scroll.limit = 0
        else:
            # Too long for the screen: the question stays when it takes at most two thirds of it,
            # and what follows pages; a last line says there is more and how to see it.
            pinned = question if len(question) <= area * 2 // 3 else []
            moving = rest if pinned else question + rest
            window = max(1, area - len(pinned) - 1)
            scroll = self._scroll
            scroll.limit = max(0, len(moving) - window)
            scroll.page = max(1, window - 1)
            if scroll.to_answer and not pinned and frame.help is None:
                scroll.offset = max(0, len(question) - max(1, window // 3))  # the question's end
            scroll.to_answer = False
            scroll.offset = min(scroll.offset, scroll.limit)
            shown = moving[scroll.offset : scroll.offset + window]
            first, last = scroll.offset + 1, scroll.offset + len(shown)
            more = Text(f"lines {first}-{last} of {len(moving)} · ↑↓ PgUp PgDn", style="dim reverse")
            body = pinned + shown + self._lines(more, width)[:1]
        body = body[:area] + [blank] * (area - len(body))
        lines = (header + body + bottom + status)[:height]
        prompt_row = len(header) + area + len(bottom) - 1
        return lines, prompt_row

    def draw(self) -> int:
        """Draw the whole frame; returns the row kept for a typed answer."""
        width, height = self.console.size
        lines, prompt_row = self.compose(width, height)
        clear = self._pictures_drawn
        if clear or any(segment.control for line in lines for segment in line):
            from quizkit.ui.pictures import KITTY_CLEAR, visible_pictures

            lines, self._pictures_drawn = visible_pictures(lines)
            if clear:  # kitty keeps a picture until it is deleted: the last drawing's go first
                self.console.file.write(KITTY_CLEAR)
        segments: list[Segment] = []
        for index, line in enumerate(lines):
            segments.extend(line)
            if index < len(lines) - 1:
                segments.append(Segment.line())
        self.console.control(Control.home())
        self.console.print(Segments(segments), end="", crop=False, soft_wrap=True)
        self.console.file.flush()
        return prompt_row


class _Away:
    """The terminal given back (alternate screen left, normal modes) while an editor runs."""

    def __init__(self, screen: Screen) -> None:
        self.screen = screen

    def __enter__(self) -> None:
        self.screen._leave()
        self.screen.keys.release()

    def __exit__(self, *exc: object) -> None:
        self.screen.keys.reclaim()
        self.screen._enter()
        self.screen.draw()
