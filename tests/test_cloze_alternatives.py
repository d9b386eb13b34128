"""Alternatives inside a cloze deletion: {{Sharia law|Sharia}} accepts either, shows the first."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from quizkit.cli import app
from quizkit.core import grading, lint
from quizkit.core.grading import Verdict
from quizkit.io import anki_notes, apkg, deck_files, deck_format, deck_parse
from quizkit.model import CardList

from conftest import BUNDLED

SHARIA = """
[deck]
id = "ideology"
title = "Ideology"

[[cards]]
id = "sharia-faction"
cloze = "The Taliban worked to impose a strict interpretation of {{Sharia law|Sharia}}."
tags = ["concepts"]
"""


def quiz_report(runner: CliRunner, deck: Path, tmp_path: Path, answers: list[str]) -> dict:  # type: ignore[type-arg]
    report = tmp_path / "r.json"
    report.unlink(missing_ok=True)
    result = runner.invoke(
        app, ["quiz", str(deck), "--report", str(report)], input="".join(f"{a}\n" for a in [*answers, ""])
    )
    assert result.exit_code == 0, result.output
    return json.loads(report.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def test_a_quiz_accepts_a_cloze_alternative(runner: CliRunner, write_deck, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    deck = write_deck(SHARIA)
    report = quiz_report(runner, deck, tmp_path, ["Sharia"])
    (item,) = report["items"]
    assert (item["card"], item["verdict"], item["answer_given"]) == ("sharia-faction.c1", "right", "Sharia")
    assert item["right_answer"] == "Sharia law"
    assert "Sharia" not in item["question"]
    assert item["question"].endswith("interpretation of [...].")


def parse(cloze: str):  # type: ignore[no-untyped-def]
    text = f'[deck]\ntitle = "T"\n\n[[cards]]\nid = "z"\ncloze = {json.dumps(cloze)}\n'
    return deck_parse.parse_deck(text, "d.toml", default_id="d")


def cards_of(cloze: str) -> list[tuple[str, str, str, tuple[str, ...]]]:
    deck, problems = parse(cloze)
    assert deck is not None and problems == [], problems
    return [(c.id, c.prompt, c.answer, c.accept) for c in deck.cards]


def messages(cloze: str) -> list[str]:
    _, problems = parse(cloze)
    return [f"{p.path}:{p.line}: {p.severity}: {p.message} ({p.hint})" for p in problems]


# ---------------------------------------------------------------- the syntax


def test_alternatives_are_accepted_and_never_shown_before_answering() -> None:
    assert cards_of(
        "Impose {{Sharia law|Sharia::legal system}} backed by the {{military regime|military}}."
    ) == [
        (
            "z.c1",
            "Impose [legal system] backed by the military regime.",
            "Sharia law",
            ("Sharia law", "Sharia"),
        ),
        (
            "z.c2",
            "Impose Sharia law backed by the [...].",
            "military regime",
            ("military regime", "military"),
        ),
    ]
    # Spaces around the bar are the author's; a deletion without one is as before.
    assert cards_of("{{ key ally | major ally }} and {{Kabul}}")[0][2:] == (
        "key ally",
        ("key ally", "major ally"),
    )
    assert cards_of("{{ key ally | major ally }} and {{Kabul}}")[1][2:] == ("Kabul", ("Kabul",))


def test_an_escaped_bar_and_a_formula_are_literal() -> None:
    assert cards_of(r"{{a\|b}} is a pipe")[0][2:] == ("a|b", ("a|b",))
    assert cards_of(r"{{x::hint \| with a bar}}")[0][1] == "[hint | with a bar]"
    # A formula is read as written: its bars are not separators, its \| stays LaTeX's.
    assert cards_of(r"{{\(|x|\)|the absolute value of x}}")[0][3] == (r"\(|x|\)", "the absolute value of x")
    assert cards_of(r"The norm {{\(\|v\|\)}}.")[0][2] == r"\(\|v\|\)"
    # Money is not a formula: "$5|$6" has two answers.
    assert cards_of("It cost {{$5|$6}}.")[0][3] == ("$5", "$6")


FORMULA = re.compile(r"\\\(.*?\\\)|\\\[.*?\\\]|\$\$.+?\$\$|\$(?=\S)[^$]*?(?<=\S)\$(?!\d)", re.DOTALL)
"""What formula_spans finds, as a regex: clear, but quadratic on a hostile "\\(\\(\\(..."."""


@settings(max_examples=500, deadline=None)
@given(
    st.lists(st.sampled_from(["\\(", "\\)", "\\[", "\\]", "$", "$$", " ", "x", "5", "|", "\\|"]), max_size=14)
)
def test_formulas_are_found_as_the_regex_finds_them(parts: list[str]) -> None:
    text = "".join(parts)
    assert deck_format.formula_spans(text) == [m.span() for m in FORMULA.finditer(text)]


def test_hostile_formulas_load_in_linear_time(tmp_path: Path) -> None:
    body = "\\\\(" * 4900 + "|x"
    text = '[deck]\ntitle = "T"\n' + "".join(
        f'[[cards]]\nid = "c{i}"\ncloze = "{{{{{body}}}}}"\n' for i in range(100)
    )
    start = time.perf_counter()
    deck, problems = deck_parse.parse_deck(text)
    assert time.perf_counter() - start < 3
    assert deck is not None and problems == []
    assert deck.cards[0].accept == ("\\(" * 4900, "x")


@pytest.mark.parametrize(
    ("cloze", "message"),
    [
        (
            "{{Sharia law|}}",
            "d.toml:6: error: '{{Sharia law|}}' has an empty alternative: a '|' with nothing on one side "
            '(write the alternatives between bars, {{Sharia law|Sharia}}; for a literal "|" write \\| '
            '(\\\\| inside "..."))',
        ),
        ("{{|Sharia}}", "d.toml:6: error: '{{|Sharia}}' has an empty alternative"),
        ("{{a||b}}", "d.toml:6: error: '{{a||b}}' has an empty alternative"),
        ("{{a| |b}}", "d.toml:6: error: '{{a| |b}}' has an empty alternative"),
        ("{{|}}", "d.toml:6: error: '{{|}}' has an empty alternative"),
        ("{{a|b|a}}", "d.toml:6: error: '{{a|b|a}}' lists 'a' more than once (remove the duplicate)"),
    ],
)
def test_broken_alternatives_are_errors_at_their_line(cloze: str, message: str) -> None:
    deck, _ = parse(cloze)
    assert deck is None
    assert messages(cloze)[0].startswith(message)


def test_doubtful_alternatives_are_warnings() -> None:
    assert messages("{{Kabul|kabul|KABUL}} fell") == [
        "d.toml:6: warning: '{{Kabul|kabul|KABUL}}': alternative 'kabul' is already accepted as 'Kabul' "
        "(remove it: case, accents, punctuation and a leading 'the' are ignored when grading)",
        "d.toml:6: warning: '{{Kabul|kabul|KABUL}}': alternative 'KABUL' is already accepted as 'Kabul' "
        "(remove it: case, accents, punctuation and a leading 'the' are ignored when grading)",
    ]
    assert messages("{{the Taliban|Taliban}} and {{Quetta|Quetta.}}")[0].startswith(
        "d.toml:6: warning: '{{the Taliban|Taliban}}': alternative 'Taliban' is already accepted"
    )
    assert messages("{{Sharia law::legal system|Sharia}}") == [
        "d.toml:6: warning: '{{Sharia law::legal system|Sharia}}': the hint 'legal system|Sharia' has a '|'; "
        "alternatives go before '::' (write {{answer|alternative::hint}}; "
        'for a literal "|" write \\| (\\\\| inside "..."))'
    ]
    # Punctuation alone is compared as written, as the grader does.
    assert messages("{{?|!}} mark") == []


def test_validate_reports_them_with_file_and_line(runner: CliRunner, write_deck) -> None:  # type: ignore[no-untyped-def]
    deck = write_deck(SHARIA.replace("{{Sharia law|Sharia}}", "{{Sharia law||Sharia}}"))
    result = runner.invoke(app, ["validate", str(deck)])
    assert result.exit_code == 1
    assert f"{deck}:8: error: card sharia-faction: '{{{{Sharia law||Sharia}}}}' has an empty alternative" in (
        " ".join(result.output.split())
    )
    fine = runner.invoke(app, ["validate", str(write_deck(SHARIA))])
    assert fine.exit_code == 0, fine.output


def test_an_alternative_read_elsewhere_in_the_sentence_is_a_giveaway() -> None:
    deck, problems = parse("Under {{Sharia law|Sharia}}, Sharia courts ruled.")
    assert deck is not None and problems == []
    (warning,) = lint.content_problems(deck)
    assert warning.message == "deletion 1 ('Sharia') can be read elsewhere in the sentence while it is hidden"


# ---------------------------------------------------------------- grading


@pytest.mark.parametrize(
    ("typed", "verdict"),
    [
        ("Sharia law", Verdict.RIGHT),
        ("Sharia", Verdict.RIGHT),
        ("sharia", Verdict.RIGHT),
        ("Sharía", Verdict.RIGHT),
        ("the Sharia", Verdict.RIGHT),
        ("Shariaa", Verdict.TYPO),
        ("Sharai law", Verdict.TYPO),
        ("law", Verdict.WRONG),
        ("Shia", Verdict.WRONG),
    ],
)
def test_every_alternative_is_graded_like_a_typed_answer(typed: str, verdict: Verdict) -> None:
    deck, _ = parse("Impose {{Sharia law|Sharia}}.")
    assert deck is not None
    grade = grading.grade(deck.cards[0], typed)
    assert grade.verdict is verdict
    assert grade.expected == "Sharia law"


def test_a_typo_is_shown_against_the_alternative_it_was_near() -> None:
    deck, _ = parse("fears of an {{outright armed insurgency|insurgency}}")
    assert deck is not None
    grade = grading.grade(deck.cards[0], "insurgancy")
    assert (grade.verdict, grade.matched, grade.expected) == (
        Verdict.TYPO,
        "insurgency",
        "outright armed insurgency",
    )


def test_the_quiz_asks_with_a_gap_and_gives_the_first_alternative_as_the_answer(
    runner: CliRunner, write_deck, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    deck = write_deck(SHARIA)
    result = runner.invoke(app, ["quiz", str(deck)], input="Islam\n\n")
    assert result.exit_code == 0, result.output
    asked, _, scored = result.output.partition("Score:")
    assert "interpretation of [...]." in asked and "Sharia" not in asked
    lines = [line.strip("│ ") for line in scored.splitlines()]
    assert "your answer: Islam" in lines
    assert "right answer: Sharia law" in lines


def test_the_deck_cache_keeps_the_alternatives(write_deck, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    deck = write_deck(SHARIA)
    parsed = deck_files.load_deck(deck, tmp_path / "cache")
    cached = deck_files.load_deck(deck, tmp_path / "cache")
    assert isinstance(cached.cards, CardList)
    assert [c.accept for c in cached.cards] == [c.accept for c in parsed.cards] == [("Sharia law", "Sharia")]


def test_show_lists_the_alternatives(runner: CliRunner, write_deck) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(app, ["show", str(write_deck(SHARIA))])
    assert result.exit_code == 0, result.output
    assert "also: Sharia" in result.output


# ---------------------------------------------------------------- export and import


def test_anki_gets_the_first_alternative_only() -> None:
    assert (
        anki_notes.cloze_to_anki("Impose {{Sharia law|Sharia::legal system}} & {{1996}} {{ x | y }}")
        == "Impose {{c1::Sharia law::legal system}} &amp; {{c2::1996}} {{c3::x}}"
    )
    assert anki_notes.cloze_to_anki(r"{{a\|b}}") == "{{c1::a|b}}"


def test_an_anki_cloze_with_a_bar_keeps_it_literal() -> None:
    sentence, _ = anki_notes.cloze_from_anki("{{c1::a|b}} and {{c2::x::hint|y}} and {{c3::\\(|v|\\)}}")
    assert sentence == "{{a\\|b}} and {{x::hint\\|y}} and {{\\(|v|\\)}}"
    deck, problems = parse(sentence)
    assert deck is not None and problems == []
    assert [(c.answer, c.accept) for c in deck.cards] == [
        ("a|b", ("a|b",)),
        ("x", ("x",)),
        ("\\(|v|\\)", ("\\(|v|\\)",)),
    ]
    assert deck.cards[1].prompt == "a|b and [hint|y] and \\(|v|\\)"


def test_apkg_export_and_import(runner: CliRunner, write_deck, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    deck = write_deck(SHARIA)
    out, back = tmp_path / "s.apkg", tmp_path / "back.toml"
    assert runner.invoke(app, ["export", str(deck), "-o", str(out)]).exit_code == 0
    (note,) = apkg.read_package(out.read_bytes(), str(out)).notes
    assert note.field("Text") == "The Taliban worked to impose a strict interpretation of {{c1::Sharia law}}."
    result = runner.invoke(app, ["import", str(out), "-o", str(back)])
    assert result.exit_code == 0, result.output
    (card,) = deck_files.load_deck(back).cards
    assert (card.answer, card.accept) == ("Sharia law", ("Sharia law",))


def test_csv_keeps_the_alternatives_for_a_round_trip(runner: CliRunner, write_deck, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    deck = write_deck(SHARIA)
    out, back = tmp_path / "s.csv", tmp_path / "back.toml"
    assert runner.invoke(app, ["export", str(deck), "-o", str(out)]).exit_code == 0
    assert "{{Sharia law|Sharia}}" in out.read_text(encoding="utf-8-sig")
    assert runner.invoke(app, ["import", str(out), "-o", str(back)]).exit_code == 0
    (card,) = deck_files.load_deck(back).cards
    assert card.accept == ("Sharia law", "Sharia")


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_worksheets_print_the_gap_and_put_the_alternatives_in_the_key(
    runner: CliRunner, write_deck, tmp_path: Path, fmt: str
) -> None:  # type: ignore[no-untyped-def]
    deck = write_deck(SHARIA.replace("{{Sharia law|Sharia}}", "{{Sharia law|Sharia::legal system}}"))
    out = tmp_path / f"s.{fmt}"
    assert runner.invoke(app, ["export", str(deck), "-o", str(out)]).exit_code == 0
    text = out.read_text(encoding="utf-8")
    questions, _, key = text.partition("Answer key")
    assert "Sharia" not in questions
    assert "legal system" in questions
    assert "(1) Sharia law (also accepted: Sharia)" in key


# ---------------------------------------------------------------- the bundled deck


@pytest.mark.parametrize(
    ("card_id", "typed", "shown"),
    [
        ("sharia-faction.c1", "Sharia", "Sharia law"),
        ("ttp-insurgency.c1", "insurgency", "outright armed insurgency"),
        ("ttp-insurgency.c1", "an armed insurgency", "outright armed insurgency"),
        ("war-on-terror-ally.c1", "key ally", "major ally"),
        ("fine-line.c2", "counter-terrorism", "anti-terrorism"),
        ("record-ttp-formed.c1", "Dec 2007", "December 2007"),
        ("record-ttp-formed.c2", "Baitullah Mahsud", "Baitullah Mehsud"),
        ("record-nwfp-2010.c1", "NWFP", "North-West Frontier Province"),
    ],
)
def test_the_bundled_deck_accepts_the_answers_issue_15_found_marked_wrong(
    card_id: str, typed: str, shown: str
) -> None:
    card = deck_files.load_deck(BUNDLED / "taliban-pakistan.toml").card(card_id)
    assert card is not None
    assert grading.grade(card, typed).verdict is Verdict.RIGHT
    assert card.answer == shown
