"""A wrong typed answer against the right one: aligned, with every difference marked.

Pure functions of two strings. What counts as a difference is what grading counts: case,
accents, spacing and punctuation are not, unless the card is exact (see `grading.normalize`).
The alignment is a Damerau–Levenshtein one over user-perceived characters (a letter with its
combining marks stays whole), so a swapped pair of letters is one change, not a gap and an extra;
short matches between differences are then joined to them, and an answer with less than half
its letters in common is shown whole, as one change.

`lines` lays a comparison out for a width as the screen shows it, with no colour needed:

    typed  mul-ah omer
    answer Mullah Omar
              ^     ^
    2 differences: "l" missing; "e" instead of "a"

Gaps are ``-``, each difference has ``^`` under it, and the last line says it in words (for a
screen reader, or a transcript). ui.render colours the same lines.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from enum import StrEnum
from itertools import zip_longest

from msgspec import Struct

from quizkit.core.grading import damerau_levenshtein, normalize
from quizkit.core.text import clean
from quizkit.model import Card


class Mark(StrEnum):
    """What a piece of the comparison is, read against the right answer."""

    SAME = "same"
    """The same letters (as grading reads them), though case, accents or punctuation may differ."""
    CHANGED = "changed"
    """Typed one thing where the answer has another."""
    EXTRA = "extra"
    """Typed, but not in the answer."""
    MISSING = "missing"
    """In the answer, but not typed."""


class Piece(Struct, frozen=True):
    mark: Mark
    typed: str
    answer: str


class Comparison(Struct, frozen=True):
    parts: tuple[Piece, ...]
    """Character by character (a swap is two), for laying out in columns."""
    aligned: bool
    """False when the two have too little in common to line up: each is then shown whole."""

    @property
    def pieces(self) -> tuple[Piece, ...]:
        """The parts with each run of the same mark joined: what is the same, what differs."""
        pieces: list[Piece] = []
        for part in self.parts:
            if pieces and (pieces[-1].mark is Mark.SAME) == (part.mark is Mark.SAME):
                typed, answer = pieces[-1].typed + part.typed, pieces[-1].answer + part.answer
                mark = Mark.SAME if part.mark is Mark.SAME else _edit(typed, answer)
                pieces[-1] = Piece(mark, typed, answer)
            else:
                pieces.append(part)
        return tuple(pieces)

    @property
    def differences(self) -> tuple[Piece, ...]:
        return tuple(piece for piece in self.pieces if piece.mark is not Mark.SAME)


GAP = "-"
"""Stands, in one line, for what the other line has and this one lacks."""

POINTER = "^"
"""Under each column that differs."""

LABELS = ("typed", "answer")

LABEL_WIDTH = max(len(label) for label in LABELS) + 1

MOST_WORDS = 4
"""Differences said in words; more are counted."""

_JOINERS = frozenset("\u200d\u034f")  # zero-width joiner, combining grapheme joiner

_LONGEST = 400
"""Clusters per side aligned exactly; beyond, one piece (the screen wraps it)."""


def clusters(text: str) -> list[str]:
    """`text` (NFC) in the characters a reader sees: each base with its combining marks."""
    found: list[str] = []
    joined = False
    for char in unicodedata.normalize("NFC", text):
        variation = "\ufe00" <= char <= "\ufe0f" or "\U000e0100" <= char <= "\U000e01ef"
        if found and (joined or unicodedata.category(char).startswith("M") or variation or char in _JOINERS):
            found[-1] += char
        else:
            found.append(char)
        joined = char == "\u200d"
    return found


def cell_width(text: str) -> int:
    """Terminal columns: wide (CJK, most emoji) 2, combining marks and format characters 0."""
    width = 0
    for char in text:
        category = unicodedata.category(char)
        if category.startswith("M") or category == "Cf":
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def closest_answer(given: str, answers: Sequence[str], *, exact: bool = False) -> str:
    """The accepted answer nearest to what was typed (the first of the nearest), to compare against."""
    candidates = [answer for answer in answers if answer.strip()] or list(answers) or [""]
    form = _exact_form if exact else normalize
    typed = form(given)
    return min(candidates, key=lambda answer: damerau_levenshtein(typed, form(answer)))


def answer_for(card: Card, given: str) -> str:
    """What to compare a typed answer with: the closest of the answers `card` accepts, read as
    grading reads them (exactly on an exact card)."""
    accepted = tuple(answer for answer in card.accept or (card.answer,) if answer.strip())
    return closest_answer(given, accepted or (card.answer,), exact=card.exact)


def _one_line(text: str) -> str:
    """Cleaned of control characters, stripped, tabs and line breaks as spaces: one line a side."""
    return "".join(" " if char.isspace() else char for char in clean(text)).strip()


def _exact_form(text: str) -> str:
    return unicodedata.normalize("NFC", text.strip())


def _keys(parts: Sequence[str], exact: bool) -> list[str]:
    """What each character is to grading; '' for one that is never a difference."""
    if exact:
        return list(parts)
    keys = [normalize(part) for part in parts]
    # A leading article that normalize drops ("the Nile") is no difference either.
    text = "".join(parts)
    first, space, rest = text.partition(" ")
    if space and normalize(rest) and normalize(first) and normalize(text) == normalize(rest):
        for index in range(len(clusters(first))):
            keys[index] = ""
    return keys


def compare(given: str, expected: str, *, exact: bool = False) -> Comparison:
    """`given` aligned against `expected`, both cleaned of control characters and stripped."""
    typed, answer = clusters(_one_line(given)), clusters(_one_line(expected))
    typed_keys, answer_keys = _keys(typed, exact), _keys(answer, exact)
    if len(typed) > _LONGEST or len(answer) > _LONGEST:
        steps = [(Mark.CHANGED, tuple(range(len(typed))), tuple(range(len(answer))))]
    else:
        steps = _tidy(_paired(_align(typed_keys, answer_keys), typed_keys, answer_keys), typed_keys)
    letters = sum(1 for key in typed_keys if key) + sum(1 for key in answer_keys if key)
    kept = sum(2 for mark, t, _ in steps if mark is Mark.SAME for i in t if typed_keys[i])
    whole = Piece(_edit("".join(typed), "".join(answer)), "".join(typed), "".join(answer))
    if any(mark is not Mark.SAME for mark, _, _ in steps) and 2 * kept < letters:
        # Less than half in common: a few scattered letters would only make noise.
        return Comparison((whole,), False)
    parts = tuple(
        Piece(mark, "".join(typed[i] for i in t), "".join(answer[j] for j in a)) for mark, t, a in steps
    )
    return Comparison(parts, True)


def _edit(typed: str, answer: str) -> Mark:
    return Mark.CHANGED if typed and answer else Mark.EXTRA if typed else Mark.MISSING


_Step = tuple[Mark, tuple[int, ...], tuple[int, ...]]


def _align(typed: Sequence[str], answer: Sequence[str]) -> list[_Step]:
    """The cheapest alignment: a change, an extra, a missing character or a swap costs 1.

    Characters whose key is '' (spacing, punctuation) may be added or left out for nothing, and
    are then shown as the same: they are not what made the answer wrong.
    """
    n, m = len(typed), len(answer)
    big = n + m + 1
    cost = [[big] * (m + 1) for _ in range(n + 1)]
    cost[0][0] = 0
    for i in range(n + 1):
        for j in range(m + 1):
            here = cost[i][j]
            if i and j and typed[i - 1] == answer[j - 1]:
                here = min(here, cost[i - 1][j - 1])
            if i and j and typed[i - 1] and answer[j - 1]:
                here = min(here, cost[i - 1][j - 1] + 1)
            if i > 1 and j > 1 and _swapped(typed, answer, i, j):
                here = min(here, cost[i - 2][j - 2] + 1)
            if i:
                here = min(here, cost[i - 1][j] + (1 if typed[i - 1] else 0))
            if j:
                here = min(here, cost[i][j - 1] + (1 if answer[j - 1] else 0))
            cost[i][j] = here
    steps: list[_Step] = []
    i, j = n, m
    # Read back from the end, a gap of a letter is taken before a match of the same cost: so
    # the matches come as early as they can, and what is missing or extra at the end stays
    # together ("Soviet invasion" for "the Soviet invasion of Afghanistan" does not match its
    # last n). Spacing and punctuation are matched first, and only left out when they must be.
    while i or j:
        here = cost[i][j]
        if j and answer[j - 1] and here == cost[i][j - 1] + 1:
            steps.append((Mark.MISSING, (), (j - 1,)))
            j -= 1
        elif i and typed[i - 1] and here == cost[i - 1][j] + 1:
            steps.append((Mark.EXTRA, (i - 1,), ()))
            i -= 1
        elif i and j and typed[i - 1] == answer[j - 1] and here == cost[i - 1][j - 1]:
            steps.append((Mark.SAME, (i - 1,), (j - 1,)))
            i, j = i - 1, j - 1
        elif i > 1 and j > 1 and _swapped(typed, answer, i, j) and here == cost[i - 2][j - 2] + 1:
            steps.append((Mark.CHANGED, (i - 2, i - 1), (j - 2, j - 1)))
            i, j = i - 2, j - 2
        elif i and j and typed[i - 1] and answer[j - 1] and here == cost[i - 1][j - 1] + 1:
            steps.append((Mark.CHANGED, (i - 1,), (j - 1,)))
            i, j = i - 1, j - 1
        elif j and not answer[j - 1] and here == cost[i][j - 1]:
            steps.append((Mark.SAME, (), (j - 1,)))  # spacing or punctuation left out
            j -= 1
        else:
            steps.append((Mark.SAME, (i - 1,), ()))  # spacing or punctuation added
            i -= 1
    steps.reverse()
    return steps


def _paired(steps: list[_Step], typed_keys: Sequence[str], answer_keys: Sequence[str]) -> list[_Step]:
    """Punctuation typed and punctuation in the answer, near each other, shown in one column.

    The alignment may leave "Kabul." against "Kabul!x" as '!' left out, 'x' missing, '.' extra;
    a one-sided step may move back past steps of the other side only, so both lines keep
    their order: '.' over '!', then 'x' missing.
    """
    out = list(steps)
    j = 0
    while j < len(out):
        _, t, a = out[j]
        typed_only = len(t) == 1 and not a and not typed_keys[t[0]]
        answer_only = len(a) == 1 and not t and not answer_keys[a[0]]
        i = j - 1
        while (typed_only or answer_only) and i >= 0:
            _, before_t, before_a = out[i]
            if typed_only and not before_t and len(before_a) == 1:
                if not answer_keys[before_a[0]]:
                    out[i] = (Mark.SAME, t, before_a)
                    del out[j]
                    j -= 1
                    break
            elif answer_only and not before_a and len(before_t) == 1:
                if not typed_keys[before_t[0]]:
                    out[i] = (Mark.SAME, before_t, a)
                    del out[j]
                    j -= 1
                    break
            else:
                break
            i -= 1
        j += 1
    return out


def _tidy(steps: list[_Step], typed_keys: Sequence[str]) -> list[_Step]:
    """Short runs of the same letters between two differences joined to them, as one change.

    As in diff-match-patch's semantic clean-up: "Karachi" against "Kabul" is one change after
    the "Ka", not five changes around a matching "a"; a run is kept when it is longer than the
    differences on either side, or when all three are single letters ("Umer" for "Omar").
    """
    runs: list[list[_Step]] = []
    for step in steps:
        if runs and (runs[-1][0][0] is Mark.SAME) == (step[0] is Mark.SAME):
            runs[-1].append(step)
        else:
            runs.append([step])

    def size(run: list[_Step]) -> int:
        if run[0][0] is Mark.SAME:
            return sum(1 for _, t, _ in run for i in t if typed_keys[i])
        return max(sum(len(t) for _, t, _ in run), sum(len(a) for _, _, a in run))

    changed = True
    while changed:
        changed = False
        for index in range(1, len(runs) - 1):
            run = runs[index]
            if run[0][0] is not Mark.SAME:
                continue
            letters, left, right = size(run), size(runs[index - 1]), size(runs[index + 1])
            if letters <= min(left, right) and letters < left + right - 1:
                typed = tuple(i for _, t, _ in runs[index - 1] + run + runs[index + 1] for i in t)
                answer = tuple(j for _, _, a in runs[index - 1] + run + runs[index + 1] for j in a)
                mark = Mark.CHANGED if typed and answer else Mark.EXTRA if typed else Mark.MISSING
                runs[index - 1 : index + 2] = [[(mark, typed, answer)]]
                changed = True
                break
    return [step for run in runs for step in run]


def _swapped(typed: Sequence[str], answer: Sequence[str], i: int, j: int) -> bool:
    a, b = typed[i - 2], typed[i - 1]
    return bool(a and b) and a != b and a == answer[j - 1] and b == answer[j - 2]


# ---------------------------------------------------------------- laid out in lines


class Line(Struct, frozen=True):
    """One line of the comparison: a label, then runs of text, each with what it shows."""

    label: str
    runs: tuple[tuple[str, Mark], ...]

    @property
    def text(self) -> str:
        body = "".join(text for text, _ in self.runs)
        return f"{self.label:<{LABEL_WIDTH}}{body}".rstrip() if self.label else body.rstrip()


class _Column(Struct, frozen=True):
    typed: str
    answer: str
    mark: Mark
    width: int

    @property
    def blank(self) -> bool:
        return self.typed.isspace() and self.answer.isspace()


def _columns(comparison: Comparison) -> list[_Column]:
    """Character by character, each side padded to the wider, gaps drawn with GAP."""
    columns: list[_Column] = []
    for piece in comparison.parts:
        pairs = zip_longest(clusters(piece.typed), clusters(piece.answer), fillvalue="")
        for typed, answer in pairs:
            width = max(cell_width(typed), cell_width(answer), 1)
            filler = GAP if piece.mark in (Mark.EXTRA, Mark.MISSING) else " "
            columns.append(
                _Column(
                    typed + (filler if not typed else " ") * (width - cell_width(typed)),
                    answer + (filler if not answer else " ") * (width - cell_width(answer)),
                    piece.mark,
                    width,
                )
            )
    return columns


def _rows(columns: Sequence[_Column], room: int) -> list[list[_Column]]:
    """Columns in rows of at most `room` cells, broken after a space both lines share if one is near."""
    rows: list[list[_Column]] = []
    row: list[_Column] = []
    used = 0
    for column in columns:
        if not row and column.blank:
            continue
        if row and used + column.width > room:
            cut = _break(row)
            rows.append(row[:cut])
            row = row[cut:]
            while row and row[0].blank:
                row.pop(0)
            used = sum(c.width for c in row)
            if not row and column.blank:
                continue
        row.append(column)
        used += column.width
    if row or not rows:
        rows.append(row)
    return rows


def _break(row: Sequence[_Column]) -> int:
    """Where to end a full row: after a space both lines have, else one either has (inside a
    change, where the two differ), else anywhere; never in the first third of the row."""
    for shared in (True, False):
        for index in range(len(row) - 1, len(row) // 3 - 1, -1):
            column = row[index]
            if column.blank if shared else (column.typed.isspace() or column.answer.isspace()):
                return index + 1
    return len(row)


def _runs(cells: Iterable[tuple[str, Mark]]) -> tuple[tuple[str, Mark], ...]:
    runs: list[tuple[str, Mark]] = []
    for text, mark in cells:
        if runs and runs[-1][1] is mark:
            runs[-1] = (runs[-1][0] + text, mark)
        else:
            runs.append((text, mark))
    return tuple(runs)


def _quoted(text: str) -> str:
    return '"' + " ".join(text.split()) + '"' if text.strip() else "a space"


def in_words(comparison: Comparison) -> str:
    """The differences as a sentence: '2 differences: "l" missing; "e" instead of "a"'."""
    if not comparison.differences:
        return "the same"
    if not any(piece.typed.strip() for piece in comparison.parts):
        return "nothing typed"
    if not comparison.aligned:
        return "nothing in common with the answer" if comparison.differences else "the same"
    said: list[str] = []
    for piece in comparison.differences:
        if piece.mark is Mark.MISSING:
            said.append(f"{_quoted(piece.answer)} missing")
        elif piece.mark is Mark.EXTRA:
            said.append(f"{_quoted(piece.typed)} extra")
        else:
            said.append(f"{_quoted(piece.typed)} instead of {_quoted(piece.answer)}")
    if not said:
        return "the same"
    count = len(said)
    head = f"{count} difference{'s' if count != 1 else ''}: "
    more = f"; and {count - MOST_WORDS} more" if count > MOST_WORDS else ""
    return head + "; ".join(said[:MOST_WORDS]) + more


def lines(comparison: Comparison, width: int) -> tuple[Line, ...]:
    """The comparison laid out in `width` columns: per row a typed line, an answer line and a
    line of POINTER under what differs (left out where nothing does), then the words line."""
    room = max(8, width - LABEL_WIDTH)
    out: list[Line] = []
    for row in _rows(_columns(comparison), room):
        out.append(Line(LABELS[0], _runs((c.typed, c.mark) for c in row)))
        out.append(Line(LABELS[1], _runs((c.answer, c.mark) for c in row)))
        if any(c.mark is not Mark.SAME for c in row):
            pointers = ((POINTER if c.mark is not Mark.SAME else " ") * c.width for c in row)
            marks = (Mark.CHANGED if c.mark is not Mark.SAME else Mark.SAME for c in row)
            out.append(Line(" ", _runs(zip(pointers, marks, strict=True))))
    out.extend(Line("", ((line, Mark.SAME),)) for line in _wrapped(in_words(comparison), width))
    return tuple(out)


def _wrapped(text: str, width: int) -> list[str]:
    """`text` in lines of at most `width` cells, broken at spaces (a longer word stays whole)."""
    lines: list[str] = []
    line = ""
    for word in text.split(" "):
        if line and cell_width(line) + 1 + cell_width(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    lines.append(line)
    return lines


def comparison_text(given: str, expected: str, width: int, *, exact: bool = False) -> list[str]:
    """The comparison as plain lines (line mode, --plain, a transcript): no colour, no box."""
    return [line.text for line in lines(compare(given, expected, exact=exact), width)]
