"""validate warns about test-wise patterns: cards a learner can score on without knowing them."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from quizkit.cli import app
from quizkit.core.lint import content_problems
from quizkit.io import deck_parse

from tests_support import HEAD

DECK = Path(__file__).parent / "data" / "testwise.toml"

EXPECTED = """\
{p}:6: warning: card tf-1: 6 of the 6 true/false cards are false: answering 'false' every time scores 100 % — make 30-70 % of them true, e.g. by rewriting some statements as true ones (not as absolute strawmen)
{p}:34: warning: card tf-5: tag 'Actors' differs from 'actors' only by case (1 card against 3) — spell it 'actors' everywhere: tags are matched exactly
{p}:51: warning: card quoted-true: a = "true" is in quotes, so this is a basic card whose answer is the word 'true' — for a true/false statement write a = true, without quotes (or type = "basic" if the word is meant)
{p}:57: warning: card anki-numbering: '{{{{C1::1996}}}}' looks like Anki's c1:: numbering: it is read as the answer 'C1' with a hint — write just {{{{answer}}}}: quizkit numbers deletions in order
{p}:64: warning: card spaced-choice: choice 'Kandahar ' has a trailing space — remove it: quizkit ignores it, but a file made from the deck (CSV, Anki) may keep it, and a choice that looks different gives itself away
{p}:69: warning: card durand-1: the distractor 'Durand Line' is offered on 3 cards (also durand-2 (line 77), durand-3 (line 85)) and is never the right answer: a learner soon rules it out — vary the distractors, or make it the right answer of a card
{p}:93: warning: card capital: its reverse side asks "Which city is Pakistan's capital?", the question of card durand-3 (line 85) — drop reverse = true, or reword one of them: learners would meet the same prompt twice
{p}:101: warning: card exile: its question gives away the answer of card durand-2 (line 77): "Pakistan's tribal areas" — reword the question, or ask card durand-2 another way
✓ {p}  testwise · 15 cards · 8 warnings
title Test-wise patterns
kinds truefalse 6 · basic 4 · choice 4 · cloze 1
tags  places 8 · actors 3 · dates 3 · Actors 1
1 deck file: 0 errors, 8 warnings
"""


def _lines(output: str) -> str:
    return "".join(line.rstrip() + "\n" for line in output.splitlines())


def test_the_testwise_deck_shows_each_warning(runner: CliRunner) -> None:
    result = runner.invoke(app, ["validate", str(DECK)])
    assert result.exit_code == 0, result.output
    assert _lines(result.output) == EXPECTED.format(p=DECK)


def test_each_testwise_warning_fails_under_strict(runner: CliRunner) -> None:
    result = runner.invoke(app, ["validate", "--strict", str(DECK)])
    assert result.exit_code == 1
    assert result.output.count(": error: card ") == 8
    assert "1 deck file: 8 errors, 0 warnings" in result.output


def _warnings(body: str) -> list[str]:
    deck, problems = deck_parse.parse_deck(HEAD + body, "d.toml")
    assert deck is not None, problems
    return [p.message for p in [*problems, *content_problems(deck)] if "has no id" not in p.message]


def _tf(truths: list[bool]) -> str:
    return "".join(
        f'[[cards]]\nid = "tf{n}"\nq = "Statement {n}."\na = {str(t).lower()}\n' for n, t in enumerate(truths)
    )


@pytest.mark.parametrize(
    ("truths", "warned"),
    [
        ([True] * 2 + [False] * 4, False),  # 33 % true
        ([True] * 2 + [False] * 5, True),  # 29 %
        ([True] * 5 + [False] * 2, True),  # 71 %
        ([False] * 5, False),  # too few to tell
    ],
)
def test_true_false_balance(truths: list[bool], warned: bool) -> None:
    assert any("true/false cards are" in m for m in _warnings(_tf(truths))) is warned


def _choice(n: int, choices: list[str], answer: str) -> str:
    quoted = ", ".join(f'"{c}"' for c in choices)
    return f'[[cards]]\nid = "c{n}"\nq = "Question number {n}?"\nchoices = [{quoted}]\na = "{answer}"\n'


def test_a_distractor_that_is_right_somewhere_is_not_a_pattern() -> None:
    body = "".join(_choice(n, [f"Right {n}", "Durand Line"], f"Right {n}") for n in range(3))
    assert any("distractor 'Durand Line'" in m for m in _warnings(body))
    assert not any(
        "distractor" in m for m in _warnings(body + _choice(9, ["Durand Line", "X"], "Durand Line"))
    )
    two = "".join(_choice(n, [f"Right {n}", "Durand Line"], f"Right {n}") for n in range(2))
    assert not any("distractor" in m for m in _warnings(two))


@pytest.mark.parametrize(
    ("answer", "warned"),
    [
        ("Kandahar", False),  # one word: too common to be a giveaway
        ("9", False),  # a lone digit
        ("1994", True),
        ("the south", True),
    ],
)
def test_a_question_giving_another_answer_away(answer: str, warned: bool) -> None:
    body = (
        f'[[cards]]\nid = "where"\nq = "Where did it start?"\na = "{answer}"\n'
        f'[[cards]]\nid = "other"\nq = "Who rose in {answer} then?"\na = "The Taliban"\n'
    )
    assert any("gives away the answer of card where" in m for m in _warnings(body)) is warned


def test_a_card_never_gives_its_own_answer_away() -> None:
    body = '[[cards]]\nid = "a"\nq = "When, 1994?"\na = "1994"\nexplain = "In 1994."\n'
    assert _warnings(body) == []


def test_quoted_truth_on_a_card_typed_basic_on_purpose_is_fine() -> None:
    assert _warnings('[[cards]]\nid = "a"\ntype = "basic"\nq = "Q"\na = "true"\n') == []


def test_tags_differing_only_by_case_on_one_card() -> None:
    messages = _warnings('[[cards]]\nid = "a"\nq = "Q"\na = "A"\ntags = ["dates", "Dates"]\n')
    assert len([m for m in messages if "only by case" in m]) == 1


def test_an_explanation_may_repeat_its_own_answer_that_another_card_shares() -> None:
    body = (
        '[[cards]]\nid = "a"\nq = "Where is Peshawar?"\na = "Khyber Pakhtunkhwa"\n'
        'explain = "Khyber Pakhtunkhwa, the old NWFP."\n'
        '[[cards]]\nid = "b"\nq = "Which province has the TTP base?"\na = "Khyber Pakhtunkhwa"\n'
        'explain = "Its base is there."\n'
    )
    assert _warnings(body) == []
