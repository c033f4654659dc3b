"""The school's report and the township's notices: reads.

What the township's desk lists, the notices and reports a user or a case
sees, where a notice stands (late or not), and what the pages prefill.
"""

from django.db.models import CharField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from students.jurisdiction import access

from ..models import Case, DropoutReport, ReportRecipient, ReturnNotice, StepOverride, Todo
from ..selectors import cases_for_user

S = Case.State


def township_of(case):
    """The township that acts for this child: where the child lives (户籍所在地乡镇)."""
    return case.child.village.township


def _open_notice_todo(field):
    return Subquery(
        Todo.objects.filter(case=OuterRef("pk"), kind=Todo.Kind.NOTICE, done_at__isnull=True)
        .order_by("due_on")
        .values(field)[:1]
    )


def reported_cases_for_user(user):
    """Cases whose report is filed and whose notice is still to issue, in the
    user's townships (by where the child lives), the most urgent first."""
    latest_report = DropoutReport.objects.filter(case=OuterRef("pk")).order_by("-filed_on", "-pk")
    return (
        Case.objects.filter(access(user).townships("child__village__township"), state=S.REPORTED)
        .select_related("child__village__township", "child__school")
        .annotate(
            report_filed_on=Subquery(latest_report.values("filed_on")[:1]),
            notice_due_on=_open_notice_todo("due_on"),
            notice_flagged_on=_open_notice_todo("overdue_flagged_on"),
        )
        .order_by("notice_due_on", "pk")
    )


def _key_todo(kind, prefix, field):
    return Subquery(
        Todo.objects.filter(
            case=OuterRef("case"),
            kind=kind,
            key=Concat(Value(prefix), Cast(OuterRef("pk"), CharField())),
        ).values(field)[:1]
    )


def _notices(qs):
    return qs.select_related(
        "township", "case__child__village__township", "case__child__school"
    ).annotate(service_due_on=_key_todo(Todo.Kind.SERVICE, "service-", "due_on"))


def notices_for_user(user):
    """Issued notices of the user's townships, newest first."""
    return _notices(ReturnNotice.objects.filter(access(user).townships("township"))).order_by(
        "-issued_on", "-year", "-number"
    )


def notice_for_user(user, pk):
    """A notice the user may see: of a case they may see, or of a township
    they oversee. ReturnNotice.DoesNotExist otherwise."""
    visible = Q(case__in=cases_for_user(user).values("pk")) | access(user).townships("township")
    return _notices(ReturnNotice.objects.filter(visible)).get(pk=pk)


def notices_of_case(case):
    return _notices(ReturnNotice.objects.filter(case=case)).order_by("-issued_on", "-number")


def reports_of_case(case):
    return (
        DropoutReport.objects.filter(case=case)
        .select_related("school", "filed_by")
        .order_by("-filed_on", "-pk")
    )


def notice_status(notice, *, today=None):
    """(code, label, alarm): where a notice stands, and whether it is late.

    Late (red): not served by its service date; its return deadline passed
    with no outcome recorded.
    """
    today = today or timezone.localdate()
    if notice.outcome:
        return "outcome", notice.get_outcome_display(), False
    service_due = getattr(notice, "service_due_on", None)
    if notice.return_deadline < today:
        return "deadline_passed", "限期已过，未登记结果", True
    if notice.served_on is None:
        if service_due is not None and service_due < today:
            return "to_serve", "逾期未送达", True
        return "to_serve", "待送达", False
    return "served", "已送达，限期内", False


def with_status(notices, *, today=None):
    """The notices as a list, each with .status, .status_label, .alarm."""
    today = today or timezone.localdate()
    rows = list(notices)
    for n in rows:
        n.status, n.status_label, n.alarm = notice_status(n, today=today)
    return rows


def report_blockers(user, case):
    """(may_file, reasons) for the report page and panel: may the user file
    now, and if the case's preconditions stop it, why."""
    from . import rules

    if case.state != S.OPEN or not access(user).may_file_report(case):
        return False, []
    reasons = rules.unmet_preconditions(case, rules.REPORT)
    return not reasons, reasons


def notice_options(user, case):
    """[(kind, label, reasons)] the township office may issue on this case
    (reasons: why not yet); [] for anyone else."""
    from . import rules

    if not access(user).may_act_for_township(case.child.village.township_id):
        return []
    open_states = {S.OPEN, S.REPORTED}
    known = rules.facts(case)
    options = []
    for kind in rules.offered_notice_kinds(case, known):
        allowed = open_states | ({S.NOTICE, S.DISPOSING} if kind == "resume" else set())
        if case.state in allowed:
            reasons = rules.unmet_preconditions(case, rules.NOTICE, kind, known=known)
            options.append((kind, ReturnNotice.Kind(kind).label, reasons))
    return options


def case_panel_context(user, case):
    """What templates/cases/notices/_case_panel.html needs besides `case`."""
    may_file, report_reasons = report_blockers(user, case)
    options = notice_options(user, case)
    return {
        "reports": reports_of_case(case),
        "notices": with_status(notices_of_case(case)),
        "may_file_report": may_file,
        "report_reasons": report_reasons,
        "notice_options": options,
        "may_issue_notice": any(not reasons for _, _, reasons in options),
        "overrides": overrides_of_case(case),
        "may_override": case.is_open
        and access(user).may_override_steps(case.child.village.township_id),
    }


def recipient_offices(case):
    """The offices the case's report goes to, from its ladder's report step
    (`recipients`: 001 names 教育局（教育股）, 督导室 and the township; by
    default the township), as ReportRecipient fields."""
    step = next((s for s in case.ladder or [] if s.get("todo") == Todo.Kind.REPORT), {})
    codes = step.get("recipients") or [ReportRecipient.Office.TOWNSHIP]
    township = township_of(case)
    county = township.county
    names = {
        ReportRecipient.Office.TOWNSHIP: f"{township.name}人民政府",
        ReportRecipient.Office.BUREAU: f"{county.name}教育局（教育股）",
        ReportRecipient.Office.INSPECTORATE: f"{county.name}人民政府教育督导室",
    }
    return [
        {
            "office": code,
            "name": names[code],
            "county": county,
            "township": township if code == ReportRecipient.Office.TOWNSHIP else None,
        }
        for code in dict.fromkeys(codes)
        if code in names
    ]


def default_recipients(case):
    return "、".join(o["name"] for o in recipient_offices(case))


def addressed_reports_for_user(user):
    """Reports addressed to the user's offices (a township's inbox; the
    county's 教育局 and 督导室 inboxes), newest first."""
    return (
        ReportRecipient.objects.filter(access(user).addressed_to())
        .select_related("report__case__child__village", "report__school")
        .order_by("-report__filed_on", "-pk")
    )


def overrides_of_case(case):
    return StepOverride.objects.filter(case=case).select_related("by").order_by("-at", "-pk")


def default_summary(case):
    """The 001 附件3 sentence, from what the case knows."""
    child = case.child
    from .rules import records_of_episode

    count = records_of_episode(case).count()
    first = case.first_absent_on
    since = f"自{first.year}年{first.month}月{first.day}日起" if first else ""
    where = f"{child.school.name}{child.class_label}" if child.school_id else ""
    streak = f"连续{case.streak}个上学日" if case.streak else ""
    return (
        f"兹有{where}学生{child.name}{since}{streak}无故未到校上课，"
        f"经学校和村（社区）工作人员{count}次劝学未果，恳请按照义务教育法相关责任要求，"
        f"采取措施让其返校，完成九年义务教育。"
    )


def default_guardian(child):
    return child.guardian_name or child.father_name or child.mother_name or ""
