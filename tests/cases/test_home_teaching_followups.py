"""The dispositions' follow-ups: 送教上门 sessions and missed weeks, the monthly
joint persuasion after 移交县级核处, the 休学/缓学 review reminder."""

import pytest
from django.core.exceptions import ValidationError

from cases import dispositions as rules
from cases.models import Disposition, Todo
from students.models import Child

from .dispositions_helpers import (
    ON,
    REVIEW_ON,
    D,
    K,
    approved_home_teaching,
    at,
    complete,
    fresh,
    joint,
    start,
)

# ---------------------------------------------------------------------------
# 送教上门: sessions, hours, missed weeks
# ---------------------------------------------------------------------------


def test_a_session_under_two_hours_is_refused(world, case):
    d = approved_home_teaching(world, case, D(2026, 11, 4))
    with pytest.raises(ValidationError) as e:
        rules.record_session(
            disposition=d,
            date=D(2026, 11, 10),
            hours="1.5",
            teachers="李老师",
            content="生活自理训练",
            by=world.teacher,
            on=D(2026, 11, 17),
        )
    assert e.value.message_dict["hours"] == ["每次送教不少于2个学时（本次填写1.5学时）。"]
    rules.record_session(
        disposition=d,
        date=D(2026, 11, 10),
        hours=2,
        teachers="李老师",
        content="生活自理训练",
        by=world.teacher,
        on=D(2026, 11, 17),
    )
    progress = rules.home_teaching_progress(d, on=D(2026, 11, 17))
    assert (progress.hours, progress.target, progress.sessions) == (2, 80, 1)
    assert progress.school_year == "2026—2027学年"


def test_a_missed_week_makes_one_home_teaching_todo_however_often_the_check_runs(world, case):
    d = approved_home_teaching(world, case, D(2026, 11, 4))  # a Wednesday
    first = rules.daily_followups(county=world.county, on=D(2026, 11, 17))
    again = rules.daily_followups(county=world.county, on=D(2026, 11, 18))
    assert first["home_teaching_todos"] == 1 and again["home_teaching_todos"] == 0
    todo = Todo.objects.get(case=case, kind=Todo.Kind.HOME_TEACHING)
    assert todo.key == "ht-2026-W46"  # 9–15 November; the week of approval is not counted
    assert (todo.role, todo.school) == ("school_admin", world.s1)
    assert "11月9日至11月15日" in todo.title

    # A make-up session completes it; the week with a session is not flagged.
    rules.record_session(
        disposition=d,
        date=D(2026, 11, 18),
        hours=2,
        teachers="李老师",
        content="补送",
        by=world.school_admin,
        on=D(2026, 11, 18),
    )
    assert fresh(todo).done_at is not None
    assert (
        rules.daily_followups(county=world.county, on=D(2026, 11, 24))["home_teaching_todos"] == 0
    )
    assert Todo.objects.filter(case=case, kind=Todo.Kind.HOME_TEACHING).count() == 1


def test_no_sessions_are_due_once_the_child_left_home_teaching(world, case):
    approved_home_teaching(world, case, D(2026, 11, 4))
    child = fresh(case.child)
    from students.services import change_child_status

    change_child_status(
        child=child, status=Child.Status.ENROLLED, by=world.school_admin, reason="复学"
    )
    assert (
        rules.daily_followups(county=world.county, on=D(2026, 11, 24))["home_teaching_todos"] == 0
    )


# ---------------------------------------------------------------------------
# 移交县级核处: monthly joint persuasion; 休学/缓学: review reminder
# ---------------------------------------------------------------------------


def test_a_month_without_joint_persuasion_after_approval_is_flagged(world, case):
    d = complete(world, case, start(world, case, K.COUNTY_REVIEW, by=world.township_user))
    rules.submit_disposition(disposition=d, by=world.township_user, on=ON)
    rules.decide_disposition(disposition=fresh(d), approve=True, by=world.rural_group)
    Disposition.objects.filter(pk=d.pk).update(decided_at=at(D(2026, 6, 10)))
    rules.close_disposition(disposition=fresh(d), by=world.township_user, on=ON)
    joint(case, D(2026, 7, 8))  # July done, August missed

    first = rules.daily_followups(county=world.county, on=D(2026, 9, 2))
    again = rules.daily_followups(county=world.county, on=D(2026, 9, 3))
    assert (first["follow_up_todos"], again["follow_up_todos"]) == (1, 0)
    todo = Todo.objects.get(case=case, kind=Todo.Kind.FOLLOW_UP)
    assert todo.key == "fu-2026-08" and todo.township == world.t1
    assert "2026年8月未开展联合劝返" in todo.title

    joint(case, D(2026, 9, 4))  # made up
    assert rules.daily_followups(county=world.county, on=D(2026, 9, 5))["follow_ups_made_up"] == 1
    assert fresh(todo).done_at is not None


def test_a_review_date_within_a_week_reminds_the_school_once(world, case):
    d = complete(world, case, start(world, case, K.SUSPENSION))
    rules.submit_disposition(disposition=d, by=world.school_admin, on=ON)
    rules.decide_disposition(disposition=fresh(d), approve=True, by=world.county_user)
    rules.close_disposition(disposition=fresh(d), by=world.school_admin, on=ON)
    assert rules.daily_followups(county=world.county, on=D(2026, 8, 12))["review_todos"] == 0
    assert rules.daily_followups(county=world.county, on=D(2026, 8, 13))["review_todos"] == 1
    assert rules.daily_followups(county=world.county, on=D(2026, 8, 14))["review_todos"] == 0
    todo = Todo.objects.get(case=case, kind=Todo.Kind.REVIEW)
    assert (todo.key, todo.due_on, todo.school) == (f"review-{d.pk}", REVIEW_ON, world.s1)
