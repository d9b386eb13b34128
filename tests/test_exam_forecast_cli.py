"""The exam forecast as a learner meets it (issue 18): quizkit stats and the dashboard after days of
study, an exam date, fitted parameters and mock exams, against figures recomputed from the raw
progress database (real SQLite files) with the scheduler's own functions."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from quizkit.cli import app
from quizkit.core import forecast, scheduler
from quizkit.core.scheduler import DEFAULT_PARAMETERS, SchedulerConfig
from quizkit.io import deck_files
from quizkit.store.fitted import FittedParameters
from quizkit.store.progress import Store

NOW = "2026-03-09T18:00:00+00:00"
EXAM = date(2026, 3, 20)


def _deck_text(cards: int = 12) -> str:
    tags = ("early", "late", "late")
    return '[deck]\nid = "d"\ntitle = "Dates deck"\nnew_per_day = 20\n' + "".join(
        f'\n[[cards]]\nid = "c{i}"\nq = "Question {i}"\na = "Answer {i}"\ntags = ["{tags[i % 3]}"]\n'
        for i in range(cards)
    )


@pytest.fixture(autouse=True)
def only_this_deck(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
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
    assert result.exit_code == 0, result.output
    return result


def _study(runner: CliRunner, deck: Path, days: int = 8) -> None:
    """Mornings of review: reveal and rate each card, Again every third answer."""
    count = 0
    for day in range(days):
        now = (datetime(2026, 3, 2, 8, tzinfo=UTC) + timedelta(days=day)).isoformat()
        keys = []
        for _ in range(30):
            count += 1
            keys += ["", "1" if count % 3 == 0 else "3"]
        run(runner, "review", str(deck), now=now, lines="\n".join(keys) + "\nq\n")


def _stats(runner: CliRunner, deck: Path, now: str = NOW) -> dict[str, Any]:
    return json.loads(run(runner, "stats", str(deck), "--json", now=now).stdout)  # type: ignore[no-any-return]


def _recalls(
    db: Path, day: date, now: datetime, parameters: tuple[float, ...] = DEFAULT_PARAMETERS
) -> list[float]:
    """Each card's recall on `day` along its reviews, from the raw card states."""
    config = SchedulerConfig(parameters=parameters)
    with Store.open(db) as store:
        states = store.states("d")
    assert len(states) == 12
    memory = scheduler.Memory(config)
    return [forecast.recall_on(state, day, now, memory, config, EXAM) for state in states.values()]


def test_the_forecast_is_each_cards_recall_on_the_exam_day_and_the_score_around_it(
    runner: CliRunner, deck: Path, tmp_path: Path
) -> None:
    _study(runner, deck)
    assert _stats(runner, deck)["exam_forecast"] == []  # no exam date: no forecast
    run(runner, "exam-date", str(deck), EXAM.isoformat())
    got = _stats(runner, deck)
    (f,) = got["exam_forecast"]
    recalls = _recalls(tmp_path / "progress.db", EXAM, datetime.fromisoformat(NOW))
    mean = sum(recalls) / len(recalls)
    assert f["deck"] == "d" and f["date"] == "2026-03-20" and f["cards"] == 12
    assert f["recall"] == pytest.approx(mean, abs=1e-4)
    assert f["score"] == pytest.approx(mean, abs=1e-4)  # basic cards: no guessing
    score = forecast.exam_score(recalls, 20)
    assert f["questions"] == 12  # the whole deck: only 12 cards
    assert (f["low"], f["high"]) == pytest.approx((score.low, score.high), abs=1e-4)
    assert f["low"] < f["score"] <= f["high"] and f["model_error_measured"] is False
    # If the learner stops now: each card's retrievability on the day, from the store's states.
    config = SchedulerConfig()
    with Store.open(tmp_path / "progress.db") as store:
        states = list(store.states("d").values())
    on_the_day = scheduler.day_start(EXAM, config) + timedelta(hours=12)
    stopped = [scheduler.retrievability(s, on_the_day, config) for s in states]
    assert f["recall_if_stopped"] == pytest.approx(sum(stopped) / len(stopped), abs=1e-4)
    assert f["recall_if_stopped"] < f["recall"]
    # Mastery by tag: the same per-card recall, averaged by tag.
    early = next(row for row in got["mastery"] if row["tag"] == "early")
    by_id = dict(zip(store_ids(tmp_path / "progress.db"), recalls, strict=True))
    ids = [f"c{i}" for i in range(12) if i % 3 == 0]
    assert early["predicted_recall"] == pytest.approx(sum(by_id[i] for i in ids) / len(ids), rel=1e-9)

    text = " ".join(run(runner, "stats", str(deck)).stdout.replace("│", " ").split())  # unwrapped
    assert "Exam forecast" in text and "if you stop now" in text and "4 in 5 likely between" in text
    board = run(runner).stdout
    assert (
        f"predicted score {round(f['score'] * 100)}% ({round(f['low'] * 100)}%-{round(f['high'] * 100)}%)"
        in board
    )


def store_ids(db: Path) -> list[str]:
    with Store.open(db) as store:
        return list(store.states("d"))


def test_fitted_parameters_change_the_forecast(runner: CliRunner, deck: Path, tmp_path: Path) -> None:
    _study(runner, deck)
    run(runner, "exam-date", str(deck), EXAM.isoformat())
    before = _stats(runner, deck)["exam_forecast"][0]["recall"]
    slow = list(DEFAULT_PARAMETERS)
    slow[20] = 0.7  # a steeper forgetting curve
    slow[8] = 0.5  # stability grows less with each recall
    with Store.open(tmp_path / "progress.db") as store:
        FittedParameters(store).save("d", tuple(slow), datetime.fromisoformat(NOW), 100, 0.5, 0.4)
    after = _stats(runner, deck)["exam_forecast"][0]["recall"]
    expected = _recalls(tmp_path / "progress.db", EXAM, datetime.fromisoformat(NOW), tuple(slow))
    assert after == pytest.approx(sum(expected) / len(expected), abs=1e-4)
    assert after != pytest.approx(before, abs=1e-3)


def test_mock_exams_are_compared_with_what_was_predicted_for_them(
    runner: CliRunner, deck: Path, tmp_path: Path
) -> None:
    _study(runner, deck, days=5)
    # Two mock exams: all 12 questions, the first three marked right, the rest wrong; then all right.
    first = "".join(f"{i}\n{'r' if k < 3 else 'w'}\n" for k, i in enumerate(range(12)))
    run(
        runner,
        "quiz",
        str(deck),
        "--count",
        "12",
        "--seed",
        "1",
        now="2026-03-08T12:00:00+00:00",
        lines=first,
    )
    run(
        runner,
        "quiz",
        str(deck),
        "--count",
        "12",
        "--seed",
        "2",
        now="2026-03-09T12:00:00+00:00",
        lines="x\nr\n" * 12,
    )
    got = _stats(runner, deck)
    (c,) = got["calibration"]
    assert [e["scored"] for e in c["exams"]] == pytest.approx([3 / 12, 1.0])
    # What the model predicted when each began: each card's recall then, from its last review
    # before (the review log, read raw), no guessing on basic cards.
    config = SchedulerConfig()
    connection = sqlite3.connect(tmp_path / "progress.db")
    for exam, started in zip(
        c["exams"], ("2026-03-08T12:00:00+00:00", "2026-03-09T12:00:00+00:00"), strict=True
    ):
        moment = datetime.fromisoformat(started)
        recalls = []
        for (card_id,) in connection.execute("SELECT DISTINCT card_id FROM quiz_answers"):
            row = connection.execute(
                """SELECT stability, reviewed_at FROM reviews r WHERE card_id = ? AND mode = 'review'
                   AND reviewed_at < ? AND NOT EXISTS (SELECT 1 FROM undos u WHERE u.review_id = r.id)
                   ORDER BY reviewed_at DESC, id DESC LIMIT 1""",
                (card_id, int(moment.timestamp() * 1000)),
            ).fetchone()
            last = datetime.fromtimestamp(row[1] / 1000, UTC)
            days = (scheduler.study_day(moment, config) - scheduler.study_day(last, config)).days
            recalls.append((1 + forgetting(config)[0] * days / row[0]) ** forgetting(config)[1])
        assert exam["taken"].startswith(started[:10])
        assert exam["predicted"] == pytest.approx(sum(recalls) / len(recalls), abs=1e-4)
    connection.close()
    misses = [e["scored"] - e["predicted"] for e in c["exams"]]
    assert c["error"] == pytest.approx((sum(m * m for m in misses) / 2) ** 0.5, abs=1e-4)
    text = " ".join(run(runner, "stats", str(deck)).stdout.replace("│", " ").split())
    assert "Mock exams against the forecast" in text and "2 mock exams: predicted" in text
    # With an exam date, the forecast's interval counts the error the mock exams measured.
    run(runner, "exam-date", str(deck), EXAM.isoformat())
    f = _stats(runner, deck)["exam_forecast"][0]
    assert f["model_error_measured"] is True and f["model_error"] != forecast.MODEL_ERROR
    # The centre moves by the exams' mean miss, pooled with no miss as if seen on 3 exams.
    bias = sum(misses) / (len(misses) + forecast.PRIOR_EXAMS)
    assert f["correction"] == pytest.approx(bias, abs=1e-4)
    recalls = _recalls(tmp_path / "progress.db", EXAM, datetime.fromisoformat(NOW))
    assert f["score"] == pytest.approx(min(1.0, max(0.0, sum(recalls) / len(recalls) + bias)), abs=1e-4)


def test_a_suspended_card_and_a_mock_exam_handed_in_blank_count_for_nothing(
    runner: CliRunner, deck: Path, tmp_path: Path
) -> None:
    # Found by the trial of issue 18: a deck of suspended cards was forecast at 99%, and an exam
    # handed in blank narrowed the interval.
    run(runner, "suspend", str(deck), *[f"c{i}" for i in range(12)])
    run(runner, "exam-date", str(deck), EXAM.isoformat())
    (f,) = _stats(runner, deck)["exam_forecast"]
    assert f["recall"] == 0.0 and f["score"] == 0.0 and f["not_studied"] == 12
    run(runner, "quiz", str(deck), "--count", "5", "--seed", "1", lines="")
    assert _stats(runner, deck)["calibration"] == []


def forgetting(config: SchedulerConfig) -> tuple[float, float]:
    decay = -config.parameters[20]
    return 0.9 ** (1 / decay) - 1, decay


def test_the_card_table_and_hardest_cards_use_the_fitted_forgetting_curve(
    runner: CliRunner, deck: Path, tmp_path: Path
) -> None:
    _study(runner, deck, days=3)
    steep = list(DEFAULT_PARAMETERS)
    steep[20] = 0.6
    with Store.open(tmp_path / "progress.db") as store:
        FittedParameters(store).save(None, tuple(steep), datetime.fromisoformat(NOW), 100, 0.5, 0.4)
        states = store.states("d")
    rows = json.loads(run(runner, "cards", str(deck), "--json").stdout)["cards"]
    config = SchedulerConfig(parameters=tuple(steep))
    for row in rows:
        want = scheduler.retrievability(states[row["card"]], datetime.fromisoformat(NOW), config)
        assert row["retrievability"] == pytest.approx(want, abs=1e-6), row["card"]
    default = scheduler.retrievability(
        states[rows[0]["card"]], datetime.fromisoformat(NOW), SchedulerConfig()
    )
    assert rows[0]["retrievability"] != pytest.approx(default, abs=1e-4)
