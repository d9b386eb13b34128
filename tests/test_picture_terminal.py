"""Pictures on the terminal: each protocol's bytes, half-blocks at two widths, the detection, the
box kept whole when the screen scrolls, and a real review in a pseudo-terminal."""

from __future__ import annotations

import base64
import io
import os
import re
import sys
from pathlib import Path

import pexpect
import pytest
from rich.console import Console
from test_pictures import png

from quizkit.io.pictures import Decoded
from quizkit.model import Card, Kind
from quizkit.ui import pictures, render

GOLDEN = Path(__file__).parent / "data" / "pictures"


class Fixed:
    """A Source with given pixels: the encoders are checked against bytes worked out by hand."""

    def __init__(self, size: tuple[int, int], palette: bytes, indices: bytes, png_data: bytes = b"") -> None:
        self.size = size
        self.palette = palette
        self.indices = indices
        self.png_data = png_data

    def rgb(self, width: int, height: int) -> bytes:
        return b"".join(self.palette[3 * i : 3 * i + 3] for i in self.indices)

    def png(self, width: int, height: int) -> bytes:
        return self.png_data

    def indexed(self, width: int, height: int, colors: int) -> tuple[bytes, bytes]:
        return self.palette, self.indices


# ---------------------------------------------------------------- the protocols, byte for byte


def test_kitty_frames_a_small_png_in_one_escape() -> None:
    data = b"\x89PNG\r\n\x1a\nsmall"
    payload = base64.standard_b64encode(data).decode()
    assert pictures.kitty(data, 7) == f"\x1b_Ga=T,f=100,i=7,C=1,q=2,m=0;{payload}\x1b\\"


def test_kitty_cuts_a_long_payload_in_4096_byte_chunks() -> None:
    data = bytes(range(256)) * 40  # 10,240 bytes: 13,656 of base64, four chunks
    out = pictures.kitty(data, 42)
    frames = re.findall(r"\x1b_G([^;]*);([^\x1b]*)\x1b\\", out)
    assert "".join(f"\x1b_G{k};{p}\x1b\\" for k, p in frames) == out  # nothing outside the frames
    assert [k for k, _ in frames] == ["a=T,f=100,i=42,C=1,q=2,m=1", "m=1", "m=1", "m=0"]
    assert [len(p) for _, p in frames] == [4096, 4096, 4096, 13656 - 3 * 4096]
    assert base64.standard_b64decode("".join(p for _, p in frames)) == data


def test_iterm_inline_image() -> None:
    data = b"\x89PNG\r\n\x1a\nsmall"
    payload = base64.standard_b64encode(data).decode()
    assert pictures.iterm(data, 3, 2) == (
        f"\x1b]1337;File=inline=1;size={len(data)};width=3;height=2;preserveAspectRatio=1;"
        f"doNotMoveCursor=1:{payload}\x07"
    )


def test_sixel_of_two_by_two_pixels_worked_out_by_hand() -> None:
    # red blue / blue red: colour 0 is row 0 at x=0 (bit 0: '@') and row 1 at x=1 (bit 1: 'A')
    out = pictures.sixel(b"\xff\x00\x00\x00\x00\xff", bytes([0, 1, 1, 0]), 2, 2)
    assert out == '\x1bP0;1;0q"1;1;2;2#0;2;100;0;0#1;2;0;0;100#0@A$#1A@\x1b\\'


def test_sixel_run_lengths_and_bands() -> None:
    # 8 x 7 of one colour: a full band of six rows ('~' = 0x3F + 63), run-length coded, then a
    # band with one row ('@').
    out = pictures.sixel(b"\x10\x20\x30", bytes(8 * 7), 8, 7)
    assert out == '\x1bP0;1;0q"1;1;8;7#0;2;6;13;19#0!8~-#0!8@\x1b\\'


def decode_sixel(data: str) -> tuple[int, int, list[int]]:
    """An independent reader of what sixel() writes: (width, height, colour index of each pixel)."""
    assert data.startswith("\x1bP0;1;0q") and data.endswith("\x1b\\")
    body = data[len("\x1bP0;1;0q") : -2]
    raster = re.match(r'"1;1;(\d+);(\d+)', body)
    assert raster is not None
    width, height = int(raster[1]), int(raster[2])
    body = re.sub(r"#\d+;2;\d+;\d+;\d+", "", body[raster.end() :])
    pixels = [-1] * (width * height)
    top = 0
    for band in body.split("-"):
        for run in band.split("$"):
            found = re.match(r"#(\d+)(.*)", run)
            assert found is not None
            colour, x = int(found[1]), 0
            for count, char in re.findall(r"(?:!(\d+))?([?-~])", found[2]):
                for _ in range(int(count or 1)):
                    bits = ord(char) - 0x3F
                    for bit in range(6):
                        if bits >> bit & 1:
                            assert pixels[(top + bit) * width + x] == -1  # each pixel painted once
                            pixels[(top + bit) * width + x] = colour
                    x += 1
        top += 6
    return width, height, pixels


def test_sixel_of_a_real_image_decodes_back_to_its_pixels(tmp_path: Path) -> None:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (37, 23), (240, 230, 200))
    ImageDraw.Draw(image).line([(0, 0), (36, 22)], fill=(200, 0, 0), width=3)
    image.save(tmp_path / "map.png")
    source = Decoded(tmp_path, "map.png")
    palette, indices = source.indexed(37, 23, 256)
    out = pictures.sixel(palette, indices, 37, 23)
    width, height, pixels = decode_sixel(out)
    assert (width, height) == (37, 23) and pixels == list(indices)
    assert set(out[2:-2]) <= set('0;1q"#$-!') | {chr(c) for c in range(0x20, 0x7F)}  # no other escape


def test_the_picture_box_carries_its_drawing_on_its_last_line_and_the_file_only_pixels(
    tmp_path: Path,
) -> None:
    # A file that holds escape sequences in its metadata: only its pixels reach the terminal.
    from PIL import Image
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Comment", "\x1b]0;owned\x07\x1b[2J")
    Image.new("RGB", (40, 40), (0, 128, 0)).save(tmp_path / "m.png", pnginfo=info)
    drawing = pictures.Picture(Decoded(tmp_path, "m.png"), "a green square", "kitty", 4, (10, 20))
    console = Console(width=30, force_terminal=True, color_system="truecolor", file=io.StringIO())
    lines = console.render_lines(drawing, console.options, pad=False)
    assert len(lines) == 2  # 40 x 40 pixels in 10 x 20 cells: 4 columns, 2 rows
    text = ["".join(s.text for s in line) for line in lines]
    assert text[0] == "    "
    escape = text[1][4:]
    found = re.fullmatch(
        r"\x1b7\x1b\[1A\x1b\[4D\x1b_Ga=T,f=100,i=\d+,C=1,q=2,m=0;([A-Za-z0-9+/=]+)\x1b\\\x1b8", escape
    )
    assert found is not None
    sent = Image.open(io.BytesIO(base64.standard_b64decode(found[1])))
    assert sent.size == (40, 40) and sent.getpixel((5, 5)) == (0, 128, 0)
    assert "owned" not in base64.standard_b64decode(found[1]).decode("latin-1")  # metadata not copied


# ---------------------------------------------------------------- half-blocks, compared whole


def two_colour_map(tmp_path: Path) -> Decoded:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (200, 60), (30, 60, 200))
    ImageDraw.Draw(image).rectangle([0, 0, 99, 59], fill=(220, 40, 40))
    image.save(tmp_path / "flag.png")
    return Decoded(tmp_path, "flag.png")


@pytest.mark.parametrize("width", [40, 80])
def test_half_blocks_fill_the_panel_at_40_and_80_columns(tmp_path: Path, width: int) -> None:
    card = Card("flag", Kind.BASIC, "Whose flag is this?", "Nobody's")
    drawing = pictures.Picture(two_colour_map(tmp_path), "red and blue", "blocks", 8)
    out = io.StringIO()
    console = Console(
        width=width, force_terminal=True, color_system="truecolor", file=out, legacy_windows=False
    )
    console.print(render.card_panel(card, (), picture=drawing))
    golden = GOLDEN / f"blocks-{width}.ansi"
    if os.environ.get("QUIZKIT_WRITE_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(out.getvalue(), encoding="utf-8")
    assert out.getvalue() == golden.read_text(encoding="utf-8")
    # 200 x 60 pixels kept in proportion, as wide as the panel's inside (36 cells at 40 columns)
    # or as tall as the 8 rows allow (16 pixels: 53 cells at 80 columns).
    scale = min((width - 4) / 200, 8 * 2 / 60)
    rows = [line for line in out.getvalue().splitlines() if "\u2580" in line]
    cells = re.sub(r"\x1b\[[0-9;]*m", "", rows[0]).count("\u2580")
    assert (cells, len(rows)) == (round(200 * scale), -(-round(60 * scale) // 2))
    assert cells == (36 if width == 40 else 53)


def test_half_blocks_keep_a_tall_picture_within_its_rows(tmp_path: Path) -> None:
    from PIL import Image

    Image.new("RGB", (50, 400), (10, 10, 10)).save(tmp_path / "tall.png")
    drawing = pictures.Picture(Decoded(tmp_path, "tall.png"), "tall", "blocks", 6)
    console = Console(width=80, force_terminal=True, color_system="truecolor", file=io.StringIO())
    lines = console.render_lines(drawing, console.options, pad=False)
    assert len(lines) == 6 and sum(s.cell_length for s in lines[0]) == 2  # 12 pixels tall: 2 wide


# ---------------------------------------------------------------- detection and the setting


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"TERM": "xterm-kitty", "KITTY_WINDOW_ID": "1"}, "kitty"),
        ({"TERM": "xterm-256color", "TERM_PROGRAM": "WezTerm"}, "kitty"),
        ({"TERM": "xterm-ghostty", "TERM_PROGRAM": "ghostty"}, "kitty"),
        ({"TERM": "xterm-256color", "KONSOLE_VERSION": "240202"}, "kitty"),
        ({"TERM": "xterm-256color", "TERM_PROGRAM": "iTerm.app"}, "iterm"),
        ({"TERM": "foot"}, "sixel"),
        ({"TERM": "mlterm"}, "sixel"),
        ({"TERM": "xterm", "XTERM_VERSION": "XTerm(390)"}, "sixel"),
        ({"TERM": "xterm-256color"}, "blocks"),
        ({"TERM": "tmux-256color", "TMUX": "/tmp/tmux-0/default,1,0", "KITTY_WINDOW_ID": "1"}, "blocks"),
        ({"TERM": "dumb"}, "none"),
    ],
)
def test_the_protocol_is_detected_from_the_environment(environ: dict[str, str], expected: str) -> None:
    assert pictures.detect(environ, color=True) == expected


def test_the_setting_and_the_environment_variable_override_the_detection() -> None:
    kitty = {"TERM": "xterm-kitty"}
    assert pictures.environment_mode("auto", kitty) == "kitty"
    assert pictures.environment_mode("blocks", kitty) == "blocks"
    assert pictures.environment_mode("blocks", {**kitty, "QUIZKIT_IMAGES": "sixel"}) == "sixel"
    assert pictures.environment_mode("auto", {"TERM": "xterm-kitty"}, color=False) == "none"


def test_a_box_cut_by_scrolling_draws_nothing(tmp_path: Path) -> None:
    png(tmp_path / "m.png", 40, 80)
    drawing = pictures.Picture(Decoded(tmp_path, "m.png"), "m", "sixel", 4, (10, 20))
    console = Console(width=30, force_terminal=True, color_system="truecolor", file=io.StringIO())
    lines = console.render_lines(drawing, console.options)
    assert len(lines) == 4
    whole, kitty_drawn = pictures.visible_pictures(lines)
    assert any("\x1bP" in s.text for s in whole[-1]) and not kitty_drawn
    cut, _ = pictures.visible_pictures(lines[1:])  # the top row scrolled away
    assert not any("\x1bP" in s.text for line in cut for s in line)


# ---------------------------------------------------------------- a review, as a learner sees it

DECK = """[deck]
id = "maps"
title = "Maps"

[[cards]]
id = "durand"
q = "Which border is the red line?"
a = "The Durand Line"
image = "maps/durand line.png"
image_alt = "A sketch map with a red line"
answer_image = "maps/answer.png"
answer_image_alt = "The same map, labelled"
"""


def spawn(tmp_path: Path, *args: str, **extra: str) -> pexpect.spawn:
    env = {**os.environ, "QUIZKIT_DB": str(tmp_path / "p.db"), "TERM": "xterm-256color", **extra}
    env.pop("NO_COLOR", None)
    env.pop("TMUX", None)
    return pexpect.spawn(
        sys.executable,
        ["-m", "quizkit", "review", str(tmp_path / "maps.toml"), *args],
        env=env,
        encoding="utf-8",
        timeout=20,
        dimensions=(30, 80),
        cwd=str(tmp_path),
    )


def picture_deck(tmp_path: Path) -> None:
    png(tmp_path / "maps" / "durand line.png", 90, 60, (200, 30, 30))
    png(tmp_path / "maps" / "answer.png", 90, 60, (30, 30, 200))
    (tmp_path / "maps.toml").write_text(DECK, encoding="utf-8")


@pytest.mark.slow
def test_a_review_in_kitty_draws_the_pictures_and_o_opens_them(tmp_path: Path) -> None:
    picture_deck(tmp_path)
    viewer = tmp_path / "bin" / "xdg-open"
    viewer.parent.mkdir()
    opened = tmp_path / "opened.txt"
    viewer.write_text(f'#!/bin/sh\nfor a in "$@"; do printf "%s\\n" "$a" >> "{opened}"; done\n')
    viewer.chmod(0o755)
    child = spawn(
        tmp_path, PATH=f"{viewer.parent}:{os.environ['PATH']}", TERM="xterm-kitty", KITTY_WINDOW_ID="1"
    )
    try:
        child.expect("Which border")
        child.expect(r"\x1b_Ga=T,f=100,i=\d+,C=1,q=2,m=0;([A-Za-z0-9+/=]+)\x1b\\")
        from PIL import Image

        sent = Image.open(io.BytesIO(base64.standard_b64decode(child.match[1])))
        assert sent.getpixel((1, 1)) == (200, 30, 30)
        assert sent.size == (90, 60)  # not enlarged, its shape kept
        child.expect("open picture")
        child.send("o")
        child.expect("opened maps/durand line.png in the image viewer")
        child.send(" ")
        child.expect(r"\x1b_Ga=d,d=A,q=2\x1b\\")  # the last drawing deleted before the next
        child.expect("The Durand Line")
        child.expect(r"m=0;([A-Za-z0-9+/=]+)\x1b\\")
        child.expect("Easy")
        child.send("o")
        child.expect("opened maps/durand line.png, maps/answer.png in the image viewer")
        child.send("4")  # Easy: not due again today, so the session ends
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0
    # One argument each, the whole absolute path: the space in the name is no word break. (The
    # viewers run side by side, so the order of their lines is theirs.)
    assert sorted(opened.read_text().splitlines()) == [
        str(tmp_path / "maps" / "answer.png"),
        str(tmp_path / "maps" / "durand line.png"),
        str(tmp_path / "maps" / "durand line.png"),
    ]


@pytest.mark.slow
def test_plain_mode_says_the_alt_text_and_sends_no_graphics(tmp_path: Path) -> None:
    picture_deck(tmp_path)
    child = spawn(tmp_path, "--plain", TERM="xterm-kitty", KITTY_WINDOW_ID="1")
    try:
        child.expect("Picture: A sketch map with a red line")
        child.sendline("")
        child.expect("Picture: The same map, labelled")
        child.sendline("4")
        child.expect(pexpect.EOF)
        seen = child.before
    finally:
        child.close()
    assert "\x1b_G" not in seen


@pytest.mark.slow
def test_a_picture_removed_after_loading_is_said_in_words(tmp_path: Path) -> None:
    picture_deck(tmp_path)
    from quizkit.io.deck_files import load_deck

    load_deck(tmp_path / "maps.toml", tmp_path / "cache")  # cached with its pictures
    (tmp_path / "maps" / "durand line.png").unlink()
    child = spawn(tmp_path, XDG_CACHE_HOME=str(tmp_path / "cache"))
    try:
        child.expect("Which border")
        child.expect("picture not shown: image 'maps/durand line.png' not found")
        child.send("q")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0


def test_o_answers_an_option_named_o_and_opens_the_picture_once_answered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from quizkit.cli import app

    png(tmp_path / "water.png")
    deck = tmp_path / "chem.toml"
    deck.write_text(
        '[deck]\nid = "chem"\ntitle = "Chemistry"\n\n[[cards]]\nid = "water"\n'
        'q = "Which element is drawn in red?"\nchoices = ["H", "O", "N", "C"]\na = "O"\n'
        'image = "water.png"\nimage_alt = "A water molecule"\n',
        encoding="utf-8",
    )
    viewer = tmp_path / "bin" / "xdg-open"
    viewer.parent.mkdir()
    opened = tmp_path / "opened.txt"
    viewer.write_text(f'#!/bin/sh\nprintf "%s\\n" "$1" >> "{opened}"\n')
    viewer.chmod(0o755)
    monkeypatch.setenv("PATH", f"{viewer.parent}:{os.environ['PATH']}")
    result = CliRunner().invoke(app, ["review", str(deck)], input="o\no\n4\n")
    flat = " ".join(result.output.split())
    assert result.exit_code == 0, result.output
    assert "Right" in flat  # the first o answered O
    assert "opened water.png in the image viewer" in flat  # the second, on the answer, opened it
    import time

    for _ in range(50):  # the viewer runs on its own
        if opened.exists():
            break
        time.sleep(0.1)
    assert opened.read_text().splitlines() == [str(tmp_path / "water.png")]
