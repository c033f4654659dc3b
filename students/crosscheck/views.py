"""四查三比对 pages: the leads and their decisions, starting a run. (The
term-start check's page is cases/termlist/views.py: it reads the county's
calendar.)

Thin views: every read goes through a scoped selector in leads.py and
every write through its services; a lead or child outside the user's reach
is a 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from .. import crosscheck, idcard, outbox, termcheck
from ..jurisdiction import access
from ..models import Lead
from ..tasks import run_crosscheck_task
from .forms import LeadFilter

LEADS_PER_PAGE = 20


def _next_url(request):
    url = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return reverse("lead_list")


@login_required
def lead_list(request):
    user = request.user
    leads = crosscheck.leads_for_user(user)
    data = request.GET.copy()
    data.setdefault("state", Lead.State.OPEN)  # open leads first; "全部" sends state=""
    f = LeadFilter(data, queryset=leads, periods=crosscheck.lead_periods(leads))
    page = Paginator(f.qs, LEADS_PER_PAGE).get_page(request.GET.get("page"))
    decidable = (
        crosscheck.decidable_lead_ids(user, [lead.pk for lead in page])
        if crosscheck.may_decide_leads(user)
        else set()
    )
    targets = crosscheck.run_targets(user)
    villages_of = _assignable(user, page)
    return render(
        request,
        "students/crosscheck/lead_list.html",
        {
            "filter": f,
            "page": page,
            "rows": [
                (
                    lead,
                    idcard.mask_id_number(lead.id_number),
                    lead.pk in decidable,
                    villages_of.get(lead.pk),
                )
                for lead in page
            ],
            "targets": targets,
            "runs": [
                (run, crosscheck.run_count_rows(run)) for run in crosscheck.runs_for_user(user)
            ]
            if targets
            else [],
            "may_check_term": termcheck.may_open_term_check(user),
        },
    )


@login_required
@require_POST
def lead_decide(request, pk):
    lead = get_object_or_404(crosscheck.leads_for_user(request.user, deciding=True), pk=pk)
    decide = {"confirm": crosscheck.confirm_lead, "dismiss": crosscheck.dismiss_lead}.get(
        request.POST.get("decision")
    )
    if decide is None:
        messages.error(request, "请选择“属实”或“排除”。")
        return redirect(_next_url(request))
    try:
        decide(lead=lead, by=request.user, reason=request.POST.get("reason", ""))
    except ValidationError as e:
        for msg in e.messages:
            messages.error(request, f"{lead.name}：{msg}")
    else:
        messages.success(request, f"{lead.name}：已标记为“{lead.get_state_display()}”。")
    return redirect(_next_url(request))


def _assignable(user, leads):
    """lead pk -> the villages it may be assigned to, for the open
    学籍-only leads this user may assign (one query per township)."""
    found, by_township = {}, {}
    for lead in leads:
        if lead.kind != Lead.Kind.UNROSTERED or lead.state != Lead.State.OPEN:
            continue
        if not access(user).may_assign_lead(lead):
            continue
        township = lead.school.township_id
        if township not in by_township:
            by_township[township] = list(crosscheck.assignable_villages(user, lead))
        found[lead.pk] = by_township[township]
    return found


@login_required
@require_POST
def lead_assign(request, pk):
    lead = get_object_or_404(crosscheck.leads_for_user(request.user), pk=pk)
    if not access(request.user).may_assign_lead(lead):
        raise Http404("只有学校所在乡镇或县可以分配到村。")
    try:
        crosscheck.assign_lead(
            lead=lead,
            village_id=request.POST.get("village"),
            by=request.user,
            reason=request.POST.get("reason", ""),
        )
    except ValidationError as e:
        for msg in e.messages:
            messages.error(request, f"{lead.name}：{msg}")
    else:
        lead.refresh_from_db()
        messages.success(request, f"{lead.name}：已登记到{lead.village}底数台账。")
    return redirect(_next_url(request))


@login_required
@require_POST
def crosscheck_start(request):
    targets = {
        key: (county, township, label)
        for key, county, township, label in crosscheck.run_targets(request.user)
    }
    if request.POST.get("target") not in targets:
        raise Http404("无权对该范围运行比对。")
    county, township, label = targets[request.POST["target"]]
    args = (county.pk, township.pk if township else None, None, request.user.pk)
    outbox.enqueue(run_crosscheck_task, *args, request=request)
    messages.success(request, f"比对已开始（{label}），完成后结果见“最近比对”。")
    return redirect("lead_list")
