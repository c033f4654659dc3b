"""School age (DOMAIN §5): who should be in which grade, by the county's cutoff.

A child enters grade 1 in the September after turning 6 on or before the
entry cutoff (31 August by default; some provinces use 31 December).
"""

import datetime
from dataclasses import dataclass

PRIMARY, JUNIOR = "小学", "初中"


@dataclass(frozen=True)
class SchoolAge:
    age: int  # full years on the reference date
    entry_year: int  # the September the child should start grade 1
    expected_grade: int  # may be < 1 (not yet) or > 9 (past compulsory age)

    @property
    def is_compulsory(self):
        """Of compulsory-education age (义务教育适龄) on the reference date."""
        return 1 <= self.expected_grade <= 9

    @property
    def expected_stage(self):
        if 1 <= self.expected_grade <= 6:
            return PRIMARY
        if 7 <= self.expected_grade <= 9:
            return JUNIOR
        return ""


def school_year_start(on):
    """The calendar year in which the school year containing `on` began."""
    return on.year if on.month >= 9 else on.year - 1


def age_on(birth_date, on):
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))


def school_age(birth_date, *, cutoff_month=8, cutoff_day=31, on=None):
    on = on or datetime.date.today()
    entry_year = birth_date.year + 6
    if (birth_date.month, birth_date.day) > (cutoff_month, cutoff_day):
        entry_year += 1
    return SchoolAge(
        age=age_on(birth_date, on),
        entry_year=entry_year,
        expected_grade=school_year_start(on) - entry_year + 1,
    )


def compulsory_birth_range(*, cutoff_month=8, cutoff_day=31, on=None):
    """(earliest, latest) birth dates of children in grades 1–9 on `on`.

    Lets lists and ledgers filter school-age children in SQL.
    """
    on = on or datetime.date.today()
    first_entry = school_year_start(on) - 8  # entered grade 1 then: grade 9 now
    last_entry = school_year_start(on)  # entering grade 1 this year
    earliest = _day_after(datetime.date(first_entry - 7, cutoff_month, cutoff_day))
    latest = datetime.date(last_entry - 6, cutoff_month, cutoff_day)
    return earliest, latest


def _day_after(d):
    return d + datetime.timedelta(days=1)


def term_label(on):
    """The term a date falls in: 秋季学期 September–January, 春季学期 February–August.

    2026-09-01 … 2027-01-31 is "2026年秋季学期"; 2027-02-01 … 2027-08-31 is
    "2027年春季学期".
    """
    if on.month >= 9:
        return f"{on.year}年秋季学期"
    if on.month == 1:
        return f"{on.year - 1}年秋季学期"
    return f"{on.year}年春季学期"
