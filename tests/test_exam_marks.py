"""Exams that score fairly: self-graded basic cards (asked and marked, as multiple choice, or left
out), honest times, times in the learner's zone, and history of an unknown deck."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from io import StringIO
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from quizkit.app import quiz
from quizkit.app.env import Environment
from quizkit.cli import app
from quizkit.core.exam import distractors, is_reverse
from quizkit.core.grading import normalize
from quizkit.io import deck_files

DECK = """
[deck]
id = "ttp"
title = "TTP"

[[cards]]
id = "ttp"
q = "What is the TTP, according to the article?"
a = "Tehrik-i-Taliban Pakistan, an umbrella of Pakistani militant groups"
reverse = true
tags = ["actors"]

[[cards]]
id = "year"
q = "Year the Taliban took Kabul?"
a = "1996"
type = "typed"
tags = ["dates"]
"""


def run_quiz(runner: CliRunner, deck: Path, tmp_path: Path, lines: list[str], *options: str) -> dict:  # type: ignore[type-arg]
    report = tmp_path / "r.json"
    report.unlink(missing_ok=True)
    result = runner.invoke(
        app, ["quiz", str(deck), "--report", str(report), *options], input="".join(f"{a}\n" for a in lines)
    )
    assert result.exit_code == 0, result.output
    data: dict = json.loads(report.read_text(encoding="utf-8"))  # type: ignore[type-arg]
    data["output"] = result.output
    return data


def test_a_basic_card_and_its_reverse_are_scored_as_the_learner_marks_them(
    runner: CliRunner, write_deck, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    deck = write_deck(DECK)
    draw = run_quiz(runner, deck, tmp_path, [":s", ""], "--kinds", "basic", "--seed", "3", "--count", "3")
    order = [item["card"] for item in draw["items"]]
    assert sorted(order) == ["ttp", "ttp.rev"]  # both sides: there are only two basic cards
    # The front is typed in substance ("partly"), the reverse side answered "TTP": right.
    typed = {"ttp": ["umbrella of militants", "p"], "ttp.rev": ["TTP", "r"]}
    lines = [line for card in order for line in typed[card]]
    report = run_quiz(runner, deck, tmp_path, [*lines, ""], "--kinds", "basic", "--seed", "3", "--count", "3")
    items = {item["card"]: item for item in report["items"]}
    assert (items["ttp"]["verdict"], items["ttp"]["score"], items["ttp"]["self_graded"]) == (
        "partial",
        0.5,
        True,
    )
    assert (items["ttp.rev"]["verdict"], items["ttp.rev"]["score"]) == ("right", 1.0)
    assert items["ttp.rev"]["answer_given"] == "TTP"
    assert items["ttp.rev"]["right_answer"] == "What is the TTP, according to the article?"
    assert items["ttp"]["kind"] == "basic"
    assert report["score"] == 75.0 and report["right"] == 1 and report["self_graded"] == 2
    out = report["output"]
    assert "answer: What is the TTP, according to the article?" in out  # revealed before the mark
    assert "(1 of 2 right; 2 marked by you)" in out
    assert "partial (your mark)" in out


def test_the_mark_is_asked_again_until_it_is_one_and_the_answer_is_then_final(
    runner: CliRunner, write_deck, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    deck = write_deck(DECK)
    lines = ["", "maybe", "2", ":g 1", "a second try", ":s", ""]  # Enter alone is an answer
    report = run_quiz(runner, deck, tmp_path, lines, "--kinds", "basic", "--seed", "1", "--count", "1")
    (item,) = report["items"]
    assert (item["answer_given"], item["verdict"]) == ("", "partial")
    out = report["output"]
    assert "mark your answer: r right, p partly right, w wrong" in out
    assert "already answered (the answer was shown)" in out


def test_typed_cards_are_still_graded_by_quizkit(runner: CliRunner, write_deck, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    deck = write_deck(DECK)
    report = run_quiz(runner, deck, tmp_path, ["1996", ""], "--kinds", "typed", "--seed", "1")
    (item,) = report["items"]
    assert (item["verdict"], item["self_graded"], report["self_graded"]) == ("right", False, 0)
    assert "marked by" not in report["output"]


CHOICE_DECK = """
[deck]
id = "choice"
title = "Choice"

[[cards]]
id = "omar"
q = "Who founded the Taliban?"
a = "Mullah Omar"
tags = ["people"]

[[cards]]
id = "omar-again"
q = "Who was the Taliban's first emir?"
a = "mullah  omar."
tags = ["people"]

[[cards]]
id = "mehsud"
q = "Who founded the TTP?"
a = "Baitullah Mehsud"
tags = ["people"]

[[cards]]
id = "fazlullah"
q = "Who led the TTP from 2013?"
a = "Mullah Fazlullah"
tags = ["people"]

[[cards]]
id = "haqqani"
q = "Who founded the Haqqani network?"
a = "Jalaluddin Haqqani"
type = "typed"
tags = ["people"]

[[cards]]
id = "kabul"
q = "Capital of Afghanistan?"
a = "Kabul"
tags = ["places"]

[[cards]]
id = "peshawar"
q = "Capital of Khyber Pakhtunkhwa?"
a = "Peshawar"
tags = ["places"]
"""


def test_multiple_choice_distractors_come_from_the_same_tag_and_never_equal_the_answer(
    runner: CliRunner, write_deck, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    deck = write_deck(CHOICE_DECK)
    people = {"Mullah Omar", "mullah  omar.", "Baitullah Mehsud", "Mullah Fazlullah", "Jalaluddin Haqqani"}
    for seed in range(12):
        report = run_quiz(runner, deck, tmp_path, [":s", ""], "--self-graded", "choice", "--seed", str(seed))
        for item in report["items"]:
            if item["card"] == "haqqani":
                assert item["kind"] == "typed"  # a typed card is typed
                continue
            assert item["kind"] == "choice"
            choices = item["choices"]
            assert item["right_answer"] in choices
            assert len({normalize(c) for c in choices}) == len(choices)  # no two alike
            wrong = [c for c in choices if c != item["right_answer"]]
            assert all(normalize(c) != normalize(item["right_answer"]) for c in wrong)
            if "people" in item["tags"]:
                assert len(choices) == 4 and set(wrong) <= people
            else:  # one other card of the tag: the rest are drawn from other tags
                assert len(choices) == 4
                assert {"Kabul", "Peshawar"} - {item["right_answer"]} <= set(wrong)
    # The right choice, picked by its number, is right.
    report = run_quiz(runner, deck, tmp_path, [":s", ""], "--self-graded", "choice", "--seed", "2")
    lines = [
        str(item["choices"].index(item["right_answer"]) + 1)
        if item["kind"] == "choice"
        else item["right_answer"]
        for item in report["items"]
    ]
    again = run_quiz(runner, deck, tmp_path, [*lines, ""], "--self-graded", "choice", "--seed", "2")
    assert again["score"] == 100.0 and again["self_graded"] == 0


def test_distractors_for_a_reverse_side_are_other_questions() -> None:
    from quizkit.model import Card, Kind

    cards = [
        Card("a", Kind.BASIC, "Q one?", "A one", ("A one",), tags=("t",), note_id="a"),
        Card("a.rev", Kind.BASIC, "A one", "Q one?", ("Q one?",), tags=("t",), note_id="a"),
        Card("b", Kind.BASIC, "Q two?", "A two", ("A two",), tags=("t",), note_id="b"),
        Card("b.rev", Kind.BASIC, "A two", "Q two?", ("Q two?",), tags=("t",), note_id="b"),
        Card("c", Kind.TYPED, "Q three?", "A three", ("A three",), tags=("u",), note_id="c"),
    ]
    assert is_reverse(cards[1]) and not is_reverse(cards[0])
    # Never the card's own note; each note's side once; the same tag first, then the rest.
    assert sorted(distractors(cards[1], cards, random.Random(1))) == ["Q three?", "Q two?"]
    assert sorted(distractors(cards[0], cards, random.Random(1))) == ["A three", "A two"]
    assert distractors(cards[0], cards[:2], random.Random(1)) == ()


def test_skip_leaves_basic_cards_out_and_a_deck_can_choose(
    runner: CliRunner, write_deck, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    deck = write_deck(DECK)
    report = run_quiz(runner, deck, tmp_path, [":s", ""], "--self-graded", "skip", "--seed", "1")
    assert [item["card"] for item in report["items"]] == ["year"]
    only_basic = runner.invoke(
        app, ["quiz", str(deck), "--kinds", "basic", "--self-graded", "skip"], input=""
    )
    assert only_basic.exit_code == 2
    assert "basic cards are left out: --self-graded skip" in only_basic.output
    bad = runner.invoke(app, ["quiz", str(deck), "--self-graded", "never"], input="")
    assert bad.exit_code == 2 and "--self-graded is ask, choice or skip" in bad.output
    chosen = write_deck(
        CHOICE_DECK.replace('title = "Choice"', 'title = "Choice"\nself_graded = "choice"'), "c.toml"
    )
    report = run_quiz(runner, chosen, tmp_path, [":s", ""], "--seed", "1")
    assert {item["kind"] for item in report["items"]} == {"choice", "typed"}
    asked = run_quiz(runner, chosen, tmp_path, [":s", ""], "--seed", "1", "--self-graded", "ask")
    assert "basic" in {item["kind"] for item in asked["items"]}  # the option wins over the deck


def test_a_bad_deck_setting_names_its_line(runner: CliRunner, write_deck) -> None:  # type: ignore[no-untyped-def]
    deck = write_deck(DECK.replace('title = "TTP"', 'title = "TTP"\nself_graded = "sometimes"'))
    result = runner.invoke(app, ["validate", str(deck)])
    assert result.exit_code == 1
    assert f"{deck}:5: error: [deck] self_graded is ask, choice or skip" in result.output


def test_a_question_left_open_when_time_runs_out_records_its_time(write_deck, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    deck = write_deck(
        '[deck]\nid = "two"\ntitle = "Two"\n\n[[cards]]\nid = "a1"\nq = "One?"\na = "x"\ntype = "typed"\n'
        '\n[[cards]]\nid = "a2"\nq = "Two?"\na = "x"\ntype = "typed"\n'
    )
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    # Started and the first question shown at 9:00, answered at 9:01; the second shown at 9:01 and
    # still open at 9:10, long after the deadline at 9:03.
    moments = iter([0, 0, 1, 1])
    out = StringIO()
    env = Environment(
        stdout=Console(file=out, width=80, no_color=True),
        stderr=Console(file=StringIO()),
        stdin=StringIO("x\n"),
        db_path=tmp_path / "p.db",
        clock=lambda: start + timedelta(minutes=next(moments, 10)),
    )
    report = tmp_path / "t.json"
    assert quiz.quiz(env, deck, seed=1, count=2, time_limit=timedelta(minutes=3), report=report) == 0
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["timed_out"] is True
    assert [item["seconds"] for item in data["items"]] == [60.0, 120.0]  # not 0 s: until the deadline
    assert [item["verdict"] for item in data["items"]] == ["right", "unanswered"]


def test_reports_and_history_give_times_in_the_learners_zone(
    runner: CliRunner, write_deck, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("TZ", "Asia/Karachi")
    monkeypatch.setenv("QUIZKIT_NOW", "2026-12-01T22:04:00+00:00")
    deck = write_deck(DECK)
    md = tmp_path / "r.md"
    result = runner.invoke(app, ["quiz", str(deck), "--seed", "1", "--report", str(md)], input=":s\n\n")
    assert result.exit_code == 0, result.output
    assert "- Date: 2026-12-02 03:04 Asia/Karachi\n" in md.read_text(encoding="utf-8")
    data = run_quiz(runner, deck, tmp_path, [":s", ""], "--seed", "1")
    assert data["finished"] == "2026-12-02T03:04:00+05:00" and data["time_zone"] == "Asia/Karachi"
    history = runner.invoke(app, ["history"]).output
    assert "past exams · times in Asia/Karachi" in history and "2026-12-02 03:04" in history
    attempts = json.loads(runner.invoke(app, ["history", "--json"]).output)["attempts"]
    assert {a["finished"] for a in attempts} == {"2026-12-02T03:04:00+05:00"}


def test_history_of_an_unknown_deck_says_so(runner: CliRunner, write_deck, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(app, ["history", "nosuchdeck"])
    assert result.exit_code == 2
    assert "no deck 'nosuchdeck'" in result.output and "No exams yet" not in result.output
    deck = write_deck(DECK)
    known = runner.invoke(app, ["history", str(deck)])
    assert known.exit_code == 0 and "No exams yet" in known.output
    run_quiz(runner, deck, tmp_path, [":s", ""], "--seed", "1")
    deck.unlink()  # exams outlive their deck's file: its id still shows them
    kept = runner.invoke(app, ["history", "ttp"])
    assert kept.exit_code == 0 and "past exams" in kept.output


def test_load_deck_keeps_the_setting_through_the_cache(write_deck, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from quizkit.model import SelfGraded

    deck = write_deck(DECK.replace('title = "TTP"', 'title = "TTP"\nself_graded = "skip"'))
    cache = tmp_path / "cache-dir"
    first = deck_files.load_deck(deck, cache)
    again = deck_files.load_deck(deck, cache)
    assert first.settings.self_graded is SelfGraded.SKIP and again.settings.self_graded is SelfGraded.SKIP


def test_a_mark_given_after_the_deadline_is_not_kept(write_deck, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    deck = write_deck('[deck]\nid = "one"\ntitle = "One"\n\n[[cards]]\nid = "a1"\nq = "One?"\na = "x"\n')
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    # Shown at 9:00, answered at 9:01, marked at 9:10: seven minutes after the deadline at 9:03.
    moments = iter([0, 0, 1])
    env = Environment(
        stdout=Console(file=StringIO(), width=80, no_color=True),
        stderr=Console(file=StringIO()),
        stdin=StringIO("x\nr\n"),
        db_path=tmp_path / "p.db",
        clock=lambda: start + timedelta(minutes=next(moments, 10)),
    )
    report = tmp_path / "t.json"
    assert quiz.quiz(env, deck, seed=1, count=1, time_limit=timedelta(minutes=3), report=report) == 0
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["timed_out"] is True
    assert data["items"][0]["verdict"] == "unanswered"
