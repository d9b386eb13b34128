"""Small helpers shared by test modules."""

from __future__ import annotations

import os
import shutil
import subprocess
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


def chromium(tmp_path: Path, page: Path, *args: str) -> str:
    """Headless Chromium on `page` with a profile of its own in `tmp_path` (PDF, screenshot,
    --dump-dom...): its standard output."""
    profile = tmp_path / "chromium-profile"
    env = {
        **os.environ,
        "HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(profile / "config"),
        "XDG_CACHE_HOME": str(profile / "cache"),
    }
    command = [
        str(CHROMIUM),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-crash-reporter",
        f"--user-data-dir={profile}",
        *args,
        page.as_uri(),
    ]
    done = subprocess.run(command, env=env, capture_output=True, timeout=120, check=True, text=True)
    return done.stdout
