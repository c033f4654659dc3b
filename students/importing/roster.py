"""The roster (底数台账): households and children, matched and planned row by row."""

from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from .. import idcard
from ..jurisdiction import access
from ..models import Child, Household, School, Village, VillageGroup
from ..pinyin import pinyin_keys
from ..services import CASE_STATUSES, next_versions
from .columns import (
    PROGRESS_EVERY,
    ROSTER_COLUMNS,
    Plan,
    Status,
    add_error,
    copy_values,
    field_labels,
    parse_grade_class,
    parse_poverty,
    parse_special,
)

# No 疑似辍学 / 辍学 without a case: a sheet neither sets nor clears them.
CASE_STATUS_REFUSAL = (
    "“疑似辍学”“辍学”随个案登记和撤销，导入不能设置或改掉："
    "请在学生页面“变更状态”中登记（同时建立或撤销个案），此列保持原状态"
)
# A model field's error is shown on the sheet column the value came from.
SHEET_COLUMN_OF = {"grade": "grade_class", "school": "school_name", "household": "head_name"}


class RosterPlanner:
    def __init__(self, batch, parsed, user, *, final):
        self.batch, self.parsed, self.user, self.final = batch, parsed, user, final
        self.plan = Plan()
        rows = parsed.rows
        county = batch.county
        self.villages = {
            v.name: v
            for v in Village.objects.filter(
                access(user).villages(), township__county=county
            ).select_related("township")
        }
        if batch.village_id:
            self.villages = {batch.village.name: batch.village}
        self.schools = {s.name: s for s in School.objects.filter(township__county=county)}
        ids = {r.values.get("id_number") for r in rows} - {None}
        self.by_id = {
            c.id_number: c
            for c in Child.objects.filter(id_number__in=ids).select_related(
                "village__township", "household"
            )
        }
        village_ids = [v.pk for v in self.villages.values()]
        self.households = {}
        for h in Household.objects.filter(village_id__in=village_ids).select_related("group"):
            self.households.setdefault((h.village_id, h.head_name), []).append(h)
        self.no_id_children = {
            (c.household_id, c.name, c.birth_date): c
            for c in Child.objects.filter(
                village_id__in=village_ids, id_number__isnull=True
            ).select_related("household")
        }
        self.groups = {
            (g.village_id, g.name): g
            for g in VillageGroup.objects.filter(village_id__in=village_ids)
        }
        self.new_households = {}
        self.seen_ids = {}
        self.may_see_juvenile = access(user).may_see_juvenile_cases()
        # A child whose roster entry the user keeps may be updated; one the
        # user only sees (a pupil living elsewhere) is refused at once; any
        # other number is previewed like an unknown one and refused at the
        # commit, so the preview tells nothing about other places.
        ids_in = Child.objects.filter(id_number__in=ids)
        self.kept_ids = set(
            ids_in.filter(access(user).roster_children()).values_list("id_number", flat=True)
        )
        self.visible_ids = set(
            ids_in.filter(access(user).children()).values_list("id_number", flat=True)
        )
        office = access(user).office_to_ask(county)
        self.refusal = f"该身份证号不在您的管辖范围内，请联系{office}核实"

    def header(self, key):
        return self.parsed.columns.get(key) or next(c.label for c in ROSTER_COLUMNS if c.key == key)

    def run(self, progress):
        bad_rows = {e.row for e in self.parsed.errors}
        for i, row in enumerate(self.parsed.rows, start=1):
            if row.row not in bad_rows:
                self.plan_row(row)
            elif row.values.get("id_number"):  # still a duplicate for later rows
                self.seen_ids.setdefault(row.values["id_number"], row.row)
            if i % PROGRESS_EVERY == 0:
                progress(i)
        return self.plan

    def plan_row(self, row):
        v, plan, n = row.values, self.plan, row.row
        before = len(plan.errors)
        village = self._village(row)
        id_number = v.get("id_number")
        if id_number:
            if id_number in self.seen_ids:
                add_error(
                    plan,
                    n,
                    self.header("id_number"),
                    f"与第{self.seen_ids[id_number]}行身份证号重复",
                )
            self.seen_ids.setdefault(id_number, n)
            info = idcard.parse_id_number(id_number)
            problems = idcard.check_consistency(
                info, birth_date=v.get("birth_date"), gender=v.get("gender")
            )
            for p in problems:
                add_error(plan, n, self.header("birth_date" if "出生" in p else "gender"), p)
            v["birth_date"] = v.get("birth_date") or info.birth_date
            v["gender"] = v.get("gender") or info.gender
        else:
            if not v.get("birth_date"):
                add_error(plan, n, self.header("birth_date"), "无身份证号时必须填写出生日期")
            if not v.get("gender"):
                add_error(plan, n, self.header("gender"), "无身份证号时必须填写性别")
        school = None
        if v.get("school_name"):
            school = self.schools.get(v["school_name"])
            if school is None:
                add_error(
                    plan, n, self.header("school_name"), f"本县没有名为“{v['school_name']}”的学校"
                )
        grade, class_name = None, v.get("class_name") or ""
        if v.get("grade_class"):
            parsed = parse_grade_class(v["grade_class"])
            if parsed is None:
                add_error(
                    plan,
                    n,
                    self.header("grade_class"),
                    "年级班级无法识别（示例：三年级2班、初一(1)班）",
                )
            else:
                grade, class_name = parsed[0], parsed[1] or class_name
        special = parse_special(v.get("special"))
        if isinstance(special, dict) and not self.may_see_juvenile:
            special.pop("is_juvenile_case")  # a tag this user neither sees nor sets
        if special == "unknown":
            add_error(
                plan,
                n,
                self.header("special"),
                "无法识别的特殊群体（可填：留守儿童、残疾、孤儿、事实无人抚养、困境儿童、随迁子女、服刑人员子女、返乡、否）",
            )
        poverty = parse_poverty(v.get("poverty"))
        if poverty == "unknown":
            add_error(plan, n, self.header("poverty"), "请填写：脱贫户、监测户或否")
        if len(plan.errors) > before or village is None:
            return

        household = self._household(row, village, poverty)
        existing = self.by_id.get(id_number) if id_number else None
        if existing is None and not id_number and household.pk:
            existing = self.no_id_children.get((household.pk, v["name"], v["birth_date"]))
        if existing is not None and id_number and id_number not in self.kept_ids:
            if self.final or id_number in self.visible_ids:
                add_error(plan, n, self.header("id_number"), self.refusal)
                return
            existing = None
        child = existing or Child(
            village=village, status=Status.ENROLLED if school else Status.NOT_ENROLLED
        )
        values = {
            "name": v["name"],
            "gender": v.get("gender"),
            "birth_date": v.get("birth_date"),
            "id_number": id_number,
            "school": school,
            "grade": grade,
            "class_name": class_name,
            "status": v.get("status"),
            "has_dropout_risk": v.get("risk"),
            "father_name": v.get("father_name"),
            "father_phone": v.get("father_phone"),
            "mother_name": v.get("mother_name"),
            "mother_phone": v.get("mother_phone"),
        }
        if existing is not None and existing.village_id != village.pk:
            values["village"] = village
        values.update(special or {})
        changed = []
        status_before = child.status
        copy_values(child, values, changed)
        if "status" in changed and {status_before, child.status} & CASE_STATUSES:
            # No 疑似辍学 / 辍学 without a case (cases/status/): not from a sheet.
            add_error(plan, n, self.header("status"), CASE_STATUS_REFUSAL)
            return
        if school is not None:
            child.school = school  # the same row: cached for clean(), no query
        if child.household_id != household.pk or child.household_id is None:
            child.household = household
            changed.append("household")
        if not child.is_disabled and (child.disability_category or child.disability_grade):
            child.disability_category, child.disability_grade = "", None
            changed += ["disability_category", "disability_grade"]
        try:
            child.clean_fields(exclude=["village", "household", "school", "id_number"])
            child.clean()
        except Exception as e:  # ValidationError: report each message on this row
            for name, messages in getattr(e, "message_dict", {"": [str(e)]}).items():
                name = SHEET_COLUMN_OF.get(name, name)
                column = self.header(name) if name in self.parsed.columns else self.header("name")
                for m in messages:
                    add_error(plan, n, column, m)
            return
        if existing is None:
            child.status_changed_at = timezone.now()
            plan.creates.append(child)
            plan.changes.append({"row": n, "action": "新增", "name": child.name, "fields": ""})
        elif changed:
            if "status" in changed:
                child.status_changed_at = timezone.now()
            plan.updates.append((child, changed))
            plan.changes.append(
                {
                    "row": n,
                    "action": "更新",
                    "name": child.name,
                    "fields": field_labels(Child, changed),
                }
            )
        else:
            plan.unchanged += 1

    def _village(self, row):
        name = row.values.get("village_name")
        if self.batch.village_id:
            if name and name != self.batch.village.name:
                add_error(
                    self.plan,
                    row.row,
                    self.header("village_name"),
                    f"本次导入的是{self.batch.village.name}的台账，此行为“{name}”",
                )
                return None
            return self.batch.village
        if not name:
            add_error(
                self.plan, row.row, self.header("village_name"), "请填写村名（或在导入时选择村）"
            )
            return None
        village = self.villages.get(name)
        if village is None:
            add_error(
                self.plan, row.row, self.header("village_name"), f"“{name}”不在您管辖的村（社区）中"
            )
        return village

    def _household(self, row, village, poverty):
        """The household of this row's 户主 in the village, new or existing."""
        v = row.values
        key = (village.pk, v["head_name"])
        candidates = self.households.get(key, [])
        if len(candidates) > 1 and v.get("address"):
            candidates = [h for h in candidates if h.address == v["address"]] or candidates
        household = candidates[0] if candidates else self.new_households.get(key)
        if household is None:
            household = Household(village=village, head_name=v["head_name"])
            self.new_households[key] = household
        changed = []
        group = None
        if v.get("group_name"):
            group = self.groups.get((village.pk, v["group_name"]))
            if group is None:
                group = self.groups[(village.pk, v["group_name"])] = VillageGroup(
                    village=village, name=v["group_name"]
                )
        values = {"phone": v.get("phone"), "address": v.get("address")}
        if poverty:
            values.update(is_tuopin=poverty[0], is_jiance=poverty[1])
        copy_values(household, values, changed)
        if group is not None and household.group != group:
            household.group = group
            changed.append("group")
        if household.pk and changed:
            self.plan.extra.setdefault("household_updates", {})[household.pk] = household
            fields = self.plan.extra.setdefault("household_fields", set())
            fields.update(changed)
        return household


def apply_roster(batch, plan, user):
    reason = f"导入批次#{batch.pk}"
    # New 村民小组 are unsaved (so unhashable) objects shared by their
    # households: keyed by identity, created in one statement.
    new_groups = {
        id(g): g for g in (h.group for h in _households_of(plan)) if g is not None and g.pk is None
    }
    VillageGroup.objects.bulk_create(new_groups.values())
    if any(g.pk is None for g in new_groups.values()):  # a backend that returns no ids
        raise RuntimeError("database did not return group ids")
    new_households = [h for h in _households_of(plan) if h.pk is None]
    for h in new_households:
        h.group_id = h.group.pk if h.group else None
    bulk_create_with_history(
        new_households, Household, default_user=user, default_change_reason=reason
    )
    if any(h.pk is None for h in new_households):  # a backend that returns no ids
        raise RuntimeError("database did not return household ids")
    updated_households = list(plan.extra.get("household_updates", {}).values())
    if updated_households:
        for h in updated_households:
            h.group_id = h.group.pk if h.group else None
        fields = sorted(plan.extra["household_fields"] | {"updated_at", "version"})
        next_versions(updated_households)
        bulk_update_with_history(
            updated_households, Household, fields, default_user=user, default_change_reason=reason
        )
    for child in plan.creates:
        child.household_id = child.household.pk
        child.name_pinyin, child.name_initials = pinyin_keys(child.name)
    bulk_create_with_history(plan.creates, Child, default_user=user, default_change_reason=reason)
    if plan.updates:
        fields = set()
        for child, changed in plan.updates:
            child.household_id = child.household.pk
            child.name_pinyin, child.name_initials = pinyin_keys(child.name)
            fields.update(changed)
        fields = {"household" if f == "household" else f for f in fields}
        fields |= {"updated_at", "name_pinyin", "name_initials", "status_changed_at", "version"}
        next_versions([c for c, _ in plan.updates])
        bulk_update_with_history(
            [c for c, _ in plan.updates],
            Child,
            sorted(fields),
            default_user=user,
            default_change_reason=reason,
        )


def _households_of(plan):
    seen = {}
    for child in plan.creates + [c for c, _ in plan.updates]:
        seen[id(child.household)] = child.household
    for h in plan.extra.get("household_updates", {}).values():
        seen[id(h)] = h
    return list(seen.values())


def plan_roster(batch, parsed, user, progress, *, final):
    return RosterPlanner(batch, parsed, user, final=final).run(progress)
