"""Rich renderables for quizkit stats, the dashboard and quizkit cards.

Render layer: nothing here reads input, the clock or the store; the figures arrive in the
record classes below. Every chart stays legible without colour (NO_COLOR, a pipe): the heatmap's
levels are glyphs (· ░ ▒ ▓ █) as well as shades, bars are █ followed by their count. Deck text
(titles, card ids, questions, tags) is untrusted and reaches the terminal only through
render.plain.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta, tzinfo
from enum import Enum
from typing import TYPE_CHECKING, Any

from msgspec import Struct
from rich import box
from rich.cells import cell_len, chop_cells
from rich.console import Console, ConsoleOptions, Group, JustifyMethod, RenderableType, RenderResult
from rich.measure import Measurement
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from quizkit.core.text import clean
from quizkit.model import Status
from quizkit.shapes.stats import (
    Calibration,
    CardFigures,
    Dashboard,
    ExamForecast,
    Forecast,
    Heatmap,
    Mastery,
    Ratio,
    Report,
    Today,
)
from quizkit.ui.words import due_in_words, duration, exam_in_words, format_interval, percent, plain

if TYPE_CHECKING:  # only the types: the dashboard's start-up needs neither
    from quizkit.core.classroom import ClassFigures
    from quizkit.shapes.due import DueRow, ExamLoad
    from quizkit.shapes.exams import Attempt, TagTrend
    from quizkit.shapes.retention import RetentionJSON, RetentionRowJSON


class Role(Enum):
    """How a table column behaves when the screen is narrow."""

    KEY = "key"
    """An id, a tag, a date: never cut or folded while it fits the screen at all."""
    PROSE = "prose"
    """A question or a title: wraps at spaces."""
    FIGURE = "figure"
    """A number or a short word: kept on one line, with its whole header."""


UNBOUNDED = 100_000


PROSE_MIN_WIDTH = 12
"""Narrower than this, a question would be a word a line: the table is stacked instead."""


class Column(Struct, frozen=True):
    header: str
    role: Role = Role.FIGURE
    drop: int = 0
    """0: always shown; otherwise dropped, the highest first, when the table does not fit."""
    justify: JustifyMethod = "left"
    style: str = ""
    footer: str = ""
    narrowest: int = PROSE_MIN_WIDTH
    """Prose: the width below which the table is stacked instead."""
    most_lines: int | None = None
    """Prose: stack the table rather than wrap a cell onto more lines than this."""


class FittedTable:
    """A rich Table that keeps ids whole and wraps prose at spaces, whatever the width.

    At render time it takes the widest layout whose narrowest form (ids whole, prose at
    PROSE_MIN_WIDTH or its longest word, figures with their headers) fits: first every column,
    then without the droppable ones, the highest `drop` first. When even that does not fit,
    each row is stacked: its first cell on a line, the others below it as 'header value' pairs
    (or, with `named_rows=False`, every cell so, for a table of one row of counts).
    """

    def __init__(
        self,
        columns: Sequence[Column],
        rows: Sequence[Sequence[RenderableType]],
        *,
        title: str | Text | None = None,
        named_rows: bool = True,
        **options: Any,
    ) -> None:
        self.columns = tuple(columns)
        self.rows = [tuple(row) for row in rows]
        self.title = title
        self.named_rows = named_rows
        self.options = options

    def _layouts(self) -> list[list[int]]:
        kept = list(range(len(self.columns)))
        layouts = [list(kept)]
        for level in sorted({c.drop for c in self.columns if c.drop}, reverse=True):
            kept = [i for i in kept if self.columns[i].drop != level]
            layouts.append(list(kept))
        return layouts

    def _table(self, console: Console, kept: Sequence[int]) -> Table:
        options = dict(self.options)
        if self.title is not None:
            options["title"] = self.title
        table = Table(**options)
        for index in kept:
            column = self.columns[index]
            cells = [row[index] for row in self.rows]
            widths = [_cell_width(console, cell) for cell in cells] + [cell_len(column.header)]
            if column.footer:
                widths.append(cell_len(column.footer))
            natural = max(widths)
            if column.role is Role.PROSE:
                table.add_column(
                    column.header,
                    justify=column.justify,
                    style=column.style,
                    footer=column.footer,
                    min_width=min(natural, column.narrowest),
                    header_style=options.get("header_style", ""),
                )
            else:
                table.add_column(
                    column.header,
                    justify=column.justify,
                    style=column.style,
                    footer=column.footer,
                    no_wrap=True,
                    min_width=natural,
                    header_style=options.get("header_style", ""),
                )
        for row in self.rows:
            table.add_row(*(row[index] for index in kept))
        return table

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for kept in self._layouts():
            table = self._table(console, kept)
            # Measured as if the screen were unbounded: Measurement.get clamps to the width given.
            least = Measurement.get(console, options.update_width(UNBOUNDED), table).minimum
            if least <= options.max_width and self._few_lines(console, kept, options.max_width - least):
                yield table
                return
        yield from self._stacked(console, options.max_width)

    def _few_lines(self, console: Console, kept: Sequence[int], spare: int) -> bool:
        """Whether each prose cell with `most_lines` wraps onto no more lines than that, given
        its narrowest width plus the `spare` columns (all of them: one such column a table)."""
        for index in kept:
            column = self.columns[index]
            if column.role is not Role.PROSE or column.most_lines is None:
                continue
            natural = max(_cell_width(console, row[index]) for row in self.rows) if self.rows else 0
            width = min(natural, column.narrowest) + spare
            for row in self.rows:
                if len(_as_text(row[index]).wrap(console, max(1, width))) > column.most_lines:
                    return False
        return True

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        full = Measurement.get(console, options, self._table(console, range(len(self.columns))))
        return Measurement(min(full.minimum, options.max_width), full.maximum)

    def _stacked(self, console: Console, width: int) -> RenderResult:
        if self.title is not None:
            yield self.title if isinstance(self.title, Text) else Text(self.title, style="bold")
        rows = list(self.rows)
        if self.options.get("show_footer") and any(c.footer for c in self.columns):
            rows.append(tuple(Text(c.footer) for c in self.columns))
        first = 1 if self.named_rows else 0
        indent = 2 if first else 0
        room = max(8, width - indent)
        for row in rows:
            if first:
                yield _as_text(row[0], self.columns[0].style)
            pairs: list[Text] = []
            for column, cell in zip(self.columns[first:], row[first:], strict=True):
                text = _as_text(cell, column.style)
                if column.role is Role.PROSE:
                    for line in text.wrap(console, room):
                        line.rstrip()
                        yield Text(" " * indent) + line
                    continue
                pair = Text(column.header + " ", style="dim") if column.header else Text()
                pairs.append(pair + text)
            yield from _packed(pairs, room, indent)


def _packed(pairs: Sequence[Text], room: int, indent: int) -> RenderResult:
    """'header value' pairs on as few lines as fit, joined by ' · ', never split inside one."""
    line = Text(" " * indent)
    used = 0
    for pair in pairs:
        if used and used + 3 + pair.cell_len > room:
            yield line
            line, used = Text(" " * indent), 0
        if used:
            line.append(" · ", style="dim")
            used += 3
        line.append_text(pair)
        used += pair.cell_len
    if used:
        yield line


def _as_text(cell: RenderableType, style: str = "") -> Text:
    text = Text(style=style)
    if isinstance(cell, Text):
        text.append_text(cell)
    else:
        text.append(str(cell))
    return text


def _cell_width(console: Console, cell: RenderableType) -> int:
    if isinstance(cell, str):
        return max((cell_len(line) for line in cell.splitlines()), default=0)
    if isinstance(cell, Text):
        return max((line.cell_len for line in cell.split()), default=0)
    return Measurement.get(console, console.options, cell).maximum


LEVEL_GLYPHS = ("·", "░", "▒", "▓", "█")


LEVEL_STYLES = ("grey42", "dark_green", "green4", "green3", "green1")


WEEKDAY_LABELS = ("Mon", "", "Wed", "", "Fri", "", "")


LABEL_WIDTH = 4
"""The weekday labels' column, left of the heatmap."""


LABEL_OVERHANG = 2


STATE_NAMES = tuple(Status)


STATE_STYLES: dict[str, str] = {
    Status.NEW: "blue",
    Status.LEARNING: "red",
    Status.REVIEW: "green",
    Status.RELEARNING: "yellow",
}


MASTERY_ROWS = 15


BAR = "█"


def heat_level(count: int, peak: int) -> int:
    """0 for no answers, then 1-4 by quarters of the busiest day shown."""
    if count <= 0 or peak <= 0:
        return 0
    return min(4, math.ceil(4 * count / peak))


def heatmap_lines(heatmap: Heatmap, weeks: int) -> list[Text]:
    """Weeks as columns (Monday on top), month names above, a legend and a summary below."""
    today = heatmap.today
    first = today - timedelta(days=today.weekday(), weeks=weeks - 1)
    shown = {day: n for day, n in heatmap.counts.items() if first <= day <= today and n > 0}
    peak = max(shown.values(), default=0)
    lines = [
        Text(" " * LABEL_WIDTH + _month_labels(first, weeks), style="dim", no_wrap=True, overflow="crop")
    ]
    for weekday in range(7):
        line = Text(no_wrap=True, overflow="crop")
        line.append(f"{WEEKDAY_LABELS[weekday]:<{LABEL_WIDTH}}", style="dim")
        for week in range(weeks):
            day = first + timedelta(weeks=week, days=weekday)
            if day <= today:
                level = heat_level(shown.get(day, 0), peak)
                line.append(LEVEL_GLYPHS[level], style=LEVEL_STYLES[level])
        lines.append(line)
    lines.append(_legend(peak))
    days = (today - first).days + 1
    total = sum(shown.values())
    summary = (
        f"{total} review{'s' if total != 1 else ''} in {weeks} weeks · studied {len(shown)} of {days} days"
    )
    if shown:
        summary += f" · {total / len(shown):.1f} per study day"
    lines.append(Text(summary, style="dim"))
    return lines


def _month_labels(first: date, weeks: int) -> str:
    """Each month's name above the first week that starts in it, where there is room for it."""
    marks = [(0, first)] + [
        (week, start)
        for week in range(1, weeks)
        if (start := first + timedelta(weeks=week)).month != (start - timedelta(weeks=1)).month
    ]
    row = [" "] * (weeks + LABEL_OVERHANG)
    for index, (column, start) in enumerate(marks):
        name = start.strftime("%b")
        # A name needs a space before the next one; the last may stand out past the grid a little.
        following = marks[index + 1][0] if index + 1 < len(marks) else weeks + LABEL_OVERHANG + 1
        if column + len(name) < following:
            row[column : column + len(name)] = name
    return "".join(row).rstrip()


def _legend(peak: int) -> Text:
    legend = Text()
    legend.append(LEVEL_GLYPHS[0], style=LEVEL_STYLES[0])
    legend.append(" none")
    if peak == 0:
        return legend
    for level in range(1, 5):
        low, high = peak * (level - 1) // 4 + 1, peak * level // 4
        if low > high:
            continue
        legend.append("  ")
        legend.append(LEVEL_GLYPHS[level], style=LEVEL_STYLES[level])
        legend.append(f" {low}" if low == high else f" {low}–{high}")
    legend.append("  reviews a day", style="dim")
    return legend


class HeatmapChart:
    """The heatmap over 52 weeks, or 26 where the width does not allow 52."""

    def __init__(self, heatmap: Heatmap) -> None:
        self.heatmap = heatmap

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        weeks = 52 if options.max_width >= LABEL_WIDTH + 52 + LABEL_OVERHANG else 26
        yield from heatmap_lines(self.heatmap, weeks)


def forecast_lines(forecast: Forecast, width: int) -> list[Text]:
    """One line a day: the date, a bar of █ scaled to the busiest day, and the count."""
    peak = max(forecast.counts, default=0)
    bar_width = max(10, width - 11 - len(str(peak)) - 1)
    total = sum(forecast.counts)
    days = len(forecast.counts)
    head = f"{total} due in the next {days} days · {total / days if days else 0:.1f} a day"
    if forecast.overdue:
        head += f" · {forecast.overdue} overdue, counted today"
    lines = [Text(head, style="dim")]
    for offset, count in enumerate(forecast.counts):
        day = forecast.start + timedelta(days=offset)
        line = Text(f"{day:%a} {day.day:>2} {day:%b} ", style="bold" if offset == 0 else "")
        length = 0 if count == 0 else max(1, math.floor(count * bar_width / peak + 0.5))
        if length:
            line.append(BAR * length + " ", style="cyan")
        line.append(str(count))
        lines.append(line)
    return lines


class ForecastChart:
    def __init__(self, forecast: Forecast) -> None:
        self.forecast = forecast

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield from forecast_lines(self.forecast, options.max_width)


def _days(n: int) -> str:
    return f"{n} day{'s' if n != 1 else ''}"


def today_grid(today: Today) -> Table:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="dim", no_wrap=True)
    grid.add_column()
    grid.add_row("reviews", str(today.reviews))
    grid.add_row("time", duration(today.seconds))
    accuracy = percent(today.accuracy)
    grid.add_row("accuracy", f"{accuracy} ({today.right} of {today.reviews})" if today.reviews else accuracy)
    grid.add_row("streak", f"{_days(today.streak)} · longest {_days(today.longest_streak)}")
    return grid


def state_table(states: Mapping[Status, int], leeches: int) -> FittedTable:
    names = (*STATE_NAMES, "leech", "total")
    columns = [Column(name, justify="right", style=STATE_STYLES.get(name, "")) for name in names]
    values = [*(str(states.get(name, 0)) for name in STATE_NAMES), str(leeches), str(sum(states.values()))]
    return FittedTable(
        columns,
        [values],
        named_rows=False,
        box=None,
        padding=(0, 1),
        pad_edge=False,
        show_edge=False,
        header_style="dim",
    )


def retention_table(retention: Mapping[int, Mapping[str, Ratio]]) -> FittedTable:
    columns = [Column("", Role.PROSE, style="dim")]
    columns += [Column(f"last {window} days", justify="right") for window in retention]
    rows = []
    for group, name in (("young", "young (interval < 21d)"), ("mature", "mature"), ("all", "all")):
        cells = []
        for groups in retention.values():
            ratio = groups[group]
            cells.append(f"{percent(ratio.rate)} ({ratio.passed}/{ratio.total})" if ratio.total else "-")
        rows.append([name, *cells])
    return FittedTable(
        columns, rows, box=None, padding=(0, 2), pad_edge=False, show_edge=False, header_style="dim"
    )


def recall_bar(value: float | None, width: int = 10) -> Text:
    if value is None:
        return Text("-", style="dim")
    filled = math.floor(value * width + 0.5)
    bar = Text(BAR * filled, style="green" if value >= 0.9 else "yellow" if value >= 0.7 else "red")
    bar.append("░" * (width - filled), style="dim")
    bar.append(f" {value * 100:.0f}%")
    return bar


def _share(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.0f}%"


def mastery_table(
    mastery: Sequence[Mastery], on: date | None = None, at_exam: bool = False
) -> RenderableType:
    """Per tag: accuracy, true retention and the recall predicted on `on` (the exam day, or 30
    days ahead; None: each deck's own day), with a legend that says which is which."""
    if not mastery:
        return Text("no tags", style="dim")
    return MasteryTable(mastery, on, at_exam)


MASTERY_NARROW = 60
"""Below this width the mastery table shortens its headings (the legend spells them out)."""


class MasteryTable:
    def __init__(self, mastery: Sequence[Mastery], on: date | None, at_exam: bool) -> None:
        self.mastery = mastery
        self.on = on
        self.at_exam = at_exam

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        narrow = options.max_width < MASTERY_NARROW
        day = f"{self.on.day} {self.on:%b}" if self.on else "exam"
        names = (
            ("seen", "acc", "ret", "recall")
            if narrow
            else ("studied", "accuracy", "retention", f"recall {day}")
        )
        table = Table(
            box=None,
            padding=(0, 1 if narrow else 2),
            collapse_padding=narrow,
            pad_edge=False,
            show_edge=False,
        )
        table.add_column("tag", overflow="fold", header_style="dim")
        for name in names[:3]:
            table.add_column(name, justify="right", header_style="dim", no_wrap=True)
        table.add_column(names[3], header_style="dim", no_wrap=True, justify="right" if narrow else "left")
        for row in self.mastery[:MASTERY_ROWS]:
            table.add_row(
                plain(row.tag),
                f"{row.studied}/{row.cards}",
                _share(row.accuracy),
                _share(row.retention),
                # Narrow, the share alone: the room goes to the tag, so that no tag is cut.
                _share(row.predicted_recall) if narrow else recall_bar(row.predicted_recall, 10),
            )
        yield table
        if len(self.mastery) > MASTERY_ROWS:
            yield Text(f"… {len(self.mastery) - MASTERY_ROWS} more tags (--json lists them all)", style="dim")
        if self.on and self.at_exam:
            when = f"on the exam day, {day}"
        elif self.on:
            when = f"on {day}, in 30 days"
        else:
            when = "on each deck's exam day (in 30 days without one)"
        legend = Table.grid(padding=(0, 2))
        legend.add_column(no_wrap=True)
        legend.add_column()
        meanings = (
            "share of answers right, last 30 days",
            "share of reviews passed once a card is learned, last 30 days",
            f"chance of recalling a card {when}, doing its reviews until then (FSRS)",
            "of the tag's cards; cards not studied yet count as 0",
        )
        # Narrow, the headings are short: the legend spells each figure's name out.
        spelled = ("accuracy: ", "retention: ", "", "") if narrow else ("", "", "", "")
        labels = (names[1], names[2], "recall", names[0])
        rows = [
            (label, f"{prefix}{meaning}")
            for label, prefix, meaning in zip(labels, spelled, meanings, strict=True)
        ]
        for name, meaning in rows:
            legend.add_row(name, meaning)
        yield Padding(legend, (1, 0, 0, 0), style="dim")


def hardest_table(rows: Sequence[CardFigures]) -> RenderableType:
    """The ids whole (they are what quizkit suspend takes), the question wrapped at spaces."""
    if not rows:
        return Text("no card studied yet", style="dim")
    several = len({row.deck_id for row in rows}) > 1
    columns = [Column("deck", Role.KEY)] if several else []
    columns += [
        Column("card", Role.KEY, style="cyan"),
        Column("question", Role.PROSE),
        Column("lapses", justify="right"),
        Column("diff", justify="right"),
        Column("reviews", justify="right"),
    ]
    cells: list[list[RenderableType]] = []
    for row in rows:
        line: list[RenderableType] = [plain(row.deck_id)] if several else []
        line += [
            plain(row.card_id),
            plain(row.prompt),
            str(row.lapses),
            _number(row.difficulty),
            str(row.reps),
        ]
        cells.append(line)
    return FittedTable(
        columns, cells, box=None, padding=(0, 1), pad_edge=False, show_edge=False, header_style="dim"
    )


class Section:
    """A panel whose title is shortened, rather than cut, where the width is short."""

    def __init__(self, body: RenderableType, title: str, short: str | None = None) -> None:
        self.body = body
        self.title = title
        self.short = short or title

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        # '╭─ ' and ' ─╮' around the title, with at least one rule character to spare
        title = self.title if cell_len(self.title) + 7 <= options.max_width else self.short
        yield Panel(self.body, title=title, title_align="left", padding=(0, 1))


def _points(value: float) -> str:
    return f"{round(value * 100)}%"


def _predicted(value: float) -> str:
    """A prediction in whole percent, never 100% (nor 0%) where the model is not certain."""
    shown = round(value * 100)
    if 0 < value < 1:
        shown = min(99, max(1, shown))
    return f"{shown}%"


def _day(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def exam_forecast(forecasts: Sequence[ExamForecast], calibrations: Sequence[Calibration]) -> RenderableType:
    """Per deck with a coming exam: the recall on the day, a mock exam's predicted score and its
    interval; per deck with past mock exams: how their scores matched what was predicted."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="dim", no_wrap=True)
    grid.add_column()
    measured = {c.deck_id: c for c in calibrations}
    many = len({f.deck_id for f in forecasts} | set(measured)) > 1
    for f in forecasts:
        if many:
            grid.add_row("deck", plain(f.title, style="bold"))
        text = (
            f"{_predicted(f.recall)} of {f.cards} cards on {_day(f.day)} if you do each day's reviews; "
            f"{_predicted(f.stopped)} if you stop now"
        )
        if f.not_studied:
            still = (
                f"{f.unseen} would still be unseen then at your new cards a day"
                if f.unseen
                else "your new cards a day bring them all in before the day"
            )
            text += f". {f.not_studied} not studied yet count 0 ({still})"
        grid.add_row("recall", Text(text))
        chance = "4 in 5" if f.level == 0.8 else f"{round(f.level * 100)}%"
        score = (
            f"{_predicted(f.score)} on a {f.questions}-question mock exam; "
            f"{chance} likely between {_points(f.low)} and {_points(f.high)}"
        )
        if round(f.correction * 100):
            way = "lower" if f.correction < 0 else "higher"
            score += (
                f" (moved {abs(round(f.correction * 100))} points {way}: your mock exams scored "
                f"{way} than predicted)"
            )
        grid.add_row("score", Text(score))
        if f.deck_id not in measured:
            grid.add_row(
                "trust",
                Text(
                    f"no mock exam yet to check it against (±{round(f.model_error * 100)} points assumed): "
                    "take one with quizkit quiz"
                ),
            )
    for c in calibrations:
        if many and not any(f.deck_id == c.deck_id for f in forecasts):
            grid.add_row("deck", plain(c.title, style="bold"))
        n = len(c.exams)
        last = c.exams[-1]
        if n == 1:
            text = (
                f"1 mock exam, {_day(last.taken.date())}: predicted {_points(last.predicted)}, "
                f"scored {_points(last.scored)}"
            )
        else:
            text = (
                f"{n} mock exams: predicted {_points(c.predicted)} and scored {_points(c.scored)} "
                f"on average, each off by {round(c.error * 100)} points (root mean square); the last, "
                f"{_day(last.taken.date())}: predicted {_points(last.predicted)}, "
                f"scored {_points(last.scored)}"
            )
        grid.add_row("trust", Text(text))
    return grid


def stats_report(report: Report) -> RenderableType:
    exams = [
        plain((f"{exam.title}: " if len(report.exams) > 1 else "") + exam_in_words(exam.day, exam.today))
        for exam in report.exams
    ]
    return Group(
        plain(report.title, style="bold"),
        *exams,
        *(
            [
                Section(
                    exam_forecast(report.exam_forecasts, report.calibrations),
                    "Exam forecast" if report.exam_forecasts else "Mock exams against the forecast",
                    "Forecast" if report.exam_forecasts else "Mock exams",
                )
            ]
            if report.exam_forecasts or report.calibrations
            else []
        ),
        Section(today_grid(report.today), "Today"),
        Section(HeatmapChart(report.heatmap), "Reviews a day"),
        Section(ForecastChart(report.forecast), "Forecast"),
        Section(state_table(report.states, report.leeches), "Cards"),
        Section(retention_table(report.retention), "True retention (answers above Again)", "True retention"),
        Section(
            mastery_table(report.mastery, report.recall_on, report.recall_at_exam),
            "Mastery by tag, weakest first",
            "Mastery by tag",
        ),
        Section(hardest_table(report.hardest), "Hardest cards (lapses, then difficulty)", "Hardest cards"),
    )


def dashboard(board: Dashboard) -> RenderableType:
    new = sum(row.new for row in board.decks)
    learning = sum(row.learning for row in board.decks)
    review = sum(row.review for row in board.decks)
    totals = [str(sum(row.cards for row in board.decks)), str(new), str(learning), str(review)]
    # A title of a few words reads well on two or three lines of a column; a longer one stacks.
    columns = [Column("deck", Role.PROSE, footer="total", narrowest=8, most_lines=3)]
    for name, total, style in zip(
        ("cards", "new", "learn", "review"), totals, ("", "blue", "red", "green"), strict=True
    ):
        columns.append(Column(name, justify="right", style=style, footer=total))
    table = FittedTable(
        columns,
        [
            [plain(row.title), str(row.cards), str(row.new), str(row.learning), str(row.review)]
            for row in board.decks
        ],
        title=Text(f"quizkit · {board.day:%A} {board.day.day} {board.day:%B %Y}", style="bold"),
        title_justify="left",
        title_style="bold",
        box=box.SIMPLE,
        show_edge=False,
        pad_edge=False,
        show_footer=len(board.decks) > 1,
    )

    predicted = {f.deck_id: f for f in board.forecasts}
    exams = []
    for exam in board.exams:
        line = plain(f"{exam.title}: {exam_in_words(exam.day, exam.today)}")
        exams.append(line)
        f = predicted.get(exam.deck_id)
        if f is not None:  # a line of its own: the figures never split over two
            exams.append(
                Text(
                    f"  predicted score {_predicted(f.score)} ({_points(f.low)}-{_points(f.high)}): "
                    "quizkit stats",
                    style="dim",
                )
            )
    lines = Table.grid(padding=(0, 2))
    lines.add_column(style="dim", no_wrap=True)
    lines.add_column()
    today = board.today
    accuracy = f" · accuracy {percent(today.accuracy)}" if today.reviews else ""
    lines.add_row(
        "today",
        f"{today.reviews} review{'s' if today.reviews != 1 else ''} · {duration(today.seconds)}{accuracy}",
    )
    lines.add_row("streak", f"{_days(today.streak)} · longest {_days(today.longest_streak)}")
    lines.add_row("next", _next_step(board, new + learning + review))
    parts: list[RenderableType] = [table, *exams, lines]
    for path in board.broken:
        parts.append(Text("this deck has errors: ", style="yellow") + plain(f"quizkit validate {path}"))
    return Group(*parts)


def _next_step(board: Dashboard, due: int) -> Text:
    line = Text()
    if due:
        line.append("quizkit review", style="bold")
        line.append(f"  {due} card{'s' if due != 1 else ''} waiting", style="dim")
    elif board.broken:
        line.append_text(plain(f"quizkit validate {board.broken[0]}", style="bold"))
    elif board.decks:
        line.append("quizkit stats", style="bold")
        line.append(
            "  nothing due" + (f"; next card {board.next_due}" if board.next_due else ""), style="dim"
        )
    else:
        line.append("quizkit validate", style="bold")
        line.append("  no decks found", style="dim")
    return line


def _number(value: float | None, suffix: str = "") -> str:
    return "-" if value is None else f"{value:.1f}{suffix}"


CARD_COLUMNS = ("card", "question", "state", "due", "ivl", "stab", "diff", "recall", "lapses")


CARD_DROPS = (5, 6, 4, 8, 7)
"""Columns left out when the screen is narrow, first to last: stab, diff, ivl, lapses, recall."""


QUESTION_MIN_WIDTH = 20
"""Narrower than this, the question goes on lines of its own under the card's id."""


def card_cells(row: CardFigures, now: datetime, tz: tzinfo) -> list[Text]:
    state = Text(row.state, style=STATE_STYLES.get(row.state, "dim"))
    if row.leech:
        state.append(" leech", style="yellow")
    return [
        plain(row.card_id, style="cyan"),
        plain(" ".join(row.prompt.split())),
        state,
        Text(
            due_in_words(None if row.state is Status.SUSPENDED else row.due, now, tz, short=True)
        ),  # not due while suspended
        Text("-" if row.interval_days is None else format_interval(timedelta(days=row.interval_days))),
        Text(_number(row.stability, "d")),
        Text(_number(row.difficulty)),
        Text("-" if row.retrievability is None else f"{row.retrievability * 100:.0f}%"),
        Text(str(row.lapses)),
    ]


class CardTable:
    """The cards and their scheduling, one row each: the id whole, the question wrapped at spaces.

    Drawn line by line rather than as a rich Table: a deck of thousands of cards would take
    seconds to lay out as one. Where the width is short, the figures of least use go first
    (CARD_DROPS); where even then the question would have less than QUESTION_MIN_WIDTH, each
    card is stacked: its id, state and due date on a line, the question indented below.
    """

    def __init__(self, title: str, rows: Sequence[CardFigures], now: datetime, tz: tzinfo) -> None:
        self.title = title
        self.rows = rows
        self.now = now
        self.tz = tz

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        cells = [card_cells(row, self.now, self.tz) for row in self.rows]
        natural = [len(name) for name in CARD_COLUMNS]
        for line in cells:
            natural = [max(width, cell.cell_len) for width, cell in zip(natural, line, strict=True)]
        room = options.max_width
        kept = list(range(len(CARD_COLUMNS)))
        for drop in (None, *CARD_DROPS):
            if drop is not None:
                kept.remove(drop)
            widths = {index: natural[index] for index in kept}
            narrowest = sum(widths.values()) - widths[1] + min(natural[1], QUESTION_MIN_WIDTH)
            gap = 2 if narrowest + 2 * (len(kept) - 1) <= room else 1
            left = room - (sum(widths.values()) - widths[1]) - gap * (len(kept) - 1)
            if left >= min(natural[1], QUESTION_MIN_WIDTH):
                widths[1] = min(natural[1], left)
                yield plain(self.title, style="bold")
                yield from self._table(console, cells, widths, gap)
                return
        yield plain(self.title, style="bold")
        yield from self._stacked(console, cells, natural, room)

    def _table(
        self, console: Console, cells: Sequence[Sequence[Text]], widths: Mapping[int, int], gap: int
    ) -> RenderResult:
        yield self._line([(i, Text(CARD_COLUMNS[i])) for i in widths], widths, gap, style="bold")
        rule = "─" * (sum(widths.values()) + gap * (len(widths) - 1))
        yield Text(rule, style="dim", no_wrap=True, overflow="crop")
        indent = " " * (widths[0] + gap)  # the question column's left edge
        for line in cells:
            question = wrap_words(line[1], widths[1])
            row = self._line([(i, question[0] if i == 1 else line[i]) for i in widths], widths, gap)
            # One Text a card, not a line: rendering is what a deck of thousands of cards waits on.
            for more in question[1:]:
                row.append("\n" + indent)
                row.append_text(more)
            yield row

    @staticmethod
    def _stacked(
        console: Console, cells: Sequence[Sequence[Text]], natural: Sequence[int], room: int
    ) -> RenderResult:
        """id  state  due, aligned when they fit, the question indented under them."""
        widths = {0: natural[0], 2: natural[2], 3: natural[3]}
        aligned = sum(widths.values()) + 4 <= room
        names = [(i, Text(CARD_COLUMNS[i])) for i in widths]
        if aligned:
            yield CardTable._line(names, widths, 2, style="bold")
        else:
            yield Text("card", style="bold")
            yield Text("  state  due", style="bold")
        yield Text("  question", style="bold")
        yield Text("─" * room, style="dim", no_wrap=True, overflow="crop")
        for line in cells:
            if aligned:
                row = CardTable._line([(i, line[i]) for i in widths], widths, 2)
            else:
                yield line[0].copy()  # folded only if longer than the screen is wide
                row = Text("  ") + line[2] + Text("  ") + line[3]
            for part in wrap_words(line[1], max(8, room - 2)) if line[1] else []:
                row.append("\n  ")
                row.append_text(part)
            yield row

    @staticmethod
    def _line(
        cells: Sequence[tuple[int, Text]], widths: Mapping[int, int], gap: int, style: str = ""
    ) -> Text:
        line = Text(style=style, no_wrap=True, overflow="crop")
        last = len(cells) - 1
        for position, (index, cell) in enumerate(cells):
            if position:
                line.append(" " * gap)
            width = widths[index]
            if index < 4:  # text columns, left aligned
                cell = cell.copy()
                cell.truncate(width, overflow="ellipsis", pad=position < last)
            else:
                line.append(" " * (width - cell.cell_len))
            line.append_text(cell)
        return line


def wrap_words(text: Text, width: int) -> list[Text]:
    """A one-style Text in lines of at most `width` cells, broken at spaces (a word longer than
    the width is folded). Much faster than Text.wrap, which a table of thousands of cards feels."""
    if text.spans:
        lines = list(text.wrap(Console(width=width), width))
        return lines or [Text()]
    words = text.plain.split()
    out: list[Text] = []
    line: list[str] = []
    used = 0
    for word in words:
        size = cell_len(word)
        while size > width:  # fold a word wider than the column
            if line:
                out.append(Text(" ".join(line), style=text.style))
                line, used = [], 0
            head = chop_cells(word, width)[0]
            out.append(Text(head, style=text.style))
            word = word[len(head) :]
            size = cell_len(word)
        if line and used + 1 + size > width:
            out.append(Text(" ".join(line), style=text.style))
            line, used = [], 0
        used += size + (1 if line else 0)
        line.append(word)
    if line or not out:
        out.append(Text(" ".join(line), style=text.style))
    return out


def card_table(title: str, rows: Sequence[CardFigures], now: datetime, tz: tzinfo) -> CardTable:
    return CardTable(title, rows, now, tz)


# ---------------------------------------------------------------- quizkit due and quizkit history


def due_table(rows: Sequence[DueRow], now: datetime, tz: tzinfo) -> FittedTable:
    """Per deck, what is due today; the deck id whole (it is what the other commands take)."""
    columns = [
        Column("deck", Role.KEY),
        Column("new", justify="right", style="blue"),
        Column("learn", justify="right", style="red"),
        Column("review", justify="right", style="green"),
        Column("next"),
    ]
    cells: list[list[RenderableType]] = [
        [
            plain(row.deck),
            str(row.new),
            str(row.learning),
            str(row.review),
            due_in_words(row.next_due, now, tz) if row.next_due else "-",
        ]
        for row in rows
    ]
    return FittedTable(columns, cells, title=Text("Due today"), title_justify="left", expand=False)


EXAM_BAR_WIDTH = 24
"""The busiest day's bar until an exam, where the width allows."""


class ExamLoadChart:
    """Cards a day until the exam: reviews already scheduled plus new cards planned, as bars
    scaled to the busiest day and to the width left on the screen."""

    def __init__(self, deck_id: str, exam: ExamLoad) -> None:
        self.deck_id = deck_id
        self.exam = exam

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        exam = self.exam
        days = exam.days
        title = Text()
        title.append(f"Until the exam on {exam.exam_day.isoformat()} ", style="bold")
        title.append(f"({len(days)} days, {clean(self.deck_id)}, {exam.new_per_day} new a day)")
        yield title
        reviews = max([len("review"), *(len(str(d.reviews)) for d in days)])
        new = max([len("new"), *(len(str(d.new)) for d in days)])
        # day (10), the two counts, three single spaces between the four columns
        room = options.max_width - 10 - reviews - new - 3
        width = max(1, min(EXAM_BAR_WIDTH, room))
        peak = max((d.reviews + d.new for d in days), default=0) or 1
        yield Text(f"{'day':<10} {'review':>{reviews}} {'new':>{new}}", style="dim")
        for day in days:
            total = day.reviews + day.new
            bar = "█" * max(0, round(width * total / peak))
            line = Text(f"{day.day:%a %d %b} {day.reviews:>{reviews}} {day.new:>{new}}")
            if bar:
                line.append(" " + bar)
            yield line
        if exam.unseen_after:
            yield Text(
                f"{exam.unseen_after} cards would still be unseen on the day: raise --new", style="yellow"
            )


def exam_load(deck_id: str, exam: ExamLoad) -> ExamLoadChart:
    return ExamLoadChart(deck_id, exam)


def quiz_history(attempts: Sequence[Attempt], tags: Sequence[TagTrend], tz: tzinfo) -> RenderableType:
    """Past exams, newest first, then the weakest tags; dates and tags kept whole."""
    from quizkit.core.calendar import zone_name
    from quizkit.ui.render import sparkline

    zone = zone_name(tz, attempts[0].finished) if attempts else "UTC"
    table = FittedTable(
        [
            Column("date", Role.KEY),
            Column("deck", Role.KEY),
            Column("questions", justify="right", drop=1),
            Column("score", justify="right"),
            Column("result"),
        ],
        [
            [
                f"{attempt.finished.astimezone(tz):%Y-%m-%d %H:%M}",
                plain(attempt.deck),
                str(attempt.questions),
                f"{attempt.score:.0f}%",
                Text("pass", style="green")
                if attempt.passed
                else Text("fail", style="red")
                if attempt.passed is not None
                else Text("-"),
            ]
            for attempt in attempts
        ],
        title=Text(f"past exams · times in {zone}"),
        title_justify="left",
    )
    scores = [a.score / 100 for a in reversed(attempts)]
    trend = Text("trend (oldest to newest): ")
    trend.append(sparkline(scores), style="cyan")
    if len(scores) > 1:
        change = (scores[-1] - scores[0]) * 100
        trend.append(f"  {change:+.0f} points since the first")
    weak = FittedTable(
        [
            Column("tag", Role.KEY),
            Column("answers", justify="right", drop=1),
            Column("score", justify="right"),
            Column("last 3", justify="right"),
        ],
        [
            [
                plain(row.tag),
                str(row.answers),
                f"{row.score:.0f}%",
                f"{row.recent_score:.0f}%" if row.recent_score is not None else "-",
            ]
            for row in tags[:8]
        ],
        title=Text("weakest tags (all exams · last 3)"),
        title_justify="left",
    )
    return Group(table, trend, weak)


# ---------------------------------------------------------------- quizkit retention

RETENTION_CHART_HEIGHT = 6
"""Rows of each of the two bar charts; each row holds eight levels (▁ ... █)."""

_EIGHTHS = " ▁▂▃▄▅▆▇█"


def _retention_figure(value: float) -> str:
    if value >= 100:
        return f"{value:.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def _retention_bars(
    title: str, values: Sequence[float], column: int, marks: str, labels: str, room: int, gutter: int
) -> list[Text]:
    """One series as bars, `column` cells a value, scaled from a little under the smallest value
    (written at the foot of the axis) to the largest (at its top): the differences show, and the
    axis says where it starts."""
    lo, hi = min(values), max(values)
    floor = lo - (hi - lo) / 8 if hi > lo else 0.0
    top, foot = _retention_figure(hi), _retention_figure(lo)
    levels = RETENTION_CHART_HEIGHT * 8
    heights = [levels if hi <= floor else max(1, round(levels * (v - floor) / (hi - floor))) for v in values]
    lines = [Text(title[:room], style="bold")]
    for row in range(RETENTION_CHART_HEIGHT, 0, -1):
        label = top if row == RETENTION_CHART_HEIGHT else foot if row == 1 else ""
        cells = []
        for h in heights:
            filled = min(8, max(0, h - (row - 1) * 8))
            cells.append(_EIGHTHS[filled] * (column - 1 if column > 1 else 1) + " " * (column > 1))
        lines.append(Text(f"{label:>{gutter}} │" + "".join(cells).rstrip()))
    lines.append(Text(" " * gutter + " └" + "─" * (len(values) * column)))
    lines.append(Text(" " * (gutter + 2) + labels))
    if marks.strip():
        lines.append(Text(" " * (gutter + 2) + marks.rstrip()))
    return lines


class RetentionChart:
    """quizkit retention: minutes a day and cards known against the desired retention, one bar a
    retention (two cells wide when the screen has room), then a short table and the recommendation.
    Legible without colour: the bars are blocks, the recommended and current retentions letters."""

    def __init__(self, data: RetentionJSON) -> None:
        self.data = data

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        data = self.data
        rows = data["rows"]
        best, yours = data["recommended"], data["current_retention"]
        if not rows or best is None:
            yield Text(
                "nothing to simulate: no cards to study in these days (no cards, or no new cards a day)"
            )
            return
        gutter = max(len(_retention_figure(f(r))) for r in rows for f in (_minutes_of, _known_of))
        room = options.max_width
        column = 2 if gutter + 2 + 2 * len(rows) <= room else 1
        labels, marks = [], []
        for r in rows:
            thousandths = round(r["retention"] * 1000)
            label = f".{thousandths // 10:02d}" if thousandths % 50 == 0 else ""
            labels.append(label)
            mark = "R" if r["retention"] == best else "Y" if r["retention"] == yours else ""
            marks.append(mark)
        axis = _spread(labels, column)
        flags = _spread(marks, column)
        minutes = [_minutes_of(r) for r in rows]
        known = [_known_of(r) for r in rows]
        yield from _retention_bars("minutes a day", minutes, column, flags, axis, room, gutter)
        yield Text()
        yield from _retention_bars("cards known at the end", known, column, flags, axis, room, gutter)
        legend = Text(f"R recommended {_retention_name(best)}")
        legend.append("  (also yours)" if best == yours else f"  ·  Y yours {_retention_name(yours)}")
        yield legend
        yield Text()
        shown = sorted(
            {r["retention"] for r in rows if round(r["retention"] * 1000) % 50 == 0} | {best, yours}
        )
        table_rows = []
        for r in rows:
            if r["retention"] not in shown:
                continue
            mark = "R" if r["retention"] == best else ""
            mark += "Y" if r["retention"] == yours else ""
            table_rows.append(
                [
                    f"{_retention_name(r['retention'])} {mark}".rstrip(),
                    f"{r['minutes_per_day']:.2f}",
                    f"{r['reviews_per_day']:.1f}",
                    f"{r['cards_known']:.1f}",
                    f"{r['knowledge_per_minute']:.1f}",
                ]
            )
        yield FittedTable(
            [
                Column("retention", Role.KEY),
                Column("min/day", justify="right"),
                Column("answers/day", justify="right", drop=1),
                Column("known", justify="right"),
                Column("known/min", justify="right"),
            ],
            table_rows,
            box=None,
            padding=(0, 1),
            pad_edge=False,
            show_edge=False,
            header_style="dim",
        )
        chosen = next(r for r in rows if r["retention"] == best)
        mine = next(r for r in rows if r["retention"] == yours)
        why = Text(
            f"Recommended: {_retention_name(best)}, the retention with the most cards known per minute "
            f"of study a day ({chosen['knowledge_per_minute']:.1f}; yours, {_retention_name(yours)}: "
            f"{mine['knowledge_per_minute']:.1f})."
        )
        if best == rows[0]["retention"]:
            why.append(
                " It is the lowest simulated: take it as a floor (Anki's minimum recommended retention);"
                " above it, each card known costs more time."
            )
        else:
            why.append(
                " Above it each card known costs more time; below it, lapses cost more than they save."
            )
        yield why


def _retention_name(value: float) -> str:
    return f"{value:.2f}" if round(value, 2) == value else f"{value:.3f}"


def _minutes_of(row: RetentionRowJSON) -> float:
    return row["minutes_per_day"]


def _known_of(row: RetentionRowJSON) -> float:
    return row["cards_known"]


def _spread(marks: Sequence[str], column: int) -> str:
    """Marks under their columns, each starting at its column; a mark that would overlap the one
    before it is left out."""
    line = ""
    for index, mark in enumerate(marks):
        start = index * column
        if mark and len(line) <= start:
            line = line.ljust(start) + mark
    return line


def retention_chart(data: RetentionJSON) -> RetentionChart:
    return RetentionChart(data)


def class_report(title: str, figures: ClassFigures, lines: Mapping[str, str]) -> RenderableType:
    """`quizkit class`: the questions to rewrite first (with their reasons), then the topics by
    mastery, then the students, weakest first; deck text shown as plain text."""
    alpha = f"{figures.alpha:.2f}" if figures.alpha is not None else "-"
    head = Text()
    head.append(clean(title), style="bold")
    head.append(
        f"  {len(figures.students)} students · {len(figures.items)} questions · reliability (Cronbach's "
        f"alpha) {alpha} · pass mark {figures.pass_mark:.0%}",
        style="dim",
    )
    parts: list[RenderableType] = [head, *(Text(note, style="yellow") for note in figures.notes)]
    flagged = [(n, f) for n, f in enumerate(figures.items, 1) if f.flags]
    if flagged:
        rewrite = Text()
        for number, item in flagged:
            if rewrite:
                rewrite.append("\n")
            rewrite.append(f"Q{number} ", style="bold")
            rewrite.append(clean(item.item.card), style="bold")
            where = lines.get(item.item.card)
            if where:
                rewrite.append(f" ({clean(where)})", style="dim")
            rewrite.append(": ")
            rewrite.append(clean(_short_text(item.item.question, 70)))
            for flag in item.flags:
                rewrite.append("\n  - ")
                rewrite.append(clean(flag), style="yellow")
        parts.append(Panel(rewrite, title="questions to look at", title_align="left", border_style="yellow"))
    else:
        parts.append(Text("No question is flagged.", style="green"))
    questions = FittedTable(
        [
            Column("#", justify="right"),
            Column("card", Role.KEY),
            Column("facility", justify="right"),
            Column("discrimination", justify="right"),
            Column("upper-lower", justify="right", drop=1),
            Column("flags", justify="right", drop=2),
        ],
        [
            [
                str(number),
                plain(f.item.card),
                f"{f.facility:.0%}",
                f"{f.point_biserial:+.2f}" if f.point_biserial is not None else "-",
                f"{f.upper_lower:+.2f}",
                str(len(f.flags)) if f.flags else "",
            ]
            for number, f in enumerate(figures.items, 1)
        ],
        title=Text(f"questions (top and bottom groups: {figures.group_size} students each)"),
        title_justify="left",
    )
    topics = FittedTable(
        [
            Column("tag", Role.KEY),
            Column("questions", justify="right"),
            Column("class mastery", justify="right"),
        ],
        [[plain(t.tag), str(t.questions), f"{t.mastery:.0%}"] for t in figures.tags],
        title=Text("topics, weakest first"),
        title_justify="left",
    )
    everyone = sorted(figures.students, key=lambda s: (s.score, s.name))
    students = everyone[:CLASS_ROWS]
    more = len(everyone) - len(students)
    people = FittedTable(
        [
            Column("student", Role.KEY),
            Column("score", justify="right"),
            Column("time", justify="right", drop=1),
            Column("tags below the pass mark", Role.PROSE),
        ],
        [
            [
                plain(s.name),
                Text(f"{s.score:.0%}", style="red" if s.score < figures.pass_mark else ""),
                duration(s.seconds) if s.seconds else "-",
                plain(", ".join(s.weak_tags) or "-"),
            ]
            for s in students
        ],
        title=Text(
            "students, weakest first" + (f" (the {CLASS_ROWS} weakest of {len(everyone)})" if more else "")
        ),
        title_justify="left",
    )
    tail = [Text(f"... and {more} more: --json lists every student", style="dim")] if more else []
    return Group(*parts, questions, topics, people, *tail)


CLASS_ROWS = 60
"""Students listed on the screen: a class, or the weakest of a year group (--json has all)."""


def _short_text(text: str, width: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"
