"""quizkit stats, the dashboard (plain `quizkit`) and quizkit cards.

Wiring only. The figures are SQL aggregates in store.figures; the study day and the forgetting
curve come from core.scheduler; the drawing is ui.charts. See
docs/stats.md for what each figure means.

Review-log figures (today, streaks, heatmap, retention) count review-mode answers that were
not undone: every answer in the decks named (every deck in the database when none is named,
including decks since removed), or only the tagged cards' answers with --tag. Card figures
(states, forecast, mastery, hardest, the card table) cover the cards the decks have now.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path

from msgspec.structs import replace

from quizkit.app import exam_dates, exam_forecast
from quizkit.app.env import Environment
from quizkit.app.exam_forecast import Projection
from quizkit.app.library import known_decks_lenient, load_decks, one_deck
from quizkit.app.study import plan_decks
from quizkit.core.calendar import Calendar
from quizkit.core.scheduler import forgetting_curve
from quizkit.errors import UsageError
from quizkit.model import Card, Deck, Status, card_index
from quizkit.shapes.stats import (
    CardFigures,
    CardsJSON,
    Dashboard,
    DeckDue,
    Exam,
    Forecast,
    Heatmap,
    Mastery,
    Ratio,
    Report,
    StatsJSON,
    Today,
)
from quizkit.store.figures import Figures
from quizkit.store.progress import Store
from quizkit.ui import charts, words
from quizkit.ui.words import print_json

HEATMAP_WEEKS = 52


FORECAST_DAYS = Figures.FORECAST_DAYS


RETENTION_WINDOWS = (7, 30)


MATURE_DAYS = 21
"""Anki's line between young and mature cards: an interval of 21 days or more."""


HARDEST = 10


CARD_STATES = (Status.NEW, "due", *(s for s in Status if s is not Status.NEW), "leech")
"""What quizkit cards --state filters by: a Status, or due (today), or leech."""


SORT_KEYS = ("due", "interval", "stability", "difficulty", "retrievability", "lapses", "id")


@contextmanager
def _collector_paused() -> Iterator[None]:
    """The cyclic garbage collector paused while figures are built: they are tens of thousands of
    tuples, none in a cycle, and each collection the allocations set off walks every card of the
    decks loaded (a tenth of stats' time on 50,000 cards). Reference counting still frees them."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


def stats(env: Environment, paths: Sequence[Path], tags: Sequence[str] = (), as_json: bool = False) -> int:
    """Every figure for the decks named (or every known deck), optionally only cards with a tag."""
    with _collector_paused():
        return _stats(env, paths, tags, as_json)


def _stats(env: Environment, paths: Sequence[Path], tags: Sequence[str], as_json: bool) -> int:
    now = env.clock()
    loaded = load_decks(env, paths)
    scope = _scope(loaded, tags)
    if tags and not any(ids for _, ids, _ in scope):
        raise UsageError(f"no card has the tag {' or '.join(sorted(set(tags)))}")
    with env.open_store() as store:
        # One deck: its own parameters (quizkit optimize), else those fitted over all decks.
        one = loaded[0] if len(loaded) == 1 else None
        config = env.settings.scheduler_config(one, _fitted(store, one.id if one else None))
        figures = Figures(store)
        figures.set_scope(scope)
        calendar = figures.calendar(now, config)
        exams = _exams(env, store, loaded, now)
        projection = exam_forecast.project(
            env, store, loaded, {deck_id: ids for deck_id, ids, _ in scope}, exams, now
        )
        report = _report(
            figures,
            calendar,
            now,
            loaded,
            [d.id for d in loaded] if paths else None,
            tags,
            exams,
            scope,
            projection,
        )
    if as_json:
        stats_json: StatsJSON = {
            "decks": [d.id for d in loaded],
            "tags": sorted(set(tags)),
            **report.to_dict(),
        }
        print_json(env.stdout, stats_json)
    else:
        env.stdout.print(charts.stats_report(report))
    return 0


Scope = list[tuple[str, Sequence[str], Sequence[Sequence[str]]]]
"""Per deck: its id, the card ids in scope, and their tags (Store.set_scope)."""


def _scope(loaded: Sequence[Deck], tags: Sequence[str] = (), *, with_tags: bool = True) -> Scope:
    """The decks' cards, only those with one of `tags` if any are given; with their tags, if asked."""
    wanted = set(tags)
    scope: Scope = []
    for deck in loaded:
        ids, card_tags = card_index(deck.cards)  # without building every card
        if wanted:
            picked = [i for i, tagged in enumerate(card_tags) if not wanted.isdisjoint(tagged)]
            ids, card_tags = [ids[i] for i in picked], [card_tags[i] for i in picked]
        scope.append((deck.id, ids, card_tags if with_tags else ()))
    return scope


def _report(
    figures: Figures,
    calendar: Calendar,
    now: datetime,
    loaded: Sequence[Deck],
    deck_ids: Sequence[str] | None,
    tags: Sequence[str],
    exams: tuple[Exam, ...],
    scope: Scope,
    projection: Projection,
) -> Report:
    by_card = bool(tags)
    today = calendar.today
    tomorrow = calendar.tomorrow
    day = timedelta(days=1)
    answers, spent_ms, right = figures.review_totals(deck_ids, by_card, calendar.start(today), tomorrow)
    streak = figures.streaks(calendar, deck_ids, by_card)

    first_week = today - timedelta(days=today.weekday(), weeks=HEATMAP_WEEKS - 1)
    heat_days = [first_week + timedelta(days=n) for n in range((today - first_week).days + 2)]
    per_day = figures.reviews_per_day(deck_ids, by_card, [calendar.start(day) for day in heat_days])

    number = calendar.number(today)
    due = figures.forecast(calendar.shifts, number + FORECAST_DAYS)
    overdue = sum(count for n, count in due.items() if n < number)
    forecast = tuple(due.get(number + i, 0) + (overdue if i == 0 else 0) for i in range(FORECAST_DAYS))

    states, leeches = figures.card_counts(now)
    longest_window = max(RETENTION_WINDOWS)
    counts = figures.retention_counts(
        deck_ids,
        by_card,
        calendar.shifts,
        calendar.start(today - (longest_window - 1) * day),
        calendar.start(today - (min(RETENTION_WINDOWS) - 1) * day),
        tomorrow,
        MATURE_DAYS,
    )
    factor, decay = forgetting_curve(calendar.config)
    mastery, days, at_exam = _mastery(figures, calendar, scope, exams, projection, by_card)
    by_id = {deck.id: deck for deck in loaded}
    hardest = figures.card_figures(now, calendar.shifts, number, factor, decay, hardest=HARDEST)
    return Report(
        title=_title(loaded, tags),
        now=now,
        today=Today(answers, spent_ms / 1000, right, streak.current, streak.longest),
        heatmap=Heatmap(today, {day: n for day, n in zip(heat_days, per_day, strict=False) if n}, first_week),
        forecast=Forecast(today, forecast, overdue),
        states={state: states.get(state, 0) for state in charts.STATE_NAMES},
        leeches=leeches,
        retention={window: _retention(counts, window == longest_window) for window in RETENTION_WINDOWS},
        mastery=mastery,
        hardest=tuple(_row(row, by_id[row.deck_id].card(row.card_id)) for row in hardest),
        exams=exams,
        recall_on=days.pop() if len(days) == 1 else None,
        recall_at_exam=at_exam,
        exam_forecasts=projection.forecasts,
        calibrations=projection.calibrations,
    )


def _mastery(
    figures: Figures,
    calendar: Calendar,
    scope: Scope,
    exams: Sequence[Exam],
    projection: Projection,
    by_card: bool = False,
) -> tuple[tuple[Mastery, ...], set[date], bool]:
    """Per tag: recall now, the recall predicted on each deck's exam day (30 days ahead without a
    coming exam) along the reviews until then, accuracy and true retention over the last 30 study
    days. Also the days the prediction is for, and whether they are all exam days."""
    today = calendar.today
    coming = {exam.deck_id for exam in exams if not exam.past}
    at_exam = bool(scope) and all(deck_id in coming for deck_id, _, _ in scope)
    window = max(RETENTION_WINDOWS)
    answers = figures.card_answers(
        calendar.start(today - timedelta(days=window - 1)), calendar.tomorrow, by_card
    )
    tally: dict[str, _Tally] = {}
    days: set[date] = set()
    recall_of, now_of, answers_of = projection.recall.get, projection.now.get, answers.get
    for deck_id, ids, card_tags in scope:
        day = projection.days[deck_id]
        days.add(day)
        for card_id, tagged in zip(ids, card_tags, strict=True):
            key = (deck_id, card_id)
            recall, now, answered = recall_of(key, 0.0), now_of(key), answers_of(key)
            for tag in set(tagged):
                t = tally.get(tag)
                if t is None:
                    t = tally[tag] = _Tally()
                t.cards += 1
                t.predicted += recall
                t.days.add(day)
                if now is not None:
                    t.studied += 1
                    t.now += now
                if answered is not None:
                    t.answers += answered[0]
                    t.right += answered[1]
                    t.in_review += answered[2]
                    t.passed += answered[3]
    rows = []
    for tag, t in tally.items():
        n, right, in_review, passed = t.answers, t.right, t.in_review, t.passed
        rows.append(
            Mastery(
                tag,
                t.cards,
                t.studied,
                t.now / t.studied if t.studied else None,
                t.predicted / t.cards,
                next(iter(t.days)) if len(t.days) == 1 else None,
                n,
                right,
                in_review,
                passed,
            )
        )
    rows.sort(key=lambda m: (m.predicted_recall, m.tag))
    return tuple(rows), days, at_exam


class _Tally:
    __slots__ = ("answers", "cards", "days", "in_review", "now", "passed", "predicted", "right", "studied")

    def __init__(self) -> None:
        self.cards = self.studied = 0
        self.now = self.predicted = 0.0
        self.days: set[date] = set()
        # The last 30 days' answers to the tag's cards, those right, those in review and passed.
        self.answers = self.right = self.in_review = self.passed = 0


def _retention(counts: dict[tuple[bool, bool], tuple[int, int]], whole: bool) -> dict[str, Ratio]:
    """Young, mature and all, over the short window (recent only) or the whole long one."""

    def ratio(mature: set[bool]) -> Ratio:
        picked = [v for (m, recent), v in counts.items() if m in mature and (whole or recent)]
        return Ratio(sum(p for p, _ in picked), sum(t for _, t in picked))

    return {"young": ratio({False}), "mature": ratio({True}), "all": ratio({False, True})}


def _title(loaded: Sequence[Deck], tags: Sequence[str]) -> str:
    title = loaded[0].title if len(loaded) == 1 else f"{len(loaded)} decks"
    return title + (f" · tag {', '.join(tags)}" if tags else "")


def _row(figures: CardFigures, card: Card | None) -> CardFigures:
    return replace(figures, prompt=card.prompt if card else "")


def dashboard(env: Environment) -> int:
    """Every known deck with what is due today, today's progress, the streak and what to run next."""
    with _collector_paused():
        return _dashboard(env)


def _dashboard(env: Environment) -> int:
    now = env.clock()
    known = known_decks_lenient(env)
    loaded, broken = known.decks, [str(path) for path in known.broken]
    config = env.settings.scheduler_config()
    with env.open_store() as store:
        figures = Figures(store)
        figures.set_scope(_scope(loaded, with_tags=False))
        calendar = figures.calendar(now, config)
        counts = figures.due_counts(now, calendar.tomorrow)
        rows = []
        for plan in plan_decks(env, store, loaded, now):
            new, learning, review = counts.get(plan.deck.id, (0, 0, 0))
            rows.append(
                DeckDue(
                    plan.deck.id,
                    plan.deck.title,
                    len(plan.deck.cards),
                    min(new, max(0, plan.limits.new_per_day - plan.new_done)),
                    learning,
                    min(review, max(0, plan.limits.reviews_per_day - plan.reviews_done)),
                )
            )
        answers, spent_ms, right = figures.review_totals(
            None, False, calendar.start(calendar.today), calendar.tomorrow
        )
        streak = figures.streaks(calendar)
        upcoming = [d for deck in loaded if (d := store.next_due(deck.id, now)) is not None]
        exams = _exams(env, store, loaded, now)
        coming = {exam.deck_id for exam in exams if not exam.past}
        with_exam = [deck for deck in loaded if deck.id in coming]
        forecasts = (
            exam_forecast.project(
                env, store, with_exam, {d.id: card_index(d.cards)[0] for d in with_exam}, exams, now
            ).forecasts
            if with_exam
            else ()
        )
    env.stdout.print(
        charts.dashboard(
            Dashboard(
                day=calendar.today,
                decks=tuple(rows),
                today=Today(answers, spent_ms / 1000, right, streak.current, streak.longest),
                next_due=words.due_in_words(min(upcoming), now, env.settings.tz) if upcoming else None,
                broken=tuple(broken),
                exams=exams,
                forecasts=forecasts,
            )
        )
    )
    return 0


def _fitted(store: Store, deck_id: str | None) -> tuple[float, ...] | None:
    from quizkit.store.fitted import FittedParameters

    return FittedParameters(store).get(deck_id)


def _exams(env: Environment, store: Store, loaded: Sequence[Deck], now: datetime) -> tuple[Exam, ...]:
    """The decks' exam dates in force (remembered, else the deck file's), past ones included."""
    today = exam_dates.local_today(env, now)
    found = exam_dates.in_effect(store, loaded)
    return tuple(Exam(d.id, d.title, found[d.id].day, today) for d in loaded if d.id in found)


def cards(
    env: Environment,
    name: Path | str,
    tags: Sequence[str] = (),
    state: str | None = None,
    search: str | None = None,
    sort: str = "due",
    reverse: bool = False,
    as_json: bool = False,
) -> int:
    """A deck's cards and their scheduling, filtered and sorted."""
    if state is not None and state not in CARD_STATES:
        raise UsageError(f"unknown state {state!r}; use one of {', '.join(CARD_STATES)}")
    if sort not in SORT_KEYS:
        raise UsageError(f"cannot sort by {sort!r}; use one of {', '.join(SORT_KEYS)}")
    now = env.clock()
    deck = one_deck(env, name)
    wanted = set(tags)
    needle = (search or "").casefold()
    picked = [
        card
        for card in deck.cards
        if (not wanted or wanted & set(card.tags))
        and (not needle or any(needle in text.casefold() for text in (card.id, card.prompt, card.answer)))
    ]
    with env.open_store() as store:
        config = env.settings.scheduler_config(deck, _fitted(store, deck.id))
        figures = Figures(store)
        figures.set_scope([(deck.id, [card.id for card in picked], ())])
        calendar = figures.calendar(now, config)
        factor, decay = forgetting_curve(config)
        found = figures.card_figures(now, calendar.shifts, calendar.number(calendar.today), factor, decay)
    by_id = {card.id: card for card in picked}
    order = {card.id: index for index, card in enumerate(picked)}
    rows = [_row(f, by_id[f.card_id]) for f in found if _in_state(f, state, calendar.tomorrow)]
    rows = _sorted(rows, sort, reverse, order)
    if as_json:
        cards_json: CardsJSON = {
            "deck": deck.id,
            "now": now.isoformat(),
            "cards": [r.to_dict() for r in rows],
        }
        print_json(env.stdout, cards_json)
    else:
        env.stdout.print(charts.card_table(deck.title, rows, now, env.settings.tz))
        env.stdout.print(f"{len(rows)} of {len(deck.cards)} cards", markup=False, style="dim")
    return 0


def _in_state(figures: CardFigures, state: str | None, tomorrow: datetime) -> bool:
    if state is None:
        return True
    if state == "leech":
        return figures.leech
    if state == "due":
        return figures.state.studying and figures.due is not None and figures.due < tomorrow
    return figures.state == state


_SORT_VALUES: dict[str, Callable[[CardFigures], float | None]] = {
    "due": lambda row: row.due.timestamp() if row.due else None,
    "interval": lambda row: row.interval_days,
    "stability": lambda row: row.stability,
    "difficulty": lambda row: row.difficulty,
    "retrievability": lambda row: row.retrievability,
    "lapses": lambda row: row.lapses,
}


def _sorted(rows: list[CardFigures], key: str, reverse: bool, order: dict[str, int]) -> list[CardFigures]:
    """Sorted by `key`, deck order breaking ties; cards without a value (new cards) always last."""
    rows = sorted(rows, key=lambda row: order[row.card_id])
    if key == "id":
        return sorted(rows, key=lambda row: row.card_id, reverse=reverse)
    value = _SORT_VALUES[key]
    known = sorted(
        ((v, row) for row in rows if (v := value(row)) is not None), key=lambda pair: pair[0], reverse=reverse
    )
    return [row for _, row in known] + [row for row in rows if value(row) is None]
