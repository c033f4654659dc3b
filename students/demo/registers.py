"""What the cross-checks compare the roster with: the schools' 学籍, the
county's 户籍 and 脱贫户/监测户 lists, and this term's 开学到校核查."""

from __future__ import annotations

import random

from django.utils import timezone

from ..models import (
    Child,
    HujiRecord,
    ImportBatch,
    PovertyRecord,
    TermCheck,
    XuejiRecord,
)
from ..schoolage import school_year_start
from .names import AWAY, BOYS, GIRLS, _Maker
from .places import COUNTY, TEACHER_CLASS, TEACHER_GRADE, TEACHER_SCHOOL, TOWNSHIPS
from .roster import CHANGE_REASON, RANDOM_SEED, S

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
