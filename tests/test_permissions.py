"""The permission matrix: every URL the project serves, requested (GET and an
empty POST) as every role and anonymously, with objects inside and outside
the role's reach. Anonymous → the login page; outside → 403/404 (405 for a
method the page does not take), never 200 or 500; inside → never 500."""

import pytest
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path

from kongchuo.urls import urlpatterns as project_urlpatterns
from students.models import Child, Household

from .permissions_helpers import build_bundle, discover, run_anonymous, run_matrix

ROLES = [
    "village_user",
    "teacher",
    "school_admin",
    "township_user",
    "county_user",
    "sysadmin",
    "rural_group",
]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def outside(world):
    """Everything in the other county: outside every role but the sysadmin's."""
    child = world.c_other_county
    child.household = Household.objects.create(village=child.village, head_name="孙大")
    child.save()
    return build_bundle(
        child, school=world.s3, opened_by=world.sysadmin, batch_owner=world.sysadmin, tag="外"
    )


def inside_for(world, user):
    """The teacher's pupil and its case, inside every role's reach; the import
    batch is the user's own (a user sees only their own imports)."""
    return build_bundle(
        world.c_class, school=world.s1, opened_by=world.school_admin, batch_owner=user, tag="内"
    )


def test_discovery_walks_the_resolver_and_says_why_it_skips():
    routes, skipped = discover()
    found = {r.route for r in routes}
    # Pages of every app are found without being listed here.
    assert {"children/<int:pk>/", "cases/<int:pk>/", "reports/<slug:slug>/"} <= found
    assert len(routes) > 60
    assert {route for route, _ in skipped} >= {"healthz", "login/", "logout/", "admin/"}
    assert all(reason for _, reason in skipped)


@pytest.mark.parametrize("role", ROLES)
def test_every_url_as_a_role_inside_and_outside_its_reach(client, world, outside, role):
    user = getattr(world, role)
    routes, _ = discover()
    problems = run_matrix(
        client,
        routes,
        user=user,
        inside=inside_for(world, user),
        outside=outside,
        sees_everything=role == "sysadmin",
    )
    assert problems == []


def test_every_url_as_a_user_without_a_role(client, world, outside):
    """Nothing is inside a role-less user's reach: the teacher's pupil is
    outside too."""
    routes, _ = discover()
    inside = inside_for(world, world.village_user)
    problems = run_matrix(client, routes, user=world.nobody, inside=outside, outside=inside)
    assert problems == []


def test_every_url_anonymously_goes_to_the_login_page(client, world, outside):
    routes, _ = discover()
    assert run_anonymous(client, routes, bundle=outside) == []


# --- the matrix catches a page that forgets its scoping ------------------------


@login_required
def _unscoped_child(request, child_pk):
    child = get_object_or_404(Child, pk=child_pk)  # no access(user): the bug
    return HttpResponse(child.name)


urlpatterns = [
    *project_urlpatterns,
    path("leaky/<int:child_pk>/", _unscoped_child, name="leaky"),
]


@pytest.mark.urls(__name__)
def test_a_new_view_without_scoping_fails_the_matrix(client, world, outside):
    routes, _ = discover(__name__)
    leaky = [r for r in routes if r.name == "leaky"]
    assert leaky, "the test-only page is discovered like any other"
    problems = run_matrix(
        client,
        leaky,
        user=world.county_user,
        inside=inside_for(world, world.county_user),
        outside=outside,
    )
    assert problems == [
        f"{world.county_user} GET /leaky/{world.c_other_county.pk}/ (outside): 200",
        f"{world.county_user} POST /leaky/{world.c_other_county.pk}/ (outside): 200",
    ]


@pytest.mark.urls(__name__)
def test_an_undescribed_kwarg_fails_the_matrix_instead_of_being_skipped(client, world, outside):
    routes, _ = discover(__name__)
    odd = [r for r in routes if r.name == "leaky"]
    odd[0].kwargs = ["widget_pk"]
    problems = run_matrix(
        client,
        odd,
        user=world.county_user,
        inside=inside_for(world, world.county_user),
        outside=outside,
    )
    assert problems == [
        "leaky/<int:child_pk>/: kwarg `widget_pk` is in neither KWARG_OBJECTS nor VALUES"
    ]
