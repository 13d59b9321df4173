"""Forms for shifts: list filters (GET, no CSRF), the coordinator's shift and pattern forms."""

from __future__ import annotations

from datetime import UTC, datetime

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from courtwatch.auth.languages import language_choices
from courtwatch.auth.services import list_trainings
from courtwatch.courts.services import courthouse_names
from courtwatch.forms import CourtwatchForm, MultiCheckboxField, RememberedSelect, SingleLine, wtforms_translations
from courtwatch.shifts.models import PatternRule
from courtwatch.shifts.recurrence import MONTH_WEEKS

WEEKDAYS = [
    ("1", _l("Monday")),
    ("2", _l("Tuesday")),
    ("3", _l("Wednesday")),
    ("4", _l("Thursday")),
    ("5", _l("Friday")),
    ("6", _l("Saturday")),
    ("7", _l("Sunday")),
]


def _courthouse_choices(blank=None):
    choices = courthouse_names(active_only=True)
    return ([("", str(blank))] if blank else []) + choices


def _optional_int(value):
    return int(value) if value not in (None, "", "None") else None


def _optional_str(value):
    return value or None


class ShiftFilterForm(CourtwatchForm):
    """The /shifts filters; a GET form that must work from a shared link, so no CSRF."""

    class Meta:
        csrf = False

        def get_translations(self, form):
            # Shown on every request to /shifts: see WTFormsTranslations for why not flask_wtf's.
            return wtforms_translations()

    # Drawn on every request to /shifts with the same options: see RememberedSelect.
    courthouse = SelectField(_l("Courthouse"), coerce=_optional_int, validators=[Optional()], widget=RememberedSelect())
    day = DateField(_l("Day"), validators=[Optional()])
    kind = SelectField(
        _l("Kind"),
        validators=[Optional()],
        widget=RememberedSelect(),
        choices=[("", _l("Any kind")), ("observation", _l("Court watch")), ("accompaniment", _l("Accompaniment"))],
    )
    language = BooleanField(_l("Needs my language"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.courthouse.choices = _courthouse_choices(_l("All courthouses"))


class _ShiftDetails(CourtwatchForm):
    capacity = IntegerField(_l("Places"), default=2, validators=[DataRequired(), NumberRange(1, 50)])
    minimum = IntegerField(_l("Minimum staffing"), default=1, validators=[Optional(), NumberRange(0, 50)])
    training_id = SelectField(_l("Required training"), coerce=_optional_int, validators=[Optional()])
    language = SelectField(_l("Language wanted"), coerce=_optional_str, validators=[Optional()])
    meeting_point = StringField(_l("Meeting point"), validators=[Optional(), SingleLine(), Length(max=200)])
    notes = TextAreaField(_l("Notes for volunteers"), validators=[Optional(), Length(max=4000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.training_id.choices = [("", str(_l("None")))] + [(t.id, t.name) for t in list_trainings()]
        self.language.choices = [("", str(_l("Any")))] + language_choices()


class ShiftForm(_ShiftDetails):
    courthouse_id = SelectField(_l("Courthouse"), coerce=_optional_int, validators=[DataRequired()])
    kind = SelectField(
        _l("Kind"), choices=[("observation", _l("Court watch (observation)")), ("accompaniment", _l("Accompaniment"))]
    )
    day = DateField(_l("Day"), validators=[DataRequired()])
    start = TimeField(_l("Starts (local time)"), validators=[DataRequired()])
    end = TimeField(_l("Ends (local time)"), validators=[DataRequired()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.courthouse_id.choices = _courthouse_choices()

    def times(self, zone) -> tuple[datetime, datetime]:
        starts = datetime.combine(self.day.data, self.start.data, tzinfo=zone).astimezone(UTC)
        ends = datetime.combine(self.day.data, self.end.data, tzinfo=zone).astimezone(UTC)
        return starts, ends

    def details(self) -> dict:
        return {
            "capacity": self.capacity.data,
            "minimum": self.minimum.data or 0,
            "training_id": self.training_id.data,
            "language": self.language.data,
            "meeting_point": self.meeting_point.data or "",
            "notes": self.notes.data or "",
        }


class PatternForm(_ShiftDetails):
    courthouse_id = SelectField(_l("Courthouse"), coerce=_optional_int, validators=[DataRequired()])
    rule = RadioField(
        _l("Repeats"), default=PatternRule.WEEKLY.value, choices=[(r.value, r.label) for r in PatternRule]
    )
    weekdays = MultiCheckboxField(_l("Days of the week"), choices=WEEKDAYS)
    month_weeks = MultiCheckboxField(
        _l("Week of the month (monthly patterns)"), choices=[(str(n), label) for n, label in MONTH_WEEKS.items()]
    )
    starts_on = DateField(
        _l("First day (optional; every-other-week patterns count their weeks from this day's week)"),
        validators=[Optional()],
    )
    start_time = TimeField(_l("Starts (local time)"), validators=[DataRequired()])
    end_time = TimeField(_l("Ends (local time)"), validators=[DataRequired()])
    active = BooleanField(_l("Active (generates shifts)"), default=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.courthouse_id.choices = _courthouse_choices()

    def values(self) -> dict:
        return {
            "weekdays": "".join(self.weekdays.data or []),
            "rule": self.rule.data,
            "starts_on": self.starts_on.data,
            "month_weeks": list(self.month_weeks.data or []),
            "start_time": self.start_time.data,
            "end_time": self.end_time.data,
            "capacity": self.capacity.data,
            "minimum": self.minimum.data or 0,
            "training_id": self.training_id.data,
            "language": self.language.data,
            "meeting_point": self.meeting_point.data or "",
            "notes": self.notes.data or "",
            "active": self.active.data,
        }
