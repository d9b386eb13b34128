"""Use cases: each command's work, wired from the pure parts.

The clock, the console and the paths arrive in an `Environment`, so tests and
simulations can replace every one of them.
"""

from __future__ import annotations

import json
import os
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from rich.console import Console

from quizkit import decks, render
from quizkit.errors import Problem, UsageError
from quizkit.model import Deck, Kind


def _system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass
class Environment:
    """Everything a use case needs from the outside world."""

    stdout: Console
    stderr: Console
    stdin: TextIO = field(default_factory=lambda: sys.stdin)
    stdin_isatty: bool = False
    db_path: Path | None = None
    clock: Callable[[], datetime] = _system_clock

    @classmethod
    def from_system(cls, db: Path | None = None, now: str | None = None) -> Environment:
        no_color = bool(os.environ.get("NO_COLOR"))
        return cls(
            stdout=Console(no_color=no_color, highlight=False),
            stderr=Console(stderr=True, no_color=no_color, highlight=False),
            stdin=sys.stdin,
            stdin_isatty=sys.stdin.isatty(),
            db_path=db or default_db_path(),
            clock=fixed_clock(now) if now else _system_clock,
        )


def default_db_path() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("quizkit", appauthor=False)) / "quizkit.db"


def parse_now(value: str) -> datetime:
    """Parse QUIZKIT_NOW: ISO 8601 with a zone."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise UsageError(
            f"QUIZKIT_NOW={value!r} is not an ISO 8601 date and time; "
            "use e.g. QUIZKIT_NOW=2026-03-01T09:00:00+00:00"
        ) from None
    if moment.tzinfo is None:
        raise UsageError(f"QUIZKIT_NOW={value!r} has no time zone; add one, e.g. {value}+00:00")
    return moment


def fixed_clock(value: str) -> Callable[[], datetime]:
    moment = parse_now(value)
    return lambda: moment


# ---------------------------------------------------------------- validate


def validate(env: Environment, paths: Sequence[Path], as_json: bool = False) -> int:
    """Check deck files; print a summary per deck or every problem. Returns the exit code."""
    files = decks.find_deck_files(paths) if paths else decks.bundled_deck_files()
    if not files:
        raise UsageError(f"no deck files (*.toml) found in {', '.join(str(p) for p in paths)}")
    results: list[tuple[Path, Deck | None, list[Problem]]] = []
    owners: dict[str, Path] = {}
    for path in files:
        deck, problems = decks.check_deck(path)
        if deck is not None:
            if deck.id in owners:
                problems = [
                    *problems,
                    Problem(
                        str(path),
                        None,
                        None,
                        f"deck id '{deck.id}' is also used by {owners[deck.id]}",
                        "decks sharing an id share progress; give this one its own [deck] id",
                    ),
                ]
                deck = None
            else:
                owners[deck.id] = path
        results.append((path, deck, problems))
    error_count = sum(p.severity == "error" for _, _, ps in results for p in ps)
    warning_count = sum(p.severity == "warning" for _, _, ps in results for p in ps)
    if as_json:
        env.stdout.print_json(json.dumps(_validation_json(results, error_count, warning_count)))
    else:
        for _path, deck, problems in results:
            for problem in problems:
                env.stdout.print(render.problem(problem), soft_wrap=True)
            if deck is not None:
                env.stdout.print(render.deck_summary(deck, len(problems)))
        summary = f"{len(files)} deck file{'s' if len(files) != 1 else ''}: "
        summary += f"{error_count} error{'s' if error_count != 1 else ''}, "
        summary += f"{warning_count} warning{'s' if warning_count != 1 else ''}"
        env.stdout.print(summary, style="red" if error_count else "green", markup=False)
    return 1 if error_count else 0


def _validation_json(
    results: list[tuple[Path, Deck | None, list[Problem]]], errors: int, warnings: int
) -> dict[str, object]:
    out = []
    for path, deck, problems in results:
        entry: dict[str, object] = {
            "path": str(path),
            "valid": deck is not None,
            "problems": [
                {
                    "severity": p.severity,
                    "path": p.path,
                    "line": p.line,
                    "card": p.card,
                    "message": p.message,
                    "hint": p.hint,
                }
                for p in problems
            ],
        }
        if deck is not None:
            entry.update(
                id=deck.id,
                title=deck.title,
                cards=len(deck.cards),
                kinds=dict(Counter(c.kind.value for c in deck.cards)),
                tags=dict(Counter(t for c in deck.cards for t in c.tags)),
            )
        out.append(entry)
    return {"decks": out, "errors": errors, "warnings": warnings}


# ---------------------------------------------------------------- show


def show(env: Environment, path: Path | None, tags: Sequence[str] = (), kinds: Sequence[Kind] = ()) -> int:
    """Print a deck as a table of cards, optionally filtered by tag and kind."""
    deck = decks.load_deck(path) if path else _default_deck()
    cards = tuple(
        c for c in deck.cards if (not tags or set(tags) & set(c.tags)) and (not kinds or c.kind in kinds)
    )
    shown = Deck(
        deck.id, deck.title, deck.path, cards, deck.description, deck.source, deck.author, deck.settings
    )
    env.stdout.print(render.card_table(shown))
    env.stdout.print(f"{len(cards)} of {len(deck.cards)} cards", markup=False, style="dim")
    return 0


def _default_deck() -> Deck:
    files = decks.bundled_deck_files()
    preferred = [f for f in files if f.stem == "taliban-pakistan"] or files
    if not preferred:
        raise UsageError("no bundled deck found; reinstall quizkit or give a deck path")
    return decks.load_deck(preferred[0])
