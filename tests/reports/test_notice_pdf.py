"""The township's 《限期返校通知书》 as PDF (reports/pdf/): what it prints, who
may print it, the 预览 that consumes no number, and the batch command."""

import datetime
import re
import subprocess

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, NoticeCounter, PersuasionRecord, ReturnNotice
from cases.notices import draft_return_notice
from reports.pdf.notices import cn_date, notice_context
from students.models import AccessLog

from ..cases.notices_helpers import FRIDAY, Role, child_in, issue, member, reported


def pdf_text(data):
    """The PDF's text with the whitespace removed (CJK lines wrap anywhere)."""
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()
    return re.sub(r"\s+", "", out)


def page_count(data):
    info = subprocess.run(["pdfinfo", "-"], input=data, capture_output=True, check=True)
    return int(re.search(r"Pages:\s+(\d+)", info.stdout.decode())[1])


SINCE = datetime.date(2025, 11, 10)


@pytest.fixture
def issued(world):
    case = reported(world.c_class, world.school_admin)
    Case.objects.filter(pk=case.pk).update(first_absent_on=SINCE)
    return issue(case, world.township_user)


def test_the_printed_notice_carries_its_fields_and_no_id_number(world, login, issued):
    response = login(world.township_user).get(reverse("reports:notice_pdf", args=[issued.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    data = response.content
    text = pdf_text(data)
    child = world.c_class
    assert issued.number_label in text  # 发文字号, e.g. 甲府教〔2025〕1号
    assert "甲镇限期返校通知书" in text  # the township's name in the title
    assert "王大山（学生王小明的监护人）" in text  # the guardian as addressee
    assert "甲镇中心学校" + child.class_label in text
    assert f"自{cn_date(SINCE)}起无故未到校上课" in text  # unexcused since
    visits = PersuasionRecord.objects.filter(case=issued.case)
    assert visits.count() == 2
    for visit in visits:
        assert cn_date(timezone.localdate(visit.at)) in text
    assert f"于{cn_date(issued.return_deadline)}前送王小明返校" in text
    assert "《中华人民共和国义务教育法》第五十八条" in text
    assert "司法所" in text
    assert "甲镇人民政府（盖章）" in text and cn_date(FRIDAY) in text
    assert "沿此线剪开" in text and "送达回证" in text and "见证人" in text
    assert child.id_number not in text and child.father_phone not in text
    assert "13812345678" not in text  # the household's phone
    if page_count(data) > 1:
        assert "—1—" in text and "—2—" in text
    # the download is recorded
    log = AccessLog.objects.get(action=AccessLog.Action.DOWNLOAD, child=child)
    assert issued.number_label in log.detail and log.user == world.township_user


def test_the_notice_page_links_to_its_pdf(world, login, issued):
    page = login(world.township_user).get(reverse("cases:notice_detail", args=[issued.pk]))
    assert reverse("reports:notice_pdf", args=[issued.pk]) in page.content.decode()


def test_another_townships_user_gets_404_and_nothing_is_recorded(world, login, issued):
    other = member(Role.TOWNSHIP, township=world.t2)
    response = login(other).get(reverse("reports:notice_pdf", args=[issued.pk]))
    assert response.status_code == 404
    assert not AccessLog.objects.filter(action=AccessLog.Action.DOWNLOAD).exists()


def test_the_preview_shows_the_notice_without_consuming_a_number(world, login):
    case = reported(world.c_class, world.school_admin)
    client = login(world.township_user)
    issue_page = client.get(reverse("cases:notice_issue", args=[case.pk])).content.decode()
    preview_url = reverse("reports:notice_preview", args=[case.pk])
    assert preview_url in issue_page
    form = {"kind": "return", "guardian_name": "王大山", "issued_on": FRIDAY.isoformat()}
    response = client.post(preview_url, form)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "（签发后编号）" in text and "预览" in text
    assert "王大山（学生王小明的监护人）" in text and "送达回证" in text
    assert not ReturnNotice.objects.exists()
    assert not NoticeCounter.objects.filter(last_number__gt=0).exists()
    # issuing afterwards takes number 1: the preview used none
    response = client.post(reverse("cases:notice_issue", args=[case.pk]), form)
    assert response.status_code == 302
    assert ReturnNotice.objects.get(case=case).number == 1


def test_the_preview_is_only_for_the_issuing_township(world, login):
    case = reported(world.c_class, world.school_admin)
    form = {"kind": "return", "guardian_name": "王大山", "issued_on": FRIDAY.isoformat()}
    url = reverse("reports:notice_preview", args=[case.pk])
    assert login(world.school_admin).post(url, form).status_code == 404  # sees, may not issue
    assert login(member(Role.TOWNSHIP, township=world.t2)).post(url, form).status_code == 404


def test_print_form_puts_three_cases_notices_in_one_pdf(world, tmp_path):
    children = [world.c_class] + [child_in(world.v1, world.s1, n) for n in ("刘一", "陈二")]
    notices = [issue(reported(c, world.school_admin), world.township_user) for c in children]
    out = tmp_path / "notices.pdf"
    ids = ",".join(str(n.case_id) for n in notices)
    call_command("print_form", "限期返校通知书", "--case", ids, "--out", str(out))
    data = out.read_bytes()
    assert page_count(data) >= 3
    text = pdf_text(data)
    for n in notices:
        assert n.number_label in text and n.case.child.name in text
    assert text.count("送达回证") == 3
    assert not list(tmp_path.glob("*.part"))


def test_print_form_with_a_user_refuses_a_case_outside_their_reach(world, tmp_path, issued):
    other = member(Role.TOWNSHIP, township=world.t2)
    out = tmp_path / "notices.pdf"
    with pytest.raises(CommandError, match=f"个案 {issued.case_id} 不存在或不在用户“{other}"):
        call_command(
            "print_form",
            "限期返校通知书",
            "--case",
            str(issued.case_id),
            "--out",
            str(out),
            "--user",
            other.username,
        )
    assert not out.exists() and not list(tmp_path.iterdir())
    # the same case for its own township's user prints
    call_command(
        "print_form",
        "限期返校通知书",
        "--case",
        str(issued.case_id),
        "--out",
        str(out),
        "--user",
        world.township_user.username,
    )
    assert issued.number_label in pdf_text(out.read_bytes())


@pytest.mark.parametrize(
    "kind, title, order",
    [
        ("return", "甲镇限期返校通知书", "返校"),
        ("resume", "甲镇限期复学通知书", "复学"),
        ("enrol", "甲镇限期入学通知书", "入学"),
    ],
)
def test_each_kind_of_the_series_has_its_title_and_order(world, kind, title, order):
    case = reported(world.c_class, world.school_admin)
    draft = draft_return_notice(
        case=case, by=world.township_user, guardian_name="王大山", kind=kind, issued_on=FRIDAY
    )
    context = notice_context(draft, preview=True)
    assert (context["title"], context["order"]) == (title, order)
    assert context["number_label"] == "（签发后编号）"
    assert not ReturnNotice.objects.exists()
