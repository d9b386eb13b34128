"""Pictures on cards: the deck format, the checks on each image file, and the deck cache."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import pytest

from quizkit.errors import Severity
from quizkit.io import pictures
from quizkit.io.deck_cache import DeckCache
from quizkit.io.deck_parse import check_deck
from quizkit.model import Picture

HEAD = '[deck]\nid = "maps"\ntitle = "Maps"\n\n'


def png(path: Path, width: int = 4, height: int = 3, colour: tuple[int, int, int] = (200, 30, 30)) -> Path:
    """A real PNG file written by Pillow."""
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (width, height), colour).save(path)
    return path


def bomb(path: Path, side: int = 6_000) -> Path:
    """A PNG of side x side grey pixels, all zero: 36 MB of pixels in a file of a few kilobytes."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + bytes(side) for _ in range(side))
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0))
    data += chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b"")
    path.write_bytes(data)
    return path


def deck(tmp_path: Path, cards: str) -> Path:
    path = tmp_path / "maps.toml"
    path.write_text(HEAD + cards, encoding="utf-8")
    return path


def errors(path: Path) -> list[str]:
    _, problems = check_deck(path, files=True)
    return [str(p) for p in problems if p.severity is Severity.ERROR]


CARD = """[[cards]]
id = "durand"
q = "Which border is drawn here?"
a = "The Durand Line"
image = "maps/durand-line.png"
image_alt = "A map of the border between Afghanistan and Pakistan"
answer_image = "maps/answer.png"
answer_image_alt = "The same map, the line in red"
"""


def test_a_card_carries_a_question_and_an_answer_picture_with_alt_text(tmp_path: Path) -> None:
    png(tmp_path / "maps" / "durand-line.png")
    png(tmp_path / "maps" / "answer.png")
    loaded, problems = check_deck(deck(tmp_path, CARD))
    assert loaded is not None and problems == []
    card = loaded.cards[0]
    assert card.image == Picture(
        "maps/durand-line.png", "A map of the border between Afghanistan and Pakistan"
    )
    assert card.answer_image == Picture("maps/answer.png", "The same map, the line in red")


def test_the_reversed_card_swaps_the_pictures(tmp_path: Path) -> None:
    png(tmp_path / "q.png")
    png(tmp_path / "a.png")
    text = '[[cards]]\nid = "x"\nq = "Q"\na = "A"\nreverse = true\nimage = "q.png"\nimage_alt = "q"\n'
    text += 'answer_image = "a.png"\nanswer_image_alt = "a"\n'
    loaded, _ = check_deck(deck(tmp_path, text), files=True)
    assert loaded is not None
    front, back = loaded.cards
    assert (front.image, front.answer_image) == (Picture("q.png", "q"), Picture("a.png", "a"))
    assert (back.image, back.answer_image) == (Picture("a.png", "a"), Picture("q.png", "q"))


def test_a_picture_changes_the_cards_fingerprint_but_text_cards_keep_theirs(tmp_path: Path) -> None:
    png(tmp_path / "maps" / "durand-line.png")
    png(tmp_path / "maps" / "answer.png")
    with_pictures, _ = check_deck(deck(tmp_path, CARD))
    plain = "\n".join(line for line in CARD.splitlines() if "image" not in line) + "\n"
    without, _ = check_deck(deck(tmp_path, plain))
    assert with_pictures is not None and without is not None
    from quizkit.model import Card, Kind

    assert with_pictures.cards[0].fingerprint != without.cards[0].fingerprint
    # The digest of a card without pictures is the one stored before pictures existed.
    import hashlib

    old = hashlib.sha1(
        "\x1f".join(
            ("basic", "Which border is drawn here?", "The Durand Line", "The Durand Line", "\x1e", "False")
        ).encode()
    ).hexdigest()[:16]
    assert (
        without.cards[0].fingerprint
        == old
        == Card(
            "d", Kind.BASIC, "Which border is drawn here?", "The Durand Line", ("The Durand Line",)
        ).fingerprint
    )


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ('"maps/missing.png"', "image 'maps/missing.png' not found"),
        ('"/etc/passwd.png"', "is an absolute path"),
        ('"../outside.png"', "goes outside the deck's folder"),
        ('"maps\\\\x.png"', "uses backslashes"),
        ('"drawing.svg"', "is not a PNG, JPEG, GIF or WebP file"),
        ('""', "'image' is empty"),
        ("3", "'image' must be text"),
    ],
)
def test_a_bad_path_is_an_error_at_its_line(tmp_path: Path, written: str, expected: str) -> None:
    text = f'[[cards]]\nid = "x"\nq = "Q"\na = "A"\nimage = {written}\nimage_alt = "a map"\n'
    found = errors(deck(tmp_path, text))
    assert len(found) == 1, found
    assert "maps.toml:9: card x: " in found[0] and expected in found[0]


def test_a_symlink_out_of_the_deck_folder_is_refused(tmp_path: Path) -> None:
    outside = png(tmp_path / "elsewhere" / "secret.png")
    (tmp_path / "decks").mkdir()
    (tmp_path / "decks" / "link.png").symlink_to(outside)
    path = tmp_path / "decks" / "maps.toml"
    path.write_text(HEAD + '[[cards]]\nid = "x"\nq = "Q"\na = "A"\nimage = "link.png"\nimage_alt = "m"\n')
    found = errors(path)
    assert len(found) == 1 and "leads outside the deck's folder" in found[0] and ":9:" in found[0]


def test_a_file_that_is_not_an_image_is_refused(tmp_path: Path) -> None:
    (tmp_path / "fake.png").write_text("<script>alert(1)</script>")
    found = errors(
        deck(tmp_path, '[[cards]]\nid = "x"\nq = "Q"\na = "A"\nimage = "fake.png"\nimage_alt = "m"\n')
    )
    assert len(found) == 1 and "is not an image quizkit can read" in found[0]


def test_a_decompression_bomb_is_refused_from_its_header(tmp_path: Path) -> None:
    path = bomb(tmp_path / "bomb.png")
    assert path.stat().st_size < 100_000  # a small file...
    found = errors(
        deck(tmp_path, '[[cards]]\nid = "x"\nq = "Q"\na = "A"\nimage = "bomb.png"\nimage_alt = "m"\n')
    )
    assert len(found) == 1, found
    assert "declares 6,000 x 6,000 pixels" in found[0] and "decompression bomb" in found[0]
    with pytest.raises(pictures.PictureError, match="decompression bomb"):
        pictures.load(tmp_path, "bomb.png")  # ...that is never decoded, even when asked for directly


def test_an_oversized_file_is_refused_unread(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    png(tmp_path / "big.png", 300, 300)
    monkeypatch.setattr(pictures, "MAX_IMAGE_BYTES", 100)
    found = errors(
        deck(tmp_path, '[[cards]]\nid = "x"\nq = "Q"\na = "A"\nimage = "big.png"\nimage_alt = "m"\n')
    )
    assert len(found) == 1 and "a card's image is at most" in found[0]


def test_a_folder_or_a_fifo_named_as_an_image_is_refused_without_blocking(tmp_path: Path) -> None:
    import os

    (tmp_path / "folder.png").mkdir()
    os.mkfifo(tmp_path / "pipe.png")
    text = '[[cards]]\nid = "x"\nq = "Q"\na = "A"\nimage = "folder.png"\nimage_alt = "m"\n'
    text += '[[cards]]\nid = "y"\nq = "Q"\na = "A"\nimage = "pipe.png"\nimage_alt = "m"\n'
    found = errors(deck(tmp_path, text))
    assert len(found) == 2 and all("is not a regular file" in f for f in found)


def test_missing_alt_text_is_a_warning_and_alt_without_an_image_an_error(tmp_path: Path) -> None:
    png(tmp_path / "m.png")
    text = '[[cards]]\nid = "x"\nq = "Q"\na = "A"\nimage = "m.png"\n'
    text += '[[cards]]\nid = "y"\nq = "Q"\na = "A"\nanswer_image_alt = "a map"\n'
    _, problems = check_deck(deck(tmp_path, text), files=True)
    assert [(p.severity, p.line, p.card) for p in problems] == [
        (Severity.WARNING, 9, "x"),
        (Severity.ERROR, 14, "y"),
    ]
    assert "no alt text" in problems[0].message and "has no answer_image" in problems[1].message


def test_the_deck_cache_keeps_the_pictures(tmp_path: Path) -> None:
    png(tmp_path / "maps" / "durand-line.png")
    png(tmp_path / "maps" / "answer.png")
    path = deck(tmp_path, CARD + '[[cards]]\nid = "plain"\nq = "Q"\na = "A"\n')
    cache = DeckCache(tmp_path / "cache")
    first = cache.load(path)
    second = cache.load(path)  # from the entry
    assert list(second.cards) == list(first.cards)
    assert second.cards[0].answer_image == Picture("maps/answer.png", "The same map, the line in red")
    assert second.cards[1].image is None


def test_validate_names_the_missing_picture_at_its_line_but_studying_goes_on(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from quizkit.cli import app

    png(tmp_path / "maps" / "durand-line.png")
    path = deck(tmp_path, CARD)  # its answer picture, maps/answer.png, is missing
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 1
    assert "maps.toml:11: error: card durand: image 'maps/answer.png' not found" in " ".join(
        result.output.split()
    )
    # The learner studies the deck all the same: the card says in words what is missing.
    shown = CliRunner().invoke(app, ["review", str(path)], input="\n4\n")
    assert shown.exit_code == 0, shown.output
    flat = " ".join(shown.output.split())
    assert "[picture] A map of the border between Afghanistan and Pakistan" in flat
    assert "[picture] The same map, the line in red" in flat


def test_a_review_of_text_cards_never_loads_pillow(tmp_path: Path) -> None:
    """Pillow is imported only to draw a picture: the bundled deck (text only) starts without it,
    and so does a deck with pictures in line mode, where each picture is said in words."""
    import os
    import subprocess
    import sys

    png(tmp_path / "maps" / "durand-line.png")
    png(tmp_path / "maps" / "answer.png")
    pictured = deck(tmp_path, CARD)
    code = (
        "import sys\nfrom quizkit.cli import main\nsys.argv = ['quizkit', 'review', *sys.argv[1:]]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\nprint('PIL loaded' if 'PIL' in sys.modules else 'no PIL')\n"
    )
    env = {**os.environ, "QUIZKIT_IMAGES": "blocks"}
    for args, expected in (([], "no PIL"), ([str(pictured)], "no PIL")):
        out = subprocess.run(
            [sys.executable, "-c", code, *args], env=env, capture_output=True, text=True, input="", timeout=60
        )
        assert out.stdout.strip().splitlines()[-1] == expected, out.stderr


# ---------------------------------------------------------------- files as they come


def test_a_file_swapped_for_a_link_out_of_the_folder_after_its_check_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = png(tmp_path / "outside" / "secret.png", 9, 9, (255, 0, 0))
    folder = tmp_path / "deck"
    picture = png(folder / "pic.png", 5, 5, (0, 0, 255))
    checked = pictures._checked

    def then_swapped(where: Path, file: str):  # type: ignore[no-untyped-def]
        found = checked(where, file)
        picture.unlink()
        picture.symlink_to(secret)  # between the check and the open
        return found

    monkeypatch.setattr(pictures, "_checked", then_swapped)
    with pytest.raises(pictures.PictureError, match="cannot be read|changed while it was read"):
        pictures.load(folder, "pic.png")
    with pytest.raises(pictures.PictureError):
        pictures.checked_bytes(folder, "pic.png")


def test_a_file_swapped_for_a_fifo_is_refused_without_waiting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    picture = png(tmp_path / "pic.png")
    checked = pictures._checked

    def then_swapped(where: Path, file: str):  # type: ignore[no-untyped-def]
        found = checked(where, file)
        picture.unlink()
        os.mkfifo(picture)
        return found

    monkeypatch.setattr(pictures, "_checked", then_swapped)
    with pytest.raises(pictures.PictureError):
        pictures.load(tmp_path, "pic.png")  # returns at once: opened without blocking, then refused


def test_sixteen_bit_grey_is_scaled_not_clipped(tmp_path: Path) -> None:
    from PIL import Image

    image = Image.new("I;16", (4, 1))
    for x, value in enumerate((0, 1000, 30000, 65535)):
        image.putpixel((x, 0), value)
    image.save(tmp_path / "grey.png")
    loaded = pictures.load(tmp_path, "grey.png")
    assert [loaded.getpixel((x, 0))[0] for x in range(4)] == [0, 3, 117, 255]


def test_a_photograph_is_turned_as_its_exif_says(tmp_path: Path) -> None:
    from PIL import Image

    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90 degrees clockwise to view
    Image.new("RGB", (80, 20), (10, 200, 10)).save(tmp_path / "phone.jpg", exif=exif)
    assert pictures.load(tmp_path, "phone.jpg").size == (20, 80)


def test_a_huge_picture_is_kept_at_most_2048_pixels_across(tmp_path: Path) -> None:
    png(tmp_path / "wall.png", 4000, 1000)
    assert pictures.load(tmp_path, "wall.png").size == (2048, 512)


def test_validate_decodes_every_pixel_so_a_truncated_file_is_found(tmp_path: Path) -> None:
    from PIL import Image

    Image.effect_noise((200, 200), 50).save(tmp_path / "whole.png")
    data = (tmp_path / "whole.png").read_bytes()
    (tmp_path / "cut.png").write_bytes(data[: len(data) // 2])
    found = errors(
        deck(tmp_path, '[[cards]]\nid = "x"\nq = "Q"\na = "A"\nimage = "cut.png"\nimage_alt = "m"\n')
    )
    assert len(found) == 1 and "image 'cut.png' is damaged" in found[0] and ":9:" in found[0]


def test_pillows_warnings_never_reach_the_screen(tmp_path: Path) -> None:
    import warnings

    from PIL import Image

    frames = [Image.new("RGB", (8, 8), (i * 60, 0, 0)) for i in range(3)]
    frames[0].save(tmp_path / "anim.png", save_all=True, append_images=frames[1:])
    data = bytearray((tmp_path / "anim.png").read_bytes())
    at = data.find(b"fcTL", data.find(b"fcTL") + 4)  # damage the second frame's control chunk
    data[at + 8 : at + 12] = b"\xff\xff\xff\xff"
    (tmp_path / "odd.png").write_bytes(bytes(data))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        problem = pictures.problem(tmp_path, "odd.png")  # judged by its first frame, no warning raised
    assert problem is None or "damaged" in problem[0] or "not an image" in problem[0]
