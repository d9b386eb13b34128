"""Small helpers shared by test modules."""

from __future__ import annotations

import shutil
from pathlib import Path

HEAD = '[deck]\ntitle = "T"\n'


def assert_log_replays(db: Path) -> list[tuple[str, int]]:
    """Each card's answers (review mode, not undone, in order) chain state_before -> state_after from a
    new card, and end in the card's state in the cards table. Returns the (card, rating) of each."""
    import json
    import sqlite3

    connection = sqlite3.connect(db)
    try:
        rows = connection.execute(
            """SELECT card_id, rating, state_before, state_after FROM reviews r
               WHERE mode = 'review' AND NOT EXISTS (SELECT 1 FROM undos u WHERE u.review_id = r.id)
               ORDER BY id"""
        ).fetchall()
        cards = {
            card: (phase, reps, lapses)
            for card, phase, reps, lapses in connection.execute(
                "SELECT card_id, phase, reps, lapses FROM cards"
            )
        }
    finally:
        connection.close()
    last: dict[str, dict[str, object]] = {}
    for card, _, before, after in rows:
        before_state = json.loads(before)
        if card in last:
            assert before_state == last[card], f"{card}: an answer computed from a stale state"
        else:
            assert (before_state["phase"], before_state["reps"]) == (0, 0), (
                f"{card}: first answer not from new"
            )
        last[card] = json.loads(after)
    assert {card: (s["phase"], s["reps"], s["lapses"]) for card, s in last.items()} == cards
    return [(card, rating) for card, rating, _, _ in rows]


CHROMIUM = next(
    (found for name in ("chromium", "chromium-browser", "google-chrome") if (found := shutil.which(name))),
    None,
)
"""Headless Chromium for the HTML checks (worksheets, Anki card templates); None skips them."""
