"""学籍, 户籍 and 脱贫户 lists: kept as their own records, linked to the roster by ID."""

from django.db.models import OuterRef, Subquery
from django.utils import timezone

from .. import idcard
from ..jurisdiction import access
from ..models import Child, HujiRecord, PovertyRecord, School, Village, XuejiRecord
from ..schoolage import age_on
from .columns import KEEP_AGES, PROGRESS_EVERY, Plan, add_error, copy_values, field_labels


def _plan_records(batch, parsed, progress, *, model, key, build):
    """Upsert `model` rows by `key`; `build(row, plan)` returns field values or None."""
    plan = Plan()
    keys = {r.values.get(key) for r in parsed.rows} - {None}
    existing = {getattr(o, key): o for o in model.objects.filter(**{f"{key}__in": keys})}
    seen = {}
    bad_rows = {e.row for e in parsed.errors}
    for i, row in enumerate(parsed.rows, start=1):
        if i % PROGRESS_EVERY == 0:
            progress(i)
        if row.row in bad_rows:
            continue
        values = build(row, plan)
        if values is None:
            continue
        k = values[key]
        if k in seen:
            add_error(plan, row.row, parsed.columns.get(key, key), f"与第{seen[k]}行重复")
            continue
        seen[k] = row.row
        obj = existing.get(k)
        if obj is None:
            plan.creates.append(model(batch=batch, **values))
            plan.changes.append(
                {"row": row.row, "action": "新增", "name": values["name"], "fields": ""}
            )
            continue
        changed = []
        copy_values(obj, values, changed)
        if changed:
            obj.batch = batch
            plan.updates.append((obj, changed + ["batch"]))
            plan.changes.append(
                {
                    "row": row.row,
                    "action": "更新",
                    "name": obj.name,
                    "fields": field_labels(model, changed),
                }
            )
        else:
            plan.unchanged += 1
    return plan


def _kept_person(values, plan, today):
    """Fill birth date and gender from the ID; False for people outside KEEP_AGES."""
    info = idcard.parse_id_number(values["id_number"])
    values["birth_date"] = values.get("birth_date") or info.birth_date
    values["gender"] = values.get("gender") or info.gender
    if age_on(values["birth_date"], today) not in KEEP_AGES:
        plan.skipped += 1
        return False
    return True


def _village_lookup(batch, user, parsed):
    """row -> the row's village (the batch's when the sheet names none), or
    False after reporting a village outside the user's reach."""
    villages = {
        v.name: v
        for v in Village.objects.filter(access(user).villages(), township__county=batch.county)
    }

    def village_of(row, plan):
        name = row.values.get("village_name")
        if not name:
            return batch.village
        village = (
            batch.village if batch.village_id and batch.village.name == name else villages.get(name)
        )
        if village is None:
            add_error(
                plan, row.row, parsed.columns["village_name"], f"“{name}”不在您管辖的村（社区）中"
            )
            return False
        return village

    return village_of


def plan_xueji(batch, parsed, user, progress):
    schools = {
        s.name: s
        for s in School.objects.filter(access(user).schools(), township__county=batch.county)
    }

    def build(row, plan):
        v = row.values
        school = batch.school
        if v.get("school_name"):
            school = schools.get(v["school_name"])
            if school is None or (batch.school_id and school.pk != batch.school_id):
                add_error(
                    plan,
                    row.row,
                    parsed.columns["school_name"],
                    f"“{v['school_name']}”不是本次导入的学校或不在您的管辖范围",
                )
                return None
        if school is None:
            add_error(plan, row.row, "学校名称", "请填写学校名称（或在导入时选择学校）")
            return None
        id_number = v.get("id_number") or idcard.id_from_xueji_number(v["xueji_number"])
        return {
            "school": school,
            "xueji_number": v["xueji_number"],
            "id_number": id_number,
            "name": v["name"],
            "gender": v["gender"],
            "birth_date": v["birth_date"],
            "grade": v["grade"],
            "class_name": v["class_name"],
            "entry_month": v.get("entry_month") or "",
            "hukou_place": v.get("hukou_place") or "",
            "address": v.get("address") or "",
            "phone": v.get("phone") or "",
        }

    return _plan_records(
        batch, parsed, progress, model=XuejiRecord, key="xueji_number", build=build
    )


def plan_huji(batch, parsed, user, progress):
    village_of = _village_lookup(batch, user, parsed)
    today = timezone.localdate()

    def build(row, plan):
        v = dict(row.values)
        if not _kept_person(v, plan, today):
            return None
        village = village_of(row, plan)
        if village is False:
            return None
        return {
            "county": batch.county,
            "village": village,
            "id_number": v["id_number"],
            "name": v["name"],
            "gender": v["gender"],
            "birth_date": v["birth_date"],
            "address": v.get("address") or "",
            "head_name": v.get("head_name") or "",
        }

    return _plan_records(batch, parsed, progress, model=HujiRecord, key="id_number", build=build)


def plan_tuopin(batch, parsed, user, progress):
    village_of = _village_lookup(batch, user, parsed)
    today = timezone.localdate()

    def build(row, plan):
        v = dict(row.values)
        if not _kept_person(v, plan, today):
            return None
        kind_text = v.get("kind") or "脱贫户"
        if "监测" in kind_text:
            kind = PovertyRecord.Kind.JIANCE
        elif "脱贫" in kind_text:
            kind = PovertyRecord.Kind.TUOPIN
        else:
            add_error(
                plan, row.row, parsed.columns.get("kind", "类别"), "类别请填写：脱贫户或监测户"
            )
            return None
        village = village_of(row, plan)
        if village is False:
            return None
        return {
            "county": batch.county,
            "village": village,
            "kind": kind,
            "id_number": v["id_number"],
            "name": v["name"],
            "head_name": v.get("head_name") or "",
        }

    return _plan_records(batch, parsed, progress, model=PovertyRecord, key="id_number", build=build)


def apply_records(batch, plan, model):
    model.objects.bulk_create(plan.creates, batch_size=1000)
    if plan.updates:
        fields = sorted({f for _, changed in plan.updates for f in changed} | {"updated_at"})
        model.objects.bulk_update([o for o, _ in plan.updates], fields, batch_size=1000)
    # Link each record to its roster child by ID number, in one statement.
    child_id = Subquery(Child.objects.filter(id_number=OuterRef("id_number")).values("pk")[:1])
    if model is PovertyRecord:
        household_id = Subquery(
            Child.objects.filter(id_number=OuterRef("id_number")).values("household_id")[:1]
        )
        model.objects.filter(batch=batch).update(household=household_id)
    else:
        model.objects.filter(batch=batch).update(child=child_id)
