"""Mock exams: each finished exam, its answers, and the history over them."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime

from msgspec import Struct

from quizkit.shapes.exams import Attempt, TagTrend
from quizkit.store.db import Database, from_ms, log_order, to_ms


class QuizRecord(Struct, frozen=True):
    """One finished exam, as the store keeps it."""

    deck_id: str
    started: datetime
    finished: datetime
    score: float
    passed: bool | None
    pass_mark: float | None
    seed: int | None
    time_limit_s: int | None
    settings: str
    """The exam's options as JSON (tags, kinds, feedback, count)."""


class QuizAnswer(Struct, frozen=True):
    position: int
    card_id: str
    tags: tuple[str, ...]
    answer: str | None
    correct: bool
    score: float
    seconds: float


_EPOCH = datetime.fromtimestamp(0, UTC)


class ExamLog:
    """The exams kept in the progress database."""

    def __init__(self, store: Database) -> None:
        self.store = store
        self.db = store.db

    def save(self, quiz: QuizRecord, answers: Sequence[QuizAnswer]) -> int:
        """An exam and its answers, in one transaction."""
        with self.store.write(quiz.finished):
            cursor = self.db.execute(
                """INSERT INTO quizzes (deck_id, started_at, finished_at, seed, time_limit_s, pass_mark,
                       questions, score, passed, settings)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (
                    quiz.deck_id,
                    to_ms(quiz.started),
                    to_ms(quiz.finished),
                    quiz.seed,
                    quiz.time_limit_s,
                    quiz.pass_mark,
                    len(answers),
                    quiz.score,
                    None if quiz.passed is None else int(quiz.passed),
                    quiz.settings,
                ),
            )
            quiz_id = cursor.lastrowid
            self.db.executemany(
                "INSERT INTO quiz_answers VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        quiz_id,
                        a.position,
                        a.card_id,
                        json.dumps(list(a.tags)),
                        a.answer,
                        int(a.correct),
                        a.score,
                        a.seconds,
                    )
                    for a in answers
                ],
            )
            assert quiz_id is not None
            return quiz_id

    def history(self, deck_id: str | None = None) -> list[Attempt]:
        """Past exams, newest first."""
        rows = self.db.execute(
            """SELECT id, deck_id, started_at, finished_at, questions, score, passed, pass_mark, seed
               FROM quizzes WHERE ? IS NULL OR deck_id = ? ORDER BY finished_at DESC, id DESC""",
            (deck_id, deck_id),
        )
        return [
            Attempt(
                id=r[0],
                deck=r[1],
                started=from_ms(r[2]) or _EPOCH,
                finished=from_ms(r[3]) or _EPOCH,
                questions=r[4],
                score=round(r[5] * 100, 1),
                passed=None if r[6] is None else bool(r[6]),
                pass_mark=r[7],
                seed=r[8],
            )
            for r in rows
        ]

    def tag_scores(self, deck_id: str | None = None, recent: int = 3) -> list[TagTrend]:
        """Mean score per tag over every exam and over the last `recent` ones, weakest first."""
        rows = self.db.execute(
            """WITH picked AS (
                   SELECT id, row_number() OVER (ORDER BY finished_at DESC, id DESC) AS age
                   FROM quizzes WHERE ? IS NULL OR deck_id = ?)
               SELECT t.value AS tag, count(*), avg(a.score),
                      avg(CASE WHEN p.age <= ? THEN a.score END)
               FROM quiz_answers a JOIN picked p ON p.id = a.quiz_id, json_each(a.tags) t
               GROUP BY t.value ORDER BY avg(a.score), count(*) DESC, t.value""",
            (deck_id, deck_id, recent),
        )
        return [
            TagTrend(r[0], r[1], round(r[2] * 100, 1), None if r[3] is None else round(r[3] * 100, 1))
            for r in rows
        ]

    def answers_with_memory(
        self, deck_ids: Sequence[str], recent: int
    ) -> list[tuple[int, str, datetime, str, float, float | None, datetime | None, bool]]:
        """Each answer of each deck's latest `recent` exams, oldest exam first, with the card's memory
        when the exam began: (exam id, deck id, started, card id, marks, stability, reviewed at,
        answered) of its last review answer before (not undone); stability None for a card not yet
        studied; answered False for a question left blank."""
        rows = self.db.execute(
            f"""SELECT q.id, q.deck_id, q.started_at, a.card_id, a.score, r.stability, r.reviewed_at,
                      coalesce(a.answer, '') != ''
               FROM (SELECT id, deck_id, started_at,
                            row_number() OVER (PARTITION BY deck_id ORDER BY started_at DESC, id DESC) AS age
                     FROM quizzes WHERE deck_id IN (SELECT value FROM json_each(:decks))) q
               JOIN quiz_answers a ON a.quiz_id = q.id
               LEFT JOIN reviews r ON r.id = (
                   SELECT p.id FROM reviews p
                   WHERE p.deck_id = q.deck_id AND p.card_id = a.card_id AND p.mode = 'review'
                     AND p.reviewed_at < q.started_at
                     AND NOT EXISTS (SELECT 1 FROM undos u WHERE u.review_id = p.id)
                   ORDER BY {log_order("p", descending=True)} LIMIT 1)
               WHERE q.age <= :recent
               ORDER BY q.started_at, q.id, a.position""",
            {"decks": json.dumps(list(deck_ids)), "recent": recent},
        )
        return [
            (
                int(i),
                str(deck),
                from_ms(started) or _EPOCH,
                str(card),
                float(marks),
                s,
                from_ms(at),
                bool(given),
            )
            for i, deck, started, card, marks, s, at, given in rows
        ]
