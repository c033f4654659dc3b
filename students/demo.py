"""Demo data for 示范县: places, schools, a roster of ~400 households and ~700
children, one login per role, and what the cross-checks compare the roster
with: the schools' 学籍, the county's 户籍 and 脱贫户/监测户 lists (each as one
committed ImportBatch), and this term's 开学到校核查 at two schools. No leads
and no comparison runs: the user makes those by pressing "运行比对".

`manage.py seed_demo` calls `seed()`; it is idempotent (places, schools,
users and memberships are fetched or created; households and children are
made only when the county has none yet; each register only when the county
has no batch of its kind yet; the term check only when the two schools have
none for the current term) and deterministic (seeded `random.Random`s, so
every run on the same day makes the same data; birth dates are relative to
today so that every child is of school age).

All names, phone numbers and ID numbers are synthetic: the ID numbers are
well-formed (area code, birth date, sequence with the right gender parity,
MOD 11-2 check character) but belong to nobody.
"""

from __future__ import annotations

import datetime
import random
import unicodedata
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from students.pinyin import pinyin_keys

from .idcard import check_char
from .models import (
    Child,
    ChildStatus,
    County,
    Household,
    HujiRecord,
    ImportBatch,
    JurisdictionSettings,
    Membership,
    PovertyRecord,
    School,
    SchoolKind,
    TermCheck,
    Township,
    Village,
    VillageGroup,
    XuejiRecord,
)
from .schoolage import school_age, school_year_start, term_label
from .signals import demo_seeded

__all__ = ["DEMO_PASSWORD", "DEMO_USERS", "SeedResult", "format_logins", "seed"]

RANDOM_SEED = 20260901
DEMO_PASSWORD = "kongchuo2026"
CHANGE_REASON = "演示数据"

COUNTY = "示范县"

# Township -> (ID area code, villages with their number of 村民小组).
TOWNSHIPS = {
    "蛟潭镇": ("360222", {"蛟潭村": 3, "福港村": 2, "礼芳村": 3, "月形村": 2}),
    "左岚乡": ("500234", {"左岚村": 3, "齐心村": 2, "石院村": 3, "谭家村": 2}),
}
GROUP_NAMES = ["一组", "二组", "三组"]

# School -> (kind, township, responsible villages).
SCHOOLS = {
    "蛟潭镇中心学校": (SchoolKind.NINE_YEAR, "蛟潭镇", ["蛟潭村", "礼芳村", "月形村"]),
    "福港学校": (SchoolKind.PRIMARY, "蛟潭镇", ["福港村"]),
    "左岚乡中心小学": (SchoolKind.PRIMARY, "左岚乡", ["左岚村", "齐心村", "石院村", "谭家村"]),
    "左岚初级中学": (SchoolKind.JUNIOR, "左岚乡", ["左岚村", "齐心村", "石院村", "谭家村"]),
}

HOUSEHOLDS_PER_VILLAGE = 50

# The demo class teacher's class; the roster makes sure it is not empty.
TEACHER_SCHOOL, TEACHER_GRADE, TEACHER_CLASS = "蛟潭镇中心学校", 5, "1班"
TEACHER_CLASS_MIN = 12

# (username, display name (first_name), Membership.Role value, jurisdiction as shown).
DEMO_USERS = [
    ("cunganbu", "村干部", Membership.Role.VILLAGE.value, "蛟潭镇蛟潭村、福港村"),
    (
        "banzhuren",
        "班主任",
        Membership.Role.TEACHER.value,
        f"{TEACHER_SCHOOL}五年级{TEACHER_CLASS}",
    ),
    ("xuexiao", "学校管理员", Membership.Role.SCHOOL_ADMIN.value, "福港学校"),
    ("xiangzhen", "蛟潭镇控辍办", Membership.Role.TOWNSHIP.value, "蛟潭镇"),
    ("zuolan", "左岚乡控辍办", Membership.Role.TOWNSHIP.value, "左岚乡"),
    ("xianjiaoyuju", "县教育局", Membership.Role.COUNTY.value, COUNTY),
    ("admin", "系统管理员", Membership.Role.SYSADMIN.value, "全部"),
]
SUPERUSERS = {"admin"}

# username -> the places of its memberships, by name (see _membership_kwargs).
_MEMBERSHIP_PLACES = {
    "cunganbu": [{"village": ("蛟潭镇", "蛟潭村")}, {"village": ("蛟潭镇", "福港村")}],
    "banzhuren": [{"school": TEACHER_SCHOOL, "grade": TEACHER_GRADE, "class_name": TEACHER_CLASS}],
    "xuexiao": [{"school": "福港学校"}],
    "xiangzhen": [{"township": "蛟潭镇"}],
    "zuolan": [{"township": "左岚乡"}],
    "xianjiaoyuju": [{"county": COUNTY}],
    "admin": [{}],
}

# --------------------------------------------------------------------------
# Name and detail pools
# --------------------------------------------------------------------------

SURNAMES = list("王李张刘陈杨黄赵吴周徐孙胡朱高林何郭马罗")
# Rough frequencies, most common first.
SURNAME_WEIGHTS = [20, 20, 18, 16, 14, 10, 9, 8, 8, 7, 7, 6, 6, 5, 5, 5, 4, 4, 4, 4]

MEN = [
    "建国",
    "建华",
    "国华",
    "志强",
    "志明",
    "永红",
    "海波",
    "文斌",
    "立新",
    "卫东",
    "春生",
    "金龙",
    "小平",
    "德胜",
    "红军",
    "国平",
    "伟民",
    "水根",
    "长青",
    "明亮",
    "忠华",
    "新民",
    "家良",
    "义军",
    "光辉",
    "顺发",
    "庆华",
    "文华",
    "俊杰",
    "振华",
]
WOMEN = [
    "秀英",
    "桂英",
    "丽娟",
    "春梅",
    "玉兰",
    "红梅",
    "美华",
    "小红",
    "金凤",
    "凤英",
    "海燕",
    "丽萍",
    "晓燕",
    "秀兰",
    "翠萍",
    "冬梅",
    "淑芬",
    "雪梅",
    "素琴",
    "爱华",
    "月娥",
    "建英",
    "慧敏",
    "巧云",
    "彩霞",
    "春燕",
    "文娟",
    "桂芳",
    "玉梅",
    "菊香",
]
ELDERS_M = ["德福", "长根", "有才", "福生", "金水", "老根", "茂林", "寿山", "炳生", "来福"]
ELDERS_F = ["桂香", "秀珍", "腊梅", "凤莲", "翠花", "玉珍", "金娥", "招娣", "冬英", "月英"]
BOYS = [
    "浩然",
    "子轩",
    "宇航",
    "梓豪",
    "俊熙",
    "博文",
    "天佑",
    "一鸣",
    "子墨",
    "皓轩",
    "思远",
    "嘉豪",
    "明哲",
    "睿泽",
    "宇轩",
    "浩宇",
    "雨泽",
    "文昊",
    "子豪",
    "晨阳",
    "家乐",
    "俊杰",
    "志远",
    "鑫磊",
    "泽宇",
    "铭轩",
    "锦程",
    "逸飞",
    "承泽",
    "瑞霖",
]
GIRLS = [
    "子涵",
    "欣怡",
    "雨涵",
    "梓萱",
    "诗琪",
    "佳怡",
    "可馨",
    "思彤",
    "语嫣",
    "若曦",
    "梦瑶",
    "紫涵",
    "雨欣",
    "欣妍",
    "思雨",
    "佳琪",
    "婧琪",
    "雅琪",
    "梓涵",
    "心怡",
    "晓彤",
    "一诺",
    "安琪",
    "依诺",
    "静怡",
    "雨桐",
    "美琳",
    "诗涵",
    "嘉怡",
    "芷若",
]

# Occupations of parents who live at home; "外出务工" is weighted up.
OCCUPATIONS = [
    "务农",
    "外出务工",
    "个体经营",
    "企业职工",
    "建筑工人",
    "货车司机",
    "家庭主妇",
    "村医",
]
OCCUPATION_WEIGHTS = [30, 30, 10, 8, 8, 5, 6, 1]
AWAY = "外出务工"

# Where the families of 随迁子女 come from.
ELSEWHERE = ["湖南省邵阳市隆回县", "安徽省安庆市宿松县", "贵州省毕节市织金县", "河南省信阳市固始县"]

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

# --- What the cross-checks compare the roster with ------------------------
# Each register has its own random stream: it is the same whether the roster
# was made by this run or an earlier one.
XUEJI_SEED, HUJI_SEED, POVERTY_SEED, TERM_SEED = (RANDOM_SEED + n for n in (1, 2, 3, 4))
DROPOUT_STATUSES = (S.SUSPECTED_DROPOUT, S.DROPOUT)
# (Suspected) dropouts whose school still keeps their 学籍: 名在人不在.
DROPOUTS_WITH_XUEJI = 3
# Roster children whose 户籍 is no longer here (注销, 迁出): not on the 户籍 extract.
OFF_HUJI_STATUSES = {S.DECEASED, S.MOVED_OUT}
# School-age people on the 户籍 whom the roster missed and who have no 学籍:
# (township, village, grade they should be in). They become 适龄未入学 leads.
HUJI_ONLY = [
    ("蛟潭镇", "礼芳村", 1),
    ("蛟潭镇", "月形村", 7),
    ("左岚乡", "齐心村", 1),
    ("左岚乡", "谭家村", 5),
]
# The schools that have done this term's 开学到校核查, and who recorded it.
ADMIN_SCHOOL = "福港学校"  # the demo school administrator's school
TERM_CHECKERS = {TEACHER_SCHOOL: "banzhuren", ADMIN_SCHOOL: "xuexiao"}
# Reasons of the absent, one child each: the first from the demo teacher's
# class, the second from 福港学校, the rest from anywhere in the two schools.
ABSENT_NOTES = ["外出务工随父母", "生病在家", "原因不明", "家中有事，未请假"]


@dataclass
class SeedResult:
    created: bool  # this run made the roster, a register or the term check
    townships: int
    villages: int
    groups: int
    schools: int
    households: int
    children: int
    users: int
    memberships: int
    xueji: int = 0
    huji: int = 0
    poverty: int = 0
    term: str = ""
    term_checked: int = 0
    term_absent: int = 0

    def summary(self):
        what = "已生成" if self.created else "已存在，未重复生成"
        return (
            f"{COUNTY}演示数据{what}：{self.townships} 个乡镇、{self.villages} 个村、"
            f"{self.groups} 个村民小组、{self.schools} 所学校、{self.households} 户、"
            f"{self.children} 名儿童、{self.users} 个演示账号（{self.memberships} 条职责）；"
            f"学籍 {self.xueji} 条、户籍 {self.huji} 条、脱贫户/监测户 {self.poverty} 人；"
            f"{self.term}开学到校核查 {self.term_checked} 人（未到校 {self.term_absent} 人）。"
        )


# --------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------


def seed(*, today=None):
    """Make (or complete) the demo data; returns a SeedResult."""
    today = today or timezone.localdate()
    rng = random.Random(RANDOM_SEED)
    with transaction.atomic():
        county, townships, villages, groups, schools = _ensure_places()
        created = False
        has_roster = (
            Child.objects.filter(village__township__county=county).exists()
            or Household.objects.filter(village__township__county=county).exists()
        )
        if not has_roster:
            _make_roster(rng, today, townships, villages, groups, schools)
            created = True
        users = _ensure_users(county, townships, villages, schools)
        if _ensure_registers(today, county, villages):
            created = True
        term = term_label(today)
        if _ensure_term_check(today, term, schools, {u.username: u for u in users}):
            created = True
        # Other apps' demo data (cases/: the school calendar), in the same transaction.
        demo_seeded.send(sender=seed, county=county, today=today)
    checks = TermCheck.objects.filter(term=term, child__village__township__county=county)
    return SeedResult(
        created=created,
        townships=len(townships),
        villages=len(villages),
        groups=len(groups),
        schools=len(schools),
        households=Household.objects.filter(village__township__county=county).count(),
        children=Child.objects.filter(village__township__county=county).count(),
        users=len(users),
        memberships=Membership.objects.filter(user__in=users).count(),
        xueji=XuejiRecord.objects.filter(school__township__county=county).count(),
        huji=HujiRecord.objects.filter(county=county).count(),
        poverty=PovertyRecord.objects.filter(county=county).count(),
        term=term,
        term_checked=checks.count(),
        term_absent=checks.filter(present=False).count(),
    )


def format_logins():
    """The demo logins as aligned text lines (username, role, jurisdiction, password)."""
    rows = [("用户名", "角色", "辖区", "密码")]
    for username, _display, role, place in DEMO_USERS:
        rows.append((username, Membership.Role(role).label, place, DEMO_PASSWORD))
    widths = [max(_width(row[i]) for row in rows) for i in range(4)]
    lines = []
    for n, row in enumerate(rows):
        lines.append("  ".join(_pad(cell, w) for cell, w in zip(row, widths, strict=True)).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return lines


def _width(text):
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text, width):
    return text + " " * (width - _width(text))


# --------------------------------------------------------------------------
# Places, schools, users
# --------------------------------------------------------------------------


def _ensure_places():
    county, _ = County.objects.get_or_create(name=COUNTY)
    JurisdictionSettings.objects.get_or_create(county=county, township=None)
    townships, villages, groups = {}, {}, {}
    for t_name, (_area, village_spec) in TOWNSHIPS.items():
        township, _ = Township.objects.get_or_create(county=county, name=t_name)
        townships[t_name] = township
        for v_name, n_groups in village_spec.items():
            village, _ = Village.objects.get_or_create(township=township, name=v_name)
            villages[(t_name, v_name)] = village
            for g_name in GROUP_NAMES[:n_groups]:
                group, _ = VillageGroup.objects.get_or_create(village=village, name=g_name)
                groups[(t_name, v_name, g_name)] = group
    schools = {}
    for s_name, (kind, t_name, v_names) in SCHOOLS.items():
        school, _ = School.objects.get_or_create(
            name=s_name, defaults={"kind": kind, "township": townships[t_name]}
        )
        school.villages.add(*(villages[(t_name, v)] for v in v_names))
        schools[s_name] = school
    return county, townships, villages, groups, schools


def _membership_kwargs(place, county, townships, villages, schools):
    kwargs = {
        "county": None,
        "township": None,
        "village": None,
        "school": None,
        "grade": None,
        "class_name": "",
    }
    if "county" in place:
        kwargs["county"] = county
    if "township" in place:
        kwargs["township"] = townships[place["township"]]
    if "village" in place:
        kwargs["village"] = villages[place["village"]]
    if "school" in place:
        kwargs["school"] = schools[place["school"]]
        kwargs["grade"] = place.get("grade")
        kwargs["class_name"] = place.get("class_name", "")
    return kwargs


def _ensure_users(county, townships, villages, schools):
    User = get_user_model()
    users = []
    for username, display, role, _place in DEMO_USERS:
        user, _ = User.objects.get_or_create(username=username)
        user.first_name = display
        user.is_active = True
        user.is_staff = user.is_superuser = username in SUPERUSERS
        user.set_password(DEMO_PASSWORD)
        user.save()
        for place in _MEMBERSHIP_PLACES[username]:
            Membership.objects.get_or_create(
                user=user,
                role=role,
                **_membership_kwargs(place, county, townships, villages, schools),
            )
        users.append(user)
    return users


# --------------------------------------------------------------------------
# The roster
# --------------------------------------------------------------------------


class _Maker:
    """Random but reproducible people, phones and ID numbers."""

    def __init__(self, rng, today):
        self.rng = rng
        self.today = today
        self.year_start = school_year_start(today)
        self.ids = set()
        self.phones = set()
        self.teachers = {}

    def surname(self):
        return self.rng.choices(SURNAMES, SURNAME_WEIGHTS)[0]

    def phone(self):
        while True:
            number = self.rng.choice(["13", "15", "18"]) + f"{self.rng.randrange(10**9):09d}"
            if number not in self.phones:
                self.phones.add(number)
                return number

    def occupation(self):
        return self.rng.choices(OCCUPATIONS, OCCUPATION_WEIGHTS)[0]

    def birth_date(self, expected_grade):
        """A birth date that puts a child in `expected_grade` this school year (cutoff 8/31)."""
        entry_year = self.year_start - expected_grade + 1
        first = datetime.date(entry_year - 7, 9, 1)
        last = datetime.date(entry_year - 6, 8, 31)
        return first + datetime.timedelta(days=self.rng.randrange((last - first).days + 1))

    def id_number(self, area, born, gender):
        while True:
            seq = self.rng.randrange(1, 500) * 2 + (1 if gender == Child.Gender.MALE else 0)
            first17 = f"{area}{born:%Y%m%d}{seq:03d}"
            number = first17 + check_char(first17)
            if number not in self.ids:
                self.ids.add(number)
                return number

    def teacher(self, school, grade, class_name):
        key = (school.pk, grade, class_name)
        if key not in self.teachers:
            pool = WOMEN if self.rng.random() < 0.7 else MEN
            self.teachers[key] = self.surname() + self.rng.choice(pool)
        return self.teachers[key]


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


# --------------------------------------------------------------------------
# The registers the cross-checks compare the roster with, and the term check
# --------------------------------------------------------------------------

K = ImportBatch.Kind


def _ensure_registers(today, county, villages):
    """学籍, 户籍 and 脱贫户/监测户 lists, each kind only when the county has no
    batch of it yet. Returns whether anything was made."""
    have = set(ImportBatch.objects.filter(county=county).values_list("kind", flat=True))
    if {K.XUEJI, K.HUJI, K.TUOPIN} <= have:
        return False
    children = list(
        Child.objects.filter(village__township__county=county)
        .select_related("household", "village__township", "school")
        .order_by("pk")
    )
    made = False
    if K.XUEJI not in have:
        made |= _make_xueji(random.Random(XUEJI_SEED), today, county, children)
    if K.HUJI not in have:
        made |= _make_huji(random.Random(HUJI_SEED), today, county, villages, children)
    if K.TUOPIN not in have:
        made |= _make_poverty(random.Random(POVERTY_SEED), county, children)
    return made


def _committed_batch(county, kind, filename, records, *, school=None):
    """One committed batch, as if an office had uploaded and confirmed the sheet."""
    n = len(records)
    batch = ImportBatch(
        kind=kind,
        county=county,
        school=school,
        filename=filename,
        state=ImportBatch.State.COMMITTED,
        total_rows=n,
        done_rows=n,
        created=n,
        message=CHANGE_REASON,
        committed_at=timezone.now(),
    )
    batch.full_clean()
    batch.save()
    for record in records:
        record.batch = batch
        record.clean_fields(exclude=["school", "county", "village", "child", "household", "batch"])
    return batch


def _not_taken(model, records):
    """The records whose unique key no row (of any county) has yet."""
    key = "xueji_number" if model is XuejiRecord else "id_number"
    keys = [getattr(r, key) for r in records]
    taken = set(model.objects.filter(**{f"{key}__in": keys}).values_list(key, flat=True))
    return [r for r in records if getattr(r, key) not in taken]


def _spread_pick(rng, candidates, n):
    """n of the candidates, one from each township first (so both show it)."""
    picked = []
    for t_name in TOWNSHIPS:
        here = [c for c in candidates if c.village.township.name == t_name]
        if here and len(picked) < n:
            picked.append(rng.choice(here))
    rest = [c for c in candidates if c not in picked]
    return picked + rng.sample(rest, min(n - len(picked), len(rest)))


def _registered_here(child):
    """On the county's 户籍: not 注销/迁出, and no 户口 elsewhere (随迁子女)."""
    hukou = child.hukou_place or getattr(child.household, "hukou_place", "")
    return child.status not in OFF_HUJI_STATUSES and (not hukou or hukou.startswith(COUNTY))


def _make_xueji(rng, today, county, children):
    """Each school's 学籍: its 在读 children, and a few (suspected) dropouts whose
    学籍 the school still keeps (名在人不在). Children with a "J" number have no
    学籍 number the 学籍 system knows; 未入学/缓学/免学 never had one."""
    numbered = [c for c in children if c.school_id and c.xueji_number[:1] in ("G", "L")]
    on_xueji = [c for c in numbered if c.status == S.ENROLLED]
    dropouts = [c for c in numbered if c.status in DROPOUT_STATUSES]
    on_xueji += _spread_pick(rng, dropouts, DROPOUTS_WITH_XUEJI)
    year_start = school_year_start(today)
    by_school = {}
    for child in on_xueji:
        by_school.setdefault(child.school, []).append(_xueji_record(child, year_start))
    made = False
    for school in sorted(by_school, key=lambda s: s.pk):
        records = _not_taken(XuejiRecord, by_school[school])
        if records:
            filename = f"{school.name}学生基本信息（演示）.xlsx"
            _committed_batch(county, K.XUEJI, filename, records, school=school)
            XuejiRecord.objects.bulk_create(records, batch_size=500)
            made = True
    return made


def _xueji_record(child, year_start):
    entry_month = ""
    if child.grade:  # entered this school in its first grade
        entry_month = f"{year_start - (child.grade - min(child.school.grades))}-09"
    return XuejiRecord(
        school=child.school,
        xueji_number=child.xueji_number,
        # An "L" (临时) number: the ID did not check out, the 学籍 shows none.
        id_number=child.id_number if child.xueji_number.startswith("G") else None,
        name=child.name,
        gender=child.gender,
        birth_date=child.birth_date,
        grade=child.grade,
        class_name=child.class_name,
        entry_month=entry_month,
        hukou_place=child.hukou_place or getattr(child.household, "hukou_place", ""),
        address=getattr(child.household, "address", ""),
        phone=getattr(child.household, "phone", ""),
        child=child,
    )


def _make_huji(rng, today, county, villages, children):
    """The county's 户籍 extract: the roster children registered here (also
    those studying elsewhere, transferred…, whom the comparison skips), and a
    few school-age people the roster missed."""
    records = [
        HujiRecord(
            county=county,
            village=child.village,
            id_number=child.id_number,
            name=child.name,
            gender=child.gender,
            birth_date=child.birth_date,
            address=getattr(child.household, "address", ""),
            head_name=getattr(child.household, "head_name", ""),
            child=child,
        )
        for child in children
        if child.id_number and _registered_here(child)
    ]
    records += _huji_only(rng, today, county, villages, children)
    records = _not_taken(HujiRecord, records)
    if not records:
        return False
    _committed_batch(county, K.HUJI, f"{COUNTY}户籍信息（演示）.xlsx", records)
    HujiRecord.objects.bulk_create(records, batch_size=500)
    return True


def _huji_only(rng, today, county, villages, children):
    """School-age younger brothers and sisters on the 户籍 of roster households,
    missing from the roster and with no 学籍: 适龄未入学."""
    maker = _Maker(rng, today)
    maker.ids = {c.id_number for c in children if c.id_number}
    records = []
    for t_name, v_name, grade in HUJI_ONLY:
        village = villages[(t_name, v_name)]
        homes = sorted(
            {
                c.household
                for c in children
                if c.village_id == village.pk and c.household_id and _registered_here(c)
            },
            key=lambda h: h.pk,
        )
        if not homes:
            continue
        home = rng.choice(homes)
        gender = rng.choice(Child.Gender.values)
        siblings = {c.name for c in children if c.household_id == home.pk}
        surname = home.head_name[:1]
        given = BOYS if gender == Child.Gender.MALE else GIRLS
        name = surname + rng.choice([g for g in given if surname + g not in siblings])
        born = maker.birth_date(grade)
        records.append(
            HujiRecord(
                county=county,
                village=village,
                id_number=maker.id_number(TOWNSHIPS[t_name][0], born, gender),
                name=name,
                gender=gender,
                birth_date=born,
                address=home.address,
                head_name=home.head_name,
            )
        )
    return records


def _make_poverty(rng, county, children):
    """The 脱贫户/监测户 list: the members (here: the roster children) of the
    households the roster flags. Where a township has no (suspected) dropout
    in a flagged household, the list also names the household of one of its
    dropouts: the roster's flag is behind the list, which is what 辍学 × 脱贫户
    is there to catch."""
    Kind = PovertyRecord.Kind
    kind_of = {}  # household pk -> kind
    for child in children:
        h = child.household
        if h is not None and (h.is_tuopin or h.is_jiance):
            kind_of[h.pk] = Kind.TUOPIN if h.is_tuopin else Kind.JIANCE
    for t_name in TOWNSHIPS:
        dropouts = [
            c
            for c in children
            if c.status in DROPOUT_STATUSES and c.village.township.name == t_name
        ]
        if any(c.household_id in kind_of for c in dropouts):
            continue
        listable = [c for c in dropouts if c.household_id and c.id_number and _registered_here(c)]
        if listable:
            kind_of[rng.choice(listable).household_id] = Kind.TUOPIN
    records = [
        PovertyRecord(
            county=county,
            village=child.village,
            kind=kind_of[child.household_id],
            id_number=child.id_number,
            name=child.name,
            head_name=child.household.head_name,
            household=child.household,
        )
        for child in children
        if child.household_id in kind_of and child.id_number and _registered_here(child)
    ]
    records = _not_taken(PovertyRecord, records)
    if not records:
        return False
    _committed_batch(county, K.TUOPIN, f"{COUNTY}脱贫户监测户名单（演示）.xlsx", records)
    PovertyRecord.objects.bulk_create(records, batch_size=500)
    return True


def _ensure_term_check(today, term, schools, users):
    """This term's 开学到校核查 at two schools: their 在读 children, all present
    but a few. Made only when neither school has checked anyone this term."""
    checker = {schools[name].pk: users[username] for name, username in TERM_CHECKERS.items()}
    if TermCheck.objects.filter(term=term, child__school__in=list(checker)).exists():
        return False
    kids = list(Child.objects.filter(school__in=list(checker), status=S.ENROLLED).order_by("pk"))
    if not kids:
        return False
    absent = _pick_absent(random.Random(TERM_SEED), kids, schools)
    rows = []
    for child in kids:
        note = absent.get(child.pk)
        row = TermCheck(
            term=term,
            child=child,
            present=note is None,
            note=note or "",
            checked_by=checker[child.school_id],
        )
        row.clean_fields(exclude=["child", "checked_by"])
        rows.append(row)
    TermCheck.objects.bulk_create(rows, batch_size=500)
    return True


def _pick_absent(rng, kids, schools):
    """{child pk: note} for the absent: one in the demo teacher's class (whose
    parents work away, if any), one at the demo school admin's school, the
    rest anywhere."""
    teacher_class = [
        c
        for c in kids
        if c.school_id == schools[TEACHER_SCHOOL].pk
        and c.grade == TEACHER_GRADE
        and c.class_name == TEACHER_CLASS
    ]
    away = [c for c in teacher_class if AWAY in (c.father_occupation, c.mother_occupation)]
    admin_school = [c for c in kids if c.school_id == schools[ADMIN_SCHOOL].pk]
    picked = []
    for pool in (away or teacher_class, admin_school):
        if pool:
            picked.append(rng.choice(pool))
    rest = [c for c in kids if c not in picked]
    picked += rng.sample(rest, min(len(ABSENT_NOTES) - len(picked), len(rest)))
    return {c.pk: note for c, note in zip(picked, ABSENT_NOTES, strict=False)}
