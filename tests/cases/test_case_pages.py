"""Case pages and to-dos: scoped like the children, to-dos to the right people."""

import datetime

from django.urls import reverse

from cases import services
from cases.ladder.scan import flag_overdue
from cases.models import Case, Todo


def open_with_todo(world, *, role="teacher", due=datetime.date(2026, 9, 29)):
    case = services.open_case_by_hand(child=world.c_class, by=world.village_user, note="长期不到校")
    place = {
        "teacher": {"school": world.s1},
        "village": {"village": world.v1},
        "township": {"township": world.t1},
    }[role]
    todo = Todo.objects.create(
        case=case,
        key=f"t-{role}",
        kind="call",
        title="电话联系监护人",
        role=role,
        county=world.county,
        due_on=due,
        **place,
    )
    return case, todo


def test_a_cadre_opens_a_case_by_hand_once(world, login):
    client = login(world.village_user)
    url = reverse("cases:open_case", args=[world.c_class.pk])
    resp = client.post(url, {"note": "长期不到校"})
    case = Case.objects.get(child=world.c_class)
    assert resp.url == case.get_absolute_url()
    assert case.events.get().note == "长期不到校" and case.origin == "manual"
    client.post(url, {"note": "再来一次"})
    assert Case.objects.filter(child=world.c_class).count() == 1
    assert login(world.teacher).post(url).status_code == 404  # a teacher does not open cases
    assert (
        login(world.village_user).post(reverse("cases:open_case", args=[world.c_t2.pk])).status_code
        == 404
    )


def test_case_pages_are_scoped_like_the_child(world, login):
    case, _ = open_with_todo(world)
    url = case.get_absolute_url()
    for user in (
        world.village_user,
        world.teacher,
        world.school_admin,
        world.township_user,
        world.county_user,
    ):
        client = login(user)
        assert client.get(url).status_code == 200
        assert url in client.get(reverse("cases:case_list")).content.decode()
    assert login(world.nobody).get(url).status_code == 404
    other = services.open_case_by_hand(child=world.c_other_county, by=world.sysadmin)
    assert login(world.county_user).get(other.get_absolute_url()).status_code == 404
    assert (
        other.get_absolute_url()
        not in login(world.county_user).get(reverse("cases:case_list")).content.decode()
    )


def test_todos_go_to_their_person_and_overdue_ones_to_the_level_above(world, login):
    case, todo = open_with_todo(world)
    assert "电话联系监护人" in login(world.teacher).get("/").content.decode()
    assert "电话联系监护人" not in login(world.village_user).get("/").content.decode()
    home = login(world.school_admin).get("/").content.decode()
    assert "下级逾期事项" not in home
    assert flag_overdue(county=world.county, on=datetime.date(2026, 9, 30)) == 1
    assert flag_overdue(county=world.county, on=datetime.date(2026, 10, 8)) == 0  # once
    for user in (world.school_admin, world.township_user, world.county_user):
        home = login(user).get("/").content.decode()
        assert "下级逾期事项" in home and "电话联系监护人" in home, user
    assert "已逾期" in login(world.teacher).get(reverse("cases:todo_list")).content.decode()


def test_case_pages_query_counts(world, login, django_assert_max_num_queries):
    case, _ = open_with_todo(world)
    client = login(world.township_user)
    with django_assert_max_num_queries(12):
        client.get(reverse("cases:case_list"))
    with django_assert_max_num_queries(16):
        client.get(case.get_absolute_url())
    with django_assert_max_num_queries(14):
        client.get("/")


def test_the_demo_class_has_absences_cases_and_to_dos(db):
    """seed_demo's cases part: a few children of the demo class stopped coming."""
    from django.core.management import call_command

    from cases import demo
    from students.signals import demo_seeded

    demo_seeded.disconnect(dispatch_uid="cases.demo.seed_calendar")
    try:
        call_command("seed_demo", quiet=True)
    finally:
        demo_seeded.connect(demo.on_demo_seeded, dispatch_uid="cases.demo.seed_calendar")
    today = datetime.date(2026, 11, 24)
    demo.seed_calendar(today=today)
    demo.seed_absences(today=today)
    assert demo.seed_absences(today=today) == 0  # once
    cases = list(
        Case.objects.filter(origin="absence")
        .order_by("streak")
        .values_list("streak", "stage", "state")
    )
    assert cases == [(1, 1, "open"), (3, 3, "open"), (5, 4, "open")]
    assert Todo.objects.filter(role="teacher", done_at__isnull=True).exists()


def test_a_case_the_scan_opened_shows_its_timeline(world, login):
    from cases.ladder.scan import run_daily_checks
    from cases.models import Absence, ClassRollCall, Term

    day = datetime.date(2026, 9, 29)
    Term.objects.create(
        county=world.county,
        name="2026年秋季学期",
        start=datetime.date(2026, 9, 1),
        end=datetime.date(2027, 1, 20),
    )
    ClassRollCall.objects.create(school=world.s1, grade=5, class_name="1班", date=day)
    Absence.objects.create(child=world.c_class, date=day, kind=Absence.Kind.UNEXCUSED)
    run_daily_checks(on=day, county=world.county)
    case = Case.objects.get(child=world.c_class)
    html = login(world.teacher).get(case.get_absolute_url()).content.decode()
    assert "系统" in html and "无故缺课，系统建档" in html and "劝学记录" in html


def test_a_person_records_a_return_with_the_placement_rule_of_002(world, login):
    case = services.open_case_by_hand(child=world.c_class, by=world.village_user)
    Case.objects.filter(pk=case.pk).update(
        first_absent_on=datetime.date(2025, 3, 1)
    )  # out over a year
    client = login(world.school_admin)
    url = reverse("cases:record_return", args=[case.pk])
    client.post(url, {"returned_on": "2026-11-20", "placement": ""})
    case.refresh_from_db()
    assert case.state == "open"  # no placement chosen: refused
    client.post(
        url,
        {"returned_on": "2026-11-20", "placement": "other_grade", "placement_note": "编入四年级"},
    )
    case.refresh_from_db()
    assert (case.state, case.returned_on, case.placement) == (
        "returned",
        datetime.date(2026, 11, 20),
        "other_grade",
    )
    assert case.events.filter(action="record_return", by=world.school_admin).exists()
    # a later change of placement is kept in the timeline
    client.post(url, {"returned_on": "2026-11-20", "placement": "vocational"})
    case.refresh_from_db()
    assert case.placement == "vocational" and case.events.filter(action="placement").exists()
    assert (
        login(world.teacher)
        .post(url, {"returned_on": "2026-11-20", "placement": "vocational"})
        .status_code
        == 404
    )


def test_under_a_year_out_goes_back_to_the_old_class(world, login):
    case = services.open_case_by_hand(child=world.c_class, by=world.village_user)
    Case.objects.filter(pk=case.pk).update(first_absent_on=datetime.date(2026, 11, 2))
    client = login(world.school_admin)
    resp = client.post(
        reverse("cases:record_return", args=[case.pk]),
        {"returned_on": "2026-11-20", "placement": "vocational"},
        follow=True,
    )
    assert "原则上回原年级原班级" in resp.content.decode()
    case.refresh_from_db()
    assert case.state == "open"


def test_pages_show_what_a_task_or_command_did_as_the_system(world, login):
    """Roll calls, absences and timeline events written by the demo, the scan
    or an import have no user: the pages say 系统 instead of failing."""
    from django.urls import reverse as url_for

    from cases.models import Absence, ClassRollCall, Term

    day = datetime.date(2026, 9, 29)
    Term.objects.create(
        county=world.county,
        name="2026年秋季学期",
        start=datetime.date(2026, 9, 1),
        end=datetime.date(2027, 1, 20),
    )
    ClassRollCall.objects.create(
        school=world.s1, grade=5, class_name="1班", date=day, taken_by=None
    )
    Absence.objects.create(
        child=world.c_class, date=day, kind=Absence.Kind.UNEXCUSED, recorded_by=None
    )
    client = login(world.teacher)
    html = client.get(url_for("cases:attendance"), {"date": "2026-09-29"}).content.decode()
    assert "已点名（系统" in html
    assert client.get(url_for("cases:attendance_child", args=[world.c_class.pk])).status_code == 200
