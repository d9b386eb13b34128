"""Decks to and from other tools: spreadsheets (CSV, TSV), Anki (its plain-text
notes and its packages), and paper (Markdown and HTML worksheets).

The conversions are pure: text or notes in, card tables out; a deck in, text
out. The `import_deck` and `export_deck` use cases at the end add the thin file
I/O: read the whole input, convert and check everything, and only then write
the output, all at once, so that a bad input writes nothing.

Card tables are the deck file's own shape (`q`, `a`, `choices`, ... as in
docs/deck-format.md); decks.py turns them into TOML.
"""

from __future__ import annotations

import csv
import hashlib
import html
import io
import itertools
import random
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Any

from quizkit import anki, decks, render
from quizkit.errors import DeckError, Problem, UsageError
from quizkit.model import Kind

if TYPE_CHECKING:
    from quizkit.app import Environment

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


# ---------------------------------------------------------------- HTML to text

_BLOCK_TAGS = frozenset(
    "address article aside blockquote dd div dl dt figcaption figure footer h1 h2 h3 h4 h5 h6 "
    "header hr li ol p pre section table tr ul".split()
)
_MEDIA_TAGS = frozenset("img audio video source embed object".split())
_SOUND = re.compile(r"\[sound:([^\]]+)\]")


@dataclass
class _List:
    """An open <ol> or <ul>: how its items are marked, and how many there were."""

    style: str
    """"1", "A" or "a" for <ol type=...>; "-" for <ul>."""
    count: int = 0

    def marker(self) -> str:
        self.count += 1
        if self.style == "-":
            return "- "
        if self.style in ("A", "a"):
            return f"{chr(ord(self.style) + (self.count - 1) % 26)}. "
        return f"{self.count}. "


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.media: list[str] = []
        self.hidden = 0
        self.lists: list[_List] = []

    def newline(self) -> None:
        if self.parts and not self.parts[-1].endswith("\n"):
            self.parts.append("\n")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "head", "title"):
            self.hidden += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag in _BLOCK_TAGS:
            self.newline()
        if tag in _MEDIA_TAGS:
            source = dict(attrs).get("src") or dict(attrs).get("data")
            if source:
                self.media.append(source)
        if tag in ("ol", "ul"):
            self.lists.append(_List((dict(attrs).get("type") or "1") if tag == "ol" else "-"))
        elif tag == "li" and self.lists:
            self.parts.append(self.lists[-1].marker())

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag in ("script", "style", "head", "title"):
            self.hidden -= 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "head", "title"):
            self.hidden = max(0, self.hidden - 1)
        elif tag in _BLOCK_TAGS:
            self.newline()
        if tag in ("ol", "ul") and self.lists:
            self.lists.pop()

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            # In HTML a line break in the source is a space; lines come from <br> and blocks.
            self.parts.append(data.replace("\r", " ").replace("\n", " "))


def html_to_text(markup: str) -> tuple[str, list[str]]:
    """Plain text from an Anki field, and the media (images, sounds) it refers to, which are dropped."""
    sounds = _SOUND.findall(markup)
    parser = _TextParser()
    parser.feed(_SOUND.sub(" ", markup))
    parser.close()
    return _tidy("".join(parser.parts)), [*parser.media, *sounds]


def _tidy(text: str) -> str:
    text = text.replace("\xa0", " ").replace("\u200b", "")
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def plain_field(text: str) -> tuple[str, list[str]]:
    """A field from a text export without HTML: only [sound:...] references to drop."""
    sounds = _SOUND.findall(text)
    return _tidy(_SOUND.sub(" ", text)), sounds


# ---------------------------------------------------------------- tags and ids


def clean_tag(tag: str) -> str:
    """A quizkit tag from anyone's: Anki's europe::france becomes europe.france, accents go."""
    folded = unicodedata.normalize("NFKD", tag).encode("ascii", "ignore").decode().replace("::", ".")
    folded = re.sub(r"[^A-Za-z0-9_.-]+", "-", folded)
    return re.sub(r"-{2,}", "-", folded).strip("-_.")[:100]


def _clean_tags(raw: Iterable[str], changed: dict[str, str]) -> list[str]:
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


def _tag_notes(changed: dict[str, str]) -> list[str]:
    return [
        f"tag {old!r} became {new!r}"
        if new
        else f"tag {old!r} was dropped: it has no letters quizkit tags can use"
        for old, new in sorted(changed.items())
    ]


def id_from_guid(guid: str) -> str:
    """A card id from an Anki note's guid: stable across re-imports, whatever the note says.

    A note quizkit exported carries its quizkit id in its guid (quizkit:DECK:ID) and gets it back.
    """
    own = re.fullmatch(r"quizkit:[^:]*:(.+)", guid)
    if own and decks.ID_PATTERN.match(own.group(1)):
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


def _unique(card_id: str, taken: set[str]) -> str:
    candidate, number = card_id, 2
    while candidate in taken:
        candidate = f"{card_id}-{number}"
        number += 1
    taken.add(candidate)
    return candidate


def _note_table(kind: Kind, fields: Table) -> Table:
    """A card table with only the keys that have a value, and `type` only where it cannot be inferred."""
    table = {
        key: value
        for key, value in fields.items()
        if key != "type" and value not in (None, "", []) and (value is not False or key == "a")
    }
    inferred = decks.inferred_kind({k: v for k, v in table.items() if k != "type"})
    if inferred is not kind:
        table["type"] = kind.value
    return table


def _label(text: str, limit: int = 40) -> str:
    """A short quote of a card's text for lists and messages: ' ("Capital of France?")' or ''."""
    one_line = " ".join(text.split())
    if not one_line:
        return ""
    return f" ({one_line if len(one_line) <= limit else one_line[: limit - 1] + '…'})"


# ---------------------------------------------------------------- cloze


_ANKI_CLOZE = re.compile(r"\{\{c(\d+)::(.*?)\}\}", re.DOTALL)


def cloze_from_anki(text: str) -> tuple[str, bool]:
    """{{c1::Kabul}} in {{c2::1996::year}} -> {{Kabul}} in {{1996::year}}.

    The flag says the note's numbering was not simply 1, 2, 3 in reading order: quizkit
    always asks each deletion on its own, in the order they appear.
    """
    numbers = [int(m.group(1)) for m in _ANKI_CLOZE.finditer(text)]
    converted = _ANKI_CLOZE.sub(lambda m: "{{" + m.group(2) + "}}", text)
    return converted, numbers != list(range(1, len(numbers) + 1))


def cloze_to_anki(text: str) -> str:
    """quizkit's cloze text as Anki HTML: {{Kabul}} in {{1996::y}} -> {{c1::Kabul}} in {{c2::1996::y}}."""
    escaped = _html(text)
    numbers = itertools.count(1)
    return decks.CLOZE_PATTERN.sub(lambda m: f"{{{{c{next(numbers)}::{m.group(1)}}}}}", escaped)


def _html(text: str) -> str:
    return html.escape(text, quote=False).replace("\n", "<br>")


# ---------------------------------------------------------------- CSV and TSV

COLUMNS = {
    "front": "q",
    "question": "q",
    "q": "q",
    "prompt": "q",
    "term": "q",
    "back": "a",
    "answer": "a",
    "a": "a",
    "definition": "a",
    "tags": "tags",
    "tag": "tags",
    "id": "id",
    "type": "type",
    "kind": "type",
    "choices": "choices",
    "options": "choices",
    "accept": "accept",
    "order": "order",
    "cloze": "cloze",
    "reverse": "reverse",
    "exact": "exact",
    "explain": "explain",
    "explanation": "explain",
    "source": "source",
}
"""Column names a header row may use (any case), and the deck key each fills."""
LIST_COLUMNS = ("choices", "accept", "order")
CSV_ORDER = decks.CARD_KEY_ORDER
"""CSV columns come in the order keys are written in a deck file."""
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?\d[\d.,]*")


def _rows(text: str, path: str, delimiter: str, first_line: int = 1) -> list[tuple[int, list[str]]]:
    """The non-empty rows of CSV text, each with the line it starts on."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for cells in reader:
            if any(cell.strip() for cell in cells):
                rows.append((start + first_line - 1, cells))
            start = reader.line_num + 1
    except csv.Error as error:
        # The row that failed starts here: an unclosed quote is found only at the end of the file.
        raise DeckError(
            [Problem(path, start + first_line - 1, None, f"is not valid CSV: {error}", CSV_HINT)]
        ) from None
    return rows


def _guess_delimiter(text: str, suffix: str) -> str:
    if suffix in (".tsv", ".tab"):
        return "\t"
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: first.count(d) for d in (",", "\t", ";")}
    best = max(counts, key=lambda d: counts[d])
    if counts[best] == 0:
        return "\t" if suffix == ".txt" else ","
    return best


def _header(cells: Sequence[str]) -> list[str] | None:
    """The first row is a header when two or more of its cells are column names quizkit knows."""
    names = [cell.strip().lower() for cell in cells]
    return names if sum(name in COLUMNS for name in names) >= 2 else None


def _unguard(cell: str) -> str:
    """Undo the quote export puts before a cell a spreadsheet would run as a formula."""
    return cell[1:] if cell.startswith("'") and cell[1:2] in _FORMULA_START else cell


def _lines(cell: str) -> list[str]:
    return [line.strip() for line in cell.splitlines() if line.strip()]


def _flag(cell: str) -> bool | None:
    value = cell.strip().lower()
    if value in ("", "false", "no", "n", "0"):
        return False
    if value in ("true", "yes", "y", "1", "x"):
        return True
    return None


def read_delimited(text: str, path: str, delimiter: str) -> Imported:
    """Cards from CSV/TSV: front, back and optional tags, or the columns a header row names.

    Every row is checked; any bad row is an error naming its line, and nothing is imported.
    """
    rows = _rows(text.lstrip("\ufeff"), path, delimiter)
    problems: list[Problem] = []
    header = _header(rows[0][1]) if rows else None
    if header is not None:
        unknown = [name for name in header if name and name not in COLUMNS]
        if unknown:
            problems.append(
                Problem(
                    path,
                    rows[0][0],
                    None,
                    f"unknown column {unknown[0]!r} in the header row",
                    "name columns front, back, tags (or id, type, choices, accept, order, cloze, reverse, "
                    "exact, explain, source); see docs/import-export.md",
                )
            )
        rows = rows[1:]
    if not rows:
        problems.append(Problem(path, None, None, "has no cards", "each row is a card: front, back, tags"))
    result = Imported(title="", cards=[])
    taken: set[str] = set()
    renamed: dict[str, str] = {}
    for line, cells in rows:
        cells = [_unguard(cell) for cell in cells]

        def bad(message: str, hint: str, line: int = line) -> None:
            problems.append(Problem(path, line, None, message, hint))

        if header is None:
            if len(cells) < 2:
                bad("row has only one column", "each row needs a front and a back, then optional tags")
                continue
            if any(cell.strip() for cell in cells[3:]):
                bad(
                    f"row has {len(cells)} columns; quizkit reads front, back and tags",
                    "add a header row to name more columns (see docs/import-export.md)",
                )
                continue
            values = {"q": cells[0], "a": cells[1], "tags": cells[2] if len(cells) > 2 else ""}
        else:
            if any(cell.strip() for cell in cells[len(header) :]):
                bad(
                    f"row has {len(cells)} cells but the header names {len(header)} columns",
                    "add the column name",
                )
                continue
            values = {}
            for name, cell in zip(header, cells, strict=False):
                if name in COLUMNS:
                    values[COLUMNS[name]] = cell
        table, message = _row_table(values, renamed)
        if message:
            bad(*message)
            continue
        base = table.get("id") or id_from_text(str(table.get("q") or table.get("cloze") or ""))
        card_id = _unique(base, taken)
        if card_id != base and "id" in table:
            bad(f"id {base!r} is used twice", "give every row its own id")
            continue
        result.cards.append({"id": card_id, **table})
        result.lines[card_id] = line
    result.changed.extend(_tag_notes(renamed))
    problems.extend(_check(result, path, drop=False))
    if problems:
        raise DeckError(sorted(problems, key=lambda p: p.line or 0))
    return result


def _row_table(values: dict[str, str], renamed: dict[str, str]) -> tuple[Table, tuple[str, str] | None]:
    """A card table from a row's cells by deck key, or the reason the row is not a card."""
    text = {key: values.get(key, "").strip() for key in values}
    declared = text.get("type", "").lower()
    if declared and declared not in {k.value for k in Kind}:
        return {}, (f"unknown type {declared!r}", "use one of " + ", ".join(k.value for k in Kind))
    table: Table = {key: text[key] for key in ("id", "q", "cloze", "explain", "source") if text.get(key)}
    for key in LIST_COLUMNS:
        if text.get(key):
            table[key] = _lines(values[key])
    for key in ("reverse", "exact"):
        flag = _flag(text.get(key, ""))
        if flag is None:
            return {}, (f"{key} is {text[key]!r}", f"write {key} as true or false, or leave it empty")
        if flag:
            table[key] = True
    answer = text.get("a", "")
    kind = Kind(declared) if declared else None
    if kind is Kind.MULTI or (kind is None and "choices" in table and len(_lines(answer)) > 1):
        table["a"] = _lines(values.get("a", ""))
        kind = Kind.MULTI
    elif kind is Kind.TRUEFALSE:
        flag = _flag(answer)
        if flag is None or not answer:
            return {}, (f"a true/false card's answer is {answer!r}", "write true or false")
        table["a"] = flag
    elif answer:
        table["a"] = answer
    if not table.get("q") and not table.get("cloze"):
        return {}, ("row has no front (question)", "write the question in the first column")
    if kind is None and not any(k in table for k in ("a", "cloze", "order")):
        return {}, ("row has no back (answer)", "write the answer in the second column")
    tags = _clean_tags(re.split(r"[\s,;]+", text.get("tags", "")), renamed)
    if tags:
        table["tags"] = tags
    if kind is not None:
        table["type"] = kind.value
        table = _note_table(kind, table)
    return table, None


def _check(result: Imported, path: str, drop: bool) -> list[Problem]:
    """Load the cards as a deck would be loaded. Errors point at the source's rows; with drop,
    the cards in error are left out (and listed) instead."""
    text = decks.dump_deck({"title": "check"}, result.cards)
    _deck, problems = decks.parse_deck(text, path)
    bad: dict[str, list[Problem]] = {}
    for problem in problems:
        if problem.severity == "error":
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
    return f"card {table['id']}{_label(str(table.get('q') or table.get('cloze') or ''))}"


# ---------------------------------------------------------------- Anki's "Notes in Plain Text"

_ANKI_SEPARATORS = {"tab": "\t", "comma": ",", "semicolon": ";", "space": " ", "pipe": "|", "colon": ":"}
_ANKI_HEADERS = (
    "separator",
    "html",
    "tags column",
    "guid column",
    "notetype column",
    "deck column",
    "columns",
    "tags",
    "notetype",
    "deck",
)


def is_anki_text(text: str) -> bool:
    first = text.lstrip("\ufeff").split("\n", 1)[0].strip()
    return first.startswith("#") and first[1:].partition(":")[0].strip().lower() in _ANKI_HEADERS


def read_anki_text(text: str, path: str) -> Imported:
    """Cards from Anki's Notes in Plain Text export, with its #separator, #html and #... column lines."""
    lines = text.split("\n")
    directives: dict[str, str] = {}
    skipped = 0
    for raw in lines:
        key, colon, value = raw.lstrip("#").partition(":")
        if not raw.startswith("#") or not colon or key.strip().lower() not in _ANKI_HEADERS:
            break
        directives[key.strip().lower()] = value.strip()
        skipped += 1
    raw_separator = directives.get("separator", "tab")
    separator = _ANKI_SEPARATORS.get(raw_separator.lower(), raw_separator)
    if len(separator) != 1:
        raise DeckError(
            [Problem(path, 1, None, f"unknown #separator {raw_separator!r}", "use Tab, Comma or Semicolon")]
        )
    as_html = directives.get("html", "false").lower() == "true"

    def column(name: str) -> int | None:
        value = directives.get(f"{name} column", "")
        return int(value) - 1 if value.isdigit() and int(value) > 0 else None

    special = {name: column(name) for name in ("tags", "guid", "notetype", "deck")}
    rows = _rows("\n".join(lines[skipped:]), path, separator, first_line=skipped + 1)
    result = Imported(title="", cards=[])
    taken: set[str] = set()
    renamed: dict[str, str] = {}
    decks_seen: Counter[str] = Counter()
    global_tags = directives.get("tags", "").split()
    for line, cells in rows:

        def cell(name: str, cells: list[str] = cells) -> str:
            index = special[name]
            return cells[index] if index is not None and index < len(cells) else ""

        fields = [c for i, c in enumerate(cells) if i not in special.values()]
        texts, media = [], []
        for value in fields:
            text, found = html_to_text(value) if as_html else plain_field(value)
            texts.append(text)
            media.extend(found)
        notetype = cell("notetype") or directives.get("notetype", "")
        deck_name = cell("deck") or directives.get("deck", "")
        if deck_name:
            decks_seen[deck_name] += 1
        guid = cell("guid")
        label = f"line {line}{_label(texts[0] if texts else '')}"
        table, reason, lost = _text_note(notetype, texts)
        if media:
            lost.append(f"{', '.join(media)} (media)")
        if table is None:
            result.left_out.append(f"{label}: {reason}")
            continue
        for item in lost:
            result.left_out.append(f"{label}: left out {item}")
        tags = _clean_tags([*global_tags, *cell("tags").split()], renamed)
        if tags:
            table["tags"] = tags
        base = id_from_guid(guid) if guid else id_from_text(str(table.get("q") or table.get("cloze") or ""))
        card_id = _unique(base, taken)
        if reason:
            result.changed.append(f"{label}: {reason}")
        result.cards.append({"id": card_id, **table})
        result.lines[card_id] = line
    result.changed.extend(_tag_notes(renamed))
    result.title = decks_seen.most_common(1)[0][0] if decks_seen else ""
    _check(result, path, drop=True)
    return result


def _text_note(notetype: str, texts: list[str]) -> tuple[Table | None, str, list[str]]:
    """A card table from a text note's fields, by its note type's name (the text has no templates).

    Returns (table or None, the reason it is None or what changed, what was left out).
    """
    name = notetype.casefold()
    fields = [*texts, "", "", "", "", ""]
    lost: list[str] = []
    if name.startswith("quizkit"):
        model = next((m for m, n in anki.MODEL_NAMES.items() if n.casefold() == name), anki.Model.BASIC)
        named = dict(zip(anki.MODEL_FIELDS[model], fields, strict=False))
        return _from_model(model, named)
    if "cloze" in name or _ANKI_CLOZE.search(fields[0]):
        sentence, renumbered = cloze_from_anki(fields[0])
        if not sentence:
            return None, "its cloze text is empty", lost
        extra = [t for t in texts[2:] if t]
        if extra:
            lost.append(f"{len(extra)} more field(s)")
        table = _note_table(Kind.CLOZE, {"cloze": sentence, "explain": fields[1]})
        return table, _RENUMBERED if renumbered else "", lost
    if not fields[0]:
        return None, "its front is empty once images and sounds are left out", lost
    if not fields[1]:
        return None, "its back is empty once images and sounds are left out", lost
    if re.search(r"type[- ]in|typ(e|ing) the answer", name):
        kind, extra_from = Kind.TYPED, 2
        table = _note_table(kind, {"type": "typed", "q": fields[0], "a": fields[1]})
    else:
        reverse = bool(re.search(r"revers", name)) and ("optional" not in name or bool(fields[2]))
        extra_from = 3 if "optional" in name else 2
        table = _note_table(Kind.BASIC, {"q": fields[0], "a": fields[1], "reverse": reverse})
    extra = [t for t in texts[extra_from:] if t]
    if extra:
        lost.append(f"{len(extra)} more field(s){_label(' / '.join(extra))}")
    return table, "", lost


_RENUMBERED = "its cloze numbers were not 1, 2, 3... in reading order: quizkit asks each deletion on its own"


def _from_model(model: anki.Model, named: dict[str, str]) -> tuple[Table | None, str, list[str]]:
    """A note of one of the note types quizkit writes, back to the card it came from."""
    common = {"explain": named.get("Explain", ""), "source": named.get("Source", "")}
    if model is anki.Model.CLOZE:
        sentence, renumbered = cloze_from_anki(named.get("Text", ""))
        if not sentence:
            return None, "its cloze text is empty", []
        fields: Table = {"cloze": sentence, "q": named.get("Question", ""), **common}
        return _note_table(Kind.CLOZE, fields), _RENUMBERED if renumbered else "", []
    q, a = named.get("Front", ""), named.get("Back", "")
    if not q or not a:
        return None, "its front or back is empty", []
    if model is anki.Model.TYPED:
        fields = {"q": q, "a": a, "accept": _lines(named.get("Accept", "")), **common}
        return _note_table(Kind.TYPED, fields), "", []
    fields = {"q": q, "a": a, "reverse": model is anki.Model.REVERSED, **common}
    return _note_table(Kind.BASIC, fields), "", []


# ---------------------------------------------------------------- Anki packages

_EXPLAIN_FIELDS = frozenset(
    {"explain", "explanation", "extra", "back extra", "notes", "note", "comment", "comments", "remarks"}
)
_SOURCE_FIELDS = frozenset({"source", "sources", "reference", "references"})
_ACCEPT_FIELDS = frozenset({"accept", "also accepted", "alternatives", "accepted answers"})


@dataclass(frozen=True)
class _Plan:
    """How the notes of one Anki note type become quizkit cards, worked out from its templates."""

    kind: Kind
    question: tuple[str, ...]
    answer: str = ""
    cloze: str = ""
    explain: tuple[str, ...] = ()
    source: str = ""
    accept: str = ""
    reverse_ord: int | None = None
    unused_templates: int = 0


def _role(name: str) -> str:
    folded = name.casefold()
    if folded in _EXPLAIN_FIELDS:
        return "explain"
    if folded in _SOURCE_FIELDS:
        return "source"
    if folded in _ACCEPT_FIELDS:
        return "accept"
    return ""


def plan_notetype(notetype: anki.NoteType) -> _Plan | str:
    """Read a note type's card templates to see which field asks and which answers.

    The names of note types are the user's (and translated), so only their structure counts:
    `{{cloze:F}}` makes a cloze, `{{type:F}}` a typed card, a second template showing the
    back field on its front a reversed card. Returns the reason when it fits no quizkit kind.
    """
    if not notetype.templates:
        return "it has no card templates"
    front, back = notetype.templates[0]
    if "image-occlusion" in front:
        return "image occlusion notes are pictures, which quizkit cards cannot show"

    def shown(template: str) -> list[tuple[list[str], str]]:
        return [
            ([f.strip() for f in filters.split(":")], name)
            for filters, name in anki.field_refs(template)
            if name in notetype.fields
        ]

    on_front, on_back = shown(front), shown(back)
    explain_fields = tuple(n for n in notetype.fields if _role(n) == "explain")
    source = next((n for n in notetype.fields if _role(n) == "source"), "")
    accept = next((n for n in notetype.fields if _role(n) == "accept"), "")
    cloze_fields = list(dict.fromkeys(n for filters, n in on_front if "cloze" in filters))
    front_names = list(dict.fromkeys(n for _, n in on_front))
    if notetype.cloze or cloze_fields:
        if len(cloze_fields) != 1:
            return "it is a cloze note type without exactly one {{cloze:...}} field"
        text = cloze_fields[0]
        question = tuple(n for n in front_names if n != text and not _role(n))
        extra = tuple(n for _, n in on_back if n not in front_names and not _role(n))
        return _Plan(Kind.CLOZE, question, cloze=text, explain=(*extra, *explain_fields), source=source)
    typed = [n for filters, n in on_front if "type" in filters]
    question = tuple(n for filters, n in on_front if "type" not in filters and not _role(n))
    question = tuple(dict.fromkeys(question))
    if len(question) != 1:
        shown_names = ", ".join(question) or "none"
        return f"its cards show {len(question)} fields on the front ({shown_names}); a quizkit card asks one"
    if typed:
        return _Plan(
            Kind.TYPED, question, answer=typed[0], explain=explain_fields, source=source, accept=accept
        )
    answers = list(dict.fromkeys(n for _, n in on_back if n not in question and not _role(n)))
    if not answers:
        return "its cards show no answer field on the back"
    reverse_ord = None
    for number, (other_front, _) in enumerate(notetype.templates[1:], start=1):
        names = {n for _, n in shown(other_front) if not _role(n)}
        if names == {answers[0]}:
            reverse_ord = number
            break
    unused = len(notetype.templates) - 1 - (reverse_ord is not None)
    return _Plan(
        Kind.BASIC,
        question,
        answer=answers[0],
        explain=(*answers[1:], *explain_fields),
        source=source,
        reverse_ord=reverse_ord,
        unused_templates=unused,
    )


def from_package(package: anki.Package, path: str) -> Imported:
    """quizkit cards from an Anki package's notes: basic, reversed, cloze and type-in notes.

    Fields become plain text; media are left out and listed; notes of note types that fit
    no quizkit kind are listed with the reason.
    """
    result = Imported(title="", cards=[])
    plans: dict[int, _Plan | str] = {}
    unknown: Counter[tuple[str, str]] = Counter()
    renamed: dict[str, str] = {}
    taken: set[str] = set()
    decks_seen: Counter[str] = Counter()
    warned_templates: set[int] = set()
    for note in package.notes:
        notetype = note.notetype
        plan = plans.get(notetype.id)
        if plan is None:
            plan = plans[notetype.id] = plan_notetype(notetype)
        if isinstance(plan, str):
            unknown[(notetype.name, plan)] += 1
            continue
        if plan.unused_templates and notetype.id not in warned_templates:
            warned_templates.add(notetype.id)
            result.left_out.append(
                f"note type {notetype.name!r}: {plan.unused_templates} of its card types "
                "(only the first, and its reverse, became quizkit cards)"
            )
        media: list[str] = []

        def text(name: str, note: anki.Note = note, media: list[str] = media) -> str:
            value, found = html_to_text(note.field(name))
            media.extend(found)
            return value

        question = "\n".join(t for t in (text(n) for n in plan.question) if t)
        explain = "\n".join(t for t in (text(n) for n in plan.explain) if t)
        cloze = text(plan.cloze) if plan.cloze else ""
        label = f"note {note.id}{_label(cloze or question)}"
        fields: Table = {"explain": explain, "source": text(plan.source) if plan.source else ""}
        reason = ""
        if plan.kind is Kind.CLOZE:
            sentence, renumbered = cloze_from_anki(cloze)
            fields |= {"cloze": sentence, "q": question}
            reason = "its cloze text is empty" if not sentence else ""
            if renumbered:
                result.changed.append(f"{label}: {_RENUMBERED}")
        else:
            answer = text(plan.answer)
            fields |= {"q": question, "a": answer}
            if plan.kind is Kind.TYPED:
                fields["accept"] = _lines(text(plan.accept)) if plan.accept else []
            else:
                fields["reverse"] = plan.reverse_ord is not None and plan.reverse_ord in note.card_ords
            if not question or not answer:
                side = "question" if not question else "answer"
                reason = f"its {side} is empty" + (" once images and sounds are left out" if media else "")
        if reason:
            result.left_out.append(f"{label}: {reason}")
            continue
        if media:
            result.left_out.append(f"{label}: left out {', '.join(dict.fromkeys(media))} (media)")
        table = _note_table(plan.kind, fields)
        tags = _clean_tags(note.tags, renamed)
        if tags:
            table["tags"] = tags
        card_id = _unique(id_from_guid(note.guid), taken)
        result.cards.append({"id": card_id, **table})
        if note.deck:
            decks_seen[note.deck] += 1
    for (name, why), count in sorted(unknown.items()):
        result.left_out.append(f"{count} note{'s' if count != 1 else ''} of type {name!r}: {why}")
    if package.media:
        shown = ", ".join(package.media[:5]) + (", ..." if len(package.media) > 5 else "")
        result.left_out.append(
            f"{len(package.media)} media file(s) in the package ({shown}): quizkit decks are text"
        )
    result.changed.extend(_tag_notes(renamed))
    title = decks_seen.most_common(1)[0][0] if decks_seen else ""
    result.title = title.split("::")[-1] if title else ""
    _check(result, path, drop=True)
    return result


# ---------------------------------------------------------------- export: CSV


def _guard(cell: str) -> str:
    """A quote before a cell a spreadsheet would run as a formula (deck text is untrusted)."""
    if cell.startswith(_FORMULA_START) and not _NUMBER.fullmatch(cell):
        return "'" + cell
    return cell


def to_csv(tables: Sequence[tuple[Kind, Table]]) -> str:
    """One row per card block, one column per deck key (lists one item per line in the cell).

    Columns no card uses are left out; id, type, q and a are always there.
    """
    rows: list[dict[str, str]] = []
    for kind, table in tables:
        row: dict[str, str] = {"type": kind.value}
        for key, value in table.items():
            if key == "type":
                continue
            if isinstance(value, bool):
                row[key] = "true" if value else ("false" if key == "a" else "")
            elif isinstance(value, list):
                row[key] = (" " if key == "tags" else "\n").join(value)
            else:
                row[key] = str(value)
        rows.append(row)
    used = [key for key in CSV_ORDER if key in ("id", "type", "q", "a") or any(row.get(key) for row in rows)]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(used)
    for row in rows:
        writer.writerow([_guard(row.get(key, "")) for key in used])
    return out.getvalue()


# ---------------------------------------------------------------- export: Anki


def to_anki_notes(
    deck_id: str, tables: Sequence[tuple[Kind, Table]]
) -> tuple[list[anki.NewNote], Counter[str]]:
    """Anki notes for the cards: basic, reversed, typed and cloze keep their kind; the rest become
    basic notes with the choices listed. Also returns how many cards of each kind changed kind."""
    notes = []
    flattened: Counter[str] = Counter()
    for kind, table in tables:
        note_id = str(table["id"])
        extras = {
            "Explain": _html(str(table.get("explain", ""))),
            "Source": _html(str(table.get("source", ""))),
        }
        question = _html(str(table.get("q", "")))
        rng = random.Random(f"quizkit:{note_id}")
        if kind is Kind.CLOZE:
            model = anki.Model.CLOZE
            fields = {"Text": cloze_to_anki(str(table["cloze"])), "Question": question}
        elif kind is Kind.TYPED:
            model = anki.Model.TYPED
            accept = "<br>".join(_html(a) for a in table.get("accept", []))
            fields = {"Front": question, "Back": _html(str(table["a"])), "Accept": accept}
        elif kind is Kind.BASIC:
            model = anki.Model.REVERSED if table.get("reverse") else anki.Model.BASIC
            fields = {"Front": question, "Back": _html(str(table["a"]))}
        else:
            model = anki.Model.BASIC
            flattened[kind.value] += 1
            fields = _flattened(kind, table, question, rng)
        notes.append(
            anki.NewNote(
                model, {**fields, **extras}, tuple(table.get("tags", [])), f"quizkit:{deck_id}:{note_id}"
            )
        )
    return notes, flattened


def _flattened(kind: Kind, table: Table, question: str, rng: random.Random) -> dict[str, str]:
    """A choice, multi, true/false or order card as the front and back of a basic note."""
    if kind is Kind.TRUEFALSE:
        return {
            "Front": f"{question}<br><br><i>True or false?</i>",
            "Back": "True" if table["a"] else "False",
        }
    if kind is Kind.ORDER:
        items = list(table["order"])
        shuffled = _shuffled(items, rng)
        front = (
            f"{question}<br><i>Put in order:</i><ul>{''.join(f'<li>{_html(i)}</li>' for i in shuffled)}</ul>"
        )
        return {"Front": front, "Back": f"<ol>{''.join(f'<li>{_html(i)}</li>' for i in items)}</ol>"}
    choices = _shuffled(list(table["choices"]), rng)
    right = table["a"] if isinstance(table["a"], list) else [table["a"]]
    hint = "Select all that apply:" if kind is Kind.MULTI else "Choose one:"
    listed = "".join(f"<li>{_html(c)}</li>" for c in choices)
    letters = [f"{_letter(index)}. {_html(c)}" for index, c in enumerate(choices) if c in right]
    return {"Front": f'{question}<br><i>{hint}</i><ol type="A">{listed}</ol>', "Back": "<br>".join(letters)}


def _shuffled(items: list[str], rng: random.Random) -> list[str]:
    """Items in a new order: never the given one (for two or more), which would give an order away."""
    if len(set(items)) < 2:
        return list(items)
    while True:
        out = list(items)
        rng.shuffle(out)
        if out != items:
            return out


# ---------------------------------------------------------------- export: worksheets


@dataclass(frozen=True)
class Question:
    """One numbered question of a printed worksheet, and its line in the answer key."""

    number: int
    kind: Kind
    prompt: str
    options: tuple[str, ...] = ()
    """Choices (choice, multi) or items to put in order, as printed, lettered A, B, C..."""
    blanks: tuple[str, ...] = ()
    """Cloze: the hint of each gap ("" for none); the gaps are marked in prompt as \\x00N\\x00."""
    answer: tuple[str, ...] = ()
    explain: str = ""
    source: str = ""
    lines: int = 1


_GAP = "\x00"


def worksheet(tables: Sequence[tuple[Kind, Table]], shuffle: bool, seed: int) -> list[Question]:
    """The questions of a worksheet: in deck order, or shuffled with the seed (a variant).

    Choices and order items are always printed shuffled (the seed and the card id decide
    how), so that the deck's own order cannot give an answer away.
    """
    order = list(tables)
    if shuffle:
        random.Random(seed).shuffle(order)
    return [_question(number, kind, table, seed) for number, (kind, table) in enumerate(order, start=1)]


def _question(number: int, kind: Kind, table: Table, seed: int) -> Question:
    rng = random.Random(f"{seed}:{table['id']}")
    explain, source = str(table.get("explain", "")), str(table.get("source", ""))
    q = str(table.get("q", ""))
    options: tuple[str, ...] = ()
    blanks: tuple[str, ...] = ()
    lines = 1
    if kind in (Kind.BASIC, Kind.TYPED):
        answer = str(table["a"])
        also = list(table.get("accept", []))
        key: tuple[str, ...] = (answer, *(["also accepted: " + "; ".join(also)] if also else []))
        lines = max(1, min(4, len(answer) // 45 + 1))
    elif kind in (Kind.CHOICE, Kind.MULTI):
        options = tuple(_shuffled(list(table["choices"]), rng))
        right = table["a"] if isinstance(table["a"], list) else [table["a"]]
        key = tuple(f"{_letter(options.index(r))}. {r}" for r in options if r in right)
    elif kind is Kind.TRUEFALSE:
        key = ("True" if table["a"] else "False",)
    elif kind is Kind.ORDER:
        items = list(table["order"])
        options = tuple(_shuffled(items, rng))
        key = (" → ".join(f"{_letter(options.index(item))} {item}" for item in items),)
    else:
        prompt, blanks, answers = _gaps(str(table["cloze"]))
        key = tuple(f"({n}) {a}" for n, a in enumerate(answers, start=1))
        q = f"{q}\n{prompt}" if q else prompt
    return Question(number, kind, q, options, blanks, key, explain, source, lines)


def _letter(index: int) -> str:
    return chr(65 + index) if index < 26 else str(index + 1)


def _gaps(sentence: str) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    hints, answers = [], []

    def gap(match: re.Match[str]) -> str:
        answer, _, hint = match.group(1).partition("::")
        answers.append(answer.strip())
        hints.append(hint.strip())
        return f"{_GAP}{len(answers)}{_GAP}"

    return decks.CLOZE_PATTERN.sub(gap, sentence), tuple(hints), tuple(answers)


def _how(question: Question) -> str:
    """How to answer, unless the question already says so."""
    how = _HOW.get(question.kind, "")
    if not how or (question.kind is Kind.MULTI and "all that apply" in question.prompt.lower()):
        return ""
    if question.kind is Kind.TRUEFALSE and "true or false" in question.prompt.lower():
        return ""
    return how


_HOW = {
    Kind.CHOICE: "choose one",
    Kind.MULTI: "tick all that apply",
    Kind.TRUEFALSE: "true or false?",
    Kind.ORDER: "number them in order, 1 first",
    Kind.CLOZE: "fill in the gaps",
}


def _fill_gaps(prompt: str, blanks: Sequence[str], gap: Callable[[int, str], str]) -> str:
    """Put each cloze gap, marked \\x00N\\x00 in an already escaped prompt, in its printed form."""
    return re.sub(f"{_GAP}(\\d+){_GAP}", lambda m: gap(int(m.group(1)), blanks[int(m.group(1)) - 1]), prompt)


def _md(text: str, starts_line: bool = False) -> str:
    """Deck text for Markdown, shown as written: the characters Markdown reads as syntax are escaped.

    What makes a list or a heading at the start of a line is escaped on every line but the
    first, and on the first too when the text starts a line of its own.
    """
    escaped = re.sub(r"([\\`*_\[\]<>|~])", r"\\\1", text)
    escaped = re.sub(r"&(?=#?\w+;)", r"\\&", escaped)
    lines = escaped.split("\n")
    for index, line in enumerate(lines):
        if index or starts_line:
            line = re.sub(r"^(\s*)([-+#>=])", r"\1\\\2", line)
            lines[index] = re.sub(r"^(\s*\d+)([.)])", r"\1\\\2", line)
    return "  \n".join(lines)


def to_markdown(title: str, description: str, questions: Sequence[Question], variant: int | None) -> str:
    out = [f"# {_md(title)}", ""]
    if description:
        out += [_md(description, starts_line=True), ""]
    out += ["Name: ______________________ Class: __________ Date: __________", ""]
    if variant is not None:
        out += [f"*Variant {variant}*", ""]
    out += ["## Questions", ""]
    for question in questions:
        prompt = _md(question.prompt)
        prompt = _fill_gaps(
            prompt,
            question.blanks,
            lambda n, hint: f"**({n})** ________" + (f" \\[{_md(hint)}\\]" if hint else ""),
        )
        how = f" *({_how(question)})*" if _how(question) else ""
        out += [f"**{question.number}.** {prompt}{how}", ""]
        if question.kind in (Kind.CHOICE, Kind.MULTI):
            out += [f"- [ ] {_letter(i)}. {_md(option)}" for i, option in enumerate(question.options)] + [""]
        elif question.kind is Kind.ORDER:
            out += [f"- ____ {_letter(i)}. {_md(option)}" for i, option in enumerate(question.options)] + [""]
        elif question.kind is Kind.TRUEFALSE:
            out += ["True ☐   False ☐", ""]
        elif question.kind in (Kind.BASIC, Kind.TYPED):
            out += ["_" * 60 + "  " for _ in range(question.lines)] + [""]
    out += ["---", "", "## Answer key", ""]
    for question in questions:
        answer = "; ".join(_md(a) for a in question.answer)
        line = f"{question.number}. **{answer}**"
        if question.explain:
            line += f" {_md(question.explain)}"
        if question.source:
            line += f" *Source: {_md(question.source)}*"
        out.append(line)
    return "\n".join(out) + "\n"


_CSS = """
@page { margin: 18mm; }
body { font-family: Georgia, "Times New Roman", serif; font-size: 12pt; line-height: 1.45;
       max-width: 46em; margin: 2em auto; padding: 0 1em; color: #000; background: #fff; }
h1 { font-size: 1.6em; margin-bottom: .2em; }
.about { color: #333; margin-top: 0; }
.who { margin: 1.5em 0; white-space: nowrap; }
.who span { display: inline-block; min-width: 12em; border-bottom: 1px solid #000; margin: 0 1.5em 0 .3em; }
.question { break-inside: avoid; page-break-inside: avoid; margin: 1.4em 0; }
.number { font-weight: bold; margin-right: .3em; }
.how { font-style: italic; color: #333; }
.write { border-bottom: 1px solid #555; height: 2.1em; }
.options { list-style: none; padding-left: 1.5em; margin: .5em 0; }
.options li { margin: .3em 0; }
.box { display: inline-block; width: .9em; height: .9em; border: 1px solid #000; margin-right: .5em;
       vertical-align: -0.1em; }
.slot { display: inline-block; width: 2.2em; border-bottom: 1px solid #000; margin-right: .5em; }
.gap { display: inline-block; min-width: 7em; border-bottom: 1px solid #000; }
.hint { color: #444; font-size: .9em; }
.key { break-before: page; page-break-before: always; }
.key ol { padding-left: 2em; }
.key li { margin: .4em 0; break-inside: avoid; }
.explain { color: #222; }
.source { color: #555; font-style: italic; font-size: .9em; }
.variant { color: #555; font-size: .9em; }
"""


def _h(text: str) -> str:
    return html.escape(text, quote=True).replace("\n", "<br>")


def to_html(title: str, description: str, questions: Sequence[Question], variant: int | None) -> str:
    """A single self-contained page that prints cleanly: questions, then the answer key on a new page."""
    out = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_h(title)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        f"<h1>{_h(title)}</h1>",
    ]
    if description:
        out.append(f'<p class="about">{_h(description)}</p>')
    if variant is not None:
        out.append(f'<p class="variant">Variant {variant}</p>')
    out.append('<p class="who">Name:<span></span> Class:<span></span> Date:<span></span></p>')
    for question in questions:
        prompt = _h(question.prompt)
        prompt = _fill_gaps(
            prompt,
            question.blanks,
            lambda n, hint: (
                f'<b>({n})</b> <span class="gap"></span>'
                + (f' <span class="hint">[{_h(hint)}]</span>' if hint else "")
            ),
        )
        how = f' <span class="how">({_how(question)})</span>' if _how(question) else ""
        out.append(
            f'<div class="question"><p><span class="number">{question.number}.</span>{prompt}{how}</p>'
        )
        if question.kind in (Kind.CHOICE, Kind.MULTI):
            out.append('<ul class="options">')
            out += [
                f'<li><span class="box"></span>{_letter(i)}. {_h(option)}</li>'
                for i, option in enumerate(question.options)
            ]
            out.append("</ul>")
        elif question.kind is Kind.ORDER:
            out.append('<ul class="options">')
            out += [
                f'<li><span class="slot"></span>{_letter(i)}. {_h(option)}</li>'
                for i, option in enumerate(question.options)
            ]
            out.append("</ul>")
        elif question.kind is Kind.TRUEFALSE:
            out.append(
                '<p class="options"><span class="box"></span>True &nbsp; <span class="box"></span>False</p>'
            )
        elif question.kind in (Kind.BASIC, Kind.TYPED):
            out += ['<div class="write"></div>'] * question.lines
        out.append("</div>")
    out += ['<section class="key">', "<h2>Answer key</h2>", "<ol>"]
    for question in questions:
        item = f'<li value="{question.number}"><b>{"; ".join(_h(a) for a in question.answer)}</b>'
        if question.explain:
            item += f' <span class="explain">{_h(question.explain)}</span>'
        if question.source:
            item += f' <span class="source">Source: {_h(question.source)}</span>'
        out.append(item + "</li>")
    out += ["</ol>", "</section>", "</body>", "</html>"]
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------- the use cases

FORMATS = ("apkg", "csv", "md", "html")
_SPREADSHEETS = (".xlsx", ".xls", ".ods", ".numbers")


def read_source(path: Path) -> Imported:
    """Read a file to import, whatever it is: .apkg, Anki's text export, CSV or TSV."""
    name = str(path)
    if path.suffix.lower() in _SPREADSHEETS:
        raise UsageError(f"{path} is a spreadsheet; save it as CSV (UTF-8) and import that")
    try:
        if path.is_dir():
            raise UsageError(f"{path} is a folder; give the file to import")
        data = path.read_bytes()
    except FileNotFoundError:
        raise DeckError([Problem(name, None, None, "no such file", "check the path")]) from None
    except OSError as error:
        raise DeckError([Problem(name, None, None, f"cannot be read: {error.strerror}")]) from None
    if path.suffix.lower() in (".apkg", ".colpkg") or data[:4] == b"PK\x03\x04":
        return from_package(anki.read_package(data, name), name)
    text = _decode(data, name)
    if is_anki_text(text):
        return read_anki_text(text.lstrip("\ufeff"), name)
    return read_delimited(text, name, _guess_delimiter(text, path.suffix.lower()))


def _decode(data: bytes, path: str) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    elif b"\x00" not in data[:8192]:
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            line = data[: error.start].count(b"\n") + 1
            raise DeckError(
                [
                    Problem(
                        path,
                        line,
                        None,
                        f"is not UTF-8 text (byte 0x{data[error.start]:02x})",
                        "save it as UTF-8 (in Excel: Save As, 'CSV UTF-8'); quizkit does not guess encodings",
                    )
                ]
            ) from None
    raise DeckError(
        [
            Problem(
                path,
                None,
                None,
                "is not a text file, nor an Anki package",
                "import CSV, TSV, Anki text or .apkg",
            )
        ]
    )


def import_deck(
    env: Environment, source: Path, out: Path, title: str | None = None, force: bool = False
) -> int:
    """Read another tool's file into a new deck file; everything is checked before anything is written."""
    if out.suffix != ".toml":
        raise UsageError(f"-o {out}: deck files end in .toml; try -o {out.with_suffix('.toml')}")
    if out.exists() and not force:
        raise UsageError(
            f"{out} already exists; add --force to replace it "
            "(card ids are stable, so the progress on cards that are still there is kept)"
        )
    if not out.parent.is_dir():
        raise UsageError(f"{out.parent} is not a folder; create it first")
    imported = read_source(source)
    if not imported.cards:
        for item in imported.left_out:
            env.stderr.print(render.plain(f"  not carried over: {item}"), soft_wrap=True)
        raise DeckError(
            [Problem(str(source), None, None, "has no cards quizkit can import", "see the list above")]
        )
    from quizkit.authoring import deck_id_for, title_for

    meta = {"id": deck_id_for(out.stem), "title": (title or imported.title or title_for(source.stem)).strip()}
    header = (
        f"Imported from {source.name} by quizkit import.\n"
        "Card ids come from the source (see docs/import-export.md): keep them, and\n"
        "re-importing an updated file keeps the learners' progress."
    )
    text = decks.dump_deck(meta, imported.cards, header=header)
    deck, problems = decks.parse_deck(text, str(out), default_id=out.stem)
    errors = [p for p in problems if p.severity == "error"]
    if errors or deck is None:
        raise DeckError(errors)
    decks.write_atomic(out, text.encode("utf-8"))
    kinds = render.counts(Counter(card.kind.value for card in deck.cards))
    say = env.stdout.print
    say(
        render.plain(
            f"imported {len(imported.cards)} card blocks ({len(deck.cards)} cards: {kinds}) into {out}"
        ),
        soft_wrap=True,
    )
    _listing(env, "not carried over", imported.left_out)
    _listing(env, "changed on the way", imported.changed)
    say(render.plain(f"next: quizkit validate {out}   quizkit show {out}"), soft_wrap=True)
    return 0


def _listing(env: Environment, heading: str, items: Sequence[str], limit: int = 30) -> None:
    if not items:
        return
    env.stdout.print(render.plain(f"{heading} ({len(items)}):"), soft_wrap=True)
    for item in items[:limit]:
        env.stdout.print(render.plain(f"  - {item}"), soft_wrap=True)
    if len(items) > limit:
        env.stdout.print(render.plain(f"  ... and {len(items) - limit} more"), soft_wrap=True)


def export_deck(
    env: Environment,
    deck_path: Path,
    fmt: str | None,
    out: Path | None,
    *,
    shuffle: bool = False,
    seed: int = 0,
    tags: Sequence[str] = (),
) -> int:
    """Write a deck as an Anki package, a CSV file, or a printable worksheet (Markdown, HTML)."""
    if fmt is None:
        if out is None:
            raise UsageError(
                "say what to export to: --to apkg, csv, md or html (or -o FILE with that extension)"
            )
        fmt = out.suffix.lower().lstrip(".")
    fmt = fmt.lower()
    if fmt not in FORMATS:
        raise UsageError(f"cannot export to {fmt!r}; use --to apkg, csv, md or html")
    out = out or deck_path.with_suffix(f".{fmt}")
    if out.suffix.lower() == ".toml" or out.resolve() == deck_path.resolve():
        raise UsageError(f"-o {out} would overwrite a deck file; export to a .{fmt} file")
    deck, _meta, tables = decks.load_tables(deck_path)
    if tags:
        tables = [(kind, table) for kind, table in tables if set(tags) & set(table.get("tags", []))]
        if not tables:
            raise UsageError(f"no card in {deck_path} has the tag {', '.join(tags)}")
    note = ""
    if fmt == "csv":
        data = ("\ufeff" + to_csv(tables)).encode("utf-8")
    elif fmt == "apkg":
        notes, flattened = to_anki_notes(deck.id, tables)
        data = anki.write_package(deck.title, deck.description, deck.id, notes, env.clock().timestamp())
        if flattened:
            note = "became basic notes with their choices listed: " + render.counts(flattened)
    else:
        questions = worksheet(tables, shuffle, seed)
        variant = seed if shuffle else None
        render_sheet: Callable[..., str] = to_markdown if fmt == "md" else to_html
        data = render_sheet(deck.title, deck.description, questions, variant).encode("utf-8")
    if not out.parent.is_dir():
        raise UsageError(f"{out.parent} is not a folder; create it first")
    decks.write_atomic(out, data)
    env.stdout.print(
        render.plain(f"exported {len(tables)} card blocks of {deck_path} to {out} ({fmt})"), soft_wrap=True
    )
    if note:
        env.stdout.print(render.plain(f"  {note}"), soft_wrap=True)
    return 0
