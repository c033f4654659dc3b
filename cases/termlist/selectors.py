"""Reads of the term list: the county's current term, the places' deadlines."""

import datetime

from django.db.models import Count, Q

from students.jurisdiction import access
from students.models import Child, School, Village
from students.schoolage import term_label
from students.termcheck import TERM_CHECK_STATUSES

from ..models import Term, Todo

# After a term ends its list is still the latest one, through the holidays,
# until the next term starts: at most this long (a county that has not entered
# next term's dates falls back to the months).
HOLIDAY_SPAN = datetime.timedelta(days=92)
KEY_PREFIX = "term-list-"


def current_term(*, county_id, on):
    """The county-wide Term whose term check is the current one on `on`: the
    latest term that has started (in the winter and summer holidays, the one
    just ended), or None when the county has no such term in its calendar."""
    if county_id is None:
        return None
    return (
        Term.objects.filter(
            county_id=county_id, school__isnull=True, start__lte=on, end__gte=on - HOLIDAY_SPAN
        )
        .order_by("-start")
        .first()
    )


def term_for_user(user, *, on):
    """(Term or None, its name): the term the user's term check is about. The
    county's calendar decides; without one, the months (schoolage.term_label)."""
    term = current_term(county_id=access(user).home_county_id(), on=on)
    return term, term.name if term else term_label(on)


def term_key(term, place):
    """The to-do's key: one per term and village (v) or school (s)."""
    letter = "v" if isinstance(place, Village) else "s"
    return f"{KEY_PREFIX}{term.pk}-{letter}{place.pk}"


def term_list_todos(term):
    """All the places' term-list to-dos of a term."""
    return Todo.objects.filter(
        county_id=term.county_id,
        case__isnull=True,
        kind=Todo.Kind.TERM_LIST,
        key__startswith=f"{KEY_PREFIX}{term.pk}-",
    )


def own_term_list_queryset(user, term):
    """The user's own places' to-dos of the term (open or done)."""
    return term_list_todos(term).filter(access(user).own_todos())


def own_term_list_todos(user, term):
    """The same, as a list by place."""
    if term is None:
        return []
    return list(
        own_term_list_queryset(user, term)
        .select_related("village", "school", "done_by")
        .order_by("village__name", "school__name", "pk")
    )


def place_children(todo):
    """The children a place's list is about (those who should be at school)."""
    place = {"village_id": todo.village_id} if todo.village_id else {"school_id": todo.school_id}
    return Child.objects.filter(status__in=TERM_CHECK_STATUSES, **place)


def place_counts(todo, term_name):
    """{"total", "checked", "absent"} of one place for the term."""
    return place_children(todo).aggregate(**_count_fields(term_name, ""))


def _count_fields(term_name, prefix):
    checks = f"{prefix}term_checks"
    on_term = Q(**{f"{checks}__term": term_name})
    return {
        "total": Count(f"{prefix}pk", distinct=True),
        "checked": Count(checks, filter=on_term, distinct=True),
        "absent": Count(checks, filter=on_term & Q(**{f"{checks}__present": False}), distinct=True),
    }


def with_counts(places, term_name):
    """Villages or schools annotated total / checked / absent for the term."""
    in_term = Q(children__status__in=TERM_CHECK_STATUSES)
    checks = in_term & Q(children__term_checks__term=term_name)
    return places.annotate(
        total=Count("children", filter=in_term, distinct=True),
        checked=Count("children__term_checks", filter=checks, distinct=True),
        absent=Count(
            "children__term_checks",
            filter=checks & Q(children__term_checks__present=False),
            distinct=True,
        ),
    )


def own_lists(user, term, term_name):
    """[(to-do, its place with counts)] of the user's own places: three queries."""
    todos = own_term_list_todos(user, term)
    if not todos:
        return []
    villages = with_counts(
        Village.objects.filter(pk__in=[t.village_id for t in todos if t.village_id]), term_name
    ).in_bulk()
    schools = with_counts(
        School.objects.filter(pk__in=[t.school_id for t in todos if t.school_id]), term_name
    ).in_bulk()
    rows = [(t, villages.get(t.village_id) or schools.get(t.school_id)) for t in todos]
    for _todo, place in rows:
        place.remaining = place.total - place.checked
    return rows


def places_progress(user, term, term_name):
    """For an office: each village and school of the county in its reach, with
    its term-list to-do (or None) and the counts, villages first. Three queries."""
    if term is None:
        return []
    # The places are scoped; their to-dos are found by key.
    by_key = {t.key: t for t in term_list_todos(term).select_related("done_by")}
    rows = []
    for places in (
        Village.objects.filter(access(user).villages()),
        School.objects.filter(access(user).schools()),
    ):
        counted = with_counts(places.filter(township__county_id=term.county_id), term_name)
        for place in counted.order_by("township__name", "name"):
            rows.append((place, by_key.get(term_key(term, place))))
    return rows
