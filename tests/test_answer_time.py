"""The answer time recorded is capped (max_answer_seconds, 60 s by default), as Anki caps it."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from io import StringIO
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from quizkit.app import review
from quizkit.app.env import Environment
from quizkit.cli import app
from quizkit.core.scheduler import SchedulerConfig
from quizkit.core.session import DeckPlan
from quizkit.core.settings import Limits, Settings
from quizkit.model import Deck

DECK = """
[deck]
id = "slow"
title = "Slow"

[[cards]]
id = "one"
q = "Capital of France?"
a = "Paris"

[[cards]]
id = "two"
q = "Capital of Spain?"
a = "Madrid"
"""


def test_the_cap_is_a_minute_by_default_and_zero_turns_it_off() -> None:
    plan = DeckPlan(Deck("d", "T", "d.toml", ()), SchedulerConfig(), Limits())
    assert plan.answer_ms(12_345) == 12_345
    assert plan.answer_ms(3_600_000) == 60_000
    assert plan.answer_ms(-5) == 0  # a clock set back never records a negative time
    assert plan.answer_ms(None) is None
    assert (
        DeckPlan(plan.deck, plan.config, plan.limits, max_answer_seconds=0).answer_ms(3_600_000) == 3_600_000
    )
    assert DeckPlan(plan.deck, plan.config, plan.limits, max_answer_seconds=90).answer_ms(100_000) == 90_000


def ticking(start: datetime, steps: list[timedelta]) -> Iterator[datetime]:
    """A clock that moves on by the next step at each reading (the last step repeats)."""
    moment = start
    for step in steps:
        yield moment
        moment += step
    while True:
        yield moment
        moment += steps[-1]


def durations(db: Path) -> list[int]:
    connection = sqlite3.connect(db)
    try:
        return [row[0] for row in connection.execute("SELECT duration_ms FROM reviews ORDER BY id")]
    finally:
        connection.close()


@pytest.mark.parametrize(
    ("settings", "recorded"), [(Settings(), 60_000), (Settings(max_answer_seconds=0), None)]
)
def test_a_learner_who_walks_away_records_at_most_the_cap(
    tmp_path: Path, settings: Settings, recorded: int | None
) -> None:
    deck = tmp_path / "slow.toml"
    deck.write_text(DECK, encoding="utf-8")
    # Each reading of the clock is 10 minutes after the one before: the learner is away.
    clock = ticking(datetime(2026, 3, 2, 9, 0, tzinfo=UTC), [timedelta(minutes=10)])
    env = Environment(
        stdout=Console(file=StringIO(), width=80, no_color=True),
        stderr=Console(file=StringIO()),
        stdin=StringIO("\n3\nq\n"),
        db_path=tmp_path / "p.db",
        clock=lambda: next(clock),
        settings=settings,
    )
    assert review.review(env, [deck]) == 0
    [duration] = durations(tmp_path / "p.db")
    if recorded is None:
        assert duration > 60_000  # the true time, uncapped
    else:
        assert duration == recorded


@pytest.mark.parametrize("value", ["-1", "3601", '"60"', "true"])
def test_max_answer_seconds_is_checked(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f"max_answer_seconds = {value}\n", encoding="utf-8")
    monkeypatch.setenv("QUIZKIT_CONFIG", str(config))
    deck = tmp_path / "slow.toml"
    deck.write_text(DECK, encoding="utf-8")
    result = runner.invoke(app, ["review", str(deck)], input="q\n")
    assert result.exit_code == 1, result.output
    assert "max_answer_seconds" in result.output and "Traceback" not in result.output
