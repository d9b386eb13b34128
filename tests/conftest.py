"""Shared fixtures: a pinned terminal, a temporary data directory, a fixed clock."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

REPO = Path(__file__).resolve().parent.parent
BUNDLED = REPO / "decks"


@pytest.fixture(autouse=True)
def pinned_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Every test gets an 80-column colourless terminal and its own database."""
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setenv("LINES", "40")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("TERM", "dumb")
    monkeypatch.setenv("QUIZKIT_DB", str(tmp_path / "progress.db"))
    monkeypatch.setenv("QUIZKIT_NOW", "2026-03-02T09:00:00+00:00")
    monkeypatch.setenv("TZ", "UTC")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    # Nothing of the machine's own: no real config.toml read, no key, crash log or data written
    # (in a folder of their own, so that a test's tmp_path holds only what the test made).
    home = tmp_path_factory.mktemp("xdg")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / "state"))
    monkeypatch.delenv("EDITOR", raising=False)
    monkeypatch.delenv("VISUAL", raising=False)


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def write_deck(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Write TOML text to a deck file and return its path."""

    def write(text: str, name: str = "deck.toml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


# ---------------------------------------------------------------- nothing outside the tests' folders


def _machine_folders() -> list[Path]:
    """quizkit's folders in the real home, as the machine's own environment names them."""
    import platformdirs

    return [
        Path(platformdirs.user_data_dir("quizkit", appauthor=False)),
        Path(platformdirs.user_cache_dir("quizkit", appauthor=False)),
        Path(platformdirs.user_config_dir("quizkit", appauthor=False)),
        Path(platformdirs.user_state_dir("quizkit", appauthor=False)),
    ]


def _snapshot() -> dict[str, int]:
    found: dict[str, int] = {}
    for folder in _machine_folders():
        if folder.exists():
            for path in [folder, *folder.rglob("*")]:
                found[str(path)] = path.lstat().st_mtime_ns
    return found


_BEFORE: dict[str, int] = {}


def pytest_sessionstart(session: pytest.Session) -> None:
    _BEFORE.update(_snapshot())


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the run if any test wrote into the machine's own quizkit folders (it only reads them)."""
    after = _snapshot()
    written = sorted(path for path, stamp in after.items() if _BEFORE.get(path) != stamp)
    if written:
        print("\nA test wrote outside its temporary folders:\n  " + "\n  ".join(written[:20]))
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
