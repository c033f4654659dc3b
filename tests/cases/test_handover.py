"""小升初 from the hand-over lists (issue 10 point 9, 001 §四(二)5): a primary
school's list of graduates and their assigned junior school is imported;
after the hand-over deadline a case opens only for a listed graduate who did
not appear at a junior school, the primary school's. A child who repeated
grade 6 is on no list and never a case."""

import datetime
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from cases import endings
from cases.models import Case, Term
from students import importing
from students.models import Child, HandoverEntry, ImportBatch, School

from ..conftest import make_id
from ..students.import_helpers import xlsx

D = datetime.date
YEAR = timezone.localdate().year  # the list is for this year's autumn term
HEADER = ["姓名", "身份证号", "毕业学校", "毕业年级班级", "指定中学", "备注"]


@pytest.fixture
def autumn(world):
    """乙乡小学's grade 6 (赵四 and 周五), a junior school, the autumn term."""
    Term.objects.create(
        county=world.county, name="秋季学期", start=D(YEAR, 9, 1), end=D(YEAR + 1, 1, 20)
    )
    world.junior = School.objects.create(name="乙乡初中", kind="junior", township=world.t2)
    birth = D(YEAR - 12, 3, 8)
    Child.objects.filter(pk=world.c_t2.pk).update(grade=6, birth_date=birth, id_number=None)
    world.zhao = Child.objects.get(pk=world.c_t2.pk)
    world.zhao.id_number = make_id("520102", birth, 311)
    world.zhao.save()
    world.zhou = Child.objects.create(
        name="周五",
        village=world.v3,
        school=world.s2,
        grade=6,
        class_name="1班",
        gender="M",
        birth_date=birth,
        id_number=make_id("520102", birth, 333),
    )
    # repeats grade 6: by age past it, on no hand-over list
    world.repeater = Child.objects.create(
        name="吴六",
        village=world.v3,
        school=world.s2,
        grade=6,
        class_name="2班",
        gender="M",
        birth_date=D(YEAR - 13, 3, 8),
        id_number=make_id("520102", D(YEAR - 13, 3, 8), 355),
    )
    return world


def handover_rows(w, junior="乙乡初中"):
    return [
        HEADER,
        [w.zhao.name, w.zhao.id_number, "乙乡小学", "六年级1班", junior, ""],
        [w.zhou.name, w.zhou.id_number, "乙乡小学", "六年级1班", junior, ""],
    ]


def _cli(tmp_path, rows, *extra):
    path = tmp_path / "交接名单.xlsx"
    path.write_bytes(xlsx(rows, title=["乙乡小学毕业生升入初中交接名单"]))
    call_command(
        "import_roster", str(path), "--kind", "handover", "--county", "测试县",
        "--school", "乙乡小学", "--json", *extra,
    )  # fmt: skip


def test_the_hand_over_list_is_imported_previewed_and_re_imported_unchanged(
    autumn, tmp_path, capsys
):
    w = autumn
    _cli(tmp_path, handover_rows(w), "--dry-run")
    assert json.loads(capsys.readouterr().out)["created"] == 2
    assert not HandoverEntry.objects.exists()
    _cli(tmp_path, handover_rows(w))
    assert json.loads(capsys.readouterr().out)["created"] == 2
    entry = HandoverEntry.objects.get(id_number=w.zhao.id_number)
    assert (entry.year, entry.primary_school, entry.junior_school) == (YEAR, w.s2, w.junior)
    assert entry.child == w.zhao and entry.gender == "M"
    before = HandoverEntry.history.count()
    _cli(tmp_path, handover_rows(w))
    assert json.loads(capsys.readouterr().out)["unchanged"] == 2
    assert HandoverEntry.history.count() == before


def test_a_junior_school_that_teaches_no_grade_7_is_refused(autumn, tmp_path, capsys):
    with pytest.raises(SystemExit):
        _cli(tmp_path, handover_rows(autumn, junior="乙乡小学"))
    errors = json.loads(capsys.readouterr().out)["errors"]
    assert [(e["row"], e["column"]) for e in errors] == [(3, "指定中学"), (4, "指定中学")]
    assert "没有七年级" in errors[0]["message"] and not HandoverEntry.objects.exists()


def test_only_listed_graduates_who_did_not_appear_get_a_case(autumn, tmp_path, capsys):
    w = autumn
    _cli(tmp_path, handover_rows(w))
    capsys.readouterr()
    # 周五 appears: the junior school's 学籍 sheet places him in grade 7
    rows = [
        ["姓名", "性别", "出生日期", "身份证件号", "全国学籍号", "年级", "班级"],
        [w.zhou.name, "男", str(w.zhou.birth_date), w.zhou.id_number, "G" + w.zhou.id_number,
         "七年级", "1班"],
    ]  # fmt: skip
    batch = ImportBatch.objects.create(
        kind="xueji", county=w.county, school=w.junior, filename="xj.xlsx"
    )
    batch.file.save("xj.xlsx", SimpleUploadedFile("xj.xlsx", xlsx(rows, title=[])), save=True)
    assert importing.commit(batch).state == ImportBatch.State.COMMITTED
    assert Child.objects.get(pk=w.zhou.pk).school == w.junior

    # within the hand-over week (5 school days): nobody yet
    assert endings.junior_handover_cases(county=w.county, on=D(YEAR, 9, 2)) == 0
    day = D(YEAR, 9, 30)
    assert endings.junior_handover_cases(county=w.county, on=day) == 1
    case = Case.objects.get()
    assert case.child == w.zhao  # not 周五 (appeared), not 吴六 (repeats grade 6)
    assert "乙乡小学交接名单" in case.events.get().note
    todo = case.todos.get()
    assert (todo.role, todo.school) == ("school_admin", w.s2)  # the primary school's
    assert "乙乡初中" in todo.title
    assert endings.junior_handover_cases(county=w.county, on=day) == 0  # idempotent


def test_a_child_repeating_grade_6_is_never_a_hand_over_case(autumn):
    assert endings.junior_handover_cases(county=autumn.county, on=D(YEAR, 9, 30)) == 0
    assert not Case.objects.filter(child=autumn.repeater).exists()


def test_a_school_uploads_its_hand_over_list_on_the_import_page(
    autumn, login, django_capture_on_commit_callbacks
):
    from django.urls import reverse

    w = autumn
    client = login(w.school_admin)  # 甲镇中心学校, a nine-year school: its own junior section
    resp = client.get(reverse("import_template"), {"kind": "handover"})
    assert resp.status_code == 200
    html = client.get(reverse("import_list")).content.decode()
    assert "小升初交接名单" in html and "指定中学" in html
    rows = [HEADER, [w.c_class.name, w.c_class.id_number, "", "六年级1班", "甲镇中心学校", ""]]
    upload = SimpleUploadedFile("交接.xlsx", xlsx(rows, title=[]))
    with django_capture_on_commit_callbacks(execute=True):
        resp = client.post(
            reverse("import_list"), {"kind": "handover", "school": w.s1.pk, "file": upload}
        )
    batch = ImportBatch.objects.get(kind="handover")
    assert "将新增交接名单记录 <strong>1</strong>" in client.get(resp.url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("import_commit", args=[batch.pk]))
    entry = HandoverEntry.objects.get()
    assert (entry.primary_school, entry.junior_school, entry.child) == (w.s1, w.s1, w.c_class)
    assert entry.history.get().history_user == w.school_admin
