"""The 未入学 route end to end: a confirmed lead → the village's and the
township's visits → the township's 《限期入学通知书》 (a kind of the same
numbered series) → placement by age at the catchment school → 学籍 补建."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cases.ladder.scan import run_daily_checks
from cases.models import Case, ReturnNotice
from cases.notices import services as notices
from cases.placement import services as placement
from students.models import Child

from .test_routes import confirmed_lead, never_enrolled, open_kinds, visit

pytestmark = pytest.mark.django_db


def test_a_never_enrolled_child_reaches_the_enrolment_notice_and_a_class(world):
    world.s1.villages.add(world.v2)  # the village's 责任学校
    child = never_enrolled(world, datetime.date(2017, 4, 1))
    confirmed_lead(world, child)
    run_daily_checks(on=timezone.localdate(), county=world.county)
    case = Case.objects.get(child=child)

    # Before the visits are on record the township may not order enrolment.
    with pytest.raises(ValidationError, match="劝学记录|尚未到"):
        notices.issue_return_notice(
            case=case, by=world.township_user, guardian_name="王大山", kind="enrol"
        )
    world.village_user.memberships.update(village=world.v2)
    visit(case, world.village_user, "village")
    visit(case, world.township_user, "township")
    case.refresh_from_db()
    assert open_kinds(case) == {"notice"}

    notice = notices.issue_return_notice(
        case=case, by=world.township_user, guardian_name="王大山", kind="enrol"
    )
    assert notice.kind == ReturnNotice.Kind.ENROL
    assert notice.number_label.endswith(f"〔{notice.year}〕1号")
    case.refresh_from_db()
    # The notice step is done; the ladder goes on to the school's placement.
    assert "notice" not in open_kinds(case) and "placement" in open_kinds(case)

    # The township places the child with the catchment school (the school
    # cannot reach a child who is not yet its pupil).
    assert case.todos.get(kind="placement").township == world.t1
    placement.place_child(
        case=case,
        by=world.township_user,
        school=world.s1,
        grade=3,
        class_name="2班",
        note="按年龄编入三年级",
    )
    case.refresh_from_db()
    child.refresh_from_db()
    assert (child.status, child.school, child.grade, child.class_name) == (
        Child.Status.ENROLLED,
        world.s1,
        3,
        "2班",
    )
    assert case.state == Case.State.RETURNED and case.placement == Case.Placement.BY_AGE
    xueji = case.todos.get(kind="xueji")
    assert "补建" in xueji.title and xueji.school == world.s1
