"""The courthouse form."""

from zoneinfo import available_timezones

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from courtwatch.courts.models import COURT_TYPE_LABELS
from courtwatch.forms import CourtwatchForm, MultiCheckboxField, SingleLine


class CourthouseForm(CourtwatchForm):
    name = StringField(_l("Name"), validators=[SingleLine(), DataRequired(), Length(max=200)])
    short_name = StringField(_l("Short name"), validators=[SingleLine(), Optional(), Length(max=60)])
    slug = StringField(
        _l("Slug (used in links and the command line)"), validators=[SingleLine(), Optional(), Length(max=80)]
    )
    street_address = StringField(_l("Street address"), validators=[SingleLine(), Optional(), Length(max=200)])
    city = StringField(_l("City"), validators=[SingleLine(), Optional(), Length(max=100)])
    county = StringField(_l("County"), validators=[SingleLine(), Optional(), Length(max=100)])
    state = StringField(_l("State (two letters)"), validators=[SingleLine(), Optional(), Length(max=2)])
    postal_code = StringField(_l("ZIP code"), validators=[SingleLine(), Optional(), Length(max=10)])
    # A select of the zones the server knows (the service still checks a posted value, with its message).
    timezone = SelectField(
        _l("Time zone"),
        default="America/New_York",
        validators=[DataRequired()],
        validate_choice=False,
        choices=lambda: sorted(available_timezones() - {"localtime", "Factory"}),
    )
    court_types = MultiCheckboxField(
        _l("Court types heard here"), choices=lambda: [(k.value, str(v)) for k, v in COURT_TYPE_LABELS.items()]
    )
    notes = TextAreaField(_l("Notes (entrances, security, where to wait)"), validators=[Optional(), Length(max=5000)])
    active = BooleanField(_l("Active"), default=True)

    def values(self) -> dict:
        return {name: field.data for name, field in self._fields.items() if name != "csrf_token"}
