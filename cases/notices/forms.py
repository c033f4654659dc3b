"""The school's report and the township's notices: forms."""

from django import forms

from common.uploads import MAX_UPLOAD_LABEL
from common.web import IMAGE_ACCEPT

from ..models import DropoutReport, ReturnNotice

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
