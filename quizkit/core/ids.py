"""Writing decks: `quizkit new`, `quizkit add`, and the checks on what cards say.

The loader (decks.py) checks a deck's form. The content checks here look for
cards that are valid but teach badly: the same question twice, a right answer
that stands out by its length, a typed answer too long to type, cloze
deletions that give each other away, a card missing the explanation or tags
the rest of the deck has. They are pure functions returning warnings with the
file, line and card, like the loader's.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import TYPE_CHECKING

from quizkit.io import deck_format

if TYPE_CHECKING:
    pass
import hashlib

_STOP_WORDS = frozenset(
    "a an the of in on at to is are was were be been what which who whom whose when where why how "
    "did does do for by with and or its it this that these those from as into according article "
    "following true false".split()
)


def readable_id(text: str, taken: Iterable[str] = ()) -> str:
    """A short id from a question's words: "Which river flows through Cairo?" -> river-flows-through-cairo."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    ascii_text = re.sub(r"\{\{|\}\}|::", " ", ascii_text)
    words = re.findall(r"[a-z0-9]+", ascii_text)
    kept = [w for w in words if w not in _STOP_WORDS] or words
    base = "-".join(kept[:5])[:60].strip("-") or "card"
    used = set(taken)
    candidate, number = base, 2
    while candidate in used:
        candidate = f"{base}-{number}"
        number += 1
    return candidate


def deck_id_for(stem: str) -> str:
    """A deck id from a file name: kept as it is when valid, else made valid."""
    if deck_format.ID_PATTERN.match(stem):
        return stem
    folded = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", folded).strip("-_.")[:100] or "deck"


def title_for(stem: str) -> str:
    words = re.sub(r"[-_.]+", " ", stem).strip()
    return words[:1].upper() + words[1:] if words else "My deck"


def id_from_guid(guid: str) -> str:
    """A card id from an Anki note's guid: stable across re-imports, whatever the note says.

    A note quizkit exported carries its quizkit id in its guid (quizkit:DECK:ID) and gets it back.
    """
    own = re.fullmatch(r"quizkit:[^:]*:(.+)", guid)
    if own and deck_format.ID_PATTERN.match(own.group(1)):
        return own.group(1)
    return "anki-" + hashlib.sha1(guid.encode("utf-8")).hexdigest()[:10]


def id_from_text(text: str) -> str:
    """A card id from a question's text: its first four words and six hex digits of its SHA-1.

    The same text always gives the same id, wherever the row is; new text, a new id.
    """
    norm = " ".join(text.split())
    folded = unicodedata.normalize("NFKD", norm).encode("ascii", "ignore").decode().lower()
    words = re.findall(r"[a-z0-9]+", folded)[:4]
    return "-".join([*words, hashlib.sha1(norm.encode("utf-8")).hexdigest()[:6]])


def unique_id(card_id: str, taken: set[str]) -> str:
    candidate, number = card_id, 2
    while candidate in taken:
        candidate = f"{card_id}-{number}"
        number += 1
    taken.add(candidate)
    return candidate
