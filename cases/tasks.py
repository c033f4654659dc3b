"""Celery tasks of the case engine: thin wrappers that take ids and dates."""

import datetime

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from students import outbox
from students.models import County

from . import retention
from .calendar import term_start
from .ladder.catchup import catch_up
from .ladder.scan import run_daily_checks
from .models import Term
from .termlist import services as termlist


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def daily_checks_for_county(county_id, date_iso):
    """The absence scan, ladder, returns, overdue flags for one county and day."""
    county = County.objects.get(pk=county_id)
    return run_daily_checks(on=datetime.date.fromisoformat(date_iso), county=county).as_dict()


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def catch_up_county(county_id, date_iso):
    """One county's days missed since its last completed scan (bounded), then
    `date_iso` itself (cases/ladder/catchup.py). Idempotent, twice or at once."""
    county = County.objects.get(pk=county_id)
    return catch_up(county=county, today=datetime.date.fromisoformat(date_iso)).as_dict()


@shared_task
def daily_checks():
    """Beat, after school every day: one task per county (non-school days do
    nothing but follow-ups), catching up the days it missed first."""
    today = timezone.localdate().isoformat()
    county_ids = list(County.objects.order_by("pk").values_list("pk", flat=True))
    for county_id in county_ids:
        outbox.enqueue(catch_up_county, county_id, today)
    return len(county_ids)


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def term_start_check(term_id, date_iso):
    """The term-start 四查三比对 of one county term, once (a rerun does nothing)."""
    term = Term.objects.select_related("county").get(pk=term_id)
    run = term_start.run_term_start_check(term=term, on=datetime.date.fromisoformat(date_iso))
    return run.pk if run is not None else None


@shared_task
def term_start_checks(date_iso=None):
    """Beat, every evening: for each county whose term reached its check day
    (the county's term_check_days school days; a missed day catches up), one
    task per term. `date_iso` runs it for a past day."""
    on = datetime.date.fromisoformat(date_iso) if date_iso else timezone.localdate()
    term_ids = [t.pk for t in term_start.terms_due(on=on)]
    for term_id in term_ids:
        outbox.enqueue(term_start_check, term_id, on.isoformat())
    return len(term_ids)


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def term_list_deadlines_for_term(term_id):
    """The term list's to-do of each village and school of the county (once)."""
    term = Term.objects.select_related("county").get(pk=term_id)
    return termlist.create_term_list_todos(term=term)


@shared_task
def term_list_deadlines(date_iso=None):
    """Beat, every morning: each county term going on gets its places' term-list
    to-dos (the first run of the term makes them; later runs find them made)."""
    on = datetime.date.fromisoformat(date_iso) if date_iso else timezone.localdate()
    term_ids = [t.pk for t in termlist.terms_open(on=on)]
    for term_id in term_ids:
        outbox.enqueue(term_list_deadlines_for_term, term_id)
    return len(term_ids)


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def erase_expired_personal_data(date_iso=None):
    """Beat, nightly: the retention rule (cases/retention.py). Idempotent."""
    on = datetime.date.fromisoformat(date_iso) if date_iso else timezone.localdate()
    return retention.erase_expired(on=on).as_dict()
