"""In Debian's chromium through Playwright, on a phone-sized window."""

import os

import pytest
from django.urls import reverse

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PHONE = {"width": 375, "height": 812}


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop; Django must allow ORM use here.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()


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
