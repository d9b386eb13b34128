"""Spreadsheets: CSV, TSV and Quizlet exports into card tables (columns mapped by a header, by
--columns, or front and back), and card tables out as CSV."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Sequence

from msgspec import Struct
from msgspec.structs import replace

from quizkit.core.ids import id_from_text, unique_id
from quizkit.core.text import clean
from quizkit.errors import DeckError, Problem, UsageError
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
    "extra": "explain",
    "back extra": "explain",
    "notes": "explain",
    "source": "source",
}
"""Column names a header row may use (any case), and the deck key each fills."""


LIST_COLUMNS = ("choices", "accept", "order")


CSV_ORDER = deck_format.CARD_KEY_ORDER
"""CSV columns come in the order keys are written in a deck file."""


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


_NUMBER = re.compile(r"[+-]?\d[\d.,]*")


SEPARATORS = {
    "comma": ",",
    "tab": "\t",
    "semicolon": ";",
    "pipe": "|",
    "space": " ",
    "colon": ":",
    "\\t": "\t",
}
"""Names `--sep` takes (as Anki's #separator does), besides any one character."""


SKIP = ("-", "skip", "")
"""What `--columns` takes for a column to leave out."""


_EXAMPLES = 3


_IMAGE_OCCLUSION = re.compile(r"\{\{c\d+::image-occlusion:", re.IGNORECASE)


_LOST_OCCLUSION = "image occlusion notes are pictures, which quizkit cards cannot show"


class Layout(Struct, frozen=True):
    """How to read a delimited file (the options of quizkit import); the defaults guess, as Anki does."""

    sep: str | None = None
    """The separator (one character; for Quizlet, the text between term and definition)."""
    columns: tuple[str, ...] | None = None
    """The deck key of each column by position ("" leaves it out); None: a header row, or q, a."""
    quizlet: bool = False
    """A Quizlet export: no quoting; a line without the separator continues the definition."""
    rows: str | None = None
    """Quizlet's row separator; None: a new line."""
    skip_bad: bool = False
    """Leave out a bad row (and report it) instead of refusing the file."""


GUESS = Layout()
"""Everything guessed: the separator, a header row, or front and back."""


def parse_sep(value: str, quizlet: bool = False) -> str:
    """`--sep`: a name (comma, tab, semicolon, pipe, space, colon), `\\t`, or one character
    (for Quizlet, any text: its custom separators can be longer)."""
    names = {**SEPARATORS, "newline": "\n"} if quizlet else SEPARATORS
    named = names.get(value.lower(), value.replace("\\t", "\t").replace("\\n", "\n"))
    if named and (len(named) == 1 or quizlet):
        return named
    raise UsageError(
        f"--sep {value!r}: give comma, tab, semicolon, pipe, space, colon or one character"
        + ("" if quizlet else " (with --quizlet, any text)")
    )


def parse_columns(value: str) -> tuple[str, ...]:
    """`--columns q,a,explain,-,tags`: each column's deck key by position; `-` leaves one out."""
    keys: list[str] = []
    for raw in value.split(","):
        name = raw.strip().lower()
        if name in SKIP:
            keys.append("")
            continue
        if name not in COLUMNS:
            known = ", ".join(dict.fromkeys(COLUMNS.values()))
            raise UsageError(f"--columns: unknown column {raw.strip()!r}; use {known}, or - to leave one out")
        if COLUMNS[name] in keys:
            raise UsageError(f"--columns: {raw.strip()!r} is given twice")
        keys.append(COLUMNS[name])
    if not any(keys):
        raise UsageError("--columns: name at least the question column, e.g. --columns q,a")
    return tuple(keys)


def delimited_rows(
    text: str,
    path: str,
    delimiter: str,
    first_line: int = 1,
    comments: list[tuple[int, str]] | None = None,
    spaces: bool = False,
) -> list[tuple[int, list[str]]]:
    """The non-empty rows of CSV text, each with the line it starts on.

    With `spaces`, a space after the separator is not part of the cell (`hello, "a, b"` is two
    cells). With a `comments` list, a line that starts with `#` where a row would start is a comment,
    as in Anki, and goes in the list with its number; a `#` inside a quoted cell is text.
    """
    at_start = True
    line_of_row = 0

    def lines() -> Iterator[str]:
        nonlocal at_start, line_of_row
        for number, line in enumerate(io.StringIO(text, newline=""), start=first_line):
            if at_start:
                if comments is not None and line.startswith("#"):
                    comments.append((number, line))
                    continue
                line_of_row = number
                at_start = False
            yield line

    reader = csv.reader(
        lines(), delimiter=delimiter, strict=True, skipinitialspace=spaces and delimiter != " "
    )
    rows: list[tuple[int, list[str]]] = []
    try:
        for cells in reader:
            at_start = True
            if any(cell.strip() for cell in cells):
                rows.append((line_of_row, cells))
    except csv.Error as error:
        # The row that failed starts here: an unclosed quote is found only at the end of the file.
        raise DeckError([Problem(path, line_of_row, None, f"is not valid CSV: {error}", CSV_HINT)]) from None
    return rows


def quizlet_rows(text: str, separator: str, row_separator: str | None) -> list[tuple[int, list[str]]]:
    """The cards of a Quizlet export: no quoting, term and definition split at the first separator.

    With rows on lines, a line without the separator continues the definition above it (Quizlet
    writes a multi-line definition as it is); with a custom row separator, rows are split at it.
    """
    rows: list[tuple[int, list[str]]] = []
    if row_separator in (None, "\n", "\r\n"):
        for number, line in enumerate(text.splitlines(), start=1):
            if separator in line:
                term, _, definition = line.partition(separator)
                rows.append((number, [term, definition]))
            elif rows and len(rows[-1][1]) == 2 and line.strip():
                rows[-1][1][1] += "\n" + line
            elif line.strip():
                rows.append((number, [line]))
        return rows
    offset = 0
    for chunk in text.split(row_separator):
        start = offset + len(chunk) - len(chunk.lstrip())
        offset += len(chunk) + len(row_separator)
        if not chunk.strip():
            continue
        term, found, definition = chunk.partition(separator)
        rows.append((text.count("\n", 0, start) + 1, [term, definition] if found else [term]))
    return rows


def guess_delimiter(text: str, suffix: str) -> str:
    if suffix in (".tsv", ".tab"):
        return "\t"
    first = next((line for line in text.splitlines() if line.strip() and not line.startswith("#")), "")
    counts = {d: first.count(d) for d in (",", "\t", ";", "|")}
    best = max(counts, key=lambda d: counts[d])
    if counts[best] == 0:
        return "\t" if suffix == ".txt" else ","
    return best


def _looks_like_quizlet(text: str) -> bool:
    """Quizlet's default export, told apart from TSV only where TSV would refuse it: no quotes, no
    header, a term and a tab on the first line, and some line without a tab (a definition's
    second line). Quizlet writes a definition's new lines as they are, where TSV would quote it."""
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines or '"' in text or any(line.count("\t") > 1 for line in lines):
        return False
    first = lines[0].split("\t")
    return len(first) == 2 and _header(first) is None and any("\t" not in line for line in lines[1:])


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


def _lines(numbers: Sequence[int]) -> str:
    shown = ", ".join(str(n) for n in numbers[:_EXAMPLES])
    if len(numbers) == 1:
        return f"line {shown}"
    return f"lines {shown}" + (", ..." if len(numbers) > _EXAMPLES else "")


def _span(indexes: Sequence[int]) -> str:
    """Columns by number, as people count them: 'column 3', 'columns 3-11', 'columns 3, 5'."""
    numbers = [i + 1 for i in indexes]
    if len(numbers) == 1:
        return f"column {numbers[0]}"
    if numbers == list(range(numbers[0], numbers[-1] + 1)):
        return f"columns {numbers[0]}-{numbers[-1]}"
    return "columns " + ", ".join(str(n) for n in numbers)


def _quote(text: str, limit: int = 40) -> str:
    one_line = " ".join(text.split())
    return repr(one_line if len(one_line) <= limit else one_line[: limit - 1] + "…")


def _collapsed(problems: list[Problem]) -> list[Problem]:
    """One problem per message: a message found on many rows once, with a count and examples."""
    by_message: dict[tuple[str, str], list[Problem]] = {}
    for problem in problems:
        by_message.setdefault((problem.message, problem.hint), []).append(problem)
    out: list[Problem] = []
    for (message, hint), found in by_message.items():
        if len(found) <= _EXAMPLES:
            out.extend(found)
            continue
        lines = [p.line for p in found if p.line is not None]
        first = found[0]
        out.append(
            Problem(first.path, first.line, None, f"{message} ({len(found)} rows: {_lines(lines)})", hint)
        )
    return sorted(out, key=lambda p: p.line or 0)


def read_delimited(text: str, path: str, delimiter: str, layout: Layout = GUESS) -> Imported:
    """Cards from CSV/TSV (or a Quizlet export): the columns `layout.columns` or a header row
    names, or else front and back; a column nothing maps is left out, with a note.

    Every row is checked; a bad row is an error naming its line, and nothing is imported (with
    `layout.skip_bad`, the row is left out and listed in `skipped`).
    """
    text = text.lstrip("\ufeff")
    comments: list[tuple[int, str]] = []
    detected = not layout.quizlet and layout.sep is None and delimiter == "\t" and _looks_like_quizlet(text)
    if detected:
        layout = replace(layout, quizlet=True)
    if layout.quizlet:
        rows = quizlet_rows(text, layout.sep or "\t", layout.rows)
    else:
        rows = delimited_rows(text, path, layout.sep or delimiter, comments=comments, spaces=True)
    problems: list[Problem] = []
    header = _header(rows[0][1]) if rows and not layout.quizlet else None
    if header is not None and layout.columns is not None:
        # --columns names the columns: the first row is their header only if it says the same,
        # else it is a card ("A","A" is not a header of two answer columns).
        if [COLUMNS.get(name, "") for name in header] != [key or "" for key in layout.columns]:
            header = None
    names: list[str] = ["term", "definition"] if layout.quizlet else []
    if header is not None:
        names = [cell.strip() for cell in rows[0][1]]
        rows = rows[1:]
    if layout.columns is not None:
        keys = list(layout.columns)
    elif header is not None:
        keys = []
        for name in header:
            key = COLUMNS.get(name, "")
            keys.append("" if key in keys else key)  # a second column for the same key: left out
    else:
        keys = ["q", "a"]
    if not rows:
        problems.append(Problem(path, None, None, "has no cards", "each row is a card: front, back"))
    result = Imported(title="", cards=[])
    if detected:
        result.changed.append(
            "read as a Quizlet export: a line without a tab continues the definition above it "
            "(give --sep tab to read it as TSV)"
        )
    taken: set[str] = set()
    renamed: dict[str, str] = {}
    unmapped: dict[int, list[tuple[int, str]]] = {}
    occlusions: list[int] = []
    skipped_lines: set[int] = set()
    for line, cells in rows:
        cells = [_unguard(cell) for cell in cells]

        def bad(message: str, hint: str, line: int = line) -> None:
            problems.append(Problem(path, line, None, message, hint))

        if any(_IMAGE_OCCLUSION.search(cell) for cell in cells):
            occlusions.append(line)
            continue
        if len(cells) < 2 and layout.quizlet:
            sep = layout.sep or "\t"
            bad(f"row has no {sep!r} between term and definition", "give --sep the separator Quizlet used")
            continue
        if len(cells) < 2 and header is None and layout.columns is None:
            hint = "each row needs a front and a back"
            if delimiter == "\t":
                hint += "; a Quizlet export whose definitions have several lines: add --quizlet"
            bad("row has only one column", hint)
            continue
        for index, cell in enumerate(cells):
            if (index >= len(keys) or not keys[index]) and cell.strip():
                unmapped.setdefault(index, []).append((line, cell))
        values = {key: cell for key, cell in zip(keys, cells, strict=False) if key}
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
    if occlusions:
        result.left_out.append(
            f"{len(occlusions)} image occlusion note(s), {_lines(occlusions)}: {_LOST_OCCLUSION}"
        )
    rowlike = [number for number, line in comments if (layout.sep or delimiter) in line]
    if rowlike:
        result.left_out.append(
            f"{len(rowlike)} line(s) starting with # read as comments, as Anki does ({_lines(rowlike)}): "
            'to import such a row, quote its first cell ("#1 hit",...)'
        )
    result.left_out.extend(_unmapped_notes(unmapped, names, layout.columns is not None))
    result.changed.extend(tag_notes(renamed))
    problems.extend(check_imported(result, path, drop=False))
    if layout.skip_bad:
        for problem in sorted(problems, key=lambda p: p.line or 0):
            if problem.line is None:
                continue
            skipped_lines.add(problem.line)
            result.skipped.append(f"line {problem.line}: {problem.message}")
        kept = [card for card in result.cards if result.lines.get(card["id"]) not in skipped_lines]
        result.cards = kept
        problems = [p for p in problems if p.line is None]
    if problems:
        raise DeckError(_collapsed(problems))
    result.preview.extend(_preview(keys, names, result))
    return result


def _unmapped_notes(
    unmapped: dict[int, list[tuple[int, str]]], names: Sequence[str], mapped: bool
) -> list[str]:
    """One note for the columns nothing maps, with how many rows had text there and an example."""
    if not unmapped:
        return []
    notes: list[str] = []
    named = [i for i in sorted(unmapped) if i < len(names) and names[i]]
    nameless = [i for i in sorted(unmapped) if i not in named]
    for index in named:
        found = unmapped[index]
        twice = COLUMNS.get(names[index].lower())
        why = (
            f"a second {twice} column" if twice and not mapped else "quizkit has no place for it"
        ) + "; rename it in the header, or map it with --columns"
        notes.append(
            f"column {names[index]!r} ({_span([index])}, {len(found)} row(s), "
            f"e.g. {_quote(found[0][1])}): {why}"
        )
    if nameless:
        rows = sorted({line for i in nameless for line, _ in unmapped[i]})
        line, example = unmapped[nameless[0]][0]
        them = "them" if len(nameless) > 1 else "it"
        how = f"--columns gives {them} no key" if mapped else f"no header names {them}"
        notes.append(
            f"{_span(nameless)} ({len(rows)} row(s), e.g. line {line}: {_quote(example)}): {how}; "
            f"to keep {them}, map {them}, e.g. --columns q,a,explain (or q,a,tags)"
        )
    return notes


def _order(key: str) -> int:
    return CSV_ORDER.index(key) if key in CSV_ORDER else len(CSV_ORDER)


def _preview(keys: Sequence[str], names: Sequence[str], result: Imported, rows: int = 2) -> list[str]:
    """How the columns were read: each column and its deck key, then the first cards as read."""
    mapping = []
    for index in range(max(len(keys), len(names))):
        key = keys[index] if index < len(keys) else ""
        label = names[index] if index < len(names) and names[index] else f"column {index + 1}"
        mapping.append(f"{label} → {key or 'left out'}")
    lines = [" · ".join(mapping)]
    for table in result.cards[:rows]:
        shown = ", ".join(
            f"{key}={_quote(' '.join(value) if isinstance(value, list) else str(value), 24)}"
            for key, value in sorted(table.items(), key=lambda item: _order(item[0]))
            if key != "id"
        )
        lines.append(f"line {result.lines[table['id']]}: {shown}")
    return lines


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
