"""An Anki-style review history in CSV: card_id, review_rating, review_time, review_duration.

The layout the FSRS optimizers read (../shared/data/anki-revlog-12k.csv is one): a header row,
then one review a line; review_time is ISO 8601 with its offset. Other columns are ignored.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

from quizkit.errors import QuizkitError
from quizkit.io.disk import decode, read_bytes
from quizkit.model import Rating

COLUMNS = ("card_id", "review_rating", "review_time")
MAX_REVLOG_BYTES = 1 << 30


class RevlogError(QuizkitError):
    """A review-history CSV that cannot be read."""


def read_revlog(path: Path) -> dict[str, list[tuple[datetime, Rating]]]:
    """Each card's reviews in time order (the file's order breaks ties), or RevlogError at file:line."""
    text = decode(read_bytes(path, limit=MAX_REVLOG_BYTES), str(path))
    reader = csv.DictReader(io.StringIO(text, newline=""))
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise RevlogError(f"{path}:1: missing column {', '.join(missing)} (expected {', '.join(COLUMNS)})")
    histories: dict[str, list[tuple[datetime, Rating]]] = defaultdict(list)
    for row in reader:
        line = reader.line_num
        card = (row.get("card_id") or "").strip()
        if not card:
            raise RevlogError(f"{path}:{line}: card_id is empty")
        try:
            rating = Rating(int(row.get("review_rating") or ""))
        except ValueError:
            raise RevlogError(
                f"{path}:{line}: review_rating {row.get('review_rating')!r} is not 1, 2, 3 or 4"
            ) from None
        try:
            moment = datetime.fromisoformat((row.get("review_time") or "").strip())
        except ValueError:
            raise RevlogError(
                f"{path}:{line}: review_time {row.get('review_time')!r} is not an ISO 8601 time"
            ) from None
        if moment.tzinfo is None:
            raise RevlogError(f"{path}:{line}: review_time {row['review_time']!r} has no UTC offset")
        histories[card].append((moment.astimezone(UTC), rating))
    for history in histories.values():
        history.sort(key=lambda review: review[0])
    return dict(histories)
