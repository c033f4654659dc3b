"""The township's written override (提前处置): writes.

Where a township must act before the ladder's steps are on record (the
child has left the area, a safety concern), its office records the decision
with a reason; cases/notices/rules.py then lifts that action's preconditions
for the case's current episode. Kept in history, on the case's timeline, on
the case page and in the township's ledgers.
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from students.jurisdiction import access

from ..models import Case, CaseEvent, StepOverride
from .selectors import township_of

Action = StepOverride.Action


@transaction.atomic
def override_step(*, case, action, reason, by):
    """Record the township's decision to take `action` early, with its reason."""
    reason = (reason or "").strip()
    if action not in Action.values:
        raise ValidationError({"action": "请选择提前办理的事项。"})
    if not access(by).may_override_steps(township_of(case).pk):
        raise ValidationError("提前处置须由学生居住地的乡镇控辍办决定。")
    if case.state == Case.State.CLOSED:
        raise ValidationError("个案已销号，不能提前处置。")
    if len(reason) < 4:
        raise ValidationError(
            {"reason": "请写明提前处置的理由（如学生已离开本地、存在安全隐患等）。"}
        )
    override = StepOverride(case=case, action=action, reason=reason[:1000], by=by)
    override.full_clean(exclude=["case", "by"])
    override._history_user = by
    override._change_reason = reason[:500]
    override.save()
    CaseEvent.objects.create(
        case=case,
        action="step_override",
        from_state=case.state,
        to_state=case.state,
        note=f"乡镇决定提前“{override.get_action_display()}”，理由：{reason}"[:500],
        by=by,
    )
    return override
