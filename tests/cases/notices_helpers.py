"""Builders shared by the notice tests: a case whose ladder reached its
report step with the visits on record, a reported case, an issued notice."""

import datetime
import uuid

from django.contrib.auth import get_user_model

from cases import notices, persuasion, states
from cases.models import Case, Todo
from students.models import Child, Membership

from ..conftest import make_id
from .persuasion_helpers import add_todo, open_case_for

Kind = Todo.Kind
Role = Membership.Role
FRIDAY = datetime.date(2025, 11, 21)
seq = iter(range(501, 999, 2))


def child_in(village, school, name):
    birth = datetime.date(2014, 5, 6)
    return Child.objects.create(
        name=name,
        village=village,
        school=school,
        grade=6,
        class_name="1班",
        gender="F",
        birth_date=birth,
        id_number=make_id("520102", birth, next(seq)),
        father_name=f"{name[0]}父",
    )


def member(role, **place):
    """A user of `role` at `place` (school= / village=): the world's own
    when there is one, else a new one."""
    m = Membership.objects.filter(role=role, **place).select_related("user").first()
    if m is not None:
        return m.user
    key = "-".join(f"{k}{v.pk}" for k, v in place.items())
    user = get_user_model().objects.create_user(username=f"{role}-{key}", password="x")
    Membership.objects.create(user=user, role=role, **place)
    return user


def persuade(case, by, method, sides, *, at=None):
    """One 劝学记录 by `by`: `sides` are (name, side) of the participants."""
    return persuasion.record_persuasion(
        case=load(case),
        by=by,
        client_token=uuid.uuid4(),
        at=at,
        method=method,
        participants=[{"name": n, "side": side, "role": ""} for n, side in sides],
        process="讲明义务教育法定责任",
        outcome="refused",
    )[0]


def reach_step(case, todo):
    """The case's ladder raised to its step `todo` (states.escalate)."""
    case = load(case)
    index = next(i for i, s in enumerate(case.ladder, start=1) if s["todo"] == todo)
    states.escalate([case.pk], index)
    return load(case)


def ready_to_report(case):
    """004 四(二) / 001 附件1: the ladder at its report step, and the school's
    and the village's persuasion on record — a home visit by the school (the
    call, the school's and the leader's visits) and a joint visit the village
    records (the village's and the joint visits)."""
    child = load(case).child
    persuade(
        case,
        member(Role.SCHOOL_ADMIN, school=child.school),
        "home_visit",
        [("班主任甲", "school"), ("德育主任乙", "school")],
    )
    persuade(
        case,
        member(Role.VILLAGE, village=child.village),
        "joint_visit",
        [("班主任甲", "school"), ("村支书丙", "village")],
    )
    return reach_step(case, Todo.Kind.REPORT)


def reported(child, by, *, filed_on=FRIDAY):
    case = ready_to_report(open_case_for(child))
    add_todo(case, Kind.REPORT, Role.SCHOOL_ADMIN)
    notices.file_report(
        case=load(case),
        by=by,
        recipients="甲镇人民政府",
        summary="劝学未果",
        filed_on=filed_on,
    )
    return load(case)


def load(case):
    return Case.objects.select_related("child__village__township", "child__school").get(pk=case.pk)


def issue(case, by, *, on=FRIDAY):
    return notices.issue_return_notice(case=load(case), by=by, guardian_name="王大山", issued_on=on)
