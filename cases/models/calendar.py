"""The school calendar: terms, and the local days off and make-up school days.

National public holidays and their make-up working days (调休) come from the
`holidays` library (cases/calendar/selectors.py); a county adds its own terms and days.
"""

from django.db import models
from django.db.models import F, Q

from students.models import County, CrossCheckRun, School


class Term(models.Model):
    county = models.ForeignKey(
        County, models.CASCADE, related_name="terms", verbose_name="县（区）"
    )
    school = models.ForeignKey(
        School,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="terms",
        verbose_name="学校（留空为全县）",
    )
    name = models.CharField("学期", max_length=30, help_text="例如：2026年秋季学期")
    start = models.DateField("开学日期")
    end = models.DateField("结束日期")

    class Meta:
        verbose_name = verbose_name_plural = "学期"
        ordering = ["county", "start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="term_ends_after_start"),
            models.UniqueConstraint(
                fields=["county", "name"],
                condition=Q(school__isnull=True),
                name="term_unique_county",
            ),
            models.UniqueConstraint(fields=["school", "name"], name="term_unique_school"),
        ]

    def __str__(self):
        return f"{self.school or self.county} {self.name}"


class CalendarDay(models.Model):
    """A local exception: a day off on a weekday, or school on a weekend."""

    class Kind(models.TextChoices):
        OFF = "off", "放假"
        SCHOOL = "school", "上课（补课）"

    county = models.ForeignKey(
        County, models.CASCADE, related_name="calendar_days", verbose_name="县（区）"
    )
    school = models.ForeignKey(
        School,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="calendar_days",
        verbose_name="学校（留空为全县）",
    )
    date = models.DateField("日期")
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    note = models.CharField("说明", max_length=100, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "校历调整"
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(
                fields=["county", "date"],
                condition=Q(school__isnull=True),
                name="calendar_day_unique_county",
            ),
            models.UniqueConstraint(fields=["school", "date"], name="calendar_day_unique_school"),
            models.CheckConstraint(
                condition=Q(kind__in=["off", "school"]), name="calendar_day_kind_valid"
            ),
        ]

    def __str__(self):
        return f"{self.date} {self.get_kind_display()}"


class TermStartCheck(models.Model):
    """The term-start 四查三比对 of one county term, run once (cases/term_start.py).

    The unique term is the claim: a second run, or two at once, finds it taken.
    """

    term = models.OneToOneField(
        Term, models.CASCADE, related_name="start_check", verbose_name="学期"
    )
    run = models.ForeignKey(
        CrossCheckRun,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="比对",
    )
    due_on = models.DateField("应核查日期")
    ran_on = models.DateField("运行日期")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "开学核查比对"
        ordering = ["-due_on"]

    def __str__(self):
        return f"{self.term} 开学核查"
