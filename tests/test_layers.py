"""The map in docs/architecture.md, enforced: which layer may import which, who owns each library.

Every import counts: module-level, inside functions, and under TYPE_CHECKING. An arrow may point
down the layers (cli -> app -> io | store | ui -> core -> shapes -> model, errors), or sideways inside one
package (app to app, io to io, ...). io, store and ui are side by side and never import each other.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "quizkit"

# The layers, lowest first. A module may import from its own layer's package or from a lower layer.
LAYERS: dict[str, int] = {
    "quizkit.model": 0,
    "quizkit.errors": 0,
    "quizkit.shapes": 1,
    "quizkit.core": 2,
    "quizkit.io": 3,
    "quizkit.store": 3,
    "quizkit.ui": 3,
    "quizkit.app": 4,
    "quizkit.cli": 5,
    "quizkit.__main__": 6,
}
# Third-party and standard-library packages that only some places may import.
OWNERS: dict[str, tuple[str, ...]] = {
    "sqlite3": ("quizkit.store", "quizkit.io.apkg"),  # an Anki package is an SQLite file
    "typer": ("quizkit.cli",),
    "tomllib": ("quizkit.io",),
    "tomli_w": ("quizkit.io",),
    "rtoml": ("quizkit.io.toml_text",),  # the fast parse, beside tomllib's positions
    "rich": ("quizkit.ui", "quizkit.app", "quizkit.cli"),
    "fsrs": ("quizkit.core.scheduler",),
    "genanki": ("quizkit.io.apkg",),
    "zstandard": ("quizkit.io.apkg",),
    "platformdirs": ("quizkit.app.env",),
    "pylatexenc": ("quizkit.io.formulas", "quizkit.ui.words"),  # Unicode formulas: files, screen
    "latex2mathml": ("quizkit.io.formulas",),
    "PIL": ("quizkit.io.pictures",),  # Pillow: pictures checked, decoded and scaled in one place
    "numpy": ("quizkit.core.fitting", "quizkit.core.retention"),  # the optional extra quizkit[optimize]
    "scipy": ("quizkit.core.fitting",),
    "dataclasses": (),  # record classes are msgspec Structs (docs/architecture.md, rule 1)
}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def package_sources() -> dict[str, str]:
    return {module_name(p): p.read_text(encoding="utf-8") for p in sorted(PACKAGE.rglob("*.py"))}


def imports(name: str, source: str, known: set[str]) -> Iterator[tuple[str, int]]:
    """Every module `name` imports (quizkit modules resolved to the module, others to their top
    package), with the line: module-level, function-level and TYPE_CHECKING imports alike."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from this module's package
                package = name.split(".")[: -node.level] if name not in known or "." in name else []
                base = ".".join([*package, *([base] if base else [])])
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                yield (candidate if candidate in known else base), node.lineno


def layer_of(module: str) -> tuple[str, int] | None:
    for prefix, rank in sorted(LAYERS.items(), key=lambda item: -len(item[0])):
        if module == prefix or module.startswith(prefix + "."):
            return prefix, rank
    return None


def owned_by(module: str, owners: tuple[str, ...]) -> bool:
    return any(module == o or module.startswith(o + ".") for o in owners)


def violations(sources: Mapping[str, str]) -> list[str]:
    """Every wrong-way arrow, unowned library import and import cycle in these modules."""
    known = set(sources)
    found: list[str] = []
    graph: dict[str, set[str]] = {name: set() for name in sources}
    for name, source in sources.items():
        here = layer_of(name)
        for target, line in imports(name, source, known):
            top = target.split(".")[0]
            if top in OWNERS and not owned_by(name, OWNERS[top]):
                found.append(
                    f"{name}:{line} imports {top}, which only {', '.join(OWNERS[top]) or 'no module'} may"
                )
            if not target.startswith("quizkit"):
                continue
            while target not in known and "." in target:
                target = target.rsplit(".", 1)[0]
            if target == name or target == "quizkit":
                continue
            graph[name].add(target)
            there = layer_of(target)
            if here is None or there is None:
                continue
            if there[1] > here[1] or (there[1] == here[1] and there[0] != here[0]):
                found.append(f"{name}:{line} imports {target}: {there[0]} is not below {here[0]}")
    found.extend(cycles(graph))
    return found


def cycles(graph: Mapping[str, set[str]]) -> list[str]:
    """Each import cycle, once (Tarjan's strongly connected components)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[str] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                out.append("import cycle: " + " -> ".join(sorted(component)))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return out


def test_every_module_has_a_layer() -> None:
    unplaced = [name for name in package_sources() if name != "quizkit" and layer_of(name) is None]
    assert unplaced == []


def test_arrows_point_down_owners_hold_and_there_is_no_cycle() -> None:
    assert violations(package_sources()) == []


SOURCES = package_sources()


@pytest.mark.parametrize(
    ("module", "line", "expected"),
    [
        (
            "quizkit.core.grading",
            "from quizkit.app.env import Environment",
            "quizkit.app is not below quizkit.core",
        ),
        (
            "quizkit.core.grading",
            "def f():\n    from quizkit.ui import render",
            "quizkit.ui is not below quizkit.core",
        ),
        (
            "quizkit.core.grading",
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from quizkit.store.progress import Store",
            "quizkit.store is not below quizkit.core",
        ),
        ("quizkit.io.worksheets", "from quizkit.ui.words import plain", "quizkit.ui is not below quizkit.io"),
        (
            "quizkit.ui.render",
            "from quizkit.store.progress import Store",
            "quizkit.store is not below quizkit.ui",
        ),
        ("quizkit.model", "from quizkit.core import scheduler", "quizkit.core is not below quizkit.model"),
        ("quizkit.app.review", "import sqlite3", "imports sqlite3, which only"),
        ("quizkit.io.deck_parse", "import typer", "imports typer, which only"),
        ("quizkit.store.progress", "def f():\n    import tomllib", "imports tomllib, which only"),
        ("quizkit.core.session", "from rich.text import Text", "imports rich, which only"),
    ],
)
def test_an_upward_or_unowned_import_is_caught(module: str, line: str, expected: str) -> None:
    sources = dict(SOURCES)
    sources[module] = sources[module] + "\n\n" + line + "\n"
    found = violations(sources)
    assert any(expected in v and v.startswith(f"{module}:") for v in found), found


def test_a_cycle_is_caught_even_through_a_function_level_import() -> None:
    sources = dict(SOURCES)
    sources["quizkit.core.exam"] += "\n\ndef f():\n    from quizkit.core import scheduler\n"
    sources["quizkit.core.scheduler"] += "\n\ndef g():\n    from quizkit.core.exam import Quiz\n"
    assert any(v.startswith("import cycle:") and "quizkit.core.exam" in v for v in violations(sources))


def test_the_architecture_page_names_every_module_and_only_real_ones() -> None:
    page = (PACKAGE.parent / "docs" / "architecture.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`((?:app|core|io|shapes|store|ui)/\w+\.py|\w+\.py)`", page))
    modules = {str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.py") if p.name != "__init__.py"}
    assert sorted(named - modules) == []  # nothing named that does not exist
    assert sorted(modules - named) == []  # every module has its line
