"""Ids: what a valid id is, and every way quizkit makes one from text.

Card ids key a learner's progress, so each function here must keep giving the same id for the
same input: a card without an id (`derived_id`), a row imported from a spreadsheet
(`id_from_text`), an Anki note (`id_from_guid`), a card written with quizkit add (`readable_id`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from quizkit.model import Kind

ID_PATTERN = re.compile(r"[^\W_][\w.-]{0,99}\Z")
"""Deck, card and tag ids: letters and digits of any script (Révolution, élan, 词汇), '-', '_' and
'.', starting with a letter or digit. Nothing else: no space or control character, nothing a file
name, a CSV cell or an Anki tag ('::' nests) would read otherwise. Match it against the NFC form
(`nfc`): a decomposed é is a letter and a combining mark, and the mark is not a letter."""

ID_RULE = "letters, digits, '-', '_' and '.', starting with a letter or digit"
"""ID_PATTERN in words, for messages."""


def nfc(text: str) -> str:
    """An id or a tag in its one normal form, so that é typed on any system keys the same progress."""
    return unicodedata.normalize("NFC", text)


_STOP_WORDS = frozenset(
    "a an the of in on at to is are was were be been what which who whom whose when where why how "
    "did does do for by with and or its it this that these those from as into according article "
    "following true false".split()
)


def readable_id(text: str, taken: Iterable[str] = ()) -> str:
    """A short id from a question's words: "Which river flows through Cairo?" -> river-flows-through-cairo."""
    ascii_text = re.sub(r"\{\{|\}\}|::", " ", _ascii(text))
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
    if stem.isascii() and ID_PATTERN.match(stem):  # ASCII as it always was: the id keys progress
        return stem
    folded = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()  # case kept
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", folded).strip("-_.")[:100] or "deck"


def title_for(stem: str) -> str:
    words = re.sub(r"[-_.]+", " ", stem).strip()
    return words[:1].upper() + words[1:] if words else "My deck"


def id_from_guid(guid: str) -> str:
    """A card id from an Anki note's guid: stable across re-imports, whatever the note says.

    A note quizkit exported carries its quizkit id in its guid (quizkit:DECK:ID) and gets it back.
    """
    own = re.fullmatch(r"quizkit:[^:]*:(.+)", guid)
    if own and ID_PATTERN.match(own.group(1)):
        return own.group(1)
    return "anki-" + _sha1(guid)[:10]


def id_from_text(text: str) -> str:
    """A card id from a question's text: its first four words and six hex digits of its SHA-1.

    The same text always gives the same id, wherever the row is; new text, a new id.
    """
    norm = " ".join(text.split())
    return hashed_id(_ascii(norm), norm)


def derived_id(kind: Kind, prompt: str | None) -> str:
    """The id of a deck card written without one: its prompt's first four words and a hash of its
    kind and prompt (so editing the text gives a new id, which the loader warns about)."""
    text = prompt if prompt else kind.value
    return hashed_id(text, f"{kind}\x1f{text}", empty="card")


def hashed_id(text: str, hashed: str, *, empty: str = "") -> str:
    """The first four words of `text` (lower-case ASCII letters and digits), then six hex digits of
    the SHA-1 of `hashed`; `empty`-digits when `text` has no such words and `empty` is given."""
    words = re.findall(r"[a-z0-9]+", text.lower())[:4]
    digest = _sha1(hashed)[:6]
    if not words and empty:
        return f"{empty}-{digest}"
    return "-".join([*words, digest])


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def _sha1(text: str) -> str:
    import hashlib  # only when an id is made: keep it off the start-up path

    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def unique_id(card_id: str, taken: set[str]) -> str:
    candidate, number = card_id, 2
    while candidate in taken:
        candidate = f"{card_id}-{number}"
        number += 1
    taken.add(candidate)
    return candidate
