"""The ladder of a never-enrolled child (未入学, DOMAIN §4; 000, 002, 004).

Such a child has no teacher to phone and no attendance to count, so the
absence scan cannot climb this ladder. It climbs by what people do instead:
a case opens on the first step (its to-do created at once), and each next
step's to-do is created, and the stage raised through cases/states.py, when
the to-do of the step before it is done (a village cadre's home visit, a
township official's home visit, the township's 《限期入学通知书》). The last
step is the township placing the child by age with the catchment school
(cases/placement/); the school then builds the 学籍.

The steps are the county's or township's `JurisdictionSettings.enrolment_ladder`
(preset enrol-002 in fixtures/ladder_presets.json), copied onto the case.
"""

from django.db import transaction
from django.utils import timezone

from students.models import Child
from students.schoolage import JUNIOR, PRIMARY
from students.selectors import school_age_of, settings_for

from .. import states
from ..calendar import calendar_around
from ..models import Case, Todo
from .todos import Role, create_todos, make_todo, responsible_place

PLACEMENT = Todo.Kind.PLACEMENT


def ladder_for(child):
    """The ladder a new case of this child copies: 未入学 has its own."""
    s = settings_for(township=child.village.township)
    if child.status == Child.Status.NOT_ENROLLED:
        return s.enrolment_ladder
    return s.ladder


def is_enrolment(ladder):
    """A ladder that ends in placing the child (the 未入学 ladder)."""
    return any(step.get("todo") == PLACEMENT for step in ladder or [])


def step_key(index):
    return f"enrol-{index}"


# --- placement by age (002; DOMAIN §5: 6 → 一年级, 7–12 小学, 13–15 初中) ---


def grade_choices(child, school=None):
    """The grades a never-enrolled child may be placed in, by age: 一年级 at 6,
    otherwise the grades of the child's stage up to the one of their age (002:
    a lower grade may suit a child who never went to school); at `school`,
    only those it teaches."""
    expected = school_age_of(child).expected_grade
    if expected < 1 or expected > 9:
        return []
    first = 7 if expected >= 7 else 1
    grades = list(range(first, expected + 1))
    if school is not None:
        grades = [g for g in grades if g in school.grades]
    return grades


def catchment_schools(child):
    """The village's 责任学校 (002) that teach the grade of the child's age,
    then the township's other schools that do."""
    expected = school_age_of(child).expected_grade
    from students.models import School

    schools = School.objects.filter(township=child.village.township)
    own = [s for s in schools.filter(villages=child.village) if expected in s.grades]
    rest = [s for s in schools.exclude(villages=child.village) if expected in s.grades]
    return own + rest


def stage_label(child):
    expected = school_age_of(child).expected_grade
    return JUNIOR if expected >= 7 else PRIMARY


# --- climbing ---------------------------------------------------------------


def _todo(case, index, step, today):
    county = case.child.village.township.county
    due_on = calendar_around(county=county, day=today).add_school_days(today, step.get("due", 0))
    if step["todo"] == PLACEMENT:
        # The township places the child with the catchment school (002): the
        # school cannot reach a child who is not yet its pupil.
        schools = catchment_schools(case.child)
        where = f"（责任学校：{schools[0].name}）" if schools else "（本乡镇无开设该年级的学校）"
        return Todo(
            case=case,
            key=step_key(index),
            kind=PLACEMENT,
            title=f"{step['action']}{where}"[:200],
            role=Role.TOWNSHIP,
            due_on=due_on,
            **responsible_place(case.child, Role.TOWNSHIP),
        )
    return make_todo(
        case,
        key=step_key(index),
        kind=step["todo"],
        title=step["action"],
        role=step["role"],
        due_on=due_on,
    )


@transaction.atomic
def advance(case):
    """Create the next step's to-do once the current step's to-do is done
    (the first step's at once); returns how many to-dos were created."""
    if not is_enrolment(case.ladder):  # most cases: nothing to climb here
        return 0
    case = (
        Case.objects.select_for_update().select_related("child__village__township").get(pk=case.pk)
    )
    if not is_enrolment(case.ladder):
        return 0
    today = timezone.localdate()
    created = 0
    while case.stage < len(case.ladder) and states.may(case, "escalate"):
        if case.stage > 0:
            current = Todo.objects.filter(case=case, key=step_key(case.stage)).first()
            if current is not None and not current.is_done:
                break
        index = case.stage + 1
        step = case.ladder[index - 1]
        created += create_todos([_todo(case, index, step, today)])
        case = states.transition(
            case, "escalate", stage=index, note=f"未入学儿童劝学第{index}步：{step['action']}"
        )
        case.child = Child.objects.select_related("village__township").get(pk=case.child_id)
    return created


def start(cases):
    """The first step of each new case on the 未入学 ladder."""
    return sum(advance(c) for c in cases if is_enrolment(c.ladder))
