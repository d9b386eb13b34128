"""The sync files' events (quizkit sync): their JSON shape, version 1, and its checks.

A segment file is one event per line, then an end line `{"end": N, "device": ..., "format": 1}`
where N is the number of events above it. The files come from other devices through a shared
folder, so they are untrusted: every field is checked for its type and range here, and a bad
event is refused with a reason (the caller names file:line), never stored.
"""

from __future__ import annotations

import math
import re
from typing import Any, Literal, TypedDict

FORMAT = 1

MAX_LINE = 1 << 20
"""The longest line read (bytes): a mock exam's answers fit many times over."""
MAX_FILE = 64 << 20
"""The largest segment read (bytes)."""
MAX_TEXT = 10_000
"""The longest answer or configuration text."""
MAX_ID = 200
"""The longest deck or card id (and origin)."""
MAX_ANSWERS = 10_000
"""The most answers one mock exam may carry."""

EARLIEST_MS = 946_684_800_000  # 2000-01-01
LATEST_MS = 7_258_118_400_000  # 2200-01-01

DEVICE = re.compile(r"[0-9a-f]{32}")
EVENT = re.compile(r"([0-9a-f]{32}):([1-9][0-9]{0,14})")
SEGMENT = re.compile(r"\d{12}\.jsonl")
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

Kind = Literal["review", "undo", "change", "undo-change", "quiz", "fit"]
KINDS: tuple[str, ...] = ("review", "undo", "change", "undo-change", "quiz", "fit")


class ReviewEvent(TypedDict):
    id: str
    kind: Literal["review"]
    at: int
    deck: str
    card: str
    rating: int
    proposed: int | None
    answer: str | None
    correct: bool | None
    graded: bool | None
    duration_ms: int | None
    mode: str
    phase_before: int
    origin: str | None
    imported_from: int | None
    config: str | None
    cap: str | None


class UndoEvent(TypedDict):
    id: str
    kind: Literal["undo", "undo-change"]
    at: int
    of: str


class ChangeEvent(TypedDict):
    id: str
    kind: Literal["change"]
    at: int
    deck: str
    card: str
    action: str
    until: int | None


class QuizAnswerDict(TypedDict):
    position: int
    card: str
    tags: str
    answer: str | None
    correct: bool
    score: float
    seconds: float | None


class QuizEvent(TypedDict):
    id: str
    kind: Literal["quiz"]
    deck: str
    started_at: int
    finished_at: int
    seed: int | None
    time_limit_s: int | None
    pass_mark: float | None
    questions: int
    score: float
    passed: bool | None
    settings: str
    answers: list[QuizAnswerDict]


class FitEvent(TypedDict):
    id: str
    kind: Literal["fit"]
    deck: str
    parameters: list[float]
    fitted_at: int
    n_reviews: int
    log_loss_before: float
    log_loss_after: float


Event = ReviewEvent | UndoEvent | ChangeEvent | QuizEvent | FitEvent


class EndLine(TypedDict):
    end: int
    device: str
    format: int


class DeviceFile(TypedDict):
    """device.json: written once, when a device first syncs."""

    device: str
    name: str
    created: str
    format: int


class SkippedJSON(TypedDict):
    path: str
    reason: str


class RefusedJSON(TypedDict):
    path: str
    line: int
    reason: str


class SyncJSON(TypedDict):
    """`quizkit sync --json`."""

    version: int
    device: str
    sent: int
    received: int
    devices: int
    rebuilt: int
    warnings: list[str]
    skipped: list[SkippedJSON]
    refused: list[RefusedJSON]


class DeviceJSON(TypedDict):
    id: str
    name: str | None
    last_event: str | None
    events: int
    this: bool


class SyncStatusJSON(TypedDict):
    """`quizkit sync --status --json`."""

    version: int
    device: str | None
    folder: str
    devices: list[DeviceJSON]
    skipped: list[SkippedJSON]


def event_time(event: Event) -> int:
    """The moment an event happened (ms since the epoch), for ordering and the clock check."""
    if event["kind"] == "quiz":
        return event["finished_at"]
    if event["kind"] == "fit":
        return event["fitted_at"]
    return event["at"]


def split_id(event_id: str) -> tuple[str, int]:
    device, _, seq = event_id.partition(":")
    return device, int(seq)


class BadEvent(ValueError):
    """An event that fails its checks: the message says which field and why."""


def _int(raw: dict[str, Any], name: str, low: int, high: int, *, null: bool = False) -> int | None:
    value = raw.get(name)
    if value is None and null:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise BadEvent(f"'{name}' must be a whole number from {low} to {high}, not {value!r:.40}")
    return value


def _float(raw: dict[str, Any], name: str, low: float, high: float, *, null: bool = False) -> float | None:
    value = raw.get(name)
    if value is None and null:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise BadEvent(f"'{name}' must be a number, not {value!r:.40}")
    if not low <= value <= high:
        raise BadEvent(f"'{name}' must be from {low} to {high}, not {value!r:.40}")
    return float(value)


def _text(raw: dict[str, Any], name: str, longest: int, *, null: bool = False) -> str | None:
    value = raw.get(name)
    if value is None and null:
        return None
    if not isinstance(value, str) or len(value) > longest:
        raise BadEvent(f"'{name}' must be text of at most {longest} characters, not {value!r:.40}")
    return value


def _bool(raw: dict[str, Any], name: str, *, null: bool = False) -> bool | None:
    value = raw.get(name)
    if value is None and null:
        return None
    if not isinstance(value, bool):
        raise BadEvent(f"'{name}' must be true or false, not {value!r:.40}")
    return value


def _time(raw: dict[str, Any], name: str, *, null: bool = False) -> int | None:
    return _int(raw, name, EARLIEST_MS, LATEST_MS, null=null)


def _event_id(raw: dict[str, Any], name: str) -> str:
    value = raw.get(name)
    if not isinstance(value, str) or EVENT.fullmatch(value) is None:
        raise BadEvent(f"'{name}' must be an event id '<device>:<number>', not {value!r:.60}")
    return value


def check_event(raw: object, device: str) -> Event:
    """The event, checked field by field (BadEvent says what is wrong). Its id must be `device`'s:
    a device writes only its own events."""
    if not isinstance(raw, dict):
        raise BadEvent("an event must be a JSON object")
    event_id = _event_id(raw, "id")
    if split_id(event_id)[0] != device:
        raise BadEvent(f"event {event_id} is not of the device {device} whose folder holds it")
    kind = raw.get("kind")
    if kind == "review":
        mode = raw.get("mode")
        if mode not in ("review", "quiz", "cram"):
            raise BadEvent(f"'mode' must be review, quiz or cram, not {mode!r:.40}")
        cap = _text(raw, "cap", 10, null=True)
        if cap is not None and DATE.fullmatch(cap) is None:
            raise BadEvent(f"'cap' must be a date YYYY-MM-DD, not {cap!r}")
        return ReviewEvent(
            id=event_id,
            kind="review",
            at=_time(raw, "at") or 0,
            deck=_text(raw, "deck", MAX_ID) or "",
            card=_text(raw, "card", MAX_ID) or "",
            rating=_int(raw, "rating", 1, 4) or 1,
            proposed=_int(raw, "proposed", 1, 4, null=True),
            answer=_text(raw, "answer", MAX_TEXT, null=True),
            correct=_bool(raw, "correct", null=True),
            graded=_bool(raw, "graded", null=True),
            duration_ms=_int(raw, "duration_ms", 0, 86_400_000, null=True),
            mode=mode,
            phase_before=_int(raw, "phase_before", 0, 3) or 0,
            origin=_text(raw, "origin", MAX_ID, null=True),
            imported_from=_int(raw, "imported_from", 0, 2**62, null=True),
            config=_text(raw, "config", MAX_TEXT, null=True),
            cap=cap,
        )
    if kind in ("undo", "undo-change"):
        target = _event_id(raw, "of")
        if split_id(target)[0] != device:
            raise BadEvent(f"an undo takes back only its own device's events, not {target}")
        return UndoEvent(id=event_id, kind=kind, at=_time(raw, "at") or 0, of=target)
    if kind == "change":
        action = raw.get("action")
        if action not in ("bury", "suspend", "unsuspend"):
            raise BadEvent(f"'action' must be bury, suspend or unsuspend, not {action!r:.40}")
        return ChangeEvent(
            id=event_id,
            kind="change",
            at=_time(raw, "at") or 0,
            deck=_text(raw, "deck", MAX_ID) or "",
            card=_text(raw, "card", MAX_ID) or "",
            action=action,
            until=_time(raw, "until", null=True),
        )
    if kind == "quiz":
        answers = raw.get("answers")
        if not isinstance(answers, list) or len(answers) > MAX_ANSWERS:
            raise BadEvent(f"'answers' must be a list of at most {MAX_ANSWERS}")
        checked: list[QuizAnswerDict] = []
        for answer in answers:
            if not isinstance(answer, dict):
                raise BadEvent("each of 'answers' must be a JSON object")
            checked.append(
                QuizAnswerDict(
                    position=_int(answer, "position", 0, MAX_ANSWERS) or 0,
                    card=_text(answer, "card", MAX_ID) or "",
                    tags=_text(answer, "tags", MAX_TEXT) or "",
                    answer=_text(answer, "answer", MAX_TEXT, null=True),
                    correct=bool(_bool(answer, "correct")),
                    score=_float(answer, "score", 0.0, 1.0) or 0.0,
                    seconds=_float(answer, "seconds", 0.0, 1e7, null=True),
                )
            )
        if len({a["position"] for a in checked}) != len(checked):
            raise BadEvent("two answers of the mock exam have the same position")
        return QuizEvent(
            id=event_id,
            kind="quiz",
            deck=_text(raw, "deck", MAX_ID) or "",
            started_at=_time(raw, "started_at") or 0,
            finished_at=_time(raw, "finished_at") or 0,
            seed=_int(raw, "seed", -(2**63), 2**63 - 1, null=True),
            time_limit_s=_int(raw, "time_limit_s", 0, 10**9, null=True),
            pass_mark=_float(raw, "pass_mark", 0.0, 100.0, null=True),
            questions=_int(raw, "questions", 0, MAX_ANSWERS) or 0,
            score=_float(raw, "score", 0.0, 1e9) or 0.0,
            passed=_bool(raw, "passed", null=True),
            settings=_text(raw, "settings", MAX_TEXT) or "",
            answers=checked,
        )
    if kind == "fit":
        parameters = raw.get("parameters")
        if (
            not isinstance(parameters, list)
            or len(parameters) != 21
            or not all(
                isinstance(p, int | float) and not isinstance(p, bool) and math.isfinite(p)
                for p in parameters
            )
        ):
            raise BadEvent("'parameters' must be a list of 21 numbers")
        return FitEvent(
            id=event_id,
            kind="fit",
            deck=_text(raw, "deck", MAX_ID) or "",
            parameters=[float(p) for p in parameters],
            fitted_at=_time(raw, "fitted_at") or 0,
            n_reviews=_int(raw, "n_reviews", 0, 2**62) or 0,
            log_loss_before=_float(raw, "log_loss_before", 0.0, 1e6) or 0.0,
            log_loss_after=_float(raw, "log_loss_after", 0.0, 1e6) or 0.0,
        )
    raise BadEvent(f"'kind' must be one of {', '.join(KINDS)}, not {kind!r:.40}")
