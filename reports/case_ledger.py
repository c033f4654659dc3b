"""《控辍保学总台账》 (004 四(一)2: 一人一档、销号管理): one row per case in the
user's reach. Its 销号 columns come from the township's sign-off
(cases/closing/: Case.close_confirmed_at / close_confirmed_by), never from
the scan: a returned child is struck off only when a person confirmed it."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from cases.models import Case
from students.jurisdiction import access
from students.models import Child

from . import ledgers

TITLE = "控辍保学总台账"
COLUMNS = (
    "序号",
    "乡镇",
    "村（社区）",
    "姓名",
    "就读学校",
    "年级班级",
    "建档日期",
    "建档原因",
    "个案状态",
    "复学日期",
    "销号状态",
    "销号日期",
    "销号确认人",
)
GRADES = dict(Child._meta.get_field("grade").choices)


def close_cells(case):
    """(销号状态, 销号日期, 销号确认人) of one case."""
    if case.close_confirmed_at:
        by = case.close_confirmed_by
        who = (by.get_full_name() or by.username) if by else ""
        on = timezone.localtime(case.close_confirmed_at)  # the township's day, not UTC's
        return "已销号（乡镇确认）", f"{on:%Y-%m-%d}", who
    if case.state == Case.State.CLOSED:
        return f"已结案（{case.get_ending_display()}）", f"{case.closed_on:%Y-%m-%d}", ""
    if case.close_proposed_at:
        return "学校已申请，待乡镇确认", "", ""
    return "未销号", "", ""


def rows(user):
    cases = (
        Case.objects.filter(access(user).cases())
        .select_related("child__village__township", "child__school", "close_confirmed_by")
        .order_by("child__village__township__name", "child__village__name", "opened_at", "pk")
    )
    out = []
    for seq, c in enumerate(cases, start=1):
        child = c.child
        out.append(
            [
                seq,
                child.village.township.name,
                child.village.name,
                child.name,
                child.school.name if child.school else "",
                f"{GRADES.get(child.grade, '')}{child.class_name}",
                f"{c.opened_at:%Y-%m-%d}",
                c.get_origin_display(),
                c.get_state_display(),
                f"{c.returned_on:%Y-%m-%d}" if c.returned_on else "",
                *close_cells(c),
            ]
        )
    return out


@login_required
def case_ledger(request):
    if not access(request.user).may_see_roster_ledgers():
        raise Http404("您无权查看总台账。")
    place = ledgers.user_place(request.user)
    return render(
        request,
        "reports/case_ledger.html",
        {"title": place.title(TITLE), "columns": COLUMNS, "rows": rows(request.user)},
    )
