"""Who may do what on a disposition, and the small guards the writes share."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q

from students.jurisdiction import Role, access

from .. import states
from ..calendar import calendar_around
from ..models import CaseEvent, Disposition
from . import states as dstates
from .registry import REGISTRY

Kind = Disposition.Kind


# ---------------------------------------------------------------------------
# Who may do what
# ---------------------------------------------------------------------------


def kinds_for(user, case):
    """The rules the user may start on this case (none unless it is 劝返中)."""
    if not states.may(case, "start_disposition"):
        return []
    return [r for r in REGISTRY.values() if access(user).reaches_as(case.child, r.requesters)]


def may_act_on_case(user, case, rule):
    """The registry's `requesters`: who may ask for, fill, submit and strike off."""
    return access(user).reaches_as(case.child, rule.requesters)


def may_act(user, disposition):
    return may_act_on_case(user, disposition.case, REGISTRY[disposition.kind])


# Who approves, by the rule's `approver`: the county education bureau, or
# for 移交县级核处 the county's leading group (000 附件1 ⑤). Not IT admins.
APPROVERS = {
    Role.COUNTY: lambda a, case: a.may_approve_disposition(case),
    Role.RURAL_GROUP: lambda a, case: a.may_approve_county_review(case),
}
# The cases each approver's pending list starts from (path to the case).
APPROVER_CASES = {
    Role.COUNTY: lambda a, path: a.cases_to_approve(path),
    Role.RURAL_GROUP: lambda a, path: a.cases_to_verify(path),
}


def may_approve(user, disposition):
    rule = REGISTRY[disposition.kind]
    return rule.county_approves and APPROVERS[rule.approver](access(user), disposition.case)


def approval_q(user, path=""):
    """A Q over Disposition: those whose approval is the user's."""
    a = access(user)
    q = Q(pk__in=[])
    for approver, cases in APPROVER_CASES.items():
        kinds = [k for k, r in REGISTRY.items() if r.county_approves and r.approver == approver]
        q |= Q(**{f"{path}kind__in": kinds}) & cases(a, f"{path}case__")
    return q


def may_approve_anything(user):
    return access(user).may_approve_dispositions()


def may_record_session(user, disposition):
    return disposition.kind == Kind.HOME_TEACHING and bool(
        access(user).may_record_session(disposition.case)
    )


def _require(allowed, message):
    if not allowed:
        raise PermissionDenied(message)


def _event(case, *, action, note, by):
    return CaseEvent.objects.create(
        case=case, action=action, from_state=case.state, to_state=case.state, note=note[:500], by=by
    )


def _move(disposition, action, **values):
    """`action` as a conditional UPDATE from the states the table allows: two
    people, one change."""
    if (to := dstates.to_state(action)) is not None:
        values["state"] = to
    allowed = dstates.allowed_from(disposition.kind, action)
    done = Disposition.objects.filter(pk=disposition.pk, state__in=allowed).update(**values)
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
