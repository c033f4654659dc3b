"""劝学记录 forms: the record (in sections, for a phone) and its participants."""

from django import forms

from common.uploads import MAX_UPLOAD_LABEL
from common.web import IMAGE_ACCEPT

from ..models import Participant, PersuasionRecord
from .services import MAX_ATTACHMENTS


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
        f"最多 {MAX_ATTACHMENTS} 个，每个不超过 {MAX_UPLOAD_LABEL}。",
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
