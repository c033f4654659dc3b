"""The outbox: a task to send, written in the same transaction as the data
it works on (students/outbox.py sends it once that transaction commits)."""

from django.db import models


class OutboxMessage(models.Model):
    """One Celery task (name and arguments, ids only) waiting for the broker."""

    task = models.CharField("任务", max_length=200)
    args = models.JSONField("参数", default=list, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True, db_index=True)
    attempts = models.PositiveIntegerField("发送次数", default=0)
    last_error = models.CharField("最近错误", max_length=500, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "待发送任务"
        ordering = ["pk"]

    def __str__(self):
        return f"{self.task}{tuple(self.args)}"

    @property
    def is_pending(self):
        return self.sent_at is None
