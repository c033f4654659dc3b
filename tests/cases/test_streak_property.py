"""The escalation counter over random calendars (Hypothesis): the streak the
daily scan counts (scan.streak_expression, via attendance.current_streak)
counts school days only, and never decreases while absent school days are
appended."""

import datetime

import holidays
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases.attendance.selectors import current_streak
from cases.ladder.scan import lookback
from cases.models import Absence, CalendarDay, Term
from students.selectors import settings_for

D = datetime.date
ONE = datetime.timedelta(days=1)
CN = holidays.country_holidays("CN", years=[2025, 2026])

local_day = st.tuples(
    st.integers(0, 45),  # offset from the term's start
    st.sampled_from(["off", "school"]),
    st.booleans(),  # the school's own day (else the county's)
)
calendars = st.fixed_dictionaries(
    {
        "start": st.integers(0, 20).map(lambda n: D(2025, 9, 1) + n * ONE),
        "length": st.integers(40, 70),
        "local": st.lists(local_day, max_size=5, unique_by=lambda t: t[0]),
        # Each school day from the start: 到, 请假 or 无故未到校 (mostly absent).
        "marks": st.lists(
            st.sampled_from(["absent", "absent", "absent", "leave", "present"]),
            min_size=8,
            max_size=22,
        ),
        # An unexcused absence wrongly entered on a day without school.
        "noise": st.booleans(),
    }
)


def expected_school_days(start, end, local):
    """The school days by the rule in DOMAIN §9, from the national calendar
    itself: in term, a working day (weekends, holidays, 调休) unless marked."""
    days, day = [], start
    while day <= end:
        if day in local:
            if local[day] == "school":
                days.append(day)
        elif CN.is_working_day(day):
            days.append(day)
        day += ONE
    return days


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(cal=calendars)
def test_the_streak_counts_school_days_and_never_drops_while_absences_go_on(world, cal):
    child, school, county = world.c_class, world.s1, world.county
    cap = lookback([settings_for(township=world.t1), settings_for(township=world.t2)]) + 1
    start, end = cal["start"], cal["start"] + cal["length"] * ONE
    with transaction.atomic():
        Term.objects.create(county=county, name="秋季学期", start=start, end=end)
        local = {}
        for offset, kind, own in cal["local"]:
            day = start + offset * ONE
            CalendarDay.objects.create(
                county=county, school=school if own else None, date=day, kind=kind
            )
            local[day] = kind
        school_days = expected_school_days(start, end, local)

        run, previous = 0, 0
        for day, mark in zip(school_days, cal["marks"], strict=False):
            if mark != "present":
                kind = Absence.Kind.UNEXCUSED if mark == "absent" else Absence.Kind.LEAVE
                Absence.objects.create(child=child, date=day, kind=kind)
            if cal["noise"]:
                # The days without school before the next school day.
                later = day + ONE
                while later <= end and later not in school_days:
                    Absence.objects.get_or_create(
                        child=child, date=later, defaults={"kind": Absence.Kind.UNEXCUSED}
                    )
                    later += ONE
            run = run + 1 if mark == "absent" else 0
            streak = current_streak(child, as_of=day)
            assert streak == min(run, cap), (day, mark)
            if mark == "absent":
                assert streak >= previous  # appending an absent school day never lowers it
            previous = streak
        transaction.set_rollback(True)
