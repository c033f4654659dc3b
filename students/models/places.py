"""Places: the county, its townships, villages and 村民小组, and its schools."""

from django.db import models
from django.db.models import Q


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
        return GRADES_BY_KIND.get(self.kind, range(1, 10))

    def grade_problem(self, grade):
        """A Chinese message when this school has no such grade, else None:
        the one rule the forms, the model and every import apply."""
        if grade is None or grade in self.grades:
            return None
        first, last = self.grades[0], self.grades[-1]
        return (
            f"{self.name}是{self.get_kind_display()}，只有{GRADE_LABELS[first]}至"
            f"{GRADE_LABELS[last]}，没有{GRADE_LABELS.get(grade, f'{grade}年级')}。"
        )


GRADE_LABELS = {g: f"{'一二三四五六七八九'[g - 1]}年级" for g in range(1, 10)}
# The grades a school teaches follow its kind (a 教学点 is a small primary school).
GRADES_BY_KIND = {
    SchoolKind.PRIMARY: range(1, 7),
    SchoolKind.TEACHING_POINT: range(1, 7),
    SchoolKind.JUNIOR: range(7, 10),
    SchoolKind.NINE_YEAR: range(1, 10),
    SchoolKind.SPECIAL: range(1, 10),
}
