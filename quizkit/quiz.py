"""Mock exams, their history and reports; cram. Use cases, like review.py.

An exam is drawn from a seeded RNG, so the same seed gives the same questions
in the same order with the same option order. It does not touch the review
schedule unless asked (--update-schedule).
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from quizkit import decks, grading, render, terminal
from quizkit.app import Environment, Study, load_decks, plan_decks
from quizkit.errors import UsageError
from quizkit.exam import Question, Quiz, QuizResult, draw_questions, score_quiz
from quizkit.model import Deck, Kind, Mode, Rating
from quizkit.session import Session, cram_queue
from quizkit.store import QuizAnswer, QuizRecord

QUIZ_COMMANDS = {
    ":n": "skip to the next question",
    ":p": "go back to the previous question",
    ":g N": "go to question N",
    ":l": "list what is answered and what is not",
    ":s": "submit the exam",
    ":q": "abandon the exam (nothing is saved)",
    ":h": "this help",
}


def parse_duration(text: str) -> timedelta:
    """'15m', '90s', '1h30m', '2h' -> a timedelta."""
    import re

    match = re.fullmatch(r"\s*(?:(\d+)h)?\s*(?:(\d+)m)?\s*(?:(\d+)s)?\s*", text.lower())
    if not text.strip() or match is None or not any(match.groups()):
        raise UsageError(f"--time {text!r}: write a duration like 15m, 90s or 1h30m")
    hours, minutes, seconds = (int(g) if g else 0 for g in match.groups())
    total = timedelta(hours=hours, minutes=minutes, seconds=seconds)
    if total <= timedelta(0):
        raise UsageError("--time must be longer than zero")
    return total


def quiz(
    env: Environment,
    deck_path: Path | None,
    *,
    seed: int,
    count: int | None = 20,
    tags: Sequence[str] = (),
    kinds: Sequence[Kind] = (),
    time_limit: timedelta | None = None,
    pass_mark: float | None = None,
    feedback: str = "end",
    report: Path | None = None,
    update_schedule: bool = False,
) -> int:
    """Run a mock exam, show and save its result. Returns the exit code (0, even for a fail)."""
    if report is not None and report.suffix.lower() not in (".md", ".json"):
        raise UsageError(f"--report {report}: give a file ending in .md or .json")
    deck = _one_deck(env, deck_path)
    questions = draw_questions(deck, count, random.Random(seed), tags=tags, kinds=kinds)
    if not questions:
        raise UsageError(f"no cards in {deck.path} match those tags and kinds")
    keys = terminal.keys_for(env.stdin, env.stdin_isatty)
    started = env.clock()
    exam = Quiz(questions, started, started + time_limit if time_limit else None)
    finished = ExamFlow(env, deck, exam, keys, feedback == "immediate").run()
    if finished is None:
        env.stdout.print("Exam abandoned; nothing was saved.")
        return 0
    result = score_quiz(exam, deck, finished, pass_mark=pass_mark, seed=seed)
    env.stdout.print(render.quiz_result(result))
    settings = {"tags": list(tags), "kinds": [k.value for k in kinds], "feedback": feedback, "count": count}
    with env.open_store() as store:
        store.save_quiz(*quiz_records(result, settings))
        plans = plan_decks(env, store, [deck], finished)
        states = {(deck.id, card_id): state for card_id, state in store.states(deck.id).items()}
        # Every answer goes into the review log: as quiz answers (the schedule untouched), or, with
        # --update-schedule, as reviews, so missed cards come back soon.
        study = Study(
            store, Session.start(plans, states, finished), Mode.REVIEW if update_schedule else Mode.QUIZ
        )
        for item in result.items:
            if item.response is None and not update_schedule:
                continue
            rating = Rating.GOOD if item.grade.right else Rating.AGAIN
            study.session.cards.setdefault(item.question.key, item.question.card)
            study.rate(
                item.question.key,
                rating,
                finished,
                answer=item.grade.given if item.response is not None else None,
                correct=item.grade.right,
                duration_ms=round(item.seconds * 1000),
            )
        if update_schedule:
            env.stdout.print("The results were fed into your review schedule: missed cards come back soon.")
    if report is not None:
        write_report(result, report)
        env.stdout.print(render.plain(f"report written to {report}"), soft_wrap=True)
    return 0


def quiz_records(result: QuizResult, settings: dict[str, Any]) -> tuple[QuizRecord, list[QuizAnswer]]:
    record = QuizRecord(
        deck_id=result.deck_id,
        started=result.started,
        finished=result.finished,
        score=result.score,
        passed=result.passed,
        pass_mark=result.pass_mark,
        seed=result.seed,
        time_limit_s=round(result.time_limit.total_seconds()) if result.time_limit else None,
        settings=json.dumps(settings, sort_keys=True),
    )
    answers = [
        QuizAnswer(
            position=item.number,
            card_id=item.question.key[1],
            tags=item.question.card.tags,
            answer=item.grade.given if item.response is not None else None,
            correct=item.grade.right,
            score=item.grade.score,
            seconds=item.seconds,
        )
        for item in result.items
    ]
    return record, answers


def _one_deck(env: Environment, deck_path: Path | None) -> Deck:
    if deck_path is not None:
        return decks.load_deck(deck_path, env.cache_dir)
    loaded = load_decks(env, [])
    return next((d for d in loaded if d.id == "taliban-pakistan"), loaded[0])


class ExamFlow:
    """Ask the questions in any order until the learner submits or time runs out."""

    def __init__(
        self, env: Environment, deck: Deck, exam: Quiz, keys: terminal.Keys, immediate: bool
    ) -> None:
        self.env = env
        self.out = env.stdout
        self.deck = deck
        self.exam = exam
        self.keys = keys
        self.immediate = immediate

    def run(self) -> datetime | None:
        """The moment the exam ended, or None if it was abandoned."""
        exam = self.exam
        while True:
            now = self.env.clock()
            if exam.expired(now):
                self.out.print("Time is up: unanswered questions count as wrong.", style="bold red")
                return exam.deadline
            index = exam.current
            question = exam.questions[index]
            self._show(index, question, now)
            left = exam.left(now)
            typed = self.keys.timed_line("> ", left.total_seconds() if left is not None else None)
            answered_at = self.env.clock()
            spent = (answered_at - now).total_seconds()
            if typed == terminal.TIMEOUT:
                continue
            if typed is None:  # end of input: hand the exam in as it stands
                return answered_at
            command = typed.strip()
            if command.startswith(":"):
                exam.spend(index, spent)
                outcome = self._command(command, index)
                if outcome == "submit":
                    return answered_at
                if outcome == "abandon":
                    return None
                continue
            if index in exam.responses and self.immediate:
                self.out.print(
                    "already answered (feedback was shown); :n for the next question", style="yellow"
                )
                continue
            problem = grading.understood(question.card, command, question.shown or None)
            if problem:
                self.out.print(render.plain(problem), style="yellow")
                continue
            if not exam.answer(index, typed, answered_at, spent):
                continue  # too late: the loop reports the time is up
            if self.immediate:
                result = grading.grade(question.card, typed, question.shown or None)
                self.out.print(render.answer_panel(question.card, result, question.shown, result.given))
            following = exam.next_unanswered(index)
            if following is None:
                if self._confirm_submit():
                    return self.env.clock()
            else:
                exam.current = following

    def _show(self, index: int, question: Question, now: datetime) -> None:
        exam = self.exam
        self.out.print()
        self.out.print(
            render.exam_header(
                self.deck.title, index + 1, len(exam.questions), len(exam.responses), exam.left(now)
            )
        )
        self.out.print(render.card_panel(question.card, question.shown))
        given = exam.responses.get(index)
        if given is not None:
            self.out.print(
                render.plain(f"your answer so far: {given} (type another to change it)"), style="dim"
            )
        hint = {
            Kind.CHOICE: "the number of your choice",
            Kind.MULTI: "the numbers of every right answer, e.g. 1 3",
            Kind.ORDER: "the numbers in order, e.g. 3 1 2",
            Kind.TRUEFALSE: "t or f",
        }.get(question.card.kind, "your answer")
        self.out.print(
            render.footer([("enter", hint), (":n", "skip"), (":l", "list"), (":s", "submit"), (":h", "help")])
        )

    def _command(self, command: str, index: int) -> str:
        exam = self.exam
        total = len(exam.questions)
        word, _, argument = command.partition(" ")
        if word == ":n":
            exam.current = (index + 1) % total
        elif word == ":p":
            exam.current = (index - 1) % total
        elif word == ":g":
            if argument.strip().isdigit() and 1 <= int(argument) <= total:
                exam.current = int(argument) - 1
            else:
                self.out.print(f"go to which question? :g 1 to :g {total}", style="yellow")
        elif word == ":l":
            self.out.print(render.exam_list(exam.questions, exam.responses))
        elif word == ":s":
            return "submit" if self._confirm_submit() else "stay"
        elif word == ":q":
            return "abandon"
        else:
            self.out.print(render.plain_pairs(QUIZ_COMMANDS))
        return "stay"

    def _confirm_submit(self) -> bool:
        exam = self.exam
        self.out.print(render.exam_list(exam.questions, exam.responses))
        missing = exam.unanswered()
        ask = "Submit? (enter = submit, :g N to go back)"
        question = (
            f"{len(missing)} unanswered question(s) will count as wrong. {ask}"
            if missing
            else f"All answered. {ask}"
        )
        self.out.print(question)
        left = exam.left(self.env.clock())
        reply = self.keys.timed_line("> ", left.total_seconds() if left is not None else None)
        if reply is None or reply == terminal.TIMEOUT or reply.strip() in ("", ":s", "y", "yes"):
            return True
        word, _, argument = reply.strip().partition(" ")
        if word == ":g" and argument.strip().isdigit() and 1 <= int(argument) <= len(exam.questions):
            exam.current = int(argument) - 1
        return False


# ---------------------------------------------------------------- reports


def report_dict(result: QuizResult) -> dict[str, Any]:
    """The exam as data: the one serialized shape of a result (JSON report and tests)."""
    return {
        "deck": {"id": result.deck_id, "title": result.deck_title},
        "started": result.started.isoformat(),
        "finished": result.finished.isoformat(),
        "seed": result.seed,
        "time_limit_seconds": result.time_limit.total_seconds() if result.time_limit else None,
        "timed_out": result.timed_out,
        "questions": len(result.items),
        "right": result.right,
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
                "score": item.grade.score,
                "seconds": item.seconds,
                "explain": item.question.card.explain,
                "source": item.question.card.source,
                "tags": list(item.question.card.tags),
            }
            for item in result.items
        ],
    }


def report_markdown(result: QuizResult) -> str:
    data = report_dict(result)
    lines = [
        f"# Exam: {_md(result.deck_title)}",
        "",
        f"- Date: {result.finished:%Y-%m-%d %H:%M} UTC",
        f"- Score: **{data['score']}%** ({result.right} of {len(result.items)} right)",
    ]
    if result.pass_mark is not None:
        lines.append(f"- Pass mark: {result.pass_mark:g}% — **{'passed' if result.passed else 'failed'}**")
    if result.time_limit is not None:
        minutes = round(result.time_limit.total_seconds() / 60)
        lines.append(f"- Time limit: {minutes} min" + (" (time ran out)" if result.timed_out else ""))
    lines.append(f"- Seed: {result.seed} (`--seed {result.seed}` with the same options draws the same exam)")
    lines += ["", "## By tag", "", "| tag | questions | score |", "|---|---|---|"]
    lines += [f"| {_md(row['tag'])} | {row['questions']} | {row['score']}% |" for row in data["by_tag"]]
    lines += ["", "## Questions", "", "| # | result | time |", "|---|---|---|"]
    lines += [f"| {item['number']} | {item['verdict']} | {item['seconds']:.0f} s |" for item in data["items"]]
    missed = [item for item in data["items"] if item["verdict"] not in ("right", "typo")]
    lines += ["", "## Missed", ""]
    if not missed:
        lines.append("Nothing missed.")
    for item in missed:
        lines += [
            f"### {item['number']}. {_md(item['question'])}",
            "",
            f"- Your answer: {_md(item['answer_given'] or '(none)')}",
            f"- Right answer: {_md(item['right_answer'])}",
        ]
        if item["explain"]:
            lines.append(f"- Why: {_md(item['explain'])}")
        if item["source"]:
            lines.append(f"- Source: {_md(item['source'])}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _md(text: str) -> str:
    """Deck text in Markdown: no HTML, no table breaks, no control characters."""
    cleaned = render.clean(text).replace("\n", " ")
    for char in "\\`*_[]<>|#":
        cleaned = cleaned.replace(char, "\\" + char)
    return cleaned


def write_report(result: QuizResult, path: Path) -> None:
    if path.suffix.lower() == ".json":
        text = json.dumps(report_dict(result), indent=2, ensure_ascii=False) + "\n"
    else:
        text = report_markdown(result)
    partial = path.with_name(path.name + ".partial")
    try:
        partial.write_text(text, encoding="utf-8")
        partial.replace(path)
    except OSError as error:
        raise UsageError(f"cannot write the report {path}: {error.strerror}") from None


# ---------------------------------------------------------------- history


def history(env: Environment, deck_id: str | None, as_json: bool = False) -> int:
    with env.open_store() as store:
        attempts = store.quiz_history(deck_id)
        tags = store.quiz_tag_scores(deck_id)
    if as_json:
        env.stdout.print_json(json.dumps({"attempts": attempts, "tags": tags}))
        return 0
    if not attempts:
        env.stdout.print("No exams yet: 'quizkit quiz' starts one.")
        return 0
    env.stdout.print(render.quiz_history(attempts, tags, env.settings.tz))
    return 0


# ---------------------------------------------------------------- cram


def cram(env: Environment, paths: Sequence[Path], tags: Sequence[str] = ()) -> int:
    """Go through every card regardless of the schedule; logged as cram, schedule untouched."""
    from quizkit.review import ReviewFlow, _run_editor

    now = env.clock()
    loaded = load_decks(env, paths)
    with env.open_store() as store:
        plans = plan_decks(env, store, loaded, now)
        states = {(d.id, cid): s for d in loaded for cid, s in store.states(d.id).items()}
        session = Session.start(plans, states, now, tags=tags)
        session.cram = True
        session.new_queue = cram_queue(plans, tags, random.Random(int(now.timestamp())))
        session.review_queue = []
        session.learning = set()
        if not session.new_queue:
            raise UsageError("no cards match")
        keys = terminal.keys_for(env.stdin, env.stdin_isatty)
        return ReviewFlow(env, Study(store, session, mode=Mode.CRAM), keys, _run_editor).run()
