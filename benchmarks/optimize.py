"""How long `quizkit optimize` takes on a large history, and how much memory it needs.

    python benchmarks/optimize.py                      # 1,000,000 reviews (a few minutes)
    python benchmarks/optimize.py --reviews 100000     # smaller, quicker
    python benchmarks/optimize.py --revlog tests/data/anki-revlog-12k.csv   # a real log
    python benchmarks/optimize.py --write-csv /tmp/1m.csv   # only write the history, as a revlog
                                                            # CSV, to time the whole command on it

A history shaped like a real Anki log is generated from a seed: cards introduced day by day
over two years (a few hundred a day), each reviewed when FSRS-6 (with parameters a little off
the defaults) says it is due, a day or two late now and then, recalled with the probability
the model gives; an Again is followed by a same-day review ten minutes later, as in learning
and relearning steps; histories are cut at the last day, so recent cards have few reviews. The
reviews are chronological, as in a real log. Then `fitting.histories` (study days, arrays) and
`fitting.evaluate` (5-fold time-series split and the final fit: what the command does) are
timed, and the process's peak resident set measured before and after `evaluate` (the whole run's
peak: generating the history, its arrays and the fit; tracemalloc is not used, as it slows numpy's
many small operations sevenfold).
"""

from __future__ import annotations

import argparse
import gc
import math
import os
import platform
import random
import resource
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from quizkit.core import fitting  # noqa: E402
from quizkit.core.scheduler import DEFAULT_PARAMETERS, SchedulerConfig  # noqa: E402
from quizkit.model import Rating  # noqa: E402

CONFIG = SchedulerConfig(fuzz=False, tz=UTC, day_start_hour=4)
START = datetime(2024, 1, 1, tzinfo=UTC)
DAYS = 730
TRUE = list(DEFAULT_PARAMETERS)
TRUE[0:4] = [0.4, 1.1, 3.2, 12.0]
TRUE[8], TRUE[20] = 1.6, 0.3
"""The simulated learner: a little off the defaults, so that a fit has something to find."""


def simulate(reviews: int, seed: int) -> dict[str, list[tuple[datetime, Rating]]]:
    """`reviews` reviews of as many cards as it takes, FSRS-6's formulas written out (fast)."""
    rng = random.Random(seed)
    w = TRUE
    decay = -w[20]
    factor = 0.9 ** (1 / decay) - 1
    per_day = max(1, reviews // (DAYS * 14))
    out: dict[str, list[tuple[datetime, Rating]]] = {}
    total = 0
    card = 0
    while total < reviews:
        card += 1
        day = min(DAYS - 1, (card - 1) // per_day)
        moment = START + timedelta(days=day, hours=rng.uniform(4.5, 23.5))
        history: list[tuple[datetime, Rating]] = []
        rating = rng.choices((1, 2, 3, 4), (25, 5, 62, 8))[0]
        s = w[rating - 1]
        d = min(10.0, max(1.0, w[4] - math.exp(w[5] * (rating - 1)) + 1))
        history.append((moment, Rating(rating)))
        last_day = day
        while total + len(history) < reviews:
            if rating == 1:  # a learning or relearning step: again ten minutes later
                moment += timedelta(minutes=10)
                t = 0
            else:
                interval = max(1, round(s * rng.uniform(0.95, 1.05)))
                late = rng.choices((0, 1, 2, 5), (70, 15, 10, 5))[0]
                moment = START + timedelta(days=last_day + interval + late, hours=rng.uniform(4.5, 23.5))
                t = interval + late
            today = (moment - START - timedelta(hours=4)).days
            if today >= DAYS:
                break
            t = today - last_day
            r = (1 + factor * t / s) ** decay
            recalled = rng.random() < (r if t else 0.85)
            rating = rng.choices((2, 3, 4), (10, 82, 8))[0] if recalled else 1
            if t == 0:
                sinc = math.exp(w[17] * (rating - 3 + w[18])) * s ** -w[19]
                s *= max(sinc, 1.0) if rating >= 2 else sinc
            elif rating == 1:
                long = w[11] * d ** -w[12] * ((s + 1) ** w[13] - 1) * math.exp((1 - r) * w[14])
                s = min(long, s / math.exp(w[17] * w[18]))
            else:
                bonus = (w[15] if rating == 2 else 1.0) * (w[16] if rating == 4 else 1.0)
                s *= 1 + math.exp(w[8]) * (11 - d) * s ** -w[9] * (math.exp((1 - r) * w[10]) - 1) * bonus
            s = min(max(s, 0.001), 36500.0)
            step = d + (10 - d) * (-w[6] * (rating - 3)) / 9
            d = min(10.0, max(1.0, w[7] * (w[4] - math.exp(3 * w[5]) + 1) + (1 - w[7]) * step))
            history.append((moment, Rating(rating)))
            last_day = today
        out[str(card)] = history
        total += len(history)
    return out


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    system = f"{platform.system()} {platform.release()}"
    return f"{cpu}, {os.cpu_count()} cores; {system}; Python {platform.python_version()}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reviews", type=int, default=1_000_000, help="reviews to generate")
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument("--revlog", type=Path, help="time a real Anki-style CSV instead")
    parser.add_argument("--write-csv", type=Path, help="write the generated history there and stop")
    args = parser.parse_args(argv)
    if args.write_csv:
        with args.write_csv.open("w", encoding="utf-8", newline="") as out:
            out.write("card_id,review_rating,review_time,review_duration\n")
            for card, history in simulate(args.reviews, args.seed).items():
                out.writelines(f"{card},{int(r)},{m.isoformat()},8000\n" for m, r in history)
        print(f"wrote {args.write_csv}")
        return 0

    print(f"machine: {machine()}")
    began = time.perf_counter()
    if args.revlog:
        from quizkit.io.revlog import read_revlog

        reviews = read_revlog(args.revlog)
        print(f"read {args.revlog}: {time.perf_counter() - began:.1f} s")
    else:
        reviews = simulate(args.reviews, args.seed)
        print(f"generated (seed {args.seed}): {time.perf_counter() - began:.1f} s")
    began = time.perf_counter()
    h = fitting.histories(reviews, CONFIG)
    del reviews
    gc.collect()
    print(
        f"histories: {time.perf_counter() - began:.1f} s; {h.n_reviews:,} reviews of "
        f"{h.rating.shape[0]:,} cards (longest {h.rating.shape[1]}), {h.n_predicted:,} long-term"
    )
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    began = time.perf_counter()
    steps: list[float] = []
    result = fitting.evaluate(h, progress=lambda done, total: steps.append(time.perf_counter() - began))
    elapsed = time.perf_counter() - began
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"evaluate: {elapsed:.1f} s (progress at {', '.join(f'{s:.0f}' for s in steps)} s)")
    print(f"peak resident memory: {rss_before:.0f} MB before evaluate, {rss:.0f} MB after (whole run)")
    print(f"tested on {result.n_test:,} reviews")
    for label, m in (("defaults", result.before), ("fitted", result.after)):
        print(f"  {label:<9} log loss {m.log_loss:.4f}  RMSE(bins) {m.rmse_bins:.4f}  AUC {m.auc:.4f}")
    print("parameters: " + ", ".join(f"{x:g}" for x in result.parameters))
    if not args.revlog:
        print("true:       " + ", ".join(f"{x:g}" for x in TRUE))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
