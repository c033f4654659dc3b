"""Ledger exports: columns, titles from the data, masking, full exports (always
logged), the generic sheet writer, and exporting on a phone."""

import datetime
import io
from urllib.parse import unquote

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from reports import ledgers
from students.jurisdiction import access
from students.models import AccessLog, Child, Household, TermCheck, VillageGroup
from students.workbooks import XLSX_CONTENT_TYPE, official_sheet, workbook_response

from .ledgers_helpers import (
    DROPOUT_COLUMNS,
    ROSTER_COLUMNS,
    SCHOOL_AGE_COLUMNS,
    TERM,
    TERM_COLUMNS,
    column,
    export,
    read_xlsx,
)

# --------------------------------------------------------------------------
# Exports: columns, titles from data, masking
# --------------------------------------------------------------------------


def EXPORTS():  # noqa: N802 - reads like the table it queries
    return AccessLog.objects.filter(action=AccessLog.Action.EXPORT)


@pytest.mark.parametrize(
    "slug,columns,title",
    [
        ("school-age", SCHOOL_AGE_COLUMNS, "甲镇适龄儿童台账"),
        ("suspected-dropout", DROPOUT_COLUMNS, "甲镇疑似辍学学生台账"),
        ("dropout", DROPOUT_COLUMNS, "甲镇辍学学生台账"),
    ],
)
def test_child_ledger_export_columns_title_and_masking(world, login, slug, columns, title):
    status = {"suspected-dropout": "suspected_dropout", "dropout": "dropout"}.get(slug)
    if status:
        Child.objects.filter(pk=world.c_class.pk).update(
            status=status,
            status_changed_at=datetime.datetime(2026, 11, 2, 1, 30, tzinfo=datetime.UTC),
        )
    url = reverse("reports:child_ledger_export", args=[slug])
    sheet = read_xlsx(login(world.township_user).get(url))
    assert sheet["title"] == title
    assert sheet["header"] == columns
    assert any("内部资料 注意保密" in line for line in sheet["subtitle"])
    assert any("填报单位：甲镇" in line for line in sheet["subtitle"])
    full_id = world.c_class.id_number
    ids = column(sheet, "身份证号")
    assert f"{full_id[:4]}**********{full_id[-4:]}" in ids and full_id not in ids
    assert "138****5678" in column(sheet, "联系电话")
    assert column(sheet, "序号") == list(range(1, len(sheet["rows"]) + 1))
    row = sheet["rows"][column(sheet, "姓名").index("王小明")]
    cells = dict(zip(columns, row, strict=True))
    assert cells["乡镇"] == "甲镇" and cells["村（社区）"] == "一村"
    assert cells["年级班级"] == "五年级1班" and cells["户主姓名"] == "王大山"
    assert cells["是否脱贫户/监测户"] == "脱贫户"
    assert cells["出生日期"].date() == datetime.date(2015, 3, 8)
    if status:
        assert cells["状态变更时间"] == datetime.datetime(2026, 11, 2, 9, 30)  # Beijing time


def test_village_roster_export(world, login):
    g = VillageGroup.objects.create(village=world.v1, name="三组")
    Household.objects.filter(pk=world.h1.pk).update(group=g, is_jiance=True)
    Child.objects.filter(pk=world.c_class.pk).update(has_dropout_risk=True, is_left_behind=True)
    url = reverse("reports:village_roster_export", args=[world.v1.pk])
    sheet = read_xlsx(login(world.village_user).get(url))
    assert sheet["title"] == "甲镇适龄儿童少年底数台账（一村）"
    assert sheet["header"] == ROSTER_COLUMNS
    [row] = sheet["rows"]
    cells = dict(zip(ROSTER_COLUMNS, row, strict=True))
    assert cells["村民小组"] == "三组" and cells["学生姓名"] == "王小明"
    assert cells["是否脱贫户/监测户"] == "脱贫户、监测户"
    assert cells["是否有辍学风险"] == "是"
    assert cells["入学状态"] == "在读"
    # 涉案未成年人 never reaches a village cadre.
    assert cells["是否特殊群体"] == "是（留守儿童、脱贫户、监测户）"
    assert (
        cells["身份证号码"] == world.c_class.id_number[:4] + "*" * 10 + world.c_class.id_number[-4:]
    )
    assert cells["联系电话"] == "138****5678"


def test_term_list_export_has_the_seed_columns_and_the_note(world, login):
    TermCheck.objects.create(
        child=world.c_class, term=TERM, present=False, note="随父母外出", checked_by=world.teacher
    )
    TermCheck.objects.create(
        child=world.c_s1_other_class, term=TERM, present=True, checked_by=world.teacher
    )
    url = reverse("reports:term_list_export")
    sheet = read_xlsx(login(world.township_user).get(url, {"term": TERM}))
    assert sheet["title"] == "甲镇动态摸排未到校学生名单"
    assert sheet["header"] == TERM_COLUMNS
    assert any(f"学期：{TERM}" in line for line in sheet["subtitle"])
    assert sheet["rows"] == [
        [
            1,
            "一村",
            "王小明",
            "男",
            "甲镇中心学校",
            "五年级1班",
            world.c_class.id_number[:4] + "*" * 10 + world.c_class.id_number[-4:],
            "王大山",
            "138****5678",
            "脱贫户",
            "随父母外出",
        ]
    ]
    sheet = read_xlsx(login(world.township_user).get(url, {"term": TERM, "village": world.v1.pk}))
    assert sheet["title"] == "甲镇动态摸排未到校学生名单（一村）"


def test_content_disposition_is_rfc5987_chinese(world, login):
    response = login(world.county_user).get(
        reverse("reports:child_ledger_export", args=["dropout"])
    )
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; filename*=UTF-8''")
    filename = unquote(disposition.split("''", 1)[1])
    assert filename.startswith("测试县辍学学生台账_") and filename.endswith(".xlsx")
    assert response["Cache-Control"] == "no-store"


def test_juvenile_case_tag_only_for_roles_that_handle_it(world, login):
    url = reverse("reports:child_ledger_export", args=["school-age"])
    for user, shown in ((world.village_user, False), (world.township_user, True)):
        sheet = read_xlsx(login(user).get(url))
        groups = column(sheet, "特殊群体")[column(sheet, "姓名").index("王小明")]
        assert ("涉案未成年人" in groups) == shown
        html = login(user).get(reverse("reports:child_ledger", args=["school-age"])).content
        assert ("涉案未成年人" in html.decode()) == shown


# --------------------------------------------------------------------------
# Full exports: only for roles that need them, always logged
# --------------------------------------------------------------------------


def test_full_export_for_allowed_roles_writes_export_log(world, login):
    url = reverse("reports:child_ledger_export", args=["school-age"])
    client = login(world.township_user)
    assert (
        "含完整身份证号和电话（将记录）"
        in client.get(reverse("reports:child_ledger", args=["school-age"])).content.decode()
    )
    sheet = read_xlsx(export(client, url, full=True))
    assert world.c_class.id_number in column(sheet, "身份证号")
    assert "13812345678" in column(sheet, "联系电话")
    assert any("含完整身份证号和电话" in line for line in sheet["subtitle"])
    log = EXPORTS().get()
    assert (log.user, log.detail, log.county) == (
        world.township_user,
        f"甲镇适龄儿童台账（含完整身份证号和电话）· 甲镇 · {len(sheet['rows'])} 行",
        world.county,
    )
    # A masked export (box not checked, or a plain GET) is logged as masked.
    export(client, url)
    client.get(url, {"full": "1"})
    assert [log.detail.split("·")[0] for log in EXPORTS().order_by("pk")] == [
        "甲镇适龄儿童台账（含完整身份证号和电话）",
        "甲镇适龄儿童台账（脱敏）",
        "甲镇适龄儿童台账（脱敏）",
    ]


def test_full_export_of_village_roster_and_term_list_logged(world, login):
    TermCheck.objects.create(
        child=world.c_class, term=TERM, present=False, checked_by=world.teacher
    )
    client = login(world.village_user)
    url = reverse("reports:village_roster_export", args=[world.v1.pk])
    sheet = read_xlsx(export(client, url, full=True))
    assert column(sheet, "身份证号码") == [world.c_class.id_number]
    url = reverse("reports:term_list_export")
    sheet = read_xlsx(export(client, url, f"term={TERM}", full=True))
    assert column(sheet, "联系电话") == ["13812345678"]
    assert [log.detail for log in EXPORTS().order_by("pk")] == [
        "甲镇适龄儿童少年底数台账（一村）（含完整身份证号和电话）· 甲镇一村 · 1 行",
        f"甲镇动态摸排未到校学生名单（一村）（含完整身份证号和电话）· 甲镇一村 {TERM} · 1 行",
    ]


def test_full_export_refused_for_teacher(world, login):
    TermCheck.objects.create(
        child=world.c_class, term=TERM, present=False, checked_by=world.teacher
    )
    client = login(world.teacher)
    page = client.get(reverse("reports:term_list"), {"term": TERM}).content.decode()
    assert "王小明" in page and "含完整身份证号和电话" not in page
    url = reverse("reports:term_list_export")
    sheet = read_xlsx(export(client, url, f"term={TERM}"))  # masked: fine
    assert world.c_class.id_number not in column(sheet, "身份证号码")
    assert export(client, url, f"term={TERM}", full=True).status_code == 404
    # The roster ledgers are not a class teacher's at all.
    for slug in ledgers.CHILD_LEDGERS:
        assert client.get(reverse("reports:child_ledger", args=[slug])).status_code == 404
        assert (
            export(client, reverse("reports:child_ledger_export", args=[slug])).status_code == 404
        )
    assert client.get(reverse("reports:roster_villages")).status_code == 404
    assert not EXPORTS().filter(detail__contains="含完整").exists()


def test_user_with_a_teacher_role_too_gets_masked_exports_only(world, login):
    from students.models import Membership

    Membership.objects.create(
        user=world.village_user, role="teacher", school=world.s1, grade=5, class_name="2班"
    )
    assert not access(world.village_user).may_export_full()
    url = reverse("reports:child_ledger_export", args=["school-age"])
    assert export(login(world.village_user), url, full=True).status_code == 404
    assert access(world.sysadmin).may_export_full() and access(world.county_user).may_export_full()
    assert not access(world.nobody).may_export_full()


# --------------------------------------------------------------------------
# The generic sheet writer
# --------------------------------------------------------------------------


@pytest.mark.parametrize("write_only", [True, False])
def test_official_sheet_layout(write_only):
    wb = Workbook(write_only=write_only)
    ws = wb.create_sheet("名单") if write_only else wb.active
    n = official_sheet(
        ws,
        title="某镇某名单",
        subtitle_lines=["填报单位：某镇", "内部资料 注意保密"],
        columns=["序号", "姓名", "出生日期", "备注"],
        rows=([i, f"学生{i}", datetime.date(2015, 1, i), "=HYPERLINK(1)"] for i in range(1, 4)),
    )
    assert n == 3
    buffer = io.BytesIO()
    wb.save(buffer)
    ws = load_workbook(buffer).worksheets[0]
    assert ws["A1"].value == "某镇某名单" and ws["A1"].font.b and ws["A1"].font.sz == 16
    assert {str(r) for r in ws.merged_cells.ranges} == {"A1:D1", "A2:D2", "A3:D3"}
    assert [c.value for c in ws[4]] == ["序号", "姓名", "出生日期", "备注"]
    assert all(c.font.b and c.border.top.style == "thin" for c in ws[4])
    assert ws.freeze_panes == "A5" and ws.print_title_rows == "$4:$4"
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
    assert ws.print_options.horizontalCentered
    assert ws["C5"].number_format == "yyyy-mm-dd" and ws["B5"].border.left.style == "thin"
    assert ws["D5"].data_type == "s" and ws["D5"].value == "=HYPERLINK(1)"  # never a formula
    assert ws.column_dimensions["B"].width >= 6


def test_workbook_response_headers():
    wb = Workbook()
    response = workbook_response(wb, "蛟潭镇 台账/2026.xlsx")
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    assert response["Content-Disposition"] == (
        "attachment; filename*=UTF-8''"
        + "%E8%9B%9F%E6%BD%AD%E9%95%87%20%E5%8F%B0%E8%B4%A6%2F2026.xlsx"
    )
    assert load_workbook(io.BytesIO(b"".join(response.streaming_content)))


# --------------------------------------------------------------------------
# On a phone
# --------------------------------------------------------------------------


@pytest.mark.browser
def test_ledger_page_and_export_on_a_phone(world, live_server, browser_login):
    from ..conftest import PHONE

    Child.objects.filter(pk=world.c_class.pk).update(status=Child.Status.DROPOUT)
    page = browser_login(world.township_user)
    page.goto(live_server.url + reverse("reports:index"))
    page.get_by_role("link", name="甲镇辍学学生台账").click()
    page.wait_for_url("**/reports/dropout/")
    # The page itself never scrolls sideways; the table scrolls in its box.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.get_by_role("link", name="王小明").is_visible()
    page.get_by_label("含完整身份证号和电话（将记录）").check()
    with page.expect_download() as download:
        page.get_by_role("button", name="导出Excel").click()
    assert download.value.suggested_filename.startswith("甲镇辍学学生台账（含完整信息）")
    sheet = load_workbook(io.BytesIO(download.value.path().read_bytes())).active
    assert world.c_class.id_number in [c.value for c in sheet["G"]]
    assert (
        EXPORTS()
        .filter(user=world.township_user, detail__endswith="含完整身份证号和电话）· 甲镇 · 1 行")
        .exists()
    )
