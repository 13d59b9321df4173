"""Account rules: registration, approval, roles, trainings, passwords.

Every state change that matters for safety (approval, suspension, role change) writes an
audit event in the same transaction as the change itself.
"""

from __future__ import annotations

import functools
import re
from datetime import date, timedelta

from flask import current_app, render_template
from flask_babel import gettext as _
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from courtwatch import signals
from courtwatch.auth import passwords, session_records
from courtwatch.auth.models import AccountStatus, Role, Training, User, UserTraining
from courtwatch.auth.security_notices import notify_sign_in_change
from courtwatch.db import db, utcnow
from courtwatch.errors import DomainError, NotFound
from courtwatch.notify.services import queue_email
from courtwatch.privacy.services import record_event

# The shape every address must have, whoever creates the account (the register form also runs
# email-validator; the CLI and demo loader come through here only).
EMAIL_SHAPE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
PASSWORD_MIN_LENGTH = passwords.VOLUNTEER_MIN_LENGTH
PASSWORD_MAX_LENGTH = passwords.MAX_LENGTH


@functools.cache
def _dummy_hash() -> str:
    """A hash to check against when the account does not exist, so a login for an unknown email
    costs as much time as one for a known email (no account enumeration by timing). Made on first
    use, not at import: every CLI command and worker start would pay for a scrypt hash otherwise."""
    return generate_password_hash("not-a-real-password-0123", method="scrypt")


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def hash_password(password: str, *, staff: bool, email: str = "", name: str = "") -> str:
    # Checked before hashing: a megabyte "password" never reaches scrypt.
    passwords.check_new_password(password, staff=staff, email=email, name=name)
    return generate_password_hash(password, method="scrypt")


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def get_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(_("No such account."))
    return user


def create_user(
    *,
    email: str,
    name: str,
    password: str,
    role: str = Role.VOLUNTEER,
    status: str = AccountStatus.PENDING,
    languages: list[str] | None = None,
    phone: str | None = None,
    locale: str | None = None,
    is_demo: bool = False,
) -> User:
    email = normalise_email(email)
    if not EMAIL_SHAPE.match(email):
        raise DomainError(_("Enter a valid email address."), field="email")
    if role not in set(Role):
        raise DomainError(_("Unknown role %(role)s.", role=role), field="role")
    if find_user_by_email(email):
        raise DomainError(_("An account with this email already exists."), field="email")
    name = name.strip() or email.split("@")[0]
    password_hash = hash_password(password, staff=role in (Role.COORDINATOR, Role.ADMIN), email=email, name=name)
    user = User(
        email=email,
        name=name,
        password_hash=password_hash,
        role=role,
        status=status,
        languages=",".join(languages or []),
        phone=phone or None,
        locale=locale,
        is_demo=is_demo,
    )
    if status == AccountStatus.ACTIVE:
        user.approved_at = utcnow()
    db.session.add(user)
    db.session.flush()
    return user


def register_volunteer(
    *, email: str, name: str, password: str, languages: list[str], phone: str | None, locale: str | None
) -> None:
    """A self-registered volunteer waits for a coordinator before seeing any roster.

    The caller learns nothing about whether the address already had an account (no enumeration):
    the same checks, the same password hashing and one email either way. A new address gets a
    welcome with the login link; the owner of an existing one is told that someone tried.
    """
    email = normalise_email(email)
    if not EMAIL_SHAPE.match(email):
        raise DomainError(_("Enter a valid email address."), field="email")
    existing = find_user_by_email(email)
    login_link = current_app.config["BASE_URL"].rstrip("/") + "/login"
    if existing is not None:
        hash_password(password, staff=False, email=email, name=name)  # the same checks and work
        queue_email(
            existing.email,
            _("Someone tried to register with your address"),
            render_template(
                "auth/email/register_attempt.txt",
                login_link=login_link,
                reset_link=login_link.removesuffix("/login") + "/password/forgot",
            ),
        )
        return
    user = create_user(email=email, name=name, password=password, languages=languages, phone=phone, locale=locale)
    record_event(user, "user.registered", user)
    queue_email(
        user.email,
        _("Welcome to Courtwatch"),
        render_template("auth/email/welcome.txt", name=user.name, login_link=login_link),
    )


def authenticate(email: str, password: str) -> User | None:
    """The user for these credentials, or None; the same work is done either way."""
    user = find_user_by_email(email)
    if len(password) > PASSWORD_MAX_LENGTH:
        return None
    if user is None:
        check_password_hash(_dummy_hash(), password)
        return None
    if not check_password_hash(user.password_hash, password):
        return None
    if not user.is_active:  # rejected or suspended: same answer as a wrong password
        return None
    return user


def change_password(user: User, current: str, new: str) -> None:
    # An over-long "current password" is refused without hashing it, as at login.
    if len(current) > PASSWORD_MAX_LENGTH or not check_password_hash(user.password_hash, current):
        raise DomainError(_("Your current password is not right."), field="current_password")
    set_password(user, new)


def set_password(user: User, new: str) -> None:
    user.password_hash = hash_password(new, staff=user.is_staff, email=user.email, name=user.name)
    user.session_version += 1
    session_records.end_all_sessions(user)  # every session ends; the caller may start a fresh one
    record_event(user, "user.password_changed", user)
    notify_sign_in_change(user, "password")


def update_profile(user: User, *, name: str, phone: str | None, languages: list[str], locale: str | None) -> None:
    user.name = name.strip() or user.name
    user.phone = (phone or "").strip() or None
    user.languages = ",".join(languages)
    user.locale = locale or None


def _change_status(actor: User, user: User, new_status: str, action: str) -> None:
    old = user.status
    user.status = new_status
    record_event(actor, action, user, old=old, new=new_status)


def approve_user(actor: User, user: User) -> None:
    if user.status != AccountStatus.PENDING:
        raise DomainError(_("Only pending accounts can be approved."))
    user.approved_at = utcnow()
    _change_status(actor, user, AccountStatus.ACTIVE, "user.approved")


def reject_user(actor: User, user: User) -> None:
    if user.status != AccountStatus.PENDING:
        raise DomainError(_("Only pending accounts can be rejected."))
    _change_status(actor, user, AccountStatus.REJECTED, "user.rejected")


def suspend_user(actor: User, user: User) -> None:
    if user.id == actor.id:
        raise DomainError(_("You cannot suspend your own account."))
    if user.status != AccountStatus.ACTIVE:
        raise DomainError(_("Only active accounts can be suspended."))
    if user.role == Role.ADMIN and not actor.has_role(Role.ADMIN):
        raise DomainError(_("Only an admin can suspend an admin."))
    user.session_version += 1  # log them out everywhere
    session_records.end_all_sessions(user)
    _change_status(actor, user, AccountStatus.SUSPENDED, "user.suspended")
    # Other areas act on it (feed links revoked, future claims released); auth imports none of them.
    signals.send(signals.user_suspended, user=user)


def reactivate_user(actor: User, user: User) -> None:
    if user.status not in (AccountStatus.SUSPENDED, AccountStatus.REJECTED):
        raise DomainError(_("This account is not suspended or rejected."))
    user.approved_at = user.approved_at or utcnow()
    _change_status(actor, user, AccountStatus.ACTIVE, "user.reactivated")


def change_role(actor: User, user: User, role: str) -> None:
    if actor.role != Role.ADMIN:
        raise DomainError(_("Only an admin can change roles."))
    if role not in set(Role):
        raise DomainError(_("Unknown role %(role)s.", role=role), field="role")
    if user.id == actor.id and role != Role.ADMIN and count_admins() <= 1:
        raise DomainError(_("You are the last admin; make someone else admin first."), field="role")
    old = user.role
    if old == role:
        return
    user.role = role
    user.session_version += 1  # new powers or fewer: start a fresh session (and 2FA check)
    session_records.end_all_sessions(user)
    record_event(actor, "user.role_changed", user, old=old, new=role)


def count_admins() -> int:
    return (
        db.session.scalar(
            select(func.count()).select_from(User).where(User.role == Role.ADMIN, User.status == AccountStatus.ACTIVE)
        )
        or 0
    )


def list_trainings() -> list[Training]:
    return list(db.session.scalars(select(Training).order_by(Training.name)))


def get_or_create_training(name: str) -> Training:
    name = name.strip()
    if not name:
        raise DomainError(_("Name the training."), field="training")
    training = db.session.scalar(select(Training).where(Training.name == name))
    if training is None:
        training = Training(name=name)
        db.session.add(training)
        db.session.flush()
    return training


def record_training(actor: User | None, user: User, training: Training, completed_on: date) -> UserTraining:
    # Not after today anywhere on Earth (UTC+14): the server's clock zone is not the coordinator's.
    if completed_on > (utcnow() + timedelta(hours=14)).date():
        raise DomainError(_("A training cannot be completed in the future."), field="completed_on")
    refusals = signals.collect(signals.training_grant_checks, user=user, training=training)
    if refusals:
        raise DomainError(refusals[0], field="training")
    existing = db.session.scalar(
        select(UserTraining).where(UserTraining.user_id == user.id, UserTraining.training_id == training.id)
    )
    if existing:
        existing.completed_on = completed_on
        record = existing
    else:
        record = UserTraining(
            user=user, training=training, completed_on=completed_on, recorded_by_id=getattr(actor, "id", None)
        )
        db.session.add(record)
    db.session.flush()
    record_event(actor, "user.training_recorded", user, training=training.name, completed_on=completed_on)
    return record


def remove_training(actor: User, record: UserTraining) -> None:
    record_event(actor, "user.training_removed", record.user, training=record.training.name)
    db.session.delete(record)


def has_training(user: User, training_id: int | None) -> bool:
    if training_id is None:
        return True
    return any(t.training_id == training_id for t in user.trainings)


def completed_training_ids(user: User) -> set[int]:
    """The trainings this user has done, as ids: what shift lists check cards against, without
    loading the training records themselves."""
    return set(db.session.scalars(select(UserTraining.training_id).where(UserTraining.user_id == user.id)))
