"""Writes: every change to a child or household goes through here.

Views, imports, commands and tasks call these keyword-only functions so
that validation (`full_clean()`) and history (who, when, why) are the same
whoever makes the change.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from . import idcard
from .audit.services import Action, record_access
from .models import Child, JurisdictionSettings

# Statuses only a case may carry (cases/states.py keeps them in step).
CASE_STATUSES = frozenset({Child.Status.SUSPECTED_DROPOUT, Child.Status.DROPOUT})
STALE_CHILD = "该学生信息已被他人修改，请刷新后再保存。"
STALE_HOUSEHOLD = "该家庭户信息已被他人修改，请刷新后再保存。"


def _save_with_history(obj, *, by, reason):
    obj.full_clean()
    obj._history_user = by
    obj._change_reason = reason or None
    obj.save()
    return obj


def _stored(obj, version, stale):
    """The stored row, locked; refused when it is no longer the `version` the
    editor started from (someone saved in between). The save makes it +1."""
    stored = type(obj).objects.select_for_update().get(pk=obj.pk)
    if version is not None and version != stored.version:
        raise ValidationError(stale)
    obj.version = stored.version
    return stored


@transaction.atomic
def save_household(*, household, by, reason="", version=None):
    """Create or update a household; `version`: the one the editor saw."""
    if household.pk:
        _stored(household, version, STALE_HOUSEHOLD)
    return _save_with_history(household, by=by, reason=reason)


@transaction.atomic
def save_child(*, child, by, reason="", version=None):
    """Create or update a child's record (not its status: see change_child_status).
    A change of a registered child needs a reason (变更原因), kept in history;
    `version`: the one the editor saw (ChildForm's hidden field)."""
    reason = (reason or "").strip()
    if child.pk:
        if not reason:
            raise ValidationError({"change_reason": "请填写变更原因。"})
        stored = _stored(child, version, STALE_CHILD)
        if stored.status != child.status:
            raise ValidationError({"status": "入学状态须通过“变更状态”填写原因后修改。"})
    else:
        if child.status in CASE_STATUSES:
            # No 疑似辍学 / 辍学 without a case: set it with 变更状态 (it opens one).
            raise ValidationError(
                {
                    "status": "新增学生不能直接登记为疑似辍学或辍学：请先保存，再在“变更状态”中登记（同时建立个案）。"
                }
            )
        child.status_changed_at = timezone.now()
    return _save_with_history(child, by=by, reason=reason)


@transaction.atomic
def change_child_status(*, child, status, by, reason):
    """Move a child to another 入学状态, keeping from, to, when, who and why."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写状态变更原因。"})
    if status not in Child.Status.values:
        raise ValidationError({"status": "入学状态无效。"})
    locked = Child.objects.select_for_update().get(pk=child.pk)
    if locked.status == status:
        raise ValidationError({"status": f"学生当前已是“{locked.get_status_display()}”。"})
    before = locked.get_status_display()
    locked.status = status
    locked.status_changed_at = timezone.now()
    _save_with_history(locked, by=by, reason=reason)
    record_access(
        user=by,
        action=Action.STATUS,
        child=locked,
        detail=f"{before} → {locked.get_status_display()}：{reason}",
    )
    child.refresh_from_db()
    return child


@transaction.atomic
def save_jurisdiction_settings(*, row, by):
    return _save_with_history(row, by=by, reason="")


@transaction.atomic
def reset_township_settings(*, township):
    """Drop a township's own settings: its county's apply again."""
    JurisdictionSettings.objects.filter(township=township).delete()


def status_history(child):
    """The child's status changes, newest first: from, to, when, who, why."""
    records = list(
        child.history.select_related("history_user").order_by("history_date", "history_id")
    )
    changes = []
    previous = None
    for rec in records:
        if previous is None or rec.status != previous.status:
            changes.append(
                {
                    "from": Child.Status(previous.status).label if previous else "",
                    "to": Child.Status(rec.status).label,
                    "at": rec.history_date,
                    "by": rec.history_user,
                    "reason": rec.history_change_reason or "",
                }
            )
        previous = rec
    return changes[::-1]


def change_history(obj, *, limit=50):
    """Field-level changes of a record, newest first, for its page."""
    records = list(
        obj.history.select_related("history_user").order_by("-history_date", "-history_id")[
            : limit + 1
        ]
    )
    out = []
    for newer, older in zip(records, records[1:] + [None], strict=False):
        if older is None:
            if len(records) <= limit:
                out.append(
                    {
                        "at": newer.history_date,
                        "by": newer.history_user,
                        "reason": newer.history_change_reason or "",
                        "changes": [("", "新建", "")],
                    }
                )
            continue
        delta = newer.diff_against(
            older, excluded_fields=["updated_at", "status_changed_at", "version"]
        )
        if not delta.changes:
            continue
        fields = obj._meta
        out.append(
            {
                "at": newer.history_date,
                "by": newer.history_user,
                "reason": newer.history_change_reason or "",
                "changes": [
                    (
                        fields.get_field(c.field).verbose_name,
                        _display(obj, c.field, c.old),
                        _display(obj, c.field, c.new),
                    )
                    for c in delta.changes
                ],
            }
        )
    return out


# History on a page shows these masked, like everywhere else.
_MASKED = idcard.MASKED_FIELDS


def _display(obj, field_name, value):
    if field_name in _MASKED:
        return _MASKED[field_name](value) or "—"
    field = obj._meta.get_field(field_name)
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    if isinstance(value, bool):
        return "是" if value else "否"
    if value in (None, ""):
        return "—"
    if field.is_relation:
        related = field.related_model.objects.filter(pk=value).first()
        return str(related) if related else value
    return value


@transaction.atomic
def change_status_of_many(*, child_ids, status, from_statuses, by=None, reason):
    """Set `status` on those of the children still in one of `from_statuses`,
    with one history row each. Rows are locked first, so two runs at once
    change each child once. Returns the ids changed."""
    children = list(
        Child.objects.select_for_update().filter(pk__in=child_ids, status__in=from_statuses)
    )
    now = timezone.now()
    for child in children:
        child.status, child.status_changed_at, child.updated_at = status, now, now
        child.version += 1
    bulk_update_with_history(
        children,
        Child,
        ["status", "status_changed_at", "updated_at", "version"],
        default_user=by,
        default_change_reason=reason,
        batch_size=500,
    )
    if children:
        record_access(
            user=by,
            action=Action.STATUS,
            children=children,
            detail=f"→ {Child.Status(status).label}：{reason}",
        )
    return [c.pk for c in children]


def next_versions(objs):
    """For bulk updates of children or households (which skip save()): lock
    the rows and set each object's version to the stored one + 1. Call in
    the transaction that writes them."""
    by_model = {}
    for obj in objs:
        by_model.setdefault(type(obj), []).append(obj)
    for model, rows in by_model.items():
        stored = dict(
            model.objects.select_for_update()
            .filter(pk__in=[o.pk for o in rows])
            .values_list("pk", "version")
        )
        for obj in rows:
            obj.version = stored[obj.pk] + 1
