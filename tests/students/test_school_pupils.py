"""A school's 学籍 sheet (issue 10 point 18): the page says what each import
does, the counts say 学籍记录, the sheet places children already on a roster
(school, grade, class — nothing else) and hands pupils on no roster to the
school's township, which assigns them to a village."""

import datetime
import json

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from students.models import Child, ImportBatch, Lead, XuejiRecord

from ..conftest import make_id
from .import_helpers import xlsx

HEADER = ["姓名", "性别", "出生日期", "身份证件号", "全国学籍号", "年级", "班级"]
NEW_BIRTH = datetime.date(2015, 6, 1)
NEW1, NEW2 = make_id("520102", NEW_BIRTH, 601), make_id("520102", NEW_BIRTH, 622)


def pupil_rows(world):
    placed, same = world.c_class, world.c_cross
    return [
        HEADER,
        # on the roster in 五年级1班: the school's sheet moves them to 2班
        ["王晓明", "男", "2015-03-08", placed.id_number, "G" + placed.id_number, "五年级", "2班"],
        # on the roster exactly as the sheet says
        [same.name, "男", "2015-03-08", same.id_number, "G" + same.id_number, "四年级", "1班"],
        # on no village roster
        ["新甲", "男", "2015-06-01", NEW1, "G" + NEW1, "四年级", "1班"],
        ["新乙", "女", "2015-06-01", NEW2, "G" + NEW2, "四年级", "2班"],
    ]


def _upload(client, content, django_capture_on_commit_callbacks, world):
    upload = SimpleUploadedFile("学籍.xlsx", content)
    with django_capture_on_commit_callbacks(execute=True):
        resp = client.post(
            reverse("import_list"), {"kind": "xueji", "school": world.s1.pk, "file": upload}
        )
    return ImportBatch.objects.latest("pk"), resp


def test_the_import_page_says_what_each_kind_does(world, login):
    html = login(world.school_admin).get(reverse("import_list")).content.decode()
    assert "各类导入做什么" in html and "不新增学生" in html
    assert "交学校所在乡镇核实并分配到村" in html


def test_a_school_sheet_places_rostered_children_and_hands_the_rest_to_the_township(
    world, login, django_capture_on_commit_callbacks
):
    client = login(world.school_admin)
    children_before = Child.objects.count()
    batch, resp = _upload(
        client,
        xlsx(pupil_rows(world), title=["学生基本信息"]),
        django_capture_on_commit_callbacks,
        world,
    )
    html = client.get(resp.url).content.decode()
    assert "将新增学籍记录 <strong>4</strong>" in html
    assert "将更新在册学生的就读学校、年级、班级 <strong>1</strong> 人" in html
    assert "交乡镇分配到村 <strong>2</strong> 人" in html
    assert "新增 <strong>" not in html  # never a bare 新增 that reads like new children

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("import_commit", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.state == ImportBatch.State.COMMITTED, batch.errors or batch.message
    assert Child.objects.count() == children_before  # a 学籍 sheet adds no child
    assert XuejiRecord.objects.count() == 4
    placed = Child.objects.get(pk=world.c_class.pk)
    assert (placed.school, placed.grade, placed.class_name) == (world.s1, 5, "2班")
    assert placed.name == "王小明"  # the name stays the village's
    last = placed.history.first()
    assert last.history_user == world.school_admin and "学籍导入批次" in last.history_change_reason

    leads = Lead.objects.filter(kind=Lead.Kind.UNROSTERED)
    assert set(leads.values_list("name", flat=True)) == {"新甲", "新乙"}
    assert all(lead.school == world.s1 and lead.village is None for lead in leads)
    township_html = login(world.township_user).get(reverse("lead_list")).content.decode()
    assert "新甲" in township_html and "分配到村" in township_html

    # the same sheet again changes nothing
    history = (Child.history.count(), Lead.objects.count(), XuejiRecord.history.count())
    batch, resp = _upload(
        client,
        xlsx(pupil_rows(world), title=["学生基本信息"]),
        django_capture_on_commit_callbacks,
        world,
    )
    html = client.get(resp.url).content.decode()
    assert "将新增学籍记录 <strong>0</strong>" in html and "无需导入" in html
    assert (Child.history.count(), Lead.objects.count(), XuejiRecord.history.count()) == history


def test_the_command_line_reports_placements_and_pupils_to_assign(world, tmp_path, capsys):
    path = tmp_path / "学籍.xlsx"
    path.write_bytes(xlsx(pupil_rows(world), title=[]))
    args = ["import_roster", str(path), "--kind", "xueji", "--county", "测试县"]
    call_command(*args, "--school", "甲镇中心学校", "--json")
    out = json.loads(capsys.readouterr().out)
    assert (out["created"], out["placed"], out["to_assign"], out["errors"]) == (4, 1, 2, [])
    call_command(*args, "--school", "甲镇中心学校")
    assert "新增学籍记录 0" in capsys.readouterr().out


def test_the_township_assigns_a_pupil_to_a_village(
    world, login, django_capture_on_commit_callbacks
):
    _upload(
        login(world.school_admin),
        xlsx(pupil_rows(world), title=[]),
        django_capture_on_commit_callbacks,
        world,
    )
    batch = ImportBatch.objects.latest("pk")
    with django_capture_on_commit_callbacks(execute=True):
        login(world.school_admin).post(reverse("import_commit", args=[batch.pk]))
    lead = Lead.objects.get(name="新甲")
    url = reverse("lead_assign", args=[lead.pk])
    data = {"village": world.v2.pk, "reason": "村委核实，住二村"}
    # neither the school nor a village cadre assigns; nor a village of another township
    assert login(world.school_admin).post(url, data).status_code == 404
    assert login(world.village_user).post(url, data).status_code == 404
    client = login(world.township_user)
    client.post(url, {**data, "village": world.v3.pk})
    assert not Child.objects.filter(id_number=NEW1).exists()

    resp = client.post(url, data, follow=True)
    assert "已登记到二村底数台账" in resp.content.decode()
    child = Child.objects.get(id_number=NEW1)
    assert (child.village, child.school, child.grade, child.class_name) == (
        world.v2,
        world.s1,
        4,
        "1班",
    )
    assert child.status == Child.Status.ENROLLED and child.gender == "M"
    assert child.history.get().history_user == world.township_user
    lead.refresh_from_db()
    assert (lead.state, lead.child, lead.village) == (Lead.State.CONFIRMED, child, world.v2)
    assert XuejiRecord.objects.get(xueji_number="G" + NEW1).child == child
    # assigning twice does nothing more
    client.post(url, data)
    assert Child.objects.filter(id_number=NEW1).count() == 1


def test_a_pupil_registered_where_the_school_does_not_see_is_placed_by_the_township(
    world, login, django_capture_on_commit_callbacks
):
    kid = world.c_t2  # lives in 三村 (乙乡), on the roster at 乙乡小学
    rows = [HEADER, [kid.name, "男", "2015-03-08", kid.id_number, "L12345678", "四年级", "3班"]]
    client = login(world.school_admin)  # 甲镇中心学校 does not see 赵四
    batch, resp = _upload(client, xlsx(rows, title=[]), django_capture_on_commit_callbacks, world)
    html = client.get(resp.url).content.decode()
    assert "交乡镇分配到村 <strong>1</strong> 人" in html  # like an unknown pupil
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("import_commit", args=[batch.pk]))
    assert Child.objects.get(pk=kid.pk).school == world.s2  # not moved by the school
    lead = Lead.objects.get(kind=Lead.Kind.UNROSTERED)
    resp = login(world.township_user).post(
        reverse("lead_assign", args=[lead.pk]), {"village": world.v1.pk, "reason": "核实"}
    )
    kid = Child.objects.get(pk=kid.pk)
    assert (kid.village, kid.school, kid.grade, kid.class_name) == (world.v3, world.s1, 4, "3班")
    assert Child.objects.filter(id_number=kid.id_number).count() == 1
    lead.refresh_from_db()
    assert lead.state == Lead.State.CONFIRMED and lead.child == kid
