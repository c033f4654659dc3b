"""School days: everything that counts days counts school days from here.

A day is a school day when the county or the school marked it so
(CalendarDay "school"); it is not when they marked it off; otherwise it is
when it lies in one of the county's terms (a school's own term replaces the
county terms it overlaps) and it is a national working day — weekends, public
holidays and their make-up working days (调休) come from the `holidays`
library. A county with no term entered around the dates counts every
national working day.
"""

import datetime
from functools import lru_cache

import holidays
from django.db.models import Q

from ..models import CalendarDay, Term

ONE_DAY = datetime.timedelta(days=1)
# How far a search for the next/previous school day may go (a summer holiday).
MAX_SEARCH_DAYS = 120
# How far around a span terms are looked for (a county with no term within
# half a year either side has not entered its calendar).
TERM_WINDOW = datetime.timedelta(days=183)


@lru_cache(maxsize=64)
def _national(year):
    return holidays.country_holidays("CN", years=year)


def is_national_working_day(day):
    return _national(day.year).is_working_day(day)


class SchoolCalendar:
    """The school days of one county, or of one school (which may add its own
    terms and days), loaded once for a span of dates."""

    def __init__(self, *, county, school=None, start, end):
        self.start, self.end = start, end
        # Terms are read over a window wider than the span: a span inside a
        # holiday (or a single day) must still see that the county has terms.
        place = Q(school__isnull=True) | Q(school=school) if school is not None else Q(school=None)
        terms = list(
            Term.objects.filter(
                place,
                county=county,
                start__lte=end + TERM_WINDOW,
                end__gte=start - TERM_WINDOW,
            )
        )
        own = [t for t in terms if t.school_id is not None]
        # A school's own term replaces the county's terms it overlaps; county
        # terms it did not replace (say, next term) still apply to it.
        self.terms = own + [
            t
            for t in terms
            if t.school_id is None and not any(o.start <= t.end and t.start <= o.end for o in own)
        ]
        days = CalendarDay.objects.filter(place, county=county, date__range=(start, end))
        self.local = {}
        # The school's own days win over the county's.
        for d in sorted(days, key=lambda d: d.school_id is not None):
            self.local[d.date] = d.kind

    def in_term(self, day):
        # No term within the window: the county has not entered its calendar
        # (yet) and every working day counts, so no absence goes unseen.
        return not self.terms or any(t.start <= day <= t.end for t in self.terms)

    def is_school_day(self, day):
        if not self.start <= day <= self.end:
            raise ValueError(f"{day} is outside the loaded span {self.start}–{self.end}")
        # A day the county or the school marked is what they say it is.
        kind = self.local.get(day)
        if kind is not None:
            return kind == CalendarDay.Kind.SCHOOL
        return self.in_term(day) and is_national_working_day(day)

    def school_days(self, start=None, end=None):
        """The school days from start to end, both included, in order."""
        day, end = start or self.start, end or self.end
        days = []
        while day <= end:
            if self.is_school_day(day):
                days.append(day)
            day += ONE_DAY
        return days

    def last_school_days(self, until, count):
        """The `count` school days up to and including `until`, oldest first."""
        days, day = [], until
        while len(days) < count and day >= self.start:
            if self.is_school_day(day):
                days.append(day)
            day -= ONE_DAY
        return days[::-1]

    def add_school_days(self, day, count):
        """The school day `count` school days after `day` (0: `day` itself if it
        is a school day, else the next one)."""
        if count == 0 and self.is_school_day(day):
            return day
        remaining = max(count, 1)
        while day < self.end:
            day += ONE_DAY
            if self.is_school_day(day):
                remaining -= 1
                if remaining == 0:
                    return day
        raise ValueError(f"no school day within the loaded span after {day}")


def calendar_around(*, county, school=None, day, back=MAX_SEARCH_DAYS, ahead=MAX_SEARCH_DAYS):
    """A SchoolCalendar covering `day` with room to count back and ahead."""
    return SchoolCalendar(
        county=county,
        school=school,
        start=day - datetime.timedelta(days=back),
        end=day + datetime.timedelta(days=ahead),
    )
