"""Issue 9 (trust): production settings, security headers, no inline script,
and the Chinese error pages."""

import re
from pathlib import Path

import pytest
from django.test import Client

from .test_platform import _manage

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DJANGO_SECRET_KEY": "k" * 20 + "-production-like-secret-ABCDEFGHIJKLMNOPQRSTUVWXYZ-0123456789",
    "DJANGO_ALLOWED_HOSTS": "kongchuo.example.gov.cn",
}


# --- check --deploy ---------------------------------------------------------


def test_an_https_deployment_is_clean_for_check_deploy_and_has_hsts():
    """README's variables without DJANGO_HSTS_SECONDS: HTTPS is the default,
    so HSTS is on by itself."""
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env_overrides=PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    shown = _manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.SECURE_HSTS_SECONDS)",
        env_overrides=PRODUCTION,
    )
    assert shown.stdout.splitlines()[-1] == "31536000", shown.stderr


def test_a_plain_http_intranet_is_clean_for_check_deploy_with_a_clear_note():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env_overrides={
            **PRODUCTION,
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DJANGO_SECURE_COOKIES": "0",
        },
    )
    out = result.stdout + result.stderr
    assert result.returncode == 0, out
    assert "kongchuo.I001" in out and "plain HTTP" in out


def test_proxy_headers_are_trusted_only_when_the_deployment_says_it_is_behind_nginx():
    code = "from django.conf import settings; print(settings.SECURE_PROXY_SSL_HEADER)"
    alone = _manage("shell", "-c", code, env_overrides=PRODUCTION)
    assert alone.stdout.splitlines()[-1] == "None", alone.stderr
    proxied = _manage("shell", "-c", code, env_overrides={**PRODUCTION, "DJANGO_BEHIND_PROXY": "1"})
    assert "HTTP_X_FORWARDED_PROTO" in proxied.stdout.splitlines()[-1], proxied.stderr


@pytest.mark.django_db
def test_a_client_claiming_https_is_still_redirected_to_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    resp = client.get("/login/", HTTP_X_FORWARDED_PROTO="https")
    assert resp.status_code == 301 and resp.url.startswith("https://")


# --- headers ----------------------------------------------------------------


def _csp(resp):
    header = resp["Content-Security-Policy"]
    return {
        part.split()[0]: part.split()[1:] for part in (p.strip() for p in header.split(";")) if part
    }


def test_pages_allow_only_the_sites_own_scripts_and_styles(world, login):
    client = login(world.teacher)
    for url in ("/", "/cases/attendance/", "/children/", "/login/"):
        resp = client.get(url)
        assert resp.status_code == 200, url
        csp = _csp(resp)
        assert csp["default-src"] == ["'self'"], url
        assert csp["script-src"] == ["'self'"], url
        assert csp["style-src"] == ["'self'"], url
        assert csp["frame-ancestors"] == ["'none'"] and csp["object-src"] == ["'none'"], url
        assert "unsafe" not in resp["Content-Security-Policy"]


def test_no_template_has_inline_script_styles_or_handlers():
    offenders = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in tag:
                offenders.append(f"{path.name}: inline {tag}")
        for attr in re.findall(r"\son[a-z]+\s*=", text):
            offenders.append(f"{path.name}: handler {attr.strip()}")
        if re.search(r"\sstyle\s*=", text) or "<style" in text:
            offenders.append(f"{path.name}: inline style")
        if re.search(r"""(src|href)=["']?(https?:)?//""", text):
            offenders.append(f"{path.name}: loads from outside")
    assert offenders == []


def test_pages_switch_off_device_features(client, db):
    policy = client.get("/login/")["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
        assert feature in policy


def test_signed_in_pages_are_never_stored(world, login):
    client = login(world.teacher)
    for url in ("/", "/children/", f"/children/{world.c_class.pk}/", "/cases/attendance/"):
        resp = client.get(url)
        assert resp.status_code == 200, url
        cache = {p.strip() for p in resp["Cache-Control"].split(",")}
        assert {"no-store", "private"} <= cache, url


# --- error pages (DEBUG off) -------------------------------------------------

ENGLISH_DEFAULTS = (
    "Not Found",
    "Server Error",
    "Bad Request",
    "403 Forbidden",
    "CSRF verification failed",
    "Traceback",
    "secret-internal-detail",
)


def _looks_like_the_app(resp, *chinese):
    text = resp.content.decode()
    assert "控辍保学" in text and "css/app.css" in text
    for words in chinese:
        assert words in text
    for english in ENGLISH_DEFAULTS:
        assert english not in text, english


@pytest.fixture
def no_debug(settings):
    settings.DEBUG = False
    return settings


def test_404_page_is_chinese(world, login, no_debug):
    resp = login(world.teacher).get("/children/999999/")
    assert resp.status_code == 404
    _looks_like_the_app(resp, "页面不存在", "返回首页")
    assert "修改密码" in resp.content.decode()  # the signed-in top bar


def test_403_page_is_chinese_and_says_why(world, login, no_debug):
    resp = login(world.teacher).get("/cases/dispositions/pending/")
    assert resp.status_code == 403
    _looks_like_the_app(resp, "无权操作", "只有县教育局可以审批处置。")


def test_400_page_is_chinese(db, client, no_debug):
    resp = client.get("/login/", HTTP_HOST="attacker.example.com")
    assert resp.status_code == 400
    _looks_like_the_app(resp, "请求有误")


@pytest.mark.urls("tests.probe_urls")
def test_400_page_for_a_suspicious_request(world, login, no_debug):
    resp = login(world.teacher).get("/test-suspicious/")
    assert resp.status_code == 400
    _looks_like_the_app(resp, "请求有误")


@pytest.mark.urls("tests.probe_urls")
def test_500_page_is_chinese_without_a_stack_trace(world, no_debug):
    client = Client(raise_request_exception=False)
    client.force_login(world.teacher)
    resp = client.get("/test-boom/")
    assert resp.status_code == 500
    _looks_like_the_app(resp, "系统出错了", "返回首页")


def test_csrf_failure_page_is_chinese(world, no_debug):
    client = Client(enforce_csrf_checks=True)
    resp = client.post("/login/", {"username": "teacher", "password": "pw-123456-x"})
    assert resp.status_code == 403
    _looks_like_the_app(resp, "页面已过期，请重新提交")
    assert "_auth_user_id" not in client.session
