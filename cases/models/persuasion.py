"""劝学记录 (001 附件2): every contact with the family, from a phone in the field."""

import uuid

from django.conf import settings
from django.db import models

from .case import Case


class PersuasionRecord(models.Model):
    class Method(models.TextChoices):
        PHONE = "phone", "电话"
        HOME_VISIT = "home_visit", "入户家访"
        JOINT_VISIT = "joint_visit", "联合家访"

    class Outcome(models.TextChoices):
        AGREED = "agreed", "同意返校"
        RETURNED = "returned", "已返校"
        REFUSED = "refused", "拒绝返校"
        UNDECIDED = "undecided", "尚在考虑"
        UNREACHABLE = "unreachable", "未联系上"
        OTHER = "other", "其他"

    case = models.ForeignKey(Case, models.PROTECT, related_name="persuasions", verbose_name="个案")
    at = models.DateTimeField("劝学时间")
    method = models.CharField("方式", max_length=12, choices=Method.choices)
    student_present = models.BooleanField("学生本人在场", default=False)
    presence_photo = models.ImageField("在场照片", upload_to="persuasion/%Y/%m/", blank=True)
    family_situation = models.TextField("家庭状况", blank=True)
    process = models.TextField("劝学过程")
    guardian_attitude = models.TextField("家长态度", blank=True)
    guardian_signature = models.ImageField(
        "家长签字（拍照/扫描）", upload_to="persuasion/%Y/%m/", blank=True
    )
    student_attitude = models.TextField("学生态度", blank=True)
    student_signature = models.ImageField(
        "学生签字（拍照/扫描）", upload_to="persuasion/%Y/%m/", blank=True
    )
    school_opinion = models.TextField("学校意见", blank=True)
    outcome = models.CharField("结果", max_length=12, choices=Outcome.choices)
    outcome_note = models.CharField("结果说明", max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, verbose_name="记录人")
    recorded_at = models.DateTimeField("记录时间", auto_now_add=True)
    # The form carries a token: a double submit saves one record.
    client_token = models.UUIDField("提交标识", default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = "劝学记录"
        ordering = ["-at"]

    def __str__(self):
        return f"{self.case.child} {self.get_method_display()} {self.at:%Y-%m-%d}"

    @property
    def is_joint(self):
        """A 联合劝返: school together with the village or township."""
        sides = {p.side for p in self.participants.all()}
        return Participant.Side.SCHOOL in sides and bool(
            sides & {Participant.Side.VILLAGE, Participant.Side.TOWNSHIP}
        )


class Participant(models.Model):
    class Side(models.TextChoices):
        SCHOOL = "school", "学校"
        VILLAGE = "village", "村（社区）"
        TOWNSHIP = "township", "乡镇"
        OTHER = "other", "其他（司法所、妇联等）"

    record = models.ForeignKey(
        PersuasionRecord, models.CASCADE, related_name="participants", verbose_name="劝学记录"
    )
    name = models.CharField("姓名", max_length=50)
    side = models.CharField("单位类别", max_length=10, choices=Side.choices)
    role = models.CharField(
        "职务", max_length=50, blank=True, help_text="例如：班主任、德育主任、村支书、网格员"
    )

    class Meta:
        verbose_name = verbose_name_plural = "劝学人员"

    def __str__(self):
        return f"{self.name}（{self.get_side_display()}{self.role}）"


class Attachment(models.Model):
    """Evidence for the archive (一生一案): photos, scans, certificates."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="attachments", verbose_name="个案")
    record = models.ForeignKey(
        PersuasionRecord,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="attachments",
        verbose_name="劝学记录",
    )
    item = models.CharField("材料", max_length=40, blank=True, help_text="处置材料清单中的项目")
    file = models.FileField("文件", upload_to="evidence/%Y/%m/")
    note = models.CharField("说明", max_length=200, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, verbose_name="上传人")
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "佐证材料"
        ordering = ["uploaded_at"]

    def __str__(self):
        return self.note or self.file.name
