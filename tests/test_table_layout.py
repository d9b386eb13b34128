"""Tables at 40, 80 and 200 columns (issue 14, item 13): ids are never cut or folded where they
fit, prose wraps at spaces, and at 40 columns a table drops or stacks columns instead of cutting
words. Whole outputs, compared exactly, for a small deck whose ids are long.

As in test_screens, trailing spaces are stripped from each line and the clock is fixed in
Berlin time; the database, config and decks live in tmp_path.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
from typer.testing import CliRunner

from quizkit.cli import app
from quizkit.io import deck_files

NOW = "2026-03-02T10:00:00+01:00"  # Monday 2 March 2026, 10:00 in Berlin

DECK = """\
[deck]
id = "taliban-pakistan-long-deck"
title = "The Taliban and Pakistan: a history"
new_per_day = 10

[[cards]]
id = "taliban-pakistan-kandahar-1994"
q = "In which city did the Taliban movement emerge in 1994, under Mullah Omar's leadership?"
a = "Kandahar"
tags = ["taliban-origins", "afghanistan"]

[[cards]]
id = "isi-inter-services-intelligence"
q = "What does ISI stand for?"
a = "Inter-Services Intelligence"
tags = ["pakistan"]

[[cards]]
id = "mullah-omar"
q = "Who led the Taliban from 1994 until his death?"
a = "Mullah Omar"
tags = ["people"]
"""


@pytest.fixture(autouse=True)
def environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setenv("LINES", "40")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("TERM", "dumb")
    monkeypatch.setenv("TZ", "Europe/Berlin")
    monkeypatch.setenv("QUIZKIT_NOW", NOW)
    monkeypatch.setenv("QUIZKIT_DB", str(tmp_path / "progress.db"))
    monkeypatch.setenv("QUIZKIT_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    no_bundled = tmp_path / "no-bundled-decks"
    no_bundled.mkdir()
    monkeypatch.setattr(deck_files, "bundled_decks_dir", lambda: no_bundled)


def run(runner: CliRunner, args: Sequence[str], lines: Sequence[str] | None = None, **env: str) -> str:
    given = None if lines is None else "".join(f"{line}\n" for line in lines)
    result = runner.invoke(app, list(args), input=given, env={"QUIZKIT_NOW": NOW, **env})
    assert result.exit_code == 0, result.output
    return "".join(line.rstrip(" ") + "\n" for line in result.stdout.splitlines())


@pytest.fixture
def deck(runner: CliRunner, tmp_path: Path) -> Path:
    """The deck in a folder config.toml names, studied on Sunday: a review and a quiz."""
    folder = tmp_path / "decks"
    folder.mkdir()
    path = folder / "long.toml"
    path.write_text(DECK, encoding="utf-8")
    (tmp_path / "config.toml").write_text(f'deck_folders = ["{folder}"]\n', encoding="utf-8")
    sunday = "2026-03-01T10:00:00+01:00"
    # In deck order: Good, Again, Good; then quit with the forgotten card back.
    run(runner, ["review", str(path)], ["", "3", "", "1", "", "3", "q"], QUIZKIT_NOW=sunday)
    run(
        runner,
        ["quiz", str(path), "--seed", "1", "--count", "2"],
        ["kandahar", "r", "x", "w", ""],  # basic cards: the answer, then the learner's mark
        QUIZKIT_NOW="2026-03-01T12:00:00+01:00",
    )
    return path


def tables_of_stats(text: str) -> str:
    """quizkit stats from the Cards panel on: its tables (the heatmap and forecast are charts)."""
    return text[text.index("╭─ Cards") :]


COMMANDS = {
    "cards": lambda deck: ["cards", str(deck)],
    "due": lambda deck: ["due"],
    "history": lambda deck: ["history"],
    "dashboard": lambda deck: [],
    "stats": lambda deck: ["stats", str(deck)],
}


EXPECTED = {
    "cards 40": """\
The Taliban and Pakistan: a history
card
  state  due
  question
────────────────────────────────────────
isi-inter-services-intelligence
  learning  now
  What does ISI stand for?
taliban-pakistan-kandahar-1994
  learning  now
  In which city did the Taliban movement
  emerge in 1994, under Mullah Omar's
  leadership?
mullah-omar
  learning  now
  Who led the Taliban from 1994 until
  his death?
3 of 3 cards
""",
    "cards 80": """\
The Taliban and Pakistan: a history
card                            question              state    due recall lapses
────────────────────────────────────────────────────────────────────────────────
isi-inter-services-intelligence What does ISI stand   learning now    77%      0
                                for?
taliban-pakistan-kandahar-1994  In which city did the learning now    95%      0
                                Taliban movement
                                emerge in 1994, under
                                Mullah Omar's
                                leadership?
mullah-omar                     Who led the Taliban   learning now    95%      0
                                from 1994 until his
                                death?
3 of 3 cards
""",
    "cards 200": """\
The Taliban and Pakistan: a history
card                             question                                                                                state     due  ivl  stab  diff  recall  lapses
───────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────
isi-inter-services-intelligence  What does ISI stand for?                                                                learning  now   1m  0.2d   6.4     77%       0
taliban-pakistan-kandahar-1994   In which city did the Taliban movement emerge in 1994, under Mullah Omar's leadership?  learning  now  10m  2.3d   2.1     95%       0
mullah-omar                      Who led the Taliban from 1994 until his death?                                          learning  now  10m  2.3d   2.1     95%       0
3 of 3 cards
""",
    "due 40": """\
Due today
taliban-pakistan-long-deck
  new 0 · learn 3 · review 0 · next -
""",
    "due 80": """\
Due today
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━┳━━━━━━━┳━━━━━━━━┳━━━━━━┓
┃ deck                       ┃ new ┃ learn ┃ review ┃ next ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━╇━━━━━━━╇━━━━━━━━╇━━━━━━┩
│ taliban-pakistan-long-deck │   0 │     3 │      0 │ -    │
└────────────────────────────┴─────┴───────┴────────┴──────┘
""",
    "due 200": """\
Due today
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━┳━━━━━━━┳━━━━━━━━┳━━━━━━┓
┃ deck                       ┃ new ┃ learn ┃ review ┃ next ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━╇━━━━━━━╇━━━━━━━━╇━━━━━━┩
│ taliban-pakistan-long-deck │   0 │     3 │      0 │ -    │
└────────────────────────────┴─────┴───────┴────────┴──────┘
""",
    "history 40": """\
past exams · times in Europe/Berlin
2026-03-01 12:00
  deck taliban-pakistan-long-deck
  questions 2 · score 50% · result -
trend (oldest to newest): ▅
weakest tags (all exams · last 3)
┏━━━━━━━━━━━━━━━━━┳━━━━━━━┳━━━━━━━━┓
┃ tag             ┃ score ┃ last 3 ┃
┡━━━━━━━━━━━━━━━━━╇━━━━━━━╇━━━━━━━━┩
│ people          │    0% │     0% │
│ afghanistan     │  100% │   100% │
│ taliban-origins │  100% │   100% │
└─────────────────┴───────┴────────┘
""",
    "history 80": """\
past exams · times in Europe/Berlin
┏━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━┳━━━━━━━┳━━━━━━━━┓
┃ date             ┃ deck                       ┃ questions ┃ score ┃ result ┃
┡━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━╇━━━━━━━╇━━━━━━━━┩
│ 2026-03-01 12:00 │ taliban-pakistan-long-deck │         2 │   50% │ -      │
└──────────────────┴────────────────────────────┴───────────┴───────┴────────┘
trend (oldest to newest): ▅
weakest tags (all exams · last 3)
┏━━━━━━━━━━━━━━━━━┳━━━━━━━━━┳━━━━━━━┳━━━━━━━━┓
┃ tag             ┃ answers ┃ score ┃ last 3 ┃
┡━━━━━━━━━━━━━━━━━╇━━━━━━━━━╇━━━━━━━╇━━━━━━━━┩
│ people          │       1 │    0% │     0% │
│ afghanistan     │       1 │  100% │   100% │
│ taliban-origins │       1 │  100% │   100% │
└─────────────────┴─────────┴───────┴────────┘
""",
    "history 200": """\
past exams · times in Europe/Berlin
┏━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━┳━━━━━━━┳━━━━━━━━┓
┃ date             ┃ deck                       ┃ questions ┃ score ┃ result ┃
┡━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━╇━━━━━━━╇━━━━━━━━┩
│ 2026-03-01 12:00 │ taliban-pakistan-long-deck │         2 │   50% │ -      │
└──────────────────┴────────────────────────────┴───────────┴───────┴────────┘
trend (oldest to newest): ▅
weakest tags (all exams · last 3)
┏━━━━━━━━━━━━━━━━━┳━━━━━━━━━┳━━━━━━━┳━━━━━━━━┓
┃ tag             ┃ answers ┃ score ┃ last 3 ┃
┡━━━━━━━━━━━━━━━━━╇━━━━━━━━━╇━━━━━━━╇━━━━━━━━┩
│ people          │       1 │    0% │     0% │
│ afghanistan     │       1 │  100% │   100% │
│ taliban-origins │       1 │  100% │   100% │
└─────────────────┴─────────┴───────┴────────┘
""",
    "dashboard 40": """\
quizkit · Monday 2 March 2026
The Taliban and Pakistan: a history
  cards 3 · new 0 · learn 3 · review 0
today   0 reviews · 0m 00s
streak  1 day · longest 1 day
next    quizkit review  3 cards waiting
""",
    "dashboard 80": """\
quizkit · Monday 2 March 2026
deck                                  cards   new   learn   review
──────────────────────────────────────────────────────────────────
The Taliban and Pakistan: a history       3     0       3        0
today   0 reviews · 0m 00s
streak  1 day · longest 1 day
next    quizkit review  3 cards waiting
""",
    "dashboard 200": """\
quizkit · Monday 2 March 2026
deck                                  cards   new   learn   review
──────────────────────────────────────────────────────────────────
The Taliban and Pakistan: a history       3     0       3        0
today   0 reviews · 0m 00s
streak  1 day · longest 1 day
next    quizkit review  3 cards waiting
""",
    "stats 40": """\
╭─ Cards ──────────────────────────────╮
│ new 0 · learning 3 · review 0        │
│ relearning 0 · suspended 0           │
│ buried 0 · leech 0 · total 3         │
╰──────────────────────────────────────╯
╭─ True retention ─────────────────────╮
│ young (interval < 21d)               │
│   last 7 days - · last 30 days -     │
│ mature                               │
│   last 7 days - · last 30 days -     │
│ all                                  │
│   last 7 days - · last 30 days -     │
╰──────────────────────────────────────╯
╭─ Mastery by tag, weakest first ──────╮
│ tag             seen  acc ret recall │
│ afghanistan      1/1 100%   -    92% │
│ people           1/1 100%   -    92% │
│ taliban-origins  1/1 100%   -    92% │
│ pakistan         1/1   0%   -    97% │
│                                      │
│ acc     accuracy: share of answers   │
│         right, last 30 days          │
│ ret     retention: share of reviews  │
│         passed once a card is        │
│         learned, last 30 days        │
│ recall  chance of recalling a card   │
│         on 1 Apr, in 30 days, doing  │
│         its reviews until then       │
│         (FSRS)                       │
│ seen    of the tag's cards; cards    │
│         not studied yet count as 0   │
╰──────────────────────────────────────╯
╭─ Hardest cards ──────────────────────╮
│ isi-inter-services-intelligence      │
│   What does ISI stand for?           │
│   lapses 0 · diff 6.4 · reviews 1    │
╰──────────────────────────────────────╯
""",
    "stats 80": """\
╭─ Cards ──────────────────────────────────────────────────────────────────────╮
│ new  learning  review  relearning  suspended  buried  leech  total           │
│   0         3       0           0          0       0      0      3           │
╰──────────────────────────────────────────────────────────────────────────────╯
╭─ True retention (answers above Again) ───────────────────────────────────────╮
│                           last 7 days    last 30 days                        │
│ young (interval < 21d)              -               -                        │
│ mature                              -               -                        │
│ all                                 -               -                        │
╰──────────────────────────────────────────────────────────────────────────────╯
╭─ Mastery by tag, weakest first ──────────────────────────────────────────────╮
│ tag                studied    accuracy    retention    recall 1 Apr          │
│ afghanistan            1/1        100%            -    █████████░ 92%        │
│ people                 1/1        100%            -    █████████░ 92%        │
│ taliban-origins        1/1        100%            -    █████████░ 92%        │
│ pakistan               1/1          0%            -    ██████████ 97%        │
│                                                                              │
│ accuracy   share of answers right, last 30 days                              │
│ retention  share of reviews passed once a card is learned, last 30 days      │
│ recall     chance of recalling a card on 1 Apr, in 30 days, doing its        │
│            reviews until then (FSRS)                                         │
│ studied    of the tag's cards; cards not studied yet count as 0              │
╰──────────────────────────────────────────────────────────────────────────────╯
╭─ Hardest cards (lapses, then difficulty) ────────────────────────────────────╮
│ card                             question              lapses  diff  reviews │
│ isi-inter-services-intelligence  What does ISI stand        0   6.4        1 │
│                                  for?                                        │
╰──────────────────────────────────────────────────────────────────────────────╯
""",
    "stats 200": """\
╭─ Cards ──────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────╮
│ new  learning  review  relearning  suspended  buried  leech  total                                                                                                                                   │
│   0         3       0           0          0       0      0      3                                                                                                                                   │
╰──────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────╯
╭─ True retention (answers above Again) ───────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────╮
│                           last 7 days    last 30 days                                                                                                                                                │
│ young (interval < 21d)              -               -                                                                                                                                                │
│ mature                              -               -                                                                                                                                                │
│ all                                 -               -                                                                                                                                                │
╰──────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────╯
╭─ Mastery by tag, weakest first ──────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────╮
│ tag                studied    accuracy    retention    recall 1 Apr                                                                                                                                  │
│ afghanistan            1/1        100%            -    █████████░ 92%                                                                                                                                │
│ people                 1/1        100%            -    █████████░ 92%                                                                                                                                │
│ taliban-origins        1/1        100%            -    █████████░ 92%                                                                                                                                │
│ pakistan               1/1          0%            -    ██████████ 97%                                                                                                                                │
│                                                                                                                                                                                                      │
│ accuracy   share of answers right, last 30 days                                                                                                                                                      │
│ retention  share of reviews passed once a card is learned, last 30 days                                                                                                                              │
│ recall     chance of recalling a card on 1 Apr, in 30 days, doing its reviews until then (FSRS)                                                                                                      │
│ studied    of the tag's cards; cards not studied yet count as 0                                                                                                                                      │
╰──────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────╯
╭─ Hardest cards (lapses, then difficulty) ────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────╮
│ card                             question                  lapses  diff  reviews                                                                                                                     │
│ isi-inter-services-intelligence  What does ISI stand for?       0   6.4        1                                                                                                                     │
╰──────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────╯
""",
}


@pytest.mark.parametrize("width", [40, 80, 200])
@pytest.mark.parametrize("command", list(COMMANDS))
def test_tables_at_40_80_and_200_columns(runner: CliRunner, deck: Path, command: str, width: int) -> None:
    text = run(runner, COMMANDS[command](deck), COLUMNS=str(width))
    assert (tables_of_stats(text) if command == "stats" else text) == EXPECTED[f"{command} {width}"]


IDS = ("taliban-pakistan-kandahar-1994", "isi-inter-services-intelligence", "mullah-omar")


def test_at_every_width_ids_stay_whole_and_no_line_is_too_wide(runner: CliRunner, deck: Path) -> None:
    for width in range(40, 201, 8):  # from 40: the longest id (31) fits inside a panel
        cards = run(runner, ["cards", str(deck)], COLUMNS=str(width))
        stats = run(runner, ["stats", str(deck)], COLUMNS=str(width))
        words = {word for line in cards.splitlines() for word in line.split()}
        assert set(IDS) <= words, width
        assert "isi-inter-services-intelligence" in stats.split(), width
        assert "taliban-pakistan-long-deck" in run(runner, ["due"], COLUMNS=str(width)).split(), width
        for text in (cards, stats):
            assert max(len(line) for line in text.splitlines()) <= width, width
            assert "…" not in text, width
