"""Anki's own library (the `anki` package: the Rust engine inside Anki desktop) on quizkit's decks.

    python benchmarks/anki_peer.py             # the bundled deck, 100, 10,000 and 50,000 cards
    python benchmarks/anki_peer.py --smoke     # the bundled deck and 100 cards

benchmarks/run.py calls `measure` and puts the figures beside quizkit's ("Against Anki's
library" in docs/performance.md). For each deck the same cards (quizkit's parse of the file:
each card's question and answer, its tags) are added to a fresh Anki collection as Basic
notes, in bulk, once and outside the timing. Then, as for quizkit:

- first card: a whole fresh `python` process opens the collection
  (`anki.collection.Collection(path)`), takes its first card from the v3 scheduler
  (`col.sched.getCard()`), prints its question and closes the collection; median of N after
  one warm-up run (quizkit's equivalent is `quizkit review DECK`, second launch), and the
  child's peak resident set, measured as run.py measures quizkit's (`os.wait4`);
- answer -> next card, in process (a fresh process of its own, on a copy of the collection):
  the v3 path Anki desktop takes: build the answer (Good) from the queued card's states,
  `col.sched.answer_card`, `col.sched.get_queued_cards` for the next card and the counts,
  the card built and its question rendered; median ms over the answers. New cards a day (and
  reviews a day, which new cards count against) are raised to the number of answers plus ten,
  as run.py's quizkit session does. Measured twice: as Anki ships (SQLite `synchronous = FULL`:
  an fsync per answer) and at `synchronous = NORMAL`, the way quizkit commits.
"""

from __future__ import annotations

import argparse
import html
import importlib.util
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from io import StringIO
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import median_run, run_once, write_deck  # noqa: E402

DECK_NAME = "quizkit benchmark"

FIRST_CARD = """\
import sys
from anki.collection import Collection
col = Collection(sys.argv[1])
card = col.sched.getCard()
if card is None:
    raise SystemExit("no card to show")
print(card.question())
col.close()
"""


def unavailable() -> str | None:
    """Why Anki's library cannot be measured here, or None if it can."""
    try:
        if importlib.util.find_spec("anki") is None:
            return "the anki package is not installed"
        import anki.collection  # noqa: F401
    except Exception as error:  # a broken install is as good as none here
        return f"the anki package cannot be imported ({type(error).__name__}: {error})"
    return None


def version() -> str:
    from importlib.metadata import version as installed

    return installed("anki")


def bundled_study_decks() -> list[Path]:
    """The files `quizkit review` studies when no deck is named: the bundled decks but the templates."""
    from quizkit.io.deck_files import EXAMPLE_DECK_IDS, bundled_deck_files, load_deck

    return [p for p in bundled_deck_files() if load_deck(p).id not in EXAMPLE_DECK_IDS]


def deck_cards(paths: Sequence[Path]) -> list[tuple[str, str, list[str]]]:
    """Front, back and tags of every card of the decks, as quizkit parses them (fields are HTML)."""
    from quizkit.io.deck_files import load_deck

    out = []
    for path in paths:
        for card in load_deck(path).cards:
            front = html.escape(card.prompt)
            if card.choices:
                front += "<br>" + "<br>".join(html.escape(c) for c in card.choices)
            tags = [t.replace(" ", "_") for t in card.tags]
            out.append((front, html.escape(card.answer), tags))
    return out


def build_collection(path: Path, decks: Sequence[Path]) -> int:
    """A new collection at `path` holding the decks' cards as Basic notes in one deck, selected."""
    from anki.collection import AddNoteRequest, Collection

    cards = deck_cards(decks)
    col = Collection(str(path))
    try:
        model = col.models.by_name("Basic")
        assert model is not None
        deck_id = col.decks.id(DECK_NAME)
        assert deck_id is not None
        requests = []
        for front, back, tags in cards:
            note = col.new_note(model)
            note["Front"], note["Back"] = front, back
            note.tags = tags
            requests.append(AddNoteRequest(note=note, deck_id=deck_id))
        col.add_notes(requests)
        col.decks.select(deck_id)
        count = col.card_count()
    finally:
        col.close()
    return count


def answer_loop(path: Path, answers: int, synchronous: str = "full") -> float:
    """Median ms from an answer (Good) to the next card drawn and its question rendered.

    Anki commits each answer with SQLite's `synchronous = FULL` (an fsync each time, whose cost
    varies with the disk's other work); quizkit commits with NORMAL (WAL: no fsync per commit).
    `synchronous="normal"` measures Anki the way quizkit writes: the engine against the engine."""
    from anki.collection import Card, Collection  # anki.cards first would be a circular import
    from anki.scheduler.v3 import CardAnswer

    col = Collection(str(path))
    try:
        deck_id = col.decks.selected()
        config = col.decks.config_dict_for_deck_id(deck_id)
        config["new"]["perDay"] = config["rev"]["perDay"] = answers + 10  # new cards count as reviews
        col.decks.update_config(config)
        col.db.execute(f"pragma synchronous = {synchronous}")
        out = StringIO()
        queued = col.sched.get_queued_cards()
        card = Card(col)
        card._load_from_backend_card(queued.cards[0].card)
        card.start_timer()
        states = queued.cards[0].states
        samples = []
        for _ in range(answers):
            started = time.perf_counter()
            col.sched.answer_card(col.sched.build_answer(card=card, states=states, rating=CardAnswer.GOOD))
            queued = col.sched.get_queued_cards()
            if not queued.cards:
                raise SystemExit(f"Anki ran out of cards to show after {len(samples) + 1} answers")
            card = Card(col)
            card._load_from_backend_card(queued.cards[0].card)
            card.start_timer()
            states = queued.cards[0].states
            out.write(f"{queued.new_count} {queued.learning_count} {queued.review_count}\n")
            out.write(card.question())
            samples.append((time.perf_counter() - started) * 1000)
            out.seek(0)
            out.truncate()
        reviews = col.db.scalar("select count() from revlog")
        if reviews != answers:
            raise SystemExit(f"Anki logged {reviews} reviews for {answers} answers")
    finally:
        col.close()
    return statistics.median(samples)


def measure(
    work: Path,
    decks: Sequence[tuple[str, Sequence[Path]]],
    answer_deck: Path,
    answers: int,
    env: dict[str, str],
    repeat: int,
) -> dict[str, Any]:
    """Anki's figures for run.py: per labelled deck (one or more files) the first card's median
    seconds and peak KB over `repeat` whole processes, then answer -> next card (median ms) on
    `answer_deck` over `answers` answers, in a process of its own."""
    folder = work / "anki"
    folder.mkdir(exist_ok=True)
    results: dict[str, Any] = {"version": version(), "first": {}}
    for label, paths in decks:
        path = folder / f"{label}.anki2"
        cards = build_collection(path, paths)
        command = [sys.executable, "-c", FIRST_CARD, str(path)]
        run_once(command, env)  # the page cache and bytecode, as on quizkit's second launch
        seconds, peak = median_run(command, env, repeat)
        results["first"][label] = {"cards": cards, "seconds": seconds, "peak_kb": peak}
    for synchronous in ("full", "normal"):
        path = folder / f"answer-{synchronous}.anki2"
        build_collection(path, [answer_deck])
        done = subprocess.run(
            [sys.executable, __file__, "--answer", str(path), str(answers), synchronous],
            capture_output=True,
            text=True,
            env=env,
        )
        if done.returncode != 0:
            raise SystemExit(f"Anki's answer -> next card failed: {done.stderr[-2000:]}")
        results["answer_ms" if synchronous == "full" else "answer_ms_normal"] = float(done.stdout)
    return results


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="the bundled deck and 100 cards only")
    parser.add_argument("--repeat", type=int, default=None, help="runs per measurement (default 9, smoke 3)")
    parser.add_argument(
        "--answer", nargs=3, metavar=("COLLECTION", "ANSWERS", "SYNC"), help=argparse.SUPPRESS
    )
    args = parser.parse_args(argv)
    if args.answer:
        print(answer_loop(Path(args.answer[0]), int(args.answer[1]), args.answer[2]))
        return 0
    reason = unavailable()
    if reason:
        print(f"Anki's library: not measured: {reason}")
        return 0
    repeat = args.repeat or (3 if args.smoke else 9)
    sizes = [100] if args.smoke else [100, 10_000, 50_000]
    work = Path(tempfile.mkdtemp(prefix="quizkit-anki-"))
    try:
        decks: list[tuple[str, Sequence[Path]]] = [("bundled", bundled_study_decks())]
        for size in sizes:
            decks.append((str(size), [write_deck(work / f"deck-{size}.toml", size, size, f"bench-{size}")]))
        size = 100 if args.smoke else 10_000
        answer_deck = write_deck(work / f"answer-{size}.toml", size, 7, "answer")
        results = measure(work, decks, answer_deck, 30 if args.smoke else 200, dict(os.environ), repeat)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"anki {results['version']}")
    for label, r in results["first"].items():
        seconds, peak = r["seconds"], r["peak_kb"] / 1024
        print(f"{label:>8} ({r['cards']:,} cards): first card {seconds * 1000:.0f} ms, peak {peak:.0f} MB")
    print(
        f"answer -> next card, in process ({size:,} cards): {results['answer_ms']:.2f} ms "
        f"(synchronous = NORMAL, as quizkit: {results['answer_ms_normal']:.2f} ms)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
