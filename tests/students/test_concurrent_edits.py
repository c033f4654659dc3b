"""Two people editing the same child (or household): the second save, made on
the page as it was before the first, is refused with a clear message instead
of silently overwriting the first. So is a save on a page opened before the
daily scan or an import changed the record."""

import pytest
from django.test import Client
from django.urls import reverse

from students.models import Child, Household
from students.services import change_status_of_many

from .import_helpers import ID3, roster_rows, xlsx
from .test_import import run

STALE_CHILD = "该学生信息已被他人修改，请刷新后再保存"
STALE_HOUSEHOLD = "该家庭户信息已被他人修改，请刷新后再保存"


def browser(user):
    c = Client()
    c.force_login(user)
    return c


def opened(client, url):
    """What the edit page sends back when saved unchanged: its fields as shown."""
    form = client.get(url).context["form"]
    data = {}
    for field in form:
        value = field.value()
        if value is None or value is False:
            continue
        data[field.name] = "on" if value is True else value
    if "change_reason" in form.fields:  # an edit says why (变更原因)
        data["change_reason"] = "入户核实"
    return data


def child_url(child):
    return reverse("child_edit", args=[child.pk])


def test_the_second_of_two_edits_of_a_child_is_refused_not_overwriting(world):
    child = world.c_class
    cadre, office = browser(world.village_user), browser(world.township_user)
    first = opened(cadre, child_url(child))
    second = opened(office, child_url(child))

    assert cadre.post(child_url(child), {**first, "mother_name": "李梅"}).status_code == 302
    resp = office.post(child_url(child), {**second, "mother_name": "张丽"})
    assert resp.status_code == 200 and STALE_CHILD in resp.content.decode()
    child.refresh_from_db()
    assert child.mother_name == "李梅"

    # Reloaded, the page shows 李梅 and saves.
    again = opened(office, child_url(child))
    assert again["mother_name"] == "李梅"
    assert office.post(child_url(child), {**again, "mother_name": "张丽"}).status_code == 302
    child.refresh_from_db()
    assert child.mother_name == "张丽"


def test_an_edit_opened_before_the_daily_scan_changed_the_status_is_refused(world):
    child = world.c_class
    cadre = browser(world.village_user)
    page = opened(cadre, child_url(child))
    change_status_of_many(
        child_ids=[child.pk],
        status=Child.Status.SUSPECTED_DROPOUT,
        from_statuses=[Child.Status.ENROLLED],
        reason="连续无故缺课",
    )
    resp = cadre.post(child_url(child), {**page, "mother_name": "李梅"})
    assert resp.status_code == 200 and STALE_CHILD in resp.content.decode()
    assert Child.objects.get(pk=child.pk).mother_name == ""


def test_an_edit_opened_before_an_import_changed_the_child_is_refused(world):
    run(world, xlsx(roster_rows()))
    child = Child.objects.get(id_number=ID3)
    cadre = browser(world.village_user)
    page = opened(cadre, child_url(child))
    batch = run(
        world,
        xlsx(
            roster_rows(
                {
                    (3, "就读学校"): "甲镇中心学校",
                    (3, "就读年级班级"): "一年级1班",
                    (3, "入学状态"): "在读",
                }
            )
        ),
    )
    assert batch.updated == 1
    resp = cadre.post(child_url(child), {**page, "mother_name": "李梅"})
    assert resp.status_code == 200 and STALE_CHILD in resp.content.decode()
    child.refresh_from_db()
    assert child.grade == 1 and child.mother_name == ""


def test_a_page_without_the_version_it_was_opened_at_is_refused(world):
    cadre = browser(world.village_user)
    page = opened(cadre, child_url(world.c_class))
    del page["version"]
    resp = cadre.post(child_url(world.c_class), {**page, "mother_name": "李梅"})
    assert resp.status_code == 200 and STALE_CHILD in resp.content.decode()


def test_the_history_does_not_list_the_version(world):
    cadre = browser(world.village_user)
    page = opened(cadre, child_url(world.c_class))
    cadre.post(child_url(world.c_class), {**page, "mother_name": "李梅"})
    html = cadre.get(reverse("child_detail", args=[world.c_class.pk])).content.decode()
    assert "母亲姓名：— → 李梅" in html and "版本" not in html


@pytest.mark.parametrize("field", ["address", "phone"])
def test_the_second_of_two_edits_of_a_household_is_refused(world, field):
    url = reverse("household_edit", args=[world.h1.pk])
    cadre, office = browser(world.village_user), browser(world.township_user)
    first, second = opened(cadre, url), opened(office, url)
    assert cadre.post(url, {**first, field: "13811112222"}).status_code == 302
    resp = office.post(url, {**second, field: "13833334444"})
    assert resp.status_code == 200 and STALE_HOUSEHOLD in resp.content.decode()
    assert getattr(Household.objects.get(pk=world.h1.pk), field) == "13811112222"
