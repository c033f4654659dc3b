"""学籍, 户籍 and 脱贫户 lists: kept as their own records, linked to the roster by ID."""

from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from .. import idcard
from ..jurisdiction import access
from ..models import Child, HujiRecord, PovertyRecord, School, Village, XuejiRecord
from ..schoolage import age_on
from .columns import KEEP_AGES, PROGRESS_EVERY, Plan, add_error, copy_values, field_labels
from .pupils import apply_pupils, plan_pupils


def _plan_records(batch, parsed, progress, *, model, key, build, reach, refusal, final):
    """Upsert `model` rows by `key`; `build(row, plan)` returns field values or None.

    Only records in `reach` (a Q over `model`: those the user keeps) may be
    updated. One registered elsewhere is previewed exactly like an unknown
    key, as 新增, so the preview tells nobody what is registered outside
    their reach; the commit (`final`) refuses it with `refusal` and so
    writes nothing at all.
    """
    plan = Plan()
    keys = {r.values.get(key) for r in parsed.rows} - {None}
    existing = {getattr(o, key): o for o in model.objects.filter(**{f"{key}__in": keys})}
    kept = set(model.objects.filter(reach, **{f"{key}__in": keys}).values_list(key, flat=True))
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
        if obj is not None and k not in kept:
            if final:
                add_error(plan, row.row, parsed.columns.get(key, key), refusal)
                continue
            obj = None
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


def _refusal(what, batch, user):
    office = access(user).office_to_ask(batch.county)
    return f"该{what}不在您的管辖范围内，请联系{office}核实"


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

    unplaced_ok = access(user).may_keep_unplaced_records(batch.county)

    def village_of(row, plan):
        name = row.values.get("village_name")
        if not name:
            if batch.village is None and not unplaced_ok:
                column = parsed.columns.get("village_name", "村（社区）")
                add_error(plan, row.row, column, "请填写村（社区）（或在导入时选择村）")
                return False
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


def plan_xueji(batch, parsed, user, progress, *, final):
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
        if problem := school.grade_problem(v["grade"]):
            add_error(plan, row.row, parsed.columns.get("grade", "年级"), problem)
            return None
        id_number = v.get("id_number") or idcard.id_from_xueji_number(v["xueji_number"])
        pupil = {
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
        plan.extra.setdefault("pupil_rows", []).append((row.row, pupil))
        return pupil

    plan = _plan_records(
        batch,
        parsed,
        progress,
        model=XuejiRecord,
        key="xueji_number",
        build=build,
        reach=access(user).xueji_records(),
        refusal=_refusal("学籍号", batch, user),
        final=final,
    )
    return plan_pupils(plan, user)


def plan_huji(batch, parsed, user, progress, *, final):
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

    return _plan_records(
        batch,
        parsed,
        progress,
        model=HujiRecord,
        key="id_number",
        build=build,
        reach=access(user).village_records(),
        refusal=_refusal("身份证号", batch, user),
        final=final,
    )


def plan_tuopin(batch, parsed, user, progress, *, final):
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

    return _plan_records(
        batch,
        parsed,
        progress,
        model=PovertyRecord,
        key="id_number",
        build=build,
        reach=access(user).village_records(),
        refusal=_refusal("身份证号", batch, user),
        final=final,
    )


def apply_records(batch, plan, model, user):
    """Write the plan with history (who, and the batch as the reason), each
    record linked to its roster child (or, for 脱贫户, household) by ID number."""
    link = "household" if model is PovertyRecord else "child"
    records = plan.creates + [o for o, _ in plan.updates]
    ids = {o.id_number for o in records if o.id_number}
    value = "household_id" if link == "household" else "pk"
    found = dict(Child.objects.filter(id_number__in=ids).values_list("id_number", value))
    for o in plan.creates:
        setattr(o, f"{link}_id", found.get(o.id_number))
    for o, changed in plan.updates:
        if getattr(o, f"{link}_id") != found.get(o.id_number):
            setattr(o, f"{link}_id", found.get(o.id_number))
            changed.append(link)
    reason = f"导入批次#{batch.pk}"
    bulk_create_with_history(
        plan.creates, model, batch_size=1000, default_user=user, default_change_reason=reason
    )

    if plan.updates:
        fields = sorted({f for _, changed in plan.updates for f in changed} | {"updated_at"})
        bulk_update_with_history(
            [o for o, _ in plan.updates],
            model,
            fields,
            batch_size=1000,
            default_user=user,
            default_change_reason=reason,
        )
    if model is XuejiRecord:
        apply_pupils(batch, plan, user)
