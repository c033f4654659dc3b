"""送教上门 sessions: recording one visit (a write)."""

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from common.uploads import IMAGE_EXTENSIONS, check_upload, renamed_upload

from ..models import HomeTeachingSession, Todo
from .followups import _week_of_key
from .permissions import _require, may_record_session
from .rules import HOME_TEACHING_MIN_HOURS, _ymd, local_day
from .selectors import is_running

# ---------------------------------------------------------------------------
# Services (writes): 送教上门 sessions
# ---------------------------------------------------------------------------


def _hours(value):
    try:
        return Decimal(str(value)).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError):
        raise ValidationError({"hours": "请填写学时数。"}) from None


@transaction.atomic
def record_session(*, disposition, date, hours, teachers, content, by, photo=None, on=None):
    """One 送教上门 visit: at least 2 class hours; completes the missed-week to-dos it makes up."""
    on = on or timezone.localdate()
    _require(may_record_session(by, disposition), "您无权登记送教记录。")
    if not is_running(disposition):
        raise ValidationError("送教上门尚未经县教育局批准安置（或已结束），不能登记送教记录。")
    hours = _hours(hours)
    errors = {}
    if hours < HOME_TEACHING_MIN_HOURS:
        errors["hours"] = f"每次送教不少于{HOME_TEACHING_MIN_HOURS}个学时（本次填写{hours}学时）。"
    if date > on:
        errors["date"] = "送教日期不能晚于今天。"
    elif disposition.decided_at and date < local_day(disposition.decided_at):
        errors["date"] = "送教日期早于县教育局批准安置的日期。"
    elif HomeTeachingSession.objects.filter(disposition=disposition, date=date).exists():
        errors["date"] = "该日已登记送教记录。"
    if not (teachers or "").strip():
        errors["teachers"] = "请填写送教教师。"
    if not (content or "").strip():
        errors["content"] = "请填写送教内容。"
    if photo:
        try:
            check_upload(photo, label="照片", extensions=IMAGE_EXTENSIONS)
        except ValidationError as e:
            errors["photo"] = e.messages
    if errors:
        raise ValidationError(errors)
    session = HomeTeachingSession.objects.create(
        disposition=disposition,
        date=date,
        hours=hours,
        teachers=teachers.strip(),
        content=content.strip(),
        photo=renamed_upload(photo) if photo else "",
        recorded_by=by,
    )
    monday = date - datetime.timedelta(days=date.weekday())
    made_up = [
        t.pk
        for t in Todo.objects.filter(
            case=disposition.case, kind=Todo.Kind.HOME_TEACHING, done_at__isnull=True
        )
        if (week := _week_of_key(t.key)) is not None and week <= monday
    ]
    Todo.objects.filter(pk__in=made_up, done_at__isnull=True).update(
        done_at=timezone.now(), done_by=by, done_note=f"{_ymd(date)}送教{hours}学时"
    )
    return session
