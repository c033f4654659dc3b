"""Celery tasks: imports and 四查三比对. They take ids only and look everything up again."""

from functools import partial

from celery import shared_task
from django.contrib.auth import get_user_model
from django.db import OperationalError

from . import importing, outbox
from .models import County, ImportBatch, Township


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def run_crosscheck_task(county_id, township_id=None, period=None, user_id=None):
    """Run the three comparisons for a county (or one township); returns the run id."""
    from .crosscheck import run_crosscheck

    county = County.objects.get(pk=county_id)
    township = Township.objects.get(pk=township_id, county=county) if township_id else None
    by = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    run = run_crosscheck(county=county, township=township, period=period, by=by)
    return run.pk


@shared_task
def run_monthly_crosschecks():
    """Beat, monthly: one run per county (each its own task). The term-start
    run is cases.tasks.term_start_checks (each county on its own terms)."""
    county_ids = list(County.objects.order_by("pk").values_list("pk", flat=True))
    for county_id in county_ids:
        outbox.enqueue(run_crosscheck_task, county_id)
    return len(county_ids)


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def check_import(batch_id):
    """Read and plan an uploaded sheet: the preview."""
    batch = importing.claim(
        batch_id, from_state=ImportBatch.State.QUEUED, to_state=ImportBatch.State.CHECKING
    )
    if batch is not None:
        with importing.failed_on_error(batch_id):
            importing.check(batch, progress=partial(importing.set_progress, batch_id))


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def commit_import(batch_id):
    """Apply a previewed sheet, all or nothing."""
    batch = ImportBatch.objects.select_related("county", "village", "school", "user").get(
        pk=batch_id
    )
    if batch.state == ImportBatch.State.COMMITTING:  # a redelivery after it finished does nothing
        with importing.failed_on_error(batch_id):
            importing.commit(batch, progress=partial(importing.set_progress, batch_id))


@shared_task
def send_outbox():
    """Beat, every minute: send the tasks that waited while the broker was down."""
    return outbox.send_pending()
