"""The on-call window form: place, then start and end as date + time (phone pickers)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, SelectField, TimeField
from wtforms.validators import InputRequired

from courtwatch.forms import CourtwatchForm


class WindowForm(CourtwatchForm):
    # "c:<id>" for a courthouse, "k:<county>" for a whole county.
    place = SelectField(_l("Where"), validators=[InputRequired()], validate_choice=False)
    start_date = DateField(_l("From (date)"), validators=[InputRequired()])
    start_time = TimeField(_l("From (time)"), validators=[InputRequired()])
    end_date = DateField(_l("Until (date)"), validators=[InputRequired()])
    end_time = TimeField(_l("Until (time)"), validators=[InputRequired()])
    weekly = BooleanField(_l("Every week at these times"))
