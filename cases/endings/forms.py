"""Forms of the other endings (转学, 外出就读, 户籍迁出, 死亡)."""

from django import forms

from .services import CONFIRM_METHODS, OTHER_ENDINGS

CONFIRM_ENDINGS = [(e.ending, e.label) for e in OTHER_ENDINGS.values() if e.confirm]


class DestinationForm(forms.Form):
    ending = forms.ChoiceField(label="去向", choices=CONFIRM_ENDINGS, widget=forms.RadioSelect)
    school_name = forms.CharField(label="接收学校名称", max_length=100)
    place = forms.CharField(label="所在地（省市县）", max_length=100)
    note = forms.CharField(label="说明", required=False, max_length=200)


class ConfirmForm(forms.Form):
    ending = forms.ChoiceField(widget=forms.HiddenInput, choices=CONFIRM_ENDINGS)
    method = forms.ChoiceField(label="确认方式", choices=CONFIRM_METHODS)
    confirmer = forms.CharField(
        label="确认人", max_length=60, help_text="接收学校或接收地教育局的联系人及电话"
    )
    note = forms.CharField(label="说明", required=False, max_length=200)


class CloseOtherForm(forms.Form):
    ending = forms.ChoiceField(
        label="结案方式",
        choices=[(e.ending, e.label) for e in OTHER_ENDINGS.values()],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label="说明",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=300,
        help_text="转学/外出就读：转学手续；户籍迁出：迁往何地、日期、证明；死亡：日期及依据",
    )
