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

    from .test_import import ID1, roster_rows, xlsx

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
    assert "新增 <strong>3</strong>" in phone.content()
    assert Child.objects.filter(id_number=ID1, name="刘一").exists()
