"""The dispositions as 000 附件1 writes them (issue 10, points 10–13): who each
is for (the child's disability details), when ① applies (the suspected-dropout
period in 初三下期 by the county's calendar), who approves ⑤ (the county's
leading group, with its evidence) and what ⑥ needs before it ends."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from cases import dispositions as rules
from cases.models import Case, Disposition, PersuasionRecord, ReturnNotice, Term, Todo
from cases.retention import CHILD_ERASE
from students.models import Child, JurisdictionSettings

from .dispositions_helpers import ON, D, K, at, complete, fresh, joint, png, refused, start

SEVERE = {
    "is_disabled": True,
    "disability_category": Child.DisabilityCategory.INTELLECTUAL,
    "disability_grade": 2,
    "disability_certified": True,
    "disability_self_care": Child.SelfCare.NONE,
    "disability_learning": Child.Learning.PARTIAL,
}


def _child(case, **values):
    Child.objects.filter(pk=case.child_id).update(**values)
    return Case.objects.select_related("child__village__township").get(pk=case.pk)


def _start(world, case, kind, on=ON):
    return rules.start_disposition(case=case, kind=kind, by=world.school_admin, on=on)


# ---------------------------------------------------------------------------
# 10. 送教上门 / 免学 / 缓学: the child's disability details
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "change, reason",
    [
        ({"disability_grade": 3}, "送教上门仅限重度残疾（残疾人证一级或二级）：该生残疾等级为三级"),
        ({"disability_grade": None}, "未登记残疾等级"),
        ({"disability_certified": False}, "送教上门须持二级以上残疾人证"),
        (
            {"disability_self_care": Child.SelfCare.BASIC},
            "送教上门仅限无基本的生活自理能力的重度残疾儿童：该生有基本的生活自理能力",
        ),
        ({"disability_self_care": ""}, "学生档案未登记生活自理能力"),
        (
            {"disability_learning": Child.Learning.LOST},
            "该生已经完全丧失学习能力：应申请办理免学",
        ),
    ],
)
def test_home_teaching_only_for_a_certified_severe_disability_without_self_care(
    world, case, change, reason
):
    case = _child(case, **{**SEVERE, **change})
    assert reason in refused(_start, world=world, case=case, kind=K.HOME_TEACHING)
    assert fresh(case).state == Case.State.OPEN and not Disposition.objects.exists()


def test_home_teaching_starts_for_the_child_000_describes_and_is_rechecked_at_submit(world, case):
    d = _start(world, _child(case, **SEVERE), K.HOME_TEACHING)
    # The roster changes meanwhile (self-care regained): the submission is refused.
    Child.objects.filter(pk=case.child_id).update(disability_self_care=Child.SelfCare.BASIC)
    d = Disposition.objects.select_related("case__child").get(pk=d.pk)
    assert "有基本的生活自理能力" in refused(
        rules.submit_disposition, disposition=d, by=world.school_admin, on=ON
    )


def test_exemption_only_when_learning_ability_is_entirely_lost(world, case):
    case = _child(case, **SEVERE)  # some learning ability left
    assert "免学仅限已经完全丧失学习能力的重度残疾少年儿童：该生未完全丧失学习能力" in refused(
        _start, world=world, case=case, kind=K.EXEMPTION
    )
    case = _child(case, disability_learning=Child.Learning.LOST, disability_grade=4)
    assert "免学仅限重度残疾" in refused(_start, world=world, case=case, kind=K.EXEMPTION)
    case = _child(case, disability_grade=1)
    assert _start(world, case, K.EXEMPTION).kind == K.EXEMPTION


def test_deferral_only_for_a_child_in_rehabilitation(world, case):
    case = _child(case, is_disabled=True, disability_grade=4)
    assert "缓学仅限正在康复治疗中的残疾少年儿童" in refused(
        _start, world=world, case=case, kind=K.DEFERRAL
    )
    case = _child(case, in_rehabilitation=True)
    assert _start(world, case, K.DEFERRAL).kind == K.DEFERRAL


def test_disability_details_are_sensitive(world, login):
    child = world.c_class
    for name, value in SEVERE.items():
        setattr(child, name, value)
    child.full_clean()
    child.save()
    url = reverse("child_detail", args=[child.pk])
    teacher = login(world.teacher).get(url).content.decode()
    assert "残疾" in teacher and "二级" not in teacher and "无基本的生活自理能力" not in teacher
    office = login(world.township_user).get(url).content.decode()
    assert "智力残疾，二级，持残疾人证，无基本的生活自理能力，未完全丧失学习能力" in office
    # History keeps who changed them, masked like ID numbers (the admin too).
    child.disability_grade = 1
    child._change_reason = "复评"
    child.save()
    office = login(world.township_user).get(url).content.decode()
    assert "复评" in office and "（已登记，不显示）" in office
    assert {"disability_certified", "disability_self_care", "disability_learning"} <= set(
        CHILD_ERASE
    )
    # Details without the 残疾 tag are refused.
    other = world.c_t2
    other.in_rehabilitation = True
    with pytest.raises(ValidationError, match="请勾选"):
        other.full_clean()


# ---------------------------------------------------------------------------
# 11. 毕业证 (①): when the child was a suspected dropout, not when it is entered
# ---------------------------------------------------------------------------


@pytest.fixture
def calendar(world):
    """The county's terms: 2025 autumn, 2026 spring (2 March – 10 July), 2026 autumn."""
    for name, first, last in [
        ("2025年秋季学期", D(2025, 9, 1), D(2026, 1, 16)),
        ("2026年春季学期", D(2026, 3, 2), D(2026, 7, 10)),
        ("2026年秋季学期", D(2026, 9, 1), D(2027, 1, 22)),
    ]:
        Term.objects.create(county=world.county, name=name, start=first, end=last)


def _grade_nine_case(case, first_absent_on):
    Case.objects.filter(pk=case.pk).update(first_absent_on=first_absent_on)
    return _child(case, grade=9)


def test_graduation_counts_the_suspected_dropout_period_even_entered_after_the_term(
    world, case, calendar
):
    # First absent in the spring term of grade 9; the disposition is entered in October.
    case = _grade_nine_case(case, D(2026, 4, 13))
    d = _start(world, case, K.GRADUATION, on=D(2026, 10, 15))
    assert d.kind == K.GRADUATION


@pytest.mark.parametrize(
    "first_absent_on, entered_on",
    [
        (D(2026, 10, 12), D(2026, 12, 1)),  # autumn only
        (D(2026, 7, 20), D(2026, 8, 20)),  # after the spring term ended (a summer month)
    ],
)
def test_graduation_refused_when_the_period_missed_the_second_term(
    world, case, calendar, first_absent_on, entered_on
):
    case = _grade_nine_case(case, first_absent_on)
    text = refused(_start, world=world, case=case, kind=K.GRADUATION, on=entered_on)
    assert "仅限初三下学期疑似辍学的学生办理" in text
    assert f"该生自{first_absent_on.year}年{first_absent_on.month}月" in text


def test_graduation_for_a_child_out_since_autumn_and_still_out_in_spring(world, case, calendar):
    case = _grade_nine_case(case, D(2025, 11, 3))
    assert _start(world, case, K.GRADUATION, on=D(2026, 3, 20)).kind == K.GRADUATION


# ---------------------------------------------------------------------------
# 12. 移交县级核处 (⑤): the county's leading group approves, with its evidence
# ---------------------------------------------------------------------------


def _resume_notice(world, case, kind=ReturnNotice.Kind.RESUME, number=7):
    return ReturnNotice.objects.create(
        case=case,
        kind=kind,
        township=world.t1,
        year=2026,
        number=number,
        issued_on=D(2026, 2, 10),
        return_deadline=D(2026, 2, 13),
        guardian_name="王大山",
        legal_basis="义务教育法",
        issued_by=world.township_user,
    )


def test_county_review_is_approved_by_the_leading_group_named_by_the_county(world, case, login):
    JurisdictionSettings.objects.create(
        county=world.county, rural_group_name="测试县委农村工作暨实施乡村振兴战略领导小组"
    )
    d = complete(world, case, start(world, case, K.COUNTY_REVIEW, by=world.township_user))
    _resume_notice(world, case)
    rules.submit_disposition(disposition=d, by=world.township_user, on=ON)
    assert "提交测试县委农村工作暨实施乡村振兴战略领导小组审批" in case.events.last().note

    # The approval to-do is the group's, on its home page; not the bureau's.
    todo = Todo.objects.get(case=case, kind=Todo.Kind.APPROVAL)
    assert (todo.role, todo.county_id) == ("rural_group", world.county.pk)
    assert "审批王小明的移交县级核处申请" in login(world.rural_group).get("/").content.decode()
    assert "审批王小明的移交县级核处申请" not in login(world.county_user).get("/").content.decode()

    pending = reverse("cases:dispositions_pending")
    decide = reverse("cases:disposition_decide", args=[case.pk, d.pk])
    bureau = login(world.county_user)
    assert "移交县级核处" not in bureau.get(pending).content.decode()
    assert bureau.post(decide, {"decision": "approve"}).status_code == 403
    with pytest.raises(PermissionDenied, match="只有测试县委农村工作暨实施乡村振兴战略领导小组"):
        rules.decide_disposition(disposition=fresh(d), approve=True, by=world.county_user)

    group = login(world.rural_group)
    assert "移交县级核处" in group.get(pending).content.decode()
    group.post(decide, {"decision": "approve", "note": "核实同意", "next": "pending"})
    assert fresh(d).state == Disposition.State.APPROVED
    assert fresh(todo).done_at is not None


def test_the_leading_group_approves_nothing_else(world, case):
    d = complete(world, case, start(world, case, K.SUSPENSION))
    rules.submit_disposition(disposition=d, by=world.school_admin, on=ON)
    with pytest.raises(PermissionDenied):
        rules.decide_disposition(disposition=fresh(d), approve=True, by=world.rural_group)
    rules.decide_disposition(disposition=fresh(d), approve=True, by=world.county_user)


def test_county_review_is_not_approved_without_its_evidence(world, case):
    d = start(world, case, K.COUNTY_REVIEW, by=world.township_user)
    # A file sent before its papers were complete (or whose records were struck out).
    Disposition.objects.filter(pk=d.pk).update(state=Disposition.State.PENDING)
    joint(case, D(2026, 3, 2))
    joint(case, D(2026, 3, 9), present=False)  # the student not there: does not count
    _resume_notice(world, case, kind=ReturnNotice.Kind.RETURN, number=8)  # not a 限期复学通知书
    text = refused(
        rules.decide_disposition, disposition=fresh(d), approve=True, by=world.rural_group
    )
    assert "缺少：限期复学通知书" in text
    assert "至少3次联合劝返记录（能证明学生本人在场）（现有1次）" in text
    assert fresh(d).state == Disposition.State.PENDING


def test_after_approval_only_joint_visits_with_the_child_present_keep_the_month(world, case):
    d = complete(world, case, start(world, case, K.COUNTY_REVIEW, by=world.township_user))
    _resume_notice(world, case)
    rules.submit_disposition(disposition=d, by=world.township_user, on=ON)
    rules.decide_disposition(disposition=fresh(d), approve=True, by=world.rural_group)
    Disposition.objects.filter(pk=d.pk).update(decided_at=at(D(2026, 6, 10)))
    rules.close_disposition(disposition=fresh(d), by=world.township_user, on=ON)
    joint(case, D(2026, 7, 8), present=False)  # not present
    PersuasionRecord.objects.create(  # present, but a phone call by the school alone
        case=case,
        at=at(D(2026, 7, 15)),
        method=PersuasionRecord.Method.PHONE,
        student_present=True,
        process="电话",
        recorded_by=world.school_admin,
    )
    rules.daily_followups(county=world.county, on=D(2026, 8, 3))
    todo = Todo.objects.get(case=case, kind=Todo.Kind.FOLLOW_UP)
    assert todo.key == "fu-2026-07" and todo.role == "township"


# ---------------------------------------------------------------------------
# 13. 送读专门学校 (⑥): both consents and the police unit before it ends
# ---------------------------------------------------------------------------


def test_special_school_cannot_end_without_both_consents_and_the_police_unit(world, case):
    by = world.township_user
    d = start(world, case, K.SPECIAL_SCHOOL, by=by)
    for code in ("guardian_consent", "student_consent", "admission_form"):
        rules.add_evidence(disposition=d, item=code, file=png(), by=by)
    rules.save_facts(disposition=d, facts={"school_name": "新仪学校"}, by=by)
    text = refused(rules.close_disposition, disposition=fresh(d), by=by, on=ON)
    assert "未填写牵头公安机关（送读专门学校由公安局牵头）" in text
    assert "未记录家长（监护人）是否同意送读专门学校" in text
    assert "未记录学生本人是否同意送读专门学校" in text
    facts = {
        "school_name": "新仪学校",
        "police_unit": "县公安局",
        "guardian_consent": "同意",
        "student_consent": "不同意",
    }
    rules.save_facts(disposition=fresh(d), facts=facts, by=by)
    text = refused(rules.close_disposition, disposition=fresh(d), by=by, on=ON)
    assert text == "学生本人不同意送读专门学校：须经家长、本人同意"
    assert fresh(case).is_open
    rules.save_facts(disposition=fresh(d), facts={**facts, "student_consent": "同意"}, by=by)
    rules.close_disposition(disposition=fresh(d), by=by, on=ON)
    assert fresh(case).ending == Case.Ending.SPECIAL_SCHOOL
    assert "牵头公安机关：县公安局" in " ".join(case.events.values_list("note", flat=True))
