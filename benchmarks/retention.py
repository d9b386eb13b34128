"""How long quizkit retention takes: the simulation alone, and the whole command.

    python benchmarks/retention.py [--repeat 3]

1. core.retention.simulate for 28 retentions x 365 days over
   a. 10,000 new cards at 20 new a day (7,300 of them seen within the year),
   b. 10,000 cards already studied (stabilities 1 to 300 days, due over the next weeks),
   c. the bundled deck's cards (simulated 10,000 times over in all: MIN_SIMULATED),
   d. 100,000 cards already studied (simulated through a sample of 50,000: MAX_SIMULATED).
2. `python -m quizkit retention --deck taliban-pakistan --json`, in a fresh temporary home and
   database, start-up and deck loading included.

Each figure is the best of --repeat runs (wall clock).
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from quizkit.core import retention as model
from quizkit.core.scheduler import DEFAULT_PARAMETERS

REPO = Path(__file__).resolve().parent.parent


def best_of(repeat: int, work: object) -> float:
    assert callable(work)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    repeat = parser.parse_args().repeat
    rng = random.Random(1)
    studied = [
        model.Studied(rng.uniform(1, 300), rng.uniform(1, 10), rng.randrange(0, 30)) for _ in range(10_000)
    ]
    cases = {
        "10,000 new cards, 20 a day": lambda: model.simulate(
            DEFAULT_PARAMETERS, model.ANKI_COSTS, [], [model.NewCards(10_000, 20)]
        ),
        "10,000 cards already studied": lambda: model.simulate(
            DEFAULT_PARAMETERS, model.ANKI_COSTS, studied, []
        ),
        "86 new cards (the bundled deck), 20 a day": lambda: model.simulate(
            DEFAULT_PARAMETERS, model.ANKI_COSTS, [], [model.NewCards(86, 20)]
        ),
        "100,000 cards already studied": lambda: model.simulate(
            DEFAULT_PARAMETERS, model.ANKI_COSTS, studied * 10, []
        ),
    }
    for name, work in cases.items():
        print(f"simulate, {name}: {best_of(repeat, work):.2f} s")

    def command() -> None:
        with tempfile.TemporaryDirectory() as home:
            env = dict(os.environ)
            env.update(
                HOME=home,
                XDG_DATA_HOME=f"{home}/d",
                XDG_STATE_HOME=f"{home}/s",
                XDG_CACHE_HOME=f"{home}/c",
                XDG_CONFIG_HOME=f"{home}/g",
                QUIZKIT_DB=f"{home}/p.db",
                NO_COLOR="1",
            )
            subprocess.run(
                [sys.executable, "-m", "quizkit", "retention", "--deck", "taliban-pakistan", "--json"],
                cwd=REPO,
                env=env,
                check=True,
                capture_output=True,
            )

    whole = best_of(repeat, command)
    print(f"quizkit retention --deck taliban-pakistan --json (whole command): {whole:.2f} s")


if __name__ == "__main__":
    main()
