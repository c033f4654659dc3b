"""Writes: place a never-enrolled child by age, and move the case on."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from students.jurisdiction import access
from students.models import Child, School
from students.selectors import settings_for
from students.services import change_child_status, save_child

from .. import services, states
from ..ladder import enrolment
from ..models import Case, Todo

GRADE_LABELS = dict(Child._meta.get_field("grade").choices)


def may_place(user, case):
    return (
        case.state in states.OPEN_STATES
        and case.child.status == Child.Status.NOT_ENROLLED
        and access(user).may_place_child(case)
    )


@transaction.atomic
def place_child(*, case, by, school, grade, class_name, note=""):
    """Enrol the child at `school` in `grade` / `class_name` (002: by age)."""
    if not access(by).may_place_child(case):
        raise PermissionDenied("无权办理入学安置。")
    child = Child.objects.select_for_update().get(pk=case.child_id)
    if child.status != Child.Status.NOT_ENROLLED or case.state not in states.OPEN_STATES:
        raise ValidationError("只有进行中个案的未入学儿童可以办理入学安置。")
    if not School.objects.filter(access(by).schools(), pk=school.pk).exists():
        raise ValidationError("请选择您管辖范围内的学校。")
    allowed = enrolment.grade_choices(child, school)
    if grade not in allowed:
        names = "、".join(GRADE_LABELS[g] for g in allowed) or "无（该校不开设该年龄的年级）"
        raise ValidationError(f"按年龄，{school.name}可编入的年级为：{names}。")
    class_name = (class_name or "").strip()
    if not class_name:
        raise ValidationError("请选择或填写班级。")
    label = f"{school.name}{GRADE_LABELS[grade]}{class_name}"
    reason = f"个案#{case.pk}：未入学儿童按年龄入学安置（{label}）"
    child.school, child.grade, child.class_name = school, grade, class_name
    save_child(child=child, by=by, reason=reason)
    change_child_status(child=child, status=Child.Status.ENROLLED, by=by, reason=reason)
    today = timezone.localdate()
    enrolment_ladder = case.ladder
    case = states.transition(
        case,
        "record_return",
        by=by,
        note=f"{today} 入学安置：{label}{('；' + note.strip()) if note and note.strip() else ''}"[
            :500
        ],
        returned_on=today,
        placement=Case.Placement.BY_AGE,
        placement_note=label[:200],
        # A pupil now: an absence from here on climbs the county's absence ladder.
        ladder=settings_for(township=child.village.township).ladder,
        stage=0,
    )
    services.complete_todos(case=case, kinds=[Todo.Kind.PLACEMENT], by=by, note=f"已入学：{label}")
    # Placed before the ladder's end (the family brought the child): the
    # steps left need no doing.
    steps = {step["todo"] for step in enrolment_ladder}
    services.complete_todos(case=case, kinds=steps, by=by, note=f"已入学安置（{label}），无需办理")
    return case
