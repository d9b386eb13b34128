"""quizkit retention: the simulated year at each desired retention, its costs, its pick and its chart."""

from __future__ import annotations

import json
import random
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from rich.console import Console
from typer.testing import CliRunner

from quizkit.cli import app
from quizkit.core import fitting
from quizkit.core import retention as model
from quizkit.core.scheduler import DEFAULT_PARAMETERS, SchedulerConfig
from quizkit.io.deck_files import load_deck
from quizkit.model import CardState, Mode, Phase, Rating
from quizkit.shapes.retention import RetentionJSON, RetentionRowJSON
from quizkit.store.fitted import FittedParameters
from quizkit.store.progress import Answer, Store
from quizkit.ui.charts import retention_chart

from conftest import BUNDLED, REPO

DECK = BUNDLED / "taliban-pakistan.toml"
NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)  # conftest's QUIZKIT_NOW
EXPECTED = REPO / "tests" / "data"
FITTED = list(DEFAULT_PARAMETERS)
FITTED[0], FITTED[2], FITTED[8], FITTED[20] = 0.6, 4.0, 1.4, 0.45


def run_json(runner: CliRunner, *args: str) -> RetentionJSON:
    result = runner.invoke(app, ["retention", *args, "--json"])
    assert result.exit_code == 0, result.output
    data: RetentionJSON = json.loads(result.stdout)
    return data


# ---------------------------------------------------------------- the memory model is fitting's


def test_one_review_at_a_time_is_the_replay_of_fitting() -> None:
    """first_memory / next_memory / recall_after, stepped by hand, give `predict`'s recall of every
    review, same-day reviews and lapses included."""
    rng = random.Random(3)
    start = datetime(2025, 1, 1, 12, tzinfo=UTC)
    reviews: dict[str, list[tuple[datetime, Rating]]] = {}
    for card in range(60):
        moment = start + timedelta(days=rng.randrange(30))
        history = []
        for _ in range(rng.randrange(2, 10)):
            history.append((moment, Rating(rng.choice([1, 2, 3, 3, 3, 4]))))
            moment += timedelta(days=rng.choice([0, 1, 2, 5, 12, 40]), minutes=10)
        reviews[str(card)] = history
    h = fitting.histories(reviews, SchedulerConfig(tz=UTC))
    recall = fitting.predict(h, FITTED)
    s, d = fitting.first_memory(FITTED, h.rating[:, 0])
    checked = 0
    for j in range(1, h.rating.shape[1]):
        m = h.active[j]
        t, r = h.delta[:m, j], h.rating[:m, j]
        expected = fitting.recall_after(FITTED, t, s[:m])
        assert recall[:m, j] == pytest.approx(expected, abs=1e-12)
        checked += m
        s, d = fitting.next_memory(FITTED, s[:m], d[:m], t, r)
    assert checked > 200


# ---------------------------------------------------------------- the simulation


def test_the_simulation_is_deterministic_for_a_seed() -> None:
    studied = [model.Studied(12.0, 5.0, 3), model.Studied(0.8, 8.0, 0)]
    new = [model.NewCards(300, 10)]
    first = model.simulate(DEFAULT_PARAMETERS, model.ANKI_COSTS, studied, new, days=120, seed=7)
    again = model.simulate(DEFAULT_PARAMETERS, model.ANKI_COSTS, studied, new, days=120, seed=7)
    other = model.simulate(DEFAULT_PARAMETERS, model.ANKI_COSTS, studied, new, days=120, seed=8)
    assert first == again
    assert first != other
    assert [row.retention for row in first] == [round(0.70 + 0.01 * k, 2) for k in range(28)]


def test_a_higher_retention_never_gives_fewer_reviews() -> None:
    """10,000 simulated cards with common random numbers: answers a day never fall as the
    retention rises. Noise allowed: 0.5% of a row's answers (the runs here show none at all)."""
    rows = model.simulate(
        DEFAULT_PARAMETERS, model.ANKI_COSTS, [], [model.NewCards(10_000, 20)], days=365, seed=1
    )
    for lower, higher in zip(rows, rows[1:], strict=False):
        assert higher.reviews_per_day >= lower.reviews_per_day * 0.995, (lower, higher)
        assert higher.minutes_per_day >= lower.minutes_per_day * 0.995, (lower, higher)
    # and it is a real trade-off: the year at 0.97 costs far more, and leaves more known
    assert rows[-1].minutes_per_day > 2 * rows[0].minutes_per_day
    assert rows[-1].cards_known > rows[0].cards_known


def test_new_cards_come_at_each_decks_limit() -> None:
    assert model.introduction_days([model.NewCards(5, 2), model.NewCards(3, 0), model.NewCards(2, 5)], 30) == [
        0, 0, 1, 1, 2, 0, 0,
    ]  # fmt: skip
    assert model.introduction_days([model.NewCards(100, 10)], 3) == [k // 10 for k in range(30)]


def test_nothing_to_study_gives_zero_rows() -> None:
    rows = model.simulate(DEFAULT_PARAMETERS, model.ANKI_COSTS, [], [model.NewCards(40, 0)], days=30)
    assert {(r.minutes_per_day, r.reviews_per_day, r.cards_known) for r in rows} == {(0.0, 0.0, 0.0)}


def test_a_card_studied_long_ago_is_still_known_at_a_strong_stability() -> None:
    """One card seen today with a stability of 10,000 days is not reviewed within a year at 0.70
    (its interval is longer), and is known at the end with the forgetting curve's recall."""
    (row,) = model.simulate(
        DEFAULT_PARAMETERS,
        model.ANKI_COSTS,
        [model.Studied(10_000.0, 5.0, 0)],
        [],
        days=365,
        retentions=[0.7],
    )
    decay = -DEFAULT_PARAMETERS[20]
    factor = 0.9 ** (1 / decay) - 1
    assert row.reviews_per_day == 0
    assert row.cards_known == pytest.approx((1 + factor * 365 / 10_000) ** decay)


def test_a_card_in_learning_is_due_today() -> None:
    (row,) = model.simulate(
        DEFAULT_PARAMETERS,
        model.ANKI_COSTS,
        [model.Studied(10_000.0, 5.0, 0, due_today=True)],
        [],
        days=100,
        retentions=[0.7],
    )
    assert row.reviews_per_day == pytest.approx(1 / 100)


def test_a_large_collection_is_simulated_through_a_sample() -> None:
    """4,000 cards simulated whole and through a sample of 3,000 of them: the minutes over all the
    rows agree within 4%, each row's cards known within 2%. (A row's minutes alone move by a few
    percent from one seed to the next on this few cards; the sample is unbiased over seeds.)"""
    studied = [model.Studied(5.0 + k % 50, 3.0 + k % 7, k % 20) for k in range(1000)]
    new = [model.NewCards(3000, 15)]
    whole = model.simulate(DEFAULT_PARAMETERS, model.ANKI_COSTS, studied, new, days=200, min_simulated=0)
    sample = model.simulate(
        DEFAULT_PARAMETERS, model.ANKI_COSTS, studied, new, days=200, min_simulated=0, max_simulated=3000
    )
    assert sum(b.minutes_per_day for b in sample) == pytest.approx(
        sum(a.minutes_per_day for a in whole), rel=0.04
    )
    for a, b in zip(whole, sample, strict=True):
        assert b.cards_known == pytest.approx(a.cards_known, rel=0.02)


# ---------------------------------------------------------------- costs from the log


def test_costs_come_from_the_log_by_study_day() -> None:
    """25 cards: a first day of 6 s + 4 s (Good twice), a Good of 5 s two days later, a lapse of
    12 s + 3 s ten days later. First sight 10 s, recall 5 s, lapse 15 s; ratings all Good."""
    day = datetime(2026, 1, 5, 12, tzinfo=UTC)
    log = {
        str(n): [
            (day, Rating.GOOD, 6.0),
            (day + timedelta(minutes=10), Rating.GOOD, 4.0),
            (day + timedelta(days=2), Rating.GOOD, 5.0),
            (day + timedelta(days=12), Rating.AGAIN, 12.0),
            (day + timedelta(days=12, minutes=10), Rating.GOOD, 3.0),
        ]
        for n in range(25)
    }
    costs = model.costs_from_log(log, SchedulerConfig(tz=UTC))
    assert (costs.learn, costs.recall, costs.forget) == (10.0, 5.0, 15.0)
    assert costs.first_ratings == (0.0, 0.0, 1.0, 0.0)
    assert costs.recall_ratings == (0.0, 1.0, 0.0)
    assert set(costs.from_log) == {"learn", "recall", "forget", "first_ratings", "recall_ratings"}


def test_a_small_log_keeps_ankis_defaults() -> None:
    day = datetime(2026, 1, 5, 12, tzinfo=UTC)
    log = {str(n): [(day, Rating.EASY, 2.0), (day + timedelta(days=3), Rating.HARD, None)] for n in range(5)}
    costs = model.costs_from_log(log, SchedulerConfig(tz=UTC))
    assert costs == model.ANKI_COSTS
    # fsrs-rs's defaults: learn_costs and review_costs weighted by the default shares of ratings
    assert costs.learn == pytest.approx(33.79 * 0.24 + 24.3 * 0.094 + 13.68 * 0.495 + 6.5 * 0.171, abs=0.01)
    assert costs.recall == pytest.approx(11.68 * 0.224 + 7.33 * 0.631 + 5.6 * 0.145, abs=0.01)


def test_answer_times_of_zero_are_no_measurement() -> None:
    # Found by the trial of issue 18: a log whose times were all 0 s (a frozen clock; an import
    # without times) gave costs of 0 s and "nothing to simulate".
    day = datetime(2026, 1, 5, 12, tzinfo=UTC)
    log = {str(n): [(day, Rating.GOOD, 0.0), (day + timedelta(days=2), Rating.GOOD, 0.0)] for n in range(30)}
    costs = model.costs_from_log(log, SchedulerConfig(tz=UTC))
    assert (costs.learn, costs.recall, costs.forget) == (
        model.ANKI_COSTS.learn,
        model.ANKI_COSTS.recall,
        model.ANKI_COSTS.forget,
    )
    assert costs.first_ratings == (0.0, 0.0, 1.0, 0.0)  # the ratings still count
    assert {"learn", "recall"}.isdisjoint(costs.from_log)


# ---------------------------------------------------------------- the command


def test_the_command_on_the_bundled_deck(runner: CliRunner) -> None:
    data = run_json(runner, "--deck", str(DECK))
    rows = data["rows"]
    assert [r["retention"] for r in rows] == [round(0.70 + 0.01 * k, 2) for k in range(28)]
    assert data["current_retention"] == 0.9
    assert data["cards"] == len(load_deck(DECK, None, None).cards)
    assert data["parameters_source"] == "defaults"
    assert data["parameters"] == list(DEFAULT_PARAMETERS)
    assert data["costs"]["from_log"] == []  # a new database: Anki's defaults
    for row in rows:
        assert row["knowledge_per_minute"] == pytest.approx(
            row["cards_known"] / row["minutes_per_day"], rel=1e-3
        )
    # the recommendation is the argmax of the rows printed (the lowest retention on a tie)
    best = max(rows, key=lambda r: (r["knowledge_per_minute"], -r["retention"]))
    assert data["recommended"] == best["retention"]
    # the same again: the figures are seeded
    assert run_json(runner, "--deck", str(DECK)) == data


def test_the_screen_names_its_sources(runner: CliRunner) -> None:
    result = runner.invoke(app, ["retention", "--deck", "taliban-pakistan"])
    assert result.exit_code == 0, result.output
    words = " ".join(result.stdout.split())
    assert "memory model: FSRS-6's default parameters (none fitted yet: quizkit optimize)" in words
    assert "answer times and ratings: Anki's defaults (your review log is too small)" in words
    data = run_json(runner, "--deck", "taliban-pakistan")
    assert (
        f"Recommended: {data['recommended']:.2f}, the retention with the most cards known per minute" in words
    )


def test_fitted_parameters_are_used_when_saved(runner: CliRunner, tmp_path: Path) -> None:
    before = run_json(runner, "--deck", str(DECK))
    with Store.open(tmp_path / "progress.db") as store:
        FittedParameters(store).save(None, FITTED, NOW, 500, 0.45, 0.44)
    everyone = run_json(runner, "--deck", str(DECK))
    assert everyone["parameters_source"] == "all-decks"
    assert everyone["parameters"] == FITTED
    assert [r["cards_known"] for r in everyone["rows"]] != [r["cards_known"] for r in before["rows"]]
    assert [r["minutes_per_day"] for r in everyone["rows"]] != [r["minutes_per_day"] for r in before["rows"]]
    own = list(FITTED)
    own[20] = 0.2
    with Store.open(tmp_path / "progress.db") as store:
        FittedParameters(store).save("taliban-pakistan", own, NOW, 500, 0.45, 0.44)
    deck = run_json(runner, "--deck", str(DECK))
    assert deck["parameters_source"] == "deck"
    assert deck["parameters"] == own
    screen = " ".join(runner.invoke(app, ["retention", "--deck", str(DECK)]).stdout.split())
    assert "memory model: your FSRS-6 parameters, fitted to this deck (quizkit optimize)" in screen
    assert deck["rows"] != everyone["rows"]


def test_the_costs_come_from_the_store_review_log(runner: CliRunner, tmp_path: Path) -> None:
    """Answers recorded in the progress database, grouped by card and study day (the same log
    as test_costs_come_from_the_log_by_study_day); a cram answer does not count."""
    day = datetime(2026, 1, 5, 12, tzinfo=UTC)
    state = CardState()
    cards = load_deck(DECK, None, None).cards[:25]
    plan = [(0, Rating.GOOD, 6000), (10, Rating.GOOD, 4000), (2 * 1440, Rating.GOOD, 5000)]
    plan += [(12 * 1440, Rating.AGAIN, 12000), (12 * 1440 + 10, Rating.GOOD, 3000)]
    with Store.open(tmp_path / "progress.db") as store:
        for card in cards:
            for minutes, rating, ms in plan:
                at = day + timedelta(minutes=minutes)
                store.record(Answer("taliban-pakistan", card.id, at, rating, state, state, duration_ms=ms))
            store.record(
                Answer(
                    "taliban-pakistan",
                    card.id,
                    day,
                    Rating.AGAIN,
                    state,
                    state,
                    Mode.CRAM,
                    duration_ms=90_000,
                )
            )
    data = run_json(runner, "--deck", str(DECK))
    costs = data["costs"]
    assert (costs["learn_seconds"], costs["recall_seconds"], costs["forget_seconds"]) == (10.0, 5.0, 15.0)
    assert costs["first_ratings"] == [0.0, 0.0, 1.0, 0.0]
    assert costs["recall_ratings"] == [0.0, 1.0, 0.0]
    result = runner.invoke(app, ["retention", "--deck", str(DECK)])
    words = " ".join(result.stdout.split())
    assert (
        "answer times and ratings from your review log: first sight 10.0 s, recall 5.0 s, lapse 15.0 s"
        in words
    )


def test_cards_already_studied_start_from_their_state(runner: CliRunner, tmp_path: Path) -> None:
    fresh = run_json(runner, "--deck", str(DECK), "--days", "30")
    cards = load_deck(DECK, None, None).cards
    strong = CardState(
        phase=Phase.REVIEW,
        stability=3000.0,
        difficulty=3.0,
        due=NOW + timedelta(days=900),
        last_review=NOW,
        reps=3,
    )
    with Store.open(tmp_path / "progress.db") as store:
        for card in cards:
            store.set_state("taliban-pakistan", card.id, strong, NOW)
    studied = run_json(runner, "--deck", str(DECK), "--days", "30")
    assert studied["cards"] == fresh["cards"]
    for row in studied["rows"]:
        assert row["reviews_per_day"] == 0  # nothing new, nothing due within 30 days
        assert row["cards_known"] > 0.99 * len(cards)
    assert fresh["rows"][0]["reviews_per_day"] > 0


def test_a_deck_with_no_cards(runner: CliRunner, write_deck) -> None:  # type: ignore[no-untyped-def]
    path = write_deck('[deck]\nid = "empty"\ntitle = "Empty"\n')
    data = run_json(runner, "--deck", str(path))
    assert data["cards"] == 0
    assert data["recommended"] is None
    assert {r["minutes_per_day"] for r in data["rows"]} == {0.0}
    result = runner.invoke(app, ["retention", "--deck", str(path)])
    assert result.exit_code == 0, result.output
    assert "nothing to simulate" in result.stdout
    assert "Traceback" not in result.output


def test_bad_days_are_refused(runner: CliRunner) -> None:
    result = runner.invoke(app, ["retention", "--deck", str(DECK), "--days", "0"])
    assert result.exit_code == 2
    assert "--days must be a whole number from 1 to 3650, not 0" in result.output


def test_without_numpy_it_says_what_to_install(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("numpy", "quizkit.core.fitting", "quizkit.core.retention"):
        monkeypatch.setitem(sys.modules, name, None)  # type: ignore[arg-type]
    import quizkit.core

    monkeypatch.delattr(quizkit.core, "retention")  # else `from quizkit.core import retention` finds it
    result = runner.invoke(app, ["retention", "--deck", str(DECK)])
    assert result.exit_code == 1
    assert "quizkit retention needs numpy: pip install 'quizkit[optimize]'" in result.output


# ---------------------------------------------------------------- the chart


def chart_data() -> RetentionJSON:
    """A made-up year: minutes rising ever faster with the retention, cards known levelling off."""
    rows = []
    for k in range(28):
        r = round(0.70 + 0.01 * k, 2)
        minutes = round(10 + 40 * (r - 0.7) ** 2 / 0.0729 + 2 * (r - 0.7), 3)
        known = round(700 + 250 * np.sqrt((r - 0.7) / 0.27), 1)
        rows.append(
            RetentionRowJSON(
                retention=r,
                minutes_per_day=minutes,
                reviews_per_day=round(minutes * 6, 2),
                cards_known=known,
                knowledge_per_minute=round(known / minutes, 2),
            )
        )
    best = max(rows, key=lambda row: (row["knowledge_per_minute"], -row["retention"]))["retention"]
    return RetentionJSON(
        days=365,
        cards=1000,
        new_per_day=20,
        seed=0,
        parameters_source="defaults",
        parameters=list(DEFAULT_PARAMETERS),
        costs={
            "learn_seconds": 18.28,
            "recall_seconds": 8.05,
            "forget_seconds": 23.0,
            "first_ratings": [0.24, 0.094, 0.495, 0.171],
            "recall_ratings": [0.224, 0.631, 0.145],
            "from_log": [],
        },
        current_retention=0.9,
        recommended=best,
        rows=rows,
    )


@pytest.mark.parametrize("width", [80, 40])
def test_the_chart_whole(width: int) -> None:
    console = Console(width=width, no_color=True, force_terminal=False, color_system=None)
    with console.capture() as captured:
        console.print(retention_chart(chart_data()))
    text = "\n".join(line.rstrip() for line in captured.get().splitlines()) + "\n"
    expected = EXPECTED / f"retention-chart-{width}.txt"
    assert text == expected.read_text(encoding="utf-8")


def test_an_unknown_deck_is_named(runner: CliRunner) -> None:
    result = runner.invoke(app, ["retention", "--deck", "nope"])
    assert result.exit_code == 2
    assert "no deck 'nope'" in result.output
    assert "Traceback" not in result.output
