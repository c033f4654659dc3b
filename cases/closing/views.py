"""The case page's 学籍 / 销号 actions: thin, the rules are in services.py."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from common.web import message_refused

from ..selectors import case_or_404
from . import services

ACTIONS = {
    "xueji": (services.record_xueji, "已登记学籍办理情况。"),
    "propose": (services.propose_close, "已申请销号，等待乡镇确认。"),
    "confirm": (services.confirm_close, "已确认销号。"),
}


@login_required
@require_POST
def close_action(request, pk, action):
    if action not in ACTIONS:
        raise Http404()
    case = case_or_404(request.user, pk)
    write, done = ACTIONS[action]
    try:
        write(case=case, by=request.user, note=request.POST.get("note", ""))
    except PermissionDenied:
        raise Http404("无权办理。") from None
    except ValidationError as e:
        message_refused(request, "", e)
    else:
        messages.success(request, done)
    return redirect(case)


def case_panel_context(user, case):
    """What the case page shows of the 学籍 and 销号 steps."""
    from students.jurisdiction import access

    from . import todos

    a = access(user)
    returned = case.state == case.State.RETURNED
    xueji = todos.open_todo(case, todos.xueji_key(case)) if returned else None
    return {
        "may_record_xueji": bool(xueji) and a.may_record_xueji(case),
        "may_propose_close": services.may_propose(case) and a.may_propose_close(case),
        "may_confirm_close": returned
        and case.close_proposed_at is not None
        and a.may_confirm_close(case),
    }
