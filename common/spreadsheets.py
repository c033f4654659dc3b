"""Spreadsheets from outside: checked before anything parses a cell, then
read within limits. Knows files and cells, nothing of the domain.

`guard()` is the one door of every import (the upload forms, the Celery
tasks, the management commands): the size; the real type from the content
(a zip is an .xlsx, an OLE2 file an .xls or an encrypted workbook), never
the extension; for a zip the uncompressed size and the compression ratio
from its directory; and the extent of the sheets (rows, columns) from what
the file declares and, for an .xls, from its cell records.

`grids()` then yields each worksheet as ragged rows (a row is as long as
its last cell with a value): an .xlsx is streamed row by row from its XML,
so a sheet whose used area reaches XFD1048576 costs what it holds, never
its used area; an .xls (at most 65,536 × 256) is read whole only after its
extent passed the guard.
"""

from __future__ import annotations

import io
import os
import re
import struct
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import olefile
import python_calamine
from django.conf import settings
from openpyxl import load_workbook
from openpyxl.utils.cell import range_boundaries
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet._reader import WorkSheetParser

MB = 1024 * 1024
EXTENSIONS = {".xlsx", ".xlsm", ".xls"}
ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Rows a sheet may have beyond its data rows: titles, headers, notes, footers.
EXTRA_ROWS = 1000
XLS_MAX_CELLS = 5_000_000  # an .xls is read as a dense grid: rows × columns

NOT_EXCEL = "无法读取该文件：请上传 Excel 文件（.xlsx 或 .xls）。"
ENCRYPTED = "该文件已加密，请取消密码后再导入。"


class SpreadsheetError(Exception):
    """One clear Chinese message for the whole file (str(e))."""


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 20 * MB
    max_rows: int = 50_000  # data rows
    max_columns: int = 256
    max_unzipped_bytes: int = 300 * MB
    max_ratio: int = 100  # uncompressed / compressed, per member of the zip

    @classmethod
    def from_settings(cls, **overrides):
        values = {
            "max_bytes": settings.IMPORT_MAX_BYTES,
            "max_rows": settings.IMPORT_MAX_ROWS,
            "max_columns": settings.IMPORT_MAX_COLUMNS,
            "max_unzipped_bytes": settings.IMPORT_MAX_UNZIPPED_BYTES,
            "max_ratio": settings.IMPORT_MAX_RATIO,
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    @property
    def max_sheet_rows(self):
        return self.max_rows + EXTRA_ROWS


@dataclass
class Checked:
    """A file that passed the guard: its kind ("xlsx" or "xls") and bytes."""

    kind: str
    data: bytes
    limits: Limits


@dataclass
class Grid:
    name: str
    visible: bool
    rows: list[list] = field(default_factory=list)
    merges: list = field(default_factory=list)  # ((row0, col0), (row1, col1)), 0-based


def _too_large(size, limits):
    return SpreadsheetError(
        f"文件过大（{size / MB:.1f} MB），上限为 {limits.max_bytes / MB:g} MB。请拆分后分批导入。"
    )


def _too_wide(where, rows, columns, limits):
    return SpreadsheetError(
        f"表格范围过大（{where}，共 {rows} 行、{columns} 列）：最多可导入 {limits.max_rows} 行、"
        f"{limits.max_columns} 列。请删除表格下方或右侧多余的内容后再导入，或拆分后分批导入。"
    )


def _check_extent(rows, columns, where, limits):
    if rows > limits.max_sheet_rows or columns > limits.max_columns:
        raise _too_wide(where, rows, columns, limits)


def guard(source, *, filename, limits: Limits | None = None) -> Checked:
    """Check a path or an uploaded file before reading it; SpreadsheetError if refused."""
    limits = limits or Limits.from_settings()
    if Path(filename or "").suffix.lower() not in EXTENSIONS:
        raise SpreadsheetError(NOT_EXCEL)
    is_path = isinstance(source, str | os.PathLike)
    size = os.path.getsize(source) if is_path else getattr(source, "size", None)
    if size is not None and size > limits.max_bytes:
        raise _too_large(size, limits)
    if is_path:
        with open(source, "rb") as f:
            data = f.read(limits.max_bytes + 1)
    else:
        source.seek(0)
        data = source.read(limits.max_bytes + 1)
        source.seek(0)
    if len(data) > limits.max_bytes:
        raise SpreadsheetError(f"文件过大（超过 {limits.max_bytes / MB:g} MB）。请拆分后分批导入。")
    if data.startswith(ZIP_MAGIC):
        _check_zip(data, limits)
        return Checked("xlsx", data, limits)
    if data.startswith(OLE2_MAGIC):
        _check_ole(data, limits)
        return Checked("xls", data, limits)
    raise SpreadsheetError(NOT_EXCEL)


DIMENSION_RE = re.compile(
    rb"<(?:\w+:)?dimension\s+ref=\"([A-Z]{1,3}[0-9]{1,7}(?::[A-Z]{1,3}[0-9]{1,7})?)\""
)


def _check_zip(data, limits):
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise SpreadsheetError(NOT_EXCEL) from None
    names = {m.filename for m in members}
    if "xl/workbook.xml" not in names:
        raise SpreadsheetError(NOT_EXCEL)
    total = sum(m.file_size for m in members)
    if total > limits.max_unzipped_bytes:
        raise SpreadsheetError(
            f"文件解压后过大（{total / MB:.0f} MB），上限为 {limits.max_unzipped_bytes / MB:g} MB。"
            "请拆分后分批导入。"
        )
    for m in members:
        if m.file_size > MB and m.file_size > limits.max_ratio * max(m.compress_size, 1):
            raise SpreadsheetError(
                f"文件压缩比异常（{m.file_size // max(m.compress_size, 1)} 倍），"
                "不像是正常的 Excel 表格，已拒绝导入。"
            )
    for m in members:
        if m.filename.startswith("xl/worksheets/") and m.filename.endswith(".xml"):
            try:
                with archive.open(m) as f:
                    head = f.read(8192)
            except (zipfile.BadZipFile, OSError, NotImplementedError, RuntimeError):
                raise SpreadsheetError(NOT_EXCEL) from None
            if match := DIMENSION_RE.search(head):
                ref = match.group(1).decode()
                min_col, min_row, max_col, max_row = range_boundaries(ref)
                _check_extent(max_row, max_col, ref, limits)


# BIFF records (MS-XLS 2.3): the cells that carry a value, and the others we look at.
BIFF_FILEPASS, BIFF_DIMENSIONS, BIFF_MULRK = 0x002F, 0x0200, 0x00BD
BIFF_CELLS = {0x0006, 0x00FD, 0x0203, 0x027E, 0x0204, 0x0205, 0x00D6}


def _check_ole(data, limits):
    try:
        ole = olefile.OleFileIO(data)
    except (OSError, ValueError, struct.error):
        raise SpreadsheetError(NOT_EXCEL) from None
    with ole:
        if ole.exists("EncryptedPackage") or ole.exists("EncryptionInfo"):
            raise SpreadsheetError(ENCRYPTED)  # an .xlsx saved with a password
        stream = next((name for name in ("Workbook", "Book") if ole.exists(name)), None)
        if stream is None:
            raise SpreadsheetError(NOT_EXCEL)
        try:
            biff = ole.openstream(stream).read()
        except (OSError, ValueError, struct.error):
            raise SpreadsheetError(NOT_EXCEL) from None
    rows, columns = _biff_extent(biff)
    _check_extent(rows, columns, f"第 {rows} 行、第 {columns} 列有内容", limits)
    if rows * columns > XLS_MAX_CELLS:
        raise _too_wide(f"第 {rows} 行、第 {columns} 列有内容", rows, columns, limits)


def _biff_extent(biff):
    """(rows, columns) the sheets reach, by their cell records and declared dimensions."""
    rows = columns = pos = 0
    end = len(biff)
    while pos + 4 <= end:
        kind, size = struct.unpack_from("<HH", biff, pos)
        body = biff[pos + 4 : pos + 4 + size]
        pos += 4 + size
        if kind == BIFF_FILEPASS:
            raise SpreadsheetError(ENCRYPTED)
        if kind in BIFF_CELLS and len(body) >= 4:
            row, col = struct.unpack_from("<HH", body)
            rows, columns = max(rows, row + 1), max(columns, col + 1)
        elif kind == BIFF_MULRK and len(body) >= 6:
            (row,) = struct.unpack_from("<H", body)
            (last,) = struct.unpack_from("<H", body, len(body) - 2)
            rows, columns = max(rows, row + 1), max(columns, last + 1)
        elif kind == BIFF_DIMENSIONS and len(body) >= 14:
            _first_row, row_end, _first_col, col_end = struct.unpack_from("<IIHH", body)
            rows, columns = max(rows, row_end), max(columns, col_end)
        elif kind == BIFF_DIMENSIONS and len(body) >= 8:
            _first_row, row_end, _first_col, col_end = struct.unpack_from("<HHHH", body)
            rows, columns = max(rows, row_end), max(columns, col_end)
    return rows, columns


# ---- reading


def grids(checked: Checked):
    """Each worksheet of a checked file, as a Grid, one at a time."""
    if checked.kind == "xlsx":
        yield from _xlsx_grids(checked)
    else:
        yield from _xls_grids(checked)


def _xlsx_grids(checked):
    try:
        book = load_workbook(io.BytesIO(checked.data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError):
        raise SpreadsheetError(NOT_EXCEL) from None
    except Exception:  # a malformed part: lxml or openpyxl raise many kinds
        raise SpreadsheetError(NOT_EXCEL) from None
    try:
        for sheet in book.worksheets:
            yield _stream_sheet(book, sheet, checked.limits)
    finally:
        book.close()


def _stream_sheet(book, sheet, limits):
    grid = Grid(name=sheet.title, visible=sheet.sheet_state == "visible")
    rows = grid.rows
    try:
        with sheet._get_source() as source:
            parser = WorkSheetParser(
                source,
                sheet._shared_strings,
                data_only=True,
                epoch=book.epoch,
                date_formats=book._date_formats,
                timedelta_formats=book._timedelta_formats,
            )
            for number, cells in parser.parse():
                values = [(c["column"], c["value"]) for c in cells if c["value"] is not None]
                if not values:
                    continue
                last = max(column for column, _value in values)
                if number > limits.max_sheet_rows or last > limits.max_columns:
                    where = f"第 {number} 行、第 {last} 列有内容"
                    raise _too_wide(where, max(number, len(rows)), last, limits)
                while len(rows) < number:
                    rows.append([])
                row = rows[number - 1] = [None] * last
                for column, value in values:
                    row[column - 1] = value
            merged = parser.merged_cells.mergeCell if parser.merged_cells else []
    except SpreadsheetError:
        raise
    except Exception:  # malformed XML or cell values
        raise SpreadsheetError(NOT_EXCEL) from None
    width = max((len(row) for row in rows), default=0)
    for cells in merged:
        c0, r0, c1, r1 = range_boundaries(cells.ref)
        if r0 <= len(rows) and c0 <= width:  # only over what the sheet holds
            grid.merges.append(((r0 - 1, c0 - 1), (min(r1, len(rows)) - 1, min(c1, width) - 1)))
    return grid


def _xls_grids(checked):
    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(checked.data))
    except python_calamine.PasswordError:
        raise SpreadsheetError(ENCRYPTED) from None
    except Exception:  # calamine raises several kinds of errors for damaged files
        raise SpreadsheetError(NOT_EXCEL) from None
    worksheet = python_calamine.SheetTypeEnum.WorkSheet
    visible = python_calamine.SheetVisibleEnum.Visible
    for index, meta in enumerate(book.sheets_metadata):
        if meta.typ != worksheet:
            continue
        try:
            sheet = book.get_sheet_by_index(index)
            rows = [list(row) for row in sheet.to_python(skip_empty_area=False)]
        except Exception:
            raise SpreadsheetError(NOT_EXCEL) from None
        merges = [
            ((r0, c0), (r1, c1))
            for (r0, c0), (r1, c1) in (sheet.merged_cell_ranges or [])
            if r0 < len(rows)
        ]
        yield Grid(name=meta.name, visible=meta.visible == visible, rows=rows, merges=merges)


__all__ = [
    "Checked",
    "Grid",
    "Limits",
    "SpreadsheetError",
    "grids",
    "guard",
]
