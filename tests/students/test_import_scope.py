"""Every import writes only inside the importer's reach (page, Celery and
`manage.py import_roster --user` alike); the preview tells nothing about
what is registered elsewhere; register records keep history."""

import datetime
import json
import re
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.forms.models import model_to_dict
from django.urls import reverse

from students import importing
from students.models import Child, Household, HujiRecord, ImportBatch, PovertyRecord, XuejiRecord

from ..conftest import make_id
from .import_helpers import roster_rows, xlsx

BIRTH = datetime.date(2015, 3, 8)  # the world's children
UNKNOWN = make_id("520102", BIRTH, 777)  # registered nowhere
SPARE = make_id("520102", BIRTH, 779)  # a valid row beside the foreign one
COUNTY_OFFICE = "该身份证号不在您的管辖范围内，请联系测试县教育局控辍办核实"


class Spec:
    """One import kind: who imports, the sheet, the foreign record and how
    to tell that it was not touched."""

    def __init__(self, **kw):
        self.__dict__.update(kw)

    def snapshot(self):
        obj = self.model.objects.get(pk=self.foreign.pk)
        return model_to_dict(obj), self.model.history.count(), self.model.objects.count()


def _register_batch(world, kind, county):
    return ImportBatch.objects.create(
        kind=kind, county=county, user=world.county_user, filename="earlier.xlsx"
    )


def roster_spec(w):
    # 赵四 lives in 三村 (乙乡); the cadre keeps 一村 (甲镇).
    def sheet(number):
        return xlsx(roster_rows({(1, "身份证号码"): number, (1, "出生日期"): "2015-03-08"}))

    return Spec(
        kind="roster",
        model=Child,
        user=w.village_user,
        place={"village": w.v1},
        foreign=w.c_t2,
        foreign_key=w.c_t2.id_number,
        sheet=sheet,
        row=4,
        column="身份证号码",
        message=COUNTY_OFFICE,
        secrets=["乙乡", "三村", w.c_t2.name],
    )


def huji_spec(w):
    foreign = HujiRecord.objects.create(
        county=w.county,
        village=w.v3,  # 乙乡
        id_number=w.c_t2.id_number,
        name="赵四",
        gender="M",
        birth_date=BIRTH,
        head_name="赵父",
        batch=_register_batch(w, "huji", w.county),
    )

    def sheet(number):
        return xlsx(
            [
                ["姓名", "身份证号", "户主姓名", "村（社区）"],
                ["赵四", number, "赵大", "一村"],
                ["新人", SPARE, "新户", "一村"],
            ],
            title=[],
        )

    return Spec(
        kind="huji",
        model=HujiRecord,
        user=w.village_user,
        place={"village": w.v1},
        foreign=foreign,
        foreign_key=foreign.id_number,
        sheet=sheet,
        row=2,
        column="身份证号",
        message=COUNTY_OFFICE,
        secrets=["乙乡", "三村", "赵父"],
    )


def tuopin_spec(w):
    foreign = PovertyRecord.objects.create(
        county=w.other_county,
        village=w.v4,  # 邻县 丙镇
        kind="tuopin",
        id_number=w.c_other_county.id_number,
        name="孙六",
        head_name="孙父",
        batch=_register_batch(w, "tuopin", w.other_county),
    )

    def sheet(number):
        return xlsx(
            [
                ["姓名", "身份证号", "户主姓名", "类别", "村（社区）"],
                ["孙六", number, "孙大", "监测户", "一村"],
                ["新人", SPARE, "新户", "脱贫户", "一村"],
            ],
            title=[],
        )

    return Spec(
        kind="tuopin",
        model=PovertyRecord,
        user=w.county_user,
        place={},
        foreign=foreign,
        foreign_key=foreign.id_number,
        sheet=sheet,
        row=2,
        column="身份证号",
        message="该身份证号不在您的管辖范围内，请联系上级教育行政部门核实",
        secrets=["邻县", "丙镇", "四村", "孙父"],
    )


def xueji_spec(w):
    foreign = XuejiRecord.objects.create(
        school=w.s2,  # 乙乡小学
        xueji_number="G" + w.c_t2.id_number,
        id_number=w.c_t2.id_number,
        name="赵四",
        gender="M",
        birth_date=BIRTH,
        grade=3,
        class_name="1班",
        batch=_register_batch(w, "xueji", w.county),
    )

    def sheet(number):
        header = ["姓名", "性别", "出生日期", "身份证件号", "全国学籍号", "年级", "班级"]
        return xlsx(
            [
                header,
                ["赵四", "男", "2015-03-08", "", "G" + number, "五年级", "3班"],
                ["新人", "男", "2015-03-08", "", "G" + SPARE, "五年级", "3班"],
            ],
            title=[],
        )

    return Spec(
        kind="xueji",
        model=XuejiRecord,
        user=w.school_admin,
        place={"school": w.s1},
        foreign=foreign,
        foreign_key=w.c_t2.id_number,  # the sheet writes it as G + ID number
        sheet=sheet,
        row=2,
        column="全国学籍号",
        message="该学籍号不在您的管辖范围内，请联系测试县教育局控辍办核实",
        secrets=["乙乡", "赵四"],
    )


def handover_spec(w):
    # 赵四 is on 乙乡小学's hand-over list; 甲镇中心学校's admin lists them too.
    from django.utils import timezone

    from students.models import HandoverEntry

    foreign = HandoverEntry.objects.create(
        year=timezone.localdate().year,
        primary_school=w.s2,
        junior_school=w.s1,
        name="赵四",
        id_number=w.c_t2.id_number,
        batch=_register_batch(w, "handover", w.county),
    )

    def sheet(number):
        header = ["姓名", "身份证号", "毕业年级班级", "指定中学"]
        return xlsx(
            [header, ["赵四", number, "六年级1班", "甲镇中心学校"],
             ["新人", SPARE, "六年级1班", "甲镇中心学校"]],
            title=[],
        )  # fmt: skip

    return Spec(
        kind="handover",
        model=HandoverEntry,
        user=w.school_admin,
        place={"school": w.s1},
        foreign=foreign,
        foreign_key=w.c_t2.id_number,
        sheet=sheet,
        row=2,
        column="身份证号",
        message="该学生已在其他学校的交接名单上，请联系测试县教育局控辍办核实",
        secrets=["乙乡", "赵四"],
    )


SPECS = {
    "roster": roster_spec,
    "huji": huji_spec,
    "tuopin": tuopin_spec,
    "xueji": xueji_spec,
    "handover": handover_spec,
}


@pytest.fixture(params=list(SPECS))
def spec(request, world):
    return SPECS[request.param](world)


def _batch(world, spec, content, *, user=None):
    batch = ImportBatch.objects.create(
        kind=spec.kind,
        county=world.county,
        user=user or spec.user,
        filename="表.xlsx",
        **spec.place,
    )
    batch.file.save("表.xlsx", SimpleUploadedFile("表.xlsx", content), save=True)
    return batch


def _counts(batch):
    return (batch.state, batch.created, batch.updated, batch.unchanged, batch.errors)


def test_a_record_of_another_place_is_refused_and_nothing_changes(world, spec):
    before = spec.snapshot()
    batch = importing.commit(_batch(world, spec, spec.sheet(spec.foreign_key)))
    assert batch.state == ImportBatch.State.INVALID
    assert batch.errors == [{"row": spec.row, "column": spec.column, "message": spec.message}]
    for secret in spec.secrets:
        assert secret not in spec.message
    # not moved, not retyped, no history written, and the valid rows not kept either
    assert spec.snapshot() == before


def test_the_preview_is_the_same_for_a_number_registered_elsewhere_and_an_unknown_one(world, spec):
    foreign = importing.check(_batch(world, spec, spec.sheet(spec.foreign_key)))
    unknown = importing.check(_batch(world, spec, spec.sheet(UNKNOWN)))
    assert _counts(foreign) == _counts(unknown)
    assert foreign.state == ImportBatch.State.PREVIEW and foreign.updated == 0
    assert foreign.changes == unknown.changes
    # and the unknown number really is imported
    batch = importing.commit(_batch(world, spec, spec.sheet(UNKNOWN)))
    assert batch.state == ImportBatch.State.COMMITTED, batch.errors


def _web_import(client, spec, content, capture):
    data = {"kind": spec.kind, "file": SimpleUploadedFile("表.xlsx", content)}
    data.update({name: place.pk for name, place in spec.place.items()})
    with capture(execute=True):
        resp = client.post(reverse("import_list"), data)
    batch = ImportBatch.objects.latest("pk")
    assert resp.status_code == 302 and resp.url == reverse("import_detail", args=[batch.pk])
    return batch, client.get(resp.url).content.decode()


COUNTS = re.compile(r"共 \d+ 行：.*?。", re.S)


def test_through_the_pages(world, spec, login, django_capture_on_commit_callbacks):
    client = login(spec.user)
    before = spec.snapshot()
    _, unknown_html = _web_import(
        client, spec, spec.sheet(UNKNOWN), django_capture_on_commit_callbacks
    )
    batch, foreign_html = _web_import(
        client, spec, spec.sheet(spec.foreign_key), django_capture_on_commit_callbacks
    )
    assert COUNTS.search(foreign_html).group() == COUNTS.search(unknown_html).group()
    assert "<strong>0</strong>" in foreign_html.split("将更新")[1][:40]
    assert "确认导入" in foreign_html
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("import_commit", args=[batch.pk]))
    html = client.get(reverse("import_detail", args=[batch.pk])).content.decode()
    assert "有错误，未写入任何数据" in html and spec.message in html
    assert f"第{spec.row}行" in html
    assert spec.snapshot() == before


def _cli(world, spec, tmp_path, number, *args):
    path = tmp_path / "表.xlsx"
    path.write_bytes(spec.sheet(number))
    place = [f"--{name}={p.name}" for name, p in spec.place.items()]
    out = StringIO()
    code = 0
    try:
        call_command(
            "import_roster",
            str(path),
            f"--kind={spec.kind}",
            "--county=测试县",
            *place,
            "--json",
            *args,
            stdout=out,
        )
    except SystemExit as e:
        code = e.code
    return code, json.loads(out.getvalue())


def test_the_command_acts_with_exactly_the_named_users_reach(world, spec, tmp_path):
    before = spec.snapshot()
    code, result = _cli(world, spec, tmp_path, spec.foreign_key, f"--user={spec.user.username}")
    assert code == 1
    assert result["errors"] == [{"row": spec.row, "column": spec.column, "message": spec.message}]
    assert spec.snapshot() == before
    code, dry = _cli(
        world, spec, tmp_path, spec.foreign_key, "--user", spec.user.username, "--dry-run"
    )
    _, unknown = _cli(world, spec, tmp_path, UNKNOWN, "--user", spec.user.username, "--dry-run")
    assert (code, dry) == (0, unknown)


def test_the_command_without_a_user_acts_as_the_system(world, tmp_path):
    spec = huji_spec(world)
    code, result = _cli(world, spec, tmp_path, spec.foreign_key)
    assert (code, result["updated"], result["errors"]) == (0, 1, [])
    record = HujiRecord.objects.get(pk=spec.foreign.pk)
    assert record.village == world.v1
    assert record.history.latest().history_user is None


def test_the_command_refuses_a_place_outside_the_users_reach(world, tmp_path):
    path = tmp_path / "台账.xlsx"
    path.write_bytes(xlsx(roster_rows()))
    with pytest.raises(CommandError, match="三村"):
        call_command(
            "import_roster", str(path), "--county=测试县", "--village=三村", "--user=village"
        )
    with pytest.raises(CommandError, match="没有名为“nobody-here”的在用用户"):
        call_command(
            "import_roster", str(path), "--county=测试县", "--village=一村", "--user=nobody-here"
        )
    assert not Child.objects.filter(name="刘一").exists()


def test_a_pupil_living_in_another_township_is_not_moved_by_a_roster(world):
    # 钱五 lives in 三村 (乙乡) and goes to school in 甲镇: 甲镇 sees the pupil
    # but keeps no roster entry for them.
    pupil = world.c_cross
    rows = roster_rows(
        {(1, "身份证号码"): pupil.id_number, (1, "出生日期"): "2015-03-08", (1, "学生姓名"): "钱五"}
    )
    spec = Spec(kind="roster", user=world.township_user, place={"village": world.v1})
    batch = importing.check(_batch(world, spec, xlsx(rows)))
    assert batch.errors == [{"row": 4, "column": "身份证号码", "message": COUNTY_OFFICE}]
    assert importing.commit(_batch(world, spec, xlsx(rows))).state == ImportBatch.State.INVALID
    pupil.refresh_from_db()
    assert pupil.village == world.v3 and not Household.objects.filter(head_name="刘大海").exists()


def test_a_township_keeps_register_records_only_in_its_villages(world):
    rows = [["姓名", "身份证号", "户主姓名"], ["新人", SPARE, "新户"]]
    spec = Spec(kind="huji", user=world.township_user, place={})
    batch = importing.commit(_batch(world, spec, xlsx(rows, title=[])))
    assert batch.errors == [
        {"row": 2, "column": "村（社区）", "message": "请填写村（社区）（或在导入时选择村）"}
    ]
    assert not HujiRecord.objects.exists()
    rows = [r + [v] for r, v in zip(rows, ["村（社区）", "一村"], strict=True)]
    batch = importing.commit(_batch(world, spec, xlsx(rows, title=[])))
    assert batch.state == ImportBatch.State.COMMITTED, batch.errors
    assert HujiRecord.objects.get().village == world.v1


def test_register_records_keep_history_with_who_and_why(world, spec):
    batch = importing.commit(_batch(world, spec, spec.sheet(UNKNOWN)))
    assert batch.state == ImportBatch.State.COMMITTED, batch.errors
    key = "xueji_number" if spec.kind == "xueji" else "id_number"
    new = spec.model.objects.get(**{key: ("G" if spec.kind == "xueji" else "") + UNKNOWN})
    created = new.history.get()
    assert created.history_type == "+" and created.history_user == spec.user
    assert created.history_change_reason == f"导入批次#{batch.pk}"
    if spec.kind == "roster":
        return
    # a changed row of one's own record: an update in history, the old value kept
    content = spec.sheet(UNKNOWN)
    again = importing.commit(_batch(world, spec, content))
    assert again.unchanged == 2 and new.history.count() == 1
    field = {
        "huji": "head_name",
        "tuopin": "head_name",
        "xueji": "class_name",
        "handover": "class_label",
    }[spec.kind]
    spec.model.objects.filter(pk=new.pk).update(**{field: "旧值"})
    again = importing.commit(_batch(world, spec, content))
    assert again.updated == 1
    latest = new.history.latest()
    assert latest.history_type == "~" and latest.history_user == spec.user
    assert latest.history_change_reason == f"导入批次#{again.pk}"
    assert latest.prev_record is not None
