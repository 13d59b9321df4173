"""The filter form (a GET form: a summary URL can be bookmarked and shared between staff) and the
export form (a POST with CSRF: an export is an audited act, not something a link can trigger)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, RadioField
from wtforms.fields import DateField
from wtforms.validators import Optional

from courtwatch.courts.models import COURT_TYPE_LABELS
from courtwatch.forms import CourtwatchForm, MultiCheckboxField
from courtwatch.reports.filters import SCOPE_ALL, SCOPE_CONFIRMED, county_choices
from courtwatch.reports.services import LEVEL_REPORTS, LEVEL_SUMMARY

FILTER_FIELDS = ("date_from", "date_to", "courthouses", "counties", "court_types", "scope")


class FilterForm(CourtwatchForm):
    class Meta:
        csrf = False  # read-only: it only chooses what to count

    date_from = DateField(_l("From"), validators=[Optional()])
    date_to = DateField(_l("To"), validators=[Optional()])
    courthouses = MultiCheckboxField(_l("Courthouses"), coerce=int, validators=[Optional()])
    counties = MultiCheckboxField(_l("Counties"), validators=[Optional()])
    court_types = MultiCheckboxField(
        _l("Court types"), validators=[Optional()], choices=[(k.value, v) for k, v in COURT_TYPE_LABELS.items()]
    )
    scope = RadioField(
        _l("Reports counted"),
        default=SCOPE_CONFIRMED,
        validators=[Optional()],
        choices=[(SCOPE_CONFIRMED, _l("Confirmed reports only")), (SCOPE_ALL, _l("All reports except false alarms"))],
    )

    def load_choices(self, courthouses) -> None:
        self.courthouses.choices = [(c.id, c.name) for c in courthouses]
        self.counties.choices = [(name, name) for name in county_choices()]

    def filter_values(self) -> dict:
        return {
            "date_from": self.date_from.data,
            "date_to": self.date_to.data,
            "courthouse_ids": self.courthouses.data or [],
            "counties": self.counties.data or [],
            "court_types": self.court_types.data or [],
            "scope": self.scope.data or SCOPE_CONFIRMED,
        }


class ExportForm(FilterForm):
    class Meta:
        csrf = True

    format = RadioField(_l("File"), default="csv", choices=[("csv", _l("CSV")), ("xlsx", _l("Excel (XLSX)"))])
    level = RadioField(
        _l("Contents"),
        default=LEVEL_SUMMARY,
        choices=[(LEVEL_SUMMARY, _l("Summary tables")), (LEVEL_REPORTS, _l("One row per report"))],
    )
    personal_data = BooleanField(
        _l(
            "Include personal data: reporter name and email, narratives and other "
            "free text, photo links (one row per report only)"
        )
    )
    suppress = BooleanField(_l('For public sharing: show incident counts of 1 or 2 as "<3" (summary tables only)'))


class HoursExportForm(FilterForm):
    class Meta:
        csrf = True

    format = RadioField(_l("File"), default="csv", choices=[("csv", _l("CSV")), ("xlsx", _l("Excel (XLSX)"))])
