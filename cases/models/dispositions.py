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


class EvidencePresetManager(models.Manager):
    def get_by_natural_key(self, kind, code):
        return self.get(kind=kind, code=code)


class EvidencePreset(models.Model):
    """One item of a disposition's evidence list (000 附件3《档案资料清单》):
    reference data from fixtures/disposition_evidence.json, loaded once by a
    data migration; cases/dispositions/registry.py reads it."""

    class Source(models.TextChoices):
        UPLOAD = "upload", "上传材料"
        NOTICE = "notice", "限期返校（复学）通知书"
        JOINT = "joint", "联合劝返记录（学生本人在场）"
        FOLLOW_UPS = "follow_ups", "批准后每月联合劝返"

    kind = models.CharField("处置方式", max_length=20, choices=Disposition.Kind.choices)
    code = models.CharField("材料代码", max_length=40)
    label = models.CharField("材料（附件3原文）", max_length=200)
    source = models.CharField("来源", max_length=20, choices=Source.choices, default=Source.UPLOAD)
    count = models.PositiveSmallIntegerField("份数/次数", default=1)
    required = models.BooleanField("必需", default=True)
    after_approval = models.BooleanField(
        "县级批准后提供", default=False, help_text="县里出具的材料：销号时需要，提交审批时不需要"
    )
    position = models.PositiveSmallIntegerField("排序", default=0)

    objects = EvidencePresetManager()

    class Meta:
        verbose_name = verbose_name_plural = "处置佐证材料预设"
        ordering = ["kind", "position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "code"], name="evidence_preset_unique"),
            models.CheckConstraint(
                condition=Q(count__gte=1), name="evidence_preset_count_positive"
            ),
            models.CheckConstraint(
                condition=Q(source__in=["upload", "notice", "joint", "follow_ups"]),
                name="evidence_preset_source_valid",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}：{self.label}"

    def natural_key(self):
        return (self.kind, self.code)
