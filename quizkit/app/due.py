"""quizkit due: per deck, what is due today and when the next card comes; the load until an exam."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from quizkit.app.env import Environment
from quizkit.app.library import load_decks
from quizkit.app.study import start_session
from quizkit.model import Phase
from quizkit.shapes.due import DueJSON, DueRow, ExamLoad
from quizkit.ui.words import print_json

if TYPE_CHECKING:
    from quizkit.core.session import DeckPlan, Session


def due(env: Environment, paths: Sequence[Path], as_json: bool = False, exam_date: date | None = None) -> int:
    """Per deck: new, learning and review cards due today, when the next card comes, and,
    for a deck studied to an exam date, the load on each day until then."""
    from quizkit.core import scheduler

    now = env.clock()
    loaded = load_decks(env, paths)
    with env.open_store() as store:
        session = start_session(env, store, loaded, now, exam_date=exam_date)
        rows: list[DueRow] = []
        for deck in loaded:
            plan = session.plans[deck.id]
            end_of_day = scheduler.day_start(
                scheduler.study_day(now, plan.config) + timedelta(days=1), plan.config
            )
            new = sum(1 for key in session.new_queue if key[0] == deck.id)
            review = sum(1 for key in session.review_queue if key[0] == deck.id)
            learning = sum(
                1
                for key in session.learning
                if key[0] == deck.id and (d := session.state(key).due) is not None and d < end_of_day
            )
            exam = exam_load(session, plan, now, store.unseen(deck)) if plan.cap is not None else None
            rows.append(
                DueRow(
                    deck.id,
                    deck.title,
                    len(deck.cards),
                    new,
                    learning,
                    review,
                    store.next_due(deck.id, now),
                    exam,
                )
            )
    if as_json:
        due_json: DueJSON = {"now": now.isoformat(), "decks": [row.to_dict() for row in rows]}
        print_json(env.stdout, due_json)
    else:
        from quizkit.ui import charts  # rich.table: not needed for --json

        env.stdout.print(charts.due_table(rows, now, env.settings.tz))
        for row in rows:
            if row.exam is not None:
                env.stdout.print(charts.exam_load(row.deck, row.exam))
    return 0


def exam_load(session: Session, plan: DeckPlan, now: datetime, unseen: int) -> ExamLoad:
    """Cards a day until the exam, projected as if every answer were Good.

    Reviews already scheduled and the new cards planned each day are played forward through the
    scheduler with the exam cap, so the figure includes the reviews that today's new cards bring.
    """
    from quizkit.core.forecast import project_exam_load

    assert plan.cap is not None
    keys = [key for key in session.states if key[0] == plan.deck.id]
    seen = {key: session.states[key] for key in keys}
    new_keys = [(plan.deck.id, c.id) for c in plan.deck.cards if (plan.deck.id, c.id) not in seen]
    new_keys += [key for key, state in seen.items() if state.phase is Phase.NEW]
    days, left = project_exam_load(plan, seen, new_keys, now)
    return ExamLoad(plan.cap, plan.limits.new_per_day, left, tuple(days))
