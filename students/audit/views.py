"""访问日志: the county's (or the system administrator's) search of the log."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from .. import idcard
from ..jurisdiction import access
from . import selectors
from .forms import AccessLogFilter

PER_PAGE = 50


@login_required
def audit_log(request):
    if not access(request.user).may_read_audit_log():
        raise Http404("无权查看访问日志。")
    f = AccessLogFilter(request.GET, queryset=selectors.entries_for_user(request.user))
    page = Paginator(f.qs, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "students/audit_log.html",
        {
            "filter": f,
            "page": page,
            "rows": [
                (e, idcard.mask_id_number(e.child.id_number) if e.child else "") for e in page
            ],
        },
    )
