"""Leads: who sees and decides them (students.jurisdiction decides), the
runs a user may start and see, and the decisions on a lead."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, IntegerField, When
from django.utils import timezone

from ..jurisdiction import access
from ..models import Child, CrossCheckRun, Lead
from ..services import change_child_status
from .comparisons import DROPOUT_STATUSES, Kind, Status

# --------------------------------------------------------------------------
# Who sees and decides leads, who runs comparisons
# --------------------------------------------------------------------------


def leads_for_user(user, *, deciding=False):
    return (
        Lead.objects.filter(access(user).leads(deciding=deciding))
        .select_related("village__township", "school", "child", "decided_by")
        .order_by(
            Case(When(state=Lead.State.OPEN, then=0), default=1, output_field=IntegerField()),
            "-created_at",
            "-pk",
        )
    )


def lead_periods(leads, *, limit=24):
    """The periods present among these leads, newest first (for the filter)."""
    return list(leads.order_by("-period").values_list("period", flat=True).distinct()[:limit])


def decidable_lead_ids(user, pks):
    """Which of these leads the user may decide (one query)."""
    return set(
        Lead.objects.filter(access(user).leads(deciding=True), pk__in=pks).values_list(
            "pk", flat=True
        )
    )


def may_decide_leads(user):
    return access(user).may_decide_leads()


def run_targets(user):
    """[(key, county, township or None, label)]: where the user may start a run."""
    counties, townships = access(user).run_places()
    return [(f"c{c.pk}", c, None, f"{c}（全县）") for c in counties] + [
        (f"t{t.pk}", t.county, t, str(t)) for t in townships
    ]


def runs_for_user(user, *, limit=10):
    """The latest runs over the places the user may run comparisons for."""
    q = access(user).check_runs()
    return list(
        CrossCheckRun.objects.filter(q).select_related("county", "township", "started_by")[:limit]
    )


# --------------------------------------------------------------------------
# Lead decisions
# --------------------------------------------------------------------------

ALREADY_DECIDED = "该线索已由他人处理。"


def _decide(*, lead, by, reason, state):
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写核实说明。"})
    decided_at = timezone.now()
    lead.state, lead.decided_by, lead.decided_at, lead.reason = state, by, decided_at, reason
    lead.full_clean(exclude=["village", "school", "child", "huji", "xueji", "run", "county"])
    # Only an open lead can be decided: of two people deciding at once, the
    # second UPDATE finds no open row and loses.
    won = Lead.objects.filter(pk=lead.pk, state=Lead.State.OPEN).update(
        state=state, decided_by=by, decided_at=decided_at, reason=reason
    )
    if not won:
        lead.refresh_from_db()
        raise ValidationError(ALREADY_DECIDED)
    return lead


@transaction.atomic
def confirm_lead(*, lead, by, reason):
    """The lead is true. For a roster child this moves them onto a ledger.

    名在人不在 / 脱贫户辍学 for a child 在读 → 疑似辍学; 适龄未入学 for a roster
    child → 未入学, unless already 未入学 or on a dropout ledger (疑似辍学, 辍学:
    the stronger finding stays). Without a roster child the confirmed lead
    stays as it is: the village adds the child to the roster.
    """
    _decide(lead=lead, by=by, reason=reason, state=Lead.State.CONFIRMED)
    if lead.child_id is None:
        return lead
    child = Child.objects.select_for_update().get(pk=lead.child_id)
    target = None
    if lead.kind in (Kind.ABSENT, Kind.POVERTY_DROPOUT) and child.status == Status.ENROLLED:
        target = Status.SUSPECTED_DROPOUT
    elif lead.kind == Kind.NOT_ENROLLED and child.status not in (
        Status.NOT_ENROLLED,
        *DROPOUT_STATUSES,
    ):
        target = Status.NOT_ENROLLED
    if target:
        change_child_status(
            child=child, status=target, by=by, reason=f"四查三比对核实：{lead.reason}"
        )
    return lead


@transaction.atomic
def dismiss_lead(*, lead, by, reason):
    """The lead is not true (studying elsewhere, data error…): nothing changes."""
    return _decide(lead=lead, by=by, reason=reason, state=Lead.State.DISMISSED)
