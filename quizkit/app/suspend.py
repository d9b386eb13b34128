"""quizkit suspend and quizkit unsuspend: take cards out of the reviews, or put them back."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from quizkit.app.env import Environment
from quizkit.app.library import deck_path as resolve
from quizkit.errors import UsageError
from quizkit.io import deck_files
from quizkit.model import CardState
from quizkit.ui import words


def set_suspended(
    env: Environment, deck_name: Path | str, card_ids: Sequence[str], suspended: bool, all_cards: bool
) -> int:
    """Suspend or unsuspend cards by id (or every suspended card, with all_cards)."""
    from msgspec.structs import replace as with_changes

    from quizkit.store.progress import Action

    deck_path = resolve(env, deck_name)
    deck = deck_files.load_deck(deck_path, env.cache_dir, env.cache_key)
    now = env.clock()
    wanted = list(card_ids)
    unknown = [card_id for card_id in wanted if deck.card(card_id) is None]
    if unknown:
        raise UsageError(f"no card {unknown[0]!r} in {deck_path}; 'quizkit show {deck_name}' lists the ids")
    with env.open_store() as store:
        states = store.states(deck.id)
        if all_cards:
            wanted = sorted(card_id for card_id, state in states.items() if state.suspended != suspended)
        if not wanted and all_cards:  # nothing to do is not an error
            nothing = "not suspended: nothing to suspend" if suspended else "suspended: nothing to unsuspend"
            env.stdout.print(words.plain(f"no card of {deck.id} is {nothing}"), soft_wrap=True)
            return 0
        if not wanted:
            raise UsageError("name the cards to change, or use --all")
        for card_id in wanted:
            state = states.get(card_id, CardState())
            # Unsuspending a leech keeps its lapse count: it will be flagged again at the next threshold.
            # Logged as a change (not a bare state), so that quizkit sync carries it to other devices.
            action = Action.SUSPEND if suspended else Action.UNSUSPEND
            store.change(
                deck.id, card_id, action, state, with_changes(state, suspended=suspended), now, env.origin
            )
    verb = "suspended" if suspended else "unsuspended"
    env.stdout.print(words.plain(f"{verb} {len(wanted)} card(s): {', '.join(wanted)}"), soft_wrap=True)
    return 0
