"""The school's report and the township's notices: forms."""

from django import forms

from common.uploads import MAX_UPLOAD_LABEL
from common.web import IMAGE_ACCEPT

from ..models import DropoutReport, ReturnNotice, StepOverride

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ReportForm(forms.ModelForm):
    class Meta:
        model = DropoutReport
        fields = ["filed_on", "recipients", "receiver", "receiver_contact", "summary"]
        widgets = {"filed_on": DATE, "summary": forms.Textarea(attrs={"rows": 6})}
        help_texts = {"recipients": "例如：某某镇人民政府；同时报县教育局、督导室的一并填写"}


class IssueForm(forms.Form):
    kind = forms.ChoiceField(label="通知书", choices=ReturnNotice.Kind.choices, required=False)
    guardian_name = forms.CharField(label="监护人", max_length=50)
    issued_on = forms.DateField(label="签发日期", widget=DATE)
    override_reason = forms.CharField(
        label="提前签发理由",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="前置步骤尚未完成而必须提前签发时（如学生已离开本地、存在安全隐患），"
        "由乡镇控辍办写明理由；理由记入个案和台账。",
    )

    def __init__(self, *args, kinds=None, may_override=False, **kwargs):
        super().__init__(*args, **kwargs)
        if kinds is not None:
            labels = dict(ReturnNotice.Kind.choices)
            self.fields["kind"].choices = [(k, labels[k]) for k in kinds]
        if not may_override:
            del self.fields["override_reason"]

    def clean_kind(self):
        return self.cleaned_data.get("kind") or ReturnNotice.Kind.RETURN


class OverrideForm(forms.Form):
    action = forms.ChoiceField(label="提前办理事项", choices=StepOverride.Action.choices)
    reason = forms.CharField(
        label="理由",
        max_length=1000,
        error_messages={"required": "请写明提前处置的理由（如学生已离开本地、存在安全隐患等）。"},
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="例如：学生已随父母离开本地；存在安全隐患，须立即介入。",
    )


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
