"""Content checks: cards that are valid but teach badly.

The loader (io.deck_parse) checks a deck's form. These look for the same question twice, a right
answer that stands out by its length, a typed answer too long to type, cloze deletions that give
each other away, a card missing the explanation or tags the rest of the deck has. They are pure
functions returning warnings with the file, line and card, like the loader's.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable

from quizkit.errors import Problem, Severity
from quizkit.model import Card, Deck, Kind

LENGTH_RATIO = 1.75
"""A right answer this many times as long as the longest distractor stands out..."""


LENGTH_MARGIN = 15
"""...when it is also this many characters longer: short answers differ by chance."""


TYPED_MAX_WORDS = 6


TYPED_MAX_CHARS = 40
"""A typed answer longer than this (in its shortest accepted form) is too long to type."""


def content_problems(deck: Deck) -> list[Problem]:
    """Warnings about what the cards of a valid deck say, sorted by line."""
    notes = _notes(deck)
    found: list[Problem] = []
    found.extend(_duplicate_questions(deck, notes))
    for cards in notes:
        first = cards[0]

        def warn(message: str, hint: str, card: Card = first) -> None:
            found.append(Problem(deck.path, card.line or None, card.note_id, message, hint, Severity.WARNING))

        if first.kind in (Kind.CHOICE, Kind.MULTI):
            _length_giveaway(first, warn)
        elif first.kind is Kind.TYPED:
            _too_long_to_type(first, warn)
        elif first.kind is Kind.CLOZE:
            for number, card in enumerate(cards, start=1):
                _cloze_giveaway(card, number, warn)
    found.extend(_missing(deck, notes, "explain", "has no explanation", 'add explain = "..." saying why'))
    found.extend(_missing(deck, notes, "tags", "has no tags", 'add tags = ["..."] like the other cards'))
    return sorted(found, key=lambda p: p.line or 0)


def _notes(deck: Deck) -> list[list[Card]]:
    """The deck's cards grouped by the [[cards]] block they come from, in file order."""
    groups: dict[str, list[Card]] = {}
    for card in deck.cards:
        groups.setdefault(card.note_id or card.id, []).append(card)
    return list(groups.values())


def _normal(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).casefold()
    return " ".join(re.findall(r"\w+", folded))


def _duplicate_questions(deck: Deck, notes: list[list[Card]]) -> Iterable[Problem]:
    seen: dict[str, Card] = {}
    for cards in notes:
        card = cards[0]
        key = _normal(card.prompt)
        if not key:
            continue
        if key in seen:
            other = seen[key]
            yield Problem(
                deck.path,
                card.line or None,
                card.note_id,
                f"asks the same question as card {other.note_id} (line {other.line})",
                "reword one of them or merge them: learners would meet the same prompt twice",
                Severity.WARNING,
            )
        else:
            seen[key] = card


def _length_giveaway(card: Card, warn: Callable[..., None]) -> None:
    right = [c for c in card.choices if c in card.accept]
    wrong = [c for c in card.choices if c not in card.accept]
    if not right or not wrong:
        return
    shortest_right = min(len(c) for c in right)
    longest_wrong = max(len(c) for c in wrong)
    if shortest_right >= LENGTH_RATIO * longest_wrong and shortest_right - longest_wrong >= LENGTH_MARGIN:
        which = "the right answer is" if card.kind is Kind.CHOICE else "every right answer is"
        warn(
            f"{which} much longer than every other choice ({shortest_right} characters against at most "
            f"{longest_wrong}): it can be picked without knowing it",
            "make the other choices as long and specific, or shorten the answer",
        )


def _too_long_to_type(card: Card, warn: Callable[..., None]) -> None:
    shortest = min(card.accept, key=len)
    words = len(shortest.split())
    if words > TYPED_MAX_WORDS or len(shortest) > TYPED_MAX_CHARS:
        warn(
            f"the answer is too long to type ({words} words, {len(shortest)} characters, "
            "even in its shortest accepted form)",
            "accept a short form (accept = [...]), or make it a basic or choice card",
        )


def _cloze_giveaway(card: Card, number: int, warn: Callable[..., None]) -> None:
    prompt = f" {_normal(card.prompt)} "
    # Each accepted form ({{Sharia law|Sharia}}) gives the gap away as surely as the answer.
    for answer in card.accept or (card.answer,):
        normal = _normal(answer)
        # Both are normalised to words joined by single spaces: this is a whole-word search.
        if len(normal) >= 2 and f" {normal} " in prompt:
            warn(
                f"deletion {number} ({answer!r}) can be read elsewhere in the sentence while it is hidden",
                "hide every place it appears in one deletion, or reword the sentence",
                card,
            )
            return


def _missing(deck: Deck, notes: list[list[Card]], key: str, message: str, hint: str) -> Iterable[Problem]:
    """Cards without explain (or tags) in a deck whose cards mostly have them: they were forgotten.

    A deck that uses none is a choice the author made, not a slip, and gets no warning.
    """
    lacking = [cards[0] for cards in notes if not (cards[0].explain if key == "explain" else cards[0].tags)]
    if not lacking or 2 * (len(notes) - len(lacking)) < len(notes):
        return
    for card in lacking:
        yield Problem(deck.path, card.line or None, card.note_id, message, hint, Severity.WARNING)
