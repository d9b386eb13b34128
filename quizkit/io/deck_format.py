"""The deck format's vocabulary: the keys of [deck] and of each kind of card, the words teachers
reach for instead (aliases), and the cloze syntax. docs/deck-format.md describes the same."""

from __future__ import annotations

import re
from collections.abc import Iterable

from quizkit.model import Kind

CLOZE_PATTERN = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)


ANKI_CLOZE_PREFIX = re.compile(r"^c\d+::")


TOP_KEYS = ("deck", "cards")


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


COMMON_KEYS = ("id", "type", "tags", "explain", "source")


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
    "tags",
    "explain",
    "source",
)
"""The order keys are written in, so every card block reads the same way."""
