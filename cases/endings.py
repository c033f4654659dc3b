"""Endings that are not dropouts, reopening a closed case, and 小升初.

- 转学 / 外出就读 (001: contact the receiving school or education bureau):
  two steps. The receiving school (name, place) is recorded; then someone
  confirms the child is actually studying there (已确认在读: who on the other
  side, how). The case closes only after a confirmation later than the last
  recorded destination.
- 户籍迁出 / 死亡: closed at once, with a note saying what shows it.
- 重新启动: a closed case reopens (the record is never lost); 劝返 starts again.
- 小升初 (001 §5, DOMAIN §5): primary graduates not registered at a junior
  school after the first week of the autumn term get a case, the primary
  school's (see junior_handover_cases).

The facts of a destination and its confirmation are CaseEvents (the case's
timeline): actions `<prefix>_recorded` / `<prefix>_confirmed`, the details
in the note. The child's 入学状态 follows the ending in cases/states.py.
"""

import datetime
import operator
from dataclasses import dataclass
from functools import reduce

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q

from students.jurisdiction import access
from students.models import Child, Membership, School, XuejiRecord
from students.schoolage import school_year_start
from students.selectors import settings_for, settings_groups

from . import ladder, states
from .calendar import calendar_around
from .dispositions import states as disposition_states
from .models import Case, CaseEvent, Disposition, Term, Todo

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


# ---------------------------------------------------------------------------
# 小升初 (001 §5): a primary graduate not registered at a junior school
# ---------------------------------------------------------------------------

PRIMARY_KINDS = [School.Kind.PRIMARY, School.Kind.TEACHING_POINT]
JUNIOR_KINDS = [School.Kind.JUNIOR, School.Kind.NINE_YEAR]
JUNIOR_NOTE = "小升初未报到"


def autumn_term_start(county, on):
    """The start of the autumn term `on` falls in: the county's own term
    (starting August or later), or 1 September where no terms are entered."""
    term = (
        Term.objects.filter(
            county=county, school__isnull=True, start__lte=on, end__gte=on, start__month__gte=8
        )
        .order_by("-start")
        .first()
    )
    if term is not None:
        return term.start
    if on.month >= 9 and not Term.objects.filter(county=county).exists():
        return datetime.date(on.year, 9, 1)
    return None


def junior_candidates(*, county, on):
    """Children the roster still keeps in grade 6 of a primary school (or 教学点)
    although by age (the township's entry cutoff) they finished grade 6 last
    school year, 在读, with no 学籍 record at a junior or nine-year school, and
    no case for it yet this school year. One query."""
    year = school_year_start(on)
    finished_primary = Q(pk__in=[])
    for where, s in settings_groups(county=county):
        cutoff = datetime.date(year - 12, s.entry_cutoff_month, s.entry_cutoff_day)
        finished_primary |= where & Q(birth_date__lte=cutoff)
    return (
        Child.objects.filter(
            finished_primary,
            village__township__county=county,
            status=Child.Status.ENROLLED,
            grade=6,
            school__kind__in=PRIMARY_KINDS,
        )
        .exclude(Exists(Case.objects.filter(child=OuterRef("pk")).exclude(state=S.CLOSED)))
        .exclude(Exists(CaseEvent.objects.filter(case__child=OuterRef("pk"), key=f"junior-{year}")))
        .exclude(
            Exists(XuejiRecord.objects.filter(child=OuterRef("pk"), school__kind__in=JUNIOR_KINDS))
        )
    )


def junior_handover_cases(*, county, on):
    """Once the hand-over week (handover_school_days school days of the autumn
    term, default 5) is over: open a case (origin 手工建档,
    note 小升初未报到) for each junior_candidates() child, with a to-do for the
    primary school. Returns how many cases it opened.

    Who is responsible (001 §5): a graduate who never registered is a no-show
    of the hand-over week, the primary school's — it sent the graduates and
    keeps them on its roster until they register, so the to-do goes to the
    child's roster school (the primary). Once the junior school registers the
    child (the roster moves to it), any later absence is the junior school's
    through the ordinary daily scan. Idempotent: a CaseEvent key
    "junior-<school year>" per case, one open case per child.
    """
    start = autumn_term_start(county, on)
    if start is None:
        return 0
    # The hand-over week is a setting (handover_school_days, 001 "一周内"):
    # only the townships whose week is over take part.
    try:
        calendar = calendar_around(county=county, day=start)
        first = calendar.add_school_days(start, 0)
        over = [
            where
            for where, s in settings_groups(county=county)
            if on >= calendar.add_school_days(first, s.handover_school_days)
        ]
    except ValueError:
        return 0
    if not over:
        return 0
    # An empty Q (the whole county) would vanish from an OR: it means everyone.
    past_deadline = Q() if not all(over) else reduce(operator.or_, over)
    year = school_year_start(on)
    found = list(
        junior_candidates(county=county, on=on)
        .filter(past_deadline)
        .values_list("pk", "village__township_id")
    )
    if not found:
        return 0
    rules = {}
    for _, township_id in found:
        if township_id not in rules:
            rules[township_id] = settings_for(township=county.townships.get(pk=township_id))

    def note(case):
        days = rules[case.child.village.township_id].handover_school_days
        return f"{JUNIOR_NOTE}：开学第{days}个上学日后仍在小学名册、未在初中注册学籍（系统）"

    with transaction.atomic():
        opened = states.open_cases(
            [
                states.NewCase(child_id=pk, ladder=rules[township_id].ladder)
                for pk, township_id in found
            ],
            origin=Case.Origin.MANUAL,
            key=f"junior-{year}",
            note=note,
        )
        Todo.objects.bulk_create(
            [
                ladder.make_todo(
                    c,
                    key=f"junior-{year}",
                    kind=Todo.Kind.CALL,
                    title=(
                        f"{JUNIOR_NOTE}：{c.child.school}联系监护人劝学，送到指定初中报到；"
                        "已在其他学校就读的核实后办理转学/外出就读"
                    ),
                    role=Role.SCHOOL_ADMIN,
                    due_on=on,
                )
                for c in opened
            ],
            ignore_conflicts=True,
        )
    return len(opened)
