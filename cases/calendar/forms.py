"""The calendar page's forms: a term, a local day (off or a make-up school day)."""

from django import forms

from ..models import CalendarDay, Term

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class TermForm(forms.ModelForm):
    class Meta:
        model = Term
        fields = ["name", "start", "end"]
        widgets = {"start": DATE, "end": DATE}

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end <= start:
            self.add_error("end", "结束日期必须晚于开学日期。")
        return data


class CalendarDayForm(forms.ModelForm):
    kind = forms.ChoiceField(
        label="类型", choices=CalendarDay.Kind.choices, widget=forms.RadioSelect
    )

    class Meta:
        model = CalendarDay
        fields = ["date", "kind", "note"]
        widgets = {"date": DATE}
        help_texts = {"note": "例如：县运动会放假、国庆后补课、提前报到。"}
