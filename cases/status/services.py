"""Writes: a hand change of a child's 入学状态, with the case that follows."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from students.models import Child
from students.services import change_child_status

from .. import states
from ..calendar import calendar_around
from ..ladder import create_todos, enrolment, make_todo
from ..models import Case

S = Case.State
Status = Child.Status


def _open_case(child, *, by, reason):
    """Open the child's case by hand, with the to-dos of the ladder's first day."""
    label = child.get_status_display()
    [case] = states.open_cases(
        [states.NewCase(child_id=child.pk, ladder=enrolment.ladder_for(child))],
        origin=Case.Origin.MANUAL,
        by=by,
        note=f"入学状态改为“{label}”，手工建档：{reason}"[:500],
    )
    first = [step for step in case.ladder if step["day"] == case.ladder[0]["day"]]
    today = timezone.localdate()
    county = child.village.township.county
    calendar = calendar_around(county=county, school=child.school, day=today)
    create_todos(
        [
            make_todo(
                case,
                key=f"step-{i}-hand-{today:%Y%m%d}",
                kind=step["todo"],
                title=step["action"],
                role=step["role"],
                due_on=calendar.add_school_days(today, step.get("due", 0)),
            )
            for i, step in enumerate(first, start=1)
        ]
    )
    states.transition(
        case, "escalate", by=by, stage=len(first), note=f"手工登记“{label}”：{first[0]['action']}"
    )
    return case


@transaction.atomic
def change_status_by_hand(*, child, status, by, reason):
    """Change the child's 入学状态 by hand, keeping the case in step:
    疑似辍学 / 辍学 opens a case (with its first to-dos) when none is open;
    在读 cancels an open case still at the 劝返 stage (a wrong entry);
    anything else while a case runs is refused (the case page's return,
    dispositions and endings are the way)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写状态变更原因。"})
    if status not in Status.values:
        raise ValidationError({"status": "入学状态无效。"})
    child = Child.objects.select_for_update().select_related("village__township").get(pk=child.pk)
    if child.status == status:
        raise ValidationError({"status": f"学生当前已是“{child.get_status_display()}”。"})
    case = Case.objects.filter(child=child).exclude(state=S.CLOSED).first()
    if status in states.CASE_STATUSES:
        child = change_child_status(child=child, status=status, by=by, reason=reason)
        if case is None:
            _open_case(child, by=by, reason=reason)
        return child
    if case is None:
        return change_child_status(child=child, status=status, by=by, reason=reason)
    if (
        status == Status.ENROLLED
        and case.state == S.OPEN
        and child.status in states.CASE_STATUSES
        and not enrolment.is_enrolment(case.ladder)
    ):
        # The case's state machine sets the child back to 在读 (states._follow_child_status).
        states.transition(
            case,
            "cancel",
            by=by,
            ending=Case.Ending.CANCELLED,
            note=f"入学状态改为“在读”，撤销个案：{reason}"[:500],
        )
        child.refresh_from_db()
        return child
    raise ValidationError(
        {
            "status": f"该学生有进行中的个案（{case.get_state_display()}），"
            "请在个案页登记返校、入学安置、处置或结案，入学状态随个案变更。"
        }
    )
