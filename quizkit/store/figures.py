"""The figures behind quizkit stats, the dashboard and quizkit cards: each one SQL aggregate.

* Card figures are about the cards named by set_scope (kept in a temporary table).
* Review-log figures count review-mode answers that were not undone, in `decks` (None: every
  deck) and, with `by_card`, only those of the scope's cards: those are copied once, off the
  index by card, into a temporary table of their own (scope_answers), which the figures then
  read as they would the review log.
* Study days are numbered from epoch milliseconds: day = (ms + shift) / 86400000, where the
  shift (the zone's UTC offset less the day start) is taken from `shifts`, (from_ms, shift_ms)
  pieces oldest first, because summer time changes it.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime

from quizkit.core.calendar import Calendar, Streaks, streaks
from quizkit.core.scheduler import SchedulerConfig
from quizkit.errors import StoreError
from quizkit.model import Phase, Status
from quizkit.shapes.stats import CardFigures
from quizkit.store.db import Database, from_ms, to_ms


class Figures:
    """Read-only queries over the progress database for the statistics."""

    FORECAST_DAYS = 30
    """How far ahead a calendar reaches by default: the stats' forecast."""

    def __init__(self, store: Database) -> None:
        self.db = store.db
        self._decks: list[str] = []
        self._answers_copied = False

    def calendar(self, now: datetime, config: SchedulerConfig, ahead_days: int = FORECAST_DAYS) -> Calendar:
        """A calendar covering every moment these figures may turn into days."""
        return Calendar.covering(*self.time_bounds(), now, config, ahead_days)

    def streaks(
        self, calendar: Calendar, decks: Sequence[str] | None = None, by_card: bool = False
    ) -> Streaks:
        """The current and longest runs of study days with answers."""
        runs = self.study_runs(decks, by_card, calendar.shifts, calendar.tomorrow)
        return streaks(runs, calendar.number(calendar.today))

    def current_streak(self, now: datetime, config: SchedulerConfig) -> int:
        """The current streak over every deck (the review summary shows it)."""
        return self.streaks(self.calendar(now, config)).current

    _CARD_STATE = f"""CASE
        WHEN c.suspended = 1 THEN '{Status.SUSPENDED}'
        WHEN c.buried_until > :now THEN '{Status.BURIED}'
        WHEN coalesce(c.phase, 0) = {Phase.NEW:d} THEN '{Status.NEW}'
        WHEN c.phase = {Phase.LEARNING:d} THEN '{Status.LEARNING}'
        WHEN c.phase = {Phase.REVIEW:d} THEN '{Status.REVIEW}'
        ELSE '{Status.RELEARNING}' END"""
    """A card's Status in SQL."""
    _SCOPE_JOIN = """temp.scope_cards s
        LEFT JOIN cards c ON c.deck_id = s.deck_id AND c.card_id = s.card_id"""

    def set_scope(self, decks: Iterable[tuple[str, Sequence[str], Sequence[Sequence[str]]]]) -> None:
        """Name the cards that card figures (and `by_card`) are about: per deck, the card ids (each
        once); the cards' tags, if given, are not needed here (card_answers is per card)."""
        try:
            self.db.execute("SELECT pow(2, 2)")
        except (sqlite3.OperationalError, StoreError):  # SQLite built without its math functions
            self.db.create_function("pow", 2, lambda x, y: float(x) ** float(y), deterministic=True)
        # No keys: the queries only ever scan this table. It is filled from JSON, in SQLite,
        # rather than a row at a time from Python: a 50,000-card collection takes milliseconds.
        self.db.execute("CREATE TEMP TABLE IF NOT EXISTS scope_cards (deck_id TEXT, card_id TEXT)")
        # Only the temporary tables are written: the progress database is not locked.
        self.db.execute("BEGIN")
        try:
            self.db.execute("DELETE FROM temp.scope_cards")
            self._decks = []
            for deck_id, ids, *_ in decks:
                self._decks.append(deck_id)
                self.db.execute(
                    "INSERT INTO temp.scope_cards SELECT :deck, value FROM json_each(:ids)",
                    {"deck": deck_id, "ids": json.dumps(list(ids))},
                )
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")
        self._answers_copied = False

    def _scope_answers(self) -> str:
        """temp.scope_answers, filled (once per scope) with the answers of the scope's cards: the
        review log's columns the figures read, off the index by card alone (a tag's
        answers lie scattered over the whole file; their index entries lie together)."""
        if not self._answers_copied:
            self.db.execute(
                """CREATE TEMP TABLE IF NOT EXISTS scope_answers (
                       id INTEGER PRIMARY KEY, deck_id TEXT, card_id TEXT, reviewed_at INTEGER,
                       mode TEXT, rating INTEGER, correct INTEGER, phase_before INTEGER,
                       duration_ms INTEGER)"""
            )
            self.db.execute(
                "CREATE INDEX IF NOT EXISTS temp.scope_answers_by_time ON scope_answers (reviewed_at)"
            )
            self.db.execute("BEGIN")
            try:
                self.db.execute("DELETE FROM temp.scope_answers")
                # CROSS JOIN: from the scope's cards to their answers, never the other way round.
                # Every mode is copied (the figures pick review mode): a WHERE term on the review
                # log here makes SQLite build a Bloom filter from a scan of the whole table.
                self.db.execute(
                    """INSERT INTO temp.scope_answers
                       SELECT r.id, r.deck_id, r.card_id, r.reviewed_at, r.mode, r.rating, r.correct,
                              r.phase_before, r.duration_ms
                       FROM temp.scope_cards s
                       CROSS JOIN reviews r INDEXED BY reviews_by_card
                           ON r.deck_id = s.deck_id AND r.card_id = s.card_id"""
                )
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")
            self._answers_copied = True
        return "temp.scope_answers"

    def time_bounds(self) -> tuple[datetime | None, datetime | None]:
        """The earliest and latest moments the figures may turn into study days (None: no progress)."""
        # One min() or max() per SELECT, so that SQLite reads it off the index; the aggregates skip
        # the NULL of an empty table.
        row = self.db.execute(
            """SELECT min(low), max(high) FROM (
                   SELECT (SELECT min(reviewed_at) FROM reviews) AS low,
                          (SELECT max(reviewed_at) FROM reviews) AS high
                   UNION ALL
                   SELECT min(last_review), max(max(coalesce(due, 0), coalesce(buried_until, 0)))
                   FROM cards)"""
        ).fetchone()
        return self._moment(row[0]), self._moment(row[1])

    @staticmethod
    def _moment(value: int | None) -> datetime | None:
        """from_ms, but a value outside what datetime holds (a damaged row) is clamped, not fatal."""
        return None if value is None else from_ms(max(-62135596800000, min(value, 253402300799999)))

    @staticmethod
    def _day(column: str, pieces: int) -> str:
        """SQL for the study day number of an epoch-ms expression (parameters from _shift_params)."""
        if pieces == 1:
            return f"(({column} + :s0) / 86400000)"
        cases = " ".join(f"WHEN {column} >= :t{i} THEN :s{i}" for i in range(pieces - 1, 0, -1))
        return f"(({column} + CASE {cases} ELSE :s0 END) / 86400000)"

    @staticmethod
    def _shift_params(shifts: Sequence[tuple[int, int]]) -> dict[str, object]:
        params: dict[str, object] = {}
        for i, (start, shift) in enumerate(shifts):
            params[f"t{i}"] = start
            params[f"s{i}"] = shift
        return params

    def _answers(
        self, decks: Sequence[str] | None, by_card: bool, *, undone: bool = False
    ) -> tuple[str, str, dict[str, object]]:
        """The table to read answers from (the review log, or with `by_card` the scope's answers),
        WHERE terms (besides the time) for the answers the review-log figures count, and parameters.

        With `undone`, answers that were undone are let through: the caller takes them away.
        """
        table = self._scope_answers() if by_card else "reviews"
        where = ["r.mode = 'review'"]
        params: dict[str, object] = {}
        if decks is not None:
            # Unary + keeps SQLite on the time index rather than reading each deck's whole history.
            marks = ", ".join(f":d{i}" for i in range(len(decks)))
            where.append(f"+r.deck_id IN ({marks})")
            params.update({f"d{i}": deck for i, deck in enumerate(decks)})
        if not undone:
            where.append("NOT EXISTS (SELECT 1 FROM undos u WHERE u.review_id = r.id)")
        return table, " AND ".join(where), params

    def review_totals(
        self, decks: Sequence[str] | None, by_card: bool, start: datetime, end: datetime
    ) -> tuple[int, int, int]:
        """(answers, milliseconds spent answering, answers right) from start to before end."""
        table, where, params = self._answers(decks, by_card)
        row = self.db.execute(
            f"""SELECT count(*), coalesce(sum(r.duration_ms), 0),
                       coalesce(sum(coalesce(r.correct, r.rating > 1)), 0)
                FROM {table} r WHERE r.reviewed_at >= :start AND r.reviewed_at < :end AND {where}""",
            params | {"start": to_ms(start), "end": to_ms(end)},
        ).fetchone()
        return int(row[0]), int(row[1]), int(row[2])

    def reviews_per_day(
        self, decks: Sequence[str] | None, by_card: bool, starts: Sequence[datetime]
    ) -> list[int]:
        """Answers on each day, the days given by their starts (one more start: the end of the last).

        Each day is counted over its slice of the time index, much faster than grouping the answers
        by a computed day. The few undone answers are counted apart and taken away (faster than
        looking every answer up in the undo table): merged in time order with the day starts, each
        falls on the latest day begun before it.
        """
        table, where, params = self._answers(decks, by_card, undone=True)
        bounds = json.dumps([[to_ms(a), to_ms(b)] for a, b in zip(starts, starts[1:], strict=False)])
        rows = self.db.execute(
            f"""WITH days AS MATERIALIZED (
                    SELECT key AS day, json_extract(value, '$[0]') AS a, json_extract(value, '$[1]') AS b
                    FROM json_each(:bounds)),
                undone AS MATERIALIZED (
                    SELECT day, count(*) AS n FROM (
                        SELECT undone, max(day) OVER (ORDER BY at, undone ROWS UNBOUNDED PRECEDING) AS day
                        FROM (SELECT a AS at, day, 0 AS undone FROM days
                              UNION ALL
                              SELECT r.reviewed_at, NULL, 1
                              FROM undos z CROSS JOIN {table} r ON r.id = z.review_id
                              WHERE r.reviewed_at >= :start AND r.reviewed_at < :end AND {where}))
                    WHERE undone = 1 GROUP BY day)
                SELECT (SELECT count(*) FROM {table} r
                        WHERE r.reviewed_at >= days.a AND r.reviewed_at < days.b AND {where})
                     - coalesce((SELECT n FROM undone WHERE undone.day = days.day), 0)
                FROM days ORDER BY day""",
            params | {"bounds": bounds, "start": to_ms(starts[0]), "end": to_ms(starts[-1])},
        )
        return [int(count) for (count,) in rows]

    def study_runs(
        self, decks: Sequence[str] | None, by_card: bool, shifts: Sequence[tuple[int, int]], end: datetime
    ) -> list[tuple[int, int]]:
        """Runs of consecutive study days with answers, as (first day, last day) numbers, oldest first."""
        table, where, params = self._answers(decks, by_card)
        day = self._day("r.reviewed_at", len(shifts))
        # A loose index scan: from each study day, jump to the first answer of a later one, so the
        # cost grows with the days studied rather than the answers given. A day starts at the
        # earliest at (number * 86400000 - the largest shift).
        rows = self.db.execute(
            f"""WITH RECURSIVE days (day) AS (
                    SELECT (SELECT {day} FROM {table} r WHERE r.reviewed_at < :end AND {where}
                            ORDER BY r.reviewed_at LIMIT 1)
                    UNION ALL
                    SELECT (SELECT {day} FROM {table} r
                            WHERE r.reviewed_at >= (days.day + 1) * 86400000 - :widest
                              AND r.reviewed_at < :end AND {day} > days.day AND {where}
                            ORDER BY r.reviewed_at LIMIT 1)
                    FROM days WHERE days.day IS NOT NULL),
                runs AS (SELECT day, day - row_number() OVER (ORDER BY day) AS run
                         FROM days WHERE day IS NOT NULL)
                SELECT min(day), max(day) FROM runs GROUP BY run ORDER BY 1""",
            params
            | self._shift_params(shifts)
            | {"end": to_ms(end), "widest": max(shift for _, shift in shifts)},
        )
        return [(int(first), int(last)) for first, last in rows]

    def retention_counts(
        self,
        decks: Sequence[str] | None,
        by_card: bool,
        shifts: Sequence[tuple[int, int]],
        start: datetime,
        split: datetime,
        end: datetime,
        mature_days: int = 21,
    ) -> dict[tuple[bool, bool], tuple[int, int]]:
        """Answers to cards in review (phase_before 2): {(mature, since split): (rated above Again, all)}.

        A card is mature when its interval at the time of the answer was at least `mature_days`
        study days (from the day of its previous answer to the day it was due), as kept in the
        answer's state_before.
        """
        table, where, params = self._answers(decks, by_card)
        if by_card:  # the scope's answers picked by id, as the time index meets them
            where += f" AND r.id IN (SELECT id FROM {table})"
        # The index reviews_in_review holds these two expressions: the answers' rows, each with
        # its whole JSON states, are not read at all.
        ms = "CAST(round((julianday(json_extract(r.state_before, '$.{}')) - 2440587.5) * 86400000) AS INT)"
        pieces = len(shifts)
        rows = self.db.execute(
            f"""WITH answers AS MATERIALIZED (
                    SELECT r.rating, r.reviewed_at >= :split AS recent,
                           {ms.format("due")} AS due, {ms.format("last_review")} AS last
                    FROM reviews r INDEXED BY reviews_in_review
                    WHERE r.reviewed_at >= :start AND r.reviewed_at < :end AND r.phase_before = 2
                      AND {where})
                SELECT {self._day("due", pieces)} - {self._day("last", pieces)} >= :mature AS mature,
                       recent, sum(rating > 1), count(*)
                FROM answers GROUP BY 1, 2""",
            params
            | self._shift_params(shifts)
            | {"start": to_ms(start), "split": to_ms(split), "end": to_ms(end), "mature": mature_days},
        )
        return {(bool(m), bool(r)): (int(passed), int(total)) for m, r, passed, total in rows}

    def card_counts(self, now: datetime) -> tuple[dict[Status, int], int]:
        """The scope's cards by state (new, learning, review, relearning, suspended, buried), and leeches."""
        rows = self.db.execute(
            f"""SELECT {self._CARD_STATE} AS state, count(*), coalesce(sum(c.leech), 0)
                FROM {self._SCOPE_JOIN} GROUP BY state""",
            {"now": to_ms(now)},
        ).fetchall()
        return {Status(state): int(count) for state, count, _ in rows}, sum(int(n) for *_, n in rows)

    def due_counts(self, now: datetime, tomorrow: datetime) -> dict[str, tuple[int, int, int]]:
        """Per deck of the scope: (new, learning due before tomorrow, reviews due now), before limits."""
        rows = self.db.execute(
            f"""SELECT deck_id, sum(state = '{Status.NEW}'),
                       sum(state IN ('{Status.LEARNING}', '{Status.RELEARNING}') AND due < :tomorrow),
                       sum(state = '{Status.REVIEW}' AND due <= :now)
                FROM (SELECT s.deck_id, {self._CARD_STATE} AS state, c.due FROM {self._SCOPE_JOIN})
                GROUP BY deck_id""",
            {"now": to_ms(now), "tomorrow": to_ms(tomorrow)},
        )
        return {deck: (int(new), int(learning), int(review)) for deck, new, learning, review in rows}

    def forecast(self, shifts: Sequence[tuple[int, int]], until: int) -> dict[int, int]:
        """Scope cards (not new, not suspended) by the study day they are due, before day `until`.

        A buried card counts on the later of its due day and the day it is buried until.
        """
        rows = self.db.execute(
            f"""SELECT {self._day("max(c.due, coalesce(c.buried_until, 0))", len(shifts))} AS day, count(*)
                FROM temp.scope_cards s JOIN cards c ON c.deck_id = s.deck_id AND c.card_id = s.card_id
                WHERE c.phase != 0 AND c.suspended = 0 AND c.due IS NOT NULL
                GROUP BY day HAVING day < :until""",
            self._shift_params(shifts) | {"until": until},
        )
        return {int(day): int(count) for day, count in rows}

    def _retrievability(self, pieces: int, at: str = ":today") -> str:
        """FSRS's forgetting curve, (1 + factor * days / stability) ^ decay, days counted in study days
        up to the day numbered `at` (an SQL expression)."""
        elapsed = f"max({at} - {self._day('c.last_review', pieces)}, 0)"
        return f"""CASE WHEN coalesce(c.phase, 0) = 0 OR c.stability IS NULL OR c.last_review IS NULL
                   THEN NULL ELSE pow(1.0 + :factor * {elapsed} / c.stability, :decay) END"""

    def card_answers(
        self, start: datetime, end: datetime, by_card: bool = False
    ) -> dict[tuple[str, str], tuple[int, int, int, int]]:
        """Per card of the scope's decks (with `by_card`, of the scope) that was answered from start
        to before end: (answers, right, answers to it in review, those rated above Again), as
        accuracy and true retention count them. The caller adds them up by tag."""
        decks = None if by_card else self._decks
        table, where, params = self._answers(decks, by_card)
        # Every column is in the index by mode and time (or the scope's answers): a month's
        # answers are one stretch of it, whatever order their rows were written in.
        source = f"{table} r" if by_card else "reviews r INDEXED BY reviews_by_mode_time"
        # Counted here rather than grouped in SQL: SQLite would sort the month's answers by card
        # (82,000 of them: most of the time), while counting equal rows is one pass in C. The rows
        # come as three JSON arrays, one value each (a row at a time costs more than the count):
        # the deck, the card, and right * 4 + 1 if in review, + 2 more if passed as well.
        decks_json, cards_json, codes_json = self.db.execute(
            f"""SELECT json_group_array(r.deck_id), json_group_array(r.card_id),
                       json_group_array(coalesce(r.correct, r.rating > 1) * 4 + (r.phase_before = 2)
                                        + 2 * (r.phase_before = 2 AND r.rating > 1))
                FROM {source}
                WHERE r.reviewed_at >= :start AND r.reviewed_at < :end AND {where}""",
            params | {"start": to_ms(start), "end": to_ms(end)},
        ).fetchone()
        columns = (json.loads(decks_json), json.loads(cards_json), json.loads(codes_json))
        found = Counter(zip(*columns, strict=True))
        sums: dict[tuple[str, str], list[int]] = {}
        for (deck_id, card_id, value), n in found.items():
            key = (deck_id, card_id)
            card = sums.get(key)
            if card is None:
                card = sums[key] = [0, 0, 0, 0]
            card[0] += n
            card[1] += (value >> 2) * n
            code = value & 3
            if code:
                card[2] += n
                if code == 3:
                    card[3] += n
        return {key: (n, right, in_review, passed) for key, (n, right, in_review, passed) in sums.items()}

    def card_figures(
        self,
        now: datetime,
        shifts: Sequence[tuple[int, int]],
        today: int,
        factor: float,
        decay: float,
        hardest: int | None = None,
    ) -> list[CardFigures]:
        """Every scope card's scheduling; or the `hardest`: cards that lapsed or have a difficulty over 5
        (the middle of FSRS's 1-10), most lapses first, then the most difficult."""
        pieces = len(shifts)
        interval = f"""CASE
            WHEN c.phase = 2 THEN {self._day("c.due", pieces)} - {self._day("c.last_review", pieces)}
            WHEN c.phase IN (1, 3) THEN (c.due - c.last_review) / 86400000.0 END"""
        tail = ""
        if hardest is not None:
            tail = """WHERE c.phase != 0 AND (c.lapses > 0 OR c.difficulty > 5)
                      ORDER BY c.lapses DESC, c.difficulty DESC, s.deck_id, s.card_id LIMIT :limit"""
        rows = self.db.execute(
            f"""SELECT s.deck_id, s.card_id, {self._CARD_STATE}, c.due, {interval}, c.stability,
                       c.difficulty, {self._retrievability(pieces)}, coalesce(c.lapses, 0),
                       coalesce(c.reps, 0), coalesce(c.leech, 0)
                FROM {self._SCOPE_JOIN} {tail}""",
            self._shift_params(shifts)
            | {"now": to_ms(now), "today": today, "factor": factor, "decay": decay, "limit": hardest},
        )
        return [
            CardFigures(deck, card, Status(state), self._moment(due), ivl, s, d, r, lapses, reps, bool(leech))
            for deck, card, state, due, ivl, s, d, r, lapses, reps, leech in rows
        ]
