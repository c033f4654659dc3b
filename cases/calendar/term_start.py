"""The term-start check (开学后10日内, 000 and 004) on each county's own calendar.

Villages and schools report who did not come within the first days of term
(students/termcheck.py); once that window is over, the county's 四查三比对
runs once for the term, so the 学籍 × 在校 comparison sees the answers. The
window is the county's setting `term_check_days` (school days, default 10),
counted on its own terms (Term, school left empty), never fixed months.

This lives in cases/ because it reads the calendar (cases) and runs the
comparison (students); students/ never imports cases/.
"""

import datetime

from django.db import transaction
from django.db.models import Exists, OuterRef

from students.crosscheck import run_crosscheck
from students.selectors import settings_for

from ..models import Term, TermStartCheck
from .selectors import SchoolCalendar


def check_day(term):
    """The day the term-start check runs: the evening of the term's
    `term_check_days`-th school day (None: the term has not that many)."""
    n = settings_for(county=term.county).term_check_days
    # n school days fit in n weeks plus a long holiday (国庆) easily.
    end = min(term.end, term.start + datetime.timedelta(days=7 * n + 14))
    days = SchoolCalendar(county=term.county, start=term.start, end=end).school_days()
    return days[n - 1] if len(days) >= n else None


def terms_due(*, on):
    """County terms whose check day is `on` or before it (a missed day catches
    up while the term lasts) and whose check has not run."""
    terms = (
        Term.objects.filter(school__isnull=True, start__lte=on, end__gte=on)
        .exclude(Exists(TermStartCheck.objects.filter(term=OuterRef("pk"))))
        .select_related("county")
        .order_by("county_id", "start")
    )
    return [t for t in terms if (day := check_day(t)) is not None and day <= on]


def run_term_start_check(*, term, on):
    """Run the county's 四查三比对 for the term once; returns the CrossCheckRun,
    or None when it had already run (or is running) or is not due `on`.

    The claim and the run commit together: a failed run leaves no claim, and
    a second caller (twice, or at once) finds the term taken and does nothing.
    """
    due = check_day(term)
    if due is None or on < due or on > term.end:
        return None
    with transaction.atomic():
        check, created = TermStartCheck.objects.get_or_create(
            term=term, defaults={"due_on": due, "ran_on": on}
        )
        if not created:
            return None
        run = run_crosscheck(county=term.county, on=on, period=f"{on:%Y-%m}", term=term.name)
        check.run = run
        check.save(update_fields=["run"])
    return run
