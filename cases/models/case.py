"""The case (一生一案): one file per child, from first absence to 销号.

State changes go through cases/states.py only; the to-dos each ladder step
creates are `Todo` rows, done by recording what was done.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from students.models import Child, County, Lead, Membership, School, Township, Village


class Case(models.Model):
    class State(models.TextChoices):
        OPEN = "open", "劝返中"
        REPORTED = "reported", "已报乡镇"
        NOTICE = "notice", "已发限期返校通知书"
        RETURNED = "returned", "已复学待核验"
        DISPOSING = "disposing", "处置中"
        CLOSED = "closed", "已销号"

    class Origin(models.TextChoices):
        ABSENCE = "absence", "无故缺课"
        LEAD = "lead", "比对线索核实"
        MANUAL = "manual", "手工建档"

    class Ending(models.TextChoices):
        RETURNED = "returned", "复学"
        GRADUATION = "graduation", "办理毕业（结业）证"
        SUSPENSION = "suspension", "办理休学"
        HOME_TEACHING = "home_teaching", "送教上门"
        EXEMPTION = "exemption", "免学"
        DEFERRAL = "deferral", "缓学"
        COUNTY_REVIEW = "county_review", "移交县级核处"
        SPECIAL_SCHOOL = "special_school", "送读专门学校"
        TRANSFERRED = "transferred", "转学"
        STUDYING_ELSEWHERE = "studying_elsewhere", "外出就读"
        MOVED_OUT = "moved_out", "户籍迁出"
        DECEASED = "deceased", "死亡"
        CANCELLED = "cancelled", "缺勤更正，撤销"

    class Placement(models.TextChoices):
        ORIGINAL_CLASS = "original_class", "回原年级原班级"
        OTHER_GRADE = "other_grade", "调整年级"
        VOCATIONAL = "vocational", "中职学校"
        SEPARATE_CLASS = "separate_class", "单独编班/辅导后编入"
        BY_AGE = "by_age", "未入学儿童按年龄编入年级班级"

    child = models.ForeignKey(Child, models.PROTECT, related_name="cases", verbose_name="学生")
    origin = models.CharField("建档原因", max_length=10, choices=Origin.choices)
    lead = models.ForeignKey(Lead, models.SET_NULL, null=True, blank=True, verbose_name="比对线索")
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.OPEN)
    first_absent_on = models.DateField("首次无故缺课日期", null=True, blank=True)
    streak = models.PositiveSmallIntegerField("连续无故缺课（上学日）", default=0)
    stage = models.PositiveSmallIntegerField(
        "已到阶梯", default=0, help_text="升级阶梯已触发到第几级"
    )
    ladder = models.JSONField("升级阶梯", default=list, help_text="建档时的阶梯设置")
    last_scan_on = models.DateField("最近扫描日期", null=True, blank=True)
    returned_on = models.DateField("返校日期", null=True, blank=True)
    placement = models.CharField("复学安置", max_length=20, choices=Placement.choices, blank=True)
    placement_note = models.CharField("安置说明", max_length=200, blank=True)
    ending = models.CharField("结案方式", max_length=20, choices=Ending.choices, blank=True)
    closed_on = models.DateField("销号日期", null=True, blank=True)
    # 004 四(四)1: 销号 is proposed by the school after the verification days
    # and signed off by the township (cases/closing/); written via states.py.
    close_proposed_at = models.DateTimeField("学校申请销号时间", null=True, blank=True)
    close_proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="申请销号人",
    )
    close_confirmed_at = models.DateTimeField("乡镇确认销号时间", null=True, blank=True)
    close_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="确认销号人",
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="建档人",
    )
    opened_at = models.DateTimeField("建档时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    history = HistoricalRecords(verbose_name="个案 历史")

    class Meta:
        verbose_name = verbose_name_plural = "个案（一生一案）"
        ordering = ["-opened_at"]
        constraints = [
            # One open case per child: a second absence run adds to the first.
            models.UniqueConstraint(
                fields=["child"], condition=~Q(state="closed"), name="case_one_open_per_child"
            ),
            models.CheckConstraint(
                condition=Q(state="closed", closed_on__isnull=False) & ~Q(ending="")
                | ~Q(state="closed") & Q(closed_on__isnull=True),
                name="case_closed_has_ending",
            ),
            models.CheckConstraint(
                condition=~Q(state="returned") | Q(returned_on__isnull=False),
                name="case_returned_has_date",
            ),
        ]

    def __str__(self):
        return f"{self.child.name} 个案 #{self.pk}"

    def get_absolute_url(self):
        return reverse("cases:case_detail", args=[self.pk])

    @property
    def is_open(self):
        return self.state != self.State.CLOSED


class CaseEvent(models.Model):
    """The case's timeline: every transition, with who and why."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="events", verbose_name="个案")
    # Set for events a periodic task writes: the same event is written once.
    key = models.CharField("标识", max_length=40, blank=True)
    action = models.CharField("操作", max_length=30)
    from_state = models.CharField("原状态", max_length=10, choices=Case.State.choices, blank=True)
    to_state = models.CharField("新状态", max_length=10, choices=Case.State.choices)
    note = models.CharField("说明", max_length=500, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, verbose_name="操作人"
    )
    at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "个案记录"
        ordering = ["at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "key"], condition=~Q(key=""), name="case_event_unique_key"
            ),
        ]

    def __str__(self):
        return f"{self.case} {self.action}"


class Todo(models.Model):
    """A step someone must take by a date (待办); done by recording it."""

    class Kind(models.TextChoices):
        CALL = "call", "电话联系监护人"
        SCHOOL_VISIT = "school_visit", "学校入户劝返"
        LEADER_VISIT = "leader_visit", "校领导家访"
        VILLAGE_VISIT = "village_visit", "村（社区）入户协助劝返"
        JOINT_VISIT = "joint_visit", "联合家访"
        REPORT = "report", "报送辍学情况报告单"
        NOTICE = "notice", "签发《限期返校通知书》"
        SERVICE = "service", "送达通知书"
        RETURN_DEADLINE = "return_deadline", "限期返校到期"
        LEGAL_EDUCATION = "legal_education", "司法所法治教育"
        ESCALATE = "escalate", "逐级上报"
        VERIFY_RETURN = "verify_return", "复学核验"
        APPROVAL = "approval", "县级审批处置"
        HOME_TEACHING = "home_teaching", "送教上门"
        FOLLOW_UP = "follow_up", "每月联合劝返"
        REVIEW = "review", "复查（休学/缓学）"
        XUEJI = "xueji", "恢复或补建学籍"
        PROPOSE_CLOSE = "propose_close", "学校申请销号"
        CONFIRM_CLOSE = "confirm_close", "乡镇确认销号"
        TOWNSHIP_VISIT = "township_visit", "乡镇入户劝学"
        PLACEMENT = "placement", "入学安置"
        # 000 §三(三), 004 §四(一)2: no case, one per village and school and term.
        TERM_LIST = "term_list", "报送动态摸排未到校学生名单"

    Role = Membership.Role

    # Empty only for a place's own deadline (the term list): see the constraints.
    case = models.ForeignKey(
        Case, models.CASCADE, null=True, blank=True, related_name="todos", verbose_name="个案"
    )
    key = models.CharField("标识", max_length=40, help_text="同一个案中唯一：重复运行不会重复创建")
    kind = models.CharField("事项", max_length=20, choices=Kind.choices)
    title = models.CharField("内容", max_length=200)
    role = models.CharField("责任角色", max_length=20, choices=Membership.Role.choices)
    school = models.ForeignKey(
        School, models.PROTECT, null=True, blank=True, verbose_name="责任学校"
    )
    village = models.ForeignKey(
        Village, models.PROTECT, null=True, blank=True, verbose_name="责任村（社区）"
    )
    township = models.ForeignKey(
        Township, models.PROTECT, null=True, blank=True, verbose_name="责任乡镇"
    )
    county = models.ForeignKey(County, models.PROTECT, verbose_name="县（区）")
    due_on = models.DateField("期限")
    done_at = models.DateTimeField("完成时间", null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="完成人",
    )
    done_note = models.CharField("完成情况", max_length=300, blank=True)
    overdue_flagged_on = models.DateField("逾期提醒日期", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "待办"
        ordering = ["due_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["case", "key"], name="todo_unique_key"),
            # A to-do without a case is a term list of one village or school.
            models.UniqueConstraint(
                fields=["county", "key"],
                condition=Q(case__isnull=True),
                name="todo_unique_key_without_case",
            ),
            models.CheckConstraint(
                condition=(Q(case__isnull=False) & ~Q(kind="term_list"))
                | Q(kind="term_list", case__isnull=True, village__isnull=False, school__isnull=True)
                | Q(
                    kind="term_list", case__isnull=True, village__isnull=True, school__isnull=False
                ),
                name="todo_without_case_is_a_place_term_list",
            ),
        ]
        indexes = [models.Index(fields=["done_at", "due_on"])]

    def __str__(self):
        return f"{self.title}（{self.due_on}）"

    @property
    def is_done(self):
        return self.done_at is not None
