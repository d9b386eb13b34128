"""quizkit cram: every card regardless of schedule, misses coming round again, the schedule untouched."""

from __future__ import annotations

import random
from collections.abc import Sequence
from pathlib import Path

from quizkit.app.env import Environment
from quizkit.app.library import load_decks
from quizkit.app.review import ReviewFlow, open_editor
from quizkit.app.study import Study, plan_decks
from quizkit.core.session import Session
from quizkit.errors import UsageError
from quizkit.ui import terminal


def cram(env: Environment, paths: Sequence[Path], tags: Sequence[str] = ()) -> int:
    """Go through every card regardless of the schedule; logged as cram, schedule untouched."""
    now = env.clock()
    loaded = load_decks(env, paths)
    with env.open_store() as store:
        plans = plan_decks(env, store, loaded, now)
        states = {(d.id, cid): s for d in loaded for cid, s in store.states(d.id).items()}
        session = Session.cram(plans, states, tags=tags, rng=random.Random(int(now.timestamp())))
        if not session.new_queue:
            raise UsageError("no cards match")
        keys = terminal.keys_for(env.stdin, env.stdin_isatty)
        return ReviewFlow(env, Study(store, session), keys, open_editor).run()
