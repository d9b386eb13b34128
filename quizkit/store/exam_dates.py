"""Each deck's exam date, remembered once set (`quizkit exam-date`, `--exam-date`)."""

from __future__ import annotations

from datetime import date, datetime

from quizkit.store.db import Database, damage, to_ms


class ExamDates:
    """The exam_dates table: one date per deck id (migration 6)."""

    def __init__(self, store: Database) -> None:
        self.store = store
        self.db = store.db

    def all(self) -> dict[str, date]:
        """Every remembered exam date, by deck id."""
        out: dict[str, date] = {}
        for deck_id, text in self.db.execute("SELECT deck_id, exam_date FROM exam_dates"):
            try:
                out[str(deck_id)] = date.fromisoformat(text)
            except (TypeError, ValueError):
                raise damage(self.store.path, f"the exam date of deck {deck_id!r} ({text!r})") from None
        return out

    def get(self, deck_id: str) -> date | None:
        return self.all().get(deck_id)

    def remember(self, deck_ids: list[str], day: date, now: datetime) -> None:
        """Set the exam date of these decks (one transaction); nothing is written when it is unchanged."""
        known = self.all()
        rows = [(deck_id, day.isoformat(), to_ms(now)) for deck_id in deck_ids if known.get(deck_id) != day]
        if not rows:
            return
        with self.store.write(now):
            self.db.executemany(
                """INSERT INTO exam_dates (deck_id, exam_date, set_at) VALUES (?, ?, ?)
                   ON CONFLICT (deck_id) DO UPDATE SET exam_date = excluded.exam_date,
                                                      set_at = excluded.set_at""",
                rows,
            )

    def forget(self, deck_id: str, now: datetime) -> date | None:
        """Forget the deck's exam date; the date it had, or None when none was remembered."""
        had = self.get(deck_id)
        if had is not None:
            with self.store.write(now):
                self.db.execute("DELETE FROM exam_dates WHERE deck_id = ?", (deck_id,))
        return had
