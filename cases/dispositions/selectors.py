"""Reads: a case's dispositions, the case page's panel, the county's pending
approvals, 送教上门 hours and the dispositions whose work goes on."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, Max, OuterRef, Q, Sum
from django.utils import timezone

from students.schoolage import school_year_start

from .. import endings
from ..models import Case, Disposition
from .permissions import approval_q, kinds_for
from .registry import REGISTRY
from .rules import HOME_TEACHING_YEAR_HOURS
from .states import is_active

Kind = Disposition.Kind
DState = Disposition.State


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
    active = next((d for d in listed if is_active(d)), None)
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
    """Dispositions waiting for this user's decision (the bureau's four, the
    leading group's 移交县级核处), oldest first."""
    return (
        Disposition.objects.filter(approval_q(user), state=DState.PENDING)
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
