"""Writes: the 学籍 restored, 销号 proposed by the school and confirmed by
the township. State changes go through cases/states.py."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from students.jurisdiction import access

from .. import services, states
from ..models import Case, CaseEvent
from . import todos

S = Case.State


def _returned(case):
    if case.state != S.RETURNED or case.returned_on is None:
        raise ValidationError("只有已复学待核验的个案可以办理。")


@transaction.atomic
def record_xueji(*, case, by, note):
    """The school has restored or rebuilt the child's 学籍 (004 四(四)1)."""
    if not access(by).may_record_xueji(case):
        raise PermissionDenied("学籍由学生就读学校恢复或补建。")
    _returned(case)
    note = (note or "").strip()
    if not note:
        raise ValidationError("请填写学籍办理情况（如：已在学籍系统恢复学籍，学籍号……）。")
    todo = todos.open_todo(case, todos.xueji_key(case))
    if todo is None:
        raise ValidationError("学籍已登记办理。")
    services.complete_todo(todo=todo, by=by, note=note)
    CaseEvent.objects.create(
        case=case,
        action="xueji",
        from_state=case.state,
        to_state=case.state,
        note=f"学籍恢复/补建：{note}"[:500],
        by=by,
    )


def may_propose(case):
    """The verification days are attended (the scan's to-do) and the 学籍 done."""
    return (
        case.state == S.RETURNED
        and case.close_proposed_at is None
        and todos.todo_of(case, todos.propose_key(case)) is not None
    )


@transaction.atomic
def propose_close(*, case, by, note=""):
    """The school proposes 销号 once the child attended the verification days."""
    if not access(by).may_propose_close(case):
        raise PermissionDenied("销号由学生就读学校申请。")
    _returned(case)
    if case.close_proposed_at is not None:
        raise ValidationError("学校已申请销号，等待乡镇确认。")
    propose = todos.todo_of(case, todos.propose_key(case))
    if propose is None:
        raise ValidationError("返校后到校尚未满核验上学日数，暂不能申请销号。")
    xueji = todos.todo_of(case, todos.xueji_key(case))
    if xueji is not None and not xueji.is_done:
        raise ValidationError("学籍尚未恢复或补建，请先登记学籍办理情况。")
    note = (note or "").strip()
    case = states.transition(
        case,
        "propose_close",
        by=by,
        note=f"学校申请销号{('：' + note) if note else ''}",
        close_proposed_at=timezone.now(),
        close_proposed_by=by,
    )
    services.complete_todo(todo=propose, by=by, note=note or "已申请销号")
    todos.create_confirm_todo(case)
    return case


@transaction.atomic
def confirm_close(*, case, by, note=""):
    """The township signs off: the case is struck off (销号), with who and when."""
    if not access(by).may_confirm_close(case):
        raise PermissionDenied("销号由乡镇控辍办确认。")
    _returned(case)
    note = (note or "").strip()
    case = states.transition(
        case,
        "verify_return",
        by=by,
        note=f"乡镇确认销号{('：' + note) if note else ''}",
        ending=Case.Ending.RETURNED,
        closed_on=timezone.localdate(),
        close_confirmed_at=timezone.now(),
        close_confirmed_by=by,
    )
    confirm = todos.open_todo(case, todos.confirm_key(case))
    if confirm is not None:
        services.complete_todo(todo=confirm, by=by, note=note or "已确认销号")
    return case
