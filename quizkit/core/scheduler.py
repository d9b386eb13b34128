"""When a card comes back: FSRS-6 (the fsrs library) plus Anki's study days.

Pure: every function takes the moment it works at (``now``, timezone-aware) and
returns new values. Nothing here reads the clock, draws from the global random
generator or touches the disk; the fuzz added to intervals is drawn from a
generator seeded by the card's key and review count, so the same history always
gives the same schedule.

Two things differ from calling fsrs directly:

* **Study days.** fsrs counts the time since the last review in whole 24-hour
  periods. quizkit, like Anki, counts the study days crossed (a study day starts
  at ``day_start_hour`` local time). A card reviewed at 20:00 and again at 09:00
  the next morning has waited one day, not zero. fsrs is handed a copy of the card
  whose ``last_review`` is moved so that its 24-hour arithmetic sees exactly the
  number of study days crossed.
* **Due days.** A card in the review phase is due from the start of a study day
  (``day_start``), not at the minute of day it was last answered; learning and
  relearning steps stay exact times.

See docs/scheduling.md for the rules as users see them.
"""

from __future__ import annotations

import math
import random
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from functools import lru_cache
from typing import TYPE_CHECKING, Any, TypedDict
from zoneinfo import ZoneInfo

from msgspec import Struct
from msgspec.structs import replace

if TYPE_CHECKING:
    from fsrs.card import Card as FsrsCard
    from fsrs.rating import Rating as FsrsRating
    from fsrs.scheduler import Scheduler as FsrsScheduler
from quizkit.model import CardState, Phase, Rating

ALGORITHM = "FSRS-6"


DEFAULT_PARAMETERS: tuple[float, ...] = (
    0.212, 1.2931, 2.3065, 8.2956, 6.4133, 0.8334, 3.0194, 0.001, 1.8722, 0.1666, 0.796,
    1.4835, 0.0614, 0.2629, 1.6483, 0.6014, 1.8729, 0.5425, 0.0912, 0.0658, 0.1542,
)  # fmt: skip
"""fsrs's FSRS-6 default weights, written out so that loading this module does not load fsrs
(tests/test_scheduler.py checks they are the library's own)."""


_FSRS_CARD_ID = 0
"""fsrs.Card reads the clock (and sleeps 1 ms) when it has to invent an id; we always pass one."""


class SchedulerConfigDict(TypedDict):
    """The JSON shape of a SchedulerConfig, as stored with each review."""

    algorithm: str
    retention: float
    learning_steps: list[float]
    relearning_steps: list[float]
    max_interval: int
    fuzz: bool
    day_start_hour: int
    tz: str
    leech_threshold: int
    parameters: list[float]


class SchedulerConfig(Struct, frozen=True):
    """How cards are scheduled. Building one validates it (ValueError names the bad setting)."""

    retention: float = 0.9
    """The share of reviews the learner wants to get right; intervals are set to reach it."""
    learning_steps: tuple[timedelta, ...] = (timedelta(minutes=1), timedelta(minutes=10))
    relearning_steps: tuple[timedelta, ...] = (timedelta(minutes=10),)
    max_interval: int = 36500
    """Days."""
    fuzz: bool = True
    day_start_hour: int = 4
    """The study day starts at this hour, local time: 03:59 belongs to the day before."""
    tz: tzinfo = UTC
    """The learner's zone. Pass a zoneinfo.ZoneInfo so that summer time is followed."""
    leech_threshold: int = 8
    """Lapses that make a card a leech (then again every half of it); 0 turns leeches off."""
    parameters: tuple[float, ...] = DEFAULT_PARAMETERS
    """FSRS-6's default weights unless given (a test checks they are fsrs's own)."""

    def __post_init__(self) -> None:
        if not 0.0 < self.retention < 1.0:
            raise ValueError(f"retention must be between 0 and 1 (such as 0.9), not {self.retention}")
        for name, steps in (
            ("learning_steps", self.learning_steps),
            ("relearning_steps", self.relearning_steps),
        ):
            if any(step <= timedelta(0) for step in steps):
                raise ValueError(f"{name} must all be longer than zero, not {[str(s) for s in steps]}")
        if self.max_interval < 1:
            raise ValueError(f"max_interval must be at least 1 day, not {self.max_interval}")
        if not 0 <= self.day_start_hour <= 23:
            raise ValueError(f"day_start_hour must be an hour from 0 to 23, not {self.day_start_hour}")
        if self.leech_threshold < 0:
            raise ValueError(f"leech_threshold must be 0 (off) or more, not {self.leech_threshold}")
        if self.parameters != DEFAULT_PARAMETERS:
            _fsrs_scheduler(self)  # fsrs checks the parameters (count and bounds)

    def to_dict(self) -> SchedulerConfigDict:
        """The scheduler and its parameters, JSON-able, for the review log."""
        return {
            "algorithm": ALGORITHM,
            "retention": self.retention,
            "learning_steps": [_seconds(step) for step in self.learning_steps],
            "relearning_steps": [_seconds(step) for step in self.relearning_steps],
            "max_interval": self.max_interval,
            "fuzz": self.fuzz,
            "day_start_hour": self.day_start_hour,
            "tz": _tz_name(self.tz),
            "leech_threshold": self.leech_threshold,
            "parameters": list(self.parameters),
        }

    @classmethod
    def from_dict(cls, source: SchedulerConfigDict) -> SchedulerConfig:
        """The inverse of to_dict."""
        if source["algorithm"] != ALGORITHM:
            raise ValueError(f"cannot schedule with {source['algorithm']!r}; quizkit uses {ALGORITHM}")
        return cls(
            retention=source["retention"],
            learning_steps=tuple(timedelta(seconds=s) for s in source["learning_steps"]),
            relearning_steps=tuple(timedelta(seconds=s) for s in source["relearning_steps"]),
            max_interval=source["max_interval"],
            fuzz=source["fuzz"],
            day_start_hour=source["day_start_hour"],
            tz=_tz_from_name(source["tz"]),
            leech_threshold=source["leech_threshold"],
            parameters=tuple(source["parameters"]),
        )


def study_day(moment: datetime, config: SchedulerConfig) -> date:
    """The study day `moment` belongs to: its local date, with the day starting at day_start_hour."""
    local = _aware(moment, "moment").astimezone(config.tz)
    # Wall-clock arithmetic on purpose: 03:59 local is the previous day whatever the UTC offset.
    return (local.replace(tzinfo=None) - timedelta(hours=config.day_start_hour)).date()


def day_start(day: date, config: SchedulerConfig) -> datetime:
    """The UTC instant at which study day `day` begins.

    If the start hour falls in a summer-time gap, the day begins when the gap ends; if it occurs
    twice, at its first occurrence.
    """
    local = datetime.combine(day, time(config.day_start_hour), tzinfo=config.tz)
    return local.astimezone(UTC)


def elapsed_days(since: datetime, now: datetime, config: SchedulerConfig) -> int:
    """Study days crossed from `since` to `now` (0 within one study day; never negative)."""
    return max(0, (study_day(now, config) - study_day(since, config)).days)


def review(
    state: CardState,
    rating: Rating,
    now: datetime,
    config: SchedulerConfig,
    *,
    key: str,
    cap: date | None = None,
) -> CardState:
    """The card's state after it is answered with `rating` at `now`.

    `key` identifies the card (deck and card id) and seeds the interval fuzz together with the
    review count. `cap` is an exam date: review intervals are shortened so that the card falls
    due on the study day before it at the latest (but at least one day after today).
    """
    rating = Rating(rating)
    now = _utc(now, "now")
    if (
        state.phase == Phase.REVIEW
        and state.stability is not None
        and state.difficulty is not None
        and state.last_review is not None
    ):
        fsrs_rating = (_FSRS_RATINGS or _fsrs_ratings())[rating]
        return _review_phase(state, rating, fsrs_rating, now, config, _fsrs_scheduler(config), key, cap)
    return _review_by_fsrs(state, rating, now, config, key=key, cap=cap)


def _review_by_fsrs(
    state: CardState, rating: Rating, now: datetime, config: SchedulerConfig, *, key: str, cap: date | None
) -> CardState:
    """review() through fsrs's Scheduler.review_card and its Card: every phase (a new card, the
    learning and relearning steps); for the review phase, _review_phase does the same sooner."""
    from fsrs.rating import Rating as FsrsRating

    scheduler = _fsrs_scheduler(config)
    reviewed, _ = scheduler.review_card(_to_fsrs(state, now, config), FsrsRating(int(rating)), now)

    phase = Phase(int(reviewed.state))
    reps = state.reps + 1
    lapsed = state.phase == Phase.REVIEW and rating == Rating.AGAIN
    lapses = state.lapses + 1 if lapsed else state.lapses
    if phase == Phase.REVIEW:
        # fsrs (fuzz off) set due = now + whole days: that difference is its interval.
        today = study_day(now, config)
        days = _review_days((reviewed.due - now).days, config, key=key, reps=reps, today=today, cap=cap)
        due = day_start(today + timedelta(days=days), config)
    else:
        due = reviewed.due
    leech = lapsed and _leech_threshold_met(lapses, config.leech_threshold)
    return replace(
        state,
        phase=phase,
        step=reviewed.step,
        stability=reviewed.stability,
        difficulty=reviewed.difficulty,
        due=due,
        last_review=now,
        reps=reps,
        lapses=lapses,
        leech=state.leech or leech,
        suspended=state.suspended or leech,
    )


def _review_phase(
    state: CardState,
    rating: Rating,
    fsrs_rating: FsrsRating,
    now: datetime,
    config: SchedulerConfig,
    scheduler: FsrsScheduler,
    key: str,
    cap: date | None,
) -> CardState:
    """review() for a card in the review phase, the common answer, without building fsrs's Card:
    the branch of fsrs's Scheduler.review_card for State.Review, each formula its own method, in
    its order (stability from the old difficulty, then the difficulty). Most answers of a long
    history are these: the replay of a sync and `optimize --reschedule` play millions of them.
    tests/test_scheduler_fast.py checks it against review_card for every rating and many states."""
    assert state.stability is not None and state.difficulty is not None and state.last_review is not None
    today = _remembered_day(now, config)
    days = max(0, (today - _remembered_day(state.last_review, config)).days)
    if days < 1:
        stability = scheduler._short_term_stability(stability=state.stability, rating=fsrs_rating)
    else:
        retrievability = (1 + scheduler._FACTOR * days / state.stability) ** scheduler._DECAY
        stability = scheduler._next_stability(
            difficulty=state.difficulty,
            stability=state.stability,
            retrievability=retrievability,
            rating=fsrs_rating,
        )
    difficulty = scheduler._next_difficulty(difficulty=state.difficulty, rating=fsrs_rating)
    reps = state.reps + 1
    lapsed = rating == Rating.AGAIN
    if lapsed and config.relearning_steps:
        phase, step, due = Phase.RELEARNING, 0, now + config.relearning_steps[0]
    else:
        interval = scheduler._next_interval(stability=stability)
        days = _review_days(interval, config, key=key, reps=reps, today=today, cap=cap)
        phase, step, due = Phase.REVIEW, None, _remembered_start(today + timedelta(days=days), config)
    lapses = state.lapses + 1 if lapsed else state.lapses
    leech = lapsed and _leech_threshold_met(lapses, config.leech_threshold)
    return CardState(  # every field, as replace() would give them (a third of its time)
        phase=phase,
        step=step,
        stability=stability,
        difficulty=difficulty,
        due=due,
        last_review=now,
        reps=reps,
        lapses=lapses,
        suspended=state.suspended or leech,
        buried_until=state.buried_until,
        leech=state.leech or leech,
    )


_FSRS_RATINGS: dict[Rating, FsrsRating] = {}


def _fsrs_ratings() -> dict[Rating, FsrsRating]:
    """fsrs's Rating for each of ours, looked up once (not imported at every answer)."""
    from fsrs.rating import Rating as FsrsRating

    _FSRS_RATINGS.update({rating: FsrsRating(int(rating)) for rating in Rating})
    return _FSRS_RATINGS


_DAYS: dict[tuple[datetime, int, tzinfo], date] = {}


def _remembered_day(moment: datetime, config: SchedulerConfig) -> date:
    """study_day, remembered for the moments last asked: a replay asks for the day of each answer
    twice, as the answer's own day and then as the last review of the next one."""
    known = (moment, config.day_start_hour, config.tz)
    day = _DAYS.get(known)
    if day is None:
        if len(_DAYS) > 4096:  # a bound on the memory, not a cache to tune
            _DAYS.clear()
        day = _DAYS[known] = study_day(moment, config)
    return day


_STARTS: dict[tuple[date, int, tzinfo], datetime] = {}


def _remembered_start(day: date, config: SchedulerConfig) -> datetime:
    """day_start, remembered: a replay of many cards asks for the same few thousand days."""
    known = (day, config.day_start_hour, config.tz)
    start = _STARTS.get(known)
    if start is None:
        if len(_STARTS) > 4096:  # a bound on the memory, not a cache to tune
            _STARTS.clear()
        start = _STARTS[known] = day_start(day, config)
    return start


def preview(
    state: CardState,
    now: datetime,
    config: SchedulerConfig,
    *,
    key: str,
    cap: date | None = None,
) -> dict[Rating, timedelta]:
    """The next interval for each rating, as review() would set it, for the answer keys.

    Learning steps are exact durations; review intervals are whole study days (a card due
    tomorrow shows as 1 day even if tomorrow starts in a few hours).
    """
    now = _utc(now, "now")
    today = study_day(now, config)
    intervals: dict[Rating, timedelta] = {}
    for rating in Rating:
        after = review(state, rating, now, config, key=key, cap=cap)
        assert after.due is not None
        if after.phase == Phase.REVIEW:
            intervals[rating] = timedelta(days=(study_day(after.due, config) - today).days)
        else:
            intervals[rating] = after.due - now
    return intervals


def retrievability(state: CardState, now: datetime, config: SchedulerConfig) -> float:
    """Predicted probability of recalling the card at `now`; 0.0 for a card never reviewed.

    Time is counted in study days, as in review(): within the day of the last review it is 1.0.
    """
    if state.phase == Phase.NEW or state.stability is None or state.last_review is None:
        return 0.0
    from fsrs.card import Card as FsrsCard
    from fsrs.state import State as FsrsState

    now = _utc(now, "now")
    card = FsrsCard(
        card_id=_FSRS_CARD_ID,
        state=FsrsState.Review,
        stability=state.stability,
        difficulty=state.difficulty,
        due=now,
        last_review=_fsrs_last_review(state.last_review, now, config),
    )
    return float(_fsrs_scheduler(config).get_card_retrievability(card, now))


class Memory:
    """FSRS-6's memory model for one scheduler, on bare numbers and whole study days: what
    review() does to a card in the review phase, without building cards, for projections that
    play thousands of reviews forward (core.forecast). Each formula is fsrs's own method, so the
    two cannot drift apart (tests/test_exam_forecast.py replays review() against it).

    Intervals here are not fuzzed: a projection wants the expected day, not one draw."""

    __slots__ = ("_again", "_config", "_days", "_fsrs", "_good", "decay", "factor", "relearning_steps")

    def __init__(self, config: SchedulerConfig) -> None:
        from fsrs.rating import Rating as FsrsRating

        self._config = config
        self._fsrs = _fsrs_scheduler(config)
        self._again, self._good = FsrsRating.Again, FsrsRating.Good
        self.factor, self.decay = forgetting_curve(config)
        self.relearning_steps = len(config.relearning_steps)
        self._days: dict[datetime, int] = {}

    def day(self, moment: datetime) -> int:
        """study_day(moment) as an ordinal; remembered, since due times repeat (a day's start)."""
        known = self._days.get(moment)
        if known is None:
            if len(self._days) > 65536:  # a bound on the memory, not a cache to tune
                self._days.clear()
            known = self._days[moment] = study_day(moment, self._config).toordinal()
        return known

    def recall(self, stability: float, days: int) -> float:
        """The probability of recall `days` study days after the last review."""
        return float((1 + self.factor * max(0, days) / stability) ** self.decay)

    def recalled(self, stability: float, difficulty: float, days: int) -> tuple[float, float]:
        """Stability and difficulty after a Good answer `days` (>= 1) study days after the last."""
        fsrs, good = self._fsrs, self._good
        s = fsrs._next_stability(
            difficulty=difficulty,
            stability=stability,
            retrievability=self.recall(stability, days),
            rating=good,
        )
        return float(s), float(fsrs._next_difficulty(difficulty=difficulty, rating=good))

    def forgotten(self, stability: float, difficulty: float, days: int) -> tuple[float, float]:
        """After Again `days` (>= 1) study days after the last review, then Good at each relearning
        step the same day: the card back in review, as review() leaves it."""
        fsrs, again, good = self._fsrs, self._again, self._good
        s = fsrs._next_stability(
            difficulty=difficulty,
            stability=stability,
            retrievability=self.recall(stability, days),
            rating=again,
        )
        d = fsrs._next_difficulty(difficulty=difficulty, rating=again)
        for _ in range(self.relearning_steps):
            s = fsrs._short_term_stability(stability=s, rating=good)
            d = fsrs._next_difficulty(difficulty=d, rating=good)
        return float(s), float(d)

    def interval(self, stability: float, today: date, cap: date | None) -> int:
        """Study days until the next review, as review() gives them with the fuzz off."""
        return _clamped_days(self._fsrs._next_interval(stability=stability), self._config, today, cap)


def is_due(state: CardState, now: datetime, config: SchedulerConfig) -> bool:
    """Whether the card is waiting to be reviewed at `now`.

    New cards are not due: the session introduces them under the new-cards limit. Suspended
    cards never are, buried ones not before buried_until. `config` is accepted for symmetry
    with the other functions; the day boundary is already in each review-phase due time.
    """
    del config
    now = _aware(now, "now")
    if state.phase == Phase.NEW or state.suspended or state.due is None:
        return False
    if state.buried_until is not None and now < _aware(state.buried_until, "buried_until"):
        return False
    return _aware(state.due, "due") <= now


def fuzz_range(interval_days: int, config: SchedulerConfig) -> tuple[int, int]:
    """The fewest and most days a fuzzed `interval_days` can become (fsrs's FUZZ_RANGES).

    Intervals under 2.5 days are not fuzzed: the range is the interval itself.
    """
    return _fuzz_range(interval_days, config.max_interval)


@lru_cache(maxsize=4096)
def _fuzz_range(interval_days: int, max_interval: int) -> tuple[int, int]:
    from fsrs.scheduler import FUZZ_RANGES

    if interval_days < 2.5:
        return interval_days, interval_days
    delta = 1.0
    for fuzz in FUZZ_RANGES:
        delta += fuzz["factor"] * max(min(float(interval_days), fuzz["end"]) - fuzz["start"], 0.0)
    low = max(2, round(interval_days - delta))
    high = min(round(interval_days + delta), max_interval)
    return min(low, high), high


def _review_days(
    days: int, config: SchedulerConfig, *, key: str, reps: int, today: date, cap: date | None
) -> int:
    """fsrs's interval, fuzzed reproducibly, clamped to max_interval, then shortened for an exam."""
    if config.fuzz:
        low, high = fuzz_range(days, config)
        if high > low:
            # Anki's draw (uniform over low..high); random() is the one Random method whose sequence
            # Python promises to keep for a given seed.
            days = low + math.floor(_fuzz_draw(key, reps) * (high - low + 1))
    return _clamped_days(days, config, today, cap)


def _clamped_days(days: int, config: SchedulerConfig, today: date, cap: date | None) -> int:
    days = min(days, config.max_interval)
    if cap is not None:
        days = min(days, (cap - today).days - 1)
    return max(days, 1)


def _fuzz_rng(key: str, reps: int) -> random.Random:
    import hashlib  # loaded at the first answer, not at start-up

    digest = hashlib.sha256(f"{key}\x00{reps}".encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


_DRAW = random.Random()
"""One generator, seeded again for each draw (seeding is most of a draw's time; a new object adds to it)."""


_SHA256: list[Any] = []  # hashlib.sha256, once loaded


def _load_sha256() -> Any:
    import hashlib  # loaded at the first answer, not at start-up

    _SHA256.append(hashlib.sha256)
    return hashlib.sha256


def _fuzz_draw(key: str, reps: int) -> float:
    """_fuzz_rng(key, reps).random(), the same number, sooner: Random.seed of an int is its C
    base class's seed (random.Random.seed only adds checks for other types)."""
    sha256 = _SHA256[0] if _SHA256 else _load_sha256()
    seed = int.from_bytes(sha256(f"{key}\x00{reps}".encode()).digest()[:8], "big")
    super(random.Random, _DRAW).seed(seed)
    return _DRAW.random()


def _leech_threshold_met(lapses: int, threshold: int) -> bool:
    """Anki's rule: at the threshold, then every half threshold (8, 12, 16, ... for 8)."""
    if threshold <= 0 or lapses < threshold:
        return False
    return (lapses - threshold) % max(1, math.ceil(threshold / 2)) == 0


def _to_fsrs(state: CardState, now: datetime, config: SchedulerConfig) -> FsrsCard:
    from fsrs.card import Card as FsrsCard
    from fsrs.state import State as FsrsState

    if state.phase == Phase.NEW:
        return FsrsCard(card_id=_FSRS_CARD_ID, state=FsrsState.Learning, step=0, due=now)
    missing = [
        name
        for name, value in (
            ("stability", state.stability),
            ("difficulty", state.difficulty),
            ("last_review", state.last_review),
        )
        if value is None
    ]
    if missing or state.last_review is None:
        raise ValueError(f"a card in phase {state.phase.name} needs {', '.join(missing)}; got {state}")
    step = None if state.phase == Phase.REVIEW else (state.step or 0)
    return FsrsCard(
        card_id=_FSRS_CARD_ID,
        state=FsrsState(int(state.phase)),
        step=step,
        stability=state.stability,
        difficulty=state.difficulty,
        due=_utc(state.due, "due") if state.due is not None else now,
        last_review=_fsrs_last_review(state.last_review, now, config),
    )


def _fsrs_last_review(last_review: datetime, now: datetime, config: SchedulerConfig) -> datetime:
    """A last_review that fsrs's whole-24-hour arithmetic turns into the study days crossed.

    Same study day: `now` itself, so fsrs sees 0 days and uses its same-day (short-term) formula.
    """
    return now - timedelta(days=elapsed_days(_utc(last_review, "last_review"), now, config))


_BY_CONFIG: dict[int, tuple[SchedulerConfig, FsrsScheduler]] = {}


def _fsrs_scheduler(config: SchedulerConfig) -> FsrsScheduler:
    """fsrs's Scheduler for `config`: looked up by the object first (a replay asks a million
    times for the same one; hashing its 21 parameters each time is slower), then by its settings."""
    known = _BY_CONFIG.get(id(config))
    if known is not None and known[0] is config:
        return known[1]
    if len(_BY_CONFIG) > 64:  # a bound on the memory, not a cache to tune
        _BY_CONFIG.clear()
    built = _settings_scheduler(config)
    _BY_CONFIG[id(config)] = (config, built)  # the config is kept: its id is not reused meanwhile
    return built


def _settings_scheduler(config: SchedulerConfig) -> FsrsScheduler:
    return _cached_fsrs_scheduler(
        config.parameters,
        config.retention,
        config.learning_steps,
        config.relearning_steps,
        config.max_interval,
    )


@lru_cache(maxsize=32)
def _cached_fsrs_scheduler(
    parameters: tuple[float, ...],
    retention: float,
    learning_steps: tuple[timedelta, ...],
    relearning_steps: tuple[timedelta, ...],
    max_interval: int,
) -> FsrsScheduler:
    from fsrs.scheduler import Scheduler as FsrsScheduler

    # Fuzz is off here: fsrs draws it from the global random generator; review() fuzzes reproducibly.
    return FsrsScheduler(
        parameters=parameters,
        desired_retention=retention,
        learning_steps=learning_steps,
        relearning_steps=relearning_steps,
        maximum_interval=max_interval,
        enable_fuzzing=False,
    )


def _aware(moment: datetime, name: str) -> datetime:
    if moment.tzinfo is None or moment.tzinfo.utcoffset(moment) is None:
        raise ValueError(f"{name} must be timezone-aware, got {moment.isoformat()}")
    return moment


def _utc(moment: datetime, name: str) -> datetime:
    # fsrs insists on tzinfo == timezone.utc exactly (a ZoneInfo("UTC") is refused).
    return _aware(moment, name).astimezone(UTC)


def round_half_up(value: float) -> int:
    return math.floor(value + 0.5)


def _seconds(step: timedelta) -> float:
    seconds = step.total_seconds()
    return int(seconds) if seconds.is_integer() else seconds


def _tz_name(tz: tzinfo) -> str:
    if isinstance(tz, ZoneInfo):
        return tz.key
    if isinstance(tz, timezone):
        offset = tz.utcoffset(None)
        if offset == timedelta(0):
            return "UTC"
        sign = "-" if offset < timedelta(0) else "+"
        minutes = abs(offset) // timedelta(minutes=1)
        return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"
    return str(tz)


def _tz_from_name(name: str) -> tzinfo:
    if name == "UTC":
        return UTC
    if len(name) == 6 and name[0] in ("+", "-") and name[3] == ":":
        hours, minutes = int(name[1:3]), int(name[4:6])
        offset = timedelta(hours=hours, minutes=minutes)
        return timezone(-offset if name[0] == "-" else offset)
    return ZoneInfo(name)


def forgetting_curve(config: SchedulerConfig) -> tuple[float, float]:
    """(factor, decay) of FSRS-6's R = (1 + factor * days / stability) ^ decay, as fsrs computes them."""
    decay = -config.parameters[20]
    return 0.9 ** (1 / decay) - 1, decay
