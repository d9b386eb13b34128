"""Card pictures on worksheets: embedded in HTML as data: URIs, linked from Markdown, and printed
as their alt text with a warning when the file cannot be read."""

from __future__ import annotations

import base64
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pytest
from markdown_it import MarkdownIt
from test_pictures import png
from typer.testing import CliRunner

from quizkit.cli import app
from quizkit.io import deck_write

from tests_support import CHROMIUM, chromium

HOSTILE_ALT = '"><script>alert(1)</script>'
HOSTILE_ANSWER_ALT = "<img src=x onerror=alert(2)> & ]](javascript:alert(3)) [x"

DECK = """[deck]
id = "maps"
title = "Maps"

[[cards]]
id = "durand"
q = "Which border is drawn here?"
a = "The Durand Line"
image = "maps/durand line (1).png"
image_alt = "A map of the border between Afghanistan and Pakistan"
answer_image = "maps/answer.png"
answer_image_alt = "The same map, the line in red"

[[cards]]
id = "capital"
q = "Which city is marked?"
choices = ["Kabul", "Islamabad", "Kandahar", "Peshawar"]
a = "Islamabad"
image = "photo.png"
image_alt = "A photograph of a city"

[[cards]]
id = "plain"
q = "A question without a picture?"
a = "Yes"

[[cards]]
id = "hostile"
q = "What does the alt text say?"
a = "Nothing it can run"
image = "maps/hostile.png"
image_alt = '"><script>alert(1)</script>'
answer_image = "maps/hostile.png"
answer_image_alt = "<img src=x onerror=alert(2)> & ]](javascript:alert(3)) [x"
"""

COLOURS = {
    "maps/durand line (1).png": (255, 0, 255),
    "maps/answer.png": (0, 200, 255),
    "maps/hostile.png": (10, 120, 10),
}


@pytest.fixture
def deck(tmp_path: Path) -> Path:
    """A deck in a folder of its own; photo.png is a JPEG under a PNG's name."""
    from PIL import Image

    folder = tmp_path / "deck"
    for file, colour in COLOURS.items():
        png(folder / file, 40, 30, colour)
    Image.new("RGB", (32, 24), (250, 200, 0)).save(folder / "photo.png", format="JPEG")
    path = folder / "maps.toml"
    path.write_text(DECK, encoding="utf-8")
    return path


def export(runner: CliRunner, deck: Path, out: Path, *args: str) -> tuple[str, str]:
    result = runner.invoke(app, ["export", str(deck), "-o", str(out), *args])
    assert result.exit_code == 0, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result.stdout, result.stderr


class _Pictures(HTMLParser):
    """Each question's number with its images, the key's numbers with theirs, every tag."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.questions: dict[int, list[dict[str, str | None]]] = {}
        self.key: dict[int, list[dict[str, str | None]]] = {}
        self.prompts: dict[int, str] = {}
        self.tags: set[str] = set()
        self.number = 0
        self.in_number = False
        self.in_key = False
        self.in_prompt = False
        self.key_item = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        found = dict(attrs)
        if tag == "section" and "key" in (found.get("class") or ""):
            self.in_key = True
        elif tag == "span" and found.get("class") == "number":
            self.in_number = True
        elif tag == "span" and found.get("class") == "how":
            self.in_prompt = False
        elif tag == "li" and self.in_key:
            self.key_item = int(found["value"] or 0)
        elif tag == "img":
            if self.in_key:
                self.key.setdefault(self.key_item, []).append(found)
            else:
                self.questions.setdefault(self.number, []).append(found)

    def handle_endtag(self, tag: str) -> None:
        if tag == "span" and self.in_number:
            self.in_number, self.in_prompt = False, True
        elif tag == "p":
            self.in_prompt = False

    def handle_data(self, data: str) -> None:
        if self.in_number:
            self.number = int(data.rstrip("."))
            self.prompts[self.number] = ""
        elif self.in_prompt:
            self.prompts[self.number] = (self.prompts[self.number] + data).strip()


def pictures_of(page: Path) -> _Pictures:
    reader = _Pictures()
    reader.feed(page.read_text(encoding="utf-8"))
    return reader


def decoded(image: dict[str, str | None]) -> tuple[str, bytes]:
    src = image["src"] or ""
    match = re.fullmatch(r"data:(image/[a-z]+);base64,([A-Za-z0-9+/=]+)", src)
    assert match, src[:80]
    return match.group(1), base64.b64decode(match.group(2), validate=True)


QUESTION_FILE = {
    "Which border is drawn here?": ("maps/durand line (1).png", "image/png"),
    "Which city is marked?": ("photo.png", "image/jpeg"),
    "What does the alt text say?": ("maps/hostile.png", "image/png"),
}
ANSWER_FILE = {
    "Which border is drawn here?": "maps/answer.png",
    "What does the alt text say?": "maps/hostile.png",
}


def test_html_embeds_each_picture_with_its_card_in_every_variant(
    runner: CliRunner, deck: Path, tmp_path: Path
) -> None:
    stdout, stderr = export(runner, deck, tmp_path / "exam.html", "--variants", "3", "--seed", "5")
    assert stderr == ""
    folder = deck.parent
    orders = set()
    for letter in "ABC":
        page = tmp_path / f"exam-{letter}.html"
        text = page.read_text(encoding="utf-8")
        assert "img-src data:" in text and 'src="maps' not in text and 'src="http' not in text
        found = pictures_of(page)
        orders.add(tuple(found.prompts[n] for n in sorted(found.prompts)))
        assert len(found.prompts) == 4
        for number, prompt in found.prompts.items():
            images = found.questions.get(number, [])
            if prompt not in QUESTION_FILE:
                assert images == [], "the card without a picture has none"
            else:
                file, mime = QUESTION_FILE[prompt]
                [image] = images
                assert decoded(image) == (mime, (folder / file).read_bytes()), (letter, prompt)
            answer = found.key.get(number, [])
            if prompt in ANSWER_FILE:
                [image] = answer
                assert decoded(image) == ("image/png", (folder / ANSWER_FILE[prompt]).read_bytes())
            else:
                assert answer == []
        by_prompt = {
            prompt: found.questions.get(n, [{}])[0].get("alt") for n, prompt in found.prompts.items()
        }
        assert (
            by_prompt["Which border is drawn here?"] == "A map of the border between Afghanistan and Pakistan"
        )
    assert len(orders) > 1, "the variants have their own order, and each picture stayed with its card"


def test_hostile_alt_text_stays_text_in_html(runner: CliRunner, deck: Path, tmp_path: Path) -> None:
    export(runner, deck, tmp_path / "exam.html", "--key", "separate")
    for page in (tmp_path / "exam.html", tmp_path / "exam-key.html"):
        found = pictures_of(page)
        assert found.tags <= {
            "html", "head", "meta", "title", "style", "body", "h1", "h2", "p", "span", "div", "ul",
            "li", "ol", "b", "section", "figure", "img",
        }, found.tags  # fmt: skip
        text = page.read_text(encoding="utf-8")
        assert "<script" not in text and "<img src=x" not in text and "&lt;" in text
    questions = pictures_of(tmp_path / "exam.html").questions
    key = pictures_of(tmp_path / "exam-key.html").key
    assert HOSTILE_ALT in [image["alt"] for images in questions.values() for image in images]
    assert HOSTILE_ANSWER_ALT in [image["alt"] for images in key.values() for image in images]
    assert all(
        set(image) == {"src", "alt"} for images in [*questions.values(), *key.values()] for image in images
    )


def markdown_images(page: Path) -> list[tuple[str, str]]:
    """Each image of a Markdown file as a CommonMark renderer shows it: (src, alt)."""
    made = MarkdownIt("commonmark").render(page.read_text(encoding="utf-8"))
    reader = _Pictures()
    reader.feed(made)
    assert "script" not in reader.tags, made
    images = [image for images in [*reader.questions.values(), *reader.key.values()] for image in images]
    return [(image["src"] or "", image["alt"] or "") for image in images]


def test_markdown_links_resolve_from_the_worksheets_folder(
    runner: CliRunner, deck: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out" / "class 7"
    out.mkdir(parents=True)
    export(runner, deck, out / "sheet.md", "--key", "separate")
    paper, key = markdown_images(out / "sheet.md"), markdown_images(out / "sheet-key.md")
    assert len(paper) == 3 and len(key) == 2
    for src, _alt in paper + key:
        assert not re.search(r"[ ()]", src), src  # percent-encoded
        assert not src.startswith(("/", "file:")), src  # relative to the worksheet
        assert (out / unquote(src)).resolve().is_file(), src
    resolved = {(out / unquote(src)).resolve(): alt for src, alt in paper}
    assert resolved == {
        (
            deck.parent / "maps/durand line (1).png"
        ).resolve(): "A map of the border between Afghanistan and Pakistan",
        (deck.parent / "photo.png").resolve(): "A photograph of a city",
        (deck.parent / "maps/hostile.png").resolve(): HOSTILE_ALT,
    }
    assert "../../deck/maps/durand%20line%20%281%29.png" in [src for src, _ in paper]
    # The hostile alt text is the image's alt, whole: its brackets did not end the link early.
    assert sorted(alt for _, alt in key) == sorted(["The same map, the line in red", HOSTILE_ANSWER_ALT])
    assert "javascript" not in " ".join(src for src, _ in key)


def test_markdown_written_beside_the_deck_links_into_its_folder(
    runner: CliRunner, deck: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(deck.parent)
    export(runner, Path("maps.toml"), Path("sheet.md"))
    images = markdown_images(deck.parent / "sheet.md")
    assert (
        "maps/durand%20line%20%281%29.png",
        "A map of the border between Afghanistan and Pakistan",
    ) in images
    assert ("maps/answer.png", "The same map, the line in red") in images


def test_a_picture_removed_after_the_deck_was_loaded_is_printed_as_its_alt_text(
    runner: CliRunner, deck: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    loaded = deck_write.load_tables

    def then_removed(path: Path | str):  # type: ignore[no-untyped-def]
        found = loaded(path)
        (deck.parent / "maps/durand line (1).png").unlink()
        return found

    monkeypatch.setattr(deck_write, "load_tables", then_removed)
    for name in ("exam.html", "exam.md"):
        stdout, stderr = export(runner, deck, tmp_path / name)
        assert stderr.count("warning") == 1, stderr
        assert f"{deck}:5: warning: card durand: image 'maps/durand line (1).png' not found" in " ".join(
            stderr.split()
        )
        assert "prints its alt text instead" in " ".join(stderr.split())
        text = (tmp_path / name).read_text(encoding="utf-8")
        assert "Picture: A map of the border between Afghanistan and Pakistan" in text
        assert "not included: its file could not be read" in text
        assert "durand%20line" not in text and "durand line (1)" not in text
        # The other pictures are still there.
        assert "photo.png" in text or "data:image/jpeg;base64," in text
        monkeypatch.setattr(deck_write, "load_tables", loaded)
        png(deck.parent / "maps/durand line (1).png", 40, 30, COLOURS["maps/durand line (1).png"])
        monkeypatch.setattr(deck_write, "load_tables", then_removed)
    found = pictures_of(tmp_path / "exam.html")
    assert len([image for images in found.questions.values() for image in images]) == 2


def test_a_damaged_picture_is_printed_as_its_alt_text_with_a_warning(
    runner: CliRunner, deck: Path, tmp_path: Path
) -> None:
    answer = deck.parent / "maps/answer.png"
    whole = answer.read_bytes()
    answer.write_bytes(whole[:-30])  # its header is whole: the deck loads; its pixels are cut
    _, stderr = export(runner, deck, tmp_path / "exam.html", "--variants", "2")
    said = " ".join(stderr.split())
    assert said.count("warning") == 1, said  # once, though both variants print it
    assert "card durand: image 'maps/answer.png' is damaged" in said
    for letter in "AB":
        text = (tmp_path / f"exam-{letter}.html").read_text(encoding="utf-8")
        assert "[Picture: The same map, the line in red]" in text
        assert len(pictures_of(tmp_path / f"exam-{letter}.html").key) == 1  # the hostile card's


def _area(png_file: Path, colour: tuple[int, int, int]) -> tuple[int, tuple[int, int, int, int] | None]:
    """How many pixels of a screenshot are `colour` (give or take a little), and their bounding box."""
    from PIL import Image

    with Image.open(png_file) as shot:
        rgb = shot.convert("RGB")
    mask = Image.new("1", rgb.size)
    pixels, marks = rgb.load(), mask.load()
    assert pixels is not None and marks is not None
    count = 0
    for y in range(rgb.height):
        for x in range(rgb.width):
            r, g, b = pixels[x, y]  # type: ignore[misc]
            if abs(r - colour[0]) + abs(g - colour[1]) + abs(b - colour[2]) < 30:
                marks[x, y] = 1
                count += 1
    return count, mask.getbbox()


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="needs Chromium (apt-get install chromium; .ci/run installs it)")
def test_pictures_render_in_chromium_sized_for_print(runner: CliRunner, tmp_path: Path) -> None:
    from PIL import Image
    from pypdf import PdfReader

    folder = tmp_path / "deck"
    map_ = Image.new("RGB", (1600, 1000), (255, 255, 255))
    map_.paste((255, 0, 255), (100, 100, 1500, 900))  # a magenta country on white
    folder.mkdir()
    map_.save(folder / "map.png")
    Image.new("RGB", (300, 3000), (0, 200, 255)).save(folder / "tall.png")  # taller than a page
    Image.new("RGB", (4000, 400), (250, 200, 0)).save(folder / "wide.png")  # wider than the page
    deck = folder / "maps.toml"
    deck.write_text(
        '[deck]\nid = "maps"\ntitle = "Maps"\n\n[[cards]]\nid = "country"\nq = "Which country is magenta?"\n'
        'a = "Atlantis"\nimage = "map.png"\nimage_alt = "A magenta country"\n'
        'answer_image = "tall.png"\nanswer_image_alt = "A tall cyan strip"\n\n'
        '[[cards]]\nid = "river"\nq = "Which river is this?"\na = "The Nile"\n'
        'image = "wide.png"\nimage_alt = "A long yellow river"\n',
        encoding="utf-8",
    )
    export(runner, deck, tmp_path / "exam.html")
    page = tmp_path / "exam.html"
    shot, pdf = tmp_path / "exam.png", tmp_path / "exam.pdf"
    chromium(tmp_path, page, "--window-size=800,900", "--hide-scrollbars", f"--screenshot={shot}")
    chromium(tmp_path, page, "--no-pdf-header-footer", f"--print-to-pdf={pdf}")
    count, box = _area(shot, (255, 0, 255))
    assert box is not None, "the picture was drawn"
    left, top, right, bottom = box
    # The map is kept to 9 cm high (340 px at 96 dpi), its aspect kept: 1400 x 800 of its
    # 1600 x 1000 pixels are magenta.
    assert 265 <= bottom - top <= 280, box
    assert abs((bottom - top) / (right - left) - 800 / 1400) < 0.03, box
    assert count > 0.95 * (right - left) * (bottom - top)
    assert top > 150, "below the title and the name line, after the question"
    # The wide picture is kept to the width of the text (46em: 736 px), its aspect kept.
    count, box = _area(shot, (250, 200, 0))
    assert box is not None
    left, top, right, bottom = box
    assert 700 <= right - left <= 740 and right <= 800, box
    assert abs((right - left) / (bottom - top) - 10) < 0.5, box
    pages = PdfReader(pdf).pages
    assert len(pages) == 2, "the questions, then the key: the tall picture is kept to one page"
    questions, key = pages
    assert "Which country is magenta?" in questions.extract_text()
    assert "Atlantis" in key.extract_text()
    assert sorted(drawn.image.size for drawn in questions.images if drawn.image) == [
        (1600, 1000),
        (4000, 400),
    ]
    [tall] = key.images
    assert tall.image is not None and tall.image.size == (300, 3000)
