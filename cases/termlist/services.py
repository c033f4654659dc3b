"""Writes of the term list: the places' deadlines, and a place's submission.

`create_term_list_todos` is idempotent: one to-do per (county, key) by a
partial unique constraint, written with ignore_conflicts, so running it twice
or twice at once creates each once. The due date is the county's check day
(cases/calendar/term_start.check_day: the `term_check_days`-th school day of
the term, "开学后10日内"), the evening the term-start 四查三比对 runs on the
answers.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from students.models import Membership, School, Village

from ..calendar.term_start import check_day
from ..models import Term, Todo
from . import selectors

Role = Membership.Role
TITLE = "报送《动态摸排未到校学生名单》（{term}）"


def create_term_list_todos(*, term):
    """One to-do per village (村干部) and per school (学校管理员) of the
    county for this county term; returns how many are new."""
    due = check_day(term)
    if term.school_id is not None or due is None:
        return 0
    title = TITLE.format(term=term.name)
    todos = [
        Todo(
            case=None,
            key=selectors.term_key(term, village),
            kind=Todo.Kind.TERM_LIST,
            title=title,
            role=Role.VILLAGE,
            village=village,
            county_id=term.county_id,
            due_on=due,
        )
        for village in Village.objects.filter(township__county_id=term.county_id).order_by("pk")
    ] + [
        Todo(
            case=None,
            key=selectors.term_key(term, school),
            kind=Todo.Kind.TERM_LIST,
            title=title,
            role=Role.SCHOOL_ADMIN,
            school=school,
            county_id=term.county_id,
            due_on=due,
        )
        for school in School.objects.filter(township__county_id=term.county_id).order_by("pk")
    ]
    for todo in todos:
        todo.full_clean(exclude=["case", "village", "school", "county"], validate_unique=False)
    before = selectors.term_list_todos(term).count()
    Todo.objects.bulk_create(todos, ignore_conflicts=True)
    return selectors.term_list_todos(term).count() - before


def terms_open(*, on):
    """County terms going on `on` (their list is due or was due this term)."""
    return list(
        Term.objects.filter(school__isnull=True, start__lte=on, end__gte=on)
        .select_related("county")
        .order_by("county_id", "start")
    )


@transaction.atomic
def submit_term_list(*, todo, by, term_name):
    """The place confirms its list for the term: every child answered. Marks
    the to-do done once (a conditional update: two submissions, one done);
    returns the counts."""
    counts = selectors.place_counts(todo, term_name)
    missing = counts["total"] - counts["checked"]
    if missing:
        raise ValidationError(f"还有 {missing} 名学生未核查，全部核查后才能报送名单。")
    note = f"已报送：核查 {counts['checked']} 人，未到校 {counts['absent']} 人。"
    Todo.objects.filter(pk=todo.pk, done_at__isnull=True).update(
        done_at=timezone.now(), done_by=by, done_note=note
    )
    return counts
