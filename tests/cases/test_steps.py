"""Steps that cannot be skipped (issue 10, points 6, 14, 15).

The school's report only once the county's ladder reached its report step
and the school's and the village's persuasion are on record (004 四(二),
001 附件1); the 《限期返校通知书》 only after a report; "拒不送学，移交司法所"
only after the deadline; a township acting early says why, and it shows on
the case and in its ledger. 001's ladder ends with the school's one-week
escalation and reports to three offices. Notice numbers are 发文字号
(GB/T 9704) with the township's 机关代字.
"""

import datetime
import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from cases import notices
from cases.ladder.scan import run_daily_checks
from cases.models import (
    Absence,
    Case,
    ClassRollCall,
    DropoutReport,
    ReportRecipient,
    ReturnNotice,
    StepOverride,
    Term,
    Todo,
)
from students.models import Child, JurisdictionSettings, LadderPreset
from students.selectors import settings_for

from .notices_helpers import (
    FRIDAY,
    issue,
    load,
    member,
    persuade,
    reach_step,
    ready_to_report,
    reported,
)
from .persuasion_helpers import open_case_for
from .test_notice_service import served

D = datetime.date
# Five school days in a row (Mon 2026-11-16 … Fri 11-20), all in the past.
WEEK = [D(2026, 11, 16), D(2026, 11, 17), D(2026, 11, 18), D(2026, 11, 19), D(2026, 11, 20)]
REPORT_FORM = {
    "filed_on": "2026-11-20",
    "recipients": "甲镇人民政府",
    "summary": "劝学未果。",
}


@pytest.fixture
def term(world):
    return Term.objects.create(
        county=world.county, name="2026年秋季学期", start=D(2026, 9, 1), end=D(2027, 1, 20)
    )


def absent_for(world, days, child=None):
    """王小明's class takes attendance each day, the child absent; the daily
    scan runs: the case opens and climbs the county's ladder."""
    child = child or world.c_class
    for day in days:
        ClassRollCall.objects.get_or_create(school=world.s1, grade=5, class_name="1班", date=day)
        Absence.objects.update_or_create(
            child=child, date=day, defaults={"kind": Absence.Kind.UNEXCUSED}
        )
        run_daily_checks(on=day, county=world.county)
    return load(Case.objects.get(child=child))


# --- point 6: the report ----------------------------------------------------------


def test_the_report_is_refused_on_day_one_with_the_reason(world, term, login):
    case = absent_for(world, WEEK[:1])
    assert (case.stage, case.streak) == (1, 1)
    with pytest.raises(ValidationError) as e:
        notices.file_report(case=case, by=world.school_admin, recipients="甲镇", summary="未果")
    reason = "须连续无故缺课5个上学日（目前1个上学日）"
    assert any(reason in m for m in e.value.messages)
    assert any("尚无“电话联系监护人”的劝学记录" in m for m in e.value.messages)

    client = login(world.school_admin)
    url = reverse("cases:report_file", args=[case.pk])
    page = client.get(url).content.decode()
    assert "暂不能报送" in page and reason in page
    assert 'name="summary"' not in page  # no form to fill
    detail = client.get(case.get_absolute_url()).content.decode()
    assert '<button type="button" disabled>报送辍学情况报告单</button>' in detail
    assert f'href="{url}"' not in detail

    response = client.post(url, REPORT_FORM)
    assert response.status_code == 200 and reason in response.content.decode()
    assert load(case).state == Case.State.OPEN
    assert not DropoutReport.objects.exists()
    assert not Todo.objects.filter(kind=Todo.Kind.NOTICE).exists()


def test_the_report_needs_the_villages_visit_on_record(world, term, login):
    case = absent_for(world, WEEK)
    assert case.stage == 4  # call, school visit, village visit, report
    persuade(case, world.teacher, "phone", [("班主任甲", "school")])
    persuade(case, world.school_admin, "home_visit", [("德育主任乙", "school")])
    with pytest.raises(ValidationError) as e:
        notices.file_report(case=load(case), by=world.school_admin, recipients="甲", summary="x")
    assert e.value.messages == [
        "尚无“村（社区）入户协助劝返”的劝学记录（第3个上学日：村（社区）书记牵头，网格员、"
        "村干部入户核查辍学原因，配合学校制定保学方案），不能报送辍学情况报告单。"
    ]

    persuade(case, world.village_user, "home_visit", [("村支书丙", "village")])
    client = login(world.school_admin)
    page = client.get(reverse("cases:report_file", args=[case.pk])).content.decode()
    # the prefilled sentence counts the real records: three
    assert "经学校和村（社区）工作人员3次劝学未果" in page and "暂不能报送" not in page
    response = client.post(reverse("cases:report_file", args=[case.pk]), REPORT_FORM)
    assert response.status_code == 302
    assert load(case).state == Case.State.REPORTED


def test_records_of_an_earlier_episode_do_not_count(world):
    case = open_case_for(world.c_class)
    ready_to_report(case)
    Case.objects.filter(pk=case.pk).update(first_absent_on=D(2026, 11, 30))
    from cases.models import PersuasionRecord

    earlier = timezone.make_aware(datetime.datetime(2026, 11, 2, 9, 0))
    PersuasionRecord.objects.filter(case=case).update(at=earlier)
    with pytest.raises(ValidationError, match="尚无“电话联系监护人”的劝学记录"):
        notices.file_report(case=load(case), by=world.school_admin, recipients="甲", summary="x")


# --- point 6: the notices ------------------------------------------------------------


def test_no_return_notice_without_a_filed_report(world, login):
    case = ready_to_report(open_case_for(world.c_class))  # the school could report, has not
    with pytest.raises(ValidationError, match="学校尚未报送辍学情况报告单"):
        issue(case, world.township_user)
    client = login(world.township_user)
    detail = client.get(case.get_absolute_url()).content.decode()
    assert '<button type="button" disabled>签发限期返校通知书</button>' in detail
    response = client.post(
        reverse("cases:notice_issue", args=[case.pk]),
        {"kind": "return", "guardian_name": "王大山", "issued_on": FRIDAY.isoformat()},
    )
    assert response.status_code == 200 and "学校尚未报送辍学情况报告单" in response.content.decode()
    assert not ReturnNotice.objects.exists()
    assert load(case).state == Case.State.OPEN


def test_resume_notice_after_a_report_or_in_disposition_one_or_five(world):
    case = load(open_case_for(world.c_class))
    assert notices.rules.unmet_preconditions(case, "notice", "resume")
    from cases.models import Disposition

    Disposition.objects.create(case=case, kind="county_review", requested_by=world.school_admin)
    assert notices.rules.unmet_preconditions(case, "notice", "resume") == []
    notice = notices.issue_return_notice(
        case=case, by=world.township_user, guardian_name="王大山", kind="resume", issued_on=FRIDAY
    )
    assert (notice.kind, notice.title) == ("resume", "《限期复学通知书》")


def test_enrol_notice_follows_any_ladder_with_a_notice_step(world):
    ladder = [
        {"day": 1, "todo": "village_visit", "role": "village", "due": 0, "action": "村入户"},
        {"day": 1, "todo": "notice", "role": "township", "due": 0, "action": "限期入学"},
    ]
    JurisdictionSettings.objects.create(county=world.county, ladder=ladder)
    case = load(open_case_for(world.c_v2_no_school))
    reasons = notices.rules.unmet_preconditions(case, "notice", "enrol")
    assert any("升级阶梯尚未到“限期入学”这一步" in r for r in reasons)
    assert any("尚无“村（社区）入户协助劝返”的劝学记录" in r for r in reasons)
    case = reach_step(case, "notice")
    v2_user = member("village", village=world.v2)
    persuade(case, v2_user, "home_visit", [("村支书", "village")])
    assert notices.rules.unmet_preconditions(load(case), "notice", "enrol") == []
    notice = notices.issue_return_notice(
        case=load(case),
        by=world.township_user,
        guardian_name="张父",
        kind="enrol",
        issued_on=FRIDAY,
    )
    assert notice.title == "《限期入学通知书》" and load(case).state == Case.State.NOTICE


def test_refused_goes_to_the_legal_office_only_after_the_deadline(world):
    notice = issue(reported(world.c_class, world.school_admin), world.township_user)
    served(notice, world.township_user)
    assert notice.return_deadline == D(2025, 11, 26)
    with pytest.raises(ValidationError) as e:
        notices.record_outcome(
            notice=notice, by=world.township_user, outcome="refused", outcome_on=D(2025, 11, 26)
        )
    assert "限期（2025-11-26）尚未届满" in e.value.message_dict["outcome"][0]
    assert not Todo.objects.filter(kind=Todo.Kind.LEGAL_EDUCATION).exists()
    notices.record_outcome(
        notice=notice, by=world.township_user, outcome="refused", outcome_on=D(2025, 11, 27)
    )
    assert Todo.objects.filter(kind=Todo.Kind.LEGAL_EDUCATION).count() == 1


# --- point 6: the township's override --------------------------------------------------


def test_a_township_override_with_a_reason_shows_on_case_and_ledger(world, term, login):
    case = absent_for(world, WEEK[:3])
    assert load(case).child.status == Child.Status.SUSPECTED_DROPOUT
    url = reverse("cases:step_override", args=[case.pk])
    # only the township office of where the child lives
    for user in (world.school_admin, world.county_user, world.teacher):
        assert login(user).get(url).status_code == 404
    with pytest.raises(ValidationError, match="乡镇控辍办"):
        notices.override_step(case=case, action="notice", reason="学生已外出", by=world.county_user)

    client = login(world.township_user)
    assert "请写明" in client.post(url, {"action": "notice", "reason": " "}).content.decode()
    reason = "学生已随父母离开本地，存在安全隐患"
    assert client.post(url, {"action": "notice", "reason": reason}).status_code == 302
    override = StepOverride.objects.get()
    assert (override.by, override.action) == (world.township_user, "notice")
    assert (
        override.history.count() == 1 and override.history.get().history_user == world.township_user
    )

    # the notice without a report, now the township has said why
    response = client.post(
        reverse("cases:notice_issue", args=[case.pk]),
        {"kind": "return", "guardian_name": "王大山", "issued_on": "2026-11-18"},
    )
    assert response.status_code == 302
    assert load(case).state == Case.State.NOTICE
    # the report's own preconditions are not lifted by a notice override
    assert notices.rules.unmet_preconditions(load(case), "report")

    detail = client.get(case.get_absolute_url()).content.decode()
    assert "提前签发限期通知书" in detail and reason in detail
    assert "乡镇决定提前“签发限期通知书”" in detail  # the timeline
    ledger = client.get(reverse("reports:child_ledger", args=["suspected-dropout"]))
    assert f"乡镇提前处置（签发限期通知书）：{reason}" in ledger.content.decode()


def test_issuing_early_with_a_reason_records_the_override(world):
    case = load(open_case_for(world.c_class))
    with pytest.raises(ValidationError, match="学校尚未报送"):
        issue(case, world.township_user)
    notice = notices.issue_return_notice(
        case=case,
        by=world.township_user,
        guardian_name="王大山",
        override_reason="监护人带学生外出务工，须立即介入",
        issued_on=FRIDAY,
    )
    assert notice.kind == "return"
    assert StepOverride.objects.get(case=case).reason == "监护人带学生外出务工，须立即介入"
    with pytest.raises(ValidationError, match="乡镇控辍办"):
        notices.issue_return_notice(
            case=load(open_case_for(world.c_s1_other_class)),
            by=world.school_admin,
            guardian_name="李父",
            override_reason="学校想提前",
            issued_on=FRIDAY,
        )


# --- point 14: the 001 preset ------------------------------------------------------------


def test_the_001_preset_ends_with_the_schools_one_week_escalation(db):
    steps = LadderPreset.objects.get(key="001").steps
    assert [(s["day"], s["todo"], s["role"]) for s in steps[-2:]] == [
        (5, "report", "school_admin"),
        (7, "escalate", "school_admin"),
    ]
    assert "一周仍未返校" in steps[-1]["action"] and "逐级向上反映" in steps[-1]["action"]
    assert steps[-2]["recipients"] == ["bureau", "inspectorate", "township"]


def test_the_migration_updates_unedited_001_ladders_only(world):
    migration = importlib.import_module(
        "students.migrations.0014_ladder_001_one_week_school_escalation"
    )
    LadderPreset.objects.filter(key="001").update(
        steps=migration.OLD_STEPS, label=migration.OLD_LABEL
    )
    plain = JurisdictionSettings.objects.create(county=world.county, ladder=migration.OLD_STEPS)
    edited_steps = [dict(s, action="县里改过") for s in migration.OLD_STEPS]
    edited = JurisdictionSettings.objects.create(
        county=world.county, township=world.t2, ladder=edited_steps
    )
    migration.forwards(apps, None)
    plain.refresh_from_db()
    edited.refresh_from_db()
    assert plain.ladder == migration.NEW_STEPS and edited.ladder == edited_steps
    assert LadderPreset.objects.get(key="001").steps == migration.NEW_STEPS
    migration.backwards(apps, None)
    plain.refresh_from_db()
    assert plain.ladder == migration.OLD_STEPS


def test_a_report_under_001_reaches_three_inboxes(world, login):
    preset = LadderPreset.objects.get(key="001")
    JurisdictionSettings.objects.create(county=world.county, ladder=preset.steps)
    case = ready_to_report(open_case_for(world.c_class))
    client = login(world.school_admin)
    page = client.get(reverse("cases:report_file", args=[case.pk])).content.decode()
    three = "测试县教育局（教育股）、测试县人民政府教育督导室、甲镇人民政府"
    assert three in page  # prefilled
    client.post(reverse("cases:report_file", args=[case.pk]), {**REPORT_FORM, "recipients": three})
    report = DropoutReport.objects.get(case=case)
    assert [(r.office, r.name) for r in report.addressees.all()] == [
        ("bureau", "测试县教育局（教育股）"),
        ("inspectorate", "测试县人民政府教育督导室"),
        ("township", "甲镇人民政府"),
    ]

    def inbox(user):
        html = login(user).get(reverse("cases:notice_list")).content.decode()
        return html.split('id="addressed"')[1].split("</section>")[0]

    township = inbox(world.township_user)
    assert "王小明" in township and "报送 甲镇人民政府" in township
    assert "督导室" not in township
    county = inbox(world.county_user)
    assert "报送 测试县教育局（教育股）" in county
    assert "报送 测试县人民政府教育督导室" in county
    t2_user = member("township", township=world.t2)
    assert "王小明" not in inbox(t2_user)


def test_a_report_under_004_goes_to_the_township_only(world):
    case = reported(world.c_class, world.school_admin)
    assert list(
        ReportRecipient.objects.filter(report__case=case).values_list("name", flat=True)
    ) == ["甲镇人民政府"]


# --- point 15: 发文字号 --------------------------------------------------------------------


def test_notice_numbers_are_gbt_9704_with_the_townships_prefix(world, login):
    type(world.t1).objects.filter(pk=world.t1.pk).update(name="蛟潭镇")
    world.t1.refresh_from_db()
    assert settings_for(township=world.t1).document_prefix == ""
    first = issue(
        reported(world.c_class, world.school_admin), world.township_user, on=D(2026, 11, 20)
    )
    assert first.number_label == "蛟府教〔2026〕1号"  # the default from the name

    # the township sets its own 机关代字 on /settings/
    client = login(world.township_user)
    page = client.get(reverse("jurisdiction_settings")).content.decode()
    assert "机关代字" in page
    assert (
        "机关代字"
        not in login(world.county_user).get(reverse("jurisdiction_settings")).content.decode()
    )
    key = f"township-{world.t1.pk}"
    form = {
        "ladder_preset": "004",
        **{
            f: getattr(settings_for(township=world.t1), f)
            for f in JurisdictionSettings.EDITABLE_FIELDS
            if f not in ("notice_fine_clause", "document_prefix")
        },
        "document_prefix": "蛟镇府教",
    }
    client = login(world.township_user)
    response = client.post(
        reverse("jurisdiction_settings"),
        {"block": key, **{f"{key}-{k}": v for k, v in form.items()}},
    )
    assert response.status_code == 302
    second = issue(
        reported(world.c_s1_other_class, world.school_admin),
        world.township_user,
        on=D(2026, 11, 20),
    )
    assert second.number_label == "蛟镇府教〔2026〕2号"  # one series, no 第, no zeros
    first.refresh_from_db()
    assert first.number_label == "蛟府教〔2026〕1号"  # an issued number never changes
    html = client.get(reverse("cases:notice_list"), {"show": "all"}).content.decode()
    assert "蛟镇府教〔2026〕2号" in html and "第" not in html.split('id="issued"')[1]
    event = load(second.case).events.get(action="issue_notice")
    assert "蛟镇府教〔2026〕2号" in event.note


def test_a_prefix_with_brackets_or_numbers_is_refused(world):
    with pytest.raises(ValidationError) as e:
        JurisdictionSettings(
            county=world.county, township=world.t1, document_prefix="蛟府教〔2026〕"
        ).full_clean()
    assert "document_prefix" in e.value.message_dict
