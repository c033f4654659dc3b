"""The leads page's filter."""

import django_filters

from ..models import Lead


class LeadFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label="类型", choices=Lead.Kind.choices, empty_label="全部")
    state = django_filters.ChoiceFilter(
        label="核实结果", choices=Lead.State.choices, empty_label="全部"
    )
    period = django_filters.ChoiceFilter(label="比对期", choices=[], empty_label="全部")
    name = django_filters.CharFilter(label="姓名", lookup_expr="contains")

    class Meta:
        model = Lead
        fields = ["kind", "state", "period", "name"]

    def __init__(self, *args, periods, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["period"].extra["choices"] = [(p, p) for p in periods]
