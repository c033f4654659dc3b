"""A notice after it is issued: service, outcome, overdue flags, the page's cost,
the case panel, and serving one from a phone."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from cases import notices
from cases.models import Case, CaseEvent, ReturnNotice, Todo

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
from .persuasion_helpers import open_case_for, png

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
    assert html.count("甲府教〔2025〕") == 4
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
    # day 0, nothing on record: the school sees the step, disabled, and why
    html = panel(world.school_admin, case)
    assert '<button type="button" disabled>报送辍学情况报告单</button>' in html
    assert "升级阶梯尚未到" in html and report_url not in html
    case = ready_to_report(case)
    assert report_url in panel(world.school_admin, case)
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
    assert "甲府教〔2025〕1号" in html and "限期已过，未登记结果" in html
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
    # the school's report in the township's inbox, and the child to issue for
    assert phone.locator("#addressed").get_by_role("link", name="王小明").is_visible()
    assert phone.locator("#to-issue").get_by_role("link", name="王小明").is_visible()
    assert fits()

    phone.get_by_role("link", name="签发通知书").click()
    phone.wait_for_url(f"**/cases/{case.pk}/notice/new/")
    assert phone.get_by_label("监护人").input_value() == "王大山"
    assert fits()
    phone.get_by_role("button", name="签发").click()

    year = timezone.localdate().year
    phone.get_by_role("heading", name=f"甲府教〔{year}〕1号").wait_for()
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
