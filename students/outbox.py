"""Tasks are sent through an outbox, so that a broker that is down loses nothing.

`enqueue(task, *args)` writes the task's name and arguments (ids) in the
caller's transaction, next to the data the task works on. Once that
transaction commits it sends the task to the broker and marks the row sent;
if the broker does not answer, the row stays pending and the page still
answers (with `request=`, it says the work is queued). Pending rows are sent
again by the next enqueue that gets through, by the `send_outbox` beat task
every minute and by `manage.py send_outbox`. A task may arrive twice (sent,
then the mark failed): every task takes ids and is idempotent.

Without a broker (no REDIS_URL: tasks run eagerly in-process) nothing is
written and the task runs after the commit, as it always did.
"""

import logging

from celery import current_app
from django.contrib import messages
from django.db import transaction
from django.utils import timezone

from .models import OutboxMessage

log = logging.getLogger(__name__)

QUEUED_MESSAGE = "后台服务暂时不可用：已排队，稍后自动处理。"
# Sent along with a fresh enqueue once the broker answers again.
CATCH_UP = 20


def enqueue(task, *args, request=None):
    """Send `task(*args)` once the current transaction commits; never lost.

    Returns the outbox row (None in eager mode). With `request`, a broker
    that is down is told to the user as “已排队，稍后自动处理”.
    """
    if task.app.conf.task_always_eager:
        transaction.on_commit(lambda: task.delay(*args))
        return None
    message = OutboxMessage.objects.create(task=task.name, args=list(args))

    def after_commit():
        if send(message):
            send_pending(limit=CATCH_UP)
        elif request is not None:
            messages.warning(request, QUEUED_MESSAGE)

    transaction.on_commit(after_commit)
    return message


def send(message):
    """Publish one outbox row and mark it sent; False (still pending) when the broker is down."""
    app = current_app
    try:
        with app.connection_for_write() as connection:
            app.send_task(
                message.task,
                args=message.args,
                task_id=f"outbox-{message.pk}-{message.attempts + 1}",
                ignore_result=True,
                connection=connection,
                retry_policy={"max_retries": 1, "interval_start": 0, "interval_step": 0.2},
            )
    except Exception as e:  # kombu/redis errors of every kind: keep the row, say why
        log.warning("outbox: %s not sent, broker unavailable: %s", message, e)
        OutboxMessage.objects.filter(pk=message.pk).update(
            attempts=message.attempts + 1, last_error=str(e)[:500]
        )
        return False
    OutboxMessage.objects.filter(pk=message.pk, sent_at__isnull=True).update(
        sent_at=timezone.now(), attempts=message.attempts + 1, last_error=""
    )
    return True


def send_pending(*, limit=None):
    """Send pending rows, oldest first, until the broker fails; returns how many were sent."""
    pending = OutboxMessage.objects.filter(sent_at__isnull=True).order_by("pk")
    sent = 0
    for message in pending[:limit] if limit else pending.iterator():
        if not send(message):
            break
        sent += 1
    return sent


def pending_count():
    return OutboxMessage.objects.filter(sent_at__isnull=True).count()
