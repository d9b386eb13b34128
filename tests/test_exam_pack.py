"""quizkit exam-pack and quizkit quiz EXAM.toml: one exam file, the same exam for a whole class."""

from __future__ import annotations

import json
import os
import random
import sqlite3
import tomllib
from contextlib import closing
from pathlib import Path

import pytest
from typer.testing import CliRunner

from quizkit.cli import app
from quizkit.core.exam import draw_questions
from quizkit.io.deck_parse import parse_valid
from quizkit.io.exam_pack import read_exam
from quizkit.model import SelfGraded

EVERY_KIND = """
[deck]
id = "every-kind"
title = "Every kind [bold]of[/bold] card"

[[cards]]
id = "capital"
q = "Capital of Afghanistan?"
a = "Kabul"
reverse = true
tags = ["places"]

[[cards]]
id = "pass"
q = "The pass between Peshawar and Kabul?"
a = "Khyber Pass"
accept = ["the Khyber", "Khyber"]
tags = ["places"]
explain = "It crosses the Spin Ghar."

[[cards]]
id = "exact-year"
type = "typed"
q = "Year the Taliban took Kabul?"
a = "1996"
exact = true
tags = ["dates"]

[[cards]]
id = "leader"
q = "Who led the Taliban?"
choices = ["Mullah Omar", "Baitullah Mehsud", "Hekmatyar", "Massoud"]
a = "Mullah Omar"
tags = ["actors"]
source = "Genesis"

[[cards]]
id = "neighbours"
q = "Which border Afghanistan? Select all that apply."
choices = ["Pakistan", "Iran", "India", "Turkey"]
a = ["Pakistan", "Iran"]
tags = ["places"]

[[cards]]
id = "tf"
q = "Support was unconditional."
a = false
tags = ["motives"]

[[cards]]
id = "durand"
cloze = "The {{Durand Line|Durand}} was drawn in {{1893::a year}}."
tags = ["dates"]

[[cards]]
id = "events"
q = "Put these in order, earliest first."
order = ["Soviet withdrawal", "Taliban take Kabul", "9/11", "TTP formed"]
tags = ["dates"]

[[cards]]
id = "leader-2"
q = "Who founded the TTP?"
a = "Baitullah Mehsud"
tags = ["actors"]
"""


@pytest.fixture
def deck(tmp_path: Path) -> Path:
    folder = tmp_path / "teacher"
    folder.mkdir()
    path = folder / "every.toml"
    path.write_text(EVERY_KIND, encoding="utf-8")
    return path


def pack(runner: CliRunner, deck: Path, out: Path, *options: str) -> str:
    result = runner.invoke(app, ["exam-pack", str(deck), "-o", str(out), *options])
    assert result.exit_code == 0, result.output
    return result.output


def take(
    runner: CliRunner, exam: Path, report: Path, answers: list[str], *options: str, minute: int = 0
) -> dict:  # type: ignore[type-arg]
    """A student's sitting (at its own minute: two sittings alike at the same moment are copies)."""
    result = runner.invoke(
        app,
        ["quiz", str(exam), "--report", str(report), *options],
        input="".join(f"{a}\n" for a in answers),
        env={"QUIZKIT_NOW": f"2026-03-02T09:{minute:02d}:00+00:00"},
    )
    assert result.exit_code == 0, result.output
    return json.loads(report.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def asked(items: list[dict]) -> list[tuple[str, str, str, list[str]]]:  # type: ignore[type-arg]
    return [(i["card"], i["kind"], i["question"], i["choices"]) for i in items]


def test_the_exam_file_asks_exactly_what_the_seed_drew(runner: CliRunner, deck: Path, tmp_path: Path) -> None:
    """The file fixes the exam `quiz --seed` would give: the same questions, order and options."""
    options = ["--count", "7", "--seed", "41", "--time", "20m", "--pass", "70"]
    exam = tmp_path / "class" / "exam.toml"
    exam.parent.mkdir()
    out = pack(runner, deck, exam, *options)
    assert "7 questions" in out and "seed 41" in out and "20m" in out and "pass mark 70%" in out
    assert 'quizkit quiz exam.toml --name "Your Name" --report your-name.json' in out
    direct = take(runner, deck, tmp_path / "direct.json", [], *options)
    packed = take(runner, exam, tmp_path / "packed.json", [], "--name", "Ann")
    assert asked(packed["items"]) == asked(direct["items"])
    assert [i["right_answer"] for i in packed["items"]] == [i["right_answer"] for i in direct["items"]]
    assert (packed["seed"], packed["time_limit_seconds"], packed["pass_mark"]) == (41, 1200.0, 70.0)
    assert packed["deck"]["id"] == "every-kind-exam-41" and packed["student"] == "Ann"
    # The deck named by its content: the teacher's deck, not the exam file.
    assert packed["deck"]["hash"] == direct["deck"]["hash"]
    written = tomllib.loads(exam.read_text(encoding="utf-8"))["exam"]
    assert packed["exam"]["hash"] == written["hash"]


def test_every_kind_of_question_survives_the_file(deck: Path, tmp_path: Path) -> None:
    """Each kind written and read back asks and grades the same: cloze as typed (its
    alternatives kept), a reverse side, a basic card drawn as multiple choice, an order card's
    shuffled items from [exam.shown]."""
    runner = CliRunner()
    for self_graded in ("ask", "choice"):
        exam = tmp_path / f"exam-{self_graded}.toml"
        pack(runner, deck, exam, "--count", "50", "--seed", "3", "--self-graded", self_graded)
        drawn = draw_questions(
            parse_valid(deck.read_text(encoding="utf-8"), str(deck)),
            50,
            random.Random(3),
            self_graded=SelfGraded(self_graded),
        )
        sitting = read_exam(exam)
        assert len(sitting.questions) == len(drawn) == 11
        for was, now in zip(drawn, sitting.questions, strict=True):
            assert now.key == ("every-kind-exam-3", was.key[1])
            assert (now.card.kind, now.card.prompt, now.card.answer) == (
                was.card.kind,
                was.card.prompt,
                was.card.answer,
            )
            assert set(now.card.accept) == set(was.card.accept) and now.card.exact == was.card.exact
            assert now.shown == was.shown
            assert (now.card.tags, now.card.explain, now.card.source) == (
                was.card.tags,
                was.card.explain,
                was.card.source,
            )
        kinds = {q.key[1]: q.card.kind.value for q in sitting.questions}
        assert kinds["durand.c1"] == "typed" and kinds["capital.rev"] == (
            "basic" if self_graded == "ask" else "choice"
        )
        assert kinds["events"] == "order"
        assert sitting.hash == sitting.written_hash and not sitting.warnings
    # Grading: the cloze's alternative and the typed card's accepted answer count as right.
    exam = tmp_path / "exam-ask.toml"
    numbers = {q.key[1]: n for n, q in enumerate(read_exam(exam).questions, 1)}
    answers = {"durand.c1": "Durand", "pass": "the Khyber", "exact-year": "1996", "tf": "f"}
    script: list[str] = []
    for card_id, number in sorted(numbers.items(), key=lambda pair: pair[1]):
        if card_id in answers:
            script += [f":g {number}", answers[card_id]]
    report = take(runner, exam, tmp_path / "graded.json", [*script, ":s", ""])
    verdicts = {i["card"]: i["verdict"] for i in report["items"]}
    assert all(verdicts[card] == "right" for card in answers), verdicts


def test_two_students_sit_the_same_exam_and_the_class_reads_them_together(
    runner: CliRunner, deck: Path, tmp_path: Path
) -> None:
    exam = tmp_path / "exam.toml"
    pack(runner, deck, exam, "--count", "6", "--seed", "8", "--time", "15m")
    reports = tmp_path / "reports"
    reports.mkdir()
    hashes = set()
    for number, name in enumerate(["Ann", "Bo", "Cy", "Di", "Ed"]):
        data = take(runner, exam, reports / f"{name}.json", ["1"] * 6, "--name", name, minute=number)
        hashes.add(data["exam"]["hash"])
    assert len(hashes) == 1
    result = runner.invoke(app, ["class", str(reports), "--deck", str(deck), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["students"] == 5 and data["left_out"] == []
    assert sorted(s["name"] for s in data["per_student"]) == ["Ann", "Bo", "Cy", "Di", "Ed"]
    lines = {q["card"]: q["where"] for q in data["per_question"]}
    # Each question names its place in the teacher's deck: a reverse side its note's line.
    text = deck.read_text(encoding="utf-8").splitlines()
    for card, where in lines.items():
        file, _, line = where.rpartition(":")
        assert file == str(deck)
        note = card.split(".")[0]
        assert text[int(line) - 1] == "[[cards]]" and f'id = "{note}"' in text[int(line)]


@pytest.mark.parametrize(
    "option",
    [
        ["--count", "3"],
        ["--seed", "1"],
        ["--time", "5m"],
        ["--pass", "50"],
        ["--tag", "dates"],
        ["--kinds", "choice"],
        ["--self-graded", "choice"],
        ["--feedback", "immediate"],
        ["--update-schedule"],
    ],
)
def test_what_the_exam_file_fixes_cannot_be_changed(
    runner: CliRunner, deck: Path, tmp_path: Path, option: list[str]
) -> None:
    exam = tmp_path / "exam.toml"
    pack(runner, deck, exam, "--count", "4", "--seed", "2")
    result = runner.invoke(app, ["quiz", str(exam), *option], input=":s\n\n")
    assert result.exit_code == 2
    assert "is an exam file" in result.output and option[0] in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "progress.db").exists() or not _exams(tmp_path / "progress.db")


def _exams(db: Path) -> int:
    with closing(sqlite3.connect(db)) as connection:
        tables = {row[0] for row in connection.execute("select name from sqlite_master")}
        return connection.execute("select count(*) from quizzes").fetchone()[0] if "quizzes" in tables else 0  # type: ignore[no-any-return]


def test_without_a_report_the_student_is_told_before_the_first_question(
    runner: CliRunner, deck: Path, tmp_path: Path
) -> None:
    exam = tmp_path / "exam.toml"
    pack(runner, deck, exam, "--count", "2", "--seed", "2")
    result = runner.invoke(app, ["quiz", str(exam)], input=":s\n\n")
    assert result.exit_code == 0
    assert result.output.index("No --report") < result.output.index("question 1 of 2")


def test_an_edited_exam_file_warns_and_is_another_version_to_the_class(
    runner: CliRunner, deck: Path, tmp_path: Path
) -> None:
    exam = tmp_path / "exam.toml"
    pack(runner, deck, exam, "--count", "5", "--seed", "4")
    reports = tmp_path / "reports"
    reports.mkdir()
    for minute, name in enumerate(["Ann", "Bo", "Cy", "Di", "Ed"]):
        take(runner, exam, reports / f"{name}.json", ["1"] * 5, "--name", name, minute=minute)
    text = exam.read_text(encoding="utf-8")
    first_q = next(line for line in text.splitlines() if line.startswith("q = "))
    exam.write_text(text.replace(first_q, first_q[:-1] + ' (edited)"', 1), encoding="utf-8")
    result = runner.invoke(app, ["validate", str(exam)])
    assert result.exit_code == 0 and "changed after quizkit exam-pack made it" in result.output
    hash_line = next(
        n for n, line in enumerate(exam.read_text().splitlines(), 1) if line.startswith("hash = ")
    )
    assert f"exam.toml:{hash_line}: warning" in result.output
    late = runner.invoke(
        app, ["quiz", str(exam), "--name", "Flo", "--report", str(reports / "Flo.json")], input="1\n" * 5
    )
    assert late.exit_code == 0 and "changed after quizkit exam-pack made it" in late.output
    result = runner.invoke(app, ["class", str(reports), "--json"])
    data = json.loads(result.stdout)
    assert data["students"] == 5
    assert [s["file"] for s in data["left_out"]] == [str(reports / "Flo.json")]
    assert "another version of the exam" in data["left_out"][0]["reason"]


def test_exam_pack_never_overwrites_a_deck_or_packs_an_exam_file(
    runner: CliRunner, deck: Path, tmp_path: Path
) -> None:
    before = deck.read_bytes()
    result = runner.invoke(app, ["exam-pack", str(deck), "-o", str(deck)])
    assert result.exit_code != 0 and "not an exam file" in result.output
    assert deck.read_bytes() == before
    other = tmp_path / "notes.md"
    result = runner.invoke(app, ["exam-pack", str(deck), "-o", str(other)])
    assert result.exit_code != 0 and ".toml" in result.output and not other.exists()
    exam = tmp_path / "exam.toml"
    pack(runner, deck, exam, "--count", "3", "--seed", "1")
    pack(runner, deck, exam, "--count", "4", "--seed", "2", "--replace")  # an exam file is made again
    assert len(read_exam(exam).questions) == 4
    result = runner.invoke(app, ["exam-pack", str(exam), "-o", str(tmp_path / "again.toml")])
    assert result.exit_code != 0 and "already an exam file" in result.output
    assert "Traceback" not in result.output


def test_the_same_arguments_write_the_same_file(runner: CliRunner, deck: Path, tmp_path: Path) -> None:
    """An exam file diffs cleanly: nothing in it changes from one packing to the next."""
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        pack(runner, deck, tmp_path / name / "exam.toml", "--count", "6", "--seed", "9", "--pass", "60")
    assert (tmp_path / "a" / "exam.toml").read_bytes() == (tmp_path / "b" / "exam.toml").read_bytes()


@pytest.mark.parametrize(
    ("old", "new", "message", "key"),
    [
        ("format = 1", "format = 2", "made by a newer quizkit", "format"),
        ('feedback = "end"', 'feedback = "sometimes"', "feedback is 'end' or 'immediate'", "feedback"),
        ("seed = 5", "seeds = 5", "did you mean 'seed'?", "seeds"),
        ('feedback = "end"', 'feedback = "end"\ntime_limit = "3 weeks"', "write a duration", "time_limit"),
        ('feedback = "end"', 'feedback = "end"\npass_mark = 170', "from 0 to 100", "pass_mark"),
    ],
)
def test_a_broken_exam_table_is_an_error_at_its_line(
    runner: CliRunner, deck: Path, tmp_path: Path, old: str, new: str, message: str, key: str
) -> None:
    exam = tmp_path / "exam.toml"
    pack(runner, deck, exam, "--count", "3", "--seed", "5")
    text = exam.read_text(encoding="utf-8")
    assert old in text
    text = text.replace(old, new, 1)
    exam.write_text(text, encoding="utf-8")
    line = next(n for n, row in enumerate(text.splitlines(), 1) if row.startswith(f"{key} ="))
    for command in (["validate", str(exam)], ["quiz", str(exam)]):
        result = runner.invoke(app, command, input=":s\n\n")
        assert result.exit_code != 0, result.output
        assert f"exam.toml:{line}:" in result.output and message in result.output
        assert "Traceback" not in result.output


def test_an_order_card_shows_its_items_as_the_file_says(
    runner: CliRunner, deck: Path, tmp_path: Path
) -> None:
    exam = tmp_path / "exam.toml"
    pack(runner, deck, exam, "--count", "50", "--seed", "6", "--kinds", "order")
    text = exam.read_text(encoding="utf-8")
    data = tomllib.loads(text)
    shown = data["exam"]["shown"]["events"]
    assert sorted(shown) == sorted(data["cards"][0]["order"]) and shown != data["cards"][0]["order"]
    report = take(runner, exam, tmp_path / "r.json", [])
    assert report["items"][0]["choices"] == shown
    # Shown items that are not the card's: an error at the card's line in [exam.shown].
    exam.write_text(text.replace('"9/11"', '"7/7"', 1), encoding="utf-8")
    result = runner.invoke(app, ["validate", str(exam)])
    assert result.exit_code == 1 and "must list the card's items" in result.output
    # Left out, the order is shuffled from the seed: the same for every student.
    exam.write_text(text.split("[exam.shown]")[0] + "[deck]" + text.split("[deck]", 1)[1], encoding="utf-8")
    one = take(runner, exam, tmp_path / "1.json", [])
    two = take(runner, exam, tmp_path / "2.json", [])
    assert one["items"][0]["choices"] == two["items"][0]["choices"]
    assert sorted(one["items"][0]["choices"]) == sorted(shown)


def map_deck(tmp_path: Path, picture: str) -> Path:
    """A teacher's deck of one typed card showing a picture at `picture` (beside the deck)."""
    from test_pictures import png

    folder = tmp_path / "teacher"
    png(folder / picture, 8, 6)
    deck = folder / "maps.toml"
    deck.write_text(
        '[deck]\nid = "maps"\ntitle = "Maps"\n\n[[cards]]\nid = "k"\nq = "Which city?"\na = "Kabul"\n'
        f'type = "typed"\nimage = "{picture}"\nimage_alt = "a map of a city"\n',
        encoding="utf-8",
    )
    return deck


def test_pictures_are_copied_beside_the_exam_file(runner: CliRunner, tmp_path: Path) -> None:
    from test_pictures import png

    deck = map_deck(tmp_path, "maps/kabul.png")
    folder = deck.parent
    handout = tmp_path / "handout"
    handout.mkdir()
    out = pack(runner, deck, handout / "exam.toml", "--seed", "1")
    assert "maps/kabul.png" in out
    assert (handout / "maps" / "kabul.png").read_bytes() == (folder / "maps" / "kabul.png").read_bytes()
    assert runner.invoke(app, ["validate", str(handout / "exam.toml")]).exit_code == 0
    report = take(runner, handout / "exam.toml", tmp_path / "r.json", ["Kabul"])
    assert report["items"][0]["verdict"] == "right"
    # A different file already there: refused before anything is written.
    png(handout / "maps" / "kabul.png", 3, 3, (0, 0, 255))
    before = (handout / "exam.toml").read_bytes()
    result = runner.invoke(app, ["exam-pack", str(deck), "-o", str(handout / "exam.toml"), "--seed", "2"])
    assert result.exit_code != 0 and "is not the deck's maps/kabul.png" in result.output
    assert (handout / "exam.toml").read_bytes() == before


def test_taking_an_exam_file_leaves_the_review_schedule_alone(
    runner: CliRunner, deck: Path, tmp_path: Path
) -> None:
    exam = tmp_path / "exam.toml"
    pack(runner, deck, exam, "--count", "5", "--seed", "3")
    take(runner, exam, tmp_path / "r.json", ["1"] * 5)
    with closing(sqlite3.connect(tmp_path / "progress.db")) as connection:
        assert connection.execute("select count(*) from quizzes").fetchone()[0] == 1
        assert connection.execute("select count(*) from cards").fetchone()[0] == 0
    history = runner.invoke(app, ["history", "every-kind-exam-3", "--json"])
    assert history.exit_code == 0 and len(json.loads(history.stdout)["attempts"]) == 1


def test_an_exam_file_beside_its_deck_neither_clashes_with_it_nor_shares_its_progress(
    runner: CliRunner, deck: Path
) -> None:
    exam = deck.parent / "exam.toml"
    pack(runner, deck, exam, "--count", "3", "--seed", "12")
    result = runner.invoke(app, ["validate", str(deck.parent)])
    assert result.exit_code == 0, result.output
    assert "every-kind-exam-12" in result.output and "share" not in result.output


# ---------------------------------------------------------------- found in the trial


def test_an_exam_file_is_known_by_its_toml_not_by_a_line_that_looks_like_one(
    runner: CliRunner, tmp_path: Path, deck: Path
) -> None:
    # "[exam]" inside a multi-line string: an ordinary deck.
    lookalike = tmp_path / "ml.toml"
    lookalike.write_text(
        '[deck]\nid = "ml"\ntitle = "M"\n[[cards]]\nid = "x1"\ntype = "typed"\na = "t"\nq = """x\n[exam]\ny"""\n',
        encoding="utf-8",
    )
    result = runner.invoke(app, ["quiz", str(lookalike), "--count", "1"], input="t\n\n")
    assert result.exit_code == 0, result.output
    assert runner.invoke(app, ["exam-pack", str(lookalike), "-o", str(tmp_path / "e.toml")]).exit_code == 0
    # An exam table written another way is an exam file all the same.
    exam = tmp_path / "exam.toml"
    pack(runner, deck, exam, "--count", "3", "--seed", "5")
    text = exam.read_text(encoding="utf-8")
    for form in ('["exam"]', "[ exam ]"):
        other = tmp_path / "other.toml"
        other.write_text(text.replace("[exam]\n", form + "\n", 1), encoding="utf-8")
        result = runner.invoke(app, ["quiz", str(other), "--count", "2"])
        assert result.exit_code == 2 and "is an exam file" in result.output, form
    # Named by its id, from the decks folder.
    decks = tmp_path / "decks"
    decks.mkdir()
    (decks / "exam.toml").write_text(text, encoding="utf-8")
    config = Path(os.environ["XDG_CONFIG_HOME"]) / "quizkit"
    config.mkdir(parents=True, exist_ok=True)
    (config / "config.toml").write_text(f'deck_folders = ["{decks}"]\n', encoding="utf-8")
    result = runner.invoke(app, ["quiz", "every-kind-exam-5", "--count", "2"])
    assert result.exit_code == 2 and "is an exam file" in result.output


def test_pictures_that_cannot_be_copied_stop_the_exam_before_anything_is_written(
    runner: CliRunner, tmp_path: Path
) -> None:
    deck = map_deck(tmp_path, "img/map.png")
    blocked = {
        "a file where the folder goes": lambda out: (out / "img").write_text("x"),
        "a folder where the picture goes": lambda out: (out / "img" / "map.png").mkdir(parents=True),
        "a FIFO where the picture goes": lambda out: (
            (out / "img").mkdir(),
            os.mkfifo(out / "img" / "map.png"),
        ),
    }
    for what, block in blocked.items():
        out = tmp_path / what.replace(" ", "-")
        out.mkdir()
        block(out)
        result = runner.invoke(app, ["exam-pack", str(deck), "-o", str(out / "exam.toml"), "--seed", "1"])
        assert result.exit_code == 2, (what, result.output)
        assert "img" in result.output and "Traceback" not in result.output, what
        assert not (out / "exam.toml").exists(), what


@pytest.mark.parametrize("seed", ["99999999999999999999", "-5"])
def test_a_seed_out_of_range_is_an_error_at_its_line(
    runner: CliRunner, deck: Path, tmp_path: Path, seed: str
) -> None:
    exam = tmp_path / "exam.toml"
    pack(runner, deck, exam, "--count", "3", "--seed", "5")
    exam.write_text(exam.read_text(encoding="utf-8").replace("seed = 5", f"seed = {seed}"), encoding="utf-8")
    result = runner.invoke(app, ["validate", str(exam)])
    assert result.exit_code == 1 and "exam.toml:10: error: [exam] seed" in result.output, result.output
    result = runner.invoke(app, ["quiz", str(exam)], input="1\n" * 3 + "\n")
    assert result.exit_code == 1 and "[exam] seed" in result.output


def test_packing_again_over_an_exam_file_asks_for_replace(
    runner: CliRunner, deck: Path, tmp_path: Path
) -> None:
    exam = tmp_path / "exam.toml"
    pack(runner, deck, exam, "--count", "3", "--seed", "5")
    first = exam.read_bytes()
    # The same exam again: nothing changes, and it says so.
    assert "unchanged" in pack(runner, deck, exam, "--count", "3", "--seed", "5")
    result = runner.invoke(app, ["exam-pack", str(deck), "-o", str(exam), "--count", "3", "--seed", "6"])
    assert result.exit_code == 2 and "--replace" in result.output and "seed 5" in result.output
    assert exam.read_bytes() == first
    out = pack(runner, deck, exam, "--count", "3", "--seed", "6", "--replace")
    assert "replaced" in out and exam.read_bytes() != first


def test_with_immediate_feedback_a_shown_answer_is_final_on_screen_too(
    runner: CliRunner, deck: Path, tmp_path: Path
) -> None:
    exam = tmp_path / "exam.toml"
    options = ["--count", "1", "--seed", "5", "--kinds", "truefalse", "--feedback", "immediate"]
    pack(runner, deck, exam, *options)
    result = runner.invoke(app, ["quiz", str(exam)], input="f\n:g 1\nt\n:s\n\n")
    assert result.exit_code == 0
    assert "type another to change it" not in result.output
    assert "your answer: f (final: its answer was shown)" in result.output
    assert "already answered" in result.output


def test_an_exam_file_without_questions_is_an_error(runner: CliRunner, tmp_path: Path) -> None:
    empty = tmp_path / "z.toml"
    empty.write_text('[exam]\nformat = 1\nseed = 1\n[deck]\nid = "z"\ntitle = "Z"\n', encoding="utf-8")
    for command in (["validate", str(empty)], ["quiz", str(empty)]):
        result = runner.invoke(app, command)
        assert result.exit_code == 1 and "z.toml:1: error: an exam file needs questions" in result.output


def test_fewer_cards_than_asked_for_is_said(runner: CliRunner, deck: Path, tmp_path: Path) -> None:
    out = pack(runner, deck, tmp_path / "exam.toml", "--count", "50", "--seed", "5", "--kinds", "choice")
    assert "only 1 card matches" in out


def test_a_name_keeps_no_control_characters(runner: CliRunner, deck: Path, tmp_path: Path) -> None:
    report = take(
        runner, deck, tmp_path / "r.json", [], "--count", "1", "--name", "Ann\x1b[31m\x07 Lee\u202e"
    )
    assert report["student"] == "Ann[31m Lee"


def test_a_student_without_the_pictures_is_told_before_the_first_question(
    runner: CliRunner, tmp_path: Path
) -> None:
    deck = map_deck(tmp_path, "img/map.png")
    handout = tmp_path / "handout"
    handout.mkdir()
    pack(runner, deck, handout / "exam.toml", "--seed", "1")
    assert "hand out img/map.png with it" in (handout / "exam.toml").read_text(encoding="utf-8")
    student = tmp_path / "student"
    student.mkdir()
    (student / "exam.toml").write_bytes((handout / "exam.toml").read_bytes())
    result = runner.invoke(app, ["quiz", str(student / "exam.toml")], input="Kabul\n\n")
    assert result.exit_code == 0
    said = " ".join(result.output.split())
    assert said.index("picture not found") < said.index("question 1 of 1")
