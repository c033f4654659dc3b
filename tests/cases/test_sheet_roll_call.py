"""A school's daily sheet is its roll call (issue 10, point 3): a child of a
school on the sheet who is not on it was at school that day, so the next
scan sees the return; a school with no absence sends a 零报告 (command line
or one button); where the class screen and a sheet disagree, the later entry
wins and the absences' history keeps who, when and which screen or sheet."""

import datetime
import io
import json
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from cases.attendance import importing
from cases.ladder.scan import run_daily_checks
from cases.models import Absence, Case, ClassRollCall, Term
from students.models import Child

from ..conftest import make_id

D = datetime.date
TODAY = D(2026, 11, 25)  # a Wednesday in the autumn term
THU, FRI, MON, TUE = D(2026, 11, 19), D(2026, 11, 20), D(2026, 11, 23), D(2026, 11, 24)
HEADER = ["日期", "学校", "年级", "班级", "姓名", "身份证号", "状态", "原因"]
URL = "/cases/attendance/"


@pytest.fixture
def w(world, monkeypatch):
    real = timezone.localdate

    def localdate(value=None, timezone=None):
        return TODAY if value is None else real(value, timezone)

    monkeypatch.setattr("django.utils.timezone.localdate", localdate)
    Term.objects.create(
        county=world.county, name="2026年秋季学期", start=D(2026, 9, 1), end=D(2027, 1, 22)
    )
    birth = D(2015, 5, 6)
    world.c_red = Child.objects.create(
        name="李小红",
        village=world.v1,
        school=world.s1,
        grade=5,
        class_name="1班",
        gender="F",
        birth_date=birth,
        id_number=make_id("520102", birth, 901),
    )
    world.class_key = f"{world.s1.pk}-5-1班"
    return world


def sheet(*rows):
    wb = Workbook()
    ws = wb.active
    ws.append(["甲镇中心学校缺勤登记表"])
    ws.append(HEADER)
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def row(w, child, day, status="无故未到校", reason=""):
    return [f"{day}", "甲镇中心学校", "", "", child.name, child.id_number, status, reason]


def cli(tmp_path, *args, content=None):
    argv = []
    if content is not None:
        path = tmp_path / "缺勤.xlsx"
        path.write_bytes(content)
        argv.append(str(path))
    out = StringIO()
    code = 0
    try:
        call_command("import_attendance", *argv, "--json", *args, stdout=out)
    except SystemExit as e:
        code = e.code
    return code, json.loads(out.getvalue())


def scan(w, day):
    return run_daily_checks(on=day, county=w.county).as_dict()


def absent_two_days(w, tmp_path):
    """The school's sheets of 11-19 and 11-20 list 王小明: his case opens."""
    for day in (THU, FRI):
        code, _ = cli(tmp_path, content=sheet(row(w, w.c_class, day)))
        assert code == 0
        scan(w, day)
    case = Case.objects.get(child=w.c_class)
    assert (case.state, case.streak) == (Case.State.OPEN, 2)
    return case


# ----------------------------------------------------- a sheet is a roll call


def test_a_child_not_on_the_next_sheet_is_back_at_school(w, tmp_path):
    case = absent_two_days(w, tmp_path)
    # Monday's sheet lists only 李小红 (leave): 王小明 was at school.
    code, result = cli(tmp_path, content=sheet(row(w, w.c_red, MON, "病假")))
    assert code == 0 and result["created"] == 1
    assert result["roll_calls"] == 3  # 甲镇中心学校's three classes on Monday
    assert scan(w, MON)["returned"] == 1
    case.refresh_from_db()
    assert (case.state, case.returned_on) == (Case.State.RETURNED, MON)
    assert not case.todos.filter(kind="school_visit").exists()  # the ladder stopped


def test_a_sheet_removes_the_absence_of_a_child_not_on_it(w, tmp_path, login):
    # The teacher marked 王小明 and 李小红 absent on the class screen ...
    client = login(w.teacher)
    data = {"class": w.class_key, "date": f"{MON}", f"k{w.c_class.pk}": "unexcused"}
    data |= {f"k{w.c_red.pk}": "unexcused"}
    assert client.post(URL, data).status_code == 302
    # ... later the school's sheet for Monday lists only 李小红, on leave.
    content = sheet(row(w, w.c_red, MON, "请假", "发烧"))
    upload = login(w.school_admin).post(
        reverse("cases:attendance_import"), {"file": SimpleUploadedFile("周一.xlsx", content)}
    )
    html = upload.content.decode()
    assert "将改为到校 <strong>1</strong> 人" in html and "改为到校" in html and "确认导入" in html
    assert Absence.objects.filter(child=w.c_class).exists()  # the preview wrote nothing
    login(w.school_admin).post(reverse("cases:attendance_import_commit"))

    # The later entry wins ...
    assert not Absence.objects.filter(child=w.c_class, date=MON).exists()
    red = Absence.objects.get(child=w.c_red, date=MON)
    assert (red.kind, red.reason, red.recorded_by) == ("leave", "发烧", w.school_admin)
    # ... and the history keeps both, with who, when and from where.
    history = list(
        Absence.history.filter(child=w.c_class, date=MON).order_by("history_date", "history_id")
    )
    assert [(h.history_type, h.kind, h.history_user) for h in history] == [
        ("+", "unexcused", w.teacher),
        ("-", "unexcused", w.school_admin),
    ]
    assert history[0].history_change_reason == "班级考勤（甲镇中心学校 五年级1班）"
    assert history[1].history_change_reason.startswith("缺勤表导入（周一.xlsx，2026-")
    red_history = Absence.history.filter(child=w.c_red).order_by("history_date", "history_id")
    assert [(h.history_type, h.kind) for h in red_history] == [("+", "unexcused"), ("~", "leave")]
    roll = ClassRollCall.objects.get(school=w.s1, grade=5, class_name="1班", date=MON)
    assert (roll.taken_by, roll.source) == (w.school_admin, "sheet")

    # The teacher corrects it once more on the screen: later again, it wins.
    client = login(w.teacher)
    client.post(URL, data)
    assert Absence.objects.get(child=w.c_class, date=MON).kind == "unexcused"
    last = Absence.history.filter(child=w.c_class).latest("history_date", "history_id")
    assert (last.history_type, last.history_user) == ("+", w.teacher)
    page = client.get(URL, {"date": f"{MON}"}).content.decode()
    assert "· 班级考勤）" in page  # who took the roll call last, and where


def test_a_teachers_sheet_is_the_roll_call_of_their_class_only(w, tmp_path, login):
    other = Absence.objects.create(child=w.c_s1_other_class, date=MON, kind="unexcused")
    client = login(w.teacher)
    content = sheet(row(w, w.c_red, MON, "病假"))
    client.post(reverse("cases:attendance_import"), {"file": SimpleUploadedFile("a.xlsx", content)})
    client.post(reverse("cases:attendance_import_commit"))
    calls = set(ClassRollCall.objects.values_list("grade", "class_name", "date"))
    assert calls == {(5, "1班", MON)}
    assert Absence.objects.filter(pk=other.pk).exists()  # 李二's class is not the teacher's


def test_re_importing_the_same_sheet_changes_nothing(w, tmp_path):
    absent_two_days(w, tmp_path)
    content = sheet(row(w, w.c_red, MON, "病假"))
    cli(tmp_path, content=content)
    code, result = cli(tmp_path, content=content)
    assert (code, result["created"], result["unchanged"], result["present"]) == (0, 0, 1, 0)
    assert Absence.history.filter(date=MON).count() == 1


def test_the_sheet_import_is_set_based(w, django_assert_max_num_queries):
    def pupils(count, start):
        birth = D(2015, 1, 1)
        return Child.objects.bulk_create(
            Child(
                name=f"学生{start + i:03d}",
                village=w.v1,
                school=w.s1,
                grade=5,
                class_name=f"{1 + i % 4}班",
                gender="M",
                birth_date=birth,
                id_number=make_id("520102", birth, start + 2 * i),
            )
            for i in range(count)
        )

    def commit(kids):
        # everyone absent on Monday by hand; then the sheet: the first half
        # absent on Tuesday (so at school on Monday), the others on leave Monday
        Absence.objects.all().delete()
        Absence.objects.bulk_create(Absence(child=c, date=MON, kind="unexcused") for c in kids)
        rows = [row(w, c, TUE) for c in kids[: len(kids) // 2]]
        rows += [row(w, c, MON, "请假", "病") for c in kids[len(kids) // 2 :]]
        parsed = importing.read(io.BytesIO(sheet(*rows)), filename="a.xlsx")
        return importing.commit(parsed, user=w.school_admin, filename="a.xlsx")

    small = pupils(3, 101)
    with django_assert_max_num_queries(60) as few:
        plan = commit(small)
    assert not plan.errors and plan.present == 1
    big = pupils(60, 301)
    with django_assert_max_num_queries(len(few.captured_queries) + 4):
        plan = commit(big)
    assert not plan.errors and plan.present == 30  # the first half, absent Monday, not on it


# ------------------------------------------------------------------ 零报告


def test_a_zero_report_on_the_command_line_is_a_roll_call_with_nobody_absent(w, tmp_path):
    case = absent_two_days(w, tmp_path)
    code, result = cli(tmp_path, "--school", "甲镇中心学校", "--date", f"{MON}")
    assert code == 0
    assert (result["roll_calls"], result["present"], result["errors"]) == (3, 0, [])
    assert ClassRollCall.objects.filter(date=MON, source="zero").count() == 3
    assert scan(w, MON)["returned"] == 1
    case.refresh_from_db()
    assert case.state == Case.State.RETURNED

    # An absence already entered for that day: the 零报告 is later, it wins.
    Absence.objects.create(child=w.c_red, date=TUE, kind="leave", reason="病")
    code, result = cli(tmp_path, "--school", "甲镇中心学校", "--date", f"{TUE}")
    assert (code, result["present"]) == (0, 1)
    assert not Absence.objects.filter(child=w.c_red).exists()
    gone = Absence.history.filter(child=w.c_red).latest("history_date", "history_id")
    assert (gone.history_type, gone.history_change_reason) == (
        "-",
        "零报告（甲镇中心学校 2026-11-24）",
    )

    # A Sunday, or a day to come: refused, nothing written.
    code, result = cli(tmp_path, "--school", "甲镇中心学校", "--date", "2026-11-22")
    assert code == 1 and "不是上学日" in result["errors"][0]["message"]
    code, result = cli(tmp_path, "--school", "甲镇中心学校", "--date", "2026-11-26")
    assert code == 1 and "还未到" in result["errors"][0]["message"]
    with pytest.raises(CommandError, match="零报告"):
        call_command("import_attendance", "--school", "甲镇中心学校")
    # Only inside the user's reach.
    with pytest.raises(CommandError, match="乙乡小学"):
        call_command(
            "import_attendance", "--school", "乙乡小学", "--date", f"{MON}", "--user=schooladmin"
        )


def test_the_zero_report_button(w, tmp_path, login):
    case = absent_two_days(w, tmp_path)
    client = login(w.school_admin)
    page = client.get(URL, {"class": w.class_key, "date": f"{MON}"}).content.decode()
    assert "零报告（11月23日无人缺勤）" in page
    r = client.post(
        reverse("cases:attendance_zero"),
        {"school": w.s1.pk, "date": f"{MON}", "class": w.class_key},
        follow=True,
    )
    assert "已报零报告：甲镇中心学校 2026-11-23，3 个班已点名" in r.content.decode()
    assert scan(w, MON)["returned"] == 1
    case.refresh_from_db()
    assert case.state == Case.State.RETURNED

    # A teacher's 零报告 is their own class's roll call.
    login(w.teacher).post(reverse("cases:attendance_zero"), {"school": w.s1.pk, "date": f"{TUE}"})
    assert set(ClassRollCall.objects.filter(date=TUE).values_list("class_name", "grade")) == {
        ("1班", 5)
    }
    # Another school, or a user who takes no attendance: 404, nothing written.
    data = {"school": w.s2.pk, "date": f"{TUE}"}
    assert login(w.teacher).post(reverse("cases:attendance_zero"), data).status_code == 404
    data = {"school": w.s1.pk, "date": f"{TUE}"}
    assert login(w.township_user).post(reverse("cases:attendance_zero"), data).status_code == 404
    assert ClassRollCall.objects.filter(date=TUE).count() == 1
