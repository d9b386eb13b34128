"""Untrusted text made safe for each output: the terminal, JSON and Markdown.

Deck text, imported notes and cache files are data. Before any of it leaves quizkit, terminal
escape sequences and control characters are removed (or, in JSON, escaped), and the characters a
format reads as syntax are escaped, so that what is shown is what was written.
"""

from __future__ import annotations

import re

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
