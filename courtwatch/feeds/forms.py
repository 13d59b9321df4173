"""Forms for creating calendar links (the label, and for coordinators which courthouse)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField
from wtforms.validators import Length

from courtwatch.feeds.services import LABEL_MAX_LENGTH
from courtwatch.forms import CourtwatchForm, SingleLine


class FeedLinkForm(CourtwatchForm):
    label = StringField(
        _l('Name this link (e.g. "my phone")'),
        validators=[SingleLine(), Length(max=LABEL_MAX_LENGTH)],
        render_kw={"autocomplete": "off"},
    )


class CourthouseFeedForm(CourtwatchForm):
    """Coordinators: one courthouse's shifts, or every courthouse's (value "all")."""

    label = StringField(
        _l("Name this link"), validators=[SingleLine(), Length(max=LABEL_MAX_LENGTH)], render_kw={"autocomplete": "off"}
    )
    courthouse = SelectField(_l("Courthouse"), choices=[], validate_choice=True)

    def set_courthouses(self, courthouses) -> None:
        self.courthouse.choices = [("all", str(_l("All courthouses")))] + [(str(c.id), c.name) for c in courthouses]
