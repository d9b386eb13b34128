"""Printable worksheets: a deck as numbered questions with space to answer and an answer key on
a new page, in Markdown or as one self-contained HTML file (all deck text escaped)."""

from __future__ import annotations

import html
import random
import re
from collections.abc import Callable, Sequence
from enum import StrEnum
from pathlib import Path

from msgspec import Struct

from quizkit.core.choices import choice_letter
from quizkit.core.exam import Question, as_question
from quizkit.core.text import clean, markdown
from quizkit.io import deck_format, formulas
from quizkit.io.imported import Table
from quizkit.model import Kind, Picture


class KeyPlace(StrEnum):
    """Where a worksheet's answer key goes."""

    SEPARATE = "separate"
    """In a file of its own beside the paper (exam.html, exam-key.html)."""
    END = "end"
    """At the end of the paper, from a new printed page."""
    NONE = "none"


class SheetQuestion(Struct, frozen=True):
    """One numbered question of a printed worksheet, and its line in the answer key."""

    number: int
    kind: Kind
    prompt: str
    options: tuple[str, ...] = ()
    """Choices (choice, multi) or items to put in order, as printed, lettered A, B, C..."""
    blanks: tuple[str, ...] = ()
    """Cloze: the hint of each gap ("" for none); the gaps are marked in prompt as \\x00N\\x00."""
    answer: tuple[str, ...] = ()
    explain: str = ""
    source: str = ""
    lines: int = 1
    card: str = ""
    """The card's id, named when its picture cannot be printed."""
    image: Picture | None = None
    """Printed with the question."""
    answer_image: Picture | None = None
    """Printed in the answer key, with the answer."""


class Paper(Struct, frozen=True):
    """One variant of a worksheet: its letter, the seed it was made with, and its questions."""

    letter: str
    seed: int
    questions: list[SheetQuestion]

    @property
    def stamp(self) -> str:
        """Printed on every page, so that a marked paper can be matched to its key."""
        return f"Variant {self.letter} · seed {self.seed}"


class SheetPictures:
    """The pictures of a deck's cards as worksheets print them: each file checked, decoded and read
    once (io.pictures: inside the deck's folder, its size, its pixels), then embedded in HTML as a
    data URI or linked from Markdown, the same in every variant.

    A picture that cannot be read (removed since the deck was loaded, damaged) is printed as its
    alt text with a note, and listed in `problems` for the command to warn about, naming the card.
    """

    def __init__(self, folder: Path, links_from: Path | None = None) -> None:
        self.folder = folder
        """The deck file's folder: pictures are relative to it."""
        self.links_from = links_from
        """The folder the Markdown file is written in, for its links; None: absolute file: links."""
        self.problems: dict[tuple[str, str], str] = {}
        """(card id, file) -> what is wrong, in the order met."""
        self._checked: dict[str, tuple[Path, str, bytes] | str] = {}
        self._uris: dict[str, str] = {}

    def _check(self, card: str, picture: Picture) -> tuple[Path, str, bytes] | None:
        """The picture's file, media type and bytes, or None (noted in problems) when it cannot be
        printed. The bytes are read through one open of the checked file, and every pixel decoded."""
        from quizkit.io import pictures

        found = self._checked.get(picture.file)
        if found is None:
            try:
                data, fmt = pictures.checked_bytes(self.folder, picture.file)
                path = pictures.located(self.folder, picture.file)
                mime = "image/" + ("jpeg" if fmt == "JPEG" else fmt.lower())
                found = (path, mime, data)
            except pictures.PictureError as error:
                found = error.message
            self._checked[picture.file] = found
        if isinstance(found, str):
            self.problems.setdefault((card, picture.file), found)
            return None
        return found

    def data_uri(self, card: str, picture: Picture) -> str | None:
        """The picture's file as a data: URI (its bytes as they are), or None when it cannot be read."""
        found = self._check(card, picture)
        if found is None:
            return None
        if picture.file not in self._uris:
            import base64

            _path, mime, data = found
            self._uris[picture.file] = f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
        return self._uris[picture.file]

    def link(self, card: str, picture: Picture) -> str | None:
        """The picture's file as a Markdown link destination, percent-encoded, relative to the
        Markdown file's folder; None when it cannot be read."""
        found = self._check(card, picture)
        if found is None:
            return None
        path = found[0]
        if self.links_from is None:
            return path.as_uri()
        import os
        from urllib.parse import quote

        try:
            relative = os.path.relpath(path, self.links_from.resolve())
        except ValueError:  # another drive
            return path.as_uri()
        return quote(Path(relative).as_posix(), safe="/")


MAX_VARIANTS = 26
"""Variants are lettered A to Z."""


_GAP = "\ue000"
"""Marks a cloze gap in a prompt until it is printed: a private-use character, taken out of deck text."""


def papers(
    tables: Sequence[tuple[Kind, Table]],
    drawn: Sequence[Question],
    seed: int,
    variants: int = 1,
    shuffle: bool = False,
) -> list[Paper]:
    """The variants A, B, C... of a worksheet of the questions drawn for a quiz (core.exam).

    Every variant asks the same questions, one question per note (a cloze note with all its
    gaps); each has its own order of questions (deck order for a single variant unless
    `shuffle`) and its own order of choices, from a random.Random of the seed and its letter,
    so the same seed always gives the same papers.
    """
    notes = {str(table["id"]): (index, kind, table) for index, (kind, table) in enumerate(tables)}
    asked: dict[str, Question] = {}
    for question in drawn:  # a note drawn twice (more questions asked than notes): its front
        note = question.card.note_id or question.card.id
        if note not in asked or question.card.id == note:
            asked[note] = question
    made = []
    for number in range(variants):
        letter = choice_letter(number)
        rng = random.Random(f"{seed}:{letter}")
        order = sorted(asked.items(), key=lambda item: notes[item[0]][0])
        if shuffle or variants > 1:
            rng.shuffle(order)
        questions = []
        for position, (note, question) in enumerate(order, start=1):
            _, kind, table = notes[note]
            shown = as_question(question.key, question.card, rng)  # the quiz's own shuffle of choices
            questions.append(_question(position, kind, table, shown))
        made.append(Paper(letter, seed, questions))
    return made


def _question(number: int, kind: Kind, table: Table, asked: Question) -> SheetQuestion:
    card = asked.card
    explain, source = str(table.get("explain", "")), str(table.get("source", ""))
    q = str(table.get("q", ""))
    options: tuple[str, ...] = ()
    blanks: tuple[str, ...] = ()
    lines = 1
    if kind in (Kind.BASIC, Kind.TYPED):
        reverse = kind is Kind.BASIC and card.id != (card.note_id or card.id)
        answer = card.answer if reverse else str(table["a"])
        q = card.prompt if reverse else q
        also = [] if reverse else list(table.get("accept", []))
        key: tuple[str, ...] = (answer, *(["also accepted: " + "; ".join(also)] if also else []))
        lines = max(1, min(4, len(answer) // 45 + 1))
    elif kind in (Kind.CHOICE, Kind.MULTI):
        options = asked.shown
        key = tuple(f"{choice_letter(options.index(r))}. {r}" for r in options if r in card.accept)
    elif kind is Kind.TRUEFALSE:
        key = ("True" if table["a"] else "False",)
    elif kind is Kind.ORDER:
        options = asked.shown
        key = (" → ".join(f"{choice_letter(options.index(item))} {item}" for item in card.accept),)
    else:
        prompt, blanks, answers = _gaps(str(table["cloze"]))
        key = tuple(f"({n}) {a}" for n, a in enumerate(answers, start=1))
        q = f"{q}\n{prompt}" if q else prompt
    return SheetQuestion(
        number, kind, q, options, blanks, key, explain, source, lines, card.id, card.image, card.answer_image
    )


def _gaps(sentence: str) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """The sentence with its gaps marked, each gap's hint, and each gap's answer for the key (the
    one shown, then any alternatives: "Sharia law (also accepted: Sharia)")."""
    hints, answers = [], []

    def gap(match: re.Match[str]) -> str:
        (answer, *also), hint = deck_format.cloze_deletion(match.group(1))
        answers.append(answer + (f" (also accepted: {'; '.join(also)})" if also else ""))
        hints.append(hint)
        return f"{_GAP}{len(answers)}{_GAP}"

    return deck_format.CLOZE_PATTERN.sub(gap, sentence.replace(_GAP, "")), tuple(hints), tuple(answers)


def _how(question: SheetQuestion) -> str:
    """How to answer, unless the question already says so."""
    how = _HOW.get(question.kind, "")
    if not how or (question.kind is Kind.MULTI and "all that apply" in question.prompt.lower()):
        return ""
    if question.kind is Kind.TRUEFALSE and "true or false" in question.prompt.lower():
        return ""
    return how


_HOW = {
    Kind.CHOICE: "choose one",
    Kind.MULTI: "tick all that apply",
    Kind.TRUEFALSE: "true or false?",
    Kind.ORDER: "number them in order, 1 first",
    Kind.CLOZE: "fill in the gaps",
}


def _fill_gaps(prompt: str, blanks: Sequence[str], gap: Callable[[int, str], str]) -> str:
    """Put each cloze gap, marked _GAP N _GAP in an already escaped prompt, in its printed form."""
    return re.sub(f"{_GAP}(\\d+){_GAP}", lambda m: gap(int(m.group(1)), blanks[int(m.group(1)) - 1]), prompt)


def _md(text: str, **how: bool) -> str:
    """Deck text for Markdown, its formulas as readable Unicode."""
    return markdown(formulas.unicode_text(text), **how)


def to_markdown(
    title: str,
    description: str,
    paper: Paper,
    *,
    pictures: SheetPictures,
    questions: bool = True,
    key: bool = True,
) -> str:
    """A worksheet in Markdown: the questions, the answer key, or both (the key after a rule).

    Markdown has no pages: the variant and seed are printed at the top and again at the key.
    Pictures are linked (pictures.link), each question's after it, each answer's in the key."""
    out = [f"# {_md(title)}" + ("" if questions else " · answer key"), ""]
    if description and questions:
        out += [_md(description, starts_line=True), ""]
    out += [f"*{paper.stamp}*", ""]
    if questions:
        out += ["Name: ______________________ Class: __________ Date: __________", ""]
        out += _markdown_questions(paper.questions, pictures)
    if key:
        if questions:
            out += ["---", "", "## Answer key", "", f"*{paper.stamp}*", ""]
        for question in paper.questions:
            answer = "; ".join(_md(a) for a in question.answer)
            line = f"{question.number}. **{answer}**"
            if question.explain:
                line += f" {_md(question.explain)}"
            if question.source:
                line += f" *Source: {_md(question.source)}*"
            if question.answer_image is not None:  # on a line of its own, in the same list item
                line += "  \n   " + _markdown_picture(pictures, question.card, question.answer_image)
            out.append(line)
    return "\n".join(out).rstrip("\n") + "\n"


def _markdown_picture(pictures: SheetPictures, card: str, picture: Picture) -> str:
    """![alt](link), or the alt text and a note when the file cannot be read."""
    link = pictures.link(card, picture)
    if link is None:
        return f"*\\[Picture: {_md(picture.words, one_line=True)}\\] ({_NOT_INCLUDED})*"
    return f"![{_md(picture.alt, one_line=True)}]({link})"


_NOT_INCLUDED = "not included: its file could not be read"


def _markdown_questions(questions: Sequence[SheetQuestion], pictures: SheetPictures) -> list[str]:
    out = ["## Questions", ""]
    for question in questions:
        prompt = _md(question.prompt)
        prompt = _fill_gaps(
            prompt,
            question.blanks,
            lambda n, hint: f"**({n})** ________" + (f" \\[{_md(hint)}\\]" if hint else ""),
        )
        how = f" *({_how(question)})*" if _how(question) else ""
        out += [f"**{question.number}.** {prompt}{how}", ""]
        if question.image is not None:
            out += [_markdown_picture(pictures, question.card, question.image), ""]
        if question.kind in (Kind.CHOICE, Kind.MULTI, Kind.ORDER):
            mark = "____" if question.kind is Kind.ORDER else "[ ]"  # a place to number, or to tick
            out += [
                f"- {mark} {choice_letter(i)}. {_md(option)}" for i, option in enumerate(question.options)
            ]
            out += [""]
        elif question.kind is Kind.TRUEFALSE:
            out += ["True ☐   False ☐", ""]
        elif question.kind in (Kind.BASIC, Kind.TYPED):
            out += ["_" * 60 + "  " for _ in range(question.lines)] + [""]
    return out


_CSS = """
@page { margin: 18mm 18mm 20mm;
        @bottom-center { content: var(--stamp); font: 9pt Georgia, serif; color: #555; } }
body { font-family: Georgia, "Times New Roman", serif; font-size: 12pt; line-height: 1.45;
       max-width: 46em; margin: 2em auto; padding: 0 1em; color: #000; background: #fff; }
@media print { body { margin: 0 auto; } }
h1 { font-size: 1.6em; margin-bottom: .2em; }
.about { color: #333; margin-top: 0; }
.who { margin: 1.5em 0; white-space: nowrap; }
.who span { display: inline-block; min-width: 12em; border-bottom: 1px solid #000; margin: 0 1.5em 0 .3em; }
.question { break-inside: avoid; page-break-inside: avoid; margin: 1.4em 0; }
.number { font-weight: bold; margin-right: .3em; }
.how { font-style: italic; color: #333; }
.write { border-bottom: 1px solid #555; height: 2.1em; }
.options { list-style: none; padding-left: 1.5em; margin: .5em 0; }
.options li { margin: .3em 0; }
.box { display: inline-block; width: .9em; height: .9em; border: 1px solid #000; margin-right: .5em;
       vertical-align: -0.1em; }
.slot { display: inline-block; width: 2.2em; border-bottom: 1px solid #000; margin-right: .5em; }
.gap { display: inline-block; min-width: 7em; border-bottom: 1px solid #000; }
.hint { color: #444; font-size: .9em; }
.key.after { break-before: page; page-break-before: always; }
.key ol { padding-left: 2em; }
.key li { margin: .4em 0; break-inside: avoid; }
.explain { color: #222; }
.source { color: #555; font-style: italic; font-size: .9em; }
.variant { color: #555; font-size: .9em; }
.picture { margin: .6em 0; break-inside: avoid; page-break-inside: avoid; }
.picture img { display: block; max-width: 100%; max-height: 9cm; width: auto; height: auto; }
.key .picture img { max-height: 6cm; }
.missing { font-style: italic; color: #333; border: 1px dashed #777; padding: .3em .5em; }
math { font-size: 1.1em; }
"""


def _escape(text: str) -> str:
    return html.escape(text, quote=True).replace("\n", "<br>")


def _h(text: str) -> str:
    """Deck text for HTML: escaped, its formulas as MathML (io.formulas keeps that safe too)."""
    return formulas.html_text(clean(text), _escape)


def _alt(text: str) -> str:
    """Alt text for an attribute: escaped, one line, its formulas as readable Unicode."""
    return html.escape(formulas.unicode_text(clean(text)).replace("\n", " "), quote=True)


def _html_picture(pictures: SheetPictures, card: str, picture: Picture) -> str:
    """The picture embedded (a data: URI: the page stays one file), or its alt text and a note."""
    uri = pictures.data_uri(card, picture)
    if uri is None:
        return (
            f'<p class="picture missing">[Picture: {_h(picture.words)}] '
            f'<span class="note">({_NOT_INCLUDED})</span></p>'
        )
    return f'<figure class="picture"><img src="{uri}" alt="{_alt(picture.alt)}"></figure>'


def to_html(
    title: str,
    description: str,
    paper: Paper,
    *,
    pictures: SheetPictures,
    questions: bool = True,
    key: bool = True,
) -> str:
    """A single self-contained page that prints cleanly: the questions, the answer key (on a new
    page after them), or both. The variant and seed are at the foot of every printed page.
    Pictures are embedded (pictures.data_uri), each question's with it, each answer's in the key."""
    heading = _h(title) + ("" if questions else " · answer key")
    # The stamp is made of a letter and a number only: safe in CSS as it is.
    stamp = f'"{paper.stamp} · page " counter(page)'
    out = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">",
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{heading} · {paper.stamp}</title>",
        f"<style>{_CSS.replace('var(--stamp)', stamp)}</style>",
        "</head>",
        "<body>",
    ]
    if questions:
        out.append(f"<h1>{heading}</h1>")
        if description:
            out.append(f'<p class="about">{_h(description)}</p>')
        out.append(f'<p class="variant">{paper.stamp}</p>')
        out.append('<p class="who">Name:<span></span> Class:<span></span> Date:<span></span></p>')
        out += _html_questions(paper.questions, pictures)
    if key:
        out += [f'<section class="key{" after" if questions else ""}">']
        out += ["<h2>Answer key</h2>" if questions else f"<h1>{heading}</h1>"]
        out += [f'<p class="variant">{paper.stamp}</p>', "<ol>"]
        for question in paper.questions:
            item = f'<li value="{question.number}"><b>{"; ".join(_h(a) for a in question.answer)}</b>'
            if question.explain:
                item += f' <span class="explain">{_h(question.explain)}</span>'
            if question.source:
                item += f' <span class="source">Source: {_h(question.source)}</span>'
            if question.answer_image is not None:
                item += _html_picture(pictures, question.card, question.answer_image)
            out.append(item + "</li>")
        out += ["</ol>", "</section>"]
    out += ["</body>", "</html>"]
    return "\n".join(out) + "\n"


def _html_questions(questions: Sequence[SheetQuestion], pictures: SheetPictures) -> list[str]:
    out = []
    for question in questions:
        prompt = _h(question.prompt)
        prompt = _fill_gaps(
            prompt,
            question.blanks,
            lambda n, hint: (
                f'<b>({n})</b> <span class="gap"></span>'
                + (f' <span class="hint">[{_h(hint)}]</span>' if hint else "")
            ),
        )
        how = f' <span class="how">({_how(question)})</span>' if _how(question) else ""
        out.append(
            f'<div class="question"><p><span class="number">{question.number}.</span>{prompt}{how}</p>'
        )
        if question.image is not None:
            out.append(_html_picture(pictures, question.card, question.image))
        if question.kind in (Kind.CHOICE, Kind.MULTI, Kind.ORDER):
            mark = "slot" if question.kind is Kind.ORDER else "box"  # a place to number, or to tick
            out.append('<ul class="options">')
            out += [
                f'<li><span class="{mark}"></span>{choice_letter(i)}. {_h(option)}</li>'
                for i, option in enumerate(question.options)
            ]
            out.append("</ul>")
        elif question.kind is Kind.TRUEFALSE:
            out.append(
                '<p class="options"><span class="box"></span>True &nbsp; <span class="box"></span>False</p>'
            )
        elif question.kind in (Kind.BASIC, Kind.TYPED):
            out += ['<div class="write"></div>'] * question.lines
        out.append("</div>")
    return out
