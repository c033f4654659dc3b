"""Attendance: a class's roll call on one screen, one child's absences, the
Excel import (all or nothing, CLI), and the late correction of a case."""

import datetime
import io
import json
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from cases import attendance
from cases.ladder import scan
from cases.models import Absence, Case, CaseEvent, ClassRollCall, Term, Todo
from students.models import Child

from ..conftest import PHONE, make_id

D = datetime.date
TODAY = D(2026, 11, 25)  # a Wednesday in the autumn term
MON, TUE = D(2026, 11, 23), D(2026, 11, 24)
URL = "/cases/attendance/"


@pytest.fixture
def today(monkeypatch):
    real = timezone.localdate

    def localdate(value=None, timezone=None):
        return TODAY if value is None else real(value, timezone)

    monkeypatch.setattr("django.utils.timezone.localdate", localdate)
    return TODAY


@pytest.fixture
def w(world, today):
    """The world with a term, and three children in the teacher's class."""
    Term.objects.create(
        county=world.county, name="2026年秋季学期", start=D(2026, 9, 1), end=D(2027, 1, 22)
    )
    world.class_key = f"{world.s1.pk}-5-1班"
    world.c_red = _child(world, "李小红", 901)
    world.c_gang = _child(world, "张小刚", 903, id_number=False)
    return world


def _child(w, name, seq, *, id_number=True, grade=5, class_name="1班"):
    birth = D(2015, 5, 6)
    return Child.objects.create(
        name=name,
        village=w.v1,
        school=w.s1,
        grade=grade,
        class_name=class_name,
        gender="F",
        birth_date=birth,
        id_number=make_id("520102", birth, seq) if id_number else None,
    )


def _marks(children, **chosen):
    """POST data for the class screen: everyone present unless chosen."""
    data = {}
    for c in children:
        mark, reason = chosen.get(c.name, ("present", ""))
        data[f"k{c.pk}"] = mark
        data[f"r{c.pk}"] = reason
    return data


def _post_class(client, w, day, **chosen):
    children = [w.c_class, w.c_red, w.c_gang]
    data = {"class": w.class_key, "date": f"{day:%Y-%m-%d}", **_marks(children, **chosen)}
    return client.post(URL, data)


def _absences():
    return {(a.child.name, a.date): (a.kind, a.reason) for a in Absence.objects.all()}


# ------------------------------------------------------------ class roll call


def test_teacher_marks_one_leave_one_unexcused_and_the_rest_present(w, login):
    client = login(w.teacher)
    page = client.get(URL, {"date": "2026-11-24"})
    assert page.status_code == 200
    html = page.content.decode()
    for name in ("王小明", "李小红", "张小刚"):
        assert name in html
    assert "李二" not in html  # another class
    assert "尚未点名" in html

    r = _post_class(client, w, TUE, 李小红=("leave", "发烧，家长来电"), 张小刚=("unexcused", ""))
    assert r.status_code == 302
    assert _absences() == {
        ("李小红", TUE): ("leave", "发烧，家长来电"),
        ("张小刚", TUE): ("unexcused", ""),
    }
    assert Absence.objects.get(child=w.c_red).source == "class"
    assert Absence.objects.get(child=w.c_red).recorded_by == w.teacher
    call = ClassRollCall.objects.get()
    assert (call.school, call.grade, call.class_name, call.date) == (w.s1, 5, "1班", TUE)
    assert call.taken_by == w.teacher

    html = client.get(r["Location"]).content.decode()
    assert "已保存：新增缺勤 2 人" in html
    assert "已登记：请假（发烧，家长来电）" in html
    assert "已点名" in html and "请假 1 人，无故未到校 1 人" in html


def test_resubmitting_updates_in_place_without_duplicates(w, login):
    client = login(w.teacher)
    _post_class(client, w, TUE, 李小红=("leave", "发烧"), 张小刚=("unexcused", ""))
    first_call = ClassRollCall.objects.get()
    r = _post_class(client, w, TUE, 王小明=("unexcused", "原因不明"), 张小刚=("leave", "家中有事"))
    assert r.status_code == 302
    assert _absences() == {
        ("王小明", TUE): ("unexcused", "原因不明"),
        ("张小刚", TUE): ("leave", "家中有事"),
    }
    assert ClassRollCall.objects.get().pk == first_call.pk
    # the same again changes nothing
    _post_class(client, w, TUE, 王小明=("unexcused", "原因不明"), 张小刚=("leave", "家中有事"))
    assert Absence.objects.count() == 2 and ClassRollCall.objects.count() == 1
    # another day is another roll call
    _post_class(client, w, MON)
    assert ClassRollCall.objects.count() == 2 and Absence.objects.count() == 2


def test_leave_without_a_reason_saves_nothing(w, login):
    client = login(w.teacher)
    r = _post_class(client, w, TUE, 李小红=("leave", "  "), 张小刚=("unexcused", ""))
    assert r.status_code == 200
    html = r.content.decode()
    assert "请假须填写原因" in html and "未保存" in html
    # the choices made are kept on the page
    assert f'id="k{w.c_gang.pk}-unexcused" value="unexcused" checked' in html
    assert not Absence.objects.exists() and not ClassRollCall.objects.exists()


def test_a_teacher_cannot_see_or_mark_another_class(w, login):
    client = login(w.teacher)
    other = f"{w.s1.pk}-5-2班"
    assert client.get(URL, {"class": other}).status_code == 404
    data = {"class": other, "date": "2026-11-24", f"k{w.c_s1_other_class.pk}": "unexcused"}
    assert client.post(URL, data).status_code == 404
    # a child of another class slipped into the teacher's own form is ignored
    data = {"class": w.class_key, "date": "2026-11-24", f"k{w.c_s1_other_class.pk}": "unexcused"}
    assert client.post(URL, data).status_code == 302
    assert not Absence.objects.filter(child=w.c_s1_other_class).exists()


def test_a_school_admin_picks_any_class_of_their_school(w, login):
    client = login(w.school_admin)
    html = client.get(URL).content.decode()
    assert "甲镇中心学校 四年级1班" in html and "甲镇中心学校 五年级2班" in html
    assert "乙乡小学" not in html
    page = client.get(URL, {"class": f"{w.s1.pk}-5-2班", "date": "2026-11-24"})
    assert "李二" in page.content.decode() and "王小明" not in page.content.decode()
    assert client.get(URL, {"class": f"{w.s2.pk}-3-1班"}).status_code == 404


@pytest.mark.parametrize("who", ["village_user", "township_user", "county_user", "nobody"])
def test_only_teachers_and_school_admins_take_attendance(w, login, who):
    client = login(getattr(w, who))
    assert client.get(URL).status_code == 404
    assert client.get(reverse("cases:attendance_import")).status_code == 404
    assert "考勤" not in client.get(reverse("child_list")).content.decode()


def test_the_nav_shows_attendance_to_a_teacher(w, login):
    html = login(w.teacher).get(reverse("child_list")).content.decode()
    assert f'href="{URL}">考勤</a>' in html


def test_a_day_that_is_not_a_school_day_says_so(w, login):
    client = login(w.teacher)
    html = client.get(URL, {"date": "2026-11-22"}).content.decode()  # Sunday
    assert "不是上学日" in html and "保存考勤" not in html
    assert "date=2026-11-20" in html  # a link to the Friday before
    html = client.get(URL, {"date": "2026-11-26"}).content.decode()  # tomorrow
    assert "不能登记将来的考勤" in html and "保存考勤" not in html
    r = _post_class(client, w, D(2026, 11, 22), 张小刚=("unexcused", ""))
    assert r.status_code == 200 and not Absence.objects.exists()
    # today is the default
    assert "2026年11月25日（今天）" in client.get(URL).content.decode()


def test_the_class_screen_queries_are_bounded_for_fifty_children(
    w, login, django_assert_max_num_queries
):
    Child.objects.bulk_create(
        Child(
            name=f"学生{i:02d}",
            village=w.v1,
            school=w.s1,
            grade=5,
            class_name="1班",
            gender="M",
            birth_date=D(2015, 1, 1),
        )
        for i in range(47)
    )
    children = list(Child.objects.filter(school=w.s1, grade=5, class_name="1班"))
    assert len(children) == 50
    client = login(w.teacher)
    with django_assert_max_num_queries(12):
        page = client.get(URL, {"date": "2026-11-24"})
    assert page.content.decode().count('class="att-row') == 50
    data = {"class": w.class_key, "date": "2026-11-24"}
    data |= {f"k{c.pk}": "unexcused" for c in children[:20]}
    data |= {f"k{c.pk}": "leave" for c in children[20:30]}
    data |= {f"r{c.pk}": "病假" for c in children[20:30]}
    with django_assert_max_num_queries(20):
        assert client.post(URL, data).status_code == 302
    assert Absence.objects.count() == 30
    data |= {f"k{c.pk}": "present" for c in children[:10]}
    with django_assert_max_num_queries(20):
        assert client.post(URL, data).status_code == 302
    assert Absence.objects.count() == 20


# ------------------------------------------------------------------ one child


def _child_url(child):
    return reverse("cases:attendance_child", args=[child.pk])


def test_a_teacher_records_one_childs_absence(w, login):
    client = login(w.teacher)
    page = client.get(_child_url(w.c_class), {"date": "2026-11-23"})
    assert page.status_code == 200 and 'value="2026-11-23"' in page.content.decode()
    r = client.post(
        _child_url(w.c_class), {"date": "2026-11-23", "mark": "leave", "reason": "看病"}
    )
    assert r.status_code == 302
    a = Absence.objects.get()
    assert (a.child, a.date, a.kind, a.reason, a.source) == (
        w.c_class,
        MON,
        "leave",
        "看病",
        "child",
    )
    html = client.get(_child_url(w.c_class)).content.decode()
    assert "2026-11-23" in html and "看病" in html
    # back at school after all: the absence goes
    client.post(_child_url(w.c_class), {"date": "2026-11-23", "mark": "present", "reason": ""})
    assert not Absence.objects.exists()


def test_one_childs_entry_is_checked(w, login):
    client = login(w.teacher)
    r = client.post(_child_url(w.c_class), {"date": "2026-11-23", "mark": "leave", "reason": ""})
    assert "请假须填写原因" in r.content.decode()
    r = client.post(_child_url(w.c_class), {"date": "2026-11-21", "mark": "unexcused"})
    assert "不是上学日" in r.content.decode()
    assert not Absence.objects.exists()


def test_who_may_record_one_childs_absence(w, login):
    data = {"date": "2026-11-23", "mark": "unexcused", "reason": ""}
    # a teacher: their class only
    assert login(w.teacher).get(_child_url(w.c_s1_other_class)).status_code == 404
    assert login(w.teacher).post(_child_url(w.c_s1_other_class), data).status_code == 404
    # a school admin: their school
    assert login(w.school_admin).post(_child_url(w.c_s1_other_class), data).status_code == 302
    assert login(w.school_admin).get(_child_url(w.c_t2)).status_code == 404
    # a village cadre sees 王小明 but does not record attendance
    assert (
        login(w.village_user).get(reverse("child_detail", args=[w.c_class.pk])).status_code == 200
    )
    assert login(w.village_user).post(_child_url(w.c_class), data).status_code == 404
    assert login(w.county_user).get(_child_url(w.c_class)).status_code == 404
    assert list(Absence.objects.values_list("child__name", flat=True)) == ["李二"]


# ---------------------------------------------------------------------- import

HEADER = ["日期", "学校", "年级", "班级", "姓名", "身份证号", "状态", "原因"]


def _rows(w, *extra):
    return [
        HEADER,
        [
            "2026-11-23",
            "甲镇中心学校",
            "五年级",
            "1班",
            "王小明",
            w.c_class.id_number,
            "无故未到校",
            "",
        ],
        ["2026/11/24", "", "", "", "李小红", w.c_red.id_number, "病假", ""],
        ["2026-11-24", "甲镇中心学校", "5", "1", "张小刚", "", "请假", "走亲戚"],
        *extra,
    ]


def xlsx(rows, title="甲镇中心学校缺勤登记表"):
    wb = Workbook()
    ws = wb.active
    ws.append([title])
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


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


def test_import_creates_then_finds_everything_unchanged(w, tmp_path):
    code, result = _cli(tmp_path, _rows(w))
    created = {"created": 3, "updated": 0, "unchanged": 0, "present": 0, "roll_calls": 6}
    assert (code, result) == (0, {**created, "errors": []})
    assert _absences() == {
        ("王小明", MON): ("unexcused", ""),
        ("李小红", TUE): ("leave", "病假"),
        ("张小刚", TUE): ("leave", "走亲戚"),
    }
    assert set(Absence.objects.values_list("source", flat=True)) == {"import"}
    # the sheet is the roll call of 甲镇中心学校 on both its days (every class)
    assert set(ClassRollCall.objects.values_list("grade", "class_name", "date", "source")) == {
        (grade, name, day, "sheet")
        for grade, name in ((4, "1班"), (5, "1班"), (5, "2班"))
        for day in (MON, TUE)
    }

    code, result = _cli(tmp_path, _rows(w))
    unchanged = {"created": 0, "updated": 0, "unchanged": 3, "present": 0, "roll_calls": 6}
    assert (code, result) == (0, {**unchanged, "errors": []})
    # a blank 原因 keeps the reason already recorded
    rows = _rows(w)
    rows[3][7] = ""
    assert _cli(tmp_path, rows)[1]["unchanged"] == 3
    rows[1][6] = "请假"
    rows[1][7] = "补交假条"
    code, result = _cli(tmp_path, rows)
    assert (result["created"], result["updated"], result["unchanged"]) == (0, 1, 2)
    assert _absences()[("王小明", MON)] == ("leave", "补交假条")


def test_an_error_in_the_last_row_changes_nothing(w, tmp_path):
    rows = _rows(w, ["2026-11-24", "甲镇中心学校", "5", "1班", "查无此人", "", "请假", "病"])
    code, result = _cli(tmp_path, rows)
    assert code == 1
    assert result["created"] == 0 and result["updated"] == 0
    assert result["errors"] == [
        {"row": 6, "column": "姓名", "message": "甲镇中心学校五年级1班中没有您管辖的“查无此人”"}
    ]
    assert not Absence.objects.exists()


def test_import_reports_each_bad_cell_by_row_and_column(w, tmp_path):
    w.c_twin = _child(w, "张小刚", 905, id_number=False)
    rows = [
        HEADER,
        ["2026-11-22", "甲镇中心学校", "5", "1班", "王小明", w.c_class.id_number, "请假", "病"],
        ["2026-11-26", "", "", "", "李小红", w.c_red.id_number, "请假", "病"],
        ["2026-11-24", "甲镇中心学校", "5", "1班", "张小刚", "", "请假", "病"],
        ["2026-11-24", "", "", "", "李小红", w.c_class.id_number, "迟到", ""],
        ["2026-11-24", "", "", "", "王小明", w.c_class.id_number, "请假", ""],
        ["2026-11-24", "", "", "", "李二", w.c_s1_other_class.id_number, "请假", "病"],
        ["2026-11-24", "", "", "", "王五", "", "请假", "病"],
        ["2026-11-24", "乙乡小学", "", "", "赵四", w.c_t2.id_number, "请假", "病"],
    ]
    code, result = _cli(tmp_path, rows, "--school", "甲镇中心学校")
    assert code == 1
    errors = [(e["row"], e["column"]) for e in result["errors"]]
    assert errors == [
        (3, "日期"),  # a Sunday
        (4, "日期"),  # tomorrow
        (5, "姓名"),  # two 张小刚 in the class
        (6, "状态"),  # 迟到 is not a choice
        (6, "姓名"),  # the name does not go with the ID number
        (7, "原因"),  # leave without a reason
        (9, "身份证号"),  # neither ID number nor class
        (10, "学校"),  # another school than --school
    ]
    assert "不是甲镇中心学校的上学日" in result["errors"][0]["message"]
    assert not Absence.objects.exists()


def test_the_same_child_twice_on_one_day_is_an_error(w, tmp_path):
    rows = _rows(w, ["2026-11-23", "", "", "", "王小明", w.c_class.id_number, "请假", "病"])
    code, result = _cli(tmp_path, rows)
    assert code == 1 and "与第3行是同一学生同一天" in result["errors"][0]["message"]


def test_import_dry_run_writes_nothing(w, tmp_path):
    code, result = _cli(tmp_path, _rows(w), "--dry-run")
    assert (code, result["created"]) == (0, 3)
    assert not Absence.objects.exists()


def test_import_cli_plain_output_and_missing_file(w, tmp_path):
    path = tmp_path / "a.xlsx"
    path.write_bytes(xlsx(_rows(w)))
    out = StringIO()
    call_command("import_attendance", str(path), stdout=out)
    assert "新增 3，更新 0，未变 0" in out.getvalue()
    from django.core.management import CommandError

    with pytest.raises(CommandError):
        call_command("import_attendance", str(tmp_path / "none.xlsx"))


def test_a_teacher_uploads_checks_and_commits_a_sheet(w, login):
    client = login(w.teacher)
    url = reverse("cases:attendance_import")
    assert "下载模板" in client.get(url).content.decode()
    upload = SimpleUploadedFile("缺勤.xlsx", xlsx(_rows(w)))
    page = client.post(url, {"file": upload})
    html = page.content.decode()
    assert "检查结果" in html and "将新增 <strong>3</strong>" in html and "确认导入" in html
    assert not Absence.objects.exists()
    html = client.post(reverse("cases:attendance_import_commit")).content.decode()
    assert "导入结果" in html and "新增 <strong>3</strong>" in html
    assert Absence.objects.count() == 3
    assert set(Absence.objects.values_list("recorded_by", flat=True)) == {w.teacher.pk}
    # the pending sheet is gone: a second commit does nothing
    r = client.post(reverse("cases:attendance_import_commit"))
    assert r.status_code == 302 and Absence.objects.count() == 3


def test_a_teacher_imports_only_their_own_class(w, login):
    client = login(w.teacher)
    rows = _rows(w, ["2026-11-24", "", "", "", "李二", w.c_s1_other_class.id_number, "请假", "病"])
    html = client.post(
        reverse("cases:attendance_import"), {"file": SimpleUploadedFile("a.xlsx", xlsx(rows))}
    ).content.decode()
    assert "有错误，未写入任何数据" in html and "第6行" in html
    assert "该身份证号不在您的管辖范围内，请联系本校教务处核实" in html
    assert not Absence.objects.exists()


def test_the_import_template_downloads(w, login):
    r = login(w.school_admin).get(reverse("cases:attendance_import_template"))
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxml")


# ---------------------------------------------------------- late correction


def _scan(w, *days):
    for day in days:
        scan.run_daily_checks(on=day, county=w.county)


def test_correcting_the_only_unexcused_day_to_leave_cancels_a_fresh_case(w, login):
    client = login(w.teacher)
    _post_class(client, w, TUE, 王小明=("unexcused", ""))
    _scan(w, TUE)
    case = Case.objects.get(child=w.c_class)
    assert (case.state, case.stage, case.streak, case.first_absent_on) == ("open", 1, 1, TUE)
    assert Todo.objects.filter(case=case, done_at__isnull=True).exists()

    r = _post_class(client, w, TUE, 王小明=("leave", "家长补请病假"))
    case.refresh_from_db()
    assert (case.state, case.ending) == ("closed", Case.Ending.CANCELLED)
    event = CaseEvent.objects.filter(case=case, action="cancel").get()
    assert (event.note, event.by) == ("缺勤更正为请假", w.teacher)
    assert not Todo.objects.filter(case=case, done_at__isnull=True).exists()
    assert "已撤销王小明的个案" in client.get(r["Location"]).content.decode()


def test_a_correction_updates_the_streak_of_an_older_case(w, login):
    week = [D(2026, 11, 16) + datetime.timedelta(days=i) for i in range(5)]  # Mon–Fri
    for day in week:
        attendance.record_child_absence(
            child=w.c_class, day=day, mark="unexcused", by=w.teacher, today=TODAY
        )
        _scan(w, day)
    case = Case.objects.get(child=w.c_class)
    assert (case.state, case.streak, case.stage, case.last_scan_on) == ("open", 5, 4, week[-1])

    # Thursday was leave after all (the per-child form): the run ends on Friday
    client = login(w.teacher)
    client.post(_child_url(w.c_class), {"date": "2026-11-19", "mark": "leave", "reason": "病假"})
    case.refresh_from_db()
    assert (case.state, case.streak, case.first_absent_on) == ("open", 1, week[0])
    event = CaseEvent.objects.filter(case=case, action="correct_absence").get()
    assert "由5个上学日更正为1个上学日" in event.note and event.by == w.teacher

    # the Monday was leave too (an import): the case began on Tuesday
    attendance_import_rows = [
        HEADER,
        ["2026-11-16", "", "", "", "王小明", w.c_class.id_number, "请假", "病假"],
    ]
    from cases.attendance import importing as attendance_import
    from students.jurisdiction import SYSTEM

    buf = io.BytesIO(xlsx(attendance_import_rows))
    plan = attendance_import.import_file(buf, filename="a.xlsx", user=SYSTEM)
    assert not plan.errors and [c.pk for c in plan.result.corrected] == [case.pk]
    case.refresh_from_db()
    assert (case.state, case.streak, case.first_absent_on) == ("open", 1, week[1])


def test_a_case_past_the_first_step_is_not_cancelled_by_a_correction(w):
    week = [D(2026, 11, 16) + datetime.timedelta(days=i) for i in range(3)]
    for day in week:
        attendance.record_child_absence(
            child=w.c_class, day=day, mark="unexcused", by=w.teacher, today=TODAY
        )
        _scan(w, day)
    case = Case.objects.get(child=w.c_class)
    assert case.stage == 3  # the day-3 home visits are under way
    for day in week:
        attendance.record_child_absence(
            child=w.c_class, day=day, mark="leave", reason="病假", by=w.teacher, today=TODAY
        )
    case.refresh_from_db()
    assert (case.state, case.streak) == ("open", 0)


def test_reconsider_case_without_an_open_case_does_nothing(w):
    assert attendance.reconsider_case(child=w.c_class, by=w.teacher) == (None, False)


# ----------------------------------------------------------------- browser


@pytest.mark.browser
def test_a_class_teacher_takes_attendance_on_a_phone(w, live_server, phone, browser_login):
    browser_login(w.teacher)
    phone.get_by_role("link", name="考勤").click()
    phone.wait_for_url("**/cases/attendance/")
    assert phone.get_by_text("2026年11月25日（今天）").is_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    gang, red = f"#att-{w.c_gang.pk}", f"#att-{w.c_red.pk}"
    phone.locator(f"{gang} label", has_text="无故未到校").click()
    phone.locator(f"{red} label", has_text="请假").click()
    reason = phone.get_by_label("李小红 原因")
    assert reason.is_visible()
    assert not phone.get_by_label("王小明 原因").is_visible()  # present: no reason asked
    reason.fill("发烧，家长来电请假")
    phone.get_by_role("button", name="保存考勤").click()
    phone.get_by_text("已保存：新增缺勤 2 人").wait_for()

    assert phone.locator(red).get_by_text("已登记：请假（发烧，家长来电请假）").is_visible()
    assert phone.locator(gang).get_by_text("已登记：无故未到校").is_visible()
    assert phone.locator(f"#k{w.c_gang.pk}-unexcused").is_checked()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert _absences() == {
        ("李小红", TODAY): ("leave", "发烧，家长来电请假"),
        ("张小刚", TODAY): ("unexcused", ""),
    }
    assert ClassRollCall.objects.filter(date=TODAY, taken_by=w.teacher).exists()
