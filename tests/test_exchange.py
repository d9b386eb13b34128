"""Import from CSV, TSV and Anki's plain text; export to CSV and printable worksheets."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from quizkit.cli import app
from quizkit.core import ids
from quizkit.errors import DeckError
from quizkit.io import (
    anki_notes,
    deck_files,
    deck_parse,
    deck_write,
    delimited,
    html_text,
    imported,
    importing,
    worksheets,
)
from quizkit.model import Kind

from conftest import BUNDLED

DATA = Path(__file__).resolve().parent / "data"
EXAMPLE = BUNDLED / "example-all-kinds.toml"

TRICKY = """[deck]
title = "Tricky text"

[[cards]]
id = "quotes"
q = "What did he say: \\"yes, no\\"; or 'maybe'?"
a = "Both, with a comma, and a\\nsecond line"
reverse = true
tags = ["text"]
explain = "Cells with commas, quotes and newlines survive."
source = "Nowhere"

[[cards]]
id = "formula"
q = "=HYPERLINK(\\"http://x\\", \\"click\\")"
a = "-40"
accept = ["+40", "@home", "minus forty"]
exact = true

[[cards]]
id = "html-ish"
q = "Is <b>bold</b> & <script>x</script> text?"
choices = ["<yes>", "no & never"]
a = "<yes>"

[[cards]]
id = "multi-1"
q = "Pick"
choices = ["one", "two", "three"]
a = ["one", "three"]

[[cards]]
id = "tf"
q = "Statement"
a = true

[[cards]]
id = "cl"
q = "Fill it in"
cloze = "A {{b::hint}} c {{d}}."

[[cards]]
id = "ord"
q = "Order"
order = ["first", "second", "third"]
"""


def tables_of(path: Path) -> list[tuple[Kind, dict[str, object]]]:
    return deck_write.load_tables(path)[2]


def import_cli(runner: CliRunner, source: Path, out: Path, *extra: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, ["import", str(source), "-o", str(out), *extra])


# ---------------------------------------------------------------- text conversions


@pytest.mark.parametrize(
    ("markup", "text", "media"),
    [
        ("Capital of <b>France</b>?", "Capital of France?", []),
        ("Paris&nbsp;(since 508) &amp; more", "Paris (since 508) & more", []),
        ("one<br>two<div>three</div><div>four</div>", "one\ntwo\nthree\nfour", []),
        ("line\nin source", "line in source", []),
        ('Which flag? <img src="flag.png">', "Which flag?", ["flag.png"]),
        ("Say it [sound:hello.mp3]", "Say it", ["hello.mp3"]),
        ("<style>.x{}</style><script>alert(1)</script>kept", "kept", []),
        ('Q<ol type="A"><li>x</li><li>y</li></ol>', "Q\nA. x\nB. y", []),
        ("<ul><li>a</li><li>b</li></ul><ol><li>c</li></ol>", "- a\n- b\n1. c", []),
        ("a<br><br><br><br>b", "a\n\nb", []),
        ("{{c1::<i>Nile</i>}}", "{{c1::Nile}}", []),
    ],
)
def test_html_to_text(markup: str, text: str, media: list[str]) -> None:
    assert html_text.html_to_text(markup) == (text, media)


TABLES = "tables (kept as cells separated by ' | ', a row a line)"


@pytest.mark.parametrize(
    ("markup", "text", "lost"),
    [
        ("<table><tr><td>x</td><td>y</td></tr></table>", "x | y", [TABLES]),  # was "xy" (issue 17)
        (
            "<table><tr><th>year</th><th>event</th></tr><tr><td>1793</td><td>Terror</td></tr></table>after",
            "year | event\n1793 | Terror\nafter",
            [TABLES],
        ),
        ("a <b>bold</b> and <i>italic</i> word", "a bold and italic word", ["bold", "italics"]),
        ('<font color="#ff0000">red</font> <span style="color: blue">blue</span>', "red blue", ["colour"]),
        ('<span style="font-weight: 700">heavy</span>', "heavy", ["fonts and styles"]),
        ("plain <br> text", "plain\ntext", []),
    ],
)
def test_formatting_is_kept_as_text_and_its_loss_named(markup: str, text: str, lost: list[str]) -> None:
    assert html_text.html_to_text_noting(markup) == (text, [], lost)


def test_cloze_numbering_both_ways() -> None:
    assert anki_notes.cloze_from_anki("{{c1::Kabul}} in {{c2::1996::year}}") == (
        "{{Kabul}} in {{1996::year}}",
        False,
    )
    assert anki_notes.cloze_from_anki("{{c2::a}} {{c1::b}} {{c1::c}}") == ("{{a}} {{b}} {{c}}", True)
    assert anki_notes.cloze_to_anki("{{Kabul}} & {{1996::year}}") == "{{c1::Kabul}} &amp; {{c2::1996::year}}"


@pytest.mark.parametrize(
    ("tag", "clean"),
    [
        ("dates", "dates"),
        ("europe::france", "europe.france"),
        ("géographie", "géographie"),
        ("a b/c", "a-b-c"),
        ("地理", "地理"),
        ("地理 / 史", "地理-史"),
    ],
)
def test_clean_tag(tag: str, clean: str) -> None:
    assert imported.clean_tag(tag) == clean


def test_id_rules() -> None:
    assert ids.id_from_text("What is  the capital of France?") == ids.id_from_text(
        "What is the capital of France?"
    )
    assert re.fullmatch(
        r"what-is-the-capital-[0-9a-f]{6}", ids.id_from_text("What is the capital of France?")
    )
    assert ids.id_from_text("Capital of France?") != ids.id_from_text("Capital of Spain?")
    assert ids.id_from_guid("quizkit:geo:capital-france") == "capital-france"
    assert re.fullmatch(r"anki-[0-9a-f]{10}", ids.id_from_guid("b%nh,Urws1"))
    assert ids.id_from_guid("b%nh,Urws1") == ids.id_from_guid("b%nh,Urws1")


# ---------------------------------------------------------------- CSV and TSV import


def read(text: str, name: str = "cards.csv") -> imported.Imported:
    path = Path(name)
    return delimited.read_delimited(text, name, delimited.guess_delimiter(text, path.suffix))


def test_csv_front_back_tags_without_a_header() -> None:
    text = 'Capital of France?,Paris,capitals europe\n"Largest ocean, by area?",Pacific\n'
    layout = delimited.Layout(columns=("q", "a", "tags"))
    imported = delimited.read_delimited(text, "cards.csv", ",", layout)
    assert [(c["q"], c["a"], c.get("tags")) for c in imported.cards] == [
        ("Capital of France?", "Paris", ["capitals", "europe"]),
        ("Largest ocean, by area?", "Pacific", None),
    ]
    assert [c.get("tags") for c in read(text).cards] == [None, None]  # unmapped: left out, with a note
    assert imported.cards[0]["id"] == ids.id_from_text("Capital of France?")


@pytest.mark.parametrize(
    "text",
    [
        "Front,Back,Tags\nCapital of France?,Paris,capitals\n",
        "question;answer;tags\nCapital of France?;Paris;capitals\n",
        "front\tback\ttags\nCapital of France?\tParis\tcapitals\n",
        "\ufeffFRONT,BACK\r\nCapital of France?,Paris\r\n",
    ],
)
def test_csv_header_row_is_detected(text: str) -> None:
    imported = read(text)
    assert [(c["q"], c["a"]) for c in imported.cards] == [("Capital of France?", "Paris")]


def test_tsv_by_extension_and_same_front_twice() -> None:
    imported = read("Q\tA one\nQ\tA two\n", "cards.tsv")
    assert [c["a"] for c in imported.cards] == ["A one", "A two"]
    first, second = (c["id"] for c in imported.cards)
    assert second == f"{first}-2"


def test_csv_with_quizkit_columns_reads_every_kind() -> None:
    text = (
        "id,type,q,a,choices,cloze\n"
        'c,,Largest ocean?,Pacific,"Pacific\nAtlantic",\n'
        'm,,Pick,"one\nthree","one\ntwo\nthree",\n'
        "t,truefalse,Statement,false,,\n"
        "z,,,,,A {{b}} c\n"
    )
    kinds = {c["id"]: deck_parse.inferred_kind(c) or Kind(c["type"]) for c in read(text).cards}
    assert kinds == {"c": Kind.CHOICE, "m": Kind.MULTI, "t": Kind.TRUEFALSE, "z": Kind.CLOZE}


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (
            'Capital of France?,Paris\n"Unclosed quote,Lima\nLast,row\n',
            2,
            "is not valid CSV: unexpected end of data",
        ),
        ('a,"b"c\n', 1, "is not valid CSV: ',' expected after '\"'"),
        ("Capital of France?,Paris\nOnly one column\n", 2, "row has only one column"),
        ("Q,\n", 1, "row has no back (answer)"),
        (",A\n", 1, "row has no front (question)"),
        ("front,back,type\nQ,A,essay\n", 2, "unknown type 'essay'"),
        ('front,back,choices\nQ,Z,"A\nB"\n', 2, "answer 'Z' is not among the choices"),
        ("id,front,back\nsame,Q1,A\nsame,Q2,A\n", 3, "id 'same' is used twice"),
    ],
)
def test_malformed_csv_is_an_error_naming_the_line(text: str, line: int, message: str) -> None:
    with pytest.raises(DeckError) as caught:
        read(text)
    problem = caught.value.problems[0]
    assert (problem.path, problem.line) == ("cards.csv", line)
    assert problem.message.startswith(message), problem.message


def test_malformed_csv_writes_nothing(runner: CliRunner, tmp_path: Path) -> None:
    source = tmp_path / "broken.csv"
    source.write_text('Capital of France?,Paris\n"Unclosed quote,Lima\n', encoding="utf-8")
    out = tmp_path / "deck.toml"
    result = import_cli(runner, source, out)
    assert result.exit_code == 1
    assert f"{source}:2: error: is not valid CSV: unexpected end of data" in " ".join(result.output.split())
    assert "quote inside a cell is written twice" in result.output
    assert "Traceback" not in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.csv"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("Caf\xe9,coffee\n".encode("latin-1"), "is not UTF-8 text (byte 0xe9)"),
        (b"\x00\x01\x02binary", "is not a text file, nor an Anki package"),
    ],
)
def test_text_that_is_not_utf8_is_refused(
    runner: CliRunner, tmp_path: Path, content: bytes, message: str
) -> None:
    source = tmp_path / "cards.csv"
    source.write_bytes(content)
    result = import_cli(runner, source, tmp_path / "deck.toml")
    assert result.exit_code == 1 and message in result.output
    assert not (tmp_path / "deck.toml").exists()


def test_utf16_text_from_excel_is_read(tmp_path: Path) -> None:
    source = tmp_path / "cards.txt"
    source.write_bytes("Café\tcoffee\n".encode("utf-16"))
    assert [(c["q"], c["a"]) for c in importing.read_source(source).cards] == [("Café", "coffee")]


# ---------------------------------------------------------------- Anki's plain text


def test_anki_notes_in_plain_text_as_anki_writes_them() -> None:
    imported = importing.read_source(DATA / "geography-notes.txt")
    cards = {c["q"] if "q" in c else c["cloze"]: c for c in imported.cards}
    assert imported.title == "Geography"
    assert cards["Capital of France?"] | {"id": "?"} == {
        "id": "?",
        "q": "Capital of France?",
        "a": "Paris (since 508)",
        "tags": ["capitals", "europe.france"],
    }
    assert (
        cards["Isthmus"]["reverse"] is True
        and cards["Isthmus"]["a"] == "A narrow strip of land\njoining two larger areas"
    )
    assert cards["Estuary"]["reverse"] is True
    assert "reverse" not in cards["Delta"]
    assert cards["The {{Nile}} flows through {{Cairo::city}}."]["explain"] == "The longest river in Africa."
    typed = cards["In which year did South Sudan become independent?"]
    assert (typed["type"], typed["a"], typed["tags"]) == ("typed", "2011", ["dates", "géographie"])
    assert cards["hund"]["a"] == "dog"
    assert cards["Which country has this flag?"]["a"] == "Japan"
    assert all(re.fullmatch(r"anki-[0-9a-f]{10}", str(c["id"])) for c in imported.cards)
    # A front that is only a picture is asked in words, as from the package (same ids).
    assert cards["What does this picture show?"]["a"] == "Japan"
    assert len(imported.cards) == 9
    assert imported.left_out == [
        "formatting (the text is kept): 1 (line 7 (Capital of France?): bold)",
        "media (images, sounds): 2 (line 14 (Which country has this flag?): flag.png; line 15: flag.png)",
        "notes with an empty side: 1 "
        "(line 16 (Katze): its back is empty once images and sounds are left out)",
    ]
    assert "tag 'europe::france' became 'europe.france'" in imported.changed


def test_anki_plain_text_without_guids_takes_ids_from_the_front() -> None:
    imported = importing.read_source(DATA / "geography-plain.txt")
    first = imported.cards[0]
    assert (first["q"], first["id"]) == ("Capital of France?", ids.id_from_text("Capital of France?"))
    assert importing.read_source(DATA / "geography-plain.txt").cards == imported.cards


def test_imported_decks_pass_validate(runner: CliRunner, tmp_path: Path) -> None:
    for name in ("geography-notes.txt", "geography-plain.txt"):
        out = tmp_path / (name.split(".")[0] + ".toml")
        result = import_cli(runner, DATA / name, out)
        assert result.exit_code == 0, result.output
        assert "not carried over" in result.output
        checked = runner.invoke(app, ["validate", str(out)])
        assert checked.exit_code == 0 and "0 errors" in checked.output, checked.output


# ---------------------------------------------------------------- CSV export and round trip


@pytest.mark.parametrize("deck_text", ["example", "tricky"])
def test_deck_to_csv_to_deck_keeps_every_field(runner: CliRunner, tmp_path: Path, deck_text: str) -> None:
    source = EXAMPLE
    if deck_text == "tricky":
        source = tmp_path / "tricky.toml"
        source.write_text(TRICKY, encoding="utf-8")
    exported = tmp_path / "cards.csv"
    assert runner.invoke(app, ["export", str(source), "--to", "csv", "-o", str(exported)]).exit_code == 0
    back = tmp_path / "back.toml"
    result = import_cli(runner, exported, back)
    assert result.exit_code == 0, result.output
    assert tables_of(back) == tables_of(source)


def test_csv_export_guards_cells_a_spreadsheet_would_run(tmp_path: Path) -> None:
    source = tmp_path / "tricky.toml"
    source.write_text(TRICKY, encoding="utf-8")
    rows = list(csv.reader(io.StringIO(delimited.to_csv(tables_of(source)))))
    header, formula = rows[0], dict(zip(rows[0], rows[2], strict=True))
    assert header == [
        "id",
        "type",
        "q",
        "a",
        "choices",
        "accept",
        "order",
        "cloze",
        "reverse",
        "exact",
        "tags",
        "explain",
        "source",
    ]
    assert formula["q"] == '\'=HYPERLINK("http://x", "click")'
    assert formula["a"] == "-40"  # a number is no formula
    assert formula["accept"] == "'+40\n@home\nminus forty"


def test_csv_export_leaves_out_unused_columns(tmp_path: Path) -> None:
    path = tmp_path / "d.toml"
    path.write_text(
        '[deck]\ntitle = "T"\n[[cards]]\nid = "a"\nq = "Q"\na = "A"\ntags = ["x"]\n', encoding="utf-8"
    )
    assert delimited.to_csv(tables_of(path)) == "id,type,q,a,tags\r\na,basic,Q,A,x\r\n"


# ---------------------------------------------------------------- worksheets


def test_markdown_worksheet_numbers_questions_and_ends_with_the_key(
    runner: CliRunner, tmp_path: Path
) -> None:
    out = tmp_path / "sheet.md"
    result = runner.invoke(app, ["export", str(EXAMPLE), "--to", "md", "-o", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    questions, key = text.split("## Answer key")
    assert re.findall(r"(?m)^\*\*(\d+)\.\*\*", questions) == [str(n) for n in range(1, 11)]
    assert "**1\\.**" not in text and "Name: ____" in questions
    assert "What is the capital of Australia?" in questions and "Canberra" not in questions
    assert re.search(r"- \[ \] [A-D]\. Amazon", questions)
    assert "**(1)** ________" in questions and "**(2)** ________ \\[country\\]" in questions
    assert "\n1. **Canberra** Canberra was purpose-built as a compromise between the rival cities" in key
    assert re.search(r"(?m)^9\. \*\*\(1\) Everest; \(2\) Nepal\*\*", key)


def test_html_worksheet_is_self_contained_and_escapes_deck_text(runner: CliRunner, tmp_path: Path) -> None:
    source = tmp_path / "tricky.toml"
    source.write_text(TRICKY, encoding="utf-8")
    out = tmp_path / "sheet.html"
    assert runner.invoke(app, ["export", str(source), "-o", str(out)]).exit_code == 0
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert "<script>" not in page and "&lt;script&gt;x&lt;/script&gt;" in page
    assert "&lt;yes&gt;" in page
    assert not re.search(r"(src|href)=", page), "no outside resources"
    assert "@page" in page and "break-before: page" in page
    assert page.index('class="key after"') > page.index('class="question"')


def test_shuffled_variants_are_reproducible_and_differ(runner: CliRunner, tmp_path: Path) -> None:
    def variant(seed: int, name: str) -> str:
        out = tmp_path / name
        args = [
            "export",
            str(BUNDLED / "taliban-pakistan.toml"),
            "--to",
            "md",
            "-o",
            str(out),
            "--shuffle",
            "--seed",
            str(seed),
        ]
        assert runner.invoke(app, args).exit_code == 0
        return out.read_text(encoding="utf-8")

    one, again, two = variant(1, "a.md"), variant(1, "b.md"), variant(2, "c.md")
    assert one == again and one != two
    assert "*Variant A · seed 1*" in one
    firsts = [sheet(BUNDLED / "taliban-pakistan.toml", seed)[0].prompt for seed in range(5)]
    assert len(set(firsts)) > 1


def sheet(path: Path, seed: int) -> list[worksheets.SheetQuestion]:
    """Variant A of a shuffled worksheet of every card, drawn as export draws it."""
    import random

    from quizkit.core.exam import draw_questions

    deck, _, tables = deck_write.load_tables(path)
    drawn = draw_questions(deck, None, random.Random(seed))
    return worksheets.papers(tables, drawn, seed, shuffle=True)[0].questions


def test_worksheet_key_matches_the_printed_letters() -> None:
    for question in sheet(EXAMPLE, 7):
        if question.kind is Kind.CHOICE:
            (answer,) = question.answer
            letter, _, text = answer.partition(". ")
            assert question.options[ord(letter) - 65] == text
        if question.kind is Kind.ORDER:
            (answer,) = question.answer
            steps = [step.split(" ", 1) for step in answer.split(" → ")]
            assert all(question.options[ord(letter) - 65] == item for letter, item in steps)
            assert [item for _, item in steps] == [
                "Asia",
                "Africa",
                "North America",
                "South America",
                "Antarctica",
            ]
            assert list(question.options) != [item for _, item in steps]


# ---------------------------------------------------------------- the commands


def test_import_never_replaces_a_deck_without_force(runner: CliRunner, tmp_path: Path) -> None:
    source = tmp_path / "cards.csv"
    source.write_text("Capital?,Paris\n", encoding="utf-8")
    out = tmp_path / "deck.toml"
    out.write_text("mine", encoding="utf-8")
    result = import_cli(runner, source, out)
    assert result.exit_code == 2 and "add --force to replace it" in result.output
    assert out.read_text(encoding="utf-8") == "mine"
    assert import_cli(runner, source, out, "--force").exit_code == 0
    assert 'q = "Capital?"' in out.read_text(encoding="utf-8")


def test_reimporting_an_updated_file_keeps_the_ids(runner: CliRunner, tmp_path: Path) -> None:
    source = tmp_path / "cards.csv"
    out = tmp_path / "deck.toml"
    source.write_text("Capital of France?,Paris\nCapital of Peru?,Lima\n", encoding="utf-8")
    import_cli(runner, source, out)
    before = {c.prompt: c.id for c in deck_files.load_deck(out).cards}
    source.write_text(
        "Capital of Chile?,Santiago\nCapital of Peru?,Lima (since 1535)\nCapital of France?,Paris\n",
        encoding="utf-8",
    )
    assert import_cli(runner, source, out, "--force").exit_code == 0
    after = {c.prompt: c.id for c in deck_files.load_deck(out).cards}
    assert {k: after[k] for k in before} == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--to", "pdf"], "cannot export to 'pdf'"),
        ([], "say what to export to"),
        (["--to", "csv", "-o", "deck.toml"], "would overwrite a deck file"),
        (["--to", "csv", "--tag", "nope"], "no card in"),
    ],
)
def test_export_usage_errors(runner: CliRunner, tmp_path: Path, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["export", str(EXAMPLE), *args])
    assert result.exit_code == 2 and message in result.output, result.output


def test_export_by_tag_and_default_output_name(runner: CliRunner, tmp_path: Path) -> None:
    deck = tmp_path / "geo.toml"
    deck.write_bytes(EXAMPLE.read_bytes())
    result = runner.invoke(app, ["export", str(deck), "--to", "csv", "--tag", "rivers"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO((tmp_path / "geo.csv").read_text(encoding="utf-8-sig"))))
    assert [r["id"] for r in rows] == ["river-cairo", "longest-river-south-america"]


def test_import_of_a_spreadsheet_or_missing_file(runner: CliRunner, tmp_path: Path) -> None:
    result = import_cli(runner, tmp_path / "marks.xlsx", tmp_path / "d.toml")
    assert result.exit_code == 2 and "save it as CSV (UTF-8)" in result.output
    result = import_cli(runner, tmp_path / "nope.csv", tmp_path / "d.toml")
    assert result.exit_code == 1 and "nope.csv: error: no such file" in result.output
    result = import_cli(runner, tmp_path / "nope.csv", tmp_path / "d.txt")
    assert result.exit_code == 2 and "deck files end in .toml" in result.output


def test_import_with_an_empty_output_name_is_a_usage_error(runner: CliRunner, tmp_path: Path) -> None:
    # Found by tests/test_cli_fuzz.py: `-o ''` raised ValueError from Path('.').with_suffix.
    source = tmp_path / "deck.toml"
    source.write_text('[deck]\ntitle = "T"\n[[cards]]\nid = "a"\nq = "Q"\na = "A"\n', encoding="utf-8")
    result = runner.invoke(app, ["import", str(source), "--force", "--output", ""])
    assert result.exit_code == 2
    assert "give the new deck's file name, e.g. -o deck.toml" in result.output
