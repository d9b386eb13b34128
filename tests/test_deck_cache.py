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
