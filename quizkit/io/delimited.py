"""Spreadsheets: CSV and TSV into card tables (header detected), and card tables out as CSV."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence

from quizkit.core.ids import id_from_text, unique_id
from quizkit.core.text import clean
from quizkit.errors import DeckError, Problem
from quizkit.io import deck_format
from quizkit.io.imported import CSV_HINT, Imported, Table, check_imported, clean_tags, note_table, tag_notes
from quizkit.model import Kind

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


CSV_ORDER = deck_format.CARD_KEY_ORDER
"""CSV columns come in the order keys are written in a deck file."""


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


_NUMBER = re.compile(r"[+-]?\d[\d.,]*")


def delimited_rows(text: str, path: str, delimiter: str, first_line: int = 1) -> list[tuple[int, list[str]]]:
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


def guess_delimiter(text: str, suffix: str) -> str:
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


def cell_lines(cell: str) -> list[str]:
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
    rows = delimited_rows(text.lstrip("\ufeff"), path, delimiter)
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
        card_id = unique_id(base, taken)
        if card_id != base and "id" in table:
            bad(f"id {base!r} is used twice", "give every row its own id")
            continue
        result.cards.append({"id": card_id, **table})
        result.lines[card_id] = line
    result.changed.extend(tag_notes(renamed))
    problems.extend(check_imported(result, path, drop=False))
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
            table[key] = cell_lines(values[key])
    for key in ("reverse", "exact"):
        flag = _flag(text.get(key, ""))
        if flag is None:
            return {}, (f"{key} is {text[key]!r}", f"write {key} as true or false, or leave it empty")
        if flag:
            table[key] = True
    answer = text.get("a", "")
    kind = Kind(declared) if declared else None
    if kind is Kind.MULTI or (kind is None and "choices" in table and len(cell_lines(answer)) > 1):
        table["a"] = cell_lines(values.get("a", ""))
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
    tags = clean_tags(re.split(r"[\s,;]+", text.get("tags", "")), renamed)
    if tags:
        table["tags"] = tags
    if kind is not None:
        table["type"] = kind.value
        table = note_table(kind, table)
    return table, None


def _guard(cell: str) -> str:
    """A cell as deck text can safely be: no control characters, and a quote before a cell a
    spreadsheet would run as a formula (deck text is untrusted)."""
    cell = clean(cell)
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
