"""Printable worksheets: a deck as numbered questions with space to answer and an answer key on
a new page, in Markdown or as one self-contained HTML file (all deck text escaped)."""

from __future__ import annotations

import html
import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from quizkit.core.choices import choice_letter, shuffle_items
from quizkit.core.text import clean, markdown
from quizkit.io import deck_format
from quizkit.io.imported import Table
from quizkit.model import Kind


@dataclass(frozen=True)
class SheetQuestion:
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


_GAP = "\ue000"
"""Marks a cloze gap in a prompt until it is printed: a private-use character, taken out of deck text."""


def worksheet(tables: Sequence[tuple[Kind, Table]], shuffle: bool, seed: int) -> list[SheetQuestion]:
    """The questions of a worksheet: in deck order, or shuffled with the seed (a variant).

    Choices and order items are always printed shuffled (the seed and the card id decide
    how), so that the deck's own order cannot give an answer away.
    """
    order = list(tables)
    if shuffle:
        random.Random(seed).shuffle(order)
    return [_question(number, kind, table, seed) for number, (kind, table) in enumerate(order, start=1)]


def _question(number: int, kind: Kind, table: Table, seed: int) -> SheetQuestion:
    rng = random.Random(f"{seed}:{table['id']}")
    explain, source = str(table.get("explain", "")), str(table.get("source", ""))
    q = str(table.get("q", ""))
    options: tuple[str, ...] = ()
    blanks: tuple[str, ...] = ()
    lines = 1
    if kind in (Kind.BASIC, Kind.TYPED):
        answer = str(table["a"])
        also = list(table.get("accept", []))
        key: tuple[str, ...] = (answer, *(["also accepted: " + "; ".join(also)] if also else []))
        lines = max(1, min(4, len(answer) // 45 + 1))
    elif kind in (Kind.CHOICE, Kind.MULTI):
        options = tuple(shuffle_items(list(table["choices"]), rng))
        right = table["a"] if isinstance(table["a"], list) else [table["a"]]
        key = tuple(f"{choice_letter(options.index(r))}. {r}" for r in options if r in right)
    elif kind is Kind.TRUEFALSE:
        key = ("True" if table["a"] else "False",)
    elif kind is Kind.ORDER:
        items = list(table["order"])
        options = tuple(shuffle_items(items, rng))
        key = (" → ".join(f"{choice_letter(options.index(item))} {item}" for item in items),)
    else:
        prompt, blanks, answers = _gaps(str(table["cloze"]))
        key = tuple(f"({n}) {a}" for n, a in enumerate(answers, start=1))
        q = f"{q}\n{prompt}" if q else prompt
    return SheetQuestion(number, kind, q, options, blanks, key, explain, source, lines)


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


def to_markdown(title: str, description: str, questions: Sequence[SheetQuestion], variant: int | None) -> str:
    out = [f"# {markdown(title)}", ""]
    if description:
        out += [markdown(description, starts_line=True), ""]
    out += ["Name: ______________________ Class: __________ Date: __________", ""]
    if variant is not None:
        out += [f"*Variant {variant}*", ""]
    out += ["## Questions", ""]
    for question in questions:
        prompt = markdown(question.prompt)
        prompt = _fill_gaps(
            prompt,
            question.blanks,
            lambda n, hint: f"**({n})** ________" + (f" \\[{markdown(hint)}\\]" if hint else ""),
        )
        how = f" *({_how(question)})*" if _how(question) else ""
        out += [f"**{question.number}.** {prompt}{how}", ""]
        if question.kind in (Kind.CHOICE, Kind.MULTI, Kind.ORDER):
            mark = "____" if question.kind is Kind.ORDER else "[ ]"  # a place to number, or to tick
            out += [
                f"- {mark} {choice_letter(i)}. {markdown(option)}"
                for i, option in enumerate(question.options)
            ]
            out += [""]
        elif question.kind is Kind.TRUEFALSE:
            out += ["True ☐   False ☐", ""]
        elif question.kind in (Kind.BASIC, Kind.TYPED):
            out += ["_" * 60 + "  " for _ in range(question.lines)] + [""]
    out += ["---", "", "## Answer key", ""]
    for question in questions:
        answer = "; ".join(markdown(a) for a in question.answer)
        line = f"{question.number}. **{answer}**"
        if question.explain:
            line += f" {markdown(question.explain)}"
        if question.source:
            line += f" *Source: {markdown(question.source)}*"
        out.append(line)
    return "\n".join(out) + "\n"


_CSS = """
@page { margin: 18mm; }
body { font-family: Georgia, "Times New Roman", serif; font-size: 12pt; line-height: 1.45;
       max-width: 46em; margin: 2em auto; padding: 0 1em; color: #000; background: #fff; }
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
.key { break-before: page; page-break-before: always; }
.key ol { padding-left: 2em; }
.key li { margin: .4em 0; break-inside: avoid; }
.explain { color: #222; }
.source { color: #555; font-style: italic; font-size: .9em; }
.variant { color: #555; font-size: .9em; }
"""


def _h(text: str) -> str:
    return html.escape(clean(text), quote=True).replace("\n", "<br>")


def to_html(title: str, description: str, questions: Sequence[SheetQuestion], variant: int | None) -> str:
    """A single self-contained page that prints cleanly: questions, then the answer key on a new page."""
    out = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_h(title)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        f"<h1>{_h(title)}</h1>",
    ]
    if description:
        out.append(f'<p class="about">{_h(description)}</p>')
    if variant is not None:
        out.append(f'<p class="variant">Variant {variant}</p>')
    out.append('<p class="who">Name:<span></span> Class:<span></span> Date:<span></span></p>')
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
    out += ['<section class="key">', "<h2>Answer key</h2>", "<ol>"]
    for question in questions:
        item = f'<li value="{question.number}"><b>{"; ".join(_h(a) for a in question.answer)}</b>'
        if question.explain:
            item += f' <span class="explain">{_h(question.explain)}</span>'
        if question.source:
            item += f' <span class="source">Source: {_h(question.source)}</span>'
        out.append(item + "</li>")
    out += ["</ol>", "</section>", "</body>", "</html>"]
    return "\n".join(out) + "\n"
