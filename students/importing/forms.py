"""The upload form of the import pages."""

from django import forms

from ..jurisdiction import access
from ..models import ImportBatch, School, Village
from ..sheets import validate_upload

Kind = ImportBatch.Kind


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label="导入内容", choices=Kind.choices)
    village = forms.ModelChoiceField(
        label="村（社区）",
        queryset=Village.objects.none(),
        required=False,
        help_text="底数台账：整张表属于这个村。乡镇、县级用户可留空，按表中“村名”列导入。",
    )
    school = forms.ModelChoiceField(
        label="学校",
        queryset=School.objects.none(),
        required=False,
        help_text="学籍表、小升初交接名单：整张表属于这所学校（学籍表中有“学校名称”列时可留空）。",
    )
    file = forms.FileField(label="Excel 文件（.xlsx 或 .xls）")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["village"].queryset = Village.objects.filter(
            access(user).villages()
        ).select_related("township")
        self.fields["school"].queryset = School.objects.filter(access(user).schools())

    def clean_file(self):
        return validate_upload(self.cleaned_data["file"])

    def clean(self):
        data = super().clean()
        kind, village, school = data.get("kind"), data.get("village"), data.get("school")
        villages = self.fields["village"].queryset
        school_kinds = (Kind.XUEJI, Kind.HANDOVER)  # a school's own lists
        if kind not in school_kinds and not villages.exists():
            raise forms.ValidationError(
                "您的账号没有管辖的村（社区），只能导入学籍表或小升初交接名单。"
            )
        if kind == Kind.ROSTER and village is None and villages.count() == 1:
            data["village"] = villages.first()
        if kind in school_kinds and school is None:
            if self.fields["school"].queryset.count() == 1:
                data["school"] = self.fields["school"].queryset.first()
            elif kind == Kind.HANDOVER:
                raise forms.ValidationError("小升初交接名单：请选择毕业学校。")
        place = (
            data.get("village")
            or data.get("school")
            or villages.first()
            or self.fields["school"].queryset.first()
        )
        if place is None:
            raise forms.ValidationError("请选择村（社区）或学校。")
        data["county"] = (place.township if hasattr(place, "township") else place).county
        return data
