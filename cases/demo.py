"""Demo calendar for 示范县: the terms of the current and the next school year.

`students.demo.seed()` sends `students.signals.demo_seeded` when it is done;
cases/apps.py connects `on_demo_seeded` to it (students/ never imports
cases/). Idempotent: a term is created once, by (county, name), and a term
the county has since edited is left as it is.

Term dates follow common practice in Jiangxi and Chongqing (the seeds): the
autumn term from 1 September (the Monday after, when it falls on a weekend)
to the Friday on or before 22 January; the spring term from the Monday at
least 16 days after the Spring Festival (after 元宵) to the Friday on or
before 7 July. For 2026–2027 that gives 2026-09-01 – 2027-01-22 and
2027-02-22 – 2027-07-02; for 2027–2028, 2027-09-01 – 2028-01-21 and
2028-02-14 – 2028-07-07.
"""

import datetime

import holidays
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from students.models import Child, County, School
from students.schoolage import school_year_start

from .calendar import calendar_around
from .ladder.scan import run_daily_checks
from .models import Absence, ClassRollCall, Term
from .termlist.selectors import current_term, own_lists
from .termlist.services import create_term_list_todos, submit_term_list

COUNTY = "示范县"
SPRING_FESTIVAL = "Chinese New Year (Spring Festival)"


def _monday_on_or_after(day):
    return day + datetime.timedelta(days=(7 - day.weekday()) % 7)


def _friday_on_or_before(day):
    return day - datetime.timedelta(days=(day.weekday() - 4) % 7)


def _spring_festival(year):
    days = holidays.country_holidays("CN", years=year).get_named(
        SPRING_FESTIVAL, lookup="exact", split_multiple_names=False
    )
    return min(days)


def school_year_terms(year):
    """[(name, start, end)] of the school year that begins in September `year`."""
    autumn_start = datetime.date(year, 9, 1)
    if autumn_start.weekday() >= 5:
        autumn_start = _monday_on_or_after(autumn_start)
    spring_start = _monday_on_or_after(_spring_festival(year + 1) + datetime.timedelta(days=16))
    return [
        (
            f"{year}年秋季学期",
            autumn_start,
            _friday_on_or_before(datetime.date(year + 1, 1, 22)),
        ),
        (
            f"{year + 1}年春季学期",
            spring_start,
            _friday_on_or_before(datetime.date(year + 1, 7, 7)),
        ),
    ]


@transaction.atomic
def seed_calendar(*, county=None, today=None):
    """The county-wide terms of the current and next school year of the demo
    county; returns how many were created (0 on a second run, or when there is
    no 示范县)."""
    today = today or timezone.localdate()
    county = county or County.objects.filter(name=COUNTY).first()
    if county is None:
        return 0
    first = school_year_start(today)
    existing = set(
        Term.objects.filter(county=county, school__isnull=True).values_list("name", flat=True)
    )
    created = 0
    for year in (first, first + 1):
        for name, start, end in school_year_terms(year):
            if name in existing:
                continue
            term = Term(county=county, school=None, name=name, start=start, end=end)
            term.full_clean()
            term.save()
            created += 1
    return created


# A few children of 蛟潭镇中心学校 五年级1班 (the demo class teacher's class)
# stop coming: their streaks end on the last school day, 1, 3 and 5 days long.
DEMO_SCHOOL, DEMO_GRADE, DEMO_CLASS = "蛟潭镇中心学校", 5, "1班"
DEMO_STREAKS = (1, 3, 5)


def seed_absences(*, county=None, today=None):
    """Absences and roll calls for the demo class over its last school days,
    scanned day by day so that cases, to-dos and overdue flags exist. Only
    for a county with no absence yet: returns the number of cases opened."""
    today = today or timezone.localdate()
    county = county or County.objects.filter(name=COUNTY).first()
    school = (
        School.objects.filter(township__county=county, name=DEMO_SCHOOL).first() if county else None
    )
    if school is None or Absence.objects.filter(child__school__township__county=county).exists():
        return 0
    calendar = calendar_around(county=county, school=school, day=today, ahead=0)
    days = calendar.last_school_days(today, max(DEMO_STREAKS) + 1)
    children = list(
        Child.objects.filter(
            school=school, grade=DEMO_GRADE, class_name=DEMO_CLASS, status=Child.Status.ENROLLED
        ).order_by("pk")[: len(DEMO_STREAKS)]
    )
    if len(days) < max(DEMO_STREAKS) + 1 or len(children) < len(DEMO_STREAKS):
        return 0  # the holidays: nothing recent to show
    opened = 0
    for day in days:
        ClassRollCall.objects.get_or_create(
            school=school, grade=DEMO_GRADE, class_name=DEMO_CLASS, date=day
        )
        Absence.objects.bulk_create(
            [
                Absence(
                    child=child, date=day, kind=Absence.Kind.UNEXCUSED, source=Absence.Source.CLASS
                )
                for child, streak in zip(children, DEMO_STREAKS, strict=True)
                if day in days[-streak:]
            ]
        )
        opened += run_daily_checks(on=day, county=county).cases_opened
    return opened


def seed_term_lists(*, county=None, today=None):
    """The term list's deadline of each village and school for the term going
    on (as the morning task makes it); returns how many were new."""
    today = today or timezone.localdate()
    county = county or County.objects.filter(name=COUNTY).first()
    term = current_term(county_id=county.pk, on=today) if county else None
    if term is None or term.end < today:
        return 0  # the holidays: next term's first morning makes them
    made = create_term_list_todos(term=term)
    # A place whose children were all checked (students/demo: the term check)
    # has submitted its list, by its own demo user.
    for user in get_user_model().objects.filter(memberships__isnull=False).distinct():
        for todo, place in own_lists(user, term, term.name):
            if not todo.done_at and place.total and not place.remaining:
                submit_term_list(todo=todo, by=user, term_name=term.name)
    return made


def on_demo_seeded(sender, *, county=None, today=None, **kwargs):
    """Receiver of students.signals.demo_seeded."""
    created = seed_calendar(county=county, today=today)
    seed_term_lists(county=county, today=today)
    seed_absences(county=county, today=today)
    return created
