"""Anki notes to and from card tables: a package's note types mapped onto quizkit's kinds (fields,
cloze numbering, tags, media left out and listed), and a deck's tables as notes to export."""

from __future__ import annotations

import itertools
import random
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from msgspec import Struct, field

from quizkit.core.choices import shuffle_items
from quizkit.core.ids import id_from_guid, unique_id
from quizkit.io import apkg, deck_format
from quizkit.io.delimited import cell_lines
from quizkit.io.html_text import MediaRef, ParsedField, html_field, html_to_text, parse_field
from quizkit.io.imported import (
    Imported,
    ImportedProgress,
    ImportedReview,
    Table,
    check_imported,
    clean_tags,
    note_table,
    short_label,
    tag_notes,
    title_of,
)
from quizkit.model import Kind

if TYPE_CHECKING:
    from quizkit.io.anki_media import MediaStage, Staged

ANKI_CLOZE = re.compile(r"\{\{c(\d+)::(.*?)\}\}", re.DOTALL)


def cloze_from_anki(text: str) -> tuple[str, bool]:
    """{{c1::Kabul}} in {{c2::1996::year}} -> {{Kabul}} in {{1996::year}}.

    The flag says the note's numbering was not simply 1, 2, 3 in reading order: quizkit
    always asks each deletion on its own, in the order they appear.
    """
    # A deletion ends at a "}}": the text after the last one holds none, and is left out of the
    # search, which would otherwise take quadratic time on a hostile "{{c1::{{c1::{{c1::...".
    cut = text.rfind("}}")
    head, tail = (text[: cut + 2], text[cut + 2 :]) if cut != -1 else ("", text)
    numbers = [int(m.group(1)[:18]) for m in ANKI_CLOZE.finditer(head)]
    # Anki has no alternatives: a "|" in its deletion is a literal bar, and stays one.
    converted = ANKI_CLOZE.sub(lambda m: "{{" + deck_format.escape_bars(m.group(2)) + "}}", head) + tail
    return converted, numbers != list(range(1, len(numbers) + 1))


def cloze_to_anki(text: str) -> str:
    """quizkit's cloze text as Anki HTML: {{Kabul}} in {{1996::y}} -> {{c1::Kabul}} in {{c2::1996::y}}.

    Anki has no alternatives: a deletion keeps its first, {{Sharia law|Sharia}} -> {{c1::Sharia law}}.
    """
    escaped = html_field(text)
    numbers = itertools.count(1)
    return deck_format.CLOZE_PATTERN.sub(lambda m: f"{{{{c{next(numbers)}::{_first(m.group(1))}}}}}", escaped)


def _first(body: str) -> str:
    """A deletion with its first alternative only (unchanged if it has no alternatives)."""
    if "|" not in body:
        return body
    answers, hint = deck_format.cloze_deletion(body)
    return answers[0] + (f"::{hint}" if hint else "")


RENUMBERED = "its cloze numbers were not 1, 2, 3... in reading order: quizkit asks each deletion on its own"


def from_model(model: apkg.Model, named: dict[str, str]) -> tuple[Table | None, str, list[str]]:
    """A note of one of the note types quizkit writes (fields as text, by name), back to its card."""
    common = {"explain": named.get("Explain", ""), "source": named.get("Source", "")}
    if model is apkg.Model.CLOZE:
        sentence, renumbered = cloze_from_anki(named.get("Text", ""))
        if not sentence:
            return None, "its cloze text is empty", []
        fields: Table = {"cloze": sentence, "q": named.get("Question", ""), **common}
        return note_table(Kind.CLOZE, fields), RENUMBERED if renumbered else "", []
    kind, fields, reason = card_from_fields(named)
    return (None, reason, []) if reason else (note_table(kind, fields), "", [])


_LEGACY_MODELS = {
    # The note types of quizkit 0.1 packages, by name (Anki's text export names them): their
    # fields, and the switches of today's note type that stand for what they were.
    "quizkit basic": (("Front", "Back", "Explain", "Source"), {}),
    "quizkit basic (and reversed card)": (("Front", "Back", "Explain", "Source"), {"Add reverse": "y"}),
    "quizkit type-in": (("Front", "Back", "Accept", "Explain", "Source"), {"Type answer": "y"}),
}


def from_quizkit_text(notetype: str, texts: list[str]) -> tuple[Table | None, str, list[str]] | None:
    """A note of a quizkit note type in Anki's text export (its fields in order, its note type
    named), back to its card; None for a note type quizkit does not write."""
    name = notetype.casefold()
    model = next((m for m, n in apkg.MODEL_NAMES.items() if n.casefold() == name), None)
    if model is not None:
        return from_model(model, dict(zip(apkg.MODEL_FIELDS[model], texts, strict=False)))
    if name in _LEGACY_MODELS:
        names, switches = _LEGACY_MODELS[name]
        return from_model(apkg.Model.CARD, {**dict(zip(names, texts, strict=False)), **switches})
    return None


_CHOICE_KINDS = {k.value: k for k in (Kind.CHOICE, Kind.MULTI, Kind.TRUEFALSE, Kind.ORDER)}


def card_from_fields(named: Mapping[str, str]) -> tuple[Kind, Table, str]:
    """A note of the quizkit note type (apkg.Model.CARD, fields as text by name) as a card's kind
    and fields, or the reason it is none. Its Kind field names choice, multi, truefalse or order;
    otherwise "Type answer" makes it typed and "Add reverse" a reversed basic card."""
    q, a = named.get("Front", "").strip(), named.get("Back", "").strip()
    common: Table = {"explain": named.get("Explain", ""), "source": named.get("Source", "")}
    if not q:
        return Kind.BASIC, {}, "its front is empty"
    kind_name = named.get("Kind", "").strip().casefold()
    if kind_name and kind_name not in _CHOICE_KINDS:
        return Kind.BASIC, {}, f"its Kind {kind_name[:40]!r} is not choice, multi, truefalse or order"
    kind = _CHOICE_KINDS.get(kind_name)
    answers = cell_lines(a)
    if kind is Kind.TRUEFALSE:
        if a.casefold() not in ("true", "false"):
            return kind, {}, "its back is neither True nor False"
        return kind, {"q": q, "a": a.casefold() == "true", **common}, ""
    if kind is Kind.ORDER:
        if len(answers) < 2:
            return kind, {}, "its back does not list the items in order, one a line"
        return kind, {"q": q, "order": answers, **common}, ""
    if kind is not None:
        choices = cell_lines(named.get("Choices", ""))
        if len(choices) < 2:
            return kind, {}, "its choices are not listed, one a line"
        if not answers or any(answer not in choices for answer in answers):
            return kind, {}, "its back is not one of its choices"
        if kind is Kind.CHOICE and len(answers) != 1:
            return kind, {}, "its back names more than one choice, and its Kind is choice"
        right: str | list[str] = answers[0] if kind is Kind.CHOICE else answers
        return kind, {"q": q, "choices": choices, "a": right, **common}, ""
    if not a:
        return Kind.BASIC, {}, "its back is empty"
    if named.get("Type answer", "").strip():
        return Kind.TYPED, {"q": q, "a": a, "accept": cell_lines(named.get("Accept", "")), **common}, ""
    return Kind.BASIC, {"q": q, "a": a, "reverse": bool(named.get("Add reverse", "").strip()), **common}, ""


def is_quizkit_notetype(notetype: apkg.NoteType) -> bool:
    """The note type quizkit writes for every kind but cloze, known by its fields (renamed or not)."""
    return not notetype.cloze and set(apkg.MODEL_FIELDS[apkg.Model.CARD]) <= set(notetype.fields)


_EXPLAIN_FIELDS = frozenset(
    {"explain", "explanation", "extra", "back extra", "notes", "note", "comment", "comments", "remarks"}
)


_SOURCE_FIELDS = frozenset({"source", "sources", "reference", "references"})


_ACCEPT_FIELDS = frozenset({"accept", "also accepted", "alternatives", "accepted answers"})


class _Plan(Struct, frozen=True):
    """How the notes of one Anki note type become quizkit cards, worked out from its templates."""

    kind: Kind
    question: tuple[str, ...]
    answer: str = ""
    cloze: str = ""
    explain: tuple[str, ...] = ()
    source: str = ""
    accept: str = ""
    reverse_ord: int | None = None
    unused_templates: int = 0
    own: bool = False
    """quizkit's own note type: its fields, not its templates, say each note's kind (card_from_fields)."""


def _role(name: str) -> str:
    folded = name.casefold()
    if folded in _EXPLAIN_FIELDS:
        return "explain"
    if folded in _SOURCE_FIELDS:
        return "source"
    if folded in _ACCEPT_FIELDS:
        return "accept"
    return ""


def plan_notetype(notetype: apkg.NoteType) -> _Plan | str:
    """Read a note type's card templates to see which field asks and which answers.

    The names of note types are the user's (and translated), so only their structure counts:
    `{{cloze:F}}` makes a cloze, `{{type:F}}` a typed card, a second template showing the
    back field on its front a reversed card. Returns the reason when it fits no quizkit kind.
    """
    if is_quizkit_notetype(notetype):
        # Its second template ("Card 2") is the reverse: a reversed card's history maps onto .rev.
        return _Plan(Kind.BASIC, ("Front",), explain=("Explain",), source="Source", reverse_ord=1, own=True)
    if not notetype.templates:
        return "it has no card templates"
    front, back = notetype.templates[0]
    if "image-occlusion" in front:
        return "image occlusion notes are pictures, which quizkit cards cannot show"

    def shown(template: str) -> list[tuple[list[str], str]]:
        return [
            ([f.strip() for f in filters.split(":")], name)
            for filters, name in apkg.field_refs(template)
            if name in notetype.fields
        ]

    on_front, on_back = shown(front), shown(back)
    explain_fields = tuple(n for n in notetype.fields if _role(n) == "explain")
    source = next((n for n in notetype.fields if _role(n) == "source"), "")
    accept = next((n for n in notetype.fields if _role(n) == "accept"), "")
    cloze_fields = list(dict.fromkeys(n for filters, n in on_front if "cloze" in filters))
    front_names = list(dict.fromkeys(n for _, n in on_front))
    if notetype.cloze or cloze_fields:
        if len(cloze_fields) != 1:
            return "it is a cloze note type without exactly one {{cloze:...}} field"
        text = cloze_fields[0]
        question = tuple(n for n in front_names if n != text and not _role(n))
        extra = tuple(n for _, n in on_back if n not in front_names and not _role(n))
        return _Plan(Kind.CLOZE, question, cloze=text, explain=(*extra, *explain_fields), source=source)
    typed = [n for filters, n in on_front if "type" in filters]
    question = tuple(n for filters, n in on_front if "type" not in filters and not _role(n))
    question = tuple(dict.fromkeys(question))
    if len(question) != 1:
        shown_names = ", ".join(question) or "none"
        return f"its cards show {len(question)} fields on the front ({shown_names}); a quizkit card asks one"
    if typed:
        return _Plan(
            Kind.TYPED, question, answer=typed[0], explain=explain_fields, source=source, accept=accept
        )
    answers = list(dict.fromkeys(n for _, n in on_back if n not in question and not _role(n)))
    if not answers:
        return "its cards show no answer field on the back"
    reverse_ord = None
    for number, (other_front, _) in enumerate(notetype.templates[1:], start=1):
        names = {n for _, n in shown(other_front) if not _role(n)}
        if names == {answers[0]}:
            reverse_ord = number
            break
    unused = len(notetype.templates) - 1 - (reverse_ord is not None)
    return _Plan(
        Kind.BASIC,
        question,
        answer=answers[0],
        explain=(*answers[1:], *explain_fields),
        source=source,
        reverse_ord=reverse_ord,
        unused_templates=unused,
    )


FORMATTING = "formatting (the text is kept)"
MEDIA = "media (images, sounds)"
NOTE_TYPES = "notes of note types quizkit has no kind for"
TEMPLATES = "card types of a note type (only the first, and its reverse, became cards)"
FIELDS = "fields no card showed"
EMPTY = "notes with an empty side"
BROKEN = "quizkit notes edited in Anki into something that is no card"
SCHEDULING = "scheduling and review history (add --with-progress to bring them)"
UNMAPPED = "review history of cards that did not become quizkit cards"


PICTURE_PROMPT = "What does this picture show?"
"""The question of a card whose Anki front is a picture alone (a quizkit card asks in words too)."""

PICTURE_ANSWER = "(see the picture)"
"""The answer of a basic card whose Anki back is a picture alone."""


class _NoteMedia(Struct):
    """What one note's media became: the pictures on its card, the files it uses, what it says."""

    image: tuple[str, str] | None = None
    """(saved name, alt text) of the question's picture."""
    answer_image: tuple[str, str] | None = None
    files: list[Staged] = field(default_factory=list)
    sounds: list[str] = field(default_factory=list)
    unshown: list[str] = field(default_factory=list)
    shown: set[int] = field(default_factory=set)
    """The ids of the references that are the card's pictures (no mention in the text)."""
    saved: dict[int, str] = field(default_factory=dict)
    """Each copied reference's saved name, by the reference's id."""

    def mention(self, ref: MediaRef) -> str:
        """What the text says where a reference stood: nothing for the card's picture, else the file."""
        if id(ref) in self.shown:
            return ""
        name = self.saved.get(id(ref), ref.src)
        return f"[{'picture' if ref.tag == 'img' else ref.tag}: {name}]"


def _note_media(
    stage: MediaStage, sides: Sequence[tuple[str, Sequence[tuple[str, ParsedField]]]]
) -> _NoteMedia:
    """Copy the files a note's fields refer to and choose its pictures: on each side (question,
    answer) the first image quizkit can show; the others, and the fields of no side, are named."""
    from quizkit.core.text import clean

    found = _NoteMedia()
    for side, fields in sides:
        for field_name, parsed in fields:
            for ref in parsed.refs:
                staged = stage.get(ref.src)
                what = "picture" if ref.tag == "img" else ref.tag
                if isinstance(staged, str):
                    found.unshown.append(f"{what} {ref.src!r} {staged}")
                    continue
                found.saved[id(ref)] = staged.name
                if staged not in found.files:
                    found.files.append(staged)
                where = f"{stage.folder}/{staged.name}"
                if ref.tag != "img":
                    found.sounds.append(where)
                    continue
                problem = stage.picture_problem(staged)
                taken = found.image if side == "question" else found.answer_image
                if problem is not None:
                    found.unshown.append(f"{where}: {problem[0]} ({problem[1]})")
                elif not side:
                    found.unshown.append(
                        f"{where}: in the {field_name!r} field, where quizkit shows no picture"
                    )
                elif taken is not None:
                    found.unshown.append(f"{where}: a second picture on the {side} side (a card shows one)")
                else:
                    alt = " ".join(clean(ref.alt).split()) or PurePosixPath(staged.name).stem
                    if side == "question":
                        found.image = (staged.name, alt)
                    else:
                        found.answer_image = (staged.name, alt)
                    found.shown.add(id(ref))
    return found


def from_package(
    package: apkg.Package, path: str, with_progress: bool = False, media: MediaStage | None = None
) -> Imported:
    """quizkit cards from an Anki package's notes: basic, reversed, cloze and type-in notes.

    Fields become plain text; formatting, unknown note types and unused fields are listed, each
    kind once. With `media` (where the package's files are copied), the first image the question
    shows becomes the card's picture, and the first of the answer its answer picture; sounds and
    the images a card cannot show are copied and named in the text, "[sound: x.mp3]"; the files no
    card uses are listed. Without it, media are left out and listed. Each card remembers its Anki
    deck (the full path). With `with_progress`, the review log and the suspended and buried cards
    come along, attached to the quizkit card ids.
    """
    result = Imported(title="", cards=[])
    plans: dict[int, _Plan | str] = {}
    renamed: dict[str, str] = {}
    taken: set[str] = set()
    warned_templates: set[int] = set()
    placed: dict[tuple[int, int], tuple[str, str]] = {}
    """(Anki note id, card ord) -> (table id, quizkit card id)."""
    carried: dict[str, tuple[str, _NoteMedia]] = {}
    """Table id -> (its label, what its note's media became)."""
    for note in package.notes:
        notetype = note.notetype
        plan = plans.get(notetype.id)
        if plan is None:
            plan = plans[notetype.id] = plan_notetype(notetype)
        label = f"note {note.id}"
        if isinstance(plan, str):
            result.lose(NOTE_TYPES, f"{notetype.name!r}: {plan}")
            continue
        if plan.unused_templates and notetype.id not in warned_templates:
            warned_templates.add(notetype.id)
            result.lose(TEMPLATES, f"{notetype.name!r}: {plan.unused_templates} left out")
        parsed: dict[str, ParsedField] = {}

        def field_of(
            name: str, note: apkg.Note = note, parsed: dict[str, ParsedField] = parsed
        ) -> ParsedField:
            if name not in parsed:
                parsed[name] = parse_field(note.field(name))
            return parsed[name]

        if plan.own:
            asking, answering = ["Front"], ["Back", "Explain", "Source"]
            elsewhere = [n for n in notetype.fields if n not in (*asking, *answering)]
        else:
            asking = [*plan.question, plan.cloze]
            answering = [plan.answer, *plan.explain, plan.source]
            elsewhere = [plan.accept]
        sides = [
            (side, [(n, field_of(n)) for n in names if n and n in notetype.fields])
            for side, names in (("question", asking), ("answer", answering), ("", elsewhere))
        ]
        found = _NoteMedia()
        if media is not None and any(parsed.refs for _side, fields in sides for _n, parsed in fields):
            found = _note_media(media, sides)
        # A side whose only content is a picture: asked in words (PICTURE_PROMPT). Without `media`
        # too, so that the same note is the same card when only its progress is imported.
        pictured_q, pictured_a = (
            any(ref.tag == "img" for _n, parsed in fields for ref in parsed.refs)
            for _side, fields in sides[:2]
        )
        if media is not None:
            pictured_q, pictured_a = found.image is not None, found.answer_image is not None
        lost_media: list[str] = []
        formatting: set[str] = set()

        def text(
            name: str,
            field_of: Callable[[str], ParsedField] = field_of,
            found: _NoteMedia = found,
            lost_media: list[str] = lost_media,
            formatting: set[str] = formatting,
        ) -> str:
            parsed_field = field_of(name)
            if media is None:
                lost_media.extend(ref.src for ref in parsed_field.refs)
            formatting.update(parsed_field.formatting)
            return parsed_field.text(found.mention if media is not None else None)

        question = "\n".join(t for t in (text(n) for n in plan.question) if t)
        explain = "\n".join(t for t in (text(n) for n in plan.explain) if t)
        cloze = text(plan.cloze) if plan.cloze else ""
        if not question and pictured_q and plan.kind is not Kind.CLOZE:
            question = PICTURE_PROMPT
        label = f"note {note.id}{short_label(cloze or question)}"
        fields: Table = {"explain": explain, "source": text(plan.source) if plan.source else ""}
        reason = ""
        numbers: list[int] = []
        kind = plan.kind
        if plan.own:
            named = {name: text(name) for name in notetype.fields}
            if not named.get("Front") and pictured_q:
                named["Front"] = PICTURE_PROMPT
            if not named.get("Back") and pictured_a and not named.get("Kind"):
                named["Back"] = PICTURE_ANSWER
            kind, fields, reason = card_from_fields(named)
        elif plan.kind is Kind.CLOZE:
            sentence, renumbered = cloze_from_anki(cloze)
            numbers = cloze_numbers(cloze)
            fields |= {"cloze": sentence, "q": question}
            reason = "its cloze text is empty" if not sentence else ""
            if renumbered:
                result.changed.append(f"{label}: {RENUMBERED}")
        else:
            answer = text(plan.answer)
            if not answer and pictured_a and plan.kind is Kind.BASIC:
                answer = PICTURE_ANSWER
            fields |= {"q": question, "a": answer}
            if plan.kind is Kind.TYPED:
                fields["accept"] = cell_lines(text(plan.accept)) if plan.accept else []
            else:
                fields["reverse"] = plan.reverse_ord is not None and plan.reverse_ord in note.card_ords
            if not question or not answer:
                side = "question" if not question else "answer"
                reason = f"its {side} is empty" + (
                    " once images and sounds are left out" if lost_media else ""
                )
        if reason:
            result.lose(BROKEN if plan.own else EMPTY, f"{label}: {reason}")
            continue
        if lost_media:
            result.lose(MEDIA, f"{label}: {', '.join(dict.fromkeys(lost_media))}")
        if formatting:
            result.lose(FORMATTING, f"{label}: {', '.join(sorted(formatting))}")
        if not plan.own:  # a quizkit note uses every field it has
            used = {*plan.question, *plan.explain, plan.answer, plan.cloze, plan.source, plan.accept}
            used |= _switches(notetype)
            unused = [n for n in notetype.fields if n not in used and html_to_text(note.field(n))[0]]
            if unused:
                result.lose(FIELDS, f"{label}: {', '.join(repr(n) for n in unused)}")
        if media is not None:
            for key, picture in (("image", found.image), ("answer_image", found.answer_image)):
                if picture is not None:
                    fields[key], fields[f"{key}_alt"] = f"{media.folder}/{picture[0]}", picture[1]
        table = note_table(kind, fields)
        tags = clean_tags(note.tags, renamed)
        if tags:
            table["tags"] = tags
        card_id = unique_id(id_from_guid(note.guid), taken)
        result.cards.append({"id": card_id, **table})
        result.decks[card_id] = note.deck
        if found.files or found.unshown:
            carried[card_id] = (f"card {card_id}{short_label(cloze or question)}", found)
        for ord_ in note.card_ords:
            suffix = _suffix(plan, ord_, numbers, bool(table.get("reverse")))
            if suffix is not None:
                placed[(note.id, ord_)] = (card_id, card_id + suffix)
    result.descriptions = {
        name: html_to_text(about)[0] for name, about in package.descriptions.items() if html_to_text(about)[0]
    }
    result.changed.extend(tag_notes(renamed))
    result.title = title_of(result.decks.values())
    if media is None and package.media:
        shown = ", ".join(package.media[:2]) + (", ..." if len(package.media) > 2 else "")
        result.left_out.append(
            f"media files in the package: {len(package.media)} ({shown}): quizkit decks are text"
        )
    check_imported(result, path, drop=True)
    kept = {table["id"] for table in result.cards}
    placed = {key: ids for key, ids in placed.items() if ids[0] in kept}
    copied: set[str] = set()
    for card_id, (card_label, found) in carried.items():
        if card_id not in kept:
            continue
        result.media[card_id] = [staged.name for staged in found.files]
        copied.update(staged.source for staged in found.files)
        result.sounds.extend(f"{where} ({card_label})" for where in dict.fromkeys(found.sounds))
        result.unshown.extend(f"{card_label}: {item}" for item in found.unshown)
    if media is not None:
        result.changed.extend(note for source in sorted(copied) for note in media.changed.get(source, []))
        unused_media = [name for name in dict.fromkeys(package.media) if name not in copied]
        if unused_media:
            shown = ", ".join(repr(n) for n in unused_media[:2]) + (", ..." if len(unused_media) > 2 else "")
            result.left_out.append(
                f"media files no imported card uses: {len(unused_media)} ({shown}): not copied"
            )
    _progress(result, package, placed, with_progress)
    result.list_losses()
    return result


def _switches(notetype: apkg.NoteType) -> set[str]:
    """Fields the templates only test ({{#Add Reverse}}): switches, not text to lose."""
    names: set[str] = set()
    for front, back in notetype.templates:
        for template in (front, back):
            at = 0
            while (start := template.find("{{", at)) != -1:
                end = template.find("}}", start + 2)
                if end == -1:
                    break
                body = template[start + 2 : end].strip()
                at = end + 2
                if body[:1] in ("#", "^"):
                    names.add(body[1:].strip())
    return names


def cloze_numbers(text: str) -> list[int]:
    """The Anki numbers of a cloze text's deletions, in reading order: c3, c1, c2 -> [3, 1, 2]."""
    cut = text.rfind("}}")  # as in cloze_from_anki: linear on hostile text
    return [int(m.group(1)[:18]) for m in ANKI_CLOZE.finditer(text[: cut + 2] if cut != -1 else "")]


def _suffix(plan: _Plan, ord_: int, numbers: list[int], reverse: bool) -> str | None:
    """The quizkit card id suffix of an Anki card (its template number, `ord`), or None if it
    became no quizkit card. A cloze card is deletion ord + 1; quizkit numbers them in reading order."""
    if plan.kind is Kind.CLOZE:
        if ord_ + 1 not in numbers:
            return None
        return f".c{numbers.index(ord_ + 1) + 1}"
    if ord_ == 0:
        return ""
    if reverse and ord_ == plan.reverse_ord:
        return ".rev"
    return None


def _progress(
    result: Imported,
    package: apkg.Package,
    placed: dict[tuple[int, int], tuple[str, str]],
    with_progress: bool,
) -> None:
    """The review log and the suspended and buried cards, by quizkit card, or the loss of them."""
    cards = {card.id: card for card in package.cards}
    where = {card.id: placed.get((card.note_id, card.ord)) for card in package.cards}
    if not with_progress:
        studied = sorted(c.id for c in package.cards if c.queue)  # not new: learning, review, set aside
        kind = f"{SCHEDULING[:-1]}; {package.review_count} reviews in all)"
        asked = {str(t["id"]): str(t.get("q") or t.get("cloze") or "") for t in result.cards}
        for cid in studied:
            ids = where.get(cid)
            if ids is not None:
                result.lose(kind, f"card {ids[1]}{short_label(asked.get(ids[0], ''))}")
        return
    progress = ImportedProgress()
    lost: set[int] = set()
    for review in package.reviews:
        ids = where.get(review.card_id)
        if ids is None:
            if review.card_id in cards:
                lost.add(review.card_id)
            continue
        if review.ease not in (1, 2, 3, 4) or review.type in (4, 5):
            progress.manual += 1
            continue
        took = review.time_ms if 0 < review.time_ms < 24 * 3_600_000 else None
        progress.reviews.append(ImportedReview(review.id, ids[0], ids[1], review.id, review.ease, took))
    for card in package.cards:
        ids = where.get(card.id)
        if ids is not None and card.suspended:
            progress.suspended.add(ids)
        elif ids is not None and card.buried:
            progress.buried.add(ids)
    for cid in sorted(lost):
        result.lose(UNMAPPED, f"Anki card {cid} of note {cards[cid].note_id}")
    result.progress = progress


def picture_html(name: str, alt: str) -> str:
    """An Anki field's picture: <img src="map.png" alt="...">, the name and alt text escaped."""
    import html

    from quizkit.core.text import clean

    return f'<img src="{html.escape(name)}" alt="{html.escape(" ".join(clean(alt).split()))}">'


def _with_picture(field_html: str, table: Table, key: str, media: Mapping[str, str]) -> str:
    """The field with the card's picture under `key` after its text, if it has one."""
    file = table.get(key)
    if not isinstance(file, str) or file not in media:
        return field_html
    picture = picture_html(media[file], str(table.get(f"{key}_alt", "")))
    return f"{field_html}<br>{picture}" if field_html else picture


def to_anki_notes(
    deck_id: str, tables: Sequence[tuple[Kind, Table]], media: Mapping[str, str] | None = None
) -> list[apkg.NewNote]:
    """Anki notes for the cards, in deck order: cloze notes, and notes of the one quizkit note type
    for every other kind, whose fields keep the card whole (card_from_fields reads them back).

    `media` names each picture (its path in the deck) in the package: the question's picture goes
    after the question (Front, or a cloze's Question), the answer's after a basic card's Back
    (which a reversed card asks), else in Explain, shown under every answer."""
    media = media or {}
    notes = []
    for kind, table in tables:
        note_id = str(table["id"])
        extras = {
            "Explain": html_field(str(table.get("explain", ""))),
            "Source": html_field(str(table.get("source", ""))),
        }
        question = _with_picture(html_field(str(table.get("q", ""))), table, "image", media)
        model = apkg.Model.CARD
        if kind is not Kind.BASIC:
            extras["Explain"] = _with_picture(extras["Explain"], table, "answer_image", media)
        if kind is Kind.CLOZE:
            model = apkg.Model.CLOZE
            fields = {"Text": cloze_to_anki(str(table["cloze"])), "Question": question}
        elif kind is Kind.TYPED:
            accept = "<br>".join(html_field(a) for a in table.get("accept", []))
            fields = {"Front": question, "Back": html_field(str(table["a"])), "Accept": accept}
            fields["Type answer"] = "y"
        elif kind is Kind.BASIC:
            fields = {
                "Front": question,
                "Back": _with_picture(html_field(str(table["a"])), table, "answer_image", media),
            }
            fields["Add reverse"] = "y" if table.get("reverse") else ""
        else:
            fields = {"Front": question, "Kind": kind.value, **_choice_fields(kind, table, note_id)}
        notes.append(
            apkg.NewNote(
                model, {**fields, **extras}, tuple(table.get("tags", [])), f"quizkit:{deck_id}:{note_id}"
            )
        )
    return notes


def _lines(items: Sequence[str]) -> str:
    """Items as a field's lines, one each (an item's own line breaks become spaces)."""
    return "<br>".join(html_field(" ".join(str(item).splitlines())) for item in items)


def _choice_fields(kind: Kind, table: Table, note_id: str) -> dict[str, str]:
    """The Back and Choices of a choice, multi, true/false or order card."""
    if kind is Kind.TRUEFALSE:
        return {"Back": "True" if table["a"] else "False"}
    if kind is Kind.ORDER:
        # Shown shuffled (the card's script shuffles them again, the same way at every review).
        items = list(table["order"])
        shuffled = shuffle_items(items, random.Random(f"quizkit:{note_id}"))
        return {"Back": _lines(items), "Choices": _lines(shuffled)}
    right = table["a"] if isinstance(table["a"], list) else [table["a"]]
    return {"Back": _lines(right), "Choices": _lines(list(table["choices"]))}
