"""六处置 (000 附件1): each disposition with its rule and evidence (附件3).

The rules and checklists themselves are in cases/dispositions/.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from .case import Case


class Disposition(models.Model):
    class Kind(models.TextChoices):
        GRADUATION = "graduation", "办理毕业（结业）证"
        SUSPENSION = "suspension", "办理休学证明"
        HOME_TEACHING = "home_teaching", "送教上门"
        EXEMPTION = "exemption", "免学"
        DEFERRAL = "deferral", "缓学"
        COUNTY_REVIEW = "county_review", "移交县级核处"
        SPECIAL_SCHOOL = "special_school", "送读专门学校"

    class State(models.TextChoices):
        DRAFT = "draft", "准备材料"
        PENDING = "pending", "待县教育局审批"
        APPROVED = "approved", "已批准"
        REJECTED = "rejected", "未批准"
        DONE = "done", "已销号"

    case = models.ForeignKey(Case, models.PROTECT, related_name="dispositions", verbose_name="个案")
    kind = models.CharField("处置方式", max_length=20, choices=Kind.choices)
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.DRAFT)
    facts = models.JSONField("事实（考试日期、医院等级等）", default=dict, blank=True)
    review_on = models.DateField("复查日期", null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="申请人"
    )
    requested_at = models.DateTimeField("申请时间", auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="审批人",
    )
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_note = models.CharField("审批意见", max_length=300, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "处置"
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=~Q(state__in=["rejected", "done"]),
                name="disposition_one_active_per_case",
            ),
        ]

    def __str__(self):
        return f"{self.case.child} {self.get_kind_display()}"


class HomeTeachingSession(models.Model):
    """One 送教上门 visit: weekly, at least 2 class hours, 80 hours a year."""

    disposition = models.ForeignKey(
        Disposition, models.CASCADE, related_name="sessions", verbose_name="送教上门"
    )
    date = models.DateField("送教日期")
    hours = models.DecimalField(
        "学时", max_digits=4, decimal_places=1, validators=[MinValueValidator(Decimal("0.5"))]
    )
    teachers = models.CharField("送教教师", max_length=100)
    content = models.TextField("送教内容")
    photo = models.ImageField("照片", upload_to="home_teaching/%Y/%m/", blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, verbose_name="记录人")

    class Meta:
        verbose_name = verbose_name_plural = "送教上门记录"
        ordering = ["-date"]
        constraints = [
            models.UniqueConstraint(
                fields=["disposition", "date"], name="home_teaching_once_a_day"
            ),
            models.CheckConstraint(condition=Q(hours__gt=0), name="home_teaching_hours_positive"),
        ]

    def __str__(self):
        return f"{self.disposition.case.child} 送教 {self.date}"
