"""Options of a choice or order card as they are shown: their letters and their shuffled order."""

from __future__ import annotations

import random


def choice_letter(index: int) -> str:
    """The letter of the option at `index`: A, B, C... (after Z, the option's number)."""
    return chr(65 + index) if index < 26 else str(index + 1)


def shuffle_items(items: list[str], rng: random.Random) -> list[str]:
    """Items in a new order: never the given one (for two or more), which would give an order away."""
    if len(set(items)) < 2:
        return list(items)
    while True:
        out = list(items)
        rng.shuffle(out)
        if out != items:
            return out
