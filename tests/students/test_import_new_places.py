"""Imports onto a database that does not yet know the sheet's 村民小组, households
or classes: preview, commit (command line and pages), and a re-import that
changes nothing (issue 10 point 1)."""

import json

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from students.models import Child, Household, ImportBatch, VillageGroup

from .import_helpers import ID1, ID2, ID3, ROSTER_HEADER, xlsx

HEADER = [*ROSTER_HEADER, "村民小组"]


def group_rows():
    """The ordinary village sheet: three households in two new groups."""
    return [
        HEADER,
        [1, "一村", "刘大海", "刘一", "男", "2016-04-01", ID1, "甲镇中心学校", "四年级1班",
         "13800000001", "脱贫户", "在读", "留守儿童", "一组"],
        [2, "一村", "刘大海", "刘二", "女", "2014-09-09", ID2, "甲镇中心学校", "六年级2班",
         "13800000001", "脱贫户", "在读", "否", "一组"],
        [3, "一村", "陈小河", "陈三", "男", "2017-01-20", ID3, "", "", "13900000002", "否",
         "未入学", "", "三组"],
    ]  # fmt: skip


def _cli(path, *extra):
    call_command(
        "import_roster", str(path), "--county", "测试县", "--village", "一村", "--json", *extra
    )


def test_a_village_sheet_with_new_groups_commits_from_the_command_line(world, tmp_path, capsys):
    assert not VillageGroup.objects.exists()
    path = tmp_path / "台账.xlsx"
    path.write_bytes(xlsx(group_rows()))
    _cli(path, "--dry-run")
    assert json.loads(capsys.readouterr().out)["created"] == 3
    assert not VillageGroup.objects.exists() and not Household.objects.filter(head_name="刘大海")

    _cli(path)
    assert json.loads(capsys.readouterr().out) == {
        "created": 3,
        "updated": 0,
        "unchanged": 0,
        "errors": [],
    }
    groups = dict(VillageGroup.objects.values_list("name", "village__name"))
    assert groups == {"一组": "一村", "三组": "一村"}
    liu = Household.objects.get(head_name="刘大海")
    assert liu.group.name == "一组" and liu.children.count() == 2
    assert Household.objects.get(head_name="陈小河").group.name == "三组"
    assert Child.objects.get(id_number=ID2).class_label == "六年级2班"

    before = (VillageGroup.objects.count(), Household.history.count(), Child.history.count())
    _cli(path)
    assert json.loads(capsys.readouterr().out)["unchanged"] == 3
    after = (VillageGroup.objects.count(), Household.history.count(), Child.history.count())
    assert after == before


def test_a_household_moved_to_a_new_group_by_a_later_sheet(world, tmp_path, capsys):
    path = tmp_path / "台账.xlsx"
    path.write_bytes(xlsx(group_rows()))
    _cli(path)
    capsys.readouterr()
    rows = group_rows()
    rows[3][-1] = "五组"
    path.write_bytes(xlsx(rows))
    _cli(path)
    out = json.loads(capsys.readouterr().out)
    assert out["errors"] == [] and out["unchanged"] == 3  # the children did not change
    assert Household.objects.get(head_name="陈小河").group.name == "五组"


def test_a_village_sheet_with_new_groups_commits_through_the_pages(
    world, login, django_capture_on_commit_callbacks
):
    client = login(world.village_user)
    upload = SimpleUploadedFile("台账.xlsx", xlsx(group_rows()))
    with django_capture_on_commit_callbacks(execute=True):
        resp = client.post(
            reverse("import_list"), {"kind": "roster", "village": world.v1.pk, "file": upload}
        )
    batch = ImportBatch.objects.get()
    assert "确认导入" in client.get(resp.url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("import_commit", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.state == ImportBatch.State.COMMITTED, batch.errors or batch.message
    html = client.get(reverse("import_detail", args=[batch.pk])).content.decode()
    assert "已导入" in html
    assert set(VillageGroup.objects.values_list("name", flat=True)) == {"一组", "三组"}
    assert Child.objects.filter(household__group__name="一组").count() == 2
