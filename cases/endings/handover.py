"""小升初 (001 §5, DOMAIN §5): primary graduates not registered at a junior
school after the first week of the autumn term get a case, the primary
school's (junior_handover_cases, run by the daily scan)."""

import datetime
import operator
from functools import reduce

from django.db import transaction
from django.db.models import Exists, OuterRef, Q

from students.models import Child, Membership, School, XuejiRecord
from students.schoolage import school_year_start
from students.selectors import settings_for, settings_groups

from .. import ladder, states
from ..calendar import calendar_around
from ..models import Case, CaseEvent, Term, Todo

Role = Membership.Role
S = Case.State


# ---------------------------------------------------------------------------
# 小升初 (001 §5): a primary graduate not registered at a junior school
# ---------------------------------------------------------------------------

PRIMARY_KINDS = [School.Kind.PRIMARY, School.Kind.TEACHING_POINT]
JUNIOR_KINDS = [School.Kind.JUNIOR, School.Kind.NINE_YEAR]
JUNIOR_NOTE = "小升初未报到"


def autumn_term_start(county, on):
    """The start of the autumn term `on` falls in: the county's own term
    (starting August or later), or 1 September where no terms are entered."""
    term = (
        Term.objects.filter(
            county=county, school__isnull=True, start__lte=on, end__gte=on, start__month__gte=8
        )
        .order_by("-start")
        .first()
    )
    if term is not None:
        return term.start
    if on.month >= 9 and not Term.objects.filter(county=county).exists():
        return datetime.date(on.year, 9, 1)
    return None


def junior_candidates(*, county, on):
    """Children the roster still keeps in grade 6 of a primary school (or 教学点)
    although by age (the township's entry cutoff) they finished grade 6 last
    school year, 在读, with no 学籍 record at a junior or nine-year school, and
    no case for it yet this school year. One query."""
    year = school_year_start(on)
    finished_primary = Q(pk__in=[])
    for where, s in settings_groups(county=county):
        cutoff = datetime.date(year - 12, s.entry_cutoff_month, s.entry_cutoff_day)
        finished_primary |= where & Q(birth_date__lte=cutoff)
    return (
        Child.objects.filter(
            finished_primary,
            village__township__county=county,
            status=Child.Status.ENROLLED,
            grade=6,
            school__kind__in=PRIMARY_KINDS,
        )
        .exclude(Exists(Case.objects.filter(child=OuterRef("pk")).exclude(state=S.CLOSED)))
        .exclude(Exists(CaseEvent.objects.filter(case__child=OuterRef("pk"), key=f"junior-{year}")))
        .exclude(
            Exists(XuejiRecord.objects.filter(child=OuterRef("pk"), school__kind__in=JUNIOR_KINDS))
        )
    )


def junior_handover_cases(*, county, on):
    """Once the hand-over week (handover_school_days school days of the autumn
    term, default 5) is over: open a case (origin 手工建档,
    note 小升初未报到) for each junior_candidates() child, with a to-do for the
    primary school. Returns how many cases it opened.

    Who is responsible (001 §5): a graduate who never registered is a no-show
    of the hand-over week, the primary school's — it sent the graduates and
    keeps them on its roster until they register, so the to-do goes to the
    child's roster school (the primary). Once the junior school registers the
    child (the roster moves to it), any later absence is the junior school's
    through the ordinary daily scan. Idempotent: a CaseEvent key
    "junior-<school year>" per case, one open case per child.
    """
    start = autumn_term_start(county, on)
    if start is None:
        return 0
    # The hand-over week is a setting (handover_school_days, 001 "一周内"):
    # only the townships whose week is over take part.
    try:
        calendar = calendar_around(county=county, day=start)
        first = calendar.add_school_days(start, 0)
        over = [
            where
            for where, s in settings_groups(county=county)
            if on >= calendar.add_school_days(first, s.handover_school_days)
        ]
    except ValueError:
        return 0
    if not over:
        return 0
    # An empty Q (the whole county) would vanish from an OR: it means everyone.
    past_deadline = Q() if not all(over) else reduce(operator.or_, over)
    year = school_year_start(on)
    found = list(
        junior_candidates(county=county, on=on)
        .filter(past_deadline)
        .values_list("pk", "village__township_id")
    )
    if not found:
        return 0
    rules = {}
    for _, township_id in found:
        if township_id not in rules:
            rules[township_id] = settings_for(township=county.townships.get(pk=township_id))

    def note(case):
        days = rules[case.child.village.township_id].handover_school_days
        return f"{JUNIOR_NOTE}：开学第{days}个上学日后仍在小学名册、未在初中注册学籍（系统）"

    with transaction.atomic():
        opened = states.open_cases(
            [
                states.NewCase(child_id=pk, ladder=rules[township_id].ladder)
                for pk, township_id in found
            ],
            origin=Case.Origin.MANUAL,
            key=f"junior-{year}",
            note=note,
        )
        Todo.objects.bulk_create(
            [
                ladder.make_todo(
                    c,
                    key=f"junior-{year}",
                    kind=Todo.Kind.CALL,
                    title=(
                        f"{JUNIOR_NOTE}：{c.child.school}联系监护人劝学，送到指定初中报到；"
                        "已在其他学校就读的核实后办理转学/外出就读"
                    ),
                    role=Role.SCHOOL_ADMIN,
                    due_on=on,
                )
                for c in opened
            ],
            ignore_conflicts=True,
        )
    return len(opened)
