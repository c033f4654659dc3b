"""The school's report to the township and the township's 《限期返校通知书》."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from students.models import School, Township

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
    """《限期返校通知书》: from the township to the guardian."""

    class Outcome(models.TextChoices):
        RETURNED = "returned", "已按期返校"
        LATE = "late", "逾期后返校"
        REFUSED = "refused", "拒不送学，移交司法所"
        OTHER = "other", "其他"

    case = models.ForeignKey(Case, models.PROTECT, related_name="notices", verbose_name="个案")
    township = models.ForeignKey(Township, models.PROTECT, verbose_name="签发乡镇")
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
        return f"{self.township.name}〔{self.year}〕第{self.number}号"
