"""劝学记录 pages: record a contact from a phone in the field, read one back.

Every page starts from the case the user may see (404 outside their reach);
photos and scans are served through here, never from a public media URL.
"""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from common.web import apply_errors, file_response
from students.audit.services import Action, record_access

from ..models import Attachment, PersuasionRecord
from ..selectors import case_or_404
from . import selectors, services
from .forms import ParticipantFormSet, PersuasionForm


@login_required
def persuasion_new(request, pk):
    case = case_or_404(request.user, pk)
    if not selectors.may_record(request.user, case):
        raise Http404("该个案已销号，或您无权添加劝学记录。")
    participant_errors = []
    if request.method == "POST":
        form = PersuasionForm(request.POST, request.FILES)
        formset = ParticipantFormSet(request.POST, prefix="p")
        if form.is_valid() and formset.is_valid():
            data = dict(form.cleaned_data)
            people = [f.cleaned_data for f in formset.forms if f.cleaned_data]
            try:
                record, created = services.record_persuasion(
                    case=case,
                    by=request.user,
                    client_token=data.pop("client_token"),
                    participants=people,
                    attachments=data.pop("attachments"),
                    **{k: v for k, v in data.items() if v is not None},
                )
            except ValidationError as e:
                if hasattr(e, "error_dict"):
                    participant_errors = e.message_dict.pop("participants", [])
                    e = ValidationError(e.message_dict) if e.message_dict else None
                if e is not None:
                    apply_errors(form, e)
            else:
                if created:
                    messages.success(request, "已保存劝学记录。")
                else:
                    messages.info(request, "该劝学记录已保存过，本次重复提交未再保存。")
                return redirect(f"{case.get_absolute_url()}#persuasion")
    else:
        now = timezone.localtime().replace(second=0, microsecond=0)
        form = PersuasionForm(initial={"at": now, "client_token": uuid.uuid4()})
        formset = ParticipantFormSet(prefix="p")
        formset.forms[0].initial.update(selectors.first_participant(request.user, case))
    return render(
        request,
        "cases/persuasion/form.html",
        {
            "case": case,
            "form": form,
            "formset": formset,
            "participant_errors": participant_errors,
        },
    )


@login_required
def persuasion_detail(request, pk, record_pk):
    case = case_or_404(request.user, pk)
    try:
        record = selectors.record_for_case(case, record_pk)
    except PersuasionRecord.DoesNotExist:
        raise Http404("没有找到该劝学记录。") from None
    return render(request, "cases/persuasion/detail.html", {"case": case, "record": record})


PHOTO_FIELDS = {"presence_photo", "guardian_signature", "student_signature"}


@login_required
def persuasion_photo(request, pk, record_pk, field):
    case = case_or_404(request.user, pk)
    if field not in PHOTO_FIELDS:
        raise Http404("没有该文件。")
    try:
        record = PersuasionRecord.objects.get(case=case, pk=record_pk)
    except PersuasionRecord.DoesNotExist:
        raise Http404("没有找到该劝学记录。") from None
    f = getattr(record, field)
    label = PersuasionRecord._meta.get_field(field).verbose_name.split("（")[0]
    response = file_response(f, download_name=f"劝学记录{record.pk}-{label}{_suffix(f)}")
    record_access(
        user=request.user,
        action=Action.DOWNLOAD,
        child=case.child,
        detail=f"个案#{case.pk} 劝学记录#{record.pk} {label}",
    )
    return response


@login_required
def attachment_file(request, pk, attachment_pk):
    case = case_or_404(request.user, pk)
    try:
        a = selectors.attachment_for_case(case, attachment_pk)
    except Attachment.DoesNotExist:
        raise Http404("没有找到该附件。") from None
    response = file_response(a.file, download_name=f"附件{a.pk}{_suffix(a.file)}")
    record_access(
        user=request.user,
        action=Action.DOWNLOAD,
        child=case.child,
        detail=f"个案#{case.pk} 附件#{a.pk}",
    )
    return response


def _suffix(f):
    name = f.name or ""
    return name[name.rfind(".") :] if "." in name else ""
