"""The sheets an import hands back: blank templates and the marked-up errors."""

from collections import defaultdict

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from .. import importing
from ..models import Child, ImportBatch
from ..sheets import read_grid
from ..workbooks import official_sheet, put_value, workbook_response

BAD = PatternFill("solid", fgColor="FFC7CE")
BAD_FONT = Font(color="9C0006", bold=True)

# The template's columns, in the order of the official 底数台账 (000 附件2,
# 004), with a width each and the drop-down of allowed values where there is one.
TEMPLATE_COLUMNS = {
    ImportBatch.Kind.ROSTER: [
        ("序号", 6, None),
        ("村名", 10, None),
        ("村民小组", 9, None),
        ("户主姓名", 10, None),
        ("学生姓名", 10, None),
        ("性别", 6, ["男", "女"]),
        ("出生日期", 12, None),
        ("身份证号码", 21, None),
        ("就读学校", 18, None),
        ("就读年级班级", 13, None),
        ("联系电话", 14, None),
        ("家庭住址", 22, None),
        ("是否脱贫户/监测户", 11, ["脱贫户", "监测户", "否"]),
        ("入学状态", 11, [label for _, label in Child.Status.choices]),
        ("是否特殊群体", 16, None),
        ("是否有辍学风险", 9, ["是", "否"]),
        ("备注", 16, None),
    ],
    ImportBatch.Kind.XUEJI: [
        ("姓名", 10, None),
        ("性别", 6, ["男", "女"]),
        ("出生日期", 12, None),
        ("身份证件号", 21, None),
        ("全国学籍号", 22, None),
        ("学校名称", 18, None),
        ("年级", 8, None),
        ("班级", 8, None),
        ("入学年月", 10, None),
        ("户口所在地", 20, None),
        ("现住址", 22, None),
        ("联系电话", 14, None),
    ],
    ImportBatch.Kind.HUJI: [
        ("姓名", 10, None),
        ("身份证号", 21, None),
        ("性别", 6, ["男", "女"]),
        ("出生日期", 12, None),
        ("户主姓名", 10, None),
        ("村（社区）", 12, None),
        ("住址", 26, None),
    ],
    ImportBatch.Kind.TUOPIN: [
        ("户主姓名", 10, None),
        ("姓名", 10, None),
        ("身份证号", 21, None),
        ("类别", 10, ["脱贫户", "监测户"]),
        ("村（社区）", 12, None),
    ],
    ImportBatch.Kind.HANDOVER: [
        ("姓名", 10, None),
        ("身份证号", 21, None),
        ("性别", 6, ["男", "女"]),
        ("毕业学校", 18, None),
        ("毕业年级班级", 13, None),
        ("指定中学", 18, None),
        ("备注", 16, None),
    ],
}
TEMPLATE_TITLES = {
    ImportBatch.Kind.ROSTER: "{township}适龄儿童少年底数台账（{village}）",
    ImportBatch.Kind.XUEJI: "{place}学生基本信息（学籍）",
    ImportBatch.Kind.HUJI: "{place}户籍信息（适龄儿童少年）",
    ImportBatch.Kind.TUOPIN: "{place}脱贫户/监测户适龄儿童少年名单",
    ImportBatch.Kind.HANDOVER: "{place}小学毕业生升入初中交接名单",
}
TEMPLATE_NOTES = {
    ImportBatch.Kind.ROSTER: "填写说明：每名适龄儿童一行；身份证号码请设为文本格式；"
    "出生日期如 2015-03-08；就读年级班级如 三年级2班；是否特殊群体可填 留守儿童、残疾、孤儿 等，多项用顿号分隔，没有填 否。",
    ImportBatch.Kind.XUEJI: "按学籍系统“学生基本信息”导出的列填写；全国学籍号必填。",
    ImportBatch.Kind.HUJI: "可整户填写，系统只保留3至18周岁人员。",
    ImportBatch.Kind.TUOPIN: "可整户填写，系统只保留3至18周岁人员。",
    ImportBatch.Kind.HANDOVER: "本校当年毕业生每人一行；指定中学按教育局招生片区填写，须为本县初中或九年一贯制学校。",
}
EXAMPLE_ROWS = 200  # rows that carry the drop-downs


def template_response(kind, *, village=None, place=""):
    columns = TEMPLATE_COLUMNS[kind]
    if village is not None:
        title = TEMPLATE_TITLES[kind].format(
            township=village.township, village=village, place=village
        )
        subtitle = [
            f"填报单位：{village.township}{village}    填报人：          联系电话：          填报日期：    年  月  日"
        ]
    else:
        title = (
            TEMPLATE_TITLES[kind]
            .format(township=place, village="", place=place)
            .replace("（）", "")
        )
        subtitle = [f"填报单位：{place}    填报日期：    年  月  日"]
    wb = Workbook()
    ws = wb.active
    ws.title = "填报表"
    official_sheet(
        ws,
        title=title,
        subtitle_lines=subtitle + [TEMPLATE_NOTES[kind]],
        columns=[c[0] for c in columns],
        rows=[],
        widths=[c[1] for c in columns],
    )
    header_row = ws.max_row
    for index, (label, _width, allowed) in enumerate(columns, start=1):
        letter = ws.cell(row=header_row, column=index).column_letter
        if allowed:
            dv = DataValidation(
                type="list",
                formula1='"' + ",".join(allowed) + '"',
                allow_blank=True,
                showErrorMessage=True,
                errorTitle="请从下拉列表中选择",
                error=f"{label}只能填：{'、'.join(allowed)}",
            )
            ws.add_data_validation(dv)
            dv.add(f"{letter}{header_row + 1}:{letter}{header_row + EXAMPLE_ROWS}")
        if label in ("身份证号码", "身份证号", "身份证件号", "全国学籍号", "联系电话"):
            for row in range(header_row + 1, header_row + EXAMPLE_ROWS + 1):
                ws.cell(row=row, column=index).number_format = "@"  # text: keeps all 18 digits
    name = title.replace("/", "、")
    return workbook_response(wb, f"{name}（模板）.xlsx")


def error_response(batch):
    """The uploaded sheet again, bad cells in red with a note, plus 错误说明."""
    with batch.file.open("rb") as f:
        parsed = importing.read_for_errors(batch, f)
        grid = read_grid(f, filename=batch.filename, sheet_name=parsed.sheet_name)
    by_row = defaultdict(list)
    for e in batch.errors:
        by_row[e["row"]].append(e)
    index_of_header = {parsed.columns[k]: i for k, i in parsed.column_index.items()}
    wb = Workbook()
    ws = wb.active
    ws.title = "错误说明"
    width = max((len(r) for r in grid), default=0)
    for r, values in enumerate(grid, start=1):
        for c, value in enumerate(values, start=1):
            if value is not None:
                put_value(ws.cell(row=r, column=c), value)
        if r == parsed.header_row:
            cell = ws.cell(row=r, column=width + 1, value="错误说明")
            cell.font = BAD_FONT
        for e in by_row.get(r, []):
            col = index_of_header.get(e["column"])
            if col is not None:
                cell = ws.cell(row=r, column=col + 1)
                cell.fill = BAD
                cell.comment = Comment(e["message"], "控辍保学系统")
        if r in by_row:
            note = put_value(
                ws.cell(row=r, column=width + 1),
                "；".join(f"{e['column']}：{e['message']}" for e in by_row[r]),
            )
            note.font = BAD_FONT
            note.alignment = Alignment(wrap_text=True)
    ws.column_dimensions[ws.cell(row=1, column=width + 1).column_letter].width = 50
    ws.freeze_panes = ws.cell(row=parsed.header_row + 1, column=1)
    stem = batch.filename.rsplit(".", 1)[0]
    return workbook_response(wb, f"{stem}（错误说明）.xlsx")
