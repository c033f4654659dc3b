"""Writes shared by every part of the case engine: opening a case, doing a to-do."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from . import states
from .ladder import enrolment
from .models import Case, CaseEvent, Todo


def open_case(*, child, origin, by=None, note="", lead=None, first_absent_on=None):
    """Open the child's case (one open case per child)."""
    opened = states.open_cases(
        [
            states.NewCase(
                child_id=child.pk,
                ladder=enrolment.ladder_for(child),
                lead_id=lead.pk if lead is not None else None,
                first_absent_on=first_absent_on,
            )
        ],
        origin=origin,
        by=by,
        note=note or Case.Origin(origin).label,
    )
    if not opened:
        raise ValidationError("该学生已有进行中的个案。")
    enrolment.start(opened)  # a 未入学 child: the first step's to-do
    return opened[0]


def open_case_by_hand(*, child, by, note=""):
    return open_case(child=child, origin=Case.Origin.MANUAL, by=by, note=note.strip() or "手工建档")


def complete_todo(*, todo, by, note=""):
    """Mark a to-do done, once (a conditional UPDATE: two people, one done)."""
    done = Todo.objects.filter(pk=todo.pk, done_at__isnull=True).update(
        done_at=timezone.now(), done_by=by, done_note=(note or "")[:300]
    )
    if done:
        enrolment.advance(todo.case)  # the 未入学 ladder climbs by what is done
    return bool(done)


def complete_todos(*, case, kinds, by, note=""):
    """Mark the case's open to-dos of these kinds done; returns how many."""
    done = Todo.objects.filter(case=case, kind__in=kinds, done_at__isnull=True).update(
        done_at=timezone.now(), done_by=by, done_note=(note or "")[:300]
    )
    if done:
        enrolment.advance(case)  # the 未入学 ladder climbs by what is done
    return done


def _placement_problem(case, returned_on, placement):
    """002: out under a year → back to the old class; longer → a chosen placement."""
    out_days = (returned_on - (case.first_absent_on or returned_on)).days
    if not placement:
        return "请选择复学安置方式。"
    if out_days < 365 and placement != Case.Placement.ORIGINAL_CLASS:
        return "辍学不满一年的，原则上回原年级原班级就读。"
    return ""


def record_return(*, case, by, returned_on, placement, placement_note=""):
    """A person records that the child is back (复学), with the placement."""
    if returned_on > timezone.localdate():
        raise ValidationError("返校日期不能晚于今天。")
    if case.first_absent_on and returned_on < case.first_absent_on:
        raise ValidationError("返校日期不能早于首次缺课日期。")
    problem = _placement_problem(case, returned_on, placement)
    if problem:
        raise ValidationError(problem)
    return states.transition(
        case,
        "record_return",
        by=by,
        note=f"{returned_on} 返校：{Case.Placement(placement).label}",
        returned_on=returned_on,
        placement=placement,
        placement_note=placement_note.strip(),
    )


@transaction.atomic
def set_placement(*, case, by, placement, placement_note=""):
    """Choose or change the placement of a returned child."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.state != Case.State.RETURNED:
        raise ValidationError("只有已返校待核验的个案可以调整复学安置。")
    problem = _placement_problem(case, case.returned_on, placement)
    if problem:
        raise ValidationError(problem)
    case.placement, case.placement_note = placement, placement_note.strip()
    case._history_user = by
    case._change_reason = "调整复学安置"
    case.save(update_fields=["placement", "placement_note", "updated_at"])
    CaseEvent.objects.create(
        case=case,
        action="placement",
        from_state=case.state,
        to_state=case.state,
        by=by,
        note=f"复学安置：{case.get_placement_display()}{('，' + case.placement_note) if case.placement_note else ''}",
    )
    return case
