"""What every importer returns: card tables read from another tool, and what did not make the trip.

Card tables are the deck file's own shape (`q`, `a`, `choices`, ... as in docs/deck-format.md);
io.deck_write turns them into TOML.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from quizkit.errors import Problem, Severity
from quizkit.io import deck_parse, deck_write
from quizkit.model import Kind

Table = dict[str, Any]
"""One [[cards]] block, as a dict."""


CSV_HINT = (
    'a cell that starts with a quote must end with one, and a quote inside a cell is written twice ("")'
)


@dataclass
class Imported:
    """Cards read from another tool, and what did not make the trip."""

    title: str
    cards: list[Table]
    left_out: list[str] = field(default_factory=list)
    """What could not be carried over: media, unknown note types, fields with no home."""
    changed: list[str] = field(default_factory=list)
    """What was carried over with a change: tags renamed, cloze deletions renumbered."""
    lines: dict[str, int] = field(default_factory=dict)
    """The line (row) each card id came from, for error messages."""


def clean_tag(tag: str) -> str:
    """A quizkit tag from anyone's: Anki's europe::france becomes europe.france; letters of any
    script stay (géographie, 地理), anything else between them becomes '-'."""
    folded = unicodedata.normalize("NFC", tag).replace("::", ".")
    folded = re.sub(r"[^\w.-]+", "-", folded)
    return re.sub(r"-{2,}", "-", folded).strip("-_.")[:100]


def clean_tags(raw: Iterable[str], changed: dict[str, str]) -> list[str]:
    out: list[str] = []
    for tag in raw:
        tag = tag.strip()
        if not tag:
            continue
        clean = clean_tag(tag)
        if clean != tag:
            changed[tag] = clean
        if clean and clean not in out:
            out.append(clean)
    return out


def tag_notes(changed: dict[str, str]) -> list[str]:
    return [
        f"tag {old!r} became {new!r}"
        if new
        else f"tag {old!r} was dropped: it has no letters quizkit tags can use"
        for old, new in sorted(changed.items())
    ]


def note_table(kind: Kind, fields: Table) -> Table:
    """A card table with only the keys that have a value, and `type` only where it cannot be inferred."""
    table = {
        key: value
        for key, value in fields.items()
        if key != "type" and value not in (None, "", []) and (value is not False or key == "a")
    }
    inferred = deck_parse.inferred_kind({k: v for k, v in table.items() if k != "type"})
    if inferred is not kind:
        table["type"] = kind.value
    return table


def short_label(text: str, limit: int = 40) -> str:
    """A short quote of a card's text for lists and messages: ' ("Capital of France?")' or ''."""
    one_line = " ".join(text.split())
    if not one_line:
        return ""
    return f" ({one_line if len(one_line) <= limit else one_line[: limit - 1] + '…'})"


def check_imported(result: Imported, path: str, drop: bool) -> list[Problem]:
    """Load the cards as a deck would be loaded. Errors point at the source's rows; with drop,
    the cards in error are left out (and listed) instead."""
    text = deck_write.dump_deck({"title": "check"}, result.cards)
    _deck, problems = deck_parse.parse_deck(text, path)
    bad: dict[str, list[Problem]] = {}
    for problem in problems:
        if problem.severity is Severity.ERROR:
            bad.setdefault(problem.card or "", []).append(problem)
    if not bad:
        return []
    if not drop:
        return [
            Problem(path, result.lines.get(card, None), None, problem.message, problem.hint)
            for card, found in bad.items()
            for problem in found
        ]
    kept = []
    for table in result.cards:
        found = bad.get(table["id"])
        if found:
            result.left_out.append(f"{_where(result, table)}: {found[0].message}")
        else:
            kept.append(table)
    result.cards = kept
    return []


def _where(result: Imported, table: Table) -> str:
    return f"card {table['id']}{short_label(str(table.get('q') or table.get('cloze') or ''))}"
