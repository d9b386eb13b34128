"""The deck cache: parsed decks kept on disk, so that an unchanged deck is never parsed twice."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from array import array
from quizkit.io.disk import atomic_file, decode, read_bytes
from quizkit.model import Card, CardList, Deck, DeckSettings, Kind


class DeckCache:
    """Parsed decks kept on disk, so that an unchanged deck is never parsed twice.

    An entry is keyed by the deck's absolute path and checked against its size and
    modification time; if those changed, a content hash decides (a checkout that only touched
    the file keeps its entry). Entries are marshal records: a header with the deck, the card
    ids and tags, then one record per card, decoded only when that card is used. Any problem
    with the cache (missing, stale, damaged, unwritable) falls back to parsing.
    """

    FORMAT = 3
    MAGIC = b"QKDECK1\n"

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def entry(self, path: Path) -> Path:
        import zlib  # cheaper to load than hashlib, and enough: the entry names its path inside

        where = str(path.resolve())
        return self.folder / f"{path.stem[:40]}-{zlib.crc32(where.encode()):08x}.deck"

    def load(self, path: Path) -> Deck:
        try:
            stat = path.stat()
        except OSError:
            from quizkit.io.deck_parse import check_deck, valid_deck  # parsing: only on a miss

            return valid_deck(*check_deck(path))
        entry = self.entry(path)
        cached = self._read(entry)
        if cached is not None and cached[0][1] != str(path.resolve()):
            cached = None  # another file whose entry name collided
        if cached is not None and cached[0][2:4] == (stat.st_size, stat.st_mtime_ns):
            return self._deck(path, *cached)
        import hashlib

        data = read_bytes(path)
        digest = hashlib.blake2b(data, digest_size=16).hexdigest()
        if cached is not None and cached[0][4] == digest:
            # Touched, not changed (a checkout, a copy): keep the records, renew size and time.
            old, mapped = cached
            body = bytes(mapped)
            renewed = (*old[:2], stat.st_size, stat.st_mtime_ns, *old[4:])
            self._write(entry, [body], lambda _: renewed)
            return self._deck(path, renewed, memoryview(body))
        text = decode(data, str(path))
        del data  # the text is enough from here: keep one copy of a big deck, not two
        from quizkit.io.deck_parse import parse_deck, valid_deck  # parsing: only on a miss

        deck = valid_deck(*parse_deck(text, str(path), default_id=path.stem))
        del text
        self._store(entry, path, stat.st_size, stat.st_mtime_ns, digest, deck)
        return deck

    def _version(self) -> str:
        from quizkit import __version__

        return f"{self.FORMAT}/{__version__}"

    # An entry is MAGIC, then one marshal record per card, then the header, then the header's
    # length in 8 bytes. Records are streamed to the file as they are made (no second copy of
    # a big deck in memory), and read back through a memory map, one card at a time.

    def _read(self, entry: Path) -> tuple[tuple[Any, ...], memoryview] | None:
        """The entry's header, and its card records mapped (not read) from the file."""
        import marshal
        import mmap

        try:
            with open(entry, "rb") as cached:
                if cached.read(len(self.MAGIC)) != self.MAGIC:
                    return None
                total = cached.seek(0, 2)
                cached.seek(total - 8)
                size = int.from_bytes(cached.read(8), "little")
                body_end = total - 8 - size
                if body_end < len(self.MAGIC):
                    return None
                cached.seek(body_end)
                header = marshal.loads(cached.read(size))
                if not isinstance(header, tuple) or header[0] != self._version():
                    return None
                if body_end == len(self.MAGIC):
                    return header, memoryview(b"")
                mapped = mmap.mmap(cached.fileno(), 0, access=mmap.ACCESS_READ)
            return header, memoryview(mapped)[len(self.MAGIC) : body_end]
        except (OSError, ValueError, EOFError, TypeError, IndexError):
            return None

    def _deck(self, path: Path, header: tuple[Any, ...], body: memoryview) -> Deck:
        import marshal
        from array import array

        meta, ids, tag_sets, tag_index, offset_bytes = header[5:10]
        deck_id, title, description, source, author, settings = meta
        retention, new, reviews, max_interval, exam = settings
        offsets = array("Q")
        offsets.frombytes(offset_bytes)

        def tags() -> tuple[tuple[str, ...], ...]:
            indices = array("I")
            indices.frombytes(tag_index)
            return tuple(tag_sets[i] for i in indices)

        def build(index: int) -> Card:
            end = offsets[index + 1] if index + 1 < len(offsets) else len(body)
            fields = marshal.loads(body[offsets[index] : end])  # a Card's fields, kind as its value
            return Card(fields[0], Kind(fields[1]), *fields[2:])

        return Deck(
            deck_id,
            title,
            str(path),
            CardList(ids, tags, build),
            description,
            source,
            author,
            DeckSettings(retention, new, reviews, max_interval, date.fromisoformat(exam) if exam else None),
        )

    def _store(self, entry: Path, path: Path, size: int, mtime_ns: int, digest: str, deck: Deck) -> None:
        import marshal
        from array import array

        def records() -> Iterator[bytes]:
            for c in deck.cards:
                yield marshal.dumps(
                    (
                        c.id,
                        c.kind.value,
                        c.prompt,
                        c.answer,
                        c.accept,
                        c.choices,
                        c.exact,
                        c.tags,
                        c.explain,
                        c.source,
                        c.line,
                        c.note_id,
                    )
                )

        def header(offsets: array[int]) -> tuple[Any, ...]:
            # Tags as an index into the distinct tag sets: most cards share a few combinations.
            tag_sets: dict[tuple[str, ...], int] = {}
            tag_index = array("I", (tag_sets.setdefault(c.tags, len(tag_sets)) for c in deck.cards))
            settings = deck.settings
            meta = (
                deck.id,
                deck.title,
                deck.description,
                deck.source,
                deck.author,
                (
                    settings.retention,
                    settings.new_per_day,
                    settings.reviews_per_day,
                    settings.max_interval,
                    settings.exam_date.isoformat() if settings.exam_date else None,
                ),
            )
            return (
                self._version(),
                str(path.resolve()),
                size,
                mtime_ns,
                digest,
                meta,
                tuple(c.id for c in deck.cards),
                tuple(tag_sets),
                tag_index.tobytes(),
                offsets.tobytes(),
            )

        self._write(entry, records(), header)

    def _write(
        self,
        entry: Path,
        records: Iterable[bytes | memoryview],
        header: Callable[[array[int]], tuple[Any, ...]],
    ) -> None:
        import marshal
        from array import array

        try:
            entry.parent.mkdir(parents=True, exist_ok=True)
            with atomic_file(entry) as out:
                out.write(self.MAGIC)
                offsets, position = array("Q"), 0
                for record in records:
                    offsets.append(position)
                    position += len(record)
                    out.write(record)
                encoded = marshal.dumps(header(offsets))
                out.write(encoded)
                out.write(len(encoded).to_bytes(8, "little"))
        except OSError:
            pass  # a read-only or broken cache folder only costs speed
