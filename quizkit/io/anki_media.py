"""An Anki package's media files, copied beside the deck made from it (quizkit import).

The package's file names are untrusted. Each becomes one flat, portable name (safe_name): no
folder separators, no "..", no control or reserved characters, no leading dot; a name that two
files would share gets -2, -3... Files are unpacked first into a private folder beside the deck
(a MediaStage), where each picture is checked as a deck's pictures are (io/pictures.py); only
once the whole import has been checked are they moved into the deck's media folder (`commit`).
A file already there under the same name is kept if it is the same, and otherwise the new one
takes another name (or, with `replace`, replaces it, and says so): nothing is overwritten silently.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from msgspec import Struct, field

from quizkit.errors import DeckError, UsageError

if TYPE_CHECKING:
    from quizkit.io.apkg import MediaFiles, Package

MAX_NAME_BYTES = 120
"""Anki's own limit on a media file's name (in UTF-8)."""

_UNSAFE = re.compile(r'[\x00-\x1f\x7f-\x9f/\\:*?"<>|]|\.\.+')
_INVISIBLE = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})
"""Control, format (bidi overrides, zero-width) and separator characters: never in a saved name."""
_RESERVED = re.compile(r"(?i)(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?")
_WEB = re.compile(r"(?i)^(?:[a-z][a-z0-9+.-]*:|//)")


def safe_name(name: str) -> str:
    """A media file's name as a single portable file name: every "/", "\\", "..", control,
    format (bidi) or reserved character becomes "_", leading dots and spaces go, a Windows device
    name gets a "_" in front, and the name is cut to MAX_NAME_BYTES keeping its suffix."""
    flat = "".join(
        "_" if unicodedata.category(ch) in _INVISIBLE else ch for ch in unicodedata.normalize("NFC", name)
    )
    flat = _UNSAFE.sub("_", flat).strip().lstrip(". ").rstrip(". ")
    flat = flat or "file"
    if _RESERVED.fullmatch(flat):
        flat = "_" + flat
    stem, dot, suffix = flat.rpartition(".")
    if not dot:
        stem, suffix = flat, ""
    suffix = ("." + suffix) if dot else ""
    while len((stem + suffix).encode("utf-8")) > MAX_NAME_BYTES:
        if len(suffix.encode("utf-8")) > MAX_NAME_BYTES // 2:
            suffix = ""
        else:
            stem = stem[:-1]
    return (stem + suffix) or "file"


def numbered(name: str, number: int) -> str:
    """map.png, 2 -> map-2.png."""
    path = PurePosixPath(name)
    return f"{path.stem}-{number}{path.suffix}" if path.stem else f"{name}-{number}"


def package_names(files: Sequence[tuple[str, object]]) -> dict[str, str]:
    """Flat, unique media names for a package, by the deck's path of each picture: its file name
    when no other file has it, else its path with "_" for "/" (maps/a.png -> maps_a.png), made safe
    and numbered if still taken. `files` pairs each path with the file it is (its resolved path):
    two paths to one file share a name."""
    by_file: dict[object, list[str]] = {}
    for written, file in files:
        by_file.setdefault(file, []).append(written)
    basenames: dict[str, set[object]] = {}
    for file, paths in by_file.items():
        basenames.setdefault(safe_name(PurePosixPath(paths[0]).name).casefold(), set()).add(file)
    names: dict[str, str] = {}
    taken: set[str] = set()
    for paths in by_file.values():
        first = paths[0]
        base = safe_name(PurePosixPath(first).name)
        if len(basenames[base.casefold()]) > 1:
            base = safe_name("_".join(PurePosixPath(first).parts))
        name, number = base, 2
        while name.casefold() in taken:
            name, number = numbered(base, number), number + 1
        taken.add(name.casefold())
        for written in paths:
            names[written] = name
    return names


class Staged(Struct, frozen=True):
    """A media file copied out of the package: its name there and the name it is saved under."""

    source: str
    name: str
    """The saved file's name in the media folder (flat: no folders)."""
    size: int


class MediaStage(Struct):
    """Where an import's media files go: `folder` (the media folder's path relative to the deck
    files, e.g. "deck.media") inside `base` (the folder the deck files are written to). Files are
    unpacked into a private folder in `base` (mirroring `folder`), checked there, and moved in
    by `commit`. Use it as a context manager: the private folder is removed at the end."""

    base: Path
    folder: str
    replace: bool = False
    root: Path | None = None
    """The private folder, made on the first file."""
    files: MediaFiles | None = None
    staged: dict[str, Staged | str] = field(default_factory=dict)
    """Each file as a field wrote it (src): what it was saved as, or why it was not."""
    by_source: dict[str, Staged | str] = field(default_factory=dict)
    """The same by the package's own name (a field may write it %-encoded)."""
    taken: dict[str, str] = field(default_factory=dict)
    """Saved names (casefolded, as a case-blind file system sees them) -> their source."""
    changed: dict[str, list[str]] = field(default_factory=dict)
    """By source name: the name the file was given when it differs from the package's, and a file
    it replaces."""
    checked: dict[str, tuple[str, str] | None] = field(default_factory=dict)
    plan: dict[str, str] = field(default_factory=dict)
    """Saved name -> "new", "same" (already there, identical) or "replace"."""

    def __enter__(self) -> MediaStage:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self.files is not None:
            self.files.close()
            self.files = None
        if self.root is not None:
            import shutil

            shutil.rmtree(self.root, ignore_errors=True)
            self.root = None

    @property
    def final(self) -> Path:
        return self.base / self.folder

    def attach(self, source: bytes | Path, path: str, package: Package) -> None:
        """The package whose media files `get` copies."""
        from quizkit.io.apkg import MediaFiles

        self.files = MediaFiles(source, path, package)

    def check_folder(self) -> None:
        """Refuse a media folder that is not a real folder (a file, or a link that would lead outside)."""
        final = self.final
        if final.is_symlink() or (final.exists() and not final.is_dir()):
            raise UsageError(
                f"{final} is in the way of the deck's media folder: it is "
                + ("a link" if final.is_symlink() else "not a folder")
                + "; quizkit copies the package's pictures and sounds only into a real folder there. "
                "Move it away, or import to another -o"
            )

    def lookup(self, src: str) -> str | None:
        """The package's name for a file as a field writes it (as is, or %-encoded), or None."""
        from urllib.parse import unquote

        assert self.files is not None
        members = self.files.package.media_members
        for name in (src, src.strip(), unquote(src.strip())):
            if name in members:
                return name
        return None

    def get(self, src: str) -> Staged | str:
        """The file a field refers to, copied out of the package (once), or why it is not."""
        if src in self.staged:
            return self.staged[src]
        if _WEB.match(src.strip()):
            found: Staged | str = "is on the web, not in the package"
        else:
            name = self.lookup(src)
            if name is None:
                found = "is not in the package's media"
            else:
                found = self.by_source.get(name) or self._copy(name)
                self.by_source[name] = found
        self.staged[src] = found
        return found

    def _copy(self, source: str) -> Staged | str:
        assert self.files is not None
        if self.root is None:
            self.check_folder()
            import tempfile

            near = self.base if self.base.is_dir() else self.base.parent  # -o folder/ is made later
            try:
                self.root = Path(tempfile.mkdtemp(prefix=".quizkit-import-", dir=near))
                (self.root / self.folder).mkdir(parents=True)
            except OSError as error:
                raise _unwritable(near, error) from None
        wanted = safe_name(source)
        name = self._free(wanted, 1)
        staged = self.root / self.folder / name
        try:
            with open(staged, "xb") as out:
                size = self.files.copy(source, out)
        except DeckError as error:
            staged.unlink(missing_ok=True)
            return f"was not copied: {error.problems[0].message}"
        except OSError as error:
            staged.unlink(missing_ok=True)
            raise _unwritable(self.base, error) from None
        how = self._compare(staged, name)
        number = 1
        while how == "replace" and not self.replace:  # a different file has that name: another one
            number += 1
            other = self._free(wanted, number)
            try:
                os.replace(staged, self.root / self.folder / other)
            except OSError as error:
                raise _unwritable(self.base, error) from None
            name, staged = other, self.root / self.folder / other
            how = self._compare(staged, name)
        self.taken[name.casefold()] = source
        self.plan[name] = how
        notes = self.changed.setdefault(source, [])
        if how == "replace":
            notes.append(f"{self.folder}/{name} was replaced by the package's file of that name")
        if name != source:
            why = "" if wanted == name else f"; {self.folder}/{wanted} is a different file"
            notes.append(f"media file {source!r} was saved as {name!r}{why}")
        return Staged(source, name, size)

    def _free(self, wanted: str, number: int) -> str:
        """The first name from `wanted` (numbered from `number`) that no other file of this
        package has and that holds nothing but (perhaps) a regular file in the media folder."""
        while True:
            name = wanted if number == 1 else numbered(wanted, number)
            if name.casefold() not in self.taken and _occupied(self.final / name) in ("free", "file"):
                return name
            number += 1

    def _compare(self, staged: Path, name: str) -> str:
        """ "new", "same" (the media folder holds the very file) or "replace" (a different one)."""
        existing = self.final / name
        state = _occupied(existing)
        if state == "free":
            return "new"
        return "same" if _same(existing, staged) else "replace"

    def picture_problem(self, staged: Staged) -> tuple[str, str] | None:
        """Why the file cannot be a card's picture (as the deck check would say), or None."""
        if staged.name not in self.checked:
            from quizkit.io.pictures import problem

            assert self.root is not None
            self.checked[staged.name] = problem(self.root, f"{self.folder}/{staged.name}")
        return self.checked[staged.name]

    def commit(self, names: set[str]) -> int:
        """Move the staged files named into the media folder (made if missing); how many were new."""
        if self.root is None or not names:
            return 0
        self.check_folder()
        final = self.final
        try:
            final.mkdir(parents=True, exist_ok=True)
            moved = 0
            for name in sorted(names):
                how = self.plan.get(name)
                if how is None or how == "same":
                    continue
                if how == "new" and _occupied(final / name) != "free":
                    if _occupied(final / name) == "file" and _same(
                        self.root / self.folder / name, final / name
                    ):
                        continue  # the same file appeared meanwhile: the card points at what it means
                    raise UsageError(  # never overwrite what was not planned, never point at it
                        f"{final / name} appeared while the package was imported; nothing was "
                        "overwritten and the deck was not written: import again"
                    )
                os.replace(self.root / self.folder / name, final / name)
                moved += 1
        except OSError as error:
            raise _unwritable(final, error) from None
        return moved


def _unwritable(path: Path, error: OSError) -> DeckError:
    from quizkit.errors import Problem

    return DeckError([Problem(str(path), None, None, f"cannot be written: {error.strerror}")])


def _occupied(path: Path) -> str:
    """ "free" (nothing there), "file" (a regular file, not a link) or "other"."""
    try:
        mode = path.lstat().st_mode
    except FileNotFoundError:
        return "free"
    except OSError:
        return "other"
    import stat

    return "file" if stat.S_ISREG(mode) else "other"


def _same(one: Path, other: Path) -> bool:
    try:
        if one.stat().st_size != other.stat().st_size:
            return False
        with open(one, "rb") as a, open(other, "rb") as b:
            while True:
                x, y = a.read(1 << 20), b.read(1 << 20)
                if x != y:
                    return False
                if not x:
                    return True
    except OSError:
        return False
