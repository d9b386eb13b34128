"""Checking answers: typed text, choices, selections, order and true/false.

Pure functions of a card and what the learner typed, in the learner's words;
nothing here reads the terminal, the clock or the store.

Typed answers are graded leniently (see `normalize` and `typo_allowance`),
except on a card with ``exact = true``. For choice, multi, order and
true/false cards, call `understood` first: it says what to type when the
input cannot be read, so the caller can ask again instead of grading noise.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from difflib import SequenceMatcher
from enum import StrEnum

from msgspec import Struct

from quizkit.core.choices import choice_letter
from quizkit.model import Card, Kind, Rating


class Verdict(StrEnum):
    """How an answer fared."""

    RIGHT = "right"
    TYPO = "typo"
    """Right, with a small spelling mistake that `Grade.diff` shows."""
    PARTIAL = "partial"
    """Some of it right: part of a multi selection, some places of an order."""
    WRONG = "wrong"


class Edit(StrEnum):
    """One piece of a typo diff, read against the right answer."""

    SAME = "same"
    EXTRA = "extra"
    """Typed, but not in the answer."""
    MISSING = "missing"
    """In the answer, but not typed."""


class Grade(Struct, frozen=True):
    """The outcome of one answer, with what the learner needs to see why."""

    verdict: Verdict
    score: float
    """1.0 right or typo, the fraction earned for partial, 0.0 wrong."""
    expected: str
    """The right answer as the deck shows it."""
    given: str
    """The learner's answer as text for the log: the choice picked rather than its number."""
    matched: str | None = None
    """Typed: the accepted answer that matched (the answer itself or an alternative)."""
    diff: tuple[tuple[Edit, str], ...] = ()
    """Typo: what was typed against the matched answer, in order."""
    positions: tuple[bool, ...] = ()
    """Order: for each place in the right sequence, whether the learner put the right item there."""
    picked_right: tuple[str, ...] = ()
    """Multi: right choices the learner picked."""
    picked_wrong: tuple[str, ...] = ()
    """Multi: choices picked that are not right."""
    missed: tuple[str, ...] = ()
    """Multi: right choices not picked."""

    @property
    def right(self) -> bool:
        return self.verdict in (Verdict.RIGHT, Verdict.TYPO)

    @property
    def proposed_rating(self) -> Rating:
        """Right proposes Good, anything else Again; the learner may change it."""
        return Rating.GOOD if self.right else Rating.AGAIN


# Scripts whose combining marks are accents a learner may leave off. Elsewhere
# (Devanagari vowel signs, Japanese dakuten, Thai vowels) a mark is part of
# the letter and changes the word, so it is kept.
_ACCENTED_SCRIPTS = ("LATIN ", "GREEK ", "CYRILLIC ", "ARABIC ", "HEBREW ")


# Letters that are "a letter with an accent" to a reader but have no Unicode
# decomposition to strip.
_PLAIN_LETTERS = str.maketrans(
    {"ø": "o", "đ": "d", "ð": "d", "ł": "l", "ħ": "h", "ı": "i", "ŧ": "t", "þ": "th", "æ": "ae", "œ": "oe"}
)


# Apostrophes join a word ("Pakistan's", "O'Neill"); so do full stops
# ("U.S."), except between digits, where they separate numbers ("3.14").
_APOSTROPHES = str.maketrans("", "", "'’‘ʼ`´")


_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")


_DECIMAL_POINT = re.compile(r"(?<=\d)\.(?=\d)")


_ARTICLES = frozenset({"the", "a", "an"})


_NUMBER = re.compile(r"\d+")


def _fold(text: str) -> str:
    """Case, accents, compatibility forms and digits folded away; spacing and punctuation kept."""
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
    kept: list[str] = []
    keep_marks = False
    for char in text:
        category = unicodedata.category(char)
        if category.startswith("M"):
            if keep_marks:
                kept.append(char)
            continue
        keep_marks = category.startswith("L") and not unicodedata.name(char, "").startswith(_ACCENTED_SCRIPTS)
        digit = unicodedata.decimal(char, None)
        kept.append(str(digit) if digit is not None else char)
    return unicodedata.normalize("NFC", "".join(kept)).translate(_PLAIN_LETTERS)


def normalize(text: str) -> str:
    """The form in which two typed answers are compared when leniency is on.

    Case (casefold, so "Straße" is "strasse"), accents on Latin, Greek,
    Cyrillic, Arabic and Hebrew letters, compatibility forms and the digits
    of other scripts are folded; apostrophes and full stops inside words are
    dropped, other punctuation separates words; runs of space become one; a
    leading English article ("the", "a", "an") is dropped when more follows.
    Digit groups are kept apart ("9/11" is "9 11") except a thousands comma.
    """
    text = _fold(text.translate(_APOSTROPHES))
    text = _DECIMAL_POINT.sub(" ", _THOUSANDS.sub("", text)).replace(".", "")
    kept: list[str] = []
    for char in text:
        category = unicodedata.category(char)
        if category == "Cf":  # zero-width joiners, soft hyphens: invisible, so never a difference
            continue
        kept.append(" " if char.isspace() or category[0] in "PZC" else char)
    words = "".join(kept).split()
    while len(words) > 1 and words[0] in _ARTICLES:
        del words[0]
    return " ".join(words)


def damerau_levenshtein(a: str, b: str) -> int:
    """Edits (insert, delete, substitute, swap two neighbours) turning `a` into `b`.

    The unrestricted Damerau–Levenshtein distance (Lowrance–Wagner), not the
    optimal string alignment variant: it is a true metric, so "ca" to "abc"
    is 2, where optimal string alignment says 3.
    """
    if a == b:
        return 0
    if not a or not b:
        return len(a) + len(b)
    infinity = len(a) + len(b)
    # d[i + 1][j + 1] is the distance between a[:i] and b[:j]; row and column 0 are sentinels.
    d = [[infinity] * (len(b) + 2) for _ in range(len(a) + 2)]
    for i in range(len(a) + 1):
        d[i + 1][1] = i
    for j in range(len(b) + 1):
        d[1][j + 1] = j
    last_row_of: dict[str, int] = {}
    for i in range(1, len(a) + 1):
        last_match_col = 0
        for j in range(1, len(b) + 1):
            k = last_row_of.get(b[j - 1], 0)
            m = last_match_col
            cost = 1
            if a[i - 1] == b[j - 1]:
                cost = 0
                last_match_col = j
            d[i + 1][j + 1] = min(
                d[i][j] + cost,
                d[i + 1][j] + 1,
                d[i][j + 1] + 1,
                d[k][m] + (i - k - 1) + 1 + (j - m - 1),
            )
        last_row_of[a[i - 1]] = i
    return d[len(a) + 1][len(b) + 1]


def typo_allowance(answer: str) -> int:
    """How many edits a typed answer may be off and still count: one per five letters, at most three.

    Letters are what remain of the normalised answer without spaces and
    digits (digits must match exactly anyway). Up to four letters nothing is
    allowed, because short words have real neighbours one edit away (Iran and
    Iraq, Omar and Oman); beyond three edits a long answer starts to accept a
    different word.
    """
    letters = sum(1 for char in normalize(answer) if not char.isspace() and not char.isdecimal())
    return min(3, letters // 5)


def _typo_distance(given: str, answer: str) -> int | None:
    """The distance between two normalised answers if it is a forgivable typo, else None."""
    allowance = typo_allowance(answer)
    if allowance == 0 or abs(len(given) - len(answer)) > allowance:
        return None
    distance = damerau_levenshtein(given, answer)
    if distance > allowance:
        return None
    given_words, answer_words = given.split(), answer.split()
    # Word by word as well, so a phrase cannot pass with one short word swapped for another.
    if len(given_words) == len(answer_words) and any(
        damerau_levenshtein(g, w) > typo_allowance(w) for g, w in zip(given_words, answer_words, strict=True)
    ):
        return None
    return distance


def _without_article(text: str) -> str:
    words = text.split(" ")
    while len(words) > 1 and words[0].casefold() in _ARTICLES:
        del words[0]
        while len(words) > 1 and not words[0]:
            del words[0]
    return " ".join(words)


def _diff(given: str, answer: str) -> tuple[tuple[Edit, str], ...]:
    """What was typed against the answer, ignoring what leniency ignores."""
    typed = _without_article(unicodedata.normalize("NFC", given.strip()))
    right = _without_article(unicodedata.normalize("NFC", answer.strip()))
    typed_keys = [normalize(char) for char in typed]
    right_keys = [normalize(char) for char in right]
    pieces: list[tuple[Edit, str]] = []

    def add(edit: Edit, text: str) -> None:
        if pieces and pieces[-1][0] is edit:
            pieces[-1] = (edit, pieces[-1][1] + text)
        elif text:
            pieces.append((edit, text))

    matcher = SequenceMatcher(None, typed_keys, right_keys, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            add(Edit.SAME, right[j1:j2])
            continue
        # Spacing and punctuation alone are not mistakes: drop them from the
        # typed side and show the answer's own.
        if any(typed_keys[i1:i2]):
            add(Edit.EXTRA, typed[i1:i2])
        add(Edit.MISSING if any(right_keys[j1:j2]) else Edit.SAME, right[j1:j2])
    return tuple(pieces)


def _grade_typed(card: Card, response: str) -> Grade:
    given = response.strip()
    accepted = tuple(answer for answer in card.accept or (card.answer,) if answer.strip())
    expected = card.answer or (accepted[0] if accepted else "")
    wrong = Grade(Verdict.WRONG, 0.0, expected, given)
    if not given:
        return wrong
    as_typed = unicodedata.normalize("NFC", given)
    if card.exact:
        for answer in accepted:
            if unicodedata.normalize("NFC", answer.strip()) == as_typed:
                return Grade(Verdict.RIGHT, 1.0, expected, given, matched=answer)
        return wrong
    key = normalize(given)
    numbers = _NUMBER.findall(key)
    closest: tuple[int, str] | None = None
    for answer in accepted:
        answer_key = normalize(answer)
        if not answer_key:
            # An answer of punctuation only ("?") has nothing to be lenient about.
            if unicodedata.normalize("NFC", answer.strip()) == as_typed:
                return Grade(Verdict.RIGHT, 1.0, expected, given, matched=answer)
            continue
        if _NUMBER.findall(answer_key) != numbers:
            continue
        if key == answer_key:
            return Grade(Verdict.RIGHT, 1.0, expected, given, matched=answer)
        distance = _typo_distance(key, answer_key)
        if distance is not None and (closest is None or distance < closest[0]):
            closest = (distance, answer)
    if closest is None:
        return wrong
    matched = closest[1]
    return Grade(Verdict.TYPO, 1.0, expected, given, matched=matched, diff=_diff(given, matched))


_SEPARATORS = re.compile(r"[\s,;/&+]+")


_BRACKETS = "()[].:"


_TRUE = frozenset({"t", "true", "y", "yes"})


_FALSE = frozenset({"f", "false", "n", "no"})


def _numbers_typed(response: str, n: int) -> list[int] | None:
    """0-based positions in the order typed, from numbers (1-based) or letters; None if unreadable.

    "1 3", "1,3", "1 and 3", "b)", and, among fewer than ten options, digits
    run together ("13"); among at most 26, letters run together ("ac").
    """
    positions: list[int] = []
    for raw in _SEPARATORS.split(response.strip().casefold()):
        token = raw.strip(_BRACKETS)
        if not token or token == "and":
            continue
        if token.isdecimal():
            values = [int(c) for c in token] if n < 10 and len(token) > 1 else [int(token)]
        elif token.isascii() and token.isalpha() and n <= 26:
            values = [ord(c) - ord("a") + 1 for c in token]
        else:
            return None
        if any(not 1 <= value <= n for value in values):
            return None
        positions.extend(value - 1 for value in values)
    return positions or None


def parse_choice(response: str, n: int) -> int | None:
    """The one option picked by number (1-based) or letter, as a 0-based index among `n` shown."""
    positions = _numbers_typed(response, n)
    return positions[0] if positions is not None and len(positions) == 1 else None


def parse_choices(response: str, n: int) -> tuple[int, ...] | None:
    """The options picked by number or letter, as sorted 0-based indices, each once."""
    positions = _numbers_typed(response, n)
    return tuple(sorted(set(positions))) if positions is not None else None


def parse_order(response: str, n: int) -> tuple[int, ...] | None:
    """The shown items in the sequence typed, as 0-based indices; None unless each of the `n` is given once.

    "3 1 2" says the first in sequence is shown item 3, then item 1, then item 2.
    """
    positions = _numbers_typed(response, n)
    if positions is None or sorted(positions) != list(range(n)):
        return None
    return tuple(positions)


def _named(response: str, options: Sequence[str]) -> int | None:
    """The option whose text the learner typed (normalised), if any."""
    key = normalize(response)
    if not key:
        return None
    return next((i for i, option in enumerate(options) if normalize(option) == key), None)


def _same(text: str, answers: Sequence[str]) -> bool:
    return text in answers or normalize(text) in {normalize(answer) for answer in answers}


def _picked(response: str, options: Sequence[str]) -> tuple[int, ...] | None:
    """A multi selection: one option's text, numbers or letters, or a list of texts split by , or ;."""
    whole = _named(response, options)
    if whole is not None:
        return (whole,)
    by_number = parse_choices(response, len(options))
    if by_number is not None:
        return by_number
    picked: set[int] = set()
    for piece in re.split(r"[,;\n]", response):
        if not piece.strip():
            continue
        named = _named(piece, options)
        found = (named,) if named is not None else parse_choices(piece, len(options))
        if found is None:
            return None
        picked.update(found)
    return tuple(sorted(picked)) or None


def _truth(response: str) -> bool | None:
    key = normalize(response)
    return True if key in _TRUE else False if key in _FALSE else None


def _shown(card: Card, shown: Sequence[str] | None) -> tuple[str, ...]:
    if shown is not None:
        return tuple(shown)
    return card.accept if card.kind is Kind.ORDER else card.choices


def _grade_choice(card: Card, response: str, options: tuple[str, ...]) -> Grade:
    right = card.accept or (card.answer,)
    expected = card.answer or right[0]
    picked = parse_choice(response, len(options))
    if picked is None:
        picked = _named(response, options)
    if picked is None:
        return Grade(Verdict.WRONG, 0.0, expected, response.strip())
    option = options[picked]
    if _same(option, right):
        return Grade(Verdict.RIGHT, 1.0, expected, option)
    return Grade(Verdict.WRONG, 0.0, expected, option)


def _grade_multi(card: Card, response: str, options: tuple[str, ...]) -> Grade:
    right = card.accept
    expected = card.answer or "; ".join(right)
    positions = _picked(response, options)
    if positions is None:
        return Grade(Verdict.WRONG, 0.0, expected, response.strip(), missed=right)
    # Log the picks in the deck's order of choices, so the same answer reads the same however shuffled.
    picked = sorted(
        (options[i] for i in positions),
        key=lambda o: card.choices.index(o) if o in card.choices else len(card.choices),
    )
    picked_right = tuple(answer for answer in right if any(_same(p, (answer,)) for p in picked))
    picked_wrong = tuple(p for p in picked if not _same(p, right))
    missed = tuple(answer for answer in right if answer not in picked_right)
    score = max(0.0, (len(picked_right) - len(picked_wrong)) / len(right)) if right else 0.0
    if right and not picked_wrong and not missed:
        verdict, score = Verdict.RIGHT, 1.0
    else:
        verdict = Verdict.PARTIAL if score > 0 else Verdict.WRONG
    return Grade(
        verdict,
        score,
        expected,
        "; ".join(picked),
        picked_right=picked_right,
        picked_wrong=picked_wrong,
        missed=missed,
    )


def _grade_order(card: Card, response: str, items: tuple[str, ...]) -> Grade:
    right = card.accept
    expected = card.answer or " → ".join(right)
    sequence = parse_order(response, len(items))
    if sequence is None:
        return Grade(Verdict.WRONG, 0.0, expected, response.strip(), positions=(False,) * len(right))
    typed = [items[i] for i in sequence]
    positions = tuple(i < len(typed) and _same(typed[i], (answer,)) for i, answer in enumerate(right))
    places = sum(positions)
    if right and places == len(right) == len(typed):
        verdict, score = Verdict.RIGHT, 1.0
    elif places:
        verdict, score = Verdict.PARTIAL, places / len(right)
    else:
        verdict, score = Verdict.WRONG, 0.0
    return Grade(verdict, score, expected, " → ".join(typed), positions=positions)


def _grade_truefalse(card: Card, response: str) -> Grade:
    expected = card.answer or (card.accept[0] if card.accept else "")
    truth = _truth(response)
    if truth is None:
        return Grade(Verdict.WRONG, 0.0, expected, response.strip())
    given = "true" if truth else "false"
    if normalize(card.accept[0] if card.accept else card.answer) == given:
        return Grade(Verdict.RIGHT, 1.0, expected, given)
    return Grade(Verdict.WRONG, 0.0, expected, given)


def grade(card: Card, response: str, shown: Sequence[str] | None = None) -> Grade:
    """Grade what the learner typed for `card`; never raises.

    `shown` is the card's choices (choice, multi) or items (order) in the
    order they were displayed, so that numbers and letters mean what the
    learner saw; by default the deck's order. Basic and cloze cards, asked
    in a quiz, are graded as typed answers. Input that `understood` rejects
    grades as wrong.
    """
    if card.kind is Kind.CHOICE:
        return _grade_choice(card, response, _shown(card, shown))
    if card.kind is Kind.MULTI:
        return _grade_multi(card, response, _shown(card, shown))
    if card.kind is Kind.ORDER:
        return _grade_order(card, response, _shown(card, shown))
    if card.kind is Kind.TRUEFALSE:
        return _grade_truefalse(card, response)
    return _grade_typed(card, response)


def understood(card: Card, response: str, shown: Sequence[str] | None = None) -> str | None:
    """None if `response` can be graded, else what to type instead, for asking again.

    Any typed text can be graded (an empty answer is a wrong one), so this is
    about choice, multi, order and true/false cards.
    """
    options = _shown(card, shown)
    n = len(options)
    letters = f", a letter from a to {choice_letter(n - 1).lower()}" if 0 < n <= 26 else ""
    if card.kind is Kind.CHOICE:
        by_number, by_text = parse_choice(response, n), _named(response, options)
        if by_number is None and by_text is None:
            return f"type a number from 1 to {n}{letters}, or the choice itself"
        if by_number is not None and by_text is not None and by_number != by_text:
            return (
                f"{response.strip()!r} is both choice {by_number + 1} and the text of choice {by_text + 1}: "
                f"type the letter {choice_letter(by_number).lower()} or {choice_letter(by_text).lower()}"
            )
        return None
    if card.kind is Kind.MULTI:
        if _picked(response, options) is None:
            return f"type the numbers of all the right choices, from 1 to {n}, e.g. 1 3"
        return None
    if card.kind is Kind.ORDER:
        if parse_order(response, n) is None:
            example = " ".join(str(i) for i in range(n, 0, -1))
            return f"type the numbers 1 to {n} in the right order, each once, e.g. {example}"
        return None
    if card.kind is Kind.TRUEFALSE:
        return None if _truth(response) is not None else "type t for true or f for false"
    return None
