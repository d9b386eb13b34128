"""Two installed quizkit versions, measured against each other in one run, turn by turn.

    python benchmarks/compare.py OLD_BIN NEW_BIN [--rounds N]

OLD_BIN and NEW_BIN are the `bin` folders of two virtual environments, each with a quizkit
installed (for example `pip install -e .` of two checkouts). Every measurement alternates
old, new, old, new... so that a busy or noisy machine slows both alike; each figure is a median.
The decks and the 1,000,000-review history are the ones benchmarks/run.py generates.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run  # noqa: E402  (the deck and history generators)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old", type=Path, help="bin folder of the first environment")
    parser.add_argument("new", type=Path, help="bin folder of the second environment")
    parser.add_argument("--rounds", type=int, default=15, help="runs of each command for each version")
    args = parser.parse_args(argv)
    bins = {"old": args.old, "new": args.new}
    work = Path(tempfile.mkdtemp(prefix="quizkit-compare-"))
    base = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}  # users have .pyc files

    def env(name: str, db: str) -> dict[str, str]:
        home = work / name
        return {
            **base,
            "QUIZKIT_NOW": run.NOW,
            "NO_COLOR": "1",
            "HOME": str(home),
            "XDG_DATA_HOME": str(home / "data"),
            "XDG_CACHE_HOME": str(home / "cache"),
            "XDG_CONFIG_HOME": str(home / "config"),
            "QUIZKIT_DB": str(home / db),
        }

    def once(command: list[str], environment: dict[str, str]) -> float:
        start = time.perf_counter()
        subprocess.run(command, env=environment, stdin=subprocess.DEVNULL, capture_output=True, check=False)
        return time.perf_counter() - start

    def measure(
        label: str,
        command: Callable[[str], list[str]],
        db: str,
        rounds: int,
        before: Callable[[str], None] | None = None,
    ) -> None:
        for name in bins:  # a first run of each, not counted: it creates the database or the cache
            once(command(name), env(name, db))
        times: dict[str, list[float]] = {name: [] for name in bins}
        for _ in range(rounds):
            for name in bins:
                if before is not None:
                    before(name)
                times[name].append(once(command(name), env(name, db)))
        old, new = (statistics.median(times[name]) for name in bins)
        print(
            f"{label:42s} old {old * 1000:7.0f} ms   new {new * 1000:7.0f} ms   {new / old - 1:+.0%}",
            flush=True,
        )

    try:
        for name in bins:
            (work / name / "config" / "quizkit").mkdir(parents=True)
        deck10 = run.write_deck(work / "deck-10000.toml", 10_000, 10_000, "bench-10000")
        deck50 = run.write_deck(work / "deck-50000.toml", 50_000, 50_000, "bench-50000")
        history = run.write_deck(work / "history.toml", 50_000, 99, "history")
        run.write_history(work / "history.db", "history", 50_000, 1_000_000, 5)
        folder = work / "ten-decks"
        folder.mkdir()
        for n in range(10):
            run.write_deck(folder / f"d{n}.toml", 100 if n else 50_000, n, "history" if n == 0 else f"d{n}")
        for name in bins:
            shutil.copy(work / "history.db", work / name / "history.db")
            (work / name / "config" / "quizkit" / "config.toml").write_text(f'deck_folders = ["{folder}"]\n')
        quizkit = {name: str(path / "quizkit") for name, path in bins.items()}

        def clear_cache(name: str) -> None:
            shutil.rmtree(work / name / "cache", ignore_errors=True)

        rounds = args.rounds
        measure(
            "baseline: import typer, rich.console",
            lambda n: [str(bins[n] / "python"), "-c", "import typer, rich.console"],
            "b.db",
            rounds,
        )
        measure("bundled deck, time to first card", lambda n: [quizkit[n], "review"], "bundled.db", rounds)
        measure("quizkit validate (bundled decks)", lambda n: [quizkit[n], "validate"], "bundled.db", rounds)
        measure("quizkit due", lambda n: [quizkit[n], "due"], "bundled.db", rounds)
        measure(
            "10,000 cards, first launch",
            lambda n: [quizkit[n], "review", str(deck10)],
            "d10.db",
            max(3, rounds // 3),
            clear_cache,
        )
        measure(
            "50,000 cards, first launch",
            lambda n: [quizkit[n], "review", str(deck50)],
            "d50.db",
            max(3, rounds // 4),
            clear_cache,
        )
        measure(
            "50,000 cards, second launch", lambda n: [quizkit[n], "review", str(deck50)], "d50.db", rounds
        )
        measure(
            "stats, 1,000,000 reviews",
            lambda n: [quizkit[n], "stats", str(history)],
            "history.db",
            max(3, rounds // 3),
        )
        measure("dashboard, 10 decks, 1,000,000 reviews", lambda n: [quizkit[n]], "history.db", rounds)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
