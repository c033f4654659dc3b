"""The disposition pages: scoping, the county's approvals, refusals shown, no N+1."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases import dispositions as rules
from cases import services
from cases.models import Case, Disposition

from .dispositions_helpers import ON, D, K, approved_home_teaching, complete, fresh, png, start

# ---------------------------------------------------------------------------
# Pages: scoping, the county's approvals, refusals shown, no N+1
# ---------------------------------------------------------------------------


def test_pages_are_scoped_to_the_case_reach(world, case, login):
    d = start(world, case, K.SPECIAL_SCHOOL)
    urls = [
        reverse("cases:case_dispositions", args=[case.pk]),
        reverse("cases:disposition_detail", args=[case.pk, d.pk]),
    ]
    for url in urls:
        assert login(world.school_admin).get(url).status_code == 200
    c = login(world.nobody)
    for url in urls:
        assert c.get(url).status_code == 404
    assert c.post(reverse("cases:disposition_close", args=[case.pk, d.pk])).status_code == 404
    # a disposition of another case is not reachable through this case
    other = services.open_case_by_hand(child=world.c_t2, by=world.county_user)
    assert (
        login(world.county_user)
        .get(reverse("cases:disposition_detail", args=[other.pk, d.pk]))
        .status_code
        == 404
    )


def test_only_county_users_approve(world, case, login):
    d = complete(world, case, start(world, case, K.SUSPENSION))
    rules.submit_disposition(disposition=d, by=world.school_admin, on=ON)
    pending = reverse("cases:dispositions_pending")
    decide = reverse("cases:disposition_decide", args=[case.pk, d.pk])
    for user in (world.school_admin, world.township_user, world.sysadmin):
        c = login(user)
        assert c.get(pending).status_code == 403
        assert c.post(decide, {"decision": "approve"}).status_code == 403
    assert fresh(d).state == Disposition.State.PENDING
    c = login(world.county_user)
    page = c.get(pending).content.decode()
    assert world.c_class.name in page and "办理休学证明" in page
    c.post(decide, {"decision": "approve", "note": "同意", "next": "pending"})
    assert fresh(d).state == Disposition.State.APPROVED


def test_the_pending_page_makes_no_query_per_row(world, login):
    def add_pending(child):
        case = services.open_case_by_hand(child=child, by=world.county_user)
        d = start(world, case, K.SUSPENSION, by=world.sysadmin)
        Disposition.objects.filter(pk=d.pk).update(state=Disposition.State.PENDING)

    c = login(world.county_user)
    add_pending(world.c_class)
    with CaptureQueriesContext(connection) as one:
        assert c.get(reverse("cases:dispositions_pending")).status_code == 200
    add_pending(world.c_t2)
    add_pending(world.c_cross)
    with CaptureQueriesContext(connection) as three:
        page = c.get(reverse("cases:dispositions_pending")).content.decode()
    assert page.count("办理休学证明") == 3
    assert len(three) == len(one)


def test_the_pages_start_refuse_and_strike_off(world, case, login):
    c = login(world.school_admin)
    url = reverse("cases:disposition_start", args=[case.pk])
    r = c.post(url, {"kind": K.SPECIAL_SCHOOL}, follow=True)
    d = Disposition.objects.get(case=case)
    page = r.content.decode()
    assert "送读专门学校" in page and "销号前还需" in page and "学生本人同意书" in page
    r = c.post(reverse("cases:disposition_close", args=[case.pk, d.pk]), follow=True)
    assert "不能销号，尚缺：" in r.content.decode()
    evidence = reverse("cases:disposition_evidence", args=[case.pk, d.pk])
    for code in ("guardian_consent", "student_consent", "admission_form"):
        assert c.post(evidence, {"item": code, "file": png()}).status_code == 302
    r = c.post(evidence, {"item": "guardian_consent", "file": SimpleUploadedFile("a.exe", b"MZ")})
    assert "格式不支持" in r.content.decode()
    facts = reverse("cases:disposition_facts", args=[case.pk, d.pk])
    c.post(facts, {"school_name": "新仪学校", "guardian_consent": "不同意"})
    r = c.post(reverse("cases:disposition_close", args=[case.pk, d.pk]), follow=True)
    page = r.content.decode()
    assert "未填写牵头公安机关" in page and "家长（监护人）不同意送读专门学校" in page
    assert "未记录学生本人是否同意" in page and fresh(case).is_open
    c.post(
        facts,
        {
            "school_name": "新仪学校",
            "police_unit": "县公安局",
            "guardian_consent": "同意",
            "student_consent": "同意",
        },
    )
    r = c.post(reverse("cases:disposition_close", args=[case.pk, d.pk]))
    assert r.status_code == 302
    assert fresh(case).ending == Case.Ending.SPECIAL_SCHOOL


def test_the_session_page_from_a_phone(world, case, login):
    d = approved_home_teaching(world, case, D(2026, 11, 4))
    c = login(world.teacher)
    url = reverse("cases:disposition_session", args=[case.pk, d.pk])
    assert "0 / 80 学时" in c.get(url).content.decode()
    today = timezone.localdate()
    r = c.post(url, {"date": today, "hours": "1", "teachers": "李老师", "content": "康复训练"})
    assert "每次送教不少于2个学时" in r.content.decode()
    r = c.post(
        url,
        {
            "date": today,
            "hours": "2.5",
            "teachers": "李老师",
            "content": "康复训练",
            "photo": png(),
        },
    )
    assert r.status_code == 302 and d.sessions.get().hours == 2.5
    detail = c.get(reverse("cases:disposition_detail", args=[case.pk, d.pk])).content.decode()
    assert "2.5 / 80 学时" in detail
    assert login(world.village_user).get(url).status_code == 403


def test_the_case_page_offers_dispositions_and_endings(world, case, login):
    c = login(world.township_user)
    page = c.get(reverse("cases:case_dispositions", args=[case.pk])).content.decode()
    assert "启动处置" in page and "移交县级核处" in page and "办理休学证明" not in page
    assert "登记接收学校" in page
    r = c.post(
        reverse("cases:ending_destination", args=[case.pk]),
        {"ending": Case.Ending.TRANSFERRED, "school_name": "城关二中", "place": "某县"},
        follow=True,
    )
    assert "已确认在读" in r.content.decode()  # the confirmation step is offered
    r = c.post(
        reverse("cases:ending_close", args=[case.pk]),
        {"ending": Case.Ending.TRANSFERRED, "note": "已办手续"},
        follow=True,
    )
    assert "接收学校尚未确认在读" in r.content.decode()
