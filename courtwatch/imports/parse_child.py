"""The process that reads a calendar file, started by ``imports.isolation`` for every import.

Run (see ``reader_command``) with a job (JSON) on standard input. It first
caps its own CPU time and address space (``resource.setrlimit``), then reads the file with the
same readers the app always used and writes the normalised records to a spool file (see
``record_frames``). A hostile or huge file can therefore only exhaust this process: the kernel
stops it at the limit, and the gunicorn worker that started it goes on serving.

With ``--supervise`` it instead runs a limited reader as its own child, waits for it and records
how it ended in the job's status file: that is how a web preview parses in the background while
the coordinator's browser polls, without an extra service.

Exit statuses of the reader: 0 read, 2 refused with a message (on stdout as JSON), 3 out of memory.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys

EXIT_REFUSED = 2
EXIT_MEMORY = 3
CPU_GRACE_SECONDS = 2


def set_limits(cpu_seconds: int, memory_mb: int) -> None:
    """SIGXCPU at the soft CPU limit (the default action ends the process), SIGKILL a little later."""
    if cpu_seconds > 0:
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + CPU_GRACE_SECONDS))
    if memory_mb > 0:
        size = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (size, size))


def write_status(path: str | None, status: dict) -> None:
    if not path:
        return
    temporary = f"{path}.tmp"
    with open(temporary, "w") as out:
        json.dump(status, out)
    os.replace(temporary, path)


def report(job: dict, status: dict) -> None:
    """The status file the web preview polls; it carries the window the records were read for."""
    write_status(job.get("status"), {**status, "window_start": job["window_start"], "window_end": job["window_end"]})


def _translation_context(locale: str):
    """A request context whose gettext speaks the coordinator's language (the readers' messages)."""
    from flask import Flask
    from flask_babel import Babel

    app = Flask("courtwatch")  # root path: the courtwatch package, whose translations/ it uses
    Babel(app, locale_selector=lambda: locale)
    return app.test_request_context()


def _records(job: dict, read_result, notes: list[str]):
    from datetime import datetime
    from types import SimpleNamespace
    from zoneinfo import ZoneInfo

    if job["kind"] == "ics":
        from courtwatch.imports.ics_batches import read_ics

        with open(job["path"], "rb") as handle:  # read a batch at a time, never whole (ics_layout)
            yield from read_ics(
                handle,
                zone=ZoneInfo(job["zone"]),
                courthouse_id=job["courthouse_id"],
                window_start=datetime.fromisoformat(job["window_start"]),
                window_end=datetime.fromisoformat(job["window_end"]),
                max_instances=job["max_instances"],
                result=read_result,
            )
        return
    from courtwatch.imports.mapping import check_mapping, table_records
    from courtwatch.imports.tables import read_table

    table = read_table(job["path"], job["kind"], job["max_bytes"])
    try:
        check_mapping(job["mapping"], table.headers, has_courthouse=job["courthouse_id"] is not None)
        notes.extend(table.notes)
        default = (
            SimpleNamespace(id=job["courthouse_id"], timezone=job["zone"]) if job["courthouse_id"] is not None else None
        )
        directory = {name: tuple(value) for name, value in job["courthouses"].items()}
        yield from table_records(table, job["mapping"], default_courthouse=default, courthouses=directory)
    finally:
        table.close()


def read_into_spool(job: dict) -> None:
    """Read the job's file and write its records to job["spool"] (whole, or not at all)."""
    from courtwatch.errors import DomainError
    from courtwatch.imports.record_frames import BATCH, pack_record, result_payload, sealer, write_frame
    from courtwatch.imports.records import ReadResult

    read_result = ReadResult()
    notes: list[str] = []
    partial_path = f"{job['spool']}.part"
    cipher = sealer(job.get("seal_key"))
    try:
        with _translation_context(job.get("locale") or "en"), open(partial_path, "wb") as out:
            records = _records(job, read_result, notes)
            batch = []
            count = 0
            first = True
            for record in records:
                if first:
                    write_frame(out, "notes", notes, cipher)
                    first = False
                batch.append(pack_record(record))
                if len(batch) >= BATCH:
                    write_frame(out, "records", batch, cipher)
                    count += len(batch)
                    batch = []
                    report(job, {"state": "reading", "read": count, "events": read_result.events})
            if first:
                write_frame(out, "notes", notes, cipher)
            if batch:
                write_frame(out, "records", batch, cipher)
                count += len(batch)
            write_frame(out, "result", result_payload(read_result), cipher)
    except DomainError as error:
        _discard(partial_path)
        message = {"message": error.message, "field": error.field}
        report(job, {"state": "failed", "reason": "refused", **message})
        sys.stdout.write(json.dumps(message))
        sys.stdout.flush()
        os._exit(EXIT_REFUSED)
    except MemoryError:
        _discard(partial_path)
        os._exit(EXIT_MEMORY)
    os.replace(partial_path, job["spool"])
    report(job, {"state": "done", "read": count, "events": read_result.events})


def _discard(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


# The reader starts without the package's initialiser (courtwatch/__init__.py imports the whole
# app: Flask extensions, SQLAlchemy, every area), which would cost about a second of CPU per
# import; it needs only the readers and their messages.
BOOTSTRAP = (
    "import sys, types; "
    "package = types.ModuleType('courtwatch'); package.__path__ = [sys.argv[1]]; "
    "package.__file__ = sys.argv[1] + '/__init__.py'; "
    "sys.modules['courtwatch'] = package; "
    "from courtwatch.imports.parse_child import main; main()"
)


def reader_command() -> list[str]:
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    return [sys.executable, "-c", BOOTSTRAP, package]


def child_environment() -> dict:
    """The app's import path for the child, whatever directory the server was started from."""
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    environment = dict(os.environ)
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, [root, environment.get("PYTHONPATH", "")]))
    return environment


def run_reader(job: dict) -> tuple[str, dict]:
    """Run one limited reader and wait: ("done", {}) or ("failed", {"reason": ..., ...})."""
    completed = subprocess.run(
        reader_command(),
        input=json.dumps(job).encode(),
        capture_output=True,
        env=child_environment(),
        check=False,
    )
    return outcome(completed.returncode, completed.stdout, job.get("spool"))


def outcome(returncode: int, stdout: bytes, spool: str | None) -> tuple[str, dict]:
    import signal

    if returncode == 0 and spool and os.path.exists(spool):
        return "done", {}
    if returncode == EXIT_REFUSED:
        try:
            return "failed", {"reason": "refused", **json.loads(stdout.decode())}
        except ValueError:
            pass
    if returncode in (-signal.SIGXCPU, -signal.SIGKILL):
        return "failed", {"reason": "cpu"}
    if returncode == EXIT_MEMORY:
        return "failed", {"reason": "memory"}
    return "failed", {"reason": "crash"}


def supervise(job: dict) -> None:
    """Wait for a background read and record how it ended; a read forgotten meanwhile leaves nothing.

    The upload may be committed or discarded (``isolation.forget_parses``) while its read is still
    running, or after the reader wrote its spool but before this check: the read's own copy of the
    file (``job["path"]``) is then gone, and whatever the reader wrote after the forgetting (its
    spool, its status) is removed here rather than left on the host until the hourly sweep.
    """
    state, details = run_reader(job)
    if state == "failed":
        report(job, {"state": "failed", **details})
    if not os.path.exists(job["path"]):
        status = job.get("status")
        for path in (job["spool"], f"{job['spool']}.part", status, f"{status}.tmp" if status else None):
            if path:
                _discard(path)


def main() -> None:
    job = json.loads(sys.stdin.read())
    if "--supervise" in sys.argv[1:]:
        supervise(job)
        return
    set_limits(int(job.get("cpu_seconds") or 0), int(job.get("memory_mb") or 0))
    try:
        if job.get("input_sealed"):
            # The background read's own copy of the upload is sealed; its plain bytes live only
            # in an unnamed file of this process.
            from courtwatch.imports.record_frames import open_sealed_copy

            _plain, job["path"] = open_sealed_copy(job["path"], job["seal_key"])
        read_into_spool(job)
    except MemoryError:
        os._exit(EXIT_MEMORY)
    except Exception as error:  # never a traceback with the file's contents in the logs
        sys.stderr.write(f"calendar reader failed: {type(error).__name__}\n")
        os._exit(1)


if __name__ == "__main__":
    main()
