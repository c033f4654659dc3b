"""The values a county chooses (DOMAIN §9), and a township's overrides."""

import datetime

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from .places import County, Township


def default_ladder():
    """The default ladder preset's steps (fixtures/ladder_presets.json: seed 004,
    蛟潭镇, 1 / 3 / 5 school days): a county's settings start from a copy."""
    from ..presets import default_ladder_steps

    return default_ladder_steps()


def default_enrolment_ladder():
    """The 未入学 ladder preset's steps (fixtures/ladder_presets.json)."""
    from ..presets import default_enrolment_ladder_steps

    return default_enrolment_ladder_steps()


# 000 附件1 ⑤: the office that verifies 移交县级核处, unless the county names it otherwise.
RURAL_GROUP_NAME = "县委农村工作暨实施乡村振兴战略领导小组"


class JurisdictionSettings(models.Model):
    """The values a county chooses (DOMAIN §9); a township may override them.

    Read them only through `students.selectors.settings_for()`.
    """

    county = models.ForeignKey(
        County, models.CASCADE, related_name="settings", verbose_name="县（区）"
    )
    township = models.OneToOneField(
        Township,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="settings",
        verbose_name="乡镇（留空为全县）",
    )
    ladder = models.JSONField("升级阶梯", default=default_ladder)
    suspected_dropout_days = models.PositiveSmallIntegerField(
        "疑似辍学认定（连续无故缺课上学日）", default=3
    )
    dropout_days = models.PositiveSmallIntegerField("辍学认定（连续无故缺课上学日）", default=20)
    notice_issue_days = models.PositiveSmallIntegerField("通知书签发时限（日）", default=3)
    notice_return_days = models.PositiveSmallIntegerField("限期返校时限（日）", default=3)
    entry_cutoff_month = models.PositiveSmallIntegerField("入学年龄截止月", default=8)
    entry_cutoff_day = models.PositiveSmallIntegerField("入学年龄截止日", default=31)
    monthly_ledger_day = models.PositiveSmallIntegerField("月度台账报送日", default=25)
    notice_fine_clause = models.BooleanField("通知书含罚款条款", default=False)
    return_verify_days = models.PositiveSmallIntegerField("复学核验（连续到校上学日）", default=5)
    # Deadlines. Where a seed gives one it is its default; the others keep the
    # values the code had before they were settings.
    approval_days = models.PositiveSmallIntegerField(
        "县级审批时限（提交后上学日）",
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text="休学、送教上门、免学缓学、移交县级核处提交后，县教育局审批待办的期限。",
    )
    # 001 §四(二)5: "一周内……由原所在小学负责，一周后……由所在初中负责".
    handover_school_days = models.PositiveSmallIntegerField(
        "小升初报到时限（秋季开学后上学日）",
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
        help_text="超过此上学日数仍未在初中注册学籍的小学毕业生，建立“小升初未报到”个案。",
    )
    review_notice_days = models.PositiveSmallIntegerField(
        "休学/缓学复查提前提醒（日）",
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
    )
    # 000 §三(三) and 004 §四(一)2: "开学后10日内" the term-start report.
    term_check_days = models.PositiveSmallIntegerField(
        "开学核查时限（开学后上学日）",
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
        help_text="学期第几个上学日结束后，系统为全县运行一次四查三比对（开学后核查）。",
    )
    # GB/T 9704 发文字号 of the township's notices: 机关代字〔年份〕序号. A
    # township setting; empty: default_document_prefix() of its name.
    document_prefix = models.CharField(
        "机关代字",
        max_length=20,
        blank=True,
        help_text="乡镇通知书发文字号的机关代字，如“蛟府教”（蛟府教〔2026〕12号）。"
        "留空时取乡镇名称首字加“府教”。",
    )

    # PIPL Arts. 6, 19 (NATIONAL §9): keep it no longer than necessary. No
    # document behind this app states a period, so 3 years is our default.
    # Set by the system administrator (admin), not on the settings page.
    retention_years = models.PositiveSmallIntegerField(
        "离校后敏感信息保存年限",
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
        help_text="学生离开义务教育（毕业、死亡或超过义务教育年龄）满此年数后，系统删除其照片、"
        "附件、电话、住址、家庭状况和残疾详情；姓名、身份证号和个案结果保留在台账中。",
    )

    # DOMAIN §4: a never-enrolled child (未入学) has no teacher to phone: the
    # village and the township visit, the township orders enrolment, the
    # catchment school places the child by age (002). Steps as in `ladder`;
    # each step's to-do is created when the one before it is done.
    enrolment_ladder = models.JSONField("未入学儿童劝学阶梯", default=default_enrolment_ladder)

    # 000 附件1 ⑤: the office that verifies and approves 移交县级核处, named as the county names it.
    rural_group_name = models.CharField(
        "移交县级核处审批机构",
        max_length=60,
        blank=True,
        default=RURAL_GROUP_NAME,
        help_text=f"核实同意“移交县级核处”的县级机构名称（000 附件1）；留空即“{RURAL_GROUP_NAME}”。",
    )

    history = HistoricalRecords(verbose_name="辖区设置 历史")

    # What the settings page lets a county or township edit; the ladder is
    # edited by the system administrator until the case engine gives it a form.
    EDITABLE_FIELDS = [
        "suspected_dropout_days",
        "dropout_days",
        "notice_issue_days",
        "notice_return_days",
        "entry_cutoff_month",
        "entry_cutoff_day",
        "monthly_ledger_day",
        "notice_fine_clause",
        "return_verify_days",
        "approval_days",
        "handover_school_days",
        "review_notice_days",
        "term_check_days",
        "document_prefix",
        "rural_group_name",
    ]

    class Meta:
        verbose_name = verbose_name_plural = "辖区设置"
        constraints = [
            models.UniqueConstraint(
                fields=["county"],
                condition=Q(township__isnull=True),
                name="settings_one_per_county",
            ),
            models.CheckConstraint(
                condition=Q(entry_cutoff_month__gte=1, entry_cutoff_month__lte=12)
                & Q(entry_cutoff_day__gte=1, entry_cutoff_day__lte=31),
                name="settings_cutoff_valid",
            ),
            models.CheckConstraint(
                condition=Q(monthly_ledger_day__gte=1, monthly_ledger_day__lte=28),
                name="settings_ledger_day_valid",
            ),
            models.CheckConstraint(
                condition=Q(suspected_dropout_days__gte=1) & Q(dropout_days__gte=1),
                name="settings_thresholds_positive",
            ),
            models.CheckConstraint(
                condition=Q(approval_days__gte=1, approval_days__lte=60)
                & Q(handover_school_days__gte=1, handover_school_days__lte=30)
                & Q(review_notice_days__gte=1, review_notice_days__lte=90)
                & Q(term_check_days__gte=1, term_check_days__lte=30),
                name="settings_deadlines_valid",
            ),
            models.CheckConstraint(
                condition=Q(retention_years__gte=1, retention_years__lte=30),
                name="settings_retention_years_valid",
            ),
        ]

    def __str__(self):
        return f"{self.township or self.county} 设置"

    @staticmethod
    def default_document_prefix(township_name):
        """The 机关代字 a township's notices carry until it sets its own: the
        first character of its name + 府教 (蛟潭镇 → 蛟府教, the form of
        004's 蛟府教〔2026〕12号: 蛟潭镇人民政府, education)."""
        return f"{(township_name or '乡')[:1]}府教"

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.township_id and self.township.county_id != self.county_id:
            raise ValidationError({"township": "乡镇不属于所选县（区）。"})
        self.document_prefix = (self.document_prefix or "").strip()
        if any(ch in self.document_prefix for ch in "〔〕[]()（）第号0123456789 "):
            raise ValidationError(
                {"document_prefix": "机关代字只填代字本身（如“蛟府教”），不含年份、序号和括号。"}
            )
        if self.dropout_days < self.suspected_dropout_days:
            raise ValidationError({"dropout_days": "辍学认定天数不能少于疑似辍学认定天数。"})
        try:
            # A non-leap year: a 29 February cutoff would not exist most years.
            datetime.date(2001, self.entry_cutoff_month, self.entry_cutoff_day)
        except ValueError:
            raise ValidationError({"entry_cutoff_day": "入学年龄截止日期不存在。"}) from None
