"""Tests for students.sheets: reading real-world Excel sheets (no database) —
header detection, whole-file errors, rows."""

import io
from datetime import date, datetime

import pytest

from students.idcard import check_char
from students.sheets import CellError, Column, SheetError, normalize_header, read_sheet

from .sheets_helpers import (
    BAD_CHECK,
    COLUMNS,
    FATHER,
    ID_A,
    ID_B,
    ID_X,
    read,
    sheet_error,
    write_xlsx,
)

# ---- header detection ----------------------------------------------------


def test_title_rows_and_merged_title_cell(tmp_path):
    parsed = read(
        tmp_path,
        [
            ["蛟潭镇适龄儿童少年底数台账"],
            ["填报单位：蛟潭村", None, None, "填报日期：2025年9月"],
            ["序号", "姓名", "性别", "身份证号", "联系电话"],
            [1, "张三", "男", ID_A, "13812345678"],
            [2, "李四", "女", ID_B, None],
        ],
        merges=["A1:E1"],
    )
    assert parsed.header_row == 3
    assert parsed.title == "蛟潭镇适龄儿童少年底数台账 填报单位：蛟潭村 填报日期：2025年9月"
    assert parsed.columns == {
        "name": "姓名",
        "gender": "性别",
        "id_number": "身份证号",
        "phone": "联系电话",
    }
    assert parsed.column_index == {"name": 1, "gender": 2, "id_number": 3, "phone": 4}
    assert [r.row for r in parsed.rows] == [4, 5]
    first = parsed.rows[0]
    assert first.values["name"] == "张三"
    assert first.values["gender"] == "M"
    assert first.values["id_number"] == ID_A
    assert first.values["phone"] == "13812345678"
    # Columns missing from the sheet are present as None.
    assert first.values["birth_date"] is None and first.raw["birth_date"] is None
    assert parsed.rows[1].values["phone"] is None
    assert parsed.errors == []


def test_two_row_header_with_merged_group_cell(tmp_path):
    parsed = read(
        tmp_path,
        [
            ["某村适龄儿童台账"],
            ["姓名", "身份证号", "父亲", None, "联系电话"],
            [None, None, "姓名", "电话", None],
            ["王小明", ID_A, "王大明", "139 1234 5678", "0791-1234567"],
        ],
        columns=COLUMNS + FATHER,
        merges=["A1:E1", "A2:A3", "B2:B3", "C2:D2", "E2:E3"],
    )
    assert parsed.header_row == 3
    assert parsed.title == "某村适龄儿童台账"
    assert parsed.columns["father_name"] == "父亲姓名"
    assert parsed.columns["father_phone"] == "父亲电话"
    assert parsed.column_index == {
        "name": 0,
        "id_number": 1,
        "father_name": 2,
        "father_phone": 3,
        "phone": 4,
    }
    (row,) = parsed.rows
    assert row.row == 4
    assert row.values["name"] == "王小明"
    assert row.values["father_name"] == "王大明"
    assert row.values["father_phone"] == "13912345678"
    assert row.values["phone"] == "0791-1234567"


def test_group_header_without_merge_inherits_from_left(tmp_path):
    # "Centre across selection" instead of merging: the group sits in one cell.
    parsed = read(
        tmp_path,
        [
            ["姓名", "身份证号", "父亲", None],
            [None, None, "姓名", "电话"],
            ["王小明", ID_A, "王大明", "13912345678"],
        ],
        columns=COLUMNS + FATHER,
    )
    assert parsed.header_row == 2
    assert parsed.column_index["father_phone"] == 3
    assert parsed.rows[0].values["father_phone"] == "13912345678"


def test_unusual_column_order_synonyms_and_marks(tmp_path):
    parsed = read(
        tmp_path,
        [
            [
                "备注",
                "手机号",
                "公民身份号码*",
                "出生年月日",
                "学生\n姓名",
                "性别（必填）",
                "是否脱贫户",
                "状态",
                "年级",
            ],
            ["无", "13800000000", ID_A, "2015-03-08", "张 三", "1", "是", "在读", "三年级"],
        ],
    )
    assert parsed.columns["id_number"] == "公民身份号码*"
    assert parsed.columns["name"] == "学生姓名"
    assert parsed.column_index["name"] == 4
    values = parsed.rows[0].values
    assert values == {
        "name": "张三",
        "gender": "M",
        "birth_date": date(2015, 3, 8),
        "id_number": ID_A,
        "phone": "13800000000",
        "is_tuopin": True,
        "status": "enrolled",
        "grade": 3,
    }


@pytest.mark.parametrize(
    "id_header",
    ["身份证号", "身份证号码", "公民身份号码", " 身份证号 ", "身份证号\u3000", "＊身份证号"],
)
def test_id_header_synonyms(tmp_path, id_header):
    parsed = read(tmp_path, [["学生姓名", id_header], ["张三", ID_A]])
    assert parsed.rows[0].values["id_number"] == ID_A


def test_normalize_header():
    assert normalize_header("  身份证号 * ") == "身份证号"
    assert normalize_header("身份证号（必填）") == "身份证号"
    assert normalize_header("出生\n日期\u3000") == "出生日期"
    assert normalize_header("ＩＤ") == "id"
    assert normalize_header(None) == ""


def test_trailing_format_hint_in_header_is_ignored(tmp_path):
    parsed = read(
        tmp_path, [["姓名", "身份证号", "出生日期（格式：2015-03-08）"], ["张三", ID_A, "2015.3.8"]]
    )
    assert parsed.rows[0].values["birth_date"] == date(2015, 3, 8)


# ---- whole-file errors ---------------------------------------------------


def test_no_header_names_the_expected_labels(tmp_path):
    message = sheet_error(tmp_path, [["甲", "乙"], ["张三", ID_A]])
    assert message == "未找到表头：请确认表中有“姓名”“身份证号”等列（可下载模板对照）。"


def test_missing_required_column_is_named(tmp_path):
    message = sheet_error(tmp_path, [["姓名", "性别", "出生日期"], ["张三", "男", "2015-03-08"]])
    assert "缺少必填列" in message
    assert "“身份证号”" in message and "公民身份号码" in message
    assert "姓名" not in message.split("：")[1].split("（")[0]


def test_csv_renamed_to_xlsx(tmp_path):
    path = tmp_path / "名单.xlsx"
    path.write_text("姓名,身份证号\n张三,110101201503080012\n", encoding="utf-8")
    with pytest.raises(SheetError, match=r"请上传 Excel 文件（\.xlsx 或 \.xls）"):
        read_sheet(path, columns=COLUMNS, filename="名单.xlsx")


def test_fake_xls(tmp_path):
    path = tmp_path / "名单.xls"
    path.write_bytes(b"%PDF-1.4\n%fake pdf\n")
    with pytest.raises(SheetError) as excinfo:
        read_sheet(path, columns=COLUMNS, filename="名单.xls")
    assert str(excinfo.value) == "无法读取该文件：请上传 Excel 文件（.xlsx 或 .xls）。"


def test_wrong_extension(tmp_path):
    path = write_xlsx(tmp_path / "名单.xlsx", [["姓名", "身份证号"], ["张三", ID_A]])
    with pytest.raises(SheetError, match="无法读取该文件"):
        read_sheet(path, columns=COLUMNS, filename="名单.txt")


def test_oversize(tmp_path):
    path = write_xlsx(tmp_path / "名单.xlsx", [["姓名", "身份证号"], ["张三", ID_A]])
    with pytest.raises(SheetError) as excinfo:
        read_sheet(path, columns=COLUMNS, filename="名单.xlsx", max_bytes=1024)
    message = str(excinfo.value)
    assert message.startswith("文件过大（0.0 MB），上限为 ") and message.endswith(
        "请拆分后分批导入。"
    )


def test_oversize_upload_with_size_attribute(tmp_path):
    class Upload(io.BytesIO):
        size = 12 * 1024 * 1024

    with pytest.raises(SheetError, match=r"文件过大（12\.0 MB），上限为 10 MB"):
        read_sheet(Upload(b"x"), columns=COLUMNS, filename="a.xlsx", max_bytes=10 * 1024 * 1024)


def test_file_like_source(tmp_path):
    path = write_xlsx(tmp_path / "名单.xlsx", [["姓名", "身份证号"], ["张三", ID_A]])
    upload = io.BytesIO(path.read_bytes())
    upload.read(10)  # a form may already have peeked at it
    parsed = read_sheet(upload, columns=COLUMNS, filename="名单.XLSX")
    assert parsed.rows[0].values["id_number"] == ID_A


def test_django_uploaded_file(tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    path = write_xlsx(tmp_path / "名单.xlsx", [["姓名", "身份证号"], ["张三", ID_A]])
    upload = SimpleUploadedFile("名单.xlsx", path.read_bytes())
    parsed = read_sheet(upload, columns=COLUMNS, filename=upload.name)
    assert parsed.rows[0].values["name"] == "张三"
    with pytest.raises(SheetError, match="文件过大"):
        read_sheet(upload, columns=COLUMNS, filename=upload.name, max_bytes=upload.size - 1)


def test_empty_workbook(tmp_path):
    assert "空的" in sheet_error(tmp_path, [])


def test_too_many_rows(tmp_path):
    rows = [["姓名", "身份证号"]] + [["张三", ID_A]] * 4
    assert read(tmp_path, rows, max_rows=4).rows[-1].row == 5
    assert sheet_error(tmp_path, rows, max_rows=3).startswith("行数过多")


def test_first_sheet_with_a_header_is_used(tmp_path):
    path = write_xlsx(
        tmp_path / "名单.xlsx",
        [["说明：本表由村委会填写"]],
        extra_sheets=[("名单", [["姓名", "身份证号"], ["张三", ID_A]])],
    )
    parsed = read_sheet(path, columns=COLUMNS, filename="名单.xlsx")
    assert parsed.rows[0].values["name"] == "张三"


# ---- rows ----------------------------------------------------------------


def test_blank_footer_and_repeated_header_rows_are_skipped(tmp_path):
    parsed = read(
        tmp_path,
        [
            ["序号", "姓名", "身份证号"],
            [1, "张三", ID_A],
            [2, "   ", "\u3000"],
            [3, None, None],
            ["序号", "姓名", "身份证号"],
            [4, "李四", ID_B],
            ["合计", "2人", None],
            ["填表说明：身份证号请设为文本格式"],
            [None, "", " "],
        ],
    )
    assert [(r.row, r.values["name"]) for r in parsed.rows] == [(2, "张三"), (6, "李四")]
    assert parsed.errors == []


def test_errors_carry_excel_row_and_sheet_header(tmp_path):
    parsed = read(
        tmp_path,
        [
            ["蛟潭镇台账"],
            ["填报单位：蛟潭村"],
            ["学生姓名", "公民身份号码", "性别", "出生年月日", "手机号", "状态", "年级"],
            ["张三", BAD_CHECK, "男", "2015-3-8", "12345", "在读", "3"],
            ["", ID_B, "未知", "2015-02-30", "13812345678", "上学", "高一"],
        ],
    )
    assert parsed.header_row == 3
    assert [r.row for r in parsed.rows] == [4, 5]
    by_column = {(e.row, e.column): e.message for e in parsed.errors}
    assert by_column[(4, "公民身份号码")].startswith("身份证号校验位错误")
    assert by_column[(4, "手机号")].startswith("电话号码格式不正确：12345")
    assert by_column[(5, "学生姓名")] == "必填，不能为空"
    assert by_column[(5, "性别")].startswith("性别无法识别：未知")
    assert by_column[(5, "出生年月日")] == "日期无法识别：2015-02-30（示例：2015-03-08）"
    assert by_column[(5, "状态")] == "“上学”不是可选值（可填：在读、休学、辍学）"
    assert by_column[(5, "年级")].startswith("年级无法识别：高一")
    assert len(parsed.errors) == 7
    # The rest of the row is still normalised.
    assert parsed.rows[1].values["id_number"] == ID_B
    assert parsed.rows[1].values["phone"] == "13812345678"
    assert parsed.rows[0].values["name"] == "张三" and parsed.rows[0].values["id_number"] is None
    assert parsed.rows[0].raw["id_number"] == BAD_CHECK


def test_id_stored_as_number(tmp_path):
    parsed = read(tmp_path, [["姓名", "身份证号"], ["张三", int(ID_A[:17] + "0")]])
    assert parsed.errors == [
        CellError(
            2,
            "身份证号",
            "身份证号被 Excel 存成了数字，后几位可能已丢失，请把该列设为文本后重新填写",
        )
    ]


def test_old_15_digit_id_stored_as_number_is_upgraded(tmp_path):
    parsed = read(tmp_path, [["姓名", "身份证号"], ["张三", 360203850101123]])
    first17 = "36020319850101123"
    assert parsed.rows[0].values["id_number"] == first17 + check_char(first17)


def test_full_width_spaces_and_lowercase_x(tmp_path):
    full_width = ID_A.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    parsed = read(
        tmp_path,
        [
            ["姓名", "身份证号", "联系电话"],
            ["\u3000张\u3000三 ", " " + full_width + "\u3000", "１３８ １２３４ ５６７８"],
            ["李四", ID_X.lower(), "０７９１－１２３４５６７"],
            ["Ｌｉ  Ｍｉｎｇ", ID_X[:6] + " " + ID_X[6:14] + " " + ID_X[14:], "+86 138-1234-5678"],
        ],
    )
    assert parsed.errors == []
    assert [r.values["name"] for r in parsed.rows] == ["张三", "李四", "LiMing"]
    assert [r.values["id_number"] for r in parsed.rows] == [ID_A, ID_X, ID_X]
    assert [r.values["phone"] for r in parsed.rows] == [
        "13812345678",
        "0791-1234567",
        "13812345678",
    ]


def test_text_columns_collapse_whitespace_and_fix_floats(tmp_path):
    columns = [*COLUMNS, Column("address", "家庭住址"), Column("note", "备注")]
    parsed = read(
        tmp_path,
        [
            ["姓名", "身份证号", "家庭住址", "备注", "联系电话"],
            ["张三", ID_A, " 蛟潭村\u3000 3组  ", 12, 13812345678],
        ],
        columns=columns,
    )
    values = parsed.rows[0].values
    assert values["address"] == "蛟潭村 3组"
    assert values["note"] == "12"
    assert values["phone"] == "13812345678"


def test_dates_as_serials_real_dates_and_text(tmp_path):
    cells = [
        42071,  # serial written as a number
        42071.0,
        datetime(2015, 3, 8),
        date(2015, 3, 8),
        "2015-3-8",
        "2015/03/08",
        "2015.03.08",
        "2015年3月8日",
        "20150308",
        "2015-03-08 00:00:00",
        "２０１５－０３－０８",
        20150308,
    ]
    rows = [["姓名", "身份证号", "出生日期"]] + [["张三", ID_A, c] for c in cells]
    parsed = read(tmp_path, rows)
    assert parsed.errors == []
    assert [r.values["birth_date"] for r in parsed.rows] == [date(2015, 3, 8)] * len(cells)


def test_vertically_merged_data_cells_are_copied(tmp_path):
    parsed = read(
        tmp_path,
        [["姓名", "身份证号", "联系电话"], ["张三", ID_A, "13812345678"], ["张四", ID_B, None]],
        merges=["C2:C3"],
    )
    assert [r.values["phone"] for r in parsed.rows] == ["13812345678", "13812345678"]
