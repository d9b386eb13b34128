"""quizkit import and quizkit export: decks to and from other tools.

The conversions live in io (importing, delimited, anki_text, anki_notes, apkg, worksheets); these
use cases add the thin file I/O: read the whole input, convert and check everything, and only
then write the output, all at once, so that a bad input writes nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from quizkit.errors import DeckError, Problem, UsageError
from quizkit.io import apkg, deck_parse, deck_write, disk
from quizkit.io.anki_notes import to_anki_notes
from quizkit.io.delimited import GUESS, Layout, to_csv
from quizkit.io.imported import Imported
from quizkit.io.importing import STDIN, read_source, read_text_source
from quizkit.io.worksheets import MAX_VARIANTS, KeyPlace, Paper, papers, to_html, to_markdown
from quizkit.model import Deck, Kind
from quizkit.ui import render, words

if TYPE_CHECKING:
    from quizkit.app.env import Environment

FORMATS = ("apkg", "csv", "md", "html")


def import_deck(
    env: Environment,
    source: Path,
    out: Path,
    title: str | None = None,
    force: bool = False,
    *,
    layout: Layout = GUESS,
    append: bool = False,
) -> int:
    """Read another tool's file (`-`: standard input) into a new deck file, or append its cards to
    an existing one; everything is checked before anything is written."""
    if not out.name:
        raise UsageError(f"-o '{out}': give the new deck's file name, e.g. -o {source.stem or 'deck'}.toml")
    if out.suffix != ".toml":
        raise UsageError(f"-o {out}: deck files end in .toml; try -o {out.with_suffix('.toml')}")
    if append and force:
        raise UsageError("--append adds to the deck and --force replaces it: give one of them")
    if append and not out.is_file():
        raise UsageError(f"--append: {out} does not exist; leave out --append to create it")
    if out.exists() and not force and not append:
        raise UsageError(
            f"{out} already exists; add --force to replace it "
            "(card ids are stable, so the progress on cards that are still there is kept), "
            "or --append to add the cards to it"
        )
    disk.check_output(out)
    from_stdin = str(source) == "-"
    if from_stdin:
        imported = read_text_source(_stdin_bytes(env), STDIN, "", layout)
    else:
        imported = read_source(source, layout)
    if not imported.cards:
        for item in imported.left_out:
            env.stderr.print(words.plain(f"  not carried over: {item}"), soft_wrap=True)
        for item in imported.skipped:
            env.stderr.print(words.plain(f"  skipped: {item}"), soft_wrap=True)
        name = STDIN if from_stdin else str(source)
        raise DeckError([Problem(name, None, None, "has no cards quizkit can import", "see the list above")])
    if append:
        deck = _append(env, out, imported)
    else:
        from quizkit.core.ids import deck_id_for, title_for

        stem = out.stem if from_stdin else source.stem
        meta = {"id": deck_id_for(out.stem), "title": (title or imported.title or title_for(stem)).strip()}
        header = (
            f"Imported from {'standard input' if from_stdin else source.name} by quizkit import.\n"
            "Card ids come from the source (see docs/import-export.md): keep them, and\n"
            "re-importing an updated file keeps the learners' progress."
        )
        text = deck_write.dump_deck(meta, imported.cards, header=header)
        deck = deck_parse.parse_valid(text, str(out), default_id=out.stem)
        disk.write_atomic(out, text.encode("utf-8"))
    new_ids = {table["id"] for table in imported.cards}
    kinds = render.counts(Counter(card.kind.value for card in deck.cards if card.note_id in new_ids))
    say = env.stdout.print
    blocks = len(imported.cards)
    if append:
        what = f"appended {blocks} card blocks to {out} (now {len(deck.cards)} cards)"
    else:
        what = f"imported {blocks} card blocks ({len(deck.cards)} cards: {kinds}) into {out}"
    say(words.plain(what), soft_wrap=True)
    if imported.preview:  # how a spreadsheet's columns were read, then its first cards as read
        say(words.plain(f"columns read: {imported.preview[0]}"), soft_wrap=True)
        for line in imported.preview[1:]:
            say(words.plain(f"  {line}"), soft_wrap=True)
    _listing(env, "not carried over", imported.left_out)
    _listing(env, "changed on the way", imported.changed)
    _listing(env, "rows skipped", imported.skipped)
    say(words.plain(f"next: quizkit validate {out}   quizkit show {out}"), soft_wrap=True)
    return 0


def _stdin_bytes(env: Environment) -> bytes:
    """Standard input, whole, capped as a deck file is."""
    if env.stdin_isatty:  # someone typing: say what is awaited and how to end it
        env.stderr.print(
            "reading cards from standard input (CSV, TSV or Quizlet text); Ctrl-D ends it", soft_wrap=True
        )
    stream = getattr(env.stdin, "buffer", None)
    data = stream.read(disk.MAX_DECK_BYTES + 1) if stream is not None else env.stdin.read().encode("utf-8")
    if len(data) > disk.MAX_DECK_BYTES:
        raise UsageError(f"standard input is over {disk.MAX_DECK_BYTES // 2**20} MB; split it")
    return bytes(data)


def _append(env: Environment, out: Path, imported: Imported) -> Deck:
    """Append the imported cards to a deck as `quizkit add` does: the file's bytes are kept as they
    are and the blocks go after them; an id the deck already has gets -2, -3... (and a note)."""
    from quizkit.core.ids import unique_id

    raw = disk.read_bytes(out)
    existing = deck_parse.parse_valid(disk.decode(raw, str(out)), str(out), default_id=out.stem)
    taken = {c.note_id for c in existing.cards} | {c.id for c in existing.cards}
    renamed: list[str] = []
    lines: dict[str, int] = {}
    for table in imported.cards:
        old = table["id"]
        table["id"] = unique_id(old, taken)
        lines[table["id"]] = imported.lines.get(old, 0)
        if table["id"] != old:
            renamed.append(f"{old!r} became {table['id']!r}")
    imported.lines = lines
    if renamed:
        imported.changed.append(
            f"{len(renamed)} id(s) the deck already has were given new ones "
            f"(imported before?): {', '.join(renamed[:3])}" + (", ..." if len(renamed) > 3 else "")
        )
    newline = "\r\n" if b"\r\n" in raw else "\n"
    ending = b"" if not raw or raw.endswith(b"\n") else newline.encode()
    blocks = "".join(newline + deck_write.dump_card(table).replace("\n", newline) for table in imported.cards)
    data = raw + ending + blocks.encode("utf-8")
    deck = deck_parse.parse_valid(disk.decode(data, str(out)), str(out), default_id=out.stem)
    disk.write_atomic(out, data)
    return deck


def _listing(env: Environment, heading: str, items: Sequence[str], limit: int = 30) -> None:
    if not items:
        return
    env.stdout.print(words.plain(f"{heading} ({len(items)}):"), soft_wrap=True)
    for item in items[:limit]:
        env.stdout.print(words.plain(f"  - {item}"), soft_wrap=True)
    if len(items) > limit:
        env.stdout.print(words.plain(f"  ... and {len(items) - limit} more"), soft_wrap=True)


def export_deck(
    env: Environment,
    deck_name: Path | str,
    fmt: str | None,
    out: Path | None,
    *,
    shuffle: bool = False,
    seed: int = 0,
    tags: Sequence[str] = (),
    count: int | None = None,
    kinds: Sequence[Kind] = (),
    variants: int = 1,
    key: KeyPlace | None = None,
    force: bool = False,
) -> int:
    """Write a deck as an Anki package, a CSV file, or printable worksheets (Markdown, HTML); an
    existing file is only replaced with `force`."""
    if fmt is None:
        if out is None:
            raise UsageError(
                "say what to export to: --to apkg, csv, md or html (or -o FILE with that extension)"
            )
        fmt = out.suffix.lower().lstrip(".")
    fmt = fmt.lower()
    if fmt not in FORMATS:
        raise UsageError(f"cannot export to {fmt!r}; use --to apkg, csv, md or html")
    sheet_only = [
        name
        for name, given in (
            ("--count", count is not None),
            ("--kinds", bool(kinds)),
            ("--variants", variants != 1),
            ("--key", key is not None),
        )
        if given
    ]
    if fmt in ("csv", "apkg") and sheet_only:
        raise UsageError(f"{', '.join(sheet_only)}: only for worksheets (--to md or html)")
    if not 1 <= variants <= MAX_VARIANTS:
        raise UsageError(f"--variants {variants}: give 1 to {MAX_VARIANTS} (they are lettered A to Z)")
    from quizkit.app.library import deck_path as resolve

    deck_path = resolve(env, deck_name)
    if out is None:  # beside the deck file; here for a deck named by its id (it may be installed)
        named = Path(deck_name)
        out = named.with_suffix(f".{fmt}") if named == deck_path else Path(f"{named.name}.{fmt}")
    if out.suffix.lower() == ".toml" or out.resolve() == deck_path.resolve():
        raise UsageError(f"-o {out} would overwrite a deck file; export to a .{fmt} file")
    disk.check_output(out)
    if fmt not in ("md", "html"):
        _refuse_existing(out, force)
    deck, _meta, tables = deck_write.load_tables(deck_path)
    if fmt in ("md", "html"):
        return _export_sheets(
            env, deck_path, deck, tables, fmt, out, seed, shuffle, tags, count, kinds, variants, key, force
        )
    if tags:
        tables = [(kind, table) for kind, table in tables if set(tags) & set(table.get("tags", []))]
        if not tables:
            raise UsageError(f"no card in {deck_path} has the tag {', '.join(tags)}")
    note = ""
    if fmt == "csv":
        data = ("\ufeff" + to_csv(tables)).encode("utf-8")
    else:
        notes, flattened = to_anki_notes(deck.id, tables)
        data = apkg.write_package(deck.title, deck.description, deck.id, notes, env.clock().timestamp())
        if flattened:
            note = "became basic notes with their choices listed: " + render.counts(flattened)
    disk.write_atomic(out, data)
    env.stdout.print(
        words.plain(f"exported {len(tables)} card blocks of {deck_path} to {out} ({fmt})"), soft_wrap=True
    )
    if note:
        env.stdout.print(words.plain(f"  {note}"), soft_wrap=True)
    return 0


def _refuse_existing(out: Path, force: bool) -> None:
    if out.exists() and not force:
        raise UsageError(f"{out} already exists; add --force to replace it")


def sheet_files(out: Path, letter: str, variants: int, key: KeyPlace) -> tuple[Path, Path | None]:
    """Where one variant's paper and its separate key go: exam.html and exam-key.html for one
    variant; exam-A.html and exam-A-key.html, exam-B.html... for several."""
    stem = f"{out.stem}-{letter}" if variants > 1 else out.stem
    paper = out.with_name(stem + out.suffix)
    return paper, (out.with_name(f"{stem}-key{out.suffix}") if key is KeyPlace.SEPARATE else None)


def _export_sheets(
    env: Environment,
    deck_path: Path,
    deck: Deck,
    tables: Sequence[tuple[Kind, dict[str, Any]]],
    fmt: str,
    out: Path,
    seed: int,
    shuffle: bool,
    tags: Sequence[str],
    count: int | None,
    kinds: Sequence[Kind],
    variants: int,
    key: KeyPlace | None,
    force: bool = False,
) -> int:
    """Worksheets drawn as a quiz is (core.exam.draw_questions), in variants with their keys; every
    file is made and checked before the first is written."""
    import random

    from quizkit.core.exam import draw_questions

    place = key or KeyPlace.END
    drawn = draw_questions(deck, count, random.Random(seed), tags=tags, kinds=kinds)
    if not drawn:
        raise UsageError(f"no cards in {deck_path} match those tags and kinds")
    render_sheet: Callable[..., str] = to_markdown if fmt == "md" else to_html
    files: list[tuple[Path, str]] = []
    made: list[Paper] = papers(tables, drawn, seed, variants, shuffle)
    for paper in made:
        paper_file, key_file = sheet_files(out, paper.letter, variants, place)
        files.append(
            (paper_file, render_sheet(deck.title, deck.description, paper, key=place is KeyPlace.END))
        )
        if key_file is not None:
            files.append((key_file, render_sheet(deck.title, deck.description, paper, questions=False)))
    for path, _ in files:
        if path.resolve() == deck_path.resolve():
            raise UsageError(f"-o {out} would overwrite a deck file; export to a .{fmt} file")
        disk.check_output(path)
        _refuse_existing(path, force)
    for path, text in files:
        disk.write_atomic(path, text.encode("utf-8"))
    asked = len(made[0].questions)
    what = f"{asked} questions" + (f" in {variants} variants" if variants > 1 else "")
    env.stdout.print(words.plain(f"exported {what} from {deck_path} (seed {seed}):"), soft_wrap=True)
    for path, _ in files:
        env.stdout.print(words.plain(f"  {path}"), soft_wrap=True)
    return 0
