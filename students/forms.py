from django import forms
from django.utils.html import format_html, format_html_join

from . import idcard, selectors, services
from .jurisdiction import access
from .models import Child, Household, JurisdictionSettings, School, Village, VillageGroup
from .phones import normalize_phone
from .presets import ladder_presets


def _version_field():
    """The record's version when the form was opened, sent back hidden: the
    service refuses the save if someone saved in between."""
    return forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)


def _keep_version(form):
    if form.instance.pk:
        form.initial["version"] = form.instance.version


def _clean_phone(form, name):
    """The one phone rule (phones.py), normalised before the model checks it."""
    try:
        return normalize_phone(form.cleaned_data.get(name))
    except ValueError as e:
        raise forms.ValidationError(str(e)) from None


def _version_sent(form, stale):
    if form.instance.pk and form.cleaned_data.get("version") is None:
        form.add_error(None, stale)


class HouseholdForm(forms.ModelForm):
    version = _version_field()

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
            access(user).villages()
        ).select_related("township")
        # The groups of the household's village (any of the user's villages
        # before one is chosen); Household.clean() and the database refuse
        # a group of another village whatever is posted.
        village = self.initial.get("village") or self.instance.village_id
        village = getattr(village, "pk", village)
        groups = VillageGroup.objects.filter(village__in=self.fields["village"].queryset)
        if village and not self.is_bound:  # a posted mismatch gets clean()'s message
            groups = groups.filter(village_id=village)
        self.fields["group"].queryset = groups.select_related("village")
        self.fields["phone"].widget.attrs.update(inputmode="tel")
        self.fields["phone"].help_text = "手机号11位，或带区号的固定电话，如 0791-1234567"
        _keep_version(self)

    def clean_phone(self):
        return _clean_phone(self, "phone")

    def clean(self):
        data = super().clean()
        _version_sent(self, services.STALE_HOUSEHOLD)
        group, village = data.get("group"), data.get("village")
        if group is not None and village is not None and group.village_id != village.pk:
            self.add_error("group", f"{group}不属于{village}，请重新选择村民小组。")
        return data


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
            *Child.DISABILITY_FIELDS,
            *Child.SPECIAL_GROUP_FIELDS,
        ]
        widgets = {"birth_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    confirm_not_duplicate = forms.BooleanField(
        label="确认不是同一人，仍然保存", required=False, widget=forms.HiddenInput
    )
    # Kept as the history row's reason.
    change_reason = forms.CharField(
        label="变更原因",
        max_length=100,
        required=False,
        help_text="如：入户核实后更正监护人电话。将记入修改历史。",
    )
    version = _version_field()

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        _keep_version(self)
        self.fields["village"].queryset = Village.objects.filter(
            access(user).villages()
        ).select_related("township")
        self.fields["household"].queryset = self._household_choices(user)
        self.fields["school"].queryset = self.fields["school"].queryset.filter(
            access(user).schools()
        )
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
        if not access(user).may_see_juvenile_cases():
            del self.fields["is_juvenile_case"]
        self._derive_from_id_number()
        self._grades_of_school()
        if self.instance.pk:
            # Later changes of status go through 变更状态, with a reason.
            del self.fields["status"]
            self.fields["change_reason"].required = True
        else:
            del self.fields["change_reason"]

    def _household_choices(self, user):
        """Households of the child's village only: a county has thousands."""
        village = (
            self.data.get("village") or self.initial.get("village") or self.instance.village_id
        )
        village = getattr(village, "pk", village)
        households = Household.objects.filter(access(user).households())
        if village:
            return households.filter(village_id=village)
        own_villages = access(user).own_village_ids()
        if own_villages:  # a village cadre: their own few villages
            return households.filter(village_id__in=own_villages).select_related("village")
        self.fields["household"].help_text = "先选择村（社区）并保存，或从家庭户页面“添加子女”。"
        return households.none()

    def _derive_from_id_number(self):
        """性别 and 出生日期 come from the ID number: read-only when the child
        has a usable one, optional (derived in clean()) while typing a new
        one, and typed only for a child without an ID number."""
        for name in ("gender", "birth_date"):
            self.fields[name].required = False
            self.fields[name].help_text = "有身份证号时按身份证号自动填写，无需填写"
        if self.instance.pk and self.instance.id_number:
            for name in ("gender", "birth_date"):
                self.fields[name].disabled = True
                self.fields[name].help_text = "按身份证号自动填写"

    def _grades_of_school(self):
        """年级 offers only the grades of the chosen school's kind (School.grades)."""
        school = self.initial.get("school") or self.instance.school_id
        school = getattr(school, "pk", school)
        if school and not self.is_bound:  # a posted mismatch gets Child.clean()'s message
            found = School.objects.filter(pk=school).first()
            if found is not None:
                self.fields["grade"].choices = [("", "---------")] + [
                    (g, label)
                    for g, label in Child._meta.get_field("grade").choices
                    if g in found.grades
                ]

    def clean_father_phone(self):
        return _clean_phone(self, "father_phone")

    def clean_mother_phone(self):
        return _clean_phone(self, "mother_phone")

    def clean_guardian_phone(self):
        return _clean_phone(self, "guardian_phone")

    def _gender_and_birth(self, data):
        id_number = data.get("id_number")
        if id_number:
            try:
                info = idcard.parse_id_number(id_number)
            except idcard.IDNumberError as e:
                self.add_error("id_number", str(e))
                return
            data["gender"], data["birth_date"] = info.gender, info.birth_date
            return
        if "id_number" in self.errors:
            return
        if not data.get("gender"):
            self.add_error("gender", "无身份证号时请填写性别。")
        if not data.get("birth_date"):
            self.add_error("birth_date", "无身份证号时请填写出生日期。")

    def clean_id_number(self):
        raw = self.cleaned_data.get("id_number") or ""
        if not raw.strip():
            return self.instance.id_number if self.instance.pk else None
        try:
            return idcard.normalize_id_number(raw)
        except idcard.IDNumberError as e:
            raise forms.ValidationError(str(e)) from None

    def validate_unique(self):
        # The ID number's uniqueness is checked in clean(), with a message
        # that links to the registered child or names the office to ask.
        self._validate_unique = False
        super().validate_unique()

    def clean(self):
        data = super().clean()
        _version_sent(self, services.STALE_CHILD)
        self._gender_and_birth(data)
        owner = selectors.id_number_owner(data.get("id_number"), exclude_pk=self.instance.pk)
        if owner is not None:
            if Child.objects.filter(access(self.user).children(), pk=owner.pk).exists():
                message = format_html(
                    '该身份证号已登记为 <a href="{}">{}</a>（{}{}），请勿重复登记。',
                    owner.get_absolute_url(),
                    owner.name,
                    owner.village.township,
                    owner.village,
                )
            else:
                township = owner.village.township
                message = (
                    f"该身份证号已在{township}登记，不在您的辖区。请联系{township}控辍办核实。"
                )
            self.add_error("id_number", message)
            return data
        if self.errors or data.get("confirm_not_duplicate"):
            return data
        similar = list(
            selectors.similar_children(
                name=data.get("name"),
                birth_date=data.get("birth_date"),
                father_name=data.get("father_name"),
                mother_name=data.get("mother_name"),
                household=data.get("household"),
                exclude_pk=self.instance.pk,
            )
        )
        if similar:
            visible = set(
                Child.objects.filter(
                    access(self.user).children(), pk__in=[c.pk for c in similar]
                ).values_list("pk", flat=True)
            )
            shown = format_html_join(
                "、",
                '<a href="{}">{}（{}{}）</a>',
                (
                    (c.get_absolute_url(), c.name, c.village.township, c.village)
                    for c in similar
                    if c.pk in visible
                ),
            )
            others = len(similar) - len(visible)
            self.fields["confirm_not_duplicate"].widget = forms.CheckboxInput()
            self.add_error(
                None,
                format_html(
                    "可能与已登记的儿童重复：{}{}。如确认不是同一人，请勾选下方“确认不是同一人”后再保存。",
                    shown or "",
                    f"{'；' if shown else ''}另有{others}名在其他辖区（请联系乡镇控辍办核实）"
                    if others
                    else "",
                ),
            )
        return data

    def clean_xueji_number(self):
        raw = self.cleaned_data.get("xueji_number") or ""
        if not raw.strip():
            return self.instance.xueji_number if self.instance.pk else ""
        return idcard.normalize_xueji_number(raw)

    # Sections of the form, in order; the template renders one card each.
    SECTIONS = [
        (
            "基本信息",
            [
                "village",
                "household",
                "name",
                "gender",
                "birth_date",
                "id_number",
                "xueji_number",
                "confirm_not_duplicate",
                "version",
            ],
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
            ["is_disabled", *Child.DISABILITY_FIELDS, *Child.SPECIAL_GROUP_FIELDS],
        ),
        ("变更原因", ["change_reason"]),
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
    ladder_preset = forms.ChoiceField(
        label="升级阶梯",
        help_text="按连续无故缺课的上学日数逐级劝返。",
    )

    enrolment_ladder_preset = forms.ChoiceField(
        label="未入学儿童劝学阶梯",
        required=False,
        help_text="未入学儿童：村入户、乡镇入户、限期入学通知、按年龄入学安置，上一步完成后生成下一步待办。",
    )

    class Meta:
        model = JurisdictionSettings
        fields = ["ladder_preset", "enrolment_ladder_preset", *JurisdictionSettings.EDITABLE_FIELDS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The presets are reference data (fixtures/ladder_presets.json).
        presets = ladder_presets()
        self.presets = {key: steps for key, _, steps, _ in presets}
        self.fields["ladder_preset"].choices = [(key, label) for key, label, _, _ in presets]
        if self.instance.township_id is None:
            # The 机关代字 is the township's own (its notices' 发文字号).
            del self.fields["document_prefix"]
        else:
            self.fields["document_prefix"].widget.attrs["placeholder"] = (
                JurisdictionSettings.default_document_prefix(self.instance.township.name)
            )
        current = [step.get("todo") for step in self.instance.ladder or []]
        for key, steps in self.presets.items():
            if current == [step["todo"] for step in steps]:
                self.fields["ladder_preset"].initial = key
        enrolment = ladder_presets(enrolment=True)
        self.enrolment_presets = {key: steps for key, _, steps, _ in enrolment}
        self.fields["enrolment_ladder_preset"].choices = [
            (k, label) for k, label, _, _ in enrolment
        ]
        current = [step.get("todo") for step in self.instance.enrolment_ladder or []]
        for key, steps in self.enrolment_presets.items():
            if current == [step["todo"] for step in steps]:
                self.fields["enrolment_ladder_preset"].initial = key

    def save(self, commit=True):
        self.instance.ladder = [
            dict(step) for step in self.presets[self.cleaned_data["ladder_preset"]]
        ]
        chosen = self.cleaned_data.get("enrolment_ladder_preset")
        if chosen:  # not chosen: the current one stays
            self.instance.enrolment_ladder = [dict(s) for s in self.enrolment_presets[chosen]]
        return super().save(commit=commit)
