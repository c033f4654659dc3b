"""The one place a case changes state: the allowed transitions and their log.

Nothing else writes Case.state or Case.stage, or creates a case
(tests/cases/test_states.py greps for it). Anything not in TRANSITIONS is refused
with a clear message. Every transition writes a CaseEvent (who, why) and the
case's history; the child's 入学状态 follows through students.services, so the
child's own history is written in one place.

One case: transition(case, action). Many at once, set-based, for the daily
scan and the other periodic tasks: open_cases(rows, origin=...) and
escalate(case_pks, stage). Both read the table once per batch.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
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
    # From OPEN only where cases/notices/rules.py allows it (限期入学, or the
    # township's written override); otherwise after the report.
    "issue_notice": ({S.OPEN, S.REPORTED}, S.NOTICE, "乡镇签发限期返校通知书"),
    "record_return": (OPEN_STATES | {S.DISPOSING}, S.RETURNED, "返校"),
    "relapse": ({S.RETURNED}, S.OPEN, "复学后再次无故缺课"),
    # 004 四(四)1: the school proposes 销号 after the verification days, the
    # township signs it off (cases/closing/); "verify_return" needs a proposal.
    "verify_return": ({S.RETURNED}, S.CLOSED, "乡镇确认销号"),
    "start_disposition": (OPEN_STATES, S.DISPOSING, "启动处置"),
    "abandon_disposition": ({S.DISPOSING}, S.OPEN, "处置未批准，继续劝返"),
    "close_disposition": ({S.DISPOSING}, S.CLOSED, "处置完成，销号"),
    "close_other": (OPEN_STATES | {S.RETURNED, S.DISPOSING}, S.CLOSED, "结案"),
    "cancel": ({S.OPEN}, S.CLOSED, "缺勤已更正，撤销"),
    "reopen": ({S.CLOSED}, S.OPEN, "重新启动"),
    "propose_close": ({S.RETURNED}, None, "学校申请销号"),
}
# A new episode forgets the last one's 销号 proposal and sign-off.
_NEW_EPISODE = {"relapse", "reopen"}
_CLOSE_FIELDS = (
    "close_proposed_at",
    "close_proposed_by",
    "close_confirmed_at",
    "close_confirmed_by",
)

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


def _row(action):
    if action not in TRANSITIONS:
        raise TransitionError(f"未知操作：{action}")
    return TRANSITIONS[action]


def allowed_from(action):
    """The states `action` may start from."""
    return _row(action)[0]


def may(case, action):
    """Whether the case's state allows `action` (not who may do it)."""
    return case.state in allowed_from(action)


def check(case, action):
    """Refuse `action` unless the case's state allows it."""
    _, _, label = _row(action)
    if not may(case, action):
        raise TransitionError(f"个案当前为“{case.get_state_display()}”，不能“{label}”。")


@transaction.atomic
def transition(case, action, *, by=None, note="", **changes):
    """Move `case` by `action`, or refuse. Returns the updated case."""
    _, to_state, label = _row(action)
    if "state" in changes:
        raise TypeError("the state follows from the action, not from a change")
    locked = Case.objects.select_for_update().get(pk=case.pk)
    check(locked, action)
    from_state = locked.state
    for name, value in changes.items():
        setattr(locked, name, value)
    if to_state is not None:
        locked.state = to_state
    if action in _NEW_EPISODE:
        for name in _CLOSE_FIELDS:
            setattr(locked, name, None)
    if action == "verify_return" and locked.close_proposed_at is None:
        raise TransitionError("学校尚未申请销号：复学核验期满后由学校申请，乡镇确认。")
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
    _follow_todos(locked, action)
    return locked


@dataclass(frozen=True)
class NewCase:
    """One case open_cases() is asked to open."""

    child_id: int
    ladder: list
    lead_id: int | None = None
    first_absent_on: date | None = None
    streak: int = 0


def _per_case(value, case):
    return value(case) if callable(value) else value


@transaction.atomic(savepoint=False)
def open_cases(
    rows,
    *,
    origin,
    by=None,
    note: str | Callable[[Case], str] = "",
    key: str | Callable[[Case], str] = "",
):
    """Open a case for each row (a NewCase) whose child has none open.

    One INSERT against the one-open-case-per-child constraint: a child who
    already has an open case (or gets one from a run at the same time) is
    skipped. Returns the cases this call opened, each with exactly one "open"
    event (note and key: text, or a function of the case); the caller's
    follow-up (to-dos) needs their child, village, township and school.
    """
    rows = list(rows)
    if not rows:
        return []
    _, to_state, label = TRANSITIONS["open"]  # from no case at all
    child_ids = {r.child_id for r in rows}
    Case.objects.bulk_create(
        [
            Case(
                child_id=r.child_id,
                origin=origin,
                state=to_state,
                lead_id=r.lead_id,
                opened_by=by,
                ladder=r.ladder,
                first_absent_on=r.first_absent_on,
                streak=r.streak,
            )
            for r in rows
        ],
        ignore_conflicts=True,  # case_one_open_per_child
    )
    # Ours: open and no "open" event yet. Every case gets its event in the
    # transaction that inserts it; a run at the same time that inserted first
    # made ours wait for its commit, so its case shows with its event.
    opened = list(
        Case.objects.filter(child_id__in=child_ids, origin=origin, state=to_state)
        .exclude(Exists(CaseEvent.objects.filter(case=OuterRef("pk"), action="open")))
        .select_related("child__village__township", "child__school", "lead")
        .order_by("pk")
    )
    if not opened:
        return []
    events = []
    for c in opened:
        c._history_user = by
        c._change_reason = _per_case(note, c) or label
        events.append(
            CaseEvent(
                case=c,
                key=_per_case(key, c),
                action="open",
                to_state=c.state,
                note=c._change_reason,
                by=by,
            )
        )
    CaseEvent.objects.bulk_create(events, ignore_conflicts=True)
    Case.history.bulk_history_create(opened)
    return opened


@transaction.atomic(savepoint=False)
def escalate(case_pks, stage, *, by=None):
    """Raise these cases to ladder step `stage` (a conditional UPDATE: only
    cases the table lets escalate and below that step). Writes one event per
    step passed, keyed by step and episode, so a second run writes nothing.
    Returns how many cases moved. The steps are the case's ladder, in order
    of their day (JurisdictionSettings.ladder)."""
    allowed, _, _ = TRANSITIONS["escalate"]
    below = Case.objects.filter(pk__in=list(case_pks), state__in=allowed, stage__lt=stage)
    moving = list(below.values_list("pk", "state", "stage", "ladder", "first_absent_on"))
    if not moving:
        return 0
    moved = below.update(stage=stage)
    CaseEvent.objects.bulk_create(
        [
            CaseEvent(
                case_id=pk,
                key=f"stage-{i}-{first:%Y%m%d}" if first else f"stage-{i}",
                action="escalate",
                from_state=state,
                to_state=state,
                note=f"连续{ladder[i - 1]['day']}个上学日无故缺课：{ladder[i - 1]['action']}",
                by=by,
            )
            for pk, state, from_stage, ladder, first in moving
            for i in range(from_stage + 1, stage + 1)
        ],
        ignore_conflicts=True,
    )
    return moved


def _follow_child_status(case, action, *, by, note):
    child = case.child
    target = None
    if action in ("verify_return", "close_disposition", "close_other"):
        target = ENDING_STATUS.get(case.ending)
    elif action == "cancel" and child.status in CASE_STATUSES:
        target = Child.Status.ENROLLED
    if target and child.status != target:
        change_child_status(child=child, status=target, by=by, reason=f"个案#{case.pk}：{note}")


def _follow_todos(case, action):
    """The to-do a transition owes: after 复学 the school restores or rebuilds
    the 学籍 within 3 days (004 四(四)1), whoever recorded the return."""
    if action == "record_return":
        from .closing.todos import create_xueji_todo

        create_xueji_todo(case)
