"""Builders shared by the notice tests: a reported case, an issued notice."""

import datetime

from cases import notices
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


def reported(child, by, *, filed_on=FRIDAY):
    case = open_case_for(child)
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
