"""Excel imports: preview, all-or-nothing commit, re-import idempotence, CLI."""

import datetime
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from students import importing
from students.models import Child, Household, HujiRecord, ImportBatch, PovertyRecord, XuejiRecord

from ..conftest import make_id
from .import_helpers import ID1, ID2, ID3, ROSTER_HEADER, roster_rows, xlsx


def body(resp):
    return b"".join(resp.streaming_content) if resp.streaming else resp.content


def run(
    world, content, *, kind="roster", user=None, village=None, commit=True, filename="台账.xlsx"
):
    batch = ImportBatch.objects.create(
        kind=kind,
        county=world.county,
        village=village,
        user=user or world.village_user,
        filename=filename,
    )
    batch.file.save(filename, SimpleUploadedFile(filename, content), save=True)
    step = importing.commit if commit else importing.check
    return step(batch)


def test_roster_import_creates_households_and_children(world):
    batch = run(world, xlsx(roster_rows()))
    assert batch.state == ImportBatch.State.COMMITTED, batch.errors or batch.message
    assert (batch.created, batch.updated, batch.unchanged) == (3, 0, 0)
    liu = Household.objects.get(head_name="刘大海")
    assert liu.village == world.v1 and liu.phone == "13800000001" and liu.is_tuopin
    one, two, three = (Child.objects.get(id_number=i) for i in (ID1, ID2, ID3))
    assert (one.household, two.household) == (liu, liu)
    assert (one.grade, one.class_name, one.school) == (4, "1班", world.s1)
    assert one.is_left_behind and not two.is_left_behind
    assert three.status == Child.Status.NOT_ENROLLED and three.gender == "M"
    assert one.history.get().history_change_reason == f"导入批次#{batch.pk}"
    assert one.history.get().history_user == world.village_user


def test_reimporting_the_same_sheet_changes_nothing(world):
    run(world, xlsx(roster_rows()))
    before = (Child.objects.count(), Household.objects.count(), Child.history.count())
    batch = run(world, xlsx(roster_rows()))
    assert (batch.created, batch.updated, batch.unchanged) == (0, 0, 3)
    assert (Child.objects.count(), Household.objects.count(), Child.history.count()) == before


def test_a_changed_row_updates_only_that_child_with_history(world):
    run(world, xlsx(roster_rows()))
    batch = run(
        world,
        xlsx(
            roster_rows(
                {
                    (3, "入学状态"): "在读",
                    (3, "就读学校"): "甲镇中心学校",
                    (3, "就读年级班级"): "一年级1班",
                }
            )
        ),
    )
    assert (batch.created, batch.updated, batch.unchanged) == (0, 1, 2)
    three = Child.objects.get(id_number=ID3)
    assert three.status == Child.Status.ENROLLED and three.grade == 1
    assert three.history.latest().history_change_reason == f"导入批次#{batch.pk}"
    assert "入学状态" in batch.changes[0]["fields"]


def test_an_error_in_the_last_row_changes_nothing(world):
    rows = roster_rows({(3, "身份证号码"): ID3[:-1] + ("0" if ID3[-1] != "0" else "1")})
    batch = run(world, xlsx(rows))
    assert batch.state == ImportBatch.State.INVALID
    assert not Child.objects.filter(name__in=["刘一", "刘二", "陈三"]).exists()
    assert not Household.objects.filter(head_name="刘大海").exists()
    [error] = batch.errors
    assert error["row"] == 6 and error["column"] == "身份证号码" and "校验位" in error["message"]


def test_every_error_is_reported_with_row_and_column(world):
    rows = roster_rows({(1, "性别"): "未知", (2, "就读学校"): "不存在学校", (3, "村名"): "四村"})
    rows.append([4, "一村", "陈小河", "陈四", "男", "", "", "", "", "", "", "", ""])
    rows.append([5, "一村", "刘大海", "刘五", "男", "2016-04-01", ID1, "", "", "", "", "", ""])
    batch = run(world, xlsx(rows), commit=False)
    found = {(e["row"], e["column"]) for e in batch.errors}
    assert found >= {(4, "性别"), (5, "就读学校"), (6, "村名"), (7, "出生日期"), (8, "身份证号码")}
    assert any("与第4行身份证号重复" in e["message"] for e in batch.errors)
    assert Child.objects.count() == 6  # the world's children only


def test_a_child_without_id_is_matched_by_name_birth_date_and_household(world):
    rows = roster_rows({(3, "身份证号码"): "", (3, "性别"): "男"})
    run(world, xlsx(rows))
    batch = run(world, xlsx(rows))
    assert (batch.created, batch.unchanged) == (0, 3)
    assert Child.objects.filter(name="陈三").count() == 1


def test_the_command_line_prints_json_and_commits_only_without_errors(world, tmp_path, capsys):
    path = tmp_path / "roster.xlsx"
    path.write_bytes(xlsx(roster_rows()))
    call_command(
        "import_roster", str(path), "--county", "测试县", "--village", "一村", "--dry-run", "--json"
    )
    out = json.loads(capsys.readouterr().out)
    assert out == {"created": 3, "updated": 0, "unchanged": 0, "errors": []}
    assert not Child.objects.filter(name="刘一").exists()

    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(xlsx(roster_rows({(2, "性别"): "x"})))
    with pytest.raises(SystemExit) as exit_info:
        call_command("import_roster", str(bad), "--county", "测试县", "--village", "一村", "--json")
    assert exit_info.value.code == 1
    out = json.loads(capsys.readouterr().out)
    assert out["errors"] == [{"row": 5, "column": "性别", "message": out["errors"][0]["message"]}]
    assert not Child.objects.filter(name="刘一").exists()

    call_command("import_roster", str(path), "--county", "测试县", "--village", "一村", "--json")
    assert json.loads(capsys.readouterr().out)["created"] == 3
    call_command("import_roster", str(path), "--county", "测试县", "--village", "一村", "--json")
    assert json.loads(capsys.readouterr().out) == {
        "created": 0,
        "updated": 0,
        "unchanged": 3,
        "errors": [],
    }


def test_not_an_excel_file_gets_one_clear_message(world):
    batch = run(world, b"name,id\n1,2\n", commit=False, filename="名单.xlsx")
    assert batch.state == ImportBatch.State.INVALID and "Excel" in batch.message


def test_xueji_import_keeps_records_and_links_children_by_g_number_only(world):
    header = ["姓名", "性别", "出生日期", "身份证件号", "全国学籍号", "年级", "班级", "入学年月"]
    kid = world.c_class
    rows = [
        header,
        [kid.name, "男", "2015-03-08", "", "G" + kid.id_number, "五年级", "1班", "2021-09"],
        [
            "李二",
            "男",
            "2015-03-08",
            "",
            "L" + world.c_s1_other_class.id_number,
            "5",
            "2班",
            "2021-09",
        ],
    ]
    batch = ImportBatch.objects.create(
        kind="xueji",
        county=world.county,
        school=world.s1,
        user=world.school_admin,
        filename="xj.xlsx",
    )
    batch.file.save(
        "xj.xlsx", SimpleUploadedFile("xj.xlsx", xlsx(rows, title=["学生基本信息"])), save=True
    )
    batch = importing.commit(batch)
    assert batch.state == ImportBatch.State.COMMITTED, batch.errors or batch.message
    g = XuejiRecord.objects.get(xueji_number="G" + kid.id_number)
    assert g.child == kid and g.id_number == kid.id_number and g.grade == 5
    temp = XuejiRecord.objects.get(name="李二")
    assert temp.child is None and temp.id_number is None  # an L number is never an ID
    assert Child.objects.count() == 6  # 学籍 is not the roster


def test_huji_and_tuopin_lists_keep_only_school_age_people(world):
    adult_birth = datetime.date(1980, 5, 5)
    adult = make_id("520102", adult_birth, 71)
    rows = [
        ["姓名", "身份证号", "户主姓名", "村（社区）"],
        [world.c_t2.name, world.c_t2.id_number, "赵父", "三村"],
        ["赵父", adult, "赵父", "三村"],
    ]
    for kind, model in (("huji", HujiRecord), ("tuopin", PovertyRecord)):
        batch = run(world, xlsx(rows, title=[]), kind=kind, user=world.county_user)
        assert batch.state == ImportBatch.State.COMMITTED, batch.errors or batch.message
        assert list(model.objects.values_list("id_number", flat=True)) == [world.c_t2.id_number]
    assert HujiRecord.objects.get().child == world.c_t2
    assert PovertyRecord.objects.get().kind == "tuopin"


def test_upload_preview_commit_through_the_pages(world, login, django_capture_on_commit_callbacks):
    client = login(world.village_user)
    upload = SimpleUploadedFile("台账.xlsx", xlsx(roster_rows()))
    with django_capture_on_commit_callbacks(execute=True):
        resp = client.post(
            reverse("import_list"), {"kind": "roster", "village": world.v1.pk, "file": upload}
        )
    batch = ImportBatch.objects.get()
    assert resp.url == reverse("import_detail", args=[batch.pk])
    html = client.get(resp.url).content.decode()
    assert "将新增学生 <strong>3</strong>" in html and "确认导入" in html
    assert not Child.objects.filter(name="刘一").exists()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        client.post(reverse("import_commit", args=[batch.pk]))
        client.post(reverse("import_commit", args=[batch.pk]))  # a double click
    assert len(callbacks) == 1
    batch.refresh_from_db()
    assert batch.state == "committed" and Child.objects.filter(name="刘一").count() == 1
    assert (
        login(world.township_user).get(reverse("import_detail", args=[batch.pk])).status_code == 404
    )


def test_error_sheet_marks_bad_cells_and_explains(world, login, django_capture_on_commit_callbacks):
    client = login(world.village_user)
    upload = SimpleUploadedFile("台账.xlsx", xlsx(roster_rows({(2, "性别"): "x"})))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("import_list"), {"kind": "roster", "village": world.v1.pk, "file": upload}
        )
    batch = ImportBatch.objects.get()
    assert "第5行" in client.get(reverse("import_detail", args=[batch.pk])).content.decode()
    resp = client.get(reverse("import_errors", args=[batch.pk]))
    ws = load_workbook(io.BytesIO(body(resp))).active
    assert ws.cell(row=3, column=len(ROSTER_HEADER) + 1).value == "错误说明"
    bad = ws.cell(row=5, column=ROSTER_HEADER.index("性别") + 1)
    assert bad.value == "x" and bad.fill.fgColor.rgb.endswith("FFC7CE") and bad.comment is not None
    assert "性别" in ws.cell(row=5, column=len(ROSTER_HEADER) + 1).value


def test_template_names_the_village_and_round_trips(
    world, login, django_capture_on_commit_callbacks
):
    client = login(world.village_user)
    resp = client.get(reverse("import_template"), {"kind": "roster", "village": world.v1.pk})
    wb = load_workbook(io.BytesIO(body(resp)))
    ws = wb.active
    assert ws["A1"].value == "甲镇适龄儿童少年底数台账（一村）"
    header_row = next(r for r in range(1, 6) if ws.cell(row=r, column=1).value == "序号")
    assert ws.cell(row=header_row, column=5).value == "学生姓名"
    assert any("男,女" in dv.formula1 for dv in ws.data_validations.dataValidation)
    assert ws.freeze_panes == f"A{header_row + 1}"
    # fill it in as a cadre would and import it
    values = [
        "1",
        "一村",
        "",
        "刘大海",
        "刘一",
        "男",
        "2016-04-01",
        ID1,
        "甲镇中心学校",
        "四年级1班",
        "13800000001",
        "",
        "脱贫户",
        "在读",
        "留守儿童",
        "否",
        "",
    ]
    for col, value in enumerate(values, start=1):
        ws.cell(row=header_row + 1, column=col, value=value)
    buf = io.BytesIO()
    wb.save(buf)
    batch = run(world, buf.getvalue(), village=world.v1)
    assert batch.state == "committed" and batch.created == 1, batch.errors
    assert (
        login(world.village_user)
        .get(reverse("import_template"), {"kind": "roster", "village": world.v4.pk})
        .status_code
        == 404
    )


@pytest.mark.django_db(transaction=True)
def test_a_large_sheet_goes_through_the_worker_with_progress(world, login, celery_worker_if_broker):
    """3,000 rows: the request only stores the file; the task checks and commits."""
    import time

    rows = [ROSTER_HEADER]
    for i in range(3000):
        birth = datetime.date(2012, 1, 1) + datetime.timedelta(days=i % 2500)
        rows.append(
            [
                i + 1,
                "一村",
                f"户主{i // 3}",
                f"学生{i}",
                "男",
                birth.isoformat(),
                make_id("520103", birth, 1 + 2 * (i % 400)),
                "",
                "",
                "",
                "",
                "未入学",
                "",
            ]
        )
    client = login(world.village_user)
    upload = SimpleUploadedFile("大表.xlsx", xlsx(rows))
    resp = client.post(reverse("import_list"), {"kind": "roster", "file": upload})
    batch = ImportBatch.objects.get()

    def wait():
        for _ in range(120):
            p = client.get(reverse("import_progress", args=[batch.pk])).json()
            if not p["busy"]:
                return p
            time.sleep(0.5)
        raise AssertionError("the import did not finish")

    assert resp.status_code == 302
    p = wait()
    assert (p["state"], p["total"]) == ("preview", 3000)
    assert Child.objects.count() == 6
    client.post(reverse("import_commit", args=[batch.pk]))
    assert wait()["state"] == "committed"
    assert (
        Child.objects.count() == 3006
        and Household.objects.filter(head_name__startswith="户主").count() == 1000
    )


def test_an_old_xls_file_imports_like_an_xlsx(world):
    import xlwt

    book = xlwt.Workbook()
    sheet = book.add_sheet("台账")
    for r, row in enumerate([["一村适龄儿童少年底数台账"], *roster_rows()]):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    buf = io.BytesIO()
    book.save(buf)
    batch = run(world, buf.getvalue(), filename="台账.xls")
    assert batch.state == ImportBatch.State.COMMITTED, batch.errors or batch.message
    assert batch.created == 3 and Child.objects.filter(id_number=ID2).exists()
