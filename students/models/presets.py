"""Reference data the settings start from: the seeds' escalation ladders.

The rows come from fixtures/ladder_presets.json, loaded once by a data
migration (students/presets.py). A county's JurisdictionSettings copies a
preset's steps; its later edits are its own and a reload of the fixture
(`manage.py loaddata ladder_presets`) only changes what a new county starts from.
"""

from django.db import models
from django.db.models import Q


class LadderPresetManager(models.Manager):
    def get_by_natural_key(self, key):
        return self.get(key=key)


class LadderPreset(models.Model):
    # Each step: the day it starts (consecutive unexcused school days), the
    # to-do it creates (cases.Todo.Kind), who does it (Membership.Role), its
    # deadline in school days, and what to do (the seed's words).
    key = models.CharField("编号", max_length=20, unique=True, help_text="来源文件编号，如 004")
    label = models.CharField("名称", max_length=200)
    steps = models.JSONField("阶梯步骤")
    is_default = models.BooleanField("新县默认", default=False)
    position = models.PositiveSmallIntegerField("排序", default=0)

    objects = LadderPresetManager()

    class Meta:
        verbose_name = verbose_name_plural = "升级阶梯预设"
        ordering = ["position", "key"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=Q(is_default=True),
                name="ladder_preset_one_default",
            ),
        ]

    def __str__(self):
        return self.label

    def natural_key(self):
        return (self.key,)
