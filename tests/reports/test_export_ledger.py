"""Issue 11, Excel: the 《控辍保学总台账》 as Excel through the ledger machinery
(web and `manage.py export_ledger`), and the command for every ledger."""

import datetime
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from reports.ledgers import by_name
from students.models import AccessLog, Child, TermCheck

from .ledgers_helpers import TERM, export, read_xlsx

CASE_COLUMNS = [
    "序号",
    "乡镇",
    "村（社区）",
    "姓名",
    "身份证号",
    "就读学校",
    "年级班级",
    "建档日期",
    "建档原因",
    "个案状态",
    "复学日期",
    "销号状态",
    "销号日期",
    "销号确认人",
]


def struck_off(world):
    """王小明's case: returned, proposed by the school, confirmed by 甲镇."""
    from cases import services
    from cases.closing import services as closing
    from cases.closing import todos

    today = timezone.localdate()
    case = services.open_case_by_hand(child=world.c_class, by=world.school_admin)
    case = services.record_return(
        case=case, by=world.school_admin, returned_on=today, placement="original_class"
    )
    todos.create_propose_todo(case, on=today, note="返校后已到校5个上学日")
    closing.record_xueji(case=case, by=world.school_admin, note="已恢复学籍")
    closing.propose_close(case=case, by=world.school_admin)
    world.township_user.first_name = "汪文道"
    world.township_user.save()
    closing.confirm_close(case=case, by=world.township_user, note="核实稳定就读")
    # A second, open case whose child's name looks like a formula.
    Child.objects.filter(pk=world.c_s1_other_class.pk).update(name='=HYPERLINK("http://x","点")')
    services.open_case_by_hand(child=world.c_s1_other_class, by=world.school_admin)
    return today


def read_file(path):
    return read_xlsx_bytes(Path(path).read_bytes())


def read_xlsx_bytes(data):
    ws = load_workbook(io.BytesIO(data)).active
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    header = next(i for i, row in enumerate(rows) if row[0] == "序号")
    return {
        "title": rows[0][0],
        "subtitle": [r[0] for r in rows[1:header]],
        "header": rows[header],
        "rows": rows[header + 1 :],
        "ws": ws,
    }


def by_name_row(sheet, name):
    return dict(zip(sheet["header"], next(r for r in sheet["rows"] if r[3] == name), strict=True))


def exports():
    return AccessLog.objects.filter(action=AccessLog.Action.EXPORT).order_by("pk")


# --------------------------------------------------------------------------
# The 总台账 workbook, on the web and from the command
# --------------------------------------------------------------------------


def test_case_ledger_page_has_the_export_button_and_the_workbook_agrees(world, login):
    today = struck_off(world)
    client = login(world.township_user)
    page = client.get(reverse("reports:case_ledger")).content.decode()
    assert "导出Excel" in page and reverse("reports:case_ledger_export") in page
    assert "已销号（乡镇确认）" in page and "汪文道" in page
    sheet = read_xlsx(export(client, reverse("reports:case_ledger_export")))
    assert sheet["title"] == "甲镇控辍保学总台账"
    assert sheet["header"] == CASE_COLUMNS
    row = dict(
        zip(CASE_COLUMNS, sheet["rows"][[r[3] for r in sheet["rows"]].index("王小明")], strict=True)
    )
    assert row["销号状态"] == "已销号（乡镇确认）" and row["销号确认人"] == "汪文道"
    assert row["销号日期"].date() == today and row["个案状态"] == "已销号"
    ids = world.c_class.id_number
    assert row["身份证号"] == ids[:4] + "*" * 10 + ids[-4:]
    # Same rows as the page (same selector): both cases, struck-off one kept.
    assert len(sheet["rows"]) == 2
    assert "王小明" in page and "HYPERLINK" in page


def test_command_case_ledger_title_columns_struck_off_masked_and_neutralised(world, tmp_path):
    today = struck_off(world)
    out = tmp_path / "总台账.xlsx"
    call_command(
        "export_ledger",
        "控辍保学总台账",
        "--county",
        "测试县",
        "--township",
        "甲镇",
        "--out",
        str(out),
    )
    sheet = read_file(out)
    assert sheet["title"] == "甲镇控辍保学总台账"
    assert any("填报单位：甲镇" in s and "内部资料 注意保密" in s for s in sheet["subtitle"])
    assert list(sheet["header"]) == CASE_COLUMNS
    row = by_name_row(sheet, "王小明")
    assert row["销号状态"] == "已销号（乡镇确认）" and row["销号日期"].date() == today
    ids = world.c_class.id_number
    assert row["身份证号"] == ids[:4] + "*" * 10 + ids[-4:]
    # The formula-like name is text, never a formula Excel would evaluate.
    ws = sheet["ws"]
    cell = next(c for r in ws.iter_rows() for c in r if c.value == '=HYPERLINK("http://x","点")')
    assert cell.data_type == "s"
    assert exports().last().detail.startswith("甲镇控辍保学总台账（脱敏）· 甲镇 · 2 行（命令行）")


def test_command_full_export_is_unmasked_and_recorded(world, tmp_path):
    struck_off(world)
    out = tmp_path / "full.xlsx"
    call_command(
        "export_ledger",
        "控辍保学总台账",
        "--county",
        "测试县",
        "--township",
        "甲镇",
        "--full",
        "--out",
        str(out),
        "--user",
        "township",
    )
    row = by_name_row(read_file(out), "王小明")
    assert row["身份证号"] == world.c_class.id_number
    log = exports().last()
    assert log.user == world.township_user and log.county == world.county
    assert "（含完整身份证号和电话）" in log.detail and "命令行" in log.detail


def test_workbook_layout_widths_freeze_print_titles(world, tmp_path):
    struck_off(world)
    out = tmp_path / "a.xlsx"
    call_command("export_ledger", "控辍保学总台账", "--county", "测试县", "--out", str(out))
    ws = load_workbook(out).active
    assert ws["A1"].value == "测试县控辍保学总台账"
    assert "A1:N1" in {str(r) for r in ws.merged_cells.ranges}
    header_row = next(r[0].row for r in ws.iter_rows() if r[0].value == "序号")
    assert ws.freeze_panes == f"A{header_row + 1}"
    assert ws.print_title_rows == f"${header_row}:${header_row}"
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    assert ws.column_dimensions["E"].width == 21  # 身份证号
    assert ws.column_dimensions["L"].width == 20  # 销号状态


# --------------------------------------------------------------------------
# The command for every ledger, refusals, and atomic writes
# --------------------------------------------------------------------------


@pytest.mark.parametrize("name", by_name.NAMES)
def test_every_ledger_by_name(world, tmp_path, name):
    TermCheck.objects.create(
        child=world.c_class, term=TERM, present=False, checked_by=world.teacher
    )
    out = tmp_path / "x.xlsx"
    call_command(
        "export_ledger",
        name,
        "--county",
        "测试县",
        "--township",
        "甲镇",
        "--village",
        "一村",
        "--out",
        str(out),
    )
    sheet = read_file(out)
    assert name in sheet["title"] and sheet["title"].startswith("甲镇")
    assert sheet["header"][0] == "序号"


def test_unknown_name_lists_the_names(world, tmp_path):
    out = tmp_path / "x.xlsx"
    with pytest.raises(CommandError) as e:
        call_command("export_ledger", "总账", "--county", "测试县", "--out", str(out))
    assert "没有名为“总账”的台账" in str(e.value)
    assert all(name in str(e.value) for name in by_name.NAMES)
    assert not out.exists()


@pytest.mark.parametrize(
    "args",
    [
        ["--township", "乙乡"],  # another township of the same county
        ["--village", "三村"],
        ["--school", "乙乡小学"],
    ],
)
def test_user_outside_reach_is_refused_no_file(world, tmp_path, args):
    out = tmp_path / "x.xlsx"
    with pytest.raises(CommandError) as e:
        call_command(
            "export_ledger",
            "控辍保学总台账",
            "--county",
            "测试县",
            *args,
            "--user",
            "township",
            "--out",
            str(out),
        )
    assert "不在该用户的管辖范围内" in str(e.value)
    assert not out.exists() and list(tmp_path.iterdir()) == []
    assert not exports().exists()


def test_other_county_refused_and_exit_code(world, tmp_path):
    import subprocess
    import sys

    out = tmp_path / "x.xlsx"
    with pytest.raises(CommandError, match="邻县不在该用户的管辖范围内"):
        call_command(
            "export_ledger",
            "辍学学生台账",
            "--county",
            "邻县",
            "--user",
            "county",
            "--out",
            str(out),
        )
    # A CommandError exits with a non-zero code from the shell.
    assert (
        subprocess.run(
            [
                sys.executable,
                "manage.py",
                "export_ledger",
                "总账",
                "--county",
                "测试县",
                "--out",
                str(out),
            ],
            capture_output=True,
            cwd=Path(__file__).parents[2],
        ).returncode
        != 0
    )
    assert not out.exists()


def test_date_where_supported_future_refused(world, tmp_path):
    out = tmp_path / "x.xlsx"
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(CommandError, match="不能晚于今天"):
        call_command(
            "export_ledger",
            "适龄儿童台账",
            "--county",
            "测试县",
            "--date",
            f"{tomorrow:%Y-%m-%d}",
            "--out",
            str(out),
        )
    with pytest.raises(CommandError, match="不支持 --date"):
        call_command(
            "export_ledger",
            "控辍保学总台账",
            "--county",
            "测试县",
            "--date",
            "2026-09-01",
            "--out",
            str(out),
        )
    call_command(
        "export_ledger",
        "适龄儿童台账",
        "--county",
        "测试县",
        "--date",
        "2026-09-01",
        "--out",
        str(out),
    )
    assert any("截至：2026年9月1日" in s for s in read_file(out)["subtitle"])


def test_failure_while_writing_rows_leaves_no_file(world, tmp_path, monkeypatch):
    from students import workbooks

    struck_off(world)
    out = tmp_path / "x.xlsx"
    real, calls = workbooks._data_cell, []

    def failing(ws, value):
        calls.append(value)
        if len(calls) > 20:  # into the second row
            raise OSError("disk full")
        return real(ws, value)

    monkeypatch.setattr(workbooks, "_data_cell", failing)
    with pytest.raises(OSError):
        call_command("export_ledger", "控辍保学总台账", "--county", "测试县", "--out", str(out))
    assert list(tmp_path.iterdir()) == []
    assert not exports().exists()


def test_failure_mid_save_leaves_no_file_and_keeps_the_old_one(world, tmp_path, monkeypatch):
    """The zip is half written (workbook parts, no sheet) when the save fails:
    nothing at --out, no temporary file left, a previous file untouched."""
    from openpyxl.writer.excel import ExcelWriter

    struck_off(world)
    out = tmp_path / "x.xlsx"
    seen = []

    def failing(self):
        seen.extend(self._archive.namelist())
        raise OSError("killed")

    monkeypatch.setattr(ExcelWriter, "_write_worksheets", failing)
    with pytest.raises(OSError):
        call_command("export_ledger", "控辍保学总台账", "--county", "测试县", "--out", str(out))
    assert seen  # something had been written to the temporary file
    assert list(tmp_path.iterdir()) == []
    out.write_bytes(b"old")
    with pytest.raises(OSError):
        call_command("export_ledger", "控辍保学总台账", "--county", "测试县", "--out", str(out))
    assert list(tmp_path.iterdir()) == [out] and out.read_bytes() == b"old"
    assert not exports().exists()
