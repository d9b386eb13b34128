"""Image files on cards: where a deck's picture is, whether it is safe to decode, and decoding it.

Image files are untrusted like the deck that names them. Before Pillow decodes a pixel, the file
must be a regular file inside the deck's folder (after symlinks are followed), at most
MAX_IMAGE_BYTES long, in one of FORMATS, and its header must declare at most MAX_IMAGE_PIXELS:
a decompression bomb (a few kilobytes of PNG that inflate to gigabytes) is refused by its
header. Pillow is imported only here, and only when a card with a picture is checked or shown,
so a deck of text cards never loads it.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL.Image import Image

MAX_IMAGE_BYTES = 20 * 1024 * 1024
"""A file this long is refused unread: a photograph from a phone is 3-8 MB."""

MAX_IMAGE_PIXELS = 25_000_000
"""5,000 x 5,000: a detailed wall map. Decoded as RGBA it is 100 MB, the most one card may cost."""

FORMATS = {"PNG": "png", "JPEG": "jpg", "GIF": "gif", "WEBP": "webp"}
"""What Pillow may decode (its format name: the usual suffix). Nothing else is opened."""

SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".gif", ".webp"})


class PictureError(Exception):
    """A picture that cannot be shown; the message says why and the hint how to fix it."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


def written_problem(file: str) -> tuple[str, str] | None:
    """What is wrong with a picture's path as written in a deck (no disk access), as (message, hint)."""
    if not file.strip():
        return "is empty", 'write the image file\'s path, e.g. image = "maps/durand-line.png"'
    if "\\" in file:
        return (
            f"'{file}' uses backslashes",
            "separate folders with '/', which works on every system: \"maps/durand-line.png\"",
        )
    pure = PurePosixPath(file)
    if pure.is_absolute() or (len(file) > 1 and file[1] == ":"):
        return (
            f"'{file}' is an absolute path",
            "write the path relative to the deck file, and keep the image in the deck's folder",
        )
    if ".." in pure.parts:
        return (
            f"'{file}' goes outside the deck's folder",
            "move the image into the deck's folder (or a folder inside it) and write that path",
        )
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in file):
        return "has a control character in its path", "rename the file to plain letters, digits and dashes"
    if pure.suffix.lower() not in SUFFIXES:
        return (
            f"'{file}' is not a PNG, JPEG, GIF or WebP file",
            "convert it to PNG (an SVG or PDF too: export it as PNG)",
        )
    return None


def located(folder: Path, file: str) -> Path:
    """The picture's file, checked to be a regular file inside `folder` after symlinks are followed.

    Raises PictureError for a path as written that is not allowed, a missing file, or one that
    resolves outside the folder.
    """
    return _checked(folder, file)[0]


def _checked(folder: Path, file: str) -> tuple[Path, os.stat_result]:
    problem = written_problem(file)
    if problem is not None:
        raise PictureError(*problem)
    try:
        home = folder.resolve()
        path = (folder / file).resolve()
    except (OSError, RuntimeError) as error:  # a symlink loop
        raise PictureError(f"'{file}' cannot be followed: {error}") from error
    if not path.is_relative_to(home):
        raise PictureError(
            f"'{file}' leads outside the deck's folder (a symlink to {path})",
            "copy the image into the deck's folder instead of linking to it",
        )
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise PictureError(
            f"image '{file}' not found (looked for {path})",
            "check the spelling and the folder, or copy the deck's pictures next to it",
        ) from None
    except OSError as error:
        raise PictureError(f"image '{file}' cannot be read: {error.strerror}") from error
    _regular(stat, file)
    return path, stat


def _regular(stat: os.stat_result, file: str) -> None:
    import stat as modes

    if not modes.S_ISREG(stat.st_mode):
        raise PictureError(f"'{file}' is not a regular file", "point image at a PNG, JPEG, GIF or WebP file")
    if stat.st_size > MAX_IMAGE_BYTES:
        raise PictureError(
            f"image '{file}' is {stat.st_size / 1024 / 1024:.1f} MB; a card's image is at most "
            f"{MAX_IMAGE_BYTES // 1024 // 1024} MB",
            "scale it down or save it as a compressed PNG or JPEG",
        )


def read(folder: Path, file: str) -> bytes:
    """The picture file's bytes, read through one open of the file that was checked.

    The file is opened without following a final symlink and without blocking (a FIFO put in
    its place is not waited on), and what was opened must be the very file checked (device and
    inode), a regular file no longer than MAX_IMAGE_BYTES: a file swapped after the check, for a
    link out of the folder or anything else, is refused.
    """
    path, stat = _checked(folder, file)
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        descriptor = os.open(path, flags | getattr(os, "O_CLOEXEC", 0))
    except OSError as error:
        raise PictureError(f"image '{file}' cannot be read: {error.strerror}") from error
    with os.fdopen(descriptor, "rb") as handle:
        opened = os.fstat(handle.fileno())
        if (opened.st_dev, opened.st_ino) != (stat.st_dev, stat.st_ino):
            raise PictureError(f"image '{file}' changed while it was read", "run the command again")
        _regular(opened, file)
        data = handle.read(MAX_IMAGE_BYTES + 1)
    if len(data) > MAX_IMAGE_BYTES:  # it grew since its size was checked
        raise PictureError(f"image '{file}' is over {MAX_IMAGE_BYTES // 1024 // 1024} MB", "scale it down")
    return data


def checked_bytes(folder: Path, file: str) -> tuple[bytes, str]:
    """The file's bytes as they are, and its format, once every pixel has decoded (a worksheet
    embeds them, a package carries them): PictureError as load()."""
    data = read(folder, file)
    _decoded(data, file)
    image = _open(data, file)
    with image:
        return data, image.format or ""


def load(folder: Path, file: str) -> Image:
    """The picture decoded as RGB or RGBA, turned as its EXIF orientation says, its first frame
    for an animation, and at most MAX_DECODED_SIDE on its longer side. Checked as read() does,
    then by its header (at most MAX_IMAGE_PIXELS) before any pixel is decoded."""
    return _decoded(read(folder, file), file)


def problem(folder: Path, file: str) -> tuple[str, str] | None:
    """Why the picture cannot be shown, as (message, hint), or None: every check of load(),
    every pixel decoded (a truncated file is found here, not on the learner's screen)."""
    try:
        load(folder, file)
    except PictureError as error:
        return error.message, error.hint
    return None


MAX_DECODED_SIDE = 2048
"""A decoded picture is kept at most this large: a screen, or a worksheet, shows it smaller."""


def _decoded(data: bytes, file: str) -> Image:
    import warnings

    from PIL import ImageOps

    image = _open(data, file)
    with image, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Pillow's warnings about odd files: the file is judged below
        try:
            image.seek(0)
            if image.format == "JPEG":
                image.draft("RGB", (MAX_DECODED_SIDE, MAX_DECODED_SIDE))  # decoded at a fraction
            image.load()
            turned = ImageOps.exif_transpose(image) or image
            if turned.mode in ("I;16", "I;16B", "I;16L", "I", "F"):  # 16-bit and wider grey
                turned = turned.convert("I").point(lambda v: v / 256).convert("L")
            alpha = turned.mode in ("RGBA", "LA", "PA") or "transparency" in turned.info
            converted = turned.convert("RGBA" if alpha else "RGB")
            converted.thumbnail((MAX_DECODED_SIDE, MAX_DECODED_SIDE))
            return converted
        except (OSError, ValueError, SyntaxError, EOFError) as error:  # a truncated or corrupt file
            raise PictureError(
                f"image '{file}' is damaged: {error}", "save it again from an image editor"
            ) from error


def _open(data: bytes, file: str) -> Image:
    import io
    import warnings

    from PIL import Image as PILImage

    try:
        with warnings.catch_warnings():  # Pillow's own bomb warning: the check below says more
            warnings.simplefilter("ignore")
            image = PILImage.open(io.BytesIO(data), formats=list(FORMATS))
    except PILImage.DecompressionBombError:
        raise PictureError(
            f"image '{file}' declares more than {MAX_IMAGE_PIXELS:,} pixels (it may be a decompression bomb)",
            "scale it down to a few thousand pixels across",
        ) from None
    except (OSError, ValueError, SyntaxError, EOFError) as error:
        raise PictureError(
            f"'{file}' is not an image quizkit can read (PNG, JPEG, GIF or WebP)",
            "open it in an image editor and save it as PNG",
        ) from error
    width, height = image.size
    if width * height > MAX_IMAGE_PIXELS or width <= 0 or height <= 0:
        image.close()
        raise PictureError(
            f"image '{file}' declares {width:,} x {height:,} pixels; at most "
            f"{MAX_IMAGE_PIXELS:,} are decoded (it may be a decompression bomb)",
            "scale it down to a few thousand pixels across",
        )
    return image


def png_bytes(image: Image) -> bytes:
    """The image as a PNG file, as terminals and browsers take it."""
    import io

    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=1)  # a terminal reads it at once: speed over size
    return out.getvalue()


class Decoded:
    """A card's picture for the terminal (ui/pictures.py's Source): checked and decoded on first
    use, then scaled to whatever box the screen gives it. Raises PictureError from `size` (the
    first use) when the file cannot be shown."""

    def __init__(self, folder: Path, file: str) -> None:
        self.folder = folder
        self.file = file
        self._image: Image | None = None
        self._scaled: dict[tuple[int, int], Image] = {}
        self._png: dict[tuple[int, int], bytes] = {}

    @property
    def image(self) -> Image:
        if self._image is None:
            self._image = load(self.folder, self.file)
        return self._image

    @property
    def size(self) -> tuple[int, int]:
        width, height = self.image.size
        return width, height

    def scaled(self, width: int, height: int) -> Image:
        found = self._scaled.get((width, height))
        if found is None:
            from PIL import Image as PILImage

            image = self.image
            if image.size != (width, height):
                image = image.resize((width, height), PILImage.Resampling.LANCZOS)
            if len(self._scaled) > 8:  # resizes of the terminal: keep only the last few
                self._scaled.clear()
            found = self._scaled[(width, height)] = image
        return found

    def rgb(self, width: int, height: int) -> bytes:
        return _flat(self.scaled(width, height)).tobytes()

    def png(self, width: int, height: int) -> bytes:
        found = self._png.get((width, height))
        if found is None:
            if len(self._png) > 4:
                self._png.clear()
            found = self._png[(width, height)] = png_bytes(self.scaled(width, height))
        return found

    def indexed(self, width: int, height: int, colors: int) -> tuple[bytes, bytes]:
        from PIL import Image as PILImage

        reduced = _flat(self.scaled(width, height)).quantize(
            colors, PILImage.Quantize.MEDIANCUT, dither=PILImage.Dither.NONE
        )
        indices = reduced.tobytes()
        palette = bytes(reduced.getpalette() or ())[: 3 * (max(indices, default=0) + 1)]
        return palette, indices


def _flat(image: Image) -> Image:
    """RGB, transparency laid over black (a terminal's usual background)."""
    if image.mode == "RGB":
        return image
    from PIL import Image as PILImage

    rgba = image.convert("RGBA")
    background = PILImage.new("RGBA", rgba.size, (0, 0, 0, 255))
    return PILImage.alpha_composite(background, rgba).convert("RGB")
