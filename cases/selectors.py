"""Reads: the cases and to-dos a user may see, and the to-dos that are theirs."""

from django.db.models import Q
from django.http import Http404

from students.jurisdiction import Role, child_scope, is_sysadmin, memberships
from students.models import Child

from .models import Case, Todo

_NOTHING = Q(pk__in=[])


def cases_for_user(user):
    """Cases of the children the user may see (students.jurisdiction decides)."""
    return Case.objects.filter(child__in=Child.objects.filter(child_scope(user))).select_related(
        "child__village__township", "child__school"
    )


def case_for_user(user, pk):
    """The case, or Case.DoesNotExist when it is outside the user's reach."""
    return cases_for_user(user).get(pk=pk)


def case_or_404(user, pk):
    """Every case page goes through here: outside the user's reach is a 404."""
    try:
        return case_for_user(user, pk)
    except Case.DoesNotExist:
        raise Http404("没有找到该个案，或不在您的管辖范围内。") from None


def _own_todo_q(m):
    """To-dos addressed to this membership itself."""
    if m.role == Role.TEACHER:
        return Q(
            role=Role.TEACHER,
            school_id=m.school_id,
            case__child__grade=m.grade,
            case__child__class_name=m.class_name,
        )
    if m.role == Role.SCHOOL_ADMIN:
        return Q(role=Role.SCHOOL_ADMIN, school_id=m.school_id)
    if m.role == Role.VILLAGE:
        return Q(role=Role.VILLAGE, village_id=m.village_id)
    if m.role == Role.TOWNSHIP:
        return Q(role=Role.TOWNSHIP, township_id=m.township_id)
    if m.role == Role.COUNTY:
        return Q(role=Role.COUNTY, county_id=m.county_id)
    return _NOTHING


def _below_todo_q(m):
    """To-dos of the levels this membership oversees (overdue ones go up)."""
    if m.role == Role.SCHOOL_ADMIN:
        return Q(role=Role.TEACHER, school_id=m.school_id)
    if m.role == Role.TOWNSHIP:
        return (Q(village__township_id=m.township_id) | Q(school__township_id=m.township_id)) & ~Q(
            role=Role.TOWNSHIP
        )
    if m.role == Role.COUNTY:
        return ~Q(role=Role.COUNTY) & Q(county_id=m.county_id)
    return _NOTHING


def my_todos(user):
    """Open to-dos addressed to the user, soonest first."""
    if is_sysadmin(user):
        q = Q(role=Role.COUNTY)
    else:
        q = _NOTHING
        for m in memberships(user):
            q |= _own_todo_q(m)
    return (
        Todo.objects.filter(q, done_at__isnull=True)
        .select_related("case__child__village", "school", "village", "township")
        .order_by("due_on", "pk")
    )


def overdue_below(user):
    """Overdue to-dos of the levels below the user: flagged to them too."""
    q = _NOTHING
    for m in memberships(user):
        q |= _below_todo_q(m)
    return (
        Todo.objects.filter(q, done_at__isnull=True, overdue_flagged_on__isnull=False)
        .select_related("case__child__village", "school", "village", "township")
        .order_by("due_on", "pk")
    )


def todos_for_case(case):
    return case.todos.select_related("school", "village", "township", "done_by").order_by(
        "due_on", "pk"
    )
