"""quizkit optimize: FSRS-6 parameters fitted to a review history, measured out of sample.

The history is the learner's own review log (one deck's with --deck), or an Anki-style CSV
(--revlog). The parameters are saved when they predict better out of sample than the defaults:
then the scheduler uses them (a deck's own, else the ones fitted over all decks) from the next
answer on. Cards keep their due dates, unless --reschedule: then each card the new parameters
apply to is replayed from its first answer with them, and takes the due date that gives (a
backup of the progress database is taken first; the parameters and the new states are saved in
one transaction). A deck with too few reviews of its own keeps the parameters fitted over all
decks (or the defaults), as Anki keeps a preset's: nothing is fitted or saved for it.
"""

from __future__ import annotations

import statistics
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from msgspec import Struct

from quizkit.app.env import Environment
from quizkit.errors import QuizkitError, UsageError
from quizkit.model import Rating
from quizkit.shapes.optimize import MetricsJSON, OptimizeJSON, RescheduledJSON, TooFewJSON
from quizkit.ui import words

if TYPE_CHECKING:
    from quizkit.core.fitting import Metrics  # numpy: loaded by the command, not at start-up
    from quizkit.model import CardState, Key
    from quizkit.store.progress import Store

MIN_REVIEWS = 20
"""Fewer long-term reviews than this leave nothing to fit, and nothing to test it on."""
MIN_DECK_REVIEWS = 400
"""A deck's own fit needs this many long-term reviews; with fewer, the deck keeps the parameters
fitted over all decks (more reviews), or the defaults, rather than parameters fitted to a few."""


class Rescheduled(Struct, frozen=True):
    cards: int
    """Cards replayed with the new parameters."""
    moved: int
    """Of those, cards whose due day changed."""
    median_days: float
    """The median change of the due day of the cards that moved (negative: sooner)."""
    backup: Path | None


def optimize(
    env: Environment,
    deck: str | None = None,
    revlog: Path | None = None,
    as_json: bool = False,
    reschedule: bool = False,
) -> int:
    try:
        from quizkit.core import fitting
    except ImportError:
        raise QuizkitError(
            "quizkit optimize needs numpy and scipy: pip install 'quizkit[optimizer]' "
            "(or 'quizkit[optimize]', the same)"
        ) from None

    if revlog is not None and deck is not None:
        raise UsageError("--deck and --revlog cannot be used together: a CSV has no decks")
    histories = _histories(env, deck, revlog)
    h = fitting.histories(histories, env.settings.scheduler_config())
    if deck is not None and h.n_predicted < MIN_DECK_REVIEWS:
        return _too_few_for_a_deck(env, deck, h.n_reviews, h.n_predicted, as_json)
    if h.n_predicted < MIN_REVIEWS:
        raise QuizkitError(
            f"{h.n_predicted} long-term reviews (a day or more after the card's previous one): "
            f"a fit needs at least {MIN_REVIEWS}"
        )
    if as_json:
        result = fitting.evaluate(h)
    else:
        with env.stderr.status("fitting...") as status:

            def progress(done: int, total: int) -> None:
                status.update(f"fitting: {done}/{total}")

            result = fitting.evaluate(h, progress=progress)
    # Better on both counts, out of sample: a lower log loss bought with worse calibration by bins
    # (a small deck's fit can do that) is not an improvement a learner should be scheduled by.
    saved = (
        result.after.log_loss < result.before.log_loss and result.after.rmse_bins <= result.before.rmse_bins
    )
    moved: Rescheduled | None = None
    if saved:
        from quizkit.store.fitted import FittedParameters

        now = env.clock()
        with env.open_store() as store:
            fitted = FittedParameters(store)
            backup = _backup(env, store, now) if reschedule else None
            with store.write(now):  # one transaction: no answer from another terminal slips between
                fitted.save(
                    deck,
                    result.parameters,
                    now,
                    result.n_reviews,
                    result.before.log_loss,
                    result.after.log_loss,
                )
                if reschedule:
                    states, moved = _replayed(env, store, deck, result.parameters, backup, now)
                    store.put_states(states, now)
    data = OptimizeJSON(
        n_reviews=result.n_reviews,
        n_test=result.n_test,
        before=_metrics(result.before),
        after=_metrics(result.after),
        parameters=list(result.parameters),
        saved=saved,
        deck=deck,
        rescheduled=None
        if moved is None
        else RescheduledJSON(cards=moved.cards, moved=moved.moved, median_days=moved.median_days),
    )
    if as_json:
        words.print_json(env.stdout, data)
        return 0
    out = env.stdout
    out.print(
        words.plain(
            f"{data['n_reviews']} reviews; tested on the latest {data['n_test']} long-term reviews "
            "(time-series split, 5 folds: each fitted on the reviews before it)"
        ),
    )
    out.print(words.plain(f"{'':<10} {'log loss':>9} {'RMSE(bins)':>10} {'AUC':>6}"))
    for label, m in (("defaults", data["before"]), ("fitted", data["after"])):
        out.print(words.plain(f"{label:<10} {m['log_loss']:>9.4f} {m['rmse_bins']:>10.4f} {m['auc']:>6.3f}"))
    out.print(words.plain("parameters: " + ", ".join(f"{w:g}" for w in data["parameters"])))
    if saved:
        whose = f"deck {deck}" if deck else "every deck without its own"
        kept = " (due dates kept: --reschedule moves them)" if moved is None else ""
        out.print(
            words.plain(f"saved: the scheduler uses them for {whose} from the next answer on{kept}"),
            soft_wrap=True,
        )
        if moved is not None:
            if moved.backup is not None:
                out.print(words.plain(f"backup taken: {moved.backup}"), soft_wrap=True)  # a path: whole
            shift = f", median {moved.median_days:+g} days" if moved.moved else ""
            out.print(
                words.plain(
                    f"rescheduled {moved.cards} cards with the new parameters: "
                    f"{moved.moved} due on another day{shift}"
                ),
                soft_wrap=True,
            )
    else:
        not_moved = " and nothing rescheduled" if reschedule else ""
        out.print(
            words.plain(
                f"not saved{not_moved}: they predict no better than the defaults (log loss and RMSE(bins))"
            )
        )
    return 0


def _too_few_for_a_deck(env: Environment, deck: str, n_reviews: int, n_predicted: int, as_json: bool) -> int:
    """Anki keeps a preset's parameters when it has too little history to fit: so does a deck."""
    from quizkit.store.fitted import FittedParameters

    with env.open_store() as store:
        fitted = FittedParameters(store)
        own = deck in fitted.decks_with_their_own()
        shared = fitted.get(None) is not None
    kept = (
        "its own parameters, fitted before"
        if own
        else "the parameters fitted over all decks"
        if shared
        else "FSRS-6's default parameters"
    )
    if as_json:
        words.print_json(
            env.stdout,
            TooFewJSON(
                n_reviews=n_reviews, n_long_term=n_predicted, needed=MIN_DECK_REVIEWS, saved=False, deck=deck
            ),
        )
        return 0
    env.stdout.print(
        words.plain(
            f"deck {deck}: {n_predicted} long-term reviews (a day or more after the card's previous one); "
            f"a deck's own fit needs at least {MIN_DECK_REVIEWS}. Nothing fitted or saved: the deck keeps "
            f"{kept}. Run quizkit optimize without --deck to fit all your decks together."
        ),
    )
    return 0


def _backup(env: Environment, store: Store, now: datetime) -> Path | None:
    """A copy of the progress database before a reschedule changes many cards at once."""
    from quizkit.store.db import backup_dir, error_text

    if env.db_path is None:
        return None
    target = backup_dir(env.db_path) / f"{env.db_path.stem}-before-reschedule-{now:%Y%m%dT%H%M%S}.db"
    try:
        return store.backup_to(target)
    except (OSError, QuizkitError) as error:
        raise QuizkitError(
            f"no backup could be taken before rescheduling ({error_text(error)}); "
            "nothing was saved or rescheduled"
        ) from None


def _replayed(
    env: Environment,
    store: Store,
    deck: str | None,
    parameters: tuple[float, ...],
    backup: Path | None,
    now: datetime,
) -> tuple[list[tuple[Key, CardState]], Rescheduled]:
    """Each card the new parameters apply to, replayed from its first answer with them (each answer
    under the settings it was given with, the parameters replaced), keeping its suspension, burial
    and leech mark."""
    import json

    from msgspec.structs import replace

    from quizkit.core import scheduler
    from quizkit.core.scheduler import SchedulerConfig
    from quizkit.core.session import fuzz_key
    from quizkit.model import CardState
    from quizkit.store.exam_dates import ExamDates
    from quizkit.store.fitted import FittedParameters

    if deck is not None:
        history = store.replay_history([deck])
    else:
        own = FittedParameters(store).decks_with_their_own()
        history = {key: answers for key, answers in store.replay_history().items() if key[0] not in own}
    default = replace(env.settings.scheduler_config(), parameters=parameters)
    today = scheduler.study_day(now, default)
    # A remembered exam date caps the last interval, as in a session; a past one no longer does.
    exams = {deck_id: day for deck_id, day in ExamDates(store).all().items() if day >= today}
    configs: dict[str | None, SchedulerConfig] = {None: default}
    states: list[tuple[Key, CardState]] = []
    shifts: list[int] = []
    for key, answers in history.items():
        current = store.state(*key)
        state = CardState()
        for number, (at, rating, setting) in enumerate(answers):
            config = configs.get(setting)
            if config is None:
                try:
                    config = replace(
                        SchedulerConfig.from_dict(json.loads(setting or "")), parameters=parameters
                    )
                except (ValueError, TypeError, KeyError):
                    config = default
                configs[setting] = config
            last = number == len(answers) - 1
            exam = exams.get(key[0]) if last else None
            cap = exam if exam is not None and exam > scheduler.study_day(at, config) else None
            state = scheduler.review(state, rating, at, config, key=fuzz_key(key), cap=cap)
        new = replace(
            state, suspended=current.suspended, buried_until=current.buried_until, leech=current.leech
        )
        states.append((key, new))
        if current.due is not None and new.due is not None:
            days = (scheduler.study_day(new.due, default) - scheduler.study_day(current.due, default)).days
            if days:
                shifts.append(days)
    median = float(statistics.median(shifts)) if shifts else 0.0
    return states, Rescheduled(len(states), len(shifts), median, backup)


def _metrics(m: Metrics) -> MetricsJSON:
    return MetricsJSON(log_loss=round(m.log_loss, 4), rmse_bins=round(m.rmse_bins, 4), auc=round(m.auc, 4))


def _histories(
    env: Environment, deck: str | None, revlog: Path | None
) -> dict[str, list[tuple[datetime, Rating]]]:
    if revlog is not None:
        from quizkit.io.revlog import read_revlog

        return read_revlog(revlog)
    with env.open_store() as store:
        return store.review_history(deck)
