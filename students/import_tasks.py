"""Import tasks: thin wrappers that take ids (merged into tasks.py)."""

from functools import partial

from celery import shared_task
from django.db import OperationalError

from . import importing
from .models import ImportBatch

State = ImportBatch.State


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def check_import(batch_id):
    batch = importing.claim(batch_id, from_state=State.QUEUED, to_state=State.CHECKING)
    if batch is not None:
        importing.check(batch, progress=partial(importing.set_progress, batch_id))


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def commit_import(batch_id):
    batch = ImportBatch.objects.select_related("county", "village", "school", "user").get(
        pk=batch_id
    )
    if batch.state == State.COMMITTING:  # a redelivery after it finished does nothing
        importing.commit(batch, progress=partial(importing.set_progress, batch_id))
