"""A village roster sheet, shared by test_import and the browser test."""

import datetime
import io

from openpyxl import Workbook

from ..conftest import make_id

ROSTER_HEADER = [
    "序号",
    "村名",
    "户主姓名",
    "学生姓名",
    "性别",
    "出生日期",
    "身份证号码",
    "就读学校",
    "就读年级班级",
    "联系电话",
    "是否脱贫户/监测户",
    "入学状态",
    "是否特殊群体",
]
B1, B2, B3 = datetime.date(2016, 4, 1), datetime.date(2014, 9, 9), datetime.date(2017, 1, 20)
ID1, ID2, ID3 = make_id("520102", B1, 31), make_id("520102", B2, 42), make_id("520102", B3, 53)


def xlsx(rows, *, title=("一村适龄儿童少年底数台账", "填报单位：一村")):
    wb = Workbook()
    ws = wb.active
    for line in title:
        ws.append([line])
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def roster_rows(changes=None):
    rows = [
        ROSTER_HEADER,
        [
            1,
            "一村",
            "刘大海",
            "刘一",
            "男",
            "2016-04-01",
            ID1,
            "甲镇中心学校",
            "四年级1班",
            "13800000001",
            "脱贫户",
            "在读",
            "留守儿童",
        ],
        [
            2,
            "一村",
            "刘大海",
            "刘二",
            "女",
            "2014.9.9",
            ID2.lower(),
            "甲镇中心学校",
            "六年级2班",
            "13800000001",
            "脱贫户",
            "在读",
            "否",
        ],
        [
            3,
            "一村",
            "陈小河",
            "陈三",
            "1-男",
            "2017年1月20日",
            " " + ID3 + " ",
            "",
            "",
            "13900000002",
            "否",
            "未入学",
            "",
        ],
    ]
    for (r, c), value in (changes or {}).items():
        rows[r][ROSTER_HEADER.index(c)] = value
    return rows
