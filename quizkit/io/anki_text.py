"""Anki's 'Notes in Plain Text' export (#separator, #html, #tags... headers) into card tables."""

from __future__ import annotations

import re
from collections import Counter

from quizkit.core.ids import id_from_guid, id_from_text, unique_id
from quizkit.errors import DeckError, Problem
from quizkit.io.anki_notes import (
    ANKI_CLOZE,
    EMPTY,
    FIELDS,
    FORMATTING,
    MEDIA,
    PICTURE_PROMPT,
    RENUMBERED,
    cloze_from_anki,
    from_quizkit_text,
)
from quizkit.io.delimited import delimited_rows
from quizkit.io.html_text import parse_field, plain_field
from quizkit.io.imported import (
    Imported,
    Table,
    check_imported,
    clean_tags,
    note_table,
    short_label,
    tag_notes,
    title_of,
)
from quizkit.model import Kind

_ANKI_SEPARATORS = {"tab": "\t", "comma": ",", "semicolon": ";", "space": " ", "pipe": "|", "colon": ":"}


_ANKI_HEADERS = (
    "separator",
    "html",
    "tags column",
    "guid column",
    "notetype column",
    "deck column",
    "columns",
    "tags",
    "notetype",
    "deck",
)


def is_anki_text(text: str) -> bool:
    first = text.lstrip("\ufeff").split("\n", 1)[0].strip()
    return first.startswith("#") and first[1:].partition(":")[0].strip().lower() in _ANKI_HEADERS


def read_anki_text(text: str, path: str) -> Imported:
    """Cards from Anki's Notes in Plain Text export, with its #separator, #html and #... column lines."""
    lines = text.split("\n")
    directives: dict[str, str] = {}
    skipped = 0
    for raw in lines:
        key, colon, value = raw.lstrip("#").partition(":")
        if not raw.startswith("#") or not colon or key.strip().lower() not in _ANKI_HEADERS:
            break
        directives[key.strip().lower()] = value.strip()
        skipped += 1
    raw_separator = directives.get("separator", "tab")
    separator = _ANKI_SEPARATORS.get(raw_separator.lower(), raw_separator)
    if len(separator) != 1:
        raise DeckError(
            [Problem(path, 1, None, f"unknown #separator {raw_separator!r}", "use Tab, Comma or Semicolon")]
        )
    as_html = directives.get("html", "false").lower() == "true"

    def column(name: str) -> int | None:
        value = directives.get(f"{name} column", "")
        return int(value) - 1 if value.isdigit() and int(value) > 0 else None

    special = {name: column(name) for name in ("tags", "guid", "notetype", "deck")}
    # A # line further down is a comment, as Anki reads it (inside a quoted field it is text).
    rows = delimited_rows("\n".join(lines[skipped:]), path, separator, first_line=skipped + 1, comments=[])
    result = Imported(title="", cards=[])
    taken: set[str] = set()
    renamed: dict[str, str] = {}
    decks_seen: Counter[str] = Counter()
    global_tags = directives.get("tags", "").split()
    for line, cells in rows:

        def cell(name: str, cells: list[str] = cells) -> str:
            index = special[name]
            return cells[index] if index is not None and index < len(cells) else ""

        fields = [c for i, c in enumerate(cells) if i not in special.values()]
        texts, media, formatting, pictured = [], [], set(), []
        for value in fields:
            if as_html:
                parsed = parse_field(value)
                text, found = parsed.text(), [ref.src for ref in parsed.refs]
                formatting.update(parsed.formatting)
                pictured.append(any(ref.tag == "img" for ref in parsed.refs))
            else:
                text, found = plain_field(value)
                pictured.append(False)
            texts.append(text)
            media.extend(found)
        notetype = cell("notetype") or directives.get("notetype", "")
        deck_name = cell("deck") or directives.get("deck", "")
        if deck_name:
            decks_seen[deck_name] += 1
        guid = cell("guid")
        label = f"line {line}{short_label(texts[0] if texts else '')}"
        table, reason, lost = _text_note(notetype, texts, pictured)
        if table is None:
            result.lose(EMPTY, f"{label}: {reason}")
            continue
        if media:
            result.lose(MEDIA, f"{label}: {', '.join(dict.fromkeys(media))}")
        if formatting:
            result.lose(FORMATTING, f"{label}: {', '.join(sorted(formatting))}")
        for item in lost:
            result.lose(FIELDS, f"{label}: {item}")
        tags = clean_tags([*global_tags, *cell("tags").split()], renamed)
        if tags:
            table["tags"] = tags
        base = id_from_guid(guid) if guid else id_from_text(str(table.get("q") or table.get("cloze") or ""))
        card_id = unique_id(base, taken)
        if reason:
            result.changed.append(f"{label}: {reason}")
        result.cards.append({"id": card_id, **table})
        result.lines[card_id] = line
        result.decks[card_id] = deck_name
    result.changed.extend(tag_notes(renamed))
    # As from a package: the full deck path (History › French Revolution), never only its last part.
    result.title = title_of(decks_seen)
    check_imported(result, path, drop=True)
    result.list_losses()
    return result


def _text_note(
    notetype: str, texts: list[str], pictured: list[bool] | None = None
) -> tuple[Table | None, str, list[str]]:
    """A card table from a text note's fields, by its note type's name (the text has no templates).
    A front that is only a picture is asked in words, as from a package (the text export holds
    no files: the picture itself is listed as lost). A back that is only a picture is no answer
    here: without the templates, the note's next field may be anything.

    Returns (table or None, the reason it is None or what changed, what was left out).
    """
    name = notetype.casefold()
    fields = [*texts, "", "", "", "", ""]
    lost: list[str] = []
    if "image occlusion" in name or any("::image-occlusion:" in text for text in texts):
        return None, "image occlusion notes are pictures, which quizkit cards cannot show", lost
    own = from_quizkit_text(notetype, fields)
    if own is not None:
        return own
    if "cloze" in name or ANKI_CLOZE.search(fields[0]):
        sentence, renumbered = cloze_from_anki(fields[0])
        if not sentence:
            return None, "its cloze text is empty", lost
        extra = [t for t in texts[2:] if t]
        if extra:
            lost.append(f"{len(extra)} more field(s)")
        table = note_table(Kind.CLOZE, {"cloze": sentence, "explain": fields[1]})
        return table, RENUMBERED if renumbered else "", lost
    typed = bool(re.search(r"type[- ]in|typ(e|ing) the answer", name))
    pictured = [*(pictured or []), False, False]
    if not fields[0] and pictured[0]:
        fields[0] = PICTURE_PROMPT
    if not fields[0]:
        return None, "its front is empty once images and sounds are left out", lost
    if not fields[1]:
        return None, "its back is empty once images and sounds are left out", lost
    if typed:
        kind, extra_from = Kind.TYPED, 2
        table = note_table(kind, {"type": "typed", "q": fields[0], "a": fields[1]})
    else:
        reverse = bool(re.search(r"revers", name)) and ("optional" not in name or bool(fields[2]))
        extra_from = 3 if "optional" in name else 2
        table = note_table(Kind.BASIC, {"q": fields[0], "a": fields[1], "reverse": reverse})
    extra = [t for t in texts[extra_from:] if t]
    if extra:
        lost.append(f"{len(extra)} more field(s){short_label(' / '.join(extra))}")
    return table, "", lost
