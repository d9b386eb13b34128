"""The shape of quizkit validate --json: each deck file, its problems, and its summary."""

from __future__ import annotations

from typing import TypedDict

from quizkit.errors import Problem


class ProblemJSON(TypedDict):
    severity: str
    path: str
    line: int | None
    card: str | None
    message: str
    hint: str


def problem_json(problem: Problem) -> ProblemJSON:
    return {
        "severity": problem.severity.value,
        "path": problem.path,
        "line": problem.line,
        "card": problem.card,
        "message": problem.message,
        "hint": problem.hint,
    }


class DeckCheckJSON(TypedDict, total=False):
    path: str
    valid: bool
    problems: list[ProblemJSON]
    id: str
    """This and the keys below: only for a valid deck."""
    title: str
    cards: int
    kinds: dict[str, int]
    tags: dict[str, int]


class ValidationJSON(TypedDict):
    decks: list[DeckCheckJSON]
    errors: int
    warnings: int
