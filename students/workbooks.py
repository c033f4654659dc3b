"""Official-looking Excel sheets (台账、名单、导入模板) and their download.

Generic on purpose: it knows columns and rows, nothing of ledgers or
children. It works on a streamed write-only workbook (`Workbook(write_only=
True)`, for exports of tens of thousands of rows in bounded memory) and on a
normal one (e.g. an import template that later adds data validation).

Layout of every sheet::

    row 1          title, merged across all columns, bold 16 pt, centred
    rows 2..       subtitle lines (填报单位、填报日期、内部资料 注意保密), merged
    header row     bold, bordered, light fill; frozen; repeated on each page
    data rows      thin borders; dates as real dates

Printing: A4 landscape, fit to one page wide, centred horizontally.
"""

import datetime
import unicodedata

from django.utils import timezone
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from common.web import XLSX_CONTENT_TYPE, workbook_response

__all__ = [
    "XLSX_CONTENT_TYPE",
    "default_width",
    "official_sheet",
    "put_value",
    "workbook_response",
]

FONT_NAME = "宋体"  # what the offices' own sheets use; Excel and WPS have it

_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_LEFT = Alignment(horizontal="left", vertical="center")

# Named styles, registered once per workbook: a cell then takes its whole
# style by name, which is several times cheaper than setting border, font and
# alignment on each of 50,000 × 15 cells.
_STYLES = {
    "台账标题": dict(font=Font(name=FONT_NAME, size=16, bold=True), alignment=_CENTER),
    "台账副标题": dict(font=Font(name=FONT_NAME, size=10), alignment=_LEFT),
    "台账表头": dict(
        font=Font(name=FONT_NAME, size=11, bold=True),
        alignment=_CENTER,
        border=_BORDER,
        fill=PatternFill("solid", fgColor="DDEBF7"),
    ),
    "台账文本": dict(
        font=Font(name=FONT_NAME, size=11),
        alignment=Alignment(vertical="center"),
        border=_BORDER,
        number_format="@",
    ),
    "台账数字": dict(
        font=Font(name=FONT_NAME, size=11),
        alignment=Alignment(horizontal="center", vertical="center"),
        border=_BORDER,
    ),
    "台账日期": dict(
        font=Font(name=FONT_NAME, size=11),
        alignment=Alignment(horizontal="center", vertical="center"),
        border=_BORDER,
        number_format="yyyy-mm-dd",
    ),
    "台账时间": dict(
        font=Font(name=FONT_NAME, size=11),
        alignment=Alignment(horizontal="center", vertical="center"),
        border=_BORDER,
        number_format="yyyy-mm-dd hh:mm",
    ),
}


def _register_styles(wb):
    names = set(wb.named_styles)
    for name, attrs in _STYLES.items():
        if name not in names:
            wb.add_named_style(NamedStyle(name=name, **attrs))


def default_width(header):
    """A column width (in Excel's character units) that fits a Chinese header."""
    wide = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in header)
    return max(6, min(40, wide + 4))


def _cell(ws, value, style):
    cell = WriteOnlyCell(ws, value)
    cell.style = style
    return cell


def _data_cell(ws, value):
    """A bordered data cell; strings are never formulas, dates stay dates."""
    if value is None:
        return _cell(ws, None, "台账文本")
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return _cell(ws, value.replace(tzinfo=None), "台账时间")
    if isinstance(value, datetime.date):
        return _cell(ws, value, "台账日期")
    if isinstance(value, bool):
        return _cell(ws, "是" if value else "否", "台账文本")
    if isinstance(value, int | float):
        return _cell(ws, value, "台账数字")
    return put_value(_cell(ws, None, "台账文本"), str(value))


def put_value(cell, value):
    """Set a cell's value so that text stays text, in every sheet we hand out.

    A name, note or uploaded cell starting with "=" (``=HYPERLINK(…)``) must
    never come back as a live formula (formula injection), and characters
    Excel refuses are dropped rather than failing the whole download.
    """
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


def _merge(ws, ref):
    if hasattr(ws, "merge_cells"):  # a normal worksheet
        ws.merge_cells(ref)
    else:  # write-only: ranges are written at the end of the sheet
        ws.merged_cells.add(ref)


def official_sheet(ws, *, title, subtitle_lines, columns, rows, widths=None, freeze=True):
    """Write a titled, bordered, printable table into the empty sheet `ws`.

    `columns` are the header texts; `rows` any iterable of sequences (a
    generator is consumed once, row by row). `widths` optionally gives each
    column's width. Returns the number of data rows written.

    In a write-only workbook the widths, frozen panes and sheet properties
    must exist before the first row: this function sets them first.
    """
    columns = list(columns)
    if not columns:
        raise ValueError("official_sheet needs at least one column")
    n_cols = len(columns)
    last = get_column_letter(n_cols)
    subtitle_lines = list(subtitle_lines or [])
    header_row = 2 + len(subtitle_lines)
    _register_styles(ws.parent)

    widths = list(widths) if widths is not None else [default_width(c) for c in columns]
    if len(widths) != n_cols:
        raise ValueError("widths must give one width per column")
    for idx, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(idx)].width = width
    ws.row_dimensions[1].height = 32
    ws.row_dimensions[header_row].height = 30
    if freeze:
        ws.freeze_panes = f"A{header_row + 1}"

    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_setup.orientation = Worksheet.ORIENTATION_LANDSCAPE
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as needed
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.print_title_rows = f"{header_row}:{header_row}"

    ws.append([_cell(ws, title, "台账标题")])
    _merge(ws, f"A1:{last}1")
    for offset, line in enumerate(subtitle_lines):
        ws.append([_cell(ws, line, "台账副标题")])
        _merge(ws, f"A{2 + offset}:{last}{2 + offset}")
    ws.append([_cell(ws, header, "台账表头") for header in columns])

    count = 0
    for row in rows:
        values = list(row)
        if len(values) != n_cols:
            raise ValueError(f"row {count + 1} has {len(values)} values for {n_cols} columns")
        ws.append([_data_cell(ws, value) for value in values])
        count += 1
    return count
