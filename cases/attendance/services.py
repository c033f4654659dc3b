"""Attendance writes: a class's roll call, one child's absence, and the late
correction of a case.

Only a class teacher (their class) and a school administrator (their school)
record attendance. Absences are kept only for children not at school
(Absence); a class's roll call (ClassRollCall) says the class was checked, so
that no absence then means the child was there. The Excel import is in
cases/attendance/importing.py and writes through `save_absences()` below.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from students.models import Child

from .. import services as case_services
from .. import states
from ..models import Absence, Case, CaseEvent, ClassRollCall, Todo
from .selectors import MARKS, PRESENT, absences_on, current_streak, day_problem

Kind = Absence.Kind
REASON_REQUIRED = "请假须填写原因"
CANCEL_NOTE = "缺勤更正为请假"
BATCH_SIZE = 1000


# ------------------------------------------------------------------ writes


@dataclass
class SaveResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    cancelled: list = field(default_factory=list)  # cases cancelled by a correction
    corrected: list = field(default_factory=list)  # cases whose streak was corrected


def new_absence(child, day, kind, reason, *, source, by):
    """An unsaved, validated Absence (saved by save_absences())."""
    row = Absence(
        child=child,
        date=day,
        kind=kind,
        reason=(reason or "").strip(),
        source=source,
        recorded_by=by if getattr(by, "pk", None) else None,
    )
    # The children come from a scoped query: skip the per-row lookups; the
    # database's constraints guard uniqueness.
    row.full_clean(
        exclude=["child", "recorded_by"], validate_unique=False, validate_constraints=False
    )
    return row


def save_absences(*, rows, deletes=(), before=(), by, note=""):
    """Write absences in bulk, then correct the cases they affect.

    `rows` are unsaved Absence, created or updated on (child, date); `deletes`
    are saved Absence to remove; `before` are the saved Absence these rows
    and deletes replace. Every change is kept in the absences' history with
    `by` and `note` (where it came from: the class screen, which sheet, a
    零报告): the later entry wins, the earlier stays in history. The open
    case of every child whose unexcused absence became leave or was removed
    is reconsidered (the late correction). Call inside a transaction.
    Returns a SaveResult (deleted, cancelled, corrected).
    """
    result = SaveResult()
    by_user = by if getattr(by, "pk", None) else None
    if rows:
        Absence.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["child", "date"],
            update_fields=["kind", "reason", "source", "recorded_by", "recorded_at"],
            batch_size=BATCH_SIZE,
        )
        _record_history(rows, before, by=by_user, note=note)
    if deletes:
        _record_history_of_deletes(deletes, by=by_user, note=note)
        # One DELETE (nothing refers to an absence): the history rows are
        # written above in bulk, not one per row by simple_history's signal.
        doomed = Absence.objects.filter(pk__in=[a.pk for a in deletes])
        result.deleted = doomed._raw_delete(doomed.db)
    was_unexcused = {(a.child_id, a.date) for a in before if a.kind == Kind.UNEXCUSED}
    corrected = {a.child_id for a in deletes if (a.child_id, a.date) in was_unexcused}
    corrected |= {
        r.child_id for r in rows if r.kind == Kind.LEAVE and (r.child_id, r.date) in was_unexcused
    }
    if corrected:
        with_open_case = Child.objects.filter(
            pk__in=corrected, cases__in=Case.objects.exclude(state=Case.State.CLOSED)
        ).select_related("village__township__county", "school__township__county")
        for child in with_open_case:  # only children with an open case: a few
            case, cancelled = reconsider_case(child=child, by=by)
            if case is not None:
                (result.cancelled if cancelled else result.corrected).append(case)
    return result


def _record_history(rows, before, *, by, note):
    """History rows for absences just created or updated (one read, two writes)."""
    keys = {(r.child_id, r.date) for r in rows}
    had = {(a.child_id, a.date) for a in before}
    saved = [
        a
        for a in Absence.objects.filter(
            child_id__in={k[0] for k in keys}, date__in={k[1] for k in keys}
        )
        if (a.child_id, a.date) in keys
    ]
    now = timezone.now()
    for update in (False, True):
        objs = [a for a in saved if ((a.child_id, a.date) in had) == update]
        if objs:
            Absence.history.bulk_history_create(
                objs,
                batch_size=BATCH_SIZE,
                update=update,
                default_user=by,
                default_change_reason=note,
                default_date=now,
            )


def _record_history_of_deletes(deletes, *, by, note):
    """History rows for absences about to be removed (the child was at school)."""
    model = Absence.history.model
    now = timezone.now()
    model.objects.bulk_create(
        [
            model(
                history_date=now,
                history_user=by,
                history_change_reason=note,
                history_type="-",
                **{f.attname: getattr(a, f.attname) for f in model.tracked_fields},
            )
            for a in deletes
        ],
        batch_size=BATCH_SIZE,
    )


def write_roll_calls(keys, *, by, source):
    """Record the roll calls (school_id, grade, class_name, date) in one upsert:
    the later taker wins."""
    by = by if getattr(by, "pk", None) else None
    ClassRollCall.objects.bulk_create(
        [
            ClassRollCall(
                school_id=school_id,
                grade=grade,
                class_name=class_name,
                date=day,
                taken_by=by,
                source=source,
            )
            for school_id, grade, class_name, day in sorted(set(keys))
        ],
        update_conflicts=True,
        unique_fields=["school", "grade", "class_name", "date"],
        update_fields=["taken_by", "taken_at", "source"],
        batch_size=BATCH_SIZE,
    )


def _check_marks(entries):
    """{child_pk: (field, message)} for entries that cannot be saved."""
    errors = {}
    for child, mark, reason in entries:
        reason = (reason or "").strip()
        if mark not in MARKS:
            errors[child.pk] = ("mark", "请选择到、请假或无故未到校")
        elif mark == Kind.LEAVE and not reason:
            errors[child.pk] = ("reason", REASON_REQUIRED)
        elif len(reason) > Absence._meta.get_field("reason").max_length:
            errors[child.pk] = ("reason", "原因不超过200字")
    return errors


@transaction.atomic
def record_class_attendance(*, school_class, day, entries, by, today=None):
    """Save one class's attendance for a school day: the roll call, and for
    each child (`entries`: [(child, mark, reason)], children already scoped
    to `by`) an absence created, updated or removed ("present"). All or
    nothing: any bad entry raises ValidationError({child_pk: message}).
    Returns a SaveResult."""
    problem = day_problem(school_class.school, day, today=today)
    if problem:
        raise ValidationError(problem)
    errors = _check_marks(entries)
    if errors:
        raise ValidationError({str(pk): msg for pk, (_field, msg) in errors.items()})
    existing = absences_on([child for child, _m, _r in entries], day)
    rows, deletes, result = [], [], SaveResult()
    for child, mark, reason in entries:
        old = existing.get(child.pk)
        if mark == PRESENT:
            if old is not None:
                deletes.append(old)
            else:
                result.unchanged += 1
            continue
        reason = (reason or "").strip()
        if old is not None and old.kind == mark and old.reason == reason:
            result.unchanged += 1
            continue
        rows.append(new_absence(child, day, mark, reason, source=Absence.Source.CLASS, by=by))
        if old is None:
            result.created += 1
        else:
            result.updated += 1
    saved = save_absences(
        rows=rows,
        deletes=deletes,
        before=existing.values(),
        by=by,
        note=f"{ClassRollCall.Source.CLASS.label}（{school_class.label}）",
    )
    result.deleted, result.cancelled, result.corrected = (
        saved.deleted,
        saved.cancelled,
        saved.corrected,
    )
    write_roll_calls(
        [(school_class.school.pk, school_class.grade, school_class.class_name, day)],
        by=by,
        source=ClassRollCall.Source.CLASS,
    )
    return result


@transaction.atomic
def record_child_absence(*, child, day, mark, reason="", by, today=None):
    """One child's attendance on one school day: an absence (leave or
    unexcused) created or updated, or removed ("present"). Returns a SaveResult."""
    problem = day_problem(child.school, day, today=today)
    if problem:
        raise ValidationError({"date": problem})
    errors = _check_marks([(child, mark, reason)])
    if errors:
        field_name, message = errors[child.pk]
        raise ValidationError({field_name: message})
    old = Absence.objects.filter(child=child, date=day).first()
    result = SaveResult()
    rows, deletes = [], []
    reason = (reason or "").strip()
    if mark == PRESENT:
        if old is not None:
            deletes.append(old)
        else:
            result.unchanged = 1
    elif old is not None and old.kind == mark and old.reason == reason:
        result.unchanged = 1
    else:
        rows.append(new_absence(child, day, mark, reason, source=Absence.Source.CHILD, by=by))
        result.created, result.updated = (0, 1) if old is not None else (1, 0)
    saved = save_absences(
        rows=rows,
        deletes=deletes,
        before=[old] if old else [],
        by=by,
        note=Absence.Source.CHILD.label,
    )
    result.deleted, result.cancelled, result.corrected = (
        saved.deleted,
        saved.cancelled,
        saved.corrected,
    )
    return result


# ------------------------------------------------------- the late correction


@transaction.atomic
def reconsider_case(*, child, by=None):
    """After an unexcused absence became leave or was removed: cancel the
    child's open case when no unexcused absence is left since it began and it
    is still 劝返中 at the first step at most; otherwise correct its streak
    (and its first absence day). Returns (case or None, cancelled)."""
    case = (
        Case.objects.select_for_update()
        .filter(child=child)
        .exclude(state=Case.State.CLOSED)
        .first()
    )
    if case is None or case.first_absent_on is None:
        return None, False
    case.child = child
    by = by if getattr(by, "pk", None) else None
    remaining = Absence.objects.filter(
        child=child, kind=Kind.UNEXCUSED, date__gte=case.first_absent_on
    ).order_by("date")
    first = remaining.values_list("date", flat=True).first()
    if first is None and case.state == Case.State.OPEN and case.stage <= 1:
        case = states.transition(
            case, "cancel", ending=Case.Ending.CANCELLED, by=by, note=CANCEL_NOTE
        )
        case_services.complete_todos(
            case=case, kinds=Todo.Kind.values, by=by, note="缺勤已更正为请假，个案撤销，无需办理"
        )
        return case, True
    as_of = case.last_scan_on or timezone.localdate()
    streak = current_streak(child, as_of=as_of)
    first = first or case.first_absent_on
    if (streak, first) == (case.streak, case.first_absent_on):
        return case, False
    note = (
        f"缺勤更正：截至{as_of:%Y-%m-%d}连续无故缺课由{case.streak}个上学日更正为{streak}个上学日"
    )
    if first != case.first_absent_on:
        note += f"，首次无故缺课日期更正为{first:%Y-%m-%d}"
    case.streak, case.first_absent_on = streak, first
    case._history_user = by
    case._change_reason = note
    case.save(update_fields=["streak", "first_absent_on", "updated_at"])
    CaseEvent.objects.create(
        case=case,
        action="correct_absence",
        from_state=case.state,
        to_state=case.state,
        note=note,
        by=by,
    )
    return case, False
