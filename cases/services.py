"""Writes shared by every part of the case engine: opening a case, doing a to-do."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from students.selectors import settings_for

from .models import Case, CaseEvent, Todo


@transaction.atomic
def open_case(*, child, origin, by=None, note="", lead=None, first_absent_on=None):
    """Open the child's case (one open case per child)."""
    settings = settings_for(township=child.village.township)
    try:
        with transaction.atomic():
            case = Case.objects.create(
                child=child,
                origin=origin,
                lead=lead,
                opened_by=by,
                ladder=settings.ladder,
                first_absent_on=first_absent_on,
            )
    except IntegrityError:
        raise ValidationError("该学生已有进行中的个案。") from None
    CaseEvent.objects.create(
        case=case,
        action="open",
        to_state=case.state,
        by=by,
        note=note or Case.Origin(origin).label,
    )
    return case


def open_case_by_hand(*, child, by, note=""):
    return open_case(child=child, origin=Case.Origin.MANUAL, by=by, note=note.strip() or "手工建档")


def complete_todo(*, todo, by, note=""):
    """Mark a to-do done, once (a conditional UPDATE: two people, one done)."""
    done = Todo.objects.filter(pk=todo.pk, done_at__isnull=True).update(
        done_at=timezone.now(), done_by=by, done_note=(note or "")[:300]
    )
    return bool(done)


def complete_todos(*, case, kinds, by, note=""):
    """Mark the case's open to-dos of these kinds done; returns how many."""
    return Todo.objects.filter(case=case, kind__in=kinds, done_at__isnull=True).update(
        done_at=timezone.now(), done_by=by, done_note=(note or "")[:300]
    )
