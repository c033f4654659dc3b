"""School days: everything that counts days counts school days from here.

A day is a school day when the county or the school marked it so
(CalendarDay "school"); it is not when they marked it off; otherwise it is
when it lies in one of the county's terms (a school's own term replaces the
county terms it overlaps) and it is a national working day — weekends, public
holidays and their make-up working days (调休) come from the `holidays`
library. A county with no term entered around the dates counts every
national working day.

The calendar page's month grid and school years are computed here too.
"""

import calendar as pycalendar
import datetime
from functools import lru_cache

import holidays
from django.db.models import Q

from students.schoolage import school_year_start

from ..models import CalendarDay, Term

ONE_DAY = datetime.timedelta(days=1)
# How far a search for the next/previous school day may go (a summer holiday).
MAX_SEARCH_DAYS = 120
# How far around a span terms are looked for (a county with no term within
# half a year either side has not entered its calendar).
TERM_WINDOW = datetime.timedelta(days=183)
# Weekday labels of the calendar page, Monday first.
WEEKDAYS = "一二三四五六日"


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


# --------------------------------------------------- the page's month and year


def school_years(today):
    """The current and the next school year, from 1 August (an early start
    of the autumn term belongs to its school year) to 31 August two years on."""
    year = school_year_start(today)
    return datetime.date(year, 8, 1), datetime.date(year + 2, 8, 31)


@lru_cache(maxsize=16)
def _holiday_names(year):
    return holidays.country_holidays("CN", years=year, language="zh_CN")


def _short(name):
    """A two-character label for a holiday in a month cell."""
    if "调休" in name:
        return "调休"
    name = name.replace("（补假）", "").replace("农历", "").removesuffix("节")
    return name[:2]


def month_view(place, first, today):
    """The month's days as weeks of cells, the school days and the notes."""
    last = first.replace(day=pycalendar.monthrange(first.year, first.month)[1])
    cal = SchoolCalendar(county=place.county_id, school=place.school, start=first, end=last)
    days = CalendarDay.objects.filter(county_id=place.county_id, date__range=(first, last))
    if place.school:
        days = days.filter(Q(school=None) | Q(school=place.school))
    else:
        days = days.filter(school=None)
    local = {}
    for d in sorted(days, key=lambda d: d.school_id is not None):
        local[d.date] = d  # the school's own day wins, as in SchoolCalendar
    names = _holiday_names(first.year)
    starts = {t.start: t for t in cal.terms}
    ends = {t.end: t for t in cal.terms}
    weeks, week, notes, school_days = [], [None] * first.weekday(), [], []
    day = first
    while day <= last:
        school = cal.is_school_day(day)
        holiday = names.get(day)
        make_up = day.weekday() >= 5 and is_national_working_day(day)
        mine = local.get(day)
        classes = ["cal-sd" if school else "cal-no"]
        if not cal.in_term(day):
            classes.append("cal-out")
        label = title = ""
        if mine is not None:
            classes.append("cal-local")
            label = "放假" if mine.kind == CalendarDay.Kind.OFF else "上课"
            title = mine.get_kind_display() + (f"：{mine.note}" if mine.note else "")
            who = "本校" if mine.school_id else "全县"
            notes.append((day, f"{who}{title}", "cal-local"))
        if holiday:
            classes.append("cal-hol")
            label = label or _short(holiday)
            title = title or holiday
            national = "调休放假" if "调休" in holiday else holiday
            notes.append((day, f"{national}（全国）", "cal-hol"))
        elif make_up:
            classes.append("cal-mk")
            label = label or "补班"
            title = title or "国家调休上班日"
            notes.append((day, "国家调休上班日", "cal-mk"))
        if day in starts:
            notes.append((day, f"{starts[day].name}开学", ""))
        if day in ends:
            notes.append((day, f"{ends[day].name}结束", ""))
        if day == today:
            classes.append("cal-today")
        if school:
            school_days.append(day)
        week.append(
            {
                "day": day,
                "classes": " ".join(classes),
                "label": label,
                "title": f"{day:%-m月%-d日} {'上学日' if school else '不上学'}"
                + (f" · {title}" if title else ""),
            }
        )
        if len(week) == 7:
            weeks.append(week)
            week = []
        day += ONE_DAY
    if week:
        weeks.append(week + [None] * (7 - len(week)))
    previous = (first - ONE_DAY).replace(day=1)
    return {
        "first": first,
        "previous": previous,
        "next": last + ONE_DAY,
        "weeks": weeks,
        "school_days": school_days,
        "notes": [
            {"day": d, "weekday": WEEKDAYS[d.weekday()], "text": t, "kind": k}
            for d, t, k in sorted(notes, key=lambda n: n[0])
        ],
        "has_terms": bool(cal.terms),
    }


def count_school_days(place, terms):
    """Each term's school days, for this place (a county term that the school
    replaced by its own gets `replaced` instead)."""
    if not terms:
        return
    cal = SchoolCalendar(
        county=place.county_id,
        school=place.school,
        start=min(t.start for t in terms),
        end=max(t.end for t in terms),
    )
    followed = {t.pk for t in cal.terms}
    for t in terms:
        t.replaced = t.pk not in followed
        t.school_day_count = None if t.replaced else len(cal.school_days(t.start, t.end))
