"""The school's report, the township's 《限期返校通知书》: numbering (also
under two clerks at once), deadlines in school days, service, outcome,
overdue flags and who may do what."""

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
from students.models import Child, JurisdictionSettings

from ..conftest import make_id
from .test_persuasion import add_todo, open_case_for, png

Kind = Todo.Kind
Role = notices.Role
FRIDAY = datetime.date(2025, 11, 21)
seq = iter(range(501, 999, 2))


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def child_in(village, school, name):
    birth = datetime.date(2014, 5, 6)
    return Child.objects.create(
        name=name,
        village=village,
        school=school,
        grade=6,
        class_name="1班",
        gender="F",
        birth_date=birth,
        id_number=make_id("520102", birth, next(seq)),
        father_name=f"{name[0]}父",
    )


def reported(child, by, *, filed_on=FRIDAY):
    case = open_case_for(child)
    add_todo(case, Kind.REPORT, Role.SCHOOL_ADMIN)
    notices.file_report(
        case=load(case),
        by=by,
        recipients="甲镇人民政府",
        summary="劝学未果",
        filed_on=filed_on,
    )
    return load(case)


def load(case):
    return Case.objects.select_related("child__village__township", "child__school").get(pk=case.pk)


def issue(case, by, *, on=FRIDAY):
    return notices.issue_return_notice(case=load(case), by=by, guardian_name="王大山", issued_on=on)


# --- the school's report ------------------------------------------------------


def test_school_admin_files_the_report_notice_todo_counts_school_days_over_a_weekend(world, login):
    case = open_case_for(world.c_class)
    add_todo(case, Kind.REPORT, Role.SCHOOL_ADMIN)
    client = login(world.school_admin)
    page = client.get(reverse("cases:report_file", args=[case.pk])).content.decode()
    assert "甲镇人民政府" in page and "王小明" in page  # prefilled recipients and summary
    assert "还没有劝学记录" in page

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
    case = load(open_case_for(world.c_class))
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
    assert issued[0].number_label == "甲镇〔2025〕第1号"
    assert {n.year for n in issued} == {2025}

    # another township counts on its own
    t2_case = reported(world.c_t2, world.sysadmin)
    other = issue(t2_case, world.sysadmin)
    assert (other.township, other.number, other.number_label) == (world.t2, 1, "乙乡〔2025〕第1号")

    # a new year starts again at 1
    last = issue(cases[3], world.township_user, on=datetime.date(2026, 1, 5))
    assert (last.year, last.number, last.number_label) == (2026, 1, "甲镇〔2026〕第1号")
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
    assert "甲镇〔2025〕第1号" in event.note and event.by == world.township_user


def test_the_fine_clause_only_where_the_settings_allow_it(world):
    JurisdictionSettings.objects.create(county=world.county, notice_fine_clause=True)
    notice = issue(reported(world.c_class, world.school_admin), world.township_user)
    assert notice.fine_clause and notices.FINE_CLAUSE in notice.legal_basis


def test_a_notice_is_refused_from_a_wrong_state(world):
    open_case = load(open_case_for(world.c_class))
    with pytest.raises(states.TransitionError, match="不能“乡镇签发限期返校通知书”"):
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


# --- service and outcome --------------------------------------------------------


def served(notice, by, **kw):
    return notices.record_service(
        notice=notice,
        by=by,
        served_on=kw.get("served_on", FRIDAY),
        server_name=kw.get("server_name", "镇干部甲"),
        witness_name=kw.get("witness_name", "村干部乙"),
        receipt=kw.get("receipt", png("回执.png")),
    )


def test_service_needs_server_witness_and_receipt(world, login):
    notice = issue(reported(world.c_class, world.school_admin), world.township_user)
    with pytest.raises(ValidationError) as e:
        notices.record_service(
            notice=notice,
            by=world.township_user,
            served_on=FRIDAY,
            server_name="",
            witness_name=" ",
            receipt=None,
        )
    assert set(e.value.message_dict) == {"server_name", "witness_name", "receipt"}
    with pytest.raises(ValidationError, match="不能与送达人为同一人"):
        served(notice, world.township_user, witness_name="镇干部甲")

    client = login(world.township_user)
    url = reverse("cases:notice_service", args=[notice.pk])
    response = client.post(url, {"served_on": FRIDAY.isoformat(), "server_name": "甲"})
    assert response.status_code == 200
    assert not ReturnNotice.objects.get().served_on

    response = client.post(
        url,
        {
            "served_on": FRIDAY.isoformat(),
            "server_name": "镇干部甲",
            "witness_name": "村干部乙",
            "receipt": png("回执.png"),
        },
    )
    assert response.status_code == 302
    notice.refresh_from_db()
    assert (notice.served_on, notice.server_name, notice.witness_name) == (
        FRIDAY,
        "镇干部甲",
        "村干部乙",
    )
    assert notice.receipt.name.startswith("notices/") and "回执" not in notice.receipt.name
    assert Todo.objects.get(kind=Kind.SERVICE).is_done
    assert CaseEvent.objects.filter(action="notice_served").count() == 1
    receipt = client.get(reverse("cases:notice_receipt", args=[notice.pk]))
    assert receipt.status_code == 200 and receipt["Content-Type"] == "image/png"

    with pytest.raises(ValidationError, match="已于2025-11-21登记送达"):
        served(notice, world.township_user)


def test_refused_after_service_gives_the_legal_education_todo(world):
    notice = issue(reported(world.c_class, world.school_admin), world.township_user)
    with pytest.raises(ValidationError, match="尚未送达"):
        notices.record_outcome(
            notice=notice, by=world.township_user, outcome="refused", outcome_on=FRIDAY
        )
    served(notice, world.township_user)
    notices.record_outcome(
        notice=notice,
        by=world.township_user,
        outcome="refused",
        outcome_on=datetime.date(2025, 11, 27),
        note="监护人明确拒绝",
    )
    legal = Todo.objects.get(kind=Kind.LEGAL_EDUCATION)
    assert legal.key == f"legal-{notice.pk}" and legal.role == Role.TOWNSHIP
    assert legal.due_on == datetime.date(2025, 12, 2)  # 3 school days after Thursday
    assert Todo.objects.get(kind=Kind.RETURN_DEADLINE).is_done
    assert load(notice.case).state == Case.State.NOTICE
    assert CaseEvent.objects.filter(action="notice_outcome").count() == 1
    with pytest.raises(ValidationError, match="不能重复登记"):
        notices.record_outcome(notice=notice, by=world.township_user, outcome="returned")


def test_returned_by_the_deadline_moves_the_case_to_returned(world, login):
    notice = issue(reported(world.c_class, world.school_admin), world.township_user)
    with pytest.raises(ValidationError, match="请选择“逾期后返校”"):
        notices.record_outcome(
            notice=notice,
            by=world.township_user,
            outcome="returned",
            outcome_on=datetime.date(2025, 11, 27),
        )
    with pytest.raises(ValidationError, match="请选择“已按期返校”"):
        notices.record_outcome(
            notice=notice, by=world.township_user, outcome="late", outcome_on=FRIDAY
        )
    client = login(world.township_user)
    response = client.post(
        reverse("cases:notice_outcome", args=[notice.pk]),
        {"outcome": "returned", "outcome_on": "2025-11-25", "outcome_note": ""},
    )
    assert response.status_code == 302
    case = load(notice.case)
    assert (case.state, case.returned_on) == (Case.State.RETURNED, datetime.date(2025, 11, 25))
    assert CaseEvent.objects.filter(case=case, action="record_return").exists()
    assert Todo.objects.get(kind=Kind.RETURN_DEADLINE).is_done


def test_other_outcome_needs_a_note(world, login):
    notice = issue(reported(world.c_class, world.school_admin), world.township_user)
    client = login(world.township_user)
    response = client.post(
        reverse("cases:notice_outcome", args=[notice.pk]),
        {"outcome": "other", "outcome_on": "2025-11-25", "outcome_note": ""},
    )
    assert response.status_code == 200 and "请说明情况" in response.content.decode()


# --- overdue flags and the page's cost ----------------------------------------------


def test_red_badges_for_late_issue_service_and_deadline(world, login):
    today = timezone.localdate()
    waiting = reported(world.c_class, world.school_admin)  # NOTICE due 2025-11-26: overdue
    unserved = issue(
        reported(world.c_s1_other_class, world.school_admin),
        world.township_user,
        on=today,
    )
    Todo.objects.filter(case=unserved.case, kind=Kind.SERVICE).update(
        due_on=today - datetime.timedelta(days=1)
    )
    ReturnNotice.objects.filter(pk=unserved.pk).update(
        return_deadline=today + datetime.timedelta(days=3)
    )
    past = issue(
        reported(child_in(world.v1, world.s1, "周一"), world.school_admin), world.township_user
    )
    served(past, world.township_user)

    html = login(world.township_user).get(reverse("cases:notice_list")).content.decode()
    assert "逾期未签发" in html and reverse("cases:notice_issue", args=[waiting.pk]) in html
    assert "逾期未送达" in html
    assert "限期已过，未登记结果" in html
    assert html.count("status-dropout") == 3


def test_the_notices_page_runs_a_fixed_number_of_queries(
    world, login, django_assert_max_num_queries
):
    client = login(world.township_user)
    client.get(reverse("cases:notice_list"))  # warm the session
    children = [child_in(world.v1, world.s1, f"学生{i}") for i in range(6)]
    cases = [reported(c, world.school_admin) for c in children]
    for c in cases[:4]:
        issue(c, world.township_user)
    with django_assert_max_num_queries(8):
        html = client.get(reverse("cases:notice_list"), {"show": "all"}).content.decode()
    assert html.count("甲镇〔2025〕第") == 4
    assert html.count("签发通知书</a>") == 2


def test_the_case_page_panel_offers_the_next_step_to_the_right_office(
    world, django_assert_max_num_queries
):
    from django.template.loader import render_to_string

    def panel(user, case):
        with django_assert_max_num_queries(6):
            return render_to_string(
                "cases/notices/_case_panel.html",
                {"case": case, **notices.case_panel_context(user, case)},
            )

    case = load(open_case_for(world.c_class))
    report_url = reverse("cases:report_file", args=[case.pk])
    assert "报送辍学情况报告单" in panel(world.school_admin, case)
    assert report_url not in panel(world.teacher, case)

    notices.file_report(
        case=case, by=world.school_admin, recipients="甲镇", summary="未果", filed_on=FRIDAY
    )
    case = load(case)
    html = panel(world.township_user, case)
    assert reverse("cases:notice_issue", args=[case.pk]) in html and report_url in html
    assert reverse("cases:notice_issue", args=[case.pk]) not in panel(world.school_admin, case)

    notice = issue(case, world.township_user)
    html = panel(world.teacher, load(case))
    assert "甲镇〔2025〕第1号" in html and "限期已过，未登记结果" in html
    assert reverse("cases:notice_detail", args=[notice.pk]) in html


# --- on a phone ------------------------------------------------------------------


@pytest.mark.browser
def test_a_township_clerk_issues_and_serves_a_notice_on_a_phone(
    world, live_server, phone, browser_login, tmp_path
):
    from ..conftest import PHONE

    case = reported(world.c_class, world.school_admin)
    receipt = tmp_path / "回执.png"
    receipt.write_bytes(png().read())

    def fits():
        return phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    browser_login(world.township_user)
    phone.get_by_role("link", name="通知书", exact=True).click()
    phone.wait_for_url("**/cases/notices/")
    assert phone.get_by_role("link", name="王小明").is_visible()
    assert fits()

    phone.get_by_role("link", name="签发通知书").click()
    phone.wait_for_url(f"**/cases/{case.pk}/notice/new/")
    assert phone.get_by_label("监护人").input_value() == "王大山"
    assert fits()
    phone.get_by_role("button", name="签发").click()

    year = timezone.localdate().year
    phone.get_by_role("heading", name=f"甲镇〔{year}〕第1号").wait_for()
    assert phone.get_by_text("待送达").is_visible()
    assert fits()

    phone.get_by_role("link", name="登记送达").click()
    phone.get_by_label("送达人").fill("镇干部甲")
    phone.get_by_label("见证人").fill("村干部乙")
    phone.get_by_label("签收回执").set_input_files(str(receipt))
    assert fits()
    phone.get_by_role("button", name="保存送达").click()

    phone.get_by_text("已送达，限期内").wait_for()
    assert phone.get_by_role("link", name="签收回执").is_visible()
    notice = ReturnNotice.objects.get()
    assert (notice.number, notice.server_name, notice.witness_name) == (1, "镇干部甲", "村干部乙")
    assert notice.served_on == timezone.localdate() and notice.receipt
    assert load(case).state == Case.State.NOTICE
    assert Todo.objects.get(case=case, kind=Kind.SERVICE).is_done
