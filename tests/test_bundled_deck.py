"""The bundled deck: it loads, covers every topic and section, and explains every card."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from quizkit.io import deck_files, deck_parse
from quizkit.model import Kind

from conftest import BUNDLED, REPO

TOPIC_TAGS = {"dates", "actors", "places", "motives", "causes-of-rift", "concepts"}
SECTION_TAGS = {"introduction", "genesis", "ascendancy", "post-9-11", "post-taliban-era", "conclusion"}
ARTICLE = REPO.parent / "shared" / "source" / "article.txt"


@pytest.fixture(scope="module")
def deck():  # type: ignore[no-untyped-def]
    return deck_files.load_deck(BUNDLED / "taliban-pakistan.toml")


def test_bundled_decks_validate_without_errors_or_warnings() -> None:
    for path in deck_files.bundled_deck_files():
        loaded, problems = deck_parse.check_deck(path)
        assert loaded is not None
        assert problems == [], path


def test_deck_is_large_enough_and_uses_every_kind(deck) -> None:  # type: ignore[no-untyped-def]
    notes = {card.note_id for card in deck.cards}
    assert len(notes) >= 60
    assert set(Counter(card.kind for card in deck.cards)) == set(Kind)


def test_every_tag_is_used_and_each_card_has_one_section(deck) -> None:  # type: ignore[no-untyped-def]
    used = Counter(tag for card in deck.cards for tag in card.tags)
    assert TOPIC_TAGS | SECTION_TAGS <= set(used)
    for card in deck.cards:
        assert len(SECTION_TAGS & set(card.tags)) == 1, card.id
        assert TOPIC_TAGS & set(card.tags), card.id


def test_every_card_has_an_explanation_and_a_source(deck) -> None:  # type: ignore[no-untyped-def]
    for card in deck.cards:
        assert len(card.explain) > 20, card.id
        assert card.source, card.id


def test_distractors_come_in_sets_of_at_least_three(deck) -> None:  # type: ignore[no-untyped-def]
    for card in deck.cards:
        if card.kind in (Kind.CHOICE, Kind.MULTI):
            assert len(card.choices) >= 3, card.id
            assert len(card.choices) > len(card.accept), card.id


@pytest.mark.skipif(not ARTICLE.is_file(), reason="the source article is not beside this checkout")
def test_every_quoted_source_is_verbatim_from_the_article(deck) -> None:  # type: ignore[no-untyped-def]
    text = ARTICLE.read_text(encoding="utf-8")

    def norm(s: str) -> str:
        return re.sub(r"\s+", " ", s.replace("’", "'")).strip()

    article = norm(text)
    for card in deck.cards:
        quotes = re.findall(r"'(.+?)'(?:\s|$|,|;|\.)", card.source + " ")
        assert quotes, card.id
        for quote in quotes:
            for piece in norm(quote).split("..."):
                assert piece.strip() in article, (card.id, piece)


def test_bundled_deck_is_the_default_of_the_installed_package() -> None:
    assert Path(deck_files.bundled_decks_dir(), "taliban-pakistan.toml").is_file()
