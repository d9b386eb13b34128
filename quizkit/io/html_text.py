"""HTML (from Anki fields) to plain text, and plain text to an Anki field's HTML."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from html.parser import HTMLParser

from quizkit.core.text import clean

_BLOCK_TAGS = frozenset(
    "address article aside blockquote dd div dl dt figcaption figure footer h1 h2 h3 h4 h5 h6 "
    "header hr li ol p pre section table tr ul".split()
)


_FORMATTING = {
    "b": "bold",
    "strong": "bold",
    "i": "italics",
    "em": "italics",
    "u": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "sup": "superscript",
    "sub": "subscript",
    "mark": "highlight",
    "code": "code",
    "pre": "code",
    "h1": "headings",
    "h2": "headings",
    "h3": "headings",
    "h4": "headings",
    "h5": "headings",
    "h6": "headings",
    "a": "links",
    "table": "tables (kept as cells separated by ' | ', a row a line)",
}
"""Tags whose look is lost (their text is kept), named as the import's list of losses names them."""


_MEDIA_TAGS = frozenset("img audio video source embed object".split())


_SOUND = re.compile(r"\[sound:([^\]]+)\]")


@dataclass
class _List:
    """An open <ol> or <ul>: how its items are marked, and how many there were."""

    style: str
    """"1", "A" or "a" for <ol type=...>; "-" for <ul>."""
    count: int = 0

    def marker(self) -> str:
        self.count += 1
        if self.style == "-":
            return "- "
        if self.style in ("A", "a"):
            return f"{chr(ord(self.style) + (self.count - 1) % 26)}. "
        return f"{self.count}. "


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.media: list[str] = []
        self.hidden = 0
        self.lists: list[_List] = []
        self.formatting: set[str] = set()
        self.cell_open = False

    def newline(self) -> None:
        if self.parts and not self.parts[-1].endswith("\n"):
            self.parts.append("\n")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag in _FORMATTING:
            self.formatting.add(_FORMATTING[tag])
        if tag == "font" and found.get("color") or "color" in (found.get("style") or ""):
            self.formatting.add("colour")
        elif tag == "font" or re.search(r"font|background|weight|decoration", found.get("style") or ""):
            self.formatting.add("fonts and styles")
        if tag in ("td", "th"):
            # A table's cells, side by side in a row: " | " between them (a row is a line).
            if self.cell_open and self.parts and not self.parts[-1].endswith("\n"):
                self.parts.append(" | ")
            self.cell_open = True
        elif tag == "tr":
            self.cell_open = False
        if tag in ("script", "style", "head", "title"):
            self.hidden += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag in _BLOCK_TAGS:
            self.newline()
        if tag in _MEDIA_TAGS:
            source = dict(attrs).get("src") or dict(attrs).get("data")
            if source:
                self.media.append(source)
        if tag in ("ol", "ul"):
            self.lists.append(_List((dict(attrs).get("type") or "1") if tag == "ol" else "-"))
        elif tag == "li" and self.lists:
            self.parts.append(self.lists[-1].marker())

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag in ("script", "style", "head", "title"):
            self.hidden -= 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "head", "title"):
            self.hidden = max(0, self.hidden - 1)
        elif tag in _BLOCK_TAGS:
            self.newline()
        if tag in ("ol", "ul") and self.lists:
            self.lists.pop()

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            # In HTML a line break in the source is a space; lines come from <br> and blocks.
            self.parts.append(data.replace("\r", " ").replace("\n", " "))


def html_to_text(markup: str) -> tuple[str, list[str]]:
    """Plain text from an Anki field, and the media (images, sounds) it refers to, which are dropped."""
    text, media, _formatting = html_to_text_noting(markup)
    return text, media


def html_to_text_noting(markup: str) -> tuple[str, list[str], list[str]]:
    """html_to_text, and also the kinds of formatting whose look was lost (bold, colour, tables...):
    their text is kept as it reads; a table's cells are separated by " | ", a row a line."""
    sounds = _SOUND.findall(markup)
    parser = _TextParser()
    parser.feed(_SOUND.sub(" ", markup))
    parser.close()
    return _tidy("".join(parser.parts)), [*parser.media, *sounds], sorted(parser.formatting)


def _tidy(text: str) -> str:
    text = text.replace("\xa0", " ").replace("\u200b", "")
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def plain_field(text: str) -> tuple[str, list[str]]:
    """A field from a text export without HTML: only [sound:...] references to drop."""
    sounds = _SOUND.findall(text)
    return _tidy(_SOUND.sub(" ", text)), sounds


def html_field(text: str) -> str:
    """Deck text as an Anki field's HTML: escaped, control characters removed."""
    return html.escape(clean(text), quote=False).replace("\n", "<br>")
