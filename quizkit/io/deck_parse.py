"""Deck files: TOML in, validated model out.

Every problem found is reported with the file, the line and the card, and says how to fix it. The
loader collects all problems instead of stopping at the first, so a teacher fixes a deck in one
pass. It never raises for bad input: problems are returned.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

from quizkit.core.ids import ID_PATTERN, ID_RULE, derived_id, nfc
from quizkit.core.settings import FIRST_YEAR, LAST_YEAR, MAX_INTERVAL_DAYS, MAX_PER_DAY
from quizkit.errors import DeckError, Problem, Severity
from quizkit.io.deck_format import (
    ALLOWED_KEYS,
    ANKI_CLOZE_PREFIX,
    CARD_KEY_SET,
    CARD_KEYS,
    CLOZE_PATTERN,
    COMMON_KEYS,
    DECK_KEYS,
    KIND_HINT,
    KIND_KEYS,
    TOP_KEYS,
    bars_outside_formulas,
    cloze_deletion,
    did_you_mean,
)
from quizkit.io.disk import decode, read_text
from quizkit.io.toml_text import Positions, fast_loads, syntax_problem, type_name
from quizkit.model import Card, Deck, DeckSettings, Kind, Picture, SelfGraded


def parse_valid(source: str | bytes, path: str = "<deck>", default_id: str = "deck") -> Deck:
    """Parse deck text into a deck, or raise DeckError with every error (warnings are dropped)."""
    return valid_deck(*parse_deck(source, path, default_id))


def valid_deck(deck: Deck | None, problems: list[Problem]) -> Deck:
    """The deck, if there is one and no problem is an error; else DeckError with every error."""
    errors = [p for p in problems if p.severity is Severity.ERROR]
    if errors or deck is None:
        raise DeckError(errors)
    return deck


def check_deck(path: Path | str, files: bool = False) -> tuple[Deck | None, list[Problem]]:
    """Load a deck and return it (None if it has errors) with every problem found.

    With `files` (quizkit validate), each picture's file is checked too: that it exists inside the
    deck's folder, its size and its header. Studying does not: a picture removed since is said in
    words on its card, and the rest of the deck is studied as before.
    """
    path = Path(path)
    try:
        text = read_text(path)
    except DeckError as error:
        return None, error.problems
    return parse_deck(text, str(path), default_id=path.stem, files=files)


def parse_deck(
    source: str | bytes, path: str = "<deck>", default_id: str = "deck", files: bool = False
) -> tuple[Deck | None, list[Problem]]:
    """Parse deck text. Never raises for bad input: problems are returned. `files`: see check_deck."""
    import tomllib

    if isinstance(source, bytes):
        try:
            source = decode(source, path, utf16=True)
        except DeckError as error:
            return None, error.problems
    if not source.strip():
        return None, [
            Problem(path, None, None, "is empty", "a deck needs a [deck] table with a title and [[cards]]")
        ]
    if len(source) >= CHUNKED_FROM:
        chunked = _parse_in_chunks(source, path, default_id, files=files)
        if chunked is not None:
            return chunked
    try:
        data = fast_loads(source) or tomllib.loads(source)
    except tomllib.TOMLDecodeError as error:
        return None, [syntax_problem(path, error, source)]
    except RecursionError:
        return None, [too_deep(path)]
    deck, problems = _Builder(path, Positions(source), default_id, files).build(data)
    return deck, sorted(problems, key=lambda p: p.line or 0)


def too_deep(path: str) -> Problem:
    """The problem with a TOML file whose arrays or inline tables nest past what tomllib can read."""
    return Problem(
        path,
        None,
        None,
        "is nested too deeply: arrays or inline tables inside one another hundreds of levels deep",
        "a deck needs no nesting: write each card as a [[cards]] table of plain keys",
    )


MAX_DELETIONS = 50
"""Cloze deletions in one card. Each deletion is a card whose prompt is the whole text, so a card's
cost grows with deletions x length; 50 is several times a dense paragraph, and beyond it the
text reads better as several cards."""

MAX_FIELD_CHARS = 10_000
"""Characters in one field (a question, an answer, a choice...): about three printed pages, far
beyond any card a learner reads at a glance, and small enough that drawing a card stays instant."""


CHUNKED_FROM = 2 * 1024 * 1024
"""Decks this large are parsed a few hundred cards at a time (see _parse_in_chunks)."""


def stream_deck(
    source: str, path: str, default_id: str, sink: Callable[[list[Card]], None]
) -> tuple[Deck, list[Problem]] | None:
    """A big deck's cards handed to `sink` a chunk at a time and not kept (the deck cache writes
    them as they come: a first launch never holds the whole deck's cards), and the deck without
    its cards. None whenever _parse_in_chunks would be: the caller then parses the usual way, and
    throws away what `sink` was given."""
    return _parse_in_chunks(source, path, default_id, sink=sink)


def _parse_in_chunks(
    source: str,
    path: str,
    default_id: str,
    per_chunk: int = 500,
    files: bool = False,
    sink: Callable[[list[Card]], None] | None = None,
) -> tuple[Deck, list[Problem]] | None:
    """Parse a big, valid deck in slices cut at its [[cards]] headers, building each slice's cards
    before parsing the next, so tomllib's tree of the whole file never exists at once (it is
    four times the file's size). None when anything is unusual, a header inside a multi-line
    string, a table declared twice, any error in the deck: the whole-file parse then decides
    and reports, with the usual messages.
    """
    import tomllib

    positions = Positions(source)
    offsets, lines = positions.headers()
    if not offsets:
        return None
    try:
        head = source[: offsets[0]]
        root = fast_loads(head) if head.strip() else {}
        root = root if root is not None else tomllib.loads(head)
    except tomllib.TOMLDecodeError:
        return None
    if "cards" in root or (sink is not None and "exam" in root):
        return None  # an exam file's [exam] is checked against every card: not streamed
    positions.expect_cards(len(offsets), lines)
    builder = _Builder(path, positions, default_id, files)
    seen: dict[str, int | None] = {}
    cards: list[Card] = []
    for first in range(0, len(offsets), per_chunk):
        last = first + per_chunk
        try:
            chunk = source[offsets[first] : offsets[last] if last < len(offsets) else len(source)]
            data = fast_loads(chunk) or tomllib.loads(chunk)
        except (tomllib.TOMLDecodeError, RecursionError):
            return None
        tables = data.pop("cards", None)
        if not isinstance(tables, list) or len(tables) != len(offsets[first:last]):
            return None
        for key, value in data.items():  # a table after the cards, such as [deck] at the end
            if key in root:
                return None
            root[key] = value
        builder.add_cards(enumerate(tables, start=first), seen, cards)
        if any(p.severity is Severity.ERROR for p in builder.problems):
            return None
        if sink is not None:
            sink(cards)
            cards = []
    deck, problems = builder.finish(root, cards)
    if deck is None:
        return None
    return deck, sorted(problems, key=lambda p: p.line or 0)


_LOST_BACKSLASH = re.compile(
    r"[\b\f][A-Za-z]|\t(?:heta|au|imes|ext|ilde)\b|\r(?:ho|ight)\b|\n(?:u|eq|abla|eg|ot)\b"
)
"""What is left of \\frac, \\beta, \\theta, \\nu, \\right... in a "..." string, where TOML read \\f,
\\b, \\t, \\n and \\r as escapes. Tabs and newlines are kept in prose: only the rest of a LaTeX
command after one counts."""

_ESCAPE_IN_SOURCE = re.compile(r"\\[bftnr]")
"""An escape that can lose a LaTeX backslash: a file with none has no lost backslash to find."""

_ESCAPES = {"\b": "\\b", "\f": "\\f", "\t": "\\t", "\r": "\\r", "\n": "\\n"}


_Part = tuple[str, str, str, tuple[str, ...], tuple[str, ...], bool]
"""One card of a [[cards]] table before its id is known: suffix, prompt, answer, accept, choices, exact."""


_Err = Callable[..., None]
"""Reports a problem on the card being built: err(key or None, message, hint)."""


class _Fields:
    """One card table's values, each checked as it is read; a problem is reported at its key."""

    __slots__ = ("err", "escapes", "kind", "table", "warn")

    def __init__(
        self, table: dict[str, Any], kind: Kind, err: _Err, warn: _Err, escapes: bool = True
    ) -> None:
        self.table = table
        self.kind = kind
        self.err = err
        self.warn = warn
        self.escapes = escapes
        """Whether the file has a \\b, \\f, \\t, \\n or \\r escape anywhere: without one, no
        backslash can have been lost (see lost_backslash)."""

    def text(self, key: str, required: bool = True) -> str:
        value = self.table.get(key)
        if value is None:
            if required:
                self.err(None, f"{self.kind.value} card is missing '{key}'", f'add {key} = "..."')
            return ""
        if not isinstance(value, str):
            hint = f'put it in quotes: {key} = "..."'
            self.err(key, f"'{key}' must be text, not {type_name(value)}", hint)
            return ""
        if required and not value.strip():
            self.err(key, f"'{key}' is empty", f"write the {key} text")
        if len(value) > MAX_FIELD_CHARS:
            self.too_long(key, len(value))
        if self.escapes:
            self.lost_backslash(key, value)
        return value.strip()

    def lost_backslash(self, key: str, value: str) -> None:
        """A LaTeX command whose backslash TOML read as an escape: "\frac" is a form feed and "rac".

        A warning, not an error: the character may be meant (a deck written from an import keeps
        what it was given), and the card still loads."""
        lost = _LOST_BACKSLASH.search(value)
        if lost is not None:
            escape = _ESCAPES[lost.group()[0]]
            self.warn(
                key,
                f"'{key}' has a control character where LaTeX was meant: in \"...\", {escape} is an escape",
                f"put the text in single quotes, which keep backslashes: {key} = '...{escape}...', "
                f"or write \\{escape}",
            )

    def too_long(self, key: str, length: int) -> None:
        self.err(
            key,
            f"'{key}' is {length:,} characters; a field holds at most {MAX_FIELD_CHARS:,}",
            "shorten it, or split it into several cards",
        )

    def text_list(self, key: str, minimum: int) -> tuple[str, ...]:
        value = self.table.get(key)
        err = self.err
        if value is None:
            if minimum:
                err(None, f"{self.kind.value} card is missing '{key}'", f'add {key} = ["...", "..."]')
            return ()
        if not isinstance(value, list) or not all(type(v) is str for v in value):
            err(key, f"'{key}' must be a list of text", f'write {key} = ["...", "..."]')
            return ()
        items = tuple(map(str.strip, value))
        if self.escapes:
            for item in value:
                self.lost_backslash(key, item)
        longest = max(map(len, value), default=0)
        if longest > MAX_FIELD_CHARS:
            self.too_long(key, longest)
        if "" in items:
            err(key, f"'{key}' has an empty entry", "remove the empty string")
        if len(items) < minimum:
            need = "at least two items" if minimum == 2 else f"at least {minimum} item"
            err(key, f"'{key}' needs {need}, it has {len(items)}", f"add more to {key}")
        dupes = sorted({v for v in items if items.count(v) > 1}) if len(set(items)) < len(items) else ()
        if dupes:
            err(
                key,
                f"'{key}' lists {', '.join(repr(d) for d in dupes)} more than once",
                "remove the duplicate",
            )
        return items

    def flag(self, key: str) -> bool:
        value = self.table.get(key, False)
        if not isinstance(value, bool):
            self.err(key, f"'{key}' must be true or false", f"write {key} = true, without quotes")
            return False
        return value


# Each kind's cards from its checked fields: (id suffix, prompt, answer, accept, choices, exact).


def _basic(fields: _Fields, err: _Err) -> list[_Part]:
    q, a = fields.text("q"), fields.text("a")
    built: list[_Part] = [("", q, a, (a,), (), False)]
    if fields.flag("reverse"):
        built.append((".rev", a, q, (q,), (), False))
    return built


def _typed(fields: _Fields, err: _Err) -> list[_Part]:
    q, a = fields.text("q"), fields.text("a")
    accept = fields.text_list("accept", 0)
    return [("", q, a, (a, *accept), (), fields.flag("exact"))]


def _choice(fields: _Fields, err: _Err) -> list[_Part]:
    q = fields.text("q")
    choices = fields.text_list("choices", 2)
    if fields.kind is Kind.CHOICE:
        a = fields.text("a")
        right: tuple[str, ...] = (a,)
    else:
        right = fields.text_list("a", 1)
        a = "; ".join(right)
    missing = [r for r in right if r and choices and r not in choices]
    if missing:
        close = did_you_mean(missing[0], choices)
        err(
            "a",
            f"answer {missing[0]!r} is not among the choices",
            close or "copy the answer exactly from choices",
        )
    return [("", q, a, right, choices, False)]


def _truefalse(fields: _Fields, err: _Err) -> list[_Part]:
    q = fields.text("q")
    value = fields.table.get("a")
    if not isinstance(value, bool):
        err("a", "a true/false card needs a = true or a = false", "write it without quotes")
        value = False
    truth = "true" if value else "false"
    return [("", q, truth, (truth,), (), False)]


def _order(fields: _Fields, err: _Err) -> list[_Part]:
    q = fields.text("q")
    items = fields.text_list("order", 2)
    return [("", q, " → ".join(items), items, (), False)]


_PARTS: dict[Kind, Callable[[_Fields, _Err], list[_Part]]] = {
    Kind.BASIC: _basic,
    Kind.TYPED: _typed,
    Kind.CHOICE: _choice,
    Kind.MULTI: _choice,
    Kind.TRUEFALSE: _truefalse,
    Kind.ORDER: _order,
}
"""Every kind but cloze, which _Builder.cloze splits into one card per deletion."""


class _Builder:
    """Turns parsed TOML into a Deck, collecting problems as it goes."""

    def __init__(self, path: str, lines: Positions, default_id: str, files: bool = False) -> None:
        self.path = path
        self.lines = lines
        self.default_id = default_id
        self.problems: list[Problem] = []
        self.good_tags: set[str] = set()
        self.tag_lists: dict[tuple[Any, ...], tuple[str, ...]] = {}
        """Each list of tags met without a problem, as read: the next card with it takes it as it is."""
        """Tags already checked: a big deck repeats a few dozen tags thousands of times."""
        self.folder = Path(path).parent if files and not path.startswith("<") else None
        """Where the deck's pictures are, when their files are checked (see check_deck)."""
        self.escapes = _ESCAPE_IN_SOURCE.search(lines.text) is not None
        self.checked_pictures: dict[str, tuple[str, str] | None] = {}
        """Each picture file's problem (message, hint), or None: a file named twice is read once."""

    def error(self, line: int | None, card: str | None, message: str, hint: str = "") -> None:
        self.problems.append(Problem(self.path, line, card, message, hint))

    def warn(self, line: int | None, card: str | None, message: str, hint: str = "") -> None:
        self.problems.append(Problem(self.path, line, card, message, hint, Severity.WARNING))

    # -- the deck table

    def top_level(self, data: dict[str, Any]) -> dict[str, Any]:
        """Check the top-level keys and the [deck] table; its fields, checked."""
        for key in data:
            if key not in TOP_KEYS:
                self.error(
                    None,
                    None,
                    f"unknown top-level key '{key}'",
                    did_you_mean(key, TOP_KEYS) or "a deck has a [deck] table and [[cards]] blocks",
                )
        meta = data.get("deck")
        if meta is None:
            self.error(1, None, "missing the [deck] table", 'start the file with [deck] and title = "..."')
        elif not isinstance(meta, dict):
            self.error(
                None, None, "'deck' must be a table", 'write [deck] on its own line, then title = "..."'
            )
        deck_fields = self.deck_fields(meta) if isinstance(meta, dict) else {}
        return deck_fields

    def build(self, data: dict[str, Any]) -> tuple[Deck | None, list[Problem]]:
        return self.finish(data, self.cards(data.get("cards")))

    def finish(self, data: dict[str, Any], cards: list[Card]) -> tuple[Deck | None, list[Problem]]:
        """The deck from its top-level tables and its (already built) cards."""
        deck_fields = self.top_level(data)
        if "exam" in data and not any(p.severity is Severity.ERROR for p in self.problems):
            from quizkit.io.exam_table import exam_settings  # an exam file (quizkit exam-pack)

            deck_id = deck_fields.get("id") or self.default_id
            self.problems += exam_settings(data["exam"], cards, deck_id, self.lines, self.path)[1]
        if any(p.severity is Severity.ERROR for p in self.problems):
            return None, self.problems
        settings = DeckSettings(
            retention=deck_fields.get("retention"),
            new_per_day=deck_fields.get("new_per_day"),
            reviews_per_day=deck_fields.get("reviews_per_day"),
            max_interval=deck_fields.get("max_interval"),
            exam_date=deck_fields.get("exam_date"),
            bury_siblings=deck_fields.get("bury_siblings"),
            self_graded=deck_fields.get("self_graded"),
        )
        deck = Deck(
            id=deck_fields.get("id") or self.default_id,
            title=deck_fields.get("title", ""),
            path=self.path,
            cards=tuple(cards),
            description=deck_fields.get("description", ""),
            source=deck_fields.get("source", ""),
            author=deck_fields.get("author", ""),
            settings=settings,
        )
        return deck, self.problems

    def deck_fields(self, meta: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in meta.items():
            line = self.lines.deck_line(key)
            if key not in DECK_KEYS:
                self.error(line, None, f"unknown key '{key}' in [deck]", did_you_mean(key, DECK_KEYS))
                continue
            if key in ("id", "title", "description", "source", "author"):
                if not isinstance(value, str):
                    self.error(line, None, f"[deck] {key} must be text", f'write {key} = "..."')
                elif key in ("id", "title") and not value.strip():
                    self.error(line, None, f"[deck] {key} is empty", f"give the deck a {key}")
                elif key == "id" and not ID_PATTERN.match(nfc(value.strip())):
                    self.error(line, None, f"[deck] id {value!r} is not a valid id", f"use {ID_RULE}")
                else:
                    out[key] = nfc(value.strip()) if key == "id" else value.strip()
            elif key == "retention":
                if isinstance(value, bool) or not isinstance(value, int | float) or not 0.7 <= value <= 0.99:
                    self.error(
                        line,
                        None,
                        "[deck] retention must be a number from 0.70 to 0.99",
                        "e.g. retention = 0.9",
                    )
                else:
                    out[key] = float(value)
            elif key in ("new_per_day", "reviews_per_day", "max_interval"):
                low = 1 if key == "max_interval" else 0
                high = MAX_INTERVAL_DAYS if key == "max_interval" else MAX_PER_DAY
                if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                    self.error(
                        line,
                        None,
                        f"[deck] {key} must be a whole number from {low} to {high}",
                        f"e.g. {key} = 20",
                    )
                else:
                    out[key] = value
            elif key == "bury_siblings":
                if not isinstance(value, bool):
                    self.error(
                        line,
                        None,
                        "[deck] bury_siblings must be true or false",
                        "write bury_siblings = false, without quotes",
                    )
                else:
                    out[key] = value
            elif key == "self_graded":
                if value not in tuple(SelfGraded):
                    self.error(
                        line,
                        None,
                        "[deck] self_graded is ask, choice or skip",
                        'how a mock exam asks basic cards, e.g. self_graded = "choice"',
                    )
                else:
                    out[key] = SelfGraded(value)
            elif key == "exam_date":
                if not isinstance(value, date) or hasattr(value, "hour"):
                    self.error(
                        line,
                        None,
                        "[deck] exam_date must be a date",
                        "write it unquoted: exam_date = 2026-12-15",
                    )
                elif not FIRST_YEAR <= value.year < LAST_YEAR:
                    self.error(
                        line,
                        None,
                        f"[deck] exam_date {value} is not a date from {FIRST_YEAR} to {LAST_YEAR - 1}",
                        "write the real date of the exam, e.g. exam_date = 2026-12-15",
                    )
                else:
                    out[key] = value
        if "title" not in meta:
            self.error(self.lines.deck_line(), None, "[deck] has no title", 'add title = "..."')
        return out

    # -- the cards

    def cards(self, raw: Any) -> list[Card]:
        if raw is None:
            self.warn(None, None, "deck has no cards", "add [[cards]] blocks; see docs/deck-format.md")
            return []
        if not isinstance(raw, list) or not all(isinstance(c, dict) for c in raw):
            self.error(
                None, None, "'cards' must be a list of tables", "write each card under its own [[cards]] line"
            )
            return []
        self.lines.expect_cards(len(raw))
        cards: list[Card] = []
        self.add_cards(enumerate(raw), {}, cards, release=raw)
        return cards

    def add_cards(
        self,
        tables: Iterable[tuple[int, dict[str, Any]]],
        seen: dict[str, int | None],
        cards: list[Card],
        release: list[Any] | None = None,
    ) -> None:
        """Build the cards of each (position, table), checking ids against those seen so far."""
        for index, table in tables:
            if release is not None:
                release[index] = None  # the parsed table is garbage once its cards exist
            for card in self.card(index, table):
                line = card.line
                if card.id in seen:
                    first = seen[card.id]
                    self.error(
                        line,
                        card.id,
                        f"duplicate card id '{card.id}'",
                        f"it is already used at line {first}; every card needs its own id",
                    )
                else:
                    seen[card.id] = line
                    cards.append(card)

    def card(self, index: int, table: dict[str, Any]) -> Iterator[Card]:
        """The cards of one [[cards]] table (two for a reversed card, one per cloze deletion)."""
        line = self.lines.card_line(index)
        raw_id = table.get("id")
        if isinstance(raw_id, str):
            raw_id = nfc(raw_id)
        if raw_id is not None and (not isinstance(raw_id, str) or not ID_PATTERN.match(raw_id)):
            self.error(
                self.lines.card_line(index, "id"),
                f"#{index + 1}",
                f"id {raw_id!r} is not a valid card id",
                f'use {ID_RULE}, e.g. id = "kabul-1996"',
            )
            return
        label = raw_id if raw_id is not None else f"#{index + 1}"
        errors_before = len(self.problems)

        def err(key: str | None, message: str, hint: str = "") -> None:
            self.error(self.lines.card_line(index, key) if key else line, label, message, hint)

        def warn(key: str | None, message: str, hint: str = "") -> None:
            self.warn(self.lines.card_line(index, key) if key else line, label, message, hint)

        self.unknown_keys(table, err)
        kind = self.kind(table, err)
        if kind is None:
            return
        self.foreign_keys(table, kind, err)
        self.test_wise(table, kind, warn)
        fields = _Fields(table, kind, err, warn, self.escapes)
        tags = self.tags(fields, err)
        explain = fields.text("explain", required=False)
        source = fields.text("source", required=False)
        image = self.picture(fields, "image", err, warn) if "image" in table or "image_alt" in table else None
        answer_image = (
            self.picture(fields, "answer_image", err, warn)
            if "answer_image" in table or "answer_image_alt" in table
            else None
        )
        built = (
            self.cloze(fields.text("cloze"), fields.text("q", required=False), err, warn)
            if kind is Kind.CLOZE
            else (_PARTS[kind](fields, err))
        )
        if any(p.severity is Severity.ERROR for p in self.problems[errors_before:]):
            return
        note_id = raw_id if raw_id is not None else derived_id(kind, built[0][1] if built else None)
        if raw_id is None:
            self.warn(
                line,
                f"#{index + 1}",
                f"has no id; using '{note_id}'",
                f'add id = "{note_id}" (or a readable one): '
                "without an id, editing the text resets its progress",
            )
        for suffix, prompt, answer, accept, choices, exact in built:
            pictures = (answer_image, image) if suffix == ".rev" else (image, answer_image)
            yield Card(
                note_id + suffix,
                kind,
                prompt,
                answer,
                accept,
                choices,
                exact,
                tags,
                explain,
                source,
                line or 0,
                note_id,
                *pictures,
            )

    def picture(self, fields: _Fields, key: str, err: _Err, warn: _Err) -> Picture | None:
        """The card's picture under `key` (image or answer_image) and its alt text, checked: the
        path as written, then (for a deck that is a file) the file itself, its size and header."""
        from quizkit.io.pictures import written_problem

        file = fields.text(key, required=False)
        alt = fields.text(f"{key}_alt", required=False)
        if key not in fields.table:
            err(
                f"{key}_alt", f"'{key}_alt' has no {key} to describe", f'add {key} = "file.png", or remove it'
            )
            return None
        if not file:
            if isinstance(fields.table[key], str):
                err(key, f"'{key}' is empty", f'write the image file\'s path, e.g. {key} = "maps/map.png"')
            return None
        problem = written_problem(file)
        if problem is None and self.folder is not None:
            if file not in self.checked_pictures:
                from quizkit.io.pictures import problem as picture_problem

                self.checked_pictures[file] = picture_problem(self.folder, file)
            problem = self.checked_pictures[file]
        if problem is not None:
            message, hint = problem
            err(key, message if message.startswith(("image", "'")) else f"'{key}' {message}", hint)
            return None
        if not alt:
            warn(
                key,
                f"'{key}' has no alt text: line mode and screen readers will say only its file name",
                f'add {key}_alt = "..." saying what it shows, e.g. "map of the Durand Line"',
            )
        return Picture(file, alt)

    # Set checks first: a well-formed card (nearly all of a big deck) skips the key loops.

    @staticmethod
    def unknown_keys(table: dict[str, Any], err: _Err) -> None:
        for key in () if CARD_KEY_SET.issuperset(table) else table:
            if key not in CARD_KEYS:
                err(
                    key,
                    f"unknown key '{key}'",
                    did_you_mean(key, CARD_KEYS) or "see docs/deck-format.md for the keys",
                )

    @staticmethod
    def foreign_keys(table: dict[str, Any], kind: Kind, err: _Err) -> None:
        """Keys that belong on another kind of card."""
        for key in () if ALLOWED_KEYS[kind].issuperset(table) else table:
            if key in CARD_KEYS and key not in COMMON_KEYS and key not in KIND_KEYS[kind]:
                err(
                    key,
                    f"'{key}' does not belong on a {kind.value} card",
                    f"{kind.value} cards take: {', '.join(KIND_KEYS[kind])}",
                )

    @staticmethod
    def test_wise(table: dict[str, Any], kind: Kind, warn: _Err) -> None:
        """Slips that still make a valid card, but not the one meant (or one that gives itself away)."""
        answer = table.get("a")
        if (
            kind in (Kind.BASIC, Kind.TYPED)
            and "type" not in table
            and isinstance(answer, str)
            and answer.strip().lower() in ("true", "false")
        ):
            word = answer.strip().lower()
            warn(
                "a",
                f'a = "{answer}" is in quotes, so this is a {kind.value} card whose answer is '
                f"the word {word!r}",
                f"for a true/false statement write a = {word}, without quotes "
                f'(or type = "{kind.value}" if the word is meant)',
            )
        if kind in (Kind.CHOICE, Kind.MULTI):
            for key in ("choices", "a"):
                value = table.get(key)
                items = value if isinstance(value, list) else [value]
                for item in items:
                    if isinstance(item, str) and item.strip() and item != item.strip():
                        side = "leading" if item[0].isspace() else "trailing"
                        warn(
                            key,
                            f"{'choice' if key == 'choices' else 'answer'} {item!r} has a {side} space",
                            "remove it: quizkit ignores it, but a file made from the deck (CSV, Anki) "
                            "may keep it, and a choice that looks different gives itself away",
                        )

    def tags(self, fields: _Fields, err: _Err) -> tuple[str, ...]:
        raw = fields.table.get("tags")
        key = tuple(raw) if type(raw) is list and all(type(tag) is str for tag in raw) else None
        if key is not None and (known := self.tag_lists.get(key)) is not None:
            return known  # a list of tags met before, already checked (a big deck has a few dozen)
        errors_before = len(self.problems)
        tags = tuple(map(nfc, fields.text_list("tags", 0)))
        bad_tags = [t for t in tags if t not in self.good_tags and not ID_PATTERN.match(t)]
        if bad_tags:
            shown = ", ".join(map(repr, bad_tags))
            err(
                "tags",
                f"tag {shown} is not a valid tag"
                if len(bad_tags) == 1
                else f"tags {shown} are not valid tags",
                f"tags are single words: {ID_RULE}",
            )
        else:
            self.good_tags.update(tags)
            if key is not None and len(self.problems) == errors_before and len(self.tag_lists) < 10_000:
                self.tag_lists[key] = tags
        return tags

    def kind(self, table: dict[str, Any], err: Any) -> Kind | None:
        declared = table.get("type")
        if declared is not None:
            if not isinstance(declared, str) or declared not in Kind.__members__.values():
                options = [k.value for k in Kind]
                hint = did_you_mean(str(declared), options) or "use one of " + ", ".join(options)
                err("type", f"unknown card type {declared!r}", hint)
                return None
            return Kind(declared)
        answer = table.get("a")
        if "cloze" in table:
            return Kind.CLOZE
        if "order" in table:
            return Kind.ORDER
        if "choices" in table:
            return Kind.MULTI if isinstance(answer, list) else Kind.CHOICE
        if isinstance(answer, bool):
            return Kind.TRUEFALSE
        if "accept" in table or "exact" in table:
            return Kind.TYPED
        if "q" in table and "a" in table:
            return Kind.BASIC
        if "q" in table:
            err(None, "has a question but no answer", 'add a = "..." (or choices, order, cloze)')
        elif "a" in table:
            err(None, "has an answer but no question", 'add q = "..."')
        else:
            err(None, "cannot tell what kind of card this is", KIND_HINT)
        return None

    def cloze(self, sentence: str, instruction: str, err: _Err, warn: _Err) -> list[_Part]:
        if not sentence:
            return []
        deletions = list(CLOZE_PATTERN.finditer(sentence))
        if len(deletions) > MAX_DELETIONS:
            err(
                "cloze",
                f"cloze has {len(deletions)} cloze deletions; a card holds at most {MAX_DELETIONS}",
                "split the text into several cloze cards (each deletion becomes a card of the whole text)",
            )
            return []
        if len(sentence) > MAX_FIELD_CHARS:
            return []  # reported by _Fields.text
        if any("{{" in match.group(1) for match in deletions):
            err(
                "cloze", "nested cloze is not supported", "write the deletions one after another: {{a}} {{b}}"
            )
            return []
        leftover = CLOZE_PATTERN.sub("", sentence)
        if "{{" in leftover or "}}" in leftover:
            err("cloze", "cloze has an unclosed '{{' or a stray '}}'", "each deletion is written {{answer}}")
            return []
        if not deletions:
            err("cloze", "cloze has no deletions", "wrap the words to hide in double braces: {{1996}}")
            return []
        parts: list[tuple[tuple[str, ...], str]] = []
        for match in deletions:
            body = match.group(1)
            if ANKI_CLOZE_PREFIX.match(body):
                err(
                    "cloze",
                    f"'{{{{{body}}}}}' uses Anki's c1:: numbering",
                    "write just {{answer}}: quizkit numbers deletions in order",
                )
                return []
            if ANKI_CLOZE_PREFIX.match(body.lower()):
                warn(
                    "cloze",
                    f"'{{{{{body}}}}}' looks like Anki's c1:: numbering: it is read as the answer "
                    f"{body.partition('::')[0]!r} with a hint",
                    "write just {{answer}}: quizkit numbers deletions in order",
                )
            answers, hint = cloze_deletion(body)
            if answers == ("",):
                err("cloze", "cloze has an empty deletion {{}}", "put the hidden words inside the braces")
                return []
            if "|" in body and not _alternatives_checked(body, answers, hint, err, warn):
                return []
            parts.append((answers, hint))
        # The text with every answer filled in, once, and where each answer sits in it: each
        # card's prompt is then two slices and its gap, linear in the text.
        pieces: list[str] = []
        spans: list[tuple[int, int]] = []
        last = size = 0
        for match, (answers, _) in zip(deletions, parts, strict=True):
            answer = answers[0]
            before = sentence[last : match.start()]
            pieces += (before, answer)
            size += len(before)
            spans.append((size, size + len(answer)))
            size += len(answer)
            last = match.end()
        pieces.append(sentence[last:])
        filled = "".join(pieces)
        lead = f"{instruction}\n" if instruction else ""
        cards: list[_Part] = []
        for number, ((answers, hint), (start, end)) in enumerate(zip(parts, spans, strict=True), start=1):
            gap = f"[{hint}]" if hint else "[...]"
            prompt = f"{lead}{filled[:start]}{gap}{filled[end:]}"
            cards.append((f".c{number}", prompt, answers[0], answers, (), False))
        return cards


def _alternatives_checked(body: str, answers: tuple[str, ...], hint: str, err: _Err, warn: _Err) -> bool:
    """Whether a deletion's alternatives ({{Sharia law|Sharia}}) are usable; reports what is not."""
    shown = f"'{{{{{body if len(body) <= 60 else body[:57] + '...'}}}}}'"
    literal = 'for a literal "|" write \\| (\\\\| inside "...")'
    if bars_outside_formulas(body.partition("::")[2]):
        warn(
            "cloze",
            f"{shown}: the hint {hint!r} has a '|'; alternatives go before '::'",
            f"write {{{{answer|alternative::hint}}}}; {literal}",
        )
    if len(answers) == 1:
        return True
    if "" in answers:
        err(
            "cloze",
            f"{shown} has an empty alternative: a '|' with nothing on one side",
            f"write the alternatives between bars, {{{{Sharia law|Sharia}}}}; {literal}",
        )
        return False
    dupes = sorted({a for a in answers if answers.count(a) > 1})
    if dupes:
        err("cloze", f"{shown} lists {', '.join(map(repr, dupes))} more than once", "remove the duplicate")
        return False
    from quizkit.core.grading import normalize

    seen: dict[str, str] = {}
    for answer in answers:
        key = normalize(answer) or f"\0{answer}"  # punctuation alone is compared as written
        if key in seen:
            warn(
                "cloze",
                f"{shown}: alternative {answer!r} is already accepted as {seen[key]!r}",
                "remove it: case, accents, punctuation and a leading 'the' are ignored when grading",
            )
        else:
            seen[key] = answer
    return True


def inferred_kind(table: dict[str, Any]) -> Kind | None:
    """The kind the loader gives a card table when it has no `type` (None: it cannot tell)."""
    untyped = {key: value for key, value in table.items() if key != "type"}
    return _Builder("", Positions(""), "").kind(untyped, lambda *_: None)
