"""Attendance forms: one child's absence, and the Excel upload."""

from django import forms

from students.models import School
from students.sheets import validate_upload

from ..models import Absence
from .selectors import PRESENT, classes_for_user


class ChildAbsenceForm(forms.Form):
    date = forms.DateField(
        label="日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    mark = forms.ChoiceField(
        label="考勤",
        choices=[
            (Absence.Kind.LEAVE, "请假"),
            (Absence.Kind.UNEXCUSED, "无故未到校"),
            (PRESENT, "到校（撤销该日缺勤记录）"),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label="原因", max_length=200, required=False, help_text="请假须填写原因。"
    )


class UploadForm(forms.Form):
    school = forms.ModelChoiceField(
        label="学校",
        queryset=School.objects.none(),
        required=False,
        help_text="表中没有“学校”列时，整张表按所选学校导入。",
    )
    file = forms.FileField(label="Excel 文件（.xlsx 或 .xls）")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        schools = {c.school.pk for c in classes_for_user(user)}
        queryset = School.objects.filter(pk__in=schools).select_related("township")
        self.fields["school"].queryset = queryset
        if len(schools) <= 1:
            self.fields["school"].widget = forms.HiddenInput()
            self.fields["school"].initial = next(iter(schools), None)

    def clean_file(self):
        return validate_upload(self.cleaned_data["file"])
