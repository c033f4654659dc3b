"""Forms of the disposition pages (cases/dispositions/views.py)."""

from django import forms
from django.utils import timezone

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
ACCEPT = {"accept": "image/jpeg,image/png,image/webp,application/pdf"}


class StartForm(forms.Form):
    kind = forms.ChoiceField(label="处置方式", widget=forms.RadioSelect)
    note = forms.CharField(label="说明", required=False, max_length=200)

    def __init__(self, *args, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(r.kind, r.label) for r in kinds]


def facts_form_class(rule, joint_records):
    """A form for the rule's facts (all optional here: the rule check names what is missing)."""
    fields = {}
    for fact in rule.facts:
        if fact.type == "date":
            field = forms.DateField(label=fact.label, required=False, widget=DATE)
        elif fact.type == "choice":
            field = forms.ChoiceField(
                label=fact.label, required=False, choices=[("", "—"), *fact.choices]
            )
        elif fact.type == "joint_record":
            choices = [
                (str(r.pk), f"{timezone.localtime(r.at):%Y-%m-%d} {r.get_outcome_display()}")
                for r in joint_records
            ]
            field = forms.ChoiceField(
                label=fact.label, required=False, choices=[("", "—"), *choices]
            )
        else:
            field = forms.CharField(label=fact.label, required=False, max_length=200)
        field.help_text = fact.help
        fields[fact.name] = field
    if rule.review_required:
        fields["review_on"] = forms.DateField(label="复查日期", required=False, widget=DATE)
    return type("FactsForm", (forms.Form,), fields)


class EvidenceForm(forms.Form):
    item = forms.ChoiceField(label="材料项目")
    file = forms.FileField(
        label="文件（拍照或扫描）", widget=forms.ClearableFileInput(attrs=ACCEPT)
    )
    note = forms.CharField(label="说明", required=False, max_length=200)

    def __init__(self, *args, rule, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = [(e.code, e.label) for e in rule.uploads]


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        label="审批", choices=[("approve", "批准"), ("reject", "不批准")], widget=forms.RadioSelect
    )
    note = forms.CharField(label="审批意见", required=False, max_length=300)


class ReasonForm(forms.Form):
    note = forms.CharField(label="原因", max_length=300)


class SessionForm(forms.Form):
    date = forms.DateField(label="送教日期", widget=DATE)
    hours = forms.DecimalField(
        label="学时", max_digits=4, decimal_places=1, help_text="每次不少于2学时"
    )
    teachers = forms.CharField(label="送教教师", max_length=100)
    content = forms.CharField(label="送教内容", widget=forms.Textarea(attrs={"rows": 3}))
    photo = forms.FileField(
        label="照片",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
