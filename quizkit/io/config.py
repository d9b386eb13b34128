"""The settings file (config.toml) and the learner's time zone, read from the system."""

from __future__ import annotations

import os
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any

from quizkit.core.settings import SETTING_TYPES, Settings
from quizkit.errors import ConfigError

MAX_CONFIG_BYTES = 1024 * 1024


def read_settings(path: Path) -> dict[str, Any]:
    """Read the user's config.toml: a flat table of the keys in SETTING_TYPES. Missing file: {}."""
    import stat

    try:
        mode = path.stat().st_mode
        if not stat.S_ISREG(mode):  # a folder, a pipe (reading one blocks), a device
            raise ConfigError(f"{path}: is not a regular file; config.toml must be a file")
        if path.stat().st_size > MAX_CONFIG_BYTES:
            raise ConfigError(f"{path}: is over {MAX_CONFIG_BYTES // 1024} KB; config.toml is a few lines")
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot be read ({error})") from None
    import tomllib  # only when there is a settings file, and the TOML helpers with it

    from quizkit.io.deck_format import did_you_mean
    from quizkit.io.toml_text import KEY_LINE, syntax_problem, type_name

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        problem = syntax_problem(str(path), error, text)
        raise ConfigError(str(problem)) from None
    except RecursionError:
        raise ConfigError(
            f"{path}: is nested too deeply (arrays or tables hundreds of levels deep); "
            "config.toml is a flat list of settings"
        ) from None
    lines = {
        key: number
        for number, raw in enumerate(text.splitlines(), 1)
        if (m := KEY_LINE.match(raw))
        for key in [m.group(1) or m.group(2) or m.group(3)]
    }
    for key, value in data.items():
        where = f"{path}:{lines.get(key, 1)}"
        if key not in SETTING_TYPES:
            hint = did_you_mean(key, SETTING_TYPES)
            raise ConfigError(f"{where}: unknown setting '{key}'" + (f" ({hint})" if hint else ""))
        expected = SETTING_TYPES[key]
        if (isinstance(value, bool) and expected is not bool) or not isinstance(value, expected):
            raise ConfigError(f"{where}: setting '{key}' has the wrong type ({type_name(value)})")
    return data


def load_settings(path: Path | None) -> Settings:
    """The settings in config.toml at `path` (defaults where it is silent or missing)."""
    raw = read_settings(path) if path else {}
    tz = local_zone()
    if "timezone" in raw:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            tz = ZoneInfo(raw["timezone"])
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError(
                f"{path}: unknown timezone {raw['timezone']!r}; use a name like Europe/Berlin"
            ) from None
    return Settings.from_file(raw, tz, str(path))


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
