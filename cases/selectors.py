"""Reads: the cases and to-dos a user may see, and the to-dos that are theirs."""

from django.http import Http404

from students.jurisdiction import access

from .models import Case, Todo


def cases_for_user(user):
    """Cases of the children the user may see (students.jurisdiction decides)."""
    return Case.objects.filter(access(user).cases()).select_related(
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


def my_todos(user):
    """Open to-dos addressed to the user, soonest first."""
    return (
        Todo.objects.filter(access(user).own_todos(), done_at__isnull=True)
        .select_related("case__child__village", "school", "village", "township")
        .order_by("due_on", "pk")
    )


def overdue_below(user):
    """Overdue to-dos of the levels below the user: flagged to them too."""
    return (
        Todo.objects.filter(
            access(user).todos_below(), done_at__isnull=True, overdue_flagged_on__isnull=False
        )
        .select_related("case__child__village", "school", "village", "township")
        .order_by("due_on", "pk")
    )


def todos_for_case(case):
    return case.todos.select_related("school", "village", "township", "done_by").order_by(
        "due_on", "pk"
    )
