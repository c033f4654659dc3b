import django_filters
from django.db.models import Q

from .jurisdiction import access
from .models import Child, Household, School, Village
from .pinyin import looks_like_pinyin

SPECIAL_GROUP_CHOICES = [
    ("is_disabled", "残疾"),
    *Child.SPECIAL_GROUP_FIELDS.items(),
    ("household__is_tuopin", "脱贫户"),
    ("household__is_jiance", "监测户"),
    ("household__is_dibao", "低保户"),
    ("household__is_tekun", "特困户"),
]


class ChildFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(label="姓名/拼音/首字母", method="filter_name")
    id_tail = django_filters.CharFilter(label="身份证号后几位", method="filter_id_tail")
    village = django_filters.ModelChoiceFilter(label="村（社区）", queryset=Village.objects.none())
    school = django_filters.ModelChoiceFilter(label="学校", queryset=School.objects.none())
    grade = django_filters.ChoiceFilter(
        label="年级", choices=Child._meta.get_field("grade").choices
    )
    status = django_filters.ChoiceFilter(label="入学状态", choices=Child.Status.choices)
    special_group = django_filters.ChoiceFilter(
        label="特殊群体", choices=SPECIAL_GROUP_CHOICES, method="filter_special_group"
    )

    class Meta:
        model = Child
        fields = ["name", "id_tail", "village", "school", "grade", "status", "special_group"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["village"].queryset = Village.objects.filter(access(user).villages())
        self.filters["school"].queryset = School.objects.filter(access(user).schools())
        if not access(user).may_see_juvenile_cases():
            # Nobody else may even search by it (DOMAIN §9).
            self.filters["special_group"].extra["choices"] = [
                c for c in SPECIAL_GROUP_CHOICES if c[0] != "is_juvenile_case"
            ]

    def filter_name(self, queryset, name, value):
        """张三, zhangsan or zs; digits search the ID number's tail."""
        value = "".join(value.split()).lower()
        if not value:
            return queryset
        if looks_like_pinyin(value):
            return queryset.filter(
                Q(name_pinyin__startswith=value) | Q(name_initials__startswith=value)
            )
        if value[-1:].isdigit() or value.endswith("x"):
            return self.filter_id_tail(queryset, name, value)
        return queryset.filter(name__contains=value)

    def filter_id_tail(self, queryset, name, value):
        value = value.strip().upper()
        # The tail of a masked number is all a list shows; at least 4 characters.
        if len(value) < 4:
            return queryset
        return queryset.filter(id_number__endswith=value)

    def filter_special_group(self, queryset, name, value):
        return queryset.filter(**{value: True})


class HouseholdFilter(django_filters.FilterSet):
    head_name = django_filters.CharFilter(label="户主姓名", lookup_expr="icontains")
    village = django_filters.ModelChoiceFilter(label="村（社区）", queryset=Village.objects.none())
    flag = django_filters.ChoiceFilter(
        label="家庭类别",
        choices=[
            ("is_tuopin", "脱贫户"),
            ("is_jiance", "监测户"),
            ("is_dibao", "低保户"),
            ("is_tekun", "特困户"),
        ],
        method="filter_flag",
    )

    class Meta:
        model = Household
        fields = ["head_name", "village", "flag"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["village"].queryset = Village.objects.filter(access(user).villages())

    def filter_flag(self, queryset, name, value):
        return queryset.filter(Q(**{value: True}))
