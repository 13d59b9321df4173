"""Form pieces shared by every area: a multi-checkbox field, attaching service errors to fields,
and WTForms' own messages translated without re-reading their catalog on every request."""

from __future__ import annotations

from functools import lru_cache

from babel import support
from flask_babel import get_locale
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField
from wtforms.i18n import messages_path
from wtforms.widgets import CheckboxInput, ListWidget

from courtwatch.errors import DomainError


class MultiCheckboxField(SelectMultipleField):
    """Checkboxes instead of a <select multiple>, which is unusable on a phone."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ActionForm(FlaskForm):
    """A form with only the CSRF token, for one-button POST actions (approve, claim, release...)."""


def attach_error(form: FlaskForm, error: DomainError) -> None:
    """Show a service's error next to the field it names, or at the top of the form."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = list(field.errors or []) + [error.message]
    else:
        form.form_errors.append(error.message)


@lru_cache(maxsize=None)
def _wtforms_catalog(locale: str) -> support.Translations:
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


class WTFormsTranslations:
    """WTForms' built-in messages ("Not a valid choice.") in the request's language, as flask_wtf
    gives them, but each language's catalog read from disk once per process. flask_wtf reads and
    parses it again in every request that asks for one message, and a select left at its blank
    choice asks on every GET (the error is raised, then cleared by ``Optional()``).

    Use it from a form's Meta: ``def get_translations(self, form): return WTFormsTranslations()``.
    """

    def gettext(self, string: str) -> str:
        return _wtforms_catalog(str(get_locale())).ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return _wtforms_catalog(str(get_locale())).ungettext(singular, plural, n)
