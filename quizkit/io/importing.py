"""Read a file to import, whatever it is: an Anki package, Anki's text export, CSV or TSV."""

from __future__ import annotations

from pathlib import Path

from quizkit.errors import DeckError, Problem, UsageError
from quizkit.io import apkg
from quizkit.io.anki_notes import from_package
from quizkit.io.anki_text import is_anki_text, read_anki_text
from quizkit.io.delimited import guess_delimiter, read_delimited
from quizkit.io.imported import Imported

_SPREADSHEETS = (".xlsx", ".xls", ".ods", ".numbers")


def read_source(path: Path) -> Imported:
    """Read a file to import, whatever it is: .apkg, Anki's text export, CSV or TSV."""
    name = str(path)
    if path.suffix.lower() in _SPREADSHEETS:
        raise UsageError(f"{path} is a spreadsheet; save it as CSV (UTF-8) and import that")
    try:
        if path.is_dir():
            raise UsageError(f"{path} is a folder; give the file to import")
        data = path.read_bytes()
    except FileNotFoundError:
        raise DeckError([Problem(name, None, None, "no such file", "check the path")]) from None
    except OSError as error:
        raise DeckError([Problem(name, None, None, f"cannot be read: {error.strerror}")]) from None
    if path.suffix.lower() in (".apkg", ".colpkg") or data[:4] == b"PK\x03\x04":
        return from_package(apkg.read_package(data, name), name)
    text = _decode(data, name)
    if is_anki_text(text):
        return read_anki_text(text.lstrip("\ufeff"), name)
    return read_delimited(text, name, guess_delimiter(text, path.suffix.lower()))


def _decode(data: bytes, path: str) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    elif b"\x00" not in data[:8192]:
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
                        f"is not UTF-8 text (byte 0x{data[error.start]:02x})",
                        "save it as UTF-8 (in Excel: Save As, 'CSV UTF-8'); quizkit does not guess encodings",
                    )
                ]
            ) from None
    raise DeckError(
        [
            Problem(
                path,
                None,
                None,
                "is not a text file, nor an Anki package",
                "import CSV, TSV, Anki text or .apkg",
            )
        ]
    )
