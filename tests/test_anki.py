"""Anki packages: reading real ones (made by Anki's own library), writing ones Anki reads, and
refusing the broken and the malicious without writing anything."""

from __future__ import annotations

import io
import os
import re
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from quizkit.cli import app
from quizkit.errors import DeckError
from quizkit.io import anki_notes, apkg, deck_files, deck_write, importing
from quizkit.model import Kind

from conftest import BUNDLED

DATA = Path(__file__).resolve().parent / "data"
PACKAGES = ["geography.apkg", "geography-legacy.apkg"]

ROUND_TRIP = """[deck]
id = "trip"
title = "Round trip <& friends>"
description = "Every kind of card."

[[cards]]
id = "basic"
q = "What is <b>not</b> bold & stays \\"quoted\\"?"
a = "Plain text,\\nover two lines"
tags = ["one", "two.sub"]
explain = "An explanation."
source = "A source"

[[cards]]
id = "reversed"
q = "Isthmus"
a = "A narrow strip of land joining two larger areas"
reverse = true
tags = ["terms"]

[[cards]]
id = "typed"
q = "Which river flows through Cairo?"
a = "Nile"
accept = ["the Nile", "River Nile"]
explain = "Why."

[[cards]]
id = "typed-bare"
type = "typed"
q = "Year?"
a = "2011"

[[cards]]
id = "cloze"
q = "Fill in the gaps."
cloze = "The Taliban took {{Kabul}} in {{1996::year}}."
tags = ["dates"]
source = "Somewhere"

[[cards]]
id = "choice"
q = "Largest ocean?"
choices = ["Pacific", "Atlantic", "Indian"]
a = "Pacific"
explain = "By far."
tags = ["oceans"]

[[cards]]
id = "multi"
q = "Landlocked?"
choices = ["Bolivia", "Chile", "Mongolia"]
a = ["Bolivia", "Mongolia"]

[[cards]]
id = "tf"
q = "The Sahara is the largest desert."
a = false

[[cards]]
id = "order"
q = "Planets from the Sun"
order = ["Mercury", "Venus", "Earth"]
"""


def round_trip_deck(tmp_path: Path) -> Path:
    path = tmp_path / "trip.toml"
    path.write_text(ROUND_TRIP, encoding="utf-8")
    return path


def by_id(tables: list[tuple[Kind, dict[str, Any]]]) -> dict[str, tuple[Kind, dict[str, Any]]]:
    return {str(table["id"]): (kind, table) for kind, table in tables}


# ---------------------------------------------------------------- reading Anki's own files


@pytest.mark.parametrize("name", PACKAGES)
def test_apkg_made_by_anki_becomes_quizkit_cards(name: str) -> None:
    data = (DATA / name).read_bytes()
    package = apkg.read_package(data, name)
    assert package.collection == ("collection.anki21b" if name == "geography.apkg" else "collection.anki21")
    assert package.media == ("flag.png",)
    imported = anki_notes.from_package(package, name)
    assert imported.title == "Geography"
    cards = {str(c.get("q") or c.get("cloze")): c for c in imported.cards}
    assert sorted(cards) == sorted(
        [
            "Capital of France?",
            "Isthmus",
            "Estuary",
            "Delta",
            "The {{Nile}} flows through {{Cairo::city}}.",
            "In which year did South Sudan become independent?",
            "hund",
            "Which country has this flag?",
            "What does this picture show?",  # a front that is only the flag: asked in words
        ]
    )
    assert cards["Capital of France?"]["a"] == "Paris (since 508)"
    assert cards["Capital of France?"]["tags"] == ["capitals", "europe.france"]
    assert cards["Isthmus"]["reverse"] is True
    assert cards["Isthmus"]["a"] == "A narrow strip of land\njoining two larger areas"
    assert cards["Estuary"]["reverse"] is True  # optional reverse, asked for
    assert "reverse" not in cards["Delta"]  # optional reverse, not asked for
    cloze = cards["The {{Nile}} flows through {{Cairo::city}}."]
    assert (cloze["explain"], cloze["tags"]) == ("The longest river in Africa.", ["rivers"])
    typed = cards["In which year did South Sudan become independent?"]
    assert (typed["type"], typed["a"]) == ("typed", "2011")
    assert cards["hund"]["a"] == "dog"  # a renamed copy of Basic is still basic
    left_out = [re.sub(r"note \d+", "note N", item) for item in imported.left_out]
    assert left_out == [
        "media files in the package: 1 (flag.png): quizkit decks are text",
        "formatting (the text is kept): 1 (note N (Capital of France?): bold)",
        "media (images, sounds): 2 (note N (Which country has this flag?): flag.png; "
        "note N (What does this picture show?): flag.png)",
        "notes of note types quizkit has no kind for: 1 ('Word and picture': its cards show 2 fields on "
        "the front (Word, Picture); a quizkit card asks one)",
    ]
    assert imported.changed == ["tag 'europe::france' became 'europe.france'"]  # géographie stays


def test_both_package_formats_and_the_text_export_give_the_same_ids() -> None:
    ids = [
        sorted(c["id"] for c in importing.read_source(DATA / name).cards)
        for name in [*PACKAGES, "geography-notes.txt"]
    ]
    assert ids[0] == ids[1] == ids[2]
    assert all(re.fullmatch(r"anki-[0-9a-f]{10}", i) for i in ids[0])


def test_imported_apkg_passes_validate(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "geo.toml"
    result = runner.invoke(app, ["import", str(DATA / "geography.apkg"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    # The flag card's picture comes along (geo.media/flag.png): tests/test_anki_pictures.py.
    assert "imported 9 card blocks (12 cards: basic 9 · cloze 2 · typed 1)" in result.output
    assert "copied 1 media file into" in result.output
    assert (tmp_path / "geo.media" / "flag.png").is_file()
    assert "not carried over (2):" in result.output
    checked = runner.invoke(app, ["validate", str(out)])
    assert checked.exit_code == 0 and "0 errors" in checked.output, checked.output
    assert out.read_text(encoding="utf-8").startswith("# Imported from geography.apkg by quizkit import.")


def test_reading_a_current_package_without_zstandard_says_what_to_do(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "zstandard", None)
    with pytest.raises(DeckError) as caught:
        apkg.read_package((DATA / "geography.apkg").read_bytes(), "geography.apkg")
    problem = caught.value.problems[0]
    assert "the zstandard module is missing" in problem.message
    assert "pip install zstandard" in problem.hint
    # The legacy format needs no zstd.
    assert apkg.read_package((DATA / "geography-legacy.apkg").read_bytes(), "x").notes


# ---------------------------------------------------------------- broken and malicious packages


def zipped(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def legacy_collection() -> bytes:
    with zipfile.ZipFile(DATA / "geography-legacy.apkg") as archive:
        return archive.read("collection.anki21")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"this is not a zip file at all", "is not an Anki package: it is not a zip file"),
        (b"", "is not an Anki package: it is not a zip file"),
        (zipped({"readme.txt": b"hello"}), "is a zip file but not an Anki package"),
        (
            zipped({"collection.anki21": b"garbage that is not sqlite"}),
            "holds a collection quizkit cannot read",
        ),
        (zipped({"collection.anki21b": b"\x28\xb5\x2f\xfd broken zstd"}), "its zstd data cannot be unpacked"),
        (
            zipped({"collection.anki21": legacy_collection(), "../../evil.sh": b"rm -rf ~"}),
            "contains '../../evil.sh', a path outside the package",
        ),
        (
            zipped({"collection.anki21": legacy_collection(), "/etc/cron.d/x": b"x"}),
            "contains '/etc/cron.d/x'",
        ),
        (
            zipped({"collection.anki21": legacy_collection(), "..\\..\\win.ini": b"x"}),
            "a path outside the package",
        ),
        (zipped({"collection.anki21": legacy_collection(), "C:/x.txt": b"x"}), "a path outside the package"),
    ],
)
def test_bad_packages_get_a_clear_error_and_nothing_is_written(
    runner: CliRunner, tmp_path: Path, content: bytes, message: str
) -> None:
    source = tmp_path / "deck.apkg"
    source.write_bytes(content)
    out = tmp_path / "out.toml"
    result = runner.invoke(app, ["import", str(source), "-o", str(out)])
    assert result.exit_code == 1, result.output
    flat = " ".join(result.output.split())
    assert f"{source}: error: " in flat and message in flat, result.output
    assert "Traceback" not in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["deck.apkg"]
    assert not Path("evil.sh").exists() and not (tmp_path.parent / "evil.sh").exists()


def test_a_package_is_never_unpacked_to_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("extracted to disk")

    monkeypatch.setattr(zipfile.ZipFile, "extract", refuse)
    monkeypatch.setattr(zipfile.ZipFile, "extractall", refuse)
    for name in PACKAGES:
        assert apkg.read_package((DATA / name).read_bytes(), name).notes


def test_protobuf_reader_rejects_truncated_data() -> None:
    with pytest.raises(ValueError):
        apkg._protobuf(b"\x0a\x05ab")
    assert apkg._protobuf(b"\x08\x96\x01\x12\x02hi") == [(1, 150), (2, b"hi")]


# ---------------------------------------------------------------- writing


def test_export_apkg_writes_notes_for_every_card_block(runner: CliRunner, tmp_path: Path) -> None:
    deck = round_trip_deck(tmp_path)
    out = tmp_path / "trip.apkg"
    result = runner.invoke(app, ["export", str(deck), "--to", "apkg", "-o", str(out)])
    assert result.exit_code == 0, result.output
    package = apkg.read_package(out.read_bytes(), str(out))
    assert package.collection == "collection.anki2"
    notes = {note.guid: note for note in package.notes}
    assert sorted(notes) == sorted(f"quizkit:trip:{i}" for i in by_id(deck_write.load_tables(deck)[2]))
    basic = notes["quizkit:trip:basic"]
    assert basic.notetype.name == "quizkit"
    assert basic.field("Front") == 'What is &lt;b&gt;not&lt;/b&gt; bold &amp; stays "quoted"?'
    assert basic.tags == ("one", "two.sub")
    assert notes["quizkit:trip:reversed"].card_ords == {0, 1}
    assert (
        notes["quizkit:trip:cloze"].field("Text") == "The Taliban took {{c1::Kabul}} in {{c2::1996::year}}."
    )
    assert notes["quizkit:trip:cloze"].card_ords == {0, 1}
    choice = notes["quizkit:trip:choice"]
    assert (choice.field("Front"), choice.field("Kind")) == ("Largest ocean?", "choice")
    assert (choice.field("Choices"), choice.field("Back")) == ("Pacific<br>Atlantic<br>Indian", "Pacific")


def test_deck_to_apkg_to_deck_keeps_every_field_anki_can_carry(runner: CliRunner, tmp_path: Path) -> None:
    deck = round_trip_deck(tmp_path)
    apkg, back = tmp_path / "trip.apkg", tmp_path / "back.toml"
    assert runner.invoke(app, ["export", str(deck), "-o", str(apkg)]).exit_code == 0
    result = runner.invoke(app, ["import", str(apkg), "-o", str(back)])
    assert result.exit_code == 0, result.output
    before, after = by_id(deck_write.load_tables(deck)[2]), by_id(deck_write.load_tables(back)[2])
    assert before.keys() == after.keys()
    # Every kind comes back as itself (choice, multi, true/false and order too).
    assert after == before
    assert deck_files.load_deck(back).title == "Round trip <& friends>"


def test_exact_typed_answers_lose_only_exact(runner: CliRunner, tmp_path: Path) -> None:
    deck = tmp_path / "d.toml"
    deck.write_text(
        '[deck]\ntitle = "T"\n[[cards]]\nid = "x"\nq = "Code?"\na = "DE"\nexact = true\n', encoding="utf-8"
    )
    apkg, back = tmp_path / "d.apkg", tmp_path / "back.toml"
    assert runner.invoke(app, ["export", str(deck), "-o", str(apkg)]).exit_code == 0
    assert runner.invoke(app, ["import", str(apkg), "-o", str(back)]).exit_code == 0
    assert deck_write.load_tables(back)[2] == [
        (Kind.TYPED, {"id": "x", "type": "typed", "q": "Code?", "a": "DE"})
    ]


def test_exporting_the_bundled_deck_twice_gives_the_same_package(runner: CliRunner, tmp_path: Path) -> None:
    source = BUNDLED / "taliban-pakistan.toml"
    first, second = tmp_path / "a.apkg", tmp_path / "b.apkg"
    for out in (first, second):
        assert runner.invoke(app, ["export", str(source), "--to", "apkg", "-o", str(out)]).exit_code == 0
    read = [apkg.read_package(p.read_bytes(), str(p)) for p in (first, second)]
    assert read[0] == read[1]
    assert len(read[0].notes) == 77


# ---------------------------------------------------------------- against real Anki


@pytest.fixture
def anki_collection(tmp_path: Path):  # type: ignore[no-untyped-def]
    collection_module = pytest.importorskip("anki.collection")
    folder = tmp_path / "anki"
    folder.mkdir()
    col = collection_module.Collection(str(folder / "collection.anki2"))
    try:
        yield col
    finally:
        col.close()


def test_real_anki_imports_the_exported_package(
    runner: CliRunner, tmp_path: Path, anki_collection: Any
) -> None:
    from anki.collection import ImportAnkiPackageOptions, ImportAnkiPackageRequest

    col = anki_collection
    deck = round_trip_deck(tmp_path)
    apkg = tmp_path / "trip.apkg"
    assert runner.invoke(app, ["export", str(deck), "-o", str(apkg)]).exit_code == 0
    log = col.import_anki_package(
        ImportAnkiPackageRequest(package_path=str(apkg), options=ImportAnkiPackageOptions())
    ).log
    assert len(log.new) == 9 and not log.conflicting
    notes = {col.get_note(nid).guid: col.get_note(nid) for nid in col.find_notes("")}
    assert len(notes) == 9
    cloze = notes["quizkit:trip:cloze"]
    assert cloze.note_type()["name"] == "quizkit Cloze"
    assert sorted(card.ord for card in cloze.cards()) == [0, 1]
    assert sorted(card.ord for card in notes["quizkit:trip:reversed"].cards()) == [0, 1]
    typed = notes["quizkit:trip:typed"]
    assert "{{type:Back}}" in typed.note_type()["tmpls"][0]["qfmt"]
    assert typed["Accept"] == "the Nile<br>River Nile"
    assert notes["quizkit:trip:basic"].tags == ["one", "two.sub"]
    question = notes["quizkit:trip:cloze"].cards()[0].question()
    assert "Fill in the gaps." in question and "[...]" in question
    assert "Round trip <& friends>" in col.decks.all_names()


def test_real_anki_can_export_what_it_imported_and_quizkit_reads_it_back(
    runner: CliRunner, tmp_path: Path, anki_collection: Any
) -> None:
    from anki.collection import (
        ExportAnkiPackageOptions,
        ImportAnkiPackageOptions,
        ImportAnkiPackageRequest,
    )
    from anki.decks import DeckId
    from anki.import_export_pb2 import ExportLimit

    col = anki_collection
    deck = round_trip_deck(tmp_path)
    apkg = tmp_path / "trip.apkg"
    assert runner.invoke(app, ["export", str(deck), "-o", str(apkg)]).exit_code == 0
    col.import_anki_package(
        ImportAnkiPackageRequest(package_path=str(apkg), options=ImportAnkiPackageOptions())
    )
    again = tmp_path / "from-anki.apkg"
    options = ExportAnkiPackageOptions(
        with_scheduling=False, with_deck_configs=False, with_media=False, legacy=False
    )
    deck_id = DeckId(col.decks.id_for_name("Round trip <& friends>"))
    col.export_anki_package(out_path=str(again), options=options, limit=ExportLimit(deck_id=deck_id))
    back = tmp_path / "back.toml"
    result = runner.invoke(app, ["import", str(again), "-o", str(back)])
    assert result.exit_code == 0, result.output
    before, after = by_id(deck_write.load_tables(deck)[2]), by_id(deck_write.load_tables(back)[2])
    for card_id in ("basic", "reversed", "typed", "typed-bare", "cloze"):
        assert after[card_id] == before[card_id], card_id
    assert os.path.getsize(again) > 0
