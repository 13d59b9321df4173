"""The filter every summary, chart and export shares, parsed once and turned into SQL.

Dates are the courthouse's own calendar days, not UTC days: an arrest at 9 pm on 31 March in
Boston is a March event even though it is stored as 1 April in UTC. Courthouses are few, so the
filter resolves them in Python first and groups them by time zone; each zone gets its own
UTC bounds (``observed_at >= start AND observed_at < end``, which the indexes serve) and its own
month boundaries, so "by month" is a portable CASE expression instead of SQL time-zone functions
that SQLite lacks. One code path therefore gives the same figures on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import and_, case, false, literal, select

from courtwatch.courts.models import COURT_TYPE_LABELS, Courthouse
from courtwatch.courts.services import campaign_today
from courtwatch.db import db
from courtwatch.errors import DomainError

# A CASE branch per month and zone: ten years keeps the expression small and the page fast.
MAX_MONTHS = 120
SCOPE_CONFIRMED = "confirmed"
SCOPE_ALL = "all"


@dataclass
class ReportFilter:
    date_from: date
    date_to: date  # inclusive
    courthouse_ids: list[int] = field(default_factory=list)  # empty = every courthouse
    counties: list[str] = field(default_factory=list)
    court_types: list[str] = field(default_factory=list)
    scope: str = SCOPE_CONFIRMED
    courthouses: list[Courthouse] = field(default_factory=list)  # resolved by resolve_filter

    @property
    def confirmed_only(self) -> bool:
        return self.scope == SCOPE_CONFIRMED

    # ------------------------------------------------------------------ time
    def zone_groups(self) -> dict[str, list[int]]:
        groups: dict[str, list[int]] = defaultdict(list)
        for courthouse in self.courthouses:
            groups[courthouse.timezone].append(courthouse.id)
        return dict(groups)

    def bounds(self, zone_name: str) -> tuple[datetime, datetime]:
        """UTC instants of local midnight at the start of date_from and after date_to."""
        zone = ZoneInfo(zone_name)
        return local_midnight(self.date_from, zone), local_midnight(self.date_to + timedelta(days=1), zone)

    def overall_bounds(self) -> tuple[datetime, datetime]:
        """The earliest start and latest end over every zone: lets an index on the moment alone serve."""
        pairs = [self.bounds(zone_name) for zone_name in self.zone_groups()] or [self.bounds("UTC")]
        return min(start for start, _end in pairs), max(end for _start, end in pairs)

    def window(self, moment_column, courthouse_column):
        """True for rows at a chosen courthouse whose moment is inside the range, in its zone.

        Several zones: one index range over every chosen courthouse and the widest bounds, then
        a CASE for each zone's exact bounds. An OR of per-zone ranges would make SQLite fetch
        every table row by id instead of reading the (covering) index alone.
        """
        groups = self.zone_groups()
        if not groups:
            return false()
        if len(groups) == 1:
            ((zone_name, ids),) = groups.items()
            start, end = self.bounds(zone_name)
            return and_(courthouse_column.in_(ids), moment_column >= start, moment_column < end)
        start, end = self.overall_bounds()
        exact = case(
            *[
                (
                    courthouse_column.in_(ids),
                    and_(moment_column >= self.bounds(zone_name)[0], moment_column < self.bounds(zone_name)[1]),
                )
                for zone_name, ids in groups.items()
            ],
            else_=false(),
        )
        return and_(
            courthouse_column.in_([i for ids in groups.values() for i in ids]),
            moment_column >= start,
            moment_column < end,
            exact,
        )

    def months(self) -> list[str]:
        return [first.strftime("%Y-%m") for first, _last in month_spans(self.date_from, self.date_to)]

    def month_bucket(self, moment_column, courthouse_column):
        """'YYYY-MM' of the moment in its courthouse's zone (rows are already inside the window)."""
        labels = self.months()
        month_starts = [date.fromisoformat(label + "-01") for label in labels[1:]]
        per_zone = [
            (
                courthouse_column.in_(ids),
                bucket(
                    moment_column,
                    [local_midnight(day, ZoneInfo(zone_name)) for day in month_starts],
                    [literal(label) for label in labels],
                ),
            )
            for zone_name, ids in self.zone_groups().items()
        ]
        if not per_zone:
            return literal("")
        if len(per_zone) == 1:
            return per_zone[0][1]
        return case(*per_zone, else_=literal(""))

    # ------------------------------------------------------------------ description
    def describe(self) -> dict:
        """Plain values for the audit log and the printable report's header."""
        return {
            "from": self.date_from.isoformat(),
            "to": self.date_to.isoformat(),
            "courthouses": sorted(c.slug for c in self.courthouses) if self.courthouse_ids else "all",
            "counties": sorted(self.counties) or "all",
            "court_types": sorted(self.court_types) or "all",
            "scope": self.scope,
        }

    def describe_lines(self) -> list[tuple[str, str]]:
        every = _("all")
        return [
            (
                _("Dates"),
                _(
                    "%(start)s to %(end)s (each courthouse's local time)",
                    start=self.date_from.isoformat(),
                    end=self.date_to.isoformat(),
                ),
            ),
            (
                _("Courthouses"),
                ", ".join(c.name for c in self.courthouses) if (self.courthouse_ids or self.counties) else every,
            ),
            (_("Counties"), ", ".join(sorted(self.counties)) or every),
            (_("Court types"), ", ".join(str(COURT_TYPE_LABELS.get(t, t)) for t in self.court_types) or every),
            (_("Reports counted"), _("confirmed only") if self.confirmed_only else _("all except false alarms")),
        ]


def month_spans(first: date, last: date):
    """(first day, last day) of every calendar month from first's month to last's, whole months."""
    cursor = first.replace(day=1)
    while cursor <= last:
        following = (cursor + timedelta(days=32)).replace(day=1)
        yield cursor, following - timedelta(days=1)
        cursor = following


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """The UTC instant at which this calendar day begins in the zone."""
    return datetime.combine(day, time(0), zone).astimezone(UTC)


def bucket(moment_column, boundaries: list[datetime], labels: list):
    """Which of ``labels`` the moment falls in, ``boundaries[i]`` being where ``labels[i + 1]`` starts.

    A balanced tree of comparisons: about log2(len(labels)) comparisons a row instead of one per
    label, which matters over a million rows. Rows must already be inside the first and last bucket.
    """

    def tree(low, high):
        if low == high:
            return labels[low]
        middle = (low + high) // 2
        return case((moment_column < boundaries[middle], tree(low, middle)), else_=tree(middle + 1, high))

    return tree(0, len(labels) - 1)


def default_range(today: date | None = None) -> tuple[date, date]:
    """The last twelve months including the current one: what a campaign update usually covers."""
    today = today or campaign_today()
    first = today.replace(day=1)
    for _step in range(11):
        first = (first - timedelta(days=1)).replace(day=1)
    return first, today


def resolve_filter(
    *,
    date_from: date | None,
    date_to: date | None,
    courthouse_ids=(),
    counties=(),
    court_types=(),
    scope: str = SCOPE_CONFIRMED,
) -> ReportFilter:
    """Check the choices and load the courthouses they select; raises DomainError next to a field."""
    if date_from is None or date_to is None:
        default_from, default_to = default_range()
        date_from, date_to = date_from or default_from, date_to or default_to
    if date_to < date_from:
        raise DomainError(_("The end date is before the start date."), field="date_to")
    months = (date_to.year - date_from.year) * 12 + date_to.month - date_from.month + 1
    if months > MAX_MONTHS:
        raise DomainError(_("Choose at most %(n)s months.", n=MAX_MONTHS), field="date_to")
    unknown = [t for t in court_types if t not in COURT_TYPE_LABELS]
    if unknown:
        raise DomainError(_("Unknown court type: %(value)s", value=", ".join(unknown)), field="court_types")
    if scope not in (SCOPE_CONFIRMED, SCOPE_ALL):
        raise DomainError(_("Choose confirmed reports or all reports."), field="scope")
    query = select(Courthouse).order_by(Courthouse.name)
    if courthouse_ids:
        query = query.where(Courthouse.id.in_(list(courthouse_ids)))
    if counties:
        query = query.where(Courthouse.county.in_(list(counties)))
    courthouses = list(db.session.scalars(query))
    if (courthouse_ids or counties) and not courthouses:
        raise DomainError(_("No courthouse matches these choices."), field="courthouses")
    return ReportFilter(
        date_from=date_from,
        date_to=date_to,
        courthouse_ids=list(courthouse_ids),
        counties=list(counties),
        court_types=list(court_types),
        scope=scope,
        courthouses=courthouses,
    )


def parse_date(value: str | None, field_name: str) -> date | None:
    if not value or not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise DomainError(_("Enter a date as YYYY-MM-DD (got %(value)s).", value=value), field=field_name) from None


def county_choices() -> list[str]:
    return list(
        db.session.scalars(
            select(Courthouse.county).where(Courthouse.county != "").distinct().order_by(Courthouse.county)
        )
    )
