"""quizkit new and quizkit add: a new deck from the commented template, and a card asked for
field by field and appended, the rest of the file left byte for byte as it was."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from quizkit.core import ids
from quizkit.core.ids import readable_id, title_for
from quizkit.core.lint import content_problems
from quizkit.errors import UsageError
from quizkit.io import deck_format, deck_parse, deck_write, disk
from quizkit.io.deck_write import new_deck_text, with_type_if_needed
from quizkit.model import Kind
from quizkit.ui import render, words

if TYPE_CHECKING:
    from quizkit.app.env import Environment


def new_deck(
    env: Environment, path: Path, title: str | None = None, description: str = "", author: str = ""
) -> int:
    """Create a deck file with a commented example of every kind of card. Never overwrites."""
    if not path.stem.strip() or path.name in (".", ".."):
        raise UsageError(f"{str(path)!r} is not a file name; give the deck file to create, e.g. rivers.toml")
    if path.suffix != ".toml":
        raise UsageError(f"{path}: deck files end in .toml; try {path.with_suffix('.toml')}")
    disk.check_output(path)
    if path.exists():
        raise UsageError(f"{path} already exists; quizkit new never overwrites a file: choose another name")
    text = new_deck_text(path, (title or title_for(path.stem)).strip(), description.strip(), author.strip())
    deck = deck_parse.parse_valid(text, str(path), default_id=path.stem)
    disk.write_atomic(path, text.encode("utf-8"))
    env.stdout.print(words.plain(f"created {path} (deck id {deck.id!r}, no cards yet)"), soft_wrap=True)
    env.stdout.print(
        words.plain(f"add cards with: quizkit add {path}   (or uncomment an example at its end)"),
        soft_wrap=True,
    )
    return 0


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
        while not deck_format.CLOZE_PATTERN.search(
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
        tags = [ids.nfc(tag) for tag in ask(f"Tags, separated by spaces{in_use}: ").replace(",", " ").split()]
        bad = [tag for tag in tags if not ids.ID_PATTERN.match(tag)]
        if not bad:
            break
        shown = ", ".join(map(repr, bad))
        verb = "is not a tag" if len(bad) == 1 else "are not tags"
        say(f"  {shown} {verb}: tags are single words of {ids.ID_RULE}")
    if tags:
        table["tags"] = list(dict.fromkeys(tags))
    explain = ask("Explanation, why the answer is right (optional): ").strip()
    if explain:
        table["explain"] = explain
    source = ask("Source (optional): ").strip()
    if source:
        table["source"] = source
    return kind, table


def add_card(env: Environment, name: Path | str) -> int:
    """Ask for a new card, check it, and append it to the deck; the rest of the file is left untouched.

    The deck is named by its file or its id; a bundled deck is copied to the learner's own decks
    folder first (library.editable_path), and the card goes into the copy."""
    from quizkit.app import library

    path = library.deck_path(env, name)
    if path.is_file() and library.is_bundled(path):
        path, copied = library.editable_path(env, library.one_deck(env, path))
        if copied:
            env.stdout.print(words.plain(library.copied_message(path)), soft_wrap=True)
    raw = disk.read_bytes(path)  # the bytes exactly: appending keeps the rest of the file as it was
    text = disk.decode(raw, str(path))
    deck = deck_parse.parse_valid(text, str(path), default_id=path.stem)
    tags_in_use = [tag for tag, _ in Counter(t for c in deck.cards for t in c.tags).most_common()]
    env.stdout.print(words.plain(f"New card for {deck.title} ({path})"), soft_wrap=True)

    def ask(prompt: str) -> str:
        env.stdout.print(words.plain(prompt), end="", soft_wrap=True)
        line = env.stdin.readline()
        if not line:
            env.stdout.print()
            raise UsageError("the input ended before the card was complete; nothing was written")
        return line.rstrip("\r\n")

    def say(message: str) -> None:
        env.stdout.print(words.plain(message), soft_wrap=True)

    kind, table = ask_card(ask, say, tags_in_use)
    taken = {c.note_id for c in deck.cards} | {c.id for c in deck.cards}
    card_id = readable_id(str(table.get("q") if kind is not Kind.CLOZE else table["cloze"]), taken)
    block = deck_write.dump_card(with_type_if_needed(kind, {"id": card_id, **table}))
    newline = "\r\n" if b"\r\n" in raw else "\n"
    ending = b"" if not raw or raw.endswith(b"\n") else newline.encode()
    addition = (newline + block.replace("\n", newline)).encode("utf-8")
    new_text = disk.decode(raw + ending + addition, str(path))
    new_deck = deck_parse.parse_valid(new_text, str(path), default_id=path.stem)
    disk.write_atomic(path, raw + ending + addition)
    line = new_text.count("\n", 0, new_text.rindex("[[cards]]")) + 1
    say(f"added card {card_id!r} to {path}:{line}")
    for problem in content_problems(new_deck):
        if problem.card == card_id:
            env.stdout.print(render.problem(problem), soft_wrap=True)
    return 0
