"""小升初 (001 §四(二)5, DOMAIN §5): each primary school's hand-over list
(students.models.HandoverEntry: the graduates of the year and the junior
school each is assigned to, `import_roster --kind handover`) is the data. A
graduate on it who has not appeared at a junior school once the hand-over
deadline (handover_school_days school days of the autumn term) is over gets
a case, the primary school's (junior_handover_cases, run by the daily scan)."""

import datetime
import operator
from functools import reduce

from django.db import transaction
from django.db.models import Exists, OuterRef, Q

from students.models import Child, HandoverEntry, Membership, XuejiRecord
from students.selectors import settings_for, settings_groups

from .. import ladder, states
from ..calendar import calendar_around
from ..models import Case, CaseEvent, Term, Todo

Role = Membership.Role
S = Case.State


# ---------------------------------------------------------------------------
# 小升初 (001 §5): a primary graduate not registered at a junior school
# ---------------------------------------------------------------------------

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


def junior_candidates(*, county, year):
    """Graduates on a hand-over list of this county's primary schools for the
    autumn term of `year` who did not appear at a junior school: the
    roster child with that ID number, 在读, neither placed in grade 7–9 nor
    holding a 学籍 record of grade 7–9 (at the assigned school or any other:
    001 "如在其它学校就读则除外"), with no open case and no hand-over case
    this year. A child who repeated grade 6 is on no list: never a case.
    One query."""
    listed = HandoverEntry.objects.filter(
        year=year, primary_school__township__county=county, id_number=OuterRef("id_number")
    )
    appeared_at_junior = Exists(
        XuejiRecord.objects.filter(id_number=OuterRef("id_number"), grade__gte=7)
    ) | Q(school__isnull=False, grade__gte=7)
    return (
        Child.objects.filter(Exists(listed), status=Child.Status.ENROLLED)
        .exclude(appeared_at_junior)
        .exclude(Exists(Case.objects.filter(child=OuterRef("pk")).exclude(state=S.CLOSED)))
        .exclude(Exists(CaseEvent.objects.filter(case__child=OuterRef("pk"), key=f"junior-{year}")))
    )


def junior_handover_cases(*, county, on):
    """Once the hand-over deadline (handover_school_days school days of the
    autumn term, default 5: 001 "一周内") is over: open a case (origin 手工建档,
    note 小升初未报到) through states.open_cases() for each junior_candidates()
    graduate, with a to-do for the primary school that listed them. Returns
    how many cases it opened.

    Who is responsible (001 §四(二)5): a no-show within the hand-over week is
    the primary school's — it sent the graduate and listed them — so the
    to-do goes to the school of the hand-over list, naming the assigned
    junior school. A graduate who appeared (placed in grade 7–9, or a 学籍
    record of grade 7–9 at any school) is the junior school's from then on,
    through the ordinary daily scan. Idempotent: a CaseEvent key
    "junior-<year>" per case, one open case per child.
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
    year = start.year
    found = list(
        junior_candidates(county=county, year=year)
        .filter(past_deadline)
        .values_list("pk", "village__township_id", "id_number")
    )
    if not found:
        return 0
    listed = {
        e.id_number: e
        for e in HandoverEntry.objects.filter(
            year=year, id_number__in=[i for _, _, i in found]
        ).select_related("primary_school", "junior_school")
    }
    entry_of = {pk: listed[id_number] for pk, _, id_number in found}
    rules = {}
    for _, township_id, _ in found:
        if township_id not in rules:
            rules[township_id] = settings_for(township=county.townships.get(pk=township_id))

    def note(case):
        days = rules[case.child.village.township_id].handover_school_days
        entry = entry_of[case.child_id]
        return (
            f"{JUNIOR_NOTE}：{entry.primary_school}交接名单所列毕业生，开学第{days}个上学日后"
            f"仍未到{entry.junior_school}（或其他初中）报到（系统）"
        )

    with transaction.atomic():
        opened = states.open_cases(
            [
                states.NewCase(child_id=pk, ladder=rules[township_id].ladder)
                for pk, township_id, _ in found
            ],
            origin=Case.Origin.MANUAL,
            key=f"junior-{year}",
            note=note,
        )
        todos = []
        for c in opened:
            entry = entry_of[c.child_id]
            todo = ladder.make_todo(
                c,
                key=f"junior-{year}",
                kind=Todo.Kind.CALL,
                title=(
                    f"{JUNIOR_NOTE}：{entry.primary_school}联系监护人劝学，送到指定中学"
                    f"{entry.junior_school}报到；已在其他学校就读的核实后办理转学/外出就读"
                ),
                role=Role.SCHOOL_ADMIN,
                due_on=on,
            )
            todo.role, todo.school_id = Role.SCHOOL_ADMIN, entry.primary_school_id
            todos.append(todo)
        Todo.objects.bulk_create(todos, ignore_conflicts=True)
    return len(opened)
