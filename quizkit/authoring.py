"""Writing decks: `quizkit new`, `quizkit add`, and the checks on what cards say.

The loader (decks.py) checks a deck's form. The content checks here look for
cards that are valid but teach badly: the same question twice, a right answer
that stands out by its length, a typed answer too long to type, cloze
deletions that give each other away, a card missing the explanation or tags
the rest of the deck has. They are pure functions returning warnings with the
file, line and card, like the loader's.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from quizkit import decks, render
from quizkit.errors import DeckError, Problem, UsageError
from quizkit.model import Card, Deck, Kind

if TYPE_CHECKING:
    from quizkit.app import Environment

# ---------------------------------------------------------------- content checks

LENGTH_RATIO = 1.75
"""A right answer this many times as long as the longest distractor stands out..."""
LENGTH_MARGIN = 15
"""...when it is also this many characters longer: short answers differ by chance."""
TYPED_MAX_WORDS = 6
TYPED_MAX_CHARS = 40
"""A typed answer longer than this (in its shortest accepted form) is too long to type."""


def content_problems(deck: Deck) -> list[Problem]:
    """Warnings about what the cards of a valid deck say, sorted by line."""
    notes = _notes(deck)
    found: list[Problem] = []
    found.extend(_duplicate_questions(deck, notes))
    for cards in notes:
        first = cards[0]

        def warn(message: str, hint: str, card: Card = first) -> None:
            found.append(Problem(deck.path, card.line or None, card.note_id, message, hint, "warning"))

        if first.kind in (Kind.CHOICE, Kind.MULTI):
            _length_giveaway(first, warn)
        elif first.kind is Kind.TYPED:
            _too_long_to_type(first, warn)
        elif first.kind is Kind.CLOZE:
            for number, card in enumerate(cards, start=1):
                _cloze_giveaway(card, number, warn)
    found.extend(_missing(deck, notes, "explain", "has no explanation", 'add explain = "..." saying why'))
    found.extend(_missing(deck, notes, "tags", "has no tags", 'add tags = ["..."] like the other cards'))
    return sorted(found, key=lambda p: p.line or 0)


def _notes(deck: Deck) -> list[list[Card]]:
    """The deck's cards grouped by the [[cards]] block they come from, in file order."""
    groups: dict[str, list[Card]] = {}
    for card in deck.cards:
        groups.setdefault(card.note_id or card.id, []).append(card)
    return list(groups.values())


def _normal(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).casefold()
    return " ".join(re.findall(r"\w+", folded))


def _duplicate_questions(deck: Deck, notes: list[list[Card]]) -> Iterable[Problem]:
    seen: dict[str, Card] = {}
    for cards in notes:
        card = cards[0]
        key = _normal(card.prompt)
        if not key:
            continue
        if key in seen:
            other = seen[key]
            yield Problem(
                deck.path,
                card.line or None,
                card.note_id,
                f"asks the same question as card {other.note_id} (line {other.line})",
                "reword one of them or merge them: learners would meet the same prompt twice",
                "warning",
            )
        else:
            seen[key] = card


def _length_giveaway(card: Card, warn: Callable[..., None]) -> None:
    right = [c for c in card.choices if c in card.accept]
    wrong = [c for c in card.choices if c not in card.accept]
    if not right or not wrong:
        return
    shortest_right = min(len(c) for c in right)
    longest_wrong = max(len(c) for c in wrong)
    if shortest_right >= LENGTH_RATIO * longest_wrong and shortest_right - longest_wrong >= LENGTH_MARGIN:
        which = "the right answer is" if card.kind is Kind.CHOICE else "every right answer is"
        warn(
            f"{which} much longer than every other choice ({shortest_right} characters against at most "
            f"{longest_wrong}): it can be picked without knowing it",
            "make the other choices as long and specific, or shorten the answer",
        )


def _too_long_to_type(card: Card, warn: Callable[..., None]) -> None:
    shortest = min(card.accept, key=len)
    words = len(shortest.split())
    if words > TYPED_MAX_WORDS or len(shortest) > TYPED_MAX_CHARS:
        warn(
            f"the answer is too long to type ({words} words, {len(shortest)} characters, "
            "even in its shortest accepted form)",
            "accept a short form (accept = [...]), or make it a basic or choice card",
        )


def _cloze_giveaway(card: Card, number: int, warn: Callable[..., None]) -> None:
    answer = _normal(card.answer)
    if len(answer) < 2:
        return
    # Both are normalised to words joined by single spaces: this is a whole-word search.
    if f" {answer} " in f" {_normal(card.prompt)} ":
        warn(
            f"deletion {number} ({card.answer!r}) can be read elsewhere in the sentence while it is hidden",
            "hide every place it appears in one deletion, or reword the sentence",
            card,
        )


def _missing(deck: Deck, notes: list[list[Card]], key: str, message: str, hint: str) -> Iterable[Problem]:
    """Cards without explain (or tags) in a deck whose cards mostly have them: they were forgotten.

    A deck that uses none is a choice the author made, not a slip, and gets no warning.
    """
    lacking = [cards[0] for cards in notes if not (cards[0].explain if key == "explain" else cards[0].tags)]
    if not lacking or 2 * (len(notes) - len(lacking)) < len(notes):
        return
    for card in lacking:
        yield Problem(deck.path, card.line or None, card.note_id, message, hint, "warning")


# ---------------------------------------------------------------- ids

_STOP_WORDS = frozenset(
    "a an the of in on at to is are was were be been what which who whom whose when where why how "
    "did does do for by with and or its it this that these those from as into according article "
    "following true false".split()
)


def readable_id(text: str, taken: Iterable[str] = ()) -> str:
    """A short id from a question's words: "Which river flows through Cairo?" -> river-flows-through-cairo."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    ascii_text = re.sub(r"\{\{|\}\}|::", " ", ascii_text)
    words = re.findall(r"[a-z0-9]+", ascii_text)
    kept = [w for w in words if w not in _STOP_WORDS] or words
    base = "-".join(kept[:5])[:60].strip("-") or "card"
    used = set(taken)
    candidate, number = base, 2
    while candidate in used:
        candidate = f"{base}-{number}"
        number += 1
    return candidate


def with_type_if_needed(kind: Kind, table: dict[str, Any]) -> dict[str, Any]:
    """The table with `type` set only when the loader could not infer the kind from the fields."""
    out = {key: value for key, value in table.items() if key != "type"}
    if decks.inferred_kind(out) is not kind:
        out["type"] = kind.value
    return out


# ---------------------------------------------------------------- quizkit new

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
# cloze: each {{...}} is hidden in turn, one card each; a hint goes after ::.
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
    return decks.dump_deck(meta, [], header=header) + EXAMPLES


def deck_id_for(stem: str) -> str:
    """A deck id from a file name: kept as it is when valid, else made valid."""
    if decks.ID_PATTERN.match(stem):
        return stem
    folded = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", folded).strip("-_.")[:100] or "deck"


def title_for(stem: str) -> str:
    words = re.sub(r"[-_.]+", " ", stem).strip()
    return words[:1].upper() + words[1:] if words else "My deck"


def new_deck(
    env: Environment, path: Path, title: str | None = None, description: str = "", author: str = ""
) -> int:
    """Create a deck file with a commented example of every kind of card. Never overwrites."""
    if path.suffix != ".toml":
        raise UsageError(f"{path}: deck files end in .toml; try {path.with_suffix('.toml')}")
    if path.exists():
        raise UsageError(f"{path} already exists; quizkit new never overwrites a file: choose another name")
    if not path.parent.is_dir():
        raise UsageError(f"{path.parent} is not a folder; create it first")
    text = new_deck_text(path, (title or title_for(path.stem)).strip(), description.strip(), author.strip())
    deck, problems = decks.parse_deck(text, str(path), default_id=path.stem)
    errors = [p for p in problems if p.severity == "error"]
    if errors or deck is None:
        raise DeckError(errors)
    decks.write_atomic(path, text.encode("utf-8"))
    env.stdout.print(render.plain(f"created {path} (deck id {deck.id!r}, no cards yet)"), soft_wrap=True)
    env.stdout.print(
        render.plain(f"add cards with: quizkit add {path}   (or uncomment an example at its end)"),
        soft_wrap=True,
    )
    return 0


# ---------------------------------------------------------------- quizkit add

Ask = Callable[[str], str]
"""Show a prompt and return the line typed (without its newline)."""

KIND_ALIASES = {
    "b": Kind.BASIC,
    "mc": Kind.CHOICE,
    "multiple choice": Kind.CHOICE,
    "tf": Kind.TRUEFALSE,
    "true/false": Kind.TRUEFALSE,
    "c": Kind.CLOZE,
    "o": Kind.ORDER,
    "m": Kind.MULTI,
    "type": Kind.TYPED,
}
_YES = {"y", "yes", "true", "t", "1"}
_NO = {"n", "no", "false", "f", "0", ""}


def ask_card(ask: Ask, say: Callable[[str], None], tags_in_use: Sequence[str]) -> tuple[Kind, dict[str, Any]]:
    """Ask for one card, field by field; returns its kind and its table (without an id)."""
    kinds = ", ".join(k.value for k in Kind)
    while True:
        answer = ask(f"Kind of card ({kinds}) [basic]: ").strip().lower()
        kind = Kind.BASIC if not answer else KIND_ALIASES.get(answer)
        if kind is None and answer in {k.value for k in Kind}:
            kind = Kind(answer)
        if kind is not None:
            break
        say(f"  {answer!r} is not a kind of card; type one of: {kinds}")

    def required(prompt: str) -> str:
        while not (value := ask(prompt).strip()):
            say("  this one is needed")
        return value

    def items(prompt: str, minimum: int) -> list[str]:
        say(prompt + " One per line; an empty line ends the list.")
        out: list[str] = []
        while True:
            value = ask(f"  {len(out) + 1}> ").strip()
            if value in out:
                say("  already in the list")
            elif value:
                out.append(value)
            elif len(out) >= minimum:
                return out
            else:
                say(f"  give at least {minimum}")

    def numbers(prompt: str, options: Sequence[str], many: bool) -> list[str]:
        while True:
            picked = re.findall(r"\d+", ask(prompt))
            chosen = [int(n) for n in picked]
            if chosen and all(1 <= n <= len(options) for n in chosen) and (many or len(chosen) == 1):
                return [options[n - 1] for n in dict.fromkeys(chosen)]
            say(f"  type {'the numbers' if many else 'the number'} of the right choice, 1 to {len(options)}")

    table: dict[str, Any] = {}
    if kind is Kind.CLOZE:
        while not decks.CLOZE_PATTERN.search(
            sentence := required("Sentence, with {{double braces}} around each part to hide: ")
        ):
            say("  put {{ }} around the words to hide, e.g. The Nile flows through {{Cairo}}.")
        table["cloze"] = sentence
        instruction = ask("Instruction shown above it (optional): ").strip()
        if instruction:
            table["q"] = instruction
    else:
        prompt = "Statement to judge: " if kind is Kind.TRUEFALSE else "Question: "
        table["q"] = required(prompt)
    if kind in (Kind.BASIC, Kind.TYPED):
        table["a"] = required("Answer: ")
    if kind is Kind.TYPED:
        accept = items("Other answers to accept (optional).", 0)
        if accept:
            table["accept"] = accept
    elif kind is Kind.BASIC:
        if ask("Also ask it back to front? [y/N]: ").strip().lower() in _YES:
            table["reverse"] = True
    elif kind in (Kind.CHOICE, Kind.MULTI):
        choices = items("Choices.", 2)
        table["choices"] = choices
        for number, choice in enumerate(choices, start=1):
            say(f"  {number}. {choice}")
        if kind is Kind.CHOICE:
            table["a"] = numbers("Number of the right choice: ", choices, many=False)[0]
        else:
            table["a"] = numbers("Numbers of the right choices (e.g. 1 3): ", choices, many=True)
    elif kind is Kind.TRUEFALSE:
        while (value := ask("Is it true? (true/false): ").strip().lower()) not in _YES | (_NO - {""}):
            say("  type true or false")
        table["a"] = value in _YES
    elif kind is Kind.ORDER:
        table["order"] = items("Items, in the right order.", 2)
    in_use = f" (this deck uses: {' '.join(tags_in_use)})" if tags_in_use else ""
    while True:
        tags = ask(f"Tags, separated by spaces{in_use}: ").replace(",", " ").split()
        bad = [tag for tag in tags if not decks.ID_PATTERN.match(tag)]
        if not bad:
            break
        say(f"  {bad[0]!r} is not a tag: tags are single words of letters, digits, '-', '_' and '.'")
    if tags:
        table["tags"] = list(dict.fromkeys(tags))
    explain = ask("Explanation, why the answer is right (optional): ").strip()
    if explain:
        table["explain"] = explain
    source = ask("Source (optional): ").strip()
    if source:
        table["source"] = source
    return kind, table


def add_card(env: Environment, path: Path) -> int:
    """Ask for a new card, check it, and append it to the deck; the rest of the file is left untouched."""
    raw = _read_deck_bytes(path)
    text = decks.decode(raw, str(path))
    deck, problems = decks.parse_deck(text, str(path), default_id=path.stem)
    errors = [p for p in problems if p.severity == "error"]
    if errors or deck is None:
        raise DeckError(errors)
    tags_in_use = [tag for tag, _ in Counter(t for c in deck.cards for t in c.tags).most_common()]
    env.stdout.print(render.plain(f"New card for {deck.title} ({path})"), soft_wrap=True)

    def ask(prompt: str) -> str:
        env.stdout.print(render.plain(prompt), end="", soft_wrap=True)
        line = env.stdin.readline()
        if not line:
            env.stdout.print()
            raise UsageError("the input ended before the card was complete; nothing was written")
        return line.rstrip("\r\n")

    def say(message: str) -> None:
        env.stdout.print(render.plain(message), soft_wrap=True)

    kind, table = ask_card(ask, say, tags_in_use)
    taken = {c.note_id for c in deck.cards} | {c.id for c in deck.cards}
    card_id = readable_id(str(table.get("q") if kind is not Kind.CLOZE else table["cloze"]), taken)
    block = decks.dump_card(with_type_if_needed(kind, {"id": card_id, **table}))
    newline = "\r\n" if b"\r\n" in raw else "\n"
    ending = b"" if not raw or raw.endswith(b"\n") else newline.encode()
    addition = (newline + block.replace("\n", newline)).encode("utf-8")
    new_text = decks.decode(raw + ending + addition, str(path))
    new_deck, problems = decks.parse_deck(new_text, str(path), default_id=path.stem)
    errors = [p for p in problems if p.severity == "error"]
    if errors or new_deck is None:
        raise DeckError(errors)
    decks.write_atomic(path, raw + ending + addition)
    line = new_text.count("\n", 0, new_text.rindex("[[cards]]")) + 1
    say(f"added card {card_id!r} to {path}:{line}")
    for problem in content_problems(new_deck):
        if problem.card == card_id:
            env.stdout.print(render.problem(problem), soft_wrap=True)
    return 0


def _read_deck_bytes(path: Path) -> bytes:
    """The deck file's bytes exactly, so that appending keeps the rest of it as it was."""
    decks.read_text(path)  # the loader's messages for a missing, unreadable or oversized file
    try:
        return path.read_bytes()
    except OSError as error:
        raise DeckError([Problem(str(path), None, None, f"cannot be read: {error.strerror}")]) from None
