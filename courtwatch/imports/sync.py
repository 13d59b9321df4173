"""Calendar subscriptions: fetch each URL with a conditional GET, a timeout and a size cap, import
what changed, and record the outcome on the source so coordinators see it.

Only https:// (and webcal://, which is https in disguise) is fetched. Plain http to
127.0.0.1/localhost is allowed only when ``CALENDAR_ALLOW_LOOPBACK`` says so (tests that run a
real local server set it); in every other mode, development included, a subscription or one of
its redirects cannot reach the machine's own services (Redis, the database). Redirects are followed by hand so
every hop passes the same check.
"""

from __future__ import annotations

import hashlib
import io
import ipaddress
import os
import socket
import tempfile
import time
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit, urlunsplit

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from courtwatch.db import db, utcnow
from courtwatch.errors import DomainError
from courtwatch.imports.held_plans import hold_plan
from courtwatch.imports.models import CalendarSource
from courtwatch.imports.pending import too_large
from courtwatch.imports.planner import ImportSummary
from courtwatch.imports.records import ReadResult
from courtwatch.imports.safeguards import tell_coordinators
from courtwatch.imports.services import import_file, record_run
from courtwatch.privacy.services import record_event

if TYPE_CHECKING:
    import requests  # imported by the functions that fetch: a CLI start or a worker never pays for it

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
MAX_REDIRECTS = 5


def _local_allowed() -> bool:
    return bool(current_app.config.get("CALENDAR_ALLOW_LOOPBACK"))


def check_public_host(hostname: str) -> None:
    """Refuse addresses inside the server's own network, so a subscription cannot probe it."""
    if hostname in LOCAL_HOSTS and _local_allowed():
        return
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(hostname, 443, proto=socket.IPPROTO_TCP)}
    except socket.gaierror as error:
        raise DomainError(_("The calendar server's name could not be found.")) from error
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if not ip.is_global:
            raise DomainError(_("This calendar address points into a private network and cannot be fetched."))


def normalise_url(url: str) -> str:
    url = (url or "").strip()
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "webcal":
        parts = parts._replace(scheme="https")
        scheme = "https"
    if not parts.hostname:
        raise DomainError(_("Enter a full calendar address starting with https:// or webcal://."), field="url")
    if scheme == "http" and parts.hostname in LOCAL_HOSTS and _local_allowed():
        return urlunsplit(parts)
    if scheme != "https":
        raise DomainError(_("Only https:// and webcal:// calendar addresses can be subscribed."), field="url")
    return urlunsplit(parts)


def subscribe(actor, courthouse, name: str, url: str) -> CalendarSource:
    url = normalise_url(url)
    name = (name or "").strip() or urlsplit(url).hostname or url
    if len(url) > 2000:
        raise DomainError(_("This address is too long."), field="url")
    duplicate = db.session.scalar(
        select(CalendarSource.id).where(CalendarSource.url == url, CalendarSource.courthouse_id == courthouse.id)
    )
    if duplicate:
        raise DomainError(_("This courthouse already subscribes to that address."), field="url")
    if db.session.scalar(
        select(CalendarSource.id).where(
            CalendarSource.courthouse_id == courthouse.id, CalendarSource.name == name[:200]
        )
    ):
        raise DomainError(_("This courthouse already has a calendar with that name."), field="name")
    source = CalendarSource(name=name[:200], courthouse_id=courthouse.id, kind="ics", url=url)
    db.session.add(source)
    db.session.flush()
    record_event(actor, "calendar.subscribed", source, courthouse=courthouse.slug)
    return source


def fetch(source: CalendarSource) -> tuple[bytes | None, requests.Response | None, bool]:
    """(body, response, truncated); body None when the server answered 304 Not Modified.

    ``truncated`` is True when the body is shorter than the server declared: what arrived is
    imported, but as a partial read that cancels nothing.
    """
    import requests

    headers = {"User-Agent": "Courtwatch calendar sync", "Accept": "text/calendar, */*;q=0.5"}
    if source.etag:
        headers["If-None-Match"] = source.etag
    if source.last_modified:
        headers["If-Modified-Since"] = source.last_modified
    limit = current_app.config["IMPORT_MAX_BYTES"]
    url = normalise_url(source.url or "")
    timeout = current_app.config["SYNC_TIMEOUT"]
    deadline = time.monotonic() + timeout  # a whole-download limit: a server dripping bytes is cut off too
    for _hop in range(MAX_REDIRECTS + 1):
        check_public_host(urlsplit(url).hostname or "")
        response = requests.get(url, headers=headers, timeout=timeout, stream=True, allow_redirects=False)
        with response:
            if response.is_redirect and response.headers.get("Location"):
                url = normalise_url(urljoin(url, response.headers["Location"]))
                continue
            if response.status_code == 304:
                return None, response, False
            if response.status_code != 200:
                raise DomainError(_("The calendar server answered %(status)s.", status=response.status_code))
            declared = response.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > limit:
                raise too_large()
            body = bytearray()
            try:
                for chunk in response.iter_content(64 * 1024):
                    body.extend(chunk)
                    if len(body) > limit:
                        raise too_large()
                    if time.monotonic() > deadline:
                        raise requests.Timeout()
            except requests.exceptions.ChunkedEncodingError:  # the connection closed before the declared end
                return bytes(body), response, True
            encoded = response.headers.get("Content-Encoding", "identity").lower() not in ("", "identity")
            truncated = bool(declared and declared.isdigit() and not encoded and len(body) < int(declared))
            return bytes(body), response, truncated
    raise DomainError(_("The calendar address redirects too many times."))


def looks_truncated(body: bytes) -> bool:
    """A calendar whose last component is not closed was cut off on the way."""
    return not body.rstrip().upper().endswith(b"END:VCALENDAR")


def sync_source(source: CalendarSource, actor=None) -> ImportSummary | None:
    """Refresh one subscription; the outcome is recorded on the source, never raised.

    A partial read (a limit hit, a broken part, a truncated body, an empty calendar where the last
    one had hearings) cancels nothing, and coordinators are told. A plan that would cancel too
    much is held for review. In neither case is the validator (ETag) or the body's hash kept, so
    the next sync fetches and reads the calendar again. A 304, or a body with the same hash as the
    last complete import, plans nothing.
    """
    import requests

    source.last_synced_at = utcnow()
    problem = None
    try:
        body, response, truncated = fetch(source)
        if body is None:
            source.last_status = "not_modified"
            source.last_error = None
            return None
        digest = hashlib.sha256(body).hexdigest()
        if digest == source.body_sha256 and not source.held_token:
            # The same bytes as the last complete import (a server without conditional GET, or
            # one that changed only its validators): nothing to read or plan.
            source.last_status = "unchanged"
            source.last_error = None
            _keep_validators(source, response)
            return None
        read_result = ReadResult()
        if truncated or (body.strip() and looks_truncated(body)):
            read_result.mark_partial(_("The download was cut off before the end of the calendar."))
        with tempfile.NamedTemporaryFile(delete=False, suffix=".ics") as handle:
            handle.write(body)
        try:
            summary = import_file(
                handle.name,
                kind="ics",
                courthouse=source.courthouse,
                source=source,
                mapping=None,
                apply=True,
                full=True,
                read_result=read_result,
            )
        finally:
            os.unlink(handle.name)
        if summary.held:
            hold_plan(source, io.BytesIO(body), summary, fingerprint=digest)
            return summary
        record_run(actor, source, summary, source.url or "", status="partial" if summary.partial else "ok")
        if summary.partial:
            source.last_error = "; ".join(read_result.notes)[:1000] or None
            tell_coordinators(source, "partial", source.last_error or "", fingerprint=digest)
        else:
            _keep_validators(source, response)
            source.body_sha256 = digest
        return summary
    except DomainError as error:
        problem = error.message
    except requests.Timeout:
        problem = _("The calendar server did not answer in time.")
    except requests.RequestException as error:
        problem = _("The calendar could not be fetched: %(error)s", error=type(error).__name__)
    source.last_status = "error"
    source.last_error = problem[:1000]
    tell_coordinators(source, "error", problem)
    return None


def _keep_validators(source: CalendarSource, response) -> None:
    """The ETag and Last-Modified the next sync sends back (If-None-Match, If-Modified-Since)."""
    source.etag = (response.headers.get("ETag") or "")[:300] or None
    source.last_modified = (response.headers.get("Last-Modified") or "")[:100] or None


def subscribed_sources() -> list[CalendarSource]:
    return list(
        db.session.scalars(
            select(CalendarSource)
            .where(CalendarSource.url.is_not(None), CalendarSource.active.is_(True))
            .order_by(CalendarSource.id)
        )
    )


def sync_all(actor=None) -> list[CalendarSource]:
    sources = subscribed_sources()
    for source in sources:
        sync_source(source, actor)
        db.session.flush()
    return sources
