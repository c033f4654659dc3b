"""《限期返校通知书》 / 《限期复学通知书》 / 《限期入学通知书》 as PDF.

One template, templates/reports/pdf/notice.html, for the three kinds of the
township's numbered series (cases/models/notices.py `ReturnNotice.kind`). A
county adjusts the wording there; names, offices and dates come from data.

What a notice prints (DOMAIN §9): 发文字号, the guardian as addressee, the
facts (child, school, grade and class, unexcused since, each persuasion
attempt with its date), the legal basis frozen on the notice, the order and
deadline, the consequence, the issuing township and date with room for the
seal, and a 送达回证 below a cut line. Never the ID number, phone or address.
"""

from django.db.models import Prefetch
from django.utils import timezone

from cases.models import PersuasionRecord, ReturnNotice
from cases.notices import CONSEQUENCE
from cases.notices.services import ORDER

from . import render_pdf

TEMPLATE = "reports/pdf/notice.html"
PENDING_NUMBER = "（签发后编号）"

FACTS = {
    ReturnNotice.Kind.RETURN: "无故未到校上课",
    ReturnNotice.Kind.RESUME: "未按期复学",
    ReturnNotice.Kind.ENROL: "已达到入学年龄，至今未按规定入学",
}


def cn_date(day):
    """2026年11月24日 (GB/T 9704: Arabic numerals, no leading zeros)."""
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


def _records(case):
    """This episode's persuasion records, oldest first (prefetched when the
    notices come from `notices_for_print`)."""
    records = getattr(case, "print_records", None)
    if records is None:
        records = list(PersuasionRecord.objects.filter(case=case).order_by("at", "pk"))
    since = case.first_absent_on
    return [r for r in records if since is None or timezone.localdate(r.at) >= since]


def notice_context(notice, *, preview=False):
    """What templates/reports/pdf/notice.html needs for one notice."""
    case = notice.case
    child = case.child
    township = notice.township
    kind = ReturnNotice.Kind(notice.kind)
    attempts = [
        {
            "date": cn_date(timezone.localdate(r.at)),
            "method": r.get_method_display(),
            "outcome": r.get_outcome_display(),
        }
        for r in _records(case)
    ]
    return {
        "preview": preview,
        "issuer": f"{township.name}人民政府",
        "number_label": PENDING_NUMBER if preview or notice.number is None else notice.number_label,
        "title": f"{township.name}{kind.label}",
        "kind_label": kind.label,
        "guardian": notice.guardian_name,
        "child": child.name,
        "school": child.school.name if child.school_id else "",
        "class_label": child.class_label,
        "since": cn_date(case.first_absent_on),
        "streak": case.streak or 0,
        "facts": FACTS[kind],
        "attempts": attempts,
        "order": ORDER[kind],
        "deadline": cn_date(notice.return_deadline),
        "basis": [line for line in notice.legal_basis.splitlines() if line.strip()],
        "consequence": CONSEQUENCE,
        "issued_on": cn_date(notice.issued_on),
        "server_name": notice.server_name,
        "witness_name": notice.witness_name,
        "served_on": cn_date(notice.served_on),
    }


def notices_for_print(notices):
    """The notices with what printing reads, in a fixed number of queries."""
    return notices.select_related(
        "township", "case__child__school", "case__child__village"
    ).prefetch_related(
        Prefetch(
            "case__persuasions",
            queryset=PersuasionRecord.objects.order_by("at", "pk"),
            to_attr="print_records",
        )
    )


def notices_pdf(notices, *, preview=False):
    """One PDF holding every notice of `notices` (a list), in order."""
    notices = list(notices)
    title = notices[0].get_kind_display() if len(notices) == 1 else "限期通知书"
    return render_pdf(TEMPLATE, [notice_context(n, preview=preview) for n in notices], title=title)


def download_name(notices):
    notices = list(notices)
    if len(notices) == 1:
        n = notices[0]
        return f"{n.number_label}{n.get_kind_display()}.pdf"
    return f"限期通知书（{len(notices)}份）.pdf"
