"""Tests for students.sheets: the value normalisers (dates, genders, yes/no,
grades, choices, phones, numbers) — no database."""

from datetime import date, datetime

import pytest

from students.sheets import CellError, Column, parse_date

from .sheets_helpers import COLUMNS, ID_A, ID_B, STATUS, read

# ---- value normalisers ---------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1, date(1900, 1, 1)),
        (59, date(1900, 2, 28)),
        (61, date(1900, 3, 1)),
        (42071, date(2015, 3, 8)),
        (42071.75, date(2015, 3, 8)),
        ("2015-3-8", date(2015, 3, 8)),
        ("2015/03/08", date(2015, 3, 8)),
        ("2015.03.08", date(2015, 3, 8)),
        ("2015年3月8日", date(2015, 3, 8)),
        ("2015 年 3 月 8 日", date(2015, 3, 8)),
        ("20150308", date(2015, 3, 8)),
        ("2015-03-08 00:00:00", date(2015, 3, 8)),
        (" 2015-03-08T10:30 ", date(2015, 3, 8)),
        (datetime(2015, 3, 8, 10, 30), date(2015, 3, 8)),
    ],
)
def test_parse_date(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize(
    "value", [60, 0, -3, "2015-13-01", "2015-02-29", "三月八日", "2015-03", "", True]
)
def test_parse_date_rejects(value):
    with pytest.raises(ValueError, match=r"^日期无法识别：.*（示例：2015-03-08）$"):
        parse_date(value)


def one_column(tmp_path, column, values):
    """Normalise `values` in a sheet with 姓名, 身份证号 and `column`."""
    rows = [["姓名", "身份证号", column.label]] + [["张三", ID_A, v] for v in values]
    return read(tmp_path, rows, columns=[*COLUMNS[:1], COLUMNS[3], column])


def test_gender_forms(tmp_path):
    column = Column("gender", "性别", kind="gender")
    good = [
        "男",
        "女",
        1,
        2,
        1.0,
        "1",
        "2",
        "1-男",
        "2-女",
        "1男",
        "M",
        "f",
        "男性",
        "女性",
        " 男 ",
    ]
    parsed = one_column(tmp_path, column, [*good, "男女", 3])
    values = [r.values["gender"] for r in parsed.rows]
    assert values == [
        "M",
        "F",
        "M",
        "F",
        "M",
        "M",
        "F",
        "M",
        "F",
        "M",
        "M",
        "F",
        "M",
        "F",
        "M",
        None,
        None,
    ]
    assert [e.row for e in parsed.errors] == [len(good) + 2, len(good) + 3]
    assert "可填：男、女" in parsed.errors[0].message


def test_bool_forms(tmp_path):
    column = Column("is_tuopin", "是否脱贫户", kind="bool")
    cells = [
        "是",
        "否",
        "Y",
        "n",
        "yes",
        "No",
        1,
        0,
        "√",
        "×",
        "是（脱贫户）",
        "1-是",
        True,
        None,
        "也许",
    ]
    parsed = one_column(tmp_path, column, cells)
    values = [r.values["is_tuopin"] for r in parsed.rows]
    expected = [True, False, True, False, True, False, True, False, True, False, True, True, True]
    assert values == [*expected, None, None]
    assert [e.row for e in parsed.errors] == [len(cells) + 1]
    assert parsed.errors[0].message.startswith("无法识别为“是/否”：也许")


def test_grade_forms(tmp_path):
    column = Column("grade", "年级", kind="grade")
    cells = [
        3,
        9.0,
        "1",
        "三年级",
        "初一",
        "初二",
        "初三",
        "七年级",
        "一年级",
        "3年级",
        "小学三年级",
    ]
    cells += ["初中一年级", "三年级（2）班", "高一", "10", "小学七年级", "初四", "学前班"]
    parsed = one_column(tmp_path, column, cells)
    values = [r.values["grade"] for r in parsed.rows]
    assert values[:13] == [3, 9, 1, 3, 7, 8, 9, 7, 1, 3, 3, 7, 3]
    assert values[13:] == [None] * 5
    assert len(parsed.errors) == 5


def test_choice_forms(tmp_path):
    column = Column("status", "在学状态", kind="choice", choices=STATUS)
    cells = ["在读", "休学", "dropped_out", "1", 2, "3-辍学", "1-在读", "1－在读", "2-在读", "上学"]
    parsed = one_column(tmp_path, column, cells)
    values = [r.values["status"] for r in parsed.rows]
    assert values[:8] == ["enrolled", "suspended", "dropped_out", "enrolled", "suspended"] + [
        "dropped_out",
        "enrolled",
        "enrolled",
    ]
    assert values[8:] == [None, None]
    assert [e.message for e in parsed.errors] == [
        "“2-在读”不是可选值（可填：在读、休学、辍学）",
        "“上学”不是可选值（可填：在读、休学、辍学）",
    ]


def test_phone_forms(tmp_path):
    column = Column("phone", "联系电话", kind="phone")
    cells = [13812345678, 13812345678.0, "138-1234-5678", "0791-1234567", "(0791)1234567"]
    cells += [
        "07911234567",
        "'13812345678",
        "23812345678",
        "1381234567",
        "12345",
        "13812345678/139",
    ]
    parsed = one_column(tmp_path, column, cells)
    values = [r.values["phone"] for r in parsed.rows]
    assert values[:7] == ["13812345678", "13812345678", "13812345678", "0791-1234567"] + [
        "0791-1234567",
        "0791-1234567",  # one stored form for a landline (students/phones.py)
        "13812345678",
    ]
    assert values[7:] == [None] * 4
    assert len(parsed.errors) == 4


def test_int_and_xueji(tmp_path):
    columns = [
        *COLUMNS[:1],
        COLUMNS[3],
        Column("people", "家庭人口", kind="int"),
        Column("xueji", "全国学籍号", ("学籍号",), kind="xueji_number"),
    ]
    rows = [
        ["姓名", "身份证号", "家庭人口", "学籍号"],
        ["张三", ID_A, 5.0, "g" + ID_A[:9] + " " + ID_A[9:]],
        ["李四", ID_B, "四口", "L123"],
    ]
    parsed = read(tmp_path, rows, columns=columns)
    assert parsed.rows[0].values["people"] == 5
    assert parsed.rows[0].values["xueji"] == "G" + ID_A
    assert parsed.errors == [CellError(3, "家庭人口", "应为整数：四口")]


def test_column_rejects_unknown_kind():
    with pytest.raises(ValueError):
        Column("x", "X", kind="money")
    with pytest.raises(ValueError):
        Column("x", "X", kind="choice")
