"""Celery tasks of the case engine: thin wrappers that take ids and dates."""

import datetime

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from students.models import County

from .scan import run_daily_checks


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def daily_checks_for_county(county_id, date_iso):
    """The absence scan, ladder, returns, overdue flags for one county and day."""
    county = County.objects.get(pk=county_id)
    return run_daily_checks(on=datetime.date.fromisoformat(date_iso), county=county).as_dict()


@shared_task
def daily_checks():
    """Beat, after school every day: one task per county (non-school days do nothing)."""
    today = timezone.localdate().isoformat()
    county_ids = list(County.objects.order_by("pk").values_list("pk", flat=True))
    for county_id in county_ids:
        daily_checks_for_county.delay(county_id, today)
    return len(county_ids)
