"""The progress database's side of quizkit sync: event ids, the merge, and the rebuilt states.

Local rows get their global event id ('<device>:<seq>') when they are first sent, in the order
they happened. Another device's events are inserted if their id is not known yet (the unique
indexes of migration 9 make a second insert a no-op), so a merge can be repeated or done in any
order. Afterwards each card that got a new event is replayed from its whole merged log
(core.replay) and its review rows and state are rewritten: every device that holds the same
events holds the same states.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from typing import Any

from msgspec import Struct, field

from quizkit.core import scheduler
from quizkit.model import CardState, Key, Rating
from quizkit.shapes.sync import (
    ChangeEvent,
    Event,
    FitEvent,
    QuizAnswerDict,
    QuizEvent,
    ReviewEvent,
    UndoEvent,
    split_id,
)
from quizkit.store.db import from_ms, to_ms
from quizkit.store.progress import SYNC_ORIGIN, Store, state_to_dict

_EMPTY = json.dumps(state_to_dict(CardState()))


class Merged(Struct):
    """What one merge brought in."""

    events: int = 0
    """Events that were new here."""
    cards: set[Key] = field(default_factory=set)
    """Cards that got a new event (to be replayed)."""


class SyncLog:
    """The sync tables and the event ids of the progress database (migration 9)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.db = store.db

    # ------------------------------------------------------------ this device

    def device(self) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = 'sync_device'").fetchone()
        return None if row is None else str(row[0])

    def set_device(self, device: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta VALUES ('sync_device', ?)", (device,))

    def last_seq(self) -> int:
        row = self.db.execute("SELECT value FROM meta WHERE key = 'sync_seq'").fetchone()
        return 0 if row is None else int(row[0])

    def _set_last_seq(self, seq: int) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta VALUES ('sync_seq', ?)", (str(seq),))

    def raise_seq(self, seq: int) -> None:
        """Never hand out a sequence number this device has used already (in a segment on disk)."""
        if seq > self.last_seq():
            self._set_last_seq(seq)

    # ------------------------------------------------------------ sending

    def unsent(self) -> bool:
        """Whether anything here has no event id yet (each check is one index lookup)."""
        row = self.db.execute(
            """SELECT EXISTS (SELECT 1 FROM reviews WHERE event IS NULL)
                   OR EXISTS (SELECT 1 FROM undos WHERE event IS NULL)
                   OR EXISTS (SELECT 1 FROM changes WHERE event IS NULL)
                   OR EXISTS (SELECT 1 FROM changes WHERE undone_at IS NOT NULL AND undo_event IS NULL)
                   OR EXISTS (SELECT 1 FROM quizzes WHERE event IS NULL)
                   OR EXISTS (SELECT 1 FROM fitted_parameters WHERE event IS NULL)"""
        ).fetchone()
        return bool(row[0])

    def assign(self, device: str) -> list[Event]:
        """Give every local row without an event id the next ids, in the order they happened (undos
        after the rest), and return their events. Call inside a write: the ids are kept only if the
        segment is written."""
        items: list[tuple[int, int, int, str]] = []  # (time, kind order, row id, kind)
        for rid, at in self.db.execute("SELECT id, reviewed_at FROM reviews WHERE event IS NULL"):
            items.append((at, 0, rid, "review"))
        for cid, at in self.db.execute("SELECT id, changed_at FROM changes WHERE event IS NULL"):
            items.append((at, 1, cid, "change"))
        for rid, at in self.db.execute("SELECT review_id, undone_at FROM undos WHERE event IS NULL"):
            items.append((at, 2, rid, "undo"))
        for cid, at in self.db.execute(
            "SELECT id, undone_at FROM changes WHERE undone_at IS NOT NULL AND undo_event IS NULL"
        ):
            items.append((at, 3, cid, "undo-change"))
        for qid, at in self.db.execute("SELECT id, finished_at FROM quizzes WHERE event IS NULL"):
            items.append((at, 4, qid, "quiz"))
        for deck, at in self.db.execute(
            "SELECT deck_id, fitted_at FROM fitted_parameters WHERE event IS NULL"
        ):
            items.append((at, 5, 0, "fit:" + deck))
        # Undos last: an undo names its answer's or change's event, so that event needs its id first
        # (a clock set back between an answer and its undo puts the undo earlier in time; found by
        # the state machine). The order of the ids matters only between events of the same instant.
        items.sort(key=lambda item: (item[1] in (2, 3), item[0], item[1], item[2], item[3]))
        seq = self.last_seq()
        events: list[Event] = []
        for _at, _order, row, kind in items:
            seq += 1
            event_id = f"{device}:{seq}"
            events.append(self._event(kind, row, event_id))
        self._set_last_seq(seq)
        return events

    def _event(self, kind: str, row: int, event_id: str) -> Event:
        db = self.db
        if kind == "review":
            db.execute("UPDATE reviews SET event = ? WHERE id = ?", (event_id, row))
            r = db.execute(
                """SELECT r.reviewed_at, r.deck_id, r.card_id, r.rating, r.proposed, r.answer, r.correct,
                          r.graded, r.duration_ms, r.mode, r.phase_before, r.origin, r.imported_from,
                          s.config, r.cap
                   FROM reviews r LEFT JOIN schedulers s ON s.id = r.scheduler_id WHERE r.id = ?""",
                (row,),
            ).fetchone()
            return ReviewEvent(
                id=event_id,
                kind="review",
                at=r[0],
                deck=r[1],
                card=r[2],
                rating=r[3],
                proposed=r[4],
                answer=r[5],
                correct=None if r[6] is None else bool(r[6]),
                graded=None if r[7] is None else bool(r[7]),
                duration_ms=r[8],
                mode=r[9],
                phase_before=r[10],
                origin=r[11],
                imported_from=r[12],
                config=r[13],
                cap=r[14],
            )
        if kind == "change":
            from quizkit.core import replay

            db.execute("UPDATE changes SET event = ? WHERE id = ?", (event_id, row))
            c = db.execute(
                "SELECT changed_at, deck_id, card_id, action, state_after FROM changes WHERE id = ?", (row,)
            ).fetchone()
            until = json.loads(c[4]).get("buried_until") if c[3] == replay.BURY else None
            return ChangeEvent(
                id=event_id,
                kind="change",
                at=c[0],
                deck=c[1],
                card=c[2],
                action=c[3],
                until=None if until is None else to_ms(datetime.fromisoformat(until)),
            )
        if kind == "undo":
            db.execute("UPDATE undos SET event = ? WHERE review_id = ?", (event_id, row))
            u = db.execute(
                """SELECT u.undone_at, r.event FROM undos u JOIN reviews r ON r.id = u.review_id
                   WHERE u.review_id = ?""",
                (row,),
            ).fetchone()
            return UndoEvent(id=event_id, kind="undo", at=u[0], of=u[1])
        if kind == "undo-change":
            db.execute("UPDATE changes SET undo_event = ? WHERE id = ?", (event_id, row))
            u = db.execute("SELECT undone_at, event FROM changes WHERE id = ?", (row,)).fetchone()
            return UndoEvent(id=event_id, kind="undo-change", at=u[0], of=u[1])
        if kind == "quiz":
            db.execute("UPDATE quizzes SET event = ? WHERE id = ?", (event_id, row))
            q = db.execute(
                """SELECT deck_id, started_at, finished_at, seed, time_limit_s, pass_mark, questions, score,
                          passed, settings FROM quizzes WHERE id = ?""",
                (row,),
            ).fetchone()
            answers = [
                QuizAnswerDict(
                    position=a[0],
                    card=a[1],
                    tags=a[2],
                    answer=a[3],
                    correct=bool(a[4]),
                    score=a[5],
                    seconds=a[6],
                )
                for a in db.execute(
                    """SELECT position, card_id, tags, answer, correct, score, seconds FROM quiz_answers
                       WHERE quiz_id = ? ORDER BY position""",
                    (row,),
                )
            ]
            return QuizEvent(
                id=event_id,
                kind="quiz",
                deck=q[0],
                started_at=q[1],
                finished_at=q[2],
                seed=q[3],
                time_limit_s=q[4],
                pass_mark=q[5],
                questions=q[6],
                score=q[7],
                passed=None if q[8] is None else bool(q[8]),
                settings=q[9],
                answers=answers,
            )
        deck = kind.removeprefix("fit:")
        db.execute("UPDATE fitted_parameters SET event = ? WHERE deck_id = ?", (event_id, deck))
        f = db.execute(
            """SELECT parameters, fitted_at, n_reviews, log_loss_before, log_loss_after
               FROM fitted_parameters WHERE deck_id = ?""",
            (deck,),
        ).fetchone()
        return FitEvent(
            id=event_id,
            kind="fit",
            deck=deck,
            parameters=[float(p) for p in json.loads(f[0])],
            fitted_at=f[1],
            n_reviews=f[2],
            log_loss_before=f[3],
            log_loss_after=f[4],
        )

    def cards_of(self, events: Iterable[Event]) -> set[Key]:
        """The cards these events are about (an undo's: its answer's or change's card)."""
        out: set[Key] = set()
        for event in events:
            if event["kind"] in ("review", "change"):
                out.add((event["deck"], event["card"]))
            elif event["kind"] in ("undo", "undo-change"):
                table = "reviews" if event["kind"] == "undo" else "changes"
                row = self.db.execute(
                    f"SELECT deck_id, card_id FROM {table} WHERE event = ?",
                    (event["of"],),
                ).fetchone()
                if row is not None:
                    out.add((str(row[0]), str(row[1])))
        return out

    # ------------------------------------------------------------ files read

    def files_read(self) -> set[tuple[str, str]]:
        return {(str(d), str(n)) for d, n in self.db.execute("SELECT device, name FROM sync_files")}

    def note_file(self, device: str, name: str, events: int, last_at: int | None, now: datetime) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO sync_files VALUES (?, ?, ?, ?, ?)",
            (device, name, events, last_at, to_ms(now)),
        )

    def note_device(self, device: str, name: str, created: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO sync_devices VALUES (?, ?, ?)", (device, name, created))

    def devices(self) -> list[tuple[str, str | None, datetime | None, int]]:
        """Each device seen (this one too): id, name, its newest event's time, its events here."""
        rows = self.db.execute(
            """SELECT d.device, max(n.name), max(f.last_at), sum(f.events)
               FROM (SELECT device FROM sync_devices UNION SELECT device FROM sync_files) d
               LEFT JOIN sync_devices n ON n.device = d.device
               LEFT JOIN sync_files f ON f.device = d.device
               GROUP BY d.device ORDER BY d.device"""
        )
        return [(str(d), name, from_ms(last), int(count or 0)) for d, name, last, count in rows]

    def newest_times(self) -> dict[str, int]:
        """Each device's newest event time (ms) among the segments read."""
        return {
            str(d): int(t)
            for d, t in self.db.execute(
                "SELECT device, max(last_at) FROM sync_files WHERE last_at IS NOT NULL GROUP BY device"
            )
        }

    # ------------------------------------------------------------ receiving

    def large_cache(self) -> None:
        """A merge of many events updates every index of the review log at random places: with
        SQLite's default 2 MB page cache a million events take several times longer."""
        self.db.execute("PRAGMA cache_size = -262144")  # KiB: 256 MB at most, for this connection

    def drop_time_indexes(self) -> list[str]:
        """Before a merge of many events (inside its write): the review log's indexes by time,
        which neither the merge nor the replay reads, are dropped, and made again afterwards by
        `make_indexes` with the statements returned (once, in order, instead of a million random
        updates). A failed sync rolls the drop back with everything else."""
        rows = self.db.execute(
            """SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'reviews'
               AND name IN ('reviews_by_time', 'reviews_by_mode_time', 'reviews_in_review')
               ORDER BY name"""
        ).fetchall()
        for name, _sql in rows:
            self.db.execute(f'DROP INDEX "{name}"')
        return [str(sql) for _name, sql in rows]

    def make_indexes(self, statements: Iterable[str]) -> None:
        for statement in statements:
            self.db.execute(statement)

    def merge(self, events: Iterable[Event], merged: Merged) -> None:
        """Insert the events not known yet (inside a write); note which cards they touch. Answers
        go in first, in one statement, then the rest in their order: an undo finds its answer."""
        db = self.db
        scheduler_ids: dict[str, int] = {}
        rest: list[Event] = []
        answers: list[ReviewEvent] = []
        for event in events:
            if event["kind"] == "review":
                answers.append(event)
            else:
                rest.append(event)
        known = {
            row[0]
            for row in db.execute(
                "SELECT event FROM reviews WHERE event IN (SELECT value FROM json_each(?))",
                (json.dumps([r["id"] for r in answers]),),
            )
        }
        rows = []
        for r in answers:
            if r["id"] in known:
                continue
            scheduler_id = None
            if r["config"] is not None:
                scheduler_id = scheduler_ids.get(r["config"])
                if scheduler_id is None:
                    db.execute("INSERT OR IGNORE INTO schedulers (config) VALUES (?)", (r["config"],))
                    scheduler_id = scheduler_ids[r["config"]] = db.execute(
                        "SELECT id FROM schedulers WHERE config = ?", (r["config"],)
                    ).fetchone()[0]
            rows.append(
                (
                    r["deck"],
                    r["card"],
                    r["at"],
                    r["rating"],
                    r["proposed"],
                    r["answer"],
                    None if r["correct"] is None else int(r["correct"]),
                    r["duration_ms"],
                    r["mode"],
                    r["phase_before"],
                    _EMPTY,
                    _EMPTY,
                    scheduler_id,
                    SYNC_ORIGIN + split_id(r["id"])[0],
                    None if r["graded"] is None else int(r["graded"]),
                    r["imported_from"],
                    r["id"],
                    r["cap"],
                )
            )
            merged.cards.add((r["deck"], r["card"]))
        before = db.total_changes
        db.executemany(
            """INSERT OR IGNORE INTO reviews (deck_id, card_id, reviewed_at, rating, proposed, answer,
                   correct, duration_ms, mode, phase_before, state_before, state_after, stability,
                   difficulty, due, scheduler_id, origin, graded, imported_from, event, cap)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, NULL, ?, ?, ?, ?, ?, ?)""",
            rows,
        )
        merged.events += db.total_changes - before  # an id repeated in a file counts once
        for event in rest:
            kind = event["kind"]
            device = split_id(event["id"])[0]
            if kind == "undo":
                u: UndoEvent = event  # type: ignore[assignment]
                target = db.execute(
                    "SELECT id, deck_id, card_id FROM reviews WHERE event = ?", (u["of"],)
                ).fetchone()
                if target is None:
                    continue  # its answer was an Anki import this device holds under its own id
                cursor = db.execute(
                    "INSERT OR IGNORE INTO undos (review_id, undone_at, event) VALUES (?, ?, ?)",
                    (target[0], u["at"], u["id"]),
                )
                if cursor.rowcount:
                    merged.events += 1
                    merged.cards.add((target[1], target[2]))
            elif kind == "change":
                c: ChangeEvent = event  # type: ignore[assignment]
                cursor = db.execute(
                    """INSERT OR IGNORE INTO changes (deck_id, card_id, changed_at, action, state_before,
                           state_after, after_review, origin, event)
                       VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?)""",
                    (
                        c["deck"],
                        c["card"],
                        c["at"],
                        c["action"],
                        _EMPTY,
                        _until(c["until"]),
                        SYNC_ORIGIN + device,
                        c["id"],
                    ),
                )
                if cursor.rowcount:
                    merged.events += 1
                    merged.cards.add((c["deck"], c["card"]))
            elif kind == "undo-change":
                u = event  # type: ignore[assignment]
                target = db.execute(
                    "SELECT deck_id, card_id FROM changes WHERE event = ?", (u["of"],)
                ).fetchone()
                cursor = db.execute(
                    "UPDATE changes SET undone_at = ?, undo_event = ? WHERE event = ? AND undo_event IS NULL",
                    (u["at"], u["id"], u["of"]),
                )
                if cursor.rowcount and target is not None:
                    merged.events += 1
                    merged.cards.add((target[0], target[1]))
            elif kind == "quiz":
                self._merge_quiz(event, merged)  # type: ignore[arg-type]
            elif kind == "fit":
                self._merge_fit(event, device, merged)  # type: ignore[arg-type]

    def _merge_quiz(self, q: QuizEvent, merged: Merged) -> None:
        cursor = self.db.execute(
            """INSERT OR IGNORE INTO quizzes (deck_id, started_at, finished_at, seed, time_limit_s, pass_mark,
                   questions, score, passed, settings, event)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (
                q["deck"],
                q["started_at"],
                q["finished_at"],
                q["seed"],
                q["time_limit_s"],
                q["pass_mark"],
                q["questions"],
                q["score"],
                None if q["passed"] is None else int(q["passed"]),
                q["settings"],
                q["id"],
            ),
        )
        if not cursor.rowcount:
            return
        quiz_id = cursor.lastrowid
        self.db.executemany(
            "INSERT INTO quiz_answers VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    quiz_id,
                    a["position"],
                    a["card"],
                    a["tags"],
                    a["answer"],
                    int(a["correct"]),
                    a["score"],
                    a["seconds"],
                )
                for a in q["answers"]
            ],
        )
        merged.events += 1

    def _merge_fit(self, f: FitEvent, device: str, merged: Merged) -> None:
        """Last writer wins: the later fitted_at, then the greater device id."""
        row = self.db.execute(
            "SELECT fitted_at, event FROM fitted_parameters WHERE deck_id = ?", (f["deck"],)
        ).fetchone()
        if row is not None:
            held = str(row[1]).partition(":")[0] if row[1] is not None else (self.device() or "")
            if (int(row[0]), held) >= (f["fitted_at"], device):
                return
        self.db.execute(
            "INSERT OR REPLACE INTO fitted_parameters VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                f["deck"],
                json.dumps(f["parameters"]),
                f["fitted_at"],
                f["n_reviews"],
                f["log_loss_before"],
                f["log_loss_after"],
                f["id"],
            ),
        )
        merged.events += 1

    # ------------------------------------------------------------ the rebuilt states

    def rebuild(
        self, cards: Iterable[Key], configs: Callable[[str | None], scheduler.SchedulerConfig]
    ) -> int:
        """Replay each card from its merged log and rewrite its review rows and state (inside a write).

        Many cards (a fresh device's first sync) are read in one pass over the review log, in the
        order of its pages; a few, each through its index."""
        db = self.db
        wanted = sorted(set(cards))
        if not wanted:
            return 0
        # Loaded here, not at start-up: an idle sync replays nothing.
        from quizkit.core import replay
        from quizkit.core.session import fuzz_key

        config_of: dict[int | None, str] = {
            int(sid): str(text) for sid, text in db.execute("SELECT id, config FROM schedulers")
        }
        undone = {int(rid) for (rid,) in db.execute("SELECT review_id FROM undos")}
        answers = self._rows_of(
            wanted,
            """SELECT deck_id, card_id, id, reviewed_at, rating, mode, scheduler_id, cap, event
               FROM reviews""",
        )
        changes = self._rows_of(
            wanted,
            """SELECT deck_id, card_id, id, changed_at, action, state_after, event, undone_at IS NOT NULL
               FROM changes""",
        )
        review_rows: list[tuple[Any, ...]] = []
        change_rows: list[tuple[Any, ...]] = []
        texts: dict[int, tuple[CardState, str]] = {}  # a step's after is the next one's before
        days: dict[str, date] = {}
        for key in wanted:
            deck_id, card_id = key
            steps: list[replay.Step] = []
            kinds: list[tuple[bool, int]] = []  # (an answer?, its row id), by step
            for _d, _c, rid, at, rating, mode, scheduler_id, cap, event in answers.get(key, ()):
                kinds.append((True, rid))
                if cap is not None:
                    cap_day = days.get(cap)
                    if cap_day is None:
                        cap_day = days[cap] = date.fromisoformat(cap)
                else:
                    cap_day = None
                steps.append(
                    replay.Step(
                        len(steps),
                        replay.order_key(at, event or ""),
                        _moment(at),
                        rating=_RATINGS[rating],
                        counts=mode == "review" and rid not in undone,
                        schedules=mode == "review",
                        config=config_of.get(scheduler_id),
                        cap=cap_day,
                    )
                )
            for _d, _c, cid, at, action, after, event, was_undone in changes.get(key, ()):
                kinds.append((False, cid))
                until = json.loads(after).get("buried_until") if action == replay.BURY else None
                steps.append(
                    replay.Step(
                        len(steps),
                        replay.order_key(at, event or ""),
                        _moment(at),
                        counts=not was_undone,
                        action=action,
                        until=None if until is None else datetime.fromisoformat(until),
                    )
                )
            final, played = replay.replay(steps, fuzz_key(key), configs)
            for p in played:
                is_answer, rid = kinds[p.row]
                before, after = _text(p.before, texts), _text(p.after, texts)
                if is_answer:
                    review_rows.append(
                        (
                            int(p.before.phase),
                            before,
                            after,
                            p.after.stability,
                            p.after.difficulty,
                            to_ms(p.after.due),
                            rid,
                        )
                    )
                else:
                    change_rows.append((before, after, rid))
            texts.clear()
            if final == CardState():
                db.execute("DELETE FROM cards WHERE deck_id = ? AND card_id = ?", (deck_id, card_id))
            else:
                self.store._put_state(deck_id, card_id, final, None)
        review_rows.sort(key=lambda row: row[-1])  # in id order: the table's pages one after another
        change_rows.sort(key=lambda row: row[-1])
        db.executemany(
            """UPDATE reviews SET phase_before = ?, state_before = ?, state_after = ?, stability = ?,
                   difficulty = ?, due = ?
               WHERE id = ?""",
            review_rows,
        )
        db.executemany("UPDATE changes SET state_before = ?, state_after = ? WHERE id = ?", change_rows)
        return len(wanted)

    def _rows_of(self, cards: list[Key], select: str) -> dict[Key, list[tuple[Any, ...]]]:
        """The rows of `select` (whose first columns are deck_id and card_id) of these cards, by card,
        each card's in row-id order: in one pass over the table for many cards, else card by card."""
        out: dict[Key, list[tuple[Any, ...]]] = {}
        if len(cards) > BULK_CARDS:
            for key in cards:
                out[key] = []
            cursor = self.db.execute(select + " ORDER BY id")
            while chunk := cursor.fetchmany(10_000):
                for row in chunk:
                    rows = out.get((row[0], row[1]))
                    if rows is not None:
                        rows.append(row)
        else:
            for key in cards:
                out[key] = self.db.execute(
                    select + " WHERE deck_id = ? AND card_id = ? ORDER BY id", key
                ).fetchall()
        return out


BULK_CARDS = 1000
"""More cards than this to replay: their rows are read in one pass over the review log (a random
read per row, through the card index, is slower than reading every page once)."""

_RATINGS = {int(r): r for r in Rating}


def _text(state: CardState, texts: dict[int, tuple[CardState, str]]) -> str:
    """A state as the review log keeps it (JSON), made once per state object."""
    known = texts.get(id(state))
    if known is None:
        known = texts[id(state)] = (state, state_text(state))
    return known[1]


def state_text(state: CardState) -> str:
    """json.dumps(state_to_dict(state)), character for character, without building the dict: the
    replay of a sync writes a million of them. Anything unusual (a float that is not finite, a
    value of an unexpected type) goes through json.dumps itself."""
    stability, difficulty, step = state.stability, state.difficulty, state.step
    due, last, buried = state.due, state.last_review, state.buried_until
    suspended, leech, reps, lapses = state.suspended, state.leech, state.reps, state.lapses
    if (
        (stability is None or (type(stability) is float and math.isfinite(stability)))
        and (difficulty is None or (type(difficulty) is float and math.isfinite(difficulty)))
        and (step is None or type(step) is int)
        and type(reps) is int
        and type(lapses) is int
        and type(suspended) is bool
        and type(leech) is bool
    ):
        return (
            f'{{"phase": {int(state.phase)}, "step": {"null" if step is None else step}, '
            f'"stability": {"null" if stability is None else repr(stability)}, '
            f'"difficulty": {"null" if difficulty is None else repr(difficulty)}, '
            f'"due": {"null" if due is None else chr(34) + due.isoformat() + chr(34)}, '
            f'"last_review": {"null" if last is None else chr(34) + last.isoformat() + chr(34)}, '
            f'"reps": {reps}, "lapses": {lapses}, "suspended": {"true" if suspended else "false"}, '
            f'"buried_until": {"null" if buried is None else chr(34) + buried.isoformat() + chr(34)}, '
            f'"leech": {"true" if leech else "false"}}}'
        )
    return json.dumps(state_to_dict(state))


def _until(until: int | None) -> str:
    """A burial's state_after until the replay rewrites it: it carries the burial's end."""
    moment = from_ms(until)
    state = CardState(buried_until=moment)
    return json.dumps(state_to_dict(state))


def _moment(at: int) -> datetime:
    return from_ms(at) or datetime.fromtimestamp(0, UTC)
