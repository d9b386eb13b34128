"""The deck format's vocabulary: the keys of [deck] and of each kind of card, the words teachers
reach for instead (aliases), and the cloze syntax. docs/deck-format.md describes the same."""

from __future__ import annotations

import re
from collections.abc import Iterable

from quizkit.model import Kind

CLOZE_PATTERN = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)


ANKI_CLOZE_PREFIX = re.compile(r"^c\d+::")


CLOZE_BAR = re.compile(r"(?<!\\)\|")
"""Separates a deletion's alternatives, {{Sharia law|Sharia}}: a bar not written as \\|."""


def formula_spans(text: str) -> list[tuple[int, int]]:
    """Where the LaTeX formulas are, as (start, end): \\( \\), \\[ \\], $$ $$, and $ $ as Pandoc
    reads it (no space just inside the dollars, no digit after the closing one, so "$5 or $6" is
    money). One pass: a hostile "\\(\\(\\(..." costs no more than its length.
    """
    spans: list[tuple[int, int]] = []
    gone: set[str] = set()  # closers that do not occur again: no later opener can use them
    at = 0
    while (found := _OPENER.search(text, at)) is not None:
        start = found.start()
        opener = "$$" if text.startswith("$$", start) else found.group()
        end = -1
        closer = _CLOSERS.get(opener, "")
        if closer and closer not in gone:
            close = text.find(closer, start + len(opener) + (opener == "$$"))  # $$ $$ holds something
            if close == -1:
                gone.add(closer)
            else:
                end = close + len(closer)
        if end == -1 and opener[0] == "$":
            end = _dollar_end(text, start)
        if end == -1:
            at = start + 1
        else:
            spans.append((start, end))
            at = end
    return spans


_OPENER = re.compile(r"\\[(\[]|\$")


_CLOSERS = {"\\(": "\\)", "\\[": "\\]", "$$": "$$"}


def _dollar_end(text: str, start: int) -> int:
    """The end of a $...$ formula opened at `start`, or -1 (its closer is the next "$", or none)."""
    after = start + 1
    if after >= len(text) or text[after].isspace():
        return -1
    close = text.find("$", after)
    if close == -1 or text[close - 1].isspace() or text[close + 1 : close + 2].isdecimal():
        return -1
    return close + 1


def cloze_deletion(body: str) -> tuple[tuple[str, ...], str]:
    """A deletion's text between the braces as (its answers, its hint), each stripped.

    {{Sharia law|Sharia::legal system}} -> (("Sharia law", "Sharia"), "legal system"): the first
    answer is the one shown, the others are accepted too. The hint follows the first "::". A
    bar written \\| is a literal "|" (in the answers and the hint); every other backslash is
    itself. A formula is kept as written, bars and backslashes alike, so |x| and LaTeX's \\|
    inside \\( \\) mean what they meant before deletions had alternatives. Empty answers are
    kept, for the loader to report.
    """
    answers, _, hint = body.partition("::")
    if "|" not in body:  # nearly every deletion: no alternatives, nothing escaped
        return (answers.strip(),), hint.strip()
    return tuple(a.strip() for a in _pieces(answers, split=True)), _pieces(hint, split=False)[0].strip()


def bars_outside_formulas(text: str) -> bool:
    """Whether the text has a "|" that would separate alternatives (one not escaped, not in a formula)."""
    return len(_pieces(text, split=True)) > 1


def _pieces(text: str, split: bool) -> list[str]:
    """The text cut at its separating bars (if `split`), with \\| unescaped outside formulas."""
    pieces = [""]
    last = 0
    for start, end in [*formula_spans(text), (len(text), len(text))]:
        plain = text[last:start]
        cut = CLOZE_BAR.split(plain) if split else [plain]
        pieces[-1] += cut[0].replace("\\|", "|")
        pieces += [piece.replace("\\|", "|") for piece in cut[1:]]
        pieces[-1] += text[start:end]
        last = end
    return pieces


def escape_bars(text: str) -> str:
    """Text whose "|" must stay literal inside a deletion (an imported Anki cloze has none of
    quizkit's alternatives). Formulas are kept as they are: they are read as written."""
    pieces: list[str] = []
    last = 0
    for start, end in formula_spans(text):
        pieces += (text[last:start].replace("|", "\\|"), text[start:end])
        last = end
    return "".join([*pieces, text[last:].replace("|", "\\|")])


TOP_KEYS = ("deck", "cards", "exam")
"""[exam] makes the deck an exam file (quizkit exam-pack; io/exam_pack.py)."""


DECK_KEYS = (
    "id",
    "title",
    "description",
    "source",
    "author",
    "retention",
    "new_per_day",
    "reviews_per_day",
    "max_interval",
    "exam_date",
    "bury_siblings",
    "self_graded",
)


PICTURE_KEYS = ("image", "image_alt", "answer_image", "answer_image_alt")
"""A picture with the question and one with the answer, each a file beside the deck and its alt text."""


COMMON_KEYS = ("id", "type", "tags", "explain", "source", *PICTURE_KEYS)


KIND_KEYS: dict[Kind, tuple[str, ...]] = {
    Kind.BASIC: ("q", "a", "reverse"),
    Kind.TYPED: ("q", "a", "accept", "exact"),
    Kind.CHOICE: ("q", "choices", "a"),
    Kind.MULTI: ("q", "choices", "a"),
    Kind.TRUEFALSE: ("q", "a"),
    Kind.CLOZE: ("cloze", "q"),
    Kind.ORDER: ("q", "order"),
}


CARD_KEYS = tuple(dict.fromkeys(COMMON_KEYS + sum(KIND_KEYS.values(), ())))


CARD_KEY_SET = frozenset(CARD_KEYS)


ALLOWED_KEYS = {kind: frozenset(COMMON_KEYS + keys) for kind, keys in KIND_KEYS.items()}


KIND_HINT = (
    "give q and a for a basic card, add choices for multiple choice, "
    "a = true/false for true/false, cloze = '...{{x}}...' for a cloze, "
    "order = [...] for an order card, or set type = one of " + ", ".join(k.value for k in Kind)
)


# Words teachers reach for, mapped to the key quizkit uses.
ALIASES = {
    "question": "q",
    "front": "q",
    "prompt": "q",
    "answer": "a",
    "answers": "a",
    "back": "a",
    "explanation": "explain",
    "tag": "tags",
    "kind": "type",
    "options": "choices",
    "alternatives": "accept",
    "accepted": "accept",
    "items": "order",
    "text": "cloze",
    "picture": "image",
    "img": "image",
    "alt": "image_alt",
    "answer_picture": "answer_image",
}


def did_you_mean(word: str, options: Iterable[str]) -> str:
    import difflib  # only when something is misspelt

    options = list(options)
    aliases = {alias: key for alias, key in ALIASES.items() if key in options}
    close = difflib.get_close_matches(word.lower(), options + list(aliases), n=1, cutoff=0.6)
    if not close:
        return ""
    return f"did you mean '{aliases.get(close[0], close[0])}'?"


CARD_KEY_ORDER = (
    "id",
    "type",
    "q",
    "a",
    "choices",
    "accept",
    "order",
    "cloze",
    "reverse",
    "exact",
    "image",
    "image_alt",
    "answer_image",
    "answer_image_alt",
    "tags",
    "explain",
    "source",
)
"""The order keys are written in, so every card block reads the same way."""
