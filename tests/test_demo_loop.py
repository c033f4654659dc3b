"""seed_demo carries one child end to end: every step of the demo class's loop
has a demo user with the right reach, README lists every demo login as the
data has it, and the term lists' deadlines are made once."""

import datetime
import pathlib
import re

import pytest
from django.contrib.auth import get_user_model

from cases.demo import DEMO_STREAKS
from cases.models import Case, Todo
from students import demo
from students.jurisdiction import access
from students.models import Child, Membership, School, Village

pytestmark = pytest.mark.django_db

ROOT = pathlib.Path(__file__).resolve().parents[1]
TODAY = datetime.date(2026, 11, 24)  # a Tuesday in the demo autumn term
Role = Membership.Role


def _demo_users():
    names = [u for u, *_ in demo.DEMO_USERS]
    return list(get_user_model().objects.filter(username__in=names))


def _pupils():
    return Child.objects.filter(
        school__name=demo.TEACHER_SCHOOL, grade=demo.TEACHER_GRADE, class_name=demo.TEACHER_CLASS
    ).select_related("village__township", "school__township")


def test_every_step_of_the_demo_class_loop_has_a_demo_user():
    """Fails on main: no school administrator of 蛟潭镇中心学校, and the only
    village cadre covers 蛟潭村 and 福港村, not where the class lives."""
    demo.seed(today=TODAY)
    users = _demo_users()
    pupils = list(_pupils())
    assert len(pupils) >= demo.TEACHER_CLASS_MIN

    admins = Membership.objects.filter(user__in=users, role=Role.SCHOOL_ADMIN)
    assert admins.filter(school__name=demo.TEACHER_SCHOOL).exists()
    covered = set(
        Membership.objects.filter(user__in=users, role=Role.VILLAGE).values_list(
            "village__name", flat=True
        )
    )
    assert {c.village.name for c in pupils} <= covered
    # Every village the school takes its pupils from has its cadre (the class
    # changes with the date the demo is seeded on).
    school = School.objects.get(name=demo.TEACHER_SCHOOL)
    assert set(school.villages.values_list("name", flat=True)) <= covered

    # Each step, for each pupil: teacher call and school visit, the school's
    # visit and report, the village visit, the township's notice, the county's approval.
    for child in pupils:
        for roles in ({Role.TEACHER}, {Role.SCHOOL_ADMIN}, {Role.VILLAGE}, {Role.COUNTY}):
            assert any(access(u).reaches_as(child, roles) for u in users), (child, roles)
        township_id = child.village.township_id
        assert any(access(u).may_act_for_township(township_id) for u in users), child

    cases = list(Case.objects.filter(child__in=pupils).select_related("child__school"))
    assert len(cases) == len(DEMO_STREAKS)
    for case in cases:
        assert any(access(u).may_file_report(case) for u in users), case
        assert any(access(u).may_approve_disposition(case) for u in users), case
        assert any(access(u).may_record_persuasion(case) for u in users), case
    # Every open to-do of the demo (the class's cases, the term lists) is some
    # demo user's own to-do.
    todos = Todo.objects.filter(done_at__isnull=True)
    assert todos.filter(case__in=cases).exists()
    owned = set()
    for user in users:
        owned |= set(todos.filter(access(user).own_todos()).values_list("pk", flat=True))
    mine = set(todos.filter(case__in=cases).values_list("pk", flat=True))
    assert mine <= owned
    term_lists = todos.filter(kind=Todo.Kind.TERM_LIST, county__name=demo.COUNTY)
    jiaotan = term_lists.filter(village__township__name="蛟潭镇") | term_lists.filter(
        school__township__name="蛟潭镇"
    )
    assert set(jiaotan.values_list("pk", flat=True)) <= owned


def _readme_table():
    text = (ROOT / "README.md").read_text()
    section = text.split("## Demo logins", 1)[1].split("\n## ", 1)[0]
    return [line for line in section.splitlines() if line.startswith("|")]


def test_the_readme_lists_every_demo_login_as_the_data_has_it():
    """Fails on main: README listed 7 logins; the demo has 10."""
    demo.seed(today=TODAY)
    assert _readme_table() == demo.readme_table()
    rows = demo.login_rows()
    assert [u for u, *_ in rows] == [u for u, *_ in demo.DEMO_USERS]
    # DEMO_USERS names each reach as the memberships give it.
    assert [reach for *_, reach in rows] == [place for *_, place in demo.DEMO_USERS]
    for username, _role, reach in rows:
        assert re.search(
            rf"\| `{username}` \| [^|]+ \| {re.escape(reach)} \|", "\n".join(_readme_table())
        )


def test_seeding_twice_makes_the_term_lists_once():
    first = demo.seed(today=TODAY)
    lists = Todo.objects.filter(kind=Todo.Kind.TERM_LIST)
    places = Village.objects.count() + School.objects.count()
    assert lists.count() == places == 12
    # Due on the 10th school day of the demo autumn term (Tuesday 1 September
    # 2026: 1–4, 7–11 and 14 September).
    assert set(lists.values_list("due_on", flat=True)) == {datetime.date(2026, 9, 14)}
    counts = (Todo.objects.count(), Case.objects.count(), get_user_model().objects.count())
    second = demo.seed(today=TODAY)
    assert (Todo.objects.count(), Case.objects.count(), get_user_model().objects.count()) == counts
    assert (first.users, first.memberships) == (second.users, second.memberships) == (11, 12)
