"""quizkit optimize: FSRS-6 parameters fitted to a review history, measured out of sample.

The history is the learner's own review log (one deck's with --deck), or an Anki-style CSV
(--revlog). The parameters are saved when they predict better out of sample than the defaults:
then the scheduler uses them (a deck's own, else the ones fitted over all decks) from the next
answer on; cards keep their due dates.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from quizkit.app.env import Environment
from quizkit.errors import QuizkitError, UsageError
from quizkit.model import Rating
from quizkit.shapes.optimize import MetricsJSON, OptimizeJSON
from quizkit.ui import words

if TYPE_CHECKING:
    from quizkit.core.fitting import Metrics  # numpy: loaded by the command, not at start-up

MIN_REVIEWS = 20
"""Fewer long-term reviews than this leave nothing to fit, and nothing to test it on."""


def optimize(
    env: Environment, deck: str | None = None, revlog: Path | None = None, as_json: bool = False
) -> int:
    try:
        from quizkit.core import fitting
    except ImportError:
        raise QuizkitError(
            "quizkit optimize needs numpy and scipy: pip install 'quizkit[optimize]'"
        ) from None

    if revlog is not None and deck is not None:
        raise UsageError("--deck and --revlog cannot be used together: a CSV has no decks")
    histories = _histories(env, deck, revlog)
    h = fitting.histories(histories, env.settings.scheduler_config())
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
    saved = result.after.log_loss < result.before.log_loss
    if saved:
        from quizkit.store.fitted import FittedParameters

        with env.open_store() as store:
            FittedParameters(store).save(
                deck,
                result.parameters,
                env.clock(),
                result.n_reviews,
                result.before.log_loss,
                result.after.log_loss,
            )
    data = OptimizeJSON(
        n_reviews=result.n_reviews,
        n_test=result.n_test,
        before=_metrics(result.before),
        after=_metrics(result.after),
        parameters=list(result.parameters),
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
        soft_wrap=True,
    )
    out.print(words.plain(f"{'':<10} {'log loss':>9} {'RMSE(bins)':>10} {'AUC':>6}"))
    for label, m in (("defaults", data["before"]), ("fitted", data["after"])):
        out.print(words.plain(f"{label:<10} {m['log_loss']:>9.4f} {m['rmse_bins']:>10.4f} {m['auc']:>6.3f}"))
    out.print(words.plain("parameters: " + ", ".join(f"{w:g}" for w in data["parameters"])), soft_wrap=True)
    if saved:
        whose = f"deck {deck}" if deck else "every deck without its own"
        out.print(
            words.plain(
                f"saved: the scheduler uses them for {whose} from the next answer on (due dates kept)"
            ),
            soft_wrap=True,
        )
    else:
        out.print(words.plain("not saved: they predict no better than the defaults"), soft_wrap=True)
    return 0


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
