"""A child walked through the 1/3/5-day ladder on a real calendar.

2026-09-29 (Tue) and 09-30 are school days; 10-01 … 10-07 is the National
Day holiday; 10-08 (Thu), 10-09 (Fri) and the make-up Saturday 10-10 (调休)
are school days again. So the five school days of the ladder span nine
calendar days with a holiday week inside, and escalation must not count it.
"""

import datetime
import json
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from cases.calendar import calendar_around
from cases.closing import services as closing
from cases.ladder.scan import run_daily_checks
from cases.models import Absence, Case, CaseEvent, ClassRollCall, Term, Todo
from students.models import Child
from tests.concurrency import at_once

D = datetime.date
LADDER_DAYS = [D(2026, 9, 29), D(2026, 9, 30), D(2026, 10, 8), D(2026, 10, 9), D(2026, 10, 10)]
AFTER = [D(2026, 10, 12), D(2026, 10, 13), D(2026, 10, 14), D(2026, 10, 15), D(2026, 10, 16)]


@pytest.fixture
def term(world):
    return Term.objects.create(
        county=world.county, name="2026年秋季学期", start=D(2026, 9, 1), end=D(2027, 1, 20)
    )


def roll_call(world, day, *, absent=(), leave=()):
    """The class of 王小明 takes attendance: absent children unexcused."""
    ClassRollCall.objects.get_or_create(school=world.s1, grade=5, class_name="1班", date=day)
    for child in absent:
        Absence.objects.update_or_create(
            child=child, date=day, defaults={"kind": Absence.Kind.UNEXCUSED}
        )
    for child in leave:
        Absence.objects.update_or_create(
            child=child, date=day, defaults={"kind": Absence.Kind.LEAVE, "reason": "病假"}
        )


def scan(world, day):
    return run_daily_checks(on=day, county=world.county).as_dict()


def test_the_calendar_skips_the_holiday_and_counts_the_make_up_saturday(world, term):
    calendar = calendar_around(county=world.county, day=D(2026, 10, 1))
    assert calendar.school_days(D(2026, 9, 29), D(2026, 10, 10)) == LADDER_DAYS
    assert calendar.add_school_days(D(2026, 9, 30), 1) == D(2026, 10, 8)


def test_walk_through_the_whole_ladder(world, term):
    child = world.c_class
    results = []
    for day in LADDER_DAYS:
        roll_call(world, day, absent=[child])
        results.append(scan(world, day))
        # the holiday days in between: the scan does nothing on them
        if day == D(2026, 9, 30):
            for holiday in (D(2026, 10, 1), D(2026, 10, 5), D(2026, 10, 7)):
                assert scan(world, holiday) == {
                    **scan(world, holiday),
                    "cases_opened": 0,
                    "todos_created": 0,
                }

    case = Case.objects.get(child=child)
    assert (case.state, case.streak, case.first_absent_on) == (Case.State.OPEN, 5, D(2026, 9, 29))
    assert case.stage == 4  # call, school visit, village visit, report
    todos = {t.kind: t for t in case.todos.all()}
    assert set(todos) == {"call", "school_visit", "village_visit", "report"}
    assert todos["call"].due_on == D(2026, 9, 29) and todos["call"].role == "teacher"
    assert todos["school_visit"].due_on == D(2026, 10, 8)  # day 3 is 10-08, not 10-01
    assert todos["village_visit"].due_on == D(
        2026, 10, 10
    )  # two school days later: the make-up Saturday
    assert todos["village_visit"].village == world.v1
    assert todos["report"].due_on == D(2026, 10, 10) and todos["report"].school == world.s1
    assert [r["cases_opened"] for r in results] == [1, 0, 0, 0, 0]
    assert [r["todos_created"] for r in results] == [1, 0, 2, 0, 1]

    child.refresh_from_db()
    assert child.status == Child.Status.SUSPECTED_DROPOUT  # from day 3 (the setting)
    change = child.history.filter(status="suspected_dropout").earliest()
    assert "疑似辍学认定" in change.history_change_reason
    notes = list(case.events.values_list("note", flat=True))
    assert any("连续3个上学日" in n for n in notes) and any("连续5个上学日" in n for n in notes)

    # the to-do of day 1 not done by day 2: overdue, once
    assert Todo.objects.get(case=case, kind="call").overdue_flagged_on == D(2026, 9, 30)


def test_a_return_on_day_four_stops_the_ladder_and_the_township_confirms_the_strike_off(world, term):
    child = world.c_class
    for day in LADDER_DAYS[:3]:
        roll_call(world, day, absent=[child])
        scan(world, day)
    roll_call(world, D(2026, 10, 9))  # at school on day 4
    result = scan(world, D(2026, 10, 9))
    case = Case.objects.get(child=child)
    assert result["returned"] == 1
    assert (case.state, case.returned_on, case.placement) == (
        Case.State.RETURNED,
        D(2026, 10, 9),
        "original_class",
    )
    assert case.stage == 3 and not case.todos.filter(kind="report").exists()  # the ladder stopped

    for day in [D(2026, 10, 10), *AFTER[:2]]:
        roll_call(world, day)
        scan(world, day)
    case.refresh_from_db()
    assert case.state == Case.State.RETURNED  # 4 school days attended; the setting asks 5
    # 004 四(四)1: the school restores the 学籍 within 3 days of the return
    xueji = case.todos.get(kind="xueji")
    assert (xueji.role, xueji.school, xueji.due_on) == ("school_admin", world.s1, D(2026, 10, 12))
    with pytest.raises(ValidationError, match="尚未满核验"):
        closing.propose_close(case=case, by=world.school_admin)
    roll_call(world, AFTER[2])
    result = scan(world, AFTER[2])
    # 销号 is a person's: the scan no longer strikes the case off by itself
    assert result["closed"] == 0
    case.refresh_from_db()
    assert case.state == Case.State.RETURNED
    propose = case.todos.get(kind="propose_close")
    assert (propose.role, propose.school, propose.done_at) == ("school_admin", world.s1, None)
    assert scan(world, AFTER[2])["todos_created"] == 0  # once
    with pytest.raises(ValidationError, match="学籍尚未恢复"):
        closing.propose_close(case=case, by=world.school_admin)
    closing.record_xueji(case=case, by=world.school_admin, note="已恢复学籍")
    with pytest.raises(PermissionDenied):
        closing.propose_close(case=case, by=world.village_user)
    closing.propose_close(case=case, by=world.school_admin, note="按时到校")
    case.refresh_from_db()
    assert case.state == Case.State.RETURNED and case.close_proposed_by == world.school_admin
    confirm = case.todos.get(kind="confirm_close")
    assert (confirm.role, confirm.township, confirm.done_at) == ("township", world.t1, None)
    with pytest.raises(PermissionDenied):
        closing.confirm_close(case=case, by=world.school_admin)
    # The township signs off on the day after (the scans below are as of
    # later days: a case closed after the day scanned is left alone).
    with mock.patch("django.utils.timezone.localdate", return_value=AFTER[2]):
        closing.confirm_close(case=case, by=world.township_user, note="核实稳定就读")
    case.refresh_from_db()
    child.refresh_from_db()
    assert (case.state, case.ending, case.closed_on) == (
        Case.State.CLOSED,
        Case.Ending.RETURNED,
        AFTER[2],
    )
    assert case.close_confirmed_by == world.township_user and case.close_confirmed_at
    assert child.status == Child.Status.ENROLLED
    assert list(case.events.filter(by__isnull=False).values_list("action", flat=True))[-3:] == [
        "xueji",
        "propose_close",
        "verify_return",
    ]

    # the child stops again: the same case reopens
    roll_call(world, AFTER[3], absent=[child])
    assert scan(world, AFTER[3])["cases_opened"] == 1
    case.refresh_from_db()
    assert case.state == Case.State.OPEN and Case.objects.filter(child=child).count() == 1


def test_leave_breaks_the_streak_and_no_roll_call_means_no_return(world, term):
    child = world.c_class
    roll_call(world, LADDER_DAYS[0], absent=[child])
    scan(world, LADDER_DAYS[0])
    roll_call(world, LADDER_DAYS[1], leave=[child])
    scan(world, LADDER_DAYS[1])
    roll_call(world, LADDER_DAYS[2], absent=[child])
    scan(world, LADDER_DAYS[2])
    case = Case.objects.get(child=child)
    assert case.streak == 1 and case.state == Case.State.OPEN
    # no attendance taken on day 4: no absence row does not mean at school
    scan(world, LADDER_DAYS[3])
    case.refresh_from_db()
    assert case.state == Case.State.OPEN


def test_running_the_scan_twice_creates_nothing_twice(world, term):
    child = world.c_class
    for day in LADDER_DAYS:
        roll_call(world, day, absent=[child])
        first = scan(world, day)
        second = scan(world, day)
        assert second["cases_opened"] == second["todos_created"] == second["escalated"] == 0, (
            day,
            first,
        )
    assert Case.objects.count() == 1
    assert Todo.objects.count() == 4
    assert CaseEvent.objects.filter(action="escalate").count() == 4
    assert child.history.filter(status="suspected_dropout").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_scans_at_once_create_everything_once(world, term):
    child = world.c_class
    for day in LADDER_DAYS:
        roll_call(world, day, absent=[child])
    for day in LADDER_DAYS:
        at_once(lambda day=day: run_daily_checks(on=day, county=world.county))
    assert Case.objects.count() == 1
    assert Todo.objects.count() == 4
    assert CaseEvent.objects.filter(action="escalate").count() == 4
    assert child.history.filter(status="suspected_dropout").count() == 1


def test_the_command_prints_the_json_summary(world, term, capsys):
    roll_call(world, LADDER_DAYS[0], absent=[world.c_class])
    call_command("run_daily_checks", "--date", "2026-09-29", "--json")
    out = json.loads(capsys.readouterr().out)
    assert not any(out.pop("followups").values())  # no 送教上门, 移交 or reviews here
    assert out == {
        "date": "2026-09-29",
        "cases_opened": 1,
        "escalated": 1,
        "returned": 0,
        "relapsed": 0,
        "closed": 0,
        "todos_created": 1,
        "overdue": 0,
    }


def test_the_scan_is_set_based(world, term, django_assert_max_num_queries):
    """The query count does not grow with the number of absent children."""
    from ..conftest import make_id

    kids = [
        Child.objects.create(
            name=f"缺课{i}",
            village=world.v1,
            school=world.s1,
            grade=5,
            class_name="1班",
            gender="M",
            birth_date=D(2015, 3, 8),
            id_number=make_id("520102", D(2015, 3, 8), 301 + 2 * i),
        )
        for i in range(30)
    ]
    roll_call(world, LADDER_DAYS[0], absent=kids[:3])
    # 66: the review reminders read the townships' settings (two queries, not
    # per row); the cases opened get their history rows, and states.escalate
    # reads the cases it moves (one query each, whatever the number of children);
    # +2: the county's transaction and its lock (one each, PostgreSQL);
    # +2: the as-of check of the day's absentees' cases and the county's DailyScan row.
    with django_assert_max_num_queries(70) as small:
        scan(world, LADDER_DAYS[0])
    roll_call(world, LADDER_DAYS[1], absent=kids)
    with django_assert_max_num_queries(len(small.captured_queries) + 10):
        scan(world, LADDER_DAYS[1])
