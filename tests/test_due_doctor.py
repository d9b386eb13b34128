"""quizkit due and quizkit doctor, and weeks of simulated study driven by QUIZKIT_NOW."""

from __future__ import annotations

import json
import random
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from quizkit.cli import app


def write_deck(tmp_path: Path, n: int, name: str = "sim") -> Path:
    path = tmp_path / f"{name}.toml"
    body = "".join(f'[[cards]]\nid = "c{i}"\nq = "Q{i}"\na = "A{i}"\n' for i in range(n))
    path.write_text(f'[deck]\nid = "{name}"\ntitle = "Sim"\nnew_per_day = 5\n' + body, encoding="utf-8")
    return path


def due_json(runner: CliRunner, deck: Path) -> dict[str, object]:
    result = runner.invoke(app, ["due", str(deck), "--json"])
    assert result.exit_code == 0, result.output
    (row,) = json.loads(result.output)["decks"]
    return row  # type: ignore[no-any-return]


def test_due_counts_new_cards_under_the_deck_limit(runner: CliRunner, tmp_path: Path) -> None:
    deck = write_deck(tmp_path, 12)
    row = due_json(runner, deck)
    assert row == {
        "deck": "sim",
        "title": "Sim",
        "cards": 12,
        "new": 5,
        "learning": 0,
        "review": 0,
        "next_due": None,
    }
    table = runner.invoke(app, ["due", str(deck)]).output
    assert "sim" in table and "│   5 │" in table


def test_weeks_of_simulated_days(runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A seeded learner studies every morning for four weeks; the schedule spreads reviews out."""
    deck = write_deck(tmp_path, 30)
    learner = random.Random(42)
    start = datetime.fromisoformat("2026-03-02T08:00:00+00:00")
    seen_review_days = 0
    for day in range(28):
        now = start + timedelta(days=day)
        monkeypatch.setenv("QUIZKIT_NOW", now.isoformat())
        before = due_json(runner, deck)
        assert before["new"] <= 5
        if before["review"]:
            seen_review_days += 1
        lines = []
        for _ in range(60):  # at most 60 answers a day
            lines += ["", "3" if learner.random() < 0.85 else "1"]
        result = runner.invoke(app, ["review", str(deck)], input="\n".join(lines) + "\n")
        assert result.exit_code == 0
        after = due_json(runner, deck)
        assert after["new"] == 0 and after["review"] == 0
    db = tmp_path / "progress.db"
    connection = sqlite3.connect(db)
    introduced = connection.execute("SELECT count(*) FROM cards").fetchone()[0]
    days = connection.execute("SELECT count(DISTINCT reviewed_at / 86400000) FROM reviews").fetchone()[0]
    longest = connection.execute("SELECT max(due - reviewed_at) FROM reviews").fetchone()[0] / 86400000
    connection.close()
    assert introduced == 30  # five new cards a day: all introduced within a week
    assert days == 28
    assert seen_review_days >= 20
    assert longest > 7  # intervals grow past a week within the month


def test_doctor_on_a_healthy_database_lists_orphans_and_removes_them(
    runner: CliRunner, tmp_path: Path
) -> None:
    deck = write_deck(tmp_path, 2)
    runner.invoke(app, ["review", str(deck)], input="\n4\n\n4\n")
    deck.write_text(
        '[deck]\nid = "sim"\ntitle = "Sim"\n[[cards]]\nid = "c0"\nq = "Q0"\na = "A0"\n', encoding="utf-8"
    )
    config = tmp_path / "config.toml"
    config.write_text(f'deck_folders = ["{tmp_path}"]\n', encoding="utf-8")
    env = {"QUIZKIT_CONFIG": str(config)}
    result = runner.invoke(app, ["doctor"], env=env)
    assert result.exit_code == 0, result.output
    assert "integrity: ok" in result.output
    assert "orphaned progress: 1 card(s)" in result.output and "sim / c1" in result.output
    refused = runner.invoke(app, ["doctor", "--remove-orphans"], env=env)
    assert refused.exit_code == 2 and "--yes" in refused.output
    result = runner.invoke(app, ["doctor", "--remove-orphans", "--yes"], env=env)
    assert "backup taken" in result.output
    assert "removed the scheduling state of 1 card(s)" in result.output
    assert "orphaned progress: none" in runner.invoke(app, ["doctor"], env=env).output


def test_doctor_on_a_damaged_database_offers_the_backups(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    deck = write_deck(tmp_path, 2)
    runner.invoke(app, ["review", str(deck)], input="\n4\n")
    monkeypatch.setenv("QUIZKIT_NOW", "2026-03-03T09:00:00+00:00")
    runner.invoke(app, ["review", str(deck)], input="\n4\n")  # the first write of the day takes a backup
    db = tmp_path / "progress.db"
    for sidecar in (tmp_path / "progress.db-wal", tmp_path / "progress.db-shm"):
        sidecar.unlink(missing_ok=True)
    db.write_bytes(b"\x00" * 4096)
    result = runner.invoke(app, ["doctor"])
    assert result.exit_code == 1
    assert "cannot be read" in result.output
    assert "progress-2026-03-03.db" in result.output
    restored = runner.invoke(app, ["doctor", "--restore", "latest"])
    assert restored.exit_code == 0, restored.output
    assert "the previous file is kept as" in restored.output
    assert "integrity: ok" in runner.invoke(app, ["doctor"]).output
    assert db.with_name("progress-before-restore-20260303T090000.db").read_bytes() == b"\x00" * 4096


def test_bad_settings_file_is_reported(runner: CliRunner, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("retention = 0.9\nnew_per_dya = 3\n", encoding="utf-8")
    result = runner.invoke(app, ["due"], env={"QUIZKIT_CONFIG": str(config)})
    assert result.exit_code == 1
    assert f"{config}:2: unknown setting 'new_per_dya' (did you mean 'new_per_day'?)" in result.output
