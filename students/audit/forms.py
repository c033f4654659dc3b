"""The access log's search."""

import re

import django_filters
from django import forms
from django.db.models import Q

from ..models import AccessLog

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# The last digits of an ID number (the check character may be X).
ID_TAIL = re.compile(r"^\d{2,17}[\dXx]?$")


class AccessLogFilter(django_filters.FilterSet):
    user = django_filters.CharFilter(label="用户", method="filter_user")
    child = django_filters.CharFilter(label="学生（姓名或身份证号后几位）", method="filter_child")
    action = django_filters.ChoiceFilter(
        label="操作", choices=AccessLog.Action.choices, empty_label="全部"
    )
    date_from = django_filters.DateFilter(
        label="起始日期", field_name="at", lookup_expr="date__gte", widget=DATE
    )
    date_to = django_filters.DateFilter(
        label="截止日期", field_name="at", lookup_expr="date__lte", widget=DATE
    )

    class Meta:
        model = AccessLog
        fields = ["user", "child", "action", "date_from", "date_to"]

    def filter_user(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(username__icontains=value)
            | Q(user__first_name__contains=value)
            | Q(user__last_name__contains=value)
        )

    def filter_child(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        if ID_TAIL.match(value):
            return queryset.filter(child__id_number__endswith=value.upper())
        return queryset.filter(child__name__contains=value)
