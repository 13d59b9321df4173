"""The announcement form: text (length-limited, checked beside each field) and the filters."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length

from courtwatch.announcements.services import BODY_MAX, SUBJECT_MAX
from courtwatch.forms import CourtwatchForm, SingleLine


class AnnouncementForm(CourtwatchForm):
    subject = StringField(_l("Subject"), validators=[InputRequired(), Length(max=SUBJECT_MAX), SingleLine()])
    body = TextAreaField(_l("Announcement"), validators=[InputRequired(), Length(max=BODY_MAX)])
    # Choices are filled by the view ("" = any); an id that is no longer valid is refused beside it.
    courthouse = SelectField(_l("Courthouse"), validate_choice=True, default="")
    language = SelectField(_l("Speaks"), validate_choice=True, default="")
    training = SelectField(_l("Training completed"), validate_choice=True, default="")
    on_call = BooleanField(_l("Only people on call (now or later)"))
    shift = SelectField(_l("People on one shift"), validate_choice=True, default="")
    # Carried from the preview to the send button: one announcement per token (a double click
    # sends once), and the digest of what was previewed (an edit after the preview shows it again).
    token = HiddenField()
    previewed = HiddenField()
