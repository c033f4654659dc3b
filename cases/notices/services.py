"""The school's report and the township's 《限期返校通知书》: writes.

Seed 004: at day 5 the school files the 《义务教育阶段学生辍学情况报告单》 to
the township; the township issues a 《限期返校通知书》 within
`notice_issue_days` (3) school days, ordering the guardian to return the
child within `notice_return_days` (3) school days; a guardian who refuses is
taken up by the 司法所. Each notice is numbered per township and year with no
gap and no duplicate, however many clerks issue at once.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from common.uploads import check_upload, renamed_upload
from students.jurisdiction import Role
from students.selectors import document_prefix_for, settings_for

from .. import ladder, services, states
from ..calendar import calendar_around
from ..models import (
    Case,
    CaseEvent,
    DropoutReport,
    NoticeCounter,
    ReportRecipient,
    ReturnNotice,
    Todo,
)
from . import rules
from .overrides import override_step
from .selectors import recipient_offices

S = Case.State
Outcome = ReturnNotice.Outcome
NoticeKind = ReturnNotice.Kind
# What the guardian is ordered to do, by notice kind.
ORDER = {NoticeKind.RETURN: "返校", NoticeKind.RESUME: "复学", NoticeKind.ENROL: "入学"}

# DOMAIN §9 / NATIONAL §7: what a township's notice rests on. Frozen onto each
# notice when it is issued, so a later change of wording never alters one.
LEGAL_BASIS = (
    "1.《中华人民共和国义务教育法》第五条第二款：适龄儿童、少年的父母或者其他法定监护人"
    "应当依法保证其按时入学接受并完成义务教育。\n"
    "2.《中华人民共和国义务教育法》第十一条：凡年满六周岁的儿童，其父母或者其他法定监护人"
    "应当送其入学接受并完成义务教育；条件不具备的地区的儿童，可以推迟到七周岁。适龄儿童、"
    "少年因身体状况需要延缓入学或者休学的，其父母或者其他法定监护人应当提出申请，由当地"
    "乡镇人民政府或者县级人民政府教育行政部门批准。\n"
    "3.《中华人民共和国义务教育法》第十三条：县级人民政府教育行政部门和乡镇人民政府组织和"
    "督促适龄儿童、少年入学，帮助解决适龄儿童、少年接受义务教育的困难，采取措施防止适龄"
    "儿童、少年辍学。居民委员会和村民委员会协助政府做好工作，督促适龄儿童、少年入学。\n"
    "4.《中华人民共和国义务教育法》第五十八条：适龄儿童、少年的父母或者其他法定监护人无正当"
    "理由未依照本法规定送适龄儿童、少年入学接受义务教育的，由当地乡镇人民政府或者县级人民"
    "政府教育行政部门给予批评教育，责令限期改正。\n"
    "5.《中华人民共和国未成年人保护法》第十六条第五项：未成年人的父母或者其他监护人应当"
    "尊重未成年人受教育的权利，保障适龄未成年人依法接受并完成义务教育。\n"
    "6.《中华人民共和国未成年人保护法》第十七条第五项：未成年人的父母或者其他监护人不得"
    "放任或者迫使应当接受义务教育的未成年人失学、辍学。\n"
    "7.《中华人民共和国未成年人保护法》第二十八条第二款：学校应当对尚未完成义务教育的辍学"
    "未成年学生进行登记并劝返复学；劝返无效的，应当及时向教育行政部门书面报告。"
)
# Only where a provincial rule allows a fine (JurisdictionSettings.notice_fine_clause).
FINE_CLAUSE = (
    "逾期仍拒不送适龄儿童、少年入学接受义务教育的，将依照本省（自治区、直辖市）"
    "义务教育有关规定予以处罚。"
)
# What follows if the notice is ignored (004: 司法所 legal education, then legal means).
CONSEQUENCE = (
    "逾期不履行的，由乡镇司法所开展义务教育法宣传教育，并依法采取进一步措施督促履行监护职责。"
)
RECEIPT_EXTENSIONS = {".jpg", ".jpeg", ".png", ".webp", ".pdf"}


def _school_day_after(*, county_id, school=None, day, count, what):
    try:
        return calendar_around(county=county_id, school=school, day=day).add_school_days(day, count)
    except ValueError:
        raise ValidationError(
            f"校历中 {day:%Y-%m-%d} 之后找不到上学日，无法计算{what}，请先维护校历。"
        ) from None


def _not_future(day, field, label):
    if day > timezone.localdate():
        raise ValidationError({field: f"{label}不能晚于今天。"})


def _save_todo(todo):
    """Create a to-do once per (case, key): a second run finds the first."""
    todo.full_clean(exclude=["case", "school", "village", "township", "county"])
    Todo.objects.bulk_create([todo], ignore_conflicts=True)


@transaction.atomic
def file_report(*, case, by, recipients, receiver="", receiver_contact="", summary, filed_on=None):
    """The school files its 辍学情况报告单: the case goes to the township
    (and, under 001's ladder, to the county's 教育局 and 督导室 too)."""
    filed_on = filed_on or timezone.localdate()
    _not_future(filed_on, "filed_on", "报送时间")
    states.check(case, "file_report")
    child = case.child
    if not child.school_id:
        raise ValidationError("该学生没有就读学校，报告单须由学校报送。")
    reasons = rules.unmet_preconditions(case, rules.REPORT)
    if reasons:
        raise ValidationError(reasons)
    case = states.transition(
        case,
        "file_report",
        by=by,
        note=f"学校报送辍学情况报告单（{filed_on:%Y-%m-%d}，报送{(recipients or '').strip()}）",
    )
    report = DropoutReport(
        case=case,
        school_id=child.school_id,
        filed_on=filed_on,
        filed_by=by,
        recipients=(recipients or "").strip(),
        receiver=(receiver or "").strip(),
        receiver_contact=(receiver_contact or "").strip(),
        summary=(summary or "").strip(),
    )
    report.full_clean(exclude=["case", "school", "filed_by"])
    report.save()
    ReportRecipient.objects.bulk_create(
        [ReportRecipient(report=report, **office) for office in recipient_offices(case)]
    )
    services.complete_todos(
        case=case, kinds=[Todo.Kind.REPORT], by=by, note=f"已报送（{filed_on:%Y-%m-%d}）"
    )
    township = child.village.township
    days = settings_for(township=township).notice_issue_days
    due = _school_day_after(
        county_id=township.county_id, day=filed_on, count=days, what="通知书签发期限"
    )
    _save_todo(
        ladder.make_todo(
            case,
            key="notice" if not case.todos.filter(key="notice").exists() else f"notice-{report.pk}",
            kind=Todo.Kind.NOTICE,
            title=f"学校已于{filed_on:%Y-%m-%d}报送辍学情况报告单："
            f"{days}个上学日内向监护人签发《限期返校通知书》",
            role=Role.TOWNSHIP,
            due_on=due,
        )
    )
    return report


def _next_number(township, year):
    """The next notice number of a township and year, under the counter's lock.

    The counter row is locked (SELECT … FOR UPDATE) until the transaction
    ends, so two clerks take turns; the first notice of a year creates the
    row, and two first issuers racing meet at its unique (township, year):
    the loser's insert fails, it locks the winner's row and counts on. A
    rolled-back issue rolls the counter back too: no gap.
    """
    for attempt in range(3):
        try:
            counter, _ = NoticeCounter.objects.select_for_update().get_or_create(
                township=township, year=year
            )
            break
        except IntegrityError:
            if attempt == 2:
                raise
    # Never reuse a number that exists, whatever the counter says.
    used = (
        ReturnNotice.objects.filter(township=township, year=year).aggregate(m=Max("number"))["m"]
        or 0
    )
    counter.last_number = max(counter.last_number, used) + 1
    counter.save(update_fields=["last_number"])
    return counter.last_number


def _check_state_for(case, kind):
    """返校 and 入学 move the case to NOTICE; a 复学 notice may also go to a
    case in disposition (① / ⑤) or already under notice."""
    if kind == NoticeKind.RESUME and case.state in states.OPEN_STATES | {S.DISPOSING}:
        return
    states.check(case, "issue_notice")


def draft_return_notice(*, case, by, guardian_name, kind=NoticeKind.RETURN, issued_on=None):
    """The notice as it would be issued, unsaved and without a number
    (`number` is None): the 预览 prints it, issue_return_notice numbers and
    saves it. Deadline in school days, legal basis frozen from the settings."""
    issued_on = issued_on or timezone.localdate()
    child = case.child
    township = child.village.township
    values = settings_for(township=township)
    deadline = _school_day_after(
        county_id=township.county_id,
        school=child.school,
        day=issued_on,
        count=values.notice_return_days,
        what=f"限期{ORDER[kind]}日期",
    )
    legal_basis = LEGAL_BASIS + (f"\n{FINE_CLAUSE}" if values.notice_fine_clause else "")
    return ReturnNotice(
        case=case,
        township=township,
        kind=kind,
        prefix=document_prefix_for(township),
        year=issued_on.year,
        number=None,
        issued_on=issued_on,
        return_deadline=deadline,
        guardian_name=(guardian_name or "").strip(),
        legal_basis=legal_basis,
        fine_clause=values.notice_fine_clause,
        issued_by=by,
    )


@transaction.atomic
def issue_return_notice(
    *, case, by, guardian_name, kind=NoticeKind.RETURN, override_reason="", issued_on=None
):
    """The township issues a numbered notice: 《限期返校通知书》 (kind
    `return`, after the school's report), 《限期复学通知书》 (`resume`) or
    《限期入学通知书》 (`enrol`); preconditions in rules.py. With an
    `override_reason` a township office issues it early (a StepOverride)."""
    issued_on = issued_on or timezone.localdate()
    _not_future(issued_on, "issued_on", "签发日期")
    if kind not in NoticeKind.values:
        raise ValidationError({"kind": "请选择通知书种类。"})
    # The authoritative check is the transition's, under the case's lock.
    _check_state_for(case, kind)
    guardian_name = (guardian_name or "").strip()
    if not guardian_name:
        raise ValidationError({"guardian_name": "请填写监护人姓名。"})
    reasons = rules.unmet_preconditions(case, rules.NOTICE, kind)
    if reasons and (override_reason or "").strip():
        override_step(case=case, action=rules.NOTICE, reason=override_reason, by=by)
    elif reasons:
        raise ValidationError(reasons)
    last_report = case.reports.order_by("-filed_on").values_list("filed_on", flat=True).first()
    if last_report and issued_on < last_report:
        raise ValidationError(
            {"issued_on": f"签发日期不能早于报告单报送日期（{last_report:%Y-%m-%d}）。"}
        )
    notice = draft_return_notice(
        case=case, by=by, guardian_name=guardian_name, kind=kind, issued_on=issued_on
    )
    township = notice.township
    service_due = _school_day_after(
        county_id=township.county_id, day=issued_on, count=1, what="送达期限"
    )
    notice.number = _next_number(township, issued_on.year)
    deadline = notice.return_deadline
    notice.full_clean(exclude=["case", "township", "issued_by"], validate_unique=False)
    notice.save()
    note = (
        f"签发{notice.title}{notice.number_label}，"
        f"责令监护人{guardian_name}于{deadline:%Y-%m-%d}前送学生{ORDER[kind]}"
    )
    if states.may(case, "issue_notice"):
        states.transition(case, "issue_notice", by=by, note=note)
    else:  # a 复学 notice in a disposition: the state stays
        CaseEvent.objects.create(
            case=case,
            action="issue_notice",
            from_state=case.state,
            to_state=case.state,
            note=note,
            by=by,
        )
    services.complete_todos(
        case=case, kinds=[Todo.Kind.NOTICE], by=by, note=f"已签发{notice.number_label}"
    )
    _save_todo(
        ladder.make_todo(
            case,
            key=f"service-{notice.pk}",
            kind=Todo.Kind.SERVICE,
            title=f"送达{notice.number_label}，由村（社区）干部见证，收回签收回执",
            role=Role.TOWNSHIP,
            due_on=service_due,
        )
    )
    _save_todo(
        ladder.make_todo(
            case,
            key=f"deadline-{notice.pk}",
            kind=Todo.Kind.RETURN_DEADLINE,
            title=f"{notice.number_label}限期{ORDER[kind]}到期：核实是否{ORDER[kind]}，登记结果",
            role=Role.TOWNSHIP,
            due_on=deadline,
        )
    )
    return notice


@transaction.atomic
def record_service(*, notice, by, served_on, server_name, witness_name, receipt):
    """The notice was served on the guardian: who served it, who witnessed
    it (a village cadre) and the signed 回执."""
    locked = (
        ReturnNotice.objects.select_for_update(of=("self",))
        .select_related("township")
        .get(pk=notice.pk)
    )
    if locked.served_on:
        raise ValidationError(f"{locked.number_label}已于{locked.served_on:%Y-%m-%d}登记送达。")
    server_name = (server_name or "").strip()
    witness_name = (witness_name or "").strip()
    errors = {}
    if not served_on:
        errors["served_on"] = "请填写送达日期。"
    elif served_on > timezone.localdate():
        errors["served_on"] = "送达日期不能晚于今天。"
    elif served_on < locked.issued_on:
        errors["served_on"] = f"送达日期不能早于签发日期（{locked.issued_on:%Y-%m-%d}）。"
    if not server_name:
        errors["server_name"] = "请填写送达人。"
    if not witness_name:
        errors["witness_name"] = "请填写见证人（一般为村（社区）干部）。"
    elif witness_name == server_name:
        errors["witness_name"] = "见证人不能与送达人为同一人。"
    if not receipt:
        errors["receipt"] = "请上传监护人签收的回执（拍照或扫描）。"
    else:
        try:
            check_upload(receipt, label="签收回执", extensions=RECEIPT_EXTENSIONS)
        except ValidationError as e:
            errors["receipt"] = e.messages
    if errors:
        raise ValidationError(errors)
    locked.served_on = served_on
    locked.server_name = server_name
    locked.witness_name = witness_name
    locked.receipt = renamed_upload(receipt)
    locked.full_clean(exclude=["case", "township", "issued_by"], validate_unique=False)
    locked.save()
    case = locked.case
    services.complete_todos(
        case=case,
        kinds=[Todo.Kind.SERVICE],
        by=by,
        note=f"{served_on:%Y-%m-%d}送达，送达人{server_name}，见证人{witness_name}",
    )
    CaseEvent.objects.create(
        case=case,
        action="notice_served",
        from_state=case.state,
        to_state=case.state,
        note=f"{locked.number_label}已于{served_on:%Y-%m-%d}送达监护人"
        f"（送达人{server_name}，见证人{witness_name}）",
        by=by,
    )
    return locked


@transaction.atomic
def record_outcome(*, notice, by, outcome, outcome_on=None, note=""):
    """What came of the notice: returned (on time or late), refused (→ 司法所)
    or other."""
    outcome_on = outcome_on or timezone.localdate()
    note = (note or "").strip()
    locked = (
        ReturnNotice.objects.select_for_update(of=("self",))
        .select_related("township", "case__child__village__township", "case__child__school")
        .get(pk=notice.pk)
    )
    if locked.outcome:
        raise ValidationError(
            f"{locked.number_label}已登记结果：{locked.get_outcome_display()}，不能重复登记。"
        )
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": "请选择结果。"})
    _not_future(outcome_on, "outcome_on", "结果日期")
    if outcome_on < locked.issued_on:
        raise ValidationError(
            {"outcome_on": f"结果日期不能早于签发日期（{locked.issued_on:%Y-%m-%d}）。"}
        )
    deadline = locked.return_deadline
    if outcome == Outcome.RETURNED and outcome_on > deadline:
        raise ValidationError(
            {"outcome": f"返校日期晚于限期（{deadline:%Y-%m-%d}），请选择“逾期后返校”。"}
        )
    if outcome == Outcome.LATE and outcome_on <= deadline:
        raise ValidationError(
            {"outcome": f"返校日期未超过限期（{deadline:%Y-%m-%d}），请选择“已按期返校”。"}
        )
    if outcome == Outcome.REFUSED and not locked.served_on:
        raise ValidationError({"outcome": "通知书尚未送达，不能认定拒不送学；请先登记送达。"})
    if outcome == Outcome.REFUSED:
        reasons = rules.unmet_preconditions(locked.case, rules.LEGAL, notice=locked, on=outcome_on)
        if reasons:
            raise ValidationError({"outcome": reasons})
    if outcome == Outcome.OTHER and not note:
        raise ValidationError({"outcome_note": "选择“其他”时请说明情况。"})

    case = locked.case
    returned = outcome in (Outcome.RETURNED, Outcome.LATE)
    if returned:
        _check_may_return(case)
    locked.outcome = outcome
    locked.outcome_on = outcome_on
    locked.outcome_note = note
    locked.full_clean(exclude=["case", "township", "issued_by"], validate_unique=False)
    locked.save()
    text = f"{locked.number_label}结果：{locked.get_outcome_display()}（{outcome_on:%Y-%m-%d}）"
    if note:
        text += f"，{note}"
    services.complete_todos(case=case, kinds=[Todo.Kind.RETURN_DEADLINE], by=by, note=text[:300])
    if returned and states.may(case, "record_return"):
        states.transition(case, "record_return", by=by, note=text[:500], returned_on=outcome_on)
        return locked
    if outcome == Outcome.REFUSED:
        township = locked.township
        days = settings_for(township=township).notice_issue_days
        _save_todo(
            ladder.make_todo(
                case,
                # The same key the daily scan uses when a deadline passes: one to-do.
                key=f"legal-{locked.pk}",
                kind=Todo.Kind.LEGAL_EDUCATION,
                title=f"{locked.number_label}监护人拒不送学：由司法所开展义务教育法宣传教育，"
                f"依法督促履职",
                role=Role.TOWNSHIP,
                due_on=_school_day_after(
                    county_id=township.county_id, day=outcome_on, count=days, what="法治教育期限"
                ),
            )
        )
    CaseEvent.objects.create(
        case=case,
        action="notice_outcome",
        from_state=case.state,
        to_state=case.state,
        note=text[:500],
        by=by,
    )
    return locked


def _check_may_return(case):
    if case.state in states.OPEN_STATES | {S.DISPOSING, S.RETURNED}:
        return
    if case.state == S.CLOSED and case.ending == Case.Ending.RETURNED:
        return
    raise ValidationError(
        {
            "outcome": f"个案已结案（{case.get_ending_display() or case.get_state_display()}），"
            "不能登记为返校。"
        }
    )
