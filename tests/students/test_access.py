"""One access module: the menu offers exactly the pages a role may open, and
no other module branches on a user's memberships."""

import pathlib
import re

import pytest
from django.urls import reverse

from students.jurisdiction import access

ROOT = pathlib.Path(__file__).resolve().parents[2]
ROLES = ["village_user", "teacher", "school_admin", "township_user", "county_user", "sysadmin"]
MENU = [
    "cases:notice_list",
    "cases:attendance",
    "cases:dispositions_pending",
    "cases:calendar",
    "jurisdiction_settings",
]


@pytest.mark.parametrize("role", ROLES)
def test_the_menu_offers_exactly_the_pages_the_role_may_open(world, login, role):
    client = login(getattr(world, role))
    home = client.get(reverse("home")).content.decode()
    for name in MENU:
        url = reverse(name)
        offered = f'href="{url}"' in home
        opens = client.get(url).status_code == 200
        assert offered == opens, f"{role}: {name} offered={offered} opens={opens}"


def test_the_county_sees_the_notices_it_may_open(world, login):
    """Drift fixed: the menu showed 通知书 to townships only, while the page
    lets the county (and the system administrator) look on."""
    for user in (world.county_user, world.sysadmin):
        home = login(user).get(reverse("home")).content.decode()
        assert f'href="{reverse("cases:notice_list")}"' in home
    home = login(world.teacher).get(reverse("home")).content.decode()
    assert f'href="{reverse("cases:notice_list")}"' not in home


def test_access_is_built_once_per_user_object(world, django_assert_num_queries):
    user = world.township_user
    with django_assert_num_queries(1):  # the memberships, once
        a = access(user)
        a.children()
        a.may_see_notices()
        a.villages()
    assert access(user) is a


# Anything that reads a membership's role, or loops over memberships, is
# deciding who may do what: that belongs in students/jurisdiction/ only.
ROLE_BRANCHING = re.compile(r"memberships\(|\bm\.role\b|roles_for_child|is_sysadmin\(")


def test_no_module_but_the_access_module_branches_on_memberships():
    offenders = []
    for path in ROOT.glob("*/**/*.py"):
        rel = path.relative_to(ROOT).as_posix()
        if rel.startswith((".venv/", "tests/", "students/jurisdiction/")):
            continue
        if "/migrations/" in rel or "/demo/" in rel:
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if ROLE_BRANCHING.search(line):
                offenders.append(f"{rel}:{number}: {line.strip()}")
    assert offenders == []
