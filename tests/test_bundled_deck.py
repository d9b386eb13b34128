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


# ---------------------------------------------------------------- faithful to the article and the record (issue 16)

OPENING = "Opening paragraphs (no heading)"


def _headings() -> set[str]:
    """The article's section headings: the short lines of the argument (the last three lines
    are the publisher's footer and the author's biography)."""
    lines = [line.strip() for line in ARTICLE.read_text(encoding="utf-8").splitlines() if line.strip()]
    return {line for line in lines[:-3] if len(line.split()) <= 10}


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.replace("’", "'").casefold())


@pytest.mark.skipif(not ARTICLE.is_file(), reason="the source article is not beside this checkout")
def test_every_source_cites_a_heading_the_article_has(deck) -> None:  # type: ignore[no-untyped-def]
    headings = _headings() | {OPENING}
    assert "Conclusion: Friends or Foes?" in headings
    for card in deck.cards:
        cited = re.findall(r"(?:^|;\s)([^';]+?):\s'", card.source)
        assert cited, card.id
        for heading in cited:
            assert heading in headings, (card.id, heading)


def _statements(deck):  # type: ignore[no-untyped-def]
    return [card for card in deck.cards if card.kind is Kind.TRUEFALSE]


def test_true_false_cards_are_balanced_and_not_strawmen(deck) -> None:  # type: ignore[no-untyped-def]
    statements = _statements(deck)
    true = [card for card in statements if card.answer == "true"]
    assert len(statements) >= 12
    assert 0.4 <= len(true) / len(statements) <= 0.6
    absolutes = {"no", "not", "only", "all", "every", "always", "never", "none", "trouble"}
    for card in statements:
        if card.answer == "false":
            assert not absolutes & set(_words(card.prompt)), card.id


@pytest.mark.skipif(not ARTICLE.is_file(), reason="the source article is not beside this checkout")
def test_statements_are_not_copied_from_the_article(deck) -> None:  # type: ignore[no-untyped-def]
    words = _words(ARTICLE.read_text(encoding="utf-8"))
    run = 7
    article = {tuple(words[i : i + run]) for i in range(len(words) - run + 1)}
    for card in _statements(deck):
        said = _words(card.prompt)
        copied = [
            " ".join(said[i : i + run])
            for i in range(len(said) - run + 1)
            if tuple(said[i : i + run]) in article
        ]
        assert copied == [], card.id


RECORD = {
    # card: the answers the record gives (a cloze: one per deletion)
    "record-kandahar-1994": ["Kandahar", "1994"],
    "record-recognition-date": ["May 1997"],
    "record-recognisers": ["Pakistan", "Saudi Arabia", "United Arab Emirates"],
    "record-ttp-formed": ["December 2007", "Baitullah Mehsud"],
    "record-nwfp-2010": ["North-West Frontier Province", "2010"],
    "record-fata-2018": ["2018"],
    "record-us-withdrawal-date": ["30 August 2021"],
}


@pytest.mark.parametrize(("note", "answers"), list(RECORD.items()))
def test_the_record_facts_are_asked_as_cards_of_their_own(deck, note: str, answers: list[str]) -> None:  # type: ignore[no-untyped-def]
    cards = [card for card in deck.cards if card.note_id == note]
    assert cards, note
    assert all("record" in card.tags for card in cards)
    if cards[0].kind is Kind.MULTI:
        assert list(cards[0].accept) == answers
    else:
        assert [card.answer for card in cards] == answers


def test_the_record_is_what_is_learned_where_the_article_departs_from_it(deck) -> None:  # type: ignore[no-untyped-def]
    # 1991 is asked as the article's claim to be corrected, not drilled as an answer.
    assert all(card.answer != "1991" for card in deck.cards)
    assert "1989" in deck.card("date-1991-vs-record").answer
    # The TTP was an umbrella of Pakistani groups, not a breakaway; no treaty with the West.
    assert deck.card("ttp-what").answer == "An umbrella of Pakistani militant groups"
    assert "treaty" not in deck.card("exile-defiance").answer
    assert deck.card("record-tf-no-treaty").answer == "false"
    assert deck.card("record-tf-pashtun-minority").answer == "true"
    # Recognition came in May 1997, not "at once" when Kabul fell.
    text = " ".join(f"{card.prompt} {card.answer} {card.explain}" for card in deck.cards)
    assert "(1996)" not in text
    assert "at once" not in text


@pytest.mark.parametrize(
    ("card_id", "typed"),
    [
        ("nine-eleven", "Sept 11"),
        ("nine-eleven", "11 September"),
        ("nine-eleven", "September 11th attacks"),
        ("nine-eleven", "911"),
        ("nine-eleven", "9/11"),
        ("kabul-1996", "September 1996"),
        ("us-withdrawal-2021", "August 2021"),
        ("ttp-kp", "NWFP"),
        ("ttp-name", "Tehrik-e-Taliban"),
        ("isi", "ISI agency"),
        ("record-recognition-date", "25 May 1997"),
        ("record-us-withdrawal-date", "August 30, 2021"),
        ("exile-tribal-areas", "the tribal areas"),
        ("fata-region", "Federally Administered Tribal Areas"),
    ],
)
def test_the_accepted_answers_are_wide_enough(deck, card_id: str, typed: str) -> None:  # type: ignore[no-untyped-def]
    from quizkit.core import grading

    assert grading.grade(deck.card(card_id), typed).verdict is grading.Verdict.RIGHT


@pytest.mark.parametrize(
    ("card_id", "typed"),
    [("nine-eleven", "2001"), ("record-recognition-date", "1996"), ("record-us-withdrawal-date", "2021")],
)
def test_an_ambiguous_or_wrong_year_is_refused(deck, card_id: str, typed: str) -> None:  # type: ignore[no-untyped-def]
    from quizkit.core import grading

    assert grading.grade(deck.card(card_id), typed).verdict is grading.Verdict.WRONG


def test_no_reversed_card_expects_a_sentence(deck) -> None:  # type: ignore[no-untyped-def]
    for card in deck.cards:
        if card.id.endswith(".rev"):
            assert len(card.answer.split()) <= 6, card.id


def test_no_distractor_is_offered_on_three_cards(deck) -> None:  # type: ignore[no-untyped-def]
    wrong = Counter(
        choice.casefold()
        for card in deck.cards
        if card.kind in (Kind.CHOICE, Kind.MULTI)
        for choice in card.choices
        if choice not in card.accept
    )
    assert [choice for choice, times in wrong.items() if times >= 3] == []
