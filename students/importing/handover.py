"""小升初 hand-over lists (001 §四(二)5): a primary school's graduates of the
year and the junior school each is assigned to, upserted by (year, ID number).

The graduating school is the batch's (`--school`, or the upload form's); a
row naming another 毕业学校 is refused. The year is the current calendar
year: the autumn term the graduates must register at their junior school.
"""

from django.utils import timezone

from .. import idcard
from ..jurisdiction import access
from ..models import HandoverEntry, School
from .columns import PROGRESS_EVERY, Plan, add_error, copy_values, field_labels


def plan_handover(batch, parsed, user, progress, *, final):
    plan = Plan()
    year = timezone.localdate().year
    primary = batch.school
    column = parsed.columns.get
    schools = {s.name: s for s in School.objects.filter(township__county=batch.county)}
    ids = {r.values.get("id_number") for r in parsed.rows} - {None}
    existing = {e.id_number: e for e in HandoverEntry.objects.filter(year=year, id_number__in=ids)}
    kept = set(
        HandoverEntry.objects.filter(
            access(user).schools("primary_school__"), year=year, id_number__in=ids
        ).values_list("id_number", flat=True)
    )
    office = access(user).office_to_ask(batch.county)
    bad_rows, seen = {e.row for e in parsed.errors}, {}
    for i, row in enumerate(parsed.rows, start=1):
        if i % PROGRESS_EVERY == 0:
            progress(i)
        if row.row in bad_rows:
            continue
        v, n = row.values, row.row
        if primary is None:
            add_error(plan, n, column("primary_name", "毕业学校"), "请在导入时选择毕业学校")
            continue
        if v.get("primary_name") and v["primary_name"] != primary.name:
            add_error(
                plan,
                n,
                column("primary_name"),
                f"本次导入的是{primary.name}的交接名单，此行为“{v['primary_name']}”",
            )
            continue
        if primary.grade_problem(6):
            add_error(plan, n, column("primary_name", "毕业学校"), primary.grade_problem(6))
            continue
        junior = schools.get(v["junior_name"])
        if junior is None:
            add_error(plan, n, column("junior_name"), f"本县没有名为“{v['junior_name']}”的学校")
            continue
        if junior.grade_problem(7):
            add_error(plan, n, column("junior_name"), junior.grade_problem(7))
            continue
        id_number = v["id_number"]
        if id_number in seen:
            add_error(plan, n, column("id_number"), f"与第{seen[id_number]}行身份证号重复")
            continue
        seen[id_number] = n
        info = idcard.parse_id_number(id_number)
        problems = idcard.check_consistency(info, birth_date=None, gender=v.get("gender"))
        if problems:
            add_error(plan, n, column("gender", "性别"), "；".join(problems))
            continue
        values = {
            "year": year,
            "primary_school": primary,
            "junior_school": junior,
            "name": v["name"],
            "id_number": id_number,
            "gender": info.gender,
            "class_label": v.get("class_label") or "",
            "note": v.get("note") or "",
        }
        entry = existing.get(id_number)
        if entry is not None and id_number not in kept:
            if final:
                add_error(
                    plan,
                    n,
                    column("id_number"),
                    f"该学生已在其他学校的交接名单上，请联系{office}核实",
                )
                continue
            entry = None
        if entry is None:
            plan.creates.append(HandoverEntry(batch=batch, **values))
            plan.changes.append({"row": n, "action": "新增", "name": v["name"], "fields": ""})
            continue
        changed = []
        copy_values(entry, values, changed)
        if changed:
            entry.batch = batch
            plan.updates.append((entry, changed + ["batch"]))
            plan.changes.append(
                {
                    "row": n,
                    "action": "更新",
                    "name": entry.name,
                    "fields": field_labels(HandoverEntry, changed),
                }
            )
        else:
            plan.unchanged += 1
    return plan
