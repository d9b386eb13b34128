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

from msgspec.structs import replace
from rich.text import Text

from quizkit.app.env import Environment
from quizkit.app.library import deck_id_of, deck_paths, one_deck
from quizkit.app.pictures import Pictures, open_pictures
from quizkit.app.study import Study, plan_decks
from quizkit.core import grading
from quizkit.core.exam import Question, Quiz, QuizResult, draw_questions, score_quiz
from quizkit.core.exam import parse_duration as parse_duration  # for the command line
from quizkit.core.grading import Verdict
from quizkit.core.session import Session
from quizkit.errors import UsageError
from quizkit.io import disk
from quizkit.io.reports import write_report
from quizkit.model import Deck, Kind, Mode, Rating, SelfGraded
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
    ":s": "submit the exam (the only way to hand it in)",
    ":q": "abandon the exam (nothing is saved)",
    ":o": "open the question's picture in the image viewer",
    ":h": "this help",
    "Ctrl-C": "asks whether to abandon the exam (nothing is saved)",
    "r p w": "after a basic card's answer is shown: your mark, right, partly right or wrong",
}


def quiz(
    env: Environment,
    deck_path: Path | str | None,
    *,
    seed: int | None = None,
    count: int | None = None,
    tags: Sequence[str] = (),
    kinds: Sequence[Kind] = (),
    time_limit: timedelta | None = None,
    pass_mark: float | None = None,
    feedback: str | None = None,
    report: Path | None = None,
    update_schedule: bool = False,
    self_graded: SelfGraded | None = None,
    name: str | None = None,
) -> int:
    """Run a mock exam, show and save its result. Returns the exit code (0, even for a fail).

    The exam is drawn from the deck (`count` questions, 20 when None, from `seed`, a random one
    when None), or is an exam file's (quizkit exam-pack), which fixes everything but the
    report and the name. Basic cards are asked as `self_graded` says (else as the deck's [deck]
    self_graded says, else SelfGraded.ASK: the learner marks their own answer)."""
    if report is not None and report.suffix.lower() not in (".md", ".json"):
        raise UsageError(f"--report {report}: give a file ending in .md or .json")
    if report is not None:
        disk.check_output(report)  # before the exam, not after it
    from quizkit.app.library import deck_path as file_of
    from quizkit.io import exam_pack

    named = file_of(env, deck_path) if deck_path is not None else None
    sitting = exam_pack.read_exam(named) if named is not None and exam_pack.is_exam_file(named) else None
    if sitting is not None:
        fixed = {
            "--count": count,
            "--seed": seed,
            "--tag": tags or None,
            "--kinds": kinds or None,
            "--time": time_limit,
            "--pass": pass_mark,
            "--self-graded": self_graded,
            "--feedback": feedback,
            "--update-schedule": update_schedule or None,
        }
        given = [option for option, value in fixed.items() if value is not None]
        if given:
            raise UsageError(
                f"{deck_path} is an exam file: it fixes the questions, their order, the time limit "
                f"and the pass mark, so {', '.join(given)} cannot be given; take it as it is, "
                f'e.g. quizkit quiz {deck_path} --name "Your Name" --report your-name.json'
            )
        for problem in sitting.warnings:
            env.stderr.print(render.problem(problem), soft_wrap=True)
        for missing in _missing_pictures(sitting.deck):
            env.stderr.print(
                words.plain(f"picture not found: {missing}; its question shows its description instead"),
                style="yellow",
                soft_wrap=True,
            )
        if report is None:
            env.stderr.print(
                "No --report: the result stays on this computer. If your teacher collects the "
                "exam, stop now (Ctrl-C twice) and start again with --report your-name.json",
                style="yellow",
            )
        deck = sitting.deck
        questions = list(sitting.questions)
        seed, time_limit, pass_mark = sitting.seed, sitting.time_limit, sitting.pass_mark
        feedback = sitting.feedback
        asked = SelfGraded.ASK
    else:
        import secrets

        seed = seed if seed is not None else secrets.randbelow(10**6)
        feedback = feedback or "end"
        deck = one_deck(env, deck_path)
        asked = self_graded or deck.settings.self_graded or SelfGraded.ASK
        questions = draw_questions(
            deck,
            20 if count is None else count,
            random.Random(seed),
            tags=tags,
            kinds=kinds,
            self_graded=asked,
        )
    if not questions:
        left_out = " (basic cards are left out: --self-graded skip)" if asked is SelfGraded.SKIP else ""
        raise UsageError(f"no cards in {deck.path} match those tags and kinds{left_out}")
    keys = terminal.keys_for(env.stdin, env.stdin_isatty)
    started = env.clock()
    exam = Quiz(questions, started, started + time_limit if time_limit else None)
    finished = ExamFlow(env, deck, exam, keys, feedback == "immediate").run()
    if finished is None:
        env.stdout.print("Exam abandoned; nothing was saved.")
        return 0
    result = score_quiz(exam, deck, finished, pass_mark=pass_mark, seed=seed)
    env.stdout.print(render.quiz_result(result, plain_mode=env.plain))
    settings: ExamSettingsJSON = {
        "tags": list(tags),
        "kinds": [k.value for k in kinds],
        "feedback": feedback,
        "count": len(questions) if sitting is not None else (20 if count is None else count),
        "self_graded": asked.value,
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
            rating = (
                Rating.GOOD
                if item.grade.right
                else Rating.HARD
                if item.self_marked and item.grade.verdict is Verdict.PARTIAL
                else Rating.AGAIN
            )
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
        from quizkit.io.reports import deck_hash

        # Printable characters only: the name goes into JSON other tools show.
        shown = " ".join("".join(c for c in name if c.isprintable()).split()) if name else ""
        student = shown or None
        digest = sitting.deck_hash if sitting is not None else deck_hash(Path(deck.path))
        write_report(result, report, env.settings.tz, digest, student)
        env.stdout.print(words.plain(f"report written to {report}"), soft_wrap=True)
    return 0


def _missing_pictures(deck: Deck) -> list[str]:
    """The pictures an exam file shows that are not beside it (handed out without its folder)."""
    from quizkit.io.pictures import PictureError, located

    folder = Path(deck.path).parent
    files = {p.file for card in deck.cards for p in (card.image, card.answer_image) if p is not None}
    missing = []
    for file in sorted(files):
        try:
            located(folder, file)
        except PictureError:
            missing.append(str(folder / file))
    return missing


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


ABANDON_QUESTION = "abandon this exam? nothing is saved (Ctrl-C again to abandon, Enter to go on)"


MARK_KEYS = {
    "r": Verdict.RIGHT,
    "3": Verdict.RIGHT,
    "p": Verdict.PARTIAL,
    "2": Verdict.PARTIAL,
    "w": Verdict.WRONG,
    "1": Verdict.WRONG,
}
"""The learner's own mark for a self-graded question: r/p/w, or the review's 3 (Good), 2 (Hard)
and 1 (Again)."""


class ExamFlow:
    """Ask the questions in any order until the learner submits (:s) or time runs out.

    Ctrl-C never hands the exam in: it asks whether to abandon it. The end of input hands it in
    as it stands in line mode (a script's answers ran out), and asks like Ctrl-C on a terminal.
    """

    def __init__(
        self, env: Environment, deck: Deck, exam: Quiz, keys: terminal.Keys, immediate: bool
    ) -> None:
        self.env = env
        self.out = env.stdout
        self.deck = deck
        self.exam = exam
        self.keys = keys
        self.immediate = immediate
        self.pictures = Pictures(
            env.stdout,
            env.settings.images,
            line_mode=not (keys.interactive and env.stdout.is_terminal),
            plain_mode=env.plain,
        )

    def _spent(self, since: datetime, until: datetime) -> float:
        """Seconds on a question, up to the deadline at most: time is up then."""
        deadline = self.exam.deadline
        end = min(until, deadline) if deadline is not None else until
        return max(0.0, (end - since).total_seconds())

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
            spent = self._spent(now, answered_at)
            if isinstance(typed, Event):
                exam.spend(index, spent)
                if typed is Event.TIMEOUT:
                    continue
                if typed is Event.EOF and not self.keys.interactive:
                    # A script's answers ran out: hand in what it answered (by the deadline).
                    return min(answered_at, exam.deadline) if exam.deadline else answered_at
                if self._abandon():
                    return None
                continue
            command = typed.strip()
            if command.startswith(":"):
                exam.spend(index, spent)
                outcome = self._command(command, index)
                if outcome is Step.SUBMIT:
                    return self.env.clock()
                if outcome is Step.ABANDON:
                    return None
                continue
            if index in exam.responses and (self.immediate or exam.final(index)):
                exam.spend(index, spent)
                self.out.print(
                    "already answered (the answer was shown); :n for the next question", style="yellow"
                )
                continue
            problem = grading.understood(question.card, command, question.shown or None)
            if problem:
                exam.spend(index, spent)
                self.out.print(words.plain(problem), style="yellow")
                continue
            mark: Verdict | None = None
            if question.self_graded:
                if exam.expired(answered_at):
                    exam.spend(index, spent)
                    continue  # too late: the loop reports the time is up
                marked = self._mark(question, typed)
                if marked is Step.ABANDON:
                    return None
                if not isinstance(marked, Verdict) or exam.expired(self.env.clock()):
                    exam.spend(index, spent)
                    continue  # no mark, or one given too late: the loop reports the time is up
                mark = marked
            if not exam.answer(index, typed, answered_at, spent, mark):
                exam.spend(index, spent)
                continue  # too late: the loop reports the time is up
            if self.immediate and not question.self_graded:
                result = grading.grade(question.card, typed, question.shown or None)
                self.out.print(
                    render.answer_panel(
                        question.card,
                        result,
                        question.shown,
                        result.given,
                        plain_mode=self.env.plain,
                        picture=self.pictures.view(self.deck, question.card.answer_image),
                    )
                )
            following = exam.next_unanswered(index)
            if following is None:
                outcome = self._confirm_submit()
                if outcome is Step.SUBMIT:
                    return self.env.clock()
                if outcome is Step.ABANDON:
                    return None
            else:
                exam.current = following

    def _abandon(self) -> bool:
        """After Ctrl-C: True to abandon (a second Ctrl-C, or input ends), False to go on."""
        self.out.print(ABANDON_QUESTION, style="bold yellow")
        while True:
            pressed = self.keys.key()
            if pressed is Event.REDRAW or pressed is Event.OTHER:
                continue
            return pressed is Event.INTERRUPT or pressed is Event.EOF

    def _mark(self, question: Question, typed: str) -> Verdict | Step:
        """Reveal the answer of a self-graded question and take the learner's mark: once seen, the
        answer is marked (Step.ABANDON after Ctrl-C twice; Step.STAY, nothing kept, when a
        script's input ends first)."""
        self.out.print(Text("your answer: ", style="dim") + words.plain(typed.strip() or "(none)"))
        picture = self.pictures.view(self.deck, question.card.answer_image)
        self.out.print(
            render.answer_panel(question.card, None, (), None, plain_mode=self.env.plain, picture=picture)
        )
        self.out.print(render.footer([("r", "right"), ("p", "partly right"), ("w", "wrong")]))
        left = self.exam.left(self.env.clock())
        if left is not None:
            minutes, seconds = divmod(round(left.total_seconds()), 60)
            self.out.print(
                f"{minutes:02d}:{seconds:02d} left: the exam is handed in when time is up", style="dim"
            )
        while True:
            left = self.exam.left(self.env.clock())
            pressed = self.keys.timed_key(left.total_seconds() if left is not None else None)
            if pressed is Event.TIMEOUT:
                return Step.STAY  # time is up: the answer is not marked, so not kept
            if isinstance(pressed, str) and pressed.strip().lower() in MARK_KEYS:
                return MARK_KEYS[pressed.strip().lower()]
            if pressed is Event.INTERRUPT or (pressed is Event.EOF and self.keys.interactive):
                if self._abandon():
                    return Step.ABANDON
                continue
            if pressed is Event.EOF:
                return Step.STAY  # the script's input ended before the mark: no answer kept
            if pressed is not Event.REDRAW:
                self.out.print("mark your answer: r right, p partly right, w wrong", style="yellow")

    def _show(self, index: int, question: Question, now: datetime) -> None:
        exam = self.exam
        self.out.print()
        self.out.print(
            render.exam_header(
                self.deck.title, index + 1, len(exam.questions), len(exam.responses), exam.left(now)
            )
        )
        picture = self.pictures.view(self.deck, question.card.image)
        self.out.print(
            render.card_panel(question.card, question.shown, plain_mode=self.env.plain, picture=picture)
        )
        given = exam.responses.get(index)
        if given is not None and exam.final(index):
            self.out.print(
                words.plain(f"your answer: {given} (marked {exam.marks[index].value}: final)"), style="dim"
            )
        elif given is not None and self.immediate:
            self.out.print(words.plain(f"your answer: {given} (final: its answer was shown)"), style="dim")
        elif given is not None:
            self.out.print(
                words.plain(f"your answer so far: {given} (type another to change it)"), style="dim"
            )
        hint = {
            Kind.CHOICE: "the number of your choice",
            Kind.MULTI: "the numbers of every right answer, e.g. 1 3",
            Kind.ORDER: "the numbers in order, e.g. 3 1 2",
            Kind.TRUEFALSE: "t or f",
            Kind.BASIC: "your answer, then mark it",
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
        elif word == ":o":
            # The question's picture only: the answer's would give the answer away.
            image = exam.questions[index].card.image
            said = open_pictures(self.deck, [image]) if image else "this question has no picture"
            self.out.print(words.plain(said), style="dim")
        elif word == ":s":
            return self._confirm_submit()
        elif word == ":q":
            return Step.ABANDON
        else:
            self.out.print(render.plain_pairs(QUIZ_COMMANDS))
        return Step.STAY

    def _confirm_submit(self) -> Step:
        exam = self.exam
        self.out.print(render.exam_list(exam.questions, exam.responses))
        missing = exam.unanswered()
        ask = "Submit? (enter = submit, :g N to go back)"
        question = (
            f"{len(missing)} unanswered question(s) will count as wrong. {ask}"
            if missing
            else f"All answered. {ask}"
        )
        while True:
            self.out.print(question)
            left = exam.left(self.env.clock())
            reply = self.keys.timed_line("> ", left.total_seconds() if left is not None else None)
            if reply is Event.TIMEOUT or (reply is Event.EOF and not self.keys.interactive):
                return Step.SUBMIT
            if isinstance(reply, Event):
                if self._abandon():
                    return Step.ABANDON
                continue
            if reply.strip() in ("", ":s", "y", "yes"):
                return Step.SUBMIT
            word, _, argument = reply.strip().partition(" ")
            if word == ":g" and argument.strip().isdigit() and 1 <= int(argument) <= len(exam.questions):
                exam.current = int(argument) - 1
            return Step.STAY


def history(env: Environment, deck: str | None, as_json: bool = False) -> int:
    """Past exams, of every deck or of one named by its id or its file (its id need not be a
    known deck's any more: the exams are kept)."""
    deck_id = deck_id_of(env, deck) if deck is not None else None
    with env.open_store() as store:
        exams = ExamLog(store)
        attempts = exams.history(deck_id)
        tags = exams.tag_scores(deck_id)
    if deck is not None and not attempts:
        deck_paths(env, [deck])  # no exams and no such deck: say so, and name the known decks
    tz = env.settings.tz
    # In the learner's zone, as the table and the reports give them (the same moments).
    attempts = [
        replace(a, started=a.started.astimezone(tz), finished=a.finished.astimezone(tz)) for a in attempts
    ]
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
