"""The school's report to the township and the township's 《限期返校通知书》."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from students.models import County, JurisdictionSettings, School, Township

from .case import Case


class DropoutReport(models.Model):
    """《义务教育阶段学生辍学情况报告单》 (004) / 《疑似辍学学生劝学返校报告单》 (001)."""

    case = models.ForeignKey(Case, models.PROTECT, related_name="reports", verbose_name="个案")
    school = models.ForeignKey(School, models.PROTECT, verbose_name="报送学校")
    filed_on = models.DateField("报送时间")
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, verbose_name="报送人")
    recipients = models.CharField("报送单位", max_length=200)
    receiver = models.CharField("接收人", max_length=50, blank=True)
    receiver_contact = models.CharField("接收人联系方式", max_length=50, blank=True)
    summary = models.TextField("基本情况")
    result = models.TextField("处理结果", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "辍学情况报告单"
        ordering = ["-filed_on"]

    def __str__(self):
        return f"{self.case.child} 报告单 {self.filed_on}"


class ReportRecipient(models.Model):
    """One office a report is addressed to (001 附件1 三(四): 教育局（教育股）,
    县人民政府教育督导室 and the township; 004: the township): its inbox.

    A township's copy names the township; a county-level copy (the bureau,
    the 督导室) names only the county, and the county's users see it.
    """

    class Office(models.TextChoices):
        TOWNSHIP = "township", "乡镇人民政府"
        BUREAU = "bureau", "县教育局（教育股）"
        INSPECTORATE = "inspectorate", "县人民政府教育督导室"

    report = models.ForeignKey(
        DropoutReport, models.CASCADE, related_name="addressees", verbose_name="报告单"
    )
    office = models.CharField("接收单位", max_length=20, choices=Office.choices)
    name = models.CharField("单位名称", max_length=100)
    county = models.ForeignKey(County, models.PROTECT, verbose_name="县（区）")
    township = models.ForeignKey(
        Township, models.PROTECT, null=True, blank=True, verbose_name="乡镇"
    )

    class Meta:
        verbose_name = verbose_name_plural = "报告单接收单位"
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["report", "office"], name="report_recipient_unique"),
            models.CheckConstraint(
                condition=Q(office="township", township__isnull=False)
                | ~Q(office="township") & Q(township__isnull=True),
                name="report_recipient_township_only_for_township",
            ),
        ]

    def __str__(self):
        return self.name


class NoticeCounter(models.Model):
    """The last notice number a township used in a year (locked when issuing)."""

    township = models.ForeignKey(Township, models.CASCADE, verbose_name="乡镇")
    year = models.PositiveSmallIntegerField("年份")
    last_number = models.PositiveIntegerField("已用到", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "通知书编号"
        constraints = [
            models.UniqueConstraint(fields=["township", "year"], name="notice_counter_unique")
        ]

    def __str__(self):
        return f"{self.township}〔{self.year}〕{self.last_number}"


class ReturnNotice(models.Model):
    """《限期返校通知书》 and its siblings: from the township to the guardian.

    One numbered series per township and year for every kind (发文字号,
    GB/T 9704: 机关代字〔年份〕序号).
    """

    class Kind(models.TextChoices):
        RETURN = "return", "限期返校通知书"
        RESUME = "resume", "限期复学通知书"
        ENROL = "enrol", "限期入学通知书"

    class Outcome(models.TextChoices):
        RETURNED = "returned", "已按期返校"
        LATE = "late", "逾期后返校"
        REFUSED = "refused", "拒不送学，移交司法所"
        OTHER = "other", "其他"

    case = models.ForeignKey(Case, models.PROTECT, related_name="notices", verbose_name="个案")
    township = models.ForeignKey(Township, models.PROTECT, verbose_name="签发乡镇")
    kind = models.CharField("通知书", max_length=10, choices=Kind.choices, default=Kind.RETURN)
    # The township's 机关代字 when the notice was issued: a later change of the
    # setting never renumbers an issued document.
    prefix = models.CharField("机关代字", max_length=20, blank=True)
    year = models.PositiveSmallIntegerField("年份")
    number = models.PositiveIntegerField("编号")
    issued_on = models.DateField("签发日期")
    return_deadline = models.DateField("限期返校日期")
    guardian_name = models.CharField("监护人", max_length=50)
    legal_basis = models.TextField("法律依据")
    fine_clause = models.BooleanField("含罚款条款", default=False)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="签发人"
    )
    served_on = models.DateField("送达日期", null=True, blank=True)
    server_name = models.CharField("送达人", max_length=50, blank=True)
    witness_name = models.CharField(
        "见证人", max_length=50, blank=True, help_text="一般为村（社区）干部"
    )
    receipt = models.FileField("签收回执", upload_to="notices/%Y/", blank=True)
    outcome = models.CharField("结果", max_length=10, choices=Outcome.choices, blank=True)
    outcome_on = models.DateField("结果日期", null=True, blank=True)
    outcome_note = models.CharField("结果说明", max_length=300, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "限期返校通知书"
        ordering = ["-year", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["township", "year", "number"], name="notice_number_unique"
            ),
            models.CheckConstraint(
                condition=Q(served_on__isnull=True) | (~Q(server_name="") & ~Q(witness_name="")),
                name="notice_service_has_server_and_witness",
            ),
        ]

    def __str__(self):
        return self.number_label

    @property
    def number_label(self):
        """发文字号 (GB/T 9704): 机关代字〔年份〕序号, no 第, no leading zeros."""
        prefix = self.prefix or JurisdictionSettings.default_document_prefix(self.township.name)
        return f"{prefix}〔{self.year}〕{self.number}号"

    @property
    def title(self):
        return f"《{self.get_kind_display()}》"
