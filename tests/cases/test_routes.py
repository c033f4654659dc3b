"""Issue 10, points 5 and 8: a hand status change keeps the case in step,
and a never-enrolled child (未入学) has a route of its own to a school."""

import datetime
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from cases import persuasion, states
from cases.ladder.scan import run_daily_checks
from cases.models import Case, CaseEvent, Todo
from cases.placement import services as placement
from cases.placement.forms import PlacementForm
from students import services as student_services
from students.models import Child, Lead
from students.selectors import settings_for
from tests.conftest import make_id

S = Case.State
Status = Child.Status


def post_status(client, child, status, reason="入户核实"):
    return client.post(
        reverse("cases:child_status", args=[child.pk]), {"status": status, "reason": reason}
    )


# --- point 5: status and case agree -----------------------------------------


def test_a_hand_change_to_suspected_dropout_opens_the_case_with_its_to_dos(world, login):
    child = world.c_class
    response = post_status(login(world.school_admin), child, Status.SUSPECTED_DROPOUT, "长期不到校")
    assert response.status_code == 302
    child.refresh_from_db()
    assert child.status == Status.SUSPECTED_DROPOUT
    case = Case.objects.get(child=child)
    assert (case.state, case.origin, case.opened_by) == (S.OPEN, "manual", world.school_admin)
    assert case.ladder == settings_for(township=world.t1).ladder
    [todo] = case.todos.all()  # the ladder's first day: the teacher's call
    assert (todo.kind, todo.role, todo.school, todo.done_at) == ("call", "teacher", world.s1, None)
    assert case.stage == 1
    opened = CaseEvent.objects.get(case=case, action="open")
    assert "长期不到校" in opened.note and opened.by == world.school_admin
    # the child's history keeps who and why
    last = child.history.latest()
    assert (last.status, last.history_user, last.history_change_reason) == (
        Status.SUSPECTED_DROPOUT,
        world.school_admin,
        "长期不到校",
    )


def test_back_to_enrolled_by_hand_cancels_the_case_and_leaves_none_open(world, login):
    client = login(world.village_user)
    child = world.c_class
    post_status(client, child, Status.SUSPECTED_DROPOUT)
    case = Case.objects.get(child=child)
    assert post_status(client, child, Status.ENROLLED, "误报，已在校").status_code == 302
    child.refresh_from_db()
    case.refresh_from_db()
    assert child.status == Status.ENROLLED
    assert (case.state, case.ending) == (S.CLOSED, Case.Ending.CANCELLED)
    assert "误报，已在校" in case.events.get(action="cancel").note
    # no 在读 child with an open case, none 疑似辍学/辍学 without one
    assert not Case.objects.filter(child__status=Status.ENROLLED, state=S.OPEN).exists()
    assert (
        not Child.objects.filter(status__in=states.CASE_STATUSES)
        .exclude(cases__state__in=states.OPEN_STATES)
        .exists()
    )


def test_a_case_past_the_persuasion_stage_is_not_ended_by_a_status_change(world, login):
    client = login(world.township_user)
    child = world.c_class
    post_status(client, child, Status.DROPOUT)
    case = Case.objects.get(child=child)
    states.transition(case, "file_report", by=world.school_admin)
    for status in (Status.ENROLLED, Status.TRANSFERRED):
        response = post_status(client, child, status)
        assert "请在个案页" in [m.message for m in response.wsgi_request._messages][-1]
        child.refresh_from_db()
        assert child.status == Status.DROPOUT
    assert Case.objects.get(child=child).state == S.REPORTED


def test_dropout_after_suspected_keeps_the_one_case(world, login):
    client = login(world.school_admin)
    post_status(client, world.c_class, Status.SUSPECTED_DROPOUT)
    post_status(client, world.c_class, Status.DROPOUT)
    world.c_class.refresh_from_db()
    assert world.c_class.status == Status.DROPOUT
    assert Case.objects.filter(child=world.c_class).count() == 1


def test_a_new_child_cannot_be_saved_as_suspected_dropout(world):
    child = Child(name="新生", village=world.v1, gender="M", status=Status.SUSPECTED_DROPOUT)
    child.birth_date = datetime.date(2016, 5, 1)
    with pytest.raises(ValidationError, match="变更状态"):
        student_services.save_child(child=child, by=world.village_user)
    assert not Child.objects.filter(name="新生").exists()


def test_the_old_students_status_url_is_gone(world):
    from django.urls import NoReverseMatch

    with pytest.raises(NoReverseMatch):
        reverse("child_change_status", args=[world.c_class.pk])


# --- point 8: the 未入学 route -----------------------------------------------


def never_enrolled(world, birth):
    child = world.c_v2_no_school
    Child.objects.filter(pk=child.pk).update(
        status=Status.NOT_ENROLLED, birth_date=birth, id_number=make_id("520102", birth, 901)
    )
    child.refresh_from_db()
    return child


def confirmed_lead(world, child):
    return Lead.objects.create(
        kind=Lead.Kind.NOT_ENROLLED,
        period="2026-11",
        person_key=child.id_number,
        name=child.name,
        county=world.county,
        village=child.village,
        child=child,
        detail="户籍×学籍：适龄未入学",
        state=Lead.State.CONFIRMED,
        reason="入户核实属实",
        decided_at=timezone.now(),
        decided_by=world.village_user,
    )


def visit(case, by, side):
    persuasion.record_persuasion(
        case=case,
        by=by,
        client_token=uuid.uuid4(),
        at=None,
        method="home_visit",
        participants=[{"name": "走访人", "side": side, "role": ""}],
        process="入户动员入学",
        outcome="undecided",
    )


def open_kinds(case):
    return set(case.todos.filter(done_at__isnull=True).values_list("kind", flat=True))


def test_a_confirmed_never_enrolled_lead_climbs_the_enrolment_ladder(world):
    child = never_enrolled(world, datetime.date(2017, 4, 1))
    confirmed_lead(world, child)
    run_daily_checks(on=timezone.localdate(), county=world.county)
    case = Case.objects.get(child=child)
    assert case.ladder == settings_for(township=world.t1).enrolment_ladder
    assert [s["todo"] for s in case.ladder] == [
        "village_visit",
        "township_visit",
        "notice",
        "placement",
    ]
    assert case.ladder[2]["notice_kind"] == "enrol" and case.ladder[2]["role"] == "township"
    assert open_kinds(case) == {"village_visit"} and case.stage == 1
    assert case.todos.get().village == world.v2

    visit(case, world.township_user, "township")  # too early: answers nothing yet
    assert open_kinds(case) == {"village_visit"}
    cadre = world.village_user
    cadre.memberships.update(village=world.v2)
    visit(case, cadre, "village")
    case.refresh_from_db()
    assert open_kinds(case) == {"township_visit"} and case.stage == 2
    assert case.todos.get(kind="township_visit").township == world.t1

    visit(case, world.township_user, "township")
    case.refresh_from_db()
    assert open_kinds(case) == {"notice"} and case.stage == 3
    notice = case.todos.get(kind="notice")
    assert (notice.role, notice.township) == ("township", world.t1)
    # every visit step before the notice is answered by a persuasion record
    done = case.todos.filter(done_at__isnull=False)
    assert set(done.values_list("kind", flat=True)) == {"village_visit", "township_visit"}
    assert all("劝学" in t.done_note for t in done)


def test_the_settings_page_offers_the_enrolment_ladder(world, login):
    response = login(world.county_user).get(reverse("jurisdiction_settings"))
    assert "未入学儿童劝学阶梯" in response.content.decode()


def placement_case(world, birth):
    child = never_enrolled(world, birth)
    from cases import services

    case = services.open_case_by_hand(child=child, by=world.township_user, note="四查三比对")
    assert open_kinds(case) == {"village_visit"}
    return case


@pytest.mark.parametrize(
    ("birth", "grades"),
    [
        (datetime.date(2020, 5, 1), [1]),  # 6 by the cutoff: 一年级
        (datetime.date(2017, 5, 1), [1, 2, 3, 4]),  # 9: primary, up to 四年级
        (datetime.date(2014, 5, 1), [7]),  # 初一 by the cutoff: junior only
        (datetime.date(2013, 5, 1), [7, 8]),  # 初二 by age, or 初一
    ],
)
def test_the_placement_form_offers_grades_by_age(world, birth, grades):
    world.s1.villages.add(world.v2)  # the village's 责任学校 (nine-year)
    case = placement_case(world, birth)
    form = PlacementForm(case=case, user=world.township_user)
    assert [g for g, _ in form.fields["grade"].choices] == grades
    assert list(form.fields["school"].queryset) == [world.s1]


def test_placing_a_never_enrolled_child_enrols_them_and_moves_the_case_on(world, login):
    world.s1.villages.add(world.v2)
    case = placement_case(world, datetime.date(2017, 5, 1))
    client = login(world.township_user)
    page = client.get(case.get_absolute_url()).content.decode()
    assert "入学安置（按年龄）" in page and "回原年级原班级" not in page
    bad = {"school": world.s1.pk, "grade": 6, "class_name": "1班"}
    client.post(reverse("cases:placement", args=[case.pk]), bad)
    assert Child.objects.get(pk=case.child_id).status == Status.NOT_ENROLLED
    good = {"school": world.s1.pk, "grade": 4, "class_name": "3班"}
    assert client.post(reverse("cases:placement", args=[case.pk]), good).status_code == 302
    child = Child.objects.get(pk=case.child_id)
    assert (child.status, child.school, child.grade, child.class_name) == (
        Status.ENROLLED,
        world.s1,
        4,
        "3班",
    )
    case.refresh_from_db()
    assert (case.state, case.placement) == (S.RETURNED, Case.Placement.BY_AGE)
    # placed at step 1: the steps left need no doing; a pupil now, absences
    # climb the county's absence ladder
    assert open_kinds(case) == {"xueji"}
    assert case.todos.get(kind="village_visit").done_note.startswith("已入学安置")
    assert (case.ladder, case.stage) == (settings_for(township=world.t1).ladder, 0)
    xueji = case.todos.get(kind="xueji")
    assert "补建" in xueji.title and xueji.school == world.s1
    assert xueji.due_on == case.returned_on + datetime.timedelta(days=3)


def test_a_placement_outside_the_age_rule_is_refused(world):
    case = placement_case(world, datetime.date(2013, 5, 1))  # 13: junior
    with pytest.raises(ValidationError, match="可编入的年级"):
        placement.place_child(
            case=case, by=world.township_user, school=world.s1, grade=3, class_name="1班"
        )
    assert not Todo.objects.filter(case=case, kind="xueji").exists()


# --- point 7: the 总台账 shows the township's sign-off ----------------------


def test_the_case_ledger_shows_the_townships_sign_off(world, login):
    from cases import services
    from cases.closing import services as closing
    from cases.closing import todos

    case = services.open_case_by_hand(child=world.c_class, by=world.school_admin)
    today = timezone.localdate()
    case = services.record_return(
        case=case, by=world.school_admin, returned_on=today, placement="original_class"
    )
    client = login(world.township_user)
    row = client.get(reverse("reports:case_ledger")).content.decode()
    assert "王小明" in row and "未销号" in row
    todos.create_propose_todo(case, on=today, note="返校后已到校5个上学日")
    closing.record_xueji(case=case, by=world.school_admin, note="已恢复学籍")
    closing.propose_close(case=case, by=world.school_admin)
    assert "学校已申请，待乡镇确认" in client.get(reverse("reports:case_ledger")).content.decode()
    world.township_user.first_name = "汪文道"
    world.township_user.save()
    response = client.post(
        reverse("cases:confirm_close", args=[case.pk]), {"note": "核实稳定就读"}
    )
    assert response.status_code == 302
    page = client.get(reverse("reports:case_ledger")).content.decode()
    assert "已销号（乡镇确认）" in page and f"{today:%Y-%m-%d}" in page and "汪文道" in page


def test_the_case_ledger_dates_the_sign_off_on_the_townships_clock():
    """A sign-off at 07:30 in Beijing (23:30 UTC the day before) is that
    morning's 销号 in the 总台账, not the day before."""
    import datetime

    from reports.ledgers import close_state

    at = datetime.datetime(2026, 12, 2, 23, 30, tzinfo=datetime.UTC)
    row = {
        "close_confirmed_at": at,
        "close_confirmed_by__first_name": "",
        "close_confirmed_by__last_name": "",
        "close_confirmed_by__username": "xiangzhen",
    }
    assert f"{close_state(row)[1]:%Y-%m-%d}" == "2026-12-03"


def test_the_case_ledger_costs_the_same_queries_for_more_cases(world, login):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cases import services

    client = login(world.county_user)

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("reports:case_ledger")).status_code == 200
        return len(ctx)

    services.open_case_by_hand(child=world.c_class, by=world.school_admin)
    one = queries()
    for child in (world.c_t2, world.c_cross, world.c_s1_other_class):
        services.open_case_by_hand(child=child, by=world.county_user)
    assert queries() == one
