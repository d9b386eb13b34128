"""quizkit class --html: the class report as one page. The simulated class of test_classroom (200
students, three planted bad questions) is written as HTML; the page is parsed and every figure
it shows is checked against the --json of the same run; markup in the reports comes out as text;
a bad output path is refused before any work; and headless Chromium prints it and counts its bars."""

from __future__ import annotations

import json
import math
import os
import statistics
from html.parser import HTMLParser
from pathlib import Path

import pytest
from test_classroom import (
    DEAD_DISTRACTOR,
    KEYED_WRONG,
    OPTIONS,
    QUESTIONS,
    STUDENTS,
    TOO_EASY,
    simulate,
    write,
)
from typer.testing import CliRunner

from quizkit.cli import app

from tests_support import CHROMIUM
from tests_support import chromium as browser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Node:
    def __init__(self, tag: str, attrs: dict[str, str | None], parent: Node | None) -> None:
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list[Node | str] = []

    @property
    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def all(self, tag: str | None = None, cls: str | None = None) -> list[Node]:
        found = []
        for child in self.children:
            if isinstance(child, Node):
                if (tag is None or child.tag == tag) and (cls is None or cls in child.classes):
                    found.append(child)
                found += child.all(tag, cls)
        return found

    def one(self, tag: str | None = None, cls: str | None = None) -> Node:
        (found,) = self.all(tag, cls)
        return found

    def by_id(self, ident: str) -> Node:
        (found,) = [n for n in self.all() if n.attrs.get("id") == ident]
        return found


class Tree(HTMLParser):
    """The page as the HTML parser reads it: elements (SVG ones too) with their text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {}, None)
        self.at = self.root

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, dict(attrs), self.at)
        self.at.children.append(node)
        if tag not in VOID:
            self.at = node

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.at.children.append(Node(tag, dict(attrs), self.at))

    def handle_endtag(self, tag: str) -> None:
        node: Node | None = self.at
        while node is not None and node.tag != tag:
            node = node.parent
        assert node is not None and node.parent is not None, f"</{tag}> closes nothing"
        self.at = node.parent

    def handle_data(self, data: str) -> None:
        self.at.children.append(data)


def parse(text: str) -> Node:
    tree = Tree()
    tree.feed(text)
    tree.close()
    return tree.root


def pct(share: float) -> str:
    return f"{share:.0%}"


def signed(value: float | None) -> str:
    return "—" if value is None else f"{value:+.2f}"


def flat(text: str) -> str:
    return " ".join(text.split())


def exam_deck(folder: Path) -> Path:
    deck = folder / "exam.toml"
    cards = "".join(
        f'\n[[cards]]\nid = "q{n}"\nq = "Question {n}?"\nchoices = {json.dumps(list(OPTIONS))}\na = "alpha"\n'
        for n in range(1, QUESTIONS + 1)
    )
    deck.write_text('[deck]\nid = "taliban-pakistan-exam"\ntitle = "Exam"\n' + cards, encoding="utf-8")
    return deck


@pytest.fixture
def made(tmp_path: Path) -> tuple[dict, Node, str, Path]:
    """The simulated class, one report left out, with --deck: its JSON, its page parsed, the page's
    text, and the page's path."""
    reports, _ = simulate()
    folder = write(tmp_path / "reports", reports)
    (folder / "broken.json").write_text("{not json", encoding="utf-8")
    deck = exam_deck(tmp_path)
    page = tmp_path / "class.html"
    out = CliRunner().invoke(app, ["class", str(folder), "--deck", str(deck), "--json", "--html", str(page)])
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)  # stdout is the JSON alone
    assert f"class report written to {page}" in flat(out.stderr)
    alone = CliRunner().invoke(app, ["class", str(folder), "--deck", str(deck), "--json"])
    assert json.loads(alone.stdout) == data, "--html changes nothing in the JSON"
    text = page.read_text(encoding="utf-8")
    return data, parse(text), text, page


def test_the_planted_questions_are_to_rewrite_with_their_reasons(made: tuple[dict, Node, str, Path]) -> None:
    data, root, _, _ = made
    rewrite = root.by_id("rewrite")
    articles = rewrite.all("article", "flagged")
    assert [a.attrs["id"] for a in articles] == [
        f"flag-q{n + 1}" for n in sorted((KEYED_WRONG, TOO_EASY, DEAD_DISTRACTOR))
    ]
    for article in articles:
        number = int(str(article.attrs["id"]).removeprefix("flag-q"))
        row = data["per_question"][number - 1]
        assert [flat(li.text()) for li in article.all("li")] == row["flags"]
        head = flat(article.one("h3").text())
        assert head == f"Q{number} · card q{number} · {row['where']}"
        assert flat(article.one("p", "question-text").text()) == f"Question {number}?"
        assert article.one("span", "facility").text() == pct(row["facility"])
        assert article.one("span", "point-biserial").text() == signed(row["point_biserial"])
        assert article.one("span", "upper-lower").text() == signed(row["upper_lower"])
    keyed = flat(root.by_id(f"flag-q{KEYED_WRONG + 1}").text())
    assert "negative discrimination" in keyed and "check the key" in keyed


def test_every_figure_shown_matches_the_json(made: tuple[dict, Node, str, Path]) -> None:
    data, root, _, _ = made
    students, questions = data["per_student"], data["per_question"]
    scores = [s["score"] for s in students]
    mark = data["pass_mark"]
    assert mark == 0.6  # the exam's own
    # The summary.
    assert root.by_id("students").text() == str(STUDENTS) == str(data["students"])
    assert root.by_id("questions").text() == str(QUESTIONS)
    assert root.by_id("mean-score").text() == pct(statistics.fmean(scores))
    assert root.by_id("median-score").text() == pct(statistics.median(scores))
    through = sum(1 for s in scores if s >= mark)
    assert (
        flat(root.by_id("pass-rate").text())
        == f"{pct(through / STUDENTS)}{through} of {STUDENTS} at 60% or more"
    )
    assert root.by_id("alpha").text() == f"{data['alpha']:.2f}"
    assert flat(root.by_id("alpha-words").text()).startswith(
        f"Cronbach's alpha {data['alpha']:.2f}: excellent"
    )
    # Every question's row of the charts, in order, flagged exactly where the JSON flags.
    rows = root.by_id("every-question").all("g", "q-row")
    assert [int(str(r.attrs["data-number"])) for r in rows] == list(range(1, QUESTIONS + 1))
    for row, q in zip(rows, questions, strict=True):
        assert row.one("text", "facility").text() == pct(q["facility"])
        assert row.one("text", "discrimination").text() == signed(q["point_biserial"])
        assert row.one("text", "upper-lower").text() == signed(q["upper_lower"])
        assert ("flagged" in row.classes) == bool(q["flags"])
        bar = row.one("rect", "facility")
        assert float(str(bar.attrs["width"])) == pytest.approx(200 * q["facility"], abs=0.01)
    assert len(root.all("svg", "questions-chart")) == math.ceil(QUESTIONS / 25)
    # The score distribution: each tenth's count, recounted here.
    counts = [0] * 10
    for score in scores:
        counts[min(9, math.floor(score * 10 + 1e-9))] += 1
    assert [int(b.one("text", "count").text()) for b in root.all("g", "bin")] == counts
    assert sum(counts) == STUDENTS
    assert flat(root.one("text", "pass-label").text()) == "pass mark 60%"
    # Topics, weakest first, as in the JSON.
    topics = root.all("tr", "topic")
    assert [t.one("td", "tag").text() for t in topics] == [t["tag"] for t in data["per_tag"]]
    for row, tag in zip(topics, data["per_tag"], strict=True):
        assert row.one("td", "mastery").text() == pct(tag["mastery"])
        assert row.one("td", "questions").text() == str(tag["questions"])
        assert ("below" in row.classes) == (tag["mastery"] < mark)
    # Who needs help: every student once, those below the pass mark first, weakest first.
    people = root.all("tr", "student")
    ranked = sorted(students, key=lambda s: (s["score"], s["name"]))
    assert [p.one("td", "name").text() for p in people] == [s["name"] for s in ranked]
    for row, s in zip(people, ranked, strict=True):
        assert row.one("td", "score").text() == pct(s["score"])
        assert row.one("td", "result").text() == ("passed" if s["score"] >= mark else "below")
        assert row.one("td", "weak").text() == (", ".join(s["weak_tags"]) or "—")
    assert flat(root.by_id("below-count").text()).startswith(f"{STUDENTS - through} of {STUDENTS} students")
    # Each choice question's options: picks overall, by the top and the bottom group.
    blocks = root.all("div", "options-block")
    assert len(blocks) == QUESTIONS
    for block, q in zip(blocks, questions, strict=True):
        options = block.all("tr", "option")
        assert [o.one("td", "option-name").text() for o in options] == [o["option"] for o in q["options"]]
        for row, o in zip(options, q["options"], strict=True):
            assert row.one("td", "picked").text() == f"{o['picked']} ({pct(o['picked'] / STUDENTS)})"
            assert row.one("td", "top").text() == str(o["top"])
            assert row.one("td", "bottom").text() == str(o["bottom"])
            assert ("right" in row.classes) == o["right"]
    # The report left out, with its reason.
    (left,) = root.by_id("left-out").all("li")
    (reason,) = data["left_out"]
    assert flat(left.text()) == f"{reason['file']}: {reason['reason']}"
    assert "broken.json: is not JSON" in flat(left.text())


def test_the_page_is_self_contained(made: tuple[dict, Node, str, Path]) -> None:
    _, root, text, _ = made
    (policy,) = [m for m in root.all("meta") if m.attrs.get("http-equiv") == "Content-Security-Policy"]
    assert str(policy.attrs["content"]).startswith("default-src 'none'")
    assert not root.all("script") and not root.all("link") and not root.all("img")
    assert "http://" not in text.replace('xmlns="http://www.w3.org/2000/svg"', "") and "https://" not in text
    assert "@page" in text and "break-inside: avoid" in text
    for svg in root.all("svg", "chart"):  # every chart names itself and gives its numbers as text
        assert svg.attrs.get("role") == "img" and svg.attrs.get("aria-labelledby")
        named = {str(n.attrs.get("id")): n for n in svg.all() if n.tag in ("title", "desc")}
        for ident in str(svg.attrs["aria-labelledby"]).split():
            assert named[ident].text().strip()


HOSTILE = '<script>alert(1)</script><img src=x onerror="alert(2)"> & $x^2$'
NAME = "</td><script>alert(3)</script><b onmouseover=alert(4)>Eve</b>"
TAG = '"><svg onload=alert(5)>'


def test_markup_in_the_reports_comes_out_as_text(tmp_path: Path) -> None:
    reports, _ = simulate(students=30)
    for r in reports:
        r["items"][0]["question"] = HOSTILE
        r["items"][0]["tags"] = [TAG]
        r["items"][1]["choices"] = ["<i>alpha</i>", "bravo", "charlie", "delta"]
        r["items"][1]["right_answer"] = "<i>alpha</i>"
        if r["items"][1]["answer_given"] == "alpha":
            r["items"][1]["answer_given"] = "<i>alpha</i>"
    reports[0]["student"] = NAME
    folder = write(tmp_path / "reports", reports)
    (folder / "<script>x<script>.json").write_text("[]", encoding="utf-8")
    page = tmp_path / "class.htm"
    out = CliRunner().invoke(app, ["class", str(folder), "--html", str(page)])
    assert out.exit_code == 0, out.output
    text = page.read_text(encoding="utf-8")
    root = parse(text)
    assert not root.all("script") and not root.all("img") and not root.all("i")
    scripted = [n.tag for n in root.all() if any(a.startswith("on") for a in n.attrs)]
    assert scripted == []
    tags_seen = {n.tag for n in root.all()}
    assert tags_seen <= {
        *"html head meta title style body section h1 h2 h3 p dl div dt dd small b a code article ul li span".split(),
        *"svg desc defs pattern rect line g text polygon table thead tbody tr th td footer math mi mn msup".split(),
        "mrow",
    }, tags_seen
    # Shown as written, wherever it appears (the question's text, the option table, the name, the tag).
    shown = flat(root.one("body").text())
    assert '<script>alert(1)</script><img src=x onerror="alert(2)"> &' in shown
    assert NAME in shown and TAG in shown and "<i>alpha</i>" in shown
    assert "<script>x<script>.json: is not an exam report" in shown
    (first,) = [p for p in root.all("tr", "student") if p.one("td", "name").text() == NAME]
    assert first.one("td", "file").text() == "student-000.json"
    # The chart's SVG text and titles escape too: the row's title names the card as written.
    (topic,) = [t for t in root.all("tr", "topic") if t.one("td", "tag").text() == TAG]
    assert TAG in topic.one("title").text()


def test_a_bad_output_path_is_refused_before_any_work(tmp_path: Path) -> None:
    reports, _ = simulate(students=10)
    folder = write(tmp_path / "reports", reports)
    (tmp_path / "folder.html").mkdir()
    cases = {
        str(tmp_path / "class.pdf"): "must end in .html or .htm",
        str(tmp_path / "missing" / "class.html"): "is not a folder; create it first",
        str(tmp_path / "folder.html"): "is not a regular file",
        str(tmp_path / ("x" * 300 + ".html")): "cannot be written: File name too long",
    }
    for target, said in cases.items():
        out = CliRunner().invoke(app, ["class", str(folder), "--html", target])
        assert out.exit_code == 2, (target, out.output)
        assert said in flat(out.output), out.output
        assert "Traceback" not in out.output
        assert out.exception is None or isinstance(out.exception, SystemExit)
        assert "students" not in out.stdout, "refused before the reports were read"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder.html", "reports"]


def test_a_disk_that_refuses_the_write_is_a_message_and_the_old_page_stays(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reports, _ = simulate(students=10)
    folder = write(tmp_path / "reports", reports)
    page = tmp_path / "class.html"
    page.write_text("the old page", encoding="utf-8")

    def full(source: object, target: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full)
    out = CliRunner().invoke(app, ["class", str(folder), "--html", str(page)])
    assert out.exit_code == 1, out.output
    assert f"{page}: error: cannot be written: No space left on device" in flat(out.output)
    assert "Traceback" not in out.output
    assert page.read_text(encoding="utf-8") == "the old page"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["class.html", "reports"]  # no temporary left


def test_the_screen_is_still_printed_then_where_the_page_went(tmp_path: Path) -> None:
    reports, _ = simulate(students=10)
    folder = write(tmp_path / "reports", reports)
    page = tmp_path / "class.html"
    out = CliRunner().invoke(app, ["class", str(folder), "--html", str(page)], env={"COLUMNS": "100"})
    assert out.exit_code == 0, out.output
    screen = flat(out.stdout)
    assert "10 students" in screen and screen.endswith(f"class report written to {page}")
    assert page.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


# ---------------------------------------------------------------- in headless Chromium


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="needs Chromium (apt-get install chromium; .ci/run installs it)")
def test_chromium_prints_it_and_draws_every_bar(made: tuple[dict, Node, str, Path], tmp_path: Path) -> None:
    from pypdf import PdfReader

    data, _, _, page = made
    pdf, png = tmp_path / "class.pdf", tmp_path / "class.png"
    browser(tmp_path, page, "--no-pdf-header-footer", f"--print-to-pdf={pdf}")
    browser(tmp_path, page, "--window-size=900,2400", "--hide-scrollbars", f"--screenshot={png}")
    pages = [flat(p.extract_text()) for p in PdfReader(pdf).pages]
    # 200 students and 40 option tables: a summary page, the charts, the lists; not one page per row.
    assert 8 <= len(pages) <= 30, len(pages)
    for number, text in enumerate(pages, start=1):
        assert f"quizkit class report · page {number}" in text
    # Each chart of 25 questions is kept on one page.
    for first, last in ((1, 25), (26, 40)):
        (where,) = [
            n for n, text in enumerate(pages) if f"Q{first} " in text and "facility discrimination" in text
        ]
        assert f"Q{last} " in pages[where]
    assert png.read_bytes().startswith(b"\x89PNG") and png.stat().st_size > 20_000
    # The DOM Chromium built: the SVG charts whole, one bar per question, tenth and topic.
    dom = parse(browser(tmp_path, page, "--dump-dom"))
    assert len(dom.all("svg", "questions-chart")) == 2
    assert len(dom.all("rect", "facility")) == QUESTIONS
    assert len(dom.all("polygon", "discrimination-mark")) == sum(
        1 for q in data["per_question"] if q["point_biserial"] is not None
    )
    assert len(dom.all("rect", "score")) == 10
    assert len(dom.all("rect", "mastery")) == len(data["per_tag"])
    assert len(dom.all("g", "flagged")) == 3
    assert not dom.all("script")
