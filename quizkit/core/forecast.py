"""Projections until an exam, by playing the schedule forward.

- The load (quizkit due --exam-date): the cards due on each day, with Good answers and the planned
  new cards.
- The recall on the day (quizkit stats, the dashboard): each card's expected recall on a day, its
  reviews until then done on their days, each recalled with the probability FSRS gives it or
  forgotten; then the score of a mock exam drawn from those cards, with an interval, and how well
  past predictions matched past mock exams (the calibration). docs/stats.md, "Exam forecast".
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from datetime import date, datetime, timedelta
from statistics import NormalDist

from msgspec import Struct

from quizkit.core import scheduler
from quizkit.core.session import DeckPlan, fuzz_key, note_of
from quizkit.model import Card, CardState, Key, Kind, Phase, Rating
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
    introductions = _Introductions(plan, states, new_keys, now, days)
    for offset, introduced in enumerate(introductions):
        new[offset] = len(introduced)
        pending.extend(_learned(plan, today, offset, key) for key in introduced)
    left = introductions.left
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
    return out, left


class _Introductions:
    """The new cards the session would introduce on each study day from today: at most the deck's
    new cards a day, with its bury_siblings one of a note a day and none today of a note answered
    today. Iterate for each day's cards; `left` then holds how many are still unseen."""

    def __init__(
        self,
        plan: DeckPlan,
        states: Mapping[Key, CardState],
        new_keys: Sequence[Key],
        now: datetime,
        days: int,
    ) -> None:
        self.plan, self.days, self.left = plan, days, len(new_keys)
        self._queue = list(new_keys)
        config = plan.config
        since = scheduler.day_start(scheduler.study_day(now, config), config)
        self._busy = {
            _note(plan, key)
            for key, state in states.items()
            if plan.bury_siblings and state.last_review is not None and state.last_review >= since
        }  # notes answered today: their new siblings wait for tomorrow

    def __iter__(self) -> Iterator[list[Key]]:
        plan, queue = self.plan, self._queue
        busy = self._busy
        for offset in range(self.days):
            budget = max(0, plan.limits.new_per_day - (plan.new_done if offset == 0 else 0))
            if plan.bury_siblings:
                introduced, queue = _one_a_note(plan, queue, budget, busy)
                busy = set()
            else:
                introduced, queue = queue[:budget], queue[budget:]
            self.left = len(queue)
            yield introduced

    def unseen_after(self) -> int:
        """How many are still unseen after the last day."""
        for _ in self:
            pass
        return self.left


def _learned(plan: DeckPlan, today: date, offset: int, key: Key) -> CardState:
    """A new card answered Good through its learning steps on study day `today + offset`."""
    config = plan.config
    moment = scheduler.day_start(today + timedelta(days=offset), config) + timedelta(hours=2)
    state = scheduler.review(CardState(), Rating.GOOD, moment, config, key=fuzz_key(key), cap=plan.cap)
    while state.phase is not Phase.REVIEW:  # the learning steps, the same day
        assert state.due is not None
        state = scheduler.review(state, Rating.GOOD, state.due, config, key=fuzz_key(key), cap=plan.cap)
    return state


# ---- the recall on the day, and the score -------------------------------------------------------

PRUNE = 0.01
"""A path of a card's projection (its recalls and lapses) less likely than this splits no more:
it is played on as if every later review were recalled. The work stays bounded (a card reviewed
daily for a month before its exam: about 200 steps), and what it leaves out, a further lapse on a
path already this unlikely, raises the predicted recall by 0.2 percentage points at most in
tests/test_exam_forecast.py's Monte Carlo runs of the scheduler."""

MODEL_ERROR = 0.05
"""The spread of FSRS's predictions around what happens, before any mock exam has measured it:
FSRS-6's RMSE(bins) is about 0.05 across the srs-benchmark's collections (and 0.03-0.06 on the
review log in tests/data). Past mock exams replace it with the learner's own (Calibration)."""

LEVEL = 0.8
"""The interval given with a predicted score holds the score four times in five."""


def recall_on(
    state: CardState,
    day: date,
    now: datetime,
    memory: scheduler.Memory,
    config: scheduler.SchedulerConfig,
    cap: date | None = None,
) -> float:
    """The expected recall of a card on study day `day` (0 for a card never studied).

    Every review before `day` is done on its due day (an overdue card: today): recalled with the
    probability FSRS gives (then answered Good), else forgotten (Again, then Good at each
    relearning step). Intervals as the scheduler sets them with `cap` (the exam date), unfuzzed.
    A card due on or after `day`, or suspended, is not reviewed before: its recall on `day` is the
    scheduler's retrievability then.
    """
    if state.phase is Phase.NEW or state.stability is None or state.last_review is None:
        return 0.0
    if state.phase is not Phase.REVIEW and not state.suspended:
        state = _graduated(state, now, config, cap)
    assert state.stability is not None and state.difficulty is not None and state.last_review is not None
    due = None if state.suspended or state.due is None else memory.day(state.due)
    return recall_from(
        memory, state.stability, state.difficulty, memory.day(state.last_review), due, day.toordinal(),
        memory.day(now), cap,
    )  # fmt: skip


def recall_from(
    memory: scheduler.Memory,
    stability: float,
    difficulty: float | None,
    last: int,
    due: int | None,
    end: int,
    today: int,
    cap: date | None,
) -> float:
    """recall_on for a card in review, or suspended, on bare numbers: its last review's and due
    study days as ordinals (`due` None: suspended, or never due), the day `end` and today."""
    if due is None:
        return memory.recall(stability, end - last)
    return _played(memory, stability, difficulty or 5.0, last, due, end, today, cap)


def _graduated(
    state: CardState, now: datetime, config: scheduler.SchedulerConfig, cap: date | None
) -> CardState:
    """A card in its (re)learning steps, answered Good at each step until it is in review."""
    while state.phase in (Phase.LEARNING, Phase.RELEARNING):
        assert state.due is not None
        state = scheduler.review(state, Rating.GOOD, max(state.due, now), config, key="projection", cap=cap)
    return state


def _played(
    memory: scheduler.Memory, s: float, d: float, last: int, due: int, end: int, today: int, cap: date | None
) -> float:
    """The recall on day `end`, summed over the paths of recalls and lapses until then.

    A lapse less likely than PRUNE still happens, but its path is played on with recalls only."""
    total = 0.0
    paths = [(s, d, last, due, 1.0, True)]
    while paths:
        s, d, last, due, mass, splits = paths.pop()
        while due < end:
            when = max(due, today)
            elapsed = max(1, when - last)
            if splits:
                lost = mass * (1.0 - memory.recall(s, elapsed))
                fs, fd = memory.forgotten(s, d, elapsed)
                paths.append((fs, fd, when, when + _interval(memory, fs, when, cap), lost, lost >= PRUNE))
                mass -= lost
                splits = mass >= PRUNE
            s, d = memory.recalled(s, d, elapsed)
            last, due = when, when + _interval(memory, s, when, cap)
        total += mass * memory.recall(s, end - last)
    return total


def _interval(memory: scheduler.Memory, stability: float, day: int, cap: date | None) -> int:
    return memory.interval(stability, date.fromordinal(day), cap)


def exam_recall(
    plan: DeckPlan,
    states: Mapping[Key, CardState],
    new_keys: Sequence[Key],
    now: datetime,
    day: date,
    memory: scheduler.Memory | None = None,
) -> tuple[dict[Key, float], int]:
    """Each card's expected recall on study day `day` (recall_on); a card not studied yet counts 0,
    for nothing of it is known. Also how many of `new_keys` the plan's new cards a day would still
    leave unseen on the day (0: they would all be learned by then)."""
    config = plan.config
    memory = memory or scheduler.Memory(config)
    out = {key: recall_on(state, day, now, memory, config, plan.cap) for key, state in states.items()}
    out.update(dict.fromkeys(new_keys, 0.0))
    return out, unseen_on(plan, states, new_keys, now, day)


def unseen_on(
    plan: DeckPlan, states: Mapping[Key, CardState], new_keys: Sequence[Key], now: datetime, day: date
) -> int:
    """How many of `new_keys` the plan's new cards a day would still leave unseen on study day
    `day`. Of `states`, only those of cards answered today count (their notes' new siblings wait)."""
    today = scheduler.study_day(now, plan.config)
    days = min(max(0, (day - today).days), MAX_DAYS)
    return _Introductions(plan, states, new_keys, now, days).unseen_after()


def guess_chance(card: Card) -> float:
    """The chance of scoring a question without knowing the answer: one of its choices picked at
    random, or true/false; nothing for a typed, ordered, multi-select or self-marked answer."""
    if card.kind is Kind.CHOICE and card.choices:
        return 1.0 / len(card.choices)
    if card.kind is Kind.TRUEFALSE:
        return 0.5
    return 0.0


def score_chance(recall: float, guess: float) -> float:
    """The chance of scoring a question: recalled, or else guessed."""
    return recall + (1.0 - recall) * guess


class ScoreForecast(Struct, frozen=True):
    """A mock exam's predicted score, as a share of its questions, and the interval around it."""

    questions: int
    expected: float
    low: float
    high: float
    model_error: float
    """The spread of the model's own error counted in the interval (MODEL_ERROR, or measured)."""


def exam_score(
    chances: Sequence[float], questions: int, model_error: float = MODEL_ERROR, bias: float = 0.0
) -> ScoreForecast:
    """The score of `questions` questions drawn at random from cards with these chances of
    scoring, with the interval that holds it with probability LEVEL.

    Three things make the score vary, and the interval counts each: which questions are drawn
    (without replacement from the cards), whether each is answered right given its chance, and how
    far the chances themselves are off (`model_error`, a standard deviation on the share). `bias`
    moves the centre: how far past mock exams scored above (or below) what was predicted."""
    m = len(chances)
    n = min(questions, m)
    if n == 0:
        return ScoreForecast(0, 0.0, 0.0, 0.0, model_error)
    mean = math.fsum(chances) / m
    spread = math.fsum((p - mean) ** 2 for p in chances) / m
    # Var = E[Var(score | questions)] + Var(E[score | questions]), drawn without replacement.
    drawn = (mean * (1 - mean) - spread * (n - 1) / (m - 1 if m > 1 else 1)) / n
    sd = math.sqrt(max(0.0, drawn) + model_error**2)
    z = NormalDist().inv_cdf(0.5 + LEVEL / 2)
    centre = min(1.0, max(0.0, mean + bias))
    return ScoreForecast(n, centre, max(0.0, centre - z * sd), min(1.0, centre + z * sd), model_error)


class PastExam(Struct, frozen=True):
    """A mock exam taken, with what the model predicted for its questions when it began."""

    taken: datetime
    questions: int
    predicted: float
    """The mean chance of scoring its questions, from the cards' states when the exam began."""
    scored: float
    """The share of marks scored."""
    noise: float
    """The variance of the score that chance alone gives, the predictions being right."""


class Calibration(Struct, frozen=True):
    """How past predictions matched past mock exams: the measure of how far to trust a forecast."""

    exams: tuple[PastExam, ...]
    """Oldest first."""

    @property
    def predicted(self) -> float:
        return math.fsum(e.predicted for e in self.exams) / len(self.exams) if self.exams else 0.0

    @property
    def scored(self) -> float:
        return math.fsum(e.scored for e in self.exams) / len(self.exams) if self.exams else 0.0

    @property
    def error(self) -> float:
        """The root mean square of scored - predicted over the exams."""
        if not self.exams:
            return 0.0
        return math.sqrt(math.fsum((e.scored - e.predicted) ** 2 for e in self.exams) / len(self.exams))

    @property
    def bias(self) -> float:
        """How far the exams scored above what was predicted (below: negative), pooled with no
        bias at all as if that had been seen on PRIOR_EXAMS exams: the correction a forecast takes."""
        n = len(self.exams)
        return math.fsum(e.scored - e.predicted for e in self.exams) / (n + PRIOR_EXAMS) if n else 0.0

    @property
    def model_error(self) -> float:
        """The model's own error as the exams measured it: what is left of their squared misses
        once the chance that a score varies is taken off, pooled with MODEL_ERROR as if it had
        been measured on PRIOR_EXAMS exams, and never below half of MODEL_ERROR: a few exams that
        went as predicted cannot prove the model exact."""
        n = len(self.exams)
        excess = (
            max(0.0, math.fsum((e.scored - e.predicted) ** 2 - e.noise for e in self.exams) / n) if n else 0.0
        )
        return math.sqrt((PRIOR_EXAMS * MODEL_ERROR**2 + n * excess) / (PRIOR_EXAMS + n))


PRIOR_EXAMS = 3
"""How many mock exams MODEL_ERROR counts as, against the learner's own."""


def past_exam(taken: datetime, chances: Sequence[float], marks: float) -> PastExam:
    """A past mock exam from its questions' chances of scoring and the marks scored."""
    n = len(chances)
    predicted = math.fsum(chances) / n if n else 0.0
    noise = math.fsum(p * (1 - p) for p in chances) / n**2 if n else 0.0
    return PastExam(taken, n, predicted, marks / n if n else 0.0, noise)


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
