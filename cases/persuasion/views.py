"""劝学记录 pages: record a contact from a phone in the field, read one back.

Every page starts from the case the user may see (404 outside their reach);
photos and scans are served through here, never from a public media URL.
"""

import uuid

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from common.uploads import MAX_UPLOAD_LABEL
from common.web import IMAGE_ACCEPT, apply_errors, file_response

from .. import persuasion, selectors
from ..models import Attachment, Participant, PersuasionRecord

get_case = selectors.case_or_404


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        one = super().clean
        if isinstance(data, list | tuple):
            return [one(d, initial) for d in data]
        return [one(data, initial)] if data else []


class PersuasionForm(forms.ModelForm):
    SECTIONS = [
        ("时间与方式", ["at", "method"]),
        ("学生是否在场", ["student_present", "presence_photo"]),
        ("家庭状况与劝学过程", ["family_situation", "process"]),
        ("家长", ["guardian_attitude", "guardian_signature"]),
        ("学生", ["student_attitude", "student_signature"]),
        ("学校意见与结果", ["school_opinion", "outcome", "outcome_note"]),
        ("佐证材料", ["attachments"]),
    ]

    client_token = forms.UUIDField(widget=forms.HiddenInput)
    attachments = MultipleFileField(
        label="附件",
        required=False,
        help_text=f"照片或扫描件（JPG、PNG、WEBP、PDF），可多选，"
        f"最多 {persuasion.MAX_ATTACHMENTS} 个，每个不超过 {MAX_UPLOAD_LABEL}。",
        widget=MultipleFileInput(attrs={"accept": f"{IMAGE_ACCEPT},application/pdf"}),
    )

    class Meta:
        model = PersuasionRecord
        fields = [
            "at",
            "method",
            "student_present",
            "presence_photo",
            "family_situation",
            "process",
            "guardian_attitude",
            "guardian_signature",
            "student_attitude",
            "student_signature",
            "school_opinion",
            "outcome",
            "outcome_note",
        ]
        widgets = {
            "at": forms.DateTimeInput(
                attrs={"type": "datetime-local"},
                format="%Y-%m-%dT%H:%M",
            ),
            "family_situation": forms.Textarea(attrs={"rows": 3}),
            "process": forms.Textarea(attrs={"rows": 5}),
            "guardian_attitude": forms.Textarea(attrs={"rows": 2}),
            "student_attitude": forms.Textarea(attrs={"rows": 2}),
            "school_opinion": forms.Textarea(attrs={"rows": 2}),
            "presence_photo": forms.ClearableFileInput(attrs={"accept": IMAGE_ACCEPT}),
            "guardian_signature": forms.ClearableFileInput(attrs={"accept": IMAGE_ACCEPT}),
            "student_signature": forms.ClearableFileInput(attrs={"accept": IMAGE_ACCEPT}),
        }
        help_texts = {
            "presence_photo": "入户或联合家访勾选“学生本人在场”时必传。",
            "guardian_signature": "请家长在纸质记录表上签字后拍照。",
            "student_signature": "请学生在纸质记录表上签字后拍照。",
        }

    def sections(self):
        for title, names in self.SECTIONS:
            yield title, [self[name] for name in names]


class ParticipantForm(forms.ModelForm):
    class Meta:
        model = Participant
        fields = ["name", "side", "role"]


class BaseParticipantFormSet(forms.BaseFormSet):
    default_error_messages = {
        **forms.BaseFormSet.default_error_messages,
        "too_few_forms": "请至少填写一位劝学人员。",
    }


ParticipantFormSet = forms.formset_factory(
    ParticipantForm,
    formset=BaseParticipantFormSet,
    extra=2,
    min_num=1,
    validate_min=True,
    max_num=12,
    validate_max=True,
)


@login_required
def persuasion_new(request, pk):
    case = get_case(request.user, pk)
    if not persuasion.may_record(request.user, case):
        raise Http404("该个案已销号，或您无权添加劝学记录。")
    participant_errors = []
    if request.method == "POST":
        form = PersuasionForm(request.POST, request.FILES)
        formset = ParticipantFormSet(request.POST, prefix="p")
        if form.is_valid() and formset.is_valid():
            data = dict(form.cleaned_data)
            people = [f.cleaned_data for f in formset.forms if f.cleaned_data]
            try:
                record, created = persuasion.record_persuasion(
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
        formset.forms[0].initial.update(persuasion.first_participant(request.user, case))
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
    case = get_case(request.user, pk)
    try:
        record = persuasion.record_for_case(case, record_pk)
    except PersuasionRecord.DoesNotExist:
        raise Http404("没有找到该劝学记录。") from None
    return render(request, "cases/persuasion/detail.html", {"case": case, "record": record})


PHOTO_FIELDS = {"presence_photo", "guardian_signature", "student_signature"}


@login_required
def persuasion_photo(request, pk, record_pk, field):
    case = get_case(request.user, pk)
    if field not in PHOTO_FIELDS:
        raise Http404("没有该文件。")
    try:
        record = PersuasionRecord.objects.get(case=case, pk=record_pk)
    except PersuasionRecord.DoesNotExist:
        raise Http404("没有找到该劝学记录。") from None
    f = getattr(record, field)
    label = PersuasionRecord._meta.get_field(field).verbose_name.split("（")[0]
    return file_response(f, download_name=f"劝学记录{record.pk}-{label}{_suffix(f)}")


@login_required
def attachment_file(request, pk, attachment_pk):
    case = get_case(request.user, pk)
    try:
        a = persuasion.attachment_for_case(case, attachment_pk)
    except Attachment.DoesNotExist:
        raise Http404("没有找到该附件。") from None
    return file_response(a.file, download_name=f"附件{a.pk}{_suffix(a.file)}")


def _suffix(f):
    name = f.name or ""
    return name[name.rfind(".") :] if "." in name else ""
