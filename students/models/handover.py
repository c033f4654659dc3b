"""小升初 hand-over lists (001 §四(二)5): a primary school's graduates of the
year and the junior school each is assigned to. A school's data, kept like a
学籍 record (history, the import batch); cases/endings/handover.py opens a
case for a graduate who did not appear at a junior school by the deadline."""

from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from .places import School
from .roster import Child
from .sources import ImportBatch


class HandoverEntry(models.Model):
    year = models.PositiveSmallIntegerField("升学年份", help_text="升入初中的秋季学期所在年份")
    primary_school = models.ForeignKey(
        School, models.PROTECT, related_name="handover_out", verbose_name="毕业学校"
    )
    junior_school = models.ForeignKey(
        School, models.PROTECT, related_name="handover_in", verbose_name="指定中学"
    )
    name = models.CharField("姓名", max_length=50)
    id_number = models.CharField("身份证号", max_length=18)
    gender = models.CharField("性别", max_length=1, choices=Child.Gender.choices, blank=True)
    class_label = models.CharField("毕业年级班级", max_length=30, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)
    child = models.ForeignKey(
        Child,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="handover_entries",
        verbose_name="对应学生",
    )
    batch = models.ForeignKey(
        ImportBatch, models.PROTECT, null=True, blank=True, verbose_name="导入批次"
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    history = HistoricalRecords(verbose_name="小升初交接名单 历史")

    class Meta:
        verbose_name = verbose_name_plural = "小升初交接名单"
        ordering = ["-year", "primary_school__name", "class_label", "name"]
        constraints = [
            models.UniqueConstraint(fields=["year", "id_number"], name="handover_once_per_year"),
            models.CheckConstraint(
                condition=Q(id_number__regex=r"^[0-9]{17}[0-9X]$"),
                name="handover_id_number_normalised",
            ),
        ]

    def __str__(self):
        return f"{self.name}（{self.primary_school}→{self.junior_school}）"
