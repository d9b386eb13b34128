"""The TOML mistakes people make in decks, each told in words with the line and what to write."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from quizkit.cli import app
from quizkit.io import deck_parse

from tests_support import HEAD


def _problem(text: str) -> tuple[int | None, str, str]:
    deck, problems = deck_parse.parse_deck(text, "d.toml")
    assert deck is None
    errors = [p for p in problems if p.severity == "error"]
    assert len(errors) == 1, errors
    return errors[0].line, errors[0].message, errors[0].hint


CARD = '[[cards]]\nid = "x"\n'


@pytest.mark.parametrize(
    ("body", "line", "message", "hint"),
    [
        (
            'q = "He said "no" to them"\na = "A"\n',
            5,
            'TOML syntax error: a " inside "..." ends the text early (column 14)',
            'write \\" for a quote inside the text, or put the text in single quotes: q = \'..."..."...\'',
        ),
        (
            "q = 'Pakistan's army'\na = 'A'\n",
            5,
            "TOML syntax error: an apostrophe inside '...' ends the text early (column 14)",
            "put the text in double quotes: q = \"...'...\", or in triple quotes: q = '''...'''",
        ),
        (
            'q = "Q"\nchoices = ["He said "no"", "B"]\na = "B"\n',
            6,
            'TOML syntax error: a " inside "..." ends the text early (column 21)',
            'write \\" for a quote inside the text, or put that item in single quotes: \'..."..."...\'',
        ),
        (
            'q = "Where is C:\\Users?"\na = "A"\n',
            5,
            'TOML syntax error: \'\\U\' is not an escape: inside "..." a backslash starts one, such as \\n or \\"',
            "double the backslash (C:\\\\Users), or put the text in single quotes, which keep backslashes: "
            "q = '...\\...'",
        ),
        (
            'q = "What is $\\sqrt{2}$?"\na = "A"\n',
            5,
            'TOML syntax error: \'\\s\' is not an escape: inside "..." a backslash starts one, such as \\n or \\"',
            "for LaTeX, put the text in single quotes, which keep backslashes: q = '$\\sqrt{...}$', "
            "or double each backslash: \\\\sqrt",
        ),
        (
            'q = "Q"\na = "A"\ntags = ["dates" "places"]\n',
            7,
            "TOML syntax error: a comma is missing between two items of the list (column 17)",
            'separate the items with commas: tags = ["...", "..."]',
        ),
        (
            'q = "Q"\na = "A"\ntags = [\n  "dates"  # when\n  "places",\n]\n',
            9,
            "TOML syntax error: a comma is missing between two items of the list (column 3)",
            'separate the items with commas: tags = ["...", "..."]',
        ),
    ],
)
def test_common_mistakes_say_what_to_write(body: str, line: int, message: str, hint: str) -> None:
    assert _problem(HEAD + CARD + body) == (line, message, hint)


def test_a_table_declared_twice_is_named_in_words() -> None:
    text = HEAD + CARD + 'q = "Q"\na = "A"\n[deck]\ntitle = "Again"\n'
    assert _problem(text) == (
        7,
        "TOML syntax error: [deck] appears twice: line 1 and line 7",
        "keep one [deck] table",
    )


def test_cards_written_with_one_bracket_twice() -> None:
    text = HEAD + '[cards]\nq = "Q"\na = "A"\n[cards]\nq = "R"\na = "B"\n'
    assert _problem(text) == (
        6,
        "TOML syntax error: [cards] appears twice: line 3 and line 6",
        "write [[cards]] (two brackets) before every card",
    )


@pytest.mark.parametrize(
    ("written", "lost"),
    [("\\frac{1}{2}", "\\f"), ("\\beta", "\\b"), ("\\theta", "\\t"), ("\\nu", "\\n"), ("\\right)", "\\r")],
)
def test_a_latex_command_that_toml_read_as_an_escape(written: str, lost: str) -> None:
    deck, problems = deck_parse.parse_deck(HEAD + CARD + f'q = "What is ${written}$?"\na = "A"\n', "d.toml")
    assert deck is not None  # a warning: the character may be meant, and the card loads
    ((line, message, hint, severity),) = [(p.line, p.message, p.hint, p.severity) for p in problems]
    assert (line, severity) == (5, "warning")
    assert message == f"'q' has a control character where LaTeX was meant: in \"...\", {lost} is an escape"
    assert (
        hint
        == f"put the text in single quotes, which keep backslashes: q = '...{lost}...', or write \\{lost}"
    )


def test_newlines_and_tabs_in_prose_are_fine() -> None:
    deck, problems = deck_parse.parse_deck(HEAD + CARD + 'q = "Line one\\nunder it\\tand"\na = "A"\n')
    assert deck is not None, problems


def test_a_table_twice_is_not_blamed_on_a_card(runner: CliRunner, write_deck) -> None:
    path = write_deck(HEAD + CARD + 'q = "Q"\na = "A"\n[deck]\ntitle = "Again"\n')
    result = runner.invoke(app, ["validate", str(path)])
    assert result.output.startswith(
        f"{path}:7: error: TOML syntax error: [deck] appears twice: line 1 and line 7"
    )


def test_validate_shows_the_message_with_file_and_line(runner: CliRunner, write_deck) -> None:
    path = write_deck(HEAD + CARD + "q = 'Pakistan's army'\na = 'A'\n")
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 1
    assert f"{path}:5: error: card #1: TOML syntax error: an apostrophe inside" in result.output
    assert "Traceback" not in result.output


# ---------------------------------------------------------------- the compiled parser agrees with tomllib

TOML_1_1_AND_EDGES = [
    "a = {b = 1,}",
    "a = {\nb = 1}",
    'a = "\\x41"',
    'a = "\\e"',
    "a = '\\epsilon'",
    "a = 1\na = 2",
    "[t]\nx = 1\n[t]\ny = 2",
    "a = 01",
    'a = "x\x01y"',
    "k = 9223372036854775808",
    "x = 2021-02-29",
    "a = 1979-05-27T07:32:00.999999Z",
    "a = 07:32:00",
    'a = """\nx\\\n  y"""',
    "a.b = 1\na = 2",
]


@pytest.mark.parametrize("text", TOML_1_1_AND_EDGES)
def test_the_fast_parse_reads_what_tomllib_reads_and_nothing_else(text: str) -> None:
    """rtoml reads TOML 1.1, tomllib 1.0: a deck is what tomllib says it is, whichever parses it."""
    import tomllib

    from quizkit.io.toml_text import fast_loads

    try:
        expected = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        expected = None
    fast = fast_loads(text)
    assert fast is None or fast == expected


def test_a_deck_with_an_escape_only_toml_1_1_has_is_refused_at_its_line(write_deck) -> None:  # type: ignore[no-untyped-def]
    deck = write_deck('[deck]\nid = "d"\ntitle = "D"\n\n[[cards]]\nid = "x"\nq = "Q\\e[31m?"\na = "A"\n')
    deck_obj, problems = deck_parse.check_deck(deck)
    assert deck_obj is None and problems[0].line == 7
