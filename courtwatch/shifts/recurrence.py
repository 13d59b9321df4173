"""The days a shift pattern falls on: every week, every other week, or the nth weekday of a month.

Each rule is an RFC 5545 RRULE (python-dateutil's ``rrule``) over the courthouse's local dates,
never over instants: the pattern's wall-clock times are attached to each date afterwards, so a
9:00 shift stays at 9:00 on both sides of a daylight-saving change and the process's own time
zone plays no part.

Every other week counts weeks (Monday to Sunday) from the week of the pattern's first day, so
the coordinator chooses which weeks are "on" by choosing that day.
"""

from __future__ import annotations

from datetime import date, datetime, time

from dateutil.rrule import FR, MO, MONTHLY, SA, SU, TH, TU, WE, WEEKLY, rrule
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from courtwatch.shifts.models import PatternRule, ShiftPattern

ISO_WEEKDAYS = (MO, TU, WE, TH, FR, SA, SU)  # index = ISO weekday - 1
WEEKDAY_NAMES = (
    _l("Monday"),
    _l("Tuesday"),
    _l("Wednesday"),
    _l("Thursday"),
    _l("Friday"),
    _l("Saturday"),
    _l("Sunday"),
)
# Which weekday of the month: 1st to 4th, or the last (-1); a 5th exists in only some months.
MONTH_WEEKS = {1: _l("1st"), 2: _l("2nd"), 3: _l("3rd"), 4: _l("4th"), -1: _l("last")}


def month_week_numbers(pattern: ShiftPattern) -> list[int]:
    numbers = []
    for part in (pattern.month_weeks or "").split(","):
        part = part.strip()
        if part.lstrip("-").isdigit() and int(part) in MONTH_WEEKS:
            numbers.append(int(part))
    return sorted(set(numbers), key=lambda n: (n < 0, n))


def recurrence(pattern: ShiftPattern, first_day: date) -> rrule:
    """The pattern's rule, counted from its own first day (or ``first_day`` when it has none)."""
    anchor = datetime.combine(pattern.starts_on or first_day, time.min)
    days = [ISO_WEEKDAYS[number - 1] for number in pattern.weekday_numbers]
    if pattern.rule == PatternRule.MONTHLY:
        nth = [day(n) for day in days for n in month_week_numbers(pattern)]
        return rrule(MONTHLY, dtstart=anchor, byweekday=nth)
    interval = 2 if pattern.rule == PatternRule.EVERY_OTHER_WEEK else 1
    return rrule(WEEKLY, dtstart=anchor, interval=interval, byweekday=days, wkst=MO)


def pattern_days(pattern: ShiftPattern, start: date, end: date) -> list[date]:
    """The local dates from start to end inclusive on which the pattern makes a shift."""
    if end < start or not pattern.weekday_numbers:
        return []
    rule = recurrence(pattern, start)
    found = rule.between(datetime.combine(start, time.min), datetime.combine(end, time.min), inc=True)
    return [moment.date() for moment in found]


def rrule_text(pattern: ShiftPattern, first_day: date) -> str:
    """The RRULE line (``FREQ=WEEKLY;INTERVAL=2;...``), for coordinators who want the exact rule."""
    lines = str(recurrence(pattern, first_day)).splitlines()
    return next((line.removeprefix("RRULE:") for line in lines if line.startswith("RRULE:")), "")


def _join(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return _("%(first)s and %(last)s", first=", ".join(names[:-1]), last=names[-1])


def describe(pattern: ShiftPattern) -> str:
    """ "Every week on Monday, Wednesday and Friday", "Monthly on the 2nd Tuesday" ..."""
    names = [str(WEEKDAY_NAMES[n - 1]) for n in pattern.weekday_numbers]
    if pattern.rule == PatternRule.MONTHLY:
        weeks = [str(MONTH_WEEKS[n]) for n in month_week_numbers(pattern)]
        return _("Monthly on the %(weeks)s %(days)s", weeks=_join(weeks), days=_join(names))
    if pattern.rule == PatternRule.EVERY_OTHER_WEEK:
        return _(
            "Every other week on %(days)s, counting from the week of %(day)s",
            days=_join(names),
            day=pattern.starts_on.isoformat() if pattern.starts_on else "?",
        )
    return _("Every week on %(days)s", days=_join(names))
