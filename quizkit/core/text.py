"""Untrusted text made safe for each output: the terminal, JSON and Markdown.

Deck text, imported notes and cache files are data. Before any of it leaves quizkit, terminal
escape sequences and control characters are removed (or, in JSON, escaped), and the characters a
format reads as syntax are escaped, so that what is shown is what was written.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import NamedTuple

# C0 controls except tab and newline, DEL, C1 controls, and the bidirectional
# overrides that can make text display differently from what it is.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])")
# json.dumps escapes C0 controls itself; these are the others that can take over or reorder a
# terminal, and the line separators that end a line in JavaScript.
_UNSAFE_IN_JSON = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def clean(text: str) -> str:
    """Remove escape sequences and control characters from untrusted text."""
    return _UNSAFE.sub("", _ANSI.sub("", text))


def json_text(data: object, indent: int | None = 2) -> str:
    """JSON in which deck text stays data: every control and reordering character is escaped."""
    import json  # only for --json and reports: keep it off the start-up path

    text = json.dumps(data, indent=indent, ensure_ascii=False)
    return _UNSAFE_IN_JSON.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def markdown(text: str, *, starts_line: bool = False, one_line: bool = False) -> str:
    """Deck text for Markdown, shown as written: the characters Markdown reads as syntax are escaped.

    What makes a list or a heading at the start of a line is escaped on every line but the
    first, and on the first too when the text starts a line of its own. With `one_line` (a table
    cell, a heading), the lines are joined with spaces.
    """
    escaped = re.sub(r"([\\`*_\[\]<>|~#])", r"\\\1", clean(text))
    escaped = re.sub(r"&(?=#?\w+;)", r"\\&", escaped)
    lines = escaped.split("\n")
    for index, line in enumerate(lines):
        if index or starts_line:
            line = re.sub(r"^(\s*)([-+>=])", r"\1\\\2", line)
            lines[index] = re.sub(r"^(\s*\d+)([.)])", r"\1\\\2", line)
    return " ".join(lines) if one_line else "  \n".join(lines)


# A formula: \( ... \), or $ ... $ as pandoc reads it (no space just inside either $, no digit
# just after the closing one, \$ is a dollar), so that "$5 and $10" stays prose.
_FORMULA = re.compile(r"\\\((.+?)\\\)|(?<![\\$])\$(?![\s$])((?:\\.|[^$\\\n])+?)(?<!\s)\$(?!\d)", re.S)


class Part(NamedTuple):
    """A piece of deck text: prose, or a formula's LaTeX with its source (delimiters and all)."""

    text: str
    source: str = ""
    """The formula as written, "" for prose."""

    @property
    def formula(self) -> bool:
        return bool(self.source)


def formula_parts(text: str) -> list[Part]:
    """Text cut into its prose and its LaTeX formulas, in order. Text without one is one part."""
    parts: list[Part] = []
    at = 0
    for match in _FORMULA.finditer(text):
        if match.start() > at:
            parts.append(Part(text[at : match.start()]))
        latex = match.group(1) if match.group(1) is not None else match.group(2)
        parts.append(Part(latex, match.group(0)))
        at = match.end()
    if at < len(text) or not parts:
        parts.append(Part(text[at:]))
    return parts


def has_formula(text: str) -> bool:
    return ("\\(" in text or "$" in text) and _FORMULA.search(text) is not None


_SUPERSCRIPT = dict(zip("0123456789+-=()niax", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱᵃˣ", strict=True))
_SUBSCRIPT = dict(zip("0123456789+-=()aeiojnx", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑᵢₒⱼₙₓ", strict=True))
_SCRIPT = re.compile(r"([\^_])(?:\{([^{}\\]*)\}|([0-9a-zA-Z+\-]))")


def _scripts(latex: str) -> str:
    """x^2, x^{-1}, a_{n+1} as Unicode super- and subscripts where every character has one;
    other scripts are left for the converter (which keeps ^ and _)."""

    def script(match: re.Match[str]) -> str:
        body = match.group(2) if match.group(2) is not None else match.group(3)
        table = _SUPERSCRIPT if match.group(1) == "^" else _SUBSCRIPT
        if body and all(c in table for c in body.replace(" ", "")):
            return "".join(table[c] for c in body.replace(" ", ""))
        return match.group(0)

    return _SCRIPT.sub(script, latex)


def readable(text: str, to_text: Callable[[str], str]) -> str:
    """Deck text with each LaTeX formula as readable Unicode (x² ≤ √y, α/β), for the terminal and
    Markdown. `to_text` is the converter (a library's, passed in from io or ui: core imports none);
    a formula it cannot convert is kept as written."""
    if not has_formula(text):
        return text
    out = []
    for part in formula_parts(text):
        if not part.formula:
            out.append(part.text)
            continue
        try:
            out.append(to_text(_scripts(part.text)).strip())
        except Exception:  # a converter's failure on untrusted text: show the source instead
            out.append(part.source)
    return "".join(out)
