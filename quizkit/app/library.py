"""Which decks quizkit knows, and what happens to one that is broken or reuses an id.

Known decks are the bundled study decks (not the teachers' templates) and the decks in the
folders config.toml names. Studying (`load_decks`) stops on a broken deck and names every problem;
overviews (`known_decks_lenient`: the dashboard, doctor) skip it and name the file.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from quizkit.app.env import Environment
from quizkit.errors import DeckError, Problem, UsageError
from quizkit.io import deck_files
from quizkit.model import Deck

DEFAULT_DECK_ID = "taliban-pakistan"
"""The bundled deck a command uses when it needs one deck and none is named."""


def default_deck(env: Environment) -> Deck:
    files = deck_files.bundled_deck_files()
    preferred = [f for f in files if f.stem == DEFAULT_DECK_ID] or files
    if not preferred:
        raise UsageError("no bundled deck found; reinstall quizkit or give a deck path")
    return deck_files.load_deck(preferred[0], env.cache_dir, env.cache_key)


def known_deck_files(env: Environment) -> list[Path]:
    """The bundled study decks, then the decks in the user's configured folders."""
    files = [p for p in deck_files.bundled_deck_files() if p.stem not in deck_files.EXAMPLE_DECK_IDS]
    folders = [f for f in env.settings.deck_folders if f.is_dir()]
    return files + deck_files.find_deck_files(folders)


def shared_id(path: Path | str, deck_id: str, owner: Path | str) -> Problem:
    """The problem of a deck whose id another deck already has: they would share progress."""
    return Problem(
        str(path),
        None,
        None,
        f"deck id '{deck_id}' is also used by {owner}",
        "decks sharing an id share progress; give this one its own id in [deck]",
    )


@dataclass(frozen=True)
class Loaded:
    """Decks loaded from files: those that can be studied, and every file that cannot, with why."""

    decks: list[Deck]
    """Each deck id once, the first file that has it."""
    problems: list[Problem]
    broken: list[Path]
    """Files that do not load, or whose deck id an earlier file has."""
    others: list[Deck]
    """Decks that loaded but reuse an earlier deck's id: not studied, but their cards are known."""


def load_files(env: Environment, files: Sequence[Path]) -> Loaded:
    """Load every file (through the cache), collecting each one's problems instead of stopping."""
    result = Loaded([], [], [], [])
    owners: dict[str, Path] = {}
    for path in files:
        try:
            deck = deck_files.load_deck(path, env.cache_dir, env.cache_key)
        except DeckError as error:
            result.problems.extend(error.problems)
            result.broken.append(path)
            continue
        if deck.id in owners:
            result.problems.append(shared_id(path, deck.id, owners[deck.id]))
            result.broken.append(path)
            result.others.append(deck)
            continue
        owners[deck.id] = path
        result.decks.append(deck)
    return result


def load_decks(env: Environment, paths: Sequence[Path]) -> list[Deck]:
    """The decks named (files or folders), or every known deck, to study: every problem raised at once."""
    files = deck_files.find_deck_files(paths) if paths else known_deck_files(env)
    if not files:
        where = ", ".join(str(p) for p in paths)
        raise UsageError(f"no deck files (*.toml) found in {where}" if paths else "no decks found")
    loaded = load_files(env, files)
    if loaded.problems:
        raise DeckError(loaded.problems)
    if paths:
        remember_deck_paths(env, loaded.decks)
    return loaded.decks


def remember_deck_paths(env: Environment, decks: Sequence[Deck]) -> None:
    """Tell the open stores which file each deck named by its path is studied from: doctor then
    knows the deck's file, and only a card that file lacks is orphaned. Best-effort: a database
    that cannot be written still studies (and says why at the first answer)."""
    from quizkit.errors import StoreError

    pairs = [(deck.id, str(Path(deck.path).resolve())) for deck in decks]
    for store in env.opened:
        try:
            store.remember_deck_paths(pairs, env.clock())
        except StoreError:
            pass


def known_decks_lenient(env: Environment) -> Loaded:
    """Every known deck that loads, for overviews (the dashboard, doctor): a broken file is named
    in the result, not fatal."""
    return load_files(env, known_deck_files(env))
