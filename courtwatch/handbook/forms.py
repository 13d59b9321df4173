"""Forms for the know-your-rights card and training pages (Markdown text with a preview)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from courtwatch.auth.languages import language_choices
from courtwatch.forms import CourtwatchForm, SingleLine
from courtwatch.handbook.rights import MAX_LENGTH
from courtwatch.handbook.training import MAX_BODY


class RightsCardForm(CourtwatchForm):
    locale = SelectField(_l("Language"), choices=[])
    body = TextAreaField(
        _l("Text (Markdown)"), validators=[DataRequired(), Length(max=MAX_LENGTH)], render_kw={"rows": 24}
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.locale.choices = language_choices()


class TrainingPageForm(CourtwatchForm):
    training_id = SelectField(_l("Training"), coerce=int, choices=[])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200), SingleLine()])
    slug = StringField(
        _l("Web address (optional)"),
        validators=[Optional(), Length(max=80), SingleLine()],
        render_kw={"spellcheck": "false"},
    )
    body = TextAreaField(
        _l("Text (Markdown)"), validators=[DataRequired(), Length(max=MAX_BODY)], render_kw={"rows": 20}
    )

    def set_trainings(self, trainings) -> None:
        self.training_id.choices = [(training.id, training.name) for training in trainings]


class PagesRequiredForm(CourtwatchForm):
    required = BooleanField(_l("Every page must be read before this training is recorded"))
