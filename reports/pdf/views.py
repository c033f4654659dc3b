"""打印 and 预览 of the township's notices (thin: reports/pdf/notices.py prints).

The PDF of an issued notice is served to whoever may see the notice (the
same query as the notice page: 404 outside), and recorded. The 预览 is for
the office that may issue it, from the issue form's values, and consumes no
number.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from cases.models import ReturnNotice
from cases.notices import draft_return_notice, notice_for_user, township_of
from cases.notices.forms import IssueForm
from cases.selectors import case_or_404
from students.audit.services import Action, record_access
from students.jurisdiction import access

from . import PDF_CONTENT_TYPE
from .notices import download_name, notices_for_print, notices_pdf


def pdf_response(data, filename, *, inline=True):
    response = HttpResponse(data, content_type=PDF_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(not inline, filename)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def notice_pdf(request, pk):
    """/reports/notices/<pk>/pdf/: the issued notice, to print, sign and stamp."""
    try:
        notice_for_user(request.user, pk)  # the notice page's reach
    except ReturnNotice.DoesNotExist:
        raise Http404("没有找到该通知书，或不在您的管辖范围内。") from None
    notices = list(notices_for_print(ReturnNotice.objects.filter(pk=pk)))
    response = pdf_response(notices_pdf(notices), download_name(notices))
    record_access(
        user=request.user,
        action=Action.DOWNLOAD,
        child=notices[0].case.child,
        detail=f"{notices[0].number_label} 打印（PDF）",
    )
    return response


@login_required
@require_POST
def notice_preview(request, case_pk):
    """/reports/cases/<pk>/notice-preview/: the notice as the issue form
    would issue it, marked 预览 and numbered （签发后编号）; nothing is saved."""
    case = case_or_404(request.user, case_pk)
    if not access(request.user).may_act_for_township(township_of(case).pk):
        raise Http404("限期通知书由学生居住地乡镇控辍办签发。")
    form = IssueForm(request.POST, may_override=True)
    if not form.is_valid():
        errors = "；".join(f"{form.fields[f].label}：{e[0]}" for f, e in form.errors.items())
        return HttpResponse(
            f"无法预览：{errors}", status=400, content_type="text/plain; charset=utf-8"
        )
    data = form.cleaned_data
    try:
        notice = draft_return_notice(
            case=case,
            by=request.user,
            guardian_name=data["guardian_name"],
            kind=data["kind"],
            issued_on=data["issued_on"] or timezone.localdate(),
        )
    except ValidationError as e:
        return HttpResponse(
            f"无法预览：{'；'.join(e.messages)}",
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    notice.case = case
    pdf = notices_pdf([notice], preview=True)
    record_access(
        user=request.user,
        action=Action.DOWNLOAD,
        child=case.child,
        detail=f"{notice.get_kind_display()} 预览（PDF）",
    )
    return pdf_response(pdf, f"预览-{notice.get_kind_display()}-{case.child.name}.pdf")
