"""What other registers say, kept as they say it (四查: 户籍, 学籍, 脱贫户).

A 学籍 export or a 户籍 extract is not the roster: each is stored as its own
record, matched to a roster child by ID number where one exists, and the
cross-checks (crosscheck.py) compare them. Every change is kept in history
with who and why (the import batch), like the roster's.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from .places import County, School, Village
from .roster import Child, Household


class ImportBatch(models.Model):
    """One uploaded sheet: previewed, then committed all at once or not at all."""

    class Kind(models.TextChoices):
        ROSTER = "roster", "适龄儿童少年底数台账"
        XUEJI = "xueji", "学籍（学生基本信息）"
        HUJI = "huji", "户籍信息"
        TUOPIN = "tuopin", "脱贫户/监测户名单"
        HANDOVER = "handover", "小升初交接名单"

    class State(models.TextChoices):
        QUEUED = "queued", "排队中"
        CHECKING = "checking", "检查中"
        PREVIEW = "preview", "待确认"
        INVALID = "invalid", "有错误"
        COMMITTING = "committing", "导入中"
        COMMITTED = "committed", "已导入"
        FAILED = "failed", "导入失败"

    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    county = models.ForeignKey(County, models.PROTECT, verbose_name="县（区）")
    village = models.ForeignKey(
        Village, models.PROTECT, null=True, blank=True, verbose_name="村（社区）"
    )
    school = models.ForeignKey(School, models.PROTECT, null=True, blank=True, verbose_name="学校")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, verbose_name="导入人"
    )
    file = models.FileField("文件", upload_to="imports/%Y/%m/", blank=True)
    filename = models.CharField("文件名", max_length=255)
    state = models.CharField("状态", max_length=12, choices=State.choices, default=State.QUEUED)
    total_rows = models.PositiveIntegerField("行数", default=0)
    done_rows = models.PositiveIntegerField("已处理行数", default=0)
    created = models.PositiveIntegerField("新增", default=0)
    updated = models.PositiveIntegerField("更新", default=0)
    unchanged = models.PositiveIntegerField("未变", default=0)
    errors = models.JSONField("错误", default=list, blank=True)
    changes = models.JSONField("变更明细", default=list, blank=True)
    message = models.CharField("说明", max_length=500, blank=True)
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    committed_at = models.DateTimeField("导入时间", null=True, blank=True)
    # When a worker took it on (checking or importing): a batch busy far
    # longer than that lost its worker and is shown as failed.
    claimed_at = models.DateTimeField("开始处理时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "导入批次"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(done_rows__lte=models.F("total_rows")) | Q(total_rows=0),
                name="import_progress_bounded",
            ),
        ]

    def __str__(self):
        return f"#{self.pk} {self.get_kind_display()} {self.filename}"

    @property
    def is_busy(self):
        return self.state in (self.State.QUEUED, self.State.CHECKING, self.State.COMMITTING)

    # What the created / updated / unchanged counts count, per kind: a 学籍
    # sheet adds 学籍 records, not children (the preview must say so).
    NOUNS = {
        "roster": "学生",
        "xueji": "学籍记录",
        "huji": "户籍记录",
        "tuopin": "名单记录",
        "handover": "交接名单记录",
    }

    @property
    def noun(self):
        return self.NOUNS.get(self.kind, "记录")

    def count_of(self, action):
        """How many of the listed changes are `action` (e.g. 更新就读)."""
        return sum(1 for c in self.changes or [] if c.get("action") == action)

    @property
    def placed(self):
        return self.count_of("更新就读")

    @property
    def to_assign(self):
        return self.count_of("待乡镇分配到村")

    @property
    def percent(self):
        return int(100 * self.done_rows / self.total_rows) if self.total_rows else 0


class XuejiRecord(models.Model):
    """One row of a school's 学籍 export (national 学生基本信息 columns)."""

    school = models.ForeignKey(
        School, models.PROTECT, related_name="xueji_records", verbose_name="学校"
    )
    xueji_number = models.CharField("全国学籍号", max_length=20, unique=True)
    id_number = models.CharField("身份证件号", max_length=18, null=True, blank=True, db_index=True)
    name = models.CharField("姓名", max_length=50)
    gender = models.CharField("性别", max_length=1, choices=Child.Gender.choices)
    birth_date = models.DateField("出生日期")
    grade = models.PositiveSmallIntegerField("年级", null=True, blank=True)
    class_name = models.CharField("班级", max_length=20, blank=True)
    entry_month = models.CharField("入学年月", max_length=7, blank=True)
    hukou_place = models.CharField("户口所在地", max_length=200, blank=True)
    address = models.CharField("现住址", max_length=200, blank=True)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    child = models.ForeignKey(
        Child,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="xueji_records",
        verbose_name="对应学生",
    )
    batch = models.ForeignKey(ImportBatch, models.PROTECT, verbose_name="导入批次")
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    history = HistoricalRecords(verbose_name="学籍记录 历史")

    class Meta:
        verbose_name = verbose_name_plural = "学籍记录"
        ordering = ["school__name", "grade", "class_name", "name"]

    def __str__(self):
        return f"{self.name}（{self.school}）"


class HujiRecord(models.Model):
    """One person of school age in a 户籍 (household register) extract."""

    county = models.ForeignKey(County, models.PROTECT, verbose_name="县（区）")
    village = models.ForeignKey(
        Village, models.PROTECT, null=True, blank=True, verbose_name="村（社区）"
    )
    id_number = models.CharField("身份证号", max_length=18, unique=True)
    name = models.CharField("姓名", max_length=50)
    gender = models.CharField("性别", max_length=1, choices=Child.Gender.choices)
    birth_date = models.DateField("出生日期")
    address = models.CharField("住址", max_length=200, blank=True)
    head_name = models.CharField("户主姓名", max_length=50, blank=True)
    child = models.ForeignKey(
        Child,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="huji_records",
        verbose_name="对应学生",
    )
    batch = models.ForeignKey(ImportBatch, models.PROTECT, verbose_name="导入批次")
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    history = HistoricalRecords(verbose_name="户籍记录 历史")

    class Meta:
        verbose_name = verbose_name_plural = "户籍记录"
        ordering = ["village__name", "name"]

    def __str__(self):
        return self.name


class PovertyRecord(models.Model):
    """A member of a 脱贫户 or 监测户 on the rural-revitalisation list."""

    class Kind(models.TextChoices):
        TUOPIN = "tuopin", "脱贫户"
        JIANCE = "jiance", "监测户"

    county = models.ForeignKey(County, models.PROTECT, verbose_name="县（区）")
    village = models.ForeignKey(
        Village, models.PROTECT, null=True, blank=True, verbose_name="村（社区）"
    )
    kind = models.CharField("类别", max_length=10, choices=Kind.choices)
    id_number = models.CharField("身份证号", max_length=18, unique=True)
    name = models.CharField("姓名", max_length=50)
    head_name = models.CharField("户主姓名", max_length=50, blank=True)
    household = models.ForeignKey(
        Household, models.SET_NULL, null=True, blank=True, verbose_name="对应家庭户"
    )
    batch = models.ForeignKey(ImportBatch, models.PROTECT, verbose_name="导入批次")
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    history = HistoricalRecords(verbose_name="脱贫户/监测户名单 历史")

    class Meta:
        verbose_name = verbose_name_plural = "脱贫户/监测户名单"
        ordering = ["village__name", "head_name", "name"]

    def __str__(self):
        return f"{self.name}（{self.get_kind_display()}）"
