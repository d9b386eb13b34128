"""Hostile Anki packages: each one is refused with a message naming the file, quickly, in bounded
memory, without a traceback, without writing the output and without spilling temp files.

Every package is built here, in tmp_path: an SQLite collection made with sqlite3, zipped with
zipfile, compressed with zstandard. The bombs are small on disk and large when unpacked.

The heavy cases run `python -m quizkit import` in a child process with a safety net (RLIMIT_AS
2 GB, RLIMIT_CPU 60 s, RLIMIT_FSIZE 1.5 GB, SQLITE_TMPDIR and TMPDIR in tmp_path), and measure
that one child with os.wait4: the refusal must take under WALL_LIMIT seconds and under RSS_LIMIT
of peak resident memory (Python with quizkit imported is about 60 MB of that).
"""

from __future__ import annotations

import io
import json
import os
import random
import resource
import sqlite3
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest
import zstandard
from typer.testing import CliRunner

from quizkit.cli import app
from quizkit.errors import DeckError
from quizkit.io import anki_notes, apkg

WALL_LIMIT = 10.0
"""Seconds for one refused import, Python start-up included."""

RSS_LIMIT = 400 * 1024 * 1024
"""Peak resident memory of the child that refuses one hostile package."""

ZIP_BOMB_BYTES = 1024 * 1024 * 1024
"""What the zip and zstd bombs unpack to, nearly: just under the old reader's 1 GB limit."""

BASIC_MODEL = {
    "1": {
        "id": 1,
        "name": "Basic",
        "type": 0,
        "flds": [{"name": "Front", "ord": 0}, {"name": "Back", "ord": 1}],
        "tmpls": [{"name": "Card 1", "ord": 0, "qfmt": "{{Front}}", "afmt": "{{Back}}"}],
    }
}
DECKS = {"1": {"id": 1, "name": "Hostile"}}

NOTES_TABLE = "CREATE TABLE notes (id integer PRIMARY KEY, guid text, mid integer, tags text, flds text)"
CARDS_TABLE = "CREATE TABLE cards (id integer PRIMARY KEY, nid integer, ord integer, did integer)"
COL_TABLE = "CREATE TABLE col (id integer PRIMARY KEY, models text, decks text)"
REVLOG_TABLE = "CREATE TABLE revlog (id integer, cid integer, ease integer, type integer)"


def sqlite_bytes(
    tmp_path: Path, statements: Iterable[str], rows: Callable[[sqlite3.Connection], None]
) -> bytes:
    path = tmp_path / f"build-{len(list(tmp_path.iterdir()))}.sqlite"
    db = sqlite3.connect(path)
    try:
        for statement in statements:
            db.execute(statement)
        rows(db)
        db.commit()
    finally:
        db.close()
    data = path.read_bytes()
    path.unlink()
    return data


def legacy(
    tmp_path: Path,
    *,
    notes: str = NOTES_TABLE,
    cards: str = CARDS_TABLE,
    extra: Iterable[str] = (),
    models: str = json.dumps(BASIC_MODEL),
    decks: str = json.dumps(DECKS),
    note_rows: Iterable[tuple[object, ...]] = ((1, "guid1", 1, "tag", "Front?\x1fBack"),),
) -> bytes:
    """A schema 11 collection (as collection.anki21 in a zip), its parts replaceable."""

    def rows(db: sqlite3.Connection) -> None:
        db.execute("INSERT INTO col VALUES (1, ?, ?)", (models, decks))
        if notes.startswith("CREATE TABLE notes"):
            for row in note_rows:
                columns = "(id, guid, mid, tags, flds)" if len(row) == 5 else "(id, guid, mid, tags)"
                db.execute(f"INSERT INTO notes {columns} VALUES ({', '.join('?' * len(row))})", row)
        if cards == CARDS_TABLE:
            db.execute("INSERT INTO cards VALUES (1, 1, 0, 1)")
        for statement in extra:
            db.execute(statement)

    collection = sqlite_bytes(tmp_path, [COL_TABLE, notes, cards], rows)
    return zipped({"collection.anki21": collection, "media": b"{}"})


def schema18(tmp_path: Path, *, template_config: object = b"\x0a\x09{{Front}}\x12\x08{{Back}}") -> bytes:
    """A current collection (zstd, as collection.anki21b): note types, fields and templates in tables."""

    def rows(db: sqlite3.Connection) -> None:
        db.execute("INSERT INTO notes VALUES (1, 'guid1', 1, '', 'Front?\x1fBack')")
        db.execute("INSERT INTO cards VALUES (1, 1, 0, 1)")
        db.execute("INSERT INTO notetypes VALUES (1, 'Basic', x'')")
        db.execute("INSERT INTO fields VALUES (1, 0, 'Front'), (1, 1, 'Back')")
        db.execute("INSERT INTO templates VALUES (1, 0, ?)", (template_config,))
        db.execute("INSERT INTO decks VALUES (1, 'Hostile')")

    collection = sqlite_bytes(
        tmp_path,
        [
            COL_TABLE,
            NOTES_TABLE,
            CARDS_TABLE,
            "CREATE TABLE notetypes (id integer PRIMARY KEY, name text, config blob)",
            "CREATE TABLE fields (ntid integer, ord integer, name text)",
            "CREATE TABLE templates (ntid integer, ord integer, config blob)",
            "CREATE TABLE decks (id integer PRIMARY KEY, name text)",
        ],
        rows,
    )
    return zipped({"collection.anki21b": zstandard.ZstdCompressor().compress(collection), "media": b""})


def zipped(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def sqlite_header(tmp_path: Path) -> bytes:
    return sqlite_bytes(tmp_path, [NOTES_TABLE], lambda db: None)


def zip_bomb(tmp_path: Path) -> bytes:
    """About 1 MB of deflate that unpacks to 1 GB: a valid SQLite page, then zeros."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        with archive.open("collection.anki21", "w", force_zip64=True) as member:
            head = sqlite_header(tmp_path)
            member.write(head)
            zeros = bytes(16 * 1024 * 1024)
            for _ in range((ZIP_BOMB_BYTES - len(head)) // len(zeros)):
                member.write(zeros)
    return out.getvalue()


def zstd_bomb(tmp_path: Path) -> bytes:
    """Some tens of KB of zstd that unpack to 1 GB, stored in the zip as Anki stores it."""
    out = io.BytesIO()
    compressor = zstandard.ZstdCompressor(level=19)
    with compressor.stream_writer(out, closefd=False) as writer:
        head = sqlite_header(tmp_path)
        writer.write(head)
        zeros = bytes(16 * 1024 * 1024)
        for _ in range((ZIP_BOMB_BYTES - len(head)) // len(zeros)):
            writer.write(zeros)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("collection.anki21b", out.getvalue())
    return buffer.getvalue()


def media_map_bomb(tmp_path: Path) -> bytes:
    """A zstd media map of 32 million empty MediaEntries entries: under 1 KB on disk."""
    out = io.BytesIO()
    with zstandard.ZstdCompressor(level=19).stream_writer(out, closefd=False) as writer:
        chunk = b"\x0a\x00" * (8 * 1024 * 1024)
        for _ in range(4):
            writer.write(chunk)
    with zipfile.ZipFile(io.BytesIO(legacy(tmp_path))) as archive:
        collection = archive.read("collection.anki21")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("collection.anki21", collection)
        archive.writestr("media", out.getvalue())
    return buffer.getvalue()


def json_media_map(tmp_path: Path) -> bytes:
    """A legacy (JSON) media map naming 2 million files: 29 MB of JSON, a few MB deflated."""
    names = "{" + ",".join(f'"{number}":"a"' for number in range(2_000_000)) + "}"
    with zipfile.ZipFile(io.BytesIO(legacy(tmp_path))) as archive:
        collection = archive.read("collection.anki21")
    return zipped({"collection.anki21": collection, "media": names.encode()})


def legacy_collection_bytes(tmp_path: Path) -> bytes:
    with zipfile.ZipFile(io.BytesIO(legacy(tmp_path))) as archive:
        return archive.read("collection.anki21")


def legacy_collection_file(tmp_path: Path) -> Path:
    path = tmp_path / "collection.sqlite"
    path.write_bytes(legacy_collection_bytes(tmp_path))
    return path


RECURSIVE = "WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r)"

# name -> (builder, part of the message)
HEAVY: dict[str, tuple[Callable[[Path], bytes], str]] = {
    "recursive-view-notes": (
        lambda p: legacy(
            p,
            notes=f"CREATE VIEW notes AS {RECURSIVE} SELECT x AS id, 'g' AS guid, 1 AS mid, '' AS tags, "
            "'a' AS flds FROM r",
        ),
        "'notes' is a view",
    ),
    "recursive-view-cards": (
        lambda p: legacy(
            p, cards=f"CREATE VIEW cards AS {RECURSIVE} SELECT x AS id, 1 AS nid, x AS ord, 1 AS did FROM r"
        ),
        "'cards' is a view",
    ),
    "cross-join-view": (
        lambda p: legacy(
            p,
            cards="CREATE TABLE t (x)",
            extra=[
                "INSERT INTO t VALUES (1), (2), (3), (4), (5), (6), (7), (8)",
                "CREATE VIEW cards AS SELECT 1 AS id, 1 AS nid, 0 AS ord, 1 AS did "
                "FROM t a, t b, t c, t d, t e, t f, t g, t h, t i, t j, t k, t l",
            ],
        ),
        "'cards' is a view",
    ),
    "randomblob-view": (
        lambda p: legacy(
            p,
            notes="CREATE VIEW notes AS SELECT 1 AS id, 'g' AS guid, 1 AS mid, '' AS tags, "
            "hex(randomblob(4e8)) AS flds",
        ),
        "'notes' is a view",
    ),
    "zeroblob-generated-column": (
        lambda p: legacy(
            p,
            notes="CREATE TABLE notes (id integer PRIMARY KEY, guid text, mid integer, tags text, "
            "flds text GENERATED ALWAYS AS (hex(zeroblob(400000000))) VIRTUAL)",
            note_rows=((1, "g", 1, ""),),
        ),
        "computed",
    ),
    "zip-bomb": (zip_bomb, "unpacks to more than"),
    "zstd-bomb": (zstd_bomb, "unpacks to more than"),
    "zstd-media-map": (media_map_bomb, "media list"),
    "json-media-map": (json_media_map, "media list names more than"),
}


def run_import(tmp_path: Path, source: Path, out: Path) -> tuple[int, str, float, int]:
    """quizkit import in a child process: exit code, stderr, wall seconds, peak RSS in bytes."""
    spill = tmp_path / "tmp"
    spill.mkdir(exist_ok=True)
    env = {
        **os.environ,
        "QUIZKIT_DB": str(tmp_path / "progress.db"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "SQLITE_TMPDIR": str(spill),
        "TMPDIR": str(spill),
        "COLUMNS": "200",
    }

    def limits() -> None:  # a safety net for the machine, far above the bounds asserted
        resource.setrlimit(resource.RLIMIT_AS, (2 * 1024**3, 2 * 1024**3))
        resource.setrlimit(resource.RLIMIT_CPU, (60, 60))
        resource.setrlimit(resource.RLIMIT_FSIZE, (1536 * 1024**2, 1536 * 1024**2))

    with open(tmp_path / "stdout", "wb") as stdout, open(tmp_path / "stderr", "wb") as stderr:
        started = time.monotonic()
        child = subprocess.Popen(
            [sys.executable, "-m", "quizkit", "import", str(source), "-o", str(out)],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=stderr,
            preexec_fn=limits,
            cwd=tmp_path,
        )
        _pid, status, usage = os.wait4(child.pid, 0)
        wall = time.monotonic() - started
        child.returncode = os.waitstatus_to_exitcode(status)
    text = (tmp_path / "stderr").read_text(encoding="utf-8", errors="replace")
    text += (tmp_path / "stdout").read_text(encoding="utf-8", errors="replace")
    assert not any(spill.iterdir()), f"left temp files behind: {list(spill.iterdir())}"
    return child.returncode, text, wall, usage.ru_maxrss * 1024


@pytest.mark.slow
@pytest.mark.parametrize("case", sorted(HEAVY))
def test_hostile_package_is_refused_quickly_in_bounded_memory(tmp_path: Path, case: str) -> None:
    build, message = HEAVY[case]
    source = tmp_path / f"{case}.apkg"
    source.write_bytes(build(tmp_path))
    out = tmp_path / "out.toml"
    code, text, wall, rss = run_import(tmp_path, source, out)
    flat = " ".join(text.split())
    assert code == 1, text
    assert "Traceback" not in text
    assert f"{source}: error: " in flat and message in flat, text
    assert "export it again from Anki" in flat or "split the deck in Anki" in flat, text
    assert not out.exists()
    assert wall < WALL_LIMIT, f"{case}: {wall:.1f} s"
    assert rss < RSS_LIMIT, f"{case}: {rss / 2**20:.0f} MB"


@pytest.mark.slow
def test_bombs_are_small_on_disk(tmp_path: Path) -> None:
    assert len(zstd_bomb(tmp_path)) < 100_000
    with zipfile.ZipFile(io.BytesIO(media_map_bomb(tmp_path))) as archive:
        assert archive.getinfo("media").compress_size < 10_000


# ---------------------------------------------------------------- damaged metadata, in process

DEEP = "[" * 100_000 + "]" * 100_000


def model(**changes: object) -> str:
    entry = {**BASIC_MODEL["1"], **changes}
    return json.dumps({"1": entry})


METADATA: dict[str, tuple[Callable[[Path], bytes], str]] = {
    "models-list": (lambda p: legacy(p, models="[]"), "note types are damaged"),
    "models-null": (lambda p: legacy(p, models="null"), "note types are damaged"),
    "models-deep": (lambda p: legacy(p, models=DEEP), "note types are damaged"),
    "models-deep-object": (lambda p: legacy(p, models='{"a":' * 100_000 + "1" + "}" * 100_000), "note types"),
    "model-id-infinity": (lambda p: legacy(p, models='{"1": {"id": Infinity}}'), "note types are damaged"),
    "model-id-nan": (lambda p: legacy(p, models=model(id=float("nan"))), "note types are damaged"),
    "model-id-huge-float": (lambda p: legacy(p, models='{"1": {"id": 1e400}}'), "note types are damaged"),
    "model-id-huge-int": (lambda p: legacy(p, models='{"1": {"id": ' + "9" * 5000 + "}}"), "note types"),
    "model-id-out-of-range": (lambda p: legacy(p, models=model(id=2**70)), "note types are damaged"),
    "model-id-text": (lambda p: legacy(p, models=model(id="x")), "note types are damaged"),
    "model-id-bool": (lambda p: legacy(p, models=model(id=True)), "note types are damaged"),
    "model-a-string": (lambda p: legacy(p, models='{"1": "Basic"}'), "note types are damaged"),
    "model-fields-null": (lambda p: legacy(p, models=model(flds=None)), "note types are damaged"),
    "model-field-a-number": (lambda p: legacy(p, models=model(flds=[3])), "note types are damaged"),
    "model-field-name-list": (
        lambda p: legacy(p, models=model(flds=[{"name": [], "ord": 0}])),
        "note types are damaged",
    ),
    "model-field-ord-text": (
        lambda p: legacy(p, models=model(flds=[{"name": "F", "ord": "a"}, {"name": "B", "ord": 1}])),
        "note types are damaged",
    ),
    "model-template-qfmt-int": (
        lambda p: legacy(p, models=model(tmpls=[{"ord": 0, "qfmt": 1, "afmt": ""}])),
        "note types are damaged",
    ),
    "model-name-dict": (lambda p: legacy(p, models=model(name={})), "note types are damaged"),
    "models-not-utf8": (lambda p: not_utf8(legacy(p, models="PLACEHOLDER")), "cannot read"),
    "decks-list": (lambda p: legacy(p, decks="[]"), "decks are damaged"),
    "decks-null": (lambda p: legacy(p, decks="null"), "decks are damaged"),
    "decks-deep": (lambda p: legacy(p, decks=DEEP), "decks are damaged"),
    "deck-id-infinity": (lambda p: legacy(p, decks='{"1": {"id": -Infinity, "name": "x"}}'), "decks are"),
    "deck-name-number": (lambda p: legacy(p, decks='{"1": {"id": 1, "name": 5}}'), "decks are damaged"),
    "template-config-integer": (lambda p: schema18(p, template_config=7), "note types are damaged"),
    "template-config-text": (lambda p: schema18(p, template_config="abc"), "note types are damaged"),
    "template-config-truncated": (
        lambda p: schema18(p, template_config=b"\x0a\x7f"),
        "note types are damaged",
    ),
    "note-fields-blob": (
        lambda p: legacy(p, note_rows=((1, "g", 1, "", b"\x00\x01"),)),
        "notes are damaged",
    ),
    "note-mid-text": (lambda p: legacy(p, note_rows=((1, "g", "x", "", "a\x1fb"),)), "notes are damaged"),
    "note-mid-float": (lambda p: legacy(p, note_rows=((1, "g", 1.5, "", "a\x1fb"),)), "notes are damaged"),
    "note-guid-null": (lambda p: legacy(p, note_rows=((1, None, 1, "", "a\x1fb"),)), "notes are damaged"),
    "trigger": (
        lambda p: legacy(p, extra=["CREATE TRIGGER t AFTER INSERT ON notes BEGIN SELECT 1; END"]),
        "a trigger",
    ),
    "col-view": (
        lambda p: legacy(
            p,
            extra=["ALTER TABLE col RENAME TO col2", "CREATE VIEW col AS SELECT * FROM col2"],
        ),
        "'col' is a view",
    ),
    "virtual-table": (
        lambda p: legacy(
            p,
            cards="CREATE VIRTUAL TABLE cards USING rtree(id, nid, ord)",
        ),
        "'cards' is not an ordinary table",
    ),
    "no-notes-table": (lambda p: legacy(p, notes="CREATE TABLE other (x)"), "has no 'notes' table"),
    "col-empty": (lambda p: legacy(p, extra=["DELETE FROM col"]), "note types are damaged"),
    "revlog-ease-text": (
        lambda p: legacy(p, extra=[REVLOG_TABLE, "INSERT INTO revlog VALUES (1, 1, 'x', 1)"]),
        "reviews are damaged",
    ),
    "revlog-id-float": (
        lambda p: legacy(p, extra=[REVLOG_TABLE, "INSERT INTO revlog VALUES (1.5, 1, 3, 1)"]),
        "reviews are damaged",
    ),
    "revlog-view": (
        lambda p: legacy(
            p, extra=["CREATE VIEW revlog AS SELECT id, nid AS cid, ord AS ease, 1 AS type FROM cards"]
        ),
        "'revlog' is a view",
    ),
    "revlog-virtual": (
        lambda p: legacy(p, extra=["CREATE VIRTUAL TABLE revlog USING rtree(id, cid, ease)"]),
        "'revlog' is not an ordinary table",
    ),
}


def not_utf8(package: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        collection = archive.read("collection.anki21")
    return zipped(
        {"collection.anki21": collection.replace(b"PLACEHOLDER", b"\xff\xfe\xfd" * 3 + b"\xfc\xfb")}
    )


@pytest.mark.parametrize("case", sorted(METADATA))
def test_damaged_metadata_is_refused_without_a_traceback(
    runner: CliRunner, tmp_path: Path, case: str
) -> None:
    build, message = METADATA[case]
    source = tmp_path / "deck.apkg"
    source.write_bytes(build(tmp_path))
    out = tmp_path / "out.toml"
    history = ["--with-progress"] if case.startswith("revlog") else []  # the log is read for it only
    result = runner.invoke(app, ["import", str(source), "-o", str(out), *history])
    flat = " ".join(result.output.split())
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    assert f"{source}: error: " in flat and message in flat, result.output
    assert "export it again from Anki" in flat, result.output
    assert not out.exists()


def test_a_valid_hand_made_package_still_imports(runner: CliRunner, tmp_path: Path) -> None:
    for number, data in enumerate([legacy(tmp_path), schema18(tmp_path)]):
        source = tmp_path / f"ok{number}.apkg"
        source.write_bytes(data)
        out = tmp_path / f"ok{number}.toml"
        result = runner.invoke(app, ["import", str(source), "-o", str(out)])
        assert result.exit_code == 0, result.output
        assert 'q = "Front?"' in out.read_text(encoding="utf-8")


# ---------------------------------------------------------------- the caps, made small


def test_too_many_notes_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(apkg, "MAX_NOTES", 5)
    rows = [(n, f"g{n}", 1, "", f"q{n}\x1fa") for n in range(1, 7)]
    with pytest.raises(DeckError) as caught:
        apkg.read_package(legacy(tmp_path, note_rows=rows), "many.apkg")
    assert "more than 5 notes" in caught.value.problems[0].message
    monkeypatch.setattr(apkg, "MAX_NOTES", 6)
    assert len(apkg.read_package(legacy(tmp_path, note_rows=rows), "many.apkg").notes) == 6


def test_too_many_reviews_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(apkg, "MAX_REVIEWS", 3)
    rows = [f"INSERT INTO revlog VALUES ({n}, 1, 3, 1)" for n in range(1, 5)]
    with pytest.raises(DeckError) as caught:
        apkg.read_package(legacy(tmp_path, extra=[REVLOG_TABLE, *rows]), "busy.apkg", history=True)
    assert "more than 3 reviews in the review log" in caught.value.problems[0].message
    monkeypatch.setattr(apkg, "MAX_REVIEWS", 4)
    read = apkg.read_package(legacy(tmp_path, extra=[REVLOG_TABLE, *rows]), "busy.apkg", history=True)
    assert len(read.reviews) == read.review_count == 4


def test_a_note_too_big_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    big = "q\x1f" + "a" * (apkg.MAX_VALUE_BYTES + 1)
    with pytest.raises(DeckError) as caught:
        apkg.read_package(legacy(tmp_path, note_rows=((1, "g", 1, "", big),)), "big.apkg")
    assert "big.apkg" == caught.value.problems[0].path
    assert "too big" in caught.value.problems[0].message


def test_total_text_is_capped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(apkg, "MAX_TEXT_BYTES", 1000)
    rows = [(n, f"g{n}", 1, "", "q\x1f" + "a" * 100) for n in range(1, 20)]
    with pytest.raises(DeckError) as caught:
        apkg.read_package(legacy(tmp_path, note_rows=rows), "text.apkg")
    assert "more than" in caught.value.problems[0].message


def test_a_slow_query_stops_at_the_deadline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(apkg, "DEADLINE_SECONDS", 0.5)
    collection = legacy_collection_file(tmp_path)
    started = time.monotonic()
    with pytest.raises(DeckError) as caught:
        with apkg._Collection(collection, "slow.apkg") as guard:
            list(guard.rows(f"{RECURSIVE} SELECT count(*) FROM r", limit=1))
    assert time.monotonic() - started < 5
    assert "took longer than" in caught.value.problems[0].message


def test_ctrl_c_still_stops_a_query(tmp_path: Path) -> None:
    import signal
    import threading

    collection = legacy_collection_file(tmp_path)
    timer = threading.Timer(0.3, lambda: signal.raise_signal(signal.SIGINT))
    started = time.monotonic()
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            with apkg._Collection(collection, "slow.apkg") as guard:
                list(guard.rows(f"{RECURSIVE} SELECT count(*) FROM r", limit=1))
    finally:
        timer.cancel()
    assert time.monotonic() - started < 5


def test_the_process_wide_heap_limits_are_left_as_they_were(tmp_path: Path) -> None:
    db = sqlite3.connect(":memory:")
    limits = "SELECT * FROM pragma_soft_heap_limit, pragma_hard_heap_limit"
    before = db.execute(limits).fetchone()
    apkg.read_package(legacy(tmp_path), "ok.apkg")
    with pytest.raises(DeckError):
        apkg.read_package(METADATA["trigger"][0](tmp_path), "bad.apkg")
    assert db.execute(limits).fetchone() == before
    db.close()


def test_linear_template_and_cloze_scans() -> None:
    hostile = "{{" * 200_000
    started = time.monotonic()
    apkg.field_refs(hostile)
    apkg.field_refs(hostile + "}}")
    assert apkg.field_refs("{{a}} {{#b}}{{/b}} {{type:c}} {{") == [("", "a"), ("type", "c")]
    assert anki_notes.cloze_from_anki("{{c1::" * 200_000)[0].startswith("{{c1::")
    assert anki_notes.cloze_from_anki("{{c1::a}} {{c2::b::h}} {{c1::") == ("{{a}} {{b::h}} {{c1::", False)
    assert time.monotonic() - started < 2


# ---------------------------------------------------------------- seeded mutations of the metadata

ODD_VALUES: list[object] = [None, [], {}, "", "x", 0, -1, 2**63, 1.5, 1e308, True, [[[]]], {"": None}, "{{"]


def mutations(value: object, rng: random.Random) -> object:
    """A copy of a JSON value with one node, chosen by rng, replaced by an odd value."""
    nodes: list[tuple[object, object]] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for key in node:
                nodes.append((node, key))
                walk(node[key])
        elif isinstance(node, list):
            for index in range(len(node)):
                nodes.append((node, index))
                walk(node[index])

    copy = json.loads(json.dumps(value))
    walk(copy)
    parent, key = rng.choice(nodes)
    parent[key] = rng.choice(ODD_VALUES)  # type: ignore[index]
    return copy


@pytest.mark.parametrize("seed", range(4))
def test_mutated_metadata_is_read_or_refused_never_a_traceback(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    for number in range(40):
        models = mutations(BASIC_MODEL, rng) if number % 4 else BASIC_MODEL
        decks = mutations(DECKS, rng) if number % 4 == 0 else DECKS
        data = legacy(tmp_path, models=json.dumps(models), decks=json.dumps(decks))
        try:
            anki_notes.from_package(apkg.read_package(data, "m.apkg"), "m.apkg")
        except DeckError as error:
            problem = error.problems[0]
            assert problem.path == "m.apkg" and problem.message, (models, decks)


@pytest.mark.parametrize("seed", range(2))
def test_mutated_current_collections_never_give_a_traceback(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(30):
        config = bytes(rng.randrange(256) for _ in range(rng.randrange(12)))
        try:
            anki_notes.from_package(
                apkg.read_package(schema18(tmp_path, template_config=config), "m.apkg"), "m"
            )
        except DeckError as error:
            assert error.problems[0].path in ("m.apkg", "m")


def test_a_package_is_read_from_its_file_not_loaded_whole(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A package full of media can be gigabytes: only its first bytes are read to tell what it is,
    then the zip is read member by member from the file."""
    from quizkit.io import disk

    reads: list[tuple[object, object]] = []
    original = disk.read_bytes

    def spy(path: Path, limit: object = disk.MAX_DECK_BYTES, head: object = None) -> bytes:
        reads.append((limit, head))
        return original(path, limit, head)  # type: ignore[arg-type]

    monkeypatch.setattr(disk, "read_bytes", spy)
    source = Path(__file__).parent / "data" / "geography.apkg"
    result = runner.invoke(app, ["import", str(source), "-o", str(tmp_path / "geo.toml")])
    assert result.exit_code == 0, result.output
    assert reads and all(head is not None and head <= 16 for _, head in reads[:1])
    assert not any(head is None and limit is None for limit, head in reads)  # never the whole package
