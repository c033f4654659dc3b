"""Faults lose nothing: a private Redis stopped and started again, a real
Celery worker killed in the middle of an import. Each test starts its own
redis-server on a spare port and its own worker; the shared 6379 and the
database server are never touched. The worker shares the test database, so
these run on PostgreSQL (the CI's second pass)."""

import datetime
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from students.models import Child, ImportBatch, OutboxMessage

from .conftest import make_id
from .students.import_helpers import ROSTER_HEADER, roster_rows, xlsx

ROOT = Path(__file__).resolve().parent.parent
QUEUED = "已排队，稍后自动处理"
State = ImportBatch.State

# The worker process shares the test database: PostgreSQL only.
pytestmark = [pytest.mark.heavy, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _until(what, predicate, seconds=120, every=0.1):
    """Poll until `predicate()` is true; fail naming `what` after `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    pytest.fail(f"timed out waiting for {what}")


class PrivateRedis:
    """redis-server on a spare port, stopped and started by the test."""

    def __init__(self, tmp_path):
        self.port = _free_port()
        self.dir = tmp_path
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
            + ["--appendonly", "no", "--daemonize", "no", "--dir", str(self.dir)],
            stdout=subprocess.DEVNULL,
        )
        _until("redis to answer", self._answers, seconds=20, every=0.05)

    def _answers(self):
        try:
            return self.client().ping()
        except redis.ConnectionError:
            return False

    def stop(self):
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=20)
            self.proc = None

    def client(self):
        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=5)


@pytest.fixture
def private_redis(tmp_path, settings):
    """The app (cache, broker) pointed at a private Redis, as with REDIS_URL set."""
    from kongchuo.celery import app

    server = PrivateRedis(tmp_path)
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.REDIS_URL = server.url
    settings.CACHES = {
        "default": {
            "BACKEND": "common.cache.TolerantRedisCache",
            "LOCATION": server.url,
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
    eager, url = app.conf.task_always_eager, app.conf.broker_url
    app.conf.task_always_eager, app.conf.broker_url = False, server.url
    server.start()
    yield server
    app.conf.task_always_eager, app.conf.broker_url = eager, url
    server.stop()


class Worker:
    def __init__(self, server, media, log):
        db = connection.settings_dict
        database_url = (
            f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}"
            f":{db['PORT'] or 5432}/{db['NAME']}"
        )
        env = dict(
            os.environ,
            DATABASE_URL=database_url,
            REDIS_URL=server.url,
            DJANGO_MEDIA_ROOT=str(media),
        )
        self.log_path = log
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "kongchuo", "worker", "--loglevel", "INFO"]
            + ["--pool", "prefork", "--concurrency", "1", "--without-gossip", "--without-mingle"],
            cwd=ROOT,
            env=env,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
        )

    def children(self):
        """Pids of the pool processes (the ones that run tasks)."""
        pids = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.proc.pid:
                pids.append(int(stat.parent.name))
        return pids

    def log(self):
        return self.log_path.read_text(errors="replace")

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture
def worker(private_redis, settings, tmp_path):
    w = Worker(private_redis, settings.MEDIA_ROOT, tmp_path / "worker.log")
    _until("the worker's pool", w.children, seconds=60)
    yield w
    w.stop()


def _upload(client, world, content):
    data = {
        "kind": "roster",
        "village": world.v1.pk,
        "file": SimpleUploadedFile("台账.xlsx", content),
    }
    return client.post(reverse("import_list"), data, follow=True)


def _state(batch):
    batch.refresh_from_db()
    return batch.state


def test_an_upload_while_redis_is_down_is_done_once_redis_is_back(
    world, login, private_redis, settings, tmp_path
):
    private_redis.stop()
    children_before = Child.objects.count()
    client = login(world.village_user)
    resp = _upload(client, world, xlsx(roster_rows()))
    # Saved, and the page (its progress read from a cache that is down) says so.
    assert resp.status_code == 200
    assert QUEUED in resp.content.decode()
    batch = ImportBatch.objects.get()
    waiting = OutboxMessage.objects.get()
    assert waiting.sent_at is None and waiting.args == [batch.pk]
    assert _state(batch) == State.QUEUED

    private_redis.start()  # the same port, empty (no persistence)
    call_command("send_outbox")
    waiting.refresh_from_db()
    assert waiting.sent_at is not None
    assert private_redis.client().llen("celery") == 1  # the task is in the queue

    w = Worker(private_redis, settings.MEDIA_ROOT, tmp_path / "worker.log")
    try:
        _until("the preview", lambda: _state(batch) == State.PREVIEW, seconds=90)
        resp = client.post(reverse("import_commit", args=[batch.pk]), follow=True)
        assert resp.status_code == 200 and QUEUED not in resp.content.decode()
        _until("the commit", lambda: _state(batch) == State.COMMITTED, seconds=90)
    finally:
        w.stop()
    assert batch.created == 3 and Child.objects.count() == children_before + 3
    assert not OutboxMessage.objects.filter(sent_at__isnull=True).exists()


def _big_sheet(n):
    rows = [ROSTER_HEADER]
    for i in range(n):
        birth = datetime.date(2012, 1, 1) + datetime.timedelta(days=i % 2500)
        rows.append(
            [i + 1, "一村", f"户主{i // 3}", f"学生{i}", "男", birth.isoformat()]
            + [make_id("520103", birth, 1 + 2 * (i % 400)), "", "", "", "", "未入学", ""]
        )
    return xlsx(rows)


def test_a_worker_killed_in_the_middle_of_an_import_leaves_nothing_half_done(world, login, worker):
    rows = 3000
    client = login(world.village_user)
    _upload(client, world, _big_sheet(rows))
    batch = ImportBatch.objects.get()
    _until("the preview", lambda: _state(batch) == State.PREVIEW, seconds=180)

    imported = Child.objects.filter(village=world.v1, name__startswith="学生")
    client.post(reverse("import_commit", args=[batch.pk]))
    assert _state(batch) == State.COMMITTING

    def halfway():
        done = cache.get(f"import-progress:{batch.pk}")
        return done is not None and 0 < done < rows and done

    _until("the commit to be halfway", halfway, seconds=120, every=0.01)
    (victim,) = worker.children()
    os.kill(victim, signal.SIGKILL)

    seen = set()

    def committed():
        seen.add(imported.count())
        return _state(batch) == State.COMMITTED

    _until("the commit to be done again", committed, seconds=180, every=0.05)
    assert seen <= {0, rows}  # never a part of the sheet
    assert imported.count() == rows
    assert victim not in worker.children()  # it really died; a new process did the work
    assert "WorkerLostError" in worker.log() or "SIGKILL" in worker.log()
