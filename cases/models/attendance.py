from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from students.models import Child


class Absence(models.Model):
    """A child not at school on a school day. Days at school are not stored."""

    class Kind(models.TextChoices):
        LEAVE = "leave", "请假"
        UNEXCUSED = "unexcused", "无故未到校"

    class Source(models.TextChoices):
        CLASS = "class", "班级考勤"
        CHILD = "child", "单个登记"
        IMPORT = "import", "表格导入"

    child = models.ForeignKey(Child, models.CASCADE, related_name="absences", verbose_name="学生")
    date = models.DateField("日期")
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    reason = models.CharField("原因", max_length=200, blank=True)
    source = models.CharField("来源", max_length=10, choices=Source.choices, default=Source.CLASS)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, verbose_name="登记人"
    )
    recorded_at = models.DateTimeField("登记时间", auto_now=True)

    # Who changed it, when and through what (班级考勤, 单个登记, which sheet or
    # 零报告): written in bulk by cases/attendance/services.save_absences().
    history = HistoricalRecords(verbose_name="缺勤记录 历史")

    class Meta:
        verbose_name = verbose_name_plural = "缺勤记录"
        ordering = ["-date", "child__name"]
        constraints = [
            models.UniqueConstraint(fields=["child", "date"], name="absence_once_per_day"),
            models.CheckConstraint(
                condition=Q(kind__in=["leave", "unexcused"]), name="absence_kind_valid"
            ),
        ]
        indexes = [models.Index(fields=["date", "kind"])]

    def __str__(self):
        return f"{self.child} {self.date} {self.get_kind_display()}"


class ClassRollCall(models.Model):
    """A class's attendance taken for a day: without it, no absence record
    does not mean the child was at school. Taken on the class screen, or by
    a school's daily sheet or 零报告 (the roll call of every class it covers)."""

    class Source(models.TextChoices):
        CLASS = "class", "班级考勤"
        SHEET = "sheet", "缺勤表导入"
        ZERO = "zero", "零报告"

    school = models.ForeignKey("students.School", models.CASCADE, verbose_name="学校")
    grade = models.PositiveSmallIntegerField("年级")
    class_name = models.CharField("班级", max_length=20)
    date = models.DateField("日期")
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, verbose_name="点名人"
    )
    taken_at = models.DateTimeField("点名时间", auto_now=True)
    source = models.CharField("来源", max_length=10, choices=Source.choices, default=Source.CLASS)

    class Meta:
        verbose_name = verbose_name_plural = "班级点名"
        ordering = ["-date"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "grade", "class_name", "date"], name="roll_call_once_a_day"
            ),
        ]

    def __str__(self):
        return f"{self.school} {self.grade}年级{self.class_name} {self.date}"
