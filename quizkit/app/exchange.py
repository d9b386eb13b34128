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
from quizkit.io import anki_media, apkg, deck_parse, deck_write, disk
from quizkit.io.anki_notes import UNMAPPED, to_anki_notes
from quizkit.io.delimited import GUESS, Layout, to_csv
from quizkit.io.imported import Imported
from quizkit.io.importing import STDIN, read_source, read_text_source
from quizkit.io.worksheets import MAX_VARIANTS, KeyPlace, Paper, SheetPictures, papers, to_html, to_markdown
from quizkit.model import CardState, Deck, Kind
from quizkit.ui import render, words

if TYPE_CHECKING:
    from quizkit.app.env import Environment

FORMATS = ("apkg", "csv", "md", "html")


LAYOUTS = ("files", "tags")
"""--decks: each Anki deck its own file in the -o folder, or one file with a tag per deck."""


def import_deck(
    env: Environment,
    source: Path,
    out: Path,
    title: str | None = None,
    force: bool = False,
    *,
    with_progress: bool = False,
    layout: str | None = None,
    reading: Layout = GUESS,
    append: bool = False,
) -> int:
    """Read another tool's file (`-`: standard input) into a new deck file (or, with a folder for
    -o, one deck file per Anki deck), or append its cards to an existing deck; everything is
    checked before anything is written, the progress last. `reading` is how a CSV is read.

    With `with_progress`, -o naming an existing deck file and no `force`, only the progress is
    imported, into that deck, its file left as it is: the way back from the phone for a package
    that quizkit exported (every card must be one of the deck's)."""
    if not out.name:
        raise UsageError(f"-o '{out}': give the new deck's file name, e.g. -o {source.stem or 'deck'}.toml")
    from_stdin = str(source) == "-"
    if append:
        if force:
            raise UsageError("--append adds to the deck and --force replaces it: give one of them")
        if with_progress or layout is not None:
            raise UsageError("--append adds to one existing deck: leave out --with-progress and --decks")
        if out.suffix != ".toml":
            raise UsageError(f"-o {out}: deck files end in .toml; try -o {out.with_suffix('.toml')}")
        if not out.is_file():
            raise UsageError(f"--append: {out} does not exist; leave out --append to create it")
        disk.check_output(out)
        layout = "tags"
    else:
        if layout is not None and layout.strip().lower() not in LAYOUTS:
            raise UsageError(f"--decks {layout}: give files (a deck file per deck) or tags (one file)")
        folder = out.suffix != ".toml" and (out.is_dir() or not out.suffix)  # x.toml is always a file
        layout = (layout or ("files" if folder else "tags")).strip().lower()
        if layout == "files" and not folder:
            raise UsageError(
                f"--decks files: -o names a folder for the deck files, e.g. -o {out.with_suffix('')}"
            )
        if layout == "tags" and out.suffix != ".toml":
            raise UsageError(f"-o {out}: deck files end in .toml; try -o {out.with_suffix('.toml')}")
        if layout == "files" and out.exists() and not out.is_dir():
            raise UsageError(f"-o {out}: that is a file; give a folder for the deck files (it is made)")
        if layout == "tags" and with_progress and not force and out.is_file() and not from_stdin:
            return _import_progress_only(env, source, out)
        if layout == "tags":
            _refuse_existing_deck(out, force)
            disk.check_output(out)
    if from_stdin:
        if with_progress:
            raise UsageError(
                "--with-progress works with an Anki package given as a file, not on standard input"
            )
        imported = read_text_source(_stdin_bytes(env), STDIN, "", reading)
        return _import_read(env, source, out, imported, title, force, layout, append, None)
    # An Anki package's pictures and sounds go into a folder beside the deck: deck.media/ for
    # -o deck.toml, media/ in the -o folder of --decks files.
    if layout == "files":
        stage = anki_media.MediaStage(out, "media", replace=force)
    else:
        stage = anki_media.MediaStage(out.parent, f"{out.stem}.media", replace=force)
    with stage:
        imported = read_source(source, with_progress, reading, stage)
        if with_progress and imported.progress is None:
            raise UsageError(
                f"--with-progress: {source.name} has no review history; it works with Anki packages "
                "(.apkg, .colpkg) exported with 'Include scheduling information'"
            )
        return _import_read(env, source, out, imported, title, force, layout, append, stage)


def _import_read(
    env: Environment,
    source: Path,
    out: Path,
    imported: Imported,
    title: str | None,
    force: bool,
    layout: str,
    append: bool,
    stage: anki_media.MediaStage | None,
) -> int:
    """import_deck once the source is read: check the cards, then write the decks (and the media)."""
    from_stdin = str(source) == "-"
    if not imported.cards:
        for item in imported.left_out:
            env.stderr.print(words.plain(f"  not carried over: {item}"), soft_wrap=True)
        for item in imported.skipped:
            env.stderr.print(words.plain(f"  skipped: {item}"), soft_wrap=True)
        name = STDIN if from_stdin else str(source)
        raise DeckError([Problem(name, None, None, "has no cards quizkit can import", "see the list above")])
    say = env.stdout.print
    made: list[tuple[Path, str, Deck, list[dict[str, Any]]]] = []
    media_names = {name for names in imported.media.values() for name in names}
    copied = 0
    if append:
        if stage is not None:  # the pictures are checked; the deck with them is checked as it is appended
            copied = stage.commit(media_names)
        deck = _append(env, out, imported)
        new_ids = {table["id"] for table in imported.cards}
        shown_path = out
        say(
            words.plain(
                f"appended {len(imported.cards)} card blocks to {out} (now {len(deck.cards)} cards: "
                f"{render.counts(Counter(c.kind.value for c in deck.cards if c.note_id in new_ids))} new)"
            ),
            soft_wrap=True,
        )
    else:
        from quizkit.core.ids import deck_id_for, title_for

        header = (
            f"Imported from {'standard input' if from_stdin else source.name} by quizkit import.\n"
            "Card ids come from the source (see docs/import-export.md): keep them, and\n"
            "re-importing an updated file keeps the learners' progress."
        )
        for path, deck_title, description, tables in _layout(imported, out, layout, source):
            if layout == "files":
                _refuse_existing_deck(path, force)
                disk.check_output(path if out.is_dir() else out)  # the folder is made, in an existing one
            stem = path.stem if from_stdin or layout == "files" else source.stem
            meta = {"id": deck_id_for(path.stem), "title": (title or deck_title or title_for(stem)).strip()}
            if description:
                meta["description"] = description
            text = deck_write.dump_deck(meta, tables, header=header)
            made.append((path, text, _checked(text, path, stage), tables))
        if layout == "files":
            out.mkdir(exist_ok=True)
        if stage is not None:
            copied = stage.commit(media_names)
        for path, text, _deck, _tables in made:
            disk.write_atomic(path, text.encode("utf-8"))
        for path, _text, deck, tables in made:
            kinds = render.counts(Counter(card.kind.value for card in deck.cards))
            say(
                words.plain(
                    f"imported {len(tables)} card blocks ({len(deck.cards)} cards: {kinds}) into {path}"
                ),
                soft_wrap=True,
            )
        shown_path = made[0][0] if len(made) == 1 else out
    if stage is not None and media_names:
        there = len(media_names) - copied
        files = "media file" if copied == 1 else "media files"
        say(
            words.plain(
                f"copied {copied} {files} into {stage.final}"
                + (f" ({there} more already there, the same)" if there else "")
            ),
            soft_wrap=True,
        )
    if imported.preview:  # how a spreadsheet's columns were read, then its first cards as read
        say(words.plain(f"columns read: {imported.preview[0]}"), soft_wrap=True)
        for line in imported.preview[1:]:
            say(words.plain(f"  {line}"), soft_wrap=True)
    if imported.progress is not None:
        _import_progress(env, imported, [(deck, tables) for _p, _t, deck, tables in made])
    _listing(
        env,
        "sounds and videos, copied: quizkit does not play them (the card text names each)",
        imported.sounds,
    )
    _listing(env, "images not shown as pictures, copied (the card text names each)", imported.unshown)
    _listing(env, "not carried over", imported.left_out)
    _listing(env, "changed on the way", imported.changed)
    _listing(env, "rows skipped", imported.skipped)
    first = made[0][0] if made else out
    say(words.plain(f"next: quizkit validate {shown_path}   quizkit show {first}"), soft_wrap=True)
    return 0


def _checked(text: str, path: Path, stage: anki_media.MediaStage | None) -> Deck:
    """The deck text parsed as the file `path` would be, its pictures looked for where they are
    before they are moved in: in the media stage (which mirrors the deck's folder)."""
    from msgspec.structs import replace

    if stage is None or stage.root is None:
        return deck_parse.parse_valid(text, str(path), default_id=path.stem)
    try:
        deck = deck_parse.parse_valid(text, str(stage.root / path.name), default_id=path.stem)
    except DeckError as error:
        raise DeckError([replace(problem, path=str(path)) for problem in error.problems]) from None
    return replace(deck, path=str(path))


def _import_progress_only(env: Environment, source: Path, out: Path) -> int:
    """import --with-progress into an existing deck: the package's review history (a phone's,
    for a package exported with --with-progress) joins the deck's progress; the deck file is kept."""
    imported = read_source(source, True, GUESS)
    if imported.progress is None:
        raise UsageError(
            f"--with-progress: {source.name} has no review history; it works with Anki packages "
            "(.apkg, .colpkg) exported with 'Include scheduling information'"
        )
    deck = deck_write.load_tables(out)[0]
    notes = {card.note_id for card in deck.cards}
    strangers = [str(table["id"]) for table in imported.cards if str(table["id"]) not in notes]
    if strangers or not imported.cards:
        shown = ", ".join(strangers[:3]) + (", ..." if len(strangers) > 3 else "")
        raise UsageError(
            f"{out} already exists, and {source.name} has cards it does not have"
            + (f" ({len(strangers)}: {shown})" if strangers else "")
            + "; add --force to replace the deck file with the package's cards, or give a new -o file"
        )
    env.stdout.print(
        words.plain(
            f"progress only: {out} is left as it is "
            f"(the package's {len(imported.cards)} card blocks are all in it)"
        ),
        soft_wrap=True,
    )
    _import_progress(env, imported, [(deck, imported.cards)])
    _listing(env, "not carried over", [item for item in imported.left_out if item.startswith(UNMAPPED)])
    return 0


def _refuse_existing_deck(out: Path, force: bool) -> None:
    if out.exists() and not force:
        raise UsageError(
            f"{out} already exists; add --force to replace it "
            "(card ids are stable, so the progress on cards that are still there is kept)"
        )


def _layout(
    imported: Imported, out: Path, layout: str, source: Path
) -> list[tuple[Path, str, str, list[dict[str, Any]]]]:
    """The deck files to write: (path, title, description, card tables)."""
    from quizkit.core.ids import deck_id_for
    from quizkit.io.imported import deck_path_tag, deck_path_title, title_of

    decks = imported.decks
    about = imported.descriptions
    if layout == "tags":
        names = {decks.get(str(t["id"]), "") for t in imported.cards}
        tables = imported.cards
        if len(names) > 1:  # a tag per deck, so that the subdecks can still be studied apart
            tables = []
            for table in imported.cards:
                tag = deck_path_tag(decks.get(str(table["id"]), ""))
                tags = list(table.get("tags", []))
                if tag and tag not in tags:
                    tags.append(tag)
                tables.append({**table, "tags": tags} if tags else table)
        described = [(name, about[name]) for name in sorted(n for n in names if n) if about.get(name)]
        if len(described) == 1 and len(names) == 1:
            description = described[0][1]
        else:
            description = "\n".join(f"{deck_path_title(name)}: {text}" for name, text in described)
        return [(out, imported.title, description, tables)]
    groups: dict[str, list[dict[str, Any]]] = {}
    for table in imported.cards:
        groups.setdefault(decks.get(str(table["id"]), ""), []).append(table)
    files = []
    taken: set[str] = set()
    for name, tables in groups.items():
        stem = deck_id_for(name.replace("::", "-").replace(" ", "-")) if name else deck_id_for(source.stem)
        base, number = stem, 2
        while stem.casefold() in taken:
            stem, number = f"{base}-{number}", number + 1
        taken.add(stem.casefold())
        files.append((out / f"{stem}.toml", title_of([name]) or imported.title, about.get(name, ""), tables))
    return files


def _import_progress(
    env: Environment, imported: Imported, made: list[tuple[Deck, list[dict[str, Any]]]]
) -> None:
    """Replay the imported answers through quizkit's scheduler, card by card, into the progress
    store (each an ordinary review marked imported_from its revlog id), then suspend and bury.
    Answers imported before are skipped, and so are those older than the card's quizkit progress
    and the ones quizkit wrote itself (export --with-progress: a revlog id that is the moment in ms
    of a quizkit answer of the same card, as apkg.revlog_ids gives it)."""
    import json
    from datetime import UTC, datetime, timedelta

    from msgspec.structs import replace

    from quizkit.core import scheduler
    from quizkit.core.session import fuzz_key
    from quizkit.model import Mode, Rating
    from quizkit.store.progress import Answer

    progress = imported.progress
    assert progress is not None
    now = env.clock()
    most = env.settings.max_answer_seconds * 1000

    def cap(duration_ms: int | None) -> int | None:  # as quizkit's own answers are capped
        return duration_ms if duration_ms is None or not most else min(duration_ms, most)

    home: dict[str, Deck] = {}
    for deck, tables in made:
        for table in tables:
            home[str(table["id"])] = deck
    by_card: dict[tuple[str, str], list[Any]] = {}
    for review in progress.reviews:
        owner = home.get(review.table_id)
        if owner is not None:
            by_card.setdefault((owner.id, review.card_id), []).append(review)
    added: list[int] = []
    touched: set[tuple[str, str]] = set()
    older = 0
    suspended = buried = 0
    with env.open_store() as store, store.write(now):
        from quizkit.store.fitted import FittedParameters

        fitted = FittedParameters(store)  # the replay schedules as the review session would
        already = store.imported_ids(r.source_id for r in progress.reviews)
        written: set[tuple[str, str, int]] = set()  # (deck, card, revlog id) of quizkit's own answers
        for deck_id in {deck_id for deck_id, _card in by_card}:
            log = store.answer_moments(deck_id)
            ids = apkg.revlog_ids([ms for _card, ms in log])
            written.update(
                (deck_id, card, revlog_id) for (card, _ms), revlog_id in zip(log, ids, strict=True)
            )
        ours = 0
        for (deck_id, card_id), reviews in by_card.items():
            deck = next(d for d, _ in made if d.id == deck_id)
            card = next((c for c in deck.cards if c.id == card_id), None)
            if card is None:
                continue
            config = env.settings.scheduler_config(deck, fitted.get(deck.id))
            setting = json.dumps(config.to_dict(), sort_keys=True)
            state = store.state(deck_id, card_id)
            for review in reviews:
                if review.source_id in already:
                    continue
                if (deck_id, card_id, review.source_id) in written:
                    ours += 1
                    continue
                at = datetime.fromtimestamp(review.at_ms / 1000, UTC)
                if state.last_review is not None and at <= state.last_review:
                    older += 1
                    continue
                after = scheduler.review(
                    state, Rating(review.rating), at, config, key=fuzz_key((deck_id, card_id))
                )
                store.record(
                    Answer(
                        deck_id=deck_id,
                        card_id=card_id,
                        at=at,
                        rating=Rating(review.rating),
                        before=state,
                        after=after,
                        mode=Mode.REVIEW,
                        fingerprint=card.fingerprint,
                        scheduler=setting,
                        duration_ms=cap(review.duration_ms),
                        imported_from=review.source_id,
                    )
                )
                state = after
                added.append(review.at_ms)
                touched.add((deck_id, card_id))
        for marked, table_and_card in (
            *((True, key) for key in sorted(progress.suspended)),
            *((False, key) for key in sorted(progress.buried)),
        ):
            holder = home.get(table_and_card[0])
            if holder is None or not any(c.id == table_and_card[1] for c in holder.cards):
                continue
            state = store.state(holder.id, table_and_card[1])
            config = env.settings.scheduler_config(holder)
            if marked and not state.suspended:
                state = replace(state, suspended=True)
                suspended += 1
            elif not marked and state.buried_until is None:
                tomorrow = scheduler.study_day(now, config) + timedelta(days=1)
                state = replace(state, buried_until=scheduler.day_start(tomorrow, config))
                buried += 1
            else:
                continue
            store.set_state(holder.id, table_and_card[1], state, now)
    say = env.stdout.print
    if added:
        config = env.settings.scheduler_config()
        first, last = (
            scheduler.study_day(datetime.fromtimestamp(ms / 1000, UTC), config)
            for ms in (min(added), max(added))
        )
        say(
            words.plain(
                f"progress: {len(added)} reviews of {len(touched)} cards, from {first.isoformat()} to "
                f"{last.isoformat()}, replayed through quizkit's scheduler"
            ),
            soft_wrap=True,
        )
    else:
        say(words.plain("progress: no new reviews"), soft_wrap=True)
    skipped = [
        text
        for count, text in (
            (len(already), "already imported"),
            (ours, "written by quizkit (export --with-progress)"),
            (older, "older than the card's quizkit progress"),
            (progress.manual, "manual changes in Anki (rescheduled, forgotten), not answers"),
        )
        if count
        for text in [f"{count} {text}"]
    ]
    if skipped:
        say(words.plain(f"  reviews not replayed: {'; '.join(skipped)}"), soft_wrap=True)
    if suspended or buried:
        cards = "card" if suspended == 1 else "cards"
        say(words.plain(f"  as in Anki: {suspended} {cards} suspended, {buried} buried"), soft_wrap=True)


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
    with_progress: bool = False,
) -> int:
    """Write a deck as an Anki package, a CSV file, or printable worksheets (Markdown, HTML); an
    existing file is only replaced with `force`. `with_progress` (packages only): each card's
    schedule, FSRS memory state and review log go into the package, for Anki on the phone."""
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
    if with_progress and fmt != "apkg":
        raise UsageError(f"--with-progress: only for Anki packages (--to apkg), not --to {fmt}")
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
    progress = None
    if fmt == "csv":
        data = ("\ufeff" + to_csv(tables)).encode("utf-8")
    packed: list[tuple[str, bytes]] = []
    if fmt == "apkg":
        names, packed = _package_pictures(deck_path, tables)
        notes = to_anki_notes(deck.id, tables, names)
        progress = _package_progress(env, deck, notes) if with_progress else None
        data = apkg.write_package(
            deck.title,
            deck.description,
            deck.id,
            notes,
            env.clock().timestamp(),
            progress=progress,
            media=packed,
        )
    disk.write_atomic(out, data)
    pictures = f", {len(packed)} pictures" if packed else ""
    env.stdout.print(
        words.plain(f"exported {len(tables)} card blocks of {deck_path} to {out} ({fmt}{pictures})"),
        soft_wrap=True,
    )
    if progress is not None:
        studied = sum(1 for s in progress.schedules.values() if s.ctype)
        reviews = sum(len(s.revlog) for s in progress.schedules.values())
        env.stdout.print(
            words.plain(
                f"with progress: {studied} of {len(progress.schedules)} cards studied, {reviews} reviews "
                "(import it in Anki; importing it where the cards already are keeps their old schedule)"
            ),
            soft_wrap=True,
        )
    return 0


def _package_pictures(
    deck_path: Path, tables: Sequence[tuple[Kind, dict[str, Any]]]
) -> tuple[dict[str, str], list[tuple[str, bytes]]]:
    """The cards' pictures for a package: each path in the deck -> its flat name in the package,
    and the files to pack (name, bytes), each checked as the deck's pictures are (inside the deck's
    folder, a regular file, not too big, every pixel decodes) and read through that one check."""
    from quizkit.io.pictures import PictureError, checked_bytes, located

    folder = deck_path.parent
    files: list[tuple[str, Path]] = []
    contents: dict[str, bytes] = {}
    for _kind, table in tables:
        for key in ("image", "answer_image"):
            written = table.get(key)
            if not isinstance(written, str) or any(w == written for w, _f in files):
                continue
            try:
                files.append((written, located(folder, written)))
                contents[written] = checked_bytes(folder, written)[0]
            except PictureError as error:
                raise DeckError(
                    [Problem(str(deck_path), None, str(table["id"]), f"{key}: {error.message}", error.hint)]
                ) from None
    names = anki_media.package_names(files)
    packed: dict[str, bytes] = {}
    for written, _file in files:
        packed.setdefault(names[written], contents[written])
    return names, list(packed.items())


def _anki_ord(card_id: str, note_id: str) -> int | None:
    """Which of the note's Anki cards (ord) a quizkit card is: the note itself 0, .rev 1, .cK K-1."""
    suffix = card_id[len(note_id) :]
    if not suffix:
        return 0
    if suffix == ".rev":
        return 1
    if suffix.startswith(".c") and suffix[2:].isdigit():
        return int(suffix[2:]) - 1
    return None


def _package_progress(env: Environment, deck: Deck, notes: Sequence[apkg.NewNote]) -> apkg.Progress:
    """Each card's schedule and answers, in Anki's numbers, for export --with-progress. Anki's day 0
    is today's study day, so that its days are quizkit's study days; each answer's revlog id is its
    moment in ms (apkg.revlog_ids), which is how the import back knows its own answers."""
    from quizkit.core import scheduler
    from quizkit.store.fitted import FittedParameters

    now = env.clock()
    with env.open_store() as store:
        config = env.settings.scheduler_config(deck, FittedParameters(store).get(deck.id))
        states = store.states(deck.id)
        log = store.answer_log(deck.id)
    answers: dict[str, list[apkg.Answered]] = {}
    for a, revlog_id in zip(log, apkg.revlog_ids([a.at_ms for a in log]), strict=True):
        answered = apkg.Answered(revlog_id, a.at_ms, int(a.rating), a.duration_ms, a.before, a.after)
        answers.setdefault(a.card_id, []).append(answered)
    day0 = scheduler.study_day(now, config)
    start = scheduler.day_start(day0, config)
    offset = start.astimezone(config.tz).utcoffset()
    minutes_west = -int(offset.total_seconds() // 60) if offset is not None else 0
    guids = {note.guid: position for position, note in enumerate(notes, start=1)}
    schedules: dict[tuple[str, int], apkg.Schedule] = {}
    for card in deck.cards:
        guid = f"quizkit:{deck.id}:{card.note_id}"
        ord_ = _anki_ord(card.id, card.note_id)
        if guid not in guids or ord_ is None:
            continue
        state = states.get(card.id, CardState())
        schedules[(guid, ord_)] = apkg.anki_schedule(
            state, answers.get(card.id, []), guids[guid], day0, config, now
        )
    return apkg.Progress(schedules, int(start.timestamp()), minutes_west, config.day_start_hour)


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
    file is made and checked before the first is written. Card pictures are embedded in HTML and
    linked from Markdown (relative to the worksheet's folder); one that cannot be read is printed
    as its alt text, and a warning names its card."""
    import random

    from quizkit.core.exam import draw_questions

    place = key or KeyPlace.END
    drawn = draw_questions(deck, count, random.Random(seed), tags=tags, kinds=kinds)
    if not drawn:
        raise UsageError(f"no cards in {deck_path} match those tags and kinds")
    render_sheet: Callable[..., str] = to_markdown if fmt == "md" else to_html
    files: list[tuple[Path, str]] = []
    made: list[Paper] = papers(tables, drawn, seed, variants, shuffle)
    pictures = SheetPictures(deck_path.parent, out.parent if fmt == "md" else None)
    for paper in made:
        paper_file, key_file = sheet_files(out, paper.letter, variants, place)
        files.append(
            (
                paper_file,
                render_sheet(
                    deck.title, deck.description, paper, pictures=pictures, key=place is KeyPlace.END
                ),
            )
        )
        if key_file is not None:
            files.append(
                (
                    key_file,
                    render_sheet(deck.title, deck.description, paper, pictures=pictures, questions=False),
                )
            )
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
    lines = {card.id: card.line for card in deck.cards}
    for (card, _file), problem in pictures.problems.items():
        where = f"{deck_path}:{lines[card]}" if lines.get(card) else str(deck_path)
        env.stderr.print(
            words.plain(
                f"{where}: warning: card {card}: {problem}; the worksheet prints its alt text instead"
            ),
            soft_wrap=True,
        )
    return 0
