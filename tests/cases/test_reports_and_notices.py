"""The school's report and the township's 《限期返校通知书》: numbering (also under
two clerks at once), deadlines in school days, who sees and does what."""

import contextlib
import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from cases import notices, states
from cases.models import Case, CaseEvent, DropoutReport, NoticeCounter, ReturnNotice, Todo
from students.models import JurisdictionSettings

from .notices_helpers import (
    FRIDAY,
    Kind,
    Role,
    child_in,
    issue,
    load,
    ready_to_report,
    reported,
)
from .persuasion_helpers import add_todo, open_case_for

# --- the school's report ------------------------------------------------------


def test_school_admin_files_the_report_notice_todo_counts_school_days_over_a_weekend(world, login):
    case = ready_to_report(open_case_for(world.c_class))
    add_todo(case, Kind.REPORT, Role.SCHOOL_ADMIN)
    client = login(world.school_admin)
    page = client.get(reverse("cases:report_file", args=[case.pk])).content.decode()
    assert "甲镇人民政府" in page and "王小明" in page  # prefilled recipients and summary
    # the prefilled sentence counts the real persuasion records (two)
    assert "经学校和村（社区）工作人员2次劝学未果" in page

    response = client.post(
        reverse("cases:report_file", args=[case.pk]),
        {
            "filed_on": FRIDAY.isoformat(),
            "recipients": "甲镇人民政府",
            "receiver": "汪文道",
            "receiver_contact": "0790-1234567",
            "summary": "经学校和村（社区）工作人员3次劝学未果。",
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == Case.State.REPORTED
    report = DropoutReport.objects.get(case=case)
    assert (report.school, report.filed_by, report.filed_on) == (
        world.s1,
        world.school_admin,
        FRIDAY,
    )
    assert Todo.objects.get(case=case, kind=Kind.REPORT).done_by == world.school_admin
    todo = Todo.objects.get(case=case, kind=Kind.NOTICE)
    assert todo.key == "notice" and todo.role == Role.TOWNSHIP and todo.township == world.t1
    # Friday + 3 school days: Monday, Tuesday, Wednesday
    assert todo.due_on == datetime.date(2025, 11, 26)
    assert CaseEvent.objects.filter(case=case, action="file_report").exists()


def test_notice_issue_days_come_from_the_township_settings(world):
    JurisdictionSettings.objects.create(county=world.county, township=world.t1, notice_issue_days=1)
    case = reported(world.c_class, world.school_admin)
    assert Todo.objects.get(case=case, kind=Kind.NOTICE).due_on == datetime.date(2025, 11, 24)


def test_a_report_is_refused_from_a_wrong_state_and_without_a_school(world):
    case = reported(world.c_class, world.school_admin)
    with pytest.raises(states.TransitionError, match="个案当前为“已报乡镇”，不能“学校报送"):
        notices.file_report(case=case, by=world.school_admin, recipients="甲镇", summary="再报")
    assert DropoutReport.objects.filter(case=case).count() == 1

    no_school = load(open_case_for(world.c_v2_no_school))
    with pytest.raises(ValidationError, match="没有就读学校"):
        notices.file_report(case=no_school, by=world.sysadmin, recipients="甲镇", summary="x")
    assert load(no_school).state == Case.State.OPEN


def test_a_report_without_a_summary_leaves_the_case_open(world):
    case = ready_to_report(open_case_for(world.c_class))
    with pytest.raises(ValidationError):
        notices.file_report(case=case, by=world.school_admin, recipients="甲镇", summary=" ")
    assert load(case).state == Case.State.OPEN
    assert not Todo.objects.filter(kind=Kind.NOTICE).exists()


@pytest.mark.parametrize(
    "role, code", [("teacher", 404), ("village_user", 404), ("township_user", 404)]
)
def test_only_the_schools_administrators_file_the_report(world, login, role, code):
    case = open_case_for(world.c_class)
    client = login(getattr(world, role))
    assert client.get(reverse("cases:report_file", args=[case.pk])).status_code == 200  # reads
    response = client.post(
        reverse("cases:report_file", args=[case.pk]), {"recipients": "x", "summary": "x"}
    )
    assert response.status_code == code
    assert load(case).state == Case.State.OPEN


# --- issuing and numbering ------------------------------------------------------


def test_numbers_run_per_township_and_year_without_gaps(world):
    t1_children = [world.c_class, world.c_s1_other_class] + [
        child_in(world.v1, world.s1, name) for name in ("周一", "吴二")
    ]
    cases = [reported(c, world.school_admin) for c in t1_children]
    issued = [issue(c, world.township_user) for c in cases[:3]]
    assert [n.number for n in issued] == [1, 2, 3]
    assert issued[0].number_label == "甲府教〔2025〕1号"
    assert {n.year for n in issued} == {2025}

    # another township counts on its own
    t2_case = reported(world.c_t2, world.sysadmin)
    other = issue(t2_case, world.sysadmin)
    assert (other.township, other.number, other.number_label) == (world.t2, 1, "乙府教〔2025〕1号")

    # a new year starts again at 1
    last = issue(cases[3], world.township_user, on=datetime.date(2026, 1, 5))
    assert (last.year, last.number, last.number_label) == (2026, 1, "甲府教〔2026〕1号")
    assert NoticeCounter.objects.get(township=world.t1, year=2025).last_number == 3


def test_issuing_sets_deadline_legal_basis_and_todos(world):
    case = reported(world.c_class, world.school_admin)
    notice = issue(case, world.township_user)
    case = load(case)
    assert case.state == Case.State.NOTICE
    # Friday + 3 school days
    assert notice.return_deadline == datetime.date(2025, 11, 26)
    for article in (
        "第五条",
        "第十一条",
        "第十三条",
        "第五十八条",
        "第十六条",
        "第十七条",
        "第二十八条",
    ):
        assert article in notice.legal_basis
    assert "处罚" not in notice.legal_basis and not notice.fine_clause
    assert Todo.objects.get(case=case, kind=Kind.NOTICE).is_done
    service = Todo.objects.get(case=case, kind=Kind.SERVICE)
    deadline = Todo.objects.get(case=case, kind=Kind.RETURN_DEADLINE)
    assert (service.key, service.due_on, service.township) == (
        f"service-{notice.pk}",
        datetime.date(2025, 11, 24),  # one school day after a Friday
        world.t1,
    )
    assert (deadline.key, deadline.due_on) == (f"deadline-{notice.pk}", notice.return_deadline)
    event = CaseEvent.objects.get(case=case, action="issue_notice")
    assert "甲府教〔2025〕1号" in event.note and event.by == world.township_user


def test_the_fine_clause_only_where_the_settings_allow_it(world):
    JurisdictionSettings.objects.create(county=world.county, notice_fine_clause=True)
    notice = issue(reported(world.c_class, world.school_admin), world.township_user)
    assert notice.fine_clause and notices.FINE_CLAUSE in notice.legal_basis


def test_a_notice_is_refused_from_a_wrong_state(world):
    open_case = load(open_case_for(world.c_class))
    with pytest.raises(ValidationError, match="学校尚未报送辍学情况报告单"):
        issue(open_case, world.township_user)
    case = reported(world.c_s1_other_class, world.school_admin)
    issue(case, world.township_user)
    with pytest.raises(states.TransitionError, match="个案当前为“已发限期返校通知书”"):
        issue(case, world.township_user)
    # nothing numbered by the refusals
    assert list(ReturnNotice.objects.values_list("number", flat=True)) == [1]
    assert NoticeCounter.objects.get().last_number == 1


def test_a_stale_case_is_refused_under_the_lock_without_using_a_number(world):
    case = reported(world.c_class, world.school_admin)
    stale = load(case)
    issue(case, world.township_user)
    assert stale.state == Case.State.REPORTED
    with pytest.raises(states.TransitionError):
        notices.issue_return_notice(
            case=stale, by=world.township_user, guardian_name="王大山", issued_on=FRIDAY
        )
    assert NoticeCounter.objects.get().last_number == 1
    assert ReturnNotice.objects.count() == 1


def test_issue_checks_guardian_and_dates(world):
    case = reported(world.c_class, world.school_admin)
    with pytest.raises(ValidationError, match="监护人"):
        notices.issue_return_notice(case=case, by=world.township_user, guardian_name=" ")
    with pytest.raises(ValidationError, match="不能早于报告单报送日期"):
        issue(case, world.township_user, on=FRIDAY - datetime.timedelta(days=1))
    with pytest.raises(ValidationError, match="不能晚于今天"):
        issue(case, world.township_user, on=timezone.localdate() + datetime.timedelta(days=1))
    assert not NoticeCounter.objects.filter(last_number__gt=0).exists()


@pytest.mark.django_db(transaction=True)
def test_two_clerks_issuing_at_once_get_consecutive_numbers(world, django_user_model):
    """On PostgreSQL the two transactions really overlap: the first issue of the
    year races on creating the counter row, the second pair on its lock.

    SQLite's in-memory test database (shared cache) refuses a second writer at
    once ("table is locked") instead of waiting: there the clerks take turns.
    """
    from students.models import Membership

    clerk2 = django_user_model.objects.create_user(username="clerk2", password="x")
    Membership.objects.create(user=clerk2, role=Role.TOWNSHIP, township=world.t1)
    clerks = [world.township_user, clerk2]
    children = [world.c_class, world.c_s1_other_class] + [
        child_in(world.v1, world.s1, name) for name in ("周一", "吴二")
    ]
    cases = [reported(c, world.school_admin) for c in children]

    def race(pair):
        barrier = threading.Barrier(len(pair))
        numbers, errors = [], []
        turns = threading.Lock() if connection.vendor == "sqlite" else contextlib.nullcontext()

        def clerk(case, user):
            try:
                barrier.wait(timeout=10)
                with turns:
                    numbers.append(issue(case, user).number)
            except Exception as e:  # reported below
                errors.append(e)
            finally:
                connection.close()

        threads = [
            threading.Thread(target=clerk, args=(c, u)) for c, u in zip(pair, clerks, strict=True)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert not errors, errors
        return sorted(numbers)

    assert race(cases[:2]) == [1, 2]  # both are the year's first issuers
    assert race(cases[2:]) == [3, 4]  # both wait on the counter's lock
    assert sorted(ReturnNotice.objects.values_list("number", flat=True)) == [1, 2, 3, 4]
    assert NoticeCounter.objects.get(township=world.t1, year=2025).last_number == 4
    assert set(Case.objects.values_list("state", flat=True)) == {Case.State.NOTICE}


# --- who sees and does what ----------------------------------------------------


def test_the_township_sees_the_reported_cases_of_children_living_there(world, login):
    mine = reported(world.c_class, world.school_admin)
    lives_in_t2 = reported(world.c_cross, world.school_admin)  # goes to school in t1
    client = login(world.township_user)
    html = client.get(reverse("cases:notice_list")).content.decode()
    assert reverse("cases:notice_issue", args=[mine.pk]) in html
    assert reverse("cases:notice_issue", args=[lives_in_t2.pk]) not in html
    # the case is visible to t1 (through the school), the notice is t2's to issue
    assert client.get(reverse("cases:notice_issue", args=[lives_in_t2.pk])).status_code == 404
    assert client.get(reverse("cases:notice_issue", args=[mine.pk])).status_code == 200


@pytest.mark.parametrize("role", ["teacher", "school_admin", "village_user", "nobody"])
def test_the_notices_page_is_for_township_and_county_offices(world, login, role):
    assert login(getattr(world, role)).get(reverse("cases:notice_list")).status_code == 404


def test_the_county_looks_on_and_cannot_issue(world, login):
    case = reported(world.c_class, world.school_admin)
    client = login(world.county_user)
    html = client.get(reverse("cases:notice_list")).content.decode()
    assert world.c_class.name in html
    assert client.post(reverse("cases:notice_issue", args=[case.pk]), {}).status_code == 404


def test_only_township_users_get_the_nav_link(world, login):
    for user, shown in [(world.township_user, True), (world.teacher, False)]:
        html = login(user).get(reverse("cases:case_list")).content.decode()
        assert (reverse("cases:notice_list") in html) == shown


def test_notice_pages_are_404_outside_reach(world, login):
    notice = issue(reported(world.c_class, world.school_admin), world.township_user)
    county = login(world.county_user)
    assert county.get(reverse("cases:notice_detail", args=[notice.pk])).status_code == 200
    assert county.post(reverse("cases:notice_service", args=[notice.pk]), {}).status_code == 404
    for role in ("nobody", "teacher"):
        client = login(getattr(world, role))
        codes = [
            client.get(reverse(name, args=[notice.pk])).status_code
            for name in ("cases:notice_service", "cases:notice_outcome", "cases:notice_receipt")
        ]
        assert codes == [404, 404, 404]
    assert (
        login(world.nobody).get(reverse("cases:notice_detail", args=[notice.pk])).status_code == 404
    )
    # the child's teacher may read the notice of their pupil's case
    assert (
        login(world.teacher).get(reverse("cases:notice_detail", args=[notice.pk])).status_code
        == 200
    )


def test_issuing_through_the_page(world, login):
    case = reported(world.c_class, world.school_admin)
    client = login(world.township_user)
    page = client.get(reverse("cases:notice_issue", args=[case.pk])).content.decode()
    assert 'value="王大山"' in page  # the father, from the child's record
    response = client.post(
        reverse("cases:notice_issue", args=[case.pk]),
        {"guardian_name": "王大山", "issued_on": FRIDAY.isoformat()},
    )
    notice = ReturnNotice.objects.get()
    assert response.url == reverse("cases:notice_detail", args=[notice.pk])
    again = client.post(
        reverse("cases:notice_issue", args=[case.pk]),
        {"guardian_name": "王大山", "issued_on": FRIDAY.isoformat()},
    )
    assert again.status_code == 200 and "不能“乡镇签发限期返校通知书”" in again.content.decode()
    assert ReturnNotice.objects.count() == 1
