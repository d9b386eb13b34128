"""The review session: limits, queue order, learning steps, bury, suspend, leeches, undo."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from quizkit.app import study as study_use
from quizkit.app.env import Environment
from quizkit.core import scheduler
from quizkit.core.scheduler import SchedulerConfig
from quizkit.core.session import DeckPlan, Session
from quizkit.core.settings import Limits
from quizkit.model import Card, CardState, Deck, Kind, Phase, Rating
from quizkit.store.progress import Store

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CONFIG = SchedulerConfig()


def make_deck(n: int, deck_id: str = "d", tags: tuple[str, ...] = ()) -> Deck:
    cards = tuple(Card(f"c{i}", Kind.BASIC, f"Q{i}", f"A{i}", (f"A{i}",), tags=tags) for i in range(n))
    return Deck(deck_id, "T", f"{deck_id}.toml", cards)


def review_state(due: datetime, stability: float, last: datetime) -> CardState:
    return CardState(Phase.REVIEW, None, stability, 5.0, due, last, 3, 0)


def test_new_cards_come_in_deck_order_up_to_the_daily_limit() -> None:
    session = Session.start([DeckPlan(make_deck(30), CONFIG, Limits(new_per_day=20))], {}, NOW)
    assert session.counts(NOW).new == 20
    assert session.new_queue[:3] == [("d", "c0"), ("d", "c1"), ("d", "c2")]


def test_new_done_today_counts_against_the_limit() -> None:
    session = Session.start([DeckPlan(make_deck(30), CONFIG, Limits(new_per_day=20), new_done=15)], {}, NOW)
    assert session.counts(NOW).new == 5


def test_random_new_order_is_reproducible_with_a_seed() -> None:
    plans = [DeckPlan(make_deck(30), CONFIG, Limits())]
    first = Session.start(plans, {}, NOW, new_order="random", rng=random.Random(7)).new_queue
    again = Session.start(plans, {}, NOW, new_order="random", rng=random.Random(7)).new_queue
    assert first == again and first != sorted(first, key=lambda k: int(k[1][1:]))


def test_reviews_come_most_at_risk_first_and_respect_the_limit() -> None:
    deck = make_deck(5)
    states = {
        ("d", "c0"): review_state(NOW - timedelta(hours=1), 30.0, NOW - timedelta(days=10)),
        ("d", "c1"): review_state(NOW - timedelta(hours=1), 2.0, NOW - timedelta(days=10)),  # most at risk
        ("d", "c2"): review_state(NOW - timedelta(hours=1), 10.0, NOW - timedelta(days=10)),
        ("d", "c3"): review_state(NOW + timedelta(days=2), 10.0, NOW - timedelta(days=1)),  # not due
    }
    session = Session.start([DeckPlan(deck, CONFIG, Limits(new_per_day=0, reviews_per_day=2))], states, NOW)
    assert session.review_queue == [("d", "c1"), ("d", "c2")]
    assert session.counts(NOW).review == 2


def test_learning_cards_come_back_when_their_step_is_due() -> None:
    session = Session.start([DeckPlan(make_deck(2), CONFIG, Limits())], {}, NOW)
    first = session.next(NOW)
    assert first == ("d", "c0")
    change = session.answer(first, Rating.AGAIN, NOW)
    assert change.after.phase is Phase.LEARNING
    assert session.next(NOW) == ("d", "c1")  # the other new card first
    session.answer(("d", "c1"), Rating.EASY, NOW)
    # only the learning card is left: shown early (learn-ahead), then gone once graduated
    assert session.next(NOW) == ("d", "c0")
    assert session.counts(NOW).learning == 1
    session.answer(("d", "c0"), Rating.EASY, NOW + timedelta(minutes=1))
    assert session.next(NOW + timedelta(minutes=1)) is None


def test_bury_and_suspend_remove_a_card_until_tomorrow_or_for_good() -> None:
    session = Session.start([DeckPlan(make_deck(2), CONFIG, Limits())], {}, NOW)
    buried = session.bury(("d", "c0"), NOW)
    assert buried.after.buried_until == scheduler.day_start(
        scheduler.study_day(NOW, CONFIG) + timedelta(days=1), CONFIG
    )
    suspended = session.suspend(("d", "c1"))
    assert suspended.after.suspended
    assert session.next(NOW) is None
    tomorrow = Session.start(
        [DeckPlan(make_deck(2), CONFIG, Limits())], session.states, NOW + timedelta(days=1)
    )
    assert tomorrow.new_queue == [("d", "c0")]


def test_tags_filter_the_session() -> None:
    deck = make_deck(3, tags=("dates",))
    other = Deck(
        "d", "T", "d.toml", deck.cards + (Card("x", Kind.BASIC, "Q", "A", ("A",), tags=("actors",)),)
    )
    session = Session.start([DeckPlan(other, CONFIG, Limits())], {}, NOW, tags=["actors"])
    assert session.new_queue == [("d", "x")]


@pytest.fixture
def open_study(tmp_path: Path) -> Iterator[Callable[..., study_use.Study]]:
    """Start a study session on tmp_path/p.db; every store opened is closed when the test ends."""
    from io import StringIO

    from rich.console import Console

    with ExitStack() as stores:

        def start(deck: Deck, now: datetime, **options: object) -> study_use.Study:
            env = Environment(Console(file=StringIO()), Console(file=StringIO()), db_path=tmp_path / "p.db")
            store = stores.enter_context(Store.open(tmp_path / "p.db"))
            return study_use.Study(store, study_use.start_session(env, store, [deck], now, **options))  # type: ignore[arg-type]

        yield start


def test_undo_restores_state_and_queue_across_a_restart(open_study: Callable[..., study_use.Study]) -> None:
    deck = make_deck(3)
    study = open_study(deck, NOW)
    key = study.session.next(NOW)
    assert key is not None
    study.rate(key, Rating.GOOD, NOW, proposed=Rating.AGAIN, answer="x", correct=False)
    study.store.close()
    again = open_study(deck, NOW + timedelta(minutes=1))
    assert again.session.counts(NOW).new == 2  # one new card already introduced today
    assert again.undo(NOW + timedelta(minutes=1)) == study_use.Undone(study_use.Undid.ANSWER, key)
    assert again.store.state("d", key[1]) == CardState()
    assert again.session.next(NOW + timedelta(minutes=1)) == key
    assert again.session.counts(NOW).new == 3


def test_leech_is_suspended_after_eight_lapses(open_study: Callable[..., study_use.Study]) -> None:
    deck = make_deck(1)
    now = NOW
    study = open_study(deck, now)
    study.rate(("d", "c0"), Rating.EASY, now)
    lapses = 0
    while not study.store.state("d", "c0").leech:
        state = study.store.state("d", "c0")
        assert state.due is not None
        now = max(now, state.due) + timedelta(minutes=1)
        rating = Rating.AGAIN if state.phase is Phase.REVIEW else Rating.GOOD
        lapses += rating is Rating.AGAIN
        study.rate(("d", "c0"), rating, now)
        assert lapses <= 8
    final = study.store.state("d", "c0")
    assert (final.lapses, final.suspended) == (8, True)


def test_editing_a_card_keeps_its_progress_and_is_noticed(open_study: Callable[..., study_use.Study]) -> None:
    deck = make_deck(2)
    study = open_study(deck, NOW)
    study.rate(("d", "c0"), Rating.EASY, NOW)
    study.store.close()
    edited = Deck("d", "T", "d.toml", (Card("c0", Kind.BASIC, "Q0 reworded", "A0", ("A0",)), deck.cards[1]))
    later = open_study(edited, NOW + timedelta(days=1))
    assert later.store.state("d", "c0").phase is Phase.REVIEW
    assert later.changed(("d", "c0")) and not later.changed(("d", "c1"))
