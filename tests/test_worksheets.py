"""Worksheets for a class: variants A, B, C... drawn as a quiz is, each with its own key; formulas
as MathML (HTML) and Unicode (Markdown, the screen); and the printed pages, in headless Chromium."""

from __future__ import annotations

import io
import random
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console
from typer.testing import CliRunner

from quizkit.cli import app
from quizkit.core.exam import draw_questions
from quizkit.io import deck_files
from quizkit.model import Card, Kind
from quizkit.ui import render, words

from conftest import BUNDLED
from tests_support import CHROMIUM, chromium

EXAMPLE = BUNDLED / "example-all-kinds.toml"
TALIBAN = BUNDLED / "taliban-pakistan.toml"

FORMULAS = r"""[deck]
title = "Formulas"

[[cards]]
id = "roots"
q = "Solve \\(x^2 - 5x + 6 = 0\\)."
choices = ["\\(x = 2\\) or \\(x = 3\\)", "\\(x = -2\\) or \\(x = -3\\)", "\\(x = 1\\)"]
a = "\\(x = 2\\) or \\(x = 3\\)"

[[cards]]
id = "gauss"
q = "What is $\\int_0^\\infty e^{-x^2}\\,dx$? It costs $5 and $10 to ask."
a = "$\\frac{\\sqrt{\\pi}}{2}$"
type = "typed"

[[cards]]
id = "hostile"
q = "Is \\(<script>alert(1)</script>\\) a formula, and $\\href{javascript:alert(2)}{x}$?"
a = "\\(\\text{<img src=x onerror=alert(3)>}\\) and \\(\\frac{1}{\\) and \\(\\nosuchcommand{y}\\)"
type = "typed"
"""


def export(runner: CliRunner, deck: Path, out: Path, *args: str) -> str:
    result = runner.invoke(app, ["export", str(deck), "-o", str(out), *args])
    assert result.exit_code == 0, result.output
    return result.output


@dataclass
class Printed:
    """A worksheet as a reader sees it: its questions with their options, and its key."""

    questions: dict[int, tuple[str, list[str]]] = field(default_factory=dict)
    key: dict[int, str] = field(default_factory=dict)
    stamps: list[str] = field(default_factory=list)
    tags: set[str] = field(default_factory=set)
    attributes: set[str] = field(default_factory=set)


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.printed = Printed()
        self.stack: list[str] = []  # the class of each open element
        self.number = 0
        self.prompt: list[str] = []
        self.option: list[str] | None = None
        self.key_item: int | None = None
        self.text: list[str] = []
        self.bold = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.printed.tags.add(tag)
        self.printed.attributes |= {name for name, _ in attrs}
        classes = dict(attrs).get("class") or ""
        self.bold = self.bold or tag == "b"
        if tag not in ("br", "meta"):
            self.stack.append(classes)
        if tag == "li" and "key" in " ".join(self.stack):
            self.key_item, self.text = int(dict(attrs)["value"] or 0), []
        elif tag == "li":
            self.option = []
        elif tag == "div" and classes == "question":
            self.number, self.prompt = 0, []

    def handle_endtag(self, tag: str) -> None:
        self.bold = self.bold and tag != "b"
        if tag == "li" and self.key_item is not None:
            self.printed.key[self.key_item] = "".join(self.text).strip()
            self.key_item = None
        elif tag == "li" and self.option is not None:
            self.printed.questions[self.number][1].append("".join(self.option).strip())
            self.option = None
        elif tag == "p" and self.number and self.option is None and self.number not in self.printed.questions:
            self.printed.questions[self.number] = ("".join(self.prompt).strip(), [])
        if tag not in ("br", "meta") and self.stack:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        where = self.stack[-1] if self.stack else ""
        if where == "variant":
            self.printed.stamps.append(data)
        elif where == "number":
            self.number = int(data.rstrip("."))
        elif self.key_item is not None:
            if self.bold:  # the answer, without its explanation
                self.text.append(data)
        elif self.option is not None:
            self.option.append(data)
        elif self.number and where not in ("how",):
            self.prompt.append(data)


def read_html(path: Path) -> Printed:
    reader = _Reader()
    reader.feed(path.read_text(encoding="utf-8"))
    return reader.printed


def cards_by_prompt(deck: Path) -> dict[str, Card]:
    return {card.prompt: card for card in deck_files.load_deck(deck).cards}


def test_each_variant_key_matches_its_own_paper(runner: CliRunner, tmp_path: Path) -> None:
    output = export(
        runner, EXAMPLE, tmp_path / "exam.html", "--variants", "3", "--key", "separate", "--seed", "5"
    )
    names = [
        "exam-A.html",
        "exam-A-key.html",
        "exam-B.html",
        "exam-B-key.html",
        "exam-C.html",
        "exam-C-key.html",
    ]
    assert sorted(p.name for p in tmp_path.glob("exam*")) == sorted(names)
    assert all(name in output for name in names)
    cards = cards_by_prompt(EXAMPLE)
    orders, checked = [], 0
    for letter in "ABC":
        paper, key = (
            read_html(tmp_path / f"exam-{letter}.html"),
            read_html(tmp_path / f"exam-{letter}-key.html"),
        )
        assert not paper.key and not key.questions, "the key is in its own file"
        assert set(paper.stamps) == set(key.stamps) == {f"Variant {letter} · seed 5"}
        assert sorted(paper.questions) == sorted(key.key) == list(range(1, 11))
        orders.append([paper.questions[n][0] for n in sorted(paper.questions)])
        for number, (prompt, options) in paper.questions.items():
            answer = key.key[number]
            card = cards.get(prompt)
            if card is None:  # a cloze note, printed with all its gaps
                assert "(1)" in prompt and answer.startswith("(1) ")
                continue
            checked += 1
            if card.kind in (Kind.CHOICE, Kind.MULTI):
                chosen = [part.split(". ", 1) for part in answer.split("; ")]
                assert all(options[ord(letter_) - 65] == f"{letter_}. {text}" for letter_, text in chosen)
                assert {text for _, text in chosen} == set(card.accept)
            elif card.kind is Kind.ORDER:
                steps = [step.split(" ", 1) for step in answer.split(" → ")]
                assert all(options[ord(letter_) - 65] == f"{letter_}. {item}" for letter_, item in steps)
                assert tuple(item for _, item in steps) == card.accept
            elif card.kind in (Kind.BASIC, Kind.TYPED):
                assert answer.startswith(card.answer)
    assert checked == 3 * 9, "every question but the cloze one is checked against its card"
    assert len({tuple(order) for order in orders}) == 3, "each variant has its own order"


def test_the_same_seed_gives_the_same_papers(runner: CliRunner, tmp_path: Path) -> None:
    def papers(folder: str, seed: str) -> list[str]:
        (tmp_path / folder).mkdir()
        export(runner, TALIBAN, tmp_path / folder / "t.md", "-n", "6", "--variants", "2", "--seed", seed)
        return [(tmp_path / folder / f"t-{v}.md").read_text(encoding="utf-8") for v in "AB"]

    first, again, other = papers("one", "11"), papers("two", "11"), papers("three", "12")
    assert first == again and first != other and first[0] != first[1]
    for letter, text in zip("AB", first, strict=True):
        paper, key = text.split("## Answer key")
        assert f"*Variant {letter} · seed 11*" in paper and f"*Variant {letter} · seed 11*" in key
        assert re.findall(r"(?m)^\*\*(\d+)\.\*\*", paper) == [str(n) for n in range(1, 7)]


def test_count_and_kinds_draw_what_quiz_draws(runner: CliRunner, tmp_path: Path) -> None:
    export(
        runner, TALIBAN, tmp_path / "q.html", "-n", "4", "--kinds", "choice,multi", "--seed", "3", "--shuffle"
    )
    printed = read_html(tmp_path / "q.html")
    deck = deck_files.load_deck(TALIBAN)
    drawn = draw_questions(deck, 4, random.Random(3), kinds=[Kind.CHOICE, Kind.MULTI])
    assert sorted(prompt for prompt, _ in printed.questions.values()) == sorted(q.card.prompt for q in drawn)
    assert all(options for _, options in printed.questions.values())


def test_key_end_starts_a_page_and_key_none_leaves_it_out(runner: CliRunner, tmp_path: Path) -> None:
    export(runner, EXAMPLE, tmp_path / "end.html", "--key", "end")
    page = (tmp_path / "end.html").read_text(encoding="utf-8")
    assert '<section class="key after">' in page and ".key.after { break-before: page;" in page
    export(runner, EXAMPLE, tmp_path / "none.md", "--key", "none")
    text = (tmp_path / "none.md").read_text(encoding="utf-8")
    assert "Answer key" not in text and "Canberra" not in text and "*Variant A · seed 0*" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--to", "csv", "-n", "3"], "--count: only for worksheets"),
        (["--to", "html", "--key", "later"], "--key later: use separate, end or none"),
        (["--to", "html", "--variants", "27"], "--variants 27: give 1 to 26"),
        (["--to", "md", "--kinds", "essay"], "--kinds: use basic"),
        (["--to", "md", "--kinds", "truefalse", "--tag", "nosuchtag"], "no cards in"),
    ],
)
def test_worksheet_options_are_checked(
    runner: CliRunner, tmp_path: Path, args: list[str], message: str
) -> None:
    result = runner.invoke(app, ["export", str(EXAMPLE), "-o", str(tmp_path / "x.out"), *args])
    assert result.exit_code == 2 and message in result.output, result.output
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------- formulas


@pytest.fixture
def formulas_deck(tmp_path: Path) -> Path:
    path = tmp_path / "formulas.toml"
    path.write_text(FORMULAS, encoding="utf-8")
    return path


def test_formulas_become_mathml_and_deck_text_cannot_inject_html(
    runner: CliRunner, formulas_deck: Path, tmp_path: Path
) -> None:
    export(runner, formulas_deck, tmp_path / "f.html", "--seed", "1")
    page = (tmp_path / "f.html").read_text(encoding="utf-8")
    assert "<msup><mi>x</mi><mn>2</mn></msup>" in page and "<mfrac>" in page and "<msqrt>" in page
    assert "$5 and $10" in page, "dollars in prose are not a formula"
    printed = read_html(tmp_path / "f.html")
    allowed = {"html", "head", "meta", "title", "style", "body", "h1", "h2", "p", "span", "div", "ul", "li"}
    allowed |= {"ol", "b", "br", "section", "math", "mrow", "mi", "mn", "mo", "msup", "msub", "msubsup"}
    allowed |= {"mfrac", "msqrt", "mspace", "mtext"}
    assert printed.tags <= allowed, printed.tags - allowed
    assert printed.attributes <= {"lang", "charset", "http-equiv", "content", "name", "class", "value"} | {
        "display",
        "width",
        "stretchy",
    }
    assert "<script" not in page and "<img" not in page and not re.search(r"<[^>]*\b(href|src|on\w+)=", page)
    # What cannot be converted is shown as written, escaped.
    assert r"\(\text{&lt;img src=x onerror=alert(3)&gt;}\)" in page
    assert r"\(\frac{1}{\)" in page and r"\(\nosuchcommand{y}\)" in page


def test_formulas_are_unicode_in_markdown_and_on_the_screen(
    runner: CliRunner, formulas_deck: Path, tmp_path: Path
) -> None:
    export(runner, formulas_deck, tmp_path / "f.md", "--seed", "1")
    text = (tmp_path / "f.md").read_text(encoding="utf-8")
    assert "Solve x² − 5x + 6 = 0." in text or "Solve x² - 5x + 6 = 0." in text
    assert "√(π)/2" in text and "$5 and $10" in text
    assert "<script>" not in text and "\\<script\\>" in text
    assert words.formulas(r"area \(\pi r^2\), \(\alpha \leq \beta\)") == "area πr², α≤β"
    assert words.formulas(r"$\href{javascript:x}{y}$") == r"$\href{javascript:x}{y}$"
    card = Card("c", Kind.TYPED, r"What is \(\sqrt{x^2}\)? [bold]not markup[/bold]", "x")
    console = Console(width=60, color_system=None, record=True, file=io.StringIO())
    console.print(render.card_panel(card, []))
    assert "What is √(x²)? [bold]not markup[/bold]" in console.export_text()


# ---------------------------------------------------------------- printed, in headless Chromium


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="needs Chromium (apt-get install chromium; .ci/run installs it)")
def test_printed_pages_in_chromium(runner: CliRunner, formulas_deck: Path, tmp_path: Path) -> None:
    from pypdf import PdfReader

    export(runner, formulas_deck, tmp_path / "exam.html", "--seed", "4", "--variants", "2")
    page = tmp_path / "exam-B.html"
    pdf, png = tmp_path / "exam-B.pdf", tmp_path / "exam-B.png"
    chromium(tmp_path, page, "--no-pdf-header-footer", f"--print-to-pdf={pdf}")
    chromium(tmp_path, page, "--window-size=800,900", "--hide-scrollbars", f"--screenshot={png}")
    pages = [p.extract_text() for p in PdfReader(pdf).pages]
    assert len(pages) == 2, pages
    questions, key = pages
    for number, text in enumerate(pages, start=1):
        assert f"Variant B · seed 4 · page {number}" in text, "the stamp is on every page"
    assert "Answer key" not in questions and "Answer key" in key, "the key starts on a new page"
    assert "Solve" in questions and "Solve" not in key
    # The formulas were laid out by Chromium's MathML: the radical and the integral are glyphs,
    # and no LaTeX is left.
    assert "√" in key and "∫" in questions and "\\sqrt" not in key and "\\int" not in questions
    assert png.read_bytes().startswith(b"\x89PNG") and png.stat().st_size > 5000


def test_validate_warns_of_a_formula_that_cannot_be_converted(runner: CliRunner, formulas_deck: Path) -> None:
    result = runner.invoke(app, ["validate", str(formulas_deck)])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if "the formula" in line]
    assert lines == [
        f"{formulas_deck}:16: warning: card hostile: the formula {source} cannot be converted; it is"
        " shown as written — check its LaTeX: braces that close, commands that exist"
        for source in (r"\(\text{<img src=x onerror=alert(3)>}\)", r"\(\frac{1}{\)", r"\(\nosuchcommand{y}\)")
    ]


# Deck text as a hostile author might write it: delimiters, LaTeX commands and HTML mixed.
_PIECES = st.sampled_from(
    [r"\(", r"\)", "$", " ", "x", "^", "_", "{", "}", "<", ">", "&", '"', "'", "=", "/", "\\", "\n"]
    + [r"\href", r"\text", r"\frac", r"\sqrt", r"\mathrm", r"\style", r"\color", r"\class", r"\html"]
    + ["<script>", "</math>", "javascript:", "onload=", "<img src=x>", "&lt;", "&#60;", "]]>", "<!--"]
)


_BODY = st.lists(_PIECES.filter(lambda piece: piece not in (r"\(", r"\)", "$")), max_size=12).map("".join)
_FORMULA = st.one_of(_BODY.map(lambda body: rf"\({body}\)"), _BODY.map(lambda body: f"${body}$"))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_PIECES, _FORMULA), max_size=12).map("".join))
def test_no_deck_text_turns_into_html_other_than_mathml(text: str) -> None:
    import html

    from quizkit.io import formulas

    made = formulas.html_text(text, lambda prose: html.escape(prose).replace("\n", "<br>"))
    reader = _Reader()
    reader.feed(made)
    assert reader.printed.tags <= set(MATHML) | {"br"}, made
    assert reader.printed.attributes <= {"display", "mathvariant", "stretchy", "fence", "width"} | {
        "lspace",
        "rspace",
        "separator",
        "columnalign",
        "linethickness",
        "form",
        "accent",
        "movablelimits",
        "largeop",
        "symmetric",
        "displaystyle",
        "scriptlevel",
        "minsize",
        "maxsize",
        "notation",
        "rowspacing",
        "columnspacing",
        "columnlines",
        "rowlines",
        "frame",
        "accentunder",
        "mathsize",
        "mathcolor",
        "mathbackground",
        "height",
        "depth",
        "rowalign",
    }, made
    assert "javascript:" not in " ".join(re.findall(r"<[^>]*>", made)), made


def test_formula_parts_keep_every_character() -> None:
    from quizkit.core.text import formula_parts

    for text in [r"a \(x\) b $y$ c", "$5 and $10", r"\(unclosed", r"$x$$y$", "", r"\$ \(\frac{a}{b}\)\)"]:
        assert "".join(part.source or part.text for part in formula_parts(text)) == text


MATHML = (
    "math mrow mi mn mo ms mtext mspace mfrac msqrt mroot msub msup msubsup munder mover munderover "
    "mtable mtr mtd mstyle mpadded mphantom menclose merror semantics annotation mmultiscripts "
    "mprescripts none"
).split()


def test_one_variant_with_a_separate_key(runner: CliRunner, tmp_path: Path) -> None:
    output = export(runner, EXAMPLE, tmp_path / "sheet.md", "--key", "separate", "-n", "3", "--seed", "9")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sheet-key.md", "sheet.md"]
    paper, key = (
        (tmp_path / "sheet.md").read_text(encoding="utf-8"),
        (tmp_path / "sheet-key.md").read_text(encoding="utf-8"),
    )
    assert "Answer key" not in paper and "*Variant A · seed 9*" in paper
    assert key.startswith(
        "# Example: every kind of card (world geography) · answer key\n\n*Variant A · seed 9*\n\n1. **"
    )
    assert "Name: ___" not in key and len(re.findall(r"(?m)^\d\. \*\*", key)) == 3
    assert output.splitlines()[1:] == [f"  {tmp_path / 'sheet.md'}", f"  {tmp_path / 'sheet-key.md'}"]
