"""Anki round trips that survive edits, checked with the real `anki` library: a card that changes
kind updates its note in place, choice-like cards travel whole and come back as themselves, and the
package carries the checksums, sort fields and new-card order Anki itself would write."""

from __future__ import annotations

import sqlite3
import zipfile
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from quizkit.cli import app

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
