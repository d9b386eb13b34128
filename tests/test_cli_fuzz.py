"""The CLI fuzz: random argument vectors for every command (built from the real command and option
names), random config.toml files and random QUIZKIT_NOW values. Whatever comes in, quizkit answers
with exit code 0, 1 or 2 (130 for an interrupt) and a message: never a traceback.

Seeded (derandomize) and bounded, so the default run is the same every time and takes seconds;
`pytest -m slow` runs a bigger one.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from typer.main import get_command
from typer.testing import CliRunner

from quizkit.cli import app
from quizkit.core.settings import SETTING_TYPES

EXIT_CODES = {0, 1, 2, 130}

DECK = """\
[deck]
title = "Fuzz"

[[cards]]
id = "b"
q = "Capital of France?"
a = "Paris"
reverse = true
tags = ["geo"]

[[cards]]
id = "c"
q = "Pick"
choices = ["x", "y", "z"]
a = "y"

[[cards]]
id = "z"
cloze = "The {{Rhine}} flows into the {{North Sea::sea}}."

[[cards]]
id = "t"
q = "True?"
a = true

[[cards]]
id = "o"
q = "Order"
order = ["1", "2", "3"]
"""

COMMANDS: dict[str, Any] = dict(get_command(app).commands)  # type: ignore[attr-defined]
"""Every command by name, as Typer builds it: its params are the real options and arguments."""


def _fuzz_settings(examples: int) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )


@contextmanager
def world() -> Iterator[tuple[Path, dict[str, str]]]:
    """A temporary folder as the working directory, holding the database, caches and config."""
    old = os.getcwd()
    with tempfile.TemporaryDirectory() as name:
        root = Path(name)
        (root / "deck.toml").write_text(DECK, encoding="utf-8")
        (root / "bad.toml").write_text("[deck\n", encoding="utf-8")
        (root / "notes.csv").write_text("front,back\nq,a\n", encoding="utf-8")
        (root / "sub").mkdir()
        os.mkfifo(root / "pipe.toml")
        env = {
            "QUIZKIT_DB": str(root / "progress.db"),
            "QUIZKIT_CONFIG": str(root / "config.toml"),
            "XDG_CACHE_HOME": str(root / "cache"),
            "XDG_CONFIG_HOME": str(root / "config"),
            "XDG_DATA_HOME": str(root / "data"),
            "HOME": str(root),
            "QUIZKIT_NOW": "2026-03-02T09:00:00+00:00",
        }
        os.chdir(root)
        try:
            yield root, env
        finally:
            os.chdir(old)


def check(runner: CliRunner, argv: list[str], env: dict[str, str]) -> None:
    result = runner.invoke(app, argv, input="", env=env)
    where = f"quizkit {argv!r} env={ {k: v for k, v in env.items() if 'NOW' in k} }"
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{where}: {result.exception!r}\n{result.output}"
    )
    assert result.exit_code in EXIT_CODES, f"{where}: exit {result.exit_code}\n{result.output}"
    assert "Traceback" not in result.output, f"{where}:\n{result.output}"
    event(f"{argv[0] if argv else ''} exit {result.exit_code}")


# -- argument vectors

NASTY = [
    "", " ", "0", "1", "-1", "3", "20", "999999999999999999999", "-999999999999999999999",
    str(2**63), str(2**63 - 1), "1e400", "nan", "inf", "-inf", "0.5", "70", "101",
    "15m", "1h30m", "0s", "99999999h", "25h", "2026-03-03", "2026-12-15", "9999-12-31",
    "0001-01-01", "1969-12-31", "2026-02-30", "end", "immediate", "md", "html", "csv",
    "apkg", "choice,typed", "basic,,x", "geo", "latest", "due", "new", "interval", "b", "z.c1",
    "deck.toml", "bad.toml", "pipe.toml", "missing.toml", "sub", "notes.csv", "out.md",
    "out.html", "out.json", "out.apkg", "out.csv", "new.toml", "sub/x.toml", ".",
    "\ue000", "--", "-", "-x", "--nope", "é", "{{a}}", "[...]",
]  # fmt: skip

# No NUL: an argument vector from the system cannot hold one (C strings), so none is tried.
# Text that stays a relative name inside the temporary folder: nothing absolute, no '..'.
SAFE_TEXT = st.text(st.characters(codec="utf-8", exclude_characters="/\\~\x00"), max_size=12).filter(
    lambda t: ".." not in t
)


def value() -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(NASTY), SAFE_TEXT, st.integers().map(str))


# Values an option takes, so that many vectors get past the parser into the use case.
GOOD = {
    "--count": ["1", "3", "50"], "--new": ["0", "5"], "--limit": ["0", "5"],
    "--exam-date": ["2026-03-10", "2030-01-01", "2020-01-01"], "--kinds": ["choice,typed", "cloze"],
    "--time": ["1m", "1h30m", "24h"], "--pass": ["0", "70", "100"], "--seed": ["0", "7", str(2**63 - 1)],
    "--feedback": ["end", "immediate"], "--report": ["r.md", "r.json", "r.txt"],
    "--db": ["other.db", "sub"], "--restore": ["latest", "missing.db"], "--state": ["new", "due", "leech"],
    "--sort": ["due", "interval", "lapses"], "--to": ["md", "html", "csv", "apkg"],
    "--output": ["out.md", "out.html", "out.csv", "out.apkg", "imported.toml"], "--title": ["T"],
    "--tag": ["geo"], "--kind": ["basic", "cloze"], "--search": ["Paris"],
}  # fmt: skip
DECKS = ["deck.toml", "deck.toml", "deck.toml", "bad.toml", "pipe.toml", "sub", "notes.csv", "new.toml"]


@st.composite
def argv(draw: st.DrawFn) -> list[str]:
    name = draw(st.sampled_from(sorted(COMMANDS)))
    command = COMMANDS[name]
    words: list[str] = [name]
    if any(p.param_type_name == "argument" for p in command.params) and draw(st.integers(0, 3)):
        words.append(draw(st.sampled_from(DECKS)))
    options = [p for p in command.params if p.param_type_name == "option"]
    for _ in range(draw(st.integers(0, 6))):
        choice = draw(st.integers(0, 9))
        if options and choice < 7:
            option = draw(st.sampled_from(options))
            words.append(draw(st.sampled_from(option.opts + option.secondary_opts)))
            good = GOOD.get(option.opts[0] if option.opts[0].startswith("--") else option.opts[-1])
            if good and draw(st.booleans()):
                words.append(draw(st.sampled_from(good)))
            elif not option.is_flag and draw(st.integers(0, 9)) > 0:
                words.append(draw(value()))
        elif choice < 9:
            words.append(draw(value()))
        else:
            words.append(draw(st.sampled_from(["--help", "-h", "--version", "--json"])))
    if draw(st.integers(0, 19)) == 0:
        words.insert(0, draw(st.sampled_from(["--version", "--help", "-h"])))
    return words


def test_every_argument_vector_gets_a_message(runner: CliRunner) -> None:
    with world() as (_, env):

        @_fuzz_settings(800)
        @given(argv())
        def run(words: list[str]) -> None:
            check(runner, words, env)

        run()


# -- config.toml


def toml_value() -> st.SearchStrategy[str]:
    scalar = st.one_of(
        st.integers().map(str),
        st.sampled_from(["nan", "inf", "-inf", "1e400", "0.9", "true", "1979-05-27", "99999999999999999999"]),
        st.sampled_from(['"1m"', '"99999999999d"', '"infm"', '"nanh"', '"-1s"', '"deck"', '"random"']),
        st.sampled_from(['"Europe/Berlin"', '"Nowhere/City"', '""', '"UTC"', '"x\\u0000"']),
        st.text(max_size=8).map(lambda t: '"' + t.replace("\\", "").replace('"', "") + '"'),
    )
    return st.one_of(
        scalar,
        st.lists(scalar, max_size=4).map(lambda items: "[" + ", ".join(items) + "]"),
        st.integers(1, 3000).map(lambda depth: "[" * depth + "]" * depth),
    )


@st.composite
def config_text(draw: st.DrawFn) -> str:
    if draw(st.integers(0, 9)) == 0:
        return draw(st.text(max_size=40))
    keys = sorted(SETTING_TYPES) + ["bogus", "new-per-day"]
    lines = [f"{draw(st.sampled_from(keys))} = {draw(toml_value())}" for _ in range(draw(st.integers(0, 4)))]
    return "\n".join(lines) + "\n"


def test_every_config_file_gets_a_message(runner: CliRunner) -> None:
    with world() as (root, env):

        @_fuzz_settings(150)
        @given(config_text(), st.sampled_from(["due", "review", "stats", "quiz"]))
        def run(text: str, command: str) -> None:
            (root / "config.toml").write_text(text, encoding="utf-8", errors="surrogatepass")
            check(runner, [command, "deck.toml"], env)

        run()


# -- QUIZKIT_NOW

ZONES = ["+00:00", "-14:00", "+14:00", "Z", "+05:30", "", "+23:59"]


@st.composite
def now_text(draw: st.DrawFn) -> str:
    kind = draw(st.integers(0, 3))
    if kind == 0:
        return draw(st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=30))
    moment = draw(st.datetimes()).isoformat()
    return moment + draw(st.sampled_from(ZONES))


def test_every_clock_gets_a_message(runner: CliRunner) -> None:
    with world() as (_, env):

        @_fuzz_settings(150)
        @given(now_text(), st.sampled_from(["due", "review", "stats", "history", "cards", "quiz"]))
        def run(now: str, command: str) -> None:
            check(runner, [command, "deck.toml"], {**env, "QUIZKIT_NOW": now})

        run()


@pytest.mark.slow
@pytest.mark.skipif(not os.environ.get("QUIZKIT_BIG_FUZZ"), reason="set QUIZKIT_BIG_FUZZ=1 (about a minute)")
def test_the_big_fuzz(runner: CliRunner) -> None:
    with world() as (_, env):

        @_fuzz_settings(3000)
        @given(argv())
        def run(words: list[str]) -> None:
            check(runner, words, env)

        run()
