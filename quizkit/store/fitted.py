"""FSRS-6 parameters fitted to the learner's history (`quizkit optimize`), per deck or for all."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from quizkit.store.db import Database, damage, to_ms

ALL_DECKS = ""
"""The deck_id of the parameters fitted over every deck: those of a deck without its own."""


class FittedParameters:
    """The fitted_parameters table (migration 8)."""

    def __init__(self, store: Database) -> None:
        self.store = store
        self.db = store.db

    def get(self, deck_id: str | None) -> tuple[float, ...] | None:
        """A deck's own parameters, else those fitted over all decks, else None (the defaults)."""
        for key in ([deck_id] if deck_id else []) + [ALL_DECKS]:
            row = self.db.execute(
                "SELECT parameters FROM fitted_parameters WHERE deck_id = ?", (key,)
            ).fetchone()
            if row is None:
                continue
            try:
                values = tuple(float(x) for x in json.loads(row[0]))
            except (TypeError, ValueError):
                raise damage(self.store.path, f"the fitted parameters of {key or 'all decks'!r}") from None
            if len(values) != 21:
                raise damage(self.store.path, f"the fitted parameters of {key or 'all decks'!r}")
            return values
        return None

    def save(
        self,
        deck_id: str | None,
        parameters: Sequence[float],
        now: datetime,
        n_reviews: int,
        log_loss_before: float,
        log_loss_after: float,
    ) -> None:
        with self.store.write(now):
            self.db.execute(
                """INSERT INTO fitted_parameters
                       (deck_id, parameters, fitted_at, n_reviews, log_loss_before, log_loss_after)
                   VALUES (?, ?, ?, ?, ?, ?)
                   ON CONFLICT (deck_id) DO UPDATE SET
                       parameters = excluded.parameters, fitted_at = excluded.fitted_at,
                       n_reviews = excluded.n_reviews, log_loss_before = excluded.log_loss_before,
                       log_loss_after = excluded.log_loss_after, event = NULL""",
                (
                    deck_id or ALL_DECKS,
                    json.dumps(list(parameters)),
                    to_ms(now),
                    n_reviews,
                    log_loss_before,
                    log_loss_after,
                ),
            )

    def decks_with_their_own(self) -> set[str]:
        """The decks fitted on their own (`optimize --deck`): the global parameters are not theirs."""
        rows = self.db.execute("SELECT deck_id FROM fitted_parameters WHERE deck_id != ?", (ALL_DECKS,))
        return {str(row[0]) for row in rows}
