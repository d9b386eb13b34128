"""Use cases: each command's work, wired from the pure parts.

The clock, the console and the paths arrive in an `Environment`, so tests and
simulations can replace every one of them.
"""

from __future__ import annotations

import os
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from rich.console import Console

from quizkit import decks, render
from quizkit.errors import ConfigError, DeckError, Problem, UsageError
from quizkit.model import CardState, Deck, Kind, Mode, Phase, Rating

if TYPE_CHECKING:
    from quizkit.scheduler import SchedulerConfig
    from quizkit.session import Change, DeckPlan, Limits, Session
    from quizkit.store import Store


def _system_clock() -> datetime:
    return datetime.now(UTC)


def local_zone() -> tzinfo:
    """The learner's zone: $TZ if it names one, else the system's, else UTC."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    candidates = [os.environ.get("TZ", "").lstrip(":")]
    try:
        target = os.path.realpath("/etc/localtime")
        if "zoneinfo/" in target:
            candidates.append(target.split("zoneinfo/", 1)[1])
    except OSError:
        pass
    for name in candidates:
        if name:
            try:
                return ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return datetime.now().astimezone().tzinfo or UTC


_STEP_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_steps(values: Sequence[object], name: str) -> tuple[timedelta, ...]:
    steps = []
    for value in values:
        text = str(value).strip()
        unit = _STEP_UNITS.get(text[-1:]) if text else None
        try:
            amount = float(text[:-1]) if unit else float("nan")
        except ValueError:
            amount = float("nan")
        if unit is None or not amount > 0:
            raise ConfigError(
                f'setting \'{name}\': {value!r} is not a step; write steps like "1m", "10m", "1h"'
            )
        steps.append(timedelta(seconds=amount * unit))
    return tuple(steps)


@dataclass(frozen=True)
class Settings:
    """The user's settings (config.toml), with quizkit's defaults."""

    deck_folders: tuple[Path, ...] = ()
    retention: float = 0.9
    new_per_day: int = 20
    reviews_per_day: int = 200
    max_interval: int = 36500
    day_start_hour: int = 4
    learning_steps: tuple[timedelta, ...] = (timedelta(minutes=1), timedelta(minutes=10))
    relearning_steps: tuple[timedelta, ...] = (timedelta(minutes=10),)
    leech_threshold: int = 8
    new_order: str = "deck"
    tz: tzinfo = UTC

    @classmethod
    def load(cls, path: Path | None) -> Settings:
        raw = decks.read_settings(path) if path else {}
        tz = local_zone()
        if "timezone" in raw:
            from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

            try:
                tz = ZoneInfo(raw["timezone"])
            except (ZoneInfoNotFoundError, ValueError):
                raise ConfigError(
                    f"{path}: unknown timezone {raw['timezone']!r}; use a name like Europe/Berlin"
                ) from None
        settings = cls(
            deck_folders=tuple(Path(str(p)).expanduser() for p in raw.get("deck_folders", ())),
            retention=float(raw.get("retention", 0.9)),
            new_per_day=raw.get("new_per_day", 20),
            reviews_per_day=raw.get("reviews_per_day", 200),
            max_interval=raw.get("max_interval", 36500),
            day_start_hour=raw.get("day_start_hour", 4),
            learning_steps=parse_steps(raw.get("learning_steps", ["1m", "10m"]), "learning_steps"),
            relearning_steps=parse_steps(raw.get("relearning_steps", ["10m"]), "relearning_steps"),
            leech_threshold=raw.get("leech_threshold", 8),
            new_order=raw.get("new_order", "deck"),
            tz=tz,
        )
        if settings.new_order not in ("deck", "random"):
            raise ConfigError(f'{path}: new_order must be "deck" or "random"')
        settings.scheduler_config()  # validates the numbers, naming the bad one
        return settings

    def scheduler_config(self, deck: Deck | None = None) -> SchedulerConfig:
        from quizkit.scheduler import SchedulerConfig

        deck_settings = deck.settings if deck else None
        try:
            return SchedulerConfig(
                retention=(
                    deck_settings.retention if deck_settings and deck_settings.retention else self.retention
                ),
                learning_steps=self.learning_steps,
                relearning_steps=self.relearning_steps,
                max_interval=(
                    deck_settings.max_interval
                    if deck_settings and deck_settings.max_interval
                    else self.max_interval
                ),
                day_start_hour=self.day_start_hour,
                tz=self.tz,
                leech_threshold=self.leech_threshold,
            )
        except ValueError as error:
            raise ConfigError(f"invalid setting: {error}") from None


def default_cache_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_cache_dir("quizkit", appauthor=False)) / "decks"


def default_config_path() -> Path:
    import platformdirs

    return Path(platformdirs.user_config_dir("quizkit", appauthor=False)) / "config.toml"


@dataclass
class Environment:
    """Everything a use case needs from the outside world."""

    stdout: Console
    stderr: Console
    stdin: TextIO = field(default_factory=lambda: sys.stdin)
    stdin_isatty: bool = False
    db_path: Path | None = None
    clock: Callable[[], datetime] = _system_clock
    settings: Settings = field(default_factory=Settings)
    cache_dir: Path | None = None
    """Where parsed decks are cached (None: always parse)."""

    @classmethod
    def from_system(cls, db: Path | None = None, now: str | None = None) -> Environment:
        no_color = bool(os.environ.get("NO_COLOR"))
        config = os.environ.get("QUIZKIT_CONFIG")
        return cls(
            # emoji=False: ':smile:' in a deck is text, and the emoji table costs 3 ms to load.
            stdout=Console(no_color=no_color, highlight=False, emoji=False),
            stderr=Console(stderr=True, no_color=no_color, highlight=False, emoji=False),
            stdin=sys.stdin,
            stdin_isatty=sys.stdin.isatty(),
            db_path=db or default_db_path(),
            clock=fixed_clock(now) if now else _system_clock,
            settings=Settings.load(Path(config) if config else default_config_path()),
            cache_dir=default_cache_dir(),
        )

    def open_store(self) -> Store:
        from quizkit.store import Store

        if self.db_path is None:
            return Store.memory()
        return Store.open(self.db_path)


def default_db_path() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("quizkit", appauthor=False)) / "quizkit.db"


def parse_now(value: str) -> datetime:
    """Parse QUIZKIT_NOW: ISO 8601 with a zone."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise UsageError(
            f"QUIZKIT_NOW={value!r} is not an ISO 8601 date and time; "
            "use e.g. QUIZKIT_NOW=2026-03-01T09:00:00+00:00"
        ) from None
    if moment.tzinfo is None:
        raise UsageError(f"QUIZKIT_NOW={value!r} has no time zone; add one, e.g. {value}+00:00")
    return moment


def fixed_clock(value: str) -> Callable[[], datetime]:
    moment = parse_now(value)
    return lambda: moment


# ---------------------------------------------------------------- validate


def validate(env: Environment, paths: Sequence[Path], as_json: bool = False, strict: bool = False) -> int:
    """Check deck files; print a summary per deck or every problem. Returns the exit code.

    Besides the loader's checks on form, the content checks (authoring.content_problems)
    warn about cards that teach badly; with strict, every warning is an error.
    """
    from dataclasses import replace

    from quizkit.authoring import content_problems

    files = decks.find_deck_files(paths) if paths else decks.bundled_deck_files()
    if not files:
        raise UsageError(f"no deck files (*.toml) found in {', '.join(str(p) for p in paths)}")
    results: list[tuple[Path, Deck | None, list[Problem]]] = []
    owners: dict[str, Path] = {}
    for path in files:
        deck, problems = decks.check_deck(path)
        if deck is not None:
            problems = sorted([*problems, *content_problems(deck)], key=lambda p: p.line or 0)
            if deck.id in owners:
                problems = [
                    *problems,
                    Problem(
                        str(path),
                        None,
                        None,
                        f"deck id '{deck.id}' is also used by {owners[deck.id]}",
                        "decks sharing an id share progress; give this one its own [deck] id",
                    ),
                ]
                deck = None
            else:
                owners[deck.id] = path
        if strict and any(p.severity == "warning" for p in problems):
            problems = [replace(p, severity="error") for p in problems]
            deck = None
        results.append((path, deck, problems))
    error_count = sum(p.severity == "error" for _, _, ps in results for p in ps)
    warning_count = sum(p.severity == "warning" for _, _, ps in results for p in ps)
    if as_json:
        import json

        env.stdout.print_json(json.dumps(_validation_json(results, error_count, warning_count)))
    else:
        for _path, deck, problems in results:
            for problem in problems:
                env.stdout.print(render.problem(problem), soft_wrap=True)
            if deck is not None:
                env.stdout.print(render.deck_summary(deck, len(problems)))
        summary = f"{len(files)} deck file{'s' if len(files) != 1 else ''}: "
        summary += f"{error_count} error{'s' if error_count != 1 else ''}, "
        summary += f"{warning_count} warning{'s' if warning_count != 1 else ''}"
        env.stdout.print(summary, style="red" if error_count else "green", markup=False)
    return 1 if error_count else 0


def _validation_json(
    results: list[tuple[Path, Deck | None, list[Problem]]], errors: int, warnings: int
) -> dict[str, object]:
    out = []
    for path, deck, problems in results:
        entry: dict[str, object] = {
            "path": str(path),
            "valid": deck is not None,
            "problems": [
                {
                    "severity": p.severity,
                    "path": p.path,
                    "line": p.line,
                    "card": p.card,
                    "message": p.message,
                    "hint": p.hint,
                }
                for p in problems
            ],
        }
        if deck is not None:
            entry.update(
                id=deck.id,
                title=deck.title,
                cards=len(deck.cards),
                kinds=dict(Counter(c.kind.value for c in deck.cards)),
                tags=dict(Counter(t for c in deck.cards for t in c.tags)),
            )
        out.append(entry)
    return {"decks": out, "errors": errors, "warnings": warnings}


# ---------------------------------------------------------------- show


def show(env: Environment, path: Path | None, tags: Sequence[str] = (), kinds: Sequence[Kind] = ()) -> int:
    """Print a deck as a table of cards, optionally filtered by tag and kind."""
    deck = decks.load_deck(path, env.cache_dir) if path else _default_deck(env)
    cards = tuple(
        c for c in deck.cards if (not tags or set(tags) & set(c.tags)) and (not kinds or c.kind in kinds)
    )
    shown = Deck(
        deck.id, deck.title, deck.path, cards, deck.description, deck.source, deck.author, deck.settings
    )
    env.stdout.print(render.card_table(shown))
    env.stdout.print(f"{len(cards)} of {len(deck.cards)} cards", markup=False, style="dim")
    return 0


def _default_deck(env: Environment) -> Deck:
    files = decks.bundled_deck_files()
    preferred = [f for f in files if f.stem == "taliban-pakistan"] or files
    if not preferred:
        raise UsageError("no bundled deck found; reinstall quizkit or give a deck path")
    return decks.load_deck(preferred[0], env.cache_dir)


# ---------------------------------------------------------------- decks and plans


def known_deck_files(env: Environment) -> list[Path]:
    """The bundled study decks, then the decks in the user's configured folders."""
    files = [p for p in decks.bundled_deck_files() if p.stem not in decks.EXAMPLE_DECK_IDS]
    folders = [f for f in env.settings.deck_folders if f.is_dir()]
    return files + decks.find_deck_files(folders)


def load_decks(env: Environment, paths: Sequence[Path]) -> list[Deck]:
    """Load the decks named (files or folders), or every known deck; all problems at once."""
    files = decks.find_deck_files(paths) if paths else known_deck_files(env)
    if not files:
        where = ", ".join(str(p) for p in paths)
        raise UsageError(f"no deck files (*.toml) found in {where}" if paths else "no decks found")
    loaded: list[Deck] = []
    problems: list[Problem] = []
    owners: dict[str, str] = {}
    for path in files:
        try:
            deck = decks.load_deck(path, env.cache_dir)
        except DeckError as error:
            problems.extend(error.problems)
            continue
        if deck.id in owners:
            problems.append(
                Problem(
                    str(path),
                    None,
                    None,
                    f"deck id '{deck.id}' is also used by {owners[deck.id]}",
                    "give this deck its own id in [deck]",
                )
            )
            continue
        owners[deck.id] = str(path)
        loaded.append(deck)
    if problems:
        raise DeckError(problems)
    return loaded


def plan_decks(
    env: Environment,
    store: Store,
    loaded: Sequence[Deck],
    now: datetime,
    *,
    new: int | None = None,
    reviews: int | None = None,
    exam_date: date | None = None,
) -> list[DeckPlan]:
    """Each deck's scheduler, limits and what it has already done today."""
    from quizkit import scheduler
    from quizkit.session import DeckPlan, Limits

    plans = []
    for deck in loaded:
        config = env.settings.scheduler_config(deck)
        since = scheduler.day_start(scheduler.study_day(now, config), config)
        new_done, reviews_done = store.answered_since(deck.id, since)
        limits = Limits(
            new_per_day=_first(new, deck.settings.new_per_day, env.settings.new_per_day),
            reviews_per_day=_first(reviews, deck.settings.reviews_per_day, env.settings.reviews_per_day),
        )
        cap = exam_date or deck.settings.exam_date
        if cap is not None:
            limits = exam_limits(limits, cap, scheduler.study_day(now, config), store.unseen(deck), new_done)
        plans.append(DeckPlan(deck, config, limits, new_done, reviews_done, cap))
    return plans


def exam_limits(limits: Limits, exam: date, today: date, unseen: int, new_done: int) -> Limits:
    """Raise the new-card limit so that every unseen card is introduced before the exam.

    The cards left (including today's already introduced) are spread evenly over the study days
    left before the exam day; a learner under their usual limit keeps it.
    """
    from dataclasses import replace as with_changes

    days_left = (exam - today).days
    if days_left <= 0:
        return limits
    needed = -(-(unseen + new_done) // days_left)  # ceiling division
    return with_changes(limits, new_per_day=max(limits.new_per_day, needed))


def _first(*values: int | None) -> int:
    return next(v for v in values if v is not None)


def start_session(
    env: Environment,
    store: Store,
    loaded: Sequence[Deck],
    now: datetime,
    *,
    tags: Sequence[str] = (),
    new: int | None = None,
    reviews: int | None = None,
    exam_date: date | None = None,
) -> Session:
    import random

    from quizkit.session import Session

    plans = plan_decks(env, store, loaded, now, new=new, reviews=reviews, exam_date=exam_date)
    states = {
        (deck.id, card_id): state for deck in loaded for card_id, state in store.states(deck.id).items()
    }
    return Session.start(
        plans,
        states,
        now,
        tags=tags,
        new_order=env.settings.new_order,
        rng=random.Random(int(now.timestamp())),
    )


# ---------------------------------------------------------------- due


def due(env: Environment, paths: Sequence[Path], as_json: bool = False, exam_date: date | None = None) -> int:
    """Per deck: new, learning and review cards due today, when the next card comes, and,
    for a deck studied to an exam date, the load on each day until then."""
    from quizkit import scheduler

    now = env.clock()
    loaded = load_decks(env, paths)
    with env.open_store() as store:
        session = start_session(env, store, loaded, now, exam_date=exam_date)
        rows: list[dict[str, Any]] = []
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
            upcoming = store.next_due(deck.id, now)
            row: dict[str, Any] = {
                "deck": deck.id,
                "title": deck.title,
                "cards": len(deck.cards),
                "new": new,
                "learning": learning,
                "review": review,
                "next_due": upcoming.isoformat() if upcoming else None,
            }
            if plan.cap is not None:
                row["exam"] = exam_load(session, plan, now, store.unseen(deck))
            rows.append(row)
    if as_json:
        import json

        env.stdout.print_json(json.dumps({"now": now.isoformat(), "decks": rows}))
    else:
        env.stdout.print(render.due_table(rows, now, env.settings.tz))
        for row in rows:
            if "exam" in row:
                env.stdout.print(render.exam_load(row["deck"], row["exam"]))
    return 0


def exam_load(session: Session, plan: DeckPlan, now: datetime, unseen: int) -> dict[str, Any]:
    """Cards a day until the exam, projected as if every answer were Good.

    Reviews already scheduled and the new cards planned each day are played forward through the
    scheduler with the exam cap, so the figure includes the reviews that today's new cards bring.
    """
    from quizkit.session import project_exam_load

    assert plan.cap is not None
    keys = [key for key in session.states if key[0] == plan.deck.id]
    seen = {key: session.states[key] for key in keys}
    new_keys = [(plan.deck.id, c.id) for c in plan.deck.cards if (plan.deck.id, c.id) not in seen]
    new_keys += [key for key, state in seen.items() if state.phase is Phase.NEW]
    days, left = project_exam_load(plan, seen, new_keys, now)
    return {
        "date": plan.cap.isoformat(),
        "days_left": len(days),
        "new_per_day": plan.limits.new_per_day,
        "unseen_after": left,
        "days": days,
    }


# ---------------------------------------------------------------- doctor


def doctor(env: Environment, remove_orphans: bool = False, restore: str | None = None) -> int:
    """Check the database, list orphaned progress and backups; remove orphans or restore on request."""
    from quizkit.errors import StoreError
    from quizkit.store import Store

    now = env.clock()
    assert env.db_path is not None
    out = env.stdout
    out.print(render.plain(f"database: {env.db_path}"), soft_wrap=True)
    if restore is not None:
        return _restore(env, restore, now)
    try:
        store = Store.open(env.db_path, create=False)
    except StoreError as error:
        env.stderr.print(render.plain(f"error: {error}"), soft_wrap=True)
        _list_backups(env)
        return 1
    with store:
        problems = store.integrity()
        if problems:
            for problem in problems:
                out.print(render.plain(f"  integrity: {problem}"), style="red")
            _list_backups(env)
            return 1
        out.print(f"  integrity: ok (schema version {store.schema_version}, {store.review_count()} reviews)")
        known = {deck.id: {card.id for card in deck.cards} for deck in _loadable_decks(env)}
        orphans = sorted(
            (deck_id, card_id)
            for deck_id, cards in store.known_cards().items()
            for card_id in cards
            if card_id not in known.get(deck_id, set())
        )
        if not orphans:
            out.print("  orphaned progress: none")
        else:
            out.print(f"  orphaned progress: {len(orphans)} card(s) no longer in any known deck")
            for deck_id, card_id in orphans[:50]:
                out.print(render.plain(f"    {deck_id} / {card_id}"), soft_wrap=True)
            if remove_orphans:
                store.remove_progress(orphans, now)
                out.print(
                    f"  removed the scheduling state of {len(orphans)} card(s); their review history is kept"
                )
            else:
                out.print("  run 'quizkit doctor --remove-orphans' to forget them (the review log is kept)")
        _list_backups(env)
    return 0


def _loadable_decks(env: Environment) -> list[Deck]:
    out = []
    for path in known_deck_files(env):
        try:
            out.append(decks.load_deck(path, env.cache_dir))
        except DeckError:
            continue
    return out


def _list_backups(env: Environment) -> None:
    from quizkit.store import backups_of

    assert env.db_path is not None
    backups = backups_of(env.db_path)
    if backups:
        env.stdout.print(
            f"  backups ({len(backups)}); restore one with 'quizkit doctor --restore FILE' or 'latest':"
        )
        for path in backups:
            env.stdout.print(render.plain(f"    {path}"), soft_wrap=True)
    else:
        env.stdout.print("  backups: none yet (one is taken each day before the first answer)")


def _restore(env: Environment, which: str, now: datetime) -> int:
    from quizkit import store

    assert env.db_path is not None
    if which == "latest":
        backups = store.backups_of(env.db_path)
        if not backups:
            raise UsageError("there are no backups to restore")
        source = backups[-1]
    else:
        source = Path(which)
        if not source.is_file():
            raise UsageError(f"no backup at {which}")
    kept = store.restore(env.db_path, source, now)
    env.stdout.print(render.plain(f"  restored {source}"), soft_wrap=True)
    if kept:
        env.stdout.print(render.plain(f"  the previous file is kept as {kept}"), soft_wrap=True)
    return 0


# ---------------------------------------------------------------- studying


class Study:
    """A review session bound to the store: every change is committed before the next card."""

    def __init__(self, store: Store, session: Session, mode: Mode = Mode.REVIEW) -> None:
        self.store = store
        self.session = session
        self.mode = mode

    def changed(self, key: tuple[str, str]) -> bool:
        """Whether the card's text changed since it was last reviewed (its progress is kept)."""
        stored = self.store.fingerprint(key[0], key[1])
        return stored is not None and stored != self.session.cards[key].fingerprint

    def rate(
        self,
        key: tuple[str, str],
        rating: Rating,
        now: datetime,
        *,
        proposed: Rating | None = None,
        answer: str | None = None,
        correct: bool | None = None,
        duration_ms: int | None = None,
    ) -> Change:
        import json

        from quizkit.session import Change
        from quizkit.store import Answer

        if self.mode is Mode.QUIZ:
            state = self.session.state(key)  # an exam answer is logged, the schedule left alone
            change = Change(key, self.session.cards[key], state, state, rating)
        else:
            change = self.session.answer(key, rating, now)
        config = self.session.plans[key[0]].config
        self.store.record(
            Answer(
                deck_id=key[0],
                card_id=key[1],
                at=now,
                rating=rating,
                before=change.before,
                after=change.after,
                mode=self.mode,
                proposed=proposed,
                answer=answer,
                correct=correct,
                duration_ms=duration_ms,
                fingerprint=change.card.fingerprint,
                scheduler=json.dumps(config.to_dict(), sort_keys=True),
            )
        )
        return change

    def undo(self, now: datetime) -> tuple[str, str] | None:
        """Undo the latest answer in these decks, even one from an earlier session."""
        if self.mode is not Mode.REVIEW:
            return None  # cram and quiz answers never changed the schedule: nothing to restore
        last = self.store.last_review(self.session.plans)
        if last is None:
            return None
        self.store.undo(last, now)
        key = (last.deck_id, last.card_id)
        self.session.undo(key, last.before, now)
        return key

    def bury(self, key: tuple[str, str], now: datetime) -> Change:
        change = self.session.bury(key, now)
        self.store.set_state(key[0], key[1], change.after, now)
        return change

    def suspend(self, key: tuple[str, str], now: datetime) -> Change:
        change = self.session.suspend(key)
        self.store.set_state(key[0], key[1], change.after, now)
        return change


def open_study(
    env: Environment,
    store: Store,
    paths: Sequence[Path],
    now: datetime,
    **options: Any,
) -> Study:
    loaded = load_decks(env, paths)
    return Study(store, start_session(env, store, loaded, now, **options))


# ---------------------------------------------------------------- suspend and unsuspend


def set_suspended(
    env: Environment, deck_path: Path, card_ids: Sequence[str], suspended: bool, all_cards: bool
) -> int:
    """Suspend or unsuspend cards by id (or every suspended card, with all_cards)."""
    from dataclasses import replace as with_changes

    deck = decks.load_deck(deck_path, env.cache_dir)
    now = env.clock()
    wanted = list(card_ids)
    unknown = [card_id for card_id in wanted if deck.card(card_id) is None]
    if unknown:
        raise UsageError(f"no card {unknown[0]!r} in {deck_path}; 'quizkit show {deck_path}' lists the ids")
    with env.open_store() as store:
        states = store.states(deck.id)
        if all_cards:
            wanted = sorted(card_id for card_id, state in states.items() if state.suspended != suspended)
        if not wanted:
            raise UsageError("name the cards to change, or use --all")
        for card_id in wanted:
            state = states.get(card_id, CardState())
            # Unsuspending a leech keeps its lapse count: it will be flagged again at the next threshold.
            store.set_state(deck.id, card_id, with_changes(state, suspended=suspended), now)
    verb = "suspended" if suspended else "unsuspended"
    env.stdout.print(render.plain(f"{verb} {len(wanted)} card(s): {', '.join(wanted)}"), soft_wrap=True)
    return 0
