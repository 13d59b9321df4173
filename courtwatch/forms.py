"""Form pieces shared by every area: a multi-checkbox field and attaching service errors to fields."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectMultipleField
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
