"""A scan for a day sees the world as of that day (issue 10, point 2): a
backdated or repeated scan invents no return and undoes nothing; the missed
days after downtime run in order (`run_daily_checks --since`, and beat by
itself, bounded) and end exactly where daily runs would have.

Days as in test_case_ladder: 09-29, 09-30, (National Day holiday), 10-08,
10-09, the make-up Saturday 10-10, then 10-12 … 10-16.
"""

import datetime
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone

from cases import tasks
from cases.ladder import catchup
from cases.ladder.scan import run_daily_checks
from cases.models import Case, CaseEvent, DailyScan, Todo
from students.models import Child
from tests.concurrency import at_once

from .test_case_ladder import AFTER, LADDER_DAYS, roll_call, term  # noqa: F401  (term: a fixture)
from .test_parallel_daily_checks import classmates

D = datetime.date
FIRST, LAST = LADDER_DAYS[0], AFTER[-1]  # 09-29 … 10-16
pytestmark = pytest.mark.usefixtures("term")
COUNTS = ("cases_opened", "escalated", "returned", "relapsed", "closed", "todos_created", "overdue")


def scan(world, day):
    return run_daily_checks(on=day, county=world.county).as_dict()


def attendance(world):
    """王小明 away five school days (to the report step), 李二's classmate
    同学0 away two days then back for good, 同学1 always there; the class
    takes attendance every school day."""
    away_long, back = world.c_class, *classmates(world, 1)
    days = [*LADDER_DAYS, *AFTER]
    for i, day in enumerate(days):
        absent = [away_long] if i < 5 else []
        if i < 2:
            absent.append(back)
        roll_call(world, day, absent=absent)
    return away_long, back


def state():
    """Everything the scan writes, without row ids or clock times."""
    return {
        "cases": sorted(
            Case.objects.values_list(
                "child__name",
                "state",
                "stage",
                "streak",
                "first_absent_on",
                "last_scan_on",
                "returned_on",
                "placement",
                "ending",
                "closed_on",
            )
        ),
        "todos": sorted(
            Todo.objects.values_list(
                "case__child__name", "key", "kind", "role", "due_on", "overdue_flagged_on"
            )
        ),
        "events": sorted(
            CaseEvent.objects.values_list("case__child__name", "action", "key", "to_state", "note")
        ),
        "statuses": sorted(Child.objects.values_list("name", "status")),
        "status_changes": Child.history.filter(history_type="~").count(),
    }


# ---------------------------------------------------------- a backdated scan


def test_a_scan_for_a_day_before_the_first_absence_invents_no_return(world):
    child = world.c_class
    roll_call(world, LADDER_DAYS[0])  # at school on 09-29
    for day in LADDER_DAYS[1:3]:  # away from 09-30
        roll_call(world, day, absent=[child])
        scan(world, day)
    case = Case.objects.get(child=child)
    assert (case.state, case.first_absent_on) == (Case.State.OPEN, LADDER_DAYS[1])

    result = scan(world, LADDER_DAYS[0])  # the clerk runs 09-29 late
    case.refresh_from_db()
    assert result["returned"] == 0
    assert (case.state, case.returned_on) == (Case.State.OPEN, None)
    assert not case.events.filter(action="record_return").exists()


def test_a_scan_rerun_for_a_day_before_the_return_undoes_nothing(world):
    child = world.c_class
    for day in LADDER_DAYS[:2]:
        roll_call(world, day, absent=[child])
        scan(world, day)
    roll_call(world, LADDER_DAYS[2])  # back on 10-08
    assert scan(world, LADDER_DAYS[2])["returned"] == 1
    before = state()

    again = scan(world, LADDER_DAYS[1])  # 09-30 once more: he was away then
    assert {k: again[k] for k in COUNTS} == dict.fromkeys(COUNTS, 0)
    assert state() == before
    case = Case.objects.get(child=child)
    assert (case.state, case.returned_on) == (Case.State.RETURNED, LADDER_DAYS[2])


def test_a_day_in_the_future_is_refused(world):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    for args in (["--date", f"{tomorrow}"], ["--since", f"{tomorrow}"]):
        with pytest.raises(CommandError, match="将来的日期"):
            call_command("run_daily_checks", *args)
    with pytest.raises(CommandError, match="将来的日期"):
        call_command("run_daily_checks", "--since", f"{FIRST}", "--until", f"{tomorrow}")
    assert not Case.objects.exists() and not DailyScan.objects.exists()


# ------------------------------------------------------- --since after downtime


def _daily_runs(world):
    totals = dict.fromkeys(COUNTS, 0)
    for day in catchup.days_from(FIRST, LAST):
        result = scan(world, day)
        for k in COUNTS:
            totals[k] += result[k]
    return totals


def test_since_ends_exactly_where_daily_runs_would_have(world):
    attendance(world)
    # Daily runs, then rolled back: the same database, as if they never ran.
    with transaction.atomic():
        daily = _daily_runs(world)
        expected = state()
        transaction.set_rollback(True)
    assert not Case.objects.exists()

    out = StringIO()
    call_command(
        "run_daily_checks", "--since", f"{FIRST}", "--until", f"{LAST}", "--json", stdout=out
    )
    result = json.loads(out.getvalue())
    assert (result["since"], result["until"]) == ("2026-09-29", "2026-10-16")
    assert {k: result[k] for k in COUNTS} == daily
    assert state() == expected

    # What it did: the long absence reached the report, the short one came
    # back, was verified over five school days and waits for the school to
    # propose 销号 (a person's act, 004 四(四)1).
    cases = {c.child.name: c for c in Case.objects.select_related("child")}
    assert (cases["王小明"].stage, cases["王小明"].returned_on) == (4, AFTER[0])
    assert cases["同学0"].state == Case.State.RETURNED
    assert Todo.objects.filter(case=cases["同学0"], kind=Todo.Kind.PROPOSE_CLOSE).count() == 1
    assert daily["returned"] == 2 and daily["closed"] == 0

    # The same days once more (a second catch-up, a clerk by hand): nothing new.
    out = StringIO()
    call_command(
        "run_daily_checks", "--since", f"{FIRST}", "--until", f"{LAST}", "--json", stdout=out
    )
    again = json.loads(out.getvalue())
    assert {k: again[k] for k in COUNTS if k != "overdue"} == dict.fromkeys(
        set(COUNTS) - {"overdue"}, 0
    )
    assert state() == expected


@pytest.mark.django_db(transaction=True)
def test_past_days_run_twice_at_once_write_everything_once(world):
    attendance(world)
    at_once(lambda: catchup.run_days(since=FIRST, until=LAST, county=world.county))
    once = state()
    cases = {c.child.name: c for c in Case.objects.select_related("child")}
    assert Case.objects.count() == 2 and cases["同学0"].state == Case.State.RETURNED
    assert Todo.objects.filter(case=cases["同学0"], kind=Todo.Kind.PROPOSE_CLOSE).count() == 1
    # the ladder's four, the 学籍 to-do of the return (004 四(四)1) and the
    # school's 销号 proposal after the verification days, each once
    assert Todo.objects.filter(case=cases["王小明"]).count() == 6
    assert CaseEvent.objects.filter(action="record_return").count() == 2
    catchup.run_days(since=FIRST, until=LAST, county=world.county)
    assert state() == once


# ------------------------------------------------------------ beat's catch-up


@pytest.fixture
def limit(settings):
    settings.KONGCHUO_CATCH_UP_SCHOOL_DAYS = 3
    return 3


def test_beat_catches_up_the_missed_school_days_bounded(world, limit):
    attendance(world)
    scan(world, FIRST)  # the last scan before the server went down
    # Down from 09-30; back on 10-12: at most 3 school days back (10-08,
    # 10-09, 10-10), every day from there in order, then 10-12.
    result = tasks.catch_up_county(world.county.pk, f"{AFTER[0]}")
    ran = sorted(DailyScan.objects.values_list("date", flat=True))
    assert ran == [FIRST, *catchup.days_from(LADDER_DAYS[2], AFTER[0])]
    case = Case.objects.get(child=world.c_class)
    # The streak is counted from the absences: five school days, the report step.
    assert (case.streak, case.stage, case.state) == (5, 4, Case.State.RETURNED)
    assert result["returned"] == 2  # both back (10-08 and 10-12)

    # Twice: the days done are skipped; today's run writes nothing new.
    before = state()
    again = tasks.catch_up_county(world.county.pk, f"{AFTER[0]}")
    assert {k: again[k] for k in COUNTS} == dict.fromkeys(COUNTS, 0)
    assert state() == before
    assert DailyScan.objects.count() == len(ran)

    # The next evening: only that day.
    tasks.catch_up_county(world.county.pk, f"{AFTER[1]}")
    assert DailyScan.objects.count() == len(ran) + 1


def test_beat_never_goes_back_before_the_first_attendance(world, limit):
    for day in AFTER[2:4]:  # the system holds attendance from 10-14
        roll_call(world, day, absent=[world.c_class])
    tasks.catch_up_county(world.county.pk, f"{AFTER[4]}")
    assert sorted(DailyScan.objects.values_list("date", flat=True)) == AFTER[2:]
    assert Case.objects.get(child=world.c_class).first_absent_on == AFTER[2]

    # No attendance at all in a county: only the day itself.
    tasks.catch_up_county(world.other_county.pk, f"{AFTER[4]}")
    assert list(
        DailyScan.objects.filter(county=world.other_county).values_list("date", flat=True)
    ) == [AFTER[4]]


def test_beat_enqueues_the_catch_up_for_every_county(world, monkeypatch):
    sent = []
    monkeypatch.setattr(tasks.outbox, "enqueue", lambda task, *args: sent.append((task, args)))
    monkeypatch.setattr(
        "django.utils.timezone.localdate", lambda value=None, timezone=None: AFTER[0]
    )
    assert tasks.daily_checks() == 2
    assert sent == [
        (tasks.catch_up_county, (world.county.pk, "2026-10-12")),
        (tasks.catch_up_county, (world.other_county.pk, "2026-10-12")),
    ]


@pytest.mark.django_db(transaction=True)
def test_two_catch_ups_at_once_write_everything_once(world, limit):
    attendance(world)
    scan(world, FIRST)
    runs = at_once(lambda: catchup.catch_up(county=world.county, today=AFTER[0]))
    # Each day was done by one run (the other found it done): the counts add up to one run's.
    assert sum(r.returned for r in runs) == 2
    assert DailyScan.objects.count() == 6
    assert Case.objects.count() == 2
    assert Todo.objects.filter(case__child=world.c_class).count() == 5  # with the 学籍 to-do
    assert CaseEvent.objects.filter(action="record_return").count() == 2
    assert world.c_class.history.filter(status="suspected_dropout").count() == 1


def test_a_case_cancelled_today_does_not_hide_todays_absence(world, monkeypatch):
    """A correction cancels a case today (closed today); the child is away
    without leave today: today's scan opens the case, as before."""
    from cases.attendance import services as attendance

    today = AFTER[2]
    monkeypatch.setattr(
        "django.utils.timezone.localdate",
        lambda value=None, timezone=None: today if value is None else value.date(),
    )
    child = world.c_class
    roll_call(world, AFTER[1], absent=[child])
    scan(world, AFTER[1])
    attendance.record_child_absence(
        child=child, day=AFTER[1], mark="leave", reason="补假条", by=world.teacher
    )
    cancelled = Case.objects.get(child=child)
    assert (cancelled.state, cancelled.ending, cancelled.closed_on) == (
        "closed",
        "cancelled",
        today,
    )
    roll_call(world, today, absent=[child])
    assert scan(world, today)["cases_opened"] == 1
    assert Case.objects.get(child=child, state=Case.State.OPEN).first_absent_on == today
