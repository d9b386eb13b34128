"""Rich renderables. Nothing here reads input or touches the store.

Deck text is untrusted: it reaches the terminal only through `clean()` and
`Text`, never as markup, so a deck cannot restyle or take over the terminal.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime, tzinfo

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from quizkit.errors import Problem
from quizkit.model import Deck

# C0 controls except tab and newline, DEL, C1 controls, and the bidirectional
# overrides that can make text display differently from what it is.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])")


def clean(text: str) -> str:
    """Remove escape sequences and control characters from untrusted text."""
    return _UNSAFE.sub("", _ANSI.sub("", text))


def plain(text: str, style: str = "") -> Text:
    """Untrusted text as a Rich Text: shown literally, never parsed as markup."""
    return Text(clean(text), style=style)


def problem(p: Problem) -> Text:
    colour = "red" if p.severity == "error" else "yellow"
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
    table = Table.grid(padding=(0, 1))
    table.add_column(style="dim", no_wrap=True)
    table.add_column()
    table.add_row("title", plain(deck.title))
    table.add_row("kinds", counts(kinds) or "-")
    table.add_row("tags", plain(counts(tags)) if tags else Text("-"))
    return Group(head, table)


def card_table(deck: Deck) -> Table:
    table = Table(title=plain(deck.title), show_lines=False, expand=False)
    table.add_column("id", style="cyan", overflow="fold")
    table.add_column("kind", no_wrap=True)
    table.add_column("question", overflow="fold")
    table.add_column("answer", overflow="fold")
    table.add_column("tags", style="dim", overflow="fold")
    for card in deck.cards:
        table.add_row(
            plain(card.id),
            card.kind.value,
            plain(card.prompt),
            plain(card.answer),
            plain(" ".join(card.tags)),
        )
    return table


def when(moment: datetime, now: datetime, tz: tzinfo) -> str:
    """A due time in words: 'now', 'in 8m', 'tomorrow 04:00', 'Tue 3 Mar'."""
    delta = moment - now
    if delta.total_seconds() <= 0:
        return "now"
    local = moment.astimezone(tz)
    if delta.total_seconds() < 3600:
        return f"in {max(1, round(delta.total_seconds() / 60))}m"
    days = (local.date() - now.astimezone(tz).date()).days
    if days == 0:
        return f"today {local:%H:%M}"
    if days == 1:
        return f"tomorrow {local:%H:%M}"
    return f"{local:%a} {local.day} {local:%b %Y}" if days > 300 else f"{local:%a} {local.day} {local:%b}"


def due_table(rows: Sequence[Mapping[str, object]], now: datetime, tz: tzinfo) -> Table:
    table = Table(title="Due today", title_justify="left", expand=False)
    table.add_column("deck", overflow="fold")
    table.add_column("new", justify="right", style="blue")
    table.add_column("learn", justify="right", style="red")
    table.add_column("review", justify="right", style="green")
    table.add_column("next", overflow="fold")
    for row in rows:
        upcoming = row["next_due"]
        nxt = when(datetime.fromisoformat(str(upcoming)), now, tz) if upcoming else "-"
        table.add_row(plain(str(row["deck"])), str(row["new"]), str(row["learning"]), str(row["review"]), nxt)
    return table
