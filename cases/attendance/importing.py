"""The attendance sheet (缺勤登记表): absences by day, imported all or nothing.

Columns: 日期, 学校, 年级, 班级, 姓名, 身份证号, 状态 (请假 / 无故未到校), 原因.
A row is matched to a child by 身份证号, else by school + grade + class +
name (an error when none or several match), only among the children whose
attendance the importer records (cases.attendance.selectors.attendance_scope). Every
row is checked (a school day, not in the future, no duplicate) before
anything is written; one error anywhere and nothing is saved. Re-importing
the same sheet finds every row unchanged; a blank 原因 keeps the reason
already recorded.

A school's daily sheet is its roll call: for each date in it, every school
that appears in it took attendance of every class whose children the
importer records (the same ClassRollCall rows as the class screen), and a
child of that school not on the sheet was at school (an absence recorded
for that day is removed). The daily scan then sees returns from sheets as
from the class screen. The later entry wins; the absences' history keeps
who, when and which sheet. A school with no absence sends a 零报告
(zero_report(): the roll call with nobody absent). Used by the upload page
and `manage.py import_attendance` alike.
"""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from students.audit.services import Action, record_access
from students.jurisdiction import access
from students.models import Child, School
from students.sheets import CellError, Column, SheetError, read_sheet

from ..calendar import SchoolCalendar
from ..models import Absence, ClassRollCall
from . import selectors, services

Kind = Absence.Kind

# What people write in the 状态 column; 病假/事假 also give the reason.
STATUS_CHOICES = {
    "请假": Kind.LEAVE,
    "无故未到校": Kind.UNEXCUSED,
    "病假": Kind.LEAVE,
    "事假": Kind.LEAVE,
    "无故缺课": Kind.UNEXCUSED,
    "旷课": Kind.UNEXCUSED,
    "未请假": Kind.UNEXCUSED,
}
LEAVE_REASONS = {"病假", "事假"}
GRADE_LABELS = dict(Child._meta.get_field("grade").choices)

COLUMNS = [
    Column("date", "日期", ("缺勤日期", "缺课日期"), kind="date", required=True),
    Column("school_name", "学校", ("学校名称", "就读学校")),
    Column("grade", "年级", ("就读年级",), kind="grade"),
    Column("class_name", "班级", ("就读班级", "班级名称")),
    Column("name", "姓名", ("学生姓名",), required=True),
    Column(
        "id_number",
        "身份证号",
        ("身份证号码", "公民身份号码", "身份证件号"),
        kind="id_number",
    ),
    Column("status", "状态", ("缺勤类型", "类型", "考勤"), required=True, kind="text"),
    Column("reason", "原因", ("缺勤原因", "请假原因", "备注")),
]
TEMPLATE_HEADER = [c.label for c in COLUMNS]


@dataclass
class Plan:
    rows: list = field(default_factory=list)  # unsaved Absence to create or update
    before: list = field(default_factory=list)  # the saved Absence those rows replace
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list = field(default_factory=list)  # CellError
    changes: list = field(default_factory=list)  # [{"row", "action", "name", "date", "kind"}]
    result: object = None  # services.SaveResult, once committed
    deletes: list = field(default_factory=list)  # saved Absence of children at school
    roll_calls: list = field(default_factory=list)  # [(school_id, grade, class_name, date)]
    new_roll_calls: int = 0

    @property
    def present(self):
        """Absences removed: the child was not on the school's sheet, so at school."""
        return len(self.deletes)

    @property
    def has_changes(self):
        return bool(self.created or self.updated or self.present or self.new_roll_calls)

    def summary(self):
        failed = bool(self.errors)
        return {
            "created": 0 if failed else self.created,
            "updated": 0 if failed else self.updated,
            "unchanged": self.unchanged,
            "present": 0 if failed else self.present,
            "roll_calls": 0 if failed else len(self.roll_calls),
            "errors": [
                {"row": e.row, "column": e.column, "message": e.message} for e in self.errors
            ],
        }


def read(source, *, filename):
    """The parsed sheet; SheetError for a file that cannot be used."""
    return read_sheet(source, columns=COLUMNS, filename=filename)


class _Planner:
    def __init__(self, parsed, *, user, school=None, today=None):
        self.parsed, self.user, self.school = parsed, user, school
        self.today = today or timezone.localdate()
        self.plan = Plan(errors=list(parsed.errors))
        values = [r.values for r in parsed.rows]
        # Only the children whose attendance the user records (all of them for
        # the system's command): anyone else reads like an unknown number.
        reach = Child.objects.filter(selectors.attendance_scope(user), school__isnull=False)
        if school is not None:
            reach = reach.filter(school=school)
        ids = {v["id_number"] for v in values if v.get("id_number")}
        names = {v["name"] for v in values if v.get("name") and not v.get("id_number")}
        self.by_id = {
            c.id_number: c
            for c in reach.filter(id_number__in=ids).select_related("school__township")
        }
        self.by_class = {}
        for c in reach.filter(name__in=names).select_related("school__township"):
            self.by_class.setdefault((c.school_id, c.grade, c.class_name, c.name), []).append(c)
        school_names = {v["school_name"] for v in values if v.get("school_name")}
        self.schools = {
            s.name: s
            for s in School.objects.filter(name__in=school_names).select_related("township")
        }
        self.calendars = {}
        self.seen = {}
        # The same words whether the number is registered elsewhere or nowhere.
        office = access(user).office_to_ask(school.township.county if school else None)
        self.refusal = f"该身份证号不在您的管辖范围内，请联系{office}核实"

    def header(self, key):
        return self.parsed.columns.get(key) or next(c.label for c in COLUMNS if c.key == key)

    def error(self, row, key, message):
        self.plan.errors.append(CellError(row, self.header(key), message))

    def run(self):
        bad_rows = {e.row for e in self.plan.errors}
        matched = []
        for row in self.parsed.rows:
            if row.row in bad_rows:
                continue
            found = self.match(row)
            if found is not None:
                matched.append(found)
        self.load_calendars(matched)
        existing = self.existing(matched)
        for row, child, day, kind, reason in matched:
            self.plan_row(row, child, day, kind, reason, existing)
        if not self.plan.errors:
            self.plan_roll_calls(matched)
        self.plan.errors.sort(key=lambda e: e.row)
        return self.plan

    def plan_roll_calls(self, matched):
        """The sheet is the roll call of each school in it, for each of its dates."""
        listed = {(child.pk, day) for _row, child, day, _kind, _reason in matched}
        pairs = {(child.school_id, day) for _row, child, day, _kind, _reason in matched}
        coverage = selectors.roll_call_coverage(self.user, pairs)
        _cover(self.plan, coverage, skip=listed)

    def match(self, row):
        v, n = row.values, row.row
        before = len(self.plan.errors)
        day = v["date"]
        if day > self.today:
            self.error(n, "date", "日期晚于今天，不能登记将来的考勤")
        kind = STATUS_CHOICES.get("".join((v.get("status") or "").split()))
        if kind is None:
            self.error(n, "status", f"“{v.get('status')}”不是可选值（可填：请假、无故未到校）")
        reason = v.get("reason") or ""
        if not reason and v.get("status") in LEAVE_REASONS:
            reason = v["status"]
        known = len(self.plan.errors)
        school = self.row_school(row)
        child = self.row_child(row, school) if len(self.plan.errors) == known else None
        if child is None or len(self.plan.errors) > before:
            return None
        key = (child.pk, day)
        if key in self.seen:
            self.error(n, "name", f"与第{self.seen[key]}行是同一学生同一天，重复")
            return None
        self.seen[key] = n
        return row, child, day, kind, reason

    def row_school(self, row):
        name = row.values.get("school_name")
        if not name:
            return self.school
        school = self.schools.get(name)
        if school is None:
            self.error(row.row, "school_name", f"没有名为“{name}”的学校")
        elif self.school is not None and school != self.school:
            self.error(row.row, "school_name", f"本次导入的是{self.school}的考勤，此行为“{name}”")
        return school

    def row_child(self, row, school):
        v, n = row.values, row.row
        if v.get("id_number"):
            child = self.by_id.get(v["id_number"])
            if child is None:
                self.error(n, "id_number", self.refusal)
            elif child.name != v["name"]:
                self.error(n, "name", f"姓名与身份证号不符（系统中为{child.name}）")
            elif school is not None and child.school_id != school.pk:
                self.error(n, "school_name", f"该生在系统中就读于{child.school}")
            else:
                return child
            return None
        missing = [k for k in ("school_name", "grade", "class_name") if not v.get(k)]
        if school is not None and "school_name" in missing:
            missing.remove("school_name")
        if missing:
            labels = "、".join(self.header(k) for k in missing)
            self.error(n, "id_number", f"未填身份证号时须填写{labels}，以便找到该学生")
            return None
        class_name = v["class_name"] + ("班" if v["class_name"].isdigit() else "")
        found = self.by_class.get((school.pk, v["grade"], class_name, v["name"]), [])
        if not found:
            grade = GRADE_LABELS.get(v["grade"], v["grade"])
            self.error(n, "name", f"{school}{grade}{class_name}中没有您管辖的“{v['name']}”")
        elif len(found) > 1:
            self.error(n, "name", f"该班有{len(found)}名“{v['name']}”，请填写身份证号以区分")
        else:
            return found[0]
        return None

    def load_calendars(self, matched):
        """One calendar per school, over the sheet's dates (two queries each)."""
        spans = {}
        for _row, child, day, _kind, _reason in matched:
            first, last, _school = spans.get(child.school_id, (day, day, None))
            spans[child.school_id] = (min(first, day), max(last, day), child.school)
        for first, last, school in spans.values():
            self.calendars[school.pk] = SchoolCalendar(
                county=school.township.county_id, school=school, start=first, end=last
            )

    def existing(self, matched):
        if not matched:
            return {}
        dates = {day for _row, _child, day, _kind, _reason in matched}
        child_ids = {child.pk for _row, child, _day, _kind, _reason in matched}
        return {
            (a.child_id, a.date): a
            for a in Absence.objects.filter(child_id__in=child_ids, date__in=dates)
        }

    def plan_row(self, row, child, day, kind, reason, existing):
        n, plan = row.row, self.plan
        if not self.calendars[child.school_id].is_school_day(day):
            self.error(n, "date", f"{day:%Y-%m-%d} 不是{child.school}的上学日")
            return
        old = existing.get((child.pk, day))
        reason = reason or (old.reason if old is not None and old.kind == kind else "")
        if kind == Kind.LEAVE and not reason:
            self.error(n, "reason", services.REASON_REQUIRED)
            return
        if old is not None and (old.kind, old.reason) == (kind, reason):
            plan.unchanged += 1
            return
        try:
            absence = services.new_absence(
                child, day, kind, reason, source=Absence.Source.IMPORT, by=self.user
            )
        except ValidationError as e:
            for message in e.messages:
                self.error(n, "reason", message)
            return
        plan.rows.append(absence)
        if old is None:
            plan.created += 1
        else:
            plan.before.append(old)
            plan.updated += 1
        plan.changes.append(
            {
                "row": n,
                "action": "新增" if old is None else "更新",
                "name": child.name,
                "date": day,
                "kind": Kind(kind).label,
            }
        )


def check(parsed, *, user, school=None, today=None):
    """Plan every row (the preview): changes nothing."""
    return _Planner(parsed, user=user, school=school, today=today).run()


def _cover(plan, coverage, *, skip=()):
    """Put a Coverage into the plan: its roll calls, and the absences of the
    children not in `skip` ((child_pk, date) on the sheet) to remove."""
    plan.roll_calls, plan.new_roll_calls = coverage.roll_calls, coverage.new_roll_calls
    for a in coverage.absences:
        if (a.child_id, a.date) in skip:
            continue
        plan.deletes.append(a)
        plan.changes.append(
            {"row": None, "action": "改为到校", "name": a.child.name, "date": a.date, "kind": "到"}
        )


def _save(plan, *, user, note, source):
    plan.result = services.save_absences(
        rows=plan.rows,
        deletes=plan.deletes,
        before=[*plan.before, *plan.deletes],
        by=user,
        note=note,
    )
    if plan.roll_calls:
        services.write_roll_calls(plan.roll_calls, by=user, source=source)


def batch_note(filename):
    """Where a change came from, in the absences' history: which sheet, when."""
    return f"缺勤表导入（{filename}，{timezone.localtime():%Y-%m-%d %H:%M:%S}）"


def commit(parsed, *, user, school=None, today=None, filename=""):
    """Plan again and save everything, or nothing when any row has an error.
    Returns the Plan (with the late corrections in plan.result)."""
    try:
        with transaction.atomic():
            plan = check(parsed, user=user, school=school, today=today)
            if plan.errors:
                transaction.set_rollback(True)
                return plan
            _save(plan, user=user, note=batch_note(filename), source=ClassRollCall.Source.SHEET)
    except IntegrityError:
        return Plan(
            errors=[CellError(None, "", "导入期间考勤被他人修改，本次未导入任何数据，请重新导入。")]
        )
    record_access(
        user=user,
        action=Action.IMPORT,
        county=school.township.county_id if school is not None else None,
        detail=f"考勤导入{('（' + school.name + '）') if school is not None else ''}："
        f"{len(plan.rows)} 行，改为到校 {plan.present} 人",
    )
    return plan


def zero_report(*, school, day, user, dry_run=False, today=None):
    """A school's 零报告 for `day`: nobody absent. The roll call of every class
    of the school whose attendance `user` records; an absence recorded for
    that day is removed (the later entry wins, kept in history). Returns a Plan."""
    plan = Plan()
    problem = selectors.day_problem(school, day, today=today)
    if problem:
        plan.errors.append(CellError(None, "日期", problem))
        return plan
    with transaction.atomic():
        _cover(plan, selectors.roll_call_coverage(user, {(school.pk, day)}))
        if not plan.roll_calls:
            plan.errors.append(CellError(None, "学校", f"{school}没有您负责考勤的在读学生"))
            return plan
        if dry_run:
            return plan
        note = f"零报告（{school.name} {day:%Y-%m-%d}）"
        _save(plan, user=user, note=note, source=ClassRollCall.Source.ZERO)
    record_access(
        user=user,
        action=Action.IMPORT,
        county=school.township.county_id,
        detail=f"零报告（{school.name} {day:%Y-%m-%d}）：改为到校 {plan.present} 人",
    )
    return plan


def import_file(source, *, filename, user, school=None, dry_run=False, today=None):
    """Read and check (dry_run) or commit a sheet; a file that cannot be read
    is one error without a row. Returns the Plan."""
    try:
        parsed = read(source, filename=filename)
    except SheetError as e:
        return Plan(errors=[CellError(None, "", str(e))])
    if dry_run:
        return check(parsed, user=user, school=school, today=today)
    return commit(parsed, user=user, school=school, today=today, filename=filename)


def template_rows(*, today=None):
    """The header and one example row of the import template."""
    today = today or timezone.localdate()
    example = today - datetime.timedelta(days=1)
    return [
        TEMPLATE_HEADER,
        [
            f"{example:%Y-%m-%d}",
            "某某中心学校",
            "五年级",
            "1班",
            "张三",
            "",
            "请假",
            "发烧，家长来电请假",
        ],
    ]
