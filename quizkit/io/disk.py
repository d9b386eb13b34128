"""Files on disk: a deck file read and decoded (or a DeckError saying why not), and any file
written all at once (a temporary file beside it, then a rename)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from quizkit.errors import DeckError, Problem, UsageError

MAX_DECK_BYTES = 100 * 1024 * 1024


DECK_BINARY = ("is a binary file, not a TOML deck", "decks are UTF-8 text")
DECK_NOT_UTF8 = ("is not valid UTF-8", "save the file as UTF-8 in your editor")


def read_text(path: Path) -> str:
    """Read a deck file as text, or raise DeckError saying why it cannot be."""
    return decode(read_bytes(path), str(path), utf16=True)


def read_bytes(path: Path, limit: int | None = MAX_DECK_BYTES, head: int | None = None) -> bytes:
    """Read a whole file (a deck unless said otherwise), or only its first `head` bytes, or raise
    DeckError saying why it cannot be."""
    import os
    import stat

    name = str(path)
    try:
        mode = os.stat(path).st_mode
        if stat.S_ISDIR(mode):
            raise DeckError([Problem(name, None, None, "is a folder, not a deck file")])
        if not stat.S_ISREG(mode):  # a pipe would block the read, a device never end
            raise DeckError(
                [
                    Problem(
                        name,
                        None,
                        None,
                        "is not a regular file (a pipe, a socket or a device)",
                        "give the path of a deck file",
                    )
                ]
            )
        # O_NONBLOCK: should the path become a pipe after the check, opening it does not wait.
        handle = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        with os.fdopen(handle, "rb") as file:
            info = os.fstat(file.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise DeckError([Problem(name, None, None, "is not a regular file", "give a deck file")])
            size = info.st_size
            if head is not None:
                return file.read(head)
            if limit is not None and size > limit:
                raise DeckError(
                    [
                        Problem(
                            name,
                            None,
                            None,
                            f"file is {size // 2**20} MB; decks are limited to {limit // 2**20} MB",
                            "split it into several decks",
                        )
                    ]
                )
            # Read what the file holds (a buffer of `limit` bytes would be reserved in full), and
            # then whatever it grew by, up to the limit.
            data = file.read(size + 1)
            if limit is None:
                data += file.read()
            elif len(data) > size:
                data += file.read(limit + 1 - len(data))
        if limit is not None and len(data) > limit:  # it grew while being read
            raise DeckError([Problem(name, None, None, f"file is over {limit // 2**20} MB", "split it")])
    except FileNotFoundError:
        raise DeckError([Problem(name, None, None, "no such file", "check the path")]) from None
    except OSError as error:
        raise DeckError([Problem(name, None, None, f"cannot be read: {error.strerror}")]) from None
    return data


def decode(
    data: bytes,
    path: str,
    *,
    binary: tuple[str, str] = DECK_BINARY,
    not_utf8: tuple[str, str] = DECK_NOT_UTF8,
    utf16: bool = False,
) -> str:
    """A file's bytes as text: UTF-8 (a BOM is dropped), or UTF-16 with its BOM when `utf16` (decks
    are read so, as Windows Notepad may save them; a file written back, as `quizkit add` does, is not).

    Raises DeckError with the `binary` message and hint for a file with NUL bytes in its first
    8 KB, or the `not_utf8` one, with the line and the byte, for text that is not UTF-8.
    """
    if utf16 and data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise DeckError([Problem(path, None, None, *binary)]) from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # read as UTF-16 elsewhere, but not here
        raise DeckError([Problem(path, None, None, "is UTF-16 text", "save it as UTF-8 in your editor")])
    if b"\x00" in data[:8192]:
        raise DeckError([Problem(path, None, None, *binary)])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        message, hint = not_utf8
        raise DeckError(
            [Problem(path, line, None, f"{message} (byte 0x{data[error.start]:02x})", hint)]
        ) from None


def check_output(path: Path) -> None:
    """Refuse, with a UsageError, a path quizkit cannot write a file to: one that exists and is not
    a regular file (a folder, a device such as /dev/null, a pipe), or one whose folder is missing.

    Writing replaces the file whole (atomic_file), which would replace a device or a pipe too.
    """
    import stat

    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        mode = None
    except OSError as error:
        raise UsageError(f"{path} cannot be written: {error.strerror}") from None
    if mode is not None and not stat.S_ISREG(mode):
        raise UsageError(f"{path} is not a regular file (a folder, a device or a pipe); write to a file")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise UsageError(f"{folder} is not a folder; create it first")


def write_atomic(path: Path, data: bytes) -> None:
    """Write a file all at once: a temporary file beside it, then a rename.

    A failure leaves the old file (or no file) in place, never half of one, and raises a
    DeckError naming the file.
    """
    try:
        with atomic_file(path) as out:
            out.write(data)
    except OSError as error:
        raise DeckError([Problem(str(path), None, None, f"cannot be written: {error.strerror}")]) from None


@contextmanager
def atomic_file(path: Path) -> Iterator[BinaryIO]:
    """A new file to write that takes the place of `path` only when the block ends without error.

    `path` must pass check_output (a UsageError if not).
    It is a temporary file beside `path` (same folder, so the rename is atomic), with the mode of
    the file it replaces, or the usual mode for a new file. On any error it is removed and the
    error (an OSError from the disk) goes on.
    """
    import os
    import shutil
    import tempfile

    check_output(path)
    if path.is_symlink():
        path = path.resolve()  # write the file the link points to; the link stays a link
    folder = path.parent if str(path.parent) else Path(".")
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(handle, "wb") as out:
            yield out
        if path.exists():
            shutil.copymode(path, temporary)
        else:
            os.chmod(temporary, 0o644 & ~_umask())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _umask() -> int:
    import os

    mask = os.umask(0)
    os.umask(mask)
    return mask
