"""The observation form and the coordinator's verification and linking forms.

The WTForms layer only parses (numbers, dates, lengths); whether a combination makes sense
("an arrest needs a warrant answer") is decided by ``services.rule_errors`` so that the web,
the demo loader and any future API share one set of rules. Choice fields skip WTForms' own
choice check for the same reason: the service names the bad field in the same words.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    MultipleFileField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import Length, NumberRange, Optional

from courtwatch.courts.models import COURT_TYPE_LABELS
from courtwatch.forms import CourtwatchForm, MultiCheckboxField
from courtwatch.observations.models import (
    ACTION_LABELS,
    AGENCY_LABELS,
    AGENTS_PRESENT_LABELS,
    AREA_LABELS,
    ATTIRE_LABELS,
    OBSERVATION_STATUS_LABELS,
    TARGET_ROLE_LABELS,
    WARRANT_LABELS,
    YES_NO_UNKNOWN_LABELS,
)


def _choices(labels, blank=None):
    def build():
        options = [(k.value, str(v)) for k, v in labels.items()]
        return ([("", str(blank))] if blank is not None else []) + options

    return build


def _optional_int(value):
    if value in (None, ""):
        return None
    return int(value)


class ObservationForm(CourtwatchForm):
    idempotency_key = HiddenField(validators=[Optional(), Length(max=64)])
    shift_id = HiddenField(validators=[Optional(), Length(max=12)])
    courthouse_id = SelectField(_l("Courthouse"), coerce=_optional_int, validate_choice=False)
    observed_date = DateField(_l("Date"), validators=[Optional()])
    observed_time = TimeField(_l("Time"), validators=[Optional()])
    courtroom = StringField(_l("Courtroom or part"), validators=[Optional(), Length(max=100)])
    area = SelectField(
        _l("Where in or around the courthouse"), choices=_choices(AREA_LABELS, "—"), validate_choice=False
    )
    court_type = SelectField(_l("Court type"), choices=_choices(COURT_TYPE_LABELS, "—"), validate_choice=False)

    agents_present = RadioField(
        _l("Immigration agents present?"), choices=_choices(AGENTS_PRESENT_LABELS), validate_choice=False
    )
    agent_count = IntegerField(
        _l("How many agents"),
        validators=[Optional(), NumberRange(min=1, max=200)],
        render_kw={"inputmode": "numeric", "min": 1, "max": 200},
    )
    agencies = MultiCheckboxField(
        _l("Agency, if known (tick all that apply)"), choices=_choices(AGENCY_LABELS), validate_choice=False
    )
    attire = RadioField(_l("Dress"), choices=_choices(ATTIRE_LABELS), validate_choice=False)
    markings = StringField(_l("Markings on clothing (e.g. POLICE, ICE, HSI)"), validators=[Optional(), Length(max=500)])
    badges_seen = StringField(_l("Badges seen"), validators=[Optional(), Length(max=500)])
    vehicles = TextAreaField(
        _l("Vehicles (make, colour, plate)"), validators=[Optional(), Length(max=2000)], render_kw={"rows": 2}
    )
    identified_themselves = RadioField(
        _l("Did they identify themselves?"), choices=_choices(YES_NO_UNKNOWN_LABELS), validate_choice=False
    )

    action = RadioField(_l("What happened?"), choices=_choices(ACTION_LABELS), validate_choice=False)
    target_role = SelectField(
        _l("The targeted person was a…"), choices=_choices(TARGET_ROLE_LABELS, "—"), validate_choice=False
    )
    warrant = RadioField(_l("Warrant shown"), choices=_choices(WARRANT_LABELS), validate_choice=False)
    force_used = RadioField(_l("Force used?"), choices=_choices(YES_NO_UNKNOWN_LABELS), validate_choice=False)
    court_staff_involvement = TextAreaField(
        _l("Court staff involvement (officers, clerks, judge)"),
        validators=[Optional(), Length(max=2000)],
        render_kw={"rows": 2},
    )
    narrative = TextAreaField(_l("What you saw"), validators=[Optional(), Length(max=10000)], render_kw={"rows": 6})
    photos = MultipleFileField(
        _l("Photos (optional; location data is removed)"),
        render_kw={"accept": "image/jpeg,image/png,image/heic,image/heif"},
    )

    # In the new-report form this arrives from the one-tap "Nothing observed" button (value 1);
    # the amend and edit forms show it as a checkbox.
    nothing_observed = BooleanField(_l("Nothing observed (I watched and saw no enforcement)"))

    def values(self) -> dict:
        observed_local = None
        if self.observed_date.data and self.observed_time.data:
            observed_local = datetime.combine(self.observed_date.data, self.observed_time.data)
        values = {
            name: field.data
            for name, field in self._fields.items()
            if name not in ("csrf_token", "idempotency_key", "photos", "observed_date", "observed_time")
        }
        values["shift_id"] = int(self.shift_id.data) if (self.shift_id.data or "").isdigit() else None
        values["observed_local"] = observed_local
        values["nothing_observed"] = bool(self.nothing_observed.data)
        return values


class VerifyForm(CourtwatchForm):
    status = RadioField(_l("Status"), choices=_choices(OBSERVATION_STATUS_LABELS), validate_choice=False)
    note = TextAreaField(
        _l("Note (how you checked it)"), validators=[Optional(), Length(max=2000)], render_kw={"rows": 2}
    )


class LinkForm(CourtwatchForm):
    incident_id = SelectField(_l("Add to incident"), coerce=_optional_int, validate_choice=False)
    summary = StringField(_l("Incident summary"), validators=[Optional(), Length(max=2000)])
