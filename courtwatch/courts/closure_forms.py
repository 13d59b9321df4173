"""The closure forms: one day typed in, or a holiday calendar uploaded, for a courthouse or a state."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, SelectField, StringField
from wtforms.validators import DataRequired, Length

from courtwatch.courts.closures import states_with_courthouses
from courtwatch.courts.services import list_courthouses
from courtwatch.forms import CourtwatchForm, SingleLine


def scope_choices() -> dict:
    """Grouped choices: every courthouse of a state first, then single courthouses."""
    states = [
        (f"state:{state}", str(_l("Every courthouse in %(state)s (%(n)s)", state=state, n=count)))
        for state, count in states_with_courthouses()
    ]
    courthouses = [(f"courthouse:{c.id}", c.name) for c in list_courthouses()]
    return {str(_l("States")): states, str(_l("Courthouses")): courthouses}


class _ScopedForm(CourtwatchForm):
    # The service checks the value (and names this field in its message); WTForms' own
    # "Not a valid choice" would say less.
    scope = SelectField(_l("Where"), validators=[DataRequired()], validate_choice=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.scope.choices = scope_choices()


class ClosureForm(_ScopedForm):
    day = DateField(_l("Date (the courthouse's own calendar day)"), validators=[DataRequired()])
    label = StringField(
        _l("Why it is closed (for example Christmas Day)"),
        validators=[SingleLine(), DataRequired(), Length(max=200)],
    )


class HolidayCalendarForm(_ScopedForm):
    calendar_file = FileField(
        _l("Holiday calendar (.ics): each all-day event closes its days"), validators=[FileRequired()]
    )
