"""Content checks: cards that are valid but teach badly.

The loader (io.deck_parse) checks a deck's form. These look for the same question twice, a right
answer that stands out by its length, a typed answer too long to type, cloze deletions that give
each other away, a card missing the explanation or tags the rest of the deck has, and the
test-wise patterns a learner can score on without knowing the answers: true/false cards mostly
one way, a distractor that is never right, tags that differ only by case, a reversed card asking
another card's question, a question or explanation that gives another card's answer away. They
are pure functions returning warnings with the file, line and card, like the loader's.
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

TRUE_SHARE = (0.3, 0.7)
"""The share of true statements among true/false cards outside which "always false" (or "always
true") scores well..."""

TRUE_FALSE_MIN = 6
"""...checked once a deck has this many true/false cards: fewer are lopsided by chance."""

REUSED_DISTRACTOR = 3
"""A wrong choice on this many cards, never right, is learned as "never this one"."""


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
    found.extend(_true_false_balance(deck, notes))
    found.extend(_reused_distractors(deck, notes))
    found.extend(_tags_by_case(deck, notes))
    found.extend(_reverse_asks_a_question(deck, notes))
    found.extend(_giveaways(deck, notes))
    found.extend(_mixed_scripts(deck, notes))
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


def _warning(deck: Deck, card: Card, message: str, hint: str) -> Problem:
    return Problem(deck.path, card.line or None, card.note_id, message, hint, Severity.WARNING)


def _true_false_balance(deck: Deck, notes: list[list[Card]]) -> Iterable[Problem]:
    statements = [cards[0] for cards in notes if cards[0].kind is Kind.TRUEFALSE]
    if len(statements) < TRUE_FALSE_MIN:
        return
    true = sum(card.answer == "true" for card in statements)
    share = true / len(statements)
    low, high = TRUE_SHARE
    if low <= share <= high:
        return
    most, word, other = (true, "true", "false") if share > high else (len(statements) - true, "false", "true")
    yield _warning(
        deck,
        statements[0],
        f"{most} of the {len(statements)} true/false cards are {word}: answering {word!r} every time "
        f"scores {round(100 * most / len(statements))} %",
        f"make {round(100 * low)}-{round(100 * high)} % of them {other}, e.g. by rewriting some "
        f"statements as {other} ones (not as absolute strawmen)",
    )


def _reused_distractors(deck: Deck, notes: list[list[Card]]) -> Iterable[Problem]:
    wrong: dict[str, list[Card]] = {}
    spelled: dict[str, str] = {}
    right: set[str] = set()
    for cards in notes:
        card = cards[0]
        if card.kind not in (Kind.CHOICE, Kind.MULTI):
            continue
        for choice in card.choices:
            key = _normal(choice) or choice
            if choice in card.accept:
                right.add(key)
            else:
                wrong.setdefault(key, []).append(card)
                spelled.setdefault(key, choice)
    for key, cards in wrong.items():
        if len(cards) >= REUSED_DISTRACTOR and key not in right:
            others = ", ".join(f"{c.note_id} (line {c.line})" for c in cards[1:])
            yield _warning(
                deck,
                cards[0],
                f"the distractor {spelled[key]!r} is offered on {len(cards)} cards (also {others}) and is "
                "never the right answer: a learner soon rules it out",
                "vary the distractors, or make it the right answer of a card",
            )


def _tags_by_case(deck: Deck, notes: list[list[Card]]) -> Iterable[Problem]:
    spellings: dict[str, dict[str, list[Card]]] = {}
    for cards in notes:
        for tag in cards[0].tags:
            spellings.setdefault(tag.casefold(), {}).setdefault(tag, []).append(cards[0])
    for forms in spellings.values():
        if len(forms) < 2:
            continue
        common = max(forms, key=lambda tag: len(forms[tag]))
        for tag, cards in forms.items():
            if tag != common:
                yield _warning(
                    deck,
                    cards[0],
                    f"tag {tag!r} differs from {common!r} only by case ({len(cards)} card"
                    f"{'s' if len(cards) != 1 else ''} against {len(forms[common])})",
                    f"spell it {common!r} everywhere: tags are matched exactly",
                )


def _reverse_asks_a_question(deck: Deck, notes: list[list[Card]]) -> Iterable[Problem]:
    questions: dict[str, Card] = {}
    for cards in notes:
        key = _normal(cards[0].prompt)
        if key:
            questions.setdefault(key, cards[0])
    for cards in notes:
        for card in cards[1:]:
            if not card.id.endswith(".rev"):
                continue
            other = questions.get(_normal(card.prompt))
            if other is not None and other.note_id != card.note_id:
                yield _warning(
                    deck,
                    card,
                    f"its reverse side asks {card.prompt!r}, the question of card {other.note_id} "
                    f"(line {other.line})",
                    "drop reverse = true, or reword one of them: learners would meet the same prompt twice",
                )


def _giveaway_answer(answer: str) -> str:
    """The answer, normalised, if it is distinctive enough to be a giveaway: two words or more
    (as written: "9/11" is one), or a number (of two digits or more: a lone digit turns up
    anywhere)."""
    normal = _normal(answer)
    if (len(answer.split()) >= 2 and normal) or (normal.isdigit() and len(normal) >= 2):
        return normal
    return ""


def _giveaways(deck: Deck, notes: list[list[Card]]) -> Iterable[Problem]:
    answers: dict[str, list[tuple[Card, str]]] = {}
    lengths: set[int] = set()
    for cards in notes:
        if cards[0].kind in (Kind.TRUEFALSE, Kind.ORDER):
            continue
        for card in cards:
            # The answer as the deck gives it (each right one of a multi), not every accepted form.
            for answer in card.accept if card.kind is Kind.MULTI else (card.answer,):
                normal = _giveaway_answer(answer)
                if normal:
                    answers.setdefault(normal, []).append((card, answer))
                    lengths.add(len(normal.split()))
    sizes = sorted(lengths, reverse=True)
    for cards in notes:
        card = cards[0]
        # An explanation that repeats the card's own answer gives away nothing the learner has not
        # just been shown, even when another card shares that answer.
        own = {_normal(answer) for c in cards for answer in c.accept or (c.answer,)}
        for field, text in (("question", card.prompt), ("explanation", card.explain)):
            words = _normal(text).split()
            # A question that is another card's whole answer is that card's reverse side asked
            # twice: _reverse_asks_a_question says so.
            skip = {" ".join(words)} if field == "question" else own
            found = _answer_in(words, sizes, answers, card.note_id, skip)
            if found is not None:
                other, answer = found
                yield _warning(
                    deck,
                    card,
                    f"its {field} gives away the answer of card {other.note_id} (line {other.line}): "
                    f"{answer!r}",
                    f"reword the {field}, or ask card {other.note_id} another way",
                )


def _answer_in(
    words: list[str], sizes: list[int], answers: dict[str, list[tuple[Card, str]]], own: str, skip: set[str]
) -> tuple[Card, str] | None:
    """The first card of another note (and its answer) whose answer is a run of these words,
    longest answers first."""
    for size in sizes:
        for start in range(len(words) - size + 1):
            gram = " ".join(words[start : start + size])
            for other, answer in answers.get(gram, ()) if gram not in skip else ():
                if other.note_id != own:
                    return other, answer
    return None


LOOK_ALIKE_SCRIPTS = ("CYRILLIC", "GREEK", "LATIN")
"""Scripts with letters that look the same (Cyrillic а, Greek ο, Latin a, o): an id or tag mixing
them is probably a slip of the keyboard, and would not match the one it looks like."""


def _scripts(text: str) -> list[str]:
    if text.isascii():
        return []
    found = {unicodedata.name(c, "").partition(" ")[0] for c in text if c.isalpha()}
    return sorted(found.intersection(LOOK_ALIKE_SCRIPTS))


def _mixed_scripts(deck: Deck, notes: list[list[Card]]) -> Iterable[Problem]:
    seen_tags: set[str] = set()
    for cards in notes:
        card = cards[0]
        named = [("id", card.note_id)] + [("tag", t) for t in card.tags if t not in seen_tags]
        seen_tags.update(card.tags)
        for what, text in named:
            scripts = _scripts(text)
            if len(scripts) > 1:
                yield _warning(
                    deck,
                    card,
                    f"{what} {text!r} mixes {' and '.join(s.title() for s in scripts)} letters",
                    f"write it in one script: a {scripts[0].title()} letter that looks "
                    f"{scripts[-1].title()} makes a different {what}",
                )
