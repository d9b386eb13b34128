"""quizkit quiz and quizkit history: mock exams, their results and their history.

An exam is drawn from a seeded RNG, so the same seed gives the same questions in the same order
with the same option order. It does not touch the review schedule unless asked (--update-schedule).
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from datetime import datetime, timedelta
from enum import Enum
from pathlib import Path

from quizkit.app.env import Environment
from quizkit.app.library import deck_id_of, one_deck
from quizkit.app.study import Study, plan_decks
from quizkit.core import grading
from quizkit.core.exam import Question, Quiz, QuizResult, draw_questions, score_quiz
from quizkit.core.session import Session
from quizkit.errors import UsageError
from quizkit.io import disk
from quizkit.io.reports import write_report
from quizkit.model import Deck, Kind, Mode, Rating
from quizkit.shapes.exams import ExamSettingsJSON, HistoryJSON
from quizkit.store.exams import ExamLog, QuizAnswer, QuizRecord
from quizkit.ui import render, terminal, words
from quizkit.ui.terminal import Event
from quizkit.ui.words import print_json

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
    total = hours * 3600 + minutes * 60 + seconds  # whole seconds first: no timedelta overflows
    if total <= 0:
        raise UsageError("--time must be longer than zero")
    if total > MAX_TIME_LIMIT.total_seconds():
        raise UsageError(f"--time {text!r} is longer than an exam; the limit is at most 24h")
    return timedelta(seconds=total)


MAX_TIME_LIMIT = timedelta(hours=24)
"""The longest --time: a day; longer is no time limit at all (leave --time out)."""


def quiz(
    env: Environment,
    deck_path: Path | str | None,
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
    if report is not None:
        disk.check_output(report)  # before the exam, not after it
    deck = one_deck(env, deck_path)
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
    settings: ExamSettingsJSON = {
        "tags": list(tags),
        "kinds": [k.value for k in kinds],
        "feedback": feedback,
        "count": count,
    }
    # The exam, its answers and their review-log rows are saved in one transaction.
    with env.open_store() as store, store.write(finished):
        ExamLog(store).save(*quiz_records(result, settings))
        plans = plan_decks(env, store, [deck], finished)
        states = {(deck.id, card_id): state for card_id, state in store.states(deck.id).items()}
        # Every answer goes into the review log: as quiz answers (the schedule untouched), or, with
        # --update-schedule, as reviews, so missed cards come back soon.
        mode = Mode.REVIEW if update_schedule else Mode.QUIZ
        study = Study(store, Session.start(plans, states, finished, mode=mode))
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
        env.stdout.print(words.plain(f"report written to {report}"), soft_wrap=True)
    return 0


def quiz_records(result: QuizResult, settings: ExamSettingsJSON) -> tuple[QuizRecord, list[QuizAnswer]]:
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


class Step(Enum):
    """Where an exam command leaves the exam."""

    STAY = "stay"
    SUBMIT = "submit"
    ABANDON = "abandon"


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
            if typed is Event.TIMEOUT:
                continue
            if typed is None:  # end of input: hand the exam in as it stands
                return answered_at
            command = typed.strip()
            if command.startswith(":"):
                exam.spend(index, spent)
                outcome = self._command(command, index)
                if outcome is Step.SUBMIT:
                    return answered_at
                if outcome is Step.ABANDON:
                    return None
                continue
            if index in exam.responses and self.immediate:
                self.out.print(
                    "already answered (feedback was shown); :n for the next question", style="yellow"
                )
                continue
            problem = grading.understood(question.card, command, question.shown or None)
            if problem:
                self.out.print(words.plain(problem), style="yellow")
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
                words.plain(f"your answer so far: {given} (type another to change it)"), style="dim"
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

    def _command(self, command: str, index: int) -> Step:
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
            return Step.SUBMIT if self._confirm_submit() else Step.STAY
        elif word == ":q":
            return Step.ABANDON
        else:
            self.out.print(render.plain_pairs(QUIZ_COMMANDS))
        return Step.STAY

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
        if reply is None or reply is Event.TIMEOUT or reply.strip() in ("", ":s", "y", "yes"):
            return True
        word, _, argument = reply.strip().partition(" ")
        if word == ":g" and argument.strip().isdigit() and 1 <= int(argument) <= len(exam.questions):
            exam.current = int(argument) - 1
        return False


def history(env: Environment, deck: str | None, as_json: bool = False) -> int:
    """Past exams, of every deck or of one named by its id or its file (its id need not be a
    known deck's any more: the exams are kept)."""
    deck_id = deck_id_of(env, deck) if deck is not None else None
    with env.open_store() as store:
        exams = ExamLog(store)
        attempts = exams.history(deck_id)
        tags = exams.tag_scores(deck_id)
    if as_json:
        history_json: HistoryJSON = {
            "attempts": [a.to_dict() for a in attempts],
            "tags": [t.to_dict() for t in tags],
        }
        print_json(env.stdout, history_json)
        return 0
    if not attempts:
        env.stdout.print("No exams yet: 'quizkit quiz' starts one.")
        return 0
    from quizkit.ui import charts  # the tables: only for the screen

    env.stdout.print(charts.quiz_history(attempts, tags, env.settings.tz))
    return 0
