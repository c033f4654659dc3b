"""The days the daily scan missed, run in order (after downtime).

`run_days()` is `manage.py run_daily_checks --since D [--until E]`: every day
from D to E, oldest first, each exactly as that day's own run (a scan for a
day sees the world as of that day, scan.py), so the state ends where daily
runs would have, and the counts are the days' counts summed. Calendar days,
not only school days: beat's daily run also does the follow-ups and overdue
flags on other days, and a school may keep a day of its own.

`catch_up()` is what beat runs for each county every evening: the days after
the county's last completed scan (DailyScan), at most
settings.KONGCHUO_CATCH_UP_SCHOOL_DAYS school days back and never before the
first day the county holds attendance, then today. A past day already
completed is skipped under its lock, so two catch-ups at once, or one run
twice, write everything once.
"""

import datetime

from django.conf import settings
from django.db.models import Max, Min

from ..calendar import calendar_around
from ..models import Absence, ClassRollCall, DailyScan
from .scan import ScanResult, run_daily_checks

ONE_DAY = datetime.timedelta(days=1)
MAX_SPAN_DAYS = 366


def days_from(since, until):
    """Every day from `since` to `until`, both included."""
    return [since + ONE_DAY * n for n in range((until - since).days + 1)]


def run_days(*, since, until, county=None, skip_done=False):
    """Run the daily checks for each day from `since` to `until` in order;
    the summed ScanResult (its date is `since`)."""
    total = ScanResult(date=since.isoformat())
    for day in days_from(since, until):
        total.add(run_daily_checks(on=day, county=county, skip_done=skip_done))
    return total


def first_attendance_day(county):
    """The first day the county holds any attendance (absence or roll call), or None."""
    absences = Absence.objects.filter(child__school__township__county=county).aggregate(
        first=Min("date")
    )["first"]
    calls = ClassRollCall.objects.filter(school__township__county=county).aggregate(
        first=Min("date")
    )["first"]
    return min((d for d in (absences, calls) if d is not None), default=None)


def missed_days(*, county, today, limit=None):
    """The past days beat runs for `county` before today (oldest first)."""
    limit = settings.KONGCHUO_CATCH_UP_SCHOOL_DAYS if limit is None else limit
    first = first_attendance_day(county)
    if first is None or limit <= 0:
        return []
    calendar = calendar_around(county=county, day=today, ahead=0)
    back = calendar.last_school_days(today - ONE_DAY, limit)
    if not back:
        return []
    start = max(back[0], first)
    last = DailyScan.objects.filter(county=county, date__lt=today).aggregate(last=Max("date"))[
        "last"
    ]
    if last is not None:
        start = max(start, last + ONE_DAY)
    if start >= today:
        return []
    return days_from(start, today - ONE_DAY)


def catch_up(*, county, today):
    """Beat's run for one county: the missed days in order, then today."""
    total = ScanResult(date=today.isoformat())
    for day in missed_days(county=county, today=today):
        total.add(run_daily_checks(on=day, county=county, skip_done=True))
    total.add(run_daily_checks(on=today, county=county))
    return total
