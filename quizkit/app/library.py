"""Use cases: each command's work, wired from the pure parts.

The clock, the console and the paths arrive in an `Environment`, so tests and
simulations can replace every one of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from quizkit.errors import DeckError, Problem, UsageError
from quizkit.io import deck_files
from quizkit.model import Deck

if TYPE_CHECKING:
    pass
from quizkit.app.env import Environment


def default_deck(env: Environment) -> Deck:
    files = deck_files.bundled_deck_files()
    preferred = [f for f in files if f.stem == "taliban-pakistan"] or files
    if not preferred:
        raise UsageError("no bundled deck found; reinstall quizkit or give a deck path")
    return deck_files.load_deck(preferred[0], env.cache_dir)


def known_deck_files(env: Environment) -> list[Path]:
    """The bundled study decks, then the decks in the user's configured folders."""
    files = [p for p in deck_files.bundled_deck_files() if p.stem not in deck_files.EXAMPLE_DECK_IDS]
    folders = [f for f in env.settings.deck_folders if f.is_dir()]
    return files + deck_files.find_deck_files(folders)


def load_decks(env: Environment, paths: Sequence[Path]) -> list[Deck]:
    """Load the decks named (files or folders), or every known deck; all problems at once."""
    files = deck_files.find_deck_files(paths) if paths else known_deck_files(env)
    if not files:
        where = ", ".join(str(p) for p in paths)
        raise UsageError(f"no deck files (*.toml) found in {where}" if paths else "no decks found")
    loaded: list[Deck] = []
    problems: list[Problem] = []
    owners: dict[str, str] = {}
    for path in files:
        try:
            deck = deck_files.load_deck(path, env.cache_dir)
        except DeckError as error:
            problems.extend(error.problems)
            continue
        if deck.id in owners:
            problems.append(
                Problem(
                    str(path),
                    None,
                    None,
                    f"deck id '{deck.id}' is also used by {owners[deck.id]}",
                    "give this deck its own id in [deck]",
                )
            )
            continue
        owners[deck.id] = str(path)
        loaded.append(deck)
    if problems:
        raise DeckError(problems)
    return loaded


def loadable_decks(env: Environment) -> list[Deck]:
    out = []
    for path in known_deck_files(env):
        try:
            out.append(deck_files.load_deck(path, env.cache_dir))
        except DeckError:
            continue
    return out


def known_decks_lenient(env: Environment) -> tuple[list[Deck], list[str]]:
    """The known decks that load; the files that do not (or reuse a deck id) are named, not fatal."""
    loaded: list[Deck] = []
    broken: list[str] = []
    seen: set[str] = set()
    for path in known_deck_files(env):
        try:
            deck = deck_files.load_deck(path, env.cache_dir)
        except DeckError:
            broken.append(str(path))
            continue
        if deck.id in seen:
            broken.append(str(path))
            continue
        seen.add(deck.id)
        loaded.append(deck)
    return loaded, broken
