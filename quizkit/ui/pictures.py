"""Card pictures on the terminal: the kitty graphics protocol, iTerm2's inline images, sixel, or
Unicode half-blocks, chosen from the terminal's environment (or the `images` setting).

Every byte of escape sequence is written here, by the encoders below; an image file only ever
contributes pixels (decoded and scaled by io/pictures.py, handed over as a `Source`), and its
PNG form travels base64-encoded inside the protocol's frame. Nothing asks the terminal a question
(no reply is read from stdin), so no key the learner presses can be swallowed by a query.

A picture drawn by a protocol is a box of blank cells the size of the image, so Rich lays out
the panel around it, and the box's last line carries the escape sequence: save the cursor, go
back to the box's top left corner, draw, restore the cursor. The whole-screen review checks that
the box is shown whole before it keeps the sequence (see `visible_pictures`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping, Sequence
from itertools import count
from typing import Protocol

from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.segment import ControlType, Segment
from rich.style import Style

MODES = ("kitty", "iterm", "sixel", "blocks", "none")

UPPER_HALF = "\u2580"

CELL = (10, 20)
"""A cell's size in pixels when the terminal does not say (TIOCGWINSZ gives 0): VT340's."""


class Source(Protocol):
    """A decoded picture, as io/pictures.py gives it: its size and its pixels at any smaller size."""

    @property
    def size(self) -> tuple[int, int]: ...

    def rgb(self, width: int, height: int) -> bytes:
        """width x height pixels, 3 bytes each, row by row (transparency over black)."""

    def png(self, width: int, height: int) -> bytes:
        """The picture scaled to width x height, as a PNG file."""

    def indexed(self, width: int, height: int, colors: int) -> tuple[bytes, bytes]:
        """The picture scaled and reduced to at most `colors` colours: (palette RGB, one index a pixel)."""


def detect(environ: Mapping[str, str], color: bool) -> str:
    """The best way this terminal draws pictures, from its environment alone.

    Inside tmux or screen a graphics sequence reaches the outer terminal only with passthrough set
    up, so half-blocks are used there unless the setting names a protocol.
    """
    term = environ.get("TERM", "")
    program = environ.get("TERM_PROGRAM", "")
    if not color or term == "dumb":
        return "none"
    if environ.get("TMUX") or term.startswith(("screen", "tmux")):
        return "blocks"
    if term == "xterm-kitty" or environ.get("KITTY_WINDOW_ID") or term == "xterm-ghostty":
        return "kitty"
    if (
        program in ("WezTerm", "ghostty")
        or environ.get("WEZTERM_EXECUTABLE")
        or environ.get("KONSOLE_VERSION")
    ):
        return "kitty"
    if program == "iTerm.app" or environ.get("LC_TERMINAL") == "iTerm2":
        return "iterm"
    if term.startswith(("foot", "mlterm", "contour")) or environ.get("XTERM_VERSION"):
        return "sixel"
    return "blocks"


def cell_size(console: Console) -> tuple[int, int]:
    """A cell's size in pixels, as the terminal reports it to TIOCGWINSZ (no query is written)."""
    try:
        import fcntl
        import struct
        import termios

        packed = fcntl.ioctl(console.file.fileno(), termios.TIOCGWINSZ, bytes(8))
        rows, columns, width, height = struct.unpack("HHHH", packed)
        if rows and columns and width and height:
            return max(1, width // columns), max(1, height // rows)
    except (OSError, ValueError, AttributeError, ImportError):
        pass  # not a terminal, or not a POSIX one
    return CELL


# -------------------------------------------------------------- the protocols' escape sequences

KITTY_CHUNK = 4096
"""The kitty protocol's largest payload in one escape sequence."""


def kitty(png: bytes, image_id: int) -> str:
    """Show the PNG at the cursor at its own size in pixels, leaving the cursor where it is.

    a=T transmit and display, f=100 PNG, i the image's id, C=1 the cursor does not move, q=2 no
    reply; the base64 payload is cut in chunks, m=1 on all but the last. No c= or r=: kitty would
    stretch the picture to fill those cells, and the PNG is already scaled to fit its box.
    """
    import base64  # only when a picture is drawn

    data = base64.standard_b64encode(png).decode("ascii")
    chunks = [data[i : i + KITTY_CHUNK] for i in range(0, len(data), KITTY_CHUNK)] or [""]
    out = []
    for index, chunk in enumerate(chunks):
        more = int(index < len(chunks) - 1)
        keys = f"a=T,f=100,i={image_id},C=1,q=2,m={more}" if index == 0 else f"m={more}"
        out.append(f"\x1b_G{keys};{chunk}\x1b\\")
    return "".join(out)


KITTY_CLEAR = "\x1b_Ga=d,d=A,q=2\x1b\\"
"""Delete every picture placed on the screen, and free its data."""


def iterm(png: bytes, columns: int, rows: int) -> str:
    """iTerm2's inline image (OSC 1337 File=) across columns x rows cells."""
    import base64  # only when a picture is drawn

    data = base64.standard_b64encode(png).decode("ascii")
    return (
        f"\x1b]1337;File=inline=1;size={len(png)};width={columns};height={rows};"
        f"preserveAspectRatio=1;doNotMoveCursor=1:{data}\x07"
    )


def sixel(palette: bytes, indices: bytes, width: int, height: int) -> str:
    """The pixels as sixel graphics: DCS q, raster attributes, the palette in RGB percentages, then
    bands of six rows, each colour's row as characters 0x3F + the six bits (run-length coded
    !n for four or more), '$' back to the band's start for the next colour, '-' to the next band."""
    out = [f'\x1bP0;1;0q"1;1;{width};{height}']
    colours = len(palette) // 3
    for c in range(colours):
        r, g, b = palette[3 * c : 3 * c + 3]
        out.append(f"#{c};2;{round(r * 100 / 255)};{round(g * 100 / 255)};{round(b * 100 / 255)}")
    for top in range(0, height, 6):
        rows = [indices[y * width : (y + 1) * width] for y in range(top, min(top + 6, height))]
        bits: dict[int, bytearray] = {}
        for bit, row in enumerate(rows):
            for x, c in enumerate(row):
                line = bits.get(c)
                if line is None:
                    line = bits[c] = bytearray(width)
                line[x] |= 1 << bit
        band = []
        for c in sorted(bits):
            chars = bits[c].translate(_SIXEL_CHARS).rstrip(b"?")  # trailing blanks need not be sent
            band.append(f"#{c}" + _RUNS.sub(_run, chars).decode("ascii"))
        out.append("$".join(band) + ("-" if top + 6 < height else ""))
    out.append("\x1b\\")
    return "".join(out)


_SIXEL_CHARS = bytes(0x3F + (i & 0x3F) for i in range(256))

_RUNS = re.compile(rb"(.)\1{3,}")


def _run(found: re.Match[bytes]) -> bytes:
    return b"!%d%s" % (len(found.group()), found.group(1))


# -------------------------------------------------------------- the renderable

_MARK = "quizkit-picture"
"""The tag of a picture's row markers in a Segment's control codes (zero cells wide)."""

_ids = count(1)
"""The kitty image id of each picture drawn: one a drawing, so an earlier one is never replaced."""


class Picture:
    """A card's picture as a Rich renderable, drawn by `mode` (one of MODES)."""

    def __init__(
        self, source: Source, alt: str, mode: str, max_rows: int, cell: tuple[int, int] = CELL
    ) -> None:
        self.source = source
        self.alt = alt
        self.mode = mode
        self.max_rows = max(2, max_rows)
        self.cell = cell
        self._drawn: dict[int, list[Segment]] = {}
        """The segments for each width drawn: a redraw (a key, a message) costs nothing again."""

    def box(self, max_width: int) -> tuple[int, int, int, int]:
        """(columns, rows, pixel width, pixel height) that fit `max_width` columns and max_rows rows."""
        width, height = self.source.size
        cell_w, cell_h = (1, 2) if self.mode == "blocks" else self.cell
        scale = min(1.0, max_width * cell_w / width, self.max_rows * cell_h / height)
        px_w, px_h = max(1, round(width * scale)), max(1, round(height * scale))
        columns = min(max_width, max(1, -(-px_w // cell_w)))
        rows = min(self.max_rows, max(1, -(-px_h // cell_h)))
        return columns, rows, px_w, px_h

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        columns = self.box(options.max_width)[0]
        return Measurement(columns, columns)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        drawn = self._drawn.get(options.max_width)
        if drawn is None:
            if len(self._drawn) > 4:
                self._drawn.clear()
            drawn = self._drawn[options.max_width] = list(self._segments(options.max_width))
        yield from drawn

    def _segments(self, max_width: int) -> Iterator[Segment]:
        columns, rows, px_w, px_h = self.box(max_width)
        if self.mode == "blocks":
            yield from self._blocks(px_w, px_h)
            return
        token = next(_ids)
        if self.mode == "kitty":
            escape = kitty(self.source.png(px_w, px_h), token)
        elif self.mode == "iterm":
            escape = iterm(self.source.png(px_w, px_h), columns, rows)
        else:
            palette, indices = self.source.indexed(px_w, px_h, 256)
            escape = sixel(palette, indices, px_w, px_h)
        back = f"\x1b[{rows - 1}A" if rows > 1 else ""
        draw = f"\x1b7{back}\x1b[{columns}D{escape}\x1b8"
        for row in range(rows):
            marker = Segment("", None, [(ControlType.BELL, _MARK, token, row, rows)])  # type: ignore[list-item]
            yield marker
            yield Segment(" " * columns)
            if row == rows - 1:
                yield Segment(draw, None, [(ControlType.BELL, _MARK, token, -1, rows)])  # type: ignore[list-item]
            yield Segment.line()

    def _blocks(self, width: int, height: int) -> Iterator[Segment]:
        """Two pixels a cell: the upper one the character's colour, the lower one its background."""
        pixels = self.source.rgb(width, height)
        stride = 3 * width
        styles: dict[bytes, Style] = {}  # one Style for each pair of colours met
        for top in range(0, height, 2):
            upper = pixels[top * stride : (top + 1) * stride]
            lower = pixels[(top + 1) * stride : (top + 2) * stride] if top + 1 < height else None
            for x in range(width):
                pair = upper[3 * x : 3 * x + 3] + (lower[3 * x : 3 * x + 3] if lower else b"")
                style = styles.get(pair)
                if style is None:
                    fg = "#" + pair[:3].hex()
                    style = styles[pair] = Style(color=fg, bgcolor="#" + pair[3:].hex() if lower else None)
                yield Segment(UPPER_HALF, style)
            yield Segment.line()


def _mark(segment: Segment) -> tuple[int, int, int] | None:
    """(token, row, rows) of a picture's marker segment; row -1 is the drawing itself."""
    for code in segment.control or ():
        if len(code) == 5 and code[1] == _MARK:
            return code[2], code[3], code[4]
    return None


def visible_pictures(lines: Sequence[list[Segment]]) -> tuple[list[list[Segment]], bool]:
    """The lines with each picture's drawing kept only where its whole box is among them (a box cut
    by scrolling keeps its blank cells and draws nothing), and whether any kitty-style drawing
    was kept (the next redraw deletes it first)."""
    shown = False
    out: list[list[Segment]] = []
    for y, line in enumerate(lines):
        kept = []
        for segment in line:
            mark = _mark(segment) if segment.control else None
            if mark is not None and mark[1] == -1:
                token, _, rows = mark
                above = lines[max(0, y - rows + 1) : y + 1]
                rows_seen = [
                    m[1] for row in above for s in row if s.control and (m := _mark(s)) and m[0] == token
                ]
                if rows_seen[:rows] != list(range(rows)) or y - rows + 1 < 0:
                    continue
                shown = shown or "\x1b_G" in segment.text
            kept.append(segment)
        out.append(kept)
    return out, shown


def environment_mode(setting: str, environ: Mapping[str, str] | None = None, color: bool = True) -> str:
    """The mode to draw in: QUIZKIT_IMAGES, else the `images` setting, with "auto" detected."""
    environ = os.environ if environ is None else environ
    chosen = environ.get("QUIZKIT_IMAGES", "").strip().lower() or setting
    if chosen in MODES:
        return chosen
    return detect(environ, color)
