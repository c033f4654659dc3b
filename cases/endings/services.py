"""Endings that are not dropouts, and reopening a closed case.

- 转学 / 外出就读 (001: contact the receiving school or education bureau):
  two steps. The receiving school (name, place) is recorded; then someone
  confirms the child is actually studying there (已确认在读: who on the other
  side, how). The case closes only after a confirmation later than the last
  recorded destination.
- 户籍迁出 / 死亡: closed at once, with a note saying what shows it.
- 重新启动: a closed case reopens (the record is never lost); 劝返 starts again.
- 小升初: in handover.py.

The facts of a destination and its confirmation are CaseEvents (the case's
timeline): actions `<prefix>_recorded` / `<prefix>_confirmed`, the details
in the note. The child's 入学状态 follows the ending in cases/states.py.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from students.jurisdiction import access
from students.models import Membership

from .. import states
from ..dispositions import states as disposition_states
from ..models import Case, CaseEvent, Disposition

Role = Membership.Role
Ending = Case.Ending
S = Case.State

CONFIRM_METHODS = [
    ("电话联系接收学校", "电话联系接收学校"),
    ("接收学校出具在读证明", "接收学校出具在读证明"),
    ("接收地教育局函复", "接收地教育局函复"),
    ("学籍系统转入记录", "学籍系统转入记录"),
    ("其他", "其他"),
]


@dataclass(frozen=True)
class OtherEnding:
    ending: str
    label: str
    note_label: str  # what the required note must tell
    confirm: bool = False  # 转学 / 外出就读: destination recorded, then confirmed
    prefix: str = ""  # CaseEvent actions: <prefix>_recorded / <prefix>_confirmed

    @property
    def recorded_action(self):
        return f"{self.prefix}_recorded"

    @property
    def confirmed_action(self):
        return f"{self.prefix}_confirmed"

    @property
    def status(self):
        return states.ENDING_STATUS[self.ending]


OTHER_ENDINGS = {
    e.ending: e
    for e in [
        OtherEnding(
            Ending.TRANSFERRED,
            "转学",
            "转学说明（转出日期、转学手续）",
            confirm=True,
            prefix="transfer",
        ),
        OtherEnding(
            Ending.STUDYING_ELSEWHERE,
            "外出就读",
            "外出就读说明（随父母务工地、就读时间）",
            confirm=True,
            prefix="elsewhere",
        ),
        OtherEnding(Ending.MOVED_OUT, "户籍迁出", "迁出情况（迁往何地、迁出日期、户籍证明）"),
        OtherEnding(Ending.DECEASED, "死亡", "死亡日期及依据（死亡证明、户籍注销）"),
    ]
}


def may_end(user, case):
    return access(user).may_end_case(case)


def _ending(ending):
    rule = OTHER_ENDINGS.get(ending)
    if rule is None:
        raise ValidationError("请选择结案方式。")
    return rule


def _event(case, *, action, note, by):
    return CaseEvent.objects.create(
        case=case, action=action, from_state=case.state, to_state=case.state, note=note[:500], by=by
    )


def destinations(case):
    """{ending: (recorded event or None, confirmation after it or None)} for 转学 / 外出就读."""
    wanted = {}
    for rule in OTHER_ENDINGS.values():
        if rule.confirm:
            wanted[rule.recorded_action] = (rule.ending, 0)
            wanted[rule.confirmed_action] = (rule.ending, 1)
    found = {rule.ending: [None, None] for rule in OTHER_ENDINGS.values() if rule.confirm}
    for event in case.events.filter(action__in=wanted).select_related("by").order_by("at", "pk"):
        ending, step = wanted[event.action]
        if step == 0:
            found[ending] = [event, None]  # a new destination: confirm again
        elif found[ending][0] is not None:
            found[ending][1] = event
    return {ending: tuple(pair) for ending, pair in found.items()}


def _open_for_ending(case):
    if not case.is_open:
        raise ValidationError("个案已销号。")


@transaction.atomic
def record_destination(*, case, ending, school_name, place, by, note=""):
    """转学 / 外出就读 step 1: where the child went."""
    rule = _ending(ending)
    if not rule.confirm:
        raise ValidationError(f"“{rule.label}”不需登记接收学校。")
    if not may_end(by, case):
        raise PermissionDenied("您无权办理结案。")
    _open_for_ending(case)
    school_name, place, note = (
        (school_name or "").strip(),
        (place or "").strip(),
        (note or "").strip(),
    )
    missing = [label for label, v in (("接收学校名称", school_name), ("所在地", place)) if not v]
    if missing:
        raise ValidationError(f"请填写{'、'.join(missing)}。")
    return _event(
        case,
        action=rule.recorded_action,
        note=f"{rule.label}：接收学校 {school_name}（{place}）" + (f"；{note}" if note else ""),
        by=by,
    )


@transaction.atomic
def confirm_destination(*, case, ending, method, confirmer, by, note=""):
    """转学 / 外出就读 step 2: 已确认在读 — who at the other end, and how."""
    rule = _ending(ending)
    if not may_end(by, case):
        raise PermissionDenied("您无权确认在读情况。")
    _open_for_ending(case)
    recorded, _ = destinations(case).get(rule.ending, (None, None))
    if recorded is None:
        raise ValidationError("请先登记接收学校。")
    confirmer, note = (confirmer or "").strip(), (note or "").strip()
    if method not in dict(CONFIRM_METHODS):
        raise ValidationError("请选择确认方式。")
    if not confirmer:
        raise ValidationError("请填写确认人（接收学校或接收地教育局的联系人）。")
    return _event(
        case,
        action=rule.confirmed_action,
        note=f"{rule.label}：已确认在读（{method}；确认人：{confirmer}）"
        + (f"；{note}" if note else ""),
        by=by,
    )


@transaction.atomic
def close_other(*, case, ending, note, by):
    """Strike off as 转学 / 外出就读 (once confirmed), 户籍迁出 or 死亡, with a note."""
    rule = _ending(ending)
    if not may_end(by, case):
        raise PermissionDenied("您无权办理结案。")
    note = (note or "").strip()
    missing = []
    if not note:
        missing.append(f"请填写{rule.note_label}")
    if rule.confirm:
        recorded, confirmed = destinations(case)[rule.ending]
        if recorded is None:
            missing.append("尚未登记接收学校")
        elif confirmed is None:
            missing.append("接收学校尚未确认在读（须联系接收学校或接收地教育局确认）")
    running = (
        Disposition.objects.filter(case=case)
        .filter(state__in=disposition_states.ACTIVE_STATES)
        .first()
    )
    if running is not None:
        missing.append(f"有进行中的处置（{running.get_kind_display()}），请先撤回")
    if missing:
        raise ValidationError(missing)
    summary = ""
    if rule.confirm:
        summary = f"{recorded.note}；{confirmed.note.split('：', 1)[-1]}；"
    return states.transition(
        case, "close_other", by=by, ending=rule.ending, note=f"{rule.label}结案：{summary}{note}"
    )


def may_reopen(user, case):
    return not case.is_open and access(user).may_edit_child(case.child)


def reopen_case(*, case, note, by):
    """重新启动: a closed case opens again (劝返中); its record stays whole."""
    if not access(by).may_edit_child(case.child):
        raise PermissionDenied("您无权重新启动该个案。")
    note = (note or "").strip()
    if not note:
        raise ValidationError("请填写重新启动的原因。")
    if Case.objects.filter(child_id=case.child_id).exclude(state=S.CLOSED).exists():
        raise ValidationError("该学生已有进行中的个案。")
    try:
        with transaction.atomic():
            return states.transition(case, "reopen", by=by, note=f"重新启动：{note}")
    except IntegrityError:
        raise ValidationError("该学生已有进行中的个案。") from None
