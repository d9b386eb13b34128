"""quizkit doctor: the database's integrity, orphaned progress, the daily backups and restoring one.

doctor always runs, whatever state the file is in: it says what is wrong and, when the file is
damaged, offers the backups.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from quizkit.app.env import Environment
from quizkit.app.library import known_decks_lenient, load_files
from quizkit.errors import StoreError, UsageError
from quizkit.ui import words


def doctor(
    env: Environment, remove_orphans: bool = False, restore: str | None = None, yes: bool = False
) -> int:
    """Check the database, list orphaned progress and backups; remove orphans or restore on request."""
    from quizkit.store import db
    from quizkit.store.progress import Store

    now = env.clock()
    assert env.db_path is not None
    out = env.stdout
    out.print(words.plain(f"database: {env.db_path}"), soft_wrap=True)
    if restore is not None:
        return _restore(env, restore, now)
    wal = db.wal_problems(env.db_path)  # before opening: closing folds the log in and removes it
    for problem in wal:
        out.print(words.plain(f"  write-ahead log: {problem}"), style="red", soft_wrap=True)
    try:
        store = Store.open(env.db_path, create=False)
    except StoreError as error:
        env.stderr.print(words.plain(f"error: {error}"), soft_wrap=True)
        _list_backups(env, damaged=_is_damage(error))
        return 1
    with store:
        try:
            problems = store.integrity()
            disagreements = [] if problems else store.log_disagreements()
        except StoreError as error:
            problems, disagreements = [str(error)], []
        if problems or disagreements or wal:
            for problem in problems:
                out.print(words.plain(f"  integrity: {problem}"), style="red", soft_wrap=True)
            if disagreements:
                out.print(
                    f"  review log: {len(disagreements)} card(s) whose state disagrees with the log "
                    "(answers lost from the file?)",
                    style="red",
                )
                for line in disagreements[:20]:
                    out.print(words.plain(f"    {line}"), soft_wrap=True)
            _list_backups(env, damaged=True)
            return 1
        try:
            out.print(
                f"  integrity: ok (schema version {store.schema_version}, {store.review_count()} reviews)"
            )
            code = _orphans(env, store, remove_orphans, yes, now)
        except StoreError as error:
            env.stderr.print(words.plain(f"error: {error}"), soft_wrap=True)
            _list_backups(env, damaged=_is_damage(error))
            return 1
        _list_backups(env)
    return code


def _is_damage(error: StoreError) -> bool:
    from quizkit.store.db import DatabaseFault, Fault

    return not isinstance(error, DatabaseFault) or error.kind == Fault.DAMAGED


def _orphans(env: Environment, store: object, remove: bool, yes: bool, now: datetime) -> int:
    """Progress is orphaned only when its deck's file is known, still loads and lacks the card.

    A deck studied by its path (not in deck_folders) is known by the path the store kept; a deck
    whose file is gone or broken is never taken for an orphan's: its progress waits for it.
    """
    from quizkit.store.db import backup_dir
    from quizkit.store.progress import Store

    assert isinstance(store, Store) and env.db_path is not None
    out = env.stdout
    lenient = known_decks_lenient(env)
    loaded = lenient.decks + lenient.others
    seen = {Path(path) for paths in store.deck_paths().values() for path in paths}
    already = {Path(deck.path).resolve() for deck in loaded}
    extra = sorted(p for p in seen if p not in already and p.is_file())
    if extra:
        more = load_files(env, extra)
        loaded += more.decks + more.others
    known: dict[str, set[str]] = {}
    for deck in loaded:
        known.setdefault(deck.id, set()).update(card.id for card in deck.cards)
    orphans = sorted(
        (deck_id, card_id)
        for deck_id, cards in store.known_cards().items()
        if deck_id in known
        for card_id in cards
        if card_id not in known[deck_id]
    )
    if not orphans:
        out.print("  orphaned progress: none")
        return 0
    out.print(f"  orphaned progress: {len(orphans)} card(s) no longer in their deck's file")
    for deck_id, card_id in orphans[:50]:
        out.print(words.plain(f"    {deck_id} / {card_id}"), soft_wrap=True)
    if not remove:
        out.print(
            "  run 'quizkit doctor --remove-orphans' to forget them "
            "(a backup is taken first; the review log is kept)"
        )
        return 0
    if not yes:
        if not env.stdin_isatty:
            raise UsageError(
                "--remove-orphans asks before it forgets progress; add --yes to do it without asking"
            )
        out.print(f"  forget the scheduling state of {len(orphans)} card(s)? [y/N] ", end="", markup=False)
        reply = env.stdin.readline().strip().lower()
        if reply not in ("y", "yes"):
            out.print("  nothing removed")
            return 0
    target = backup_dir(env.db_path) / f"{env.db_path.stem}-before-remove-orphans-{now:%Y%m%dT%H%M%S}.db"
    try:
        store.backup_to(target)
    except (OSError, StoreError) as error:
        from quizkit.store.db import error_text

        raise StoreError(
            f"no backup could be taken before removing orphaned progress ({error_text(error)}); "
            "nothing was removed"
        ) from None
    out.print(words.plain(f"  backup taken: {target}"), soft_wrap=True)
    store.remove_progress(orphans, now)
    out.print(f"  removed the scheduling state of {len(orphans)} card(s); their review history is kept")
    return 0


def _list_backups(env: Environment, damaged: bool = False) -> None:
    from quizkit.store.db import backups_of

    assert env.db_path is not None
    backups = backups_of(env.db_path)
    if backups:
        env.stdout.print(
            f"  backups ({len(backups)}); restore one with 'quizkit doctor --restore FILE' or 'latest':"
        )
        for path in backups:
            env.stdout.print(words.plain(f"    {path}"), soft_wrap=True)
    elif damaged:
        env.stdout.print(
            "  backups: none to restore; move the file aside (or use --db) to start a new database"
        )
    else:
        env.stdout.print("  backups: none yet (one is taken each day with the first answer)")


def _restore(env: Environment, which: str, now: datetime) -> int:
    from quizkit.store import db

    assert env.db_path is not None
    if which == "latest":
        backups = db.backups_of(env.db_path)
        if not backups:
            raise UsageError("there are no backups to restore")
        source = backups[-1]
    else:
        source = Path(which)
        if not source.is_file():
            raise UsageError(f"no backup at {which}")
    kept = db.restore(env.db_path, source, now)
    env.stdout.print(words.plain(f"  restored {source}"), soft_wrap=True)
    if kept:
        env.stdout.print(words.plain(f"  the previous file is kept as {kept}"), soft_wrap=True)
    return 0
