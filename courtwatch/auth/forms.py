"""Forms for login, registration, the account page and people management."""

from flask_babel import lazy_gettext as _l
from wtforms import DateField, EmailField, PasswordField, SelectField, StringField, TelField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional

from courtwatch.auth.languages import language_choices
from courtwatch.auth.models import ROLE_LABELS, Role
from courtwatch.auth.phones import PhoneNumber
from courtwatch.auth.services import PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH
from courtwatch.forms import CourtwatchForm, MultiCheckboxField, SingleLine

LOCALE_CHOICES = [("", _l("Same as my browser")), ("en", "English"), ("es", "Español")]


def _new_password(label):
    return PasswordField(label, validators=[DataRequired(), Length(min=PASSWORD_MIN_LENGTH, max=PASSWORD_MAX_LENGTH)])


class LoginForm(CourtwatchForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired()])


class TwoFactorForm(CourtwatchForm):
    code = StringField(
        _l("6-digit code from your authenticator app"),
        validators=[DataRequired(), Length(min=6, max=8)],
        render_kw={"inputmode": "numeric", "autocomplete": "one-time-code"},
    )


class LoginCodeForm(CourtwatchForm):
    code = StringField(
        _l("Code from your authenticator app, or a recovery code"),
        validators=[DataRequired(), Length(min=6, max=24)],
        render_kw={"autocomplete": "one-time-code", "autocapitalize": "characters"},
    )


class PasswordAgainForm(CourtwatchForm):
    password = PasswordField(
        _l("Your password"),
        validators=[DataRequired(), Length(max=256)],
        render_kw={"autocomplete": "current-password"},
    )


class ChangeFactorForm(CourtwatchForm):
    """Replacing or removing a second factor: the password and a current code."""

    password = PasswordField(
        _l("Your password"),
        validators=[DataRequired(), Length(max=256)],
        render_kw={"autocomplete": "current-password"},
    )
    code = StringField(
        _l("Code from your authenticator app, or a recovery code"),
        validators=[DataRequired(), Length(min=6, max=24)],
        render_kw={"autocomplete": "one-time-code", "autocapitalize": "characters"},
    )


class ProfileFields(CourtwatchForm):
    name = StringField(
        _l("Name"), validators=[DataRequired(), SingleLine(), Length(max=120)], render_kw={"autocomplete": "name"}
    )
    phone = TelField(
        _l("Phone (optional)"),
        validators=[Optional(), SingleLine(), Length(max=40), PhoneNumber()],
        render_kw={"autocomplete": "tel"},
    )
    languages = MultiCheckboxField(_l("Languages you speak"), choices=language_choices)
    locale = SelectField(_l("Interface language"), choices=LOCALE_CHOICES, validators=[Optional()])


class RegisterForm(ProfileFields):
    email = EmailField(
        _l("Email"), validators=[DataRequired(), Email(), Length(max=254)], render_kw={"autocomplete": "email"}
    )
    password = _new_password(_l("Password (at least 10 characters)"))
    confirm = PasswordField(
        _l("Password again"), validators=[DataRequired(), EqualTo("password", _l("The passwords differ."))]
    )


class ProfileForm(ProfileFields):
    pass


class PasswordChangeForm(CourtwatchForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    password = _new_password(_l("New password (at least 10 characters)"))
    confirm = PasswordField(
        _l("New password again"), validators=[DataRequired(), EqualTo("password", _l("The passwords differ."))]
    )


class ForgotPasswordForm(CourtwatchForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])


class ResetPasswordForm(CourtwatchForm):
    password = _new_password(_l("New password (at least 10 characters)"))
    confirm = PasswordField(
        _l("New password again"), validators=[DataRequired(), EqualTo("password", _l("The passwords differ."))]
    )


class TrainingForm(CourtwatchForm):
    training = StringField(
        _l("Training"), validators=[DataRequired(), SingleLine(), Length(max=120)], render_kw={"list": "training-names"}
    )
    completed_on = DateField(_l("Completed on"), validators=[DataRequired()])


class RoleForm(CourtwatchForm):
    role = SelectField(_l("Role"), choices=lambda: [(r.value, str(ROLE_LABELS[r])) for r in Role])
