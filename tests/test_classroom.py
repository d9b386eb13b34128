"""quizkit class: a simulated class answers an exam under an item-response model, with three
questions planted broken; every figure is recomputed here independently, and exactly the three
planted questions are flagged."""

from __future__ import annotations

import json
import math
import random
import statistics
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from quizkit.cli import app

STUDENTS, QUESTIONS = 200, 40
KEYED_WRONG, TOO_EASY, DEAD_DISTRACTOR = 6, 14, 29  # 0-based: questions 7, 15 and 30
OPTIONS = ("alpha", "bravo", "charlie", "delta")


def simulate(seed: int = 2026, students: int = STUDENTS) -> tuple[list[dict], list[list[float]]]:
    """200 students of ability N(0, 1) answer 40 four-option questions (2PL: P(right) =
    1 / (1 + exp(-a (ability - b)))). Returns their reports and their score matrix."""
    rng = random.Random(seed)
    items = []
    for q in range(QUESTIONS):
        a, b = rng.uniform(0.9, 2.0), rng.uniform(-1.2, 1.2)
        if q == TOO_EASY:
            a, b = 1.5, -5.0
        items.append((a, b))
    reports, matrix = [], []
    for s in range(students):
        ability = rng.gauss(0, 1)
        entries, row = [], []
        for q, (a, b) in enumerate(items):
            knows = rng.random() < 1 / (1 + math.exp(-a * (ability - b)))
            truly = OPTIONS[1] if q == KEYED_WRONG else OPTIONS[0]
            key = OPTIONS[0]  # the key the report gives; wrong for KEYED_WRONG, whose truth is bravo
            if knows:
                picked = truly
            else:
                others = [o for o in OPTIONS if o != truly]
                weights = [0.4, 0.35, 0.25]
                if q == DEAD_DISTRACTOR:
                    others, weights = others[:2], [0.5, 0.5]  # delta: never picked
                picked = rng.choices(others, weights)[0]
            score = 1.0 if picked == key else 0.0
            shown = list(OPTIONS)
            rng.shuffle(shown)
            entries.append(
                {
                    "number": q + 1,
                    "card": f"q{q + 1}",
                    "kind": "choice",
                    "question": f"Question {q + 1}?",
                    "choices": shown,
                    "answer_given": picked,
                    "right_answer": key,
                    "verdict": "right" if score else "wrong",
                    "self_graded": False,
                    "score": score,
                    "seconds": 20.0,
                    "explain": "",
                    "source": "",
                    "tags": ["dates" if q % 2 else "actors"],
                }
            )
            row.append(score)
        reports.append(report(entries, f"2026-12-0{1 + s % 5}T09:{s % 60:02d}:00+00:00"))
        matrix.append(row)
    return reports, matrix


def report(items: list[dict], started: str, seed: int = 7, deck: str = "taliban-pakistan") -> dict:
    right = sum(1 for i in items if i["score"] == 1)
    return {
        "deck": {"id": deck, "title": "The Taliban and Pakistan"},
        "started": started,
        "finished": started,
        "time_zone": "UTC",
        "seed": seed,
        "time_limit_seconds": 1200,
        "timed_out": False,
        "questions": len(items),
        "right": right,
        "self_graded": 0,
        "score": round(100 * right / len(items), 1),
        "pass_mark": 60.0,
        "passed": right / len(items) >= 0.6,
        "by_tag": [],
        "items": items,
    }


def write(folder: Path, reports: list[dict]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for n, data in enumerate(reports):
        (folder / f"student-{n:03d}.json").write_text(json.dumps(data), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def simulated(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, list[list[float]]]:
    reports, matrix = simulate()
    folder = write(tmp_path_factory.mktemp("class") / "reports", reports)
    out = CliRunner().invoke(app, ["class", str(folder), "--json"], env=own_folders(folder.parent))
    assert out.exit_code == 0, out.output
    return json.loads(out.stdout), matrix


def own_folders(folder: Path) -> dict[str, str]:
    """quizkit's folders inside `folder`: a module-scoped fixture runs before conftest's
    pinned_environment, and would otherwise make the machine's own deck-cache key."""
    return {
        "XDG_CONFIG_HOME": str(folder / "config"),
        "XDG_DATA_HOME": str(folder / "data"),
        "XDG_STATE_HOME": str(folder / "state"),
        "XDG_CACHE_HOME": str(folder / "cache"),
        "QUIZKIT_DB": str(folder / "progress.db"),
    }


def test_every_statistic_matches_an_independent_computation(
    simulated: tuple[dict, list[list[float]]],
) -> None:
    figures, matrix = simulated
    scores = np.array(matrix)
    totals = scores.sum(axis=1)
    assert figures["students"] == STUDENTS and len(figures["per_question"]) == QUESTIONS
    # Reliability: KR-20 for 0/1 marks, from its own formula (p q, not the variances).
    p = scores.mean(axis=0)
    kr20 = QUESTIONS / (QUESTIONS - 1) * (1 - (p * (1 - p)).sum() / totals.var())
    assert figures["alpha"] == pytest.approx(kr20, abs=1e-4)
    group = round(0.27 * STUDENTS)
    # The students ranked by total, ties by file name (the name each report goes by).
    names = [f"student-{n:03d}" for n in range(STUDENTS)]
    ranked = sorted(range(STUDENTS), key=lambda i: (-totals[i], names[i]))
    top, bottom = ranked[:group], ranked[-group:]
    for q, row in enumerate(figures["per_question"]):
        column = scores[:, q]
        assert row["facility"] == pytest.approx(column.mean(), abs=1e-4)
        rest = totals - column
        if column.std() > 0:
            r = np.corrcoef(column, rest)[0, 1]
            assert row["point_biserial"] == pytest.approx(r, abs=1e-4)
        assert row["upper_lower"] == pytest.approx(column[top].mean() - column[bottom].mean(), abs=1e-4)
    # The options of the keyed-wrong question, counted from the reports themselves.
    reports, _ = simulate()
    picks = [r["items"][KEYED_WRONG]["answer_given"] for r in reports]
    options = {o["option"]: o for o in figures["per_question"][KEYED_WRONG]["options"]}
    for option in OPTIONS:
        assert options[option]["picked"] == picks.count(option)
        assert options[option]["top"] == sum(1 for i in top if picks[i] == option)
        assert options[option]["bottom"] == sum(1 for i in bottom if picks[i] == option)
    assert [o["right"] for o in figures["per_question"][KEYED_WRONG]["options"]] == [
        True,
        False,
        False,
        False,
    ]
    # Per student and per tag.
    assert [s["score"] for s in figures["per_student"]] == pytest.approx(list(scores.mean(axis=1)), abs=1e-4)
    for tag in figures["per_tag"]:
        columns = [q for q in range(QUESTIONS) if ("dates" if q % 2 else "actors") == tag["tag"]]
        assert tag["mastery"] == pytest.approx(scores[:, columns].mean(), abs=1e-4)
    assert [t["mastery"] for t in figures["per_tag"]] == sorted(t["mastery"] for t in figures["per_tag"])


def test_exactly_the_three_planted_questions_are_flagged(simulated: tuple[dict, list[list[float]]]) -> None:
    figures, _ = simulated
    flagged = {n: row["flags"] for n, row in enumerate(figures["per_question"]) if row["flags"]}
    assert set(flagged) == {KEYED_WRONG, TOO_EASY, DEAD_DISTRACTOR}, flagged
    assert any("negative discrimination" in f for f in flagged[KEYED_WRONG])
    assert any("top group picked distractor 'bravo'" in f for f in flagged[KEYED_WRONG])
    assert any("nearly everyone got it right" in f for f in flagged[TOO_EASY])
    assert flagged[DEAD_DISTRACTOR] == [
        "distractor 'delta' is picked by 0 of 200: it does no work; replace it with a likely mistake"
    ]


def test_malformed_mismatched_and_duplicate_reports_are_named_and_the_rest_count(tmp_path: Path) -> None:
    reports, _ = simulate()
    folder = write(tmp_path / "reports", reports[:30])
    (folder / "broken.json").write_text("{not json", encoding="utf-8")
    (folder / "empty.json").write_text("[]", encoding="utf-8")
    (folder / "copy.json").write_text(json.dumps(reports[3]), encoding="utf-8")
    other = json.loads(json.dumps(reports[4]))
    other["seed"] = 99
    (folder / "other-exam.json").write_text(json.dumps(other), encoding="utf-8")
    bad_score = json.loads(json.dumps(reports[5]))
    bad_score["items"][2]["score"] = "full marks"
    (folder / "bad-score.json").write_text(json.dumps(bad_score), encoding="utf-8")
    (folder / "huge.json").write_bytes(b" " * (5 * 1024 * 1024 + 1))
    out = CliRunner().invoke(app, ["class", str(folder)])
    assert out.exit_code == 0, out.output
    said = " ".join(out.stderr.split())
    assert "broken.json: is not JSON" in said
    assert "empty.json: is not an exam report" in said
    assert (
        "student-003.json: is a copy of" in said and "copy.json (the same exam" in said
    )  # first met is kept
    assert "other-exam.json: is from a different exam (deck taliban-pakistan, seed 99" in said
    assert "bad-score.json: items[2].score is not a mark from 0 to 1" in said
    assert "huge.json: is over 5 MB" in said
    assert "30 students" in " ".join(out.stdout.split())


def test_flagged_questions_name_their_card_and_line_in_the_deck(tmp_path: Path) -> None:
    deck = tmp_path / "exam.toml"
    cards = "".join(
        f'\n[[cards]]\nid = "q{n}"\nq = "Question {n}?"\nchoices = {json.dumps(list(OPTIONS))}\na = "alpha"\n'
        for n in range(1, QUESTIONS + 1)
    )
    deck.write_text('[deck]\nid = "taliban-pakistan-exam"\ntitle = "Exam"\n' + cards, encoding="utf-8")
    reports, _ = simulate()
    folder = write(tmp_path / "reports", reports)
    out = CliRunner().invoke(app, ["class", str(folder), "--deck", str(deck), "--json"])
    assert out.exit_code == 0, out.output
    row = json.loads(out.stdout)["per_question"][KEYED_WRONG]
    line = deck.read_text().splitlines().index('id = "q7"')  # the [[cards]] header is the line before
    assert row["where"] == f"{deck}:{line}"
    screen = CliRunner().invoke(app, ["class", str(folder), "--deck", str(deck)], env={"COLUMNS": "100"})
    flat = " ".join(screen.stdout.split())
    assert f"Q7 q7 ({deck}:{line})" in flat and "questions to look at" in flat


def test_unreadable_reports_only_is_an_error_that_names_them(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text("nope", encoding="utf-8")
    out = CliRunner().invoke(app, ["class", str(tmp_path)])
    assert out.exit_code == 2 and "a.json: is not JSON" in " ".join(out.output.split())
    assert "Traceback" not in out.output
    empty = tmp_path / "none"
    empty.mkdir()
    out = CliRunner().invoke(app, ["class", str(empty)])
    assert out.exit_code == 2 and "no reports found" in out.output


def test_deck_text_in_reports_is_never_markup(tmp_path: Path) -> None:
    reports, _ = simulate()
    for r in reports[:10]:
        r["items"][0]["question"] = "[bold red]Q[/] \x1b]0;owned\x07"
        r["items"][0]["card"] = "q1"
    folder = write(tmp_path / "reports", reports[:10])
    out = CliRunner().invoke(app, ["class", str(folder)], env={"COLUMNS": "120"})
    assert out.exit_code == 0, out.output
    assert "[bold red]Q[/]" in out.stdout  # shown as written, not as markup
    assert "\x1b" not in out.stdout and "\x07" not in out.stdout


def test_the_same_median_as_statistics(simulated: tuple[dict, list[list[float]]]) -> None:
    figures, matrix = simulated
    assert statistics.mean(s["score"] for s in figures["per_student"]) == pytest.approx(
        np.array(matrix).mean(), abs=1e-3
    )


def test_in_a_class_of_30_the_planted_questions_are_still_flagged(tmp_path: Path) -> None:
    reports, _ = simulate(students=30)
    out = CliRunner().invoke(app, ["class", str(write(tmp_path / "r", reports)), "--json"])
    flagged = {n for n, row in enumerate(json.loads(out.stdout)["per_question"]) if row["flags"]}
    assert {KEYED_WRONG, TOO_EASY, DEAD_DISTRACTOR} <= flagged
    # A class this small flags more by chance; each flag still gives its reason in words.
    assert len(flagged) <= 10


EXAM_DECK = """[deck]
id = "exam"
title = "Exam"

[[cards]]
id = "c1"
q = "One?"
choices = ["a", "b", "c"]
a = "a"

[[cards]]
id = "c2"
q = "Two?"
choices = ["a", "b", "c"]
a = "b"
"""


def take(tmp_path: Path, deck: Path, report: Path, answers: str, minute: int, *name: str) -> dict:
    out = CliRunner().invoke(
        app,
        ["quiz", str(deck), "--count", "2", "--seed", "1", "--report", str(report), *name],
        input=answers,
        env={"QUIZKIT_NOW": f"2026-12-09T09:{minute:02d}:00+00:00"},
    )
    assert out.exit_code == 0, out.output
    return json.loads(report.read_text(encoding="utf-8"))


def test_reports_name_the_exam_and_the_deck_by_hash_and_the_student_only_when_given(tmp_path: Path) -> None:
    deck = tmp_path / "exam.toml"
    deck.write_text(EXAM_DECK, encoding="utf-8")
    folder = tmp_path / "reports"
    folder.mkdir()
    ada = take(tmp_path, deck, folder / "ada.json", "1\n2\n\n", 1, "--name", "  Ada   Lovelace ")
    anon = take(tmp_path, deck, folder / "anon.json", "2\n2\n\n", 2)
    assert ada["student"] == "Ada Lovelace" and anon["student"] is None  # no name unless given
    assert ada["exam"]["hash"] == anon["exam"]["hash"] and len(ada["exam"]["hash"]) == 16
    assert ada["deck"]["hash"] == anon["deck"]["hash"]
    import hashlib

    assert ada["deck"]["hash"] == hashlib.sha256(deck.read_bytes()).hexdigest()[:16]
    # The teacher fixes an answer: a report taken since is of another version of the exam.
    deck.write_text(
        EXAM_DECK.replace('choices = ["a", "b", "c"]\na = "a"', 'choices = ["a", "b", "d"]\na = "a"')
    )
    late = take(tmp_path, deck, folder / "late.json", "1\n2\n\n", 3)
    assert late["exam"]["hash"] != ada["exam"]["hash"] and late["deck"]["hash"] != ada["deck"]["hash"]
    out = CliRunner().invoke(app, ["class", str(folder), "--json"])
    figures = json.loads(out.stdout)
    assert [s["name"] for s in figures["per_student"]] == ["Ada Lovelace", "anon"]
    (left,) = figures["left_out"]
    assert left["file"].endswith("late.json") and "another version of the exam" in left["reason"]


# ---------------------------------------------------------------- found in the trial


def test_a_fifo_or_a_folder_among_the_reports_is_named_and_never_waited_on(tmp_path: Path) -> None:
    import os

    reports, _ = simulate()
    folder = write(tmp_path / "reports", reports[:10])
    os.mkfifo(folder / "pipe.json")
    (folder / "folder.json").mkdir()
    out = CliRunner().invoke(app, ["class", str(folder), "--json"])
    assert out.exit_code == 0, out.output
    left = {Path(s["file"]).name: s["reason"] for s in json.loads(out.stdout)["left_out"]}
    assert "not a regular file" in left["pipe.json"] and "not a regular file" in left["folder.json"]
    named = CliRunner().invoke(app, ["class", str(folder / "pipe.json"), str(folder / "student-000.json")])
    assert named.exit_code == 0 and "pipe.json: is not a regular file" in " ".join(named.stderr.split())


def test_a_students_time_is_from_start_to_hand_in(tmp_path: Path) -> None:
    reports, _ = simulate()
    for n, data in enumerate(reports[:10]):
        data["finished"] = f"2026-03-02T09:{10 + n:02d}:30+00:00"
        data["started"] = "2026-03-02T09:00:00+00:00"
        data["items"][0]["seconds"] = 5.0
    folder = write(tmp_path / "reports", reports[:10])
    out = CliRunner().invoke(app, ["class", str(folder), "--json"])
    seconds = sorted(s["seconds"] for s in json.loads(out.stdout)["per_student"])
    assert seconds == [600.0 + 30 + 60 * n for n in range(10)]


def test_two_students_of_one_name_both_count(tmp_path: Path) -> None:
    reports, _ = simulate()
    for data in reports[:10]:
        data["student"] = "Sam Lee"
    folder = write(tmp_path / "reports", reports[:10])
    out = CliRunner().invoke(app, ["class", str(folder), "--json"])
    data = json.loads(out.stdout)
    assert data["students"] == 10 and data["left_out"] == []
    names = [s["name"] for s in data["per_student"]]
    assert len(set(names)) == 10 and all(name.startswith("Sam Lee (student-") for name in names)


def test_the_wrong_deck_for_the_reports_is_said(tmp_path: Path) -> None:
    reports, _ = simulate()
    folder = write(tmp_path / "reports", reports[:10])
    other = tmp_path / "other.toml"
    other.write_text('[deck]\nid = "other"\ntitle = "Other"\n\n[[cards]]\nid = "x"\nq = "Q?"\na = "A"\n')
    out = CliRunner().invoke(app, ["class", str(folder), "--deck", str(other)])
    assert out.exit_code == 0
    assert "has none of this exam's cards" in " ".join(out.stderr.split())
