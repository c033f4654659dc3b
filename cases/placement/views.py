"""The placement action on the case page: thin, rules in services.py."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from common.web import message_refused

from ..selectors import case_or_404
from . import services
from .forms import PlacementForm


@login_required
@require_POST
def place(request, pk):
    case = case_or_404(request.user, pk)
    if not services.may_place(request.user, case):
        raise Http404("无权办理入学安置。")
    form = PlacementForm(request.POST, case=case, user=request.user)
    if not form.is_valid():
        messages.error(request, "；".join(m for errors in form.errors.values() for m in errors))
        return redirect(case)
    try:
        services.place_child(case=case, by=request.user, **form.cleaned_data)
    except PermissionDenied:
        raise Http404("无权办理入学安置。") from None
    except ValidationError as e:
        message_refused(request, "", e)
    else:
        messages.success(request, "已入学安置。请学校3日内补建学籍；到校满核验上学日数后申请销号。")
    return redirect(case)
