"""Forms of the case pages (cases/views.py)."""

from django import forms

from .models import Case


class ReturnForm(forms.Form):
    returned_on = forms.DateField(label="返校日期", widget=forms.DateInput(attrs={"type": "date"}))
    placement = forms.ChoiceField(label="复学安置", choices=Case.Placement.choices)
    placement_note = forms.CharField(label="安置说明", required=False, max_length=200)
