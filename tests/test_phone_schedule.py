"""A quizkit card's state in Anki's numbers (export --with-progress), without Anki itself."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

from msgspec.structs import replace

from quizkit.core.scheduler import DEFAULT_PARAMETERS, SchedulerConfig, day_start
from quizkit.io import apkg
from quizkit.model import CardState, Phase

CONFIG = SchedulerConfig()
NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)
DAY0 = date(2026, 3, 2)
REVIEWED = datetime(2026, 2, 25, 9, tzinfo=UTC)
REVIEW = CardState(
    Phase.REVIEW,
    None,
    10.5,
    5.25,
    day_start(date(2026, 3, 12), CONFIG),
    REVIEWED,
    reps=4,
    lapses=1,
)


def test_a_review_card_is_due_in_days_from_day_0_with_its_memory_state() -> None:
    got = apkg.anki_schedule(REVIEW, [], 7, DAY0, CONFIG, NOW)
    assert (got.ctype, got.queue, got.due, got.ivl, got.reps, got.lapses, got.left) == (2, 2, 10, 15, 4, 1, 0)
    assert got.factor == 2500
    assert json.loads(got.data) == {
        "pos": 7,
        "s": 10.5,
        "d": 5.25,
        "dr": 0.9,
        "decay": DEFAULT_PARAMETERS[20],
        "lrt": int(REVIEWED.timestamp()),
    }


def test_learning_today_is_due_in_seconds_and_on_a_later_day_in_days() -> None:
    learning = replace(REVIEW, phase=Phase.LEARNING, step=1, due=NOW + timedelta(minutes=10), last_review=NOW)
    today = apkg.anki_schedule(learning, [], 1, DAY0, CONFIG, NOW)
    assert (today.ctype, today.queue, today.due, today.ivl, today.left) == (
        1,
        1,
        int(NOW.timestamp()) + 600,
        0,
        1,
    )
    tomorrow = replace(learning, due=datetime(2026, 3, 3, 12, tzinfo=UTC))
    later = apkg.anki_schedule(tomorrow, [], 1, DAY0, CONFIG, NOW)
    assert (later.ctype, later.queue, later.due) == (1, 3, 1)
    relearning = replace(learning, phase=Phase.RELEARNING, step=0)
    again = apkg.anki_schedule(relearning, [], 1, DAY0, CONFIG, NOW)
    assert (again.ctype, again.queue, again.ivl, again.left) == (3, 1, 10, 1)  # ivl: the stability, rounded


def test_suspended_and_buried_cards_keep_their_type_in_another_queue() -> None:
    buried = replace(REVIEW, buried_until=day_start(date(2026, 3, 3), CONFIG))
    assert apkg.anki_schedule(buried, [], 1, DAY0, CONFIG, NOW).queue == -3
    over = replace(REVIEW, buried_until=day_start(date(2026, 3, 2), CONFIG))  # buried until this morning
    assert apkg.anki_schedule(over, [], 1, DAY0, CONFIG, NOW).queue == 2
    both = replace(buried, suspended=True)
    got = apkg.anki_schedule(both, [], 1, DAY0, CONFIG, NOW)
    assert (got.ctype, got.queue) == (2, -1)
    new = apkg.anki_schedule(CardState(suspended=True), [], 3, DAY0, CONFIG, NOW)
    assert (new.ctype, new.queue, new.due, json.loads(new.data)) == (0, -1, 3, {"pos": 3})


def test_each_answer_is_a_revlog_row_as_anki_writes_one() -> None:
    first_at = datetime(2026, 2, 10, 9, tzinfo=UTC)
    learning = CardState(Phase.LEARNING, 1, 2.3, 5.0, first_at + timedelta(minutes=1), first_at, reps=1)
    first = apkg.Answered(11, int(first_at.timestamp() * 1000), 3, 90_000, CardState(), learning)
    last_at = datetime(2026, 2, 25, 9, tzinfo=UTC)
    before = replace(
        REVIEW, due=day_start(date(2026, 2, 24), CONFIG), last_review=datetime(2026, 2, 20, 9, tzinfo=UTC)
    )
    last = apkg.Answered(12, int(last_at.timestamp() * 1000), 1, 4_000, before, REVIEW)
    got = apkg.anki_schedule(REVIEW, [first, last], 1, DAY0, CONFIG, NOW)
    assert got.revlog == (
        # learning: minus seconds; the time capped at 60 s; factor: difficulty 5 as Anki's FSRS writes it
        apkg.RevlogRow(11, 3, -60, 0, 544, 60_000, 0),
        apkg.RevlogRow(12, 1, 15, 4, 572, 4_000, 1),  # 25 Feb to 12 Mar; 20 to 24 Feb before
    )


def test_revlog_ids_are_the_moments_made_unique_in_order() -> None:
    assert apkg.revlog_ids([5, 5, 5, 7, 7, 20]) == [5, 6, 7, 8, 9, 20]
    assert apkg.revlog_ids([5, 5, 5, 7, 7, 20]) == apkg.revlog_ids([5, 5, 5, 7, 7, 20])
