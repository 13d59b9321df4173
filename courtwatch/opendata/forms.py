"""The admin's publication settings form and the partner-token form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, RadioField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from courtwatch.forms import MultiCheckboxField
from courtwatch.opendata.models import SECTIONS

SECTION_LABELS = {
    "by_month": _l("By month"),
    "by_courthouse": _l("By courthouse"),
    "by_county": _l("By county"),
    "by_action": _l("By action"),
    "by_court_type": _l("By court type"),
    "by_target_role": _l("By role of the person targeted"),
    "by_warrant": _l("By warrant shown"),
    "by_agency": _l("By agency"),
}


class SettingsForm(FlaskForm):
    enabled = BooleanField(_l("Publish the open-data page and API"))
    title = StringField(_l("Title of the public page"), validators=[Optional(), Length(max=200)])
    introduction = TextAreaField(
        _l("Introduction (shown above the figures)"), validators=[Optional(), Length(max=4000)]
    )
    sections = MultiCheckboxField(_l("Tables to publish"), choices=[(key, SECTION_LABELS[key]) for key in SECTIONS])
    threshold = IntegerField(_l("Hide counts smaller than"), validators=[InputRequired(), NumberRange(2, 50)])
    published_from = StringField(
        _l("Publish from month (YYYY-MM, empty for all)"), validators=[Optional(), Length(max=7)]
    )
    date_precision = RadioField(
        _l("Dates in partner incident rows"),
        choices=[("day", _l("The day")), ("week", _l("The week only (Monday's date)"))],
    )
    frame_ancestors = TextAreaField(
        _l("Sites that may embed charts and tables (one address a line)"), validators=[Optional(), Length(max=4000)]
    )


class TokenForm(FlaskForm):
    label = StringField(_l("Partner organisation"), validators=[InputRequired(), Length(max=80)])
    scope = RadioField(_l("Access"), default="incidents", choices=[("incidents", _l("De-identified incident rows"))])
