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
from datetime import date, datetime, timedelta
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING

from msgspec import Struct, field
from rich.console import RenderableType
from rich.text import Text

from quizkit.app.env import Environment
from quizkit.app.pictures import Pictures, open_pictures, pictures_of
from quizkit.app.study import NoUndo, Study, Undid, custom_study, nothing_forgotten, open_study
from quizkit.core import grading, scheduler
from quizkit.core.grading import Grade
from quizkit.errors import DeckError
from quizkit.io import deck_files
from quizkit.model import Card, Key, Kind, Mode, Phase, Rating
from quizkit.ui import render, terminal, words
from quizkit.ui.screen import Display, Frame, Lines, Screen
from quizkit.ui.terminal import Event

if TYPE_CHECKING:
    from quizkit.store.progress import Store


class Action(Enum):
    """What the learner did with a card."""

    RATED = "rated"
    UNDO = "undo"
    BURY = "bury"
    SUSPEND = "suspend"
    EDIT = "edit"
    OPEN = "open"
    HELP = "help"
    QUIT = "quit"


COMMANDS = {
    "u": Action.UNDO,
    "s": Action.BURY,
    "!": Action.SUSPEND,
    "e": Action.EDIT,
    "o": Action.OPEN,
    "?": Action.HELP,
    "q": Action.QUIT,
}
"""The command keys, the same at every step (typed as :u, :s... where an answer is typed)."""


QUIT_KEYS = {"q", Event.EOF, Event.INTERRUPT, Event.ESCAPE}

IGNORED = {Event.OTHER, Event.LEFT, Event.RIGHT, Event.BACKSPACE, Event.REDRAW}
"""Keys that mean nothing in the review: never a command, never a complaint."""


class Tally(Struct):
    """What this session did, for the summary."""

    done: int = 0
    right: int = 0
    started: datetime | None = None
    leeches: list[str] = field(default_factory=list)


class Outcome(Struct, frozen=True):
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
        if env.settings.sync_folder is not None:
            sync_quietly(env, store, "before")
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
        code = flow.run()
        if env.settings.sync_folder is not None:
            sync_quietly(env, store, "after")
        return code


def sync_quietly(env: Environment, store: Store, when: str) -> None:
    """With sync_folder set, a review syncs before it starts and after it ends: one line on
    stderr, and a sync that fails is a warning (the answers are saved either way)."""
    from quizkit.app.sync import device_name, run_sync
    from quizkit.errors import QuizkitError

    assert env.settings.sync_folder is not None
    try:
        report = run_sync(store, env.settings.sync_folder, env.clock(), device_name())
    except QuizkitError as error:
        env.stderr.print(words.plain(f"warning: not synced {when} the review: {error}"), soft_wrap=True)
        return
    line = (
        f"synced {when} the review: sent {words.count(report.sent, 'event')}, received {report.received} "
        f"from {words.count(len(report.from_devices), 'device')}"
    )
    env.stderr.print(words.plain(line), soft_wrap=True)
    for warning in report.warnings:
        env.stderr.print(words.plain(f"warning: {warning}"), soft_wrap=True)


class ReviewFlow:
    """One card after another: shown, answered, rated and committed; commands work at every step."""

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
        self.plain = env.plain
        self.screen: Screen | None = None
        self.display: Display = Lines(self.out, keys)
        self.help_open = False
        self.backup_said: str | None = None
        self.emptied: datetime | None = None
        """When the queue ran out (the learner did not quit)."""
        self.pictures = Pictures(
            env.stdout,
            env.settings.images,
            line_mode=not (keys.interactive and env.stdout.is_terminal),
            plain_mode=self.plain,
        )
        self.revealed = False
        """Whether the card on screen shows its answer (and so its answer's picture)."""
        self.current: Key | None = None
        """The card on screen."""
        self.shown: Sequence[str] = ()
        """Its options, in the order shown."""

    # ------------------------------------------------------------ the loop

    def run(self) -> int:
        self.tally.started = self.env.clock()
        with self.keys.hold():
            whole = self.keys.interactive and not self.plain and self.out.is_terminal
            if whole and isinstance(self.keys, terminal.TerminalKeys):  # else lines (a pipe, --plain)
                with Screen(self.out, self.keys) as screen:
                    self.screen = screen
                    self.display = screen
                    last = self._loop()
                self.screen = None
                self.display = Lines(self.out, self.keys)
                if last is not None:
                    self.out.print(last)  # the last message, kept on the normal screen
                if self.emptied is not None:
                    self._say_nothing_left(self.emptied)
            else:
                self._loop()
        self._summary()
        return 0

    def _loop(self) -> RenderableType | None:
        while True:
            now = self.env.clock()
            key = self.forced or self.study.session.next(now)
            self.forced = None
            if key is None:
                last = self.display.frame.status
                self._nothing_left(now)
                return last
            outcome = self._ask(key)
            if outcome.action is Action.QUIT:
                return None

    def _ask(self, key: Key) -> Outcome:
        self.current = key
        card = self.study.session.cards[key]
        state = self.study.session.state(key)
        shown = _display_order(card, key, state.reps)
        self.shown = shown
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

    def _header(self, key: Key) -> RenderableType:
        counts = self.study.session.counts(self.env.clock())
        deck = self.study.session.plans[key[0]].deck
        if self.study.mode is Mode.CRAM:
            return render.cram_header(deck.title, counts.new)
        return render.review_header(deck.title, counts.new, counts.learning, counts.review)

    def _show_card(self, key: Key, card: Card, shown: Sequence[str]) -> None:
        status = self.display.frame.status  # a message from the last action stays until the next key
        if self.study.changed(key):
            status = self._note("edited since your last review; your progress is kept", "dim")
        self.help_open = False
        self.revealed = False
        self.display.show(
            Frame(
                header=self._header(key),
                question=self._question(key, card, shown),
                status=status,
            )
        )

    def _question(
        self, key: Key, card: Card, shown: Sequence[str], picked: Sequence[int] = ()
    ) -> RenderableType:
        deck = self.study.session.plans[key[0]].deck
        picture = self.pictures.view(deck, card.image)
        return render.card_panel(card, shown, picked, plain_mode=self.plain, picture=picture)

    def _opens(self, card: Card) -> bool:
        """Whether o opens pictures now: the card shows one, and o is not one of its answers (an
        option named O is answered by o, as on a card without a picture)."""
        if not pictures_of(card, self.revealed):
            return False
        if card.kind in (Kind.CHOICE, Kind.TRUEFALSE) and not self.revealed:
            return grading.understood(card, "o", self.shown or None) is not None
        return True

    def _pairs(self, key: Key, pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
        """The footer's keys, with o for a card that has a picture to open."""
        card = self.study.session.cards.get(key)
        if card is not None and self._opens(card):
            pairs.insert(max(0, len(pairs) - 2), (":o" if pairs[0][0] == "enter" else "o", "open picture"))
        return pairs

    def _bottom(self, pairs: Sequence[tuple[str, str]], *above: RenderableType) -> None:
        if self.current is not None:
            pairs = self._pairs(self.current, list(pairs))
        if not self.keys.interactive:
            # In line mode a bare Enter (an empty line) stands for Space.
            pairs = [("enter" if key == "space" else key, action) for key, action in pairs]
        self.display.update(bottom=(*above, render.footer(pairs)))

    def _note(self, message: str, style: str = "yellow") -> Text:
        return words.plain(message, style=style)

    def _say(self, message: str, style: str = "yellow") -> None:
        self.display.say(self._note(message, style))

    def _note_next(self, message: str, style: str = "yellow") -> None:
        """A message for the next card's screen (several are kept, one per line)."""
        status = self.display.frame.status
        text = self._note(message, style)
        if isinstance(status, Text) and self.screen is not None:
            text = Text("\n").join([status, text])
        self.display.note(text)

    # ------------------------------------------------------------ input

    def _key(self) -> str | Event:
        while True:
            pressed = self.display.key()
            if pressed not in IGNORED:
                return pressed

    def _command(self, key: Key, pressed: str | Event) -> Outcome | None:
        """Handle a key that is a command anywhere; None if it is not one."""
        if pressed in QUIT_KEYS:
            return Outcome(Action.QUIT)
        name = COMMANDS.get(pressed) if isinstance(pressed, str) else None
        if name is None:
            return None
        now = self.env.clock()
        if name is Action.HELP:
            self._toggle_help()
            return Outcome(Action.HELP)
        if name is Action.UNDO:
            return self._undo(now)
        card = self.study.session.cards[key]
        if name is Action.OPEN:
            shown = pictures_of(card, self.revealed)
            if not shown:
                return None  # o means nothing on a card without a picture
            deck = self.study.session.plans[key[0]].deck
            self._say(open_pictures(deck, shown), "dim")
            return Outcome(Action.HELP)  # stay on the card
        if name is Action.BURY:
            self.study.bury(key, now)
            self._say(f"buried until tomorrow: {_short(card.prompt)} (u undoes it)", "dim")
            return Outcome(Action.BURY)
        if name is Action.SUSPEND:
            self.study.suspend(key, now)
            self._say(
                f"suspended: {_short(card.prompt)} (u undoes it; later: quizkit unsuspend {key[0]} {key[1]})",
                "dim",
            )
            return Outcome(Action.SUSPEND)
        if name is Action.EDIT:
            if not self._edit(key):
                return Outcome(Action.HELP)  # nothing changed: stay where the learner was
            self.forced = key
            return Outcome(Action.EDIT)
        return None

    def _toggle_help(self) -> None:
        if self.screen is None:
            self.out.print(render.help_panel(not self.keys.interactive, plain_mode=self.plain))
            return
        self.help_open = not self.help_open
        self.screen.update(help=render.help_panel(False) if self.help_open else None)

    def _undo(self, now: datetime) -> Outcome:
        undone = self.study.undo(now)
        if isinstance(undone, NoUndo):
            self._say(undone.value)
            return Outcome(Action.HELP)
        if undone.what is Undid.EDIT:
            self._reload(undone.path or Path())
            self._say(f"undone: the edit of {undone.path}", "dim")
            return Outcome(Action.UNDO)
        assert undone.key is not None
        if undone.what is Undid.ANSWER:
            self.tally.done = max(0, self.tally.done - 1)
        prompt = self.study.session.cards.get(undone.key, _unknown(undone.key)).prompt
        what = "undone" if undone.what is Undid.ANSWER else f"{undone.what.value} undone"
        self._say(f"{what}: {_short(prompt)}", "dim")
        self.forced = undone.key if undone.key in self.study.session.cards else None
        return Outcome(Action.UNDO)

    def _wait_reveal(self, key: Key) -> Outcome | None:
        self._bottom(
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
            pressed = self._key()
            if pressed in (Event.SPACE, Event.ENTER):
                return None
            outcome = self._command(key, pressed)
            if outcome is None:
                self._say("press space or enter to show the answer (? for help)")
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
        self._bottom([("enter", hint), (":u", "undo"), (":s", "bury"), (":e", "edit"), (":q", "quit")])
        while True:
            typed = self.display.line("> ")
            if typed is None:
                return Outcome(Action.QUIT)
            stripped = typed.strip()
            if stripped.startswith(":") and stripped[1:] in COMMANDS:
                outcome = self._command(key, stripped[1:])
                if outcome is not None and outcome.action is not Action.HELP:
                    return outcome
                if outcome is None:  # :o on a card without a picture
                    self._say("this card has no picture")
                continue
            if card.kind is not Kind.TYPED:
                problem = grading.understood(card, stripped, shown or None)
                if problem:
                    self._say(problem)
                    continue
            return typed

    def _pick(self, key: Key, card: Card, what: str, shown: Sequence[str]) -> str | Outcome:
        self._bottom(
            [(what, "answer"), ("u", "undo"), ("s", "bury"), ("e", "edit"), ("?", "help"), ("q", "quit")]
        )
        while True:
            pressed = self._key()
            if pressed in (Event.SPACE, Event.ENTER):
                continue
            # A command key wins over a choice letter ('e' on a card of five options is edit; the
            # options are numbered in the footer).
            is_command = pressed in QUIT_KEYS or (
                pressed in COMMANDS and (pressed != "o" or self._opens(card))
            )
            if (
                not is_command
                and isinstance(pressed, str)
                and grading.understood(card, pressed, shown or None) is None
            ):
                return pressed
            outcome = self._command(key, pressed)
            if outcome is not None and outcome.action is not Action.HELP:
                return outcome
            if outcome is None:
                self._say(f"press {what}")

    def _toggle(self, key: Key, card: Card, shown: Sequence[str]) -> str | Outcome:
        picked: list[int] = []
        self._bottom(
            [
                ("1-9", "select"),
                ("enter", "submit"),
                ("u", "undo"),
                ("s", "bury"),
                ("e", "edit"),
                ("?", "help"),
                ("q", "quit"),
            ]
        )
        while True:
            pressed = self._key()
            if pressed == Event.ENTER:
                if picked:
                    return " ".join(str(n) for n in sorted(picked))
                self._say("select at least one answer")
                continue
            if isinstance(pressed, str) and pressed.isdigit() and 1 <= int(pressed) <= len(shown):
                number = int(pressed)
                if number in picked:
                    picked.remove(number)
                else:
                    picked.append(number)
                self.display.update(
                    question=self._question(key, card, shown, picked)
                )  # redrawn in place, ticks updated
                continue
            outcome = self._command(key, pressed)
            if outcome is not None and outcome.action is not Action.HELP:
                return outcome
            if outcome is None:
                self._say("press the numbers to select, enter to submit")

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
        proposed = grade.proposed_rating if grade is not None else None
        now = self.env.clock()
        intervals = {
            int(rating): words.format_interval(delta)
            for rating, delta in self.study.session.preview(key, now).items()
        }
        self.revealed = True
        deck = self.study.session.plans[key[0]].deck
        picture = self.pictures.view(deck, card.answer_image)
        self.display.update(
            answer=render.answer_panel(card, grade, shown, given, plain_mode=self.plain, picture=picture)
        )
        take = "accept ›" if proposed else "Good"
        self._bottom(
            [
                ("space", take),
                ("1-4", "rate"),
                ("u", "undo"),
                ("s", "bury"),
                ("!", "suspend"),
                ("e", "edit"),
                ("?", "help"),
                ("q", "quit"),
            ],
            render.rating_bar(intervals, int(proposed) if proposed else None),
        )
        while True:
            pressed = self._key()
            if pressed in (Event.SPACE, Event.ENTER):
                rating = proposed or Rating.GOOD
                break
            if pressed in ("1", "2", "3", "4"):
                rating = Rating(int(pressed))
                break
            # Undo here means: leave this answer (nothing is saved yet) and take back the previous.
            outcome = self._command(key, pressed)
            if outcome is None:
                self._say("press 1-4, or space to accept")
            elif outcome.action is not Action.HELP:
                return outcome
        answered_at = self.env.clock()
        duration = max(0, round((answered_at - shown_at).total_seconds() * 1000))
        graded = grade.right if grade is not None else None
        # The learner has the last word: a wrong verdict rated Hard or better counts as right, and a
        # right one rated Again as wrong. The log keeps the automatic verdict beside it.
        correct = rating > Rating.AGAIN
        change = self.study.rate(
            key,
            rating,
            answered_at,
            proposed=proposed,
            answer=given,
            correct=correct,
            graded=graded,
            duration_ms=duration,
        )
        self.tally.done += 1
        self.tally.right += int(correct)
        # Said on the next card's screen: this card is not drawn again once it is answered.
        self.display.note(None)
        if graded is not None and graded != correct:
            self._note_next(
                "counted as right, as you said (u undoes it)"
                if correct
                else "counted as wrong, as you said (u undoes it)",
                "dim",
            )
        if change.after.leech and not change.before.leech:
            self.tally.leeches.append(card.prompt)
            self._note_next(
                f"This card has lapsed {change.after.lapses} times: it is now a leech and suspended "
                f"(u undoes the answer; quizkit unsuspend {key[0]} {key[1]} brings it back).",
            )
        warning = self.study.store.backup_warning
        if warning and warning != self.backup_said:
            self.backup_said = warning
            self._note_next(warning)
        return Outcome(Action.RATED, rating)

    # ------------------------------------------------------------ edit

    def _edit(self, key: Key) -> bool:
        """Edit the card's deck; whether the deck changed (and was reloaded)."""
        plan = self.study.session.plans[key[0]]
        card = self.study.session.cards[key]
        from quizkit.app import library
        from quizkit.errors import QuizkitError

        try:
            path, copied = library.editable_path(self.env, plan.deck)  # a bundled deck: a copy
        except QuizkitError as error:
            self._say(f"cannot edit the deck: {error}", "red")
            return False
        note = library.copied_message(path) + " " if copied else ""
        try:
            before = path.read_bytes()
        except OSError as error:
            self._say(f"could not read the deck file {path}: {error.strerror or error}", "red")
            return False
        try:
            if self.screen is not None:
                with self.screen.suspended():
                    self.editor(path, card.line)
            else:
                self.editor(path, card.line)
        except (OSError, subprocess.SubprocessError) as error:
            reason = getattr(error, "strerror", None) or error
            name = Path(_editor_name().split()[0]).name
            import shutil

            found = next(
                (e for e in ("nano", "vim", "vi", "emacs", "micro") if e != name and shutil.which(e)), None
            )
            example = f", e.g. export EDITOR={found}" if found else ""
            self._say(
                f"could not start the editor {name}: {reason}. "
                f"Set $VISUAL or $EDITOR to an editor you have{example}",
                "red",
            )
            return False
        try:
            after = path.read_bytes()
        except OSError:
            after = before
        if after == before:
            self._say(note + "the deck was not changed", "yellow" if note else "dim")
            return False
        if not self._reload(path):
            return False
        self.study.note_edit(path, before, after)
        self._say(note + "deck reloaded (u undoes the edit)", "yellow" if note else "dim")
        return True

    def _reload(self, path: Path) -> bool:
        try:
            deck = deck_files.load_deck(path)
        except DeckError as error:
            for problem in error.problems[:3]:
                self.display.say(render.problem(problem))
            self._say(
                f"{path} has {len(error.problems)} error(s); keeping the cards as they were. "
                "Fix them and press e again.",
            )
            return False
        plan = self.study.session.plans.get(deck.id)  # by id: a bundled deck's edit is its own copy
        if plan is None:
            return False
        plan.deck = deck
        for fresh in deck.cards:
            if (deck.id, fresh.id) in self.study.session.cards:
                self.study.session.cards[(deck.id, fresh.id)] = fresh
        return True

    # ------------------------------------------------------------ the end

    def _nothing_left(self, now: datetime) -> None:
        self.emptied = now
        if self.screen is not None:
            return  # said on the normal screen, once the session's screen is gone
        self._say_nothing_left(now)

    def _say_nothing_left(self, now: datetime) -> None:
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
            suspended = sum(1 for state in self.study.session.states.values() if state.suspended)
            if suspended:
                self.out.print(
                    f"{suspended} card{'s are' if suspended != 1 else ' is'} suspended "
                    "(quizkit unsuspend DECK --all brings them back)."
                )
            else:
                self.out.print("No cards are scheduled yet.")

    def _summary(self) -> None:
        now = self.env.clock()
        if self.tally.done == 0 and not self.tally.leeches:
            return
        started = self.tally.started or now
        session = self.study.session
        config = next(iter(session.plans.values())).config
        tomorrow = scheduler.study_day(now, config) + timedelta(days=1)
        tomorrow_start = scheduler.day_start(tomorrow, config)
        tomorrow_end = scheduler.day_start(tomorrow + timedelta(days=1), config)
        # Due tomorrow: cards that fall due during tomorrow's study day, and those due before it
        # that are still waiting (learning cards due today are today's, as the forecast counts them).
        due_tomorrow = sum(
            1
            for state in session.states.values()
            if state.phase is not Phase.NEW
            and not state.suspended
            and state.due is not None
            and (
                tomorrow_start <= state.due < tomorrow_end
                or (state.phase is Phase.REVIEW and state.due < tomorrow_start)
            )
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
                ),
                plain_mode=self.plain,
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


def _editor_name() -> str:
    return os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"


def _short(text: str, width: int = 60) -> str:
    first = text.strip().splitlines()[0] if text.strip() else text
    return first if len(first) <= width else first[: width - 1].rstrip() + "…"


def open_editor(path: Path, line: int) -> None:
    import shlex

    subprocess.run([*shlex.split(_editor_name()), f"+{line}", str(path)], check=False)
