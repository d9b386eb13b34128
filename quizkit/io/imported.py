"""What every importer returns: card tables read from another tool, and what did not make the trip.

Card tables are the deck file's own shape (`q`, `a`, `choices`, ... as in docs/deck-format.md);
io.deck_write turns them into TOML.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from msgspec import Struct, field

from quizkit.errors import Problem, Severity
from quizkit.io import deck_parse, deck_write
from quizkit.model import Kind

Table = dict[str, Any]
"""One [[cards]] block, as a dict."""


CSV_HINT = (
    'a cell that starts with a quote must end with one, and a quote inside a cell is written twice ("")'
)


class Imported(Struct):
    """Cards read from another tool, and what did not make the trip."""

    title: str
    cards: list[Table]
    left_out: list[str] = field(default_factory=list)
    """What could not be carried over: media, unknown note types, fields with no home."""
    changed: list[str] = field(default_factory=list)
    """What was carried over with a change: tags renamed, cloze deletions renumbered."""
    lines: dict[str, int] = field(default_factory=dict)
    """The line (row) each card id came from, for error messages."""
    decks: dict[str, str] = field(default_factory=dict)
    """The source's deck of each card table (by id), its full path: History::French Revolution."""
    descriptions: dict[str, str] = field(default_factory=dict)
    """Each source deck's description, as text, by its full path."""
    progress: ImportedProgress | None = None
    """The review history and suspended or buried cards (Anki packages only)."""
    losses: dict[str, list[str]] = field(default_factory=dict)
    """Each kind of loss (formatting, media, note types...): every note it touched, for `lose`."""

    skipped: list[str] = field(default_factory=list)
    """Rows left out as bad (`--skip-bad-rows`), each with its line and why."""
    preview: list[str] = field(default_factory=list)
    """How a spreadsheet's columns were read, and its first cards as read."""
    media: dict[str, list[str]] = field(default_factory=dict)
    """The media files each card table uses (Anki packages), by table id: their names in the
    media folder (MediaStage), to be copied there with the deck."""
    sounds: list[str] = field(default_factory=list)
    """The sounds (and videos) copied with the cards, which quizkit names but does not play."""
    unshown: list[str] = field(default_factory=list)
    """The images that are not on their card as a picture (the card text names each), and why."""

    def lose(self, kind: str, example: str) -> None:
        """Note one loss of a kind; `list_losses` lists each kind once, with a count and two examples."""
        self.losses.setdefault(kind, []).append(example)

    def list_losses(self) -> None:
        for kind, examples in self.losses.items():
            shown = "; ".join(examples[:2]) + ("; ..." if len(examples) > 2 else "")
            self.left_out.append(f"{kind}: {len(examples)} ({shown})")
        self.losses.clear()


class ImportedReview(Struct, frozen=True):
    """One answer from another tool's review log, for the card it now belongs to."""

    source_id: int
    """Its id in the source (Anki's revlog id): an answer imported once is never imported again."""
    table_id: str
    """The card table's id (the note)."""
    card_id: str
    """The card's id in the deck: the table's, or with its suffix (.rev, .c2)."""
    at_ms: int
    rating: int
    duration_ms: int | None = None


class ImportedProgress(Struct):
    """What a learner had done with the cards: their answers, oldest first, and their state."""

    reviews: list[ImportedReview] = field(default_factory=list)
    suspended: set[tuple[str, str]] = field(default_factory=set)
    """(table id, card id) of the suspended cards."""
    buried: set[tuple[str, str]] = field(default_factory=set)
    manual: int = 0
    """Manual changes in the log (rescheduled, forgotten): not answers, so not replayed."""


def deck_path_title(path: str) -> str:
    """An Anki deck's full name as a title: History::French Revolution -> History › French Revolution."""
    return " › ".join(part.strip() for part in path.split("::") if part.strip())


def deck_path_tag(path: str) -> str:
    """The tag a card of a subdeck carries when several decks go into one file."""
    return clean_tag(path)


def title_of(decks: Iterable[str]) -> str:
    """The title for cards from these decks: the one deck's full name, or the deepest deck they
    all share, or their names joined with " + "."""
    paths = sorted({d for d in decks if d})
    if not paths:
        return ""
    parts = [p.split("::") for p in paths]
    shared: list[str] = []
    for column in zip(*parts, strict=False):
        if len(set(column)) != 1:
            break
        shared.append(column[0])
    if shared:
        return deck_path_title("::".join(shared))
    return " + ".join(deck_path_title(p) for p in paths)


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
    # Not a file's path ("<...>"): picture files are not looked for, only their paths checked; an
    # import's pictures are checked where they are copied (io/anki_media.py).
    _deck, problems = deck_parse.parse_deck(text, f"<{path}>")
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
