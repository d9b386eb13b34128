"""Make the Anki fixtures in this folder with Anki's own library (pip install anki).

    python tests/data/make_fixtures.py

Run it again only to refresh the files: Anki gives each note a new random guid,
so the tests read the guids from the files rather than pinning them.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from anki.collection import Collection, DeckIdLimit, ExportAnkiPackageOptions

HERE = Path(__file__).resolve().parent
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def main() -> None:
    folder = Path(tempfile.mkdtemp())
    try:
        col = Collection(str(folder / "collection.anki2"))
        deck_id = col.decks.id("Geography")
        assert deck_id is not None

        def add(notetype: str, fields: dict[str, str], tags: list[str] | None = None) -> None:
            model = col.models.by_name(notetype)
            assert model is not None, notetype
            note = col.new_note(model)
            for name, value in fields.items():
                note[name] = value
            note.tags = tags or []
            col.add_note(note, deck_id)

        # A copy of Basic under another name: quizkit reads note types by their templates.
        vocab = col.models.copy(col.models.by_name("Basic"))  # type: ignore[arg-type]
        vocab["name"] = "Vocabulary"
        col.models.update_dict(vocab)
        # A note type that shows two fields on the front: no quizkit card asks two things.
        picture = col.models.new("Word and picture")
        for name in ("Word", "Picture", "Meaning"):
            col.models.add_field(picture, col.models.new_field(name))
        template = col.models.new_template("Card 1")
        template["qfmt"] = "{{Word}}<br>{{Picture}}"
        template["afmt"] = "{{FrontSide}}<hr id=answer>{{Meaning}}"
        col.models.add_template(picture, template)
        col.models.add_dict(picture)

        png = folder / "flag.png"
        png.write_bytes(PNG)
        flag = col.media.add_file(str(png))

        add(
            "Basic",
            {"Front": "Capital of <b>France</b>?", "Back": "Paris&nbsp;(since 508)"},
            ["capitals", "europe::france"],
        )
        add(
            "Basic (and reversed card)",
            {"Front": "Isthmus", "Back": "A narrow strip of land<br>joining two larger areas"},
            ["terms"],
        )
        add(
            "Basic (optional reversed card)",
            {"Front": "Estuary", "Back": "Where a river meets the sea", "Add Reverse": "y"},
            ["terms"],
        )
        add(
            "Basic (optional reversed card)",
            {"Front": "Delta", "Back": "Land built up where a river fans out"},
            ["terms"],
        )
        add(
            "Cloze",
            {
                "Text": "The {{c1::Nile}} flows through {{c2::Cairo::city}}.",
                "Back Extra": "The longest river in Africa.",
            },
            ["rivers"],
        )
        add(
            "Basic (type in the answer)",
            {"Front": "In which year did South Sudan become independent?", "Back": "2011"},
            ["dates", "géographie"],
        )
        add("Vocabulary", {"Front": "hund", "Back": "dog"}, ["german"])
        add(
            "Basic", {"Front": f'Which country has this flag? <img src="{flag}">', "Back": "Japan"}, ["flags"]
        )
        add("Basic", {"Front": f'<img src="{flag}">', "Back": "Japan"}, ["flags"])
        add("Word and picture", {"Word": "Katze", "Picture": f'<img src="{flag}">', "Meaning": "cat"})

        limit = DeckIdLimit(deck_id)
        for legacy, name in ((True, "geography-legacy.apkg"), (False, "geography.apkg")):
            options = ExportAnkiPackageOptions(
                with_scheduling=False, with_deck_configs=False, with_media=True, legacy=legacy
            )
            col.export_anki_package(out_path=str(HERE / name), options=options, limit=limit)
        col.export_note_csv(
            out_path=str(HERE / "geography-notes.txt"),
            limit=limit,
            with_html=True,
            with_tags=True,
            with_deck=True,
            with_notetype=True,
            with_guid=True,
        )
        col.export_note_csv(
            out_path=str(HERE / "geography-plain.txt"),
            limit=limit,
            with_html=False,
            with_tags=True,
            with_deck=False,
            with_notetype=False,
            with_guid=False,
        )
        col.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    for made in HERE.glob("geography*"):
        os.chmod(made, 0o644)


if __name__ == "__main__":
    main()
