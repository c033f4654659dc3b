"""Places, schools, households, children and who may see them.

The roster is the base of everything: a child belongs to a village (where
the roster keeps them) and may be enrolled in a school. Who sees a child is
decided in `jurisdiction.py` from the user's memberships below.
"""

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from .. import idcard
from ..pinyin import pinyin_keys


class County(models.Model):
    name = models.CharField("县（区）", max_length=50, unique=True)

    class Meta:
        verbose_name = verbose_name_plural = "县（区）"
        ordering = ["name"]

    def __str__(self):
        return self.name


class Township(models.Model):
    county = models.ForeignKey(
        County, models.PROTECT, related_name="townships", verbose_name="县（区）"
    )
    name = models.CharField("乡镇（街道）", max_length=50)

    class Meta:
        verbose_name = verbose_name_plural = "乡镇（街道）"
        ordering = ["county__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["county", "name"], name="township_unique_name"),
        ]

    def __str__(self):
        return self.name


class Village(models.Model):
    township = models.ForeignKey(
        Township, models.PROTECT, related_name="villages", verbose_name="乡镇（街道）"
    )
    name = models.CharField("村（社区）", max_length=50)

    class Meta:
        verbose_name = verbose_name_plural = "村（社区）"
        ordering = ["township__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["township", "name"], name="village_unique_name"),
        ]

    def __str__(self):
        return self.name


class VillageGroup(models.Model):
    """村民小组: 001 keeps one 学户册 per group."""

    village = models.ForeignKey(
        Village, models.CASCADE, related_name="groups", verbose_name="村（社区）"
    )
    name = models.CharField("村民小组", max_length=50)

    class Meta:
        verbose_name = verbose_name_plural = "村民小组"
        ordering = ["village__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["village", "name"], name="village_group_unique_name"),
        ]

    def __str__(self):
        return f"{self.village.name}{self.name}"


class SchoolKind(models.TextChoices):
    PRIMARY = "primary", "小学"
    JUNIOR = "junior", "初中"
    NINE_YEAR = "nine_year", "九年一贯制"
    TEACHING_POINT = "teaching_point", "教学点"
    SPECIAL = "special", "特教学校"


class School(models.Model):
    Kind = SchoolKind

    name = models.CharField("学校名称", max_length=100, unique=True)
    kind = models.CharField("学校类型", max_length=20, choices=Kind.choices)
    township = models.ForeignKey(
        Township, models.PROTECT, related_name="schools", verbose_name="所属乡镇"
    )
    villages = models.ManyToManyField(
        Village, blank=True, related_name="responsible_schools", verbose_name="责任村（社区）"
    )

    class Meta:
        verbose_name = verbose_name_plural = "学校"
        ordering = ["township__name", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=SchoolKind.values), name="school_kind_valid"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def grades(self):
        """The grades (1–9) this kind of school teaches."""
        if self.kind == self.Kind.PRIMARY:
            return range(1, 7)
        if self.kind == self.Kind.JUNIOR:
            return range(7, 10)
        return range(1, 10)


def default_ladder():
    """The default ladder preset's steps (fixtures/ladder_presets.json: seed 004,
    蛟潭镇, 1 / 3 / 5 school days): a county's settings start from a copy."""
    from ..presets import default_ladder_steps

    return default_ladder_steps()


class JurisdictionSettings(models.Model):
    """The values a county chooses (DOMAIN §9); a township may override them.

    Read them only through `students.selectors.settings_for()`.
    """

    county = models.ForeignKey(
        County, models.CASCADE, related_name="settings", verbose_name="县（区）"
    )
    township = models.OneToOneField(
        Township,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="settings",
        verbose_name="乡镇（留空为全县）",
    )
    ladder = models.JSONField("升级阶梯", default=default_ladder)
    suspected_dropout_days = models.PositiveSmallIntegerField(
        "疑似辍学认定（连续无故缺课上学日）", default=3
    )
    dropout_days = models.PositiveSmallIntegerField("辍学认定（连续无故缺课上学日）", default=20)
    notice_issue_days = models.PositiveSmallIntegerField("通知书签发时限（日）", default=3)
    notice_return_days = models.PositiveSmallIntegerField("限期返校时限（日）", default=3)
    entry_cutoff_month = models.PositiveSmallIntegerField("入学年龄截止月", default=8)
    entry_cutoff_day = models.PositiveSmallIntegerField("入学年龄截止日", default=31)
    monthly_ledger_day = models.PositiveSmallIntegerField("月度台账报送日", default=25)
    notice_fine_clause = models.BooleanField("通知书含罚款条款", default=False)
    return_verify_days = models.PositiveSmallIntegerField("复学核验（连续到校上学日）", default=5)
    # Deadlines. Where a seed gives one it is its default; the others keep the
    # values the code had before they were settings.
    approval_days = models.PositiveSmallIntegerField(
        "县级审批时限（提交后上学日）",
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text="休学、送教上门、免学缓学、移交县级核处提交后，县教育局审批待办的期限。",
    )
    # 001 §四(二)5: "一周内……由原所在小学负责，一周后……由所在初中负责".
    handover_school_days = models.PositiveSmallIntegerField(
        "小升初报到时限（秋季开学后上学日）",
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
        help_text="超过此上学日数仍未在初中注册学籍的小学毕业生，建立“小升初未报到”个案。",
    )
    review_notice_days = models.PositiveSmallIntegerField(
        "休学/缓学复查提前提醒（日）",
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
    )
    # 000 §三(三) and 004 §四(一)2: "开学后10日内" the term-start report.
    term_check_days = models.PositiveSmallIntegerField(
        "开学核查时限（开学后上学日）",
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
        help_text="学期第几个上学日结束后，系统为全县运行一次四查三比对（开学后核查）。",
    )

    history = HistoricalRecords(verbose_name="辖区设置 历史")

    # What the settings page lets a county or township edit; the ladder is
    # edited by the system administrator until the case engine gives it a form.
    EDITABLE_FIELDS = [
        "suspected_dropout_days",
        "dropout_days",
        "notice_issue_days",
        "notice_return_days",
        "entry_cutoff_month",
        "entry_cutoff_day",
        "monthly_ledger_day",
        "notice_fine_clause",
        "return_verify_days",
        "approval_days",
        "handover_school_days",
        "review_notice_days",
        "term_check_days",
    ]

    class Meta:
        verbose_name = verbose_name_plural = "辖区设置"
        constraints = [
            models.UniqueConstraint(
                fields=["county"],
                condition=Q(township__isnull=True),
                name="settings_one_per_county",
            ),
            models.CheckConstraint(
                condition=Q(entry_cutoff_month__gte=1, entry_cutoff_month__lte=12)
                & Q(entry_cutoff_day__gte=1, entry_cutoff_day__lte=31),
                name="settings_cutoff_valid",
            ),
            models.CheckConstraint(
                condition=Q(monthly_ledger_day__gte=1, monthly_ledger_day__lte=28),
                name="settings_ledger_day_valid",
            ),
            models.CheckConstraint(
                condition=Q(suspected_dropout_days__gte=1) & Q(dropout_days__gte=1),
                name="settings_thresholds_positive",
            ),
            models.CheckConstraint(
                condition=Q(approval_days__gte=1, approval_days__lte=60)
                & Q(handover_school_days__gte=1, handover_school_days__lte=30)
                & Q(review_notice_days__gte=1, review_notice_days__lte=90)
                & Q(term_check_days__gte=1, term_check_days__lte=30),
                name="settings_deadlines_valid",
            ),
        ]

    def __str__(self):
        return f"{self.township or self.county} 设置"

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.township_id and self.township.county_id != self.county_id:
            raise ValidationError({"township": "乡镇不属于所选县（区）。"})
        if self.dropout_days < self.suspected_dropout_days:
            raise ValidationError({"dropout_days": "辍学认定天数不能少于疑似辍学认定天数。"})
        try:
            # A non-leap year: a 29 February cutoff would not exist most years.
            datetime.date(2001, self.entry_cutoff_month, self.entry_cutoff_day)
        except ValueError:
            raise ValidationError({"entry_cutoff_day": "入学年龄截止日期不存在。"}) from None


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
    phone = models.CharField("联系电话", max_length=20, blank=True)
    hukou_place = models.CharField("户籍地", max_length=200, blank=True)
    is_tuopin = models.BooleanField("脱贫户", default=False)
    is_jiance = models.BooleanField("监测户", default=False)
    is_dibao = models.BooleanField("低保户", default=False)
    is_tekun = models.BooleanField("特困户", default=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    history = HistoricalRecords(verbose_name="户 历史")

    class Meta:
        verbose_name = verbose_name_plural = "家庭户"
        ordering = ["village__name", "head_name", "id"]

    def __str__(self):
        return f"{self.head_name}户（{self.village}）"

    def get_absolute_url(self):
        return reverse("household_detail", args=[self.pk])

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
    father_phone = models.CharField("父亲电话", max_length=20, blank=True)
    father_occupation = models.CharField("父亲职业", max_length=50, blank=True)
    mother_name = models.CharField("母亲姓名", max_length=50, blank=True)
    mother_phone = models.CharField("母亲电话", max_length=20, blank=True)
    mother_occupation = models.CharField("母亲职业", max_length=50, blank=True)
    guardian_name = models.CharField("其他监护人姓名", max_length=50, blank=True)
    guardian_phone = models.CharField("其他监护人电话", max_length=20, blank=True)
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
        if self.grade and not self.school_id:
            errors["school"] = "填写年级时请选择就读学校。"
        if self.school_id and self.grade and self.grade not in self.school.grades:
            errors["grade"] = (
                f"{self.school}（{self.school.get_kind_display()}）没有{self.get_grade_display()}。"
            )
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


class Membership(models.Model):
    """One reach of one user: a user may hold several."""

    class Role(models.TextChoices):
        VILLAGE = "village", "村干部/网格员"
        TEACHER = "teacher", "班主任"
        SCHOOL_ADMIN = "school_admin", "学校管理员"
        TOWNSHIP = "township", "乡镇控辍办"
        COUNTY = "county", "县教育局"
        SYSADMIN = "sysadmin", "系统管理员"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="memberships", verbose_name="用户"
    )
    role = models.CharField("角色", max_length=20, choices=Role.choices)
    county = models.ForeignKey(
        County, models.CASCADE, null=True, blank=True, verbose_name="县（区）"
    )
    township = models.ForeignKey(
        Township, models.CASCADE, null=True, blank=True, verbose_name="乡镇"
    )
    village = models.ForeignKey(
        Village, models.CASCADE, null=True, blank=True, verbose_name="村（社区）"
    )
    school = models.ForeignKey(School, models.CASCADE, null=True, blank=True, verbose_name="学校")
    grade = models.PositiveSmallIntegerField("年级", null=True, blank=True)
    class_name = models.CharField("班级", max_length=20, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "用户职责"
        constraints = [
            # Each role names exactly the place it reaches, nothing else.
            models.CheckConstraint(
                name="membership_scope_matches_role",
                condition=(
                    Q(
                        role="village",
                        village__isnull=False,
                        school__isnull=True,
                        township__isnull=True,
                        county__isnull=True,
                    )
                    | Q(
                        role="teacher",
                        school__isnull=False,
                        grade__isnull=False,
                        village__isnull=True,
                        township__isnull=True,
                        county__isnull=True,
                    )
                    & ~Q(class_name="")
                    | Q(
                        role="school_admin",
                        school__isnull=False,
                        village__isnull=True,
                        township__isnull=True,
                        county__isnull=True,
                    )
                    | Q(
                        role="township",
                        township__isnull=False,
                        village__isnull=True,
                        school__isnull=True,
                        county__isnull=True,
                    )
                    | Q(
                        role="county",
                        county__isnull=False,
                        village__isnull=True,
                        school__isnull=True,
                        township__isnull=True,
                    )
                    | Q(
                        role="sysadmin",
                        county__isnull=True,
                        village__isnull=True,
                        school__isnull=True,
                        township__isnull=True,
                    )
                ),
            ),
        ]

    def __str__(self):
        place = self.village or self.school or self.township or self.county or "全部"
        if self.role == self.Role.TEACHER:
            return f"{self.get_role_display()} · {self.school} {self.grade}年级{self.class_name}"
        return f"{self.get_role_display()} · {place}"


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
