"""How long `quizkit sync` takes: a fresh database receiving 1,000,000 events, then an idle sync.

    python benchmarks/sync.py                     # 1,000,000 events (a minute or two)
    python benchmarks/sync.py --events 100000     # smaller, quicker

Two devices' folders are generated from a seed, as `quizkit sync` writes them: segments of
50,000 events, answers of 20 cards per 1,000 events (so each card has about 50 answers over a
couple of years, a few with an Again then a same-day answer), a burial now and then, an undo now
and then. A fresh progress database then syncs once (every event read, checked, inserted, and
every card replayed: the "replay" figure), and then again with nothing new (the "idle" figure,
the median of 20). Everything lives in a temporary folder that is removed afterwards.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from quizkit.app.sync import run_sync  # noqa: E402
from quizkit.core.scheduler import SchedulerConfig  # noqa: E402
from quizkit.io import sync_files  # noqa: E402
from quizkit.shapes.sync import Event  # noqa: E402
from quizkit.store.progress import Store  # noqa: E402

SEGMENT = 50_000
START = datetime(2024, 1, 1, 8, tzinfo=UTC)


def generate(folder: Path, total: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    config = json.dumps(SchedulerConfig().to_dict(), sort_keys=True)
    devices = [f"{rng.getrandbits(128):032x}" for _ in range(2)]
    cards = max(1, total // 50)
    clock = {card: START + timedelta(minutes=rng.randrange(0, 60 * 24 * 30)) for card in range(cards)}
    per_device: dict[str, list[Event]] = {d: [] for d in devices}
    seq = dict.fromkeys(devices, 0)
    last_review: dict[str, str] = {}
    for n in range(total):
        device = devices[n % 2]
        seq[device] += 1
        event_id = f"{device}:{seq[device]}"
        card = rng.randrange(cards)
        at = clock[card] = clock[card] + timedelta(days=rng.choice((0.01, 1, 2, 3, 5, 8, 13, 21)))
        ms = round(at.timestamp() * 1000)
        roll = rng.random()
        if roll < 0.01 and device in last_review:
            per_device[device].append(
                {"id": event_id, "kind": "undo", "at": ms, "of": last_review.pop(device)}
            )
        elif roll < 0.02:
            per_device[device].append(
                {
                    "id": event_id,
                    "kind": "change",
                    "at": ms,
                    "deck": "bench",
                    "card": f"card-{card}",
                    "action": "bury",
                    "until": ms + 86_400_000,
                }
            )
        else:
            per_device[device].append(
                {
                    "id": event_id,
                    "kind": "review",
                    "at": ms,
                    "deck": "bench",
                    "card": f"card-{card}",
                    "rating": rng.choices((1, 2, 3, 4), (10, 5, 80, 5))[0],
                    "proposed": None,
                    "answer": None,
                    "correct": None,
                    "graded": None,
                    "duration_ms": rng.randrange(2000, 20000),
                    "mode": "review",
                    "phase_before": 2,
                    "origin": None,
                    "imported_from": None,
                    "config": config,
                    "cap": None,
                }
            )
            last_review[device] = event_id
    for device, events in per_device.items():
        for start in range(0, len(events), SEGMENT):
            chunk = events[start : start + SEGMENT]
            sync_files.write_segment(folder, device, start + 1, chunk)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=1_000_000)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="quizkit-sync-bench-"))
    try:
        folder = work / "shared"
        folder.mkdir()
        began = time.perf_counter()
        generate(folder, args.events)
        print(f"generated {args.events:,} events in {time.perf_counter() - began:.1f} s")
        now = datetime(2026, 6, 1, tzinfo=UTC)
        with Store.open(work / "fresh.db") as store:
            began, cpu = time.perf_counter(), time.process_time()
            report = run_sync(store, folder, now, "bench")
            replay_s, cpu_s = time.perf_counter() - began, time.process_time() - cpu
            assert store.schema_problems() == []  # the indexes dropped for the bulk merge are back
            print(
                f"replay into a fresh store: {replay_s:.1f} s ({cpu_s:.1f} s of CPU: less swayed by other "
                "work on the machine) "
                f"({report.received:,} events received, {report.rebuilt:,} cards rebuilt)"
            )
        idle = []
        for _ in range(20):
            began = time.perf_counter()
            with Store.open(work / "fresh.db") as store:  # as the command does: open, sync, close
                again = run_sync(store, folder, now, "bench")
            idle.append(time.perf_counter() - began)
            assert (again.sent, again.received) == (0, 0)
        median_ms = statistics.median(idle) * 1000
        print(f"idle sync (open the store, list the folder, nothing new): median {median_ms:.0f} ms")
        python = f"{platform.python_implementation()} {platform.python_version()}"
        print(f"machine: {platform.machine()}, {platform.processor() or 'cpu'}, {python}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
