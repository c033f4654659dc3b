"""Attendance reads: who records it, for which children and classes, on
which days; the absences and roll calls already recorded; a child's current
streak of unexcused school days (the late correction's measure)."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils import timezone

from students.jurisdiction import access
from students.models import Child, School
from students.selectors import settings_for

from ..calendar import SchoolCalendar, calendar_around
from ..ladder.scan import lookback, streak_expression
from ..models import Absence, ClassRollCall

Kind = Absence.Kind
PRESENT = "present"
MARKS = {PRESENT: "到", Kind.LEAVE: "请假", Kind.UNEXCUSED: "无故未到校"}
# Children on a class's attendance list: those who should be in class.
ON_ROLL_STATUSES = [
    Child.Status.ENROLLED,
    Child.Status.SUSPECTED_DROPOUT,
    Child.Status.DROPOUT,
]


# ------------------------------------------------------------------- reach


def attendance_scope(user):
    """A Q over Child: the children whose attendance the user records."""
    return access(user).attendance_children()


def may_take_attendance(user):
    return access(user).may_take_attendance()


@dataclass(frozen=True)
class SchoolClass:
    school: School
    grade: int
    class_name: str

    @property
    def key(self):
        return f"{self.school.pk}-{self.grade}-{self.class_name}"

    @property
    def label(self):
        grade = dict(Child._meta.get_field("grade").choices).get(self.grade, self.grade)
        return f"{self.school.name} {grade}{self.class_name}"


def classes_for_user(user):
    """The classes the user takes attendance for, in order: a teacher's own
    class(es), then every class with children on roll in an admin's school."""
    found = {}
    classes, schools = access(user).attendance_classes()
    for school, grade, class_name in classes:
        c = SchoolClass(school, grade, class_name)
        found.setdefault(c.key, c)
    admin_schools = {school.pk: school for school in schools}
    if admin_schools:
        rows = (
            Child.objects.filter(
                school_id__in=admin_schools, grade__isnull=False, status__in=ON_ROLL_STATUSES
            )
            .values_list("school_id", "grade", "class_name")
            .distinct()
            .order_by("school_id", "grade", "class_name")
        )
        for school_id, grade, class_name in rows:
            c = SchoolClass(admin_schools[school_id], grade, class_name)
            found.setdefault(c.key, c)
    return list(found.values())


def class_children(user, school_class):
    """The class's children on roll whom the user may record, by name."""
    return (
        Child.objects.filter(
            attendance_scope(user),
            school=school_class.school,
            grade=school_class.grade,
            class_name=school_class.class_name,
            status__in=ON_ROLL_STATUSES,
        )
        .only("pk", "name", "status", "school_id", "grade", "class_name")
        .order_by("name_pinyin", "name", "pk")
    )


def attendance_child_for_user(user, pk):
    """The child, or Child.DoesNotExist when the user does not record their attendance."""
    return (
        Child.objects.filter(attendance_scope(user), school__isnull=False)
        .select_related("school__township", "village__township")
        .get(pk=pk)
    )


# ------------------------------------------------------------------- reads


def school_calendar(school, *, day, back=0):
    """The school's calendar from `back` days before `day` to `day`."""
    return SchoolCalendar(
        county=school.township.county_id,
        school=school,
        start=day - datetime.timedelta(days=back),
        end=day,
    )


def day_problem(school, day, *, today=None):
    """Why attendance cannot be recorded for `day` at `school`, or ""."""
    today = today or timezone.localdate()
    if day > today:
        return f"{day:%Y-%m-%d} 还未到，不能登记将来的考勤。"
    if not school_calendar(school, day=day).is_school_day(day):
        return f"{day:%Y-%m-%d} 不是上学日（周末、节假日或不在学期内），无需考勤。"
    return ""


def last_school_day(school, *, on):
    """The latest school day of the school on or before `on` (within 120 days), or None."""
    days = school_calendar(school, day=on, back=120).last_school_days(on, 1)
    return days[-1] if days else None


def absences_on(children, day):
    """{child_id: Absence} of these children on `day` (one query)."""
    return {
        a.child_id: a
        for a in Absence.objects.filter(child__in=children, date=day).select_related("recorded_by")
    }


def roll_call(school_class, day):
    return (
        ClassRollCall.objects.filter(
            school=school_class.school,
            grade=school_class.grade,
            class_name=school_class.class_name,
            date=day,
        )
        .select_related("taken_by")
        .first()
    )


@dataclass
class Coverage:
    """What a school's daily sheet or 零报告 covers (roll_call_coverage())."""

    roll_calls: list = field(default_factory=list)  # [(school_id, grade, class_name, date)]
    absences: list = field(default_factory=list)  # Absence already recorded on those days
    new_roll_calls: int = 0  # of roll_calls, those not yet taken


def roll_call_coverage(user, pairs):
    """A school's sheet is, for each of its days, the roll call of the school:
    for (school_id, day) pairs, the classes of the school's children on roll
    whose attendance `user` records, and those children's absences recorded
    on those days. Three queries, whatever the number of children."""
    pairs = set(pairs)
    if not pairs:
        return Coverage()
    schools, days = {s for s, _ in pairs}, {d for _, d in pairs}
    on_roll = {"school_id__in": schools, "status__in": ON_ROLL_STATUSES}
    classes = defaultdict(set)
    for school_id, grade, class_name in (
        Child.objects.filter(attendance_scope(user), grade__isnull=False, **on_roll)
        .values_list("school_id", "grade", "class_name")
        .distinct()
    ):
        classes[school_id].add((grade, class_name))
    keys = sorted(
        (school_id, grade, class_name, day)
        for school_id, day in pairs
        for grade, class_name in classes[school_id]
    )
    taken = set(
        ClassRollCall.objects.filter(school_id__in=schools, date__in=days).values_list(
            "school_id", "grade", "class_name", "date"
        )
    )
    absences = [
        a
        for a in Absence.objects.filter(
            access(user).attendance_children("child__"),
            child__school_id__in=schools,
            child__status__in=ON_ROLL_STATUSES,
            date__in=days,
        )
        .select_related("child")
        .order_by("date", "child__name_pinyin", "child__name", "pk")
        if (a.child.school_id, a.date) in pairs
    ]
    return Coverage(keys, absences, sum(1 for k in keys if k not in taken))


def recent_absences(child, *, limit=30):
    return (
        Absence.objects.filter(child=child).select_related("recorded_by").order_by("-date")[:limit]
    )


# ----------------------------------------------------------- current streak


def _scan_days(child, as_of):
    """The school days the daily scan looks back over for this child on
    `as_of` (cases/ladder/scan.py: the longest ladder step or dropout threshold of
    the county, plus one), oldest first."""
    if child.school_id:
        school, county = child.school, child.school.township.county
    else:
        school, county = None, child.village.township.county
    longest = lookback(settings_for(township=t) for t in county.townships.all())
    calendar = calendar_around(county=county, school=school, day=as_of)
    return calendar.last_school_days(as_of, longest + 1)


def current_streak(child, *, as_of):
    """Consecutive unexcused school days ending on `as_of` (or the last school
    day before it), by the scan's own rule (scan.streak_expression)."""
    days = _scan_days(child, as_of)
    if not days:
        return 0
    if not Absence.objects.filter(child=child, date=days[-1], kind=Kind.UNEXCUSED).exists():
        return 0
    return (
        Child.objects.filter(pk=child.pk)
        .annotate(streak=streak_expression(days))
        .values_list("streak", flat=True)
        .get()
    )
