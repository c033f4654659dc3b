"""The daily absence scan (after school each school day) and its follow-ups.

Set-based: one query finds, for every child absent without leave today, how
many consecutive school days they have been; cases, to-dos and statuses are
then written in bulk against unique constraints and conditional updates, so
running the scan twice writes everything once. Runs for the same county and
day at once (a clerk by hand while beat's task runs) take turns: one
transaction per county, under a lock, so the second finds the work done.
"""

import hashlib
from collections import defaultdict
from dataclasses import asdict, dataclass, field

from django.db import connection, transaction
from django.db.models import Case as SqlCase
from django.db.models import Exists, IntegerField, OuterRef, Q, Value, When

from students.models import Child, County, Lead, School
from students.selectors import settings_for
from students.services import change_status_of_many

from .. import dispositions, ladder, states
from ..calendar import calendar_around
from ..closing import todos as closing_todos
from ..models import Absence, Case, ClassRollCall, DailyScan, ReturnNotice, Todo
from . import enrolment

S = Case.State
SYSTEM_NOTE = "系统每日扫描"


COUNTS = ("cases_opened", "escalated", "returned", "relapsed", "closed", "todos_created", "overdue")


@dataclass
class ScanResult:
    date: str
    cases_opened: int = 0
    escalated: int = 0
    returned: int = 0
    relapsed: int = 0
    closed: int = 0
    todos_created: int = 0
    overdue: int = 0
    followups: dict = field(default_factory=dict)

    def as_dict(self):
        return asdict(self)

    def add(self, other):
        """Add another run's counts to these (the days of a catch-up summed)."""
        for name in COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for name, count in other.followups.items():
            self.followups[name] = self.followups.get(name, 0) + count
        return self


def run_daily_checks(*, on, county=None, skip_done=False):
    """Scan one county, or every county, for the day `on`, as of that day.

    Each county's day is one transaction under its lock and ends with its
    DailyScan row. `skip_done` (beat's catch-up): a county whose scan of
    `on` is already recorded is left alone.
    """
    result = ScanResult(date=on.isoformat())
    counties = [county] if county is not None else list(County.objects.order_by("pk"))
    for c in counties:
        with transaction.atomic():
            _one_run_at_a_time(c, on)
            if skip_done and DailyScan.objects.filter(county=c, date=on).exists():
                continue
            done = _run_county(c, on)
            DailyScan.objects.bulk_create(
                [DailyScan(county=c, date=on, result=done.as_dict())],
                update_conflicts=True,
                unique_fields=["county", "date"],
                update_fields=["result", "finished_at"],
            )
        result.add(done)
    return result


def _run_county(county, on):
    result = ScanResult(date=on.isoformat())
    _scan_county(county, on, result)
    # 送教上门 weeks, 移交 months, 休学/缓学 reviews, 小升初 (000, 001).
    result.followups = dict(dispositions.daily_followups(county=county, on=on))
    result.overdue += flag_overdue(county=county, on=on)
    result.todos_created += result.followups.get("home_teaching_todos", 0)
    result.todos_created += result.followups.get("follow_up_todos", 0)
    result.todos_created += result.followups.get("review_todos", 0)
    result.cases_opened += result.followups.get("junior_cases", 0)
    return result


def _one_run_at_a_time(county, on):
    """Hold the county's scan of `on` until the transaction ends; a second
    run waits here, then finds everything written.

    PostgreSQL: a transaction-level advisory lock (released by COMMIT or
    ROLLBACK, so it also works behind a transaction-pooling pgbouncer).
    SQLite: the transaction began with the database's write lock (BEGIN
    IMMEDIATE, kongchuo/settings.py), which already serialises writers.
    """
    if connection.vendor != "postgresql":
        return
    name = f"kongchuo.daily_checks:{county.pk}:{on.isoformat()}"
    key = int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), signed=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def lookback(settings_rows):
    """How many school days back a streak can matter: the longest ladder step
    or dropout threshold of these settings."""
    return max(max([s.dropout_days, *(step["day"] for step in s.ladder)]) for s in settings_rows)


def _unexcused_on(day):
    return Exists(
        Absence.objects.filter(child=OuterRef("pk"), date=day, kind=Absence.Kind.UNEXCUSED)
    )


def streak_expression(days):
    """Consecutive unexcused school days ending on days[-1] (known absent).

    `days` are the last school days, oldest first. The streak is cut by the
    most recent school day without an unexcused absence: one CASE over
    EXISTS tests, evaluated for all of today's absentees in one query.
    """
    whens = [
        When(~_unexcused_on(days[-1 - back]), then=Value(back)) for back in range(1, len(days))
    ]
    return SqlCase(*whens, default=Value(len(days)), output_field=IntegerField())


def _scan_county(county, on, result):
    township_settings = {t.pk: settings_for(township=t) for t in county.townships.all()}
    if not township_settings:
        return
    longest = lookback(township_settings.values())
    groups = [
        (school, Child.objects.filter(school=school))
        for school in School.objects.filter(township__county=county)
    ]
    groups.append(
        (None, Child.objects.filter(school__isnull=True, village__township__county=county))
    )
    for school, children in groups:
        calendar = calendar_around(county=county, school=school, day=on)
        if not calendar.is_school_day(on):
            continue
        days = calendar.last_school_days(on, longest + 1)
        absent = list(
            children.filter(absences__date=on, absences__kind=Absence.Kind.UNEXCUSED)
            .annotate(streak=streak_expression(days))
            .values_list("pk", "streak", "village__township_id")
        )
        with transaction.atomic():
            absent = _as_of(absent, on)
            if absent:
                _open_and_escalate(absent, days, township_settings, calendar, on, result)
            _returns(children, on, result)
            _verify_returns(children, calendar, on, township_settings, result)
    _notice_deadlines(county, on, result)
    result.cases_opened += _cases_from_confirmed_leads(county)


def seen_after(on):
    """A Q over Case: the case already went past `on` (scanned, back at
    school or closed on a later day). A scan of `on` run late (catch-up, by
    hand, twice) leaves such a case and its child alone: it sees the world
    as of `on`, and that world has moved on."""
    return Q(last_scan_on__gt=on) | Q(returned_on__gt=on) | Q(closed_on__gt=on)


def open_on(on):
    """A Q over Case: open on `on`, begun on or before it (its first absence,
    or for a case opened by hand or from a lead, its opening) and not closed
    before it."""
    begun = Q(first_absent_on__lte=on) | Q(first_absent_on__isnull=True, opened_at__date__lte=on)
    return begun & (~Q(state=S.CLOSED) | Q(closed_on__gte=on))


def _as_of(absent, on):
    """Today's absentees whose cases have not gone past `on` (seen_after)."""
    if not absent:
        return absent
    later = set(
        Case.objects.filter(seen_after(on), child_id__in=[pk for pk, _s, _t in absent]).values_list(
            "child_id", flat=True
        )
    )
    return [row for row in absent if row[0] not in later]


def _open_and_escalate(absent, days, township_settings, calendar, on, result):
    streak_of = {pk: streak for pk, streak, _ in absent}
    township_of = {pk: t for pk, _, t in absent}
    ids = list(streak_of)
    has_open = set(
        Case.objects.filter(child_id__in=ids)
        .exclude(state=S.CLOSED)
        .values_list("child_id", flat=True)
    )

    # Relapse after a return, or reopen a case struck off after 复学.
    # A new episode of the same case: the ladder starts again from its first day.
    def episode(case):
        first = days[-streak_of[case.child_id]]
        return {
            "first_absent_on": first,
            "stage": 0,
            "returned_on": None,
            "placement": "",
            "note": f"{first} 起再次无故缺课（{SYSTEM_NOTE}）",
        }

    for case in Case.objects.filter(child_id__in=ids, state=S.RETURNED).select_related("child"):
        if _try(case, "relapse", **episode(case)):
            result.relapsed += 1
    reopenable = {
        c.child_id: c  # ascending: the latest closed case of each child wins
        for c in Case.objects.filter(
            child_id__in=set(ids) - has_open, state=S.CLOSED, ending=Case.Ending.RETURNED
        )
        .order_by("child_id", "closed_on", "pk")
        .select_related("child")
    }
    reopened = sum(_try(case, "reopen", **episode(case)) for case in reopenable.values())
    opened = states.open_cases(
        [
            states.NewCase(
                child_id=pk,
                ladder=township_settings[township_of[pk]].ladder,
                first_absent_on=days[-streak_of[pk]],
                streak=streak_of[pk],
            )
            for pk in ids
            if pk not in has_open and pk not in reopenable
        ],
        origin=Case.Origin.ABSENCE,
        key=lambda c: f"open-{c.first_absent_on}",
        note=lambda c: f"{c.first_absent_on} 起无故缺课，系统建档",
    )
    result.cases_opened += len(opened) + reopened
    open_cases = list(
        Case.objects.filter(child_id__in=ids)
        .exclude(state=S.CLOSED)
        .select_related("child__village__township", "child__school")
    )

    # Streaks: one UPDATE per distinct value.
    by_streak = defaultdict(list)
    for c in open_cases:
        by_streak[streak_of[c.child_id]].append(c.pk)
    for streak, pks in by_streak.items():
        Case.objects.filter(pk__in=pks).update(streak=streak, last_scan_on=on)
        # A case opened by hand or from a lead: its absences start now.
        Case.objects.filter(pk__in=pks, first_absent_on__isnull=True).update(
            first_absent_on=days[-streak]
        )
    for c in open_cases:
        c.first_absent_on = c.first_absent_on or days[-streak_of[c.child_id]]

    # Ladder steps reached: their to-dos; the stage and its events (states.escalate).
    todos, stage_to = [], defaultdict(list)
    for c in open_cases:
        if not states.may(c, "escalate"):
            continue
        reached = ladder.steps_reached(c.ladder, streak_of[c.child_id])
        todos += [
            ladder.step_todo(c, i, c.ladder[i - 1], calendar=calendar, on=on) for i in reached
        ]
        if reached and reached[-1] > c.stage:
            stage_to[reached[-1]].append(c.pk)
    result.todos_created += ladder.create_todos(todos)
    for stage, pks in stage_to.items():
        result.escalated += states.escalate(pks, stage)

    # The child's 入学状态 follows the thresholds of their township.
    suspected, dropout = [], []
    for pk, streak, township_id in absent:
        s = township_settings[township_id]
        if streak >= s.dropout_days:
            dropout.append(pk)
        elif streak >= s.suspected_dropout_days:
            suspected.append(pk)
    change_status_of_many(
        child_ids=suspected,
        status=Child.Status.SUSPECTED_DROPOUT,
        from_statuses=[Child.Status.ENROLLED],
        reason=f"连续无故缺课达到疑似辍学认定天数（{SYSTEM_NOTE}）",
    )
    change_status_of_many(
        child_ids=dropout,
        status=Child.Status.DROPOUT,
        from_statuses=[Child.Status.ENROLLED, Child.Status.SUSPECTED_DROPOUT],
        reason=f"连续无故缺课达到辍学认定天数（{SYSTEM_NOTE}）",
    )


def _try(case, action, **changes):
    """A transition the scan makes; False when a run at the same time made it first."""
    try:
        states.transition(case, action, **changes)
    except states.TransitionError:
        return False
    return True


def _roll_called(day):
    """The child's class took attendance on `day`."""
    return Exists(
        ClassRollCall.objects.filter(
            school=OuterRef("child__school"),
            grade=OuterRef("child__grade"),
            class_name=OuterRef("child__class_name"),
            date=day,
        )
    )


def attendance_of(children, days):
    """{child_pk: [days attended]}: of `days`, those each child's class took
    attendance and the child was not absent (two queries for all)."""
    if not days:
        return {c.pk: [] for c in children}
    called = defaultdict(set)
    for school_id, grade, class_name, day in ClassRollCall.objects.filter(
        school_id__in={c.school_id for c in children}, date__range=(days[0], days[-1])
    ).values_list("school_id", "grade", "class_name", "date"):
        called[school_id, grade, class_name].add(day)
    away = defaultdict(set)
    for child_id, day in Absence.objects.filter(
        child__in=children, date__range=(days[0], days[-1])
    ).values_list("child_id", "date"):
        away[child_id].add(day)
    wanted = set(days)
    return {
        c.pk: sorted((called[c.school_id, c.grade, c.class_name] & wanted) - away[c.pk])
        for c in children
    }


def _returns(children, on, result):
    """Open cases of children at school on `on`: back (复学). Only cases
    that were open on `on` and whose first absence came before it."""
    at_school = _roll_called(on) & ~Exists(
        Absence.objects.filter(child=OuterRef("child_id"), date=on)
    )
    back = (
        Case.objects.filter(
            open_on(on),
            child__in=children,
            child__school__isnull=False,
            state__in=states.OPEN_STATES,
        )
        .exclude(first_absent_on__gte=on)
        .exclude(seen_after(on))
        .filter(at_school)
    )
    for case in back.select_related("child"):
        out_days = (on - (case.first_absent_on or on)).days
        placement = Case.Placement.ORIGINAL_CLASS if out_days < 365 else ""  # 002: under a year
        if _try(
            case,
            "record_return",
            note=f"{on} 到校（{SYSTEM_NOTE}）",
            returned_on=on,
            placement=placement,
        ):
            result.returned += 1


def _verify_returns(children, calendar, on, township_settings, result):
    """Returned cases: the school days each child attended since the return
    (as of `on`); those who attended the township's verification days are
    verification_complete()."""
    returned = list(
        Case.objects.filter(
            child__in=children, state=S.RETURNED, returned_on__lte=on
        ).select_related("child__village")
    )
    if not returned:
        return
    days = calendar.school_days(max(calendar.start, min(c.returned_on for c in returned)), on)
    attended = attendance_of([c.child for c in returned], days)
    for case in returned:
        verify_days = township_settings[case.child.village.township_id].return_verify_days
        count = sum(1 for day in attended[case.child_id] if day >= case.returned_on)
        if count >= verify_days:
            verification_complete(case, on=on, attended=count, result=result)


def verification_complete(case, *, on, attended, result):
    """The returned child attended the verification days by `on`. 004 四(四)1:
    销号 is a person's: the school proposes, the township signs off
    (cases/closing/); the scan only says it is time."""
    note = f"返校后已到校{attended}个上学日"
    result.todos_created += closing_todos.create_propose_todo(case, on=on, note=note)


def _cases_from_confirmed_leads(county):
    """A 四查三比对 lead a person confirmed opens the child's case (once)."""
    leads = list(
        Lead.objects.filter(county=county, state=Lead.State.CONFIRMED, child__isnull=False)
        .exclude(Exists(Case.objects.filter(lead=OuterRef("pk"))))
        .select_related("child__village__township")
    )
    if not leads:
        return 0
    # One lead per child (the last one wins); a child with an open case waits.
    rows = {
        lead.child_id: states.NewCase(
            child_id=lead.child_id,
            lead_id=lead.pk,
            # 未入学: the enrolment ladder (cases/ladder/enrolment.py).
            ladder=enrolment.ladder_for(lead.child),
        )
        for lead in leads
    }
    opened = states.open_cases(
        rows.values(),
        origin=Case.Origin.LEAD,
        key="open-lead",
        note=lambda c: f"四查三比对线索核实属实：{c.lead.get_kind_display()}（{c.lead.reason}）",
    )
    enrolment.start(opened)  # the first step's to-do (a 未入学 child)
    return len(opened)


def _notice_deadlines(county, on, result):
    """A notice whose return deadline passed with no outcome: 司法所 next."""
    overdue = ReturnNotice.objects.filter(
        township__county=county, return_deadline__lt=on, outcome="", case__state=S.NOTICE
    ).select_related("case__child__village__township", "case__child__school")
    todos = [
        ladder.make_todo(
            n.case,
            key=f"legal-{n.pk}",
            kind=Todo.Kind.LEGAL_EDUCATION,
            title=f"{n.number_label}限期已过仍未返校：由司法所开展义务教育法宣传教育，依法督促履职",
            role=ladder.Role.TOWNSHIP,
            due_on=on,
        )
        for n in overdue
    ]
    result.todos_created += ladder.create_todos(todos)


def flag_overdue(*, county, on):
    """Mark to-dos past their date, once: they show to the person and the level above."""
    return Todo.objects.filter(
        county=county, done_at__isnull=True, due_on__lt=on, overdue_flagged_on__isnull=True
    ).update(overdue_flagged_on=on)
