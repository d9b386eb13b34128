"""The exam forecast, for quizkit stats and the dashboard: each card's recall on its deck's exam day
(30 days ahead without one), projected along its reviews with the deck's scheduler (its fitted
parameters, if quizkit optimize saved some); a mock exam's predicted score with its interval; and
past mock exams against what was predicted for them. The model is core.forecast; docs/stats.md,
"Exam forecast", says what each figure means.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from itertools import repeat
from typing import TYPE_CHECKING

from msgspec import Struct

from quizkit.app.env import Environment
from quizkit.app.study import plan_decks
from quizkit.core import forecast, scheduler
from quizkit.core.calendar import EPOCH, DayNumbers
from quizkit.model import Deck, Key, Phase
from quizkit.shapes.stats import Calibration, Exam, ExamForecast, MockExam
from quizkit.store.db import to_ms
from quizkit.store.exams import ExamLog
from quizkit.store.progress import Store

if TYPE_CHECKING:
    from quizkit.core.session import DeckPlan

AHEAD_DAYS = 30
"""Without a coming exam, recall is predicted this many days ahead."""

QUESTIONS = 20
"""The mock exam a score is predicted for: quizkit quiz's default count."""

CALIBRATION_EXAMS = 10
"""The latest mock exams of a deck that measure its forecast."""


class Projection(Struct, frozen=True):
    recall: Mapping[Key, float]
    """Each card's expected recall on its deck's day."""
    now: Mapping[Key, float]
    """Each studied card's retrievability now."""
    days: Mapping[str, date]
    """Each deck's day: its coming exam's, else AHEAD_DAYS ahead."""
    forecasts: tuple[ExamForecast, ...]
    calibrations: tuple[Calibration, ...]


def project(
    env: Environment,
    store: Store,
    loaded: Sequence[Deck],
    scope: Mapping[str, Sequence[str]],
    exams: Sequence[Exam],
    now: datetime,
) -> Projection:
    """The projection of the cards in `scope` (card ids by deck id) of the decks `loaded`."""
    coming = {exam.deck_id: exam for exam in exams if not exam.past}
    recall: dict[Key, float] = {}
    current: dict[Key, float] = {}
    stopped: dict[Key, float] = {}
    days: dict[str, date] = {}
    forecasts: list[tuple[Deck, Exam, Sequence[str], Mapping[Key, float], int]] = []
    plans = plan_decks(env, store, loaded, now)
    for plan in plans:
        deck = plan.deck
        config = plan.config
        memory = scheduler.Memory(config)
        exam = coming.get(deck.id)
        day = exam.day if exam else scheduler.study_day(now, config) + timedelta(days=AHEAD_DAYS)
        days[deck.id] = day
        ids = scope.get(deck.id, ())
        by_card, unseen = _recall(store, plan, day, now, memory, ids, current, stopped)
        recall.update(dict.fromkeys(zip(repeat(deck.id), ids), 0.0))
        recall.update(by_card)  # by_card holds cards of `ids` only
        if exam is not None and ids:
            forecasts.append((deck, exam, ids, by_card, unseen))
    # Only the decks with cards in scope (a --tag may leave a deck out).
    measured = _calibrations(store, [plan for plan in plans if scope.get(plan.deck.id)])
    return Projection(
        recall,
        current,
        days,
        tuple(
            _forecast(deck, exam, ids, by_card, unseen, stopped, measured.get(deck.id))
            for deck, exam, ids, by_card, unseen in forecasts
        ),
        tuple(shape for shape, _, _ in measured.values()),
    )


def _recall(
    store: Store,
    plan: DeckPlan,
    day: date,
    now: datetime,
    memory: scheduler.Memory,
    ids: Sequence[str],
    current: dict[Key, float],
    stopped: dict[Key, float],
) -> tuple[dict[Key, float], int]:
    """forecast.exam_recall for the cards `ids` of the plan's deck, from the stored numbers: each
    card's recall on `day` (by key; a card not studied yet is left out: it counts 0), and how many
    new cards would still be unseen then. Fills in each studied card's recall now and on the day
    if it stopped reviewing (`current`, `stopped`).

    No CardState is built but for a card in its (re)learning steps (played through them first) or
    answered today (its note's new siblings wait): 50,000 cards are numbers, not objects."""
    deck, config, cap = plan.deck, plan.config, plan.cap
    deck_id = deck.id
    rows = store.memory_rows(deck_id)
    since = _ms(scheduler.day_start(scheduler.study_day(now, config), config))
    # A due time from the day's start on falls on the day or later: its exact day is not needed.
    end_ms = _ms(scheduler.day_start(day, config))
    wanted = set(ids)
    # One pass over the rows: the studied, the suspended, those answered today, those in scope.
    new_phase, bury = int(Phase.NEW), plan.bury_siblings
    studied: set[str] = set()
    suspended: set[str] = set()
    answered_today: list[str] = []
    picked = []
    earliest = end_ms
    for row in rows:
        card_id = row[0]
        if row[6]:
            suspended.add(card_id)
        if row[1] != new_phase:
            studied.add(card_id)
            due, last = row[4], row[5]
            if bury and last is not None and last >= since:
                answered_today.append(card_id)
            if card_id in wanted:
                picked.append(row)
                if due is not None and due < earliest:
                    earliest = due
                if last is not None and last < earliest:
                    earliest = last
    # The whole deck, as the session introduces its new cards in deck order (a suspended one
    # never); the scope (a --tag) picks its cards afterwards.
    new_keys = [(deck_id, c) for c in _ids(deck) if c not in studied and c not in suspended]
    recent = {
        (deck_id, card_id): store.state(deck_id, card_id) for card_id in answered_today
    }  # answered today: their notes' new siblings wait for tomorrow
    unseen = forecast.unseen_on(plan, recent, new_keys, now, day)
    numbers = DayNumbers(max(earliest, end_ms - _SPAN_MS), end_ms, config)
    ordinal, fixed = numbers.ordinal, numbers.fixed()
    low, high, shift = fixed if fixed is not None else (1, 0, 0)  # an empty range: ordinal() decides
    today, end = memory.day(now), day.toordinal()
    factor, decay, review = memory.factor, memory.decay, int(Phase.REVIEW)
    by_card: dict[Key, float] = {}
    for card_id, phase, stability, difficulty, due, last, held in picked:
        key = (deck_id, card_id)
        if stability is None or last is None:
            by_card[key] = 0.0
            continue
        # ordinal(last), and memory.recall() at today and at the day, written out: 50,000 cards.
        last_day = (last + shift) // 86_400_000 + _EPOCH_ORDINAL if low <= last <= high else ordinal(last)
        left = float((1 + factor * max(0, end - last_day) / stability) ** decay)
        if phase != review and not held:  # played through its steps first
            by_card[key] = forecast.recall_on(store.state(deck_id, card_id), day, now, memory, config, cap)
        elif held or due is None or due >= end_ms:  # no review before the day
            by_card[key] = left
        else:
            due_day = (due + shift) // 86_400_000 + _EPOCH_ORDINAL if low <= due <= high else ordinal(due)
            by_card[key] = forecast.recall_from(
                memory, stability, difficulty, last_day, due_day, end, today, cap
            )
        current[key] = float((1 + factor * max(0, today - last_day) / stability) ** decay)
        stopped[key] = left
    return by_card, unseen


def _ms(moment: datetime) -> int:
    ms = to_ms(moment)
    assert ms is not None
    return ms


_EPOCH_ORDINAL = EPOCH.toordinal()


_SPAN_MS = 40 * 366 * 86_400_000
"""Moments further back than this before the day are turned into days one by one (damage, mostly)."""


def _ids(deck: Deck) -> Sequence[str]:
    from quizkit.model import card_index

    return card_index(deck.cards)[0]


def _forecast(
    deck: Deck,
    exam: Exam,
    ids: Sequence[str],
    by_card: Mapping[Key, float],
    unseen: int,
    stopped: Mapping[Key, float],
    measured: tuple[Calibration, float, float] | None,
) -> ExamForecast:
    recalls = [by_card.get((deck.id, card_id), 0.0) for card_id in ids]
    left = [stopped.get((deck.id, card_id), 0.0) for card_id in ids]
    studied = sum(1 for card_id in ids if (deck.id, card_id) in stopped)
    chances = [
        forecast.score_chance(r, _guess(deck, card_id)) for r, card_id in zip(recalls, ids, strict=True)
    ]
    model_error = measured[1] if measured else forecast.MODEL_ERROR
    bias = measured[2] if measured else 0.0
    score = forecast.exam_score(chances, QUESTIONS, model_error, bias)
    return ExamForecast(
        deck_id=deck.id,
        title=deck.title,
        day=exam.day,
        cards=len(ids),
        not_studied=len(ids) - studied,
        unseen=min(unseen, len(ids) - studied),
        recall=sum(recalls) / len(recalls),
        stopped=sum(left) / len(left),
        questions=score.questions,
        score=score.expected,
        low=score.low,
        high=score.high,
        level=forecast.LEVEL,
        model_error=score.model_error,
        measured=measured is not None,
        correction=bias,
    )


def _guess(deck: Deck, card_id: str) -> float:
    card = deck.card(card_id)
    return forecast.guess_chance(card) if card is not None else 0.0


def _calibrations(store: Store, plans: Sequence[DeckPlan]) -> dict[str, tuple[Calibration, float, float]]:
    """Each deck's latest mock exams against what the model predicted for their questions when
    they began (from each card's last review before), with the model error they measure."""
    rows = ExamLog(store).answers_with_memory([plan.deck.id for plan in plans], CALIBRATION_EXAMS)
    by_exam: dict[int, list[tuple[str, datetime, str, float, float | None, datetime | None]]] = {}
    answered: set[int] = set()
    for exam_id, deck_id, started, card_id, marks, stability, reviewed, given in rows:
        by_exam.setdefault(exam_id, []).append((deck_id, started, card_id, marks, stability, reviewed))
        if given:
            answered.add(exam_id)
    for exam_id in set(by_exam) - answered:  # handed in blank: it measures nothing
        del by_exam[exam_id]
    plan_of = {plan.deck.id: plan for plan in plans}
    past: dict[str, list[forecast.PastExam]] = {}
    for answers in by_exam.values():  # oldest first
        deck_id, started = answers[0][0], answers[0][1]
        plan = plan_of[deck_id]
        config = plan.config
        memory = scheduler.Memory(config)
        day = scheduler.study_day(started, config)
        chances = []
        for _, _, card_id, _, stability, reviewed in answers:
            recalled = 0.0
            if stability is not None and reviewed is not None:
                recalled = memory.recall(stability, (day - scheduler.study_day(reviewed, config)).days)
            chances.append(forecast.score_chance(recalled, _guess(plan.deck, card_id)))
        marks = sum(answer[3] for answer in answers)
        past.setdefault(deck_id, []).append(forecast.past_exam(started, chances, marks))
    out = {}
    for deck_id, exams in past.items():
        measured = forecast.Calibration(tuple(exams))
        shape = Calibration(
            deck_id,
            plan_of[deck_id].deck.title,
            tuple(MockExam(e.taken, e.questions, e.predicted, e.scored) for e in exams),
            measured.error,
        )
        out[deck_id] = (shape, measured.model_error, measured.bias)
    return out
