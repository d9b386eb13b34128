"""Writing decks with tomli-w: card blocks in a fixed key order, whole deck files, the commented
template `quizkit new` writes, and a valid deck's raw tables for the exporters."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from quizkit.core.ids import deck_id_for
from quizkit.io import deck_parse, deck_write
from quizkit.io.deck_files import load_deck
from quizkit.io.deck_format import CARD_KEY_ORDER, DECK_KEYS
from quizkit.io.disk import read_text
from quizkit.model import Deck, Kind

if TYPE_CHECKING:
    pass


def with_type_if_needed(kind: Kind, table: dict[str, Any]) -> dict[str, Any]:
    """The table with `type` set only when the loader could not infer the kind from the fields."""
    out = {key: value for key, value in table.items() if key != "type"}
    if deck_parse.inferred_kind(out) is not kind:
        out["type"] = kind.value
    return out


NEW_DECK_HEADER = """\
{title}: a quizkit deck.

Add cards with `quizkit add {path}`, or copy an example from the end of this
file: remove the "# " in front of its lines and change the text. The kind of
card follows from the fields it has. Check the deck with
`quizkit validate {path}`, and proofread it with `quizkit show {path}`.
The full reference is docs/deck-format.md.

Every card may also have:
  id       a stable key for the card's progress: keep it when you edit the text
  tags     short words to filter reviews and quizzes by, e.g. ["dates"]
  explain  one or two sentences of why, shown after answering
  source   where the answer comes from"""


EXAMPLES = """
# ---------------------------------------------------------------- examples
#
# basic: a question and an answer; the learner reveals it and rates
# themselves. reverse = true also asks it back to front.
# [[cards]]
# id = "capital-australia"
# q = "What is the capital of Australia?"
# a = "Canberra"
# tags = ["capitals"]
# explain = "Canberra was built as a compromise between Sydney and Melbourne."
#
# typed: the learner types the answer; accept lists other right answers.
# Without accept, write type = "typed" (else it is a basic card).
# [[cards]]
# id = "river-cairo"
# q = "Which river flows through Cairo?"
# a = "Nile"
# accept = ["the Nile", "River Nile"]
# tags = ["rivers"]
#
# choice: one right answer among the choices; a is copied from choices.
# [[cards]]
# id = "largest-ocean"
# q = "Which is the largest ocean?"
# choices = ["Pacific", "Atlantic", "Indian", "Arctic"]
# a = "Pacific"
# tags = ["oceans"]
#
# multi: select all that apply; a lists every right choice.
# [[cards]]
# id = "landlocked"
# q = "Which of these countries are landlocked? Select all that apply."
# choices = ["Bolivia", "Chile", "Mongolia", "Vietnam"]
# a = ["Bolivia", "Mongolia"]
# tags = ["borders"]
#
# truefalse: a statement; a is true or false, without quotes.
# [[cards]]
# id = "tf-sahara"
# q = "The Sahara is the largest desert on Earth."
# a = false
# tags = ["deserts"]
# explain = "Antarctica is larger: a desert is defined by how little rain falls, not by heat."
#
# cloze: each {{...}} is hidden in turn, one card each; a hint goes after ::,
# other right answers after |, as in {{Sharia law|Sharia::legal system}}.
# [[cards]]
# id = "cloze-everest"
# cloze = "Mount Everest lies on the border between {{Nepal}} and {{China::a country}}."
# tags = ["mountains"]
#
# order: the items in the right order; quizkit shuffles them when asking.
# [[cards]]
# id = "order-planets"
# q = "Put these planets in order from the Sun, nearest first."
# order = ["Mercury", "Venus", "Earth", "Mars"]
# tags = ["space"]
"""


def new_deck_text(path: Path, title: str, description: str = "", author: str = "") -> str:
    """The text of a new deck: a comment header, the [deck] table, and a commented example of every kind."""
    meta: dict[str, Any] = {"id": deck_id_for(path.stem), "title": title}
    if description:
        meta["description"] = description
    if author:
        meta["author"] = author
    header = NEW_DECK_HEADER.format(title=title.replace("\n", " "), path=path.as_posix())
    return deck_write.dump_deck(meta, [], header=header) + EXAMPLES


_INLINE_WIDTH = 100


def _toml_value(value: Any) -> str:
    import tomli_w

    return tomli_w.dumps({"v": value}).partition(" = ")[2].rstrip("\n")


def _toml_line(key: str, value: Any) -> str:
    if not isinstance(value, list):
        return f"{key} = {_toml_value(value)}"
    items = [_toml_value(item) for item in value]
    inline = f"{key} = [{', '.join(items)}]"
    if len(inline) <= _INLINE_WIDTH or len(items) < 2:
        return inline
    return f"{key} = [\n" + "".join(f"    {item},\n" for item in items) + "]"


def _toml_table(table: dict[str, Any], order: Iterable[str]) -> str:
    keys = [k for k in order if k in table] + [k for k in table if k not in order]
    return "".join(_toml_line(key, table[key]) + "\n" for key in keys if table[key] is not None)


def dump_card(table: dict[str, Any]) -> str:
    """One [[cards]] block written with tomli-w: keys in CARD_KEY_ORDER, short lists inline."""
    return "[[cards]]\n" + _toml_table(table, CARD_KEY_ORDER)


def dump_deck(meta: dict[str, Any], cards: Iterable[dict[str, Any]], header: str = "") -> str:
    """A whole deck file: an optional comment header, the [deck] table, then one block per card."""
    comment = "".join(f"# {line}".rstrip() + "\n" for line in header.splitlines())
    parts = [comment + ("\n" if comment else "") + "[deck]\n" + _toml_table(meta, DECK_KEYS)]
    parts.extend(dump_card(card) for card in cards)
    return "\n".join(parts)


def load_tables(path: Path | str) -> tuple[Deck, dict[str, Any], list[tuple[Kind, dict[str, Any]]]]:
    """A valid deck with its raw [deck] table and its [[cards]] tables, for exporters.

    Each table comes with its kind, its text stripped as the loader strips it, and
    its id filled in (the derived one for a card written without an id).
    """
    import tomllib

    deck = load_deck(path)
    data = tomllib.loads(read_text(Path(path)))
    # A valid deck yields each table's cards in file order, under one note id per table.
    notes = list({card.note_id: card.kind for card in deck.cards}.items())
    tables: list[tuple[Kind, dict[str, Any]]] = []
    for (note_id, kind), raw in zip(notes, data.get("cards", []), strict=True):
        table = {
            key: (
                value.strip()
                if isinstance(value, str)
                else [v.strip() for v in value]
                if isinstance(value, list)
                else value
            )
            for key, value in raw.items()
        }
        table["id"] = note_id
        tables.append((kind, table))
    return deck, dict(data.get("deck", {})), tables
