"""Mock exams, history, cram and studying to an exam date."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from io import StringIO
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from quizkit.app import quiz
from quizkit.app import study as study_use
from quizkit.app.env import Environment
from quizkit.cli import app
from quizkit.core import session
from quizkit.model import Phase, Rating
from quizkit.store.progress import Store

DECK = """
[deck]
id = "exam"
title = "Exam deck"

[[cards]]
id = "kabul"
q = "Year the Taliban took Kabul?"
a = "1996"
type = "typed"
tags = ["dates"]
explain = "September 1996."
source = "Ascendancy"

[[cards]]
id = "leader"
q = "Who led the Taliban?"
choices = ["Mullah Omar", "Baitullah Mehsud", "Hekmatyar"]
a = "Mullah Omar"
tags = ["actors"]
explain = "Omar led from 1994."
source = "Genesis"

[[cards]]
id = "tf"
q = "Support was unconditional."
a = false
tags = ["motives"]

[[cards]]
id = "capital"
q = "Capital of Afghanistan?"
a = "Kabul"
tags = ["places"]
"""


@pytest.fixture
def deck(tmp_path: Path) -> Path:
    path = tmp_path / "exam.toml"
    path.write_text(DECK, encoding="utf-8")
    return path


def quiz_json(runner: CliRunner, deck: Path, tmp_path: Path, answers: list[str], *options: str) -> dict:  # type: ignore[type-arg]
    report = tmp_path / "r.json"
    report.unlink(missing_ok=True)
    result = runner.invoke(
        app, ["quiz", str(deck), "--report", str(report), *options], input="".join(f"{a}\n" for a in answers)
    )
    assert result.exit_code == 0, result.output
    return json.loads(report.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def test_a_seeded_quiz_is_reproducible(runner: CliRunner, deck: Path, tmp_path: Path) -> None:
    first = quiz_json(runner, deck, tmp_path, [], "--seed", "11", "--count", "3")
    again = quiz_json(runner, deck, tmp_path, [], "--seed", "11", "--count", "3")
    other = quiz_json(runner, deck, tmp_path, [], "--seed", "12", "--count", "4")

    def drawn(report: dict) -> list[tuple[str, list[str]]]:  # type: ignore[type-arg]
        return [(item["card"], item["choices"]) for item in report["items"]]

    assert drawn(first) == drawn(again)
    assert len(drawn(first)) == 3
    assert drawn(other) != drawn(first)
    assert sorted(card for card, _ in drawn(other)) == ["capital", "kabul", "leader", "tf"]


def answer_all(report_items: list[dict], right: bool) -> list[str]:  # type: ignore[type-arg]
    """The lines to type, in the drawn order, to get every question right (or wrong): a basic
    card's answer is followed by the learner's own mark."""
    out = []
    for item in report_items:
        if item["kind"] == "choice":
            target = (
                item["right_answer"]
                if right
                else next(c for c in item["choices"] if c != item["right_answer"])
            )
            out.append(str(item["choices"].index(target) + 1))
        elif item["kind"] == "truefalse":
            out.append(("f" if item["right_answer"] == "false" else "t") if right else "t")
        elif item["kind"] == "basic":
            out += [item["right_answer"] if right else "no idea", "r" if right else "w"]
        else:
            out.append(item["right_answer"] if right else "no idea")
    return out


def test_report_fields_json_and_markdown(runner: CliRunner, deck: Path, tmp_path: Path) -> None:
    draw = quiz_json(runner, deck, tmp_path, [], "--seed", "5")
    answers = answer_all(draw["items"][:1], right=False) + answer_all(draw["items"][1:], right=True)
    report = quiz_json(runner, deck, tmp_path, [*answers, ""], "--seed", "5", "--pass", "70", "--time", "30m")
    import hashlib

    assert report["deck"] == {
        "id": "exam",
        "title": "Exam deck",
        "hash": hashlib.sha256(deck.read_bytes()).hexdigest()[:16],
    }
    assert report["student"] is None and len(report["exam"]["hash"]) == 16
    assert report["seed"] == 5
    assert report["time_limit_seconds"] == 1800
    assert report["timed_out"] is False
    assert report["questions"] == 4 and report["right"] == 3
    assert report["score"] == 75.0 and report["pass_mark"] == 70 and report["passed"] is True
    first = report["items"][0]
    assert first["verdict"] == "wrong" and first["score"] == 0
    assert [i["verdict"] for i in report["items"][1:]] == ["right", "right", "right"]
    assert {row["tag"]: (row["questions"], row["score"]) for row in report["by_tag"]} == {
        tag: (1, 0.0 if tag in first["tags"] else 100.0) for tag in ("dates", "actors", "motives", "places")
    }
    assert report["by_tag"][0]["tag"] == first["tags"][0]  # weakest first
    for item in report["items"]:
        assert set(item) == {
            "number",
            "card",
            "kind",
            "question",
            "choices",
            "answer_given",
            "right_answer",
            "verdict",
            "self_graded",
            "score",
            "seconds",
            "explain",
            "source",
            "tags",
        }
    md_path = tmp_path / "r.md"
    runner.invoke(
        app,
        ["quiz", str(deck), "--seed", "5", "--pass", "70", "--report", str(md_path)],
        input="".join(f"{a}\n" for a in [*answers, ""]),
    )
    md = md_path.read_text(encoding="utf-8")
    assert md.startswith("# Exam: Exam deck\n")
    assert "- Score: **75.0%** (3 of 4 right; 1 marked by the learner)" in md
    assert "- Pass mark: 70% — **passed**" in md
    assert f"### 1. {first['question']}" in md
    assert f"- Right answer: {first['right_answer']}" in md
    assert md.count("### ") == 1


def test_unanswered_questions_count_as_wrong_and_pass_mark_fails(
    runner: CliRunner, deck: Path, tmp_path: Path
) -> None:
    report = quiz_json(runner, deck, tmp_path, [":s", ""], "--seed", "1", "--pass", "50")
    assert report["right"] == 0 and report["passed"] is False
    assert {item["verdict"] for item in report["items"]} == {"unanswered"}


def ticking_clock(start: datetime, step: timedelta) -> Iterator[datetime]:
    moment = start
    while True:
        yield moment
        moment += step


def test_the_time_limit_is_enforced_with_an_injected_clock(deck: Path, tmp_path: Path) -> None:
    import random

    from quizkit.core.exam import draw_questions
    from quizkit.io import deck_files

    drawn = draw_questions(deck_files.load_deck(deck), 4, random.Random(3))
    answers = [
        "1" if q.card.kind.value == "choice" else "t" if q.card.kind.value == "truefalse" else "x"
        for q in drawn
    ]
    ticks = ticking_clock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC), timedelta(minutes=1))
    out = StringIO()
    env = Environment(
        stdout=Console(file=out, width=80, no_color=True),
        stderr=Console(file=StringIO()),
        stdin=StringIO("".join(f"{a}\n" for a in answers)),
        db_path=tmp_path / "p.db",
        clock=lambda: next(ticks),
    )
    report = tmp_path / "t.json"
    code = quiz.quiz(env, deck, seed=3, count=4, time_limit=timedelta(minutes=5), report=report)
    assert code == 0
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["timed_out"] is True
    answered = [item for item in data["items"] if item["verdict"] != "unanswered"]
    assert 0 < len(answered) < 4  # the clock ran out part-way
    assert "Time is up" in out.getvalue()
    assert "left" in out.getvalue()  # the countdown in the header


def test_results_are_saved_and_history_shows_trend_and_weak_tags(
    runner: CliRunner, deck: Path, tmp_path: Path
) -> None:
    abandoned = runner.invoke(
        app, ["quiz", str(deck), "--seed", "2", "--report", str(tmp_path / "x.json")], input=":q\n"
    )
    assert "Exam abandoned; nothing was saved." in abandoned.output
    assert not (tmp_path / "x.json").exists()
    zero = quiz_json(runner, deck, tmp_path, [":s", ""], "--seed", "2")
    assert zero["score"] == 0
    full = quiz_json(runner, deck, tmp_path, [*answer_all(zero["items"], right=True), ""], "--seed", "2")
    assert full["score"] == 100
    data = json.loads(runner.invoke(app, ["history", "--json"]).output)
    assert [attempt["score"] for attempt in data["attempts"]] == [100.0, 0.0]  # newest first
    assert {row["tag"]: row["score"] for row in data["tags"]} == dict.fromkeys(
        ("dates", "actors", "motives", "places"), 50.0
    )
    assert all(row["recent_score"] == 50.0 for row in data["tags"])
    table = runner.invoke(app, ["history"]).output
    assert "+100 points since the first" in table
    connection = sqlite3.connect(tmp_path / "progress.db")
    modes = connection.execute("SELECT mode, count(*) FROM reviews GROUP BY mode").fetchall()
    states = connection.execute("SELECT count(*) FROM cards").fetchone()[0]
    connection.close()
    assert modes == [("quiz", 4)]  # answered questions are logged as quiz answers
    assert states == 0  # and the schedule is untouched


def test_update_schedule_feeds_results_in(runner: CliRunner, deck: Path, tmp_path: Path) -> None:
    quiz_json(
        runner,
        deck,
        tmp_path,
        ["no idea", "no idea", "no idea", "no idea", ""],
        "--seed",
        "4",
        "--update-schedule",
    )
    with Store.open(tmp_path / "progress.db") as store:
        states = store.states("exam")
    assert len(states) == 4
    assert all(state.phase is Phase.LEARNING for state in states.values())  # wrong: back in minutes


def test_cram_logs_cram_answers_and_leaves_the_schedule(
    runner: CliRunner, deck: Path, tmp_path: Path
) -> None:
    result = runner.invoke(app, ["cram", str(deck)], input="1\n\n1\n\n1\n\n")
    assert result.exit_code == 0, result.output
    assert "cram · 4 left" in result.output
    connection = sqlite3.connect(tmp_path / "progress.db")
    modes = connection.execute("SELECT DISTINCT mode FROM reviews").fetchall()
    cards = connection.execute("SELECT count(*) FROM cards").fetchone()[0]
    connection.close()
    assert modes == [("cram",)]
    assert cards == 0


def test_exam_date_caps_intervals_over_simulated_weeks(tmp_path: Path) -> None:
    """A learner who answers Good every morning: every card is introduced in time and seen in the last week."""
    body = "".join(f'[[cards]]\nid = "c{i}"\nq = "Q{i}"\na = "A{i}"\n' for i in range(40))
    path = tmp_path / "d.toml"
    path.write_text('[deck]\nid = "d"\ntitle = "D"\nnew_per_day = 1\n' + body, encoding="utf-8")
    exam = date(2026, 3, 22)  # 20 study days: one new card a day would leave half unseen
    env = Environment(Console(file=StringIO()), Console(file=StringIO()), db_path=tmp_path / "p.db")
    start = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    last_seen: dict[str, date] = {}
    with Store.open(tmp_path / "p.db") as store:
        for day in range(20):
            now = start + timedelta(days=day)
            study = study_use.open_study(env, store, [path], now, exam_date=exam)
            while (key := study.session.next(now)) is not None:
                change = study.rate(key, Rating.GOOD, now)
                last_seen[key[1]] = now.date()
                if change.after.phase is Phase.REVIEW and now.date() < exam - timedelta(days=1):
                    assert change.after.due is not None
                    assert change.after.due.date() < exam  # due again by the exam's eve at the latest
                now += timedelta(minutes=11)
    assert len(last_seen) == 40  # every card introduced: the limit was raised to 2 a day
    assert all(seen >= exam - timedelta(days=8) for seen in last_seen.values())


def test_exam_date_raises_the_new_card_limit_when_needed(tmp_path: Path) -> None:
    from quizkit.core.settings import Limits

    limits = session.exam_limits(
        Limits(new_per_day=2), date(2026, 3, 12), date(2026, 3, 2), unseen=50, new_done=0
    )
    assert limits.new_per_day == 5
    assert (
        session.exam_limits(Limits(new_per_day=20), date(2026, 3, 12), date(2026, 3, 2), 50, 0).new_per_day
        == 20
    )


def test_due_shows_the_load_per_day_until_the_exam(runner: CliRunner, deck: Path) -> None:
    result = runner.invoke(app, ["due", str(deck), "--exam-date", "2026-03-09", "--json"])
    assert result.exit_code == 0, result.output
    (row,) = json.loads(result.output)["decks"]
    exam = row["exam"]
    assert exam["date"] == "2026-03-09" and exam["days_left"] == 7
    assert sum(day["new"] for day in exam["days"]) == 4 and exam["unseen_after"] == 0
    assert exam["days"][-1]["reviews"] >= 1  # cards come back before the exam
    text = runner.invoke(app, ["due", str(deck), "--exam-date", "2026-03-09"]).output
    assert "Until the exam on 2026-03-09 (7 days" in text


def test_bad_quiz_options_are_usage_errors(runner: CliRunner, deck: Path, tmp_path: Path) -> None:
    for options, message in [
        (["--time", "soon"], "write a duration like 15m"),
        (["--kinds", "essay"], "--kinds: use"),
        (["--feedback", "never"], "--feedback is end or immediate"),
        (["--report", str(tmp_path / "r.txt")], "ending in .md or .json"),
        (["--tag", "nothing"], "no cards in"),
    ]:
        result = runner.invoke(app, ["quiz", str(deck), *options], input="")
        assert result.exit_code == 2, options
        assert message in result.output, (options, result.output)


@pytest.mark.parametrize("word", ["timeout", "eof", "enter", "space", "ctrl-c", "escape"])
def test_a_typed_answer_that_spells_an_internal_event_is_an_answer(
    runner: CliRunner, tmp_path: Path, word: str
) -> None:
    path = tmp_path / "words.toml"
    path.write_text(
        f'[deck]\nid = "words"\ntitle = "Words"\n\n[[cards]]\nid = "w"\nq = "Type {word}"\na = "{word}"\ntype = "typed"\n',
        encoding="utf-8",
    )
    report = quiz_json(runner, path, tmp_path, [word, ""], "--seed", "1")
    (item,) = report["items"]
    assert (item["answer_given"], item["verdict"]) == (word, "right")


@pytest.mark.parametrize("update_schedule", [False, True])
def test_an_exam_is_saved_whole_or_not_at_all(
    runner: CliRunner, deck: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, update_schedule: bool
) -> None:
    """The exam, its answers and their review-log rows are one transaction: a failure while
    logging the third answer leaves no exam and no answer behind, and a retry saves all of it."""
    answers = ["1996", "1", "f", "Kabul", "r", ""]
    options = ["--seed", "4", *(["--update-schedule"] if update_schedule else [])]
    original = Store.record
    calls: list[int] = []

    def failing(self: Store, answer: object) -> int:
        calls.append(1)
        if len(calls) == 3:
            raise sqlite3.OperationalError("disk I/O error (injected)")
        return original(self, answer)  # type: ignore[arg-type]

    monkeypatch.setattr(Store, "record", failing)
    failed = runner.invoke(app, ["quiz", str(deck), *options], input="".join(f"{a}\n" for a in answers))
    assert failed.exit_code != 0
    db = tmp_path / "progress.db"
    counts = "SELECT (SELECT count(*) FROM quizzes), (SELECT count(*) FROM quiz_answers), (SELECT count(*) FROM reviews), (SELECT count(*) FROM cards)"
    connection = sqlite3.connect(db)
    assert connection.execute(counts).fetchone() == (0, 0, 0, 0)
    connection.close()

    monkeypatch.setattr(Store, "record", original)
    report = quiz_json(runner, deck, tmp_path, answers, *options)
    connection = sqlite3.connect(db)
    quizzes, quiz_answers, reviews, _ = connection.execute(counts).fetchone()
    connection.close()
    logged = [item for item in report["items"] if update_schedule or item["answer_given"] is not None]
    assert (quizzes, quiz_answers, reviews) == (1, report["questions"], len(logged))
    assert reviews >= 3
