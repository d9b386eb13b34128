"""Anki round trips that survive edits, checked with the real `anki` library: a card that changes
kind updates its note in place, choice-like cards travel whole and come back as themselves, and the
package carries the checksums, sort fields and new-card order Anki itself would write."""

from __future__ import annotations

import html
import os
import re
import sqlite3
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from quizkit.cli import app
from quizkit.io import deck_write

from tests_support import CHROMIUM

pytest.importorskip("anki.collection")

from anki.collection import (  # noqa: E402
    Collection,
    ImportAnkiPackageOptions,
    ImportAnkiPackageRequest,
)

V1 = """[deck]
id = "kinds"
title = "Kinds"

[[cards]]
id = "to-reversed"
q = "Isthmus"
a = "A narrow strip of land"

[[cards]]
id = "to-basic"
q = "Estuary"
a = "Where a river meets the sea"
reverse = true

[[cards]]
id = "to-typed"
q = "Which river flows through Cairo?"
a = "Nile"

[[cards]]
id = "from-typed"
type = "typed"
q = "Year?"
a = "2011"

[[cards]]
id = "to-choice"
q = "Largest ocean?"
a = "Pacific"

[[cards]]
id = "same"
q = "Capital of France?"
a = "Paris"
"""

V2 = """[deck]
id = "kinds"
title = "Kinds"

[[cards]]
id = "to-reversed"
q = "Isthmus"
a = "A narrow strip of land joining two larger areas"
reverse = true

[[cards]]
id = "to-basic"
q = "Estuary"
a = "Where a river meets the sea"

[[cards]]
id = "to-typed"
q = "Which river flows through Cairo?"
a = "Nile"
accept = ["the Nile"]

[[cards]]
id = "from-typed"
q = "Year?"
a = "2011"

[[cards]]
id = "to-choice"
q = "Largest ocean?"
choices = ["Pacific", "Atlantic", "Indian"]
a = "Pacific"

[[cards]]
id = "same"
q = "Capital of France?"
a = "Paris"
"""


@pytest.fixture
def col(tmp_path: Path):  # type: ignore[no-untyped-def]
    folder = tmp_path / "anki"
    folder.mkdir()
    collection = Collection(str(folder / "collection.anki2"))
    try:
        yield collection
    finally:
        collection.close()


def export(runner: CliRunner, tmp_path: Path, text: str, name: str) -> Path:
    deck = tmp_path / f"{name}.toml"
    deck.write_text(text, encoding="utf-8")
    out = tmp_path / f"{name}.apkg"
    result = runner.invoke(app, ["export", str(deck), "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out


def import_default(col: Any, package: Path) -> Any:
    """Anki's import with its default options, as File > Import does it."""
    request = ImportAnkiPackageRequest(package_path=str(package), options=ImportAnkiPackageOptions())
    return col.import_anki_package(request).log


def notes_by_guid(col: Any) -> dict[str, Any]:
    return {col.get_note(nid).guid: col.get_note(nid) for nid in col.find_notes("")}


def test_changing_a_cards_kind_updates_its_note_in_place_in_anki(
    runner: CliRunner, tmp_path: Path, col: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = export(runner, tmp_path, V1, "v1")
    log = import_default(col, first)
    assert (len(log.new), len(log.conflicting)) == (6, 0)
    monkeypatch.setenv("QUIZKIT_NOW", "2026-03-09T09:00:00+00:00")  # a week of edits later
    second = export(runner, tmp_path, V2, "v2")
    log = import_default(col, second)
    assert (len(log.new), len(log.conflicting), len(log.duplicate)) == (0, 0, 0)
    assert len(log.updated) == 6
    notes = notes_by_guid(col)
    assert len(notes) == 6  # updated, not duplicated
    assert {note.note_type()["name"] for note in notes.values()} == {"quizkit"}

    reversed_now = notes["quizkit:kinds:to-reversed"]
    assert reversed_now["Back"] == "A narrow strip of land joining two larger areas"
    assert sorted(card.ord for card in reversed_now.cards()) == [0, 1]  # the new reverse card came in
    reverse_card = next(card for card in reversed_now.cards() if card.ord == 1)
    assert "A narrow strip of land joining two larger areas" in reverse_card.question()

    typed_now = notes["quizkit:kinds:to-typed"]
    assert typed_now["Accept"] == "the Nile"
    assert "[[type:Back]]" in typed_now.cards()[0].question()
    assert "[[type:Back]]" not in notes["quizkit:kinds:from-typed"].cards()[0].question()

    # A reverse card that is no longer asked is left for Anki's Tools > Empty Cards.
    estuary = notes["quizkit:kinds:to-basic"]
    assert estuary["Add reverse"] == ""
    empty = col.get_empty_cards()
    assert [report.note_id for report in empty.notes] == [estuary.id]

    choice = notes["quizkit:kinds:to-choice"]
    assert (choice["Kind"], choice["Back"]) == ("choice", "Pacific")
    assert choice["Choices"] == "Pacific<br>Atlantic<br>Indian"


def test_importing_the_same_package_again_changes_nothing(
    runner: CliRunner, tmp_path: Path, col: Any
) -> None:
    package = export(runner, tmp_path, V1, "v1")
    import_default(col, package)
    log = import_default(col, package)
    assert (len(log.new), len(log.updated), len(log.conflicting), len(log.duplicate)) == (0, 0, 0, 6)


# ---------------------------------------------------------------- what Anki itself would store

STORED = """[deck]
id = "stored"
title = "Stored"

[[cards]]
id = "html"
q = "What is <b>not</b> bold & stays \\"quoted\\"?"
a = "Plain"

[[cards]]
id = "lines"
q = "Two\\nlines  and  spaces"
a = "Yes"
reverse = true

[[cards]]
id = "number"
q = "1996"
a = "The year"

[[cards]]
id = "cloze"
cloze = "The Taliban took {{Kabul}} in {{1996::year}}."

[[cards]]
id = "choice"
q = "Largest ocean?"
choices = ["Pacific", "Atlantic"]
a = "Pacific"
"""


def package_rows(package: Path, query: str) -> list[tuple[Any, ...]]:
    with zipfile.ZipFile(package) as archive:
        data = archive.read("collection.anki2")
    db = sqlite3.connect(":memory:")
    try:
        db.deserialize(data)
        return db.execute(query).fetchall()
    finally:
        db.close()


def test_packages_carry_the_sort_field_checksum_and_new_card_order_anki_would(
    runner: CliRunner, tmp_path: Path, col: Any
) -> None:
    package = export(runner, tmp_path, STORED, "stored")
    written = {
        guid: (sfld, csum) for guid, sfld, csum in package_rows(package, "SELECT guid, sfld, csum FROM notes")
    }
    import_default(col, package)
    # Anki works both out again for the notes it adds: they must agree with the package's.
    computed = {guid: (sfld, csum) for guid, sfld, csum in col.db.all("SELECT guid, sfld, csum FROM notes")}
    assert written == computed
    assert written["quizkit:stored:html"][0] == 'What is <b>not</b> bold & stays "quoted"?'
    assert all(csum != 0 for _, csum in written.values())
    # New cards come in deck order, a note's cards together: due is the note's position.
    dues = package_rows(
        package, "SELECT n.guid, c.ord, c.due FROM cards c JOIN notes n ON n.id = c.nid ORDER BY c.due, c.ord"
    )
    assert [(guid.rpartition(":")[2], ord_, due) for guid, ord_, due in dues] == [
        ("html", 0, 1),
        ("lines", 0, 2),
        ("lines", 1, 2),
        ("number", 0, 3),
        ("cloze", 0, 4),
        ("cloze", 1, 4),
        ("choice", 0, 5),
    ]
    in_anki = [col.get_card(cid) for cid in col.find_cards("", order="c.due, c.ord")]
    assert [col.get_note(card.nid).guid.rpartition(":")[2] for card in in_anki] == [
        "html",
        "lines",
        "lines",
        "number",
        "cloze",
        "cloze",
        "choice",
    ]


# ---------------------------------------------------------------- choice-like cards, whole

CHOICES = """[deck]
id = "choices"
title = "Choices"

[[cards]]
id = "choice"
q = "Largest ocean?"
choices = ["Pacific", "Atlantic", "Indian", "Arctic"]
a = "Pacific"
explain = "By far."
tags = ["oceans"]

[[cards]]
id = "multi"
q = "Landlocked?"
choices = ["Bolivia", "Chile", "Mongolia", "Peru"]
a = ["Bolivia", "Mongolia"]

[[cards]]
id = "tf"
q = "The Sahara is the largest desert."
a = false
source = "An atlas"

[[cards]]
id = "order"
q = "Planets from the Sun"
order = ["Mercury", "Venus", "Earth", "Mars"]

[[cards]]
id = "hostile"
q = "<script>alert(1)</script>?"
choices = ["<img src=x onerror=alert(2)>", "[b]plain[/b]"]
a = "[b]plain[/b]"
"""


def export_from_anki(col: Any, deck_name: str, out: Path) -> Path:
    """The deck exported by Anki itself, as File > Export > Anki Deck Package does it."""
    from anki.collection import ExportAnkiPackageOptions
    from anki.decks import DeckId
    from anki.import_export_pb2 import ExportLimit

    options = ExportAnkiPackageOptions(
        with_scheduling=False, with_deck_configs=False, with_media=False, legacy=False
    )
    limit = ExportLimit(deck_id=DeckId(col.decks.id_for_name(deck_name)))
    col.export_anki_package(out_path=str(out), options=options, limit=limit)
    return out


def test_choice_like_cards_come_back_from_anki_as_themselves(
    runner: CliRunner, tmp_path: Path, col: Any
) -> None:
    deck = tmp_path / "choices.toml"
    deck.write_text(CHOICES, encoding="utf-8")
    import_default(col, export(runner, tmp_path, CHOICES, "choices"))
    again = export_from_anki(col, "Choices", tmp_path / "from-anki.apkg")
    back = tmp_path / "back.toml"
    result = runner.invoke(app, ["import", str(again), "-o", str(back)])
    assert result.exit_code == 0, result.output
    assert "choice 2 · multi 1 · order 1 · truefalse 1" in " ".join(result.output.split())
    assert deck_write.load_tables(back)[2] == deck_write.load_tables(deck)[2]


def test_a_renamed_quizkit_note_type_is_still_known_and_a_broken_note_is_named(
    runner: CliRunner, tmp_path: Path, col: Any
) -> None:
    import_default(col, export(runner, tmp_path, CHOICES, "choices"))
    notetype = col.models.by_name("quizkit")
    notetype["name"] = "My quiz cards"
    col.models.update_dict(notetype)
    notes = notes_by_guid(col)
    edits = {"choice": ("Back", "Neptune"), "tf": ("Back", "Maybe"), "order": ("Kind", "essay")}
    for card_id, (field, value) in edits.items():
        note = notes[f"quizkit:choices:{card_id}"]
        note[field] = value
        col.update_note(note)
    again = export_from_anki(col, "Choices", tmp_path / "from-anki.apkg")
    back = tmp_path / "back.toml"
    result = runner.invoke(app, ["import", str(again), "-o", str(back)])
    assert result.exit_code == 0, result.output
    assert sorted(str(table["id"]) for _, table in deck_write.load_tables(back)[2]) == ["hostile", "multi"]
    flat = " ".join(result.output.split())
    # Each kind of loss is listed once, with its count and two examples (issue 17).
    assert "quizkit notes edited in Anki into something that is no card: 3" in flat, result.output
    for reason in (
        "(Largest ocean?): its back is not one of its choices",
        "(The Sahara is the largest desert.): its back is neither True nor False",
    ):
        assert reason in flat, result.output


def shown(tmp_path: Path, card_html: str, name: str) -> str:
    """A card as Chromium shows it, its script run: the page's text, one block a line, list items
    marked "- " (and "* " where marked right), "---" for the line between question and answer."""
    page = tmp_path / f"{name}.html"
    page.write_text(f"<!doctype html><meta charset=utf-8><body>{card_html}</body>", encoding="utf-8")
    profile = tmp_path / "chromium-profile"
    command = [
        str(CHROMIUM),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-crash-reporter",
        f"--user-data-dir={profile}",
        "--dump-dom",
        page.as_uri(),
    ]
    env = {
        **os.environ,
        "HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(profile),
        "XDG_CACHE_HOME": str(profile),
    }
    dom = subprocess.run(command, env=env, capture_output=True, timeout=120, check=True, text=True).stdout
    body = dom.split("<body>", 1)[1]
    body = re.sub(r"(?s)<script>.*?</script>|<style>.*?</style>", "", body)
    body = body.replace('<li class="qk-right">', "\n* ").replace("<li>", "\n- ")
    body = re.sub(r"<hr[^>]*>", "\n---\n", body)
    body = re.sub(r"<div[^>]*>", "\n", body)
    body = html.unescape(re.sub(r"<[^>]+>", "", body))
    return "\n".join(line.strip() for line in body.splitlines() if line.strip())


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="needs Chromium (apt-get install chromium)")
def test_in_anki_choices_are_shuffled_the_same_on_both_sides_and_the_answer_is_marked(
    runner: CliRunner, tmp_path: Path, col: Any
) -> None:
    import_default(col, export(runner, tmp_path, CHOICES, "choices"))
    notes = notes_by_guid(col)

    card = notes["quizkit:choices:choice"].cards()[0]
    front = shown(tmp_path, card.question(), "choice-front")
    assert front.splitlines()[:2] == ["Largest ocean?", "Choose one:"]
    listed = front.splitlines()[2:]
    assert sorted(listed) == ["- Arctic", "- Atlantic", "- Indian", "- Pacific"]
    assert listed != ["- Pacific", "- Atlantic", "- Indian", "- Arctic"]  # shuffled (drawn from the text)
    assert shown(tmp_path, card.question(), "choice-front-again") == front  # the same at every review
    back = shown(tmp_path, card.answer(), "choice-back")
    assert back.splitlines()[2:6] == [line.replace("- Pacific", "* Pacific") for line in listed]
    assert back.splitlines()[6:] == ["---", "Pacific", "By far."]

    multi = shown(tmp_path, notes["quizkit:choices:multi"].cards()[0].answer(), "multi-back")
    assert multi.splitlines()[1] == "Select all that apply:"
    assert sorted(line for line in multi.splitlines() if line.startswith("*")) == ["* Bolivia", "* Mongolia"]

    tf = shown(tmp_path, notes["quizkit:choices:tf"].cards()[0].answer(), "tf-back")
    assert tf.splitlines() == [
        "The Sahara is the largest desert.",
        "True or false?",
        "---",
        "False",
        "An atlas",
    ]

    order = shown(tmp_path, notes["quizkit:choices:order"].cards()[0].answer(), "order-back")
    lines = order.splitlines()
    assert lines[:2] == ["Planets from the Sun", "Put in order:"]
    assert sorted(lines[2:6]) == ["- Earth", "- Mars", "- Mercury", "- Venus"]
    assert lines[6:] == ["---", "- Mercury", "- Venus", "- Earth", "- Mars"]

    # Deck text stays text: no script of its own runs, no picture is made from it.
    hostile = shown(tmp_path, notes["quizkit:choices:hostile"].cards()[0].answer(), "hostile-back")
    assert hostile.splitlines()[0] == "<script>alert(1)</script>?"
    assert sorted(hostile.splitlines()[2:4]) == ["* [b]plain[/b]", "- <img src=x onerror=alert(2)>"]


def test_anki_text_export_of_quizkit_notes_comes_back_as_the_same_cards(
    runner: CliRunner, tmp_path: Path, col: Any
) -> None:
    from anki.decks import DeckId
    from anki.import_export_pb2 import ExportLimit

    deck = tmp_path / "choices.toml"
    deck.write_text(CHOICES + V1.replace('[deck]\nid = "kinds"\ntitle = "Kinds"\n', ""), encoding="utf-8")
    import_default(col, export(runner, tmp_path, deck.read_text(encoding="utf-8"), "all"))
    text = tmp_path / "notes.txt"
    col.export_note_csv(
        out_path=str(text),
        limit=ExportLimit(deck_id=DeckId(col.decks.id_for_name("Choices"))),
        with_html=True,
        with_tags=True,
        with_deck=True,
        with_notetype=True,
        with_guid=True,
    )
    back = tmp_path / "back.toml"
    result = runner.invoke(app, ["import", str(text), "-o", str(back)])
    assert result.exit_code == 0, result.output

    def without_ids(path: Path) -> list[str]:
        return sorted(
            repr(sorted((k, v) for k, v in t.items() if k != "id"))
            for _, t in deck_write.load_tables(path)[2]
        )

    assert without_ids(back) == without_ids(deck)


# ---------------------------------------------------------------- packages from quizkit 0.1


def quizkit_01_package(path: Path) -> Path:
    """A package as quizkit 0.1 wrote it: basic, reversed and typed cards in three note types."""
    import genanki

    def model(number: int, name: str, fields: list[str], templates: list[tuple[str, str]]) -> Any:
        return genanki.Model(
            1735601000 + number,
            name,
            fields=[{"name": f} for f in fields],
            templates=[{"name": f"Card {i}", "qfmt": q, "afmt": a} for i, (q, a) in enumerate(templates, 1)],
        )

    basic = model(1, "quizkit Basic", ["Front", "Back", "Explain", "Source"], [("{{Front}}", "{{Back}}")])
    typed = model(
        3,
        "quizkit Type-in",
        ["Front", "Back", "Accept", "Explain", "Source"],
        [("{{Front}} {{type:Back}}", "{{type:Back}}")],
    )
    deck = genanki.Deck(1234567890, "Kinds")
    deck.add_note(
        genanki.Note(basic, ["Isthmus", "A narrow strip of land", "", ""], guid="quizkit:kinds:to-reversed")
    )
    deck.add_note(genanki.Note(typed, ["Year?", "2011", "", "", ""], guid="quizkit:kinds:from-typed"))
    genanki.Package(deck).write_to_file(str(path), timestamp=1772000000)
    return path


def test_a_quizkit_01_collection_updates_once_its_note_types_are_merged(
    runner: CliRunner, tmp_path: Path, col: Any
) -> None:
    import_default(col, quizkit_01_package(tmp_path / "old.apkg"))
    package = export(runner, tmp_path, V2, "v2")
    assert len(import_default(col, package).conflicting) == 2  # the old note types differ
    options = ImportAnkiPackageOptions(merge_notetypes=True)
    log = col.import_anki_package(ImportAnkiPackageRequest(package_path=str(package), options=options)).log
    assert (len(log.conflicting), len(log.updated)) == (0, 2)
    notes = notes_by_guid(col)
    assert {note.note_type()["name"] for note in notes.values()} == {"quizkit"}
    assert len(notes["quizkit:kinds:to-reversed"].cards()) == 2
    assert "quizkit Basic" not in col.models.all_names()


def test_quizkit_01_note_types_in_a_text_export_still_import(runner: CliRunner, tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text(
        "#separator:tab\n#html:true\n#notetype column:1\n"
        "quizkit Basic (and reversed card)\tIsthmus\tA strip of land\tWhy.\t\n"
        "quizkit Type-in\tYear?\t2011\tMCMXI<br>2011 AD\t\t\n",
        encoding="utf-8",
    )
    back = tmp_path / "back.toml"
    result = runner.invoke(app, ["import", str(text), "-o", str(back)])
    assert result.exit_code == 0, result.output
    tables = [{k: v for k, v in t.items() if k != "id"} for _, t in deck_write.load_tables(back)[2]]
    assert tables == [
        {"q": "Isthmus", "a": "A strip of land", "reverse": True, "explain": "Why."},
        {"q": "Year?", "a": "2011", "accept": ["MCMXI", "2011 AD"]},  # typed: it has accept
    ]
