"""The record of every look at unmasked data and every full export."""

from django.conf import settings
from django.db import models

from .roster import Child


class SensitiveAccess(models.Model):
    """Each time someone sees a child's unmasked ID number or phones (PIPL)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, verbose_name="查看人")
    child = models.ForeignKey(
        Child, models.CASCADE, related_name="sensitive_accesses", verbose_name="学生"
    )
    fields = models.CharField("查看内容", max_length=100)
    at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "敏感信息查看记录"
        ordering = ["-at"]

    def __str__(self):
        return f"{self.user} 查看 {self.child}（{self.fields}）"


class ExportLog(models.Model):
    """Each export that carried unmasked ID numbers or phones (PIPL)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, verbose_name="导出人")
    what = models.CharField("导出内容", max_length=100)
    scope = models.CharField("范围", max_length=200)
    rows = models.PositiveIntegerField("行数")
    at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "含敏感信息的导出记录"
        ordering = ["-at"]

    def __str__(self):
        return f"{self.user} 导出 {self.what}（{self.scope}，{self.rows} 行）"
