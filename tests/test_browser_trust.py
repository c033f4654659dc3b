"""Issue 9 (trust) in Debian's chromium: the pages' scripts and styles work
under the Content-Security-Policy, the password page fits a phone, and a
locked-out login says so."""

import datetime

import pytest

from .conftest import PHONE

pytestmark = pytest.mark.browser


def _watch_csp(page):
    """Console messages about a refused script or style."""
    refused = []
    page.on(
        "console",
        lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None,
    )
    return refused


def test_attendance_scripts_and_styles_run_under_the_policy(
    world, phone, browser_login, live_server
):
    from cases.models import Term

    Term.objects.create(
        county=world.county,
        name="2026年秋季学期",
        start=datetime.date(2026, 9, 1),
        end=datetime.date(2027, 1, 22),
    )
    refused = _watch_csp(phone)
    browser_login(world.teacher)
    phone.goto(live_server.url + "/cases/attendance/?date=2026-11-24")
    row = phone.locator("li.att-row", has_text="王小明")
    reason = row.locator("input.att-reason")
    assert not reason.is_visible()  # 到: no reason (static/js/attendance.js)
    row.locator("label", has_text="请假").click()
    assert reason.is_visible()
    assert reason.evaluate("e => e.required")
    # static/css/attendance.css: big touch targets
    height = row.locator("label", has_text="请假").evaluate("e => e.getBoundingClientRect().height")
    assert height >= 44
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    phone.goto(live_server.url + "/cases/")
    with phone.expect_navigation():
        phone.get_by_label("状态").select_option("all")  # static/js/autosubmit.js
    assert "state=all" in phone.url
    assert refused == []


def test_a_user_changes_the_password_on_a_phone(world, phone, browser_login):
    refused = _watch_csp(phone)
    browser_login(world.village_user)
    phone.get_by_role("link", name="修改密码").click()
    phone.get_by_role("heading", name="修改密码").wait_for()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.get_by_label("旧密码").fill("browser-pass-2026")
    phone.locator("#id_new_password1").fill("12345678901")
    phone.get_by_label("新密码确认").fill("12345678901")
    phone.get_by_role("button", name="保存新密码").click()
    phone.get_by_text("密码不能全是数字").wait_for()
    phone.get_by_label("旧密码").fill("browser-pass-2026")
    phone.locator("#id_new_password1").fill("Futang-cun-2026")
    phone.get_by_label("新密码确认").fill("Futang-cun-2026")
    phone.get_by_role("button", name="保存新密码").click()
    phone.get_by_text("密码已修改").wait_for()
    world.village_user.refresh_from_db()
    assert world.village_user.check_password("Futang-cun-2026")
    assert refused == []


def test_a_locked_out_login_says_so_in_chinese(world, phone, live_server, settings):
    world.village_user.set_password("cadre-pass-2026")
    world.village_user.save()
    phone.goto(live_server.url + "/login/")
    for i in range(settings.AXES_FAILURE_LIMIT):
        phone.get_by_label("用户名").fill("village")
        phone.get_by_label("密码").fill(f"guess-{i}")
        phone.get_by_role("button", name="登录").click()
        phone.wait_for_load_state()
    phone.get_by_label("密码").fill("cadre-pass-2026")
    phone.get_by_role("button", name="登录").click()
    phone.get_by_text("该账号已暂时锁定").wait_for()
    assert phone.get_by_label("用户名").input_value() == "village"
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
