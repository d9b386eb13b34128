"""The load until an exam: the cards due on each day, projected by playing the schedule forward
with Good answers and the planned new cards (quizkit due --exam-date)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from quizkit.core import scheduler
from quizkit.core.session import DeckPlan, fuzz_key, note_of
from quizkit.model import CardState, Key, Phase, Rating
from quizkit.shapes.due import DayLoad

MAX_DAYS = 3660
"""The longest projection, about ten years: an exam date further off (a deck may say 8000-01-01)
is projected over its first ten years, so the work stays bounded."""


def project_exam_load(
    plan: DeckPlan,
    states: Mapping[Key, CardState],
    new_keys: Sequence[Key],
    now: datetime,
) -> tuple[list[DayLoad], int]:
    """Reviews and new cards on each study day until the exam, if every answer were Good.

    With the deck's bury_siblings (as the session does), one new card of a note a day, and none today of
    a note answered today. Returns each day's load and the number of cards still unseen on the day.
    """
    assert plan.cap is not None
    config = plan.config
    today = scheduler.study_day(now, config)
    days = min(max(0, (plan.cap - today).days), MAX_DAYS)
    reviews = [0] * days
    new = [0] * days
    pending = [state for state in states.values() if state.phase is not Phase.NEW and not state.suspended]
    queue = list(new_keys)
    since = scheduler.day_start(today, config)
    busy = {
        _note(plan, key)
        for key, state in states.items()
        if plan.bury_siblings and state.last_review is not None and state.last_review >= since
    }  # notes answered today: their new siblings wait for tomorrow
    for offset in range(days):
        budget = max(0, plan.limits.new_per_day - (plan.new_done if offset == 0 else 0))
        if plan.bury_siblings:
            introduced, queue = _one_a_note(plan, queue, budget, busy)
            busy = set()
        else:
            introduced, queue = queue[:budget], queue[budget:]
        new[offset] = len(introduced)
        moment = scheduler.day_start(today + timedelta(days=offset), config) + timedelta(hours=2)
        for key in introduced:
            state = scheduler.review(
                CardState(), Rating.GOOD, moment, config, key=fuzz_key(key), cap=plan.cap
            )
            while state.phase is not Phase.REVIEW:  # the learning steps, the same day
                assert state.due is not None
                state = scheduler.review(
                    state, Rating.GOOD, state.due, config, key=fuzz_key(key), cap=plan.cap
                )
            pending.append(state)
    # Play every scheduled card forward, day by day, with Good answers.
    for index, state in enumerate(pending):
        label = f"projection/{index}"
        while state.due is not None:
            offset = max(0, (scheduler.study_day(state.due, config) - today).days)
            if offset >= days:
                break
            reviews[offset] += 1
            moment = scheduler.day_start(today + timedelta(days=offset), config) + timedelta(hours=2)
            state = scheduler.review(
                state, Rating.GOOD, max(moment, state.due), config, key=label, cap=plan.cap
            )
    out = [DayLoad(today + timedelta(days=i), reviews[i], new[i]) for i in range(days)]
    return out, len(queue)


def _note(plan: DeckPlan, key: Key) -> str:
    return note_of(key[1], lambda: plan.deck.card(key[1]))


def _one_a_note(plan: DeckPlan, queue: list[Key], budget: int, busy: set[str]) -> tuple[list[Key], list[Key]]:
    """The day's new cards, at most one of a note (and none of a busy one); the rest wait, in order."""
    taken: list[Key] = []
    waiting: list[Key] = []
    notes = set(busy)
    index = 0
    while index < len(queue) and len(taken) < budget:
        key = queue[index]
        index += 1
        note = _note(plan, key)
        (waiting if note in notes else taken).append(key)
        notes.add(note)
    return taken, waiting + queue[index:]
