"""Where things are in a TOML file (tomllib keeps no positions): the line of each table and key,
and TOML syntax errors turned into problems with a line, a card and a hint."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from msgspec import Struct, field

if TYPE_CHECKING:
    import tomllib
from quizkit.errors import Problem


class _Section(Struct):
    line: int
    keys: dict[str, int] = field(default_factory=dict)
    duplicate: tuple[str, int] | None = None


class _LineMap(Struct):
    """Where each table and key sits in the file: tomllib keeps no positions."""

    deck: _Section | None = None
    cards: list[_Section] = field(default_factory=list)
    tables: dict[str, _Section] = field(default_factory=dict)
    """Every other [table] by its dotted name: an exam file's [exam] and [exam.shown]."""

    def card_line(self, index: int, key: str | None = None) -> int | None:
        if index >= len(self.cards):
            return None
        section = self.cards[index]
        if key is not None and key in section.keys:
            return section.keys[key]
        return section.line

    def deck_line(self, key: str | None = None) -> int | None:
        if self.deck is None:
            return None
        if key is not None and key in self.deck.keys:
            return self.deck.keys[key]
        return self.deck.line


class Positions:
    """Lines of cards and keys, found lazily: a full scan only when a problem needs a key's line.

    Every card needs its own line (the editor jumps there), so [[cards]] headers are found with
    one regular-expression pass; keys are looked up by the full scan, which costs as much as a
    quarter of tomllib's parse on a big deck, only for error messages.
    """

    _CARD_HEADER = re.compile(r"^[ \t]*\[\[[ \t]*cards[ \t]*\]\]", re.MULTILINE)
    # Unanchored, it is searched for as a literal: twice as fast on a big deck.
    _CARD_TABLE = re.compile(r"\[\[[ \t]*cards[ \t]*\]\]")

    def __init__(self, text: str) -> None:
        self.text = text
        self._full: _LineMap | None = None
        self._head: _LineMap | None = None
        self._headers: list[int] | None = None

    def full(self) -> _LineMap:
        if self._full is None:
            self._full = _scan_lines(self.text)
        return self._full

    def headers(self) -> tuple[list[int], list[int]]:
        """Offsets and line numbers of the [[cards]] headers that start a line."""
        text = self.text
        line, last, offsets, lines = 1, 0, [], []
        for match in self._CARD_TABLE.finditer(text):
            start = match.start()
            if text[text.rfind("\n", 0, start) + 1 : start].strip(" \t"):
                continue  # not at the start of its line
            line += text.count("\n", last, start)
            last = start
            offsets.append(start)
            lines.append(line)
        return offsets, lines

    def expect_cards(self, count: int, lines: list[int] | None = None) -> None:
        """Use the fast header lines only if they agree with the parser (a header inside a
        multi-line string would not)."""
        found = lines if lines is not None else self.headers()[1]
        self._headers = found if len(found) == count else [s.line for s in self.full().cards]

    def card_line(self, index: int, key: str | None = None) -> int | None:
        if key is None and self._headers is not None:
            return self._headers[index] if index < len(self._headers) else None
        return self.full().card_line(index, key)

    def deck_line(self, key: str | None = None) -> int | None:
        if self._head is None:
            first = self._CARD_HEADER.search(self.text)
            self._head = _scan_lines(self.text[: first.start()] if first else self.text)
        return self._head.deck_line(key)

    def table_line(self, table: str, key: str | None = None) -> int | None:
        """The line of another [table] (e.g. "exam"), or of one of its keys."""
        section = self.full().tables.get(table)
        if section is None:
            return None
        return section.keys.get(key, section.line) if key is not None else section.line


_TOML_1_1 = re.compile(r"\\[xe]|\{[^}\n]*(?:\n|,[ \t]*\})")
"""What rtoml (TOML 1.1) reads and tomllib (TOML 1.0) refuses: \\x and \\e escapes, inline tables
across lines or with a trailing comma. A text with any of it (or with a \\e in a literal string,
say a formula's \\epsilon) is left to tomllib, so that both always agree on what a deck is."""


def fast_loads(text: str) -> dict[str, Any] | None:
    """The TOML document parsed by rtoml, compiled (six times tomllib's speed on a big deck); None
    when rtoml is missing, refuses it, or it uses what only TOML 1.1 allows: the caller then parses
    with tomllib, whose errors have the positions quizkit's messages need."""
    if _TOML_1_1.search(text):
        return None
    try:
        import rtoml
    except ImportError:  # pragma: no cover - rtoml is a dependency; tomllib alone still works
        return None
    try:
        data = rtoml.loads(text)
    except Exception:  # rtoml.TomlParsingError, or anything: tomllib decides and explains
        return None
    return data if isinstance(data, dict) else None


_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?")


KEY_LINE = re.compile(r"""^\s*(?:"([^"]+)"|'([^']+)'|([A-Za-z0-9_-]+))\s*=""")


def _scan_lines(text: str) -> _LineMap:
    lines = _LineMap()
    current: _Section | None = None
    in_multiline: str | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        if in_multiline is not None:
            if raw.count(in_multiline) % 2 == 1:
                in_multiline = None
            continue
        header = _HEADER.match(raw)
        if header and "=" not in raw.split("]")[0]:
            name = header.group(2).strip().strip("\"'")
            current = _Section(number)
            if header.group(1) == "[[" and name == "cards":
                lines.cards.append(current)
            elif header.group(1) == "[" and name == "deck":
                lines.deck = current
            elif header.group(1) == "[":
                lines.tables.setdefault(name.replace(" ", ""), current)
            continue
        key = KEY_LINE.match(raw)
        if key and current is not None:
            name = key.group(1) or key.group(2) or key.group(3)
            if name in current.keys and current.duplicate is None:
                current.duplicate = (name, number)
            current.keys.setdefault(name, number)
        for quote in ('"""', "'''"):
            if raw.count(quote) % 2 == 1:
                in_multiline = quote
                break
    return lines


_TOML_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)")


_TOML_HINTS = {
    "Invalid value": 'text needs quotes, e.g. a = "Kabul"; lists use [ ]; true/false are unquoted',
    "Invalid statement": "each line should be key = value, a [table] or [[cards]]",
    "Illegal character": 'a string is not closed on its line; close the quote or use """ for several lines',
    "Unclosed array": "a list is missing its closing ]",
    "Cannot overwrite a value": "a key appears twice in the same card or table; remove one",
    "Cannot declare": "a table header repeats; use [[cards]] (two brackets) for every card",
    "Expected '=' after a key": "keys are followed by = and a value",
}


def syntax_problem(path: str, error: tomllib.TOMLDecodeError, text: str) -> Problem:
    message = str(error)
    reason = _TOML_POSITION.sub("", message).replace("(at end of document)", "").strip()
    match = _TOML_POSITION.search(message)
    line: int | None = int(match.group(1)) if match else None
    card: str | None = None
    lines = _scan_lines(text)
    if reason.startswith("Cannot overwrite"):
        for index, section in enumerate(lines.cards):
            if section.duplicate:
                key, line = section.duplicate
                card = f"#{index + 1}"
                reason = f"key '{key}' is given twice"
                break
    if line is None and "end of document" in message:
        line = max(1, text.count("\n") + (0 if text.endswith("\n") else 1))
    if line is not None and card is None:
        for index, section in enumerate(lines.cards):
            if section.line <= line:
                card = f"#{index + 1}"
    hint = next((h for prefix, h in _TOML_HINTS.items() if reason.startswith(prefix)), "")
    column = int(match.group(2)) if match else None
    if line is not None and column is not None:
        told = _in_words(reason, text, line, column)
        if told is not None:
            if reason.startswith("Cannot declare"):
                card = None  # a table header, in no card
            line, reason, hint = told
    return Problem(path, line, card, f"TOML syntax error: {reason}", hint)


_LATEX = re.compile(r"\\[A-Za-z]+\s*[{(\[^_]|\$")
"""A backslash command with an argument, or a formula's dollars: the text is LaTeX."""


def _in_words(reason: str, text: str, line: int, column: int) -> tuple[int, str, str] | None:
    """The common mistakes, told as what to write instead: (line, message, hint), or None.

    tomllib names what it expected where it stopped (`column`, from 1); what came before says why.
    """
    lines = text.splitlines()
    if not 0 < line <= len(lines):
        return None
    row = lines[line - 1]
    at = column - 1
    before = row[:at]
    key = KEY_LINE.match(row)
    name = (key.group(1) or key.group(2) or key.group(3)) if key else "q"
    in_list = not key or "[" in row[key.end() : at]
    if reason.startswith(("Expected newline or end of document", "Unclosed array")) and before[-1:] in "\"'":
        if before and before[-1] == '"':
            where = (
                "put that item in single quotes: " if in_list else f"put the text in single quotes: {name} = "
            )
            return (
                line,
                f'a " inside "..." ends the text early (column {at})',
                f'write \\" for a quote inside the text, or {where}\'..."..."...\'',
            )
        if before:
            where = "that item" if in_list else "the text"
            example = (
                '"...\'..."' if in_list else f"{name} = \"...'...\", or in triple quotes: {name} = '''...'''"
            )
            return (
                line,
                f"an apostrophe inside '...' ends the text early (column {at})",
                f"put {where} in double quotes: {example}",
            )
    if reason.startswith("Unclosed array") and at < len(row) and row[at] not in ",]":
        previous = _previous_token(lines, line, at)
        if previous not in ("", ",", "["):
            opened = next((m for r in reversed(lines[:line]) if (m := KEY_LINE.match(r))), None)
            listed = (opened.group(1) or opened.group(2) or opened.group(3)) if opened else "tags"
            return (
                line,
                f"a comma is missing between two items of the list (column {column})",
                f'separate the items with commas: {listed} = ["...", "..."]',
            )
    if reason.startswith(("Unescaped '\\'", "Invalid hex value")):
        slash = before.rfind("\\")
        if slash == -1:
            return None
        escape = row[slash : slash + 2]
        command = re.match(r"\\[A-Za-z]*", row[slash:])
        message = f'\'{escape}\' is not an escape: inside "..." a backslash starts one, such as \\n or \\"'
        if _LATEX.search(row[slash:]) or "$" in row:
            word = command.group() if command else escape
            return (
                line,
                message,
                "for LaTeX, put the text in single quotes, which keep backslashes: "
                f"{name} = '${word}{{...}}$', or double each backslash: \\{word}",
            )
        path = re.search(r"[A-Za-z]:\\[\w\\-]*", row)
        doubled = path.group().replace("\\", "\\\\") if path else "\\\\"
        return (
            line,
            message,
            f"double the backslash ({doubled}), or put the text in single quotes, which keep backslashes: "
            f"{name} = '...\\...'",
        )
    if reason.startswith("Cannot declare"):
        table = ".".join(re.findall(r"'([^']*)'", reason))
        headers = [
            number
            for number, raw in enumerate(lines, start=1)
            if (header := _HEADER.match(raw)) and header.group(2).strip().strip("\"'") == table
        ]
        first = headers[0] if headers and headers[0] != line else None
        if first is None:
            return None
        hint = (
            "write [[cards]] (two brackets) before every card"
            if table == "cards"
            else f"keep one [{table}] table"
        )
        return (line, f"[{table}] appears twice: line {first} and line {line}", hint)
    return None


def _previous_token(lines: list[str], line: int, at: int) -> str:
    """The last character before (line, at) that is not a space or in a comment."""
    rows = [lines[line - 1][:at], *reversed(lines[: line - 1])]
    for index, row in enumerate(rows):
        if index:  # a whole earlier line: drop its comment (one without quotes in it)
            row = re.sub(r"#[^\"']*$", "", row)
        row = row.rstrip()
        if row:
            return row[-1]
    return ""


def type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return type(value).__name__
