"""quizkit cram: every card regardless of schedule, misses coming round again, the schedule untouched."""

from __future__ import annotations

import random
from collections.abc import Sequence
from pathlib import Path

from quizkit.app.env import Environment
from quizkit.app.library import load_decks
from quizkit.app.study import Study, plan_decks
from quizkit.core.session import Session, cram_queue
from quizkit.errors import UsageError
from quizkit.model import Mode
from quizkit.ui import terminal


def cram(env: Environment, paths: Sequence[Path], tags: Sequence[str] = ()) -> int:
    """Go through every card regardless of the schedule; logged as cram, schedule untouched."""
    from quizkit.app.review import ReviewFlow, _run_editor

    now = env.clock()
    loaded = load_decks(env, paths)
    with env.open_store() as store:
        plans = plan_decks(env, store, loaded, now)
        states = {(d.id, cid): s for d in loaded for cid, s in store.states(d.id).items()}
        session = Session.start(plans, states, now, tags=tags)
        session.cram = True
        session.new_queue = cram_queue(plans, tags, random.Random(int(now.timestamp())))
        session.review_queue = []
        session.learning = set()
        if not session.new_queue:
            raise UsageError("no cards match")
        keys = terminal.keys_for(env.stdin, env.stdin_isatty)
        return ReviewFlow(env, Study(store, session, mode=Mode.CRAM), keys, _run_editor).run()
