"""quizkit stats, the dashboard and quizkit cards, checked against a simulated 90-day history.

A seeded learner studies two decks with `quizkit review` for 90 days, the clock moved by
QUIZKIT_NOW: some days are skipped, some sessions run after midnight (still the same study
day), some answers are undone, some cards buried or suspended, and one deck loses a card
half-way (its progress stays, orphaned). Every figure quizkit prints is then recomputed here,
in plain Python, from the raw review log and card table, and compared.
"""

from __future__ import annotations

import json
import math
import random
import sqlite3
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from quizkit.cli import app
from quizkit.core import forecast, scheduler
from quizkit.core.scheduler import SchedulerConfig
from quizkit.core.session import DeckPlan
from quizkit.core.settings import Limits
from quizkit.io import deck_files
from quizkit.model import CardState, Deck, Phase
from quizkit.store.progress import Store

from conftest import BUNDLED

START = datetime(2026, 1, 1, tzinfo=UTC)
DAYS = 90
NOW = START + timedelta(days=DAYS - 1, hours=21)  # the evening of the last simulated day
CONFIG = SchedulerConfig()  # UTC (the tests' TZ), the day starting at 4 a.m.
TAGS = ("dates", "people", "places", "ideas")


# ---------------------------------------------------------------- the simulated learner


@dataclass(frozen=True)
class Sim:
    folder: Path
    db: Path
    config: Path
    sim_deck: Path
    other_deck: Path
    late_sessions: int
    skipped_days: int


def _card(prefix: str, i: int) -> str:
    tags = [] if i % 7 == 6 else [TAGS[i % 4]] + (["extra"] if i % 5 == 0 else [])
    listed = ", ".join(f'"{t}"' for t in tags)
    return f'[[cards]]\nid = "{prefix}{i}"\nq = "Question {prefix}{i}"\na = "Answer {i}"\ntags = [{listed}]\n'


def _deck_text(deck_id: str, title: str, prefix: str, count: int, new_per_day: int) -> str:
    head = f'[deck]\nid = "{deck_id}"\ntitle = "{title}"\nnew_per_day = {new_per_day}\n'
    return head + "".join(_card(prefix, i) for i in range(count))


def _session(rng: random.Random) -> str:
    lines: list[str] = []
    for _ in range(rng.randint(8, 30)):
        roll = rng.random()
        if roll < 0.05:
            lines.append("u")  # undo the previous answer
        elif roll < 0.07:
            lines.append("s")  # bury this card until tomorrow
        elif roll < 0.08:
            lines.append("!")  # suspend it
        lines += ["", rng.choices("1234", weights=(15, 10, 65, 10))[0]]
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sim]:
    folder = tmp_path_factory.mktemp("sim")
    (folder / "decks").mkdir()
    sim_deck = folder / "decks" / "sim.toml"
    other_deck = folder / "decks" / "other.toml"
    sim_deck.write_text(_deck_text("sim", "Simulated", "c", 40, 6), encoding="utf-8")
    other_deck.write_text(_deck_text("other", "Other", "o", 10, 3), encoding="utf-8")
    config = folder / "config.toml"
    config.write_text(f'deck_folders = ["{folder / "decks"}"]\n', encoding="utf-8")
    db = folder / "progress.db"
    rng = random.Random(90)
    runner = CliRunner()
    late = skipped = 0
    with pytest.MonkeyPatch.context() as env:
        for name, value in {
            "COLUMNS": "80",
            "NO_COLOR": "1",
            "TERM": "dumb",
            "TZ": "UTC",
            "QUIZKIT_DB": str(db),
            "QUIZKIT_CONFIG": str(config),
            "XDG_CACHE_HOME": str(folder / "cache"),
            # This fixture outlives one test, so conftest's folders are not set yet: its own.
            "XDG_CONFIG_HOME": str(folder / "config"),
            "XDG_DATA_HOME": str(folder / "data"),
            "XDG_STATE_HOME": str(folder / "state"),
        }.items():
            env.setenv(name, value)
        for day in range(DAYS):
            if day == 45:  # o9 leaves the deck; its progress and answers stay in the database
                other_deck.write_text(_deck_text("other", "Other", "o", 9, 3), encoding="utf-8")
            if day < DAYS - 2 and rng.random() < 0.18:
                skipped += 1
                continue
            moments = []
            for _ in range(2 if rng.random() < 0.3 else 1):
                if day == DAYS - 1:
                    minutes = rng.randint(5 * 60, 20 * 60)
                elif rng.random() < 0.12:
                    minutes = 24 * 60 + rng.randint(0, 3 * 60 + 59)  # after midnight: still this study day
                    late += 1
                else:
                    minutes = rng.randint(4 * 60, 23 * 60 + 59)
                moments.append(START + timedelta(days=day, minutes=minutes))
            for moment in sorted(moments):
                env.setenv("QUIZKIT_NOW", moment.isoformat())
                # The last session starts by burying a card: one is buried when the figures are taken.
                lines = ("s\n" if day == DAYS - 1 else "") + _session(rng)
                result = runner.invoke(app, ["review", str(sim_deck), str(other_deck)], input=lines)
                assert result.exit_code == 0, result.output
    yield Sim(folder, db, config, sim_deck, other_deck, late, skipped)


@pytest.fixture
def at_the_end(sim: Sim, monkeypatch: pytest.MonkeyPatch) -> Sim:
    """The tests' environment pointed at the simulated history, the clock at its last evening."""
    monkeypatch.setenv("QUIZKIT_DB", str(sim.db))
    monkeypatch.setenv("QUIZKIT_CONFIG", str(sim.config))
    monkeypatch.setenv("QUIZKIT_NOW", NOW.isoformat())
    return sim


# ---------------------------------------------------------------- figures, recomputed independently


def ms(moment: datetime) -> int:
    return round(moment.timestamp() * 1000)


def study_day(at_ms: int) -> date:
    """The study day of a moment: the tests run in UTC, and the day starts at 4 a.m."""
    return (datetime.fromtimestamp(at_ms / 1000, UTC) - timedelta(hours=4)).date()


@dataclass(frozen=True)
class Logged:
    id: int
    deck: str
    card: str
    at: int
    rating: int
    correct: int | None
    duration: int | None
    phase_before: int
    before: dict[str, Any]


def answers(db: Path) -> list[Logged]:
    """The review-mode answers that were not undone."""
    with closing(sqlite3.connect(db)) as connection:
        undone = {row[0] for row in connection.execute("SELECT review_id FROM undos")}
        rows = connection.execute(
            """SELECT id, deck_id, card_id, reviewed_at, rating, correct, duration_ms, phase_before,
                      state_before, mode FROM reviews ORDER BY id"""
        ).fetchall()
    return [
        Logged(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], json.loads(r[8]))
        for r in rows
        if r[0] not in undone and r[9] == "review"
    ]


def states(db: Path, deck_ids: Sequence[str]) -> dict[tuple[str, str], CardState]:
    with Store.open(db) as store:
        return {
            (deck_id, card): state for deck_id in deck_ids for card, state in store.states(deck_id).items()
        }


def state_name(state: CardState, now: datetime) -> str:
    if state.suspended:
        return "suspended"
    if state.buried_until is not None and state.buried_until > now:
        return "buried"
    return {Phase.NEW: "new", Phase.LEARNING: "learning", Phase.REVIEW: "review"}.get(
        state.phase, "relearning"
    )


def interval_days(state: CardState) -> float | None:
    if state.phase is Phase.NEW or state.due is None or state.last_review is None:
        return None
    if state.phase is Phase.REVIEW:
        return (study_day(ms(state.due)) - study_day(ms(state.last_review))).days
    return (state.due - state.last_review).total_seconds() / 86400


def recall(state: CardState, now: datetime) -> float | None:
    return None if state.phase is Phase.NEW else scheduler.retrievability(state, now, CONFIG)


def run_lengths(days: set[date], today: date) -> tuple[int, int]:
    """(current, longest) streak of consecutive days."""
    current = 0
    day = today if today in days else today - timedelta(days=1)
    while day in days:
        current += 1
        day -= timedelta(days=1)
    longest = run = 0
    previous = None
    for day in sorted(days):
        run = run + 1 if previous is not None and day - previous == timedelta(days=1) else 1
        longest = max(longest, run)
        previous = day
    return current, longest


def expected_figures(
    db: Path,
    loaded: Sequence[Deck],
    now: datetime,
    *,
    log_decks: set[str] | None,
    tags: set[str] = frozenset(),
) -> dict[str, Any]:
    """Every figure of quizkit stats --json, from the raw tables."""
    scope = {
        (deck.id, card.id): card.tags
        for deck in loaded
        for card in deck.cards
        if not tags or tags & set(card.tags)
    }
    log = [
        a
        for a in answers(db)
        if (log_decks is None or a.deck in log_decks) and (not tags or (a.deck, a.card) in scope)
    ]
    by_key = states(db, [deck.id for deck in loaded])
    cards = {key: by_key.get(key, CardState()) for key in scope}
    today = study_day(ms(now))

    done = [a for a in log if study_day(a.at) == today]
    right = sum(a.correct if a.correct is not None else a.rating > 1 for a in done)
    current, longest = run_lengths({study_day(a.at) for a in log}, today)

    first = today - timedelta(days=today.weekday(), weeks=51)
    heat = Counter(study_day(a.at) for a in log if first <= study_day(a.at) <= today)

    due = [0] * 30
    overdue = 0
    for state in cards.values():
        if state.phase is Phase.NEW or state.suspended or state.due is None:
            continue
        moment = max(state.due, state.buried_until or state.due)
        offset = (study_day(ms(moment)) - today).days
        if offset < 0:
            overdue += 1
            due[0] += 1
        elif offset < 30:
            due[offset] += 1

    names = Counter(state_name(state, now) for state in cards.values())
    counts = {
        name: names.get(name, 0)
        for name in ("new", "learning", "review", "relearning", "suspended", "buried")
    }
    counts |= {"leech": sum(state.leech for state in cards.values()), "total": len(cards)}

    retention = {}
    for window in (7, 30):
        picked = [a for a in log if a.phase_before == 2 and (today - study_day(a.at)).days < window]
        groups: dict[str, list[Logged]] = {"young": [], "mature": [], "all": picked}
        for a in picked:
            due_day = study_day(ms(datetime.fromisoformat(a.before["due"])))
            last_day = study_day(ms(datetime.fromisoformat(a.before["last_review"])))
            groups["mature" if (due_day - last_day).days >= 21 else "young"].append(a)
        retention[f"last_{window}_days"] = {
            name: {
                "passed": sum(a.rating > 1 for a in group),
                "total": len(group),
                "rate": sum(a.rating > 1 for a in group) / len(group) if group else None,
            }
            for name, group in groups.items()
        }

    mastery = []
    # Predicted recall, 30 study days ahead (no exam date): each card's along its reviews until
    # then (core.forecast, which tests/test_exam_forecast.py checks against the scheduler), never
    # studied as 0, averaged by tag.
    projected: dict[tuple[str, str], float] = {}
    since = scheduler.day_start(today, CONFIG)
    for deck in loaded:
        new_done = len(
            {a.card for a in answers(db) if a.deck == deck.id and a.phase_before == 0 and a.at >= ms(since)}
        )
        plan = DeckPlan(
            deck,
            CONFIG,
            Limits(new_per_day=deck.settings.new_per_day or Limits().new_per_day),
            new_done=new_done,
        )
        seen = {
            key: state for key, state in by_key.items() if key[0] == deck.id and state.phase is not Phase.NEW
        }
        new_keys = [(deck.id, card.id) for card in deck.cards if (deck.id, card.id) not in seen]
        projected.update(forecast.exam_recall(plan, seen, new_keys, now, today + timedelta(days=30))[0])
    for tag in sorted({t for card_tags in scope.values() for t in card_tags}):
        keys = [key for key, card_tags in scope.items() if tag in card_tags]
        tagged = [cards[key] for key in keys]
        recalls = [r for state in tagged if (r := recall(state, now)) is not None]
        mean = sum(recalls) / len(recalls) if recalls else None
        predicted = sum(projected[key] for key in keys) / len(keys)
        mastery.append(
            {
                "tag": tag,
                "cards": len(tagged),
                "studied": len(recalls),
                "retrievability": mean,
                "predicted_recall": predicted,
            }
        )
    mastery.sort(key=lambda m: (m["predicted_recall"], m["tag"]))

    hard = sorted(
        (
            (-state.lapses, -(state.difficulty or 0), key)
            for key, state in cards.items()
            if state.phase is not Phase.NEW and (state.lapses > 0 or (state.difficulty or 0) > 5)
        )
    )[:10]
    return {
        "today": {
            "day": today.isoformat(),
            "reviews": len(done),
            "seconds": sum(a.duration or 0 for a in done) / 1000,
            "right": right,
            "accuracy": right / len(done) if done else None,
        },
        "streak": {"current": current, "longest": longest},
        "heatmap": {
            "first_day": first.isoformat(),
            "last_day": today.isoformat(),
            "reviews": {day.isoformat(): n for day, n in sorted(heat.items())},
        },
        "forecast": {"first_day": today.isoformat(), "due": due, "overdue": overdue},
        "cards": counts,
        "retention": retention,
        "mastery": mastery,
        "hardest": [
            {"deck": key[0], "card": key[1], "lapses": -lapses, "difficulty": -difficulty}
            for lapses, difficulty, key in hard
        ],
    }


def stats_json(runner: CliRunner, *args: str) -> dict[str, Any]:
    result = runner.invoke(app, ["stats", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)  # type: ignore[no-any-return]


def same(got: Any, want: Any) -> bool:
    """Equal, floats within a relative 1e-9 (SQL and Python round differently), ints and bools exact."""
    if isinstance(want, dict):
        return (
            isinstance(got, dict) and got.keys() == want.keys() and all(same(got[k], want[k]) for k in want)
        )
    if isinstance(want, list | tuple):
        return isinstance(got, list) and len(got) == len(want) and all(map(same, got, want))
    if isinstance(want, float) and not isinstance(got, bool) and isinstance(got, int | float):
        return math.isclose(got, want, rel_tol=1e-9)
    return type(got) is type(want) and got == want


def assert_same_figures(got: dict[str, Any], want: dict[str, Any]) -> None:
    for key in ("today", "streak", "heatmap", "forecast", "cards", "retention"):
        assert same(got[key], want[key]), (key, got[key], want[key])
    assert [{k: m[k] for k in ("tag", "cards", "studied")} for m in got["mastery"]] == [
        {k: m[k] for k in ("tag", "cards", "studied")} for m in want["mastery"]
    ]
    for key in ("retrievability", "predicted_recall"):
        assert same([m[key] for m in got["mastery"]], [m[key] for m in want["mastery"]]), key
    assert [{k: h[k] for k in ("deck", "card", "lapses", "difficulty")} for h in got["hardest"]] == want[
        "hardest"
    ]


def load(*paths: Path) -> list[Deck]:
    return [deck_files.load_deck(path) for path in paths]


# ---------------------------------------------------------------- the simulation covers what it should


def test_the_simulation_exercises_every_figure(at_the_end: Sim) -> None:
    log = answers(at_the_end.db)
    with closing(sqlite3.connect(at_the_end.db)) as connection:
        undone = connection.execute("SELECT count(*) FROM undos").fetchone()[0]
    cards = states(at_the_end.db, ["sim", "other"])
    assert len(log) > 300 and undone > 5
    assert at_the_end.late_sessions > 3 and at_the_end.skipped_days > 5
    assert any(datetime.fromtimestamp(a.at / 1000, UTC).hour < 4 for a in log)  # counted the day before
    assert {state_name(s, NOW) for s in cards.values()} >= {"review", "suspended", "buried"}
    assert any(s.lapses for s in cards.values())
    figures = expected_figures(
        at_the_end.db, load(at_the_end.sim_deck, at_the_end.other_deck), NOW, log_decks=None
    )
    assert figures["retention"]["last_30_days"]["mature"]["total"] > 0
    assert figures["retention"]["last_7_days"]["young"]["total"] > 0
    assert figures["today"]["reviews"] > 0 and figures["streak"]["current"] >= 2
    assert figures["streak"]["longest"] > figures["streak"]["current"] or figures["streak"]["current"] == DAYS


# ---------------------------------------------------------------- quizkit stats --json


def test_stats_of_every_known_deck(runner: CliRunner, at_the_end: Sim) -> None:
    got = stats_json(runner)
    bundled = load(*[p for p in deck_files.bundled_deck_files() if p.stem not in deck_files.EXAMPLE_DECK_IDS])
    loaded = [*bundled, *load(at_the_end.other_deck, at_the_end.sim_deck)]
    assert sorted(got["decks"]) == sorted(deck.id for deck in loaded)
    # No deck named: the review log of every deck counts, the orphaned card's answers included.
    assert_same_figures(got, expected_figures(at_the_end.db, loaded, NOW, log_decks=None))
    assert got["cards"]["new"] >= len(bundled[0].cards)


def test_stats_of_one_deck_count_its_whole_log_but_only_its_present_cards(
    runner: CliRunner, at_the_end: Sim
) -> None:
    got = stats_json(runner, str(at_the_end.other_deck))
    assert got["decks"] == ["other"] and got["title"] == "Other"
    want = expected_figures(at_the_end.db, load(at_the_end.other_deck), NOW, log_decks={"other"})
    assert_same_figures(got, want)
    assert got["cards"]["total"] == 9  # o9 left the deck ...
    log = [a for a in answers(at_the_end.db) if a.deck == "other"]
    assert any(a.card == "o9" for a in log)  # ... but its answers still count
    assert sum(got["heatmap"]["reviews"].values()) == len(log)


@pytest.mark.parametrize("tags", [["dates"], ["extra", "ideas"]])
def test_stats_for_tagged_cards_only(runner: CliRunner, at_the_end: Sim, tags: list[str]) -> None:
    args = [str(at_the_end.sim_deck), str(at_the_end.other_deck)]
    for tag in tags:
        args += ["--tag", tag]
    got = stats_json(runner, *args)
    assert got["tags"] == sorted(tags) and "tag" in got["title"]
    loaded = load(at_the_end.sim_deck, at_the_end.other_deck)
    want = expected_figures(at_the_end.db, loaded, NOW, log_decks={"sim", "other"}, tags=set(tags))
    assert_same_figures(got, want)
    everything = stats_json(runner, *args[:2])
    assert got["today"]["reviews"] < everything["today"]["reviews"]


@pytest.mark.parametrize("days_later", [0, 1, 3, 40])
def test_stats_on_later_days(
    runner: CliRunner, at_the_end: Sim, monkeypatch: pytest.MonkeyPatch, days_later: int
) -> None:
    """The streak breaks, the forecast folds overdue cards into today, recall fades."""
    now = NOW + timedelta(days=days_later, hours=9)  # the morning after, and later
    monkeypatch.setenv("QUIZKIT_NOW", now.isoformat())
    got = stats_json(runner, str(at_the_end.sim_deck), str(at_the_end.other_deck))
    loaded = load(at_the_end.sim_deck, at_the_end.other_deck)
    want = expected_figures(at_the_end.db, loaded, now, log_decks={"sim", "other"})
    assert_same_figures(got, want)
    if days_later >= 2:
        assert got["streak"]["current"] == 0 and got["today"]["reviews"] == 0
    if days_later == 40:
        assert got["forecast"]["overdue"] > 0


def test_stats_before_any_review(runner: CliRunner, write_deck) -> None:  # type: ignore[no-untyped-def]
    path = write_deck('[deck]\ntitle = "Fresh"\n[[cards]]\nid = "a"\nq = "Q"\na = "A"\ntags = ["t"]\n')
    got = stats_json(runner, str(path))
    assert got["today"] == {"day": "2026-03-02", "reviews": 0, "seconds": 0.0, "right": 0, "accuracy": None}
    assert got["streak"] == {"current": 0, "longest": 0}
    assert got["heatmap"]["reviews"] == {} and got["forecast"]["due"] == [0] * 30
    assert got["cards"]["new"] == 1 and got["cards"]["total"] == 1
    assert got["mastery"] == [
        {
            "tag": "t",
            "cards": 1,
            "studied": 0,
            "retrievability": None,
            "predicted_recall": 0.0,
            "predicted_on": "2026-04-01",
            "answers": 0,
            "right": 0,
            "accuracy": None,
            "in_review": 0,
            "passed": 0,
            "retention": None,
        }
    ]
    assert got["version"] == 3 and got["exams"] == [] and got["exam_forecast"] == []
    assert got["hardest"] == []
    text = runner.invoke(app, ["stats", str(path)]).output
    assert "no card studied yet" in text and "0 reviews in 52 weeks · studied 0 of" in text


def test_time_spent_today_sums_the_answer_durations(runner: CliRunner, write_deck, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from quizkit.model import Rating
    from quizkit.store.progress import Answer

    path = write_deck('[deck]\nid = "d"\ntitle = "D"\n[[cards]]\nid = "a"\nq = "Q"\na = "A"\n')
    now = datetime(2026, 3, 2, 9, tzinfo=UTC)
    after = scheduler.review(CardState(), Rating.GOOD, now, CONFIG, key="d/a")
    with Store.open(tmp_path / "progress.db") as store:
        for minutes, duration, correct in ((-600, 5_000, True), (-30, 61_500, False), (-10, 3_250, None)):
            store.record(
                Answer(
                    "d",
                    "a",
                    now + timedelta(minutes=minutes),
                    Rating.GOOD,
                    CardState(),
                    after,
                    correct=correct,
                    duration_ms=duration,
                )
            )
        undone = store.record(Answer("d", "a", now, Rating.AGAIN, CardState(), after, duration_ms=99_000))
        last = store.last_review(["d"])
        assert last is not None and last.id == undone
        store.undo(last, now)
    got = stats_json(runner, str(path))
    # 600 minutes before 09:00 is 23:00 the day before: another study day.
    assert got["today"] == {"day": "2026-03-02", "reviews": 2, "seconds": 64.75, "right": 1, "accuracy": 0.5}
    assert got["heatmap"]["reviews"] == {"2026-03-01": 1, "2026-03-02": 2}
    assert got["streak"] == {"current": 2, "longest": 2}
    text = runner.invoke(app, ["stats", str(path)]).output
    assert "1m 05s" in text and "50.0% (1 of 2)" in text


# ---------------------------------------------------------------- the heatmap and the forecast, as drawn


def panel(output: str, title: str) -> list[str]:
    """The body lines of the panel with this title."""
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"╭─ {title}"))
    end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith("╰"))
    return [line[2:-2].rstrip() for line in lines[start + 1 : end]]


def expected_grid(heat: dict[str, int], today: date, weeks: int) -> list[str]:
    first = today - timedelta(days=today.weekday(), weeks=weeks - 1)
    counts = {date.fromisoformat(day): n for day, n in heat.items() if date.fromisoformat(day) >= first}
    peak = max(counts.values())
    glyphs = "·░▒▓█"
    rows = []
    for weekday, label in enumerate(("Mon", "", "Wed", "", "Fri", "", "")):
        cells = ""
        for week in range(weeks):
            day = first + timedelta(weeks=week, days=weekday)
            if day <= today:
                n = counts.get(day, 0)
                cells += glyphs[0 if n == 0 else min(4, math.ceil(4 * n / peak))]
        rows.append(f"{label:<4}{cells}")
    return rows


def check_month_labels(line: str, today: date, weeks: int) -> None:
    first = today - timedelta(days=today.weekday(), weeks=weeks - 1)
    labels = [(column - 4, name) for column, name in _words(line)]
    assert labels, line
    for column, name in labels:
        monday = first + timedelta(weeks=column)
        assert monday.strftime("%b") == name
        assert column == 0 or (monday - timedelta(weeks=1)).month != monday.month  # the month's first week
    months = [(first + timedelta(weeks=column)).month for column, _ in labels]
    assert all((b - a) % 12 in (1, 2) for a, b in zip(months, months[1:], strict=False))


def _words(line: str) -> list[tuple[int, str]]:
    out = []
    column = 0
    for part in line.split(" "):
        if part:
            out.append((column, part))
        column += len(part) + 1
    return out


@pytest.mark.parametrize(("width", "weeks"), [(80, 52), (40, 26)])
def test_heatmap_at_a_pinned_width_without_colour(
    runner: CliRunner, at_the_end: Sim, monkeypatch: pytest.MonkeyPatch, width: int, weeks: int
) -> None:
    monkeypatch.setenv("COLUMNS", str(width))
    args = [str(at_the_end.sim_deck), str(at_the_end.other_deck)]
    figures = stats_json(runner, *args)
    output = runner.invoke(app, ["stats", *args]).output
    assert "\x1b[" not in output
    body = panel(output, "Reviews a day")
    today = date.fromisoformat(figures["today"]["day"])
    heat = figures["heatmap"]["reviews"]
    assert (
        heat
        == expected_figures(at_the_end.db, load(*map(Path, args)), NOW, log_decks={"sim", "other"})[
            "heatmap"
        ]["reviews"]
    )
    check_month_labels(body[0], today, weeks)
    assert body[1:8] == expected_grid(heat, today, weeks)
    peak = max(heat.values())
    ranges = []
    for level, glyph in enumerate("░▒▓█", start=1):
        low, high = peak * (level - 1) // 4 + 1, peak * level // 4
        if low <= high:
            ranges.append(f"{glyph} {low}" if low == high else f"{glyph} {low}–{high}")
    legend = "· none  " + "  ".join(ranges) + "  reviews a day"
    first = today - timedelta(days=today.weekday(), weeks=weeks - 1)
    shown = {d: n for d, n in heat.items() if date.fromisoformat(d) >= first}
    total, active = sum(shown.values()), len(shown)
    summary = (
        f"{total} reviews in {weeks} weeks · studied {active} of {(today - first).days + 1} days · "
        f"{total / active:.1f} per study day"
    )
    # The legend and the summary may wrap at a narrow width: compare the words.
    assert " ".join(body[8:]).split() == f"{legend} {summary}".split()
    if width == 80:
        assert body[8:] == [legend, summary]


@pytest.mark.parametrize("width", [80, 50])
def test_forecast_at_a_pinned_width_without_colour(
    runner: CliRunner, at_the_end: Sim, monkeypatch: pytest.MonkeyPatch, width: int
) -> None:
    now = NOW + timedelta(days=2)  # two days on: some cards are overdue
    monkeypatch.setenv("QUIZKIT_NOW", now.isoformat())
    monkeypatch.setenv("COLUMNS", str(width))
    args = [str(at_the_end.sim_deck), str(at_the_end.other_deck)]
    figures = stats_json(runner, *args)
    want = expected_figures(at_the_end.db, load(*map(Path, args)), now, log_decks={"sim", "other"})[
        "forecast"
    ]
    assert figures["forecast"] == want and want["overdue"] > 0
    body = panel(runner.invoke(app, ["stats", *args]).output, "Forecast")
    due = want["due"]
    total, peak = sum(due), max(due)
    head = (
        f"{total} due in the next 30 days · {total / 30:.1f} a day · {want['overdue']} overdue, counted today"
    )
    bar_width = max(10, (width - 4) - 11 - len(str(peak)) - 1)
    lines = []
    for offset, count in enumerate(due):
        day = date.fromisoformat(want["first_day"]) + timedelta(days=offset)
        bar = "█" * max(1, math.floor(count * bar_width / peak + 0.5)) + " " if count else ""
        lines.append(f"{day:%a} {day.day:>2} {day:%b} {bar}{count}")
    assert " ".join(body[: len(body) - 30]).split() == head.split()
    assert body[-30:] == lines


# ---------------------------------------------------------------- the dashboard


def test_dashboard_matches_quizkit_due(
    runner: CliRunner, at_the_end: Sim, monkeypatch: pytest.MonkeyPatch
) -> None:
    for now in (NOW, NOW + timedelta(hours=12), NOW + timedelta(days=5)):
        monkeypatch.setenv("QUIZKIT_NOW", now.isoformat())
        due = json.loads(runner.invoke(app, ["due", "--json"]).output)["decks"]
        result = runner.invoke(app, [])
        assert result.exit_code == 0, result.output
        lines = result.output.splitlines()
        for row in due:
            if row["deck"] in ("sim", "other"):
                title = {"sim": "Simulated", "other": "Other"}[row["deck"]]
                line = next(line for line in lines if line.startswith(title + " "))
                assert line.split()[-4:] == [str(row[k]) for k in ("cards", "new", "learning", "review")]
        total = next(line for line in lines if line.startswith("total "))
        assert total.split()[1:] == [
            str(sum(row[k] for row in due)) for k in ("cards", "new", "learning", "review")
        ]
        waiting = sum(row["new"] + row["learning"] + row["review"] for row in due)
        next_line = next(line for line in lines if line.startswith("next"))
        assert next_line.split()[1:] == ["quizkit", "review", str(waiting), "cards", "waiting"]

        figures = expected_figures(at_the_end.db, load(at_the_end.sim_deck), now, log_decks=None)
        today, streak = figures["today"], figures["streak"]
        today_line = next(line for line in lines if line.startswith("today"))
        assert today_line.split()[1] == str(today["reviews"])
        if today["reviews"]:
            assert f"accuracy {100 * today['accuracy']:.1f}%" in today_line
        streak_line = next(line for line in lines if line.startswith("streak"))
        assert streak_line.split() == [
            "streak",
            str(streak["current"]),
            "day" + "s" * (streak["current"] != 1),
            "·",
            "longest",
            str(streak["longest"]),
            "days",
        ]
    assert lines[0].rstrip() == f"quizkit · {now:%A} {now.day} {now:%B %Y}"


def test_dashboard_when_everything_is_done(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "decks").mkdir()
    path = tmp_path / "decks" / "one.toml"
    path.write_text(
        '[deck]\nid = "one"\ntitle = "One card"\nnew_per_day = 1\n[[cards]]\nid = "a"\nq = "Q"\na = "A"\n',
        encoding="utf-8",
    )
    config = tmp_path / "config.toml"
    # No new cards from the bundled deck, so that everything can be done.
    config.write_text(f'deck_folders = ["{path.parent}"]\nnew_per_day = 0\n', encoding="utf-8")
    env = {"QUIZKIT_CONFIG": str(config)}
    first = runner.invoke(app, [], env=env).output
    assert "One card" in first and "quizkit review  1 card waiting" in first
    runner.invoke(app, ["review", str(path)], input="\n4\n", env=env)
    done = runner.invoke(app, [], env=env).output
    next_line = next(line for line in done.splitlines() if line.startswith("next"))
    assert next_line.split()[1:4] == ["quizkit", "stats", "nothing"]
    assert "next card" in next_line
    assert "streak  1 day · longest 1 day" in done


def test_dashboard_names_broken_decks_and_still_shows_the_others(runner: CliRunner, tmp_path: Path) -> None:
    folder = tmp_path / "decks"
    folder.mkdir()
    (folder / "broken.toml").write_text(
        '[deck]\ntitle = "B"\n[[cards]]\nid = "a"\nq = "Q"\n', encoding="utf-8"
    )
    config = tmp_path / "config.toml"
    config.write_text(f'deck_folders = ["{folder}"]\n', encoding="utf-8")
    result = runner.invoke(app, [], env={"QUIZKIT_CONFIG": str(config)})
    assert result.exit_code == 0, result.output
    flat = " ".join(result.output.split())
    assert "The Taliban and Pakistan" in flat
    assert f"this deck has errors: quizkit validate {folder / 'broken.toml'}" in flat


def test_db_before_a_command_is_the_commands_db(runner: CliRunner, tmp_path: Path) -> None:
    # --help lists --db at the top, so `quizkit --db FILE due` uses FILE (it used to be refused).
    result = runner.invoke(app, ["--db", str(tmp_path / "x.db"), "due"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "x.db").exists() and not (tmp_path / "progress.db").exists()
    assert runner.invoke(app, ["--db", str(tmp_path / "x.db")]).exit_code == 0  # the dashboard takes it


def test_the_review_summary_shows_the_same_streak(
    runner: CliRunner, at_the_end: Sim, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    copy = tmp_path / "copy.db"
    shutil.copy(at_the_end.db, copy)
    monkeypatch.setenv("QUIZKIT_DB", str(copy))
    monkeypatch.setenv("QUIZKIT_NOW", (NOW + timedelta(days=1)).isoformat())
    before = stats_json(runner, str(at_the_end.sim_deck))["streak"]
    result = runner.invoke(app, ["review", str(at_the_end.sim_deck)], input="\n3\n" * 3 + "q\n")
    after = stats_json(runner, str(at_the_end.sim_deck))["streak"]
    assert after["current"] == before["current"] + 1
    assert f"streak {after['current']} days" in " ".join(result.output.split())


# ---------------------------------------------------------------- quizkit cards


def expected_cards(sim: Sim, deck_path: Path, now: datetime) -> list[dict[str, Any]]:
    (deck,) = load(deck_path)
    by_key = states(sim.db, [deck.id])
    rows = []
    for card in deck.cards:
        state = by_key.get((deck.id, card.id), CardState())
        rows.append(
            {
                "deck": deck.id,
                "card": card.id,
                "question": card.prompt,
                "state": state_name(state, now),
                "due": state.due.isoformat() if state.due else None,
                "interval_days": interval_days(state),
                "stability": state.stability,
                "difficulty": state.difficulty,
                "retrievability": recall(state, now),
                "lapses": state.lapses,
                "reviews": state.reps,
                "leech": state.leech,
            }
        )
    return rows


def cards_json(runner: CliRunner, *args: str) -> list[dict[str, Any]]:
    result = runner.invoke(app, ["cards", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)["cards"]  # type: ignore[no-any-return]


def test_cards_lists_every_card_with_its_scheduling(runner: CliRunner, at_the_end: Sim) -> None:
    got = cards_json(runner, str(at_the_end.sim_deck), "--sort", "id")
    want = sorted(expected_cards(at_the_end, at_the_end.sim_deck, NOW), key=lambda row: row["card"])
    assert [row["card"] for row in got] == [row["card"] for row in want]
    for mine, theirs in zip(got, want, strict=True):
        assert same(mine, theirs), (mine, theirs)


@pytest.mark.parametrize("key", ["due", "interval", "stability", "difficulty", "retrievability", "lapses"])
@pytest.mark.parametrize("reverse", [False, True])
def test_cards_sorting(runner: CliRunner, at_the_end: Sim, key: str, reverse: bool) -> None:
    args = [str(at_the_end.sim_deck), "--sort", key] + (["--reverse"] if reverse else [])
    got = [row["card"] for row in cards_json(runner, *args)]
    want = expected_cards(at_the_end, at_the_end.sim_deck, NOW)
    field = {"interval": "interval_days"}.get(key, key)
    order = {row["card"]: index for index, row in enumerate(want)}
    known = [row for row in want if row[field] is not None]
    known.sort(key=lambda row: order[row["card"]])
    known.sort(
        key=lambda row: datetime.fromisoformat(row[field]) if key == "due" else row[field], reverse=reverse
    )
    unknown = [row for row in want if row[field] is None]
    assert got == [row["card"] for row in known + unknown]
    assert unknown == [] or got[-1] == unknown[-1]["card"]  # cards never studied stay last


@pytest.mark.parametrize(
    "state", ["new", "due", "learning", "review", "relearning", "suspended", "buried", "leech"]
)
def test_cards_filtered_by_state(runner: CliRunner, at_the_end: Sim, state: str) -> None:
    got = {row["card"] for row in cards_json(runner, str(at_the_end.sim_deck), "--state", state)}
    tomorrow = datetime.combine(NOW.date() + timedelta(days=1), datetime.min.time(), UTC) + timedelta(hours=4)
    want = {
        row["card"]
        for row in expected_cards(at_the_end, at_the_end.sim_deck, NOW)
        if (state == "leech" and row["leech"])
        or (
            state == "due"
            and row["state"] in ("learning", "review", "relearning")
            and datetime.fromisoformat(row["due"]) < tomorrow
        )
        or row["state"] == state
    }
    assert got == want


def test_cards_search_and_tag(runner: CliRunner, at_the_end: Sim) -> None:
    got = cards_json(runner, str(at_the_end.sim_deck), "--search", "QUESTION C1", "--tag", "people")
    (deck,) = load(at_the_end.sim_deck)
    want = {c.id for c in deck.cards if "question c1" in c.prompt.lower() and "people" in c.tags}
    assert {row["card"] for row in got} == want and want


def test_cards_table_at_a_pinned_width(runner: CliRunner, at_the_end: Sim) -> None:
    result = runner.invoke(app, ["cards", str(at_the_end.sim_deck), "--sort", "id"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "Simulated"
    assert lines[1].split() == ["card", "question", "state", "due", "ivl", "stab", "diff", "recall", "lapses"]
    assert all(len(line) <= 80 for line in lines)
    rows = {line.split()[0]: line for line in lines[3:-1]}
    assert lines[-1] == "40 of 40 cards"
    for row in expected_cards(at_the_end, at_the_end.sim_deck, NOW):
        line = rows[row["card"]]
        assert f"Question {row['card']}" in line
        assert row["state"] in line
        if row["retrievability"] is not None:
            assert line.split()[-2] == f"{row['retrievability'] * 100:.0f}%"
            assert f"{row['stability']:.1f}d" in line and f"{row['difficulty']:.1f}" in line
        assert line.split()[-1] == str(row["lapses"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--state", "sleeping"], "unknown state 'sleeping'; use one of new, due, learning"),
        (["--sort", "colour"], "cannot sort by 'colour'; use one of due, interval"),
    ],
)
def test_cards_bad_options_are_usage_errors(runner: CliRunner, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["cards", str(BUNDLED / "taliban-pakistan.toml"), *args])
    assert result.exit_code == 2
    assert message in " ".join(result.output.split())


def test_stats_with_a_tag_no_card_has(runner: CliRunner) -> None:
    result = runner.invoke(app, ["stats", "--tag", "no-such-tag"])
    assert result.exit_code == 2
    assert "no card has the tag no-such-tag" in result.output


def test_deck_text_is_shown_as_text_everywhere(runner: CliRunner, tmp_path: Path) -> None:
    nasty = "[bold red]boom[/] \x1b[2J\x1b]0;title\x07 \u202eevil"
    path = tmp_path / "nasty.toml"
    path.write_text(
        f'[deck]\nid = "nasty"\ntitle = {json.dumps(nasty)}\n'
        f'[[cards]]\nid = "x"\nq = {json.dumps(nasty)}\na = "A"\ntags = ["t"]\n',
        encoding="utf-8",
    )
    config = tmp_path / "config.toml"
    config.write_text(f'deck_folders = ["{tmp_path}"]\n', encoding="utf-8")
    env = {"QUIZKIT_CONFIG": str(config)}
    runner.invoke(app, ["review", str(path)], input="\n1\n", env=env)
    outputs = [
        runner.invoke(app, ["stats", str(path)], env=env).output,
        runner.invoke(app, ["cards", str(path)], env=env).output,
        runner.invoke(app, [], env=env).output,
        runner.invoke(app, ["cards", str(path), "--json"], env=env).output,
    ]
    for output in outputs[:3]:
        assert "[bold red]boom[/]" in output
        assert "\x1b" not in output and "\x07" not in output and "\u202e" not in output
    assert "\x1b" not in outputs[3] and "\u202e" not in outputs[3]
    assert json.loads(outputs[3])["cards"][0]["question"] == nasty
