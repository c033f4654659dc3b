"""Attendance pages: a class's daily roll call, one child's absences, the
Excel import. Only class teachers (their class) and school administrators
(their school) record attendance; anyone else gets a 404."""

import datetime
import uuid
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from openpyxl import Workbook

from common.web import workbook_response
from students.models import Child, School

from ..models import Absence
from . import importing, selectors, services
from .forms import ChildAbsenceForm, UploadForm

PENDING = "attendance_import"  # the session key of an uploaded, checked sheet
UPLOADS = "attendance-imports"


def _require_attendance(user):
    if not selectors.may_take_attendance(user):
        raise Http404("只有班主任和学校管理员可以登记考勤。")


def parse_day(value, *, default):
    """A date from a query string ("2026-09-21"), or `default`."""
    try:
        return datetime.date.fromisoformat(value) if value else default
    except ValueError:
        return default


def _saved_message(result):
    parts = [f"新增缺勤 {result.created} 人", f"修改 {result.updated} 人"]
    if result.deleted:
        parts.append(f"改为到校 {result.deleted} 人")
    text = "已保存：" + "，".join(parts) + "。"
    if result.cancelled:
        names = "、".join(c.child.name for c in result.cancelled)
        text += f"缺勤更正为请假，已撤销{names}的个案。"
    if result.corrected:
        names = "、".join(c.child.name for c in result.corrected)
        text += f"已更正{names}个案的连续缺课天数。"
    return text


# ------------------------------------------------------------ class roll call


@login_required
def attendance_class(request):
    _require_attendance(request.user)
    data = request.POST if request.method == "POST" else request.GET
    classes = selectors.classes_for_user(request.user)
    if not classes:
        return render(request, "cases/attendance/class.html", {"classes": []})
    by_key = {c.key: c for c in classes}
    school_class = by_key.get(data.get("class")) if data.get("class") else classes[0]
    if school_class is None:
        raise Http404("没有找到该班级，或不在您的管辖范围内。")
    today = timezone.localdate()
    day = parse_day(data.get("date"), default=today)
    problem = selectors.day_problem(school_class.school, day, today=today)
    context = {
        "classes": classes,
        "school_class": school_class,
        "day": day,
        "today": today,
        "problem": problem,
    }
    if problem:
        if day <= today:
            context["last_school_day"] = selectors.last_school_day(school_class.school, on=day)
        else:
            context["last_school_day"] = selectors.last_school_day(school_class.school, on=today)
        return render(request, "cases/attendance/class.html", context)

    children = list(selectors.class_children(request.user, school_class))
    existing = selectors.absences_on(children, day)
    submitted, errors = {}, {}
    if request.method == "POST":
        entries = [
            (c, data.get(f"k{c.pk}", selectors.PRESENT), data.get(f"r{c.pk}", "")) for c in children
        ]
        try:
            result = services.record_class_attendance(
                school_class=school_class, day=day, entries=entries, by=request.user, today=today
            )
        except ValidationError as e:
            if hasattr(e, "error_dict"):
                errors = {int(pk): msgs[0].messages[0] for pk, msgs in e.error_dict.items()}
            else:
                messages.error(request, "；".join(e.messages))
            submitted = {c.pk: (mark, reason) for c, mark, reason in entries}
            if errors:
                messages.error(request, f"有 {len(errors)} 名学生的考勤需要补充，未保存。")
        else:
            messages.success(request, _saved_message(result))
            url = reverse("cases:attendance")
            return redirect(f"{url}?class={school_class.key}&date={day:%Y-%m-%d}")

    rows = []
    for c in children:
        old = existing.get(c.pk)
        mark, reason = submitted.get(
            c.pk, (old.kind, old.reason) if old else (selectors.PRESENT, "")
        )
        rows.append(
            {"child": c, "mark": mark, "reason": reason, "old": old, "error": errors.get(c.pk)}
        )
    context.update(
        rows=rows,
        marks=[(str(value), label) for value, label in selectors.MARKS.items()],
        roll_call=selectors.roll_call(school_class, day),
        counts={
            "total": len(children),
            "leave": sum(1 for a in existing.values() if a.kind == Absence.Kind.LEAVE),
            "unexcused": sum(1 for a in existing.values() if a.kind == Absence.Kind.UNEXCUSED),
        },
    )
    return render(request, "cases/attendance/class.html", context)


# ------------------------------------------------------------------ one child


@login_required
def attendance_child(request, child_pk):
    _require_attendance(request.user)
    try:
        child = selectors.attendance_child_for_user(request.user, child_pk)
    except Child.DoesNotExist:
        raise Http404("没有找到该学生，或您不负责该生考勤。") from None
    today = timezone.localdate()
    form = ChildAbsenceForm(
        request.POST or None,
        initial={"date": parse_day(request.GET.get("date"), default=today)},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            result = services.record_child_absence(
                child=child,
                day=d["date"],
                mark=d["mark"],
                reason=d["reason"],
                by=request.user,
                today=today,
            )
        except ValidationError as e:
            form.add_error(None, e)
        else:
            if result.unchanged:
                messages.info(request, "与已登记的考勤相同，未作修改。")
            else:
                messages.success(request, _saved_message(result))
            return redirect("cases:attendance_child", child_pk=child.pk)
    return render(
        request,
        "cases/attendance/child.html",
        {"child": child, "form": form, "absences": selectors.recent_absences(child)},
    )


# ---------------------------------------------------------------------- import


def _pending(request):
    pending = request.session.get(PENDING)
    if not pending or not default_storage.exists(pending["path"]):
        return None
    return pending


def _discard(request):
    pending = request.session.pop(PENDING, None)
    if pending and default_storage.exists(pending["path"]):
        default_storage.delete(pending["path"])


def _run(request, pending, *, dry_run):
    school = None
    if pending.get("school"):
        school = School.objects.select_related("township").filter(pk=pending["school"]).first()
    with default_storage.open(pending["path"], "rb") as f:
        return importing.import_file(
            f, filename=pending["filename"], user=request.user, school=school, dry_run=dry_run
        )


@login_required
def attendance_import_upload(request):
    _require_attendance(request.user)
    form = UploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        _discard(request)
        upload = form.cleaned_data["file"]
        suffix = Path(upload.name).suffix.lower()[:5]
        path = default_storage.save(f"{UPLOADS}/{uuid.uuid4().hex}{suffix}", upload)
        school = form.cleaned_data["school"]
        pending = {
            "path": path,
            "filename": upload.name[:200],
            "school": school.pk if school else None,
        }
        plan = _run(request, pending, dry_run=True)
        if plan.errors or not plan.has_changes:
            default_storage.delete(path)
        else:
            request.session[PENDING] = pending
        return render(
            request,
            "cases/attendance/import.html",
            {"plan": plan, "filename": pending["filename"], "committed": False},
        )
    return render(request, "cases/attendance/import.html", {"form": form})


@login_required
@require_POST
def attendance_import_commit(request):
    _require_attendance(request.user)
    pending = _pending(request)
    if pending is None:
        messages.error(request, "没有待导入的表格（可能已导入），请重新上传。")
        return redirect("cases:attendance_import")
    plan = _run(request, pending, dry_run=False)
    _discard(request)
    return render(
        request,
        "cases/attendance/import.html",
        {"plan": plan, "filename": pending["filename"], "committed": not plan.errors},
    )


@login_required
@require_POST
def attendance_zero_report(request):
    """零报告: nobody absent at the school on the day (the roll call of every
    class of it the user records; absences recorded that day removed)."""
    _require_attendance(request.user)
    schools = {c.school.pk: c.school for c in selectors.classes_for_user(request.user)}
    try:
        school = schools[int(request.POST.get("school", ""))]
    except (KeyError, ValueError):
        raise Http404("没有找到该学校，或您不负责该校考勤。") from None
    day = parse_day(request.POST.get("date"), default=None)
    url = reverse("cases:attendance")
    back = f"{url}?class={request.POST.get('class', '')}&date={day:%Y-%m-%d}" if day else url
    if day is None:
        messages.error(request, "请选择日期。")
        return redirect(back)
    plan = importing.zero_report(school=school, day=day, user=request.user)
    if plan.errors:
        messages.error(request, "；".join(e.message for e in plan.errors))
    else:
        text = f"已报零报告：{school.name} {day:%Y-%m-%d}，{len(plan.roll_calls)} 个班已点名，无人缺勤。"
        if plan.present:
            names = "、".join(a.child.name for a in plan.deletes)
            text += f"原登记的{plan.present}条缺勤（{names}）已改为到校。"
        messages.success(request, text)
    return redirect(back)


@login_required
def attendance_import_template(request):
    _require_attendance(request.user)
    wb = Workbook()
    ws = wb.active
    ws.title = "缺勤登记"
    for row in importing.template_rows():
        ws.append(row)
    for column, width in zip("ABCDEFGH", (12, 18, 8, 8, 10, 22, 12, 24), strict=True):
        ws.column_dimensions[column].width = width
    for cell in ws["F"]:
        cell.number_format = "@"  # ID numbers as text: Excel keeps only 15 digits of a number
    return workbook_response(wb, "缺勤登记表.xlsx")
