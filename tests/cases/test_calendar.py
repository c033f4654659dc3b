"""The school calendar (cases/calendar/selectors.py): terms, weekends, national holidays
and their make-up working days (调休), county and school days, and the demo
calendar that `manage.py seed_demo` adds."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from cases import demo
from cases.calendar import SchoolCalendar, calendar_around
from cases.models import CalendarDay, Term
from students.models import County
from students.schoolage import school_year_start

D = datetime.date
AUTUMN = ("2026年秋季学期", D(2026, 9, 1), D(2027, 1, 22))
SPRING = ("2027年春季学期", D(2027, 2, 22), D(2027, 7, 2))
SPAN = (D(2026, 8, 1), D(2027, 8, 31))


@pytest.fixture
def terms(world):
    for name, start, end in (AUTUMN, SPRING):
        Term.objects.create(county=world.county, name=name, start=start, end=end)
    return world


def county_calendar(w, start=SPAN[0], end=SPAN[1]):
    return SchoolCalendar(county=w.county, start=start, end=end)


def school_calendar(w, school=None, start=SPAN[0], end=SPAN[1]):
    return SchoolCalendar(county=w.county, school=school or w.s1, start=start, end=end)


def test_weekdays_in_term_are_school_days_weekends_are_not(terms):
    cal = county_calendar(terms)
    assert cal.is_school_day(D(2026, 9, 1))  # Tuesday, first day of term
    assert cal.is_school_day(D(2026, 11, 23))  # Monday
    assert not cal.is_school_day(D(2026, 11, 21))  # Saturday
    assert not cal.is_school_day(D(2026, 11, 22))  # Sunday


def test_national_day_is_off_and_its_make_up_weekend_days_are_school_days(terms):
    cal = county_calendar(terms)
    for day in range(1, 8):  # 国庆节 2026-10-01 … 10-07
        assert not cal.is_school_day(D(2026, 10, day)), day
    assert cal.is_school_day(D(2026, 10, 8))
    assert not cal.is_school_day(D(2026, 9, 25))  # 中秋节 (Friday)
    # 调休: Sunday 20 September and Saturday 10 October are working days
    assert cal.is_school_day(D(2026, 9, 20))
    assert cal.is_school_day(D(2026, 10, 10))
    assert not cal.is_school_day(D(2026, 10, 11))  # an ordinary Sunday


def test_days_outside_the_terms_are_not_school_days(terms):
    cal = county_calendar(terms)
    assert not cal.is_school_day(D(2026, 8, 31))  # Monday before term
    assert not cal.is_school_day(D(2027, 1, 25))  # winter holiday
    assert not cal.is_school_day(D(2027, 2, 19))  # Friday before spring term
    assert cal.is_school_day(D(2027, 2, 22))
    assert not cal.is_school_day(D(2027, 7, 5))  # summer holiday


def test_a_one_day_span_in_the_holidays_still_sees_the_terms(terms):
    """Fixed: the terms used to be read for the loaded span only, so a span
    inside the summer holiday found none and counted every working day."""
    day = D(2027, 8, 2)  # a Monday in the summer holiday
    assert not SchoolCalendar(county=terms.county, start=day, end=day).is_school_day(day)
    assert not calendar_around(county=terms.county, school=terms.s1, day=day).is_school_day(day)


def test_a_county_without_terms_counts_every_national_working_day(world):
    cal = SchoolCalendar(county=world.other_county, start=D(2026, 8, 1), end=D(2026, 10, 31))
    assert cal.is_school_day(D(2026, 8, 3))  # no term entered: a working Monday counts
    assert cal.is_school_day(D(2026, 9, 20))  # 调休 Sunday
    assert not cal.is_school_day(D(2026, 10, 1))
    assert not cal.is_school_day(D(2026, 8, 1))  # Saturday


def test_county_day_off_and_school_make_up_day(terms):
    w = terms
    CalendarDay.objects.create(county=w.county, date=D(2026, 11, 24), kind="off", note="县运动会")
    # the county works a Saturday; one school keeps it off
    CalendarDay.objects.create(county=w.county, date=D(2026, 11, 28), kind="school", note="补课")
    CalendarDay.objects.create(county=w.county, school=w.s2, date=D(2026, 11, 28), kind="off")
    # one school has class on a Sunday the county marked off
    CalendarDay.objects.create(county=w.county, date=D(2026, 11, 29), kind="off")
    CalendarDay.objects.create(county=w.county, school=w.s1, date=D(2026, 11, 29), kind="school")

    county, s1, s2 = county_calendar(w), school_calendar(w), school_calendar(w, w.s2)
    for cal in (county, s1, s2):
        assert not cal.is_school_day(D(2026, 11, 24))
    assert county.is_school_day(D(2026, 11, 28)) and s1.is_school_day(D(2026, 11, 28))
    assert not s2.is_school_day(D(2026, 11, 28))
    assert s1.is_school_day(D(2026, 11, 29))
    assert not county.is_school_day(D(2026, 11, 29)) and not s2.is_school_day(D(2026, 11, 29))


def test_a_marked_school_day_counts_even_outside_the_terms(terms):
    CalendarDay.objects.create(
        county=terms.county, school=terms.s1, date=D(2026, 8, 29), kind="school", note="提前报到"
    )
    assert school_calendar(terms).is_school_day(D(2026, 8, 29))
    assert not county_calendar(terms).is_school_day(D(2026, 8, 29))


def test_a_schools_own_term_replaces_the_county_term_it_overlaps(terms):
    w = terms
    Term.objects.create(
        county=w.county, school=w.s1, name=AUTUMN[0], start=D(2026, 8, 24), end=D(2027, 1, 15)
    )
    s1, s2, county = school_calendar(w), school_calendar(w, w.s2), county_calendar(w)
    assert s1.is_school_day(D(2026, 8, 24)) and not s2.is_school_day(D(2026, 8, 24))
    assert not s1.is_school_day(D(2027, 1, 20)) and county.is_school_day(D(2027, 1, 20))
    # no own spring term: the county's spring term still applies to the school
    assert s1.is_school_day(D(2027, 2, 22)) and not s1.is_school_day(D(2027, 2, 19))


def test_add_school_days_across_a_weekend_and_a_holiday(terms):
    cal = county_calendar(terms)
    assert cal.add_school_days(D(2026, 11, 20), 1) == D(2026, 11, 23)  # Fri -> Mon
    assert cal.add_school_days(D(2026, 11, 21), 0) == D(2026, 11, 23)  # Sat, 0 -> next
    assert cal.add_school_days(D(2026, 11, 23), 0) == D(2026, 11, 23)
    assert cal.add_school_days(D(2026, 9, 30), 1) == D(2026, 10, 8)  # over 国庆
    assert cal.add_school_days(D(2026, 9, 24), 1) == D(2026, 9, 28)  # over 中秋 + weekend
    assert cal.add_school_days(D(2026, 9, 18), 1) == D(2026, 9, 20)  # to the 调休 Sunday
    assert cal.add_school_days(D(2026, 9, 30), 3) == D(2026, 10, 10)  # 8, 9, then Sat 10
    with pytest.raises(ValueError):
        county_calendar(terms, end=D(2027, 1, 29)).add_school_days(D(2027, 1, 22), 1)


def test_last_school_days_across_a_weekend_and_a_holiday(terms):
    cal = county_calendar(terms)
    assert cal.last_school_days(D(2026, 11, 23), 2) == [D(2026, 11, 20), D(2026, 11, 23)]
    assert cal.last_school_days(D(2026, 11, 22), 1) == [D(2026, 11, 20)]  # from a Sunday
    assert cal.last_school_days(D(2026, 10, 8), 3) == [
        D(2026, 9, 29),
        D(2026, 9, 30),
        D(2026, 10, 8),
    ]
    assert cal.last_school_days(D(2026, 9, 21), 2) == [D(2026, 9, 20), D(2026, 9, 21)]
    # the first days of term: only as many as there are
    assert cal.last_school_days(D(2026, 9, 2), 5) == [D(2026, 9, 1), D(2026, 9, 2)]


def test_school_days_and_the_loaded_span(terms):
    cal = county_calendar(terms, start=D(2026, 9, 28), end=D(2026, 10, 11))
    assert cal.school_days() == [
        D(2026, 9, 28),
        D(2026, 9, 29),
        D(2026, 9, 30),
        D(2026, 10, 8),
        D(2026, 10, 9),
        D(2026, 10, 10),
    ]
    with pytest.raises(ValueError):
        cal.is_school_day(D(2026, 10, 12))


def test_a_calendar_loads_with_two_queries(terms, django_assert_num_queries):
    with django_assert_num_queries(2):
        cal = school_calendar(terms)
    with django_assert_num_queries(0):
        assert len(cal.school_days()) > 150


# ------------------------------------------------------------------ the demo


def test_demo_terms_are_realistic():
    assert demo.school_year_terms(2026) == [
        ("2026年秋季学期", D(2026, 9, 1), D(2027, 1, 22)),
        ("2027年春季学期", D(2027, 2, 22), D(2027, 7, 2)),
    ]
    assert demo.school_year_terms(2027) == [
        ("2027年秋季学期", D(2027, 9, 1), D(2028, 1, 21)),
        ("2028年春季学期", D(2028, 2, 14), D(2028, 7, 7)),
    ]


def test_seed_calendar_is_idempotent_and_follows_today(db):
    county = County.objects.create(name=demo.COUNTY)
    assert demo.seed_calendar(today=D(2026, 11, 24)) == 4
    assert demo.seed_calendar(today=D(2026, 11, 24)) == 0
    assert demo.seed_calendar(today=D(2027, 3, 1)) == 0  # the same school year
    assert demo.seed_calendar(today=D(2027, 9, 1)) == 2  # a year on: one more year
    assert sorted(Term.objects.filter(county=county).values_list("name", flat=True)) == [
        "2026年秋季学期",
        "2027年春季学期",
        "2027年秋季学期",
        "2028年春季学期",
        "2028年秋季学期",
        "2029年春季学期",
    ]


def test_seed_calendar_without_the_demo_county_does_nothing(db):
    assert demo.seed_calendar() == 0
    assert not Term.objects.exists()


def test_seed_demo_twice_creates_the_terms_once(db):
    call_command("seed_demo", quiet=True, stdout=StringIO())
    county = County.objects.get(name=demo.COUNTY)
    first = list(Term.objects.filter(county=county).values_list("name", "start", "end"))
    year = school_year_start(timezone.localdate())
    assert first == [
        (name, start, end)
        for name, start, end in demo.school_year_terms(year) + demo.school_year_terms(year + 1)
    ]
    call_command("seed_demo", quiet=True, stdout=StringIO())
    assert list(Term.objects.filter(county=county).values_list("name", "start", "end")) == first
    assert Term.objects.count() == 4
