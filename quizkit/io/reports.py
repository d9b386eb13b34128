"""A mock exam's report: the one serialized shape of a result, as JSON or Markdown, written atomically."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, timedelta, tzinfo
from pathlib import Path

from quizkit.core.calendar import local_time, zone_name
from quizkit.core.exam import Question, QuizResult
from quizkit.core.text import json_text, markdown
from quizkit.errors import UsageError
from quizkit.io.disk import atomic_file
from quizkit.shapes.exams import ExamReportJSON


def deck_hash(path: Path) -> str | None:
    """The deck file's content digest (sha256, 16 hex digits), or None if it cannot be read."""
    import hashlib

    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    except OSError:
        return None


def exam_hash(result: QuizResult) -> str:
    """What makes two reports the same exam: see ReportExamJSON."""
    return questions_hash(
        result.deck_id,
        result.seed,
        result.time_limit,
        result.pass_mark,
        [item.question for item in result.items],
    )


def questions_hash(
    deck_id: str,
    seed: int | None,
    time_limit: timedelta | None,
    pass_mark: float | None,
    questions: Sequence[Question],
) -> str:
    """The exam's digest (sha256, 16 hex digits) from its deck, seed, time limit, pass mark and
    each question's card id, kind, content and options in the order shown."""
    import hashlib

    parts = [deck_id, str(seed), str(time_limit), str(pass_mark)]
    for question in questions:
        card = question.card
        parts += [question.key[1], card.kind.value, card.fingerprint, "\x1e".join(question.shown)]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16]


def report_dict(
    result: QuizResult, tz: tzinfo = UTC, deck_hash: str | None = None, student: str | None = None
) -> ExamReportJSON:
    """The exam as data: the one serialized shape of a result (JSON report and tests), its times
    in the learner's zone."""
    return {
        "deck": {"id": result.deck_id, "title": result.deck_title, "hash": deck_hash},
        "exam": {"hash": exam_hash(result)},
        "student": student,
        "started": result.started.astimezone(tz).isoformat(),
        "finished": result.finished.astimezone(tz).isoformat(),
        "time_zone": zone_name(tz, result.finished),
        "seed": result.seed,
        "time_limit_seconds": result.time_limit.total_seconds() if result.time_limit else None,
        "timed_out": result.timed_out,
        "questions": len(result.items),
        "right": result.right,
        "self_graded": result.self_marked,
        "score": round(result.score * 100, 1),
        "pass_mark": result.pass_mark,
        "passed": result.passed,
        "by_tag": [
            {"tag": row.tag, "questions": row.questions, "score": round(row.score * 100, 1)}
            for row in result.by_tag()
        ],
        "items": [
            {
                "number": item.number,
                "card": item.question.key[1],
                "kind": item.question.card.kind.value,
                "question": item.question.card.prompt,
                "choices": list(item.question.shown),
                "answer_given": item.grade.given if item.response is not None else None,
                "right_answer": item.question.card.answer,
                "verdict": item.grade.verdict.value if item.response is not None else "unanswered",
                "self_graded": item.self_marked,
                "score": item.grade.score,
                "seconds": item.seconds,
                "explain": item.question.card.explain,
                "source": item.question.card.source,
                "tags": list(item.question.card.tags),
            }
            for item in result.items
        ],
    }


def report_markdown(result: QuizResult, tz: tzinfo = UTC) -> str:
    data = report_dict(result, tz)
    own = f"; {result.self_marked} marked by the learner" if result.self_marked else ""
    lines = [
        f"# Exam: {md(result.deck_title)}",
        "",
        f"- Date: {local_time(result.finished, tz)}",
        f"- Score: **{data['score']}%** ({result.right} of {len(result.items)} right{own})",
    ]
    if result.pass_mark is not None:
        lines.append(f"- Pass mark: {result.pass_mark:g}% — **{'passed' if result.passed else 'failed'}**")
    if result.time_limit is not None:
        minutes = round(result.time_limit.total_seconds() / 60)
        lines.append(f"- Time limit: {minutes} min" + (" (time ran out)" if result.timed_out else ""))
    lines.append(f"- Seed: {result.seed} (`--seed {result.seed}` with the same options draws the same exam)")
    lines += ["", "## By tag", "", "| tag | questions | score |", "|---|---|---|"]
    lines += [f"| {md(row['tag'])} | {row['questions']} | {row['score']}% |" for row in data["by_tag"]]
    lines += ["", "## Questions", "", "| # | result | time |", "|---|---|---|"]
    lines += [
        f"| {item['number']} | {item['verdict']}{' (self-marked)' if item['self_graded'] else ''} "
        f"| {item['seconds']:.0f} s |"
        for item in data["items"]
    ]
    missed = [item for item in data["items"] if item["verdict"] not in ("right", "typo")]
    lines += ["", "## Missed", ""]
    if not missed:
        lines.append("Nothing missed.")
    for item in missed:
        lines += [
            f"### {item['number']}. {md(item['question'])}",
            "",
            f"- Your answer: {md(item['answer_given'] or '(none)')}",
            f"- Right answer: {md(item['right_answer'])}",
        ]
        if item["self_graded"]:
            lines.append(f"- Marked by the learner: {item['verdict']}")
        if item["explain"]:
            lines.append(f"- Why: {md(item['explain'])}")
        if item["source"]:
            lines.append(f"- Source: {md(item['source'])}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def write_report(
    result: QuizResult, path: Path, tz: tzinfo = UTC, deck_hash: str | None = None, student: str | None = None
) -> None:
    if path.suffix.lower() == ".json":
        text = json_text(report_dict(result, tz, deck_hash, student)) + "\n"
    else:
        text = report_markdown(result, tz)
    try:
        with atomic_file(path) as out:
            out.write(text.encode("utf-8"))
    except OSError as error:
        raise UsageError(f"cannot write the report {path}: {error.strerror}") from None


def md(text: str) -> str:
    return markdown(text, one_line=True)
