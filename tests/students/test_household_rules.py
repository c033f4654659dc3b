"""The roster's rules in one place (issue 10 point 4): a household's 村民小组
belongs to its village (form, model, database), phones are a mobile or a
landline with area code (forms, model, imports), 性别/出生日期 come from the ID
number, and 年级 follows the school's kind in the form and every import."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse

from students import importing
from students.models import Child, Household, ImportBatch, School, VillageGroup, XuejiRecord
from students.phones import normalize_phone

from ..conftest import make_id
from .import_helpers import roster_rows, xlsx


@pytest.fixture
def groups(world):
    return (
        VillageGroup.objects.create(village=world.v1, name="一组"),
        VillageGroup.objects.create(village=world.v2, name="一组"),
    )


# ---- 村民小组 of the household's own village


def test_the_household_form_refuses_a_group_of_another_village(world, login, groups):
    own, other = groups
    client = login(world.township_user)  # reaches both villages
    data = {"village": world.v2.pk, "group": own.pk, "head_name": "周大伟", "phone": "13700001234"}
    resp = client.post(reverse("household_create"), data)
    assert resp.status_code == 200
    assert "不属于二村" in resp.content.decode()
    assert not Household.objects.filter(head_name="周大伟").exists()
    # the form offers only the chosen village's groups
    html = client.get(reverse("household_edit", args=[world.h1.pk])).content.decode()
    group_select = html.split('name="group"')[1].split("</select>")[0]
    assert f'value="{own.pk}"' in group_select and f'value="{other.pk}"' not in group_select
    assert client.post(reverse("household_create"), {**data, "group": other.pk}).status_code == 302


def test_the_model_refuses_a_group_of_another_village(world, groups):
    own, other = groups
    world.h1.group = other
    with pytest.raises(ValidationError, match="不属于"):
        world.h1.full_clean()
    world.h1.group = own
    world.h1.full_clean()


def test_the_database_refuses_a_group_of_another_village(world, groups):
    own, other = groups
    with pytest.raises(IntegrityError), transaction.atomic():
        Household.objects.filter(pk=world.h1.pk).update(group=other)
    with pytest.raises(IntegrityError), transaction.atomic():
        Household.objects.create(village=world.v1, group=other, head_name="周大伟")
    Household.objects.filter(pk=world.h1.pk).update(group=own)
    with pytest.raises(IntegrityError), transaction.atomic():  # moving the group away
        VillageGroup.objects.filter(pk=own.pk).update(village=world.v2)
    assert Household.objects.get(pk=world.h1.pk).group == own


# ---- phones


@pytest.mark.parametrize(
    "raw,stored",
    [
        ("13800001111", "13800001111"),
        ("+86 138 0000 1111", "13800001111"),
        ("0791-1234567", "0791-1234567"),
        ("(0791)12345678", "0791-12345678"),
        ("023-12345678", "023-12345678"),
        ("07911234567", "0791-1234567"),
    ],
)
def test_a_mobile_or_a_landline_with_area_code_is_a_phone(raw, stored):
    assert normalize_phone(raw) == stored


@pytest.mark.parametrize(
    "raw", ["1380000", "12012345678", "23456789", "1234567", "0791-123", "138000011112"]
)
def test_anything_else_is_refused_by_form_model_and_import(world, login, raw):
    with pytest.raises(ValueError):
        normalize_phone(raw)
    with pytest.raises(ValidationError, match="电话"):
        Household(village=world.v1, head_name="周大伟", phone=raw).full_clean()
    client = login(world.village_user)
    data = {"village": world.v1.pk, "head_name": "周大伟", "phone": raw}
    resp = client.post(reverse("household_create"), data)
    assert resp.status_code == 200 and "电话号码格式不正确" in resp.content.decode()
    batch = _import(world, xlsx(roster_rows({(1, "联系电话"): raw})))
    assert batch.state == ImportBatch.State.INVALID
    assert [(e["row"], e["column"]) for e in batch.errors] == [(4, "联系电话")]


def test_a_guardians_phone_on_the_child_form_is_checked_and_normalised(world, login):
    client = login(world.village_user)
    resp = client.post(reverse("child_create"), _child_post(world, father_phone="1380000"))
    assert resp.status_code == 200 and "电话号码格式不正确" in resp.content.decode()
    resp = client.post(reverse("child_create"), _child_post(world, father_phone="138 0000 2222"))
    assert resp.status_code == 302
    assert Child.objects.get(name="王小红").father_phone == "13800002222"


# ---- 性别 and 出生日期 from the ID number

BIRTH = datetime.date(2016, 5, 20)
GIRL_ID = make_id("520102", BIRTH, 24)


def _child_post(world, **overrides):
    data = {
        "village": world.v1.pk,
        "household": world.h1.pk,
        "name": "王小红",
        "id_number": GIRL_ID,
        "school": world.s1.pk,
        "grade": 4,
        "class_name": "1班",
        "status": "enrolled",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_gender_and_birth_date_come_from_the_id_number(world, login):
    client = login(world.village_user)
    resp = client.post(reverse("child_create"), _child_post(world))
    assert resp.status_code == 302, resp.content.decode()
    child = Child.objects.get(name="王小红")
    assert (child.gender, child.birth_date) == ("F", BIRTH)
    # on the edit form they are shown, read-only, and a posted value is ignored
    html = client.get(reverse("child_edit", args=[child.pk])).content.decode()
    for name in ("gender", "birth_date"):
        assert "disabled" in html.split(f'name="{name}"')[1].split(">")[0]
    assert "按身份证号自动填写" in html
    # a new child's form fills them as the ID number is typed (static/js, no inline script)
    assert "js/child-id.js" in client.get(reverse("child_create")).content.decode()


def test_a_child_without_an_id_number_keeps_typed_gender_and_birth_date(world, login):
    client = login(world.village_user)
    resp = client.post(reverse("child_create"), _child_post(world, id_number=""))
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "无身份证号时请填写性别" in html and "无身份证号时请填写出生日期" in html
    data = _child_post(world, id_number="", gender="M", birth_date="2016-01-02")
    assert client.post(reverse("child_create"), data).status_code == 302
    child = Child.objects.get(name="王小红")
    assert (child.gender, child.birth_date, child.id_number) == (
        "M",
        datetime.date(2016, 1, 2),
        None,
    )
    html = client.get(reverse("child_edit", args=[child.pk])).content.decode()
    assert "disabled" not in html.split('name="gender"')[1].split(">")[0]


# ---- 年级 follows the school's kind


def test_grade_choices_follow_the_schools_kind(world, login):
    primary = School.objects.create(name="一村小学", kind="primary", township=world.t1)
    point = School.objects.create(name="一村教学点", kind="teaching_point", township=world.t1)
    assert list(point.grades) == list(primary.grades) == [1, 2, 3, 4, 5, 6]
    assert point.grade_problem(7) and point.grade_problem(6) is None
    child = world.c_class
    Child.objects.filter(pk=child.pk).update(school=primary, grade=5)
    html = login(world.village_user).get(reverse("child_edit", args=[child.pk])).content.decode()
    grade_select = html.split('name="grade"')[1].split("</select>")[0]
    assert "五年级" in grade_select and "七年级" not in grade_select
    resp = login(world.village_user).post(
        reverse("child_create"), _child_post(world, school=point.pk, grade=7)
    )
    assert resp.status_code == 200 and "没有七年级" in resp.content.decode()


def test_the_roster_import_applies_the_same_grade_rule(world):
    School.objects.create(name="一村小学", kind="primary", township=world.t1)
    rows = roster_rows({(1, "就读学校"): "一村小学", (1, "就读年级班级"): "九年级1班"})
    batch = _import(world, xlsx(rows), commit=False)
    assert batch.state == ImportBatch.State.INVALID
    assert [(e["row"], e["column"]) for e in batch.errors] == [(4, "就读年级班级")]
    assert "没有九年级" in batch.errors[0]["message"]


def test_the_xueji_import_applies_the_same_grade_rule(world):
    kid = world.c_t2  # 乙乡小学, a primary school
    rows = [
        ["姓名", "性别", "出生日期", "身份证件号", "全国学籍号", "年级", "班级"],
        [kid.name, "男", "2015-03-08", kid.id_number, "G" + kid.id_number, "九年级", "1班"],
    ]
    batch = ImportBatch.objects.create(
        kind="xueji", county=world.county, school=world.s2, filename="xj.xlsx"
    )
    batch.file.save("xj.xlsx", SimpleUploadedFile("xj.xlsx", xlsx(rows, title=[])), save=True)
    batch = importing.commit(batch)
    assert batch.state == ImportBatch.State.INVALID
    assert [(e["row"], e["column"]) for e in batch.errors] == [(2, "年级")]
    assert "没有九年级" in batch.errors[0]["message"] and not XuejiRecord.objects.exists()


def _import(world, content, *, commit=True):
    batch = ImportBatch.objects.create(
        kind="roster", county=world.county, user=world.village_user, filename="台账.xlsx"
    )
    batch.file.save("台账.xlsx", SimpleUploadedFile("台账.xlsx", content), save=True)
    return (importing.commit if commit else importing.check)(batch)
