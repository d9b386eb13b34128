"""What defining classes costs on the way to the first card: record classes and Enums, timed.

Run it as `python benchmarks/startup_profile.py`. It wraps the creation of msgspec Structs (and
of dataclasses, should any come back) and of Enums, imports the modules `quizkit review` imports,
and prints the total time spent in each and the classes defined (docs/performance.md, "Time to
first card"). msgspec's own import is timed apart.
"""

from __future__ import annotations

import dataclasses
import enum
import time
from typing import Any

spent = {"dataclass": 0.0, "struct": 0.0, "enum": 0.0}
defined: dict[str, list[str]] = {"dataclass": [], "struct": [], "enum": []}
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


def _struct_cost(module_names: list[str]) -> tuple[float, list[str]]:
    """msgspec's metaclass cannot be wrapped: each Struct the review path defined is defined once
    more, alike (its fields, types, defaults and frozenness), and that time is summed."""
    import sys

    import msgspec  # noqa: F401  (timed on its own)

    found = {
        f"{value.__module__}.{value.__qualname__}": value
        for name in module_names
        if name.startswith("quizkit")
        for value in vars(sys.modules[name]).values()
        if isinstance(value, type) and issubclass(value, msgspec.Struct) and value.__module__ == name
    }
    started = time.perf_counter()
    for cls in found.values():
        names, defaults = cls.__struct_fields__, cls.__struct_defaults__
        required = len(names) - len(defaults)
        fields: list[Any] = [(name, object) for name in names[:required]]
        fields += [(name, object, default) for name, default in zip(names[required:], defaults, strict=True)]
        msgspec.defstruct(cls.__name__, fields, frozen=cls.__struct_config__.frozen)
    return time.perf_counter() - started, sorted(found)


def main() -> None:
    import rich.console  # noqa: F401  (the baseline's imports: not counted)
    import typer  # noqa: F401

    started = time.perf_counter()
    import msgspec  # noqa: F401  (timed on its own)

    print(f"msgspec's import: {(time.perf_counter() - started) * 1000:.1f} ms")
    import sys

    loaded = set(sys.modules)
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
    spent["struct"], defined["struct"] = _struct_cost([n for n in sys.modules if n not in loaded])
    print(f"quizkit's imports on the review path: {total * 1000:.1f} ms")
    for kind in ("dataclass", "struct", "enum"):
        names = [n for n in defined[kind][before[kind] :] if n.startswith("quizkit") or kind == "enum"]
        count = len(defined[kind]) - before[kind]
        print(f"  {kind} creation: {spent[kind] * 1000:.1f} ms for {count}")
        print("   ", ", ".join(sorted(names)))


if __name__ == "__main__":
    main()
