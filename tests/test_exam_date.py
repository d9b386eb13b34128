"""A deck's exam date, remembered (issue 14, item 10), and honest mastery (item 11).

`quizkit exam-date DECK [DATE]` and `--exam-date` on review and due keep the date in the
progress store; review, due, the dashboard and stats use it. The command-line option wins over
the remembered date, which wins over the deck file's `exam_date`. A date in the past is refused;
a remembered one that has since passed is shown as past and no longer caps intervals.

Mastery by tag shows, next to accuracy and true retention, the recall FSRS predicts on the exam
day (or 30 days ahead) along the reviews until then, cards not studied yet counting as 0.
"""

from __future__ import annotations

import json
import math
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from quizkit.cli import app
from quizkit.core import scheduler
from quizkit.core.scheduler import SchedulerConfig
from quizkit.io import deck_files
from quizkit.store.progress import Store

NOW = "2026-03-02T09:00:00+00:00"  # conftest's clock: Monday 2 March 2026, UTC


def _deck_text(exam: str | None = None, cards: int = 3) -> str:
    head = '[deck]\nid = "d"\ntitle = "Dates deck"\nnew_per_day = 10\n'
    if exam:
        head += f"exam_date = {exam}\n"
    tags = ("early", "late", "late")
    return head + "".join(
        f'\n[[cards]]\nid = "c{i}"\nq = "Question {i}"\na = "Answer {i}"\ntags = ["{tags[i % 3]}"]\n'
        for i in range(cards)
    )


@pytest.fixture(autouse=True)
def only_this_deck(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The dashboard and a bare `due` know only the decks of each test, not the bundled ones."""
    empty = tmp_path / "no-bundled-decks"
    empty.mkdir()
    monkeypatch.setattr(deck_files, "bundled_decks_dir", lambda: empty)


@pytest.fixture
def deck(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "decks"
    folder.mkdir()
    path = folder / "d.toml"
    path.write_text(_deck_text(), encoding="utf-8")
    config = tmp_path / "config.toml"
    config.write_text(f'deck_folders = ["{folder}"]\n', encoding="utf-8")
    monkeypatch.setenv("QUIZKIT_CONFIG", str(config))
    return path


def run(runner: CliRunner, *args: str, now: str = NOW, lines: str | None = None) -> Any:
    result = runner.invoke(app, list(args), input=lines, env={"QUIZKIT_NOW": now})
    assert "Traceback" not in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


def exam_json(runner: CliRunner, deck: Path, now: str = NOW) -> dict[str, Any]:
    result = run(runner, "exam-date", str(deck), "--json", now=now)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def due_exam(runner: CliRunner, deck: Path, *options: str, now: str = NOW) -> str | None:
    result = run(runner, "due", str(deck), "--json", *options, now=now)
    assert result.exit_code == 0, result.output
    (row,) = json.loads(result.stdout)["decks"]
    return None if row.get("exam") is None else str(row["exam"]["date"])


# ---------------------------------------------------------------- remembered


def test_review_exam_date_is_remembered(runner: CliRunner, deck: Path) -> None:
    assert due_exam(runner, deck) is None
    result = run(runner, "review", str(deck), "--exam-date", "2026-03-20", lines="q\n")
    assert result.exit_code == 0, result.output
    assert due_exam(runner, deck) == "2026-03-20"  # no option: the remembered date
    assert exam_json(runner, deck)["exam_date"] == "2026-03-20"


def test_due_exam_date_is_remembered(runner: CliRunner, deck: Path) -> None:
    assert due_exam(runner, deck, "--exam-date", "2026-03-09") == "2026-03-09"
    assert due_exam(runner, deck) == "2026-03-09"


def test_exam_date_command_sets_shows_and_clears(runner: CliRunner, deck: Path) -> None:
    shown = run(runner, "exam-date", str(deck))
    assert shown.exit_code == 0, shown.output
    assert shown.stdout == ("Dates deck: no exam date set. Set one with: quizkit exam-date DECK YYYY-MM-DD\n")

    result = run(runner, "exam-date", str(deck), "2026-03-14")
    assert result.exit_code == 0, result.output
    assert result.stdout == "Dates deck: exam in 12 days, 2026-03-14 (remembered)\n"
    assert run(runner, "exam-date", str(deck)).stdout == "Dates deck: exam in 12 days, 2026-03-14\n"
    assert exam_json(runner, deck) == {
        "deck": "d",
        "title": "Dates deck",
        "exam_date": "2026-03-14",
        "source": "remembered",
        "days_left": 12,
        "past": False,
        "remembered": "2026-03-14",
        "deck_file": None,
    }

    cleared = run(runner, "exam-date", str(deck), "--clear")
    assert cleared.exit_code == 0, cleared.output
    assert cleared.stdout == "Dates deck: forgot the exam date 2026-03-14\n"
    assert exam_json(runner, deck)["exam_date"] is None
    again = run(runner, "exam-date", str(deck), "--clear")
    assert again.exit_code == 0 and again.stdout == "Dates deck: no exam date was remembered\n"


def test_exam_date_with_clear_is_a_usage_error(runner: CliRunner, deck: Path) -> None:
    result = run(runner, "exam-date", str(deck), "2026-03-14", "--clear")
    assert result.exit_code == 2
    assert "either a DATE or --clear" in result.output


def test_precedence_option_then_remembered_then_deck_file(runner: CliRunner, deck: Path) -> None:
    deck.write_text(_deck_text(exam="2026-04-01"), encoding="utf-8")
    assert due_exam(runner, deck) == "2026-04-01"  # the deck file
    assert exam_json(runner, deck)["source"] == "deck"
    assert run(runner, "exam-date", str(deck), "2026-03-20").exit_code == 0
    assert due_exam(runner, deck) == "2026-03-20"  # remembered beats the file
    got = exam_json(runner, deck)
    assert (got["source"], got["deck_file"]) == ("remembered", "2026-04-01")
    assert due_exam(runner, deck, "--exam-date", "2026-03-15") == "2026-03-15"  # the option wins
    assert due_exam(runner, deck) == "2026-03-15"  # ... and is remembered
    run(runner, "exam-date", str(deck), "--clear")
    assert due_exam(runner, deck) == "2026-04-01"  # forgotten: the file's again


# ---------------------------------------------------------------- past dates


@pytest.mark.parametrize(
    "args",
    [
        ["exam-date", "{deck}", "2026-03-01"],
        ["review", "{deck}", "--exam-date", "2026-03-01"],
        ["due", "{deck}", "--exam-date", "2026-03-01"],
    ],
)
def test_a_past_date_is_refused(runner: CliRunner, deck: Path, args: list[str]) -> None:
    result = run(runner, *(a.format(deck=deck) for a in args), lines="q\n")
    assert result.exit_code == 2, result.output
    assert "2026-03-01 is in the past (today is 2026-03-02)" in result.output
    assert exam_json(runner, deck)["remembered"] is None  # nothing was remembered


def test_today_is_allowed(runner: CliRunner, deck: Path) -> None:
    result = run(runner, "exam-date", str(deck), "2026-03-02")
    assert result.exit_code == 0, result.output
    assert result.stdout == "Dates deck: exam today, 2026-03-02 (remembered)\n"


def test_past_is_judged_in_the_learners_time_zone(
    runner: CliRunner, deck: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(config.read_text() + 'timezone = "Asia/Tokyo"\n', encoding="utf-8")
    late = "2026-03-02T20:00:00+00:00"  # already 3 March in Tokyo
    result = run(runner, "exam-date", str(deck), "2026-03-02", now=late)
    assert result.exit_code == 2, result.output
    assert "2026-03-02 is in the past (today is 2026-03-03)" in result.output
    assert run(runner, "exam-date", str(deck), "2026-03-03", now=late).exit_code == 0


def test_a_remembered_date_that_passed_is_shown_as_past_and_no_longer_caps(
    runner: CliRunner, deck: Path
) -> None:
    assert run(runner, "exam-date", str(deck), "2026-03-05").exit_code == 0
    later = "2026-03-10T09:00:00+00:00"
    got = exam_json(runner, deck, now=later)
    assert (got["exam_date"], got["days_left"], got["past"]) == ("2026-03-05", -5, True)
    assert run(runner, "exam-date", str(deck), now=later).stdout == (
        "Dates deck: exam was 5 days ago, 2026-03-05\n"
    )
    assert due_exam(runner, deck, now=later) is None  # no load until a past exam
    board = run(runner, now=later)
    assert "Dates deck: exam was 5 days ago, 2026-03-05" in board.stdout

    # Easy on a new card: FSRS's first interval is days long; a past exam would cut it to 1.
    result = run(runner, "review", str(deck), now=later, lines="\n4\nq\n")
    assert result.exit_code == 0, result.output
    cards = json.loads(run(runner, "cards", str(deck), "--json", now=later).stdout)["cards"]
    (first,) = [c for c in cards if c["card"] == "c0"]
    assert first["state"] == "review" and first["interval_days"] > 1


def test_a_future_remembered_date_caps_intervals(runner: CliRunner, deck: Path) -> None:
    assert run(runner, "exam-date", str(deck), "2026-03-04").exit_code == 0
    result = run(runner, "review", str(deck), lines="\n4\nq\n")
    assert result.exit_code == 0, result.output
    cards = json.loads(run(runner, "cards", str(deck), "--json").stdout)["cards"]
    (first,) = [c for c in cards if c["card"] == "c0"]
    assert first["due"].startswith("2026-03-03")  # seen again before the exam on the 4th


# ---------------------------------------------------------------- the dashboard and stats


def test_dashboard_shows_the_exam_and_the_days_left(runner: CliRunner, deck: Path) -> None:
    assert run(runner, "exam-date", str(deck), "2026-03-14").exit_code == 0
    board = run(runner)
    assert board.exit_code == 0, board.output
    # The score stats --json predicts (tests/test_exam_forecast_cli.py checks its figures).
    (f,) = json.loads(run(runner, "stats", str(deck), "--json").stdout)["exam_forecast"]
    score = f"{round(f['score'] * 100)}% ({round(f['low'] * 100)}%-{round(f['high'] * 100)}%)"
    assert f["score"] == 0.0 and f["not_studied"] == 3  # nothing studied: nothing known yet
    assert "".join(line.rstrip(" ") + "\n" for line in board.stdout.splitlines()) == (
        "quizkit · Monday 2 March 2026\n"
        "deck         cards   new   learn   review\n"
        "─────────────────────────────────────────\n"
        "Dates deck       3     3       0        0\n"
        "Dates deck: exam in 12 days, 2026-03-14\n"
        f"  predicted score {score}: quizkit stats\n"
        "today   0 reviews · 0m 00s\n"
        "streak  0 days · longest 0 days\n"
        "next    quizkit review  3 cards waiting\n"
    )
    tomorrow = run(runner, now="2026-03-13T09:00:00+00:00").stdout
    assert "Dates deck: exam tomorrow, 2026-03-14\n  predicted score" in tomorrow


def test_stats_shows_the_exam(runner: CliRunner, deck: Path) -> None:
    assert run(runner, "exam-date", str(deck), "2026-03-14").exit_code == 0
    text = run(runner, "stats", str(deck)).stdout
    assert text.splitlines()[:2] == ["Dates deck", "exam in 12 days, 2026-03-14"]
    got = json.loads(run(runner, "stats", str(deck), "--json").stdout)
    assert got["exams"] == [{"deck": "d", "date": "2026-03-14", "days_left": 12, "past": False}]


# ---------------------------------------------------------------- honest mastery


DAYS = 8


def _simulate(runner: CliRunner, deck: Path) -> None:
    """Eight mornings: reveal and rate each card, a wrong answer (1) every third one."""
    count = 0
    for day in range(DAYS):
        now = (datetime(2026, 3, 2, 8, tzinfo=UTC) + timedelta(days=day)).isoformat()
        keys = []
        for _ in range(30):
            count += 1
            keys += ["", "1" if count % 3 == 0 else "3"]
        result = run(runner, "review", str(deck), now=now, lines="\n".join(keys) + "\nq\n")
        assert result.exit_code == 0, result.output


def _reference(
    db: Path, deck: Path, target: date, since: datetime, now: datetime, cap: date | None = None
) -> dict[str, dict[str, Any]]:
    """Per tag, from the raw card states and review log: each card's recall at `target` projected
    along its reviews (core.forecast.recall_on, which tests/test_exam_forecast.py checks against
    the scheduler), accuracy and true retention of the answers since `since`."""
    import sqlite3

    from quizkit.core import forecast

    loaded = deck_files.load_deck(deck)
    config = SchedulerConfig()
    with Store.open(db) as store:
        states = store.states("d")
    assert len(states) == len(loaded.cards)  # every card studied: no new card to bring in
    memory = scheduler.Memory(config)
    connection = sqlite3.connect(db)
    log = connection.execute(
        """SELECT card_id, rating, coalesce(correct, rating > 1), phase_before FROM reviews r
           WHERE mode = 'review' AND reviewed_at >= ?
             AND NOT EXISTS (SELECT 1 FROM undos u WHERE u.review_id = r.id)""",
        (int(since.timestamp() * 1000),),
    ).fetchall()
    connection.close()
    out: dict[str, dict[str, Any]] = {}
    for tag in sorted({t for card in loaded.cards for t in card.tags}):
        ids = {card.id for card in loaded.cards if tag in card.tags}
        recalls = [forecast.recall_on(states[i], target, now, memory, config, cap) for i in ids]
        answers = [row for row in log if row[0] in ids]
        in_review = [row for row in answers if row[3] == 2]
        out[tag] = {
            "cards": len(ids),
            "predicted_recall": sum(recalls) / len(recalls),
            "answers": len(answers),
            "right": sum(int(row[2]) for row in answers),
            "in_review": len(in_review),
            "passed": sum(row[1] > 1 for row in in_review),
        }
    return out


def _check(got: list[dict[str, Any]], want: dict[str, dict[str, Any]], target: date) -> None:
    assert sorted(row["tag"] for row in got) == sorted(want)
    for row in got:
        expected = want[row["tag"]]
        assert row["predicted_on"] == target.isoformat()
        assert math.isclose(row["predicted_recall"], expected["predicted_recall"], rel_tol=1e-9)
        for key in ("cards", "answers", "right", "in_review", "passed"):
            assert row[key] == expected[key], (row["tag"], key)
        assert row["accuracy"] == (expected["right"] / expected["answers"] if expected["answers"] else None)
        assert row["retention"] == (
            expected["passed"] / expected["in_review"] if expected["in_review"] else None
        )
    predicted = [row["predicted_recall"] for row in got]
    assert predicted == sorted(predicted)  # weakest first


def test_mastery_predicts_recall_30_days_ahead_without_an_exam(
    runner: CliRunner, deck: Path, tmp_path: Path
) -> None:
    deck.write_text(_deck_text(cards=12), encoding="utf-8")
    _simulate(runner, deck)
    now = "2026-03-09T18:00:00+00:00"
    got = json.loads(run(runner, "stats", str(deck), "--json", now=now).stdout)
    target = date(2026, 3, 9) + timedelta(days=30)
    since = datetime(2026, 2, 8, 4, tzinfo=UTC)
    want = _reference(tmp_path / "progress.db", deck, target, since, datetime.fromisoformat(now))
    _check(got["mastery"], want, target)
    assert got["version"] == 3


def test_mastery_predicts_recall_on_the_exam_day(runner: CliRunner, deck: Path, tmp_path: Path) -> None:
    deck.write_text(_deck_text(cards=12), encoding="utf-8")
    _simulate(runner, deck)
    now = "2026-03-09T18:00:00+00:00"
    assert run(runner, "exam-date", str(deck), "2026-03-20", now=now).exit_code == 0
    got = json.loads(run(runner, "stats", str(deck), "--json", now=now).stdout)
    target = date(2026, 3, 20)
    since, moment = datetime(2026, 2, 8, 4, tzinfo=UTC), datetime.fromisoformat(now)
    want = _reference(tmp_path / "progress.db", deck, target, since, moment, cap=target)
    _check(got["mastery"], want, target)


def test_cards_never_studied_count_as_zero(runner: CliRunner, deck: Path) -> None:
    deck.write_text(_deck_text(cards=6), encoding="utf-8")
    # One card of 'early' (c0, c3) studied, Good: its recall counts, c3's is 0, however soon the
    # new cards a day would bring it in (the trial of issue 18 found 95% shown for cards never seen).
    result = run(runner, "review", str(deck), "--new", "1", lines="\n3\n\n3\nq\n")
    assert result.exit_code == 0, result.output
    got = json.loads(run(runner, "stats", str(deck), "--json").stdout)
    early = next(row for row in got["mastery"] if row["tag"] == "early")
    assert early["studied"] == 1 and early["cards"] == 2
    assert 0 < early["predicted_recall"] < 0.5
    late = next(row for row in got["mastery"] if row["tag"] == "late")
    assert late["predicted_recall"] == 0.0 and late["studied"] == 0


def test_mastery_table_says_which_figure_is_which(runner: CliRunner, deck: Path) -> None:
    deck.write_text(_deck_text(cards=12), encoding="utf-8")
    _simulate(runner, deck)
    now = "2026-03-09T18:00:00+00:00"
    text = run(runner, "stats", str(deck), now=now).stdout
    panel = text[text.index("Mastery by tag") : text.index("Hardest cards")]
    assert "accuracy" in panel and "retention" in panel and "recall 8 Apr" in panel
    assert "answers right" in panel and "cards not studied yet count as 0" in panel
    help_text = run(runner, "stats", "--help").stdout.lower()
    assert "accuracy" in help_text and "retention" in help_text and "predicted recall" in help_text


def test_an_exam_date_option_says_when_it_changes_the_remembered_date(runner: CliRunner, deck: Path) -> None:
    # Found by the trial of issue 18: `due --exam-date` replaced the remembered date silently.
    assert run(runner, "exam-date", str(deck), "2026-03-22").exit_code == 0
    result = run(runner, "due", str(deck), "--exam-date", "2026-03-20")
    assert result.exit_code == 0, result.output
    assert "d: exam date 2026-03-20 remembered (was 2026-03-22); quizkit exam-date d --clear" in " ".join(
        result.stderr.split()
    )
    again = run(runner, "due", str(deck), "--exam-date", "2026-03-20")
    assert "remembered" not in again.stderr  # nothing changed: nothing said
    assert "remembered" not in run(runner, "exam-date", str(deck), "2026-03-25").stderr
