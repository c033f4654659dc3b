"""Households and children: the roster.

The roster is the base of everything: a child belongs to a village (where
the roster keeps them) and may be enrolled in a school. Who sees a child is
decided in `jurisdiction/` from the user's memberships (memberships.py).
"""

import datetime

from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from .. import idcard
from ..phones import validate_phone
from ..pinyin import pinyin_keys
from .places import School, Village, VillageGroup


class Household(models.Model):
    village = models.ForeignKey(
        Village, models.PROTECT, related_name="households", verbose_name="村（社区）"
    )
    group = models.ForeignKey(
        VillageGroup,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="households",
        verbose_name="村民小组",
    )
    head_name = models.CharField("户主姓名", max_length=50)
    address = models.CharField("家庭住址", max_length=200, blank=True)
    phone = models.CharField("联系电话", max_length=20, blank=True, validators=[validate_phone])
    hukou_place = models.CharField("户籍地", max_length=200, blank=True)
    is_tuopin = models.BooleanField("脱贫户", default=False)
    is_jiance = models.BooleanField("监测户", default=False)
    is_dibao = models.BooleanField("低保户", default=False)
    is_tekun = models.BooleanField("特困户", default=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    # +1 on every change (save(), and the bulk writes: services.next_versions);
    # an edit made on an older version is refused (services.save_household).
    version = models.PositiveIntegerField("版本", default=1, editable=False)

    history = HistoricalRecords(verbose_name="户 历史")

    class Meta:
        verbose_name = verbose_name_plural = "家庭户"
        ordering = ["village__name", "head_name", "id"]

    def __str__(self):
        return f"{self.head_name}户（{self.village}）"

    def save(self, *args, **kwargs):
        _next_version(self, kwargs)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("household_detail", args=[self.pk])

    def clean(self):
        # Also refused by the database (migration 0012, a trigger on both backends).
        from django.core.exceptions import ValidationError

        if self.group_id and self.village_id and self.group.village_id != self.village_id:
            raise ValidationError(
                {"group": f"{self.group}不属于所选村（社区），请重新选择村民小组。"}
            )

    @property
    def family_flags(self):
        return [
            label
            for flag, label in (
                (self.is_tuopin, "脱贫户"),
                (self.is_jiance, "监测户"),
                (self.is_dibao, "低保户"),
                (self.is_tekun, "特困户"),
            )
            if flag
        ]


def _next_version(obj, save_kwargs):
    if obj._state.adding:
        return
    obj.version += 1
    if save_kwargs.get("update_fields") is not None:
        save_kwargs["update_fields"] = {*save_kwargs["update_fields"], "version"}


class ChildStatus(models.TextChoices):
    ENROLLED = "enrolled", "在读"
    NOT_ENROLLED = "not_enrolled", "未入学"
    SUSPECTED_DROPOUT = "suspected_dropout", "疑似辍学"
    DROPOUT = "dropout", "辍学"
    SUSPENDED = "suspended", "休学"
    HOME_TEACHING = "home_teaching", "送教上门"
    EXEMPT = "exempt", "免学"
    DEFERRED = "deferred", "缓学"
    STUDYING_ELSEWHERE = "studying_elsewhere", "外出就读"
    TRANSFERRED = "transferred", "转学"
    GRADUATED = "graduated", "毕业/结业"
    COUNTY_REVIEW = "county_review", "移交县级核处"
    SPECIAL_SCHOOL = "special_school", "专门学校"
    DECEASED = "deceased", "死亡"
    MOVED_OUT = "moved_out", "户籍迁出"


class Child(models.Model):
    class Gender(models.TextChoices):
        MALE = "M", "男"
        FEMALE = "F", "女"

    Status = ChildStatus

    class DisabilityCategory(models.TextChoices):
        VISUAL = "visual", "视力残疾"
        HEARING = "hearing", "听力残疾"
        SPEECH = "speech", "言语残疾"
        PHYSICAL = "physical", "肢体残疾"
        INTELLECTUAL = "intellectual", "智力残疾"
        MENTAL = "mental", "精神残疾"
        MULTIPLE = "multiple", "多重残疾"

    class DisabilityGrade(models.IntegerChoices):
        ONE = 1, "一级"
        TWO = 2, "二级"
        THREE = 3, "三级"
        FOUR = 4, "四级"

    class SelfCare(models.TextChoices):
        NONE = "none", "无基本的生活自理能力"
        BASIC = "basic", "有基本的生活自理能力"

    class Learning(models.TextChoices):
        PARTIAL = "partial", "未完全丧失学习能力"
        LOST = "lost", "已经完全丧失学习能力"

    # The disability details besides is_disabled (sensitive: see DISABILITY_DETAIL_ROLES).
    DISABILITY_FIELDS = (
        "disability_category",
        "disability_grade",
        "disability_certified",
        "disability_self_care",
        "disability_learning",
        "in_rehabilitation",
    )

    # Special-group tags (DOMAIN §3), besides disability and the household's
    # 低保/脱贫/监测 flags. Field name -> label; lists and filters use this.
    SPECIAL_GROUP_FIELDS = {
        "is_left_behind": "留守儿童",
        "is_migrant": "随迁子女",
        "is_orphan": "孤儿",
        "is_unsupported": "事实无人抚养",
        "is_in_difficulty": "困境儿童",
        "is_prisoner_child": "服刑人员子女",
        "is_returned": "返乡/县域外回流",
        "is_juvenile_case": "涉案未成年人",
    }

    village = models.ForeignKey(
        Village, models.PROTECT, related_name="children", verbose_name="村（社区）"
    )
    household = models.ForeignKey(
        Household,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name="家庭户",
    )
    name = models.CharField("姓名", max_length=50)
    gender = models.CharField("性别", max_length=1, choices=Gender.choices)
    birth_date = models.DateField("出生日期")
    id_number = models.CharField(
        "身份证号",
        max_length=18,
        null=True,
        blank=True,
        unique=True,
        help_text="18位；旧式15位号码、小写x、全角字符会自动规范化。",
    )
    xueji_number = models.CharField("全国学籍号", max_length=20, blank=True)
    school = models.ForeignKey(
        School,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name="就读学校",
    )
    grade = models.PositiveSmallIntegerField(
        "年级",
        null=True,
        blank=True,
        choices=[
            (g, label)
            for g, label in enumerate(
                [
                    "",
                    "一年级",
                    "二年级",
                    "三年级",
                    "四年级",
                    "五年级",
                    "六年级",
                    "七年级",
                    "八年级",
                    "九年级",
                ]
            )
            if g
        ],
    )
    class_name = models.CharField("班级", max_length=20, blank=True, help_text="例如：1班")
    head_teacher = models.CharField("班主任", max_length=50, blank=True)
    father_name = models.CharField("父亲姓名", max_length=50, blank=True)
    father_phone = models.CharField(
        "父亲电话", max_length=20, blank=True, validators=[validate_phone]
    )
    father_occupation = models.CharField("父亲职业", max_length=50, blank=True)
    mother_name = models.CharField("母亲姓名", max_length=50, blank=True)
    mother_phone = models.CharField(
        "母亲电话", max_length=20, blank=True, validators=[validate_phone]
    )
    mother_occupation = models.CharField("母亲职业", max_length=50, blank=True)
    guardian_name = models.CharField("其他监护人姓名", max_length=50, blank=True)
    guardian_phone = models.CharField(
        "其他监护人电话", max_length=20, blank=True, validators=[validate_phone]
    )
    hukou_place = models.CharField("户籍地", max_length=200, blank=True, help_text="留空则同家庭户")
    address = models.CharField("家庭住址", max_length=200, blank=True, help_text="留空则同家庭户")

    is_disabled = models.BooleanField("残疾", default=False)
    disability_category = models.CharField(
        "残疾类别", max_length=20, choices=DisabilityCategory.choices, blank=True
    )
    disability_grade = models.PositiveSmallIntegerField(
        "残疾等级", choices=DisabilityGrade.choices, null=True, blank=True
    )
    is_left_behind = models.BooleanField("留守儿童", default=False)
    is_migrant = models.BooleanField("随迁子女", default=False)
    is_orphan = models.BooleanField("孤儿", default=False)
    is_unsupported = models.BooleanField("事实无人抚养", default=False)
    is_in_difficulty = models.BooleanField("困境儿童", default=False)
    is_prisoner_child = models.BooleanField("服刑人员子女", default=False)
    is_returned = models.BooleanField("返乡/县域外回流", default=False)
    is_juvenile_case = models.BooleanField("涉案未成年人", default=False)

    has_dropout_risk = models.BooleanField("有辍学风险", default=False)
    # Filled on save from the name: search by 张三 / zhangsan / zs.
    name_pinyin = models.CharField("姓名拼音", max_length=200, blank=True, editable=False)
    name_initials = models.CharField("姓名首字母", max_length=50, blank=True, editable=False)

    status = models.CharField(
        "入学状态", max_length=20, choices=ChildStatus.choices, default=ChildStatus.ENROLLED
    )
    status_changed_at = models.DateTimeField("状态变更时间", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    # +1 on every change (save(), and the bulk writes: services.next_versions);
    # an edit made on an older version is refused (services.save_child).
    version = models.PositiveIntegerField("版本", default=1, editable=False)
    # Disability details the dispositions check (000 附件1 ③④): 送教上门 is for
    # 二级以上残疾证 holders without basic self-care who can still learn, 免学
    # for those who lost all learning ability, 缓学 for those in rehabilitation.
    # Sensitive like category and grade (jurisdiction: DISABILITY_DETAIL_ROLES;
    # masked in history and the admin; erased by cases/retention.py).
    disability_certified = models.BooleanField("持有残疾人证", default=False)
    disability_self_care = models.CharField(
        "生活自理能力", max_length=10, choices=SelfCare.choices, blank=True
    )
    disability_learning = models.CharField(
        "学习能力", max_length=10, choices=Learning.choices, blank=True
    )
    in_rehabilitation = models.BooleanField("正在康复治疗中", default=False)

    history = HistoricalRecords(verbose_name="学生 历史")

    class Meta:
        verbose_name = verbose_name_plural = "适龄儿童少年"
        ordering = ["village__name", "name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(id_number__isnull=True) | Q(id_number__regex=r"^[0-9]{17}[0-9X]$"),
                name="child_id_number_normalised",
            ),
            models.CheckConstraint(condition=Q(gender__in=["M", "F"]), name="child_gender_valid"),
            models.CheckConstraint(
                condition=Q(status__in=ChildStatus.values), name="child_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(grade__isnull=True) | Q(grade__gte=1, grade__lte=9),
                name="child_grade_valid",
            ),
            models.CheckConstraint(
                condition=Q(birth_date__gte=datetime.date(1990, 1, 1)),
                name="child_birth_date_plausible",
            ),
            models.CheckConstraint(
                condition=Q(is_disabled=True)
                | (Q(disability_category="") & Q(disability_grade__isnull=True)),
                name="child_disability_only_when_disabled",
            ),
            models.CheckConstraint(
                condition=Q(is_disabled=True)
                | Q(
                    disability_certified=False,
                    disability_self_care="",
                    disability_learning="",
                    in_rehabilitation=False,
                ),
                name="child_disability_details_only_when_disabled",
            ),
        ]
        indexes = [
            models.Index(fields=["status"]),
            models.Index(fields=["name_pinyin"]),
            models.Index(fields=["name_initials"]),
            models.Index(fields=["school", "grade", "class_name"]),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name_pinyin, self.name_initials = pinyin_keys(self.name)
        _next_version(self, kwargs)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("child_detail", args=[self.pk])

    def clean(self):
        from django.core.exceptions import ValidationError

        errors = {}
        if self.id_number:
            try:
                info = idcard.parse_id_number(self.id_number)
            except idcard.IDNumberError as e:
                errors["id_number"] = str(e)
            else:
                self.id_number = info.number
                problems = idcard.check_consistency(
                    info, birth_date=self.birth_date, gender=self.gender or None
                )
                if problems:
                    errors["id_number"] = "；".join(problems)
        else:
            self.id_number = None
        if self.xueji_number:
            self.xueji_number = idcard.normalize_xueji_number(self.xueji_number)
            # A G 学籍号 is "G" + the ID number; L and J numbers never are.
            from_xueji = idcard.id_from_xueji_number(self.xueji_number)
            if from_xueji and not self.id_number and "id_number" not in errors:
                errors["xueji_number"] = "全国学籍号以G开头，含身份证号，请同时填写身份证号。"
            elif from_xueji and self.id_number and from_xueji != self.id_number:
                errors["xueji_number"] = "全国学籍号（G+身份证号）与身份证号不一致。"
        if self.birth_date and self.birth_date > datetime.date.today():
            errors["birth_date"] = "出生日期不能晚于今天。"
        if self.household_id and self.village_id and self.household.village_id != self.village_id:
            errors["household"] = "家庭户不在所选村（社区）。"
        if not self.is_disabled and (self.disability_category or self.disability_grade):
            errors["is_disabled"] = "填写了残疾类别或等级，请勾选“残疾”。"
        elif not self.is_disabled and any(getattr(self, f) for f in self.DISABILITY_FIELDS[2:]):
            errors["is_disabled"] = "填写了残疾人证、自理能力、学习能力或康复情况，请勾选“残疾”。"
        if self.grade and not self.school_id:
            errors["school"] = "填写年级时请选择就读学校。"
        if self.school_id and self.grade and (problem := self.school.grade_problem(self.grade)):
            errors["grade"] = problem
        if errors:
            raise ValidationError(errors)

    @property
    def special_groups(self):
        groups = [
            label for field, label in self.SPECIAL_GROUP_FIELDS.items() if getattr(self, field)
        ]
        if self.is_disabled:
            groups.insert(0, "残疾")
        if self.household_id:
            groups += self.household.family_flags
        return groups

    @property
    def effective_address(self):
        return self.address or (self.household.address if self.household_id else "")

    @property
    def effective_hukou_place(self):
        return self.hukou_place or (self.household.hukou_place if self.household_id else "")

    @property
    def class_label(self):
        if not self.grade:
            return ""
        return f"{self.get_grade_display()}{self.class_name}"
