"""The writes of a disposition: start, fill the facts, upload evidence, submit,
decide, strike off (销号) and withdraw. 送教上门 sessions are in home_teaching.py."""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from common.uploads import ATTACHMENT_EXTENSIONS, check_upload, renamed_upload
from students.audit.services import Action, record_access
from students.models import Membership
from students.selectors import settings_for

from .. import ladder, services, states
from ..models import Attachment, Disposition, Todo
from .dossier import CLOSE, SUBMIT, evidence_gaps, load_dossier, problems
from .permissions import (
    _event,
    _move,
    _require,
    _school_days_after,
    may_act,
    may_act_on_case,
    may_approve,
    may_record_session,
)
from .registry import REGISTRY, approver_name
from .states import refuse_unless_may

Role = Membership.Role

# To-dos a disposition keeps after the case is struck off (the others close with it).
ONGOING_TODO_KINDS = [Todo.Kind.HOME_TEACHING, Todo.Kind.FOLLOW_UP, Todo.Kind.REVIEW]


# ---------------------------------------------------------------------------
# Services (writes)
# ---------------------------------------------------------------------------


@transaction.atomic
def start_disposition(*, case, kind, by, note="", on=None):
    """Start a disposition of `kind` on a case that is 劝返中 (OPEN/REPORTED/NOTICE)."""
    on = on or timezone.localdate()
    rule = REGISTRY.get(kind)
    if rule is None:
        raise ValidationError("请选择处置方式。")
    _require(may_act_on_case(by, case, rule), f"您无权申请“{rule.label}”。")
    if rule.eligible and (refused := rule.eligible(case, on)):
        raise ValidationError(refused)
    note = (note or "").strip()
    case = states.transition(
        case,
        "start_disposition",
        by=by,
        note=f"启动处置：{rule.label}" + (f"（{note}）" if note else ""),
    )
    try:
        with transaction.atomic():
            return Disposition.objects.create(case=case, kind=kind, requested_by=by)
    except IntegrityError:
        raise ValidationError("该个案已有进行中的处置。") from None


def _fact_value(value):
    """A form value as stored in Disposition.facts (JSON: dates as ISO text)."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip() or None


@transaction.atomic
def save_facts(*, disposition, facts, by, review_on=None):
    """Fill the disposition's facts (while 准备材料); blanks clear a fact."""
    rule = REGISTRY[disposition.kind]
    _require(may_act(by, disposition), "您无权填写该处置。")
    refuse_unless_may(disposition, "save_facts")
    stored = {}
    for fact in rule.facts:
        value = _fact_value(facts.get(fact.name))
        if value is not None:
            stored[fact.name] = value
    _move(
        disposition,
        "save_facts",
        facts=stored,
        review_on=review_on if rule.review_required else None,
    )
    labels = {f.name: f.label for f in rule.facts}
    summary = "；".join(f"{labels[k]}：{v}" for k, v in stored.items())
    if rule.review_required and review_on:
        summary += f"；复查日期：{review_on.isoformat()}"
    _event(disposition.case, action="disposition_facts", note=f"{rule.label}：{summary}", by=by)
    return disposition


@transaction.atomic
def add_evidence(*, disposition, item, file, by, note=""):
    """Upload one evidence item of the disposition's checklist (一生一案)."""
    rule = REGISTRY[disposition.kind]
    labels = {e.code: e.label for e in rule.uploads}
    if item not in labels:
        raise ValidationError("请选择材料项目。")
    _require(
        may_act(by, disposition) or may_record_session(by, disposition), "您无权上传该处置的材料。"
    )
    refuse_unless_may(disposition, "add_evidence")
    # The same limits and checks as every upload of the case (common/uploads.py).
    check_upload(file, label=labels[item], extensions=ATTACHMENT_EXTENSIONS)
    attachment = Attachment.objects.create(
        case=disposition.case,
        item=item,
        file=renamed_upload(file),
        note=(note or "").strip()[:200],
        uploaded_by=by,
    )
    _event(disposition.case, action="evidence", note=f"{rule.label}：上传{labels[item]}", by=by)
    return attachment


@transaction.atomic
def submit_disposition(*, disposition, by, on=None):
    """Send a complete file to the county (休学, 送教上门, 免学, 缓学, 移交县级核处)."""
    on = on or timezone.localdate()
    rule = REGISTRY[disposition.kind]
    _require(may_act(by, disposition), "您无权提交该处置。")
    if not rule.county_approves:
        raise ValidationError(f"“{rule.label}”不需县教育局审批：材料齐全后直接销号。")
    approver = approver_name(rule, disposition.case)
    refuse_unless_may(disposition, "submit")
    missing = problems(load_dossier(disposition, on=on), SUBMIT)
    if missing:
        raise ValidationError(missing)
    _move(disposition, "submit")
    case = disposition.case
    Todo.objects.bulk_create(
        [
            ladder.make_todo(
                case,
                key=f"approval-{disposition.pk}",
                kind=Todo.Kind.APPROVAL,
                title=f"审批{case.child.name}的{rule.label}申请",
                role=rule.approver,
                # The county's approval falls due this many school days after submission.
                due_on=_school_days_after(
                    case, on, settings_for(township=case.child.village.township).approval_days
                ),
            )
        ],
        ignore_conflicts=True,
    )
    _event(case, action="submit_disposition", note=f"{rule.label}：提交{approver}审批", by=by)
    return disposition


def _finish_approval_todo(disposition, *, by, note):
    todo = Todo.objects.filter(case=disposition.case, key=f"approval-{disposition.pk}").first()
    if todo is not None:
        services.complete_todo(todo=todo, by=by, note=note)


@transaction.atomic
def decide_disposition(*, disposition, approve, by, note=""):
    """The approver (the county education bureau; for 移交县级核处 the county's
    leading group) approves a complete file, or rejects with a reason (the
    case goes back to 劝返中)."""
    rule = REGISTRY[disposition.kind]
    approver = approver_name(rule, disposition.case)
    _require(may_approve(by, disposition), f"只有{approver}可以审批“{rule.label}”。")
    note = (note or "").strip()
    if not approve and not note:
        raise ValidationError("不批准时请填写审批意见。")
    action = "approve" if approve else "reject"
    refuse_unless_may(disposition, action)
    if approve and (missing := evidence_gaps(load_dossier(disposition), SUBMIT)):
        # Only a file holding its evidence (000 附件3) is approved: for ⑤ the
        # 限期复学通知书 and 3 joint persuasions with the student present.
        raise ValidationError(["材料不齐，不能批准：", *missing])
    _move(
        disposition,
        action,
        decided_by=by,
        decided_at=timezone.now(),
        decision_note=note[:300],
    )
    verdict = "批准" if approve else "不批准"
    _finish_approval_todo(disposition, by=by, note=f"{verdict}{('：' + note) if note else ''}")
    _record_decision(disposition, by=by, text=f"{verdict}{rule.label}", note=note)
    if approve:
        _event(
            disposition.case,
            action="approve_disposition",
            note=f"{approver}批准{rule.label}" + (f"：{note}" if note else ""),
            by=by,
        )
    else:
        _back_to_persuasion(
            disposition, by=by, note=f"{approver}未批准{rule.label}：{note}，继续劝返"
        )
    return disposition


def _record_decision(disposition, *, by, text, note):
    record_access(
        user=by,
        action=Action.DISPOSITION,
        child=disposition.case.child,
        detail=f"个案#{disposition.case_id} {text}" + (f"：{note}" if note else ""),
    )


def _back_to_persuasion(disposition, *, by, note):
    """劝返 goes on: the case back to 劝返中 (unless it moved on meanwhile, e.g. 返校)."""
    if states.may(disposition.case, "abandon_disposition"):
        disposition.case = states.transition(
            disposition.case, "abandon_disposition", by=by, note=note
        )
    else:
        _event(disposition.case, action="abandon_disposition", note=note, by=by)


@transaction.atomic
def close_disposition(*, disposition, by, on=None):
    """Strike the case off (销号) with the kind's ending, or say what is missing."""
    on = on or timezone.localdate()
    rule = REGISTRY[disposition.kind]
    _require(may_act(by, disposition), "您无权为该处置销号。")
    refuse_unless_may(disposition, "close")
    missing = problems(load_dossier(disposition, on=on), CLOSE)
    if missing:
        raise ValidationError(missing)
    _move(disposition, "close")
    disposition.case = states.transition(
        disposition.case,
        "close_disposition",
        by=by,
        ending=rule.ending,
        note=f"{rule.label}：规则符合、材料齐全，销号（入学状态：{rule.status.label}）",
    )
    Todo.objects.filter(case=disposition.case, done_at__isnull=True).exclude(
        kind__in=ONGOING_TODO_KINDS
    ).update(done_at=timezone.now(), done_by=by, done_note=f"个案已销号（{rule.label}）")
    return disposition


@transaction.atomic
def withdraw_disposition(*, disposition, by, note):
    """The requester withdraws (wrong kind, child came back): 劝返 continues."""
    rule = REGISTRY[disposition.kind]
    _require(may_act(by, disposition), "您无权撤回该处置。")
    note = (note or "").strip()
    if not note:
        raise ValidationError("请填写撤回原因。")
    refuse_unless_may(disposition, "withdraw")
    _move(
        disposition,
        "withdraw",
        decided_by=by,
        decided_at=timezone.now(),
        decision_note=f"申请人撤回：{note}"[:300],
    )
    _finish_approval_todo(disposition, by=by, note="申请人已撤回")
    _record_decision(disposition, by=by, text=f"撤回{rule.label}", note=note)
    _back_to_persuasion(disposition, by=by, note=f"撤回{rule.label}：{note}")
    return disposition
