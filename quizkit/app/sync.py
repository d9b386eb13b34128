"""quizkit sync [FOLDER]: progress merged through a shared folder (git, Syncthing, a network share).

One sync, in one transaction of the progress database: read every device's new whole segments
(this device's own too: a restored database gets back what it had sent), insert their events by
id, send this device's new events as one new segment, then replay every card that got a new event.
docs/sync.md has the rules.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from msgspec import Struct, field

from quizkit.app.env import Environment
from quizkit.core import scheduler
from quizkit.errors import UsageError
from quizkit.io import sync_files
from quizkit.shapes.sync import (
    DeviceJSON,
    Event,
    RefusedJSON,
    SkippedJSON,
    SyncJSON,
    SyncStatusJSON,
    event_time,
    split_id,
)
from quizkit.store.progress import Store
from quizkit.store.sync_log import Merged, SyncLog
from quizkit.ui import words

CLOCK_SLACK_MS = 3_600_000
"""A device whose newest event is this far ahead of everyone else's newest (and of this device's
clock) gets a warning: its clock is off."""


class Report(Struct):
    device: str
    sent: int = 0
    received: int = 0
    from_devices: set[str] = field(default_factory=set)
    rebuilt: int = 0
    warnings: list[str] = field(default_factory=list)
    skipped: list[sync_files.Skipped] = field(default_factory=list)
    bad: list[sync_files.BadLine] = field(default_factory=list)


class Configs:
    """Scheduler configurations by their stored JSON, built once each; a bad one is refused."""

    def __init__(self) -> None:
        self._known: dict[str | None, scheduler.SchedulerConfig | str] = {None: scheduler.SchedulerConfig()}

    def check(self, text: str | None) -> str | None:
        """Why `text` is not a configuration quizkit can schedule with (None: it is)."""
        known = self._known.get(text)
        if known is None:
            try:
                raw = json.loads(text or "")
                known = scheduler.SchedulerConfig.from_dict(raw)
            except (ValueError, TypeError, KeyError, AttributeError, OverflowError) as error:
                known = f"its scheduler configuration is not one quizkit can use ({str(error)[:80]})"
            self._known[text] = known
        return known if isinstance(known, str) else None

    def __call__(self, text: str | None) -> scheduler.SchedulerConfig:
        if self.check(text) is not None:
            return self._known[None]  # type: ignore[return-value]  # never stored: check refuses it first
        known = self._known[text]
        assert not isinstance(known, str)
        return known


def run_sync(store: Store, root: Path, now: datetime, name: str) -> Report:
    """One sync of `store` through the folder `root` (see the module's docstring)."""
    import uuid

    sync_files.check_folder(root)
    log = SyncLog(store)
    configs = Configs()
    with store.write(now):
        device = log.device()
        if device is None:
            device = uuid.uuid4().hex
            log.set_device(device)
            log.note_device(device, name, now.isoformat(timespec="seconds"))
        report = Report(device)
        listing = sync_files.list_folder(root)
        report.skipped.extend(listing.skipped)
        for other, info in listing.names.items():
            if other != device:
                log.note_device(other, info["name"], info["created"])
        known = log.files_read()
        merged = Merged()
        dropped: list[str] = []
        if _unread_bytes(root, listing, known) > BULK_BYTES:
            log.large_cache()
            dropped = log.drop_time_indexes()
        own_end = 0
        own_blocked: Path | None = None
        for other, names in sorted(listing.segments.items()):
            for segment_name in names:
                if (other, segment_name) in known:
                    continue
                segment = sync_files.read_segment(root, other, segment_name)
                if isinstance(segment, sync_files.Skipped):
                    report.skipped.append(segment)
                    if other == device:
                        own_blocked = segment.path
                    break  # a device's later segments wait for this one: an undo needs its answer
                events: list[Event] = []
                for line, event in zip(segment.lines, segment.events, strict=True):
                    config = event.get("config")
                    why = configs.check(config) if isinstance(config, str) else None
                    if why is not None:
                        report.bad.append(
                            sync_files.BadLine(root / "quizkit" / other / segment_name, line, why)
                        )
                    else:
                        events.append(event)
                report.bad.extend(segment.bad)
                before = merged.events
                log.merge(events, merged)
                if merged.events > before and other != device:
                    report.from_devices.add(other)
                last_at = max((event_time(e) for e in events), default=None)
                log.note_file(other, segment_name, segment.count, last_at, now)
                if other == device:
                    own_end = max(own_end, int(segment_name.removesuffix(".jsonl")) + segment.count - 1)
        report.received = merged.events
        for other, names in listing.segments.items():
            if other == device:
                for segment_name in names:
                    own_end = max(own_end, int(segment_name.removesuffix(".jsonl")))
        log.raise_seq(own_end)
        sent_cards: set[tuple[str, str]] = set()
        if own_blocked is not None:
            # This database lacks events of its own segment (restored from a backup?) and cannot read
            # it: new events would take sequence numbers that segment may already use.
            report.warnings.append(
                f"nothing was sent: this device's own segment {own_blocked} cannot be read yet; "
                "sync again once it is whole"
            )
        elif log.unsent():
            events = log.assign(device)
            sent_cards = log.cards_of(events)
            if events:
                first = split_id(events[0]["id"])[1]
                sync_files.write_segment(root, device, first, events)
                log.note_file(
                    device,
                    sync_files.segment_name(first),
                    len(events),
                    max(event_time(e) for e in events),
                    now,
                )
                report.sent = len(events)
        # The cards this device sent are replayed too: their rows (an undone answer's, a cram
        # answer's) then read as the replay gives them, the same on every device.
        log.rebuild(merged.cards | sent_cards, configs)
        log.make_indexes(dropped)
        report.rebuilt = len(merged.cards)
        report.warnings.extend(_clock_warnings(log, device, now))
    sync_files.write_device_file(root, device, name, now.isoformat(timespec="seconds"))
    return report


BULK_BYTES = 16 << 20
"""New segments larger than this together (some 50,000 events) are merged as a bulk load."""


def _unread_bytes(root: Path, listing: sync_files.Listing, known: set[tuple[str, str]]) -> int:
    total = 0
    for device, names in listing.segments.items():
        for name in names:
            if (device, name) not in known:
                try:
                    total += (sync_files.device_folder(root, device) / name).stat().st_size
                except OSError:
                    continue
    return total


def _clock_warnings(log: SyncLog, device: str, now: datetime) -> list[str]:
    """The rule: a device whose newest event is more than an hour after both this device's clock
    and the newest event of every other device has a clock that is ahead."""
    newest = log.newest_times()
    names = {d: n for d, n, _, _ in log.devices()}
    now_ms = round(now.timestamp() * 1000)
    out = []
    for other, at in sorted(newest.items()):
        if other == device:
            continue
        others = max([now_ms, *(t for d, t in newest.items() if d != other)])
        ahead = at - others
        if ahead > CLOCK_SLACK_MS:
            label = f"{names.get(other) or 'unnamed'} ({other[:8]})"
            out.append(
                f"device {label}'s clock is {round(ahead / 3_600_000)} h ahead of the others: "
                "its answers are ordered by the time it gave them; set its clock right"
            )
    return out


def folder_of(env: Environment, folder: Path | None) -> Path:
    if folder is not None:
        return folder.expanduser()
    if env.settings.sync_folder is not None:
        return env.settings.sync_folder
    raise UsageError(
        "no sync folder given: name one ('quizkit sync ~/Sync/quizkit') or set it once in config.toml: "
        'sync_folder = "~/Sync/quizkit" (docs/sync.md)'
    )


def device_name() -> str:
    import socket

    try:
        return socket.gethostname()[:100] or "unnamed"
    except OSError:
        return "unnamed"


def sync(env: Environment, folder: Path | None, status: bool = False, as_json: bool = False) -> int:
    root = folder_of(env, folder)
    now = env.clock()
    with env.open_store() as store:
        if status:
            return _status(env, store, root, as_json)
        report = run_sync(store, root, now, device_name())
    if as_json:
        words.print_json(env.stdout, _json(report))
        return 0
    out = env.stdout
    out.print(
        words.plain(
            f"sent {words.count(report.sent, 'event')}, received {report.received} from "
            f"{words.count(len(report.from_devices), 'device')}, "
            f"rebuilt {words.count(report.rebuilt, 'card')}"
        ),
        soft_wrap=True,
    )
    for warning in report.warnings:
        env.stderr.print(words.plain(f"warning: {warning}"), soft_wrap=True)
    for skipped in report.skipped:
        out.print(words.plain(f"skipped {skipped.path}: {skipped.reason}"), soft_wrap=True)
    for bad in report.bad:
        out.print(words.plain(f"{bad.path}:{bad.line}: event refused: {bad.reason}"), soft_wrap=True)
    return 0


def _json(report: Report) -> SyncJSON:
    return SyncJSON(
        version=1,
        device=report.device,
        sent=report.sent,
        received=report.received,
        devices=len(report.from_devices),
        rebuilt=report.rebuilt,
        warnings=report.warnings,
        skipped=[SkippedJSON(path=str(s.path), reason=s.reason) for s in report.skipped],
        refused=[RefusedJSON(path=str(b.path), line=b.line, reason=b.reason) for b in report.bad],
    )


def _status(env: Environment, store: Store, root: Path, as_json: bool) -> int:
    sync_files.check_folder(root)
    log = SyncLog(store)
    device = log.device()
    listing = sync_files.list_folder(root)
    known = log.files_read()
    skipped = list(listing.skipped)
    for other, names in sorted(listing.segments.items()):
        for segment_name in names:
            if (other, segment_name) not in known:
                result = sync_files.read_segment(root, other, segment_name)
                if isinstance(result, sync_files.Skipped):
                    skipped.append(result)
    seen = log.devices()
    named = {d: info["name"] for d, info in listing.names.items()}
    if as_json:
        status = SyncStatusJSON(
            version=1,
            device=device,
            folder=str(root),
            devices=[
                DeviceJSON(
                    id=d,
                    name=name or named.get(d),
                    last_event=None if last is None else last.isoformat(),
                    events=count,
                    this=d == device,
                )
                for d, name, last, count in seen
            ],
            skipped=[SkippedJSON(path=str(s.path), reason=s.reason) for s in skipped],
        )
        words.print_json(env.stdout, status)
        return 0
    out = env.stdout
    out.print(words.plain(f"sync folder {root}; this device {device or '(not synced yet)'}"), soft_wrap=True)
    if not seen:
        out.print(words.plain("no device seen yet: run 'quizkit sync'"), soft_wrap=True)
    for d, name, last, count in seen:
        mark = " (this device)" if d == device else ""
        when = "never" if last is None else f"{last.astimezone(env.settings.tz):%Y-%m-%d %H:%M}"
        out.print(
            words.plain(f"{d}  {name or named.get(d) or 'unnamed'}{mark}: {count} events, last {when}"),
            soft_wrap=True,
        )
    for s in skipped:
        out.print(words.plain(f"skipped {s.path}: {s.reason}"), soft_wrap=True)
    return 0
