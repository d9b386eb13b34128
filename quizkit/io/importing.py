"""Read a file to import, whatever it is: an Anki package, Anki's text export, CSV or TSV."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from quizkit.errors import UsageError
from quizkit.io import apkg, disk
from quizkit.io.anki_notes import from_package
from quizkit.io.anki_text import is_anki_text, read_anki_text
from quizkit.io.delimited import GUESS, Layout, guess_delimiter, read_delimited
from quizkit.io.imported import Imported

if TYPE_CHECKING:
    from quizkit.io.anki_media import MediaStage

_SPREADSHEETS = (".xlsx", ".xls", ".ods", ".numbers")


_COLLECTIONS = (".anki2", ".anki21", ".anki21b")

STDIN = "<stdin>"
"""The name standard input (`quizkit import -`) goes by in messages."""


def read_source(
    path: Path, with_progress: bool = False, layout: Layout = GUESS, media: MediaStage | None = None
) -> Imported:
    """Read a file to import, whatever it is: .apkg, Anki's text export, CSV, TSV or Quizlet. With
    `with_progress`, an Anki package's review history comes along (Imported.progress); with
    `media`, its pictures and sounds are copied there (Imported.media names them)."""
    name = str(path)
    if path.suffix.lower() in _SPREADSHEETS:
        raise UsageError(f"{path} is a spreadsheet; save it as CSV (UTF-8) and import that")
    if path.is_dir():
        raise UsageError(f"{path} is a folder; give the file to import")
    head = disk.read_bytes(path, limit=None, head=16)  # also refuses a pipe or a device
    if path.suffix.lower() in _COLLECTIONS or head == b"SQLite format 3\x00":
        raise UsageError(
            f"{path} is an Anki collection (the database Anki keeps its cards in), not a file made "
            "for sharing; in Anki, use File > Export > 'Anki Deck Package (*.apkg)' (or "
            "'Anki Collection Package (*.colpkg)' for everything) and import that"
        )
    if path.suffix.lower() in (".apkg", ".colpkg") or head[:4] == b"PK\x03\x04":
        if layout != GUESS:
            raise UsageError(
                f"{path} is an Anki package: --sep, --columns, --quizlet and --skip-bad-rows are for CSV"
            )
        # Read from the file, member by member: a package full of media is never held whole.
        package = apkg.read_package(path, name, with_progress)
        if media is not None:
            media.attach(path, name, package)
        return from_package(package, name, with_progress, media)
    return read_text_source(disk.read_bytes(path), name, path.suffix.lower(), layout)  # capped like a deck


def read_text_source(data: bytes, name: str, suffix: str, layout: Layout = GUESS) -> Imported:
    """Cards from the bytes of a text file (or standard input): Anki's text export, CSV, TSV or Quizlet."""
    if data.startswith(b"PK\x03\x04"):
        raise UsageError(f"{name} is an Anki package; give it as a file, not on standard input")
    text = disk.decode(
        data,
        name,
        binary=("is not a text file, nor an Anki package", "import CSV, TSV, Anki text or .apkg"),
        not_utf8=(
            "is not UTF-8 text",
            "save it as UTF-8 (in Excel: Save As, 'CSV UTF-8'); quizkit does not guess encodings",
        ),
        utf16=True,
    )
    if is_anki_text(text) and not layout.quizlet:
        if layout.sep is not None or layout.columns is not None:
            raise UsageError(
                f"{name} is Anki's text export: its # lines say how to read it; leave out --sep and --columns"
            )
        return read_anki_text(text.lstrip("\ufeff"), name)
    return read_delimited(text, name, guess_delimiter(text, suffix), layout)
