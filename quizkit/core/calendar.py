"""Study days as numbers, for figures computed in SQL over many days.

A study day is the local date of a moment less day_start_hour (scheduler.study_day). `day_shifts`
gives SQL the offsets that turn epoch milliseconds into day numbers across summer-time changes;
`Calendar` names today, its number and the shifts; `streak` reads runs of study days.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo

from msgspec import Struct

from quizkit.core import scheduler
from quizkit.core.scheduler import SchedulerConfig

WEEK_S = 7 * 86_400


EPOCH = date(1970, 1, 1)


def day_shifts(start: datetime, end: datetime, config: SchedulerConfig) -> tuple[tuple[int, int], ...]:
    """How SQL turns epoch milliseconds into study day numbers between `start` and `end`.

    A study day is the local date of the moment less day_start_hour (scheduler.study_day), so its
    number is (ms + shift) // 86,400,000 with shift = UTC offset - day start. The offset changes with
    summer time: the result is (from_ms, shift_ms) pieces, oldest first, one per offset in force.
    The offset is sampled weekly and each change found to the second (changes come months apart).
    """
    hour_ms = config.day_start_hour * 3_600_000

    def shift(second: int) -> int:
        offset = datetime.fromtimestamp(second, UTC).astimezone(config.tz).utcoffset() or timedelta(0)
        return round(offset.total_seconds() * 1000) - hour_ms

    first = int(start.timestamp()) - 86_400
    if isinstance(config.tz, timezone):  # a fixed offset (UTC included) never changes
        return ((first * 1000, shift(first)),)
    pieces = [(first * 1000, shift(first))]
    previous = first
    for second in range(first + WEEK_S, int(end.timestamp()) + WEEK_S + 86_400, WEEK_S):
        if shift(second) != pieces[-1][1]:
            low, high = previous, second  # find the first second of the new offset
            while high - low > 1:
                middle = (low + high) // 2
                low, high = (middle, high) if shift(middle) == pieces[-1][1] else (low, middle)
            pieces.append((high * 1000, shift(high)))
        previous = second
    return tuple(pieces)


class DayNumbers:
    """scheduler.study_day(from_ms(ms), config).toordinal() for many epoch milliseconds at once:
    arithmetic on day_shifts between `low` and `high`, study_day itself outside them."""

    __slots__ = ("_config", "_high", "_low", "_shifts", "_starts")

    def __init__(self, low: int, high: int, config: SchedulerConfig) -> None:
        self._config = config
        self._low, self._high = low, high
        pieces = day_shifts(
            datetime.fromtimestamp(low / 1000, UTC), datetime.fromtimestamp(high / 1000, UTC), config
        )
        self._starts = [start for start, _ in pieces]
        self._shifts = [shift for _, shift in pieces]

    def ordinal(self, ms: int) -> int:
        if self._low <= ms <= self._high:
            shifts = self._shifts
            shift = shifts[bisect_right(self._starts, ms) - 1] if len(shifts) > 1 else shifts[0]
            return (ms + shift) // 86_400_000 + _EPOCH_ORDINAL
        return scheduler.study_day(datetime.fromtimestamp(ms / 1000, UTC), self._config).toordinal()

    def fixed(self) -> tuple[int, int, int] | None:
        """(low, high, shift) when one shift holds from low to high: there ordinal(ms) is
        (ms + shift) // 86,400,000 + date(1970, 1, 1).toordinal(), for a loop to write out."""
        return (self._low, self._high, self._shifts[0]) if len(self._shifts) == 1 else None


_EPOCH_ORDINAL = EPOCH.toordinal()


class Calendar(Struct, frozen=True):
    """Study days for the figures: today's, their numbers, and the SQL shifts that compute them."""

    config: SchedulerConfig
    shifts: tuple[tuple[int, int], ...]
    today: date

    @classmethod
    def covering(
        cls,
        earliest: datetime | None,
        latest: datetime | None,
        now: datetime,
        config: SchedulerConfig,
        ahead_days: int,
    ) -> Calendar:
        """A calendar for moments from `earliest` to `latest` (None: now), and `ahead_days` past now."""
        start = min(earliest or now, now)
        end = max(latest or now, now + timedelta(days=ahead_days + 1))
        # No card is due later than max_interval; a damaged or made-up later one costs no more.
        end = min(end, now + timedelta(days=config.max_interval + ahead_days + 1))
        return cls(config, day_shifts(start, end, config), scheduler.study_day(now, config))

    @staticmethod
    def number(day: date) -> int:
        return (day - EPOCH).days

    def start(self, day: date) -> datetime:
        return scheduler.day_start(day, self.config)

    @property
    def tomorrow(self) -> datetime:
        return self.start(self.today + timedelta(days=1))


class Streaks(Struct, frozen=True):
    current: int
    """Study days in a row with answers, up to today (or yesterday, while today has none yet)."""
    longest: int


def streaks(runs: Sequence[tuple[int, int]], today: int) -> Streaks:
    """The streaks in runs of consecutive study days, (first, last) day numbers, oldest first."""
    current = next((last - first + 1 for first, last in reversed(runs) if last >= today - 1), 0)
    return Streaks(current, max((last - first + 1 for first, last in runs), default=0))


def zone_name(tz: tzinfo, moment: datetime) -> str:
    """The learner's zone as they would name it: its tz database name (Asia/Karachi) where it has
    one, else its abbreviation at `moment` (UTC, or an offset such as UTC+05:00)."""
    key = getattr(tz, "key", None)
    if isinstance(key, str) and key:
        return key
    return moment.astimezone(tz).tzname() or "UTC"


def local_time(moment: datetime, tz: tzinfo) -> str:
    """'2026-12-02 03:04 Asia/Karachi': a moment in the learner's zone, the zone named."""
    return f"{moment.astimezone(tz):%Y-%m-%d %H:%M} {zone_name(tz, moment)}"
