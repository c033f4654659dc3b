"""A pupil on no village roster (found by a school's 学籍 import, Lead.Kind
UNROSTERED) is put on the roster of the village the township assigns: the
child is created there from the 学籍 record, the lead confirmed with who,
when and why. A pupil who turns out to be registered on a roster the school
does not see keeps that roster entry and gets the school's placement.
Who may: access(user).may_assign_lead()."""

from django.core.exceptions import ValidationError
from django.db import transaction

from ..jurisdiction import access
from ..models import Child, Lead, Village
from ..services import save_child
from .leads import _decide


def assignable_villages(user, lead):
    """The villages of the pupil's school's township the user reaches."""
    return Village.objects.filter(access(user).villages(), township_id=lead.school.township_id)


@transaction.atomic
def assign_lead(*, lead, village_id, by, reason):
    lead = (
        Lead.objects.select_for_update(of=("self",))
        .select_related("school", "xueji")
        .get(pk=lead.pk)
    )
    if lead.kind != Lead.Kind.UNROSTERED or lead.state != Lead.State.OPEN:
        raise ValidationError("该线索已处理或不能分配到村。")
    if not access(by).may_assign_lead(lead):
        raise ValidationError("只有学校所在乡镇或县可以分配到村。")
    village = assignable_villages(by, lead).filter(pk=village_id).first()
    if village is None:
        raise ValidationError({"village": "请选择学校所在乡镇的村（社区）。"})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写核实说明。"})
    record = lead.xueji
    registered = Child.objects.filter(id_number=lead.id_number).first() if lead.id_number else None
    if registered is not None:
        return _place_registered(lead, registered, record, by=by, reason=reason)
    child = Child(
        village=village,
        name=lead.name,
        gender=lead.gender or (record.gender if record else ""),
        birth_date=lead.birth_date or (record.birth_date if record else None),
        id_number=lead.id_number or None,
        xueji_number=record.xueji_number if record else "",
        school=lead.school,
        grade=record.grade if record else None,
        class_name=record.class_name if record else "",
        status=Child.Status.ENROLLED,
    )
    save_child(child=child, by=by, reason=f"学籍在册、乡镇分配到{village}：{reason}")
    if record is not None and record.child_id is None:
        record.child = child
        record._history_user = by
        record._change_reason = f"乡镇分配到{village}"
        record.save(update_fields=["child", "updated_at"])
    Lead.objects.filter(pk=lead.pk).update(child=child, village=village)
    lead.child, lead.village = child, village
    return _decide(
        lead=lead, by=by, reason=f"分配到{village}：{reason}", state=Lead.State.CONFIRMED
    )


def _place_registered(lead, child, record, *, by, reason):
    """The pupil is on a roster the school does not see: the roster stays
    where it is, the school's sheet sets the placement (as for a pupil the
    school sees), and the lead is confirmed."""
    child.school = lead.school
    if record is not None:
        child.grade, child.class_name = record.grade, record.class_name
    save_child(child=child, by=by, reason=f"学籍在册（{lead.school}），乡镇核实更新就读：{reason}")
    Lead.objects.filter(pk=lead.pk).update(child=child)
    lead.child = child
    return _decide(
        lead=lead,
        by=by,
        reason=f"已在村台账上，更新就读学校：{reason}",
        state=Lead.State.CONFIRMED,
    )
