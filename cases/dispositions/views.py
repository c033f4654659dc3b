"""Pages for the six dispositions and the case's dispositions page.

Thin: every page finds its case through cases.selectors.case_or_404 (a
404 outside the user's reach); the rules, checks and writes are in this
package and in cases/endings/ (whose forms sit on the case's page).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from common.web import apply_errors, message_refused
from students.jurisdiction import access

from .. import dispositions as rules
from .. import endings, selectors
from ..endings.forms import CloseOtherForm, ConfirmForm, DestinationForm
from ..models import Disposition
from ..selectors import case_or_404
from .forms import (
    DecideForm,
    EvidenceForm,
    ReasonForm,
    SessionForm,
    StartForm,
    facts_form_class,
)

DState = Disposition.State

# ---------------------------------------------------------------------------
# Lookups
# ---------------------------------------------------------------------------


def _disposition(user, pk, dpk):
    case = case_or_404(user, pk)
    disposition = case.dispositions.select_related("requested_by", "decided_by").filter(pk=dpk)
    disposition = disposition.first()
    if disposition is None:
        raise Http404("没有找到该处置。")
    disposition.case = case
    return case, disposition


def _detail_url(disposition):
    return reverse("cases:disposition_detail", args=[disposition.case_id, disposition.pk])


def _case_url(case):
    return reverse("cases:case_dispositions", args=[case.pk])


# ---------------------------------------------------------------------------
# The case's dispositions and endings
# ---------------------------------------------------------------------------


@login_required
def case_dispositions(request, pk):
    case = case_or_404(request.user, pk)
    user = request.user
    kinds = rules.kinds_for(user, case)
    may_end = case.is_open and endings.may_end(user, case)
    destinations = endings.destinations(case) if may_end else {}
    confirm_forms = [
        (
            endings.OTHER_ENDINGS[ending],
            recorded,
            confirmed,
            ConfirmForm(initial={"ending": ending}),
        )
        for ending, (recorded, confirmed) in destinations.items()
        if recorded is not None
    ]
    return render(
        request,
        "cases/dispositions/case.html",
        {
            "case": case,
            "events": case.events.select_related("by"),
            "todos": selectors.todos_for_case(case),
            "may_edit": access(user).may_edit_child(case.child),
            "dispositions": rules.dispositions_of(case),
            "rules": rules.REGISTRY,
            "start_form": StartForm(kinds=kinds) if kinds else None,
            "start_rules": kinds,
            "may_end": may_end,
            "destination_form": DestinationForm(),
            "confirm_forms": confirm_forms,
            "close_form": CloseOtherForm(),
            "may_reopen": endings.may_reopen(user, case),
            "reopen_form": ReasonForm(),
        },
    )


@login_required
@require_POST
def disposition_start(request, pk):
    case = case_or_404(request.user, pk)
    form = StartForm(request.POST, kinds=rules.kinds_for(request.user, case))
    if not form.is_valid():
        messages.error(request, "请选择处置方式。")
        return redirect(_case_url(case))
    try:
        disposition = rules.start_disposition(
            case=case,
            kind=form.cleaned_data["kind"],
            by=request.user,
            note=form.cleaned_data["note"],
        )
    except ValidationError as e:
        message_refused(request, "不能启动处置：", e)
        return redirect(_case_url(case))
    messages.success(request, f"已启动处置：{rules.REGISTRY[disposition.kind].label}。")
    return redirect(_detail_url(disposition))


# ---------------------------------------------------------------------------
# One disposition
# ---------------------------------------------------------------------------


def _render_detail(request, case, disposition, *, facts_form=None, evidence_form=None):
    user = request.user
    rule = rules.REGISTRY[disposition.kind]
    on = timezone.localdate()
    dossier = rules.load_dossier(disposition, on=on)
    may_act = rules.may_act(user, disposition)
    active = rules.is_active(disposition)
    editable = may_act and rules.may(disposition, "save_facts")
    if facts_form is None and editable and (rule.facts or rule.review_required):
        facts_form = facts_form_class(rule, dossier.joint)(
            initial={**disposition.facts, "review_on": disposition.review_on}
        )
    may_upload = (may_act or rules.may_record_session(user, disposition)) and rules.may(
        disposition, "add_evidence"
    )
    is_home_teaching = disposition.kind == rules.Kind.HOME_TEACHING
    running = rules.is_running(disposition)
    next_stage = rules.SUBMIT if rules.may(disposition, "submit") else rules.CLOSE
    return render(
        request,
        "cases/dispositions/detail.html",
        {
            "case": case,
            "disposition": disposition,
            "rule": rule,
            "approver": rules.approver_name(rule, case),
            "rows": rules.checklist(dossier),
            "joint": dossier.joint,
            "missing": rules.problems(dossier, next_stage) if active else [],
            "next_stage": next_stage,
            "may_act": may_act,
            "facts_form": facts_form,
            "facts": [(f.label, disposition.facts.get(f.name)) for f in rule.facts],
            "evidence_form": evidence_form or (EvidenceForm(rule=rule) if may_upload else None),
            "attachments": case.attachments.filter(
                item__in=[e.code for e in rule.uploads]
            ).select_related("uploaded_by"),
            "may_submit": may_act and rules.may(disposition, "submit"),
            "may_close": may_act and rules.may(disposition, "close"),
            "may_withdraw": may_act and rules.may(disposition, "withdraw"),
            "decide_form": DecideForm()
            if rules.may(disposition, "approve") and rules.may_approve(user, disposition)
            else None,
            "reason_form": ReasonForm(),
            "is_home_teaching": is_home_teaching,
            "running": running,
            "progress": rules.home_teaching_progress(disposition, on=on)
            if is_home_teaching
            else None,
            "sessions": disposition.sessions.select_related("recorded_by")[:30]
            if is_home_teaching
            else [],
            "may_record_session": running and rules.may_record_session(user, disposition),
            "follow_up_months": sorted(dossier.follow_up_months(), reverse=True),
        },
    )


@login_required
def disposition_detail(request, pk, dpk):
    case, disposition = _disposition(request.user, pk, dpk)
    return _render_detail(request, case, disposition)


@login_required
@require_POST
def disposition_facts(request, pk, dpk):
    case, disposition = _disposition(request.user, pk, dpk)
    rule = rules.REGISTRY[disposition.kind]
    form = facts_form_class(rule, rules.load_dossier(disposition).joint)(request.POST)
    if not form.is_valid():
        return _render_detail(request, case, disposition, facts_form=form)
    data = dict(form.cleaned_data)
    review_on = data.pop("review_on", None)
    try:
        rules.save_facts(disposition=disposition, facts=data, review_on=review_on, by=request.user)
    except ValidationError as e:
        message_refused(request, "", e)
    else:
        messages.success(request, "已保存。")
    return redirect(_detail_url(disposition))


@login_required
@require_POST
def disposition_evidence(request, pk, dpk):
    case, disposition = _disposition(request.user, pk, dpk)
    form = EvidenceForm(request.POST, request.FILES, rule=rules.REGISTRY[disposition.kind])
    if form.is_valid():
        try:
            rules.add_evidence(disposition=disposition, by=request.user, **form.cleaned_data)
        except ValidationError as e:
            form.add_error("file", e)
    if form.errors:
        return _render_detail(request, case, disposition, evidence_form=form)
    messages.success(request, "材料已上传。")
    return redirect(_detail_url(disposition))


@login_required
@require_POST
def disposition_submit(request, pk, dpk):
    case, disposition = _disposition(request.user, pk, dpk)
    try:
        rules.submit_disposition(disposition=disposition, by=request.user)
    except ValidationError as e:
        message_refused(request, "不能提交审批，尚缺：", e)
    else:
        approver = rules.approver_name(rules.REGISTRY[disposition.kind], case)
        messages.success(request, f"已提交{approver}审批。")
    return redirect(_detail_url(disposition))


@login_required
@require_POST
def disposition_decide(request, pk, dpk):
    case, disposition = _disposition(request.user, pk, dpk)
    if not rules.may_approve(request.user, disposition):
        rule = rules.REGISTRY[disposition.kind]
        raise PermissionDenied(f"只有{rules.approver_name(rule, case)}可以审批“{rule.label}”。")
    form = DecideForm(request.POST)
    back = request.POST.get("next") == "pending"
    if not form.is_valid():
        messages.error(request, "请选择批准或不批准。")
    else:
        try:
            rules.decide_disposition(
                disposition=disposition,
                approve=form.cleaned_data["decision"] == "approve",
                note=form.cleaned_data["note"],
                by=request.user,
            )
        except ValidationError as e:
            message_refused(request, "", e)
        else:
            messages.success(
                request,
                "已批准。" if disposition.state == DState.APPROVED else "已退回，继续劝返。",
            )
    return redirect("cases:dispositions_pending" if back else _detail_url(disposition))


@login_required
@require_POST
def disposition_close(request, pk, dpk):
    case, disposition = _disposition(request.user, pk, dpk)
    try:
        rules.close_disposition(disposition=disposition, by=request.user)
    except ValidationError as e:
        message_refused(request, "不能销号，尚缺：", e)
        return redirect(_detail_url(disposition))
    messages.success(request, f"已销号：{rules.REGISTRY[disposition.kind].label}。")
    return redirect(case)


@login_required
@require_POST
def disposition_withdraw(request, pk, dpk):
    case, disposition = _disposition(request.user, pk, dpk)
    try:
        rules.withdraw_disposition(
            disposition=disposition, by=request.user, note=request.POST.get("note", "")
        )
    except ValidationError as e:
        message_refused(request, "不能撤回：", e)
        return redirect(_detail_url(disposition))
    messages.success(request, "已撤回，继续劝返。")
    return redirect(case)


@login_required
def disposition_session(request, pk, dpk):
    """Record a 送教上门 visit from a phone."""
    case, disposition = _disposition(request.user, pk, dpk)
    if not rules.may_record_session(request.user, disposition):
        raise PermissionDenied("您无权登记送教记录。")
    if request.method == "POST":
        form = SessionForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                rules.record_session(disposition=disposition, by=request.user, **form.cleaned_data)
            except ValidationError as e:
                apply_errors(form, e)
            else:
                messages.success(request, "送教记录已保存。")
                return redirect(_detail_url(disposition))
    else:
        form = SessionForm(initial={"date": timezone.localdate(), "hours": 2})
    return render(
        request,
        "cases/dispositions/session_form.html",
        {
            "case": case,
            "disposition": disposition,
            "form": form,
            "progress": rules.home_teaching_progress(disposition),
        },
    )


# ---------------------------------------------------------------------------
# The county's approvals
# ---------------------------------------------------------------------------


@login_required
def dispositions_pending(request):
    if not rules.may_approve_anything(request.user):
        raise PermissionDenied("只有县教育局可以审批处置。移交县级核处由县委农村工作领导小组审批。")
    pending = list(rules.pending_for_user(request.user)[:200])
    dossiers = rules.load_dossiers(pending, on=timezone.localdate())
    rows = [
        {
            "disposition": d.disposition,
            "rule": d.rule,
            "checklist": rules.checklist(d),
            "missing": rules.problems(d, rules.SUBMIT),
            "days": (timezone.localdate() - rules.local_day(d.disposition.requested_at)).days,
        }
        for d in dossiers
    ]
    return render(
        request,
        "cases/dispositions/pending.html",
        {"rows": rows, "decide_form": DecideForm()},
    )
