"""The access log: one row per look at unmasked data, export, download,
import, login, status change and disposition decision (PIPL Art. 51;
DOMAIN §9). Written only by `students.audit.services.record_access`; no
page edits or deletes a row."""

from django.conf import settings
from django.db import models

from .places import County
from .roster import Child


class AccessLog(models.Model):
    class Action(models.TextChoices):
        LOGIN = "login", "登录"
        LOGIN_FAILED = "login_failed", "登录失败"
        REVEAL = "reveal", "查看完整信息"
        EXPORT = "export", "导出"
        DOWNLOAD = "download", "下载文件"
        IMPORT = "import", "导入"
        STATUS = "status", "变更入学状态"
        DISPOSITION = "disposition", "处置决定"

    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="access_logs",
        verbose_name="用户",
    )
    # The name typed at a failed login, or the user's name when the row was
    # written (kept if the account is renamed).
    username = models.CharField("用户名", max_length=150, blank=True)
    action = models.CharField("操作", max_length=20, choices=Action.choices, db_index=True)
    child = models.ForeignKey(
        Child,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="access_logs",
        verbose_name="学生",
    )
    # Whose entries these are: the child's county, or the user's.
    county = models.ForeignKey(
        County, models.SET_NULL, null=True, blank=True, verbose_name="县（区）"
    )
    detail = models.CharField("内容", max_length=300, blank=True)
    ip = models.GenericIPAddressField("IP 地址", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "访问日志"
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["county", "-at"], name="accesslog_county_at")]

    def __str__(self):
        who = self.username or "系统"
        return f"{who} {self.get_action_display()} {self.detail}".strip()

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("访问日志不可修改。")
        super().save(*args, **kwargs)
