"""quizkit doctor: the database's integrity, orphaned progress, the daily backups and restoring one."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from quizkit.app.env import Environment
from quizkit.app.library import known_decks_lenient
from quizkit.errors import UsageError
from quizkit.ui import words


def doctor(env: Environment, remove_orphans: bool = False, restore: str | None = None) -> int:
    """Check the database, list orphaned progress and backups; remove orphans or restore on request."""
    from quizkit.errors import StoreError
    from quizkit.store.progress import Store

    now = env.clock()
    assert env.db_path is not None
    out = env.stdout
    out.print(words.plain(f"database: {env.db_path}"), soft_wrap=True)
    if restore is not None:
        return _restore(env, restore, now)
    try:
        store = Store.open(env.db_path, create=False)
    except StoreError as error:
        env.stderr.print(words.plain(f"error: {error}"), soft_wrap=True)
        _list_backups(env)
        return 1
    with store:
        problems = store.integrity()
        if problems:
            for problem in problems:
                out.print(words.plain(f"  integrity: {problem}"), style="red")
            _list_backups(env)
            return 1
        out.print(f"  integrity: ok (schema version {store.schema_version}, {store.review_count()} reviews)")
        # A card is orphaned when no deck file that loads has it: a deck that reuses another's id
        # still counts, so its cards' progress is never taken for an orphan's.
        lenient = known_decks_lenient(env)
        known: dict[str, set[str]] = {}
        for deck in lenient.decks + lenient.others:
            known.setdefault(deck.id, set()).update(card.id for card in deck.cards)
        orphans = sorted(
            (deck_id, card_id)
            for deck_id, cards in store.known_cards().items()
            for card_id in cards
            if card_id not in known.get(deck_id, set())
        )
        if not orphans:
            out.print("  orphaned progress: none")
        else:
            out.print(f"  orphaned progress: {len(orphans)} card(s) no longer in any known deck")
            for deck_id, card_id in orphans[:50]:
                out.print(words.plain(f"    {deck_id} / {card_id}"), soft_wrap=True)
            if remove_orphans:
                store.remove_progress(orphans, now)
                out.print(
                    f"  removed the scheduling state of {len(orphans)} card(s); their review history is kept"
                )
            else:
                out.print("  run 'quizkit doctor --remove-orphans' to forget them (the review log is kept)")
        _list_backups(env)
    return 0


def _list_backups(env: Environment) -> None:
    from quizkit.store.db import backups_of

    assert env.db_path is not None
    backups = backups_of(env.db_path)
    if backups:
        env.stdout.print(
            f"  backups ({len(backups)}); restore one with 'quizkit doctor --restore FILE' or 'latest':"
        )
        for path in backups:
            env.stdout.print(words.plain(f"    {path}"), soft_wrap=True)
    else:
        env.stdout.print("  backups: none yet (one is taken each day before the first answer)")


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
