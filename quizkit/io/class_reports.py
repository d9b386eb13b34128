"""A class's exam reports (the JSON of `quizkit quiz --report NAME.json`), read defensively.

Report files are untrusted: each is read within a size cap and checked field by field. A file
that is not a report (or not a regular file), one from a different exam, or a copy of another
report is named with its reason and left out; the rest still count.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from msgspec import Struct
from msgspec.structs import replace

from quizkit.core.classroom import Item, Response, Student
from quizkit.errors import UsageError

MAX_REPORT_BYTES = 5 * 1024 * 1024
"""A report of 100 questions is about 60 KB; one of 5 MB is not a report."""

MAX_REPORTS = 20_000
MAX_ITEMS = 2_000


class Skipped(Struct, frozen=True):
    file: str
    reason: str


class ClassReports(Struct, frozen=True):
    deck_id: str
    deck_title: str
    seed: int | None
    pass_mark: float | None
    items: tuple[Item, ...]
    students: tuple[Student, ...]
    files: tuple[str, ...]
    """Each student's report file, in the order of `students`."""
    skipped: tuple[Skipped, ...]


class _Report(Struct, frozen=True):
    file: str
    name: str
    exam: tuple[Any, ...]
    items: tuple[Item, ...]
    student: Student
    pass_mark: float | None
    deck_title: str
    fingerprint: tuple[Any, ...]


def report_files(paths: Iterable[Path]) -> list[Path]:
    """The files named, and the *.json files in the folders named (not in their subfolders)."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(path.glob("*.json"))  # anything not a regular file is named by _read
        elif path.exists() or path.is_symlink():
            found.append(path)
        else:
            raise UsageError(f"{path}: no such file or folder")
        if len(found) > MAX_REPORTS:
            raise UsageError(f"more than {MAX_REPORTS:,} reports: give the class's folder, not a whole disk")
    if not found:
        raise UsageError(
            "no reports found: give the JSON files of `quizkit quiz --report NAME.json`, or their folder"
        )
    return found


def read_reports(paths: Iterable[Path]) -> ClassReports:
    """The reports of one exam: the exam most of them took; the others, and anything unreadable,
    in `skipped` with the reason."""
    skipped: list[Skipped] = []
    reports: list[_Report] = []
    known: dict[tuple[Any, ...], tuple[Item, ...]] = {}
    for path in report_files(paths):
        try:
            reports.append(_read(path, known))
        except _Bad as bad:
            skipped.append(Skipped(str(path), str(bad)))
    if not reports:
        raise UsageError(
            "none of the reports can be read: " + "; ".join(f"{s.file}: {s.reason}" for s in skipped[:5])
        )
    exams = Counter(r.exam for r in reports)
    exam, _ = exams.most_common(1)[0]
    seen_answers: dict[tuple[Any, ...], str] = {}
    kept: list[_Report] = []
    for report in reports:
        if report.exam != exam:
            deck, seed, cards, digest = report.exam
            same_questions = (deck, seed, cards) == exam[:3]
            what = (
                f"another version of the exam (its questions' content, options, time or pass mark differ: "
                f"exam {digest})"
                if same_questions
                else f"a different exam (deck {deck}, seed {seed}, other questions)"
            )
            skipped.append(Skipped(report.file, f"is from {what} than the {exams[exam]} report(s) counted"))
        elif report.fingerprint in seen_answers:
            skipped.append(
                Skipped(
                    report.file,
                    f"is a copy of {seen_answers[report.fingerprint]} "
                    "(the same exam, started and answered alike)",
                )
            )
        else:
            seen_answers[report.fingerprint] = report.file
            kept.append(report)
    # Two students of one name (or one student's two sittings) both count, told apart by file.
    names = Counter(report.name for report in kept)
    students = tuple(
        replace(r.student, name=f"{r.name} ({Path(r.file).stem})") if names[r.name] > 1 else r.student
        for r in kept
    )
    first = kept[0]
    return ClassReports(
        deck_id=exam[0],
        deck_title=first.deck_title,
        seed=exam[1],
        pass_mark=first.pass_mark,
        items=first.items,
        students=students,
        files=tuple(r.file for r in kept),
        skipped=tuple(skipped),
    )


class _Bad(Exception):
    pass


def _read(path: Path, known: dict[tuple[Any, ...], tuple[Item, ...]]) -> _Report:
    """One report. `known`: the questions of each exam met so far, so that 1,000 reports of one
    exam check their questions once, and each report only its answers."""
    import os
    import stat

    try:
        # Never blocks: a FIFO opens at once, and is refused by its type before any read.
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as error:
        raise _Bad(f"cannot be read ({error.strerror})") from None
    if not stat.S_ISREG(os.fstat(descriptor).st_mode):
        os.close(descriptor)
        raise _Bad("is not a regular file (a folder, a pipe or a device): not an exam report")
    with os.fdopen(descriptor, "rb") as handle:
        try:
            data = handle.read(MAX_REPORT_BYTES + 1)
        except OSError as error:
            raise _Bad(f"cannot be read ({error.strerror})") from None
    if len(data) > MAX_REPORT_BYTES:
        raise _Bad(f"is over {MAX_REPORT_BYTES // 1024 // 1024} MB: not an exam report")
    try:
        report = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise _Bad(f"is not JSON ({str(error)[:80]})") from None
    if not isinstance(report, dict):
        raise _Bad("is not an exam report (a JSON object with deck and items)")
    deck = _field(report, "deck", dict)
    deck_id = _field(deck, "id", str, "deck.id")
    raw_items = _field(report, "items", list)
    if not raw_items or len(raw_items) > MAX_ITEMS:
        raise _Bad(f"has {len(raw_items)} questions: a report has 1 to {MAX_ITEMS:,}")
    seed = report.get("seed")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        raise _Bad("has a seed that is not a whole number")
    pass_mark = report.get("pass_mark")
    if pass_mark is not None and (isinstance(pass_mark, bool) or not isinstance(pass_mark, int | float)):
        raise _Bad("has a pass_mark that is not a number")
    cards = tuple(raw.get("card") if type(raw) is dict else None for raw in raw_items)
    for number, card in enumerate(cards):
        if type(card) is not str:
            raise _Bad(f"items[{number}] has no card (or it is not text)")
    exam_table = report.get("exam")
    digest = exam_table.get("hash") if isinstance(exam_table, dict) else None
    # The exam's own digest where the report has one (it covers the questions' content, their
    # options' order, the time and the pass mark); else what older reports give.
    exam = (deck_id, seed, cards, digest if isinstance(digest, str) else None)
    items = known.get(exam)
    if items is None:  # the first report of this exam: its questions, checked whole
        items = known[exam] = tuple(_item(raw, f"items[{n}]") for n, raw in enumerate(raw_items))
    responses = tuple(
        _response(raw, f"items[{n}]", item)
        for n, (raw, item) in enumerate(zip(raw_items, items, strict=True))
    )
    seconds = _elapsed(report.get("started"), report.get("finished"))
    if seconds is None:  # no times to go by: the time spent on the questions
        seconds = 0.0
        for raw in raw_items:
            spent = raw.get("seconds", 0)
            if type(spent) in (int, float) and spent > 0:
                seconds += spent
    student = report.get("student")
    if student is not None and not isinstance(student, str):
        raise _Bad("has a student name that is not text")
    name = student.strip() if isinstance(student, str) and student.strip() else path.stem
    started = report.get("started")
    fingerprint = (started, responses)
    title = deck.get("title") if isinstance(deck.get("title"), str) else deck_id
    return _Report(
        str(path),
        name,
        exam,
        items,
        Student(name, responses, seconds),
        float(pass_mark) / 100 if pass_mark is not None else None,
        str(title),
        fingerprint,
    )


def _elapsed(started: Any, finished: Any) -> float | None:
    """Seconds from the start to the hand-in (marks and the submit prompt included), or None."""
    from datetime import datetime

    try:
        spent = (datetime.fromisoformat(finished) - datetime.fromisoformat(started)).total_seconds()
    except (TypeError, ValueError):
        return None
    return spent if 0 <= spent <= 7 * 24 * 3600 else None


_KIND_WORDS = {str: "text", dict: "a table of fields ({...})", list: "a list", int: "a whole number"}


def _field(table: dict[str, Any], key: str, kind: type, label: str | None = None) -> Any:
    value = table.get(key)
    if not isinstance(value, kind) or isinstance(value, bool):
        raise _Bad(f"has no {label or key} (or it is not {_KIND_WORDS.get(kind, kind.__name__)})")
    return value


def _texts(value: Any) -> bool:
    return type(value) is list and (not value or set(map(type, value)) == {str})


def _item(raw: dict[str, Any], where: str) -> Item:
    """A question as the report gives it: its kind, text, options and key, checked."""
    kind = _field(raw, "kind", str, f"{where}.kind")
    question = raw.get("question")
    choices = raw.get("choices", [])
    tags = raw.get("tags", [])
    if not _texts(choices):
        raise _Bad(f"{where}.choices is not a list of text")
    if not _texts(tags):
        raise _Bad(f"{where}.tags is not a list of text")
    right = raw.get("right_answer")
    right = right if type(right) is str else ""
    options: tuple[str, ...] = ()
    right_options: tuple[str, ...] = ()
    if kind == "truefalse":
        options, right_options = ("true", "false"), (right,)
    elif kind == "multi" and choices:
        options = tuple(sorted(choices))
        right_options = tuple(r for r in right.split("; ") if r in options)
    elif kind == "choice" and choices:
        options, right_options = tuple(sorted(choices)), (right,)
    return Item(
        raw["card"], kind, question if type(question) is str else "", options, right_options, tuple(tags)
    )


def _response(raw: dict[str, Any], where: str, item: Item) -> Response:
    """A student's answer: the mark, and the options picked (choice, multi and true/false)."""
    raw_score = raw.get("score")
    if type(raw_score) not in (int, float) or not 0 <= raw_score <= 1:  # type: ignore[operator]
        raise _Bad(f"{where}.score is not a mark from 0 to 1")
    score = float(raw_score)  # type: ignore[arg-type]
    given = raw.get("answer_given")
    if not item.options or type(given) is not str:
        return Response(score)
    if item.kind == "multi":
        return Response(score, tuple(g for g in given.split("; ") if g in item.options))
    return Response(score, (given,) if given in item.options else ())
