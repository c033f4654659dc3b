"""The access log (访问日志): what is recorded, who may read it, and the
reason every edit of a child now asks for."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from students import importing
from students.models import AccessLog, Child, ImportBatch
from students.services import change_child_status, change_status_of_many

from .import_helpers import roster_rows, xlsx

A = AccessLog.Action


def entries(action):
    return AccessLog.objects.filter(action=action).order_by("pk")


# --- what is recorded -------------------------------------------------------


def test_logins_and_failed_logins_are_recorded_with_the_address(world, client):
    url = reverse("login")
    client.post(url, {"username": "township", "password": "wrong"}, REMOTE_ADDR="10.1.2.3")
    client.post(url, {"username": "nosuchuser", "password": "x"}, REMOTE_ADDR="10.1.2.4")
    assert client.post(url, {"username": "township", "password": "pw-123456-x"}).status_code == 302
    failed = list(entries(A.LOGIN_FAILED))
    assert [(e.user, e.username, e.ip, e.county) for e in failed] == [
        (world.township_user, "township", "10.1.2.3", world.county),
        (None, "nosuchuser", "10.1.2.4", None),
    ]
    ok = entries(A.LOGIN).get()
    assert (ok.user, ok.ip, ok.county) == (world.township_user, "127.0.0.1", world.county)


def test_the_edit_form_showing_phones_is_a_recorded_look(world, login):
    client = login(world.village_user)
    html = client.get(reverse("child_edit", args=[world.c_class.pk])).content.decode()
    assert "13900001111" in html
    log = entries(A.REVEAL).get()
    assert (log.user, log.child, log.detail) == (
        world.village_user,
        world.c_class,
        "联系电话（编辑表单）",
    )


def test_every_status_change_is_in_the_log(world, login):
    change_child_status(
        child=world.c_t2, status=Child.Status.DROPOUT, by=world.county_user, reason="核实辍学"
    )
    change_status_of_many(
        child_ids=[world.c_class.pk, world.c_cross.pk],
        status=Child.Status.SUSPECTED_DROPOUT,
        from_statuses=[Child.Status.ENROLLED, Child.Status.NOT_ENROLLED],
        reason="连续3个上学日无故缺课：疑似辍学认定",
    )
    logs = list(entries(A.STATUS))
    assert [(e.user, e.child, e.county) for e in logs] == [
        (world.county_user, world.c_t2, world.county),
        (None, world.c_class, world.county),
        (None, world.c_cross, world.county),
    ]
    assert logs[0].detail.endswith("→ 辍学：核实辍学")
    assert "疑似辍学认定" in logs[1].detail


def test_an_import_commit_and_the_error_sheet_download_are_logged(
    world, login, django_capture_on_commit_callbacks
):
    batch = ImportBatch.objects.create(
        kind="roster", county=world.county, user=world.village_user, filename="台账.xlsx"
    )
    batch.file.save("台账.xlsx", SimpleUploadedFile("台账.xlsx", xlsx(roster_rows())), save=True)
    batch = importing.commit(batch)
    assert batch.state == ImportBatch.State.COMMITTED
    log = entries(A.IMPORT).get()
    assert (log.user, log.county) == (world.village_user, world.county)
    assert f"批次#{batch.pk}" in log.detail and "新增学生 3" in log.detail

    client = login(world.village_user)
    upload = SimpleUploadedFile("错.xlsx", xlsx(roster_rows({(2, "性别"): "x"})))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("import_list"), {"kind": "roster", "village": world.v1.pk, "file": upload}
        )
    bad = ImportBatch.objects.get(filename="错.xlsx")
    assert client.get(reverse("import_errors", args=[bad.pk])).status_code == 200
    log = entries(A.DOWNLOAD).get()
    assert (log.user, log.county) == (world.village_user, world.county)
    assert log.detail == f"导入错误表“错.xlsx”（批次#{bad.pk}）"


def test_the_log_cannot_be_edited(world):
    log = AccessLog.objects.create(user=world.sysadmin, action=A.LOGIN)
    log.detail = "改写"
    with pytest.raises(ValueError, match="不可修改"):
        log.save()
    log.refresh_from_db()
    assert log.detail == ""


# --- the page ---------------------------------------------------------------


def _entry(user, action, child=None, *, detail="", days_ago=0):
    (e,) = AccessLog.objects.bulk_create(
        [
            AccessLog(
                user=user,
                username=user.username if user else "",
                action=action,
                child=child,
                county=child.village.township.county if child else None,
                detail=detail,
            )
        ]
    )
    AccessLog.objects.filter(pk=e.pk).update(at=timezone.now() - datetime.timedelta(days=days_ago))
    return e


def test_the_menu_and_page_are_for_the_county_and_the_system_administrator(world, login):
    url = reverse("audit_log")
    for user in (world.county_user, world.sysadmin):
        client = login(user)
        assert f'href="{url}"' in client.get(reverse("home")).content.decode()
        assert client.get(url).status_code == 200
    for user in (world.village_user, world.teacher, world.school_admin, world.township_user):
        client = login(user)
        assert f'href="{url}"' not in client.get(reverse("home")).content.decode()
        assert client.get(url).status_code == 404


def test_a_county_reads_its_own_entries_masked_and_the_sysadmin_all(world, login):
    _entry(world.township_user, A.REVEAL, world.c_class, detail="身份证号（详情页）")
    _entry(world.village_user, A.REVEAL, world.c_other_county, detail="身份证号（详情页）")
    html = login(world.county_user).get(reverse("audit_log")).content.decode()
    assert "王小明" in html and "孙六" not in html
    assert world.c_class.id_number not in html
    assert world.c_class.id_number[-4:] in html  # masked: the tail only
    html = login(world.sysadmin).get(reverse("audit_log")).content.decode()
    assert "王小明" in html and "孙六" in html


def test_search_by_user_child_name_id_tail_and_dates(world, login):
    _entry(world.township_user, A.REVEAL, world.c_class, detail="甲")
    _entry(world.village_user, A.REVEAL, world.c_t2, detail="乙")
    _entry(world.village_user, A.EXPORT, detail="丙", days_ago=10)
    client = login(world.sysadmin)
    url = reverse("audit_log")

    def details(**query):
        html = client.get(url, query).content.decode()
        return [d for d in ("<td>甲</td>", "<td>乙</td>", "<td>丙</td>") if d in html]

    assert details() == ["<td>甲</td>", "<td>乙</td>", "<td>丙</td>"]
    assert details(user="village") == ["<td>乙</td>", "<td>丙</td>"]
    assert details(child="赵四") == ["<td>乙</td>"]
    assert details(child=world.c_class.id_number[-6:]) == ["<td>甲</td>"]
    today = timezone.localdate()
    assert details(date_from=(today - datetime.timedelta(days=1)).isoformat()) == [
        "<td>甲</td>",
        "<td>乙</td>",
    ]
    assert details(date_to=(today - datetime.timedelta(days=5)).isoformat()) == ["<td>丙</td>"]


def test_the_page_is_paginated_in_a_fixed_number_of_queries(
    world, login, django_assert_max_num_queries
):
    children = [world.c_class, world.c_t2, world.c_cross, world.c_s1_other_class]
    users = [world.village_user, world.teacher, world.township_user, world.county_user]
    AccessLog.objects.bulk_create(
        [
            AccessLog(
                user=users[i % 4],
                username=users[i % 4].username,
                action=A.REVEAL,
                child=children[i % 4],
                county=world.county,
                detail=f"第{i}条",
            )
            for i in range(120)
        ]
    )
    client = login(world.county_user)
    with django_assert_max_num_queries(10):
        html = client.get(reverse("audit_log"), {"action": "reveal"}).content.decode()
    assert "第 1 / 3 页" in html and "共 120 条记录" in html
    with django_assert_max_num_queries(10):
        html = client.get(reverse("audit_log"), {"action": "reveal", "page": 3}).content.decode()
    assert "第 3 / 3 页" in html and "第0条" in html


# --- who and why ------------------------------------------------------------


def _edit_post(child, **extra):
    return {
        "village": child.village_id,
        "household": child.household_id or "",
        "name": child.name,
        "gender": child.gender,
        "birth_date": child.birth_date.isoformat(),
        "id_number": "",
        "xueji_number": "",
        "school": child.school_id or "",
        "grade": child.grade or "",
        "class_name": child.class_name,
        "father_name": child.father_name,
        "father_phone": "13900002222",
        "version": child.version,  # the form's hidden field: the version it was opened at
        **extra,
    }


def test_editing_a_child_asks_why_and_keeps_the_reason_in_history(world, login):
    client = login(world.village_user)
    url = reverse("child_edit", args=[world.c_class.pk])
    form = client.get(url).content.decode()
    assert "变更原因" in form
    resp = client.post(url, _edit_post(world.c_class))
    assert resp.status_code == 200 and "变更原因" in resp.content.decode()
    world.c_class.refresh_from_db()
    assert world.c_class.father_phone == "13900001111"  # nothing saved without a reason

    resp = client.post(url, _edit_post(world.c_class, change_reason="入户核实，父亲换了号码"))
    assert resp.status_code == 302
    latest = world.c_class.history.latest()
    assert (latest.father_phone, latest.history_user, latest.history_change_reason) == (
        "13900002222",
        world.village_user,
        "入户核实，父亲换了号码",
    )
    page = client.get(reverse("child_detail", args=[world.c_class.pk])).content.decode()
    assert "入户核实，父亲换了号码" in page


def test_a_new_child_needs_no_reason(world, login):
    client = login(world.village_user)
    form = client.get(reverse("child_create")).content.decode()
    assert 'name="change_reason"' not in form
