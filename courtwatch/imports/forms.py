"""Forms for uploading a calendar, confirming a spreadsheet's columns, and subscribing to a URL."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from courtwatch.forms import CourtwatchForm
from courtwatch.imports.mapping import FIELDS, KEY_CHOICES

ALL_COURTHOUSES = 0


def courthouse_choices(courthouses, *, allow_all: bool) -> list[tuple[int, str]]:
    choices = [(ALL_COURTHOUSES, _("Several: each row names its courthouse"))] if allow_all else []
    return choices + [(c.id, c.name) for c in courthouses]


class UploadForm(CourtwatchForm):
    file = FileField(_l("Calendar file (.ics, .csv or .xlsx)"), validators=[FileRequired()])
    courthouse = SelectField(_l("Courthouse"), coerce=int)
    source_name = StringField(
        _l("Name of this calendar (re-upload under the same name to update it)"),
        validators=[Optional(), Length(max=200)],
    )
    full = BooleanField(_l("This file is the whole calendar: hearings missing from it are cancelled"), default=True)


class SubscribeForm(CourtwatchForm):
    url = StringField(_l("Calendar address (https:// or webcal://)"), validators=[DataRequired(), Length(max=2000)])
    courthouse = SelectField(_l("Courthouse"), coerce=int)
    name = StringField(_l("Name"), validators=[Optional(), Length(max=200)])


def mapping_form(headers: list[str], initial: dict, key: str, formdata=None):
    """A select per hearing field, listing the file's own headers."""

    class MappingForm(CourtwatchForm):
        pass

    choices = [("", _("— not in this file —"))] + [(h, h) for h in dict.fromkeys(headers) if h]
    for name, label in FIELDS.items():
        setattr(MappingForm, name, SelectField(label, choices=choices, default=initial.get(name, "")))
    MappingForm.key = SelectField(
        _l("Match hearings on re-import by"), default=key, choices=[(k, v) for k, v in KEY_CHOICES.items()]
    )
    return MappingForm(formdata=formdata) if formdata is not None else MappingForm()
