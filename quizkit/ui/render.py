"""Rich renderables. Nothing here reads input or touches the store.

Deck text is untrusted: it reaches the terminal only through `clean()` and
`Text`, never as markup, so a deck cannot restyle or take over the terminal.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from msgspec import Struct
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.panel import Panel
from rich.text import Text

from quizkit.core.grading import Edit, Grade
from quizkit.core.text import clean
from quizkit.errors import Problem, Severity
from quizkit.model import Card, Deck, Kind
from quizkit.ui.words import formulas, plain

if TYPE_CHECKING:  # only the types: render draws a result, it never runs an exam
    from rich.table import Table

    from quizkit.core.exam import QuizResult

    # 18 record classes: off the start-up path


def _table(**options: Any) -> Table:
    # rich.table (with fractions and decimal) is loaded on first use: the first card needs none.
    from rich.table import Table

    return Table(**options)


def _grid(**options: Any) -> Table:
    from rich.table import Table

    return Table.grid(**options)


def boxed(
    body: RenderableType, title: str | Text | None, plain_mode: bool, border_style: str = "", **options: Any
) -> RenderableType:
    """A panel; in plain mode (screen readers) the title as a labelled line, then the body: no box."""
    if plain_mode:
        label = Text(f"{title if isinstance(title, str) else title.plain}:", style="bold") if title else None
        return Group(label, body) if label is not None else body
    heading = Text(title) if isinstance(title, str) else title
    return Panel(
        body, title=heading, title_align="left", border_style=border_style, padding=(0, 1), **options
    )


def problem(p: Problem) -> Text:
    colour = "red" if p.severity is Severity.ERROR else "yellow"
    line = Text()
    line.append(clean(f"{p.path}:{p.line}" if p.line else p.path), style="bold")
    line.append(": ")
    line.append(p.severity, style=colour)
    if p.card:
        line.append(": card ")
        line.append(clean(p.card), style="cyan")
    line.append(": " + clean(p.message))
    if p.hint:
        line.append(" — " + clean(p.hint), style="dim")
    return line


def counts(counter: Counter[str]) -> str:
    return " · ".join(f"{name} {n}" for name, n in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])))


def deck_summary(deck: Deck, warnings: int) -> RenderableType:
    kinds = Counter(card.kind.value for card in deck.cards)
    tags = Counter(tag for card in deck.cards for tag in card.tags)
    head = Text()
    head.append("✓ ", style="green")
    head.append(clean(deck.path), style="bold")
    head.append(f"  {clean(deck.id)} · {len(deck.cards)} cards")
    if warnings:
        head.append(f" · {warnings} warning{'s' if warnings != 1 else ''}", style="yellow")
    table = _grid(padding=(0, 1))
    table.add_column(style="dim", no_wrap=True)
    table.add_column()
    table.add_row("title", plain(deck.title))
    table.add_row("kinds", counts(kinds) or "-")
    table.add_row("tags", plain(counts(tags)) if tags else Text("-"))
    return Group(head, table)


def card_table(deck: Deck) -> Table:
    """Every card as a teacher proofreads it: question with its options, answer, explanation, tags."""
    table = _table(title=plain(deck.title), show_lines=True, expand=False)
    table.add_column("id", style="cyan", overflow="fold")
    table.add_column("kind", no_wrap=True)
    table.add_column("question", overflow="fold", ratio=3)
    table.add_column("answer", overflow="fold", ratio=2)
    table.add_column("tags", style="dim", overflow="fold")
    for card in deck.cards:
        question = plain(card.prompt)
        for number, option in enumerate(card.choices, start=1):
            question.append(f"\n{number}. ")
            question.append_text(plain(option, style="green" if option in card.accept else ""))
        answer = plain(card.answer)
        if card.kind in (Kind.TYPED, Kind.CLOZE) and len(card.accept) > 1:
            answer.append("\nalso: " + clean(", ".join(card.accept[1:])), style="dim")
        if card.explain:
            answer.append("\n" + clean(card.explain), style="dim italic")
        table.add_row(plain(card.id), card.kind.value, question, answer, plain(" ".join(card.tags)))
    return table


RATING_NAMES = {1: "Again", 2: "Hard", 3: "Good", 4: "Easy"}


RATING_STYLES = {1: "red", 2: "yellow", 3: "green", 4: "blue"}


def review_header(title: str, new: int, learning: int, review: int) -> Chips:
    return Chips(
        [
            Text(clean(title), style="bold"),
            Text(f"{new} new", style="blue"),
            Text(f"{learning} learning", style="red"),
            Text(f"{review} review", style="green"),
        ],
        ["  "],
    )


def card_panel(
    card: Card,
    shown: Sequence[str],
    selected: Iterable[int] = (),
    *,
    plain_mode: bool = False,
    picture: RenderableType | None = None,
) -> RenderableType:
    """The question, its picture (drawn, or its alt text), and numbered options for choice, multi
    and order cards."""
    body = Text()
    body.append_text(plain(formulas(card.prompt)))
    first: list[RenderableType] = []
    if picture is not None:
        first, body = [body, picture], Text()
    picked = set(selected)
    if card.kind is Kind.TRUEFALSE:
        body.append("\n\nTrue or false?", style="dim")
    elif shown:
        body.append("\n")
        for number, option in enumerate(shown, start=1):
            mark = ""
            if card.kind is Kind.MULTI:
                mark = (
                    ("selected " if plain_mode else "[x] ")
                    if number in picked
                    else ("" if plain_mode else "[ ] ")
                )
            body.append(f"\n{number}. {mark}", style="bold" if number in picked else "")
            body.append_text(plain(option))
    title = {
        Kind.BASIC: "question",
        Kind.TYPED: "type the answer",
        Kind.CHOICE: "choose one",
        Kind.MULTI: "select all that apply",
        Kind.TRUEFALSE: "true or false",
        Kind.CLOZE: "fill the gap",
        Kind.ORDER: "put in order",
    }[card.kind]
    content: RenderableType = body
    if first:  # the prompt, the picture, then the options (their text starts with a blank line)
        content = Group(*first, body) if body.plain else Group(*first)
    return boxed(content, f"Question, {title}" if plain_mode else title, plain_mode, border_style="cyan")


class Chips:
    """Short items in a row, wrapped between items, never inside one: 'u undo · q quit' at any
    width keeps each key beside its label and each figure beside its name."""

    def __init__(self, items: Sequence[Text], separators: Sequence[str] = ()) -> None:
        self.items = list(items)
        self.separators = list(separators)

    def _separator(self, index: int) -> str:
        return self.separators[index - 1] if index - 1 < len(self.separators) else " · "

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        line = Text()
        for index, item in enumerate(self.items):
            separator = self._separator(index) if index else ""
            if line and line.cell_len + len(separator) + item.cell_len > width:
                yield from _line(line, console, options)
                line = Text()
            elif line:
                line.append(separator, style="dim")
            line.append_text(item)
        yield from _line(line, console, options)

    @property
    def plain(self) -> str:
        return "".join((self._separator(i) if i else "") + item.plain for i, item in enumerate(self.items))


def _line(line: Text, console: Console, options: ConsoleOptions) -> RenderResult:
    """A line that fits as it is: its segments straight away, as Text's own rendering gives them
    when it has nothing to wrap, tab or justify (half the time of a header, on every card)."""
    if (
        line.cell_len <= options.max_width
        and options.justify in (None, "default")
        and not _BREAKS & set(line.plain)
    ):
        yield from line.render(console, end="\n")
    else:
        yield line


_BREAKS = frozenset("\n\t")

NARROW = 60
"""Below this width a footer keeps only the keys of the step; ? help lists the rest."""

SECONDARY_KEYS = frozenset({"s", "!", "e", ":s", ":e"})


class Footer(Chips):
    """'space show answer · u undo · q quit'."""

    def __init__(self, pairs: Sequence[tuple[str, str]]) -> None:
        self.pairs = list(pairs)
        super().__init__([self._pair(key, action) for key, action in pairs])

    @staticmethod
    def _pair(key: str, action: str) -> Text:
        return Text.assemble((key, "bold"), (f" {action}", "dim"))

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        if options.max_width < NARROW:
            self.items = [self._pair(k, a) for k, a in self.pairs if k not in SECONDARY_KEYS]
        else:
            self.items = [self._pair(k, a) for k, a in self.pairs]
        yield from super().__rich_console__(console, options)


def footer(pairs: Sequence[tuple[str, str]]) -> Footer:
    return Footer(pairs)


def verdict(grade: Grade) -> Text:
    styles = {"right": "bold green", "typo": "bold green", "partial": "bold yellow", "wrong": "bold red"}
    words = {"right": "✓ Right", "typo": "✓ Right (typo)", "partial": "~ Partly right", "wrong": "✗ Wrong"}
    line = Text(words[grade.verdict.value], style=styles[grade.verdict.value])
    if grade.verdict.value == "partial":
        line.append(f" ({partial_reason(grade)})")
    return line


def partial_reason(grade: Grade) -> str:
    """What 'partly right' earned, in words: the share of the answer that was right and why."""
    share = f"{round(grade.score * 100)}%"
    if grade.positions:
        places = sum(grade.positions)
        return f"{places} of {len(grade.positions)} in the right place: {share} of the marks"
    if grade.picked_right or grade.missed or grade.picked_wrong:
        total = len(grade.picked_right) + len(grade.missed)
        text = f"{len(grade.picked_right)} of {total} right answers picked"
        if grade.picked_wrong:
            wrong = len(grade.picked_wrong)
            text += f", {wrong} wrong pick{'s' if wrong != 1 else ''} taken off"
        return f"{text}: {share} of the marks"
    return f"{share} of the marks"


def typo_diff(grade: Grade) -> Text | None:
    """The typo shown against the answer: [-x] typed but not in it, [+y] in it but not typed.

    The brackets keep the diff readable without colour (line mode, NO_COLOR, screen readers).
    """
    if not grade.diff:
        return None
    line = Text("your typo: ", style="dim")
    for edit, text in grade.diff:
        if edit is Edit.SAME:
            line.append(clean(text))
        elif edit is Edit.EXTRA:
            line.append(f"[-{clean(text)}]", style="red")
        else:
            line.append(f"[+{clean(text)}]", style="green")
    return line


def answer_panel(
    card: Card,
    grade: Grade | None,
    shown: Sequence[str],
    given: str | None,
    *,
    plain_mode: bool = False,
    picture: RenderableType | None = None,
) -> RenderableType:
    """After answering: right or wrong, the correct answer, the explanation and the source."""
    parts: list[RenderableType] = []
    if grade is not None:
        head = verdict(grade)
        parts.append(head)
        if card.kind is Kind.ORDER and grade.positions and given:
            mine = Text("your order:", style="dim")
            for number, (item, ok) in enumerate(zip(given.split(" → "), grade.positions, strict=False), 1):
                mine.append(f"\n{'✓' if ok else '✗'} {number}. ", style="green" if ok else "red")
                mine.append_text(plain(item))
            parts.append(mine)
        elif given is not None and card.kind is not Kind.TRUEFALSE:
            comparison = wrong_answer_comparison(card, grade)
            if comparison is not None:
                parts.append(comparison)  # typed against the closest accepted answer, differences marked
            else:
                parts.append(Text("your answer: ", style="dim") + plain(given or "(none)"))
        diff = typo_diff(grade)
        if diff is not None:
            parts.append(diff)
        if card.kind is Kind.MULTI and (grade.picked_wrong or grade.missed):
            if grade.picked_wrong:
                parts.append(Text("not right: ", style="red") + plain("; ".join(grade.picked_wrong)))
            if grade.missed:
                parts.append(Text("missed: ", style="yellow") + plain("; ".join(grade.missed)))
    answer = Text()
    if card.kind is Kind.ORDER:
        answer.append("right order:", style="bold")
        for number, item in enumerate(card.accept, start=1):
            answer.append(f"\n{number}. ")
            answer.append_text(plain(item))
    elif card.kind is Kind.MULTI:
        answer.append("right answers:", style="bold")
        for item in card.accept:
            answer.append("\n• ")
            answer.append_text(plain(item))
    else:
        answer.append("answer: ", style="bold")
        answer.append_text(plain(card.answer))
    parts.append(answer)
    if picture is not None:
        parts.append(picture)
    if card.explain:
        parts.append(plain(card.explain))
    if card.source:
        parts.append(Text("source: ", style="dim") + plain(card.source, style="dim italic"))
    return boxed(
        Group(*parts),
        "Answer" if plain_mode else None,
        plain_mode,
        border_style="green" if grade is None or grade.right else "red",
    )


def rating_bar(intervals: Mapping[int, str], proposed: int | None) -> Chips:
    """'1 Again 10m · 2 Hard 1d · 3 Good 3d · 4 Easy 8d', the proposed rating marked."""
    items = []
    for rating in (1, 2, 3, 4):
        item = Text()
        chosen = rating == proposed
        if chosen:
            item.append("›", style="bold")
        item.append(f"{rating} ", style="bold")
        item.append(RATING_NAMES[rating], style=RATING_STYLES[rating] + (" bold underline" if chosen else ""))
        if intervals.get(rating):
            item.append(f" {intervals[rating]}", style="dim")
        items.append(item)
    return Chips(items)


class Summary(Struct, frozen=True):
    done: int
    right: int
    seconds: float
    due_tomorrow: int
    next_due: str | None
    streak: int
    leeches: tuple[str, ...] = ()


def summary(s: Summary, *, plain_mode: bool = False) -> RenderableType:
    table = _grid(padding=(0, 2))
    table.add_column(style="dim")
    table.add_column()
    accuracy = f"{round(100 * s.right / s.done)}%" if s.done else "-"
    minutes, seconds = divmod(round(s.seconds), 60)
    table.add_row("cards done", str(s.done))
    table.add_row("accuracy", accuracy)
    table.add_row("time", f"{minutes}m {seconds:02d}s")
    table.add_row("due tomorrow", str(s.due_tomorrow))
    table.add_row("next card", s.next_due or "-")
    table.add_row("streak", f"{s.streak} day{'s' if s.streak != 1 else ''}")
    parts: list[RenderableType] = [table]
    for leech in s.leeches:
        parts.append(Text("leech suspended: ", style="yellow") + plain(leech))
    return boxed(Group(*parts), "Session over" if plain_mode else "session over", plain_mode)


HELP_KEYS = (
    ("space/enter", "reveal the answer, or take the proposed rating"),
    ("1-4", "rate: Again, Hard, Good, Easy (or pick a choice)"),
    ("t / f", "true or false"),
    ("u", "undo the last answer, bury, suspension or edit (again for earlier ones)"),
    ("s", "bury the card until tomorrow"),
    ("!", "suspend the card (u undoes it)"),
    ("e", "edit the card in $EDITOR"),
    ("o", "open the card's pictures in the image viewer"),
    ("↑↓ PgUp PgDn", "scroll a long card"),
    ("?", "this help (again to close)"),
    ("q / Esc", "quit (everything is saved)"),
)


def help_panel(line_mode: bool, *, plain_mode: bool = False) -> RenderableType:
    table = _grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    for key, action in HELP_KEYS:
        table.add_row(key, action)
    note = (
        "Line mode: type each key or answer on its own line; an empty line is Enter."
        if line_mode
        else "Typed answers and orders: type the answer, then Enter; :u :s :! :e :q work there too."
    )
    rating = (
        "A right answer proposes Good (3), a wrong or partly right one Again (1): rate it yourself to "
        "overrule the verdict, and the answer is counted as you rated it."
    )
    return boxed(
        Group(table, Text(note, style="dim"), Text(rating, style="dim")),
        "Keys" if plain_mode else "keys",
        plain_mode,
    )


def cram_header(title: str, left: int) -> Text:
    line = Text()
    line.append(clean(title), style="bold")
    line.append(f"  cram · {left} left", style="magenta")
    line.append("  (the schedule is not changed)", style="dim")
    return line


def _clock(left: timedelta) -> str:
    seconds = max(0, int(left.total_seconds()))
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes:02d}:{seconds:02d}"


def exam_header(title: str, number: int, total: int, answered: int, left: timedelta | None) -> Text:
    line = Text()
    line.append(clean(title), style="bold")
    line.append(f"  question {number} of {total} · {answered} answered")
    if left is not None:
        line.append(" · ")
        line.append(f"{_clock(left)} left", style="bold red" if left < timedelta(minutes=1) else "bold")
    return line


def exam_list(questions: Sequence[Any], responses: Mapping[int, str]) -> Table:
    table = _table(title=Text("answered so far"), title_justify="left", show_header=True, expand=False)
    table.add_column("#", justify="right")
    table.add_column("question", overflow="fold", max_width=48)
    table.add_column("answer", overflow="fold")
    for index, question in enumerate(questions):
        given = responses.get(index)
        table.add_row(
            str(index + 1),
            plain(_shorten(question.card.prompt.splitlines()[0], 80)),
            plain(given) if given is not None else Text("— not answered", style="yellow"),
        )
    return table


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def plain_pairs(pairs: Mapping[str, str]) -> Table:
    table = _grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    for key, value in pairs.items():
        table.add_row(key, value)
    return table


def quiz_result(result: QuizResult, *, plain_mode: bool = False) -> RenderableType:
    """The score, pass or fail, a table by tag, the time per question and every missed question;
    the marks the learner gave themselves are labelled so."""
    head = Text()
    head.append(f"Score: {result.score * 100:.0f}%", style="bold")
    own = f"; {result.self_marked} marked by you" if result.self_marked else ""
    head.append(f"  ({result.right} of {len(result.items)} right{own})")
    if result.passed is not None:
        head.append("  ")
        head.append(
            f"PASS (pass mark {result.pass_mark:g}%)"
            if result.passed
            else f"FAIL (pass mark {result.pass_mark:g}%)",
            style="bold green" if result.passed else "bold red",
        )
    if result.timed_out:
        head.append("\ntime ran out", style="red")
    bare: dict[str, Any] = {"box": None} if plain_mode else {}  # screen readers: no box drawing
    tags = _table(title=Text("by tag (weakest first)"), title_justify="left", **bare)
    tags.add_column("tag", overflow="fold")
    tags.add_column("questions", justify="right")
    tags.add_column("score", justify="right")
    for row in result.by_tag():
        tags.add_row(plain(row.tag), str(row.questions), f"{row.score * 100:.0f}%")
    times = _table(title=Text("time per question"), title_justify="left", **bare)
    times.add_column("#", justify="right")
    times.add_column("result")
    times.add_column("time", justify="right")
    for item in result.items:
        word = item.grade.verdict.value if item.response is not None else "unanswered"
        style = "green" if item.grade.right else "yellow" if word == "partial" else "red"
        shown = Text(word, style=style)
        if item.self_marked:
            shown.append(" (your mark)", style="dim")
        times.add_row(str(item.number), shown, f"{item.seconds:.0f}s")
    parts: list[RenderableType] = [head, tags, times]
    if result.missed:
        parts.append(Text("missed", style="bold"))
    for item in result.missed:
        card = item.question.card
        grid = _grid(padding=(0, 1))
        grid.add_column(justify="right", style="bold", no_wrap=True)
        grid.add_column(overflow="fold")
        grid.add_row(f"{item.number}.", plain(card.prompt))
        given = plain(item.grade.given) if item.response is not None else Text("(not answered)")
        grid.add_row("", Text("your answer: ", style="dim") + given)
        grid.add_row("", Text("right answer: ", style="dim") + plain(card.answer, style="green"))
        if item.self_marked:
            grid.add_row("", Text(f"your mark: {item.grade.verdict.value}", style="dim"))
        if card.explain:
            grid.add_row("", plain(card.explain))
        if card.source:
            grid.add_row("", Text("source: ", style="dim") + plain(card.source, style="dim italic"))
        parts.append(grid)
    return boxed(Group(*parts), plain(f"exam: {result.deck_title}"), plain_mode)


SPARKS = "▁▂▃▄▅▆▇█"


def sparkline(values: Sequence[float]) -> str:
    """Scores from 0 to 1 as a row of bars."""
    return "".join(SPARKS[min(len(SPARKS) - 1, int(v * len(SPARKS)))] for v in values)


# ---------------------------------------------------------------- a wrong typed answer, compared

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderResult

COMPARISON_STYLES = {"typed": "red", "answer": "green", " ": "bold"}
"""Per line, the colour of what differs: what was typed wrongly, what the answer has, the ^ line."""


class AnswerComparison:
    """core.compare.lines drawn at the width given, the differences coloured as well as marked."""

    def __init__(self, given: str, expected: str, *, exact: bool = False) -> None:
        from quizkit.core.compare import compare  # only after a wrong typed answer

        self.comparison = compare(given, expected, exact=exact)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        from quizkit.core.compare import LABEL_WIDTH, Mark, lines

        for line in lines(self.comparison, options.max_width):
            text = Text(no_wrap=bool(line.label), overflow="crop" if line.label else "fold")
            if line.label:
                text.append(f"{line.label:<{LABEL_WIDTH}}", style="dim")
            for run, mark in line.runs:
                # The runs are deck text and typed text, cleaned by compare: appended, never markup.
                text.append(run, style=COMPARISON_STYLES.get(line.label, "") if mark is not Mark.SAME else "")
            text.rstrip()
            if not line.label:
                text.stylize("dim")
            yield text


def answer_comparison(given: str, expected: str, *, exact: bool = False) -> RenderableType:
    """A wrong typed answer aligned against `expected` (the closest accepted answer:
    core.compare.answer_for, or wrong_answer_comparison below), gaps as '-', '^' under each
    difference, then the differences in words; colour adds to the marks, never replaces them."""
    return AnswerComparison(given, expected, exact=exact)


def answer_comparison_lines(given: str, expected: str, width: int, *, exact: bool = False) -> list[str]:
    """The same comparison as plain lines, for line mode and --plain: no colour, no box."""
    from quizkit.core.compare import comparison_text

    return comparison_text(given, expected, width, exact=exact)


_NOT_TYPED = (Kind.CHOICE, Kind.MULTI, Kind.ORDER, Kind.TRUEFALSE)


def _compared_with(card: Card, grade: Grade) -> str | None:
    """The accepted answer to compare a wrong typed answer with; None when there is nothing to compare."""
    from quizkit.core.compare import answer_for
    from quizkit.core.grading import Verdict

    if card.kind in _NOT_TYPED or grade.verdict is not Verdict.WRONG or not grade.given.strip():
        return None
    return answer_for(card, grade.given)


def wrong_answer_comparison(card: Card, grade: Grade) -> RenderableType | None:
    """For the answer panel: a wrong typed answer against the closest accepted answer, or None
    (right, a typo (see typo_diff), nothing typed, or a card that is not typed)."""
    expected = _compared_with(card, grade)
    return None if expected is None else answer_comparison(grade.given, expected, exact=card.exact)


def wrong_answer_lines(card: Card, grade: Grade, width: int) -> list[str]:
    """The same for line mode and --plain, as plain lines; [] where there is nothing to compare."""
    expected = _compared_with(card, grade)
    return [] if expected is None else answer_comparison_lines(grade.given, expected, width, exact=card.exact)
