"""In Debian's chromium through Playwright, on a phone-sized window."""

import pytest
from django.urls import reverse

from .conftest import PHONE

pytestmark = pytest.mark.browser


def test_village_cadre_logs_in_on_a_phone_and_opens_a_child(world, live_server, phone):
    world.village_user.set_password("cadre-pass-2026")
    world.village_user.save()
    phone.goto(live_server.url + reverse("home"))
    assert "登录" in phone.title()
    phone.get_by_label("用户名").fill("village")
    phone.get_by_label("密码").fill("wrong")
    phone.get_by_role("button", name="登录").click()
    assert phone.get_by_text("用户名或密码不正确").is_visible()
    phone.get_by_label("密码").fill("cadre-pass-2026")
    phone.get_by_role("button", name="登录").click()
    phone.get_by_role("heading", name="我的待办").wait_for()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.get_by_role("link", name="本村学生").click()
    phone.wait_for_url("**/children/")

    # the list fits the phone: the page itself does not scroll sideways
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert phone.get_by_role("link", name="王小明").is_visible()
    assert phone.get_by_text(world.c_t2.name).count() == 0  # another township's child

    phone.get_by_role("link", name="王小明").click()
    phone.wait_for_url(f"**/children/{world.c_class.pk}/")
    assert phone.get_by_role("heading", name="王小明").is_visible()
    id_cell = phone.locator("#id-number")
    assert "*" in id_cell.inner_text()
    phone.get_by_role("button", name="查看完整号码").click()
    assert phone.locator("#id-number").inner_text() == world.c_class.id_number
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_village_cadre_imports_a_sheet_with_one_bad_row_fixes_it_and_imports(
    world, live_server, phone, browser_login, tmp_path, celery_worker_if_broker
):
    from students.models import Child

    from .students.import_helpers import ID1, roster_rows, xlsx

    browser_login(world.village_user)
    phone.get_by_role("link", name="导入", exact=True).click()

    bad = tmp_path / "一村台账.xlsx"
    bad.write_bytes(xlsx(roster_rows({(2, "出生日期"): "2014-02-30"})))
    phone.get_by_label("导入内容").select_option("roster")
    phone.locator("#id_file").set_input_files(str(bad))
    phone.get_by_role("button", name="上传并检查").click()
    phone.get_by_text("有错误，未写入任何数据").wait_for(timeout=30_000)
    row = phone.locator("tr", has_text="第5行")
    assert "出生日期" in row.inner_text() and "日期" in row.inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert not Child.objects.filter(id_number=ID1).exists()

    good = tmp_path / "一村台账-改.xlsx"
    good.write_bytes(xlsx(roster_rows()))
    phone.get_by_role("link", name="返回导入").click()
    phone.get_by_label("导入内容").select_option("roster")
    phone.locator("#id_file").set_input_files(str(good))
    phone.get_by_role("button", name="上传并检查").click()
    phone.get_by_role("button", name="确认导入").click(timeout=30_000)
    phone.get_by_text("导入结果").wait_for(timeout=30_000)
    assert "新增学生 <strong>3</strong>" in phone.content()
    assert Child.objects.filter(id_number=ID1, name="刘一").exists()


def test_a_class_teacher_records_the_day_one_phone_call(world, live_server, phone, browser_login):
    """The scan gave the teacher the day-1 call; on a phone they record it."""
    import datetime

    from cases.ladder.scan import run_daily_checks
    from cases.models import Absence, ClassRollCall, PersuasionRecord, Term, Todo

    day = datetime.date(2026, 9, 29)
    Term.objects.create(
        county=world.county,
        name="2026年秋季学期",
        start=datetime.date(2026, 9, 1),
        end=datetime.date(2027, 1, 20),
    )
    ClassRollCall.objects.create(school=world.s1, grade=5, class_name="1班", date=day)
    Absence.objects.create(child=world.c_class, date=day, kind=Absence.Kind.UNEXCUSED)
    run_daily_checks(on=day, county=world.county)
    call = Todo.objects.get(kind="call")

    browser_login(world.teacher)
    todo = phone.locator("li.todo", has_text="电话联系监护人")
    todo.get_by_role("link", name="王小明").click()
    phone.get_by_role("link", name="添加劝学记录").click()
    phone.get_by_label("方式").select_option("phone")
    phone.get_by_label("劝学过程").fill(
        "电话联系父亲王大山：孩子称身体不适在家，已说明无故缺课的后果，家长答应明天送孩子到校。"
    )
    phone.locator("#id_outcome").select_option("agreed")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.get_by_role("button", name="保存劝学记录").click()
    phone.locator("#persuasion").get_by_text("电话").first.wait_for()
    record = PersuasionRecord.objects.get()
    assert (record.method, record.outcome, record.recorded_by) == ("phone", "agreed", world.teacher)
    call.refresh_from_db()
    assert call.done_by == world.teacher
