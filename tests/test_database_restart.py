"""PostgreSQL stopped under a running app and started again: a private
cluster on a spare port (never the shared 5432) and gunicorn against it,
in separate processes."""

import http.cookiejar
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PG_BIN = Path("/usr/lib/postgresql/15/bin")

pytestmark = [pytest.mark.heavy, pytest.mark.postgres]


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _until(what, predicate, seconds=60, every=0.1):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(every)
    pytest.fail(f"timed out waiting for {what}")


class Cluster:
    def __init__(self):
        # pytest's tmp_path is root's alone: the cluster gets its own directory.
        self.home = Path(tempfile.mkdtemp(prefix="kongchuo-pg-"))
        shutil.chown(self.home, "postgres")
        self.dir = self.home / "data"
        self.port = _free_port()
        self.log = self.home / "pg.log"
        self._as_postgres(PG_BIN / "initdb", "-D", self.dir, "-A", "trust", "-U", "postgres")
        self.start()
        self._as_postgres(PG_BIN / "createdb", "-h", "127.0.0.1", "-p", self.port, "kongchuo")

    def _as_postgres(self, *args):
        subprocess.run(
            ["runuser", "-u", "postgres", "--", *map(str, args)],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )

    def start(self):
        opts = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._as_postgres(
            PG_BIN / "pg_ctl", "-D", self.dir, "-o", opts, "-l", self.log, "-w", "start"
        )

    def stop(self):
        self._as_postgres(PG_BIN / "pg_ctl", "-D", self.dir, "-m", "fast", "-w", "stop")

    @property
    def url(self):
        return f"postgres://postgres@127.0.0.1:{self.port}/kongchuo"


@pytest.fixture
def cluster():
    # A PostgreSQL pass has the server's binaries; initdb runs as the
    # postgres user, which needs root (the CI runs as root). Missing: fail.
    assert (PG_BIN / "initdb").exists(), f"PostgreSQL's initdb is missing at {PG_BIN}"
    assert os.geteuid() == 0, "a private PostgreSQL cluster needs root (runuser -u postgres)"
    c = Cluster()
    yield c
    subprocess.run(
        ["runuser", "-u", "postgres", "--", str(PG_BIN / "pg_ctl"), "-D", str(c.dir)]
        + ["-m", "immediate", "stop"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    shutil.rmtree(c.home, ignore_errors=True)


@pytest.fixture
def app_server(cluster, tmp_path):
    """The app on the private cluster, eager tasks, its own process."""
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DJANGO_DEBUG")}
    # As deployed: gunicorn, one worker keeping its database connection.
    env.update(
        DATABASE_URL=cluster.url,
        DJANGO_MEDIA_ROOT=str(tmp_path / "media"),
        KONGCHUO_DB_CONN_MAX_AGE="600",
    )
    manage = [sys.executable, "manage.py"]
    subprocess.run(
        [*manage, "migrate", "--noinput"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
    )
    subprocess.run(
        [
            *manage,
            "shell",
            "-c",
            "from django.contrib.auth import get_user_model; "
            "get_user_model().objects.create_superuser('fault', password='fault-pass-2026')",
        ],
        cwd=ROOT,
        env=env,
        check=True,
    )
    port = _free_port()
    log = (tmp_path / "web.log").open("w")
    proc = subprocess.Popen(
        [Path(sys.executable).parent / "gunicorn", "kongchuo.wsgi", "--workers", "1"]
        + ["--bind", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )

    def listening():
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        except OSError:
            return False

    try:
        _until("gunicorn", listening)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


class Browser:
    def __init__(self, base):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def open(self, path, data=None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body)
        if data is not None:
            request.add_header("Referer", self.base + path)
        try:
            with self.opener.open(request, timeout=60) as resp:
                return resp.status, resp.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()

    def login(self, username, password):
        status, html = self.open("/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)[1]
        form = {"csrfmiddlewaretoken": token, "username": username, "password": password}
        return self.open("/login/", form)


def test_pages_fail_in_chinese_while_postgresql_is_down_and_work_again_after(cluster, app_server):
    browser = Browser(app_server)
    status, _ = browser.login("fault", "fault-pass-2026")
    assert status == 200
    status, html = browser.open("/children/")
    assert status == 200 and "系统出错" not in html

    # Restarted while nobody asked: the kept connection is dead, and is replaced.
    cluster.stop()
    cluster.start()
    status, html = browser.open("/children/")
    assert status == 200 and "系统出错" not in html

    cluster.stop()
    status, html = browser.open("/children/")
    assert status == 500 and "系统出错了" in html and "Traceback" not in html
    monitor = Browser(app_server)  # a probe sends no session cookie
    status, html = monitor.open("/healthz")
    assert status == 503 and '"database": "down"' in html

    cluster.start()  # the same app process, not restarted
    status, html = browser.open("/children/")
    assert status == 200 and "系统出错" not in html
    assert monitor.open("/healthz")[0] == 200
