"""How quizkit says things on the screen: untrusted text made safe, and times in words.

Deck text reaches the terminal only through `plain` (a Rich Text, never parsed as markup, with
escape sequences and control characters removed). Times are said one way everywhere: `due_in_words`
for when a card comes back, `format_interval` for the rating bar, `duration` for time spent.
"""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta, tzinfo

from rich.console import Console
from rich.text import Text

from quizkit.core.scheduler import round_half_up
from quizkit.core.text import clean, has_formula, json_text, readable


def plain(text: str, style: str = "") -> Text:
    """Untrusted text as a Rich Text: shown literally, never parsed as markup."""
    return Text(clean(text), style=style)


def formulas(text: str) -> str:
    """Deck text with its LaTeX formulas (\\( \\) or $ $) as readable Unicode, for a card on the
    screen: x^2 \\leq \\sqrt{y} is shown as x² ≤ √y. Still untrusted: show it with `plain`."""
    if not has_formula(text):
        return text  # most cards: the converter is never loaded
    from pylatexenc.latex2text import LatexNodes2Text

    return readable(text, LatexNodes2Text(math_mode="text").latex_to_text)


def print_json(console: Console, data: object) -> None:
    """Indented JSON, written as it is (Rich's JSON highlighting takes seconds on a large deck),
    with deck text kept data (core.text.json_text)."""
    console.file.write(json_text(data) + "\n")
    console.file.flush()


def due_in_words(moment: datetime | None, now: datetime, tz: tzinfo, *, short: bool = False) -> str:
    """When a card is due, in words.

    Long (summaries): 'now', 'in 8m', 'today 14:05', 'tomorrow 04:00', 'Tue 3 Mar', 'Wed 3 Mar 2027'.
    Short (table cells): 'now', 'in 8m', '14:05' later today, '3 Mar', '3 Mar 2027'; '-' for None.
    A year is shown for a day more than 300 days away.
    """
    if moment is None:
        return "-"
    delta = moment - now
    if delta <= timedelta(0):
        return "now"
    if delta < timedelta(hours=1):
        return f"in {max(1, round(delta.total_seconds() / 60))}m"
    local = moment.astimezone(tz)
    days = (local.date() - now.astimezone(tz).date()).days
    if short:
        if days == 0:
            return f"{local:%H:%M}"
        return f"{local.day} {local:%b}" + (f" {local:%Y}" if delta.days > 300 else "")
    if days == 0:
        return f"today {local:%H:%M}"
    if days == 1:
        return f"tomorrow {local:%H:%M}"
    return f"{local:%a} {local.day} {local:%b}" + (f" {local:%Y}" if days > 300 else "")


_MINUTE = 60.0
_HOUR = 60 * _MINUTE
_DAY = 24 * _HOUR
_YEAR = 365 * _DAY
_MONTH = _YEAR / 12
# (label, seconds per unit, used below this many seconds, shown with one decimal), as in Anki
_UNITS = (
    ("s", 1.0, _MINUTE, False),
    ("m", _MINUTE, _HOUR, False),
    ("h", _HOUR, _DAY, True),
    ("d", _DAY, _MONTH, False),
    ("mo", _MONTH, _YEAR, True),
    ("y", _YEAR, math.inf, True),
)


def format_interval(delta: timedelta) -> str:
    """A short label like Anki's answer buttons: 30s, 10m, 1.5h, 3d, 2.1mo, 1.3y."""
    seconds = delta.total_seconds()
    unit, per, _, decimals = next(row for row in _UNITS if abs(seconds) < row[2])
    amount = seconds / per
    if decimals:
        text = f"{round_half_up(amount * 10) / 10:.1f}".removesuffix(".0")
    else:
        text = str(round_half_up(amount))
    return f"{text}{unit}"


def duration(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    if minutes >= 60:
        return f"{minutes // 60}h {minutes % 60:02d}m"
    return f"{minutes}m {secs:02d}s"


def exam_in_words(day: date, today: date) -> str:
    """'exam in 12 days, 2026-12-14'; 'exam today, ...', 'exam tomorrow, ...', 'exam was 3 days ago, ...'."""
    left = (day - today).days
    if left == 0:
        when = "today"
    elif left == 1:
        when = "tomorrow"
    elif left > 1:
        when = f"in {left} days"
    elif left == -1:
        when = "was yesterday"
    else:
        when = f"was {-left} days ago"
    return f"exam {when}, {day.isoformat()}"


def percent(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f}%"


def count(n: int, thing: str) -> str:
    """'1 event', '3 events', '0 devices': a count and its noun, plural unless one."""
    return f"{n} {thing}" if n == 1 else f"{n} {thing}s"
