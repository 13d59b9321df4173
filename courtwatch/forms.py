"""Form pieces shared by every area: a multi-checkbox field, a select that remembers its HTML,
attaching service errors to fields, and WTForms' own messages translated without re-reading their
catalog on every request."""

from __future__ import annotations

import re
from functools import cache

from babel import support
from flask import current_app
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import SelectMultipleField, TextAreaField
from wtforms.i18n import messages_path
from wtforms.validators import ValidationError
from wtforms.widgets import CheckboxInput, ListWidget, Select

from courtwatch.errors import DomainError

# C0 controls and DEL, line breaks and tabs included: none belongs in a one-line value, and a
# CR or LF in a value that becomes a mail header or an iCalendar property breaks what is built
# from it later (a notice that can never be sent, a header injected into it).
ONE_LINE_FORBIDDEN = re.compile(r"[\x00-\x1f\x7f]")


def has_control_characters(value: str | None) -> bool:
    return bool(value) and bool(ONE_LINE_FORBIDDEN.search(value))


class SingleLine:
    """WTForms validator for one-line text that may reach a mail header or a calendar property."""

    field_flags = {}

    def __call__(self, form, field):
        from flask_babel import gettext as _

        if isinstance(field.data, str) and has_control_characters(field.data):
            raise ValidationError(_("Keep this on one line, without line breaks or tabs."))


# C0 controls (NUL included), DEL and the C1 range: nothing a person types, and NUL is refused by
# PostgreSQL mid-statement. Multi-line text areas keep tab and newlines.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROL_MULTILINE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


class CourtwatchForm(FlaskForm):
    """The base of every form: refuses control characters in any text field with a message beside
    the field (keeping what was typed), so pasted binary or a NUL byte never reaches the database."""

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for field in self:
            data = field.data
            if not isinstance(data, str) or not data:
                continue
            pattern = _CONTROL_MULTILINE if isinstance(field, TextAreaField) else _CONTROL
            if pattern.search(data):
                field.errors = list(field.errors or []) + [
                    _("This contains invisible control characters (perhaps from pasted text). Retype it.")
                ]
                valid = False
        return valid


class MultiCheckboxField(SelectMultipleField):
    """Checkboxes instead of a <select multiple>, which is unusable on a phone."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class RememberedSelect(Select):
    """A <select> whose HTML is remembered by everything it is drawn from: name, id, flags and
    each option's value, text (in the request's language) and selection. A filter drawn on every
    request (the shift list's courthouses) costs WTForms ~25 µs an option; the key costs a
    fraction of that and cannot go stale, since a renamed courthouse is a new key.
    Anything unusual (attributes from the template, option groups, per-option attributes) is
    drawn by WTForms as usual.
    """

    MAX_REMEMBERED = 256

    def __init__(self, multiple: bool = False):
        super().__init__(multiple)
        self._remembered: dict[tuple, Markup] = {}

    def __call__(self, field, **kwargs):
        if kwargs or self.multiple or field.has_groups():
            return super().__call__(field, **kwargs)
        choices = list(field.iter_choices())
        if any(choice.render_kw for choice in choices):
            return super().__call__(field)
        flags = field.flags
        key = (
            field.name,
            field.id,
            flags.required,
            flags.disabled,
            tuple((choice.value, str(choice.label), choice.selected) for choice in choices),
        )
        try:
            html = self._remembered.get(key)
        except TypeError:  # an option value that cannot be a key
            return super().__call__(field)
        if html is None:
            html = super().__call__(field)
            if len(self._remembered) >= self.MAX_REMEMBERED:
                self._remembered.clear()
            self._remembered[key] = html
        return html


class ActionForm(CourtwatchForm):
    """A form with only the CSRF token, for one-button POST actions (approve, claim, release...)."""


def attach_error(form: FlaskForm, error: DomainError) -> None:
    """Show a service's error next to the field it names, or at the top of the form."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = list(field.errors or []) + [error.message]
    else:
        form.form_errors.append(error.message)


@cache
def _wtforms_catalog(locale: str) -> support.Translations:
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


class WTFormsTranslations:
    """WTForms' built-in messages ("Not a valid choice.") in the request's language, as flask_wtf
    gives them, but each language's catalog read from disk once per process. flask_wtf reads and
    parses it again in every request that asks for one message, and a select left at its blank
    choice asks on every GET (the error is raised, then cleared by ``Optional()``).

    A form's Meta uses it through ``wtforms_translations()``.
    """

    def gettext(self, string: str) -> str:
        return _wtforms_catalog(str(get_locale())).ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return _wtforms_catalog(str(get_locale())).ungettext(singular, plural, n)


def wtforms_translations() -> WTFormsTranslations | None:
    """For a form Meta's ``get_translations``; None (WTForms' English) when the app turns
    WTForms translation off, as flask_wtf does."""
    if not current_app.config.get("WTF_I18N_ENABLED", True):
        return None
    return WTFormsTranslations()
