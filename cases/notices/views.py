"""The school's report and the township's notices: thin pages over cases.notices.

Every page starts from what the user may see (the case through
cases.selectors, the notice through cases.notices): 404 outside it. Acting
needs the role on top: the school's administrators file the report, the
office of the township where the child lives issues and follows the notice.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from common.uploads import MAX_UPLOAD_LABEL
from common.web import IMAGE_ACCEPT, apply_errors, file_response
from students.jurisdiction import access

from .. import notices
from ..models import Case, DropoutReport, ReturnNotice
from ..selectors import case_or_404

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ReportForm(forms.ModelForm):
    class Meta:
        model = DropoutReport
        fields = ["filed_on", "recipients", "receiver", "receiver_contact", "summary"]
        widgets = {"filed_on": DATE, "summary": forms.Textarea(attrs={"rows": 6})}
        help_texts = {"recipients": "例如：某某镇人民政府；同时报县教育局、督导室的一并填写"}


class IssueForm(forms.Form):
    guardian_name = forms.CharField(label="监护人", max_length=50)
    issued_on = forms.DateField(label="签发日期", widget=DATE)


class ServiceForm(forms.Form):
    served_on = forms.DateField(label="送达日期", widget=DATE)
    server_name = forms.CharField(label="送达人", max_length=50)
    witness_name = forms.CharField(
        label="见证人", max_length=50, help_text="一般为村（社区）干部，不能与送达人为同一人"
    )
    receipt = forms.FileField(
        label="签收回执",
        help_text=f"监护人签字的回执，拍照或扫描（JPG、PNG、WEBP、PDF，不超过 {MAX_UPLOAD_LABEL}）",
        widget=forms.ClearableFileInput(attrs={"accept": f"{IMAGE_ACCEPT},application/pdf"}),
    )


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(label="结果", choices=ReturnNotice.Outcome.choices)
    outcome_on = forms.DateField(
        label="日期", widget=DATE, help_text="返校的，填写实际返校日期；其他填写认定日期"
    )
    outcome_note = forms.CharField(label="说明", max_length=300, required=False)


def _get_notice(user, pk):
    try:
        return notices.notice_for_user(user, pk)
    except ReturnNotice.DoesNotExist:
        raise Http404("没有找到该通知书，或不在您的管辖范围内。") from None


@login_required
def report_file(request, pk):
    """/cases/<pk>/report/: the school's report — read by everyone who sees
    the case, filed by the school's administrators while the case is open."""
    case = case_or_404(request.user, pk)
    may_file = case.state == Case.State.OPEN and access(request.user).may_file_report(case)
    form = None
    if request.method == "POST":
        if not access(request.user).may_file_report(case):
            raise Http404("报告单由学生就读学校的管理员（教务处、德育处）报送。")
        form = ReportForm(request.POST)
        if form.is_valid():
            try:
                notices.file_report(case=case, by=request.user, **form.cleaned_data)
            except ValidationError as e:
                apply_errors(form, e)
            else:
                messages.success(request, "已报送辍学情况报告单，乡镇将签发《限期返校通知书》。")
                return redirect(case)
    elif may_file:
        form = ReportForm(
            initial={
                "filed_on": timezone.localdate(),
                "recipients": notices.default_recipients(case),
                "summary": notices.default_summary(case),
            }
        )
    return render(
        request,
        "cases/notices/report.html",
        {
            "case": case,
            "form": form,
            "reports": notices.reports_of_case(case),
            "persuasion_count": case.persuasions.count(),
        },
    )


@login_required
def notice_list(request):
    """/cases/notices/: the township's desk — reports to answer, notices to follow."""
    if not access(request.user).may_see_notices():
        raise Http404("通知书由乡镇控辍办签发和跟踪。")
    today = timezone.localdate()
    show = request.GET.get("show", "open")
    issued = notices.notices_for_user(request.user)
    if show == "open":
        issued = issued.filter(outcome="")
    return render(
        request,
        "cases/notices/list.html",
        {
            "reported": notices.reported_cases_for_user(request.user)[:200],
            "issued": notices.with_status(issued[:200], today=today),
            "show": show,
            "today": today,
        },
    )


@login_required
def notice_issue(request, pk):
    case = case_or_404(request.user, pk)
    if not access(request.user).may_act_for_township(notices.township_of(case).pk):
        raise Http404("《限期返校通知书》由学生居住地乡镇控辍办签发。")
    if request.method == "POST":
        form = IssueForm(request.POST)
        if form.is_valid():
            try:
                notice = notices.issue_return_notice(
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
        form = IssueForm(
            initial={
                "guardian_name": notices.default_guardian(case.child),
                "issued_on": timezone.localdate(),
            }
        )
    return render(
        request,
        "cases/notices/issue.html",
        {"case": case, "form": form, "reports": notices.reports_of_case(case)},
    )


@login_required
def notice_detail(request, pk):
    notice = _get_notice(request.user, pk)
    notice.status, notice.status_label, notice.alarm = notices.notice_status(notice)
    return render(
        request,
        "cases/notices/detail.html",
        {
            "notice": notice,
            "case": notice.case,
            "may_act": access(request.user).may_act_for_township(notice.township_id),
            "consequence": notices.CONSEQUENCE,
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
                notices.record_service(notice=notice, by=request.user, **form.cleaned_data)
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
                notices.record_outcome(
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
    return file_response(notice.receipt, download_name=f"{notice.number_label}回执{suffix}")
