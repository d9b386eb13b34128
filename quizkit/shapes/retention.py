"""The shape of quizkit retention --json: each desired retention's simulated year, and the pick."""

from __future__ import annotations

from enum import Enum
from typing import TypedDict


class ParametersSource(Enum):
    """Whose FSRS-6 parameters the simulation used (the value is what --json says)."""

    DECK = "deck"
    """The deck's own, fitted by `quizkit optimize --deck D`."""
    ALL_DECKS = "all-decks"
    """Fitted over every deck (`quizkit optimize`, or `--revlog`)."""
    DEFAULTS = "defaults"
    """FSRS-6's defaults: nothing fitted yet."""


class RetentionRowJSON(TypedDict):
    retention: float
    minutes_per_day: float
    """Study time a day, averaged over the simulated days."""
    reviews_per_day: float
    """Answers a day (first sights included), averaged over the simulated days."""
    cards_known: float
    """The sum of every card's recall at the end: how many cards the learner would know."""
    knowledge_per_minute: float
    """cards_known / minutes_per_day: what the recommendation maximises."""


class CostsJSON(TypedDict):
    learn_seconds: float
    """A card's first study day (its learning steps included)."""
    recall_seconds: float
    """A later study day whose first answer was Hard, Good or Easy."""
    forget_seconds: float
    """A later study day whose first answer was Again (relearning included)."""
    first_ratings: list[float]
    """The share of first answers that were Again, Hard, Good, Easy."""
    recall_ratings: list[float]
    """The share of passed reviews that were Hard, Good, Easy."""
    from_log: list[str]
    """Which of the above came from the learner's log (the others are Anki's defaults)."""


class RetentionJSON(TypedDict):
    days: int
    cards: int
    """Cards simulated: the decks' cards that are not suspended."""
    new_per_day: int
    """New cards a day, over the decks (each deck's own limit)."""
    seed: int
    parameters_source: str
    """A ParametersSource value."""
    parameters: list[float]
    costs: CostsJSON
    current_retention: float
    recommended: float | None
    """The row with the most knowledge per minute; None when there is nothing to study."""
    rows: list[RetentionRowJSON]
