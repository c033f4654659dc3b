"""Case pages: the list, one case's file (一生一案), to-dos, opening by hand."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from students.jurisdiction import access
from students.models import Child
from students.selectors import child_for_user

from . import dispositions, notices, persuasion, selectors, services
from .closing.views import case_panel_context as closing_context
from .forms import ReturnForm
from .models import Case
from .placement.forms import PlacementForm
from .placement.services import may_place


@login_required
def case_list(request):
    cases = selectors.cases_for_user(request.user)
    state = request.GET.get("state", "active")
    if state == "active":
        cases = cases.exclude(state=Case.State.CLOSED)
    elif state in Case.State.values:
        cases = cases.filter(state=state)
    return render(
        request,
        "cases/case_list.html",
        {
            "cases": cases.order_by("-streak", "-opened_at")[:200],
            "state": state,
            "states": Case.State.choices,
        },
    )


@login_required
def case_detail(request, pk):
    case = selectors.case_or_404(request.user, pk)
    return render(
        request,
        "cases/case_detail.html",
        {
            "case": case,
            "events": case.events.select_related("by"),
            "todos": selectors.todos_for_case(case),
            "may_edit": access(request.user).may_edit_child(case.child),
            "return_form": ReturnForm(
                initial={
                    "returned_on": case.returned_on or timezone.localdate(),
                    "placement": case.placement or Case.Placement.ORIGINAL_CLASS,
                    "placement_note": case.placement_note,
                }
            ),
            "never_enrolled": case.child.status == Child.Status.NOT_ENROLLED,
            "placement_form": PlacementForm(case=case, user=request.user)
            if may_place(request.user, case)
            else None,
            **closing_context(request.user, case),
            **persuasion.list_context(request.user, case),
            **notices.case_panel_context(request.user, case),
            **dispositions.case_panel_context(request.user, case),
        },
    )


@login_required
@require_POST
def open_case(request, child_pk):
    try:
        child = child_for_user(request.user, child_pk)
    except Child.DoesNotExist:
        raise Http404("没有找到该学生。") from None
    if not access(request.user).may_edit_child(child):
        raise Http404("无权为该学生建档。")
    try:
        case = services.open_case_by_hand(
            child=child, by=request.user, note=request.POST.get("note", "")
        )
    except ValidationError as e:
        messages.error(request, "；".join(e.messages))
        return redirect(child)
    messages.success(request, "已建立个案。")
    return redirect(case)


@login_required
def todo_list(request):
    return render(
        request,
        "cases/todo_list.html",
        {
            "todos": selectors.my_todos(request.user)[:200],
            "overdue_below": selectors.overdue_below(request.user)[:200],
        },
    )


@login_required
@require_POST
def record_return(request, pk):
    """A person records the return (the daily scan also sees it from attendance)."""
    case = selectors.case_or_404(request.user, pk)
    if not access(request.user).may_edit_child(case.child):
        raise Http404("无权登记返校。")
    form = ReturnForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError([m for errors in form.errors.values() for m in errors])
        data = form.cleaned_data
        if case.state == Case.State.RETURNED:
            services.set_placement(
                case=case,
                by=request.user,
                placement=data["placement"],
                placement_note=data["placement_note"],
            )
        else:
            services.record_return(case=case, by=request.user, **data)
    except ValidationError as e:
        messages.error(request, "；".join(e.messages))
    else:
        messages.success(request, "已登记。返校后按设置的上学日数核验到校情况，通过后销号。")
    return redirect(case)
