from django import forms

from . import idcard
from .jurisdiction import household_scope, school_scope, village_scope
from .models import Child, Household, Village


class HouseholdForm(forms.ModelForm):
    class Meta:
        model = Household
        fields = [
            "village", "group", "head_name", "address", "phone", "hukou_place",
            "is_tuopin", "is_jiance", "is_dibao", "is_tekun",
        ]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = Village.objects.filter(village_scope(user)).select_related("township")
        self.fields["group"].queryset = self.fields["group"].queryset.filter(
            village__in=self.fields["village"].queryset
        ).select_related("village")


class ChildForm(forms.ModelForm):
    class Meta:
        model = Child
        fields = [
            "village", "household", "name", "gender", "birth_date", "id_number", "xueji_number",
            "school", "grade", "class_name", "head_teacher",
            "father_name", "father_phone", "father_occupation",
            "mother_name", "mother_phone", "mother_occupation",
            "guardian_name", "guardian_phone", "hukou_place", "address",
            "is_disabled", "disability_category", "disability_grade",
            *Child.SPECIAL_GROUP_FIELDS,
        ]
        widgets = {"birth_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = Village.objects.filter(village_scope(user)).select_related("township")
        self.fields["household"].queryset = Household.objects.filter(household_scope(user)).select_related("village")
        self.fields["school"].queryset = self.fields["school"].queryset.filter(school_scope(user))
        self.fields["id_number"].widget.attrs.update(autocomplete="off", inputmode="text")
        for name in ("father_phone", "mother_phone", "guardian_phone"):
            self.fields[name].widget.attrs.update(inputmode="tel")
        if self.instance.pk:
            # Whoever may edit may correct the number, but it never shows in
            # the page source: leave blank to keep, type to replace.
            self.fields["id_number"].initial = ""
            self.initial["id_number"] = ""
            self.fields["id_number"].help_text = (
                f"当前：{idcard.mask_id_number(self.instance.id_number) or '无'}。留空则不变。"
            )

    def clean_id_number(self):
        raw = self.cleaned_data.get("id_number") or ""
        if not raw.strip():
            return self.instance.id_number if self.instance.pk else None
        try:
            return idcard.normalize_id_number(raw)
        except idcard.IDNumberError as e:
            raise forms.ValidationError(str(e)) from None


class StatusChangeForm(forms.Form):
    status = forms.ChoiceField(label="新状态", choices=Child.Status.choices)
    reason = forms.CharField(label="变更原因", widget=forms.Textarea(attrs={"rows": 3}), max_length=500)
