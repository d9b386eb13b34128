"""Studying on the phone (issue 19): quizkit's progress carried into Anki and back.

The real `anki` library stands in for AnkiDroid or AnkiMobile. A deck is studied in quizkit
over simulated days that end shortly before the machine's real clock (Anki's scheduler answers
at the real time), exported with --with-progress, imported as Anki's importer does, 20 cards are
reviewed there by Anki's own scheduler, and the phone's export is imported back into the same
progress database.
"""

from __future__ import annotations

import json
import sqlite3
import zipfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from quizkit.cli import app
from quizkit.core import scheduler
from quizkit.core.scheduler import SchedulerConfig
from quizkit.io import apkg, deck_files
from quizkit.model import CardState, Phase
from quizkit.store.progress import Store

anki_collection = pytest.importorskip("anki.collection")

CARDS = 40
CLEAN = "Database rebuilt and optimized."
"""All that Anki's Check Database says when it found nothing to fix."""
REAL_NOW = datetime.now(UTC).replace(microsecond=0)
CONFIG = SchedulerConfig()
TODAY = scheduler.study_day(REAL_NOW, CONFIG)
FIRST_DAY = TODAY - timedelta(days=14)
LAST_DAY = TODAY - timedelta(days=3)
"""quizkit is studied on these days (at 08:00, or just after the day's start), Anki today."""


def _moment(day: date, hour: int = 8) -> str:
    return (scheduler.day_start(day, CONFIG) + timedelta(hours=hour - CONFIG.day_start_hour)).isoformat()


def run(runner: CliRunner, *args: str, now: str, lines: str | None = None) -> Any:
    result = runner.invoke(app, list(args), input=lines, env={"QUIZKIT_NOW": now})
    assert "Traceback" not in result.output, result.output
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture
def deck(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "decks"
    folder.mkdir()
    path = folder / "d.toml"
    path.write_text(
        '[deck]\nid = "d"\ntitle = "Phone deck"\nnew_per_day = 20\n'
        + "".join(f'\n[[cards]]\nid = "c{i}"\nq = "Question {i}"\na = "Answer {i}"\n' for i in range(CARDS))
        + '\n[[cards]]\nid = "both"\nq = "Front side"\na = "Back side"\nreverse = true\n'
        + '\n[[cards]]\nid = "gap"\ncloze = "{{Kabul}} fell in {{1996}}"\n',
        encoding="utf-8",
    )
    empty = tmp_path / "no-bundled-decks"
    empty.mkdir()
    monkeypatch.setattr(deck_files, "bundled_decks_dir", lambda: empty)
    config = tmp_path / "config.toml"
    config.write_text(f'deck_folders = ["{folder}"]\n', encoding="utf-8")
    monkeypatch.setenv("QUIZKIT_CONFIG", str(config))
    return path


def _study(runner: CliRunner, deck: Path) -> None:
    """Each study day, every card shown is revealed and rated: Again every fifth answer, Hard every
    seventh, else Good; the session ends after 60 answers or when nothing is left. The first
    day's first answer is Easy, undone at once (u) and given again."""
    count = 0
    day = FIRST_DAY
    while day <= LAST_DAY:
        keys = ["", "4", "u"] if day == FIRST_DAY else []
        for _ in range(60):
            count += 1
            keys += ["", "1" if count % 5 == 0 else "2" if count % 7 == 0 else "3"]
        run(runner, "review", str(deck), now=_moment(day), lines="\n".join(keys) + "\nq\n")
        day += timedelta(days=2 if day.weekday() == 5 else 1)  # no study on Sundays


def _states(db: Path) -> dict[str, CardState]:
    with Store.open(db) as store:
        return store.states("d")


def _reviews(db: Path) -> list[tuple[str, int, int, int | None]]:
    """The review log: (card, reviewed_at ms, rating, imported_from), undone answers left out."""
    with sqlite3.connect(db) as con:
        rows = con.execute(
            "SELECT card_id, reviewed_at, rating, imported_from FROM reviews r WHERE mode = 'review'"
            " AND NOT EXISTS (SELECT 1 FROM undos u WHERE u.review_id = r.id) ORDER BY reviewed_at, id"
        ).fetchall()
    con.close()
    return [tuple(row) for row in rows]


def _phone(folder: Path) -> Any:
    folder.mkdir()
    col = anki_collection.Collection(str(folder / "collection.anki2"))
    col.set_config("fsrs", True)
    return col


def _import_into(col: Any, package: Path) -> Any:
    from anki.collection import ImportAnkiPackageOptions, ImportAnkiPackageRequest

    options = ImportAnkiPackageOptions(with_scheduling=True, with_deck_configs=False)
    return col.import_anki_package(ImportAnkiPackageRequest(package_path=str(package), options=options))


def _anki_cards(col: Any) -> dict[str, Any]:
    """quizkit card id -> the Anki card, by the note's guid (quizkit:d:ID) and the card's ord."""
    out = {}
    for cid in col.find_cards(""):
        card = col.get_card(cid)
        note = card.note()
        note_id = note.guid.split(":", 2)[2]
        if note.note_type()["type"] == 1:  # cloze: ord K-1 is the deletion .cK
            out[f"{note_id}.c{card.ord + 1}"] = card
        else:
            out[note_id + (".rev" if card.ord == 1 else "")] = card
    return out


def _anki_day(col: Any, due: int) -> date:
    """The study day of a review card's due number: Anki counts days from its today (the real
    study day now, which is TODAY unless the test ran over 04:00)."""
    return scheduler.study_day(datetime.now(UTC), CONFIG) + timedelta(days=due - col.sched.today)


def _fuzz(days: float) -> float:
    """The half-width of FSRS's interval fuzz (the same ranges in fsrs-rs and py-fsrs)."""
    ranges = ((2.5, 7.0, 0.15), (7.0, 20.0, 0.1), (20.0, float("inf"), 0.05))
    return 1.0 + sum(factor * max(min(days, end) - start, 0.0) for start, end, factor in ranges)


def test_quizkit_progress_goes_to_the_phone_and_the_phones_reviews_come_back_once(
    runner: CliRunner, deck: Path, tmp_path: Path
) -> None:
    db = tmp_path / "progress.db"
    _study(runner, deck)
    run(runner, "suspend", str(deck), "c39", now=_moment(LAST_DAY, 20))
    exported_at = _moment(LAST_DAY, 21)
    package = tmp_path / "d.apkg"
    result = run(
        runner, "export", str(deck), "--to", "apkg", "--with-progress", "-o", str(package), now=exported_at
    )
    assert "with progress:" in result.output
    states = _states(db)
    before = _reviews(db)
    assert len(before) > 100 and any(s.phase == Phase.REVIEW for s in states.values())
    with sqlite3.connect(db) as con:
        assert con.execute("SELECT count(*) FROM undos").fetchone() == (1,)  # left out of the package
    con.close()

    # The package itself is a sound Anki collection.
    opened = tmp_path / "opened"
    opened.mkdir()
    with zipfile.ZipFile(package) as archive:
        archive.extract("collection.anki2", opened)
    own = anki_collection.Collection(str(opened / "collection.anki2"))
    try:
        problems, ok = own.fix_integrity()
        assert ok and problems.splitlines() == [CLEAN]  # nothing to fix
    finally:
        own.close()

    col = _phone(tmp_path / "phone")
    try:
        log = _import_into(col, package).log
        assert len(log.new) == CARDS + 2
        problems, ok = col.fix_integrity()
        assert ok and problems.splitlines() == [CLEAN]
        media = col.media.check()
        assert not media.missing and not media.unused
        cards = _anki_cards(col)
        assert set(cards) == set(states) | {c for c in cards if c not in states}
        revlog = col.db.all("SELECT id, cid, ease, type, factor FROM revlog")
        assert len(revlog) == len(before)  # every quizkit answer, once
        # ids: each answer's moment in ms (a session's answers share QUIZKIT_NOW's: made unique)
        ids = apkg.revlog_ids([at for _c, at, _r, _i in before])
        assert sorted(row[0] for row in revlog) == ids
        assert all(0 <= i - at < len(before) for (_c, at, _r, _i), i in zip(before, ids, strict=True))
        for card_id, card in cards.items():
            state = states.get(card_id, CardState())
            anki_reviews = sorted(row[2] for row in revlog if row[1] == card.id)
            assert anki_reviews == sorted(r for c, _a, r, _i in before if c == card_id), card_id
            if card_id == "c39":
                assert card.queue == -1
            if state.phase == Phase.NEW:
                assert card.type == 0
                continue
            assert card.type == int(state.phase), card_id  # 1 learning, 2 review, 3 relearning
            assert card.reps == state.reps and card.lapses == state.lapses
            # Anki keeps stability to 4 decimals and difficulty to 3, as 32-bit floats.
            assert card.memory_state.stability == pytest.approx(state.stability, rel=1e-6, abs=5e-5)
            assert card.memory_state.difficulty == pytest.approx(state.difficulty, rel=1e-6, abs=5e-4)
            assert state.due is not None
            if state.phase == Phase.REVIEW:
                assert _anki_day(col, card.due) == scheduler.study_day(state.due, CONFIG), card_id
            elif card.queue in (1, -1) and card.odue == 0 and card.due > 1_000_000_000:
                assert card.due == int(state.due.timestamp()), card_id

        # Anki's FSRS, reading the review log it was given, finds quizkit's memory states.
        replayed = []
        for card_id, card in cards.items():
            state = states.get(card_id, CardState())
            if state.stability is not None:
                computed = col.compute_memory_state(card.id)
                replayed.append(abs(computed.stability / state.stability - 1))
                assert computed.difficulty == pytest.approx(state.difficulty, abs=0.01), card_id
        print(f"Anki's FSRS on the exported log: stability {max(replayed):.3%} from quizkit's at most")
        assert max(replayed) < 0.01

        # The phone: 20 cards reviewed by Anki's own scheduler, today.
        col.decks.select(col.decks.id("Phone deck"))
        by_anki_id = {card.id: card_id for card_id, card in cards.items()}
        phone: list[tuple[str, int]] = []
        for n in range(20):
            card = col.sched.getCard()
            assert card is not None, f"only {n} cards were due in Anki"
            card.start_timer()
            ease = 1 if n % 6 == 0 else 3
            col.sched.answerCard(card, ease)
            phone.append((by_anki_id[card.id], ease))
        assert len({c for c, _ in phone}) >= 10
        out = tmp_path / "phone.apkg"
        from anki.collection import ExportAnkiPackageOptions

        options = ExportAnkiPackageOptions(
            with_scheduling=True, with_deck_configs=False, with_media=False, legacy=False
        )
        col.export_anki_package(out_path=str(out), options=options, limit=None)
        anki_today, day_number = _anki_day(col, col.sched.today), col.sched.today
        after_phone = {}
        for card_id, card in cards.items():
            now_card = col.get_card(card.id)
            memory = now_card.memory_state
            after_phone[card_id] = (
                now_card.type,
                now_card.due,
                now_card.ivl,
                memory.stability,
                memory.difficulty,
            )
        phone_log = [
            row for row in col.db.all("SELECT id, cid, ease, factor FROM revlog") if row[0] not in ids
        ]
    finally:
        col.close()
    assert len(phone_log) == 20
    # The factor of a row quizkit writes is Anki's own: the difficulty after the answer, scaled.
    for revlog_id, cid, _ease, factor in phone_log:
        if revlog_id == max(row[0] for row in phone_log if row[1] == cid):
            written = (
                apkg.anki_schedule(
                    CardState(),
                    [
                        apkg.Answered(
                            1, 0, 3, None, CardState(), CardState(difficulty=after_phone[by_anki_id[cid]][4])
                        )
                    ],
                    1,
                    TODAY,
                    CONFIG,
                    REAL_NOW,
                )
                .revlog[0]
                .factor
            )
            assert abs(written - factor) <= 1, (factor, written)

    later = (datetime.now(UTC) + timedelta(minutes=1)).isoformat()
    text = deck.read_bytes()
    result = run(runner, "import", str(out), "-o", str(deck), "--with-progress", now=later)
    assert deck.read_bytes() == text  # progress only: the deck file is kept as it is
    assert f"progress only: {deck} is left as it is" in result.output
    assert f"progress: 20 reviews of {len({c for c, _ in phone})} cards" in result.output
    assert f"{len(before)} written by quizkit" in result.output
    assert "not carried over" not in result.output
    reviews = _reviews(db)
    assert reviews[: len(before)] == before  # quizkit's own answers, none doubled
    came = reviews[len(before) :]
    assert sorted(i for _c, _a, _r, i in came) == sorted(row[0] for row in phone_log)
    assert sorted((c, r) for c, _a, r, _i in came) == sorted(phone)

    # Again: nothing new.
    result = run(runner, "import", str(out), "-o", str(deck), "--with-progress", now=later)
    assert "progress: no new reviews" in result.output
    assert _reviews(db) == reviews

    # Next due: Anki's and quizkit's agree, within what fuzz allows each side.
    states = _states(db)
    worst = worst_ivl = 0
    stability_gaps: list[float] = []
    difficulty_gaps: list[float] = []
    for card_id in {c for c, _ in phone}:
        (kind, due, ivl, stability, difficulty), state = after_phone[card_id], states[card_id]
        assert state.due is not None and state.stability is not None and state.difficulty is not None
        assert kind == int(state.phase), card_id
        stability_gaps.append(abs(stability / state.stability - 1))
        difficulty_gaps.append(abs(difficulty - state.difficulty))
        if state.phase == Phase.REVIEW:
            gap = abs(
                (anki_today + timedelta(days=due - day_number) - scheduler.study_day(state.due, CONFIG)).days
            )
            assert gap <= 2 * _fuzz(ivl) + 1, (card_id, gap, ivl)
            worst, worst_ivl = max((worst, worst_ivl), (gap, ivl))
        else:  # learning steps: minutes; Anki adds up to a quarter of a step (at most 5 minutes)
            assert abs(due - state.due.timestamp()) <= 5 * 60 + 60, card_id
    print(
        f"Anki against quizkit after the phone: due dates {worst} days apart at most (Anki's interval "
        f"{worst_ivl} days); stability "
        f"{max(stability_gaps):.2%} apart at most, difficulty {max(difficulty_gaps):.3f}"
    )
    assert max(stability_gaps) < 0.02 and max(difficulty_gaps) < 0.05


def test_without_progress_the_package_has_new_cards_only(
    runner: CliRunner, deck: Path, tmp_path: Path
) -> None:
    _study(runner, deck)
    package = tmp_path / "plain.apkg"
    result = run(runner, "export", str(deck), "--to", "apkg", "-o", str(package), now=_moment(LAST_DAY, 21))
    assert "with progress" not in result.output
    with zipfile.ZipFile(package) as archive:
        (tmp_path / "x").mkdir()
        archive.extract("collection.anki2", tmp_path / "x")
    con = sqlite3.connect(tmp_path / "x" / "collection.anki2")
    try:
        assert con.execute("SELECT DISTINCT type, queue FROM cards").fetchall() == [(0, 0)]
        assert con.execute("SELECT count(*) FROM revlog").fetchone() == (0,)
        assert json.loads(con.execute("SELECT conf FROM col").fetchone()[0]).get("creationOffset") is None
    finally:
        con.close()


def test_with_progress_is_for_packages_only(runner: CliRunner, deck: Path, tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["export", str(deck), "--to", "csv", "--with-progress", "-o", str(tmp_path / "d.csv")]
    )
    assert result.exit_code == 2, result.output
    assert "--with-progress: only for Anki packages (--to apkg), not --to csv" in result.output
    assert not (tmp_path / "d.csv").exists()


def test_quizkits_own_package_imported_back_adds_nothing(
    runner: CliRunner, deck: Path, tmp_path: Path
) -> None:
    """Without the phone: every revlog row is quizkit's own, also when the deck file is replaced."""
    db = tmp_path / "progress.db"
    _study(runner, deck)
    package = tmp_path / "d.apkg"
    exported_at = _moment(LAST_DAY, 21)
    run(runner, "export", str(deck), "--to", "apkg", "--with-progress", "-o", str(package), now=exported_at)
    before = _reviews(db)
    states = _states(db)
    for extra in ((), ("--force",)):
        result = run(
            runner, "import", str(package), "-o", str(deck), "--with-progress", *extra, now=exported_at
        )
        assert "progress: no new reviews" in result.output
        assert f"reviews not replayed: {len(before)} written by quizkit" in result.output
        assert _reviews(db) == before and _states(db) == states


def test_a_package_with_cards_the_deck_lacks_needs_force_or_a_new_file(
    runner: CliRunner, deck: Path, tmp_path: Path, write_deck: Any
) -> None:
    other = write_deck(
        '[deck]\nid = "d"\ntitle = "Other"\n\n[[cards]]\nid = "new"\nq = "Q"\na = "A"\n', "o.toml"
    )
    package = tmp_path / "o.apkg"
    run(
        runner,
        "export",
        str(other),
        "--to",
        "apkg",
        "--with-progress",
        "-o",
        str(package),
        now=_moment(LAST_DAY),
    )
    result = runner.invoke(app, ["import", str(package), "-o", str(deck), "--with-progress"])
    assert result.exit_code == 2, result.output
    assert "has cards it does not have (1: new); add --force" in " ".join(result.output.split())
