"""What a school's pupil list (学籍 sheet) does beyond its 学籍 records.

- A pupil already on a village roster (matched by ID number): the sheet sets
  the child's placement — school, grade, class — the one thing a school
  writes on a rostered child; everything else stays the village's.
- A pupil on no village roster (or on one the importer does not see)
  becomes a lead (Lead.Kind.UNROSTERED) for the school's township, which
  assigns it to a village or places the registered child
  (crosscheck/assign.py).

Planned with the 学籍 rows (preview and commit alike), written in the
import's transaction, idempotent: a re-import finds every child placed and
every lead already open.
"""

from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from ..jurisdiction import access
from ..models import Child, Lead, XuejiRecord
from ..services import next_versions
from .columns import field_labels

PLACEMENT = ["school", "grade", "class_name"]
PLACED = "更新就读"
TO_ASSIGN = "待乡镇分配到村"


def plan_pupils(plan, user):
    """Add to a 学籍 plan the placements and the leads its rows imply.

    Only children the importer already sees are placed from the sheet; a
    child registered where the importer does not see is treated exactly like
    an unknown one (a lead for the township, which places them), so neither
    the preview nor the commit tells a school what is registered elsewhere.
    """
    rows = plan.extra.pop("pupil_rows", [])
    if plan.errors or not rows:
        return plan
    ids = {values["id_number"] for _, values in rows if values["id_number"]}
    children = {
        c.id_number: c for c in Child.objects.filter(access(user).children(), id_number__in=ids)
    }
    keys = {values["id_number"] or values["xueji_number"] for _, values in rows}
    open_leads = set(
        Lead.objects.filter(
            kind=Lead.Kind.UNROSTERED, state=Lead.State.OPEN, person_key__in=keys
        ).values_list("person_key", flat=True)
    )
    placements, leads = [], []
    for n, values in rows:
        child = children.get(values["id_number"]) if values["id_number"] else None
        if child is None:
            key = values["id_number"] or values["xueji_number"]
            if key not in open_leads:
                leads.append(values)
                plan.changes.append(
                    {"row": n, "action": TO_ASSIGN, "name": values["name"], "fields": ""}
                )
            continue
        changed = [f for f in PLACEMENT if _value(child, f) != _value(values, f)]
        if changed:
            for f in changed:
                setattr(child, f, values[f])
            placements.append(child)
            plan.changes.append(
                {
                    "row": n,
                    "action": PLACED,
                    "name": child.name,
                    "fields": field_labels(Child, changed),
                }
            )
    plan.extra["placements"], plan.extra["unrostered"] = placements, leads
    return plan


def _value(obj, name):
    if isinstance(obj, dict):
        value = obj[name]
        return value.pk if name == "school" else (value or "" if name == "class_name" else value)
    return obj.school_id if name == "school" else getattr(obj, name)


def apply_pupils(batch, plan, user):
    """Write the placements (with history) and the leads of a committed 学籍 plan."""
    placements = plan.extra.get("placements", [])
    if placements:
        next_versions(placements)
        bulk_update_with_history(
            placements,
            Child,
            [*PLACEMENT, "updated_at", "version"],
            default_user=user,
            default_change_reason=f"学籍导入批次#{batch.pk}：就读学校、年级、班级",
        )
    unrostered = plan.extra.get("unrostered", [])
    if not unrostered:
        return
    record_of = {
        r.xueji_number: r
        for r in XuejiRecord.objects.filter(
            xueji_number__in=[v["xueji_number"] for v in unrostered]
        )
    }
    period = f"{timezone.localdate():%Y-%m}"
    Lead.objects.bulk_create(
        [
            Lead(
                kind=Lead.Kind.UNROSTERED,
                period=period,
                person_key=v["id_number"] or v["xueji_number"],
                name=v["name"],
                gender=v["gender"] or "",
                birth_date=v["birth_date"],
                id_number=v["id_number"] or "",
                county=batch.county,
                school=v["school"],
                xueji=record_of.get(v["xueji_number"]),
                detail=(
                    f"{v['school']}学籍在册，未在任何村（社区）底数台账"
                    f"（学籍导入批次#{batch.pk}）：请乡镇核实后分配到村"
                ),
            )
            for v in unrostered
        ],
        ignore_conflicts=True,
    )
