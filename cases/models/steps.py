"""A township acting before the ladder's steps are done (提前处置)."""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from .case import Case


class StepOverride(models.Model):
    """The township's written decision to take a step early: the report, a
    notice or the 司法所 referral before their preconditions are on record
    (the child has left the area, a safety concern). Shown on the case page
    and in the township's ledgers; cases/notices/rules.py honours it."""

    class Action(models.TextChoices):
        REPORT = "report", "报送辍学情况报告单"
        NOTICE = "notice", "签发限期通知书"
        LEGAL = "legal", "拒不送学，移交司法所"

    case = models.ForeignKey(Case, models.PROTECT, related_name="overrides", verbose_name="个案")
    action = models.CharField("提前办理事项", max_length=10, choices=Action.choices)
    reason = models.TextField("理由")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, verbose_name="决定人")
    at = models.DateTimeField("决定时间", auto_now_add=True)

    history = HistoricalRecords(verbose_name="提前处置 历史")

    class Meta:
        verbose_name = verbose_name_plural = "提前处置（乡镇决定）"
        ordering = ["-at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(reason=""), name="step_override_has_reason"),
        ]

    def __str__(self):
        return f"{self.case} 提前{self.get_action_display()}"
