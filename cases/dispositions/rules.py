"""The shape of a disposition's rule (Rule/Evidence/Fact), the 000 附件1 limits
and the rule checks: each returns what is missing, in Chinese.

The six rules themselves are in cases/dispositions/registry.py.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.core.cache import cache
from django.utils import timezone

from students.models import Membership
from students.presets import fixture_rows

from .. import states
from ..calendar import SchoolCalendar
from ..models import EvidencePreset, PersuasionRecord

# 000 附件1: 送教上门 once a week, at least 2 class hours, at least 80 a school year.
HOME_TEACHING_MIN_HOURS = Decimal("2")
HOME_TEACHING_YEAR_HOURS = Decimal("80")
# 休学 needs a diagnosis from a county-level (人民医院) hospital or higher.
HOSPITAL_LEVELS = [
    ("县级", "县级"),
    ("市级", "市级"),
    ("省级", "省级"),
    ("乡镇及以下", "乡镇及以下"),
]
COUNTY_OR_HIGHER = {"县级", "市级", "省级"}


# ---------------------------------------------------------------------------
# The registry's shape
# ---------------------------------------------------------------------------


class Source:
    """Where an evidence item comes from (EvidencePreset.Source)."""

    UPLOAD = "upload"  # an Attachment with item=code
    NOTICE = "notice"  # a ReturnNotice on the case, or an uploaded scan
    JOINT = "joint"  # the case's joint persuasions with the student present
    FOLLOW_UPS = "follow_ups"  # months with a joint persuasion after approval


EVIDENCE_FIXTURE = "disposition_evidence.json"
EVIDENCE_FIELDS = ("code", "label", "source", "count", "required", "after_approval")


# Read for every disposition on a page: cached briefly, and dropped on any
# change of EvidencePreset (post_save / post_delete, loaddata included; cases/apps.py).
EVIDENCE_CACHE_KEY = "presets:evidence"
EVIDENCE_CACHE_SECONDS = 300


def forget_evidence_presets(**kwargs):
    cache.delete(EVIDENCE_CACHE_KEY)


def _evidence_rows():
    """{kind: [fields]} of every EvidencePreset, in order; the shipped fixture
    only when the table is empty (a flushed test database)."""
    rows = list(EvidencePreset.objects.values("kind", *EVIDENCE_FIELDS))
    if not rows:
        rows = sorted(
            fixture_rows(EVIDENCE_FIXTURE, "cases.evidencepreset"),
            key=lambda r: (r["kind"], r.get("position", 0), r["code"]),
        )
    by_kind = {}
    for r in rows:
        by_kind.setdefault(r["kind"], []).append({k: r[k] for k in EVIDENCE_FIELDS if k in r})
    return by_kind


def evidence_for(kind):
    """The evidence list of a Disposition.Kind (000 附件3), in order: the
    EvidencePreset rows (fixtures/disposition_evidence.json)."""
    by_kind = cache.get(EVIDENCE_CACHE_KEY)
    if by_kind is None:
        by_kind = _evidence_rows()
        cache.set(EVIDENCE_CACHE_KEY, by_kind, EVIDENCE_CACHE_SECONDS)
    return tuple(Evidence(**fields) for fields in by_kind.get(kind, ()))


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
    facts: tuple = ()
    review_required: bool = False
    eligible: Callable | None = None  # (case, on) -> [messages]: checked at start too
    note: str = ""
    # Who approves (Membership.Role): the county education bureau, or for
    # 移交县级核处 the county's leading group (permissions.APPROVERS).
    approver: str = Membership.Role.COUNTY

    @property
    def approver_title(self):
        """The approving office's role label (县教育局, 县委农村工作领导小组)."""
        return Membership.Role(self.approver).label

    @property
    def status(self):
        return states.ENDING_STATUS[self.ending]

    @property
    def evidence(self):
        """000 附件3's list for this kind, from the database (EvidencePreset)."""
        return evidence_for(self.kind)

    @property
    def uploads(self):
        return [e for e in self.evidence if e.uploadable]


# ---------------------------------------------------------------------------
# Dates (read by the rules, the dossier, the writes and the follow-ups)
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


# ---------------------------------------------------------------------------
# The rules (000 附件1), each returning what is missing
# ---------------------------------------------------------------------------


# 000 附件1 ①: "凡是在初三下期疑似辍学的学生". Without terms in the county's
# calendar, the second term is taken as February to July.
SPRING_MONTHS = range(2, 8)


def suspected_since(case, until):
    """The first day of the case's suspected-dropout period: its first
    absence, else the day it was opened (never after `until`)."""
    first = case.first_absent_on or local_day(case.opened_at)
    return min(first, until)


def _spring_terms(case, start, until):
    """The county's (or the child's school's) second terms (下期: a term that
    starts between January and August) overlapping start..until, and whether
    the calendar has terms at all around them."""
    calendar = SchoolCalendar(
        county=case.child.village.township.county_id,
        school=case.child.school,
        start=start,
        end=until,
    )
    spring = [
        t for t in calendar.terms if 1 <= t.start.month <= 8 and t.start <= until and t.end >= start
    ]
    return spring, bool(calendar.terms)


def _in_second_term(case, start, until):
    spring, has_terms = _spring_terms(case, start, until)
    if has_terms:
        return bool(spring)
    day = start
    while day <= until:
        if day.month in SPRING_MONTHS:
            return True
        day = (day.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    return False


def _grade_nine_spring(case, on):
    """① is for a child who was a suspected dropout in the second term of
    grade 9: the period from the case's first absence to `on` must reach into
    a second term of the county's calendar, whenever the disposition is entered."""
    child = case.child
    problems = []
    if child.grade != 9:
        now = child.get_grade_display() if child.grade else "未登记年级"
        problems.append(f"仅限初三（九年级）学生办理：该生为{now}")
    since = suspected_since(case, on)
    if not _in_second_term(case, since, on):
        problems.append(
            f"仅限初三下学期疑似辍学的学生办理：该生自{_ymd(since)}起疑似辍学，"
            f"至{_ymd(on)}未经历初三下学期（以县校历为准）"
        )
    return problems


# 000 附件1 ③④ and 附件3: 重度残疾 with a 二级以上残疾证 (grade 一级 or 二级).
SEVERE_GRADES = (1, 2)
NOT_DISABLED = "学生档案未登记残疾：请先在学生档案中登记残疾类别和等级"


def _severe(child, what):
    """What keeps the child from counting as 重度残疾 with a 二级以上残疾证."""
    if not child.is_disabled:
        return [NOT_DISABLED]
    problems = []
    if not child.disability_certified:
        problems.append(f"{what}须持二级以上残疾人证：学生档案未登记持有残疾人证")
    if not child.disability_category:
        problems.append("学生档案未登记残疾类别（视力、听力、言语、肢体、智力、精神、多重）")
    if child.disability_grade not in SEVERE_GRADES:
        now = (
            f"残疾等级为{child.get_disability_grade_display()}"
            if child.disability_grade
            else "未登记残疾等级"
        )
        problems.append(f"{what}仅限重度残疾（残疾人证一级或二级）：该生{now}")
    return problems


def _home_teaching(case, on):
    """③ 送教上门: 无基本的生活自理能力又没有完全丧失学习能力的重度残疾儿童."""
    child = case.child
    problems = _severe(child, "送教上门")
    if problems == [NOT_DISABLED]:
        return problems
    care, learning = child.disability_self_care, child.disability_learning
    if not care:
        problems.append("学生档案未登记生活自理能力")
    elif care != child.SelfCare.NONE:
        problems.append(
            "送教上门仅限无基本的生活自理能力的重度残疾儿童：该生有基本的生活自理能力，"
            "应随班就读或到特殊教育学校就读"
        )
    if not learning:
        problems.append("学生档案未登记学习能力（是否已经完全丧失）")
    elif learning == child.Learning.LOST:
        problems.append("该生已经完全丧失学习能力：应申请办理免学，不采取送教上门")
    return problems


def _exemption(case, on):
    """④ 免学: 已经完全丧失学习能力的重度残疾少年儿童."""
    child = case.child
    problems = _severe(child, "免学")
    if problems == [NOT_DISABLED]:
        return problems
    if child.disability_learning != child.Learning.LOST:
        now = child.get_disability_learning_display() or "未登记学习能力"
        problems.append(f"免学仅限已经完全丧失学习能力的重度残疾少年儿童：该生{now}")
    return problems


def _deferral(case, on):
    """④ 缓学: 正在康复治疗中的残疾少年儿童."""
    child = case.child
    if not child.is_disabled:
        return [NOT_DISABLED]
    if not child.in_rehabilitation:
        return ["缓学仅限正在康复治疗中的残疾少年儿童：学生档案未登记正在康复治疗中"]
    return []


def check_graduation(d):
    problems = _grade_nine_spring(d.disposition.case, d.on)
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


def check_home_teaching(d):
    return _home_teaching(d.disposition.case, d.on)


def check_exemption(d):
    return _exemption(d.disposition.case, d.on)


def check_deferral(d):
    return _deferral(d.disposition.case, d.on)


def check_nothing_more(d):
    return []


CONSENTS = (("同意", "同意"), ("不同意", "不同意"))


def check_special_school(d):
    """⑥ 经家长、本人同意，由公安局牵头: both consents and the police unit on record."""
    problems = [] if d.fact("school_name") else ["未填写专门学校名称"]
    if not d.fact("police_unit"):
        problems.append("未填写牵头公安机关（送读专门学校由公安局牵头）")
    for name, who in (("guardian_consent", "家长（监护人）"), ("student_consent", "学生本人")):
        answer = d.fact(name)
        if not answer:
            problems.append(f"未记录{who}是否同意送读专门学校")
        elif answer != "同意":
            problems.append(f"{who}不同意送读专门学校：须经家长、本人同意")
    return problems
