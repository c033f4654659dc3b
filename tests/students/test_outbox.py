"""With a broker that does not answer, an upload or a 比对 run is kept and
its task waits in the outbox; once the broker answers it is sent."""

import io
import socket

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from students.models import CrossCheckRun, ImportBatch, OutboxMessage

from .import_helpers import roster_rows, xlsx

QUEUED = "已排队，稍后自动处理"


def _closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again: nothing listens there


class Broker:
    """The Celery app pointed at a Redis port where nothing listens, as
    when Redis is down; `back()` gives it a broker that answers."""

    def __init__(self, app):
        self.app = app
        self.app.conf.task_always_eager = False
        self.app.conf.broker_url = f"redis://127.0.0.1:{_closed_port()}/0"

    def back(self):
        self.app.conf.broker_url = "memory://"


@pytest.fixture
def broker_down(settings, tmp_path):
    from kongchuo.celery import app

    settings.MEDIA_ROOT = str(tmp_path / "media")
    eager, url = app.conf.task_always_eager, app.conf.broker_url
    yield Broker(app)
    app.conf.task_always_eager, app.conf.broker_url = eager, url


def _upload(client, world):
    data = {
        "kind": "roster",
        "village": world.v1.pk,
        "file": SimpleUploadedFile("台账.xlsx", xlsx(roster_rows())),
    }
    return client.post(reverse("import_list"), data, follow=True)


@pytest.mark.django_db(transaction=True)  # on_commit runs when the request commits
def test_an_upload_while_the_broker_is_down_is_kept_and_queued(world, login, broker_down):
    resp = _upload(login(world.village_user), world)
    assert resp.status_code == 200
    assert QUEUED in resp.content.decode()
    batch = ImportBatch.objects.get()
    assert batch.state == ImportBatch.State.QUEUED and batch.file
    waiting = OutboxMessage.objects.get()
    assert (waiting.task, waiting.args, waiting.sent_at) == (
        "students.tasks.check_import",
        [batch.pk],
        None,
    )
    assert waiting.attempts == 1 and waiting.last_error

    out = io.StringIO()
    with pytest.raises(SystemExit):  # still down: the command says so and exits 1
        call_command("send_outbox", stdout=out)
    assert "仍待发送 1 个" in out.getvalue()

    broker_down.back()
    out = io.StringIO()
    call_command("send_outbox", stdout=out)
    assert "已发送 1 个任务，仍待发送 0 个" in out.getvalue()
    waiting.refresh_from_db()
    assert waiting.sent_at is not None and waiting.last_error == ""
    call_command("send_outbox", stdout=io.StringIO())  # nothing is sent twice
    assert OutboxMessage.objects.filter(sent_at__isnull=True).count() == 0


@pytest.mark.django_db(transaction=True)
def test_the_next_task_once_the_broker_answers_sends_the_waiting_ones(world, login, broker_down):
    client = login(world.village_user)
    _upload(client, world)
    assert OutboxMessage.objects.get().sent_at is None
    broker_down.back()
    resp = _upload(client, world)
    assert QUEUED not in resp.content.decode()
    assert OutboxMessage.objects.count() == 2
    assert not OutboxMessage.objects.filter(sent_at__isnull=True).exists()


@pytest.mark.django_db(transaction=True)
def test_a_crosscheck_run_while_the_broker_is_down_is_queued(world, login, broker_down):
    client = login(world.township_user)
    resp = client.post(reverse("crosscheck_run"), {"target": f"t{world.t1.pk}"}, follow=True)
    assert resp.status_code == 200
    assert QUEUED in resp.content.decode()
    assert not CrossCheckRun.objects.exists()
    waiting = OutboxMessage.objects.get()
    assert waiting.task == "students.tasks.run_crosscheck_task"
    assert waiting.args == [world.county.pk, world.t1.pk, None, world.township_user.pk]


def test_the_outbox_is_sent_every_minute(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["send-outbox"]
    assert entry["task"] == "students.tasks.send_outbox" and entry["schedule"] == 60


def test_a_worker_killed_mid_task_gives_the_message_back(settings):
    # acks_late alone acks a task whose worker died: it would be lost.
    assert settings.CELERY_TASK_ACKS_LATE and settings.CELERY_TASK_REJECT_ON_WORKER_LOST
