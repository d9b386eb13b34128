"""Which decks quizkit knows, and what happens to one that is broken or reuses an id.

Known decks are the learner's own decks folder (`<data dir>/decks`, known without any config),
the bundled study decks (not the teachers' templates) and the decks in the folders config.toml
names. A learner's own deck shadows the bundled deck with its id: that is where an edited copy of
a bundled deck goes (`editable_path`). Studying (`load_decks`) stops on a broken deck and names
every problem; overviews (`known_decks_lenient`: the dashboard, doctor) skip it and name the file.

This is the one place a deck named on the command line is resolved (`deck_path`, `deck_paths`,
`one_deck`): an existing file or folder is taken as it is, anything else that looks like a deck
id is looked up among the known decks.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum
from pathlib import Path

from msgspec import Struct

from quizkit.app.env import Environment
from quizkit.errors import DeckError, Problem, UsageError
from quizkit.io import deck_files
from quizkit.model import Deck

DEFAULT_DECK_ID = "taliban-pakistan"
"""The bundled deck a command uses when it needs one deck and none is named."""


class Origin(Enum):
    """Where a known deck comes from, in the order they are looked in."""

    OWN = "your decks folder"
    BUNDLED = "bundled with quizkit"
    FOLDERS = "deck_folders in config.toml"
    EXAMPLE = "bundled example"
    """A teachers' template: named by its id, never studied unless named."""


def known_sources(env: Environment, examples: bool = False) -> list[tuple[Path, Origin]]:
    """The learner's own decks, then the bundled study decks, then the configured folders' decks
    (then, with examples, the bundled examples, for naming them by id)."""
    own = [env.decks_dir] if env.decks_dir is not None and env.decks_dir.is_dir() else []
    everything = deck_files.bundled_deck_files()
    bundled = [p for p in everything if p.stem not in deck_files.EXAMPLE_DECK_IDS]
    folders = [f for f in env.settings.deck_folders if f.is_dir()]
    found: dict[Path, tuple[Path, Origin]] = {}
    for files, origin in (
        (deck_files.find_deck_files(own), Origin.OWN),
        (bundled, Origin.BUNDLED),
        (deck_files.find_deck_files(folders), Origin.FOLDERS),
        ([p for p in everything if p not in bundled] if examples else [], Origin.EXAMPLE),
    ):
        for path in files:
            found.setdefault(path.resolve(), (path, origin))  # a folder named twice: once
    return list(found.values())


def known_deck_files(env: Environment) -> list[Path]:
    """The learner's own decks, the bundled study decks, then the decks in the configured folders."""
    return [path for path, _origin in known_sources(env)]


def _bundled() -> frozenset[Path]:
    """The bundled deck files: one whose id a learner's own deck has gives way to it silently."""
    return frozenset(p.resolve() for p in deck_files.bundled_deck_files())


def default_deck(env: Environment) -> Deck:
    """The deck a command uses when it needs one and none is named: the known deck with
    DEFAULT_DECK_ID (the learner's own copy first), else the first known deck."""
    known = known_decks_lenient(env)
    for deck in known.decks:
        if deck.id == DEFAULT_DECK_ID:
            return deck
    if known.decks:
        return known.decks[0]
    if known.problems:
        raise DeckError(known.problems)
    raise UsageError("no deck found; name a deck file, or reinstall quizkit to get the bundled deck")


def _looks_like_id(name: str) -> bool:
    """A name that is not an existing file is looked up as a deck id, unless it is a file name."""
    from quizkit.core.ids import ID_PATTERN

    return bool(ID_PATTERN.match(name)) and not name.lower().endswith(".toml")


def deck_paths(env: Environment, names: Sequence[Path | str]) -> list[Path]:
    """The files (or folders) the names on a command line stand for: a path that exists is kept
    as it is (it always wins over an id); a deck id is looked up among the known decks; anything
    else is kept, so that loading it says which file is missing."""
    wanted = [str(name) for name in names if not Path(name).exists() and _looks_like_id(str(name))]
    if not wanted:
        return [Path(name) for name in names]
    sources = known_sources(env, examples=True)
    loaded = load_files(env, [path for path, _ in sources], shadowable=_bundled())
    by_id = {deck.id: Path(deck.path) for deck in loaded.decks}
    for path in loaded.broken:  # a broken deck named by its file's stem: loading it names the problems
        by_id.setdefault(path.stem, path)
    missing = [name for name in wanted if name not in by_id]
    if missing:
        raise UsageError(unknown_deck(env, missing[0], loaded.decks, sources))
    return [by_id[str(name)] if str(name) in wanted else Path(name) for name in names]


def deck_path(env: Environment, name: Path | str) -> Path:
    """The file a deck named by its file or its id is in (see deck_paths)."""
    return deck_paths(env, [name])[0]


def one_deck(env: Environment, name: Path | str | None) -> Deck:
    """The deck named by its file or its id, loaded; without a name, the default deck."""
    if name is None:
        return default_deck(env)
    return deck_files.load_deck(deck_path(env, name), env.cache_dir, env.cache_key)


def deck_id_of(env: Environment, name: Path | str) -> str:
    """The id of a deck named by its file (loaded for its id) or by its id (kept as it is, known
    or not: what is kept in the database under a deck id outlives the deck's file)."""
    path = Path(name)
    if path.exists() or not _looks_like_id(str(name)):
        return deck_files.load_deck(path, env.cache_dir, env.cache_key).id
    return str(name)


def unknown_deck(
    env: Environment, name: str, decks: Sequence[Deck], sources: Sequence[tuple[Path, Origin]]
) -> str:
    """The message for a name that is neither a file nor a known deck's id: the known ones."""
    origins = {path.resolve(): origin for path, origin in sources}
    lines = [f"no deck {name!r}: it is neither a file nor the id of a deck quizkit knows"]
    if decks:
        lines.append("known decks:")
        width = max(len(deck.id) for deck in decks)
        for deck in decks:
            origin = origins.get(Path(deck.path).resolve(), Origin.FOLDERS)
            lines.append(f"  {deck.id:<{width}}  {origin.value}: {deck.path}")
    else:
        lines.append("quizkit knows no decks yet")
    own = f"your decks folder ({env.decks_dir}), " if env.decks_dir is not None else ""
    lines.append(f"decks are known from {own}the bundled decks and deck_folders in config.toml")
    return "\n".join(lines)


def shared_id(path: Path | str, deck_id: str, owner: Path | str) -> Problem:
    """The problem of a deck whose id another deck already has: they would share progress."""
    return Problem(
        str(path),
        None,
        None,
        f"deck id '{deck_id}' is also used by {owner}",
        "decks sharing an id share progress; give this one its own id in [deck]",
    )


class Loaded(Struct, frozen=True):
    """Decks loaded from files: those that can be studied, and every file that cannot, with why."""

    decks: list[Deck]
    """Each deck id once, the first file that has it."""
    problems: list[Problem]
    broken: list[Path]
    """Files that do not load, or whose deck id an earlier file has."""
    others: list[Deck]
    """Decks that loaded but reuse an earlier deck's id: not studied, but their cards are known."""


def load_files(env: Environment, files: Sequence[Path], shadowable: frozenset[Path] = frozenset()) -> Loaded:
    """Load every file (through the cache), collecting each one's problems instead of stopping.

    A file in `shadowable` (a bundled deck) whose id an earlier file has is left out silently:
    the learner's own copy of that deck is studied instead."""
    result = Loaded([], [], [], [])
    owners: dict[str, Path] = {}
    for path in files:
        try:
            deck = deck_files.load_deck(path, env.cache_dir, env.cache_key)
        except DeckError as error:
            result.problems.extend(error.problems)
            result.broken.append(path)
            continue
        if deck.id in owners and path.resolve() in shadowable:
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
    if paths:
        paths = deck_paths(env, paths)
    files = deck_files.find_deck_files(paths) if paths else known_deck_files(env)
    if not files:
        where = ", ".join(str(p) for p in paths)
        raise UsageError(f"no deck files (*.toml) found in {where}" if paths else "no decks found")
    loaded = load_files(env, files, shadowable=frozenset() if paths else _bundled())
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
    return load_files(env, known_deck_files(env), shadowable=_bundled())


def is_bundled(path: Path) -> bool:
    """Whether a deck file is one of the bundled decks (part of the installation)."""
    return path.resolve() in _bundled()


def copied_message(path: Path) -> str:
    """What the learner is told when a bundled deck was copied to be edited."""
    return f"copied the bundled deck to {path}; your edits go there"


def editable_path(env: Environment, deck: Deck) -> tuple[Path, bool]:
    """The file to edit for a deck, and whether it was just copied there.

    A deck's own file, unless it is a bundled deck: that file is part of the installation (in
    site-packages for a pip user) and the next install would lose the edits. Its first edit
    copies it into the learner's own decks folder, under the same name and deck id (so all its
    progress stays); that copy shadows the bundled deck from then on and is the one edited.
    """
    path = Path(deck.path)
    if env.decks_dir is None or not is_bundled(path):
        return path, False
    target = env.decks_dir / path.name
    if target.exists():  # copied before (the bundled deck was named by its file): edit the copy
        return target, False
    from quizkit.io import disk

    data = disk.read_bytes(path)
    try:
        env.decks_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UsageError(
            f"cannot make your decks folder {env.decks_dir}: {error.strerror}; "
            "the bundled deck was not copied"
        ) from None
    disk.write_atomic(target, data)
    return target, True
