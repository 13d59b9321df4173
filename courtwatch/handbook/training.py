"""Training pages: coordinators write them, volunteers mark them read, and a training can
require every page read before a coordinator records it for someone.

The rule is enforced where trainings are recorded (``auth.services.record_training`` asks the
``training_grant_checks`` signal, which this area answers with ``grant_refusal``), so the people
page and any command that records trainings refuse alike.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select

from courtwatch.auth.models import Training, User
from courtwatch.db import db, utcnow
from courtwatch.errors import DomainError, NotFound
from courtwatch.handbook.models import TrainingPage, TrainingPageRead
from courtwatch.privacy.services import record_event

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_BODY = 50_000
RESERVED_SLUGS = {"new", "settings", "edit"}


def slugify(title: str) -> str:
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:80]


def list_pages(training_id: int | None = None) -> list[TrainingPage]:
    query = select(TrainingPage).order_by(TrainingPage.training_id, TrainingPage.position, TrainingPage.id)
    if training_id is not None:
        query = query.where(TrainingPage.training_id == training_id)
    return list(db.session.scalars(query))


def get_page(slug: str) -> TrainingPage:
    page = db.session.scalar(select(TrainingPage).where(TrainingPage.slug == slug))
    if page is None:
        raise NotFound(_("This training page does not exist."))
    return page


def _check(training: Training | None, title: str, slug: str, body: str, page: TrainingPage | None) -> None:
    if training is None:
        raise DomainError(_("Choose the training this page belongs to."), field="training_id")
    if not title:
        raise DomainError(_("Give the page a title."), field="title")
    if not slug or not SLUG.match(slug) or slug in RESERVED_SLUGS:
        raise DomainError(
            _("Use lower-case letters, digits and hyphens for the web address, e.g. “at-the-door”."), field="slug"
        )
    taken = db.session.scalar(select(TrainingPage.id).where(TrainingPage.slug == slug))
    if taken is not None and (page is None or taken != page.id):
        raise DomainError(_("Another page already uses this web address."), field="slug")
    if not body.strip():
        raise DomainError(_("Write the page's text."), field="body")
    if len(body) > MAX_BODY:
        raise DomainError(_("Keep a page under %(n)d characters; split it in two.", n=MAX_BODY), field="body")


def save_page(
    actor: User, *, training_id: int | None, title: str, body: str, slug: str = "", page: TrainingPage | None = None
) -> TrainingPage:
    """Create a page, or edit one: a change of title or text makes a new version to read."""
    title = (title or "").strip()
    body = (body or "").strip()
    slug = (slug or "").strip().lower() or slugify(title)
    training = db.session.get(Training, training_id) if training_id else None
    _check(training, title, slug, body, page)
    if page is None:
        last = db.session.scalar(select(func.max(TrainingPage.position)).where(TrainingPage.training_id == training.id))
        page = TrainingPage(training_id=training.id, slug=slug, title=title, body=body, position=(last or 0) + 1)
        page.version = 1
        db.session.add(page)
        action = "training_page.created"
    else:
        if (page.title, page.body) != (title, body):
            page.version += 1
        page.training_id, page.slug, page.title, page.body = training.id, slug, title, body
        action = "training_page.edited"
    page.updated_by_id = actor.id
    db.session.flush()
    record_event(actor, action, page, training=training.name, version=page.version)
    return page


def delete_page(actor: User, page: TrainingPage) -> None:
    record_event(actor, "training_page.deleted", page, title=page.title)
    db.session.delete(page)
    db.session.flush()


def mark_read(user: User, page: TrainingPage, *, now: datetime | None = None) -> TrainingPageRead:
    """Idempotent: a second tap on the same version keeps the first time."""
    existing = db.session.scalar(
        select(TrainingPageRead).where(
            TrainingPageRead.page_id == page.id,
            TrainingPageRead.user_id == user.id,
            TrainingPageRead.version == page.version,
        )
    )
    if existing is not None:
        return existing
    mark = TrainingPageRead(page_id=page.id, user_id=user.id, version=page.version, read_at=now or utcnow())
    db.session.add(mark)
    db.session.flush()
    return mark


@dataclass(frozen=True)
class ReadState:
    """One person's latest mark on one page."""

    page: TrainingPage
    read_at: datetime | None
    version: int | None

    @property
    def current(self) -> bool:
        return self.version is not None and self.version == self.page.version

    @property
    def outdated(self) -> bool:
        return self.version is not None and self.version != self.page.version


def latest_marks(user_ids: list[int], page_ids: list[int]) -> dict[tuple[int, int], tuple[int, datetime]]:
    """(user id, page id) -> (highest version read, when): one query for a whole roster."""
    if not user_ids or not page_ids:
        return {}
    rows = db.session.execute(
        select(TrainingPageRead.user_id, TrainingPageRead.page_id, TrainingPageRead.version, TrainingPageRead.read_at)
        .where(TrainingPageRead.user_id.in_(user_ids), TrainingPageRead.page_id.in_(page_ids))
        .order_by(TrainingPageRead.version)
    )
    return {(user_id, page_id): (version, read_at) for user_id, page_id, version, read_at in rows}


def read_states(user: User, pages: list[TrainingPage]) -> list[ReadState]:
    marks = latest_marks([user.id], [page.id for page in pages])
    states = []
    for page in pages:
        version, read_at = marks.get((user.id, page.id), (None, None))
        states.append(ReadState(page, read_at, version))
    return states


def unread_pages(user: User, training: Training) -> list[TrainingPage]:
    """Pages of the training whose current version the user has not marked read."""
    return [state.page for state in read_states(user, list_pages(training.id)) if not state.current]


def grant_refusal(user: User, training: Training) -> str | None:
    """Why the training cannot be recorded for this person yet, or None."""
    if not training.pages_required or training.id is None:
        return None
    unread = unread_pages(user, training)
    if not unread:
        return None
    return _(
        "%(name)s has not read every page of this training yet (%(n)d unread: %(titles)s). "
        "Ask them to open Training and mark each page read, or turn off “pages must be read first”.",
        name=user.name,
        n=len(unread),
        titles=", ".join(page.title for page in unread),
    )


def set_pages_required(actor: User, training: Training, required: bool) -> None:
    training.pages_required = required
    db.session.flush()
    record_event(actor, "training.pages_required", training, required=required)


def list_trainings_with_pages() -> list[tuple[Training, list[TrainingPage]]]:
    """Every training, with its pages in order: the /training index."""
    trainings = list(db.session.scalars(select(Training).order_by(Training.name)))
    pages = list_pages()
    by_training: dict[int, list[TrainingPage]] = {}
    for page in pages:
        by_training.setdefault(page.training_id, []).append(page)
    return [(training, by_training.get(training.id, [])) for training in trainings]


def readers(page: TrainingPage, limit: int = 500) -> list[tuple[User, TrainingPageRead]]:
    """Who marked the page read (latest mark per person), most recent first: for coordinators."""
    latest = (
        select(TrainingPageRead.user_id, func.max(TrainingPageRead.id).label("mark_id"))
        .where(TrainingPageRead.page_id == page.id)
        .group_by(TrainingPageRead.user_id)
        .subquery()
    )
    rows = db.session.execute(
        select(User, TrainingPageRead)
        .join(latest, latest.c.user_id == User.id)
        .join(TrainingPageRead, TrainingPageRead.id == latest.c.mark_id)
        .order_by(TrainingPageRead.read_at.desc())
        .limit(limit)
    )
    return [(user, mark) for user, mark in rows]
