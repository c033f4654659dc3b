"""The escalation ladder: which to-do each step creates, for whom, by when.

The steps are the county's setting (JurisdictionSettings.ladder, seeds 004
and 001), copied onto the case when it opens.
"""

from students.models import Membership

from ..models import Todo

Role = Membership.Role


def responsible_place(child, role):
    """The school / village / township / county a role answers for this child."""
    township = child.village.township
    if role in (Role.TEACHER, Role.SCHOOL_ADMIN):
        # A child with no school (never enrolled) is the village's to find.
        if child.school_id:
            return {"school": child.school, "county_id": township.county_id}
        return {"village": child.village, "county_id": township.county_id}
    if role == Role.VILLAGE:
        return {"village": child.village, "county_id": township.county_id}
    if role == Role.TOWNSHIP:
        return {"township": township, "county_id": township.county_id}
    return {"county_id": township.county_id}


def make_todo(case, *, key, kind, title, role, due_on):
    """An unsaved Todo; saved with bulk_create(ignore_conflicts=True) on
    (case, key), so a step's to-do is created once however often it runs."""
    place = responsible_place(case.child, role)
    if role in (Role.TEACHER, Role.SCHOOL_ADMIN) and "school" not in place:
        role = Role.VILLAGE
    return Todo(case=case, key=key, kind=kind, title=title, role=role, due_on=due_on, **place)


def step_todo(case, index, step, *, calendar, on):
    return make_todo(
        case,
        # One to-do per step and episode: a reopened case climbs the ladder again.
        key=f"step-{index}-{case.first_absent_on:%Y%m%d}",
        kind=step["todo"],
        title=step["action"],
        role=step["role"],
        due_on=calendar.add_school_days(on, step.get("due", 0)),
    )


def steps_reached(ladder, streak):
    """Indexes (1-based) of the ladder steps a streak has reached."""
    return [i for i, step in enumerate(ladder, start=1) if streak >= step["day"]]


def create_todos(todos):
    """Save to-dos once per (case, key) (bulk_create, ignore_conflicts: two
    runs at once write each once); returns how many are new."""
    if not todos:
        return 0
    keys = {(t.case_id, t.key) for t in todos}
    case_ids = {t.case_id for t in todos}
    existing = set(Todo.objects.filter(case_id__in=case_ids).values_list("case_id", "key"))
    Todo.objects.bulk_create(todos, ignore_conflicts=True)
    after = set(Todo.objects.filter(case_id__in=case_ids).values_list("case_id", "key"))
    return len((after - existing) & keys)
