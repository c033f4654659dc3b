"""四查三比对 runs and the leads they produce; the term-start presence check."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from .places import County, School, Township, Village
from .roster import Child
from .sources import HujiRecord, XuejiRecord


class CrossCheckRun(models.Model):
    """One comparison over a county (or one township) for one period."""

    county = models.ForeignKey(County, models.PROTECT, verbose_name="县（区）")
    township = models.ForeignKey(
        Township, models.PROTECT, null=True, blank=True, verbose_name="乡镇（留空为全县）"
    )
    period = models.CharField("比对期", max_length=7, help_text="YYYY-MM")
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, verbose_name="发起人"
    )
    started_at = models.DateTimeField("开始时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    counts = models.JSONField("结果", default=dict, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "四查三比对"
        ordering = ["-started_at"]

    def __str__(self):
        return f"{self.township or self.county} {self.period} 比对"


class Lead(models.Model):
    """A person a comparison flagged: to be confirmed or dismissed by a person.

    A lead is never a verdict. The same person, kind and period is one lead,
    however often the comparison runs.
    """

    class Kind(models.TextChoices):
        NOT_ENROLLED = "not_enrolled", "适龄未入学（户籍×学籍）"
        ABSENT = "absent", "名在人不在（学籍×在校）"
        POVERTY_DROPOUT = "poverty_dropout", "脱贫户辍学（辍学×脱贫户）"
        UNROSTERED = "unrostered", "学籍在册、未在村台账（学校学籍导入）"

    class State(models.TextChoices):
        OPEN = "open", "待核实"
        CONFIRMED = "confirmed", "已核实属实"
        DISMISSED = "dismissed", "已排除"

    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    period = models.CharField("比对期", max_length=7)
    person_key = models.CharField(
        "人员标识", max_length=40, help_text="身份证号，或无身份证号时的学籍号/学生编号"
    )
    name = models.CharField("姓名", max_length=50)
    gender = models.CharField("性别", max_length=1, choices=Child.Gender.choices, blank=True)
    birth_date = models.DateField("出生日期", null=True, blank=True)
    id_number = models.CharField("身份证号", max_length=18, blank=True)
    county = models.ForeignKey(County, models.PROTECT, verbose_name="县（区）")
    village = models.ForeignKey(
        Village, models.PROTECT, null=True, blank=True, verbose_name="责任村（社区）"
    )
    school = models.ForeignKey(
        School, models.PROTECT, null=True, blank=True, verbose_name="责任学校"
    )
    child = models.ForeignKey(
        Child, models.SET_NULL, null=True, blank=True, related_name="leads", verbose_name="学生"
    )
    huji = models.ForeignKey(
        HujiRecord, models.SET_NULL, null=True, blank=True, verbose_name="户籍记录"
    )
    xueji = models.ForeignKey(
        XuejiRecord, models.SET_NULL, null=True, blank=True, verbose_name="学籍记录"
    )
    detail = models.CharField("线索说明", max_length=300)
    run = models.ForeignKey(
        CrossCheckRun, models.SET_NULL, null=True, blank=True, verbose_name="比对"
    )
    state = models.CharField("核实结果", max_length=10, choices=State.choices, default=State.OPEN)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="核实人",
    )
    decided_at = models.DateTimeField("核实时间", null=True, blank=True)
    reason = models.CharField("核实说明", max_length=500, blank=True)
    created_at = models.DateTimeField("发现时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "比对线索"
        ordering = ["state", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "person_key", "period"], name="lead_once_per_period"
            ),
            models.CheckConstraint(
                condition=Q(state="open") | (Q(decided_at__isnull=False) & ~Q(reason="")),
                name="lead_decision_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}：{self.name}"


class TermCheck(models.Model):
    """Term-start check (开学后10日内): was the child at school?"""

    term = models.CharField("学期", max_length=30, help_text="例如：2026年秋季学期")
    child = models.ForeignKey(
        Child, models.CASCADE, related_name="term_checks", verbose_name="学生"
    )
    present = models.BooleanField("已到校")
    note = models.CharField("未到校原因/备注", max_length=200, blank=True)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, verbose_name="核查人")
    checked_at = models.DateTimeField("核查时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "开学到校核查"
        ordering = ["term", "child__village__name", "child__name"]
        constraints = [
            models.UniqueConstraint(fields=["term", "child"], name="term_check_once_per_child"),
        ]

    def __str__(self):
        return f"{self.term} {self.child}：{'到校' if self.present else '未到校'}"
