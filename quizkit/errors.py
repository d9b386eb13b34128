"""One family of exceptions. Every message is for a person: what, where, how to fix."""

from __future__ import annotations

from enum import IntEnum, StrEnum

from msgspec import Struct


class ExitStatus(IntEnum):
    """Process exit codes."""

    OK = 0
    ERROR = 1
    USAGE = 2


class Severity(StrEnum):
    """How bad a problem is: an error stops a deck from loading, a warning does not."""

    ERROR = "error"
    WARNING = "warning"


class QuizkitError(Exception):
    """Base of every error quizkit reports to the user."""


class Problem(Struct, frozen=True):
    """One thing wrong (or suspicious) in a deck file."""

    path: str
    line: int | None
    card: str | None
    message: str
    hint: str = ""
    severity: Severity = Severity.ERROR

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        who = f" card {self.card}:" if self.card else ""
        hint = f" ({self.hint})" if self.hint else ""
        return f"{where}:{who} {self.message}{hint}"


class DeckError(QuizkitError):
    """A deck file could not be read or is invalid; carries every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))

    @property
    def path(self) -> str:
        return self.problems[0].path

    @property
    def line(self) -> int | None:
        return self.problems[0].line

    @property
    def card(self) -> str | None:
        return self.problems[0].card


class StoreError(QuizkitError):
    """The progress database could not be opened, read or written."""


class UsageError(QuizkitError):
    """The command line asked for something that cannot be done."""


class ConfigError(QuizkitError):
    """The settings file is invalid."""
