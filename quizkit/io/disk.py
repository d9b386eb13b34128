"""Files on disk: a deck file read and decoded (or a DeckError saying why not), and any file
written all at once (a temporary file beside it, then a rename)."""

from __future__ import annotations

from pathlib import Path

from quizkit.errors import DeckError, Problem

MAX_DECK_BYTES = 100 * 1024 * 1024


def read_text(path: Path) -> str:
    """Read a deck file as text, or raise DeckError saying why it cannot be."""
    return decode(read_bytes(path), str(path))


def read_bytes(path: Path) -> bytes:
    """Read a deck file, or raise DeckError saying why it cannot be."""
    name = str(path)
    try:
        if path.is_dir():
            raise DeckError([Problem(name, None, None, "is a folder, not a deck file")])
        size = path.stat().st_size
        if size > MAX_DECK_BYTES:
            raise DeckError(
                [
                    Problem(
                        name,
                        None,
                        None,
                        f"file is {size // (1024 * 1024)} MB; decks are limited to "
                        f"{MAX_DECK_BYTES // (1024 * 1024)} MB",
                        "split it into several decks",
                    )
                ]
            )
        data = path.read_bytes()
    except FileNotFoundError:
        raise DeckError([Problem(name, None, None, "no such file", "check the path")]) from None
    except OSError as error:
        raise DeckError([Problem(name, None, None, f"cannot be read: {error.strerror}")]) from None
    return data


def decode(data: bytes, path: str) -> str:
    if b"\x00" in data[:8192]:
        raise DeckError(
            [Problem(path, None, None, "is a binary file, not a TOML deck", "decks are UTF-8 text")]
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise DeckError(
            [
                Problem(
                    path,
                    line,
                    None,
                    f"is not valid UTF-8 (byte 0x{data[error.start]:02x})",
                    "save the file as UTF-8 in your editor",
                )
            ]
        ) from None


def write_atomic(path: Path, data: bytes) -> None:
    """Write a file all at once: a temporary file beside it, then a rename.

    A failure leaves the old file (or no file) in place, never half of one.
    """
    import os
    import shutil
    import tempfile

    def failed(error: OSError) -> DeckError:
        return DeckError([Problem(str(path), None, None, f"cannot be written: {error.strerror}")])

    folder = path.parent if str(path.parent) else Path(".")
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as error:
        raise failed(error) from None
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        if path.exists():
            shutil.copymode(path, temporary)
        else:
            os.chmod(temporary, 0o644 & ~_umask())
        os.replace(temporary, path)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise failed(error) from None


def _umask() -> int:
    import os

    mask = os.umask(0)
    os.umask(mask)
    return mask
