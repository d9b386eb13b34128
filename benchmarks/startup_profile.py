"""What defining classes costs on the way to the first card: dataclasses and Enums, timed.

Run it as `python benchmarks/startup_profile.py`. It wraps dataclasses' class processing and
EnumType's construction, imports the modules `quizkit review` imports, and prints the total time
spent in each and the classes defined (docs/performance.md, "Time to first card").
"""

from __future__ import annotations

import dataclasses
import enum
import time
from typing import Any

spent = {"dataclass": 0.0, "enum": 0.0}
defined: dict[str, list[str]] = {"dataclass": [], "enum": []}
_process_class = dataclasses._process_class  # type: ignore[attr-defined]
_enum_new = enum.EnumType.__new__


def _timed_dataclass(cls: type, *args: Any, **kwargs: Any) -> Any:
    started = time.perf_counter()
    try:
        return _process_class(cls, *args, **kwargs)
    finally:
        spent["dataclass"] += time.perf_counter() - started
        defined["dataclass"].append(f"{cls.__module__}.{cls.__qualname__}")


def _timed_enum(metaclass: type, name: str, *args: Any, **kwargs: Any) -> Any:
    started = time.perf_counter()
    try:
        return _enum_new(metaclass, name, *args, **kwargs)  # type: ignore[call-overload]
    finally:
        spent["enum"] += time.perf_counter() - started
        defined["enum"].append(name)


def main() -> None:
    import rich.console  # noqa: F401  (the baseline's imports: not counted)
    import typer  # noqa: F401

    dataclasses._process_class = _timed_dataclass  # type: ignore[attr-defined]
    enum.EnumType.__new__ = _timed_enum  # type: ignore[method-assign,assignment]
    before = {kind: len(names) for kind, names in defined.items()}
    started = time.perf_counter()
    import quizkit.app.env  # noqa: F401
    import quizkit.app.review  # noqa: F401
    import quizkit.app.study  # noqa: F401
    import quizkit.cli  # noqa: F401
    import quizkit.store.progress  # noqa: F401
    import quizkit.ui.screen  # noqa: F401

    total = time.perf_counter() - started
    print(f"quizkit's imports on the review path: {total * 1000:.1f} ms")
    for kind in ("dataclass", "enum"):
        names = [n for n in defined[kind][before[kind] :] if n.startswith("quizkit") or kind == "enum"]
        print(f"  {kind} creation: {spent[kind] * 1000:.1f} ms for {len(defined[kind]) - before[kind]}")
        print("   ", ", ".join(sorted(names)))


if __name__ == "__main__":
    main()
