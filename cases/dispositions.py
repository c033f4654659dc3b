"""六处置 (000 附件1《控辍保学三访一验六处置办法》): the one place their rules live.

`REGISTRY` holds, for each Disposition.Kind: its label, who may ask for it,
whether the county education bureau approves, the rule check (Chinese
messages naming what is missing), the evidence the archive needs (000 附件3
《档案资料清单》) and the ending the case is struck off with (the child's
入学状态 follows through cases/states.ENDING_STATUS).

A disposition runs: 准备材料 (draft: facts and evidence) → for the four the
county approves, 待县教育局审批 → 已批准, or 未批准 (the case goes back to
劝返中) → 已销号 (close_disposition: the case closes with the kind's ending).
Nothing is struck off while the rule or the checklist has a gap: the refusal
lists every gap. The daily follow-ups (送教上门 weekly, 移交县级核处 monthly,
休学/缓学 review) are at the end of this file.
"""

import datetime
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, Max, OuterRef, Q, Sum
from django.utils import timezone

from students import jurisdiction
from students.jurisdiction import child_scope
from students.models import Child, Membership
from students.schoolage import school_year_start

from . import endings, ladder, services, states
from .calendar import SchoolCalendar, calendar_around
from .models import (
    Attachment,
    Case,
    CaseEvent,
    Disposition,
    HomeTeachingSession,
    PersuasionRecord,
    ReturnNotice,
    Todo,
)
from .persuasion import ATTACHMENT_EXTENSIONS, IMAGE_EXTENSIONS, check_upload, renamed_upload

Kind = Disposition.Kind
DState = Disposition.State
Role = Membership.Role
Ending = Case.Ending

# 000 附件1: 送教上门 once a week, at least 2 class hours, at least 80 a school year.
HOME_TEACHING_MIN_HOURS = Decimal("2")
HOME_TEACHING_YEAR_HOURS = Decimal("80")
# 000 附件1: at least three joint persuasions with the student present.
JOINT_PERSUASIONS = 3
# 休学 needs a diagnosis from a county-level (人民医院) hospital or higher.
HOSPITAL_LEVELS = [
    ("县级", "县级"),
    ("市级", "市级"),
    ("省级", "省级"),
    ("乡镇及以下", "乡镇及以下"),
]
COUNTY_OR_HIGHER = {"县级", "市级", "省级"}
# The county's approval to-do falls due this many school days after submission.
APPROVAL_DAYS = 5
# The follow-ups look this far back (a missed run still catches up, old gaps stay old).
LOOKBACK_WEEKS = 4
LOOKBACK_MONTHS = 3
REVIEW_NOTICE_DAYS = 7
# To-dos a disposition keeps after the case is struck off (the others close with it).
ONGOING_TODO_KINDS = [Todo.Kind.HOME_TEACHING, Todo.Kind.FOLLOW_UP, Todo.Kind.REVIEW]

# Who records a 送教上门 session (the teachers who go, their school, the township).
SESSION_ROLES = frozenset({Role.TEACHER, Role.SCHOOL_ADMIN, Role.TOWNSHIP, Role.SYSADMIN})

SUBMIT, CLOSE = "submit", "close"


# ---------------------------------------------------------------------------
# The registry's shape
# ---------------------------------------------------------------------------


class Source:
    """Where an evidence item comes from."""

    UPLOAD = "upload"  # an Attachment with item=code
    NOTICE = "notice"  # a ReturnNotice on the case, or an uploaded scan
    JOINT = "joint"  # the case's joint persuasions with the student present
    FOLLOW_UPS = "follow_ups"  # months with a joint persuasion after approval


@dataclass(frozen=True)
class Evidence:
    code: str
    label: str  # 000 附件3's words
    source: str = Source.UPLOAD
    count: int = 1
    required: bool = True
    # Issued by the county: needed to strike off, not to submit for approval.
    after_approval: bool = False

    @property
    def uploadable(self):
        return self.source in (Source.UPLOAD, Source.NOTICE)


@dataclass(frozen=True)
class Fact:
    """A fact the disposition's form asks for, kept in Disposition.facts."""

    name: str
    label: str
    type: str = "text"  # text | date | choice | joint_record
    choices: tuple = ()
    help: str = ""


@dataclass(frozen=True)
class Rule:
    kind: str
    label: str
    when: str  # 000 附件1: the children it is for
    requesters: frozenset  # Membership.Role values that may ask for it
    county_approves: bool
    ending: str  # Case.Ending: the child's status follows (states.ENDING_STATUS)
    check: Callable  # (Dossier) -> [Chinese messages]
    evidence: tuple
    facts: tuple = ()
    review_required: bool = False
    eligible: Callable | None = None  # (child, on) -> [messages]: checked at start too
    note: str = ""

    @property
    def status(self):
        return states.ENDING_STATUS[self.ending]

    @property
    def uploads(self):
        return [e for e in self.evidence if e.uploadable]


# ---------------------------------------------------------------------------
# What a rule looks at: one disposition with its case's evidence
# ---------------------------------------------------------------------------


def _date(value):
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def local_day(moment):
    return timezone.localtime(moment).date()


def _ymd(day):
    return f"{day.year}年{day.month}月{day.day}日"


@dataclass
class Dossier:
    disposition: Disposition
    on: datetime.date
    items: Counter = field(default_factory=Counter)  # uploaded evidence codes
    joint: list = field(default_factory=list)  # joint visits, student present, oldest first
    has_notice: bool = False

    @property
    def rule(self):
        return REGISTRY[self.disposition.kind]

    @property
    def child(self):
        return self.disposition.case.child

    def fact(self, name):
        return (self.disposition.facts or {}).get(name) or ""

    def fact_date(self, name):
        return _date(self.fact(name))

    @property
    def last_joint(self):
        return self.joint[-1] if self.joint else None

    def follow_up_months(self):
        """Months with a joint persuasion (student present) after the county approved."""
        decided = self.disposition.decided_at
        if decided is None:
            return set()
        return {(d.year, d.month) for d in (local_day(r.at) for r in self.joint if r.at >= decided)}


def load_dossiers(dispositions, *, on):
    """Dossiers for many dispositions in a fixed handful of queries.

    Uploads count from the case's last reopening on (a renewed disposition
    needs fresh papers); persuasions and notices are the case's whole history.
    """
    dispositions = list(dispositions)
    case_ids = {d.case_id for d in dispositions}
    reopened = dict(
        CaseEvent.objects.filter(case_id__in=case_ids, action="reopen")
        .values("case_id")
        .annotate(at=Max("at"))
        .values_list("case_id", "at")
    )
    items = defaultdict(Counter)
    uploads = Attachment.objects.filter(case_id__in=case_ids).exclude(item="")
    for case_id, item, at in uploads.values_list("case_id", "item", "uploaded_at"):
        if case_id not in reopened or at >= reopened[case_id]:
            items[case_id][item] += 1
    joint = defaultdict(list)
    records = (
        PersuasionRecord.objects.filter(
            case_id__in=case_ids,
            method=PersuasionRecord.Method.JOINT_VISIT,
            student_present=True,
        )
        .prefetch_related("participants")
        .order_by("at", "pk")
    )
    for r in records:
        if r.is_joint:
            joint[r.case_id].append(r)
    noticed = set(
        ReturnNotice.objects.filter(case_id__in=case_ids).values_list("case_id", flat=True)
    )
    return [
        Dossier(d, on, items[d.case_id], joint[d.case_id], d.case_id in noticed)
        for d in dispositions
    ]


def load_dossier(disposition, *, on=None):
    return load_dossiers([disposition], on=on or timezone.localdate())[0]


# ---------------------------------------------------------------------------
# The rules (000 附件1), each returning what is missing
# ---------------------------------------------------------------------------


def _grade_nine_spring(child, on):
    problems = []
    if child.grade != 9:
        now = child.get_grade_display() if child.grade else "未登记年级"
        problems.append(f"仅限初三（九年级）学生办理：该生为{now}")
    if not 2 <= on.month <= 8:
        problems.append("仅限初三下学期（2月至8月）办理")
    return problems


def _disabled(child, on):
    if child.is_disabled:
        return []
    return ["学生档案未登记残疾：请先在学生档案中登记残疾类别和等级"]


def check_graduation(d):
    problems = _grade_nine_spring(d.child, d.on)
    last = d.last_joint
    exam = d.fact_date("exam_date")
    cert = d.fact_date("certificate_date")
    if last is not None:
        last_day = local_day(last.at)
        agreed_id = str(d.fact("agreed_record_id"))
        if agreed_id and agreed_id != str(last.pk):
            problems.append(
                f"同意补习考试的劝返须是最后一次学生在场的联合劝返（最后一次为{_ymd(last_day)}）"
            )
        elif not agreed_id and last.outcome != PersuasionRecord.Outcome.AGREED:
            problems.append(
                f"最后一次联合劝返（{_ymd(last_day)}）未记录同意补习参加毕业考试："
                "劝返结果应为“同意返校”，或指定同意补考的劝返记录"
            )
        if exam and (exam.year, exam.month) == (last_day.year, last_day.month):
            problems.append(
                f"最后一次联合劝返（{_ymd(last_day)}）不能在考试月（{exam.year}年{exam.month}月）"
            )
        elif exam and exam < last_day:
            problems.append("补习考试应在最后一次联合劝返之后")
        if cert and cert <= last_day:
            problems.append(
                f"毕业（结业）证日期（{_ymd(cert)}）须在最后一次联合劝返（{_ymd(last_day)}）之后"
            )
    if not exam:
        problems.append("未填写补习考试日期")
    if not cert:
        problems.append("未填写毕业（结业）证日期")
    elif exam and cert < exam:
        problems.append("毕业（结业）证日期须在补习考试之后")
    return problems


def check_suspension(d):
    problems = []
    level = d.fact("hospital_level")
    if not d.fact("hospital_name"):
        problems.append("未填写诊断医院")
    if not level:
        problems.append("未填写诊断医院等级（须县级人民医院及以上）")
    elif level not in COUNTY_OR_HIGHER:
        problems.append(f"诊断医院为{level}医院：须县级人民医院及以上医院的诊断证明")
    return problems


def check_disabled(d):
    return _disabled(d.child, d.on)


def check_nothing_more(d):
    return []


def check_special_school(d):
    return [] if d.fact("school_name") else ["未填写专门学校名称"]


NOTICE = Evidence("return_notice", "限期复学通知书", source=Source.NOTICE)
JOINT = Evidence(
    "joint_persuasions",
    f"至少{JOINT_PERSUASIONS}次联合劝返记录（能证明学生本人在场）",
    source=Source.JOINT,
    count=JOINT_PERSUASIONS,
)
DISABILITY = Evidence("disability_certificate", "残疾证明（残疾证）")
OFFICES = frozenset({Role.SCHOOL_ADMIN, Role.TOWNSHIP, Role.SYSADMIN})

REGISTRY = {
    r.kind: r
    for r in [
        Rule(
            kind=Kind.GRADUATION,
            label="办理毕业（结业）证",
            when="初三下期疑似辍学，经3次联合劝返（学生本人在场）仍不返校的，组织补习考试后发放毕业或结业证",
            requesters=OFFICES,
            county_approves=False,
            ending=Ending.GRADUATION,
            check=check_graduation,
            eligible=_grade_nine_spring,
            evidence=(
                NOTICE,
                JOINT,
                Evidence("exam_photos", "考试图片材料"),
                Evidence("certificate", "毕业（结业）证（时间在劝返后）"),
                Evidence("exam_papers", "考试试卷（存教务处）"),
            ),
            facts=(
                Fact("exam_date", "补习考试日期", "date", help="不能与最后一次联合劝返同月"),
                Fact("certificate_date", "毕业（结业）证日期", "date"),
                Fact(
                    "certificate_kind",
                    "证书",
                    "choice",
                    (("毕业证", "毕业证"), ("结业证", "结业证")),
                ),
                Fact(
                    "agreed_record_id",
                    "同意补考的劝返记录",
                    "joint_record",
                    help="留空则以最后一次联合劝返的结果“同意返校”为准",
                ),
            ),
        ),
        Rule(
            kind=Kind.SUSPENSION,
            label="办理休学证明",
            when="因病休假治疗的学生，持县级人民医院及以上医院诊断证明向学校申请，经学校和教育行政部门同意",
            requesters=frozenset({Role.SCHOOL_ADMIN, Role.SYSADMIN}),
            county_approves=True,
            ending=Ending.SUSPENSION,
            check=check_suspension,
            review_required=True,
            evidence=(
                Evidence("diagnosis", "县级以上医院建议休学诊断证明"),
                Evidence("application", "休学申请表"),
            ),
            facts=(
                Fact("hospital_name", "诊断医院"),
                Fact("hospital_level", "医院等级", "choice", tuple(HOSPITAL_LEVELS)),
                Fact("diagnosis", "诊断结论"),
            ),
        ),
        Rule(
            kind=Kind.HOME_TEACHING,
            label="送教上门",
            when="无基本生活自理能力又没有完全丧失学习能力的重度残疾儿童",
            requesters=OFFICES,
            county_approves=True,
            ending=Ending.HOME_TEACHING,
            check=check_disabled,
            eligible=_disabled,
            note=(
                "送教上门的学生纳入学籍管理：销号后仍保留学籍（入学状态为“送教上门”）。"
                "每周送教1次，每次不少于2学时，每学年不少于80学时。"
            ),
            evidence=(
                DISABILITY,
                Evidence(
                    "placement_document", "县教委关于该生送教上门的安置文件", after_approval=True
                ),
                Evidence("parent_consent", "送教上门家长同意书"),
                Evidence("ability_assessment", "学生能力评估表", required=False),
                Evidence(
                    "teaching_plan", "送教上门教学或训练方案（课程计划、课表）", required=False
                ),
                Evidence("photos", "送教图片、音视频", required=False),
            ),
            facts=(Fact("placement_doc_number", "安置文件文号"),),
        ),
        Rule(
            kind=Kind.EXEMPTION,
            label="办理免学",
            when="已经完全丧失学习能力的重度残疾少年儿童",
            requesters=OFFICES,
            county_approves=True,
            ending=Ending.EXEMPTION,
            check=check_disabled,
            eligible=_disabled,
            evidence=(
                DISABILITY,
                Evidence("bureau_approval", "免学申请表（教委盖章同意）", after_approval=True),
                Evidence("photos", "图片资料"),
            ),
        ),
        Rule(
            kind=Kind.DEFERRAL,
            label="办理缓学",
            when="正在康复治疗中的残疾少年儿童",
            requesters=OFFICES,
            county_approves=True,
            ending=Ending.DEFERRAL,
            check=check_disabled,
            eligible=_disabled,
            review_required=True,
            evidence=(
                DISABILITY,
                Evidence("bureau_approval", "缓学申请表（教委盖章同意）", after_approval=True),
                Evidence("photos", "图片资料"),
            ),
        ),
        Rule(
            kind=Kind.COUNTY_REVIEW,
            label="移交县级核处",
            when="极度厌学，经3次以上联合劝返（学生本人在场）拒不返校的学生",
            requesters=OFFICES,
            county_approves=True,
            ending=Ending.COUNTY_REVIEW,
            check=check_nothing_more,
            note="县级核实同意后，每月至少联合劝返一次（学生本人在场），系统逐月核查。",
            evidence=(
                NOTICE,
                JOINT,
                Evidence(
                    "county_approval",
                    "县委农村工作暨实施乡村振兴战略领导小组核实同意的佐证资料",
                    after_approval=True,
                ),
                Evidence(
                    "follow_ups",
                    "每月至少一次联合劝返（学生本人在场）",
                    source=Source.FOLLOW_UPS,
                    required=False,
                ),
            ),
        ),
        Rule(
            kind=Kind.SPECIAL_SCHOOL,
            label="送读专门学校",
            when="长期违规违纪且犯法的学生，经家长、本人同意，由公安局牵头送专门学校就读",
            requesters=OFFICES,
            county_approves=False,
            ending=Ending.SPECIAL_SCHOOL,
            check=check_special_school,
            evidence=(
                Evidence("guardian_consent", "家长（监护人）同意书"),
                Evidence("student_consent", "学生本人同意书"),
                Evidence("admission_form", "《专门学校学生入学审批表》"),
            ),
            facts=(
                Fact("school_name", "专门学校名称"),
                Fact("police_unit", "牵头公安机关"),
            ),
        ),
    ]
}
assert set(REGISTRY) == set(Kind.values), "every Disposition.Kind needs its rule"


# ---------------------------------------------------------------------------
# Evaluating a dossier: the checklist and what is still missing
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ChecklistRow:
    item: Evidence
    have: int
    ok: bool
    detail: str


def checklist(d):
    rows = []
    for e in d.rule.evidence:
        detail = ""
        if e.source == Source.UPLOAD:
            have = d.items[e.code]
        elif e.source == Source.NOTICE:
            have = d.items[e.code] + (1 if d.has_notice else 0)
            detail = "已签发限期返校通知书" if d.has_notice else ""
        elif e.source == Source.JOINT:
            have = len(d.joint)
            detail = f"现有{have}次"
        else:
            have = len(d.follow_up_months())
            detail = f"已有{have}个月" if d.disposition.decided_at else "县级同意后开始"
        rows.append(ChecklistRow(e, have, have >= e.count, detail))
    return rows


def problems(d, stage):
    """What stands between the disposition and the next step (SUBMIT or CLOSE)."""
    rule, disposition = d.rule, d.disposition
    found = list(rule.check(d))
    if rule.review_required:
        if not disposition.review_on:
            found.append("未填写复查日期")
        elif stage == SUBMIT and disposition.review_on <= d.on:
            found.append("复查日期应晚于今天")
    for row in checklist(d):
        e = row.item
        if row.ok or not e.required or (stage == SUBMIT and e.after_approval):
            continue
        if e.count > 1:
            found.append(f"缺少：{e.label}（现有{row.have}次）")
        else:
            found.append(f"缺少：{e.label}")
    if stage == CLOSE and rule.county_approves and disposition.state != DState.APPROVED:
        found.append("尚未经县教育局审批同意")
    return found


# ---------------------------------------------------------------------------
# Who may do what
# ---------------------------------------------------------------------------


def kinds_for(user, case):
    """The rules the user may start on this case (none unless it is 劝返中)."""
    if case.state not in states.OPEN_STATES:
        return []
    roles = jurisdiction.roles_for_child(user, case.child)
    return [r for r in REGISTRY.values() if roles & r.requesters]


def may_act_on_case(user, case, rule):
    """The registry's `requesters`: who may ask for, fill, submit and strike off."""
    return bool(jurisdiction.roles_for_child(user, case.child) & rule.requesters)


def may_act(user, disposition):
    return may_act_on_case(user, disposition.case, REGISTRY[disposition.kind])


def may_approve(user, disposition):
    """Only the county education bureau over the child's county (not IT admins)."""
    return Role.COUNTY in jurisdiction.roles_for_child(user, disposition.case.child)


def may_approve_anything(user):
    return any(m.role == Role.COUNTY for m in jurisdiction.memberships(user))


def may_record_session(user, disposition):
    return disposition.kind == Kind.HOME_TEACHING and bool(
        jurisdiction.roles_for_child(user, disposition.case.child) & SESSION_ROLES
    )


def _require(allowed, message):
    if not allowed:
        raise PermissionDenied(message)


def _require_state(disposition, allowed, message):
    if disposition.state not in allowed:
        raise ValidationError(f"该处置当前为“{disposition.get_state_display()}”，{message}")


def _event(case, *, action, note, by):
    return CaseEvent.objects.create(
        case=case, action=action, from_state=case.state, to_state=case.state, note=note[:500], by=by
    )


def _move(disposition, from_states, **values):
    """A conditional UPDATE: two people, one change."""
    done = Disposition.objects.filter(pk=disposition.pk, state__in=from_states).update(**values)
    if not done:
        raise ValidationError("该处置已被他人处理，请刷新页面。")
    for name, value in values.items():
        setattr(disposition, name, value)


def _school_days_after(case, on, count):
    county_id = case.child.village.township.county_id
    try:
        return calendar_around(county=county_id, day=on).add_school_days(on, count)
    except ValueError:
        return on + datetime.timedelta(days=count)


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
    if rule.eligible and (refused := rule.eligible(case.child, on)):
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
    _require_state(disposition, {DState.DRAFT}, "不能再修改（提交审批后材料事实不可更改）。")
    stored = {}
    for fact in rule.facts:
        value = _fact_value(facts.get(fact.name))
        if value is not None:
            stored[fact.name] = value
    _move(
        disposition,
        [DState.DRAFT],
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
    _require_state(
        disposition,
        {DState.DRAFT, DState.PENDING, DState.APPROVED, DState.DONE},
        "不能再上传材料。",
    )
    # The same limits and checks as every upload of the case (cases/persuasion.py).
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
    _require_state(disposition, {DState.DRAFT}, "不能提交审批。")
    missing = problems(load_dossier(disposition, on=on), SUBMIT)
    if missing:
        raise ValidationError(missing)
    _move(disposition, [DState.DRAFT], state=DState.PENDING)
    case = disposition.case
    Todo.objects.bulk_create(
        [
            ladder.make_todo(
                case,
                key=f"approval-{disposition.pk}",
                kind=Todo.Kind.APPROVAL,
                title=f"审批{case.child.name}的{rule.label}申请",
                role=Role.COUNTY,
                due_on=_school_days_after(case, on, APPROVAL_DAYS),
            )
        ],
        ignore_conflicts=True,
    )
    _event(case, action="submit_disposition", note=f"{rule.label}：提交县教育局审批", by=by)
    return disposition


def _finish_approval_todo(disposition, *, by, note):
    todo = Todo.objects.filter(case=disposition.case, key=f"approval-{disposition.pk}").first()
    if todo is not None:
        services.complete_todo(todo=todo, by=by, note=note)


@transaction.atomic
def decide_disposition(*, disposition, approve, by, note=""):
    """The county approves, or rejects with a reason (the case goes back to 劝返中)."""
    rule = REGISTRY[disposition.kind]
    _require(may_approve(by, disposition), "只有县教育局可以审批处置。")
    note = (note or "").strip()
    if not approve and not note:
        raise ValidationError("不批准时请填写审批意见。")
    _require_state(disposition, {DState.PENDING}, "不在待审批状态。")
    _move(
        disposition,
        [DState.PENDING],
        state=DState.APPROVED if approve else DState.REJECTED,
        decided_by=by,
        decided_at=timezone.now(),
        decision_note=note[:300],
    )
    verdict = "批准" if approve else "不批准"
    _finish_approval_todo(disposition, by=by, note=f"{verdict}{('：' + note) if note else ''}")
    if approve:
        _event(
            disposition.case,
            action="approve_disposition",
            note=f"县教育局批准{rule.label}" + (f"：{note}" if note else ""),
            by=by,
        )
    else:
        _back_to_persuasion(
            disposition, by=by, note=f"县教育局未批准{rule.label}：{note}，继续劝返"
        )
    return disposition


def _back_to_persuasion(disposition, *, by, note):
    """劝返 goes on: the case back to 劝返中 (unless it moved on meanwhile, e.g. 返校)."""
    if disposition.case.state == Case.State.DISPOSING:
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
    _require_state(disposition, {DState.DRAFT, DState.PENDING, DState.APPROVED}, "不能销号。")
    missing = problems(load_dossier(disposition, on=on), CLOSE)
    if missing:
        raise ValidationError(missing)
    _move(
        disposition,
        [DState.APPROVED if rule.county_approves else DState.DRAFT],
        state=DState.DONE,
    )
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
    _require_state(disposition, {DState.DRAFT, DState.PENDING, DState.APPROVED}, "不能撤回。")
    _move(
        disposition,
        [DState.DRAFT, DState.PENDING, DState.APPROVED],
        state=DState.REJECTED,
        decided_by=by,
        decided_at=timezone.now(),
        decision_note=f"申请人撤回：{note}"[:300],
    )
    _finish_approval_todo(disposition, by=by, note="申请人已撤回")
    _back_to_persuasion(disposition, by=by, note=f"撤回{rule.label}：{note}")
    return disposition


def is_running(disposition):
    """Approved and not undone: the weekly / monthly work goes on."""
    if disposition.state == DState.APPROVED:
        return disposition.case.state == Case.State.DISPOSING
    rule = REGISTRY[disposition.kind]
    case = disposition.case
    return (
        disposition.state == DState.DONE
        and case.state == Case.State.CLOSED
        and case.ending == rule.ending
        and case.child.status == rule.status
    )


def _hours(value):
    try:
        return Decimal(str(value)).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError):
        raise ValidationError({"hours": "请填写学时数。"}) from None


@transaction.atomic
def record_session(*, disposition, date, hours, teachers, content, by, photo=None, on=None):
    """One 送教上门 visit: at least 2 class hours; completes the missed-week to-dos it makes up."""
    on = on or timezone.localdate()
    _require(may_record_session(by, disposition), "您无权登记送教记录。")
    if not is_running(disposition):
        raise ValidationError("送教上门尚未经县教育局批准安置（或已结束），不能登记送教记录。")
    hours = _hours(hours)
    errors = {}
    if hours < HOME_TEACHING_MIN_HOURS:
        errors["hours"] = f"每次送教不少于{HOME_TEACHING_MIN_HOURS}个学时（本次填写{hours}学时）。"
    if date > on:
        errors["date"] = "送教日期不能晚于今天。"
    elif disposition.decided_at and date < local_day(disposition.decided_at):
        errors["date"] = "送教日期早于县教育局批准安置的日期。"
    elif HomeTeachingSession.objects.filter(disposition=disposition, date=date).exists():
        errors["date"] = "该日已登记送教记录。"
    if not (teachers or "").strip():
        errors["teachers"] = "请填写送教教师。"
    if not (content or "").strip():
        errors["content"] = "请填写送教内容。"
    if photo:
        try:
            check_upload(photo, label="照片", extensions=IMAGE_EXTENSIONS)
        except ValidationError as e:
            errors["photo"] = e.messages
    if errors:
        raise ValidationError(errors)
    session = HomeTeachingSession.objects.create(
        disposition=disposition,
        date=date,
        hours=hours,
        teachers=teachers.strip(),
        content=content.strip(),
        photo=renamed_upload(photo) if photo else "",
        recorded_by=by,
    )
    monday = date - datetime.timedelta(days=date.weekday())
    made_up = [
        t.pk
        for t in Todo.objects.filter(
            case=disposition.case, kind=Todo.Kind.HOME_TEACHING, done_at__isnull=True
        )
        if (week := _week_of_key(t.key)) is not None and week <= monday
    ]
    Todo.objects.filter(pk__in=made_up, done_at__isnull=True).update(
        done_at=timezone.now(), done_by=by, done_note=f"{_ymd(date)}送教{hours}学时"
    )
    return session


# ---------------------------------------------------------------------------
# Selectors (reads)
# ---------------------------------------------------------------------------


def dispositions_of(case):
    return case.dispositions.select_related("requested_by", "decided_by").order_by(
        "-requested_at", "-pk"
    )


def case_panel_context(user, case, *, on=None):
    """What templates/cases/dispositions/_case_panel.html shows on the case page."""
    listed = list(dispositions_of(case)[:10])
    active = next((d for d in listed if d.state not in (DState.REJECTED, DState.DONE)), None)
    current = active or next((d for d in listed if d.state == DState.DONE), None)
    progress = None
    if current is not None and current.kind == Kind.HOME_TEACHING:
        current.case = case
        if is_running(current):
            progress = home_teaching_progress(current, on=on)
    return {
        "dispositions": listed,
        "active_disposition": active,
        "home_teaching": current if progress else None,
        "home_teaching_progress": progress,
        "may_start_disposition": bool(kinds_for(user, case)) and active is None,
        "may_end_case": case.is_open and endings.may_end(user, case),
        "may_reopen": endings.may_reopen(user, case),
    }


def pending_for_user(user):
    """Dispositions waiting for this county user's decision, oldest first."""
    children = Child.objects.filter(child_scope(user, roles={Role.COUNTY}))
    return (
        Disposition.objects.filter(state=DState.PENDING, case__child__in=children)
        .select_related("case__child__village__township", "case__child__school", "requested_by")
        .order_by("requested_at", "pk")
    )


@dataclass(frozen=True)
class Progress:
    school_year: str
    hours: Decimal
    target: Decimal
    sessions: int
    last: datetime.date | None

    @property
    def percent(self):
        return min(100, int(self.hours * 100 / self.target)) if self.target else 100


def home_teaching_progress(disposition, *, on=None):
    """Hours so far this school year (1 September on) against the 80 required."""
    on = on or timezone.localdate()
    year = school_year_start(on)
    agg = disposition.sessions.filter(date__gte=datetime.date(year, 9, 1), date__lte=on).aggregate(
        hours=Sum("hours"), n=Count("pk"), last=Max("date")
    )
    return Progress(
        school_year=f"{year}—{year + 1}学年",
        hours=agg["hours"] or Decimal("0"),
        target=HOME_TEACHING_YEAR_HOURS,
        sessions=agg["n"],
        last=agg["last"],
    )


def running_dispositions(*, kinds, county=None):
    """Approved dispositions whose work goes on (送教, monthly follow-ups, reviews):
    approved and not yet struck off, or struck off with the child still in
    that status and the case not reopened; only the latest on each case."""
    q = Q(pk__in=[])
    for kind in kinds:
        rule = REGISTRY[kind]
        q |= Q(kind=kind) & (
            Q(state=DState.APPROVED, case__state=Case.State.DISPOSING)
            | Q(
                state=DState.DONE,
                case__state=Case.State.CLOSED,
                case__ending=rule.ending,
                case__child__status=rule.status,
            )
        )
    later = Disposition.objects.filter(case=OuterRef("case"), pk__gt=OuterRef("pk"))
    qs = Disposition.objects.filter(q).filter(~Exists(later))
    if county is not None:
        qs = qs.filter(case__child__village__township__county=county)
    return qs.select_related("case__child__village__township", "case__child__school")


# ---------------------------------------------------------------------------
# The daily follow-ups (cases/scan.run_daily_checks calls daily_followups)
# ---------------------------------------------------------------------------


def _week_key(monday):
    year, week, _ = monday.isocalendar()
    return f"ht-{year}-W{week:02d}"


def _week_of_key(key):
    try:
        year, week = key.removeprefix("ht-").split("-W")
        return datetime.date.fromisocalendar(int(year), int(week), 1)
    except ValueError:
        return None


def _month_of_key(key):
    try:
        year, month = key.removeprefix("fu-").split("-")
        return int(year), int(month)
    except ValueError:
        return None


def _add_months(year_month, n):
    y, m = year_month
    y, m = divmod(y * 12 + m - 1 + n, 12)
    return y, m + 1


def _months_between(first, last):
    """(year, month) from `first` to `last`, both included."""
    y, m = first
    while (y, m) <= last:
        yield y, m
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)


def _create_todos(todos):
    """Save to-dos once per (case, key); returns how many are new."""
    if not todos:
        return 0
    keys = {(t.case_id, t.key) for t in todos}
    case_ids = {t.case_id for t in todos}
    existing = set(Todo.objects.filter(case_id__in=case_ids).values_list("case_id", "key"))
    Todo.objects.bulk_create(todos, ignore_conflicts=True)
    after = set(Todo.objects.filter(case_id__in=case_ids).values_list("case_id", "key"))
    return len((after - existing) & keys)


def _missed_weeks(county, on):
    """送教上门: a school week (Mon–Sun with a school day) ended without a session."""
    last_monday = on - datetime.timedelta(days=on.weekday() + 7)
    earliest = last_monday - datetime.timedelta(weeks=LOOKBACK_WEEKS - 1)
    running = list(running_dispositions(kinds=[Kind.HOME_TEACHING], county=county))
    if not running:
        return 0
    held = defaultdict(set)
    for pk, day in HomeTeachingSession.objects.filter(
        disposition__in=running, date__gte=earliest
    ).values_list("disposition_id", "date"):
        held[pk].add(day)
    calendars = {}
    todos = []
    for d in running:
        school = d.case.child.school
        if school not in calendars:
            calendars[school] = SchoolCalendar(
                county=county,
                school=school,
                start=earliest,
                end=last_monday + datetime.timedelta(6),
            )
        calendar = calendars[school]
        since = local_day(d.decided_at)
        # From the first whole week after the county approved the placement.
        first_monday = since + datetime.timedelta(days=7 - since.weekday())
        monday = max(earliest, first_monday)
        while monday <= last_monday:
            week = [monday + datetime.timedelta(days=i) for i in range(7)]
            if any(calendar.is_school_day(day) for day in week) and not held[d.pk] & set(week):
                todos.append(
                    ladder.make_todo(
                        d.case,
                        key=_week_key(monday),
                        kind=Todo.Kind.HOME_TEACHING,
                        title=(
                            f"送教上门：{week[0].month}月{week[0].day}日至{week[-1].month}月"
                            f"{week[-1].day}日这一周未送教，请补送并登记（每周1次，每次不少于2学时）"
                        ),
                        role=Role.SCHOOL_ADMIN,
                        due_on=on,
                    )
                )
            monday += datetime.timedelta(weeks=1)
    return _create_todos(todos)


def _missed_months(county, on):
    """移交县级核处: a month after approval ended without a joint persuasion
    (student present). A later one completes the to-do (补做)."""
    last = _add_months((on.year, on.month), -1)
    earliest = _add_months(last, 1 - LOOKBACK_MONTHS)
    running = list(running_dispositions(kinds=[Kind.COUNTY_REVIEW], county=county))
    if not running:
        return 0, 0
    dossiers = load_dossiers(running, on=on)
    todos, made_up = [], []
    open_todos = defaultdict(list)
    for t in Todo.objects.filter(
        case__in=[d.case_id for d in running], kind=Todo.Kind.FOLLOW_UP, done_at__isnull=True
    ):
        open_todos[t.case_id].append(t)
    for dossier in dossiers:
        d = dossier.disposition
        approved = local_day(d.decided_at)
        # From the first whole month after the county approved.
        start = _add_months((approved.year, approved.month), 1)
        held = dossier.follow_up_months()
        for year, month in _months_between(max(start, earliest), last):
            if (year, month) not in held:
                todos.append(
                    ladder.make_todo(
                        d.case,
                        key=f"fu-{year}-{month:02d}",
                        kind=Todo.Kind.FOLLOW_UP,
                        title=f"移交县级核处：{year}年{month}月未开展联合劝返（学生本人须在场），请补做并记录",
                        role=Role.TOWNSHIP,
                        due_on=on,
                    )
                )
        for t in open_todos[d.case_id]:
            missed = _month_of_key(t.key)
            if missed and any(ym >= missed for ym in held):
                made_up.append(t.pk)
    created = _create_todos(todos)
    done = Todo.objects.filter(pk__in=made_up, done_at__isnull=True).update(
        done_at=timezone.now(), done_note="已开展联合劝返（学生本人在场）"
    )
    return created, done


def _reviews_due(county, on):
    """休学 / 缓学: the review date is within a week: remind the school."""
    due = running_dispositions(kinds=[Kind.SUSPENSION, Kind.DEFERRAL], county=county).filter(
        review_on__isnull=False, review_on__lte=on + datetime.timedelta(days=REVIEW_NOTICE_DAYS)
    )
    todos = [
        ladder.make_todo(
            d.case,
            key=f"review-{d.pk}",
            kind=Todo.Kind.REVIEW,
            title=(
                f"{REGISTRY[d.kind].label}复查：{_ymd(d.review_on)}到期，"
                "核实身体/康复情况，能复学的及时办理复学"
            ),
            role=Role.SCHOOL_ADMIN,
            due_on=d.review_on,
        )
        for d in due
    ]
    return _create_todos(todos)


def daily_followups(*, county, on):
    """The per-case cadence of the dispositions, for one county and day.

    Idempotent: every to-do has a key unique on its case, completions are
    conditional updates. Returns the counts of what it created.
    """
    with transaction.atomic():
        weeks = _missed_weeks(county, on)
        months, made_up = _missed_months(county, on)
        reviews = _reviews_due(county, on)
    return {
        "home_teaching_todos": weeks,
        "follow_up_todos": months,
        "follow_ups_made_up": made_up,
        "review_todos": reviews,
        "junior_cases": endings.junior_handover_cases(county=county, on=on),
    }
