"""The shape of quizkit optimize --json: the fit's figures before and after, out of sample."""

from __future__ import annotations

from typing import TypedDict


class MetricsJSON(TypedDict):
    log_loss: float
    rmse_bins: float
    auc: float


class RescheduledJSON(TypedDict):
    cards: int
    """Cards replayed with the new parameters."""
    moved: int
    """Of those, cards now due on another day."""
    median_days: float
    """The median change of the due day of the cards that moved (negative: sooner)."""


class OptimizeJSON(TypedDict):
    n_reviews: int
    n_test: int
    before: MetricsJSON
    after: MetricsJSON
    parameters: list[float]
    saved: bool
    """Whether the parameters were saved (only when they predict better than the defaults)."""
    deck: str | None
    """Whose they are: a deck's id (--deck), or null for every deck without its own."""
    rescheduled: RescheduledJSON | None
    """With --reschedule and saved parameters; null otherwise."""


class TooFewJSON(TypedDict):
    """optimize --deck on a deck with too few long-term reviews: nothing fitted or saved."""

    n_reviews: int
    n_long_term: int
    needed: int
    saved: bool
    deck: str
