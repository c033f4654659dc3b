"""The demo roster: ~400 households and ~700 children, placed in schools, with
a few of every status and special group."""

from __future__ import annotations

import datetime

from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from students.pinyin import pinyin_keys

from ..models import Child, ChildStatus, Household, SchoolKind
from ..schoolage import school_age
from .names import (
    AWAY,
    BOYS,
    ELDERS_F,
    ELDERS_M,
    ELSEWHERE,
    GIRLS,
    MEN,
    WOMEN,
    _Maker,
)
from .places import (
    COUNTY,
    GROUP_NAMES,
    TEACHER_CLASS,
    TEACHER_CLASS_MIN,
    TEACHER_GRADE,
    TEACHER_SCHOOL,
    TOWNSHIPS,
)

# The roster's random stream; the registers' streams (registers.py) derive from it.
RANDOM_SEED = 20260901
CHANGE_REASON = "演示数据"

HOUSEHOLDS_PER_VILLAGE = 50

DISABILITY_CATEGORIES = Child.DisabilityCategory.values
SEVERE_CATEGORIES = [
    Child.DisabilityCategory.INTELLECTUAL,
    Child.DisabilityCategory.MULTIPLE,
    Child.DisabilityCategory.PHYSICAL,
    Child.DisabilityCategory.MENTAL,
]

S = ChildStatus
# Statuses other than 在读: (status, how many, who qualifies, keeps local school?).
# About 50 of ~700 children, so ~93 % stay 在读.
STATUS_PLAN = [
    (S.NOT_ENROLLED, 5, "entry", False),
    (S.SUSPECTED_DROPOUT, 5, "junior", True),
    (S.DROPOUT, 4, "junior", True),
    (S.SUSPENDED, 3, "any", True),
    (S.HOME_TEACHING, 3, "any", True),
    (S.EXEMPT, 2, "any", False),
    (S.DEFERRED, 2, "entry", False),
    (S.STUDYING_ELSEWHERE, 12, "any", False),
    (S.TRANSFERRED, 4, "any", False),
    (S.GRADUATED, 2, "last", True),
    (S.COUNTY_REVIEW, 2, "junior", True),
    (S.SPECIAL_SCHOOL, 2, "junior", False),
    (S.DECEASED, 1, "any", False),
    (S.MOVED_OUT, 3, "any", False),
]
# Statuses that come with a (severe) disability.
DISABLED_STATUSES = {S.HOME_TEACHING, S.EXEMPT, S.DEFERRED}
# Statuses of children who never had a 学籍.
NO_XUEJI_STATUSES = {S.NOT_ENROLLED, S.DEFERRED, S.EXEMPT}

# Child-level special groups: at least this many (besides household-level ones).
SPECIAL_GROUP_MINIMUMS = {
    "is_disabled": 6,
    "is_left_behind": 2,
    "is_migrant": 3,
    "is_orphan": 3,
    "is_unsupported": 3,
    "is_in_difficulty": 10,
    "is_prisoner_child": 3,
    "is_returned": 5,
    "is_juvenile_case": 3,
}

TEMPORARY_XUEJI = 5  # enrolled children with an "L" number (and an ID number)
NO_ID = 4  # enrolled children with no ID number at all ("J" number)

# --------------------------------------------------------------------------
# The roster
# --------------------------------------------------------------------------


def _make_roster(rng, today, townships, villages, groups, schools):
    maker = _Maker(rng, today)
    school_list = list(schools.values())
    households, children = [], []
    expected = {}  # id(child) -> expected grade
    for t_name, (area, village_spec) in TOWNSHIPS.items():
        for v_name, n_groups in village_spec.items():
            village = villages[(t_name, v_name)]
            group_names = GROUP_NAMES[:n_groups]
            house_no = dict.fromkeys(group_names, 0)
            for _ in range(HOUSEHOLDS_PER_VILLAGE):
                g_name = rng.choice(group_names)
                house_no[g_name] += rng.randint(1, 4)
                hh, kids = _make_household(
                    maker,
                    area,
                    village,
                    groups[(t_name, v_name, g_name)],
                    f"{t_name}{v_name}{g_name}{house_no[g_name]}号",
                    f"{COUNTY}{t_name}{v_name}",
                )
                households.append(hh)
                for child, grade in kids:
                    expected[id(child)] = grade
                    children.append(child)

    responsible = {s.pk: {v.pk for v in s.villages.all()} for s in school_list}
    for child in children:
        _place_in_school(maker, child, expected[id(child)], school_list, responsible)
    _assign_statuses(maker, children, expected)
    _assign_id_oddities(maker, children)
    _ensure_special_groups(maker, children)
    _fill_teacher_class(maker, children, schools[TEACHER_SCHOOL])
    _set_status_times(maker, children)

    for child in children:
        child.clean_fields(exclude=["village", "household", "school"])
        child.clean()

    saved = bulk_create_with_history(
        households, Household, batch_size=500, default_change_reason=CHANGE_REASON
    )
    if any(h.pk is None for h in saved):  # a backend that cannot return ids
        by_address = {
            (h.village_id, h.address): h.pk
            for h in Household.objects.filter(village__in=villages.values())
        }
        for h in households:
            h.pk = by_address[(h.village_id, h.address)]
    for child in children:  # bulk_create skips Child.save()
        child.name_pinyin, child.name_initials = pinyin_keys(child.name)
    bulk_create_with_history(children, Child, batch_size=500, default_change_reason=CHANGE_REASON)


def _make_household(maker, area, village, group, address, hukou):
    rng = maker.rng
    surname = maker.surname()
    father = surname + rng.choice(MEN)
    mother = maker.surname() + rng.choice(WOMEN)
    left_behind = rng.random() < 0.2
    migrant = not left_behind and rng.random() < 0.03
    if left_behind:
        father_job, mother_job = AWAY, (AWAY if rng.random() < 0.8 else "")
        # The grandfather often heads the household that stays behind.
        head = surname + rng.choice(ELDERS_M) if rng.random() < 0.6 else father
    else:
        father_job, mother_job = maker.occupation(), maker.occupation()
        if father_job == AWAY and mother_job == AWAY:
            mother_job = "务农"
        head = father
    household = Household(
        village=village,
        group=group,
        head_name=head,
        address=address,
        phone=maker.phone(),
        hukou_place=rng.choice(ELSEWHERE) if migrant else hukou,
        is_tuopin=rng.random() < 0.15,
        is_jiance=rng.random() < 0.05,
        is_dibao=rng.random() < 0.08,
        is_tekun=rng.random() < 0.02,
    )
    father_phone = household.phone if head == father else maker.phone()
    mother_phone = maker.phone()
    guardian = guardian_phone = ""
    if left_behind:
        guardian = head if head != father else surname + rng.choice(ELDERS_M + ELDERS_F)
        guardian_phone = household.phone if head != father else maker.phone()

    n_kids = rng.choices([1, 2, 3], [40, 45, 15])[0]
    grades = sorted(rng.sample(range(1, 10), n_kids), reverse=True)
    kids, names = [], set()
    for grade in grades:
        gender = rng.choice(Child.Gender.values)
        while True:
            child_surname = surname if rng.random() < 0.92 else mother[0]
            name = child_surname + rng.choice(BOYS if gender == Child.Gender.MALE else GIRLS)
            if name not in names:
                names.add(name)
                break
        born = maker.birth_date(grade)
        assert school_age(born, on=maker.today).expected_grade == grade
        child = Child(
            village=village,
            household=household,
            name=name,
            gender=gender,
            birth_date=born,
            id_number=maker.id_number(area, born, gender),
            father_name=father,
            father_phone=father_phone,
            father_occupation=father_job,
            mother_name=mother,
            mother_phone=mother_phone,
            mother_occupation=mother_job,
            guardian_name=guardian,
            guardian_phone=guardian_phone,
            is_left_behind=left_behind,
            is_migrant=migrant,
            status=S.ENROLLED,
        )
        child.xueji_number = "G" + child.id_number
        kids.append((child, grade))
    return household, kids


def _place_in_school(maker, child, expected_grade, school_list, responsible):
    rng = maker.rng
    grade = expected_grade
    if grade >= 2 and rng.random() < 0.06:
        grade -= 1  # repeated a year or started late
    township_id = child.village.township_id
    own = [s for s in school_list if child.village_id in responsible[s.pk] and grade in s.grades]
    nearby = [s for s in school_list if s.township_id == township_id and grade in s.grades]
    # A nine-year school takes juniors from villages whose own school is a primary.
    school = (own or sorted(nearby, key=lambda s: s.kind != SchoolKind.NINE_YEAR))[0]
    _enrol(maker, child, school, grade, rng.choice(["1班", "2班"]))


def _enrol(maker, child, school, grade, class_name):
    child.school = school
    child.grade = grade
    child.class_name = class_name
    child.head_teacher = maker.teacher(school, grade, class_name)


def _unenrol(child):
    child.school = None
    child.grade = None
    child.class_name = child.head_teacher = ""


def _disable(rng, child, severe=False):
    child.is_disabled = True
    child.disability_certified = True  # the grade is the certificate's
    if severe:
        child.disability_category = rng.choice(SEVERE_CATEGORIES)
        child.disability_grade = rng.choice([1, 2])
    else:
        child.disability_category = rng.choice(DISABILITY_CATEGORIES)
        child.disability_grade = rng.choice([2, 3, 4])


def _pick(rng, children, n, predicate):
    candidates = [c for c in children if predicate(c)]
    return rng.sample(candidates, min(n, len(candidates)))


def _is_plain(child):
    """Still 在读 with nothing special: free to be given a status or a tag."""
    return child.status == S.ENROLLED and not child.is_disabled and not child.is_juvenile_case


def _assign_statuses(maker, children, expected):
    rng = maker.rng
    who = {
        "entry": lambda c: expected[id(c)] == 1,
        "junior": lambda c: expected[id(c)] >= 7,
        "last": lambda c: expected[id(c)] == 9 and c.grade == 9,
        "any": lambda c: True,
    }
    for status, n, qualifies, keeps_school in STATUS_PLAN:
        for child in _pick(rng, children, n, lambda c, q=who[qualifies]: _is_plain(c) and q(c)):
            child.status = status
            if not keeps_school:
                _unenrol(child)
            if status in NO_XUEJI_STATUSES:
                child.xueji_number = ""
            if status in DISABLED_STATUSES:
                _disable(rng, child, severe=True)
                # What 000 附件1 ③④ asks of each (the disposition rules check it).
                child.disability_self_care = Child.SelfCare.NONE
                child.disability_learning = (
                    Child.Learning.LOST if status == S.EXEMPT else Child.Learning.PARTIAL
                )
                child.in_rehabilitation = status == S.DEFERRED
            if status == S.SPECIAL_SCHOOL:
                child.is_juvenile_case = True


def _assign_id_oddities(maker, children):
    """A few 临时学籍号 ("L") and a few children with no ID number ("J")."""
    rng = maker.rng
    chosen = _pick(rng, children, TEMPORARY_XUEJI + NO_ID, lambda c: _is_plain(c) and c.school_id)
    for child in chosen[:TEMPORARY_XUEJI]:
        tail = child.id_number[:17]
        wrong = next(ch for ch in "0123456789" if ch != child.id_number[17])
        child.xueji_number = "L" + tail + wrong  # looks like an ID number, is not one
    for child in chosen[TEMPORARY_XUEJI:]:
        maker.ids.discard(child.id_number)
        area = child.id_number[:6]
        child.id_number = None
        child.xueji_number = f"J{area}{child.birth_date:%Y%m%d}{rng.randrange(1000):03d}"


def _ensure_special_groups(maker, children):
    rng = maker.rng
    for field, minimum in SPECIAL_GROUP_MINIMUMS.items():
        # Disabled children 在读 (随班就读) besides those 送教上门/免学/缓学.
        have = sum(
            1
            for c in children
            if getattr(c, field) and (field != "is_disabled" or c.status == S.ENROLLED)
        )
        if have >= minimum:
            continue
        for child in _pick(
            rng, children, minimum - have, lambda c, f=field: _is_plain(c) and not getattr(c, f)
        ):
            setattr(child, field, True)
            if field == "is_disabled":
                _disable(rng, child)  # 随班就读
            elif field in ("is_orphan", "is_unsupported"):
                if field == "is_orphan":
                    child.father_phone = child.mother_phone = ""
                    child.father_occupation = child.mother_occupation = ""
                child.guardian_name = child.name[0] + rng.choice(ELDERS_M + ELDERS_F)
                child.guardian_phone = maker.phone()
                child.is_in_difficulty = True
            elif field == "is_prisoner_child":
                child.father_phone = child.father_occupation = ""
            elif field == "is_migrant":
                child.hukou_place = rng.choice(ELSEWHERE)


def _fill_teacher_class(maker, children, school):
    """Make sure the demo teacher's class has enough 在读 children to show."""

    def in_class(c, class_name):
        return (
            c.school_id == school.pk
            and c.grade == TEACHER_GRADE
            and c.class_name == class_name
            and c.status == S.ENROLLED
        )

    have = sum(1 for c in children if in_class(c, TEACHER_CLASS))
    if have >= TEACHER_CLASS_MIN:
        return
    others = [c for c in children if in_class(c, "2班")]
    for child in others[: TEACHER_CLASS_MIN - have]:
        _enrol(maker, child, school, TEACHER_GRADE, TEACHER_CLASS)


def _set_status_times(maker, children):
    rng = maker.rng
    tz = timezone.get_current_timezone()
    term_start = datetime.datetime(maker.year_start, 9, 1, 8, 0, tzinfo=tz)
    for child in children:
        if child.status == S.ENROLLED:
            child.status_changed_at = term_start
        else:
            day = maker.today - datetime.timedelta(days=rng.randint(3, 90))
            child.status_changed_at = datetime.datetime.combine(
                day, datetime.time(rng.randint(8, 17), rng.choice([0, 15, 30, 45])), tzinfo=tz
            )
