"""The shared sync folder (quizkit sync): each device's segment files, written and read.

FOLDER/quizkit/<device>/<first seq:012d>.jsonl holds one JSON event per line and closes with
`{"end": N, "device": ..., "format": 1}`. A segment is written once, under a temporary name in
the same folder and then renamed (atomic), and never changes afterwards: two devices never write
the same file, so git merges and file-sync tools never meet a conflict. A device writes only its
own folder.

Reading is defensive: the folder holds other devices' files, half-copied ones and sync tools'
debris. Only names `\\d{12}.jsonl` with a whole end line are read; anything else is listed as
skipped (and read on a later sync once whole). Every event is checked (shapes.sync).
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path

from msgspec import Struct, field

from quizkit.errors import QuizkitError
from quizkit.shapes.sync import (
    DEVICE,
    FORMAT,
    MAX_FILE,
    MAX_LINE,
    SEGMENT,
    BadEvent,
    DeviceFile,
    EndLine,
    Event,
    check_event,
)

ROOT = "quizkit"
"""The folder quizkit keeps inside the shared folder (the rest of it is the user's)."""
DEVICE_FILE = "device.json"


class SyncFolderError(QuizkitError):
    """The sync folder cannot be used (missing, not writable, or a segment that should not be there)."""


class Skipped(Struct, frozen=True):
    """A file of the sync folder that was not read, and why."""

    path: Path
    reason: str


class BadLine(Struct, frozen=True):
    """An event refused: where it is and why."""

    path: Path
    line: int
    reason: str


class Segment(Struct):
    device: str
    name: str
    events: list[Event] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    """Each event's line number."""
    bad: list[BadLine] = field(default_factory=list)
    count: int = 0
    """Events the end line announces (good and bad)."""


class Listing(Struct):
    """What the folder holds: each device's segment names (sorted), names, and what was skipped."""

    segments: dict[str, list[str]] = field(default_factory=dict)
    names: dict[str, DeviceFile] = field(default_factory=dict)
    skipped: list[Skipped] = field(default_factory=list)


def device_folder(root: Path, device: str) -> Path:
    return root / ROOT / device


def segment_name(first_seq: int) -> str:
    return f"{first_seq:012d}.jsonl"


def check_folder(root: Path) -> None:
    if not root.exists():
        raise SyncFolderError(f"the sync folder {root} does not exist; create it (or mount it) first")
    if not root.is_dir():
        raise SyncFolderError(f"the sync folder {root} is not a folder")


def write_device_file(root: Path, device: str, name: str, created: str) -> None:
    """device.json, once: a device's name for `quizkit sync --status` on the others."""
    target = device_folder(root, device) / DEVICE_FILE
    if target.exists():
        return
    data = DeviceFile(device=device, name=name, created=created, format=FORMAT)
    _write(target, (json.dumps(data, ensure_ascii=False, sort_keys=True) + "\n").encode())


def encode_segment(device: str, events: Sequence[Event]) -> bytes:
    lines = [json.dumps(e, ensure_ascii=False, sort_keys=True, separators=(",", ":")) for e in events]
    end = EndLine(end=len(events), device=device, format=FORMAT)
    lines.append(json.dumps(end, sort_keys=True, separators=(",", ":")))
    return ("\n".join(lines) + "\n").encode()


def write_segment(root: Path, device: str, first_seq: int, events: Sequence[Event]) -> Path:
    """A new segment of this device's events, written atomically. A segment of that name that is
    already there with other contents is refused: old segments never change."""
    target = device_folder(root, device) / segment_name(first_seq)
    data = encode_segment(device, events)
    if target.exists():
        try:
            same = target.read_bytes() == data
        except OSError:
            same = False
        if same:
            return target
        raise SyncFolderError(
            f"{target} exists already with other events: this progress database was restored from a "
            "backup, or copied from another device. Sync the other copy first, or give this one its "
            "own device id (remove 'sync_device' from it with 'quizkit doctor'), then sync again."
        )
    _write(target, data)
    return target


def _write(target: Path, data: bytes) -> None:
    from quizkit.io.disk import atomic_file

    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with atomic_file(target) as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
    except OSError as error:
        raise SyncFolderError(
            f"cannot write {target} ({error.strerror or error}); nothing was sent"
        ) from None


def list_folder(root: Path) -> Listing:
    """Every device folder and the names in it; nothing is read but device.json."""
    listing = Listing()
    base = root / ROOT
    try:
        devices = sorted(base.iterdir()) if base.is_dir() else []
    except OSError as error:
        raise SyncFolderError(f"cannot read the sync folder {base} ({error.strerror or error})") from None
    for folder in devices:
        if DEVICE.fullmatch(folder.name) is None or not folder.is_dir():
            listing.skipped.append(Skipped(folder, "not a device's folder (its name is not a device id)"))
            continue
        names: list[str] = []
        try:
            entries = sorted(os.listdir(folder))
        except OSError as error:
            listing.skipped.append(Skipped(folder, f"cannot be read ({error.strerror or error})"))
            continue
        for entry in entries:
            if SEGMENT.fullmatch(entry):
                names.append(entry)
            elif entry == DEVICE_FILE:
                info = _device_file(folder / entry, folder.name)
                if info is not None:
                    listing.names[folder.name] = info
            elif not entry.startswith("."):  # our own temporary files start with a dot
                listing.skipped.append(Skipped(folder / entry, _why_not(entry)))
        listing.segments[folder.name] = names
    return listing


def _why_not(name: str) -> str:
    lowered = name.lower()
    if "sync-conflict" in lowered or "conflicted copy" in lowered or "conflict" in lowered:
        return "a sync tool's conflict copy (quizkit never writes one file twice; it can be deleted)"
    if lowered.endswith((".tmp", "~", ".part", ".partial")) or "tmp" in lowered:
        return "a temporary file (a copy in progress?)"
    return "not a segment name (NNNNNNNNNNNN.jsonl)"


def _device_file(path: Path, device: str) -> DeviceFile | None:
    try:
        if path.stat().st_size > 4096:
            return None
        raw = json.loads(path.read_bytes())
    except (OSError, ValueError, RecursionError):
        return None
    if not isinstance(raw, dict) or raw.get("device") != device:
        return None
    name, created = raw.get("name"), raw.get("created")
    if not isinstance(name, str) or not isinstance(created, str):
        return None
    return DeviceFile(device=device, name=name[:100], created=created[:40], format=FORMAT)


def read_segment(root: Path, device: str, name: str) -> Segment | Skipped:
    """A whole segment's events (each checked; the bad ones listed by line), or why it is not
    read yet (too big, cut short, no end line: a copy still in progress)."""
    path = device_folder(root, device) / name
    try:
        size = path.stat().st_size
        if size > MAX_FILE:
            return Skipped(path, f"too large ({size} bytes; at most {MAX_FILE})")
        data = path.read_bytes()
    except OSError as error:
        return Skipped(path, f"cannot be read ({error.strerror or error})")
    if not data.endswith(b"\n"):
        return Skipped(path, "cut short: its last line is not whole (still being copied?)")
    lines = data.split(b"\n")[:-1]
    end = _end_line(lines[-1] if lines else b"", device)
    if end is None:
        return Skipped(path, "cut short: no end line (still being copied?)")
    if end != len(lines) - 1:
        return Skipped(path, f"its end line counts {end} events but it holds {len(lines) - 1}")
    segment = Segment(device, name, count=end)
    for number, line in enumerate(lines[:-1], start=1):
        try:
            if len(line) > MAX_LINE:
                raise BadEvent(f"the line is longer than {MAX_LINE} bytes")
            try:
                raw = json.loads(line)
            except (ValueError, RecursionError):  # RecursionError: nested too deep to be an event
                raise BadEvent("not JSON") from None
            segment.events.append(check_event(raw, device))
            segment.lines.append(number)
        except BadEvent as error:
            segment.bad.append(BadLine(path, number, str(error)))
    return segment


def _end_line(line: bytes, device: str) -> int | None:
    if len(line) > 200:
        return None
    try:
        raw = json.loads(line)
    except (ValueError, RecursionError):
        return None
    if not isinstance(raw, dict) or set(raw) != {"end", "device", "format"}:
        return None
    count = raw["end"]
    if raw["device"] != device or raw["format"] != FORMAT or not isinstance(count, int) or count < 0:
        return None
    return int(count)
