"""HTML (from Anki fields) to plain text, and plain text to an Anki field's HTML."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from html.parser import HTMLParser

from msgspec import Struct, field

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


class MediaRef(Struct, frozen=True):
    """A picture, sound or other media file a field refers to, where it stands in the field."""

    tag: str
    """"img" for a picture, "sound" for Anki's [sound:...], else the HTML tag (audio, video...)."""
    src: str
    """The file as written (entities decoded): a name in the package's media, or a web address."""
    alt: str = ""
    """An img's alt text."""


class ParsedField(Struct):
    """A field's text in pieces, its media references where they stood, and the formatting lost."""

    parts: list[str | MediaRef] = field(default_factory=list)
    formatting: list[str] = field(default_factory=list)

    @property
    def refs(self) -> list[MediaRef]:
        return [part for part in self.parts if isinstance(part, MediaRef)]

    def text(self, mention: Callable[[MediaRef], str] | None = None) -> str:
        """The plain text, each media reference replaced by what `mention` says (nothing if None)."""
        return _tidy(
            "".join(
                part if isinstance(part, str) else f" {mention(part)} " if mention else " "
                for part in self.parts
            )
        )


class _List(Struct):
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
        self.parts: list[str | MediaRef] = []
        self.hidden = 0
        self.lists: list[_List] = []
        self.formatting: set[str] = set()
        self.cell_open = False
        self.sounds: list[str] = []
        self.sound_tag = ""

    def ends_line(self) -> bool:
        last = self.parts[-1] if self.parts else "\n"
        return isinstance(last, str) and last.endswith("\n")

    def newline(self) -> None:
        if self.parts and not self.ends_line():
            self.parts.append("\n")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == self.sound_tag:
            index = int(found.get("i") or 0)
            if not self.hidden:
                self.parts.append(MediaRef("sound", self.sounds[index]))
            return
        if tag in _FORMATTING:
            self.formatting.add(_FORMATTING[tag])
        if tag == "font" and found.get("color") or "color" in (found.get("style") or ""):
            self.formatting.add("colour")
        elif tag == "font" or re.search(r"font|background|weight|decoration", found.get("style") or ""):
            self.formatting.add("fonts and styles")
        if tag in ("td", "th"):
            # A table's cells, side by side in a row: " | " between them (a row is a line).
            if self.cell_open and self.parts and not self.ends_line():
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
        if tag in _MEDIA_TAGS and not self.hidden:
            source = found.get("src") or found.get("data")
            if source:
                alt = (found.get("alt") or "") if tag == "img" else ""
                if self.sound_tag and self.sound_tag in alt:  # a [sound:...] in the alt text is text
                    alt = re.sub(
                        f"<{self.sound_tag} i=(\\d+)>", lambda m: f"[sound:{self.sounds[int(m[1])]}]", alt
                    )
                self.parts.append(MediaRef(tag, source, alt))
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
    parsed = parse_field(markup)
    return parsed.text(), [ref.src for ref in parsed.refs], parsed.formatting


def parse_field(markup: str) -> ParsedField:
    """An Anki field's HTML read once: its text and media references in order, and the
    formatting whose look is lost (ParsedField.text renders it, with or without the media)."""
    parser = _TextParser()
    if "[sound:" in markup:
        # Anki finds [sound:...] in the field's HTML as it is stored (not in the text it shows):
        # each becomes a tag of a name no field can know, so the parser keeps its place.
        import secrets

        parser.sound_tag = f"qk-sound-{secrets.token_hex(8)}"

        def tag(match: re.Match[str]) -> str:
            parser.sounds.append(html.unescape(match.group(1)))
            return f"<{parser.sound_tag} i={len(parser.sounds) - 1}>"

        markup = _SOUND.sub(tag, markup)
    parser.feed(markup)
    parser.close()
    return ParsedField(parser.parts, sorted(parser.formatting))


def _tidy(text: str) -> str:
    text = text.replace("\xa0", " ").replace("\u200b", "")
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def plain_field(text: str) -> tuple[str, list[str]]:
    """A field from a text export without HTML: only [sound:...] references to drop."""
    sounds = _SOUND.findall(text)
    return _tidy(_SOUND.sub(" ", text)), sounds


_ANKI_TAG = re.compile(r"\[(?=sound:|anki:)")


def html_field(text: str) -> str:
    """Deck text as an Anki field's HTML: escaped, control characters removed, and a "[sound:"
    or "[anki:" in it written &#91;sound: so that Anki shows it and does not read it as a sound
    to play (an imported card's "[sound: x.mp3]" names a file, which the package does not hold)."""
    escaped = html.escape(clean(text), quote=False).replace("\n", "<br>")
    return _ANKI_TAG.sub("&#91;", escaped) if "[" in escaped else escaped
