"""六处置 (000 附件1): refused while the rule or the evidence (000 附件3) has a
gap — the refusal names it — and struck off when complete, the child's 入学状态
following; the county approves four of them."""

import pytest
from django.core.exceptions import PermissionDenied

from cases import dispositions as rules
from cases.models import Case, Disposition, Participant, ReturnNotice, Todo
from students.models import Child

from .dispositions_helpers import ON, D, K, complete, fresh, joint, refused, start, upload

# ---------------------------------------------------------------------------
# Each disposition: complete → struck off with its ending; the county approves four
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("kind", K.values)
def test_each_disposition_closes_when_complete_and_the_child_status_follows(world, case, kind):
    d = complete(world, case, start(world, case, kind))
    rule = rules.REGISTRY[kind]
    assert fresh(case).state == Case.State.DISPOSING
    if rule.county_approves:
        # 移交县级核处 is approved by the county's leading group, the other four by the bureau.
        by_group = kind == K.COUNTY_REVIEW
        approver = world.rural_group if by_group else world.county_user
        other = world.county_user if by_group else world.rural_group
        office = "县委农村工作暨实施乡村振兴战略领导小组" if by_group else "县教育局"
        assert f"尚未经{office}审批同意" in refused(
            rules.close_disposition, disposition=d, by=world.school_admin, on=ON
        )
        rules.submit_disposition(disposition=d, by=world.school_admin, on=ON)
        todo = Todo.objects.get(case=case, kind=Todo.Kind.APPROVAL)
        role = "rural_group" if by_group else "county"
        assert (todo.role, todo.county_id, todo.done_at) == (role, world.county.pk, None)
        for not_theirs in (world.school_admin, world.sysadmin, other):  # nor IT administrators
            with pytest.raises(PermissionDenied):
                rules.decide_disposition(disposition=d, approve=True, by=not_theirs)
        rules.decide_disposition(disposition=d, approve=True, by=approver, note="同意")
        assert fresh(todo).done_at is not None
    else:
        assert "不需县教育局审批" in refused(
            rules.submit_disposition, disposition=d, by=world.school_admin, on=ON
        )
    rules.close_disposition(disposition=fresh(d), by=world.school_admin, on=ON)
    case = fresh(case)
    assert (case.state, case.ending) == (Case.State.CLOSED, rule.ending)
    assert fresh(d).state == Disposition.State.DONE
    assert fresh(case.child).status == rule.status
    assert not case.todos.filter(done_at__isnull=True).exclude(kind__in=rules.ONGOING_TODO_KINDS)


def test_the_registry_is_complete_and_the_four_need_the_county(db):
    approving = {k for k, r in rules.REGISTRY.items() if r.county_approves}
    assert approving == {K.SUSPENSION, K.HOME_TEACHING, K.EXEMPTION, K.DEFERRAL, K.COUNTY_REVIEW}
    assert rules.REGISTRY[K.HOME_TEACHING].status == Child.Status.HOME_TEACHING  # keeps 学籍
    for rule in rules.REGISTRY.values():
        assert rule.evidence and all(e.label for e in rule.evidence)


# ---------------------------------------------------------------------------
# The rules, each refused naming what is missing
# ---------------------------------------------------------------------------


def test_graduation_only_in_the_spring_term_of_grade_nine(world, case):
    assert "仅限初三（九年级）" in refused(
        rules.start_disposition, case=case, kind=K.GRADUATION, by=world.school_admin, on=ON
    )
    Child.objects.filter(pk=case.child_id).update(grade=9)
    case = Case.objects.select_related("child").get(pk=case.pk)
    assert "仅限初三下学期" in refused(
        rules.start_disposition,
        case=case,
        kind=K.GRADUATION,
        by=world.school_admin,
        on=D(2026, 11, 2),
    )


def test_graduation_refused_until_persuasions_exam_and_certificate_are_in_order(world, case):
    d = start(world, case, K.GRADUATION)
    by = world.school_admin
    text = refused(rules.close_disposition, disposition=d, by=by, on=ON)
    for gap in [
        "缺少：限期复学通知书",
        "至少3次联合劝返记录（能证明学生本人在场）（现有0次）",
        "未填写补习考试日期",
        "未填写毕业（结业）证日期",
        "缺少：考试图片材料",
        "缺少：毕业（结业）证",
        "缺少：考试试卷",
    ]:
        assert gap in text

    # Not joint (school only), or the student not there: these do not count.
    joint(case, D(2026, 2, 20), sides=[Participant.Side.SCHOOL])
    joint(case, D(2026, 2, 25), present=False)
    joint(case, D(2026, 3, 2))
    joint(case, D(2026, 3, 16))
    last = joint(case, D(2026, 4, 1))
    ReturnNotice.objects.create(
        case=case,
        kind=ReturnNotice.Kind.RESUME,
        township=world.t1,
        year=2026,
        number=1,
        issued_on=D(2026, 2, 10),
        return_deadline=D(2026, 2, 13),
        guardian_name="王大山",
        legal_basis="义务教育法",
        issued_by=world.township_user,
    )
    for code in ("exam_photos", "certificate", "exam_papers"):
        upload(d, code, by)
    rules.save_facts(
        disposition=d,
        facts={"exam_date": D(2026, 4, 20), "certificate_date": D(2026, 3, 30)},
        by=by,
    )
    text = refused(rules.close_disposition, disposition=fresh(d), by=by, on=ON)
    assert "限期复学通知书" not in text and "联合劝返记录" not in text
    assert "最后一次联合劝返（2026年4月1日）未记录同意补习参加毕业考试" in text
    assert "不能在考试月（2026年4月）" in text
    assert "毕业（结业）证日期（2026年3月30日）须在最后一次联合劝返（2026年4月1日）之后" in text

    # The agreement may be named by record instead of by outcome; dates put right.
    rules.save_facts(
        disposition=fresh(d),
        facts={
            "exam_date": D(2026, 5, 10),
            "certificate_date": D(2026, 5, 18),
            "agreed_record_id": last.pk,
        },
        by=by,
    )
    rules.close_disposition(disposition=fresh(d), by=by, on=ON)
    assert fresh(case.child).status == Child.Status.GRADUATED


def test_suspension_needs_a_county_level_hospital_a_review_date_and_the_school(world, case):
    with pytest.raises(PermissionDenied):  # 休学 is applied for at the school
        start(world, case, K.SUSPENSION, by=world.township_user)
    d = start(world, case, K.SUSPENSION)
    by = world.school_admin
    text = refused(rules.submit_disposition, disposition=d, by=by, on=ON)
    for gap in [
        "未填写诊断医院",
        "未填写诊断医院等级",
        "未填写复查日期",
        "县级以上医院建议休学诊断证明",
        "休学申请表",
    ]:
        assert gap in text
    rules.save_facts(
        disposition=d,
        facts={"hospital_name": "某镇卫生院", "hospital_level": "乡镇及以下"},
        review_on=ON,
        by=by,
    )
    upload(d, "diagnosis", by)
    upload(d, "application", by)
    text = refused(rules.submit_disposition, disposition=fresh(d), by=by, on=ON)
    assert "须县级人民医院及以上医院的诊断证明" in text
    assert "复查日期应晚于今天" in text
    assert fresh(d).state == Disposition.State.DRAFT and not Todo.objects.filter(case=case).exists()


def test_home_teaching_needs_a_disability_and_the_county_placement_document(world, case):
    assert "学生档案未登记残疾" in refused(
        rules.start_disposition, case=case, kind=K.HOME_TEACHING, by=world.school_admin, on=ON
    )
    d = start(world, case, K.HOME_TEACHING)
    by = world.school_admin
    text = refused(rules.submit_disposition, disposition=d, by=by, on=ON)
    assert "缺少：残疾证明（残疾证）" in text and "缺少：送教上门家长同意书" in text
    assert "安置文件" not in text  # the county issues it: needed to close, not to submit
    upload(d, "disability_certificate", by)
    upload(d, "parent_consent", by)
    rules.submit_disposition(disposition=fresh(d), by=by, on=ON)
    rules.decide_disposition(disposition=fresh(d), approve=True, by=world.county_user)
    text = refused(rules.close_disposition, disposition=fresh(d), by=by, on=ON)
    assert text == "缺少：县教委关于该生送教上门的安置文件"
    upload(d, "placement_document", by)
    rules.close_disposition(disposition=fresh(d), by=by, on=ON)
    assert fresh(case.child).status == Child.Status.HOME_TEACHING


def test_exemption_and_deferral_need_the_bureau_stamp_and_deferral_a_review_date(world, case):
    d = start(world, case, K.DEFERRAL)
    text = refused(rules.submit_disposition, disposition=d, by=world.school_admin, on=ON)
    assert "未填写复查日期" in text and "缺少：残疾证明（残疾证）" in text
    assert "缺少：图片资料" in text and "盖章" not in text
    rules.withdraw_disposition(disposition=d, by=world.school_admin, note="改办免学")
    d = rules.start_disposition(case=fresh(case), kind=K.EXEMPTION, by=world.school_admin, on=ON)
    upload(d, "disability_certificate", world.school_admin)
    upload(d, "photos", world.school_admin)
    rules.submit_disposition(disposition=d, by=world.school_admin, on=ON)
    rules.decide_disposition(disposition=fresh(d), approve=True, by=world.county_user)
    assert "缺少：免学申请表（教委盖章同意）" in refused(
        rules.close_disposition, disposition=fresh(d), by=world.school_admin, on=ON
    )


def test_county_review_needs_three_joint_persuasions_with_the_student_present(world, case):
    d = start(world, case, K.COUNTY_REVIEW, by=world.township_user)
    for day in (D(2026, 3, 2), D(2026, 3, 9), D(2026, 3, 16)):
        joint(case, day, present=False)
    text = refused(rules.submit_disposition, disposition=d, by=world.township_user, on=ON)
    assert "缺少：限期复学通知书" in text
    assert "至少3次联合劝返记录（能证明学生本人在场）（现有0次）" in text
    assert "领导小组" not in text  # the county's own papers come after it agrees


def test_special_school_needs_both_consents_and_the_admission_form(world, case):
    d = start(world, case, K.SPECIAL_SCHOOL, by=world.township_user)
    text = refused(rules.close_disposition, disposition=d, by=world.township_user, on=ON)
    for gap in [
        "家长（监护人）同意书",
        "学生本人同意书",
        "《专门学校学生入学审批表》",
        "专门学校名称",
    ]:
        assert gap in text
    assert fresh(case).state == Case.State.DISPOSING


def test_rejection_returns_the_case_to_persuasion(world, case):
    d = complete(world, case, start(world, case, K.SUSPENSION))
    rules.submit_disposition(disposition=d, by=world.school_admin, on=ON)
    assert "请填写审批意见" in refused(
        rules.decide_disposition, disposition=fresh(d), approve=False, by=world.county_user
    )
    rules.decide_disposition(
        disposition=fresh(d), approve=False, by=world.county_user, note="诊断证明不清晰"
    )
    d, case = fresh(d), fresh(case)
    assert (d.state, d.decision_note) == (Disposition.State.REJECTED, "诊断证明不清晰")
    assert case.state == Case.State.OPEN  # 劝返中
    assert "诊断证明不清晰" in case.events.last().note
    assert Todo.objects.get(case=case, kind=Todo.Kind.APPROVAL).done_at is not None
    # The papers stay on the case; a corrected application starts again.
    again = rules.start_disposition(case=case, kind=K.SUSPENSION, by=world.school_admin, on=ON)
    assert again.state == Disposition.State.DRAFT
