"""《控辍保学总台账》 (004 四(一)2: 一人一档、销号管理): one row per case in the
reader's reach, struck-off cases included. Its 销号 columns come from the
township's sign-off (cases/closing/: Case.close_confirmed_at / _by), never
from the scan: a returned child is struck off only when a person confirmed it.

Same machinery as the other ledgers: a `Ledger` (columns once), a cell
function over plain `values()` rows (masking through `Viewer`), and a
`Selection` the page, the web export and `manage.py export_ledger` share.
"""

from django.http import Http404
from django.utils import timezone

from cases.models import Case
from students.jurisdiction import access
from students.models import Child

from .cells import GRADE_LABELS
from .definitions import Ledger
from .places import user_place
from .selection import LedgerFilter, Selection, _valid_or_404

ORIGIN_LABELS = dict(Case.Origin.choices)
STATE_LABELS = dict(Case.State.choices)
ENDING_LABELS = dict(Case._meta.get_field("ending").choices)

CASE_FIELDS = (
    "id",
    "child_id",
    "child__name",
    "child__id_number",
    "child__village__name",
    "child__village__township__name",
    "child__school__name",
    "child__grade",
    "child__class_name",
    "opened_at",
    "origin",
    "state",
    "returned_on",
    "ending",
    "closed_on",
    "close_proposed_at",
    "close_confirmed_at",
    "close_confirmed_by__first_name",
    "close_confirmed_by__last_name",
    "close_confirmed_by__username",
)


def _local_date(value):
    return timezone.localtime(value).date() if value else None  # the township's day, not UTC's


def close_state(r):
    """(销号状态, 销号日期, 销号确认人) of one case, from a values row."""
    if r["close_confirmed_at"]:
        full = f"{r['close_confirmed_by__first_name'] or ''} {r['close_confirmed_by__last_name'] or ''}"
        who = full.strip() or r["close_confirmed_by__username"] or ""
        return "已销号（乡镇确认）", _local_date(r["close_confirmed_at"]), who
    if r["state"] == Case.State.CLOSED:
        ending = ENDING_LABELS.get(r["ending"], r["ending"])
        return f"已结案（{ending}）", r["closed_on"], ""
    if r["close_proposed_at"]:
        return "学校已申请，待乡镇确认", None, ""
    return "未销号", None, ""


def _case_cells(r, viewer):
    status, on, who = close_state(r)
    grade = GRADE_LABELS.get(r["child__grade"], "") if r["child__grade"] else ""
    return {
        "乡镇": r["child__village__township__name"],
        "村（社区）": r["child__village__name"],
        "姓名": r["child__name"],
        "身份证号": viewer.id_number(r["child__id_number"]),
        "就读学校": r["child__school__name"] or "",
        "年级班级": f"{grade}{r['child__class_name'] or ''}" if grade else "",
        "建档日期": _local_date(r["opened_at"]),
        "建档原因": ORIGIN_LABELS.get(r["origin"], r["origin"]),
        "个案状态": STATE_LABELS.get(r["state"], r["state"]),
        "复学日期": r["returned_on"],
        "销号状态": status,
        "销号日期": on,
        "销号确认人": who,
    }


CASE_LEDGER = Ledger(
    slug="cases",
    title="控辍保学总台账",
    columns=(
        "序号",
        "乡镇",
        "村（社区）",
        "姓名",
        "身份证号",
        "就读学校",
        "年级班级",
        "建档日期",
        "建档原因",
        "个案状态",
        "复学日期",
        "销号状态",
        "销号日期",
        "销号确认人",
    ),
    lead=("姓名", "销号状态", "村（社区）", "个案状态"),
    cells=_case_cells,
    fields=CASE_FIELDS,
    child_key="child_id",
    child_path="child__",
    description="一人一档、销号管理：每个个案的状态，销号日期和确认人取自乡镇确认；已销号的仍保留。",
)


def select_case_ledger(user, params=None):
    """The 总台账 as `user` may see it, narrowed by 乡镇/村/学校 within reach."""
    if not access(user).may_see_roster_ledgers():
        raise Http404("您无权查看总台账。")
    f = _valid_or_404(LedgerFilter(params or None, queryset=Child.objects.none(), user=user))
    qs = Case.objects.filter(access(user).cases())
    chosen = f.chosen
    if chosen["township"] is not None:
        qs = qs.filter(child__village__township=chosen["township"])
    if chosen["village"] is not None:
        qs = qs.filter(child__village=chosen["village"])
    if chosen["school"] is not None:
        qs = qs.filter(child__school=chosen["school"])
    qs = qs.order_by("child__village__township__name", "child__village__name", "opened_at", "pk")
    return Selection(
        ledger=CASE_LEDGER,
        queryset=qs,
        place=user_place(user).narrowed(**chosen),
        filterset=f,
    )
