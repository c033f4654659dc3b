"""Fixtures shared by the students tests."""

import datetime

import pytest

from students.models import Household, PovertyRecord, School, TermCheck

from ..conftest import make_id
from .crosscheck_helpers import TERM, Status, _batch, _child, _huji, _set_status, _xueji


@pytest.fixture
def county_data(world):
    """A hand-made county: for each comparison, who must and who must not be found."""
    w = world
    d = type("Data", (), {})()
    # Responsible schools: v1 has a primary, a junior and the nine-year school.
    d.s_primary = School.objects.create(name="一村小学", kind="primary", township=w.t1)
    d.s_junior = School.objects.create(name="甲镇初中", kind="junior", township=w.t1)
    for school in (d.s_primary, d.s_junior, w.s1):
        school.villages.add(w.v1)
    w.s1.villages.add(w.v2)
    w.s2.villages.add(w.v3)
    w.s3.villages.add(w.v4)

    huji = _batch(w, "huji")
    xueji = _batch(w, "xueji")
    tuopin = _batch(w, "tuopin")

    # --- 户籍 × 学籍 -----------------------------------------------------
    # No 学籍 anywhere, not on the roster: found (grade 6 → the primary school).
    d.h_missing = _huji(
        huji,
        make_id("520103", datetime.date(2014, 5, 1), 101),
        "户籍甲",
        datetime.date(2014, 5, 1),
        w.v1,
    )
    # Junior-school age: found, the junior school answers for them.
    d.h_junior = _huji(
        huji,
        make_id("520103", datetime.date(2012, 5, 1), 103),
        "户籍乙",
        datetime.date(2012, 5, 1),
        w.v1,
    )
    # Has 学籍 in the county (matched by ID number): not found.
    _huji(huji, w.c_class.id_number, "王小明", w.c_class.birth_date, w.v1)
    d.x_class = _xueji(xueji, w.s1, "G" + w.c_class.id_number, id_number=w.c_class.id_number)
    # Roster says 外出就读: not found.
    _set_status(w.c_v2_no_school, Status.STUDYING_ELSEWHERE)
    _huji(huji, w.c_v2_no_school.id_number, "张三", w.c_v2_no_school.birth_date, w.v2)
    # Out of compulsory age, too old and too young: not found.
    _huji(
        huji,
        make_id("520103", datetime.date(2008, 1, 1), 105),
        "超龄",
        datetime.date(2008, 1, 1),
        w.v1,
    )
    _huji(
        huji,
        make_id("520103", datetime.date(2020, 10, 1), 107),
        "未到龄",
        datetime.date(2020, 10, 1),
        w.v1,
    )
    # Only an L 学籍号 (no ID number on the record): an L number is no ID, found.
    d.x_l_number = _xueji(xueji, w.s2, "L" + w.c_t2.id_number, child=None, id_number=None)
    d.h_l_number = _huji(huji, w.c_t2.id_number, "赵四", w.c_t2.birth_date, w.v3)
    # No village on the 户籍 row: the roster child's village (v3) is used.
    d.h_no_village = _huji(huji, w.c_cross.id_number, "钱五", w.c_cross.birth_date, None)
    # Another county's 户籍: not in this county's run.
    other = _batch(w, "huji", county=w.other_county)
    _huji(
        other,
        make_id("520103", datetime.date(2014, 1, 1), 109),
        "邻县户籍",
        datetime.date(2014, 1, 1),
        w.v4,
    )

    # --- 学籍 × 在校 -----------------------------------------------------
    # c_class (matched by ID) was absent at this term's check: found.
    TermCheck.objects.create(term=TERM, child=w.c_class, present=False, checked_by=w.teacher)
    # A J 学籍号 without ID number, linked to a suspected dropout: found as "XJ:…".
    _set_status(w.c_s1_other_class, Status.SUSPECTED_DROPOUT)
    d.x_j_number = _xueji(xueji, w.s1, "J5201030000001", child=w.c_s1_other_class)
    # Present this term, or absent only last term: not found.
    d.c_present = _child("到校生", w.v1, seq=111, school=w.s1, grade=3, class_name="1班")
    _xueji(xueji, w.s1, "G" + d.c_present.id_number, id_number=d.c_present.id_number)
    TermCheck.objects.create(term=TERM, child=d.c_present, present=True, checked_by=w.teacher)
    d.c_last_term = _child("上学期未到", w.v2, seq=113, school=w.s1, grade=3, class_name="1班")
    _xueji(xueji, w.s1, "G" + d.c_last_term.id_number, id_number=d.c_last_term.id_number)
    TermCheck.objects.create(
        term="2025年秋季学期", child=d.c_last_term, present=False, checked_by=w.teacher
    )
    # Another county's school, a dropout: not in this county's run.
    _set_status(w.c_other_county, Status.DROPOUT)
    _xueji(
        _batch(w, "xueji", w.other_county),
        w.s3,
        "G" + w.c_other_county.id_number,
        id_number=w.c_other_county.id_number,
    )

    # --- 辍学 × 脱贫户 ---------------------------------------------------
    d.p_household = _child("脱贫户辍学", w.v1, seq=115, household=w.h1, status=Status.DROPOUT)
    d.p_listed = _child("名单辍学", w.v3, seq=117, status=Status.SUSPECTED_DROPOUT)
    PovertyRecord.objects.create(
        county=w.county,
        village=w.v3,
        kind="jiance",
        id_number=d.p_listed.id_number,
        name="名单辍学",
        batch=tuopin,
    )
    jiance = Household.objects.create(village=w.v2, head_name="李四", is_jiance=True)
    d.p_no_id = _child("无证辍学", w.v2, household=jiance, status=Status.DROPOUT)
    _child("非脱贫辍学", w.v2, seq=119, status=Status.DROPOUT)
    _child("脱贫户在读", w.v1, seq=121, household=w.h1)
    other_dropout = _child("邻县辍学", w.v4, seq=123, status=Status.DROPOUT)
    PovertyRecord.objects.create(
        county=w.other_county,
        kind="tuopin",
        id_number=other_dropout.id_number,
        name="邻县辍学",
        batch=_batch(w, "tuopin", w.other_county),
    )
    return d
