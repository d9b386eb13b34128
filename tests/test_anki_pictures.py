"""Pictures and sounds from Anki packages and back: a package made by the real `anki` library
imports with its pictures on the cards and its files beside the deck, exports back with the files
packed, and Anki's own media check finds nothing missing or unused. Hostile media names never
write outside the deck's media folder."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from test_pictures import png
from typer.testing import CliRunner

from quizkit.cli import app
from quizkit.io import deck_write

pytest.importorskip("anki.collection")

from anki.collection import (  # noqa: E402
    Collection,
    ExportAnkiPackageOptions,
    ImportAnkiPackageOptions,
    ImportAnkiPackageRequest,
)


def jpeg(path: Path) -> Path:
    from PIL import Image

    Image.new("RGB", (6, 4), (0, 104, 71)).save(path, format="JPEG")
    return path


def anki_collection(folder: Path) -> Any:
    folder.mkdir(parents=True)
    return Collection(str(folder / "collection.anki2"))


def add_basic(col: Any, deck_id: int, front: str, back: str) -> None:
    note = col.new_note(col.models.by_name("Basic"))
    note["Front"], note["Back"] = front, back
    col.add_note(note, deck_id)


def export_from_anki(col: Any, deck_name: str, out: Path, legacy: bool = False) -> Path:
    from anki.decks import DeckId
    from anki.import_export_pb2 import ExportLimit

    options = ExportAnkiPackageOptions(
        with_scheduling=False, with_deck_configs=False, with_media=True, legacy=legacy
    )
    limit = ExportLimit(deck_id=DeckId(col.decks.id_for_name(deck_name)))
    col.export_anki_package(out_path=str(out), options=options, limit=limit)
    return out


FLAG_ALT = 'The flag of Mexico: green, white & red, an "eagle"'


def maps_package(tmp_path: Path, legacy: bool = False) -> tuple[Path, dict[str, bytes]]:
    """A package made by Anki itself: an image-only front, a front of text and an image, a back
    image, and a sound."""
    files = tmp_path / "files"
    files.mkdir()
    made = {
        "map.png": png(files / "map.png", 8, 6, (10, 120, 200)),
        "flag.jpg": jpeg(files / "flag.jpg"),
        "durand.png": png(files / "durand.png", 5, 5, (200, 0, 0)),
        "bonjour.mp3": files / "bonjour.mp3",
    }
    made["bonjour.mp3"].write_bytes(b"ID3\x03\x00\x00\x00not really a sound")
    col = anki_collection(tmp_path / "anki")
    try:
        for path in made.values():
            assert col.media.add_file(str(path)) == path.name
        deck_id = col.decks.id("Maps")
        add_basic(col, deck_id, '<img src="map.png">', "Afghanistan")
        add_basic(
            col,
            deck_id,
            f'Which flag is this?<br><img src="flag.jpg" alt="{FLAG_ALT.replace("&", "&amp;").replace(chr(34), "&quot;")}">',
            "Mexico",
        )
        add_basic(
            col,
            deck_id,
            "Where is the Durand Line?",
            'Here:<br><img alt="The Durand Line in red" src="durand.png">',
        )
        add_basic(col, deck_id, "What does this say? [sound:bonjour.mp3]", "Hello")
        package = export_from_anki(col, "Maps", tmp_path / "maps.apkg", legacy)
    finally:
        col.close()
    return package, {name: path.read_bytes() for name, path in made.items()}


def cards_by_answer(deck: Path) -> dict[str, dict[str, Any]]:
    return {str(table["a"]): table for _kind, table in deck_write.load_tables(deck)[2]}


@pytest.mark.parametrize("legacy", [False, True], ids=["current", "legacy"])
def test_an_anki_package_with_pictures_imports_them_onto_the_cards(
    runner: CliRunner, tmp_path: Path, legacy: bool
) -> None:
    package, originals = maps_package(tmp_path, legacy)
    out = tmp_path / "decks" / "maps.toml"
    out.parent.mkdir()
    result = runner.invoke(app, ["import", str(package), "-o", str(out)])
    assert result.exit_code == 0, result.output
    cards = cards_by_answer(out)
    assert len(cards) == 4
    image_only = cards["Afghanistan"]
    assert image_only["q"] == "What does this picture show?"
    assert (image_only["image"], image_only["image_alt"]) == ("maps.media/map.png", "map")
    flag = cards["Mexico"]
    assert (flag["q"], flag["image"], flag["image_alt"]) == (
        "Which flag is this?",
        "maps.media/flag.jpg",
        FLAG_ALT,
    )
    durand = next(t for a, t in cards.items() if a.startswith("Here"))
    assert durand["a"] == "Here:"
    assert (durand["answer_image"], durand["answer_image_alt"]) == (
        "maps.media/durand.png",
        "The Durand Line in red",
    )
    assert "image" not in durand
    sound = cards["Hello"]
    assert sound["q"] == "What does this say? [sound: bonjour.mp3]"
    assert not {"image", "answer_image"} & set(sound)
    media = out.parent / "maps.media"
    assert sorted(p.name for p in media.iterdir()) == sorted(originals)
    for name, data in originals.items():
        assert (media / name).read_bytes() == data, name
    assert sorted(p.name for p in out.parent.iterdir()) == ["maps.media", "maps.toml"]  # nothing left over
    said = " ".join(result.output.split())
    assert f"copied 4 media files into {media}" in said
    assert "maps.media/bonjour.mp3" in said and "sounds" in said
    assert "media files in the package" not in said and "media (images, sounds)" not in said
    check = runner.invoke(app, ["validate", str(out)])
    assert check.exit_code == 0, check.output


def test_pictures_go_back_to_anki_whole_and_anki_finds_nothing_missing_or_unused(
    runner: CliRunner, tmp_path: Path
) -> None:
    package, originals = maps_package(tmp_path)
    out = tmp_path / "maps.toml"
    assert runner.invoke(app, ["import", str(package), "-o", str(out)]).exit_code == 0
    back = tmp_path / "back.apkg"
    result = runner.invoke(app, ["export", str(out), "-o", str(back)])
    assert result.exit_code == 0, result.output
    assert "3 pictures" in " ".join(result.output.split())
    col = anki_collection(tmp_path / "fresh")
    try:
        request = ImportAnkiPackageRequest(package_path=str(back), options=ImportAnkiPackageOptions())
        col.import_anki_package(request)
        fields = [" ".join(col.get_note(nid).fields) for nid in col.find_notes("")]
        assert len(fields) == 4
        joined = " ".join(fields)
        for name in ("map.png", "flag.jpg", "durand.png"):
            assert f'src="{name}"' in joined, name
            assert (Path(col.media.dir()) / name).read_bytes() == originals[name]
        assert 'alt="The flag of Mexico: green, white &amp; red, an &quot;eagle&quot;"' in joined
        check = col.media.check()
        assert (list(check.missing), list(check.unused)) == ([], [])
        again = export_from_anki(col, "Maps", tmp_path / "again.apkg")
    finally:
        col.close()
    # Round trip: the same pictures and alt texts come back from Anki.
    second = tmp_path / "second" / "maps.toml"
    second.parent.mkdir()
    result = runner.invoke(app, ["import", str(again), "-o", str(second)])
    assert result.exit_code == 0, result.output
    before, after = cards_by_answer(out), cards_by_answer(second)
    keys = ("q", "image", "image_alt", "answer_image", "answer_image_alt")
    assert {a: {k: t.get(k) for k in keys} for a, t in after.items()} == {
        a: {k: t.get(k) for k in keys} for a, t in before.items()
    }
    assert {t["id"] for t in after.values()} == {t["id"] for t in before.values()}


def hand_made_package(path: Path, fronts: list[str], media: dict[str, bytes]) -> Path:
    """A legacy package (as genanki writes one) whose media list and members are given as they
    are: names an honest Anki never writes."""
    import genanki

    model = genanki.Model(
        1607392319,
        "Basic",
        fields=[{"name": "Front"}, {"name": "Back"}],
        templates=[{"name": "Card 1", "qfmt": "{{Front}}", "afmt": "{{FrontSide}}<hr id=answer>{{Back}}"}],
    )
    deck = genanki.Deck(2059400110, "Hostile")
    for number, front in enumerate(fronts):
        deck.add_note(genanki.Note(model=model, fields=[front, f"answer {number}"], guid=f"hostile-{number}"))
    plain = path.with_suffix(".plain.apkg")
    genanki.Package(deck).write_to_file(str(plain), timestamp=1772000000)
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(path, "w") as out:
        out.writestr("collection.anki2", source.read("collection.anki2"))
        out.writestr("media", json.dumps({str(i): name for i, name in enumerate(media)}))
        for i, data in enumerate(media.values()):
            out.writestr(str(i), data)
    plain.unlink()
    return path


def png_bytes(tmp_path: Path, colour: tuple[int, int, int] = (1, 2, 3)) -> bytes:
    return png(tmp_path / "made" / f"{colour}.png", 3, 3, colour).read_bytes()


def every_file(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}


def test_hostile_media_names_never_write_outside_the_media_folder(runner: CliRunner, tmp_path: Path) -> None:
    names = ["../../evil.png", "a/b.png", ".hidden.png", "..\\..\\win.png", "/abs.png", "x\x1b[31m.png"]
    picture = png_bytes(tmp_path)
    package = hand_made_package(
        tmp_path / "hostile.apkg",
        [f'<img src="{name.replace(chr(27), "&#27;")}">' for name in names[:4]] + ["[sound:x\x1b[31m.png]"],
        dict.fromkeys(names, picture),
    )
    home = tmp_path / "home"
    out = home / "inner" / "deck.toml"
    out.parent.mkdir(parents=True)
    result = runner.invoke(app, ["import", str(package), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert every_file(home) == {
        "inner/deck.toml",
        "inner/deck.media/____evil.png",
        "inner/deck.media/a_b.png",
        "inner/deck.media/hidden.png",
        "inner/deck.media/____win.png",
        "inner/deck.media/x_[31m.png",
    }
    assert every_file(tmp_path) - {"hostile.apkg"} == {f"home/{name}" for name in every_file(home)} | {
        str(p.relative_to(tmp_path)) for p in (tmp_path / "made").iterdir()
    }
    pictures = sorted(str(t.get("image")) for _k, t in deck_write.load_tables(out)[2] if t.get("image"))
    assert pictures == [
        "deck.media/____evil.png",
        "deck.media/____win.png",
        "deck.media/a_b.png",
        "deck.media/hidden.png",
    ]
    said = " ".join(result.output.split())
    assert "\x1b" not in result.output
    assert "media file '../../evil.png' was saved as '____evil.png'" in said
    assert "media file 'a/b.png' was saved as 'a_b.png'" in said
    assert "media files no imported card uses: 1 ('/abs.png'): not copied" in said
    assert runner.invoke(app, ["validate", str(out)]).exit_code == 0


def test_a_different_file_of_the_same_name_is_kept_and_the_new_one_named_apart(
    runner: CliRunner, tmp_path: Path
) -> None:
    package = hand_made_package(
        tmp_path / "maps.apkg",
        ['<img src="map.png">', '<img src="same.png">'],
        {"map.png": png_bytes(tmp_path, (9, 9, 9)), "same.png": png_bytes(tmp_path, (7, 7, 7))},
    )
    out = tmp_path / "deck.toml"
    media = tmp_path / "deck.media"
    media.mkdir()
    theirs = png(media / "map.png", 2, 2, (50, 50, 50)).read_bytes()
    (media / "same.png").write_bytes(png_bytes(tmp_path, (7, 7, 7)))
    result = runner.invoke(app, ["import", str(package), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert (media / "map.png").read_bytes() == theirs  # never overwritten
    assert (media / "map-2.png").read_bytes() == png_bytes(tmp_path, (9, 9, 9))
    said = " ".join(result.output.split())
    assert "media file 'map.png' was saved as 'map-2.png'; deck.media/map.png is a different file" in said
    assert "copied 1 media file into" in said and "(1 more already there, the same)" in said
    assert sorted(str(t["image"]) for _k, t in deck_write.load_tables(out)[2]) == [
        "deck.media/map-2.png",
        "deck.media/same.png",
    ]
    # --force replaces the deck, and the deck's own media of the same names, saying so.
    (media / "map-2.png").unlink()
    result = runner.invoke(app, ["import", str(package), "-o", str(out), "--force"])
    assert result.exit_code == 0, result.output
    assert (media / "map.png").read_bytes() == png_bytes(tmp_path, (9, 9, 9))
    assert "deck.media/map.png was replaced by the package's file of that name" in " ".join(
        result.output.split()
    )
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []  # no stage left


def test_a_media_folder_that_is_a_link_is_refused_before_anything_is_written(
    runner: CliRunner, tmp_path: Path
) -> None:
    package = hand_made_package(
        tmp_path / "maps.apkg", ['<img src="map.png">'], {"map.png": png_bytes(tmp_path)}
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "deck.media").symlink_to(elsewhere)
    result = runner.invoke(app, ["import", str(package), "-o", str(tmp_path / "deck.toml")])
    assert result.exit_code != 0
    assert "a link" in " ".join(result.output.split())
    assert list(elsewhere.iterdir()) == [] and not (tmp_path / "deck.toml").exists()


def test_images_a_card_cannot_show_are_copied_named_in_the_text_and_listed(
    runner: CliRunner, tmp_path: Path
) -> None:
    from test_pictures import bomb

    files = tmp_path / "files"
    files.mkdir()
    (files / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>', encoding="utf-8")
    one, two = png(files / "one.png"), png(files / "two.png", colour=(0, 0, 255))
    huge = bomb(files / "huge.png")
    col = anki_collection(tmp_path / "anki")
    try:
        for path in (files / "logo.svg", one, two, huge):
            col.media.add_file(str(path))
        deck_id = col.decks.id("Odd")
        add_basic(col, deck_id, '<img src="logo.svg">', "The logo")
        add_basic(col, deck_id, 'Two? <img src="one.png"><img src="two.png" alt="second">', "Two")
        add_basic(col, deck_id, 'Bomb <img src="huge.png">', "Bomb")
        add_basic(col, deck_id, 'Web <img src="https://example.com/x.png">', "Web")
        package = export_from_anki(col, "Odd", tmp_path / "odd.apkg")
    finally:
        col.close()
    out = tmp_path / "odd.toml"
    result = runner.invoke(app, ["import", str(package), "-o", str(out)])
    assert result.exit_code == 0, result.output
    cards = cards_by_answer(out)
    assert cards["The logo"]["q"] == "[picture: logo.svg]" and "image" not in cards["The logo"]
    assert cards["Two"]["q"] == "Two? [picture: two.png]"
    assert (cards["Two"]["image"], cards["Two"]["image_alt"]) == ("odd.media/one.png", "one")
    assert cards["Bomb"]["q"] == "Bomb [picture: huge.png]" and "image" not in cards["Bomb"]
    assert cards["Web"]["q"] == "Web [picture: https://example.com/x.png]"
    assert {p.name for p in (tmp_path / "odd.media").iterdir()} == {
        "logo.svg",
        "one.png",
        "two.png",
        "huge.png",
    }
    said = " ".join(result.output.split())
    assert "images not shown as pictures, copied (the card text names each) (4):" in said
    assert "odd.media/logo.svg: 'odd.media/logo.svg' is not a PNG, JPEG, GIF or WebP file" in said
    assert "odd.media/two.png: a second picture on the question side (a card shows one)" in said
    assert "odd.media/huge.png: image 'odd.media/huge.png' declares 6,000 x 6,000 pixels" in said
    assert "picture 'https://example.com/x.png' is on the web, not in the package" in said
    assert runner.invoke(app, ["validate", str(out)]).exit_code == 0


KINDS = """[deck]
id = "kinds"
title = "Kinds"

[[cards]]
id = "basic-rev"
q = "Which border?"
a = "The Durand Line"
reverse = true
image = "maps/border.png"
image_alt = "A map, <two> countries & a \\"line\\""
answer_image = "answers/border.png"
answer_image_alt = "The same map, the line in red"

[[cards]]
id = "typed"
q = "Name this river"
a = "Nile"
accept = ["the Nile"]
answer_image = "maps/nile.png"
answer_image_alt = "The Nile delta"

[[cards]]
id = "cloze"
q = "Look at the map."
cloze = "The {{Nile}} flows through {{Cairo}}."
image = "maps/nile.png"
image_alt = "The Nile delta"
explain = "Longest river."

[[cards]]
id = "choice"
q = "Which flag?"
choices = ["Japan", "Bangladesh"]
a = "Japan"
image = "flags/flag.png"
image_alt = "A red disc on white"
answer_image = "maps/border.png"
answer_image_alt = "A map, <two> countries & a \\"line\\""
"""


def test_every_kind_keeps_its_pictures_and_alt_texts_through_a_package_and_anki(
    runner: CliRunner, tmp_path: Path
) -> None:
    deck = tmp_path / "kinds.toml"
    deck.write_text(KINDS, encoding="utf-8")
    for name, colour in (
        ("maps/border.png", (1, 1, 1)),
        ("answers/border.png", (2, 2, 2)),
        ("maps/nile.png", (3, 3, 3)),
        ("flags/flag.png", (4, 4, 4)),
    ):
        png(tmp_path / name, colour=colour)
    assert runner.invoke(app, ["validate", str(deck)]).exit_code == 0
    package = tmp_path / "kinds.apkg"
    result = runner.invoke(app, ["export", str(deck), "-o", str(package)])
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(package) as archive:
        names = sorted(json.loads(archive.read("media")).values())
    assert names == ["answers_border.png", "flag.png", "maps_border.png", "nile.png"]  # flat, unique
    col = anki_collection(tmp_path / "anki")
    try:
        col.import_anki_package(
            ImportAnkiPackageRequest(package_path=str(package), options=ImportAnkiPackageOptions())
        )
        check = col.media.check()
        assert (list(check.missing), list(check.unused)) == ([], [])
        assert sorted(p.name for p in Path(col.media.dir()).iterdir()) == names
        again = export_from_anki(col, "Kinds", tmp_path / "again.apkg")
    finally:
        col.close()
    for source in (package, again):
        out = tmp_path / source.stem / "kinds.toml"
        out.parent.mkdir()
        result = runner.invoke(app, ["import", str(source), "-o", str(out)])
        assert result.exit_code == 0, result.output
        before = {str(t["id"]): t for _k, t in deck_write.load_tables(deck)[2]}
        after = {str(t["id"]): t for _k, t in deck_write.load_tables(out)[2]}
        kinds = [kind.value for kind, _t in deck_write.load_tables(out)[2]]
        assert kinds == ["basic", "typed", "cloze", "choice"]
        assert sorted(after) == sorted(before)
        for card_id, table in before.items():
            for key in ("type", "q", "a", "accept", "choices", "cloze", "image_alt", "answer_image_alt"):
                assert after[card_id].get(key) == table.get(key), (source.name, card_id, key)
            assert (after[card_id].get("explain"), after[card_id].get("reverse")) == (
                table.get("explain"),
                table.get("reverse"),
            )
            for key in ("image", "answer_image"):
                if key in table:
                    mine = (tmp_path / str(table[key])).read_bytes()
                    assert (out.parent / str(after[card_id][key])).read_bytes() == mine, (card_id, key)
                else:
                    assert key not in after[card_id], (card_id, key)
