"""Finding and loading deck files: folders expanded, the bundled decks found, a deck loaded
through the cache (or parsed), every error raised at once."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from quizkit.io.deck_cache import DeckCache
from quizkit.model import Deck


def load_deck(path: Path | str, cache_dir: Path | None = None, key: bytes | None = None) -> Deck:
    """Load and validate a deck; raise DeckError listing every error (warnings are dropped).

    With a cache folder, a deck that has not changed since it was last loaded is read from
    the cache instead of being parsed again (see DeckCache; with the user's key, only entries
    signed with it are used).
    """
    if cache_dir is not None:
        return DeckCache(cache_dir, key).load(Path(path))
    from quizkit.io.deck_parse import check_deck, valid_deck  # a cache hit never parses

    deck, problems = check_deck(path)
    return valid_deck(deck, problems)


def find_deck_files(paths: Iterable[Path | str]) -> list[Path]:
    """Expand folders into the .toml files under them, sorted; files are kept as given."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*.toml") if p.is_file()))
        else:
            found.append(path)
    return list(dict.fromkeys(found))


def bundled_decks_dir() -> Path:
    """The decks shipped with quizkit: inside the package when installed, else the checkout's."""
    here = Path(__file__).resolve().parent.parent  # the quizkit package
    for candidate in (here / "decks", here.parent / "decks"):
        if candidate.is_dir():
            return candidate
    return here / "decks"


def bundled_deck_files() -> list[Path]:
    return find_deck_files([bundled_decks_dir()])


EXAMPLE_DECK_IDS = frozenset({"example-all-kinds"})
"""Bundled decks that are templates for teachers, not study material: not reviewed by default."""
