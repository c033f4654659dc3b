"""The one place a case changes state: the allowed transitions and their log.

Anything not in TRANSITIONS is refused with a clear message. Every
transition writes a CaseEvent (who, why) and the case's history; the child's
入学状态 follows through students.services, so the child's own history is
written in one place.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from students.models import Child
from students.services import change_child_status

from .models import Case, CaseEvent

S = Case.State
OPEN_STATES = {S.OPEN, S.REPORTED, S.NOTICE}

# action: (states it may start from, state it leads to, label)
TRANSITIONS = {
    "open": (set(), S.OPEN, "建档"),
    "escalate": (OPEN_STATES, None, "升级"),
    "file_report": ({S.OPEN}, S.REPORTED, "学校报送辍学情况报告单"),
    "issue_notice": ({S.REPORTED}, S.NOTICE, "乡镇签发限期返校通知书"),
    "record_return": (OPEN_STATES | {S.DISPOSING}, S.RETURNED, "返校"),
    "relapse": ({S.RETURNED}, S.OPEN, "复学后再次无故缺课"),
    "verify_return": ({S.RETURNED}, S.CLOSED, "复学核验通过，销号"),
    "start_disposition": (OPEN_STATES, S.DISPOSING, "启动处置"),
    "abandon_disposition": ({S.DISPOSING}, S.OPEN, "处置未批准，继续劝返"),
    "close_disposition": ({S.DISPOSING}, S.CLOSED, "处置完成，销号"),
    "close_other": (OPEN_STATES | {S.RETURNED, S.DISPOSING}, S.CLOSED, "结案"),
    "cancel": ({S.OPEN}, S.CLOSED, "缺勤已更正，撤销"),
    "reopen": ({S.CLOSED}, S.OPEN, "重新启动"),
}

# The child's 入学状态 when a case ends this way.
ENDING_STATUS = {
    Case.Ending.RETURNED: Child.Status.ENROLLED,
    Case.Ending.GRADUATION: Child.Status.GRADUATED,
    Case.Ending.SUSPENSION: Child.Status.SUSPENDED,
    Case.Ending.HOME_TEACHING: Child.Status.HOME_TEACHING,
    Case.Ending.EXEMPTION: Child.Status.EXEMPT,
    Case.Ending.DEFERRAL: Child.Status.DEFERRED,
    Case.Ending.COUNTY_REVIEW: Child.Status.COUNTY_REVIEW,
    Case.Ending.SPECIAL_SCHOOL: Child.Status.SPECIAL_SCHOOL,
    Case.Ending.TRANSFERRED: Child.Status.TRANSFERRED,
    Case.Ending.STUDYING_ELSEWHERE: Child.Status.STUDYING_ELSEWHERE,
    Case.Ending.MOVED_OUT: Child.Status.MOVED_OUT,
    Case.Ending.DECEASED: Child.Status.DECEASED,
}
# Statuses a case sets while it runs; a cancelled case puts the child back.
CASE_STATUSES = {Child.Status.SUSPECTED_DROPOUT, Child.Status.DROPOUT}


class TransitionError(ValidationError):
    pass


@transaction.atomic
def transition(case, action, *, by=None, note="", **changes):
    """Move `case` by `action`, or refuse. Returns the updated case."""
    if action not in TRANSITIONS:
        raise TransitionError(f"未知操作：{action}")
    allowed, to_state, label = TRANSITIONS[action]
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if locked.state not in allowed:
        raise TransitionError(f"个案当前为“{locked.get_state_display()}”，不能“{label}”。")
    from_state = locked.state
    for name, value in changes.items():
        setattr(locked, name, value)
    if to_state is not None:
        locked.state = to_state
    if locked.state == S.CLOSED:
        locked.closed_on = locked.closed_on or timezone.localdate()
        if not locked.ending:
            raise TransitionError("结案须注明结案方式。")
    else:
        locked.closed_on = None
        locked.ending = ""
    locked.full_clean(exclude=["child", "lead", "opened_by"], validate_unique=False)
    locked._history_user = by
    locked._change_reason = note or label
    locked.save()
    CaseEvent.objects.create(
        case=locked,
        action=action,
        from_state=from_state,
        to_state=locked.state,
        note=note or label,
        by=by,
    )
    _follow_child_status(locked, action, by=by, note=note or label)
    return locked


def _follow_child_status(case, action, *, by, note):
    child = case.child
    target = None
    if action in ("verify_return", "close_disposition", "close_other"):
        target = ENDING_STATUS.get(case.ending)
    elif action == "cancel" and child.status in CASE_STATUSES:
        target = Child.Status.ENROLLED
    if target and child.status != target:
        change_child_status(child=child, status=target, by=by, reason=f"个案#{case.pk}：{note}")
