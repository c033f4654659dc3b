"""A disposition's states: which action each state allows, and where it leads.

准备材料 (draft) → for the kinds the county approves, 待县教育局审批 → 已批准,
or 未批准 → 已销号 (done); the other kinds go from 准备材料 straight to 已销号.
`may(disposition, action)` answers whether the state allows the action, for
the services (which refuse with refuse_unless_may) and for the pages (which
buttons to show) alike. Who may do it is permissions.py's question.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError

from ..models import Disposition
from .registry import REGISTRY, approver_name

DState = Disposition.State

ACTIVE_STATES = frozenset({DState.DRAFT, DState.PENDING, DState.APPROVED})
FINISHED_STATES = frozenset({DState.REJECTED, DState.DONE})


@dataclass(frozen=True)
class Step:
    label: str
    # The states the action may start from: for the kinds the county
    # approves, and for the others (no approval: straight to 销号).
    approved: frozenset
    direct: frozenset
    to_state: str | None = None  # None: the state stays


# action: its label, allowed from-states (county-approved kinds / the others), to-state
TRANSITIONS = {
    "save_facts": Step("修改材料事实", frozenset({DState.DRAFT}), frozenset({DState.DRAFT})),
    "add_evidence": Step("上传材料", ACTIVE_STATES | {DState.DONE}, ACTIVE_STATES | {DState.DONE}),
    "submit": Step(
        "提交县教育局审批", frozenset({DState.DRAFT}), frozenset(), to_state=DState.PENDING
    ),
    "approve": Step("批准", frozenset({DState.PENDING}), frozenset(), to_state=DState.APPROVED),
    "reject": Step("不批准", frozenset({DState.PENDING}), frozenset(), to_state=DState.REJECTED),
    "close": Step(
        "销号", frozenset({DState.APPROVED}), frozenset({DState.DRAFT}), to_state=DState.DONE
    ),
    "withdraw": Step("撤回", ACTIVE_STATES, ACTIVE_STATES, to_state=DState.REJECTED),
}


def _step(action):
    if action not in TRANSITIONS:
        raise ValueError(f"unknown disposition action: {action}")
    return TRANSITIONS[action]


def allowed_from(kind, action):
    """The states a disposition of `kind` may start `action` from."""
    step = _step(action)
    return step.approved if REGISTRY[kind].county_approves else step.direct


def to_state(action):
    return _step(action).to_state


def may(disposition, action):
    """Whether the disposition's state allows `action` (not who may do it)."""
    return disposition.state in allowed_from(disposition.kind, action)


def is_active(disposition):
    return disposition.state in ACTIVE_STATES


def refusal(disposition, action):
    """Why the state refuses `action` (Chinese), or "" when it allows it."""
    if may(disposition, action):
        return ""
    step = _step(action)
    state = disposition.get_state_display()
    if not allowed_from(disposition.kind, action):
        return f"“{REGISTRY[disposition.kind].label}”没有“{step.label}”这一步。"
    if (
        REGISTRY[disposition.kind].county_approves
        and DState.APPROVED in step.approved
        and disposition.state in {DState.DRAFT, DState.PENDING}
    ):
        rule = REGISTRY[disposition.kind]
        approver = (
            approver_name(rule, disposition.case) if disposition.case_id else rule.approver_title
        )
        return f"该处置当前为“{state}”，尚未经{approver}审批同意，不能{step.label}。"
    return f"该处置当前为“{state}”，不能{step.label}。"


def refuse_unless_may(disposition, action):
    if message := refusal(disposition, action):
        raise ValidationError(message)
