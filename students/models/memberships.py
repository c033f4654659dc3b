"""Who a user is: their roles and the place each role acts for
(students/jurisdiction/ decides what that lets them see and do)."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from .places import County, School, Township, Village


class Membership(models.Model):
    """One reach of one user: a user may hold several."""

    class Role(models.TextChoices):
        VILLAGE = "village", "村干部/网格员"
        TEACHER = "teacher", "班主任"
        SCHOOL_ADMIN = "school_admin", "学校管理员"
        TOWNSHIP = "township", "乡镇控辍办"
        COUNTY = "county", "县教育局"
        SYSADMIN = "sysadmin", "系统管理员"
        # 000 附件1 ⑤: 县委农村工作暨实施乡村振兴战略领导小组 approves 移交县级核处
        # (its name per county: JurisdictionSettings.rural_group_name).
        RURAL_GROUP = "rural_group", "县委农村工作领导小组"

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
                    | Q(
                        role="rural_group",
                        county__isnull=False,
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
