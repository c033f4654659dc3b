"""deploy/nginx.conf, run with Debian's nginx in front of the test server:
what docker-compose.yml puts in front of gunicorn."""

import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent
CONF = ROOT / "deploy" / "nginx.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"

pytestmark = pytest.mark.heavy


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _replace_once(text, old, new):
    assert text.count(old) == 1, old
    return text.replace(old, new)


@pytest.fixture
def nginx(live_server, tmp_path):
    """deploy/nginx.conf on a spare port, its upstream the live server."""
    assert os.path.exists(NGINX), "nginx is missing: apt-get install nginx-light (make debs-test)"
    port = _free_port()
    conf = CONF.read_text()
    conf = _replace_once(conf, "listen 80;", f"listen 127.0.0.1:{port};")
    conf = _replace_once(conf, "server web:8000;", f"server {urlsplit(live_server.url).netloc};")
    conf = _replace_once(conf, "alias /srv/static/;", f"alias {ROOT / 'static'}/;")
    (tmp_path / "nginx.conf").write_text(conf)
    shutil.copy("/etc/nginx/mime.types", tmp_path / "mime.types")
    main = f"daemon off; pid {tmp_path}/nginx.pid;"
    if os.geteuid() == 0:
        main += " user root;"
    log = (tmp_path / "nginx.log").open("w")
    proc = subprocess.Popen(
        [NGINX, "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"), "-g", main],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        for _ in range(400):  # wait until it listens (or has died)
            assert proc.poll() is None, (tmp_path / "nginx.log").read_text()
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


def _request(port, method, path, body=None, headers=None, declared_length=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    conn.putrequest(method, path)
    headers = dict(headers or {})
    if declared_length is not None or body is not None:
        headers["Content-Length"] = str(
            declared_length if declared_length is not None else len(body)
        )
    for name, value in headers.items():
        conn.putheader(name, value)
    conn.endheaders()
    if body is not None:
        conn.send(body)
    resp = conn.getresponse()
    data = resp.read().decode("utf-8", "replace")
    conn.close()
    return resp, data


def _max_body_bytes():
    size = re.search(r"client_max_body_size\s+(\d+)([km]?);", CONF.read_text())
    return int(size[1]) * {"": 1, "k": 1024, "m": 1024 * 1024}[size[2]]


def test_an_oversized_upload_is_refused_by_nginx_in_chinese(nginx, settings):
    limit = _max_body_bytes()
    # the sheet the app takes, plus the form around it, fits; not much more
    assert settings.IMPORT_MAX_BYTES < limit <= settings.IMPORT_MAX_BYTES * 1.5
    resp, text = _request(
        nginx,
        "POST",
        "/imports/",
        headers={"Content-Type": "multipart/form-data; boundary=x"},
        declared_length=limit + 1,
    )
    assert resp.status == 413
    assert "文件太大" in text


def test_a_sheet_as_large_as_the_import_takes_reaches_the_app(nginx, settings, db):
    body = b"x" * settings.IMPORT_MAX_BYTES
    resp, text = _request(
        nginx, "POST", "/healthz", body=body, headers={"Content-Type": "application/octet-stream"}
    )
    # Django answered (no CSRF token: its Chinese page), not nginx's 413
    assert resp.status == 403 and "页面已过期" in text


@pytest.mark.urls("tests.probe_urls")
def test_client_sent_forwarded_headers_do_not_reach_the_app(nginx, live_server, settings):
    settings.BEHIND_PROXY = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    lies = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "10.1.2.3"}
    # straight to the app, the headers would be believed...
    direct = urlsplit(live_server.url)
    conn = http.client.HTTPConnection(direct.hostname, direct.port, timeout=60)
    conn.request("GET", "/test-seen/", headers=lies)
    assert json.loads(conn.getresponse().read()) == {"scheme": "https", "client_ip": "10.1.2.3"}
    conn.close()
    # ...through nginx the app sees plain HTTP from the address nginx saw
    resp, text = _request(nginx, "GET", "/test-seen/", headers=lies)
    assert resp.status == 200
    assert json.loads(text) == {"scheme": "http", "client_ip": "127.0.0.1"}


def _login_attempt(port, username, password, forwarded_for):
    resp, page = _request(port, "GET", "/login/", headers={"X-Forwarded-For": forwarded_for})
    cookie = SimpleCookie(resp.getheader("Set-Cookie"))["csrftoken"].value
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
    body = urlencode(
        {"username": username, "password": password, "csrfmiddlewaretoken": token}
    ).encode()
    resp, _ = _request(
        port,
        "POST",
        "/login/",
        body=body,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={cookie}",
            "X-Forwarded-For": forwarded_for,
        },
    )
    return resp.status


def test_a_password_guesser_cannot_dodge_the_lockout_with_x_forwarded_for(
    nginx, settings, django_user_model
):
    settings.BEHIND_PROXY = True
    django_user_model.objects.create_user(username="cadre", password="right-password-2026")
    for i in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _login_attempt(nginx, "cadre", f"guess-{i}", f"10.9.8.{i}") == 200
    assert _login_attempt(nginx, "cadre", "one-too-many", "10.9.8.100") == 429
    assert _login_attempt(nginx, "cadre", "right-password-2026", "10.9.8.200") == 429
