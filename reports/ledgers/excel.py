"""The Excel exports: streamed (write-only) workbooks, file names, and the
access-log entry every export owes."""

import os

from django.utils import timezone
from openpyxl import Workbook

from students.audit.services import Action, record_access
from students.workbooks import official_sheet

CONFIDENTIAL = "内部资料 注意保密"
FULL_EXPORT_LABEL = "含完整身份证号和电话（将记录）"


# --------------------------------------------------------------------------
# Export
# --------------------------------------------------------------------------


FILENAME_FORBIDDEN = '\\/:*?"<>|'
SHEET_NAME_FORBIDDEN = "[]:*?/\\"


def _safe_name(name, forbidden):
    for ch in forbidden:
        name = name.replace(ch, "_")
    return name


def _date_label(d):
    return f"{d.year}年{d.month}月{d.day}日"


def build_workbook(selection, viewer, *, today=None):
    """A streamed (write-only) workbook of the whole selection.

    Returns (workbook, rows written). Rows are read 2,000 at a time from one
    query and written straight to a temporary file: memory stays flat
    however big the county.
    """
    today = today or timezone.localdate()
    wb = Workbook(write_only=True)
    sheet_name = selection.village.name if selection.village else selection.ledger.title
    ws = wb.create_sheet(title=_safe_name(sheet_name, SHEET_NAME_FORBIDDEN)[:31])
    subtitle = [f"填报单位：{selection.place.unit}", f"填报日期：{_date_label(today)}"]
    if selection.term:
        subtitle.insert(1, f"学期：{selection.term}")
    if selection.as_of:
        subtitle.insert(1, f"截至：{_date_label(selection.as_of)}")
    subtitle.append(CONFIDENTIAL + ("（含完整身份证号和电话）" if viewer.full else ""))
    ledger = selection.ledger
    rows = (
        ledger.row(record, seq, viewer)
        for seq, record in enumerate(selection.values().iterator(chunk_size=2000), 1)
    )
    try:
        count = official_sheet(
            ws,
            title=selection.title,
            subtitle_lines=["　　".join(subtitle)],
            columns=ledger.columns,
            rows=rows,
            widths=ledger.widths,
        )
    except BaseException:
        discard(wb)
        raise
    return wb, count


def discard(wb):
    """Give up a write-only workbook that failed half-way: close each sheet's
    stream and remove the temporary file openpyxl wrote its rows to."""
    for ws in wb.worksheets:
        writer = getattr(ws, "_writer", None)
        if writer is None:
            continue
        try:
            ws.close()
        except Exception:  # noqa: BLE001,S110 - already broken; only cleaning up
            pass
        path = getattr(writer, "out", None)
        if isinstance(path, str) and os.path.exists(path):
            os.remove(path)


def export_filename(selection, viewer, *, today=None):
    today = today or timezone.localdate()
    name = selection.title + ("（含完整信息）" if viewer.full else "")
    return f"{_safe_name(name, FILENAME_FORBIDDEN)}_{today:%Y%m%d}.xlsx"


def record_export(*, user, selection, rows, full, via="", county=None):
    """The access-log entry every export writes; an unmasked one says so
    (PIPL, DOMAIN §9). `via` names a non-web path (命令行), `county` the
    county an entry without a user belongs to."""
    kind = "含完整身份证号和电话" if full else "脱敏"
    return record_access(
        user=user,
        action=Action.EXPORT,
        detail=f"{selection.title}（{kind}）· {selection.scope_text} · {rows} 行{via}",
        county=county,
        username="" if getattr(user, "pk", None) else getattr(user, "username", ""),
    )
