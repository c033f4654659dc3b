"""Uploads are bounded and safe: every sheet passes one guard before any
cell is parsed, and is read by what it holds, never by its used area.

The hostile files run in a child process under a memory limit: a regression
aborts the child, not the test run."""

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from students.sheets import SheetError, read_sheet

from .sheets_helpers import COLUMNS, ID_A, write_xlsx
from .upload_files import encrypted, far_corner_xlsx, million_rows_xlsx, with_member

ROOT = Path(__file__).resolve().parents[2]


def read_in_child(path, *, memory_mb=1500, max_rows=None):
    """Run read_sheet on `path` in a child under RLIMIT_AS; (returncode, result)."""
    code = f"""
import json, resource, sys
resource.setrlimit(resource.RLIMIT_AS, ({memory_mb} << 20, {memory_mb} << 20))
import django
django.setup()
from students.sheets import Column, SheetError, read_sheet
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
columns = [Column("name", "姓名", required=True), Column("id", "身份证号")]
try:
    parsed = read_sheet(sys.argv[1], columns=columns, filename="台账.xlsx", max_bytes=20 << 20, max_rows={max_rows!r})
    result = {{"rows": len(parsed.rows)}}
except SheetError as e:
    result = {{"error": str(e)}}
# what reading added to the peak, over the interpreter with Django loaded
result["peak_mb"] = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base) // 1024
print(json.dumps(result, ensure_ascii=False))
"""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "kongchuo.settings", "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", code, str(path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    result = json.loads(done.stdout.strip().splitlines()[-1]) if done.returncode == 0 else None
    return done.returncode, result, done.stderr[-2000:]


def test_a_sheet_reaching_xfd1048576_is_refused_not_allocated(tmp_path):
    for dimension in (True, False):  # declared, or only found while streaming the cells
        path = far_corner_xlsx(tmp_path / f"far{dimension}.xlsx", dimension=dimension)
        assert path.stat().st_size < 6000
        returncode, result, stderr = read_in_child(path)
        assert returncode == 0, stderr  # not killed by a 512 GB allocation
        assert result["error"].startswith("表格范围过大"), result
        assert "1048576 行" in result["error"] and "16384 列" in result["error"]
        assert "请删除表格下方或右侧多余的内容" in result["error"]


def test_a_million_row_sheet_is_refused_without_loading_it(tmp_path):
    path = million_rows_xlsx(tmp_path / "百万行.xlsx")
    assert 10 << 20 < path.stat().st_size < 20 << 20  # under the 20 MB upload limit
    returncode, result, stderr = read_in_child(path)
    assert returncode == 0, stderr
    assert "表格范围过大" in result["error"] and "1000001 行" in result["error"]
    assert "最多可导入 50000 行" in result["error"]
    # Refused from the zip directory: reading it whole took about 180 MB more.
    assert result["peak_mb"] < 100, result
    # Without a declared extent the rows are counted while streaming: it stops
    # at the limit instead of reading on.
    path = million_rows_xlsx(tmp_path / "无维度.xlsx", rows=5000, dimension=False)
    returncode, result, stderr = read_in_child(path, max_rows=1000)
    assert returncode == 0, stderr
    assert "表格范围过大" in result["error"] and "第 2001 行" in result["error"], result


def test_too_many_columns_is_refused_naming_where(tmp_path):
    path = write_xlsx(tmp_path / "宽表.xlsx", [["姓名", "身份证号"], ["张三", ID_A]])
    wb = openpyxl.load_workbook(path)
    wb.active.cell(row=2, column=300, value="备注")
    wb.save(path)
    with pytest.raises(SheetError) as excinfo:
        read_sheet(path, columns=COLUMNS, filename="宽表.xlsx")
    assert "300 列" in str(excinfo.value) and "256 列" in str(excinfo.value)


def test_a_zip_bomb_member_is_refused_from_the_zip_directory(tmp_path, settings):
    path = write_xlsx(tmp_path / "名单.xlsx", [["姓名", "身份证号"], ["张三", ID_A]])
    bomb = with_member(path.read_bytes(), "xl/media/image1.bin", b"\0" * (60 << 20))
    assert len(bomb) < 1 << 20
    with pytest.raises(SheetError, match="文件压缩比异常"):
        read_sheet(io.BytesIO(bomb), columns=COLUMNS, filename="名单.xlsx")
    settings.IMPORT_MAX_UNZIPPED_BYTES = 10 << 20
    padded = with_member(path.read_bytes(), "xl/media/image1.bin", bytes(range(256)) * 50_000)
    with pytest.raises(SheetError, match=r"文件解压后过大（12 MB），上限为 10 MB"):
        read_sheet(io.BytesIO(padded), columns=COLUMNS, filename="名单.xlsx")


def test_the_type_comes_from_the_content_not_the_extension(tmp_path):
    path = write_xlsx(tmp_path / "名单.xlsx", [["姓名", "身份证号"], ["张三", ID_A]])
    parsed = read_sheet(path, columns=COLUMNS, filename="名单.xls")  # an .xlsx named .xls
    assert parsed.rows[0].values["name"] == "张三"
    not_a_sheet = with_member(b"", "word/document.xml", b"<w:document/>")  # a .docx-like zip
    with pytest.raises(SheetError, match="请上传 Excel 文件"):
        read_sheet(io.BytesIO(not_a_sheet), columns=COLUMNS, filename="名单.xlsx")


def test_a_password_protected_workbook_gets_its_own_message(tmp_path):
    path = write_xlsx(tmp_path / "名单.xlsx", [["姓名", "身份证号"], ["张三", ID_A]])
    for name in ("名单.xlsx", "名单.xls"):
        with pytest.raises(SheetError) as excinfo:
            read_sheet(io.BytesIO(encrypted(path.read_bytes())), columns=COLUMNS, filename=name)
        assert str(excinfo.value) == "该文件已加密，请取消密码后再导入。"


def test_an_xls_reaching_its_last_cell_is_refused_before_reading(tmp_path):
    import xlwt

    book = xlwt.Workbook()
    sheet = book.add_sheet("名单")
    sheet.write(0, 0, "姓名")
    sheet.write(0, 1, "身份证号")
    sheet.write(65535, 255, "x")
    path = tmp_path / "名单.xls"
    book.save(str(path))
    returncode, result, stderr = read_in_child(path)
    assert returncode == 0, stderr
    assert result["error"].startswith("表格范围过大") and "65536 行" in result["error"]
    assert result["peak_mb"] < 100, result  # calamine's dense grid took about 1 GB
