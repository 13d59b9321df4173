"""Where each event of a calendar file sits, so the reader can parse it a bounded batch at a time.

icalendar builds the whole file as objects (about 30 times its size: 394 MB for a 12 MB
calendar), so the ICS reader's memory grew with the file. A first pass over the bytes, without
parsing, records the calendar's own properties and time zones (kept whole: every batch needs
them) and, for each VEVENT, its byte offset, its length, a 64-bit hash of its UID and whether
it has a repeat rule. ``batches`` then groups the events so that a recurring series' master and
its RECURRENCE-ID overrides, wherever they stand in the file, are parsed and expanded together,
in the order the whole-file reader expands series (first appearance of each UID).

Only the plain layout is streamed: one VCALENDAR whose VEVENTs sit directly in it, balanced
BEGIN/END lines, nothing outside and nothing beside the events and time zones. Anything else (a truncated body, several calendars, VEVENTs
nested in other components, no wrapper) raises ``Irregular`` and the reader parses the file
whole, exactly as before, so broken files keep their messages.
"""

from __future__ import annotations

import hashlib
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

# Events parsed and expanded at once (a series with many overrides may make a batch larger).
BATCH_EVENTS = 500
# Calendar properties and time zones are kept whole; beyond this the file is not the plain kind.
MAX_KEPT_BYTES = 4 * 1024 * 1024
NO_UID = 0
BOM = b"\xef\xbb\xbf"


class Irregular(Exception):
    """The file's layout is not the plain one: the reader parses it whole, as it always did."""


@dataclass
class Layout:
    header: bytearray = field(default_factory=bytearray)  # BEGIN:VCALENDAR and its properties
    timezones: bytearray = field(default_factory=bytearray)  # every VTIMEZONE block
    starts: array = field(default_factory=lambda: array("q"))
    lengths: array = field(default_factory=lambda: array("q"))
    uids: array = field(default_factory=lambda: array("q"))  # hash of the UID, NO_UID when none
    repeats: bytearray = field(default_factory=bytearray)  # 1 where the event has an RRULE

    @property
    def events(self) -> int:
        return len(self.starts)

    def wrapper(self, handle: BinaryIO, indexes: list[int]) -> str:
        """A calendar of the kept properties, the time zones and these events (in file order)."""
        parts = [bytes(self.header), bytes(self.timezones)]
        for index in sorted(indexes):
            handle.seek(self.starts[index])
            parts.append(handle.read(self.lengths[index]))
        parts.append(b"END:VCALENDAR\r\n")
        return b"".join(parts).decode("utf-8", errors="replace")


def uid_hash(value: bytes) -> int:
    """icalendar unescapes text values: two spellings of one UID must land in one group."""
    text = value.replace(b"\\\\", b"\x00").replace(b"\\,", b",").replace(b"\\;", b";")
    text = text.replace(b"\\n", b"\n").replace(b"\\N", b"\n").replace(b"\x00", b"\\").strip()
    number = int.from_bytes(hashlib.blake2b(text, digest_size=8).digest(), "little", signed=True)
    return number or 1


def scan(handle: BinaryIO) -> Layout:
    """One pass over the bytes; raises Irregular for anything but the plain layout."""
    scanner = _Scanner()
    position = 0
    for number, raw in enumerate(handle):
        start = position
        position += len(raw)
        if number == 0 and raw.startswith(BOM):
            raw = raw[len(BOM) :]
        scanner.line(raw, start, position)
    return scanner.finish()


class _Scanner:
    def __init__(self) -> None:
        self.layout = Layout()
        self.stack: list[bytes] = []
        self.calendars = 0
        self.event: dict | None = None
        self.target = None  # where a continuation line (folded: starts with a space or tab) belongs

    def in_timezone(self) -> bool:
        return self.stack[1:2] == [b"VTIMEZONE"]

    def line(self, raw: bytes, start: int, end: int) -> None:
        line = raw.rstrip(b"\r\n")
        if line[:1] in (b" ", b"\t"):
            if self.target == "uid":
                self.event["uid"] += line[1:]
            elif self.target is not None:
                self.target.extend(raw)
            return
        self.target = None
        if not line.strip():
            if self.in_timezone():
                self.layout.timezones.extend(raw)
            return
        name = line.partition(b":")[0].split(b";", 1)[0].strip().upper()
        if name == b"BEGIN":
            self.begin(line.partition(b":")[2].strip().upper(), raw, start)
        elif name == b"END":
            self.end(line.partition(b":")[2].strip().upper(), raw, end)
        else:
            self.property(name, line, raw)
        if len(self.layout.header) + len(self.layout.timezones) > MAX_KEPT_BYTES:
            raise Irregular

    def begin(self, component: bytes, raw: bytes, start: int) -> None:
        if not self.stack:
            if component != b"VCALENDAR" or self.calendars:
                raise Irregular  # no wrapper, or a second calendar
            self.layout.header.extend(raw)
        elif component == b"VEVENT":
            if len(self.stack) > 1:
                raise Irregular  # nested events: the whole-file reader finds them
            self.event = {"start": start, "uid": None, "rrule": False}
        elif len(self.stack) == 1 and component != b"VTIMEZONE":
            raise Irregular  # a to-do or journal: a broken one refuses the file whole, as it did
        self.stack.append(component)
        if self.in_timezone():
            self.layout.timezones.extend(raw)

    def end(self, component: bytes, raw: bytes, end: int) -> None:
        if not self.stack or self.stack[-1] != component:
            raise Irregular
        if self.in_timezone():
            self.layout.timezones.extend(raw)
        self.stack.pop()
        if len(self.stack) == 1 and component == b"VEVENT":
            event, layout = self.event, self.layout
            layout.starts.append(event["start"])
            layout.lengths.append(end - event["start"])
            layout.uids.append(NO_UID if event["uid"] is None else uid_hash(event["uid"]))
            layout.repeats.append(1 if event["rrule"] else 0)
            self.event = None
        if not self.stack:
            self.calendars += 1

    def property(self, name: bytes, line: bytes, raw: bytes) -> None:
        if not self.stack:
            raise Irregular  # content outside the calendar
        if len(self.stack) == 1:
            self.layout.header.extend(raw)
            self.target = self.layout.header
        elif self.in_timezone():
            self.layout.timezones.extend(raw)
            self.target = self.layout.timezones
        elif self.stack[1:] == [b"VEVENT"]:
            if name == b"UID":
                if self.event["uid"] is not None:
                    raise Irregular  # two UIDs: which one counts is the parser's business
                self.event["uid"] = line.partition(b":")[2]
                self.target = "uid"
            elif name == b"RRULE":
                self.event["rrule"] = True

    def finish(self) -> Layout:
        if self.stack or self.calendars != 1 or not self.layout.events:
            raise Irregular
        return self.layout


def batches(layout: Layout, removed: set[int], size: int = BATCH_EVENTS) -> Iterator[list[list[int]]]:
    """Groups of event indexes (one group per UID), about ``size`` events a batch; groups come in
    the order of each UID's first (not removed) event, as the whole-file reader's series.

    Only UIDs that occur more than once need remembering: they are found by sorting the hashes.
    """
    ordered = sorted(h for h in layout.uids if h != NO_UID)
    repeated = {a for a, b in zip(ordered, ordered[1:], strict=False) if a == b}
    del ordered
    members: dict[int, list[int]] = {}
    for index, value in enumerate(layout.uids):
        if value in repeated and index not in removed:
            members.setdefault(value, []).append(index)
    batch: list[list[int]] = []
    count = 0
    for index, value in enumerate(layout.uids):
        if index in removed:
            continue
        if value in repeated:
            group = members.pop(value, None)
            if group is None:
                continue  # already in an earlier batch
        else:
            group = [index]
        batch.append(group)
        count += len(group)
        if count >= size:
            yield batch
            batch, count = [], 0
    if batch:
        yield batch


def repeating(layout: Layout, size: int = BATCH_EVENTS) -> Iterator[list[int]]:
    """Indexes of the events with a repeat rule, in file order, in groups of ``size``."""
    batch = [index for index, flag in enumerate(layout.repeats) if flag]
    for offset in range(0, len(batch), size):
        yield batch[offset : offset + size]
