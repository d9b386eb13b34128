"""quizkit's performance benchmark: whole processes, repeated, medians, against a baseline.

    python benchmarks/run.py            # full run (about 10 minutes); rewrites docs/performance.md
    python benchmarks/run.py --smoke    # smallest size only, a few seconds; CI runs this

Everything is generated from fixed seeds in a temporary folder: decks of 100, 10,000 and
50,000 cards and a history of 1,000,000 reviews over 50,000 cards. Timings are medians of
repeated runs of the installed `quizkit` command, compared with a baseline measured in the
same run (`python -c "import typer, rich.console"`), so a slower or busier machine moves both.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from io import StringIO
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
NOW = "2026-03-02T09:00:00+00:00"
WORDS = (
    "treaty border alliance province tribal frontier militia regime accord envoy council faction "
    "insurgent ceasefire corridor mandate summit embassy coalition doctrine rival agency"
).split()


# ---------------------------------------------------------------- generating data


def sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def write_deck(path: Path, size: int, seed: int, deck_id: str, pictures: bool = False) -> Path:
    """A deck of every kind, about 370 bytes a card (50,000 cards are about 18 MB). With
    `pictures`, one card in ten (the first among them) shows one of ten 1,200 x 800 PNG maps."""
    rng = random.Random(seed)
    out = [f'[deck]\nid = "{deck_id}"\ntitle = "Benchmark deck of {size} cards"\n']
    if pictures:
        write_maps(path.parent / f"{path.stem}-maps")
    for i in range(size):
        out.append(f'\n[[cards]]\nid = "c{i}"\n')
        if pictures and i % 10 == 0:
            out.append(
                f'image = "{path.stem}-maps/map{i // 10 % 10}.png"\nimage_alt = "map {i // 10 % 10}"\n'
            )
        kind = i % 5
        if kind == 0:
            out.append(f'q = "{sentence(rng, 12)}?"\na = "{sentence(rng, 3)}"\n')
        elif kind == 1:
            options = [f"{sentence(rng, 2)} {n}" for n in range(4)]
            out.append(f'q = "{sentence(rng, 10)}?"\nchoices = {json.dumps(options)}\na = "{options[1]}"\n')
        elif kind == 2:
            out.append(f'q = "{sentence(rng, 12)}."\na = {"true" if i % 2 else "false"}\n')
        elif kind == 3:
            out.append(f'cloze = "{sentence(rng, 6)} {{{{{rng.choice(WORDS)}}}}} {sentence(rng, 6)}"\n')
        else:
            out.append(f'q = "{sentence(rng, 8)}?"\na = "{rng.randint(1000, 2000)}"\ntype = "typed"\n')
        out.append(
            f'tags = ["{rng.choice(WORDS)}", "t{i % 40}"]\n'
            f'explain = "{sentence(rng, 25)}"\nsource = "{sentence(rng, 15)}"\n'
        )
    path.write_text("".join(out), encoding="utf-8")
    return path


def write_maps(folder: Path) -> None:
    """Ten 1,200 x 800 PNG maps: noise under lines, so they compress like real maps, not like flat colour."""
    from PIL import Image, ImageDraw

    folder.mkdir(exist_ok=True)
    rng = random.Random(3)
    for n in range(10):
        image = Image.effect_noise((1200, 800), 40 + n).convert("RGB")
        draw = ImageDraw.Draw(image)
        for _ in range(40):
            points = [(rng.randrange(1200), rng.randrange(800)) for _ in range(4)]
            draw.line(points, fill=(rng.randrange(256), rng.randrange(256), 60), width=5)
        image.save(folder / f"map{n}.png")


def write_class(folder: Path, students: int, questions: int, seed: int) -> Path:
    """A class's exam reports (quizkit quiz --report's JSON): four-option questions answered
    under a 2PL item-response model, abilities N(0, 1)."""
    import math

    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    items = [(rng.uniform(0.8, 2.0), rng.uniform(-1.5, 1.5)) for _ in range(questions)]
    options = ["alpha", "bravo", "charlie", "delta"]
    for s in range(students):
        ability = rng.gauss(0, 1)
        answers = []
        for q, (a, b) in enumerate(items):
            right = rng.random() < 1 / (1 + math.exp(-a * (ability - b)))
            picked = "alpha" if right else rng.choice(options[1:])
            answers.append(
                {
                    "number": q + 1, "card": f"q{q}", "kind": "choice", "question": f"Question {q}?",
                    "choices": options, "answer_given": picked, "right_answer": "alpha",
                    "verdict": "right" if right else "wrong", "self_graded": False,
                    "score": 1.0 if right else 0.0, "seconds": 12.5, "explain": "", "source": "",
                    "tags": [f"t{q % 8}"],
                }
            )  # fmt: skip
        report = {
            "deck": {"id": "class", "title": "Class exam"}, "started": f"2026-03-02T09:{s % 60:02d}:00+00:00",
            "finished": "2026-03-02T10:00:00+00:00", "time_zone": "UTC", "seed": 1,
            "time_limit_seconds": 1200,
            "timed_out": False, "questions": questions, "right": 0, "self_graded": 0, "score": 0.0,
            "pass_mark": 60.0, "passed": None, "by_tag": [], "items": answers,
        }  # fmt: skip
        (folder / f"s{s:04d}.json").write_text(json.dumps(report), encoding="utf-8")
    return folder


def write_history(db: Path, deck_id: str, cards: int, reviews: int, seed: int) -> None:
    """A year of answers (review-mode log rows and card states), written straight into the schema.

    The schema comes from quizkit itself (Store.open migrates the empty file first). Each card's
    answers are spread over the year; intervals follow the answers (Again shortens, Good lengthens,
    capped at a year), and every row carries its state before and after as quizkit writes them.
    """
    from quizkit.model import CardState, Phase
    from quizkit.store.progress import Store, state_to_dict

    Store.open(db).close()
    rng = random.Random(seed)
    end = datetime.fromisoformat(NOW)
    start = end - timedelta(days=365)
    per_card = max(1, reviews // cards)
    rows = []
    states = []
    for c in range(cards):
        moments = sorted(start + timedelta(seconds=rng.randrange(365 * 86400)) for _ in range(per_card))
        before = CardState()
        for moment in moments:
            rating = 1 if rng.random() < 0.12 else 3
            stability = min(365.0, max(0.5, (before.stability or 1.0) * (0.5 if rating == 1 else 2.2)))
            after = CardState(
                Phase.REVIEW,
                None,
                stability,
                5.0,
                moment + timedelta(days=stability),
                moment,
                before.reps + 1,
                before.lapses + (rating == 1 and before.phase is Phase.REVIEW),
            )
            rows.append(
                (
                    deck_id,
                    f"c{c}",
                    int(moment.timestamp() * 1000),
                    rating,
                    "review",
                    int(before.phase),
                    json.dumps(state_to_dict(before)),
                    json.dumps(state_to_dict(after)),
                    stability,
                    5.0,
                    int(after.due.timestamp() * 1000) if after.due else None,
                )
            )
            before = after
        states.append(
            (
                deck_id,
                f"c{c}",
                2,
                None,
                before.stability,
                5.0,
                rows[-1][-1],
                rows[-1][2],
                before.reps,
                before.lapses,
                0,
                None,
                0,
            )
        )
    connection = sqlite3.connect(db)
    with connection:
        connection.executemany(
            "INSERT INTO reviews (deck_id, card_id, reviewed_at, rating, mode, phase_before, state_before,"
            " state_after, stability, difficulty, due) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        connection.executemany(
            "INSERT INTO cards (deck_id, card_id, phase, step, stability, difficulty, due, last_review, reps,"
            " lapses, suspended, buried_until, leech) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            states,
        )
    connection.execute("ANALYZE")
    connection.close()


# ---------------------------------------------------------------- measuring processes


BASELINE = [sys.executable, "-c", "import typer, rich.console"]


def quizkit_command() -> list[str]:
    script = Path(sys.executable).with_name("quizkit")
    return [str(script)] if script.exists() else [sys.executable, "-m", "quizkit"]


LAUNCHER = """\
import os, sys, time
null = os.open(os.devnull, os.O_RDWR)
actions = [(os.POSIX_SPAWN_DUP2, null, 0), (os.POSIX_SPAWN_DUP2, null, 1)]
started = time.perf_counter()
pid = os.posix_spawnp(sys.argv[1], sys.argv[1:], os.environ, file_actions=actions)
_, status, usage = os.wait4(pid, 0)
print(time.perf_counter() - started, usage.ru_maxrss, os.waitstatus_to_exitcode(status))
"""
"""Starts the measured process and reports its wall time, peak KB and exit code. A process's peak
resident set starts at its parent's high-water mark (Linux carries it across fork and exec, and
vfork too), so a command started straight from this process would be charged with everything
the benchmark itself ever held (a 50,000-card deck generated, parsed, an Anki collection built):
started from a small fresh process instead, it starts at that process's ~10 MB, below any figure."""


def run_once(command: Sequence[str], env: dict[str, str]) -> tuple[float, int]:
    """Wall time (s) and peak memory (KB) of one process, stdin at end of input."""
    done = subprocess.run(
        [sys.executable, "-c", LAUNCHER, *command], stdin=subprocess.DEVNULL, capture_output=True, env=env
    )
    try:
        elapsed, peak, code = done.stdout.split()
    except ValueError:
        raise SystemExit(f"could not start {' '.join(command)}: {done.stderr.decode()[-2000:]}") from None
    if int(code) != 0:
        raise SystemExit(f"{' '.join(command)} failed: {done.stderr.decode()[-2000:]}")
    return float(elapsed), int(peak)


def aged(deck: Path) -> Path:
    """The deck as a learner's is: edited a while ago. A deck cached within two seconds of its
    edit is read and hashed again at each launch until it is older (io/deck_cache.py, RACY_NS),
    and a deck written a moment before its runs would measure that instead of a launch (it made
    the deck with pictures, written last, look 12 % slower)."""
    import os

    hour_ago = time.time() - 3600
    os.utime(deck, (hour_ago, hour_ago))
    return deck


def paired_run(command: Sequence[str], env: dict[str, str], repeat: int) -> tuple[float, int, float]:
    """median_run's figures for `command`, and the baseline's median over runs taken in turn with
    it: this VM's speed drifts within a run (the same baseline measured 64 and 81 ms in two runs
    minutes apart), so a start-up ratio is taken against the baseline of the same moments."""
    times, peaks, base = [], [], []
    for _ in range(repeat):
        base.append(run_once(BASELINE, env)[0])
        elapsed, peak = run_once(command, env)
        times.append(elapsed)
        peaks.append(peak)
    return statistics.median(times), max(peaks), statistics.median(base)


def median_run(
    command: Sequence[str], env: dict[str, str], repeat: int, before: Any = None
) -> tuple[float, int]:
    times, peaks = [], []
    for _ in range(repeat):
        if before is not None:
            before()
        elapsed, peak = run_once(command, env)
        times.append(elapsed)
        peaks.append(peak)
    return statistics.median(times), max(peaks)


def tomllib_parse(path: Path, repeat: int) -> float:
    code = (
        "import sys, time, tomllib; t = time.perf_counter(); "
        "tomllib.loads(open(sys.argv[1], encoding='utf-8').read()); print(time.perf_counter() - t)"
    )
    return statistics.median(
        float(
            subprocess.run(
                [sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True
            ).stdout
        )
        for _ in range(repeat)
    )


# ---------------------------------------------------------------- in-process: answer to next card


def answer_to_next_card(work: Path, size: int, answers: int) -> float:
    """Median ms from an answer to the next card drawn: grade, schedule, commit, render."""
    from rich.console import Console

    from quizkit.app import env, study
    from quizkit.core import grading
    from quizkit.io import deck_files
    from quizkit.model import Rating
    from quizkit.ui import render

    deck_path = write_deck(work / f"answer-{size}.toml", size, 7, "answer")
    out = StringIO()
    env = env.Environment(Console(file=out, width=80), Console(file=StringIO()), db_path=work / "answer.db")
    deck = deck_files.load_deck(deck_path)
    now = datetime.fromisoformat(NOW)
    samples = []
    with env.open_store() as store:
        study = study.Study(store, study.start_session(env, store, [deck], now, new=answers + 10))
        key = study.session.next(now)
        for _ in range(answers):
            assert key is not None
            card = study.session.cards[key]
            started = time.perf_counter()
            result = grading.grade(card, card.answer)
            study.rate(
                key,
                Rating.GOOD if result.right else Rating.AGAIN,
                now,
                answer=card.answer,
                correct=result.right,
            )
            key = study.session.next(now)
            if key is not None:
                counts = study.session.counts(now)
                env.stdout.print(render.review_header(deck.title, counts.new, counts.learning, counts.review))
                env.stdout.print(render.card_panel(study.session.cards[key], ()))
            samples.append((time.perf_counter() - started) * 1000)
            now += timedelta(seconds=20)
            out.seek(0)
            out.truncate()
    return statistics.median(samples)


def answer_in_a_process(work: Path, size: int, answers: int) -> float:
    """answer_to_next_card in a fresh process of its own, as Anki's answer loop is measured: in
    this one, the heap of everything measured before it made the collector's passes dearer (0.80
    against 0.45 ms). The child runs with the collector as quizkit's own process sets it."""
    done = subprocess.run(
        [sys.executable, __file__, "--answer", str(work), str(size), str(answers)],
        capture_output=True,
        text=True,
        check=True,
    )
    return float(done.stdout)


def draw_picture(folder: Path) -> tuple[float, float]:
    """Median ms to decode one map and draw it in an 80-column card panel: half-blocks, kitty."""
    from rich.console import Console

    from quizkit.io.pictures import Decoded
    from quizkit.model import Card, Kind
    from quizkit.ui import pictures, render

    card = Card("map", Kind.BASIC, "Which border is drawn in red?", "The Durand Line")
    medians = []
    for mode in ("blocks", "kitty"):
        samples = []
        for n in range(5):
            console = Console(file=StringIO(), width=80, force_terminal=True, color_system="truecolor")
            started = time.perf_counter()
            drawing = pictures.Picture(Decoded(folder, f"map{n}.png"), "map", mode, 16)
            console.print(render.card_panel(card, (), picture=drawing))
            samples.append((time.perf_counter() - started) * 1000)
        medians.append(statistics.median(samples))
    return medians[0], medians[1]


# ---------------------------------------------------------------- the run


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kb / 1024 / 1024:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return (
        f"{cpu}, {os.cpu_count()} cores{memory}; {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="smallest size only; no docs written")
    parser.add_argument("--repeat", type=int, default=None, help="runs per measurement (default 9, smoke 3)")
    parser.add_argument("--docs", type=Path, default=REPO / "docs" / "performance.md")
    parser.add_argument("--answer", nargs=3, metavar=("WORK", "SIZE", "ANSWERS"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.answer:
        import gc

        from quizkit.__main__ import GC_THRESHOLDS

        gc.set_threshold(*GC_THRESHOLDS)
        print(answer_to_next_card(Path(args.answer[0]), int(args.answer[1]), int(args.answer[2])))
        return 0
    repeat = args.repeat or (3 if args.smoke else 9)
    sizes = [100] if args.smoke else [100, 10_000, 50_000]
    review_count = 10_000 if args.smoke else 1_000_000
    history_cards = 1_000 if args.smoke else 50_000
    work = Path(tempfile.mkdtemp(prefix="quizkit-bench-"))
    results: dict[str, Any] = {"sizes": {}}
    try:
        base_env = {
            **os.environ,
            "QUIZKIT_NOW": NOW,
            "NO_COLOR": "1",
            "HOME": str(work / "home"),
            "XDG_DATA_HOME": str(work / "data"),
            "XDG_CACHE_HOME": str(work / "cache"),
            "XDG_CONFIG_HOME": str(work / "config"),
        }
        base_env.pop("PYTHONDONTWRITEBYTECODE", None)
        quizkit = quizkit_command()
        baseline, _ = median_run(BASELINE, base_env, repeat)
        results["baseline"] = baseline
        print(f"baseline  python -c 'import typer, rich.console'  {baseline * 1000:.0f} ms")

        env = {**base_env, "QUIZKIT_DB": str(work / "bundled.db")}
        run_once([*quizkit, "review"], env)  # creates the database: users have one
        bundled, bundled_peak, paired = paired_run([*quizkit, "review"], env, repeat)
        results["bundled"] = {"seconds": bundled, "peak_kb": bundled_peak, "baseline": paired}
        print(
            f"bundled deck, time to first card            {bundled * 1000:.0f} ms ({bundled / paired:.2f}× "
            f"the baseline's {paired * 1000:.0f} ms in turn with it)"
        )

        for size in sizes:
            deck = aged(write_deck(work / f"deck-{size}.toml", size, size, f"bench-{size}"))
            env = {**base_env, "QUIZKIT_DB": str(work / f"db-{size}.db")}
            command = [*quizkit, "review", str(deck)]

            def clear_cache() -> None:
                shutil.rmtree(work / "cache", ignore_errors=True)

            runs = max(2, repeat // 3) if size >= 10_000 else repeat
            first, first_peak = median_run(command, env, runs, before=clear_cache)
            second, second_peak, second_baseline = paired_run(command, env, repeat)
            parse = tomllib_parse(deck, runs)
            results["sizes"][size] = {
                "bytes": deck.stat().st_size,
                "first": first,
                "second": second,
                "tomllib": parse,
                "peak_kb": max(first_peak, second_peak),
                "second_peak_kb": second_peak,
                "second_baseline": second_baseline,
            }
            peak = max(first_peak, second_peak) / 1024
            print(
                f"{size:>6} cards ({deck.stat().st_size / 1e6:.1f} MB): first launch {first:.2f} s "
                f"(tomllib {parse:.2f} s), second {second * 1000:.0f} ms, peak {peak:.0f} MB"
            )

        # Pictures: the same deck with one card in ten showing a map, against the deck without.
        size = 100 if args.smoke else 10_000
        plain_deck = aged(write_deck(work / f"plain-{size}.toml", size, 11, "plain"))
        picture_deck = aged(write_deck(work / f"pictured-{size}.toml", size, 11, "pictured", pictures=True))
        figures = {}
        for name, deck in (("without", plain_deck), ("with", picture_deck)):
            env = {**base_env, "QUIZKIT_DB": str(work / f"{name}-pictures.db")}
            run_once([*quizkit, "review", str(deck)], env)  # the cache, as on a second launch
            figures[name], _ = median_run([*quizkit, "review", str(deck)], env, repeat)
        figures["draw_ms"], figures["kitty_ms"] = draw_picture(work / f"pictured-{size}-maps")
        results["pictures"] = {"size": size, **figures}
        print(
            f"first card, {size:,} cards, 1 in 10 with a picture: {figures['with'] * 1000:.0f} ms, "
            f"without pictures {figures['without'] * 1000:.0f} ms; a 1,200 x 800 map decoded and drawn "
            f"in half-blocks {figures['draw_ms']:.0f} ms, for kitty {figures['kitty_ms']:.0f} ms"
        )

        students, questions = (30, 40) if args.smoke else (1_000, 100)
        reports = write_class(work / "class", students, questions, 21)
        env = {**base_env, "QUIZKIT_DB": str(work / "class.db")}
        screen, _ = median_run([*quizkit, "class", str(reports)], env, repeat)
        as_json, class_peak = median_run([*quizkit, "class", str(reports), "--json"], env, repeat)
        results["class"] = {
            "students": students, "questions": questions, "screen": screen, "json": as_json,
            "peak_kb": class_peak,
        }  # fmt: skip
        print(
            f"class report, {students:,} reports x {questions} questions: {screen * 1000:.0f} ms "
            f"(--json {as_json * 1000:.0f} ms), peak {class_peak / 1024:.0f} MB"
        )

        answer_size, answers = (sizes[-1], 30) if args.smoke else (10_000, 200)
        results["answer_ms"] = answer_in_a_process(work, answer_size, answers)
        print(f"answer -> next card, in process             {results['answer_ms']:.2f} ms")

        import anki_peer

        reason = anki_peer.unavailable()
        if reason:
            print(f"Anki's library: not measured: {reason}")
            results["anki_skipped"] = reason
        else:
            decks = [("bundled", anki_peer.bundled_study_decks())]
            decks += [(str(size), [work / f"deck-{size}.toml"]) for size in sizes]
            anki = anki_peer.measure(
                work, decks, work / f"answer-{answer_size}.toml", answers, base_env, repeat
            )
            results["anki"] = {**anki, "answer_size": answer_size}
            for label, r in anki["first"].items():
                print(
                    f"Anki {anki['version']}, {label} ({r['cards']:,} cards): first card "
                    f"{r['seconds'] * 1000:.0f} ms, peak {r['peak_kb'] / 1024:.0f} MB"
                )
            print(
                f"Anki, answer -> next card, in process       {anki['answer_ms']:.2f} ms "
                f"(synchronous = NORMAL, as quizkit: {anki['answer_ms_normal']:.2f} ms)"
            )

        history_db = work / "history.db"
        history_deck = write_deck(work / "history.toml", history_cards, 99, "history")
        write_history(history_db, "history", history_cards, review_count, 5)
        env = {**base_env, "QUIZKIT_DB": str(history_db)}
        stats_command = [*quizkit, "stats", str(history_deck)]
        if subprocess.run([*quizkit, "stats", "--help"], capture_output=True, env=env).returncode == 0:
            run_once(stats_command, env)
            stats, _ = median_run(stats_command, env, max(3, repeat // 2))
            results["stats"] = stats
            print(f"stats, {review_count:,} reviews                  {stats * 1000:.0f} ms")
            tag_command = [*stats_command, "--tag", "t0"]
            run_once(tag_command, env)
            results["stats_tag"], _ = median_run(tag_command, env, max(3, repeat // 2))
            print(f"stats --tag t0, {review_count:,} reviews         {results['stats_tag'] * 1000:.0f} ms")
            folder = work / "ten-decks"
            folder.mkdir()
            for n in range(10):
                write_deck(
                    folder / f"d{n}.toml", 100 if n else history_cards, n, "history" if n == 0 else f"d{n}"
                )
            (work / "config").mkdir(exist_ok=True)
            (work / "config" / "quizkit").mkdir(exist_ok=True)
            (work / "config" / "quizkit" / "config.toml").write_text(f'deck_folders = ["{folder}"]\n')
            run_once([*quizkit], env)
            dashboard, _ = median_run([*quizkit], env, repeat)
            results["dashboard"] = dashboard
            print(f"dashboard, 10 decks, {review_count:,} reviews     {dashboard * 1000:.0f} ms")
        else:
            print("stats: not available in this version")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if not args.smoke:
        write_docs(args.docs, report(results, repeat))
        print(f"wrote {args.docs}")
    return 0


START, END = "<!-- benchmark:start -->", "<!-- benchmark:end -->"


def write_docs(path: Path, figures: str) -> None:
    """Replace the measured part of the page, keeping what people wrote around it."""
    block = f"{START}\n{figures}\n{END}"
    text = path.read_text(encoding="utf-8") if path.exists() else f"# Performance\n\n{START}\n{END}\n"
    if START in text and END in text:
        head, rest = text.split(START, 1)
        text = head + block + rest.split(END, 1)[1]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    path.write_text(text, encoding="utf-8")


def report(results: dict[str, Any], repeat: int) -> str:
    base = results["baseline"]
    bundled, bundled_base = results["bundled"]["seconds"], results["bundled"]["baseline"]
    sizes = results["sizes"]
    big = sizes.get(50_000, {})

    def verdict(ok: bool) -> str:
        return "met" if ok else "**not met**"

    rows = [
        (
            "time to first card, bundled deck",
            "≤ 1.3 × baseline",
            f"{bundled * 1000:.0f} ms = {bundled / bundled_base:.2f} × "
            f"(baseline {bundled_base * 1000:.0f} ms in turn)",
            verdict(bundled <= 1.3 * bundled_base),
        ),
    ]
    if big:
        rows += [
            (
                "time to first card, 50,000 cards, second launch",
                "≤ 1.4 × baseline",
                f"{big['second'] * 1000:.0f} ms = {big['second'] / big['second_baseline']:.2f} × "
                f"(baseline {big['second_baseline'] * 1000:.0f} ms in turn)",
                verdict(big["second"] <= 1.4 * big["second_baseline"]),
            ),
            (
                "first launch, 50,000 cards",
                "≤ 0.5 × tomllib's parse of the file",
                f"{big['first']:.2f} s vs tomllib {big['tomllib']:.2f} s "
                f"= {big['first'] / big['tomllib']:.2f} ×",
                verdict(big["first"] <= 0.5 * big["tomllib"]),
            ),
        ]
    anki_ms = results.get("anki", {}).get("answer_ms")
    rows.append(
        (
            "answer → next card, in process",
            "≤ 1 ms, and below Anki's library in the same run",
            f"{results['answer_ms']:.2f} ms"
            + (f" vs Anki {anki_ms:.2f} ms (as it ships)" if anki_ms is not None else " (Anki not measured)"),
            verdict(results["answer_ms"] <= 1 and (anki_ms is None or results["answer_ms"] < anki_ms)),
        )
    )
    if "pictures" in results:
        p = results["pictures"]
        rows.append(
            (
                f"first card, {p['size']:,} cards of which 1 in 10 has a picture, second launch",
                "no slower than without pictures",
                f"{p['with'] * 1000:.0f} ms vs {p['without'] * 1000:.0f} ms "
                f"= {p['with'] / p['without']:.2f} ×",
                verdict(p["with"] <= 1.05 * p["without"]),
            )
        )
        rows.append(
            (
                "a 1,200 x 800 map decoded and drawn in the card panel, in process",
                "-",
                f"half-blocks {p['draw_ms']:.0f} ms, kitty {p['kitty_ms']:.0f} ms",
                "-",
            )
        )
    if "class" in results:
        c = results["class"]
        rows.append(
            (
                f"`quizkit class`, {c['students']:,} reports x {c['questions']} questions",
                "≤ 1 s",
                f"{c['screen'] * 1000:.0f} ms (--json {c['json'] * 1000:.0f} ms), "
                f"peak {c['peak_kb'] / 1024:.0f} MB",
                verdict(max(c["screen"], c["json"]) <= 1),
            )
        )
    if "stats" in results:
        rows.append(
            (
                "`quizkit stats`, 1,000,000 reviews",
                "≤ 0.3 s",
                f"{results['stats'] * 1000:.0f} ms",
                verdict(results["stats"] <= 0.3),
            )
        )
        rows.append(
            (
                "`quizkit stats --tag t0`, 1,000,000 reviews",
                "≤ 0.4 s",
                f"{results['stats_tag'] * 1000:.0f} ms",
                verdict(results["stats_tag"] <= 0.4),
            )
        )
        rows.append(
            (
                "`quizkit` dashboard, 10 decks, 1,000,000 reviews",
                "≤ 300 ms",
                f"{results['dashboard'] * 1000:.0f} ms",
                verdict(results["dashboard"] <= 0.3),
            )
        )
    else:
        rows.append(
            ("`quizkit stats` and the dashboard", "≤ 1 s, ≤ 300 ms", "not measured: no stats command", "-")
        )
    if big:
        rows.append(
            (
                "peak memory, 50,000 cards, first launch",
                "≤ 120 MB",
                f"{big['peak_kb'] / 1024:.0f} MB",
                verdict(big["peak_kb"] / 1024 <= 120),
            )
        )
    lines = [
        "Measured by `python benchmarks/run.py` (this part of the page is its output; rerun it to refresh).",
        "",
        f"- Machine: {machine()}",
        f"- Date: {datetime.now(UTC):%Y-%m-%d}",
        f"- Method: whole `quizkit` processes started with stdin at end of input, median of {repeat} runs "
        '(fewer for the slow first launches), against the baseline `python -c "import typer, rich.console"` '
        f"measured in the same run: **{base * 1000:.0f} ms**; the two start-up targets take it in turn "
        "with their own runs (the machine's speed drifts within a run). "
        "Peak memory is the child's maximum resident set.",
        "",
        "## Targets",
        "",
        "| what | target | measured (median) | |",
        "|---|---|---|---|",
        *[f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows],
        "",
        "## How cost grows with deck size",
        "",
        "| cards | file | first launch | tomllib parse | second launch | peak memory |",
        "|---|---|---|---|---|---|",
        *[
            f"| {size:,} | {r['bytes'] / 1e6:.1f} MB | {r['first']:.2f} s | {r['tomllib']:.2f} s | "
            f"{r['second'] * 1000:.0f} ms | {r['peak_kb'] / 1024:.0f} MB |"
            for size, r in sorted(sizes.items())
        ],
        "",
        "## Against Anki's library",
        "",
        *anki_report(results, repeat),
    ]
    return "\n".join(lines)


def anki_report(results: dict[str, Any], repeat: int) -> list[str]:
    """The table of quizkit beside Anki's library (benchmarks/anki_peer.py), or why it is missing."""
    if "anki" not in results:
        return [f"Not measured: {results.get('anki_skipped', 'not run')}.", ""]
    anki = results["anki"]
    first = anki["first"]

    def row(what: str, ours: float, theirs: float, unit: str) -> str:
        if unit == "ms":
            a, b = f"{ours:.2f} ms", f"{theirs:.2f} ms"
        elif unit == "s":
            a, b = f"{ours * 1000:.0f} ms", f"{theirs * 1000:.0f} ms"
        else:
            a, b = f"{ours / 1024:.0f} MB", f"{theirs / 1024:.0f} MB"
        return f"| {what} | {a} | {b} | {ours / theirs:.2f} × | {'yes' if ours < theirs else '**no**'} |"

    rows = []
    if "bundled" in first:
        cards = first["bundled"]["cards"]
        rows.append(
            row(
                f"first card, bundled deck ({cards} cards)",
                results["bundled"]["seconds"],
                first["bundled"]["seconds"],
                "s",
            )
        )
    for size, r in sorted(results["sizes"].items()):
        if str(size) in first:
            rows.append(
                row(
                    f"first card, {size:,} cards, second launch",
                    r["second"],
                    first[str(size)]["seconds"],
                    "s",
                )
            )
    for key, how in (
        ("answer_ms", "Anki as it ships: an fsync per answer"),
        ("answer_ms_normal", "neither fsyncs"),
    ):
        rows.append(
            row(
                f"answer → next card, {anki['answer_size']:,} cards, in process ({how})",
                results["answer_ms"],
                anki[key],
                "ms",
            )
        )
    if "bundled" in first:
        rows.append(
            row("peak memory, bundled deck", results["bundled"]["peak_kb"], first["bundled"]["peak_kb"], "kb")
        )
    for size, r in sorted(results["sizes"].items()):
        if str(size) in first:
            rows.append(
                row(
                    f"peak memory, {size:,} cards, second launch",
                    r["second_peak_kb"],
                    first[str(size)]["peak_kb"],
                    "kb",
                )
            )
    return [
        f"The `anki` package {anki['version']} (the Rust engine inside Anki desktop), measured by "
        "`benchmarks/anki_peer.py` in the same run: the same cards as Basic notes in a collection built "
        "beforehand; a first card is a fresh process that opens the collection, takes "
        "`col.sched.getCard()` (v3 scheduler), prints its question and closes it, median of "
        f"{repeat} after a warm-up run; answer → next card is the v3 path Anki desktop takes "
        "(`answer_card`, `get_queued_cards`, the question rendered), median of the answers, twice: "
        "as Anki ships, committing each answer with SQLite's `synchronous = FULL` (an fsync, whose "
        "cost varies with the disk's other work), and at `synchronous = NORMAL`, as quizkit commits "
        "(WAL, no fsync per answer). "
        "The ratio is quizkit's figure over Anki's: below 1 is quizkit ahead.",
        "",
        "| what | quizkit | Anki's library | quizkit / Anki | quizkit ahead |",
        "|---|---|---|---|---|",
        *rows,
        "",
    ]


if __name__ == "__main__":
    sys.exit(main())
