from django.db import models

from students.models import County


class DailyScan(models.Model):
    """A county's daily scan of one day, completed (cases/ladder/scan.py):
    beat catches up the days after the last one (cases/ladder/catchup.py)."""

    county = models.ForeignKey(County, models.CASCADE, verbose_name="县（区）")
    date = models.DateField("扫描日期")
    result = models.JSONField("结果", default=dict, blank=True)
    finished_at = models.DateTimeField("完成时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "每日扫描"
        ordering = ["-date"]
        constraints = [
            models.UniqueConstraint(fields=["county", "date"], name="daily_scan_once_a_day"),
        ]

    def __str__(self):
        return f"{self.county} {self.date}"
