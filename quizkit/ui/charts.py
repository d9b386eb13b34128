"""Rich renderables for quizkit stats, the dashboard and quizkit cards.

Render layer: nothing here reads input, the clock or the store; the figures arrive in the
dataclasses below. Every chart stays legible without colour (NO_COLOR, a pipe): the heatmap's
levels are glyphs (· ░ ▒ ▓ █) as well as shades, bars are █ followed by their count. Deck text
(titles, card ids, questions, tags) is untrusted and reaches the terminal only through
render.plain.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta, tzinfo

from rich import box
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from quizkit.model import Status
from quizkit.shapes.stats import CardFigures, Dashboard, Forecast, Heatmap, Mastery, Ratio, Report, Today
from quizkit.ui.words import due_in_words, duration, exam_in_words, format_interval, percent, plain

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


def state_table(states: Mapping[Status, int], leeches: int) -> Table:
    table = Table(box=None, padding=(0, 1), pad_edge=False, show_edge=False)
    for name in (*STATE_NAMES, "leech", "total"):
        table.add_column(name, justify="right", style=STATE_STYLES.get(name, ""), header_style="dim")
    table.add_row(
        *(str(states.get(name, 0)) for name in STATE_NAMES), str(leeches), str(sum(states.values()))
    )
    return table


def retention_table(retention: Mapping[int, Mapping[str, Ratio]]) -> Table:
    table = Table(box=None, padding=(0, 2), pad_edge=False, show_edge=False)
    table.add_column("", style="dim")
    for window in retention:
        table.add_column(f"last {window} days", justify="right", header_style="dim")
    for group, name in (("young", "young (interval < 21d)"), ("mature", "mature"), ("all", "all")):
        cells = []
        for groups in retention.values():
            ratio = groups[group]
            cells.append(f"{percent(ratio.rate)} ({ratio.passed}/{ratio.total})" if ratio.total else "-")
        table.add_row(name, *cells)
    return table


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
        table = Table(box=None, padding=(0, 1 if narrow else 2), pad_edge=False, show_edge=False)
        table.add_column("tag", overflow="fold", header_style="dim")
        for name in names[:3]:
            table.add_column(name, justify="right", header_style="dim", no_wrap=True)
        table.add_column(names[3], header_style="dim", no_wrap=True)
        for row in self.mastery[:MASTERY_ROWS]:
            table.add_row(
                plain(row.tag),
                f"{row.studied}/{row.cards}",
                _share(row.accuracy),
                _share(row.retention),
                recall_bar(row.predicted_recall, 5 if narrow else 10),
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
            f"chance of recalling a card {when}, if you do not review it before (FSRS)",
            "of the tag's cards; never-studied cards count as 0",
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
    if not rows:
        return Text("no card studied yet", style="dim")
    several = len({row.deck_id for row in rows}) > 1
    table = Table(box=None, padding=(0, 1), pad_edge=False, show_edge=False)
    if several:
        table.add_column("deck", no_wrap=True, overflow="ellipsis", max_width=14, header_style="dim")
    table.add_column(
        "card", style="cyan", no_wrap=True, overflow="ellipsis", max_width=18, header_style="dim"
    )
    table.add_column("question", no_wrap=True, overflow="ellipsis", ratio=1, header_style="dim")
    table.add_column("lapses", justify="right", header_style="dim")
    table.add_column("diff", justify="right", header_style="dim")
    table.add_column("reviews", justify="right", header_style="dim")
    for row in rows:
        cells: list[RenderableType] = [plain(row.deck_id)] if several else []
        cells += [
            plain(row.card_id),
            plain(row.prompt),
            str(row.lapses),
            _number(row.difficulty),
            str(row.reps),
        ]
        table.add_row(*cells)
    return table


def stats_report(report: Report) -> RenderableType:
    def section(body: RenderableType, title: str) -> Panel:
        return Panel(body, title=title, title_align="left", padding=(0, 1))

    exams = [
        plain((f"{exam.title}: " if len(report.exams) > 1 else "") + exam_in_words(exam.day, exam.today))
        for exam in report.exams
    ]
    return Group(
        plain(report.title, style="bold"),
        *exams,
        section(today_grid(report.today), "Today"),
        section(HeatmapChart(report.heatmap), "Reviews a day"),
        section(ForecastChart(report.forecast), "Forecast"),
        section(state_table(report.states, report.leeches), "Cards"),
        section(retention_table(report.retention), "True retention (answers above Again)"),
        section(
            mastery_table(report.mastery, report.recall_on, report.recall_at_exam),
            "Mastery by tag, weakest first",
        ),
        section(hardest_table(report.hardest), "Hardest cards (lapses, then difficulty)"),
    )


def dashboard(board: Dashboard) -> RenderableType:
    new = sum(row.new for row in board.decks)
    learning = sum(row.learning for row in board.decks)
    review = sum(row.review for row in board.decks)
    totals = [str(sum(row.cards for row in board.decks)), str(new), str(learning), str(review)]
    table = Table(
        title=f"quizkit · {board.day:%A} {board.day.day} {board.day:%B %Y}",
        title_justify="left",
        title_style="bold",
        box=box.SIMPLE,
        show_edge=False,
        pad_edge=False,
        show_footer=len(board.decks) > 1,
    )
    table.add_column("deck", overflow="fold", footer="total")
    for name, total, style in zip(
        ("cards", "new", "learn", "review"), totals, ("", "blue", "red", "green"), strict=True
    ):
        table.add_column(name, justify="right", style=style, footer=total)
    for row in board.decks:
        table.add_row(plain(row.title), str(row.cards), str(row.new), str(row.learning), str(row.review))

    exams = [plain(f"{exam.title}: {exam_in_words(exam.day, exam.today)}") for exam in board.exams]
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


CARD_ID_WIDTH = 16


QUESTION_MIN_WIDTH = 12


def card_cells(row: CardFigures, now: datetime, tz: tzinfo) -> list[Text]:
    state = Text(row.state, style=STATE_STYLES.get(row.state, "dim"))
    if row.leech:
        state.append(" leech", style="yellow")
    return [
        plain(row.card_id, style="cyan"),
        plain(row.prompt),
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
    """The cards and their scheduling, one line each, the question cut to the width left.

    Drawn line by line rather than as a rich Table: a deck of thousands of cards would take
    seconds to lay out as one.
    """

    def __init__(self, title: str, rows: Sequence[CardFigures], now: datetime, tz: tzinfo) -> None:
        self.title = title
        self.rows = rows
        self.now = now
        self.tz = tz

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        cells = [card_cells(row, self.now, self.tz) for row in self.rows]
        widths = [len(name) for name in CARD_COLUMNS]
        for line in cells:
            widths = [max(width, cell.cell_len) for width, cell in zip(widths, line, strict=True)]
        widths[0] = min(widths[0], CARD_ID_WIDTH)
        gap = 2 if sum(widths) + 2 * (len(widths) - 1) <= options.max_width else 1
        others = sum(widths) - widths[1] + gap * (len(widths) - 1)
        widths[1] = max(QUESTION_MIN_WIDTH, min(widths[1], options.max_width - others))
        yield plain(self.title, style="bold")
        yield self._line([Text(name) for name in CARD_COLUMNS], widths, gap, style="bold")
        rule = "─" * (sum(widths) + gap * (len(widths) - 1))
        yield Text(rule, style="dim", no_wrap=True, overflow="crop")
        for line in cells:
            yield self._line(line, widths, gap)

    @staticmethod
    def _line(cells: Sequence[Text], widths: Sequence[int], gap: int, style: str = "") -> Text:
        line = Text(style=style, no_wrap=True, overflow="crop")
        for index, (cell, width) in enumerate(zip(cells, widths, strict=True)):
            if index:
                line.append(" " * gap)
            if index < 4:  # text columns, left aligned and cut with an ellipsis
                cell.truncate(width, overflow="ellipsis", pad=index < len(cells) - 1)
            else:
                line.append(" " * (width - cell.cell_len))
            line.append_text(cell)
        return line


def card_table(title: str, rows: Sequence[CardFigures], now: datetime, tz: tzinfo) -> CardTable:
    return CardTable(title, rows, now, tz)
