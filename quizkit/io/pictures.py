"""Image files on cards: where a deck's picture is, whether it is safe to decode, and decoding it.

Image files are untrusted like the deck that names them. Before Pillow decodes a pixel, the file
must be a regular file inside the deck's folder (after symlinks are followed), at most
MAX_IMAGE_BYTES long, in one of FORMATS, and its header must declare at most MAX_IMAGE_PIXELS:
a decompression bomb (a few kilobytes of PNG that inflate to gigabytes) is refused by its
header. Pillow is imported only here, and only when a card with a picture is checked or shown,
so a deck of text cards never loads it.
"""

from __future__ import annotations

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
    import stat as modes

    if not modes.S_ISREG(stat.st_mode):
        raise PictureError(f"'{file}' is not a regular file", "point image at a PNG, JPEG, GIF or WebP file")
    if stat.st_size > MAX_IMAGE_BYTES:
        raise PictureError(
            f"image '{file}' is {stat.st_size / 1024 / 1024:.1f} MB; a card's image is at most "
            f"{MAX_IMAGE_BYTES // 1024 // 1024} MB",
            "scale it down or save it as a compressed PNG or JPEG",
        )
    return path


def inspect(folder: Path, file: str) -> tuple[Path, str, tuple[int, int]]:
    """The picture's file, its format and its size in pixels, read from its header alone.

    Raises PictureError when it cannot be shown: see located(), an unreadable or unknown file, or
    a header that declares more than MAX_IMAGE_PIXELS.
    """
    path = located(folder, file)
    image = _open(path, file)
    with image:
        return path, image.format or "", image.size


def load(folder: Path, file: str) -> Image:
    """The picture decoded, as RGB or RGBA, its first frame for an animation (checked as inspect())."""
    path = located(folder, file)
    image = _open(path, file)
    with image:
        try:
            image.seek(0)
            image.load()
            mode = "RGBA" if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info else "RGB"
            return image.convert(mode)
        except (OSError, ValueError, SyntaxError) as error:  # a truncated or corrupt file
            raise PictureError(
                f"image '{file}' is damaged: {error}", "save it again from an image editor"
            ) from error


def _open(path: Path, file: str) -> Image:
    import warnings

    from PIL import Image as PILImage

    try:
        with warnings.catch_warnings():  # Pillow's own bomb warning: the check below says more
            warnings.simplefilter("ignore", PILImage.DecompressionBombWarning)
            image = PILImage.open(path, formats=list(FORMATS))
    except PILImage.DecompressionBombError:
        raise PictureError(
            f"image '{file}' declares more than {MAX_IMAGE_PIXELS:,} pixels (it may be a decompression bomb)",
            "scale it down to a few thousand pixels across",
        ) from None
    except (OSError, ValueError, SyntaxError) as error:
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
    def path(self) -> Path:
        return located(self.folder, self.file)

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
