"""The learner's settings, with quizkit's defaults.

A default has one home: the scheduler's in `SchedulerConfig`, the daily limits' in `Limits`
(here); `Settings` takes its defaults from them. io.config reads config.toml into `Settings.from_file`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, timedelta, tzinfo
from pathlib import Path
from typing import Any

from msgspec import Struct
from msgspec.structs import fields, replace

from quizkit.core.scheduler import SchedulerConfig
from quizkit.errors import ConfigError
from quizkit.model import Deck


class Limits(Struct, frozen=True):
    """Daily limits for one deck."""

    new_per_day: int = 20
    reviews_per_day: int = 200


FIRST_YEAR, LAST_YEAR = 1970, 9001
"""Dates quizkit works with (the clock, exam dates) fall in these years: far enough from
datetime's end (9999) that the longest interval, 100 years, still fits after any of them."""

MAX_INTERVAL_DAYS = 36_500
"""The longest interval (max_interval) a setting may ask for: 100 years, also the default."""

MAX_STEP = timedelta(days=365)
"""The longest learning or relearning step: a step is minutes or days, never more than a year."""

MAX_PER_DAY = 100_000
"""The most new cards or reviews a day a setting may allow: more than anyone studies in a day."""

MAX_LEECH_THRESHOLD = 10_000
"""The most lapses before a card counts as a leech: beyond it, 0 (off) says what is meant."""

MAX_ANSWER_SECONDS = 60
"""The longest answer time recorded by default (max_answer_seconds), as in Anki."""

LONGEST_ANSWER_CAP = 3600
"""The highest max_answer_seconds: an hour; 0 turns the cap off."""

_SCHEDULER = SchedulerConfig()
_LIMITS = Limits()

NEW_ORDERS = ("deck", "random")

IMAGE_MODES = ("auto", "kitty", "iterm", "sixel", "blocks", "none")
"""How card pictures are drawn: auto (detected from the terminal), a protocol, half-blocks, or
none (the alt text only). The same words as QUIZKIT_IMAGES."""

SETTING_TYPES: dict[str, type | tuple[type, ...]] = {
    "deck_folders": list,
    "retention": (float, int),
    "new_per_day": int,
    "reviews_per_day": int,
    "max_interval": int,
    "day_start_hour": int,
    "learning_steps": list,
    "relearning_steps": list,
    "leech_threshold": int,
    "new_order": str,
    "bury_siblings": bool,
    "max_answer_seconds": int,
    "timezone": str,
    "sync_folder": str,
    "images": str,
}
"""The keys of config.toml and the TOML type each takes (`timezone` becomes Settings.tz)."""

_STEP_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_steps(values: Sequence[object], name: str) -> tuple[timedelta, ...]:
    steps = []
    for value in values:
        text = str(value).strip()
        unit = _STEP_UNITS.get(text[-1:]) if text else None
        try:
            amount = float(text[:-1]) if unit else float("nan")
        except ValueError:
            amount = float("nan")
        if unit is None or not amount > 0:
            raise ConfigError(
                f'setting \'{name}\': {value!r} is not a step; write steps like "1m", "10m", "1h"'
            )
        if not amount * unit <= MAX_STEP.total_seconds():  # also inf and nan
            raise ConfigError(
                f"setting '{name}': {value!r} is too long; a step is at most {MAX_STEP.days} days"
            )
        steps.append(timedelta(seconds=amount * unit))
    return tuple(steps)


class Settings(Struct, frozen=True):
    """The user's settings (config.toml), with quizkit's defaults."""

    deck_folders: tuple[Path, ...] = ()
    retention: float = _SCHEDULER.retention
    new_per_day: int = _LIMITS.new_per_day
    reviews_per_day: int = _LIMITS.reviews_per_day
    max_interval: int = _SCHEDULER.max_interval
    day_start_hour: int = _SCHEDULER.day_start_hour
    learning_steps: tuple[timedelta, ...] = _SCHEDULER.learning_steps
    relearning_steps: tuple[timedelta, ...] = _SCHEDULER.relearning_steps
    leech_threshold: int = _SCHEDULER.leech_threshold
    new_order: str = NEW_ORDERS[0]
    bury_siblings: bool = True
    """Leave a note's other cards (cloze deletions, a reversed side) for the next study day."""
    max_answer_seconds: int = MAX_ANSWER_SECONDS
    tz: tzinfo = UTC
    sync_folder: Path | None = None
    """The folder `quizkit sync` uses when none is given (git, Syncthing, a network share...)."""
    images: str = "auto"
    """How card pictures are drawn (IMAGE_MODES); QUIZKIT_IMAGES, when set, wins."""

    @classmethod
    def from_file(cls, raw: Mapping[str, Any], tz: tzinfo, where: str) -> Settings:
        """Settings from config.toml's table (its keys and types already checked), defaults for the rest."""
        given: dict[str, Any] = {"tz": tz}
        names = {f.name for f in fields(cls)}
        for key, value in raw.items():
            if key == "deck_folders":
                value = tuple(Path(str(p)).expanduser() for p in value)
            elif key == "sync_folder":
                value = Path(str(value)).expanduser()
            elif key in ("learning_steps", "relearning_steps"):
                value = parse_steps(value, key)
            elif key == "retention":
                value = float(value)
            if key in names:
                given[key] = value
        bounds = {
            "new_per_day": (0, MAX_PER_DAY),
            "reviews_per_day": (0, MAX_PER_DAY),
            "max_interval": (1, MAX_INTERVAL_DAYS),
            "day_start_hour": (0, 23),
            "leech_threshold": (0, MAX_LEECH_THRESHOLD),
            "max_answer_seconds": (0, LONGEST_ANSWER_CAP),
        }
        for key, (low, high) in bounds.items():
            if key in given and not low <= given[key] <= high:
                raise ConfigError(
                    f"{where}: setting '{key}' must be a whole number from {low} to {high}, not {given[key]}"
                )
        if "retention" in given and not 0 < given["retention"] < 1:
            raise ConfigError(f"{where}: setting 'retention' must be a number between 0 and 1, such as 0.9")
        settings = cls(**given)
        if settings.new_order not in NEW_ORDERS:
            raise ConfigError(f'{where}: new_order must be "deck" or "random"')
        if settings.images not in IMAGE_MODES:
            raise ConfigError(
                f"{where}: images must be one of {', '.join(IMAGE_MODES)}, not {settings.images!r}"
            )
        settings.scheduler_config()  # validates the numbers, naming the bad one
        return settings

    def scheduler_config(
        self, deck: Deck | None = None, parameters: tuple[float, ...] | None = None
    ) -> SchedulerConfig:
        """The scheduler for `deck`; `parameters`: FSRS-6's, fitted (quizkit optimize), if any."""
        deck_settings = deck.settings if deck else None
        try:
            config = SchedulerConfig(
                retention=(
                    deck_settings.retention if deck_settings and deck_settings.retention else self.retention
                ),
                learning_steps=self.learning_steps,
                relearning_steps=self.relearning_steps,
                max_interval=(
                    deck_settings.max_interval
                    if deck_settings and deck_settings.max_interval
                    else self.max_interval
                ),
                day_start_hour=self.day_start_hour,
                tz=self.tz,
                leech_threshold=self.leech_threshold,
            )
            return config if parameters is None else replace(config, parameters=parameters)
        except ValueError as error:
            raise ConfigError(f"invalid setting: {error}") from None
