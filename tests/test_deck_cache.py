"""The deck cache: an unchanged deck is read from the cache, never parsed twice; anything odd falls back."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from quizkit.errors import DeckError
from quizkit.io import deck_cache, deck_files, deck_parse
from quizkit.model import CardList

DECK = """[deck]
id = "cached"
title = "Cached"
exam_date = 2026-12-15

[[cards]]
id = "a"
q = "Q a"
a = "A a"
tags = ["x"]

[[cards]]
id = "b"
cloze = "The {{Taliban}} took {{Kabul::city}}."
tags = ["y"]
explain = "why"

[[cards]]
id = "c"
q = "Pick"
choices = ["one", "two"]
a = "two"
"""


@pytest.fixture
def deck(tmp_path: Path) -> Path:
    path = tmp_path / "cached.toml"
    path.write_text(DECK, encoding="utf-8")
    return path


def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    original = deck_parse.parse_deck

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(args[1] if len(args) > 1 else "")
        return original(*args, **kwargs)

    monkeypatch.setattr(deck_parse, "parse_deck", counting)
    return calls


def test_second_load_comes_from_the_cache_with_the_same_content(
    deck: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = parses(monkeypatch)
    cache = tmp_path / "cache"
    first = deck_files.load_deck(deck, cache)
    second = deck_files.load_deck(deck, cache)
    assert len(calls) == 1
    assert isinstance(second.cards, CardList)
    assert list(second.cards) == list(first.cards)
    assert (second.id, second.title, second.path, second.settings) == (
        first.id,
        first.title,
        first.path,
        first.settings,
    )
    assert second.card("b.c2") == first.card("b.c2")
    assert second.card("nope") is None


def test_a_touched_but_unchanged_file_keeps_its_entry(
    deck: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = parses(monkeypatch)
    cache = tmp_path / "cache"
    deck_files.load_deck(deck, cache)
    stat = deck.stat()
    os.utime(deck, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))
    deck_files.load_deck(deck, cache)
    deck_files.load_deck(deck, cache)
    assert len(calls) == 1


def test_an_edited_deck_is_parsed_again(deck: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    deck_files.load_deck(deck, cache)
    deck.write_text(DECK.replace("Q a", "Q a, edited"), encoding="utf-8")
    assert deck_files.load_deck(deck, cache).cards[0].prompt == "Q a, edited"


def test_an_edit_that_breaks_the_deck_is_reported_not_hidden_by_the_cache(deck: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    deck_files.load_deck(deck, cache)
    deck.write_text(DECK.replace('a = "A a"\n', ""), encoding="utf-8")
    with pytest.raises(DeckError) as caught:
        deck_files.load_deck(deck, cache)
    assert caught.value.problems[0].message == "has a question but no answer"


@pytest.mark.parametrize("damage", [b"", b"QKDECK1\n\xff\xff\xff\xff\xff\xff\xff\x7f", b"garbage" * 100])
def test_a_damaged_cache_entry_falls_back_to_parsing(deck: Path, tmp_path: Path, damage: bytes) -> None:
    cache = tmp_path / "cache"
    deck_files.load_deck(deck, cache)
    entry = deck_cache.DeckCache(cache).entry(deck)
    entry.write_bytes(damage)
    assert deck_files.load_deck(deck, cache).cards[3].answer == "two"


def test_an_unwritable_cache_only_costs_speed(deck: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    assert deck_files.load_deck(deck, blocker / "cache").id == "cached"


def aged(path: Path, seconds: float = 60) -> None:
    """Give the file an older modification time, as a deck edited a while ago has."""
    stamp = path.stat().st_mtime - seconds
    os.utime(path, (stamp, stamp))


def card_answers(deck: Path, cache: Path) -> dict[str, str]:
    loaded = deck_files.load_deck(deck, cache)
    return {card.id: card.answer for card in loaded.cards}


def test_a_same_size_edit_that_keeps_the_time_is_seen(deck: Path, tmp_path: Path) -> None:
    # cp -p, a tar extract or an editor that keeps the time: the size and mtime match, not the file.
    cache = tmp_path / "cache"
    aged(deck)
    assert card_answers(deck, cache)["a"] == "A a"
    before = deck.stat()
    edited = tmp_path / "edited.toml"
    edited.write_text(DECK.replace('a = "A a"', 'a = "B b"'), encoding="utf-8")
    os.utime(edited, ns=(before.st_atime_ns, before.st_mtime_ns))
    os.replace(edited, deck)  # what cp -p or tar leave: same size, same mtime
    assert (deck.stat().st_size, deck.stat().st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    assert card_answers(deck, cache)["a"] == "B b"


def test_a_deck_cached_just_after_its_edit_is_trusted_by_its_times_once_old_enough(
    deck: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An entry written within RACY_NS of the file's edit cannot trust the times: the file is read
    and hashed. Once the file is old enough, the entry is renewed, so later launches do not read
    the whole deck each time (they did, for ever: 13 ms a launch at 50,000 cards)."""
    import time

    monkeypatch.setattr(deck_cache.DeckCache, "RACY_NS", 300_000_000)
    cache = tmp_path / "cache"
    reads: list[Path] = []
    original = deck_cache.read_bytes

    def counting(path: Path, *args: object, **kwargs: object) -> bytes:
        reads.append(path)
        return original(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(deck_cache, "read_bytes", counting)
    assert card_answers(deck, cache)["a"] == "A a"  # parsed: one read
    assert card_answers(deck, cache)["a"] == "A a"  # too recent to trust: read and hashed
    assert len(reads) == 2
    time.sleep(0.4)
    assert card_answers(deck, cache)["a"] == "A a"  # read once more, and the entry renewed
    assert len(reads) == 3
    assert card_answers(deck, cache)["a"] == "A a"
    assert len(reads) == 3, "an entry renewed is trusted by the times"
    before = deck.stat()
    with open(deck, "r+b") as same_file:  # still seen: an edit that keeps size and mtime
        same_file.write(DECK.replace('a = "A a"', 'a = "B b"').encode())
    os.utime(deck, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert card_answers(deck, cache)["a"] == "B b"


def test_an_edit_within_the_clock_tick_is_seen(deck: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    assert card_answers(deck, cache)["a"] == "A a"  # cached less than a moment after it was written
    before = deck.stat()
    with open(deck, "r+b") as same_file:  # the same inode; a coarse clock keeps the time
        same_file.write(DECK.replace('a = "A a"', 'a = "B b"').encode())
    os.utime(deck, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert card_answers(deck, cache)["a"] == "B b"


def tamper(entry: Path, change: object, signature: int = 0) -> None:
    """Rewrite an entry's header or records in place, keeping it well-formed marshal (and keeping
    the signature it had, which no longer matches: only the key could make a new one)."""
    import marshal

    data = entry.read_bytes()
    trailer = data[len(data) - signature :] if signature else b""
    data = data[: len(data) - signature]
    size = int.from_bytes(data[-8:], "little")
    header = marshal.loads(data[len(data) - 8 - size : -8])
    body = data[len(deck_cache.DeckCache.MAGIC) : len(data) - 8 - size]
    header, body = change(header, body)  # type: ignore[operator]
    encoded = marshal.dumps(header)
    entry.write_bytes(
        deck_cache.DeckCache.MAGIC + body + encoded + len(encoded).to_bytes(8, "little") + trailer
    )


def _record(index: int, fields: tuple[object, ...], key: bytes | None = None) -> object:
    def change(header: tuple[object, ...], body: bytes) -> tuple[tuple[object, ...], bytes]:
        import marshal
        from array import array

        offsets = array("Q")
        offsets.frombytes(header[9])  # type: ignore[arg-type]
        records = [
            body[offsets[i] : offsets[i + 1] if i + 1 < len(offsets) else len(body)]
            for i in range(len(offsets))
        ]
        records[index] = marshal.dumps(fields)
        new_offsets, position = array("Q"), 0
        for record in records:
            new_offsets.append(position)
            position += len(record)
        macs = header[11]
        if key is not None:  # the forger's own key: every record signed again
            cache = deck_cache.DeckCache(Path("."), key)
            macs = b"".join(cache._mac(record, 8) for record in records)
        return (*header[:9], new_offsets.tobytes(), header[10], macs), b"".join(records)

    return change


@pytest.mark.parametrize(
    "change",
    [
        lambda h, b: ((*h[:6], ("a", 5, "c"), *h[7:]), b),  # ids of the wrong type
        lambda h, b: ((*h[:6], ("a", "b"), *h[7:]), b),  # fewer ids than records
        lambda h, b: ((*h[:5], ("cached", "T", "", "", "", (2.0, 1, 1, 1, None)), *h[6:]), b),  # settings
        lambda h, b: ((*h[:5], None, *h[6:]), b),
        lambda h, b: ((*h[:7], ((1,),), *h[8:]), b),  # tags of the wrong type
        lambda h, b: ((*h[:8], b"\xff\xff\xff\xff" * 3, *h[9:]), b),  # a tag index out of range
        lambda h, b: ((*h[:9], b"\xff" * 24, *h[10:]), b),  # offsets out of bounds
        lambda h, b: (h[:10], b),  # an old header
        _record(0, ("a", "nonsense", "Q a", "A a", ("A a",), (), False, ("x",), "", "", 0, "a", ())),
        _record(0, ("a", "basic", "Q a", "TAMPERED", ("A a",), (), "no", ("x",), "", "", 0, "a", ())),
        _record(0, ("z", "basic", "Q a", "TAMPERED", ("A a",), (), False, ("x",), "", "", 0, "z", ())),
        _record(1, (1, 2, 3)),
        _record(2, "not a tuple"),
    ],
)
def test_a_crafted_entry_with_the_right_times_falls_back_to_the_deck(
    deck: Path, tmp_path: Path, change: object
) -> None:
    cache = tmp_path / "cache"
    aged(deck)
    expected = card_answers(deck, cache)
    (entry,) = cache.glob("*.deck")
    tamper(entry, change)
    loaded = deck_files.load_deck(deck, cache)
    assert {card.id: card.answer for card in loaded.cards} == expected  # the deck's own answers
    assert [card.tags for card in loaded.cards] == [("x",), ("y",), ("y",), ()]


def test_a_fifo_in_place_of_an_entry_does_not_block(deck: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    os.mkfifo(deck_cache.DeckCache(cache).entry(deck))
    assert card_answers(deck, cache)["a"] == "A a"


def test_with_the_users_key_a_well_formed_entry_written_by_anyone_else_is_not_used(
    deck: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    aged(deck)
    key = os.urandom(32)
    assert {c.id: c.answer for c in deck_files.load_deck(deck, cache, key).cards}["a"] == "A a"
    (entry,) = cache.glob("*.deck")
    # A record changed to another well-formed answer, for the right id, with the right types:
    forged = ("a", "basic", "Q a", "FORGED", ("FORGED",), (), False, ("x",), "", "", 0, "a", ())
    tamper(entry, _record(0, forged), signature=16)
    assert {c.id: c.answer for c in deck_files.load_deck(deck, cache, key).cards}["a"] == "A a"
    # A whole entry made and signed throughout with another key, for the very same file:
    entry.unlink()
    forger = os.urandom(32)
    deck_files.load_deck(deck, cache, forger)
    tamper(entry, _record(0, forged, forger), signature=16)
    data = entry.read_bytes()[:-16]
    size = int.from_bytes(data[-8:], "little")
    entry.write_bytes(data + deck_cache.DeckCache(cache, forger)._mac(data[len(data) - 8 - size : -8], 16))
    assert {c.id: c.answer for c in deck_files.load_deck(deck, cache, forger).cards}["a"] == "FORGED"
    assert {c.id: c.answer for c in deck_files.load_deck(deck, cache, key).cards}["a"] == "A a"


# ---------------------------------------------------------------- a big deck streamed into its entry


def big_deck(path: Path, cards: int = 12, broken_at: int | None = None) -> Path:
    """A deck over CHUNKED_FROM (lowered by the test) of every kind, with a problem at one card."""
    blocks = []
    for n in range(cards):
        if n == broken_at:
            blocks.append(f'[[cards]]\nid = "c{n}"\nq = "Only a question"\n')
        elif n % 3 == 0:
            blocks.append(
                f'[[cards]]\nid = "c{n}"\ncloze = "Card {n}: the {{{{Taliban}}}} took {{{{Kabul}}}}."\ntags = ["x"]\n'
            )
        elif n % 3 == 1:
            blocks.append(
                f'[[cards]]\nid = "c{n}"\nq = "Pick {n}"\nchoices = ["one", "two"]\na = "two"\ntags = ["y", "x"]\n'
            )
        else:
            blocks.append(f'[[cards]]\nid = "c{n}"\nq = "Q {n}"\na = "A {n}"\nexplain = "why {n}"\n')
    path.write_text('[deck]\nid = "big"\ntitle = "Big"\n\n' + "\n".join(blocks), encoding="utf-8")
    return path


def fields(deck: object) -> list[tuple[object, ...]]:
    return [
        (c.id, c.kind, c.prompt, c.answer, c.accept, c.choices, c.tags, c.explain, c.line, c.note_id)
        for c in deck.cards  # type: ignore[attr-defined]
    ]


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(deck_parse, "CHUNKED_FROM", 100)
    original = deck_parse._parse_in_chunks
    monkeypatch.setattr(deck_parse, "_parse_in_chunks", lambda *a, **k: original(*a, **{**k, "per_chunk": 5}))


def test_a_big_deck_is_streamed_into_its_entry_and_reads_as_the_whole_parse(
    tmp_path: Path, small_chunks: None
) -> None:
    deck = big_deck(tmp_path / "big.toml")
    whole = deck_parse.parse_valid(deck.read_text(encoding="utf-8"), str(deck), "big")
    first = deck_files.load_deck(deck, tmp_path / "cache")
    assert isinstance(first.cards, CardList)  # read from the entry, not held whole
    assert fields(first) == fields(whole) and len(whole.cards) == 16
    assert (first.id, first.title) == ("big", "Big")
    again = deck_files.load_deck(deck, tmp_path / "cache")
    assert fields(again) == fields(whole)


def test_a_big_deck_with_a_problem_halfway_is_reported_and_leaves_no_entry(
    tmp_path: Path, small_chunks: None
) -> None:
    deck = big_deck(tmp_path / "big.toml", broken_at=9)
    with pytest.raises(DeckError) as raised:
        deck_files.load_deck(deck, tmp_path / "cache")
    assert raised.value.problems[0].card == "c9" and "no answer" in raised.value.problems[0].message
    assert not [p for p in (tmp_path / "cache").rglob("*") if p.is_file()]


def test_a_big_deck_with_an_unwritable_cache_still_loads(tmp_path: Path, small_chunks: None) -> None:
    deck = big_deck(tmp_path / "big.toml")
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    loaded = deck_files.load_deck(deck, blocker / "cache")
    assert len(loaded.cards) == 16 and not isinstance(loaded.cards, CardList)


def test_the_entries_blake2b_is_hashlibs() -> None:
    """The cache takes BLAKE2b from CPython's _blake2 (no OpenSSL load): the same digests."""
    import hashlib

    blake2b = deck_cache._blake2b()
    assert (
        blake2b(b"deck", digest_size=16).hexdigest() == hashlib.blake2b(b"deck", digest_size=16).hexdigest()
    )
    keyed = blake2b(b"deck", key=b"k" * 32, digest_size=8).digest()
    assert keyed == hashlib.blake2b(b"deck", key=b"k" * 32, digest_size=8).digest()
