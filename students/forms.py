from django import forms

from . import idcard
from .jurisdiction import (
    household_scope,
    may_see_juvenile_cases,
    memberships,
    school_scope,
    village_scope,
)
from .models import Child, Household, JurisdictionSettings, Village


class HouseholdForm(forms.ModelForm):
    class Meta:
        model = Household
        fields = [
            "village",
            "group",
            "head_name",
            "address",
            "phone",
            "hukou_place",
            "is_tuopin",
            "is_jiance",
            "is_dibao",
            "is_tekun",
        ]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = Village.objects.filter(
            village_scope(user)
        ).select_related("township")
        self.fields["group"].queryset = (
            self.fields["group"]
            .queryset.filter(village__in=self.fields["village"].queryset)
            .select_related("village")
        )


class ChildForm(forms.ModelForm):
    class Meta:
        model = Child
        fields = [
            "village",
            "household",
            "name",
            "gender",
            "birth_date",
            "id_number",
            "xueji_number",
            "school",
            "grade",
            "class_name",
            "head_teacher",
            "status",
            "father_name",
            "father_phone",
            "father_occupation",
            "mother_name",
            "mother_phone",
            "mother_occupation",
            "guardian_name",
            "guardian_phone",
            "hukou_place",
            "address",
            "is_disabled",
            "disability_category",
            "disability_grade",
            *Child.SPECIAL_GROUP_FIELDS,
        ]
        widgets = {"birth_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = Village.objects.filter(
            village_scope(user)
        ).select_related("township")
        self.fields["household"].queryset = self._household_choices(user)
        self.fields["school"].queryset = self.fields["school"].queryset.filter(school_scope(user))
        self.fields["id_number"].widget.attrs.update(autocomplete="off", inputmode="text")
        for name in ("father_phone", "mother_phone", "guardian_phone"):
            self.fields[name].widget.attrs.update(inputmode="tel")
        if self.instance.pk:
            # Whoever may edit may correct these numbers (a G 学籍号 holds the
            # ID number), but they never show in the page source: leave blank
            # to keep, type to replace.
            for name in ("id_number", "xueji_number"):
                self.initial[name] = ""
                current = idcard.mask_id_number(getattr(self.instance, name)) or "无"
                self.fields[name].help_text = f"当前：{current}。留空则不变。"
        if not may_see_juvenile_cases(user):
            del self.fields["is_juvenile_case"]
        if self.instance.pk:
            # Later changes of status go through 变更状态, with a reason.
            del self.fields["status"]

    def _household_choices(self, user):
        """Households of the child's village only: a county has thousands."""
        village = (
            self.data.get("village") or self.initial.get("village") or self.instance.village_id
        )
        village = getattr(village, "pk", village)
        households = Household.objects.filter(household_scope(user))
        if village:
            return households.filter(village_id=village)
        own_villages = [m.village_id for m in memberships(user) if m.village_id]
        if own_villages:  # a village cadre: their own few villages
            return households.filter(village_id__in=own_villages).select_related("village")
        self.fields["household"].help_text = "先选择村（社区）并保存，或从家庭户页面“添加子女”。"
        return households.none()

    def clean_id_number(self):
        raw = self.cleaned_data.get("id_number") or ""
        if not raw.strip():
            return self.instance.id_number if self.instance.pk else None
        try:
            return idcard.normalize_id_number(raw)
        except idcard.IDNumberError as e:
            raise forms.ValidationError(str(e)) from None

    def clean_xueji_number(self):
        raw = self.cleaned_data.get("xueji_number") or ""
        if not raw.strip():
            return self.instance.xueji_number if self.instance.pk else ""
        return idcard.normalize_xueji_number(raw)

    # Sections of the form, in order; the template renders one card each.
    SECTIONS = [
        (
            "基本信息",
            ["village", "household", "name", "gender", "birth_date", "id_number", "xueji_number"],
        ),
        ("就读情况", ["status", "school", "grade", "class_name", "head_teacher"]),
        (
            "监护人",
            [
                "father_name",
                "father_phone",
                "father_occupation",
                "mother_name",
                "mother_phone",
                "mother_occupation",
                "guardian_name",
                "guardian_phone",
                "hukou_place",
                "address",
            ],
        ),
        (
            "特殊群体",
            ["is_disabled", "disability_category", "disability_grade", *Child.SPECIAL_GROUP_FIELDS],
        ),
    ]

    def sections(self):
        for title, names in self.SECTIONS:
            yield title, [self[name] for name in names if name in self.fields]


class StatusChangeForm(forms.Form):
    status = forms.ChoiceField(label="新状态", choices=Child.Status.choices)
    reason = forms.CharField(
        label="变更原因", widget=forms.Textarea(attrs={"rows": 3}), max_length=500
    )


class JurisdictionSettingsForm(forms.ModelForm):
    class Meta:
        model = JurisdictionSettings
        fields = JurisdictionSettings.EDITABLE_FIELDS
