"""四查三比对 pages: the leads and their decisions, starting a run, the term-start check.

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
TERM_PER_PAGE = 50


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
            "may_check_term": termcheck.may_check_term(user),
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


@login_required
def term_check(request):
    user = request.user
    if not termcheck.may_check_term(user):
        raise Http404("开学到校核查由村（社区）干部、学校管理员和班主任填写。")
    term = crosscheck.term_label()
    if request.method == "POST":
        return _save_term_checks(request, term)
    children = termcheck.children_for_term_check(user, term=term)
    if request.GET.get("todo"):
        children = children.filter(tc_present__isnull=True)
    page = Paginator(children, TERM_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "students/crosscheck/term_check.html",
        {
            "term": term,
            "page": page,
            "summary": termcheck.term_check_summary(user, term=term),
            "todo": bool(request.GET.get("todo")),
        },
    )


def _save_term_checks(request, term):
    pks = {int(pk) for pk in request.POST.getlist("child") if pk.isdigit()}
    children = termcheck.term_check_children(request.user, term=term, pks=pks)
    if len(children) != len(pks):
        raise Http404("名单中有不在您管辖范围内的学生。")
    entries = []
    for child in children:
        answer = request.POST.get(f"p{child.pk}")
        if answer not in ("1", "0"):
            continue  # not answered yet
        present, note = answer == "1", request.POST.get(f"n{child.pk}", "").strip()
        if (present, note) != (child.tc_present, child.tc_note or ""):
            entries.append((child, present, note))
    try:
        saved = termcheck.record_term_checks(term=term, entries=entries, by=request.user)
    except ValidationError as e:
        for msg in e.messages:
            messages.error(request, msg)
    else:
        messages.success(request, f"已保存 {saved} 名学生的到校情况。")
    return redirect(request.get_full_path())
