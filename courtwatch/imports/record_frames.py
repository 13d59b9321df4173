"""The compact form in which parsed hearing records cross from the parsing process to the app.

A spool file is a sequence of frames (4-byte length + a pickle of plain tuples, lists, strings and
numbers), each sealed with AES-GCM (a random 12-byte nonce before it) when a key is given: the
records hold docket text, and the previewing host's parse cache must not leave it readable on
disk (the key comes from the upload's, see imports.isolation). Records travel as tuples in ``HearingRecord`` slot order, moments as integer
microseconds since the epoch, so a frame never names a class. The reading side refuses any pickle
that does: even a parser process taken over by a hostile file cannot make the app build objects.
"""

from __future__ import annotations

import io
import os
import pickle
import struct
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from courtwatch.imports.records import HearingRecord, ReadResult, RowProblem

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)
HEADER = struct.Struct(">I")
BATCH = 2000
SLOTS = HearingRecord.__slots__
STARTS, ENDS = SLOTS.index("starts_at"), SLOTS.index("ends_at")
MAX_FRAME = 256 * 1024 * 1024
NONCE = 12
INPUT_CHUNK = 1024 * 1024


class SpoolDamaged(Exception):
    """The spool does not hold what a parsing process writes (cut short, or not ours)."""


class _PlainUnpickler(pickle.Unpickler):
    def find_class(self, module, name):
        raise SpoolDamaged(f"a frame names {module}.{name}")


def _micros(moment: datetime | None) -> int | None:
    return None if moment is None else (moment - EPOCH) // MICROSECOND


def _moment(micros: int | None) -> datetime | None:
    return None if micros is None else EPOCH + micros * MICROSECOND


def pack_record(record: HearingRecord | RowProblem) -> tuple:
    if isinstance(record, RowProblem):
        return (record.line, record.reason)
    values = [getattr(record, name) for name in SLOTS]
    values[STARTS] = _micros(values[STARTS])
    values[ENDS] = _micros(values[ENDS])
    return tuple(values)


def unpack_record(values: tuple) -> HearingRecord | RowProblem:
    if len(values) == 2:
        return RowProblem(values[0], values[1])
    record = HearingRecord.__new__(HearingRecord)
    for name, value in zip(SLOTS, values, strict=True):
        setattr(record, name, value)
    record.starts_at = _moment(values[STARTS])
    record.ends_at = _moment(values[ENDS])
    return record


def sealer(key_hex: str | None):
    """The AES-GCM cipher of a spool (None: plain frames)."""
    if not key_hex:
        return None
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    return AESGCM(bytes.fromhex(key_hex))


def seal(cipher, data: bytes) -> bytes:
    if cipher is None:
        return data
    nonce = os.urandom(NONCE)
    return nonce + cipher.encrypt(nonce, data, None)


def unseal(cipher, data: bytes) -> bytes:
    if cipher is None:
        return data
    from cryptography.exceptions import InvalidTag

    try:
        return cipher.decrypt(data[:NONCE], data[NONCE:], None)
    except (InvalidTag, ValueError):
        raise SpoolDamaged("not sealed under this key") from None


def write_frame(out, kind: str, payload, cipher=None) -> None:
    data = seal(cipher, pickle.dumps((kind, payload), protocol=pickle.HIGHEST_PROTOCOL))
    out.write(HEADER.pack(len(data)))
    out.write(data)


def read_frames(handle, cipher=None) -> Iterator[tuple[str, object]]:
    while True:
        head = handle.read(HEADER.size)
        if not head:
            return
        if len(head) < HEADER.size:
            raise SpoolDamaged("cut short")
        (size,) = HEADER.unpack(head)
        if size > MAX_FRAME:
            raise SpoolDamaged("frame too large")
        data = handle.read(size)
        if len(data) < size:
            raise SpoolDamaged("cut short")
        yield _PlainUnpickler(io.BytesIO(unseal(cipher, data))).load()


def spooled_records(
    path: str, read_result: ReadResult, notes: list[str], key: str | None = None
) -> Iterator[HearingRecord | RowProblem]:
    """Records of a finished spool, one batch in memory at a time.

    ``notes`` (the reader's remarks, e.g. the encoding found) are filled from the first frame and
    ``read_result`` from the last, so both are complete once the records are exhausted.
    """
    finished = False
    with open(path, "rb") as handle:
        for kind, payload in read_frames(handle, sealer(key)):
            if kind == "notes":
                notes.extend(note for note in payload if note not in notes)
            elif kind == "records":
                for values in payload:
                    yield unpack_record(values)
            elif kind == "result":
                read_result.notes.extend(note for note in payload["notes"] if note not in read_result.notes)
                read_result.partial = read_result.partial or payload["partial"]
                read_result.read += payload["read"]
                read_result.events += payload["events"]
                read_result.past += payload["past"]
                read_result.reader_peak_mb = payload.get("peak_mb", 0.0)
                finished = True
    if not finished:
        raise SpoolDamaged("no result frame")


def result_payload(result: ReadResult) -> dict:
    return {
        "notes": list(result.notes),
        "partial": result.partial,
        "read": result.read,
        "events": result.events,
        "past": result.past,
        "peak_mb": _peak_mb(),
    }


def _peak_mb() -> float:
    """This process's own high-water mark (VmHWM starts afresh at exec, unlike ru_maxrss)."""
    try:
        with open("/proc/self/status") as status:
            for text in status:
                if text.startswith("VmHWM:"):
                    return int(text.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def write_sealed_copy(source_path: str, target_path: str, key: str) -> None:
    """A sealed copy of a file, in frames of raw chunks (the background read's own input)."""
    cipher = sealer(key)
    with (
        open(source_path, "rb") as source,
        open(os.open(target_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as out,
    ):
        while chunk := source.read(INPUT_CHUNK):
            data = seal(cipher, chunk)
            out.write(HEADER.pack(len(data)))
            out.write(data)


def open_sealed_copy(path: str, key: str):
    """The plain bytes of a sealed copy in an unnamed temporary file beside it (gone with the
    process), and a path the readers can open it by."""
    import tempfile

    cipher = sealer(key)
    plain = tempfile.TemporaryFile(dir=os.path.dirname(path))
    with open(path, "rb") as handle:
        while head := handle.read(HEADER.size):
            (size,) = HEADER.unpack(head)
            plain.write(unseal(cipher, handle.read(size)))
    plain.flush()
    plain.seek(0)
    return plain, f"/proc/self/fd/{plain.fileno()}"
