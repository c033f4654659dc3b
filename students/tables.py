import django_tables2 as tables
from django.utils.html import format_html_join

from . import idcard
from .models import Child, Household


class ChildTable(tables.Table):
    name = tables.Column(linkify=True)
    id_number = tables.Column(verbose_name="身份证号", orderable=False)
    village = tables.Column(order_by=("village__name",))
    school = tables.Column(order_by=("school__name",))
    grade = tables.Column(verbose_name="年级班级", order_by=("grade", "class_name"))
    special_groups = tables.Column(verbose_name="特殊群体", accessor="pk", orderable=False)

    class Meta:
        model = Child
        fields = ["name", "gender", "id_number", "village", "school", "grade", "status"]
        # Phone first: what a cadre looks for fits the first screen width.
        sequence = [
            "name",
            "status",
            "grade",
            "gender",
            "village",
            "school",
            "id_number",
            "special_groups",
        ]
        attrs = {"class": "table"}
        empty_text = "没有符合条件的学生。"

    def render_id_number(self, value):
        return idcard.mask_id_number(value)

    def render_grade(self, record):
        return record.class_label

    def render_special_groups(self, record):
        groups = [g for g in record.special_groups if g != "涉案未成年人"]
        return format_html_join("", '<span class="tag">{}</span>', ((g,) for g in groups))


class HouseholdTable(tables.Table):
    head_name = tables.Column(linkify=True)
    village = tables.Column(order_by=("village__name",))
    phone = tables.Column(orderable=False)
    children_count = tables.Column(verbose_name="子女数", orderable=True)
    flags = tables.Column(verbose_name="家庭类别", accessor="pk", orderable=False)

    class Meta:
        model = Household
        fields = ["head_name", "village", "phone"]
        sequence = ["head_name", "village", "phone", "children_count", "flags"]
        attrs = {"class": "table"}
        empty_text = "没有符合条件的家庭户。"

    def render_phone(self, value):
        return idcard.mask_phone(value)

    def render_flags(self, record):
        return format_html_join(
            "", '<span class="tag">{}</span>', ((f,) for f in record.family_flags)
        )
