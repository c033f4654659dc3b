"""`manage.py seed_demo`: idempotent, deterministic, complete and valid demo data."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from students import idcard
from students.demo import DEMO_PASSWORD, DEMO_USERS
from students.models import (
    Child,
    County,
    Household,
    JurisdictionSettings,
    Membership,
    School,
    Township,
    Village,
    VillageGroup,
)
from students.schoolage import school_age

pytestmark = pytest.mark.django_db


def _seed(quiet=True):
    out = StringIO()
    call_command("seed_demo", quiet=quiet, stdout=out)
    return out.getvalue()


def _counts():
    return {
        "counties": County.objects.count(),
        "settings": JurisdictionSettings.objects.count(),
        "townships": Township.objects.count(),
        "villages": Village.objects.count(),
        "groups": VillageGroup.objects.count(),
        "schools": School.objects.count(),
        "school_villages": School.villages.through.objects.count(),
        "households": Household.objects.count(),
        "children": Child.objects.count(),
        "users": get_user_model().objects.count(),
        "memberships": Membership.objects.count(),
        "household_history": Household.history.count(),
        "child_history": Child.history.count(),
    }


def _snapshot():
    return sorted(
        Child.objects.values_list(
            "name",
            "gender",
            "birth_date",
            "id_number",
            "xueji_number",
            "school__name",
            "grade",
            "class_name",
            "status",
            "household__head_name",
            "household__address",
        )
    )


def test_second_run_changes_nothing():
    _seed()
    first, snapshot = _counts(), _snapshot()
    out = _seed()
    assert _counts() == first
    assert _snapshot() == snapshot
    assert "已存在" in out
    # Every household and child has exactly its first history record.
    assert first["household_history"] == first["households"]
    assert first["child_history"] == first["children"]
    assert not Child.history.exclude(history_type="+").exists()


def test_same_data_every_time():
    _seed()
    snapshot = _snapshot()
    Child.objects.all().delete()
    Household.objects.all().delete()
    _seed()
    assert _snapshot() == snapshot


def test_roster_is_complete_and_valid():
    out = _seed(quiet=False)
    for username, *_ in DEMO_USERS:
        assert username in out
    assert DEMO_PASSWORD in out

    assert Household.objects.count() == 400
    assert 650 <= Child.objects.count() <= 750
    assert VillageGroup.objects.filter(village__name="蛟潭村").count() in (2, 3)
    for flag in ("is_tuopin", "is_jiance", "is_dibao", "is_tekun"):
        assert Household.objects.filter(**{flag: True}).exists(), flag

    statuses = set(Child.objects.values_list("status", flat=True))
    assert statuses == set(Child.Status.values)
    enrolled = Child.objects.filter(status=Child.Status.ENROLLED).count()
    assert enrolled / Child.objects.count() > 0.85
    assert not Child.objects.filter(status=Child.Status.NOT_ENROLLED, school__isnull=False).exists()
    assert not Child.objects.filter(
        status=Child.Status.STUDYING_ELSEWHERE, school__isnull=False
    ).exists()
    for status in (Child.Status.HOME_TEACHING, Child.Status.DEFERRED):
        assert not Child.objects.filter(status=status, is_disabled=False).exists()

    for field in ["is_disabled", *Child.SPECIAL_GROUP_FIELDS]:
        assert Child.objects.filter(**{field: True}).count() >= 2, field
    assert not Child.objects.filter(is_disabled=True, disability_category="").exists()
    left_behind = Child.objects.filter(is_left_behind=True).count() / Child.objects.count()
    assert 0.1 < left_behind < 0.3

    without_id = Child.objects.filter(id_number__isnull=True)
    assert 3 <= without_id.count() <= 4
    assert all(
        idcard.classify_xueji_number(x) == "J"
        for x in without_id.values_list("xueji_number", flat=True)
    )
    temporary = Child.objects.filter(xueji_number__startswith="L")
    assert temporary.exists()
    assert not temporary.filter(id_number__isnull=True).exists()

    children = list(Child.objects.select_related("household", "school", "village__township"))
    ids = [c.id_number for c in children if c.id_number]
    assert len(ids) == len(set(ids))
    for child in children:
        child.full_clean()  # model rules and CheckConstraints
        assert child.household.village_id == child.village_id
        assert 6 <= school_age(child.birth_date).age <= 15, child
        if child.id_number:
            info = idcard.parse_id_number(child.id_number)
            assert not idcard.check_consistency(
                info, birth_date=child.birth_date, gender=child.gender
            )
            assert (
                info.area_code
                == {"蛟潭镇": "360222", "左岚乡": "500234"}[child.village.township.name]
            )
            if child.xueji_number:
                assert idcard.classify_xueji_number(child.xueji_number) in ("G", "L")
            else:  # never had a 学籍
                assert child.status in ("not_enrolled", "deferred", "exempt"), child
            if child.xueji_number.startswith("G"):
                assert child.xueji_number == "G" + child.id_number
        if child.grade:
            assert child.grade in child.school.grades
            expected = school_age(child.birth_date).expected_grade
            assert child.grade in (expected, expected - 1), child
        if child.status == Child.Status.NOT_ENROLLED:
            assert child.grade is None
        assert child.status_changed_at is not None


def test_demo_users_log_in_and_see_their_children(client):
    _seed()
    User = get_user_model()
    assert {u for u, *_ in DEMO_USERS} <= set(User.objects.values_list("username", flat=True))
    for username, display, role, _place in DEMO_USERS:
        user = User.objects.get(username=username)
        assert user.first_name == display
        assert user.is_staff == user.is_superuser == (username == "admin")
        assert set(user.memberships.values_list("role", flat=True)) == {role}
        assert client.login(username=username, password=DEMO_PASSWORD), username
        client.logout()

    village_user = User.objects.get(username="cunganbu")
    assert set(village_user.memberships.values_list("village__name", flat=True)) == {
        "蛟潭村",
        "福港村",
    }

    teacher = User.objects.get(username="banzhuren")
    m = teacher.memberships.get()
    assert (m.school.name, m.grade, m.class_name) == ("蛟潭镇中心学校", 5, "1班")
    assert Child.objects.visible_to(teacher).filter(status=Child.Status.ENROLLED).count() >= 10

    county_user = User.objects.get(username="xianjiaoyuju")
    assert Child.objects.visible_to(county_user).count() == Child.objects.count()


def test_password_is_reset_on_every_run(client):
    _seed()
    user = get_user_model().objects.get(username="xuexiao")
    user.set_password("something-else")
    user.save()
    _seed()
    assert client.login(username="xuexiao", password=DEMO_PASSWORD)
