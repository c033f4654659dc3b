"""Issue 9 (trust): password guessing is locked out, passwords are checked
in Chinese, every user changes their own password, idle sessions end."""

import datetime

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

RIGHT = "right-password-2026"


def _post_login(client, username, password, **extra):
    return client.post("/login/", {"username": username, "password": password}, **extra)


def test_password_guessing_locks_the_account_and_says_so_in_chinese(world, client, settings):
    world.village_user.set_password(RIGHT)
    world.village_user.save()
    for i in range(settings.AXES_FAILURE_LIMIT - 1):
        resp = _post_login(client, "village", f"guess-{i}")
        assert resp.status_code == 200
        assert "用户名或密码不正确" in resp.text
    assert _post_login(client, "village", "one-guess-too-many").status_code == 429

    # the right password no longer opens the account from here...
    resp = _post_login(client, "village", RIGHT, HTTP_ACCEPT_LANGUAGE="en")
    assert resp.status_code == 429
    assert "_auth_user_id" not in client.session
    assert "已暂时锁定" in resp.text and "30 分钟后再试" in resp.text
    assert "Account locked" not in resp.text and "Forbidden" not in resp.text
    assert 'id="id_password"' in resp.text  # still the login page, in the app's look
    # ...while another user at the same desk still signs in
    world.teacher.set_password(RIGHT)
    world.teacher.save()
    resp = _post_login(client, "teacher", RIGHT)
    assert resp.status_code == 302 and client.session["_auth_user_id"] == str(world.teacher.pk)


def test_a_mistyped_password_now_and_then_does_not_lock_anyone_out(world, client, settings):
    world.village_user.set_password(RIGHT)
    world.village_user.save()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _post_login(client, "village", "typo")
    assert _post_login(client, "village", RIGHT).status_code == 302
    client.logout()
    # a success starts the count again
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _post_login(client, "village", "typo")
    assert _post_login(client, "village", RIGHT).status_code == 302


def test_the_top_bar_offers_every_signed_in_user_a_password_change(world, login):
    for user in (world.village_user, world.teacher, world.county_user, world.nobody):
        page = login(user).get("/", follow=True).text
        assert 'href="/password/"' in page and "修改密码" in page, user.username


@pytest.mark.parametrize(
    "new, message",
    [
        ("short-1", "密码太短，至少需要 10 个字符。"),
        ("12345678901234", "密码不能全是数字。"),
        ("password123", "这个密码太常见"),
        ("teacher2026x", "密码与用户名太相似"),
    ],
)
def test_a_weak_new_password_is_refused_in_chinese(world, login, new, message):
    client = login(world.teacher)
    resp = client.post(
        "/password/",
        {"old_password": "pw-123456-x", "new_password1": new, "new_password2": new},
        HTTP_ACCEPT_LANGUAGE="en",  # the browser's language does not turn it English
    )
    assert resp.status_code == 200
    assert message in resp.text
    assert "This password" not in resp.text and "too similar" not in resp.text
    world.teacher.refresh_from_db()
    assert world.teacher.check_password("pw-123456-x")


def test_changing_the_password_keeps_the_user_signed_in(world, login, client):
    login(world.teacher)
    page = client.get("/password/")
    assert page.status_code == 200 and "旧密码" in page.text and "新密码确认" in page.text
    new = "Jiaotan-class5-2026"
    resp = client.post(
        "/password/",
        {"old_password": "pw-123456-x", "new_password1": new, "new_password2": new},
        follow=True,
    )
    assert resp.redirect_chain and "密码已修改" in resp.text
    assert client.get("/children/").status_code == 200  # this session goes on
    world.teacher.refresh_from_db()
    assert world.teacher.check_password(new)


def test_the_wrong_old_password_changes_nothing(world, login):
    client = login(world.teacher)
    new = "Jiaotan-class5-2026"
    resp = client.post(
        "/password/", {"old_password": "nope", "new_password1": new, "new_password2": new}
    )
    assert "你的旧密码不正确" in resp.text
    world.teacher.refresh_from_db()
    assert world.teacher.check_password("pw-123456-x")


def test_password_page_needs_a_signed_in_user(client, db):
    resp = client.get("/password/")
    assert resp.status_code == 302 and resp.url.startswith("/login/")


def _backdate(key, *, last_request, expires):
    """The stored session as if its last request was `last_request` ago and
    it ends in `expires` (negative: ended)."""
    store = SessionStore(session_key=key)
    data = store.load()
    data["_last_seen"] = int((timezone.now() - last_request).timestamp())
    Session.objects.filter(pk=key).update(
        session_data=store.encode(data), expire_date=timezone.now() + expires
    )


def test_an_idle_session_ends_and_an_active_one_goes_on(world, client):
    world.teacher.set_password(RIGHT)
    world.teacher.save()
    resp = _post_login(client, "teacher", RIGHT)
    assert resp.status_code == 302
    assert resp.cookies["sessionid"]["max-age"] == 2 * 60 * 60
    key = client.cookies["sessionid"].value

    # last request almost two hours ago: still signed in, and the two hours start again
    _backdate(
        key, last_request=datetime.timedelta(minutes=119), expires=datetime.timedelta(minutes=1)
    )
    resp = client.get("/children/")
    assert resp.status_code == 200
    assert resp.cookies["sessionid"]["max-age"] == 2 * 60 * 60
    assert Session.objects.get(pk=key).expire_date > timezone.now() + datetime.timedelta(
        minutes=110
    )

    # more than two hours without a request: signed out
    _backdate(
        key, last_request=datetime.timedelta(minutes=121), expires=-datetime.timedelta(minutes=1)
    )
    resp = client.get("/children/")
    assert resp.status_code == 302 and resp.url.startswith("/login/")
