"""Installation as a user meets it: a built wheel carries its decks and runs without the checkout."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO


@pytest.mark.slow
def test_wheel_ships_the_bundled_decks_and_runs_outside_the_checkout(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(REPO)],
        check=True,
        capture_output=True,
    )
    (wheel,) = wheels.glob("quizkit-*.whl")
    site = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site), str(wheel)],
        check=True,
        capture_output=True,
    )
    assert (site / "quizkit" / "decks" / "taliban-pakistan.toml").is_file()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(site), "COLUMNS": "100"}
    located = subprocess.run(
        [sys.executable, "-c", "from quizkit.io import deck_files; print(deck_files.bundled_decks_dir())"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert Path(located.stdout.strip()) == site / "quizkit" / "decks"
    result = subprocess.run(
        [sys.executable, "-m", "quizkit", "validate"], cwd=elsewhere, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "taliban-pakistan" in result.stdout
    # A pip user names the bundled deck by its id (its file is in site-packages), as the
    # review's own hint `quizkit unsuspend DECK CARD` asks.
    for command in (["cards", "taliban-pakistan"], ["unsuspend", "taliban-pakistan", "--all"]):
        named = subprocess.run(
            [sys.executable, "-m", "quizkit", *command],
            cwd=elsewhere,
            env=env,
            capture_output=True,
            text=True,
        )
        assert named.returncode == 0, named.stdout + named.stderr
    assert (
        "The Taliban and Pakistan"
        in subprocess.run(
            [sys.executable, "-m", "quizkit", "show", "taliban-pakistan"],
            cwd=elsewhere,
            env=env,
            capture_output=True,
            text=True,
        ).stdout
    )
    # The console script pip writes runs the same program (quizkit.__main__:run).
    script = site / "bin" / "quizkit"
    scripted = subprocess.run(
        [sys.executable, str(script), "validate"], cwd=elsewhere, env=env, capture_output=True, text=True
    )
    assert scripted.returncode == 0, scripted.stdout + scripted.stderr
    assert "taliban-pakistan" in scripted.stdout
