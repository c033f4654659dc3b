"""Sheet builders shared by the students.sheets tests (no database)."""

from datetime import date

import openpyxl
import pytest

from students.idcard import check_char
from students.sheets import Column, SheetError, read_sheet

STATUS = {"在读": "enrolled", "休学": "suspended", "辍学": "dropped_out"}

COLUMNS = [
    Column("name", "姓名", ("学生姓名", "儿童姓名"), required=True),
    Column("gender", "性别", kind="gender"),
    Column("birth_date", "出生日期", ("出生年月日",), kind="date"),
    Column(
        "id_number", "身份证号", ("身份证号码", "公民身份号码"), kind="id_number", required=True
    ),
    Column("phone", "联系电话", ("手机号", "电话"), kind="phone"),
    Column("is_tuopin", "是否脱贫户", ("脱贫户",), kind="bool"),
    Column("status", "在学状态", ("状态",), kind="choice", choices=STATUS),
    Column("grade", "年级", ("就读年级",), kind="grade"),
]
FATHER = [
    Column("father_name", "父亲姓名", ("父亲",)),
    Column("father_phone", "父亲电话", ("父亲联系电话",), kind="phone"),
]


def make_id(birth: date, seq: int, area: str = "360203") -> str:
    first17 = f"{area}{birth:%Y%m%d}{seq:03d}"
    return first17 + check_char(first17)


ID_A = make_id(date(2015, 3, 8), 12)
ID_B = make_id(date(2014, 9, 1), 21)
BAD_CHECK = ID_A[:17] + ("1" if ID_A[17] != "1" else "2")
ID_X = next(i for i in (make_id(date(2016, 1, 2), s) for s in range(1, 999)) if i.endswith("X"))


def write_xlsx(path, rows, merges=(), extra_sheets=()):
    """rows: list of row lists written from A1; None leaves a cell empty."""
    wb = openpyxl.Workbook()
    ws = wb.active
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            if value is not None:
                ws.cell(row=r, column=c, value=value)
    for cells in merges:
        ws.merge_cells(cells)
    for title, sheet_rows in extra_sheets:
        extra = wb.create_sheet(title)
        for row in sheet_rows:
            extra.append(row)
    wb.save(path)
    return path


def read(tmp_path, rows, columns=COLUMNS, merges=(), **kwargs):
    path = write_xlsx(tmp_path / "名单.xlsx", rows, merges)
    return read_sheet(path, columns=columns, filename="名单.xlsx", **kwargs)


def sheet_error(tmp_path, rows, **kwargs) -> str:
    with pytest.raises(SheetError) as excinfo:
        read(tmp_path, rows, **kwargs)
    return str(excinfo.value)
