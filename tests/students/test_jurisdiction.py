"""Every role sees exactly its own children: by list, detail, search, URL."""

import pytest
from django.urls import reverse

from students.jurisdiction import access
from students.models import Child

ALL = ["c_class", "c_s1_other_class", "c_v2_no_school", "c_t2", "c_cross", "c_other_county"]
VISIBLE = {
    "village_user": {"c_class"},
    "teacher": {"c_class"},
    "school_admin": {"c_class", "c_s1_other_class", "c_cross"},
    "township_user": {"c_class", "c_s1_other_class", "c_v2_no_school", "c_cross"},
    "county_user": set(ALL) - {"c_other_county"},
    "sysadmin": set(ALL),
    "nobody": set(),
}
ROLES = list(VISIBLE)


def _link(world, c):
    """A row of the list links to the child's page."""
    return f'href="{reverse("child_detail", args=[getattr(world, c).pk])}"'


@pytest.mark.parametrize("role", ROLES)
def test_access_children_selects_exactly_the_scope(world, role):
    user = getattr(world, role)
    visible = set(Child.objects.filter(access(user).children()).values_list("pk", flat=True))
    assert visible == {getattr(world, c).pk for c in VISIBLE[role]}


@pytest.mark.parametrize("role", ROLES)
def test_list_shows_only_scope(world, login, role):
    client = login(getattr(world, role))
    html = client.get(reverse("child_list"), {"per_page": 100}).content.decode()
    for c in ALL:
        assert (_link(world, c) in html) == (c in VISIBLE[role]), c


@pytest.mark.parametrize("role", ROLES)
def test_detail_is_404_outside_scope(world, login, role):
    client = login(getattr(world, role))
    for c in ALL:
        child = getattr(world, c)
        status = client.get(reverse("child_detail", args=[child.pk])).status_code
        assert status == (200 if c in VISIBLE[role] else 404), c


@pytest.mark.parametrize("role", ROLES)
def test_search_never_finds_children_outside_scope(world, login, role):
    client = login(getattr(world, role))
    for c in ALL:
        child = getattr(world, c)
        by_name = client.get(reverse("child_list"), {"name": child.name}).content.decode()
        by_id = client.get(
            reverse("child_list"), {"id_tail": child.id_number[-6:]}
        ).content.decode()
        expected = c in VISIBLE[role]
        assert (_link(world, c) in by_name) == expected, c
        assert (_link(world, c) in by_id) == expected, c


@pytest.mark.parametrize("role", ["village_user", "teacher", "school_admin", "township_user"])
def test_url_guessing_edit_and_status_are_404(world, login, role):
    client = login(getattr(world, role))
    outsider = world.c_other_county
    assert client.get(reverse("child_edit", args=[outsider.pk])).status_code == 404
    resp = client.post(
        reverse("cases:child_status", args=[outsider.pk]), {"status": "dropout", "reason": "x"}
    )
    assert resp.status_code == 404
    outsider.refresh_from_db()
    assert outsider.status == Child.Status.ENROLLED


def test_teacher_reads_but_cannot_edit_own_class(world, login):
    client = login(world.teacher)
    assert client.get(reverse("child_detail", args=[world.c_class.pk])).status_code == 200
    assert client.get(reverse("child_edit", args=[world.c_class.pk])).status_code == 404


def test_households_scoped(world, login):
    url = reverse("household_detail", args=[world.h1.pk])
    assert login(world.village_user).get(url).status_code == 200
    assert login(world.township_user).get(url).status_code == 200
    # a teacher sees the household of a child in the class, but cannot edit it
    assert login(world.teacher).get(url).status_code == 200
    assert (
        login(world.teacher).get(reverse("household_edit", args=[world.h1.pk])).status_code == 404
    )
    # the other township of the county, and a school without the child, do not
    from students.models import Membership

    other = Membership.objects.create(user=world.nobody, role="township", township=world.t2)
    assert login(world.nobody).get(url).status_code == 404
    other.delete()
    html = login(world.village_user).get(reverse("household_list")).content.decode()
    assert "王大山" in html
    html = login(world.nobody).get(reverse("household_list")).content.decode()
    assert "王大山" not in html


def test_anonymous_is_sent_to_login(client, world):
    resp = client.get(reverse("child_detail", args=[world.c_class.pk]))
    assert resp.status_code == 302 and reverse("login") in resp["Location"]
