"""quizkit validate and quizkit show: a deck's problems, its summary, its cards for proofreading."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from quizkit.app.env import Environment
from quizkit.app.library import deck_paths, one_deck, shared_id
from quizkit.errors import Problem, Severity, UsageError
from quizkit.io import deck_files, deck_parse
from quizkit.model import Deck, Kind
from quizkit.shapes.validation import DeckCheckJSON, ValidationJSON, problem_json
from quizkit.ui import render
from quizkit.ui.words import print_json


def validate(env: Environment, paths: Sequence[Path], as_json: bool = False, strict: bool = False) -> int:
    """Check deck files; print a summary per deck or every problem. Returns the exit code.

    Besides the loader's checks on form, the content checks (core.lint.content_problems)
    warn about cards that teach badly; with strict, every warning is an error.
    """
    from msgspec.structs import replace

    from quizkit.core.lint import content_problems
    from quizkit.io.formulas import formula_problems

    files = deck_files.find_deck_files(deck_paths(env, paths)) if paths else deck_files.bundled_deck_files()
    if not files:
        raise UsageError(f"no deck files (*.toml) found in {', '.join(str(p) for p in paths)}")
    results: list[tuple[Path, Deck | None, list[Problem]]] = []
    owners: dict[str, Path] = {}
    for path in files:
        deck, problems = deck_parse.check_deck(path, files=True)
        if deck is not None:
            found = [*problems, *content_problems(deck), *formula_problems(deck)]
            problems = sorted(found, key=lambda p: p.line or 0)
            if deck.id in owners:
                problems = [*problems, shared_id(path, deck.id, owners[deck.id])]
                deck = None
            else:
                owners[deck.id] = path
        if strict and any(p.severity is Severity.WARNING for p in problems):
            problems = [replace(p, severity=Severity.ERROR) for p in problems]
            deck = None
        results.append((path, deck, problems))
    error_count = sum(p.severity is Severity.ERROR for _, _, ps in results for p in ps)
    warning_count = sum(p.severity is Severity.WARNING for _, _, ps in results for p in ps)
    if as_json:
        print_json(env.stdout, (_validation_json(results, error_count, warning_count)))
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
) -> ValidationJSON:
    out: list[DeckCheckJSON] = []
    for path, deck, problems in results:
        entry: DeckCheckJSON = {
            "path": str(path),
            "valid": deck is not None,
            "problems": [problem_json(p) for p in problems],
        }
        if deck is not None:
            entry["id"] = deck.id
            entry["title"] = deck.title
            entry["cards"] = len(deck.cards)
            entry["kinds"] = dict(Counter(c.kind.value for c in deck.cards))
            entry["tags"] = dict(Counter(t for c in deck.cards for t in c.tags))
        out.append(entry)
    return {"decks": out, "errors": errors, "warnings": warnings}


def show(
    env: Environment, name: Path | str | None, tags: Sequence[str] = (), kinds: Sequence[Kind] = ()
) -> int:
    """Print a deck as a table of cards, optionally filtered by tag and kind."""
    deck = one_deck(env, name)
    cards = tuple(
        c for c in deck.cards if (not tags or set(tags) & set(c.tags)) and (not kinds or c.kind in kinds)
    )
    shown = Deck(
        deck.id, deck.title, deck.path, cards, deck.description, deck.source, deck.author, deck.settings
    )
    env.stdout.print(render.card_table(shown))
    env.stdout.print(f"{len(cards)} of {len(deck.cards)} cards", markup=False, style="dim")
    return 0
