"""Moving in from Anki with the history (issue 17): packages built with Anki's own library, holding
two decks, subdecks, a description, a suspended and a buried card and 200 reviews, imported with
--with-progress into deck files whose due dates are those that replaying the history gives."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from quizkit.cli import app
from quizkit.core import scheduler
from quizkit.core.scheduler import SchedulerConfig
from quizkit.core.session import fuzz_key
from quizkit.io import apkg, deck_write
from quizkit.model import CardState, Rating

START_MS = int(datetime(2025, 9, 1, 8, tzinfo=UTC).timestamp() * 1000)
DAY_MS = 86_400_000
TERROR = "History::French Revolution::Terror"


def _build(folder: Path, *, colpkg: bool = False) -> tuple[Path, dict[str, Any]]:
    """An Anki collection made by Anki itself, exported with its scheduling; returns the package
    and what the test needs to know (the Anki card ids by front, the reviews of each)."""
    collection = pytest.importorskip("anki.collection")
    folder.mkdir()
    col = collection.Collection(str(folder / "collection.anki2"))
    try:
        spanish = col.decks.id("Spanish")
        terror = col.decks.id(TERROR)
        deck = col.decks.get(terror)
        deck["desc"] = "The <b>Terror</b>, 1793-94."
        col.decks.save(deck)
        basic = col.models.by_name("Basic")
        reversed_ = col.models.by_name("Basic (and reversed card)")
        cards: dict[str, int] = {}
        for front, back, model, did in [
            ("perro", "dog", basic, spanish),
            ("gato", "cat", basic, spanish),
            ("casa", "house", basic, spanish),
            ("libro", "<b>book</b>", basic, spanish),
            ("Robespierre", "Leader of the Committee of Public Safety", reversed_, terror),
            ("Law of Suspects", "<table><tr><td>1793</td><td>September</td></tr></table>", basic, terror),
        ]:
            note = col.new_note(model)
            note["Front"], note["Back"] = front, back
            col.add_note(note, did)
            for card in note.cards():
                cards[front if card.ord == 0 else f"{front}/reverse"] = card.id
        reviews: dict[int, list[tuple[int, int]]] = {cid: [] for cid in cards.values()}
        ids = list(cards.values())
        for n in range(200):  # 200 reviews, spread over the cards and the months
            cid = ids[n % len(ids)]
            at = START_MS + (n // len(ids)) * 5 * DAY_MS + n * 60_000
            ease = 1 if n % 11 == 3 else (4 if n % 7 == 0 else 3)
            kind = 0 if not reviews[cid] else 1
            col.db.execute(
                "INSERT INTO revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type) "
                "VALUES (?, ?, -1, ?, 1, 0, 2500, 6000, ?)",
                at,
                cid,
                ease,
                kind,
            )
            reviews[cid].append((at, ease))
        # One manual reschedule, which is no answer.
        col.db.execute(
            "INSERT INTO revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type) "
            "VALUES (?, ?, -1, 0, 5, 1, 2500, 0, 4)",
            START_MS + 170 * DAY_MS,
            cards["casa"],
        )
        col.db.execute("UPDATE cards SET type = 2, queue = 2, ivl = 5 WHERE id IN " + str(tuple(ids)))
        col.sched.suspend_cards([cards["gato"]])
        if colpkg:
            out = folder.parent / "all.colpkg"
            col.export_collection_package(str(out), include_media=False, legacy=False)
        else:
            from anki.collection import ExportAnkiPackageOptions

            out = folder.parent / "study.apkg"
            options = ExportAnkiPackageOptions(
                with_scheduling=True, with_deck_configs=False, with_media=False, legacy=False
            )
            col.export_anki_package(out_path=str(out), options=options, limit=None)
            # Studied on in Anki: two more reviews a card, exported again.
            for n, cid in enumerate(ids * 2):
                at = START_MS + 160 * DAY_MS + n * 3_600_000
                col.db.execute(
                    "INSERT INTO revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type) "
                    "VALUES (?, ?, -1, 3, 9, 5, 2500, 6000, 1)",
                    at,
                    cid,
                )
                reviews[cid].append((at, 3))
            col.export_anki_package(out_path=str(folder.parent / "later.apkg"), options=options, limit=None)
    finally:
        col.close()
    return out, {"cards": cards, "reviews": reviews}


@pytest.fixture
def package(tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    return _build(tmp_path / "anki")


def _import(runner: CliRunner, source: Path, out: Path, *extra: str) -> Any:
    result = runner.invoke(app, ["import", str(source), "-o", str(out), *extra])
    assert result.exit_code == 0, result.output
    return result


def _by_front(folder: Path) -> dict[str, tuple[str, str, dict[str, Any]]]:
    """front -> (deck id, deck file name, card table), over every deck file in the folder."""
    out = {}
    for path in sorted(folder.glob("*.toml")):
        deck, _meta, tables = deck_write.load_tables(path)
        for _kind, table in tables:
            out[str(table["q"])] = (deck.id, path.name, table)
    return out


def _replayed(reviews: list[tuple[int, int]], deck_id: str, card_id: str) -> CardState:
    state = CardState()
    config = SchedulerConfig()
    for at_ms, ease in reviews:
        at = datetime.fromtimestamp(at_ms / 1000, UTC)
        state = scheduler.review(state, Rating(ease), at, config, key=fuzz_key((deck_id, card_id)))
    return state


def _stored(tmp_path: Path) -> dict[tuple[str, str], tuple[Any, ...]]:
    db = sqlite3.connect(tmp_path / "progress.db")
    try:
        return {
            (row[0], row[1]): row[2:]
            for row in db.execute("SELECT deck_id, card_id, due, reps, suspended, buried_until FROM cards")
        }
    finally:
        db.close()


def _review_rows(tmp_path: Path) -> list[tuple[Any, ...]]:
    db = sqlite3.connect(tmp_path / "progress.db")
    try:
        return db.execute(
            "SELECT deck_id, card_id, mode, imported_from, reviewed_at FROM reviews ORDER BY id"
        ).fetchall()
    finally:
        db.close()


def test_the_package_holds_what_anki_wrote(package: tuple[Path, dict[str, Any]]) -> None:
    path, known = package
    read = apkg.read_package(path, str(path), history=True)
    assert len(read.reviews) == read.review_count == 201
    assert {card.deck for card in read.cards} == {"Spanish", TERROR}
    assert read.descriptions == {TERROR: "The <b>Terror</b>, 1793-94."}
    assert [card.id for card in read.cards if card.suspended] == [known["cards"]["gato"]]


def test_each_deck_becomes_a_file_with_the_history_replayed(
    runner: CliRunner, tmp_path: Path, package: tuple[Path, dict[str, Any]]
) -> None:
    source, known = package
    out = tmp_path / "decks"
    result = _import(runner, source, out, "--with-progress")
    assert sorted(p.name for p in out.iterdir()) == ["History-French-Revolution-Terror.toml", "Spanish.toml"]
    terror = (out / "History-French-Revolution-Terror.toml").read_text(encoding="utf-8")
    assert 'title = "History › French Revolution › Terror"' in terror
    assert 'description = "The Terror, 1793-94."' in terror
    assert 'a = "1793 | September"' in terror  # a table's cells, not "1793September"
    cards = _by_front(out)
    stored = _stored(tmp_path)
    config = SchedulerConfig()
    for front, cid in known["cards"].items():
        question = front.split("/")[0]
        deck_id, _file, table = cards[question]
        card_id = str(table["id"]) + (".rev" if front.endswith("/reverse") else "")
        expected = _replayed(known["reviews"][cid][:-2], deck_id, card_id)  # as first exported
        due, reps, suspended, buried = stored[(deck_id, card_id)]
        assert (datetime.fromtimestamp(due / 1000, UTC), reps) == (expected.due, expected.reps), front
        assert bool(suspended) is (front == "gato")
        assert (
            expected.due is not None
            and scheduler.study_day(expected.due, config) > datetime(2025, 9, 1).date()
        )
    rows = _review_rows(tmp_path)
    assert len(rows) == 200 and {row[2] for row in rows} == {"review"}
    assert sorted(row[3] for row in rows) == sorted(at for r in known["reviews"].values() for at, _ in r[:-2])
    first = datetime.fromtimestamp(START_MS / 1000, UTC).date()
    last = datetime.fromtimestamp(max(r[4] for r in rows) / 1000, UTC).date()
    assert (
        f"progress: 200 reviews of 7 cards, from {first.isoformat()} to {last.isoformat()}, "
        "replayed through quizkit's scheduler" in result.output
    )
    assert (
        "reviews not replayed: 1 manual changes in Anki (rescheduled, forgotten), not answers"
        in result.output
    )
    assert "as in Anki: 1 card suspended, 0 buried" in result.output
    assert "formatting (the text is kept): 2 (" in result.output  # bold and a table, listed once
    assert "scheduling" not in result.output


def test_importing_again_adds_no_reviews(
    runner: CliRunner, tmp_path: Path, package: tuple[Path, dict[str, Any]]
) -> None:
    source, _known = package
    out = tmp_path / "decks"
    _import(runner, source, out, "--with-progress")
    before, states = _review_rows(tmp_path), _stored(tmp_path)
    again = _import(runner, source, out, "--with-progress", "--force")
    assert _review_rows(tmp_path) == before and _stored(tmp_path) == states
    assert "progress: no new reviews" in again.output
    assert "reviews not replayed: 200 already imported" in again.output


def test_a_later_export_adds_only_the_new_reviews(
    runner: CliRunner, tmp_path: Path, package: tuple[Path, dict[str, Any]]
) -> None:
    source, known = package
    out = tmp_path / "decks"
    _import(runner, source, out, "--with-progress")
    result = _import(runner, source.with_name("later.apkg"), out, "--with-progress", "--force")
    assert "progress: 14 reviews of 7 cards, from 2026-02-08 to 2026-02-08" in result.output
    assert "reviews not replayed: 200 already imported" in result.output
    assert len(_review_rows(tmp_path)) == 214
    cards, stored = _by_front(out), _stored(tmp_path)
    for front, cid in known["cards"].items():
        deck_id, _file, table = cards[front.split("/")[0]]
        card_id = str(table["id"]) + (".rev" if front.endswith("/reverse") else "")
        expected = _replayed(known["reviews"][cid], deck_id, card_id)  # the whole history, replayed
        assert stored[(deck_id, card_id)][:2] == (int(expected.due.timestamp() * 1000), expected.reps)


def test_undo_never_takes_back_an_imported_review(
    runner: CliRunner, tmp_path: Path, package: tuple[Path, dict[str, Any]]
) -> None:
    from quizkit.store.progress import Store

    source, _known = package
    _import(runner, source, tmp_path / "decks", "--with-progress")
    ids = sorted({row[0] for row in _review_rows(tmp_path)})
    with Store.open(tmp_path / "progress.db") as store:
        assert store.last_review(ids) is None
        assert store.last_review(ids, origin="tty:/dev/pts/1") is None


def test_stats_count_imported_reviews(
    runner: CliRunner, tmp_path: Path, package: tuple[Path, dict[str, Any]]
) -> None:
    source, _known = package
    _import(runner, source, tmp_path / "decks", "--with-progress")
    result = runner.invoke(app, ["stats", str(tmp_path / "decks" / "Spanish.toml"), "--json"])
    assert result.exit_code == 0, result.output
    days = json.loads(result.output)["heatmap"]["reviews"]
    assert sum(days.values()) == 4 * 29 and days["2025-09-01"] == 4  # the 4 Spanish cards, 29 times
    db = sqlite3.connect(tmp_path / "progress.db")
    try:  # Anki's answer times come too (6 s each in the fixture)
        assert db.execute("SELECT DISTINCT duration_ms FROM reviews").fetchall() == [(6000,)]
    finally:
        db.close()


def test_one_file_with_a_tag_per_deck(
    runner: CliRunner, tmp_path: Path, package: tuple[Path, dict[str, Any]]
) -> None:
    source, _known = package
    out = tmp_path / "all.toml"
    result = _import(runner, source, out)
    _deck, meta, tables = deck_write.load_tables(out)
    tags = {str(table["q"]): table.get("tags", []) for _kind, table in tables}
    assert tags["perro"] == ["Spanish"]
    assert tags["Robespierre"] == ["History.French-Revolution.Terror"]
    assert meta["title"] == "History › French Revolution › Terror + Spanish"
    assert meta["description"] == "History › French Revolution › Terror: The Terror, 1793-94."
    # Without --with-progress the history is named as a loss, once, with a count.
    assert (
        "scheduling and review history (add --with-progress to bring them; 201 reviews in all): 7 ("
        in result.output
    )
    assert not (tmp_path / "progress.db").exists()  # the progress is not touched


def test_a_colpkg_imports_with_its_history(runner: CliRunner, tmp_path: Path) -> None:
    source, _known = _build(tmp_path / "anki", colpkg=True)
    result = _import(runner, source, tmp_path / "decks", "--with-progress")
    assert "progress: 200 reviews of 7 cards" in result.output


def test_with_progress_is_refused_for_a_file_without_history(runner: CliRunner, tmp_path: Path) -> None:
    source = tmp_path / "words.csv"
    source.write_text("perro,dog\ngato,cat\n", encoding="utf-8")
    result = runner.invoke(app, ["import", str(source), "-o", str(tmp_path / "w.toml"), "--with-progress"])
    assert result.exit_code == 2
    assert "--with-progress: words.csv has no review history" in result.output
    assert not (tmp_path / "w.toml").exists()


def test_a_raw_anki2_collection_gets_a_hint_to_export(runner: CliRunner, tmp_path: Path) -> None:
    collection = pytest.importorskip("anki.collection")
    folder = tmp_path / "anki"
    folder.mkdir()
    col = collection.Collection(str(folder / "collection.anki2"))
    col.close()
    result = runner.invoke(app, ["import", str(folder / "collection.anki2"), "-o", str(tmp_path / "d.toml")])
    assert result.exit_code == 2
    assert "File > Export > 'Anki Deck Package (*.apkg)'" in " ".join(result.output.split())
    assert "Traceback" not in result.output


def test_the_text_export_keeps_the_whole_deck_path(runner: CliRunner, tmp_path: Path) -> None:
    source = tmp_path / "notes.txt"
    source.write_text(
        "#separator:tab\n#html:true\n#deck column:3\n"
        "Robespierre\tLeader\tHistory::French Revolution::Terror\n"
        "perro\tdog\tSpanish\n",
        encoding="utf-8",
    )
    out = tmp_path / "decks"
    _import(runner, source, out)
    assert sorted(p.name for p in out.iterdir()) == ["History-French-Revolution-Terror.toml", "Spanish.toml"]
    text = (out / "History-French-Revolution-Terror.toml").read_text(encoding="utf-8")
    assert 'title = "History › French Revolution › Terror"' in text


def test_a_cloze_cards_history_follows_its_deletion_and_a_buried_card_stays_buried(
    runner: CliRunner, tmp_path: Path
) -> None:
    collection = pytest.importorskip("anki.collection")
    from anki.collection import ExportAnkiPackageOptions

    folder = tmp_path / "anki"
    folder.mkdir()
    col = collection.Collection(str(folder / "collection.anki2"))
    try:
        note = col.new_note(col.models.by_name("Cloze"))
        note["Text"] = "{{c2::Paris}} is the capital of {{c1::France}}."  # Anki's c2 is read first
        col.add_note(note, col.decks.id("Geography"))
        by_ord = {card.ord: card.id for card in note.cards()}
        for n in range(3):
            col.db.execute(
                "INSERT INTO revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type) "
                "VALUES (?, ?, -1, 3, 1, 0, 2500, 6000, ?)",
                START_MS + n * 3 * DAY_MS,
                by_ord[1],
                min(n, 1),
            )
        col.db.execute("UPDATE cards SET type = 2, queue = 2, ivl = 5 WHERE id = ?", by_ord[1])
        col.sched.bury_cards([by_ord[0]])
        out = tmp_path / "geo.apkg"
        options = ExportAnkiPackageOptions(
            with_scheduling=True, with_deck_configs=False, with_media=False, legacy=False
        )
        col.export_anki_package(out_path=str(out), options=options, limit=None)
    finally:
        col.close()
    queues = {card.ord: card.queue for card in apkg.read_package(out, str(out)).cards}
    result = _import(runner, out, tmp_path / "geo.toml", "--with-progress")
    assert "progress: 3 reviews of 1 cards" in result.output
    (deck_id, _file, table) = next(iter(_by_front_cloze(tmp_path / "geo.toml").values()))
    stored = _stored(tmp_path)
    paris = f"{table['id']}.c1"  # the first deletion in reading order: Anki's c2, card ord 1
    assert stored[(deck_id, paris)][1] == 3
    assert queues[0] in (-2, -3)  # Anki keeps the burial in the package
    assert stored[(deck_id, f"{table['id']}.c2")][3] is not None
    assert "as in Anki: 0 cards suspended, 1 buried" in result.output


def _by_front_cloze(path: Path) -> dict[str, tuple[str, str, dict[str, Any]]]:
    deck, _meta, tables = deck_write.load_tables(path)
    return {str(table["cloze"]): (deck.id, path.name, table) for _kind, table in tables}


@pytest.mark.parametrize(
    ("out", "extra", "message"),
    [
        ("d.toml", ["--decks", "files"], "--decks files: -o names a folder for the deck files, e.g. -o"),
        ("decks", ["--decks", "tags"], "deck files end in .toml; try -o"),
        (
            "d.toml",
            ["--decks", "piles"],
            "--decks piles: give files (a deck file per deck) or tags (one file)",
        ),
        ("missing/decks", [], "is not a folder; create it first"),
    ],
)
def test_the_layout_options_are_checked_before_anything_is_read(
    runner: CliRunner, tmp_path: Path, out: str, extra: list[str], message: str
) -> None:
    source = tmp_path / "words.csv"
    source.write_text("perro,dog\n", encoding="utf-8")
    result = runner.invoke(app, ["import", str(source), "-o", str(tmp_path / out), *extra])
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.output.split())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["words.csv"]


def test_the_history_is_replayed_with_the_parameters_quizkit_optimize_saved(
    runner: CliRunner, tmp_path: Path, package: tuple[Path, dict[str, Any]]
) -> None:
    from quizkit.core.scheduler import DEFAULT_PARAMETERS
    from quizkit.store.fitted import FittedParameters
    from quizkit.store.progress import Store

    source, known = package
    fitted = list(DEFAULT_PARAMETERS)
    fitted[0], fitted[2], fitted[20] = 0.5, 1.5, 0.4  # slower first stabilities, a flatter curve
    with Store.open(tmp_path / "progress.db") as store:
        FittedParameters(store).save(None, tuple(fitted), datetime(2026, 1, 1, tzinfo=UTC), 500, 0.5, 0.4)
    _import(runner, source, tmp_path / "decks", "--with-progress")
    cards = _by_front(tmp_path / "decks")
    stored = _stored(tmp_path)
    config = SchedulerConfig(parameters=tuple(fitted))
    moved = 0
    for front, cid in known["cards"].items():
        deck_id, _file, table = cards[front.split("/")[0]]
        card_id = str(table["id"]) + (".rev" if front.endswith("/reverse") else "")
        state = CardState()
        for at_ms, ease in known["reviews"][cid][:-2]:
            at = datetime.fromtimestamp(at_ms / 1000, UTC)
            state = scheduler.review(state, Rating(ease), at, config, key=fuzz_key((deck_id, card_id)))
        assert datetime.fromtimestamp(stored[(deck_id, card_id)][0] / 1000, UTC) == state.due, front
        default = _replayed(known["reviews"][cid][:-2], deck_id, card_id)
        moved += default.due != state.due
    assert moved  # the fitted parameters made a difference
