"""Siblings (the cloze deletions of one note, both sides of a reversed card) are not shown on the
same study day, as Anki buries them; a mock exam draws one card of a note where it can."""

from __future__ import annotations

import random
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from quizkit.cli import app
from quizkit.core.exam import draw_questions
from quizkit.core.scheduler import SchedulerConfig
from quizkit.core.session import DeckPlan, Session, note_of
from quizkit.core.settings import Limits
from quizkit.model import Card, CardState, Deck, Kind, Phase, Rating

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CONFIG = SchedulerConfig()


def card(card_id: str, note: str) -> Card:
    return Card(card_id, Kind.CLOZE, f"Q {card_id}", f"A {card_id}", (f"A {card_id}",), note_id=note)


def family_deck() -> Deck:
    """A cloze note of two deletions, a reversed basic, and a plain card whose id only looks like one."""
    cards = (
        card("kabul.c1", "kabul"),
        card("kabul.c2", "kabul"),
        card("paris", "paris"),
        card("paris.rev", "paris"),
        card("lone.rev", "lone.rev"),  # written with this id: no sibling of anything
        card("lone", "lone"),
    )
    return Deck("d", "T", "d.toml", cards)


def start(states: dict[tuple[str, str], CardState], now: datetime = NOW, **options: object) -> Session:
    plan = DeckPlan(family_deck(), CONFIG, Limits(new_per_day=20))
    return Session.start([plan], states, now, **options)  # type: ignore[arg-type]


def review_state(due: datetime, stability: float = 10.0, last: datetime | None = None) -> CardState:
    return CardState(Phase.REVIEW, None, stability, 5.0, due, last or NOW - timedelta(days=10), 3, 0)


def learning_state(due: datetime, last: datetime) -> CardState:
    return CardState(Phase.LEARNING, 1, 2.0, 5.0, due, last, 1, 0)


def test_only_one_new_card_of_a_note_is_introduced_a_day() -> None:
    session = start({})
    assert session.new_queue == [("d", "kabul.c1"), ("d", "paris"), ("d", "lone.rev"), ("d", "lone")]
    assert session.counts(NOW).new == 4


def test_the_siblings_come_the_next_day() -> None:
    session = start({})
    for _ in range(4):
        key = session.next(NOW)
        assert key is not None
        session.answer(key, Rating.EASY, NOW)
    assert session.next(NOW) is None
    tomorrow = start(session.states, NOW + timedelta(days=1))
    assert tomorrow.new_queue == [("d", "kabul.c2"), ("d", "paris.rev")]


def test_a_sibling_answered_earlier_today_holds_the_others_back() -> None:
    earlier = NOW - timedelta(hours=2)
    states = {("d", "kabul.c1"): review_state(NOW + timedelta(days=3), last=earlier)}
    session = start(states)
    assert ("d", "kabul.c2") not in session.new_queue
    # yesterday's answer holds nothing back today
    states = {("d", "kabul.c1"): review_state(NOW + timedelta(days=3), last=NOW - timedelta(days=1))}
    assert ("d", "kabul.c2") in start(states).new_queue


def test_review_siblings_due_the_same_day_come_on_different_days() -> None:
    states = {
        ("d", "kabul.c1"): review_state(NOW - timedelta(hours=1), stability=30.0),
        ("d", "kabul.c2"): review_state(NOW - timedelta(hours=1), stability=2.0),  # most at risk: first
    }
    session = start(states)
    assert session.review_queue == [("d", "kabul.c2")]
    assert ("d", "kabul.c1") not in session.new_queue + session.review_queue
    session.answer(("d", "kabul.c2"), Rating.GOOD, NOW)
    tomorrow = start(session.states, NOW + timedelta(days=1))
    assert tomorrow.review_queue == [("d", "kabul.c1")]


def test_answering_a_learning_card_leaves_its_due_sibling_for_tomorrow_and_undo_brings_it_back() -> None:
    yesterday = NOW - timedelta(days=1)
    states = {
        ("d", "kabul.c1"): learning_state(NOW - timedelta(minutes=5), yesterday),
        ("d", "kabul.c2"): review_state(NOW - timedelta(hours=1)),
    }
    session = start(states)
    assert session.review_queue == [("d", "kabul.c2")]  # a learning card holds nothing back
    assert session.next(NOW) == ("d", "kabul.c1")
    change = session.answer(("d", "kabul.c1"), Rating.GOOD, NOW)
    assert session.review_queue == []
    assert session.counts(NOW).review == 0
    session.undo(("d", "kabul.c1"), change.before, NOW)
    assert session.review_queue == [("d", "kabul.c2")]


def test_burying_or_suspending_the_card_in_the_queue_lets_its_sibling_in() -> None:
    session = start({})
    session.bury(("d", "kabul.c1"), NOW)
    assert ("d", "kabul.c2") in session.new_queue
    session.suspend(("d", "paris"))
    assert ("d", "paris.rev") in session.new_queue
    assert session.counts(NOW).new == 4
    # an undo of the bury puts the card back, and its sibling waits again
    session.undo(("d", "kabul.c1"), CardState(), NOW)
    assert ("d", "kabul.c1") in session.new_queue and ("d", "kabul.c2") not in session.new_queue


def test_learning_siblings_are_not_held_back() -> None:
    yesterday = NOW - timedelta(days=1)
    states = {
        ("d", "kabul.c1"): learning_state(NOW - timedelta(minutes=5), yesterday),
        ("d", "kabul.c2"): learning_state(NOW - timedelta(minutes=4), yesterday),
    }
    session = start(states)
    session.answer(("d", "kabul.c1"), Rating.AGAIN, NOW)
    assert session.next(NOW) == ("d", "kabul.c2")


def test_bury_siblings_off_shows_them_all() -> None:
    session = start({}, bury_siblings=False)
    assert len(session.new_queue) == 6
    key = session.next(NOW)
    assert key is not None
    session.answer(key, Rating.GOOD, NOW)
    assert ("d", "kabul.c2") in session.new_queue


def test_random_new_order_still_takes_one_card_of_a_note() -> None:
    for seed in range(5):
        queue = start({}, new_order="random", rng=random.Random(seed)).new_queue
        notes = [key[1].removesuffix(".c1").removesuffix(".c2") for key in queue if "kabul" in key[1]]
        assert len(notes) == 1 and len([k for k in queue if k[1].startswith("paris")]) == 1
        assert len(queue) == 4


def test_cram_ignores_siblings() -> None:
    plan = DeckPlan(family_deck(), CONFIG, Limits())
    assert len(Session.cram([plan], {}).new_queue) == 6


# ---------------------------------------------------------------- the mock exam


def test_an_exam_draws_one_card_of_a_note_when_there_are_enough_notes() -> None:
    deck = family_deck()
    for seed in range(20):
        drawn = [q.card.note_id for q in draw_questions(deck, 4, random.Random(seed))]
        assert sorted(drawn) == sorted(set(drawn)), (seed, drawn)


def test_an_exam_larger_than_the_notes_takes_every_note_and_then_siblings() -> None:
    for seed in range(20):
        drawn = draw_questions(family_deck(), 5, random.Random(seed))
        assert len(drawn) == 5 and len({q.card.note_id for q in drawn}) == 4, seed
    assert len(draw_questions(family_deck(), None, random.Random(1))) == 6


def test_an_exam_without_siblings_draws_as_before() -> None:
    cards = tuple(Card(f"c{i}", Kind.BASIC, f"Q{i}", f"A{i}", (f"A{i}",), note_id=f"c{i}") for i in range(9))
    deck = Deck("d", "T", "d.toml", cards)
    expected = random.Random(4).sample(list(cards), 5)
    assert [q.card.id for q in draw_questions(deck, 5, random.Random(4))] == [c.id for c in expected]


# ---------------------------------------------------------------- as a learner meets it

CLOZE_DECK = """
[deck]
id = "sib"
title = "Siblings"

[[cards]]
id = "kabul"
cloze = "The Taliban took {{Kabul}} in {{1996}}."

[[cards]]
id = "paris"
q = "Capital of France?"
a = "Paris"
reverse = true
"""


def reviewed(db: Path) -> list[str]:
    connection = sqlite3.connect(db)
    try:
        return [row[0] for row in connection.execute("SELECT card_id FROM reviews ORDER BY id")]
    finally:
        connection.close()


@pytest.mark.parametrize("bury", [True, False])
def test_review_over_two_days_shows_siblings_a_day_apart(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bury: bool
) -> None:
    deck = tmp_path / "sib.toml"
    deck.write_text(CLOZE_DECK, encoding="utf-8")
    if not bury:
        config = tmp_path / "config.toml"
        config.write_text("bury_siblings = false\n", encoding="utf-8")
        monkeypatch.setenv("QUIZKIT_CONFIG", str(config))
    easy = ["", "4"] * 4  # reveal, Easy: each card graduates at once
    first = runner.invoke(app, ["review", str(deck)], input="".join(f"{line}\n" for line in easy))
    assert first.exit_code == 0, first.output
    db = tmp_path / "progress.db"
    if bury:
        assert "Siblings  2 new · 0 learning · 0 review" in first.output
        assert reviewed(db) == ["kabul.c1", "paris"]
    else:
        assert "Siblings  4 new · 0 learning · 0 review" in first.output
        assert reviewed(db) == ["kabul.c1", "kabul.c2", "paris", "paris.rev"]
        return
    monkeypatch.setenv("QUIZKIT_NOW", "2026-03-03T09:00:00+00:00")
    second = runner.invoke(app, ["review", str(deck)], input="".join(f"{line}\n" for line in easy))
    assert second.exit_code == 0, second.output
    assert "Siblings  2 new · 0 learning · 0 review" in second.output
    assert reviewed(db) == ["kabul.c1", "paris", "kabul.c2", "paris.rev"]


def test_bury_siblings_must_be_true_or_false(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('bury_siblings = "no"\n', encoding="utf-8")
    monkeypatch.setenv("QUIZKIT_CONFIG", str(config))
    deck = tmp_path / "sib.toml"
    deck.write_text(CLOZE_DECK, encoding="utf-8")
    result = runner.invoke(app, ["review", str(deck)], input="q\n")
    assert result.exit_code == 1
    assert "setting 'bury_siblings' has the wrong type" in result.output
    assert "Traceback" not in result.output


def test_a_deck_can_turn_siblings_off_or_on_for_itself(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    off = tmp_path / "off.toml"
    off.write_text(
        CLOZE_DECK.replace('title = "Siblings"', 'title = "Off"\nbury_siblings = false').replace(
            '"sib"', '"off"'
        ),
        encoding="utf-8",
    )
    on = tmp_path / "on.toml"
    on.write_text(
        CLOZE_DECK.replace('title = "Siblings"', 'title = "On"\nbury_siblings = true').replace(
            '"sib"', '"on"'
        ),
        encoding="utf-8",
    )
    for _ in range(2):  # the second time from the deck cache
        result = runner.invoke(app, ["due", str(off), str(on)])
        assert result.exit_code == 0, result.output
        assert "│ off  │   4 │" in result.output and "│ on   │   2 │" in result.output, result.output
    config = tmp_path / "config.toml"
    config.write_text("bury_siblings = false\n", encoding="utf-8")
    monkeypatch.setenv("QUIZKIT_CONFIG", str(config))
    result = runner.invoke(app, ["due", str(off), str(on)])
    assert "│ off  │   4 │" in result.output and "│ on   │   2 │" in result.output, result.output


def test_a_decks_bury_siblings_must_be_true_or_false(runner: CliRunner, tmp_path: Path) -> None:
    deck = tmp_path / "bad.toml"
    deck.write_text(
        CLOZE_DECK.replace('title = "Siblings"', 'title = "Bad"\nbury_siblings = "yes"'), encoding="utf-8"
    )
    result = runner.invoke(app, ["validate", str(deck)])
    assert result.exit_code == 1
    assert "[deck] bury_siblings must be true or false" in result.output


# ---------------------------------------------------------------- a property over many days


@settings(max_examples=40, deadline=None)
@given(
    sizes=st.lists(st.integers(min_value=1, max_value=3), min_size=1, max_size=6),
    ratings=st.lists(st.sampled_from(list(Rating)), min_size=1, max_size=80),
    new_per_day=st.integers(min_value=1, max_value=6),
)
def test_no_two_cards_of_a_note_leave_new_or_review_on_one_study_day(
    sizes: list[int], ratings: list[Rating], new_per_day: int
) -> None:
    """Over simulated days (answers 10 minutes apart, a new session each morning), a note's
    second card is never answered out of new or review on a day when a sibling was answered."""
    cards = tuple(card(f"n{n}.c{i}", f"n{n}") for n, size in enumerate(sizes) for i in range(1, size + 1))
    deck = Deck("d", "T", "d.toml", cards)
    states: dict[tuple[str, str], CardState] = {}
    answered: dict[tuple[int, str], set[str]] = {}  # (day, note) -> cards answered that day
    pending = list(ratings)
    for day in range(30):
        now = NOW + timedelta(days=day)
        session = Session.start([DeckPlan(deck, CONFIG, Limits(new_per_day=new_per_day))], states, now)
        while pending:
            key = session.next(now)
            if key is None:
                break
            before = session.state(key)
            session.answer(key, pending.pop(0), now)
            note = key[1].split(".")[0]
            siblings = answered.setdefault((day, note), set())
            if before.phase in (Phase.NEW, Phase.REVIEW):
                assert not (siblings - {key[1]}), (day, key, siblings)
            siblings.add(key[1])
            now += timedelta(minutes=10)
        states = session.states
        if not pending:
            break


@settings(max_examples=60, deadline=None)
@given(
    sizes=st.lists(st.integers(min_value=1, max_value=3), min_size=1, max_size=8),
    actions=st.lists(
        st.tuples(st.sampled_from(["answer", "undo", "bury", "suspend"]), st.sampled_from(list(Rating))),
        max_size=40,
    ),
    seed=st.integers(min_value=0, max_value=1000),
)
def test_the_note_index_finds_the_queued_siblings_a_walk_of_the_queues_finds(
    sizes: list[int], actions: list[tuple[str, Rating]], seed: int
) -> None:
    """_queued_siblings looks only at a note's known cards in a review; at every step it must give
    what walking both queues gives, in the same order (answers, undos, buries, suspends, with
    reviews due and new cards in random order)."""
    rng = random.Random(seed)
    cards = tuple(card(f"n{n}.c{i}", f"n{n}") for n, size in enumerate(sizes) for i in range(1, size + 1))
    deck = Deck("d", "T", "d.toml", cards)
    states = {
        ("d", c.id): review_state(NOW - timedelta(days=rng.randint(0, 3)))
        for c in cards
        if rng.random() < 0.4
    }
    plan = DeckPlan(deck, CONFIG, Limits(new_per_day=rng.randint(1, 6)))
    session = Session.start([plan], states, NOW, new_order="random", rng=rng)
    now = NOW
    done: list[tuple[tuple[str, str], CardState]] = []

    def note(key: tuple[str, str]) -> tuple[str, str]:  # not session._note: that would index the card
        return (key[0], note_of(key[1], lambda: session.cards.get(key)))

    def check() -> None:
        for c in cards:
            key = ("d", c.id)
            queued = (*session.new_queue, *session.review_queue)
            walked = [k for k in queued if k != key and note(k) == note(key)]
            assert session._queued_siblings(key, note(key)) == walked

    check()
    for action, rating in actions:
        key = session.next(now)
        if action == "undo" and done:
            undone, before = done.pop()
            session.undo(undone, before, now)
        elif key is not None and action == "answer":
            done.append((key, session.state(key)))
            session.answer(key, rating, now)
        elif key is not None and action == "bury":
            session.bury(key, now)
        elif key is not None and action == "suspend":
            session.suspend(key)
        check()
        now += timedelta(minutes=7)
