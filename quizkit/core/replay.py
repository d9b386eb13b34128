"""A card's state rebuilt from its merged log (quizkit sync): events in, states out.

Pure. The events of one card, from every device, are put in the global order (time, device id,
sequence number) and played from an empty CardState: each review-mode answer that was not undone
goes through scheduler.review with its own scheduler configuration and exam cap, as the live answer
did, and each change that was not undone (bury, suspend, unsuspend) is applied. Answers in cram or
quiz mode never change the schedule. Two devices that hold the same events therefore compute the
same states, whatever order the events reached them in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime

from msgspec import Struct
from msgspec.structs import replace

from quizkit.core import scheduler
from quizkit.model import CardState, Rating

BURY = "bury"
SUSPEND = "suspend"
UNSUSPEND = "unsuspend"
ACTIONS = (BURY, SUSPEND, UNSUSPEND)


def order_key(at_ms: int, event: str) -> tuple[int, str, int]:
    """The global order of an event: its time, then its device id, then its sequence number."""
    device, _, seq = event.rpartition(":")
    return at_ms, device, int(seq) if seq.isdigit() else 0


class Step(Struct, frozen=True):
    """One event of a card's log, as the replay needs it."""

    row: int
    """Which row it came from (the caller's own numbering, handed back with its states)."""
    order: tuple[int, str, int]
    at: datetime
    rating: Rating | None = None
    """An answer's rating; None for a change."""
    counts: bool = True
    """Whether it changes the card: an answer in review mode, a change, neither undone."""
    schedules: bool = True
    """An answer in review mode (undone or not); False for cram and quiz answers."""
    config: str | None = None
    """The scheduler configuration the answer was given under (its JSON); None: the defaults."""
    cap: date | None = None
    action: str | None = None
    """A change's action (one of ACTIONS)."""
    until: datetime | None = None
    """A burial's end."""


class Played(Struct, frozen=True):
    row: int
    before: CardState
    after: CardState


def replay(
    steps: Iterable[Step], key: str, configs: Callable[[str | None], scheduler.SchedulerConfig]
) -> tuple[CardState, list[Played]]:
    """The card's final state, and each step's state before and after it, in the global order.

    `key` seeds the interval fuzz (core.session.fuzz_key of the card); `configs` turns a stored
    configuration into a SchedulerConfig (the caller caches and validates them).
    """
    state = CardState()
    played: list[Played] = []
    for step in sorted(steps, key=lambda s: s.order):
        before = state
        if step.rating is not None:
            # An undone answer is played but not kept: its row shows what it would have done, the
            # same on every device. Answers in cram or quiz mode leave the schedule alone.
            after = (
                scheduler.review(state, step.rating, step.at, configs(step.config), key=key, cap=step.cap)
                if step.schedules
                else state
            )
        elif step.action == BURY:
            after = replace(state, buried_until=step.until)
        elif step.action == SUSPEND:
            after = replace(state, suspended=True)
        else:
            after = replace(state, suspended=False)
        if step.counts:
            state = after
        played.append(Played(step.row, before, after))
    return state, played
