"""The daily follow-ups of the dispositions: 送教上门 weekly, 移交县级核处
monthly, the 休学/缓学 review reminders, and the 小升初 hand-over count."""

import datetime
from collections import defaultdict

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from students.models import Membership
from students.selectors import settings_groups

from .. import endings, ladder
from ..calendar import SchoolCalendar
from ..models import Disposition, HomeTeachingSession, Todo
from .dossier import load_dossiers
from .registry import REGISTRY
from .rules import _ymd, local_day
from .selectors import running_dispositions

Kind = Disposition.Kind
Role = Membership.Role

# The follow-ups look this far back (a missed run still catches up, old gaps stay old).
LOOKBACK_WEEKS = 4
LOOKBACK_MONTHS = 3


# ---------------------------------------------------------------------------
# The daily follow-ups (cases/scan.run_daily_checks calls daily_followups)
# ---------------------------------------------------------------------------


def _week_key(monday):
    year, week, _ = monday.isocalendar()
    return f"ht-{year}-W{week:02d}"


def _week_of_key(key):
    try:
        year, week = key.removeprefix("ht-").split("-W")
        return datetime.date.fromisocalendar(int(year), int(week), 1)
    except ValueError:
        return None


def _month_of_key(key):
    try:
        year, month = key.removeprefix("fu-").split("-")
        return int(year), int(month)
    except ValueError:
        return None


def _add_months(year_month, n):
    y, m = year_month
    y, m = divmod(y * 12 + m - 1 + n, 12)
    return y, m + 1


def _months_between(first, last):
    """(year, month) from `first` to `last`, both included."""
    y, m = first
    while (y, m) <= last:
        yield y, m
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)


def _missed_weeks(county, on):
    """送教上门: a school week (Mon–Sun with a school day) ended without a session."""
    last_monday = on - datetime.timedelta(days=on.weekday() + 7)
    earliest = last_monday - datetime.timedelta(weeks=LOOKBACK_WEEKS - 1)
    running = list(running_dispositions(kinds=[Kind.HOME_TEACHING], county=county))
    if not running:
        return 0
    held = defaultdict(set)
    for pk, day in HomeTeachingSession.objects.filter(
        disposition__in=running, date__gte=earliest
    ).values_list("disposition_id", "date"):
        held[pk].add(day)
    calendars = {}
    todos = []
    for d in running:
        school = d.case.child.school
        if school not in calendars:
            calendars[school] = SchoolCalendar(
                county=county,
                school=school,
                start=earliest,
                end=last_monday + datetime.timedelta(6),
            )
        calendar = calendars[school]
        since = local_day(d.decided_at)
        # From the first whole week after the county approved the placement.
        first_monday = since + datetime.timedelta(days=7 - since.weekday())
        monday = max(earliest, first_monday)
        while monday <= last_monday:
            week = [monday + datetime.timedelta(days=i) for i in range(7)]
            if any(calendar.is_school_day(day) for day in week) and not held[d.pk] & set(week):
                todos.append(
                    ladder.make_todo(
                        d.case,
                        key=_week_key(monday),
                        kind=Todo.Kind.HOME_TEACHING,
                        title=(
                            f"送教上门：{week[0].month}月{week[0].day}日至{week[-1].month}月"
                            f"{week[-1].day}日这一周未送教，请补送并登记（每周1次，每次不少于2学时）"
                        ),
                        role=Role.SCHOOL_ADMIN,
                        due_on=on,
                    )
                )
            monday += datetime.timedelta(weeks=1)
    return ladder.create_todos(todos)


def _missed_months(county, on):
    """移交县级核处: a month after approval ended without a joint persuasion
    (student present). A later one completes the to-do (补做)."""
    last = _add_months((on.year, on.month), -1)
    earliest = _add_months(last, 1 - LOOKBACK_MONTHS)
    running = list(running_dispositions(kinds=[Kind.COUNTY_REVIEW], county=county))
    if not running:
        return 0, 0
    dossiers = load_dossiers(running, on=on)
    todos, made_up = [], []
    open_todos = defaultdict(list)
    for t in Todo.objects.filter(
        case__in=[d.case_id for d in running], kind=Todo.Kind.FOLLOW_UP, done_at__isnull=True
    ):
        open_todos[t.case_id].append(t)
    for dossier in dossiers:
        d = dossier.disposition
        approved = local_day(d.decided_at)
        # From the first whole month after the county approved.
        start = _add_months((approved.year, approved.month), 1)
        held = dossier.follow_up_months()
        for year, month in _months_between(max(start, earliest), last):
            if (year, month) not in held:
                todos.append(
                    ladder.make_todo(
                        d.case,
                        key=f"fu-{year}-{month:02d}",
                        kind=Todo.Kind.FOLLOW_UP,
                        title=f"移交县级核处：{year}年{month}月未开展联合劝返（学生本人须在场），请补做并记录",
                        role=Role.TOWNSHIP,
                        due_on=on,
                    )
                )
        for t in open_todos[d.case_id]:
            missed = _month_of_key(t.key)
            if missed and any(ym >= missed for ym in held):
                made_up.append(t.pk)
    created = ladder.create_todos(todos)
    done = Todo.objects.filter(pk__in=made_up, done_at__isnull=True).update(
        done_at=timezone.now(), done_note="已开展联合劝返（学生本人在场）"
    )
    return created, done


def _reviews_due(county, on):
    """休学 / 缓学: the review date is near (the township's review_notice_days):
    remind the school."""
    near = Q(pk__in=[])
    for where, s in settings_groups(county=county, path="case__child__village__township"):
        near |= where & Q(review_on__lte=on + datetime.timedelta(days=s.review_notice_days))
    due = running_dispositions(kinds=[Kind.SUSPENSION, Kind.DEFERRAL], county=county).filter(
        near, review_on__isnull=False
    )
    todos = [
        ladder.make_todo(
            d.case,
            key=f"review-{d.pk}",
            kind=Todo.Kind.REVIEW,
            title=(
                f"{REGISTRY[d.kind].label}复查：{_ymd(d.review_on)}到期，"
                "核实身体/康复情况，能复学的及时办理复学"
            ),
            role=Role.SCHOOL_ADMIN,
            due_on=d.review_on,
        )
        for d in due
    ]
    return ladder.create_todos(todos)


def daily_followups(*, county, on):
    """The per-case cadence of the dispositions, for one county and day.

    Idempotent: every to-do has a key unique on its case, completions are
    conditional updates. Returns the counts of what it created.
    """
    with transaction.atomic():
        weeks = _missed_weeks(county, on)
        months, made_up = _missed_months(county, on)
        reviews = _reviews_due(county, on)
    return {
        "home_teaching_todos": weeks,
        "follow_up_todos": months,
        "follow_ups_made_up": made_up,
        "review_todos": reviews,
        "junior_cases": endings.junior_handover_cases(county=county, on=on),
    }
