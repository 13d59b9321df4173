"""The courthouse form, and the forms of the bulk courthouse import (upload, columns)."""

from zoneinfo import available_timezones

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileRequired, MultipleFileField
from wtforms import BooleanField, FloatField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from courtwatch.courts.courthouse_files import BUILTIN_MAPPINGS, FIELDS, KEY_CHOICES
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
    phone = StringField(_l("Phone"), validators=[SingleLine(), Optional(), Length(max=100)])
    hours = StringField(_l("Opening hours"), validators=[SingleLine(), Optional(), Length(max=500)])
    latitude = FloatField(_l("Latitude"), validators=[Optional(), NumberRange(min=-90, max=90)])
    longitude = FloatField(_l("Longitude"), validators=[Optional(), NumberRange(min=-180, max=180)])
    notes = TextAreaField(_l("Notes (entrances, security, where to wait)"), validators=[Optional(), Length(max=5000)])
    active = BooleanField(_l("Active"), default=True)

    def values(self) -> dict:
        return {name: field.data for name, field in self._fields.items() if name != "csrf_token"}


# The upload form's mapping choices: recognise the file, a built-in list, or choose the columns.
AUTO_MAPPING = "auto"
CUSTOM_MAPPING = "custom"


def mapping_choices() -> list[tuple[str, str]]:
    return (
        [(AUTO_MAPPING, _("Recognise it from its columns"))]
        + [(m.name, str(m.label)) for m in BUILTIN_MAPPINGS.values()]
        + [(CUSTOM_MAPPING, _("Let me choose the columns"))]
    )


class CourthouseUploadForm(CourtwatchForm):
    # Several files at once: the Massachusetts list comes as one JSON file per court department.
    file = MultipleFileField(
        _l("Courthouse lists (.csv, .xlsx or .json; several at once)"), validators=[FileRequired()]
    )
    mapping = SelectField(_l("Columns"), default=AUTO_MAPPING, choices=mapping_choices)


def courthouse_mapping_form(headers: list[str], initial: dict, key: str, formdata=None):
    """A select per courthouse field, listing the file's own columns."""

    class CourthouseMappingForm(CourtwatchForm):
        pass

    choices = [("", _("— not in this file —"))] + [(h, h) for h in dict.fromkeys(headers) if h]
    for name, label in FIELDS.items():
        setattr(CourthouseMappingForm, name, SelectField(label, choices=choices, default=initial.get(name, "")))
    CourthouseMappingForm.key = SelectField(
        _l("Match courthouses on re-import by"), default=key, choices=[(k, v) for k, v in KEY_CHOICES.items()]
    )
    return CourthouseMappingForm(formdata=formdata) if formdata is not None else CourthouseMappingForm()
