"""Excel imports: the roster (底数台账), 学籍, 户籍 and the 脱贫户 list.

Two steps, one code path for the web, Celery and `manage.py import_roster`:

- `check(batch)` reads the sheet and plans every row (create / update /
  unchanged) or reports an error naming the row, column and problem.
- `commit(batch)` plans again inside one transaction and applies the plan
  only if there is no error at all: all or nothing. Re-importing the same
  sheet finds every row unchanged.

Every row's record, before and after the write, must be in the importer's
reach (`students.jurisdiction.access(user)`); one outside it is previewed
like an unknown one and refused at the commit, so neither step tells what is
registered elsewhere. Every write is kept in history with who and why.

Blank cells never erase what the roster already knows.
"""

import logging
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone

from ..audit.services import Action, record_access
from ..jurisdiction import SYSTEM
from ..models import HandoverEntry, HujiRecord, ImportBatch, PovertyRecord, XuejiRecord
from ..sheets import SheetError, read_sheet
from .columns import COLUMNS
from .handover import plan_handover
from .registers import apply_records, plan_huji, plan_tuopin, plan_xueji
from .roster import apply_roster, plan_roster

PLANNERS = {
    ImportBatch.Kind.ROSTER: plan_roster,
    ImportBatch.Kind.XUEJI: plan_xueji,
    ImportBatch.Kind.HUJI: plan_huji,
    ImportBatch.Kind.TUOPIN: plan_tuopin,
    ImportBatch.Kind.HANDOVER: plan_handover,
}
RECORD_MODELS = {
    ImportBatch.Kind.XUEJI: XuejiRecord,
    ImportBatch.Kind.HUJI: HujiRecord,
    ImportBatch.Kind.TUOPIN: PovertyRecord,
    ImportBatch.Kind.HANDOVER: HandoverEntry,
}


def _read(batch, source):
    """Parse the batch's stored file (or `source`, a path, for the command line)."""
    if source is None:
        with batch.file.open("rb") as f:
            return _read(batch, f)
    return read_sheet(source, columns=COLUMNS[batch.kind], filename=batch.filename)


def read_for_errors(batch, source):
    """The parsed sheet, for marking its errors (workbooks.py)."""
    return _read(batch, source)


def _plan(batch, parsed, progress, *, final):
    # No user: `manage.py import_roster` run as the system. With a user (the
    # page, or the command's --user) exactly that user's reach applies.
    actor = batch.user or SYSTEM
    plan = PLANNERS[batch.kind](batch, parsed, actor, progress, final=final)
    plan.errors = list(parsed.errors) + plan.errors
    plan.errors.sort(key=lambda e: e.row)
    return plan


def _error_dicts(errors):
    return [{"row": e.row, "column": e.column, "message": e.message} for e in errors]


# ---------------------------------------------------------------- batch states


logger = logging.getLogger(__name__)
DIED = "处理该文件时出错，未导入任何数据。请重新上传；如再次失败，请联系系统管理员。"
STUCK = "处理超时（可能是服务器中断），未导入任何数据。请重新上传。"


def claim(batch_id, *, from_state, to_state):
    """Move a batch on only if it is still in `from_state` (a conditional
    UPDATE): a double click or a redelivered task does the work once."""
    taken = ImportBatch.objects.filter(pk=batch_id, state=from_state).update(
        state=to_state, claimed_at=timezone.now()
    )
    return (
        ImportBatch.objects.select_related("county", "village", "school", "user").get(pk=batch_id)
        if taken
        else None
    )


def set_progress(batch_id, done):
    # The commit runs inside one transaction, so its progress cannot be a
    # column of the batch: the cache (Redis in production) carries it.
    cache.set(f"import-progress:{batch_id}", done, 3600)


def progress_of(batch):
    if not batch.is_busy:
        return batch.done_rows
    return cache.get(f"import-progress:{batch.pk}", batch.done_rows)


def _drop_file(batch):
    """A refused or failed upload is not kept (it may hold children's data)."""
    if batch.file:
        batch.file.delete(save=False)


@contextmanager
def failed_on_error(batch_id):
    """Run a batch's work; if it dies, the batch is failed with a message
    (never left checking or importing) and its file dropped."""
    try:
        yield
    except OperationalError:
        raise  # the database went away: the task retries
    except Exception:
        logger.exception("import batch %s failed", batch_id)
        batch = ImportBatch.objects.filter(pk=batch_id).first()
        if batch is not None and batch.is_busy:
            _drop_file(batch)
            _finish(batch, state=ImportBatch.State.FAILED, message=DIED)


def fail_if_stuck(batch):
    """A batch busy longer than IMPORT_STUCK_MINUTES lost its worker: failed."""
    since = batch.claimed_at or batch.created_at
    limit = timezone.now() - timedelta(minutes=settings.IMPORT_STUCK_MINUTES)
    if not batch.is_busy or since > limit:
        return batch
    if ImportBatch.objects.filter(pk=batch.pk, state=batch.state).update(
        state=ImportBatch.State.FAILED, message=STUCK, done_rows=0, total_rows=0
    ):
        _drop_file(batch)
    batch.refresh_from_db()
    return batch


def check(batch, *, source=None, progress=lambda done: None):
    """Read and plan: the preview. Changes nothing but the batch."""
    try:
        parsed = _read(batch, source)
    except SheetError as e:
        _drop_file(batch)
        return _finish(batch, state=ImportBatch.State.INVALID, message=str(e))
    batch.total_rows = len(parsed.rows)
    plan = _plan(batch, parsed, progress, final=False)
    return _finish(
        batch,
        state=ImportBatch.State.INVALID if plan.errors else ImportBatch.State.PREVIEW,
        plan=plan,
        message=parsed.title,
    )


def commit(batch, *, source=None, progress=lambda done: None):
    """Plan again and apply everything, or nothing when any row has an error."""
    try:
        parsed = _read(batch, source)
    except SheetError as e:
        _drop_file(batch)
        return _finish(batch, state=ImportBatch.State.INVALID, message=str(e))
    batch.total_rows = len(parsed.rows)
    try:
        with transaction.atomic():
            plan = _plan(batch, parsed, progress, final=True)
            if plan.errors:
                transaction.set_rollback(True)
            elif batch.kind == ImportBatch.Kind.ROSTER:
                apply_roster(batch, plan, batch.user)
            else:
                apply_records(batch, plan, RECORD_MODELS[batch.kind], batch.user)
    except IntegrityError:
        # Someone saved the same child meanwhile: nothing of this sheet was kept.
        return _finish(
            batch,
            state=ImportBatch.State.FAILED,
            message="导入期间数据被他人修改，本次未导入任何数据，请重新上传。",
        )
    if plan.errors:
        return _finish(batch, state=ImportBatch.State.INVALID, plan=plan)
    batch.committed_at = timezone.now()
    batch = _finish(batch, state=ImportBatch.State.COMMITTED, plan=plan)
    _record_commit(batch, plan)
    return batch


def _record_commit(batch, plan):
    """The access log: the import, and each child whose status it changed."""
    record_access(
        user=batch.user,
        action=Action.IMPORT,
        county=batch.county_id,
        detail=(
            f"{batch.get_kind_display()}“{batch.filename}”（批次#{batch.pk}）："
            f"新增{batch.noun} {batch.created}，更新{batch.noun} {batch.updated}，"
            f"未变 {batch.unchanged}"
        ),
    )
    moved = [child for child, changed in plan.updates if "status" in changed]
    if moved and batch.kind == ImportBatch.Kind.ROSTER:
        record_access(
            user=batch.user,
            action=Action.STATUS,
            children=moved,
            detail=f"导入批次#{batch.pk} 更新入学状态",
        )


def _finish(batch, *, state, plan=None, message=""):
    batch.state = state
    batch.message = message[:500]
    if plan is not None:
        batch.errors = _error_dicts(plan.errors)
        batch.created, batch.updated, batch.unchanged = (
            len(plan.creates),
            len(plan.updates),
            plan.unchanged,
        )
        batch.changes = plan.changes
        batch.done_rows = batch.total_rows
    else:
        batch.errors, batch.changes = [], []
        batch.total_rows = batch.done_rows = 0
    batch.save()
    return batch


def summary(batch):
    """The JSON summary of `manage.py import_roster --json`."""
    errors = batch.errors or (
        [{"row": None, "column": "", "message": batch.message}]
        if batch.state == ImportBatch.State.INVALID
        else []
    )
    result = {
        "created": batch.created if batch.state != ImportBatch.State.INVALID else 0,
        "updated": batch.updated if batch.state != ImportBatch.State.INVALID else 0,
        "unchanged": batch.unchanged,
        "errors": errors,
    }
    if batch.kind == ImportBatch.Kind.XUEJI:  # children placed, pupils handed to the township
        ok = batch.state != ImportBatch.State.INVALID
        result.update(placed=batch.placed if ok else 0, to_assign=batch.to_assign if ok else 0)
    return result
