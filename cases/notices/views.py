"""The school's report and the township's notices: thin pages over
cases/notices/services.py and selectors.py.

Every page starts from what the user may see (the case through
cases.selectors, the notice through cases/notices/selectors.py): 404 outside it. Acting
needs the role on top: the school's administrators file the report, the
office of the township where the child lives issues and follows the notice.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from common.web import apply_errors, file_response
from students.audit.services import Action, record_access
from students.jurisdiction import access

from ..models import ReturnNotice
from ..selectors import case_or_404
from . import overrides, rules, selectors, services
from .forms import IssueForm, OutcomeForm, OverrideForm, ReportForm, ServiceForm


def _get_notice(user, pk):
    try:
        return selectors.notice_for_user(user, pk)
    except ReturnNotice.DoesNotExist:
        raise Http404("没有找到该通知书，或不在您的管辖范围内。") from None


@login_required
def report_file(request, pk):
    """/cases/<pk>/report/: the school's report — read by everyone who sees
    the case, filed by the school's administrators while the case is open."""
    case = case_or_404(request.user, pk)
    may_file, reasons = selectors.report_blockers(request.user, case)
    form = None
    if request.method == "POST":
        if not access(request.user).may_file_report(case):
            raise Http404("报告单由学生就读学校的管理员（教务处、德育处）报送。")
        form = ReportForm(request.POST)
        if form.is_valid():
            try:
                services.file_report(case=case, by=request.user, **form.cleaned_data)
            except ValidationError as e:
                apply_errors(form, e)
            else:
                messages.success(request, "已报送辍学情况报告单，乡镇将签发《限期返校通知书》。")
                return redirect(case)
    elif may_file:
        form = ReportForm(
            initial={
                "filed_on": timezone.localdate(),
                "recipients": selectors.default_recipients(case),
                "summary": selectors.default_summary(case),
            }
        )
    return render(
        request,
        "cases/notices/report.html",
        {
            "case": case,
            "form": form,
            "reports": selectors.reports_of_case(case),
            "persuasion_count": rules.records_of_episode(case).count(),
            "reasons": reasons,
        },
    )


@login_required
def notice_list(request):
    """/cases/notices/: the township's desk — reports to answer, notices to follow."""
    if not access(request.user).may_see_notices():
        raise Http404("通知书由乡镇控辍办签发和跟踪。")
    today = timezone.localdate()
    show = request.GET.get("show", "open")
    issued = selectors.notices_for_user(request.user)
    if show == "open":
        issued = issued.filter(outcome="")
    return render(
        request,
        "cases/notices/list.html",
        {
            "reported": selectors.reported_cases_for_user(request.user)[:200],
            "addressed": selectors.addressed_reports_for_user(request.user)[:100],
            "issued": selectors.with_status(issued[:200], today=today),
            "show": show,
            "today": today,
        },
    )


@login_required
def notice_issue(request, pk):
    case = case_or_404(request.user, pk)
    township = selectors.township_of(case)
    if not access(request.user).may_act_for_township(township.pk):
        raise Http404("限期通知书由学生居住地乡镇控辍办签发。")
    options = selectors.notice_options(request.user, case)
    kinds = [kind for kind, _, _ in options] or [ReturnNotice.Kind.RETURN]
    form_kwargs = {
        "kinds": kinds,
        "may_override": access(request.user).may_override_steps(township.pk),
    }
    if request.method == "POST":
        form = IssueForm(request.POST, **form_kwargs)
        if form.is_valid():
            try:
                notice = services.issue_return_notice(
                    case=case, by=request.user, **form.cleaned_data
                )
            except ValidationError as e:
                apply_errors(form, e)
            else:
                messages.success(
                    request, f"已签发{notice.number_label}，请在1个上学日内送达并上传签收回执。"
                )
                return redirect("cases:notice_detail", notice.pk)
    else:
        kind = request.GET.get("kind")
        form = IssueForm(
            initial={
                "kind": kind if kind in kinds else kinds[0],
                "guardian_name": selectors.default_guardian(case.child),
                "issued_on": timezone.localdate(),
            },
            **form_kwargs,
        )
    return render(
        request,
        "cases/notices/issue.html",
        {
            "case": case,
            "form": form,
            "reports": selectors.reports_of_case(case),
            "options": options,
        },
    )


@login_required
def step_override(request, pk):
    """/cases/<pk>/override/: the township decides, with a reason, to take a
    step before its preconditions are on record (提前处置)."""
    case = case_or_404(request.user, pk)
    if not access(request.user).may_override_steps(selectors.township_of(case).pk):
        raise Http404("提前处置由学生居住地乡镇控辍办决定。")
    if request.method == "POST":
        form = OverrideForm(request.POST)
        if form.is_valid():
            try:
                overrides.override_step(case=case, by=request.user, **form.cleaned_data)
            except ValidationError as e:
                apply_errors(form, e)
            else:
                messages.success(request, "已记录提前处置决定及理由。")
                return redirect(case)
    else:
        form = OverrideForm(initial={"action": request.GET.get("action", "notice")})
    return render(
        request,
        "cases/notices/override.html",
        {"case": case, "form": form, "overrides": selectors.overrides_of_case(case)},
    )


@login_required
def notice_detail(request, pk):
    notice = _get_notice(request.user, pk)
    notice.status, notice.status_label, notice.alarm = selectors.notice_status(notice)
    return render(
        request,
        "cases/notices/detail.html",
        {
            "notice": notice,
            "case": notice.case,
            "may_act": access(request.user).may_act_for_township(notice.township_id),
            "consequence": services.CONSEQUENCE,
        },
    )


def _acting_notice(request, pk):
    notice = _get_notice(request.user, pk)
    if not access(request.user).may_act_for_township(notice.township_id):
        raise Http404("由签发通知书的乡镇控辍办登记。")
    return notice


@login_required
def notice_service(request, pk):
    notice = _acting_notice(request, pk)
    if request.method == "POST":
        form = ServiceForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.record_service(notice=notice, by=request.user, **form.cleaned_data)
            except ValidationError as e:
                apply_errors(form, e)
            else:
                messages.success(request, f"已登记{notice.number_label}送达。")
                return redirect("cases:notice_detail", notice.pk)
    else:
        form = ServiceForm(initial={"served_on": timezone.localdate()})
    return render(
        request, "cases/notices/service.html", {"notice": notice, "case": notice.case, "form": form}
    )


@login_required
def notice_outcome(request, pk):
    notice = _acting_notice(request, pk)
    if request.method == "POST":
        form = OutcomeForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.record_outcome(
                    notice=notice,
                    by=request.user,
                    outcome=data["outcome"],
                    outcome_on=data["outcome_on"],
                    note=data["outcome_note"],
                )
            except ValidationError as e:
                apply_errors(form, e)
            else:
                messages.success(request, f"已登记{notice.number_label}的结果。")
                return redirect("cases:notice_detail", notice.pk)
    else:
        form = OutcomeForm(initial={"outcome_on": timezone.localdate()})
    return render(
        request, "cases/notices/outcome.html", {"notice": notice, "case": notice.case, "form": form}
    )


@login_required
def notice_receipt(request, pk):
    notice = _get_notice(request.user, pk)
    suffix = notice.receipt.name[notice.receipt.name.rfind(".") :] if notice.receipt else ""
    response = file_response(notice.receipt, download_name=f"{notice.number_label}回执{suffix}")
    record_access(
        user=request.user,
        action=Action.DOWNLOAD,
        child=notice.case.child,
        detail=f"{notice.number_label} 签收回执",
    )
    return response
