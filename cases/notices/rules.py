"""Which step may be taken now: the one rule the services, the forms and the
pages share (buttons are hidden or disabled with these reasons).

Seed 004 四(二) and 001 附件1: the school reports only after the ladder has
reached its report step and the school's and the village's persuasion steps
before it are on record; the 《限期返校通知书》 follows a filed report; the
《限期复学通知书》 a report, or a disposition ① / ⑤ in progress; the
《限期入学通知书》 the ladder's own notice step (any ladder whose step's todo
is `notice`), its visit steps answered; "拒不送学，移交司法所" only once the
notice's deadline has passed without return. A township that must act early
records a StepOverride with its reason, which lifts the preconditions of that
action for the case's current episode.

A step counts as on record when a persuasion record of this episode (since
the case's first absence) answers its to-do kind, by the same table that
completes to-dos (cases/persuasion/services.py: answered_kinds()).
"""

from django.db.models import Exists, OuterRef

from students.jurisdiction import Role, access, preload_access

from ..models import (
    Case,
    Disposition,
    DropoutReport,
    PersuasionRecord,
    ReturnNotice,
    StepOverride,
    Todo,
)
from ..persuasion.services import answered_kinds

REPORT = StepOverride.Action.REPORT
NOTICE = StepOverride.Action.NOTICE
LEGAL = StepOverride.Action.LEGAL
NoticeKind = ReturnNotice.Kind

# Dispositions whose evidence is a 《限期复学通知书》 (000 附件3: ① and ⑤).
RESUME_DISPOSITIONS = {Disposition.Kind.GRADUATION, Disposition.Kind.COUNTY_REVIEW}
ACTIVE_DISPOSITION_STATES = {
    Disposition.State.DRAFT,
    Disposition.State.PENDING,
    Disposition.State.APPROVED,
}


def persuasion_kinds():
    """The to-do kinds some persuasion record can answer: a ladder's visit steps."""
    kinds = set()
    for method in PersuasionRecord.Method.values:
        for role in Role.values:
            kinds |= answered_kinds(method=method, roles={role})
    return kinds


def _kind_label(kind):
    return dict(Todo.Kind.choices).get(kind, kind)


def _episode(qs, case, field):
    """Rows of the case's current episode (since its first absence)."""
    if case.first_absent_on:
        return qs.filter(**{f"{field}__gte": case.first_absent_on})
    return qs


def records_of_episode(case):
    return _episode(
        PersuasionRecord.objects.filter(case=case).select_related("recorded_by"), case, "at__date"
    )


def kinds_on_record(case, records=None):
    """The to-do kinds this episode's persuasion records answer."""
    child = case.child
    records = list(records_of_episode(case) if records is None else records)
    users = {}
    for record in records:  # one user object per recorder, memberships in one query
        record.recorded_by = users.setdefault(record.recorded_by_id, record.recorded_by)
    preload_access(users.values())
    kinds = set()
    for record in records:
        roles = access(record.recorded_by).roles_for(child)
        kinds |= answered_kinds(method=record.method, roles=roles)
    return kinds


def override_of(case, action):
    """The township's written override of `action` for this episode, or None."""
    return _episode(case.overrides.filter(action=action), case, "at__date").first()


def facts(case):
    """What the notice rules read about a case, in one query: a report of
    this episode, a disposition ① / ⑤ under way, the overridden actions."""
    reports = _episode(DropoutReport.objects.filter(case=OuterRef("pk")), case, "filed_on")
    resume = Disposition.objects.filter(
        case=OuterRef("pk"), kind__in=RESUME_DISPOSITIONS, state__in=ACTIVE_DISPOSITION_STATES
    )
    overrides = {
        f"override_{a}": Exists(
            _episode(StepOverride.objects.filter(case=OuterRef("pk"), action=a), case, "at__date")
        )
        for a in StepOverride.Action.values
    }
    row = (
        Case.objects.filter(pk=case.pk)
        .annotate(has_report=Exists(reports), resume=Exists(resume), **overrides)
        .values("has_report", "resume", *overrides)
        .first()
    ) or {}
    return {
        "has_report": bool(row.get("has_report")),
        "resume": bool(row.get("resume")),
        "overridden": {a for a in StepOverride.Action.values if row.get(f"override_{a}")},
    }


def _ladder_step(case, todo, what):
    """(reasons, index) for reaching the ladder's step `todo` with every
    earlier visit step answered by a persuasion record."""
    ladder = list(case.ladder or [])
    index = next((i for i, s in enumerate(ladder, start=1) if s.get("todo") == todo), None)
    if index is None:
        return [f"本个案的升级阶梯没有“{_kind_label(todo)}”这一步，不能{what}。"]
    step = ladder[index - 1]
    reasons = []
    if case.stage < index:
        reasons.append(
            f"升级阶梯尚未到“{step.get('action') or _kind_label(todo)}”这一步："
            f"须连续无故缺课{step['day']}个上学日"
            f"（目前{case.streak}个上学日），不能{what}。"
        )
    visits = persuasion_kinds()
    done = kinds_on_record(case)
    missing = []
    for earlier in ladder[: index - 1]:
        kind = earlier.get("todo")
        if kind in visits and kind not in done and kind not in missing:
            missing.append(kind)
            reasons.append(
                f"尚无“{_kind_label(kind)}”的劝学记录（第{earlier['day']}个上学日："
                f"{earlier.get('action', '')}），不能{what}。"
            )
    return reasons


def _notice_reasons(case, kind, known):
    if kind == NoticeKind.RETURN:
        if known["has_report"]:
            return []
        return ["学校尚未报送辍学情况报告单：《限期返校通知书》须在报告单之后签发。"]
    if kind == NoticeKind.RESUME:
        if known["has_report"] or known["resume"]:
            return []
        return [
            "《限期复学通知书》须在学校报送辍学情况报告单之后，或在“办理毕业（结业）证”"
            "“移交县级核处”处置进行中签发。"
        ]
    if kind == NoticeKind.ENROL:
        return _ladder_step(case, Todo.Kind.NOTICE, "签发《限期入学通知书》")
    return ["请选择通知书种类。"]


def _legal_reasons(case, notice, on):
    if notice is None:
        return ["尚未签发限期通知书，不能移交司法所。"]
    if on is not None and on <= notice.return_deadline:
        return [
            f"{notice.number_label}的限期（{notice.return_deadline:%Y-%m-%d}）尚未届满，"
            "不能认定拒不送学、移交司法所；限期过后仍未返校的方可移交。"
        ]
    if notice.outcome in (ReturnNotice.Outcome.RETURNED, ReturnNotice.Outcome.LATE):
        return ["学生已返校，不能移交司法所。"]
    return []


def unmet_preconditions(case, action, kind=None, *, notice=None, on=None, known=None):
    """Chinese reasons why `action` ("report", "notice" with a notice `kind`,
    "legal" for `notice` on day `on`) may not be taken on `case` now; [] when
    it may, or when the township recorded an override for it. `known`: the
    case's facts() when the caller asks about several actions at once.

    Who may act is students.jurisdiction's; whether the case's state allows
    it is cases/states.py's.
    """
    if action == REPORT:
        reasons = _ladder_step(case, Todo.Kind.REPORT, "报送辍学情况报告单")
    elif action == NOTICE:
        known = known or facts(case)
        reasons = _notice_reasons(case, kind or NoticeKind.RETURN, known)
    elif action == LEGAL:
        reasons = _legal_reasons(case, notice, on)
    else:
        raise ValueError(f"unknown action {action!r}")
    if not reasons:
        return []
    if known is not None:
        return [] if action in known["overridden"] else reasons
    return [] if override_of(case, action) is not None else reasons


def offered_notice_kinds(case, known=None):
    """The notice kinds that belong on this case's page: 返校 always, 复学
    once a report or a disposition ① / ⑤ makes it possible, 入学 where the
    case's ladder has a notice step."""
    known = known or facts(case)
    kinds = [NoticeKind.RETURN]
    if known["has_report"] or known["resume"]:
        kinds.append(NoticeKind.RESUME)
    if any(step.get("todo") == Todo.Kind.NOTICE for step in case.ladder or []):
        kinds.append(NoticeKind.ENROL)
    return kinds
