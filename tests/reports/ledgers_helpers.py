"""Columns, builders and readers shared by the ledger tests."""

import datetime
import io
from itertools import count

from django.http import QueryDict
from openpyxl import load_workbook

from reports import ledgers
from students.models import Child
from students.workbooks import XLSX_CONTENT_TYPE

from ..conftest import make_id

SCHOOL_AGE_COLUMNS = [
    "序号",
    "乡镇",
    "村（社区）",
    "姓名",
    "性别",
    "出生日期",
    "身份证号",
    "户主姓名",
    "就读学校",
    "年级班级",
    "入学状态",
    "特殊群体",
    "是否脱贫户/监测户",
    "联系电话",
    "备注",
]
DROPOUT_COLUMNS = [
    "序号",
    "乡镇",
    "村（社区）",
    "姓名",
    "性别",
    "出生日期",
    "身份证号",
    "就读学校",
    "年级班级",
    "班主任",
    "户主姓名",
    "联系电话",
    "是否脱贫户/监测户",
    "特殊群体",
    "状态变更时间",
    "备注",
]
ROSTER_COLUMNS = [
    "序号",
    "村民小组",
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
    "是否有辍学风险",
    "备注",
]
# Seed 000 附件2, exactly.
TERM_COLUMNS = [
    "序号",
    "村名",
    "学生姓名",
    "性别",
    "就读学校",
    "就读年级班级",
    "身份证号码",
    "户主姓名",
    "联系电话",
    "是否脱贫户/监测户",
    "备注",
]
TERM = "2026年秋季学期"
_seq = count(501, 2)


def add_child(village, name, *, birth=datetime.date(2015, 3, 8), **kw):
    return Child.objects.create(
        village=village,
        name=name,
        gender="M",
        birth_date=birth,
        id_number=make_id("360222", birth, next(_seq) % 1000),
        **kw,
    )


def names(selection):
    return [r["name"] for r in selection.values()]


def child_ledger(user, slug, query=""):
    return ledgers.select_child_ledger(user, slug, QueryDict(query))


def read_xlsx(response):
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    ws = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(ws.iter_rows(values_only=True))
    header = next(i for i, row in enumerate(rows) if row[0] == "序号")
    return {
        "title": rows[0][0],
        "subtitle": [r[0] for r in rows[1:header]],
        "header": list(rows[header]),
        "rows": [list(r) for r in rows[header + 1 :]],
        "ws": ws,
    }


def column(sheet, name):
    i = sheet["header"].index(name)
    return [r[i] for r in sheet["rows"]]


def export(client, url, query="", full=False):
    target = f"{url}?{query}" if query else url
    return client.post(target, {"full": "1"} if full else {})
