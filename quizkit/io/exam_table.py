"""An exam file's [exam] table, checked against its cards (io/exam_pack.py is the file).

Apart from exam_pack so that the deck parser can check an exam file's [exam] table (quizkit
validate) without the writer and the reader above it.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from quizkit.core.choices import shuffle_items
from quizkit.core.exam import as_written, parse_duration
from quizkit.errors import Problem, Severity, UsageError
from quizkit.io.deck_format import did_you_mean
from quizkit.io.toml_text import Positions, type_name
from quizkit.model import Card, Kind

FORMAT = 1
"""The exam file's format: a file of a newer format is refused by name, not misread."""

EXAM_KEYS = (
    "format",
    "seed",
    "time_limit",
    "pass_mark",
    "feedback",
    "deck_file",
    "deck_hash",
    "hash",
    "shown",
)

MAX_SEED = 2**63 - 1
"""As --seed: an exam's seed is saved with it (SQLite's integers are 64-bit)."""

MAX_QUESTIONS = 1000
"""Questions in one exam file: more than any sitting, and what quizkit class reads at once."""

FEEDBACK = ("end", "immediate")


def exam_settings(
    table: Any, cards: Sequence[Card], deck_id: str, lines: Positions, path: str
) -> tuple[dict[str, Any] | None, list[Problem]]:
    """The [exam] table checked against the cards: ExamFile's fields but the deck (None when
    anything is wrong) and the problems, each at its line."""
    problems: list[Problem] = []

    def err(key: str | None, message: str, hint: str = "", card: str | None = None) -> None:
        where = lines.table_line("exam.shown", card) if card else lines.table_line("exam", key)
        problems.append(Problem(path, where, card, message, hint))

    if not isinstance(table, dict):
        err(None, "'exam' must be a table", "write [exam] on its own line, then its keys")
        return None, problems
    for key in table:
        if key not in EXAM_KEYS:
            err(key, f"unknown key '{key}' in [exam]", did_you_mean(key, EXAM_KEYS))
    version = table.get("format", FORMAT)
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        err("format", "[exam] format must be a whole number", f"write format = {FORMAT}")
    elif version > FORMAT:
        err(
            "format",
            f"this exam file is of format {version}, made by a newer quizkit (this one reads {FORMAT})",
            "upgrade quizkit (pip install -U quizkit), or ask for the file in the older format",
        )
    seed = table.get("seed")
    if seed is not None and (
        not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed <= MAX_SEED
    ):
        wrong = type_name(seed) if not isinstance(seed, int) or isinstance(seed, bool) else str(seed)
        err(
            "seed", f"[exam] seed must be a whole number from 0 to 2**63 - 1, not {wrong}", "e.g. seed = 1234"
        )
        seed = None
    limit: timedelta | None = None
    written = table.get("time_limit")
    if written is not None:
        if not isinstance(written, str):
            err("time_limit", "[exam] time_limit must be text", 'write it in quotes, e.g. time_limit = "20m"')
        else:
            try:
                limit = parse_duration(written, "[exam] time_limit")
            except UsageError as error:
                err("time_limit", str(error), 'e.g. time_limit = "20m" or "1h30m"; leave it out for no limit')
    mark = table.get("pass_mark")
    if mark is not None and (
        isinstance(mark, bool) or not isinstance(mark, int | float) or not 0 <= mark <= 100
    ):
        err("pass_mark", "[exam] pass_mark must be a percentage from 0 to 100", "e.g. pass_mark = 70")
        mark = None
    feedback = table.get("feedback", "end")
    if feedback not in FEEDBACK:
        err("feedback", "[exam] feedback is 'end' or 'immediate'", 'e.g. feedback = "end"')
    texts = {key: table.get(key) for key in ("deck_file", "deck_hash", "hash")}
    for key, value in texts.items():
        if value is not None and not isinstance(value, str):
            err(key, f"[exam] {key} must be text", "quizkit exam-pack writes it; remove the line")
    if not cards:
        err(None, "an exam file needs questions: it has no [[cards]]", "make it with quizkit exam-pack DECK")
    if len(cards) > MAX_QUESTIONS:
        err(None, f"an exam file has at most {MAX_QUESTIONS} questions; this one has {len(cards)}", "")
    shown = _shown_orders(table.get("shown", {}), cards, seed, err)
    if any(p.severity is Severity.ERROR for p in problems):
        return None, problems
    questions = tuple(as_written((deck_id, card.id), card, shown.get(card.id, ())) for card in cards)
    exam = {
        "questions": questions,
        "seed": seed,
        "time_limit": limit,
        "pass_mark": float(mark) if mark is not None else None,
        "feedback": feedback,
        "deck_file": texts["deck_file"],
        "deck_hash": texts["deck_hash"],
        "written_hash": texts["hash"],
    }
    if texts["hash"] is not None:
        from quizkit.io.reports import questions_hash

        own = questions_hash(deck_id, seed, limit, exam["pass_mark"], questions)
        if own != texts["hash"]:
            problems.append(
                Problem(
                    path,
                    lines.table_line("exam", "hash"),
                    None,
                    f"this exam was changed after quizkit exam-pack made it (its hash is {own}, "
                    f"not {texts['hash']})",
                    "hand out the file exam-pack wrote, or make it again; quizkit class tells "
                    "the reports of the two versions apart",
                    Severity.WARNING,
                )
            )
    return exam, problems


def _shown_orders(raw: Any, cards: Sequence[Card], seed: int | None, err: Any) -> dict[str, tuple[str, ...]]:
    """Each order card's items in the order shown: as [exam.shown] gives them, checked; for an
    order card it leaves out, shuffled from the seed and the card id (the same for everyone)."""
    orders = {card.id: card for card in cards if card.kind is Kind.ORDER}
    shown: dict[str, tuple[str, ...]] = {}
    if not isinstance(raw, dict):
        err("shown", "[exam] shown must be a table of card id = [items in the order shown]", "")
        return shown
    for card_id, items in raw.items():
        card = orders.get(card_id)
        if card is None:
            err(
                None,
                f"[exam.shown] names '{card_id}', which is not an order card of this exam",
                "shown gives the order an order card's items are shown in; remove the line",
                card=card_id,
            )
        elif not isinstance(items, list) or sorted(map(str, items)) != sorted(card.accept):
            err(
                None,
                f"[exam.shown] for '{card_id}' must list the card's items, each once, in the order shown",
                f"its items are {', '.join(repr(item) for item in card.accept)}",
                card=card_id,
            )
        else:
            shown[card_id] = tuple(items)
    for card_id, card in orders.items():
        if card_id not in shown:
            shown[card_id] = tuple(shuffle_items(list(card.accept), random.Random(f"{seed}:{card_id}")))
    return shown
