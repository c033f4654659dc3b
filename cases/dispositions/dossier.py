"""A disposition's dossier (its case's evidence and facts) and what still stands
between it and the next step: the checklist and problems()."""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Max
from django.utils import timezone

from ..models import Attachment, CaseEvent, Disposition, PersuasionRecord, ReturnNotice
from .registry import REGISTRY, approver_name
from .rules import Evidence, Source, _date, local_day

DState = Disposition.State

SUBMIT, CLOSE = "submit", "close"


# ---------------------------------------------------------------------------
# What a rule looks at: one disposition with its case's evidence
# ---------------------------------------------------------------------------


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


def resume_notices(case_ids):
    """The 限期复学通知书 of these cases: the notice ① and ⑤ need (000 附件3).

    The one place that says which notice counts.
    """
    return ReturnNotice.objects.filter(case_id__in=case_ids, kind=ReturnNotice.Kind.RESUME)


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
    noticed = set(resume_notices(case_ids).values_list("case_id", flat=True))
    return [
        Dossier(d, on, items[d.case_id], joint[d.case_id], d.case_id in noticed)
        for d in dispositions
    ]


def load_dossier(disposition, *, on=None):
    return load_dossiers([disposition], on=on or timezone.localdate())[0]


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
            detail = "已签发通知书" if d.has_notice else ""
        elif e.source == Source.JOINT:
            have = len(d.joint)
            detail = f"现有{have}次"
        else:
            have = len(d.follow_up_months())
            detail = f"已有{have}个月" if d.disposition.decided_at else "县级同意后开始"
        rows.append(ChecklistRow(e, have, have >= e.count, detail))
    return rows


def evidence_gaps(d, stage):
    """The checklist's missing items (000 附件3) for the next step; at SUBMIT
    (and at approval) not yet those the approver issues."""
    found = []
    for row in checklist(d):
        e = row.item
        if row.ok or not e.required or (stage == SUBMIT and e.after_approval):
            continue
        if e.count > 1:
            found.append(f"缺少：{e.label}（现有{row.have}次）")
        else:
            found.append(f"缺少：{e.label}")
    return found


def problems(d, stage):
    """What stands between the disposition and the next step (SUBMIT or CLOSE)."""
    rule, disposition = d.rule, d.disposition
    found = list(rule.check(d))
    if rule.review_required:
        if not disposition.review_on:
            found.append("未填写复查日期")
        elif stage == SUBMIT and disposition.review_on <= d.on:
            found.append("复查日期应晚于今天")
    found += evidence_gaps(d, stage)
    if stage == CLOSE and rule.county_approves and disposition.state != DState.APPROVED:
        found.append(f"尚未经{approver_name(rule, disposition.case)}审批同意")
    return found
