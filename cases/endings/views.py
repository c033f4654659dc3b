"""Pages of the other endings and of reopening: thin, the rules are in
services.py; the forms sit on the case's dispositions page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from common.web import message_refused

from ..selectors import case_or_404
from . import services
from .forms import CloseOtherForm, ConfirmForm, DestinationForm


def _case_url(case):
    return reverse("cases:case_dispositions", args=[case.pk])


@login_required
@require_POST
def ending_destination(request, pk):
    case = case_or_404(request.user, pk)
    form = DestinationForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写接收学校名称和所在地。")
        return redirect(_case_url(case))
    try:
        services.record_destination(case=case, by=request.user, **form.cleaned_data)
    except ValidationError as e:
        message_refused(request, "", e)
    else:
        messages.success(request, "已登记接收学校，请联系接收学校确认在读后结案。")
    return redirect(_case_url(case))


@login_required
@require_POST
def ending_confirm(request, pk):
    case = case_or_404(request.user, pk)
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择确认方式并填写确认人。")
        return redirect(_case_url(case))
    try:
        services.confirm_destination(case=case, by=request.user, **form.cleaned_data)
    except ValidationError as e:
        message_refused(request, "", e)
    else:
        messages.success(request, "已确认在读，可以结案。")
    return redirect(_case_url(case))


@login_required
@require_POST
def ending_close(request, pk):
    case = case_or_404(request.user, pk)
    form = CloseOtherForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择结案方式并填写说明。")
        return redirect(_case_url(case))
    try:
        services.close_other(case=case, by=request.user, **form.cleaned_data)
    except ValidationError as e:
        message_refused(request, "不能结案：", e)
        return redirect(_case_url(case))
    messages.success(request, "个案已结案销号。")
    return redirect(case)


@login_required
@require_POST
def case_reopen(request, pk):
    case = case_or_404(request.user, pk)
    try:
        services.reopen_case(case=case, by=request.user, note=request.POST.get("note", ""))
    except ValidationError as e:
        message_refused(request, "不能重新启动：", e)
        return redirect(_case_url(case))
    messages.success(request, "个案已重新启动，继续劝返。")
    return redirect(case)
