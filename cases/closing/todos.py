"""The to-dos of the road from 复学 to 销号."""

import datetime

from django.utils import timezone

from ..ladder import Role, create_todos, make_todo
from ..models import Todo

# 004 四(四)1: "对劝返复学学生，在3日内完成学籍补建或恢复".
XUEJI_DAYS = 3
# The school's proposal and the township's sign-off: the same few days.
CLOSE_DAYS = 3


def _episode(case):
    return f"{case.returned_on:%Y%m%d}"


def xueji_key(case):
    return f"xueji-{_episode(case)}"


def propose_key(case):
    return f"close-propose-{_episode(case)}"


def confirm_key(case):
    return f"close-confirm-{_episode(case)}"


def create_xueji_todo(case):
    """The school restores (or, never enrolled, builds) the 学籍 within 3 days."""
    what = "补建" if case.placement == case.Placement.BY_AGE else "恢复"
    return create_todos(
        [
            make_todo(
                case,
                key=xueji_key(case),
                kind=Todo.Kind.XUEJI,
                title=f"{case.returned_on:%Y-%m-%d} 复学：3日内在学籍系统{what}学籍",
                role=Role.SCHOOL_ADMIN,
                due_on=case.returned_on + datetime.timedelta(days=XUEJI_DAYS),
            )
        ]
    )


def create_propose_todo(case, *, on, note):
    """Verification days attended: the school may propose 销号 (scan)."""
    return create_todos(
        [
            make_todo(
                case,
                key=propose_key(case),
                kind=Todo.Kind.PROPOSE_CLOSE,
                title=f"{note}：学校核实后申请销号，报乡镇确认",
                role=Role.SCHOOL_ADMIN,
                due_on=on + datetime.timedelta(days=CLOSE_DAYS),
            )
        ]
    )


def create_confirm_todo(case):
    return create_todos(
        [
            make_todo(
                case,
                key=confirm_key(case),
                kind=Todo.Kind.CONFIRM_CLOSE,
                title="学校已申请销号：乡镇核实复学情况后确认销号",
                role=Role.TOWNSHIP,
                due_on=timezone.localdate() + datetime.timedelta(days=CLOSE_DAYS),
            )
        ]
    )


def open_todo(case, key):
    return Todo.objects.filter(case=case, key=key, done_at__isnull=True).first()


def todo_of(case, key):
    return Todo.objects.filter(case=case, key=key).first()
