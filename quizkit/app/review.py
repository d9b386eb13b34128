"""The review use case: show a card, take the answer, commit it, show the next.

Split from app.py because it is the one flow that talks with the learner key by
key. It still only wires: the queue is session.py, grading is grading.py, the
screen is render.py, the keys are terminal.py, and every answer is committed
through app.Study before the next card is drawn.
"""

from __future__ import annotations

import os
import random
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import Enum
from pathlib import Path

from quizkit.app.env import Environment
from quizkit.app.study import NoUndo, Study, custom_study, nothing_forgotten, open_study
from quizkit.core import grading, scheduler
from quizkit.core.grading import Grade
from quizkit.errors import DeckError
from quizkit.io import deck_files
from quizkit.model import Card, Key, Kind, Mode, Phase, Rating
from quizkit.ui import render, terminal, words
from quizkit.ui.terminal import Event


class Action(Enum):
    """What the learner did with a card."""

    RATED = "rated"
    UNDO = "undo"
    BURY = "bury"
    SUSPEND = "suspend"
    EDIT = "edit"
    HELP = "help"
    QUIT = "quit"


COMMANDS = {
    "u": Action.UNDO,
    "s": Action.BURY,
    "!": Action.SUSPEND,
    "e": Action.EDIT,
    "?": Action.HELP,
    "q": Action.QUIT,
}
"""The command keys, the same at every step (typed as :u, :s... where an answer is typed)."""


QUIT_KEYS = {"q", Event.EOF, Event.INTERRUPT, Event.ESCAPE}


@dataclass
class Tally:
    """What this session did, for the summary."""

    done: int = 0
    right: int = 0
    started: datetime | None = None
    leeches: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Outcome:
    """What the learner did with one card."""

    action: Action
    rating: Rating | None = None


def review(
    env: Environment,
    paths: Sequence[Path],
    *,
    tags: Sequence[str] = (),
    new: int | None = None,
    limit: int | None = None,
    exam_date: date | None = None,
    editor: Callable[[Path, int], None] | None = None,
    ahead: int | None = None,
    forgotten_days: int | None = None,
) -> int:
    """Run a review session until nothing is due or the learner quits. Returns the exit code.

    `ahead` and `forgotten_days` are custom study (app.study.start_session)."""
    custom_study(ahead, forgotten_days, new, limit)
    keys = terminal.keys_for(env.stdin, env.stdin_isatty)
    now = env.clock()
    with env.open_store() as store:
        study = open_study(
            env,
            store,
            paths,
            now,
            tags=tags,
            new=new,
            reviews=limit,
            exam_date=exam_date,
            ahead=ahead,
            forgotten_days=forgotten_days,
        )
        if forgotten_days is not None and not study.session.new_queue:
            env.stdout.print(nothing_forgotten(forgotten_days))
            return 0
        flow = ReviewFlow(env, study, keys, editor or open_editor)
        return flow.run()


class ReviewFlow:
    def __init__(
        self, env: Environment, study: Study, keys: terminal.Keys, editor: Callable[[Path, int], None]
    ) -> None:
        self.env = env
        self.out = env.stdout
        self.study = study
        self.keys = keys
        self.editor = editor
        self.tally = Tally()
        self.forced: Key | None = None

    # ------------------------------------------------------------ the loop

    def run(self) -> int:
        self.tally.started = self.env.clock()
        while True:
            now = self.env.clock()
            key = self.forced or self.study.session.next(now)
            self.forced = None
            if key is None:
                self._nothing_left(now)
                break
            outcome = self._ask(key)
            if outcome.action is Action.QUIT:
                break
        self._summary()
        return 0

    def _ask(self, key: Key) -> Outcome:
        card = self.study.session.cards[key]
        state = self.study.session.state(key)
        shown = _display_order(card, key, state.reps)
        shown_at = self.env.clock()
        self._show_card(key, card, shown)
        if card.kind.self_graded:
            reveal = self._wait_reveal(key)
            if reveal is not None:
                return reveal
            return self._rate(key, card, None, shown, None, shown_at)
        response = self._take_answer(key, card, shown)
        if isinstance(response, Outcome):
            return response
        grade = grading.grade(card, response, shown or None)
        return self._rate(key, card, grade, shown, response, shown_at)

    # ------------------------------------------------------------ showing

    def _show_card(self, key: Key, card: Card, shown: Sequence[str], selected: Sequence[int] = ()) -> None:
        counts = self.study.session.counts(self.env.clock())
        deck = self.study.session.plans[key[0]].deck
        if self.keys.interactive:
            self.out.clear()  # one card per screen, as in Anki; line mode never moves the cursor
        else:
            self.out.print()
        if self.study.mode is Mode.CRAM:
            self.out.print(render.cram_header(deck.title, counts.new))
        else:
            self.out.print(render.review_header(deck.title, counts.new, counts.learning, counts.review))
        self.out.print(render.card_panel(card, shown, selected))
        if not selected and self.study.changed(key):
            self.out.print("edited since your last review; your progress is kept", style="dim")

    def _footer(self, pairs: Sequence[tuple[str, str]]) -> None:
        if not self.keys.interactive:
            # In line mode a bare Enter (an empty line) stands for Space.
            pairs = [("enter" if key == "space" else key, action) for key, action in pairs]
        self.out.print(render.footer(pairs))

    # ------------------------------------------------------------ input

    def _command(self, key: Key, pressed: str | Event) -> Outcome | None:
        """Handle a key that is a command anywhere; None if it is not one."""
        if pressed in QUIT_KEYS:
            return Outcome(Action.QUIT)
        name = COMMANDS.get(pressed) if isinstance(pressed, str) else None
        if name is None:
            return None
        now = self.env.clock()
        if name is Action.HELP:
            self.out.print(render.help_panel(not self.keys.interactive))
            return Outcome(Action.HELP)
        if name is Action.UNDO:
            undone = self.study.undo(now)
            if isinstance(undone, NoUndo):
                self.out.print(undone.value, style="yellow")
                return Outcome(Action.HELP)
            self.tally.done = max(0, self.tally.done - 1)
            self.out.print(
                words.plain("undone: " + self.study.session.cards.get(undone, _unknown(undone)).prompt)
            )
            self.forced = undone if undone in self.study.session.cards else None
            return Outcome(Action.UNDO)
        if name is Action.BURY:
            self.study.bury(key, now)
            self.out.print("buried until tomorrow", style="dim")
            return Outcome(Action.BURY)
        if name is Action.SUSPEND:
            self.study.suspend(key, now)
            self.out.print("suspended (quizkit unsuspend DECK CARD brings it back)", style="dim")
            return Outcome(Action.SUSPEND)
        if name is Action.EDIT:
            self._edit(key)
            self.forced = key
            return Outcome(Action.EDIT)
        return None

    def _wait_reveal(self, key: Key) -> Outcome | None:
        self._footer(
            [
                ("space", "show answer"),
                ("u", "undo"),
                ("s", "bury"),
                ("e", "edit"),
                ("?", "help"),
                ("q", "quit"),
            ]
        )
        while True:
            pressed = self.keys.key()
            if pressed in (Event.SPACE, Event.ENTER):
                return None
            outcome = self._command(key, pressed)
            if outcome is None:
                self.out.print("press space or enter to show the answer (? for help)", style="yellow")
            elif outcome.action is not Action.HELP:
                return outcome

    def _take_answer(self, key: Key, card: Card, shown: Sequence[str]) -> str | Outcome:
        if card.kind is Kind.CHOICE:
            return self._pick(key, card, f"1-{len(shown)}", shown)
        if card.kind is Kind.TRUEFALSE:
            return self._pick(key, card, "t / f", shown)
        if card.kind is Kind.MULTI and self.keys.interactive:
            return self._toggle(key, card, shown)
        # Typed, order, and multi in line mode: a line of text. Commands are ':u', ':q', ...
        hint = {
            Kind.ORDER: "type the numbers in order, e.g. 3 1 2",
            Kind.MULTI: "type the numbers of every right answer, e.g. 1 3",
        }.get(card.kind, "type the answer")
        self._footer([("enter", hint), (":u", "undo"), (":s", "bury"), (":e", "edit"), (":q", "quit")])
        while True:
            typed = self.keys.line("> ")
            if typed is None:
                return Outcome(Action.QUIT)
            stripped = typed.strip()
            if stripped.startswith(":") and stripped[1:] in COMMANDS:
                outcome = self._command(key, stripped[1:])
                if outcome is not None and outcome.action is not Action.HELP:
                    return outcome
                continue
            if card.kind is not Kind.TYPED:
                problem = grading.understood(card, stripped, shown or None)
                if problem:
                    self.out.print(words.plain(problem), style="yellow")
                    continue
            return typed

    def _pick(self, key: Key, card: Card, what: str, shown: Sequence[str]) -> str | Outcome:
        self._footer(
            [(what, "answer"), ("u", "undo"), ("s", "bury"), ("e", "edit"), ("?", "help"), ("q", "quit")]
        )
        while True:
            pressed = self.keys.key()
            if pressed in (Event.SPACE, Event.ENTER):
                continue
            if isinstance(pressed, str) and grading.understood(card, pressed, shown or None) is None:
                return pressed
            outcome = self._command(key, pressed)
            if outcome is not None and outcome.action is not Action.HELP:
                return outcome
            if outcome is None:
                self.out.print(f"press {what}", style="yellow")

    def _toggle(self, key: Key, card: Card, shown: Sequence[str]) -> str | Outcome:
        picked: list[int] = []
        keys = [("1-9", "select"), ("enter", "submit"), ("u", "undo"), ("q", "quit")]
        self._footer(keys)
        while True:
            pressed = self.keys.key()
            if pressed == Event.ENTER:
                if picked:
                    return " ".join(str(n) for n in sorted(picked))
                self.out.print("select at least one answer", style="yellow")
                continue
            if isinstance(pressed, str) and pressed.isdigit() and 1 <= int(pressed) <= len(shown):
                number = int(pressed)
                if number in picked:
                    picked.remove(number)
                else:
                    picked.append(number)
                self._show_card(key, card, shown, picked)  # redrawn in place, ticks updated
                self._footer(keys)
                continue
            outcome = self._command(key, pressed)
            if outcome is not None and outcome.action is not Action.HELP:
                return outcome

    # ------------------------------------------------------------ rating

    def _rate(
        self,
        key: Key,
        card: Card,
        grade: Grade | None,
        shown: Sequence[str],
        response: str | None,
        shown_at: datetime,
    ) -> Outcome:
        given = _given_text(card, grade, response)
        self.out.print(render.answer_panel(card, grade, shown, given))
        proposed = grade.proposed_rating if grade is not None else None
        now = self.env.clock()
        intervals = {
            int(rating): words.format_interval(delta)
            for rating, delta in self.study.session.preview(key, now).items()
        }
        self.out.print(render.rating_bar(intervals, int(proposed) if proposed else None))
        take = "take the proposed rating" if proposed else "Good"
        self._footer([("space", take), ("1-4", "rate"), ("u", "undo"), ("q", "quit")])
        while True:
            pressed = self.keys.key()
            if pressed in (Event.SPACE, Event.ENTER):
                rating = proposed or Rating.GOOD
                break
            if pressed in ("1", "2", "3", "4"):
                rating = Rating(int(pressed))
                break
            if pressed in QUIT_KEYS:
                return Outcome(Action.QUIT)
            if pressed == "u":
                # Undo here means: forget this answer (nothing is saved yet) and the previous one.
                outcome = self._command(key, "u")
                if outcome is not None:
                    return outcome
            elif pressed == "?":
                self.out.print(render.help_panel(not self.keys.interactive))
            else:
                self.out.print("press 1-4, or space to accept", style="yellow")
        answered_at = self.env.clock()
        duration = max(0, round((answered_at - shown_at).total_seconds() * 1000))
        correct = grade.right if grade is not None else rating > Rating.AGAIN
        change = self.study.rate(
            key,
            rating,
            answered_at,
            proposed=proposed,
            answer=given,
            correct=correct,
            duration_ms=duration,
        )
        self.tally.done += 1
        self.tally.right += int(correct)
        if change.after.leech and not change.before.leech:
            self.tally.leeches.append(card.prompt)
            self.out.print(
                words.plain(
                    f"This card has lapsed {change.after.lapses} times: it is now a leech and suspended."
                ),
                style="yellow",
            )
        return Outcome(Action.RATED, rating)

    # ------------------------------------------------------------ edit

    def _edit(self, key: Key) -> None:
        plan = self.study.session.plans[key[0]]
        card = self.study.session.cards[key]
        path = Path(plan.deck.path)
        try:
            self.editor(path, card.line)
        except (OSError, subprocess.SubprocessError) as error:
            self.out.print(words.plain(f"could not start the editor: {error}"), style="red")
            return
        try:
            deck = deck_files.load_deck(path)
        except DeckError as error:
            for problem in error.problems:
                self.env.stderr.print(render.problem(problem), soft_wrap=True)
            self.out.print(
                "the deck has errors; keeping the card as it was. Fix them and press e again.", style="yellow"
            )
            return
        plan.deck = deck
        for fresh in deck.cards:
            if (deck.id, fresh.id) in self.study.session.cards:
                self.study.session.cards[(deck.id, fresh.id)] = fresh
        self.out.print("deck reloaded", style="dim")

    # ------------------------------------------------------------ the end

    def _nothing_left(self, now: datetime) -> None:
        pending = self.study.session.next_learning_due()
        if pending is not None:
            back = words.due_in_words(pending, now, self.env.settings.tz)
            self.out.print(f"Nothing more right now: learning cards come back {back}.")
            return
        upcoming = [self.study.store.next_due(deck_id, now) for deck_id in self.study.session.plans]
        soonest = min((d for d in upcoming if d is not None), default=None)
        if self.tally.done == 0:
            self.out.print("Nothing is due now.", style="bold")
        if soonest is not None:
            self.out.print(f"Next card: {words.due_in_words(soonest, now, self.env.settings.tz)}.")
        elif self.tally.done == 0:
            self.out.print("No cards are scheduled yet.")

    def _summary(self) -> None:
        if self.tally.done == 0 and not self.tally.leeches:
            return
        now = self.env.clock()
        started = self.tally.started or now
        session = self.study.session
        config = next(iter(session.plans.values())).config
        tomorrow_end = scheduler.day_start(scheduler.study_day(now, config) + timedelta(days=2), config)
        due_tomorrow = sum(
            1
            for state in session.states.values()
            if state.phase is not Phase.NEW
            and not state.suspended
            and state.due is not None
            and state.due < tomorrow_end
        )
        upcoming = [self.study.store.next_due(deck_id, now) for deck_id in session.plans]
        soonest = min((d for d in upcoming if d is not None), default=None)
        self.out.print(
            render.summary(
                render.Summary(
                    done=self.tally.done,
                    right=self.tally.right,
                    seconds=(now - started).total_seconds(),
                    due_tomorrow=due_tomorrow,
                    next_due=words.due_in_words(soonest, now, self.env.settings.tz) if soonest else None,
                    streak=streak(self.study, now),
                    leeches=tuple(self.tally.leeches),
                )
            )
        )


def streak(study: Study, now: datetime) -> int:
    """The current streak, for the summary: the figure quizkit stats and the dashboard show.

    Read only at the end of a session, so the figures stay off the start-up path.
    """
    from quizkit.store.figures import Figures

    return Figures(study.store).current_streak(now, next(iter(study.session.plans.values())).config)


def _display_order(card: Card, key: Key, reps: int) -> list[str]:
    """Choices and order items shuffled the same way for the same card and review count."""
    if card.kind in (Kind.CHOICE, Kind.MULTI):
        items = list(card.choices)
    elif card.kind is Kind.ORDER:
        items = list(card.accept)
    else:
        return []
    rng = random.Random(f"{key[0]}/{key[1]}/{reps}")
    for _ in range(5):
        rng.shuffle(items)
        if card.kind is not Kind.ORDER or items != list(card.accept):
            break
    return items


def _given_text(card: Card, grade: Grade | None, response: str | None) -> str | None:
    if response is None:
        return None
    return grade.given if grade is not None and grade.given else response


def _unknown(key: Key) -> Card:
    return Card(key[1], Kind.BASIC, key[1], "", ())


def open_editor(path: Path, line: int) -> None:
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    import shlex

    subprocess.run([*shlex.split(editor), f"+{line}", str(path)], check=False)
