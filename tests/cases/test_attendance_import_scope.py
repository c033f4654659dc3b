"""The attendance import writes only for the children whose attendance the
importer records, on the page and with `manage.py import_attendance --user`
alike; a number outside that reach reads exactly like an unknown one."""

import datetime
import json
import re
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from cases.models import Absence, Term

from ..conftest import make_id
from . import test_attendance as base
from .test_attendance import _rows, xlsx

UNKNOWN = make_id("520102", datetime.date(2015, 3, 8), 777)
TEACHER_MESSAGE = "该身份证号不在您的管辖范围内，请联系本校教务处核实"


@pytest.fixture
def w(world, monkeypatch):
    """test_attendance's world: today is base.TODAY, a term, the teacher's class."""
    real = timezone.localdate
    monkeypatch.setattr(
        "django.utils.timezone.localdate",
        lambda value=None, timezone=None: base.TODAY if value is None else real(value, timezone),
    )
    Term.objects.create(
        county=world.county,
        name="2026年秋季学期",
        start=datetime.date(2026, 9, 1),
        end=datetime.date(2027, 1, 22),
    )
    world.c_red = base._child(world, "李小红", 901)
    world.c_gang = base._child(world, "张小刚", 903, id_number=False)
    return world


def _foreign_row(number):
    # 赵四 goes to 乙乡小学, not the teacher's class at 甲镇中心学校.
    return ["2026-11-24", "", "", "", "赵四", number, "请假", "病"]


def _cli(tmp_path, rows, *args):
    path = tmp_path / "缺勤.xlsx"
    path.write_bytes(xlsx(rows))
    out = StringIO()
    code = 0
    try:
        call_command("import_attendance", str(path), "--json", *args, stdout=out)
    except SystemExit as e:
        code = e.code
    return code, json.loads(out.getvalue())


def test_the_command_acts_with_exactly_the_named_users_reach(w, tmp_path):
    rows = _rows(w, _foreign_row(w.c_t2.id_number))
    code, result = _cli(tmp_path, rows, "--user", w.teacher.username)
    assert code == 1
    assert result["errors"] == [{"row": 6, "column": "身份证号", "message": TEACHER_MESSAGE}]
    assert not Absence.objects.exists()  # nor the teacher's own rows: all or nothing

    code, result = _cli(tmp_path, _rows(w), "--user", w.teacher.username)
    assert (code, result["created"]) == (0, 3)
    assert set(Absence.objects.values_list("recorded_by", flat=True)) == {w.teacher.pk}


def test_a_number_elsewhere_reads_like_an_unknown_one(w, tmp_path):
    elsewhere = _cli(tmp_path, _rows(w, _foreign_row(w.c_t2.id_number)), "--user=teacher")
    unknown = _cli(tmp_path, _rows(w, _foreign_row(UNKNOWN)), "--user=teacher")
    assert elsewhere == unknown
    assert not Absence.objects.exists()


def test_the_command_refuses_a_school_or_user_outside_its_reach(w, tmp_path):
    path = tmp_path / "缺勤.xlsx"
    path.write_bytes(xlsx(_rows(w)))
    with pytest.raises(CommandError, match="乙乡小学"):
        call_command("import_attendance", str(path), "--school=乙乡小学", "--user=schooladmin")
    with pytest.raises(CommandError, match="在用用户"):
        call_command("import_attendance", str(path), "--user=nobody-here")
    assert not Absence.objects.exists()


def test_the_command_without_a_user_acts_as_the_system(w, tmp_path):
    code, result = _cli(tmp_path, _rows(w, _foreign_row(w.c_t2.id_number)))
    assert (code, result["created"], result["errors"]) == (0, 4, [])
    assert Absence.objects.filter(child=w.c_t2).exists()


def test_the_page_refuses_a_pupil_of_another_school_like_an_unknown_one(w, login):
    client = login(w.school_admin)
    url = reverse("cases:attendance_import")

    def upload(number):
        content = xlsx(_rows(w, _foreign_row(number)))
        html = client.post(url, {"file": SimpleUploadedFile("a.xlsx", content)}).content.decode()
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)

    html = upload(w.c_t2.id_number)
    message = "该身份证号不在您的管辖范围内，请联系测试县教育局控辍办核实"
    assert "有错误，未写入任何数据" in html and "第6行" in html and message in html
    assert "乙乡" not in html
    assert html.replace(w.c_t2.id_number, UNKNOWN) == upload(UNKNOWN).replace(
        w.c_t2.id_number, UNKNOWN
    )
    assert not Absence.objects.exists()
