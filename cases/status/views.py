"""The child page's 变更状态 form posts here (students must not import cases)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from students.forms import StatusChangeForm
from students.jurisdiction import access
from students.models import Child
from students.selectors import child_for_user

from . import services


@login_required
@require_POST
def child_status(request, child_pk):
    try:
        child = child_for_user(request.user, child_pk)
    except Child.DoesNotExist:
        raise Http404("没有找到该学生，或不在您的管辖范围内。") from None
    if not access(request.user).may_edit_child(child):
        raise Http404("无权修改该学生。")
    form = StatusChangeForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for msg in errors:
                messages.error(request, msg)
        return redirect(child)
    try:
        child = services.change_status_by_hand(
            child=child,
            status=form.cleaned_data["status"],
            by=request.user,
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as e:
        for msg in e.messages:
            messages.error(request, msg)
    else:
        messages.success(request, f"已将 {child.name} 的状态改为“{child.get_status_display()}”。")
    return redirect(child)
