"""docs/commands.md stays true to --help: regenerate it with QUIZKIT_WRITE_DOCS=1 pytest tests/test_docs.py."""

from __future__ import annotations

import os

from typer.main import get_command
from typer.testing import CliRunner

from quizkit.cli import app
from quizkit.core.settings import SETTING_TYPES, Settings
from quizkit.ui.words import format_interval

from conftest import REPO

DOC = REPO / "docs" / "commands.md"
INTRO = """# Command reference

Generated from `--help` (a test keeps it in step: `QUIZKIT_WRITE_DOCS=1 pytest tests/test_docs.py`
rewrites it). Settings and environment variables are at the end.
"""
# Each setting's line in the reference: an example value for the two without a default, the
# default (from core.settings, the one home of the defaults) for the rest, and what it does.
EXAMPLES = {"deck_folders": '["~/decks"]', "timezone": '"Europe/Berlin"', "sync_folder": '"~/Sync/quizkit"'}
COMMENTS = {
    "deck_folders": "more decks, besides your decks folder and the bundled ones",
    "retention": "desired retention (a deck's [deck] retention wins)",
    "new_per_day": "new cards a day (a deck's new_per_day wins; --new wins over both)",
    "reviews_per_day": "reviews a day (a deck's reviews_per_day wins; --limit wins over both)",
    "max_interval": "days",
    "day_start_hour": "the study day starts at this hour, local time",
    "learning_steps": "",
    "relearning_steps": "",
    "leech_threshold": "lapses before a card is suspended as a leech",
    "new_order": 'or "random"',
    "bury_siblings": "a note's other cards wait for the next day (a deck's [deck] bury_siblings wins)",
    "max_answer_seconds": "the longest answer time recorded; 0: no cap",
    "timezone": "default: the system's zone",
    "sync_folder": "the folder plain 'quizkit sync' uses (docs/sync.md)",
    "images": "kitty, iterm, sixel, blocks or none (docs/pictures.md)",
}


def setting_line(key: str) -> str:
    if key in EXAMPLES:
        value = EXAMPLES[key]
    else:
        default = getattr(Settings(), key)
        if isinstance(default, bool):
            value = str(default).lower()
        elif isinstance(default, tuple):  # steps
            value = "[" + ", ".join(f'"{format_interval(step)}"' for step in default) + "]"
        elif isinstance(default, str):
            value = f'"{default}"'
        else:
            value = str(default)
    line = f"{key} = {value}"
    return f"{line:<33} # {COMMENTS[key]}" if COMMENTS[key] else line


SETTINGS = (
    """
## Settings

`config.toml` in the platform's user config directory (`~/.config/quizkit/config.toml` on Linux), or
the file named by `QUIZKIT_CONFIG`. Every key is optional. Decks in `decks/` in the user data
directory (`~/.local/share/quizkit/decks/` on Linux) are known without any setting; editing a
bundled deck copies it there first.

```toml
"""
    + "".join(setting_line(key) + "\n" for key in SETTING_TYPES)
    + """```

| environment variable | effect |
|---|---|
| `QUIZKIT_DB` | the progress database (same as `--db`); default `quizkit.db` in the user data directory |
| `QUIZKIT_CONFIG` | the settings file |
| `QUIZKIT_NOW` | the clock, ISO 8601 with a zone, for tests and simulations |
| `NO_COLOR` | no colour |
| `EDITOR`, `VISUAL` | the editor the `e` key opens |
| `QUIZKIT_IMAGES` | how pictures are drawn, as the `images` setting (wins over it) |
"""
)


def reference() -> str:
    runner = CliRunner()
    parts = [INTRO]
    group = get_command(app)
    for name in group.commands:  # type: ignore[attr-defined]
        text = runner.invoke(app, [name, "--help"], env={"COLUMNS": "100"}).output
        parts.append(f"\n## quizkit {name}\n\n```\n{text.rstrip()}\n```\n")
    parts.append(SETTINGS)
    return "".join(parts)


def test_command_reference_is_true_to_help() -> None:
    expected = reference()
    if os.environ.get("QUIZKIT_WRITE_DOCS"):
        DOC.write_text(expected, encoding="utf-8")
    assert DOC.read_text(encoding="utf-8") == expected
