"""quizkit retention: minutes a day and cards known at each desired retention, and a recommendation.

A year (--days) of study of the decks' cards is simulated at retentions 0.70 ... 0.97 and at the
learner's own (core/retention.py), with their fitted FSRS-6 parameters (`quizkit optimize`; else the
defaults), their daily new-card limits and the answer times and ratings of their review log.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from quizkit.app.env import Environment
from quizkit.app.library import load_decks, one_deck
from quizkit.errors import QuizkitError, UsageError
from quizkit.model import Deck, Phase
from quizkit.shapes.retention import CostsJSON, ParametersSource, RetentionJSON, RetentionRowJSON
from quizkit.ui import words

if TYPE_CHECKING:  # numpy: loaded by the command, not at start-up
    from quizkit.core.retention import Costs, Row

SEED = 0
"""The simulation's seed: the same decks and log give the same figures every time."""

MAX_DAYS = 3650


def retention(env: Environment, deck: str | None = None, days: int = 365, as_json: bool = False) -> int:
    try:
        from quizkit.core import retention as model
    except ImportError:
        raise QuizkitError("quizkit retention needs numpy: pip install 'quizkit[optimize]'") from None
    from quizkit.core import scheduler
    from quizkit.core.scheduler import DEFAULT_PARAMETERS
    from quizkit.store.fitted import FittedParameters

    if not 1 <= days <= MAX_DAYS:
        raise UsageError(f"--days must be a whole number from 1 to {MAX_DAYS}, not {days}")
    decks: Sequence[Deck] = [one_deck(env, deck)] if deck else load_decks(env, [])
    now = env.clock()
    with env.open_store() as store:
        fitted = FittedParameters(store)
        own = fitted.get(decks[0].id) if deck else None
        everyone = fitted.get(None)
        if own is not None and own != everyone:
            parameters, source = own, ParametersSource.DECK
        elif everyone is not None:
            parameters, source = everyone, ParametersSource.ALL_DECKS
        else:
            parameters, source = DEFAULT_PARAMETERS, ParametersSource.DEFAULTS
        config = env.settings.scheduler_config(decks[0] if deck else None, parameters)
        studied: list[model.Studied] = []
        new: list[model.NewCards] = []
        for one in decks:
            states = store.states(one.id)
            unseen = 0
            for card in one.cards:
                state = states.get(card.id)
                if state is not None and state.suspended:
                    continue
                if (
                    state is None
                    or state.stability is None
                    or state.difficulty is None
                    or state.last_review is None
                ):
                    unseen += 1
                    continue
                since = scheduler.elapsed_days(state.last_review, now, config)
                learning = state.phase in (Phase.LEARNING, Phase.RELEARNING)
                studied.append(model.Studied(state.stability, state.difficulty, since, learning))
            per_day = (
                one.settings.new_per_day if one.settings.new_per_day is not None else env.settings.new_per_day
            )
            new.append(model.NewCards(unseen, per_day))
        costs = model.costs_from_log(store.timed_history([d.id for d in decks]), config)
    current = round(config.retention, 3)
    retentions = sorted({*model.RETENTIONS, current})
    rows = model.simulate(
        parameters,
        costs,
        studied,
        new,
        days=days,
        retentions=retentions,
        max_interval=config.max_interval,
        seed=SEED,
    )
    row_json = [_row(row) for row in rows]
    data = RetentionJSON(
        days=days,
        cards=len(studied) + sum(n.count for n in new),
        new_per_day=sum(n.per_day for n in new if n.count),
        seed=SEED,
        parameters_source=source.value,
        parameters=list(parameters),
        costs=_costs(costs),
        current_retention=current,
        recommended=_best(row_json),
        rows=row_json,
    )
    if as_json:
        words.print_json(env.stdout, data)
        return 0
    from quizkit.ui import charts  # rich.table: not needed for --json

    out = env.stdout
    scope = words.plain(
        f"deck {decks[0].id}" if deck else f"{len(decks)} deck{'s' if len(decks) != 1 else ''}"
    )
    title = words.plain(f"Desired retention against workload: {days} days of study simulated, ")
    title.append_text(scope)
    out.print(title)
    for line in _about(data, len(studied), source, costs.from_log, deck is None):
        out.print(words.plain(line))
    out.print(charts.retention_chart(data))
    return 0


def _row(row: Row) -> RetentionRowJSON:
    minutes = round(row.minutes_per_day, 3)
    known = round(row.cards_known, 1)
    return RetentionRowJSON(
        retention=row.retention,
        minutes_per_day=minutes,
        reviews_per_day=round(row.reviews_per_day, 2),
        cards_known=known,
        knowledge_per_minute=round(known / minutes, 2) if minutes > 0 else 0.0,
    )


def _best(rows: Sequence[RetentionRowJSON]) -> float | None:
    """The retention with the most knowledge per minute (the lowest on a tie)."""
    best: RetentionRowJSON | None = None
    for row in rows:
        if row["minutes_per_day"] > 0 and (
            best is None or row["knowledge_per_minute"] > best["knowledge_per_minute"]
        ):
            best = row
    return None if best is None else best["retention"]


def _costs(costs: Costs) -> CostsJSON:
    return CostsJSON(
        learn_seconds=costs.learn,
        recall_seconds=costs.recall,
        forget_seconds=costs.forget,
        first_ratings=list(costs.first_ratings),
        recall_ratings=list(costs.recall_ratings),
        from_log=list(costs.from_log),
    )


def _about(
    data: RetentionJSON, studied: int, source: ParametersSource, from_log: Sequence[str], whole: bool
) -> list[str]:
    lines = [
        f"{data['cards']} cards ({studied} studied, {data['cards'] - studied} new; "
        f"{data['new_per_day']} new a day)",
    ]
    if source is ParametersSource.DEFAULTS:
        # Without --deck only the parameters fitted over all decks apply: a deck's own need --deck.
        lines.append(
            "memory model: FSRS-6's default parameters (none fitted yet: quizkit optimize"
            + ("; a deck's own apply with --deck)" if whole else ")")
        )
    else:
        whose = "fitted to this deck" if source is ParametersSource.DECK else "fitted over all decks"
        lines.append(f"memory model: your FSRS-6 parameters, {whose} (quizkit optimize)")
    c = data["costs"]
    times = (
        f"first sight {c['learn_seconds']:.1f} s, recall {c['recall_seconds']:.1f} s, "
        f"lapse {c['forget_seconds']:.1f} s"
    )
    if len(from_log) == 5:
        lines.append(f"answer times and ratings from your review log: {times}")
    elif from_log:
        lines.append(
            f"answer times and ratings partly from your review log (the rest Anki's defaults): {times}"
        )
    else:
        lines.append(f"answer times and ratings: Anki's defaults (your review log is too small): {times}")
    return lines
