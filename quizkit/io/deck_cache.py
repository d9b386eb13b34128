"""The deck cache: parsed decks kept on disk, so that an unchanged deck is never parsed twice."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from array import array
from quizkit.errors import DeckError, Problem, Severity, UsageError
from quizkit.io.disk import atomic_file, decode, read_bytes
from quizkit.model import Card, CardList, Deck, DeckSettings, Kind, Picture, SelfGraded

if TYPE_CHECKING:
    import os
    from hashlib import blake2b


class DeckCache:
    """Parsed decks kept on disk, so that an unchanged deck is never parsed twice.

    An entry is keyed by the deck's absolute path and checked against its size, modification
    and change times and inode (the change time cannot be set back: `cp -p` and tar keep the
    modification time, not that); if any differs, or the file was modified less than RACY_NS
    before the entry was written (a coarse clock could give a later edit the same time), a
    content hash decides (a checkout that only touched the file keeps its entry). Entries are
    marshal records: a header with the deck, the card ids and tags, then one record per card,
    decoded only when that card is used. Cache files are untrusted: every header and record is
    checked before use, and any problem (missing, stale, damaged, unwritable, not a regular
    file) falls back to parsing the deck.
    """

    FORMAT = 9  # 7 was taken twice in parallel (self_graded, cloze alternatives): 8 holds both; 9 pictures
    RACY_NS = 2_000_000_000
    MAGIC = b"QKDECK1\n"

    def __init__(self, folder: Path, key: bytes | None = None) -> None:
        self.folder = folder
        self.key = key
        """With a key (the user's own, kept outside the cache folder), every entry is signed: its
        header as a whole, and each card record, so an entry written by anyone else is not used."""

    def _mac(self, data: bytes | memoryview, size: int) -> bytes:
        assert self.key is not None
        return _blake2b()(data, key=self.key, digest_size=size).digest()

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
        if cached is not None and self._unchanged(cached[0], stat):
            return self._deck(path, entry, *cached)
        data = read_bytes(path)
        digest = _blake2b()(data, digest_size=16).hexdigest()
        if cached is not None and cached[0][4] == digest and self._same_file(cached[0], stat):
            # Unchanged, and only too recent to trust by its times when the entry was written. Once
            # the file is older than RACY_NS, the entry is renewed, so that the next launches trust
            # the times again instead of reading the whole deck each time (as git refreshes a
            # racily clean index entry).
            import time

            if time.time_ns() - stat.st_mtime_ns <= self.RACY_NS:
                return self._deck(path, entry, *cached)
            return self._renewed(path, entry, cached, stat)
        if cached is not None and cached[0][4] == digest:
            return self._renewed(path, entry, cached, stat)  # touched, not changed: a checkout, a copy
        text = decode(data, str(path), utf16=True)
        del data  # the text is enough from here: keep one copy of a big deck, not two
        from quizkit.io.deck_parse import CHUNKED_FROM, parse_deck, valid_deck  # only on a miss

        if len(text) >= CHUNKED_FROM:
            streamed = self._stream(entry, path, stat, digest, text)
            if streamed is not None:
                return streamed
        deck = valid_deck(*parse_deck(text, str(path), default_id=path.stem))
        del text
        self._store(entry, path, stat, digest, deck)
        return deck

    def _renewed(
        self, path: Path, entry: Path, cached: tuple[tuple[Any, ...], memoryview], stat: os.stat_result
    ) -> Deck:
        """The entry of an unchanged deck written again with the file's size and times now: the
        records are kept."""
        old, mapped = cached
        body = bytes(mapped)
        renewed = (*old[:2], stat.st_size, stat.st_mtime_ns, *old[4:10], _file_times(stat), old[11])
        self._write(entry, [body], lambda offsets, macs: renewed)
        return self._deck(path, entry, renewed, memoryview(body))

    def _stream(self, entry: Path, path: Path, stat: os.stat_result, digest: str, text: str) -> Deck | None:
        """A big deck parsed straight into its entry, a chunk of cards at a time, then read from
        the entry like any cached deck: its cards are never all in memory at once. None when it
        cannot be (a deck with a problem, an entry that cannot be written): the caller parses."""
        import marshal
        from array import array

        from quizkit.io.deck_parse import stream_deck

        ids: list[str] = []
        tag_sets: dict[tuple[str, ...], int] = {}
        tag_index = array("I")
        outcome: list[tuple[Deck, list[Problem]] | None] = []

        def produce(put: Callable[[bytes], None]) -> None:
            def sink(cards: list[Card]) -> None:
                for card in cards:
                    ids.append(card.id)
                    tag_index.append(tag_sets.setdefault(card.tags, len(tag_sets)))
                    put(marshal.dumps(_record(card)))

            outcome.append(stream_deck(text, str(path), path.stem, sink))
            if outcome[0] is None or any(p.severity is Severity.ERROR for p in outcome[0][1]):
                raise _Abandoned  # the entry is not kept; the caller parses and reports

        def header(offsets: array[int], macs: bytes) -> tuple[Any, ...]:
            assert outcome and outcome[0] is not None
            return self._header(path, stat, digest, outcome[0][0], ids, tag_sets, tag_index, offsets, macs)

        try:
            self._write_with(entry, produce, header)
        except _Abandoned:
            return None
        cached = self._read(entry)
        if cached is None or len(cached[0][6]) != len(ids):
            return None  # not written (a read-only cache folder): parsed the usual way
        return self._deck(path, entry, *cached)

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
        import os
        import stat

        try:
            handle = os.open(entry, os.O_RDONLY | os.O_NONBLOCK)  # a FIFO planted here must not block
            if not stat.S_ISREG(os.fstat(handle).st_mode):
                os.close(handle)
                return None
            with open(handle, "rb") as cached:
                if cached.read(len(self.MAGIC)) != self.MAGIC:
                    return None
                signature = 16 if self.key is not None else 0
                total = cached.seek(0, 2) - signature
                cached.seek(total - 8)
                size = int.from_bytes(cached.read(8), "little")
                body_end = total - 8 - size
                if body_end < len(self.MAGIC):
                    return None
                cached.seek(body_end)
                encoded = cached.read(size)
                if signature:
                    cached.seek(total)
                    if cached.read(signature) != self._mac(encoded, signature):
                        return None  # not signed with this user's key: never trust its records
                header = marshal.loads(encoded)
                if not _sound(header, self._version(), body_end - len(self.MAGIC)):
                    return None
                if body_end == len(self.MAGIC):
                    return header, memoryview(b"")
                mapped = mmap.mmap(cached.fileno(), 0, access=mmap.ACCESS_READ)
            return header, memoryview(mapped)[len(self.MAGIC) : body_end]
        except (OSError, ValueError, EOFError, TypeError, IndexError):
            return None

    def _unchanged(self, header: tuple[Any, ...], stat: os.stat_result) -> bool:
        """Whether the deck file is the one the entry was made from, without reading it."""
        return self._same_file(header, stat) and header[10][2] - stat.st_mtime_ns > self.RACY_NS

    @staticmethod
    def _same_file(header: tuple[Any, ...], stat: os.stat_result) -> bool:
        ctime_ns, ino, _ = header[10]
        return header[2:4] == (stat.st_size, stat.st_mtime_ns) and (ctime_ns, ino) == (
            stat.st_ctime_ns,
            stat.st_ino,
        )

    def _deck(self, path: Path, entry: Path, header: tuple[Any, ...], body: memoryview) -> Deck:
        import marshal
        from array import array

        parsed: list[Deck] = []

        def damaged() -> Deck:
            """The entry turned out damaged while in use: forget it, and parse the deck instead."""
            if not parsed:
                from quizkit.io.deck_parse import check_deck, valid_deck

                entry.unlink(missing_ok=True)
                parsed.append(valid_deck(*check_deck(path)))
            return parsed[0]

        meta, ids, tag_sets, tag_index, offset_bytes = header[5:10]
        macs = header[11]
        deck_id, title, description, source, author, settings = meta
        retention, new, reviews, max_interval, exam, bury, asked = settings
        offsets = array("Q")
        offsets.frombytes(offset_bytes)

        def tags() -> tuple[tuple[str, ...], ...]:
            indices = array("I")
            indices.frombytes(tag_index)
            try:
                return tuple(tag_sets[i] for i in indices)
            except IndexError:
                return tuple(card.tags for card in damaged().cards)

        def build(index: int) -> Card:
            start = offsets[index]
            end = offsets[index + 1] if index + 1 < len(offsets) else len(body)
            try:
                if not start <= end <= len(body):
                    raise ValueError("record out of bounds")
                record = body[start:end]
                if self.key is not None and self._mac(record, 8) != macs[8 * index : 8 * index + 8]:
                    raise ValueError("record not signed")
                fields = marshal.loads(record)  # a Card's fields, kind as its value
                card = _card(fields, ids[index])
            except (ValueError, TypeError, EOFError, IndexError):
                card = None
            if card is None:
                card = damaged().card(ids[index])
                if card is None:
                    raise DeckError(
                        [
                            Problem(
                                str(path),
                                None,
                                ids[index],
                                "changed while quizkit was reading it (its cache entry was damaged)",
                                "run the command again",
                            )
                        ]
                    )
            return card

        return Deck(
            deck_id,
            title,
            str(path),
            CardList(ids, tags, build),
            description,
            source,
            author,
            DeckSettings(
                retention,
                new,
                reviews,
                max_interval,
                date.fromisoformat(exam) if exam else None,
                bury,
                SelfGraded(asked) if asked else None,
            ),
        )

    def _store(self, entry: Path, path: Path, stat: os.stat_result, digest: str, deck: Deck) -> None:
        import marshal
        from array import array

        def records() -> Iterator[bytes]:
            for card in deck.cards:
                yield marshal.dumps(_record(card))

        def header(offsets: array[int], macs: bytes) -> tuple[Any, ...]:
            # Tags as an index into the distinct tag sets: most cards share a few combinations.
            tag_sets: dict[tuple[str, ...], int] = {}
            tag_index = array("I", (tag_sets.setdefault(c.tags, len(tag_sets)) for c in deck.cards))
            ids = [c.id for c in deck.cards]
            return self._header(path, stat, digest, deck, ids, tag_sets, tag_index, offsets, macs)

        self._write(entry, records(), header)

    def _header(
        self,
        path: Path,
        stat: os.stat_result,
        digest: str,
        deck: Deck,
        ids: Sequence[str],
        tag_sets: dict[tuple[str, ...], int],
        tag_index: array[int],
        offsets: array[int],
        macs: bytes,
    ) -> tuple[Any, ...]:
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
                settings.bury_siblings,
                settings.self_graded.value if settings.self_graded else None,
            ),
        )
        return (
            self._version(),
            str(path.resolve()),
            stat.st_size,
            stat.st_mtime_ns,
            digest,
            meta,
            tuple(ids),
            tuple(tag_sets),
            tag_index.tobytes(),
            offsets.tobytes(),
            _file_times(stat),
            macs,
        )

    def _write(
        self,
        entry: Path,
        records: Iterable[bytes | memoryview],
        header: Callable[[array[int], bytes], tuple[Any, ...]],
    ) -> None:
        def produce(put: Callable[[bytes | memoryview], None]) -> None:
            for record in records:
                put(record)

        self._write_with(entry, produce, header)

    def _write_with(
        self,
        entry: Path,
        produce: Callable[[Callable[[bytes | memoryview], None]], None],
        header: Callable[[array[int], bytes], tuple[Any, ...]],
    ) -> None:
        """The entry written: MAGIC, each record `produce` puts, then the header. An exception from
        `produce` (but a disk's) leaves no entry and goes on."""
        import marshal
        from array import array

        try:
            entry.parent.mkdir(parents=True, exist_ok=True)
            with atomic_file(entry) as out:
                out.write(self.MAGIC)
                offsets, macs = array("Q"), bytearray()
                position = 0

                def put(record: bytes | memoryview) -> None:
                    nonlocal position
                    offsets.append(position)
                    position += len(record)
                    out.write(record)
                    if self.key is not None:
                        macs.extend(self._mac(record, 8))

                produce(put)
                encoded = marshal.dumps(header(offsets, bytes(macs)))
                out.write(encoded)
                out.write(len(encoded).to_bytes(8, "little"))
                if self.key is not None:
                    out.write(self._mac(encoded, 16))
        except (OSError, UsageError):
            pass  # a read-only or broken cache folder, or a special file in the way, only costs speed


class _Abandoned(Exception):
    """A deck streamed into its entry turned out to have a problem: the entry is not kept."""


def _record(card: Card) -> tuple[Any, ...]:
    """A card's fields as its entry keeps them (read back by _card)."""
    c = card
    return (
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
        _pictures(c),
    )


def _blake2b() -> type[blake2b]:
    """hashlib.blake2b, which is CPython's _blake2 module's: imported from there, it does not load
    OpenSSL first for the hashes hashlib takes from it (2.2 ms of every launch)."""
    try:
        from _blake2 import blake2b
    except ImportError:  # another Python: hashlib's own
        from hashlib import blake2b
    return blake2b


def _file_times(stat: os.stat_result) -> tuple[int, int, int]:
    """(change time, inode, when the entry is written), all that a stat can tell apart."""
    import time

    return (stat.st_ctime_ns, stat.st_ino, time.time_ns())


_SETTING_TYPES = (
    (float, type(None)),
    (int, type(None)),
    (int, type(None)),
    (int, type(None)),
    (str, type(None)),
    (bool, type(None)),
    (str, type(None)),
)
_KINDS = frozenset(kind.value for kind in Kind)
_SELF_GRADED = frozenset(way.value for way in SelfGraded)


def _sound(header: object, version: str, body_size: int) -> bool:
    """Whether an entry's header has the shape quizkit writes (its records are checked as used)."""
    if not isinstance(header, tuple) or len(header) != 12 or header[0] != version:
        return False
    _, where, size, mtime, digest, meta, ids, tag_sets, tag_index, offsets, times, macs = header
    if not isinstance(macs, bytes) or len(macs) not in (0, 8 * len(ids) if isinstance(ids, tuple) else -1):
        return False
    if not (
        isinstance(where, str)
        and type(size) is int
        and type(mtime) is int
        and isinstance(digest, str)
        and isinstance(tag_index, bytes)
        and isinstance(offsets, bytes)
        and isinstance(times, tuple)
        and len(times) == 3
        and all(type(t) is int for t in times)
        and isinstance(ids, tuple)
        and isinstance(tag_sets, tuple)
    ):
        return False
    if len(offsets) != 8 * len(ids) or len(tag_index) != 4 * len(ids):
        return False
    if not all(type(i) is str for i in ids) or not all(
        isinstance(t, tuple) and all(type(x) is str for x in t) for t in tag_sets
    ):
        return False
    if not (isinstance(meta, tuple) and len(meta) == 6 and all(isinstance(m, str) for m in meta[:5])):
        return False
    settings = meta[5]
    if not (isinstance(settings, tuple) and len(settings) == len(_SETTING_TYPES)):
        return False
    if not all(
        isinstance(v, t) and (not isinstance(v, bool) or bool in t)
        for v, t in zip(settings, _SETTING_TYPES, strict=True)
    ):
        return False
    if settings[6] is not None and settings[6] not in _SELF_GRADED:
        return False
    return body_size >= 0


def _card(fields: object, card_id: str) -> Card | None:
    """A Card from its cached record, or None if the record is not one quizkit wrote for this id."""
    if not isinstance(fields, tuple) or len(fields) != 13:
        return None
    cid, kind, prompt, answer, accept, choices, exact, tags, explain, source, line, note_id, pictures = fields
    texts = (cid, kind, prompt, answer, explain, source, note_id)
    lists = (accept, choices, tags, pictures)
    if (
        cid != card_id
        or not all(type(t) is str for t in texts)
        or kind not in _KINDS
        or not all(isinstance(x, tuple) and all(type(v) is str for v in x) for x in lists)
        or type(exact) is not bool
        or type(line) is not int
        or len(pictures) not in (0, 4)
    ):
        return None
    image = answer_image = None
    if pictures:
        image = Picture(pictures[0], pictures[1]) if pictures[0] else None
        answer_image = Picture(pictures[2], pictures[3]) if pictures[2] else None
    return Card(
        cid,
        Kind(kind),
        prompt,
        answer,
        accept,
        choices,
        exact,
        tags,
        explain,
        source,
        line,
        note_id,
        image,
        answer_image,
    )


def _pictures(card: Card) -> tuple[str, ...]:
    """A card's pictures in its record: (file, alt, answer file, answer alt), "" for none; () if neither."""
    if card.image is None and card.answer_image is None:
        return ()
    return tuple(
        part for p in (card.image, card.answer_image) for part in ((p.file, p.alt) if p else ("", ""))
    )
