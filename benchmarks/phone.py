"""How long the phone bridge takes on a big history: export --with-progress, and the way back.

    python benchmarks/phone.py [--cards 2000] [--reviews 25] [--repeat 3]

A deck of --cards basic cards, each answered --reviews times in review mode (Good, Again every
seventh answer) over simulated days through quizkit's scheduler, is written into a fresh progress
database (not timed). Then, in a fresh temporary home, as a learner runs them:

1. `python -m quizkit export d --to apkg --with-progress -o d.apkg --force`
2. `python -m quizkit import d.apkg -o d.toml --with-progress` (progress only: every review-log
   row is quizkit's own and is recognised and skipped, the slowest case for the check).

Each figure is the best of --repeat runs (wall clock, start-up included).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from quizkit.core import scheduler
from quizkit.core.scheduler import SchedulerConfig
from quizkit.model import CardState, Rating
from quizkit.store.progress import Answer, Store

START = datetime(2025, 1, 6, 8, tzinfo=UTC)


def fill(db: Path, cards: int, reviews: int) -> datetime:
    """The history, answer by answer through the scheduler; returns the moment after the last."""
    config = SchedulerConfig()
    setting = json.dumps(config.to_dict(), sort_keys=True)
    latest = START
    with Store.open(db) as store, store.write(START):
        for n in range(cards):
            state, at = CardState(), START + timedelta(minutes=n % 600)
            for k in range(reviews):
                rating = Rating.AGAIN if (n + k) % 7 == 0 else Rating.GOOD
                after = scheduler.review(state, rating, at, config, key=f"d\x1fc{n}")
                store.record(
                    Answer("d", f"c{n}", at, rating, state, after, scheduler=setting, duration_ms=6000)
                )
                state = after
                assert after.due is not None
                at = max(after.due, at + timedelta(minutes=1))
            latest = max(latest, at)
    return latest + timedelta(days=1)


def best_of(repeat: int, command: list[str], env: dict[str, str], expect: str) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        done = subprocess.run(command, env=env, check=True, capture_output=True, text=True)
        times.append(time.perf_counter() - start)
        assert expect in done.stdout, done.stdout
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cards", type=int, default=2000)
    parser.add_argument("--reviews", type=int, default=25)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="quizkit-bench-") as home:
        root = Path(home)
        decks = root / "decks"
        decks.mkdir()
        deck = decks / "d.toml"
        deck.write_text(
            '[deck]\nid = "d"\ntitle = "Big deck"\n'
            + "".join(
                f'\n[[cards]]\nid = "c{n}"\nq = "Question {n}"\na = "Answer {n}"\n' for n in range(args.cards)
            ),
            encoding="utf-8",
        )
        (root / "config.toml").write_text(f'deck_folders = ["{decks}"]\n', encoding="utf-8")
        db = root / "p.db"
        started = time.perf_counter()
        now = fill(db, args.cards, args.reviews)
        print(
            f"history: {args.cards * args.reviews:,} answers of {args.cards:,} cards "
            f"(made in {time.perf_counter() - started:.1f} s)"
        )
        env = {
            **os.environ,
            "HOME": home,
            "XDG_DATA_HOME": f"{home}/d",
            "XDG_STATE_HOME": f"{home}/s",
            "XDG_CACHE_HOME": f"{home}/c",
            "XDG_CONFIG_HOME": f"{home}/g",
            "QUIZKIT_DB": str(db),
            "QUIZKIT_CONFIG": str(root / "config.toml"),
            "QUIZKIT_NOW": now.isoformat(),
            "NO_COLOR": "1",
        }
        package = root / "d.apkg"
        quizkit = [sys.executable, "-m", "quizkit"]
        out = best_of(
            args.repeat,
            [*quizkit, "export", str(deck), "--to", "apkg", "--with-progress", "-o", str(package), "--force"],
            env,
            "with progress:",
        )
        size = package.stat().st_size
        print(f"export --with-progress: {out:.2f} s ({size / 2**20:.1f} MB package)")
        back = best_of(
            args.repeat,
            [*quizkit, "import", str(package), "-o", str(deck), "--with-progress"],
            env,
            "written by quizkit",
        )
        print(f"import back, progress only (every row quizkit's own): {back:.2f} s")


if __name__ == "__main__":
    main()
