"""The county's three ledgers, the village 底数台账 and the 动态摸排未到校学生名单:
rows, columns, titles from the data, masking, full exports, scope, queries."""

import datetime
import io
from itertools import count
from urllib.parse import unquote

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from reports import ledgers
from students.jurisdiction import access
from students.models import (
    Child,
    ExportLog,
    Household,
    JurisdictionSettings,
    TermCheck,
    VillageGroup,
)
from students.schoolage import compulsory_birth_range
from students.workbooks import XLSX_CONTENT_TYPE, official_sheet, workbook_response

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


# --------------------------------------------------------------------------
# Rows of each ledger
# --------------------------------------------------------------------------


def test_school_age_ledger_by_birth_date_any_status(world):
    earliest, latest = compulsory_birth_range()
    add_child(world.v1, "最大", birth=earliest, status=Child.Status.DROPOUT)
    add_child(world.v1, "最小", birth=latest, status=Child.Status.NOT_ENROLLED)
    add_child(world.v1, "超龄", birth=earliest - datetime.timedelta(days=1))
    add_child(world.v1, "未到龄", birth=latest + datetime.timedelta(days=1))
    got = set(names(child_ledger(world.county_user, "school-age")))
    assert got == {"王小明", "李二", "张三", "赵四", "钱五", "最大", "最小"}


def test_school_age_uses_each_townships_entry_cutoff(world):
    """乙乡 counts children born by 31 December (its own settings); 甲镇 the county's 31 August."""
    JurisdictionSettings.objects.create(
        county=world.county, township=world.t2, entry_cutoff_month=12
    )
    _, latest = compulsory_birth_range()
    autumn = latest + datetime.timedelta(days=30)  # born in the autumn after the August cutoff
    add_child(world.v1, "甲镇秋生", birth=autumn)
    add_child(world.v3, "乙乡秋生", birth=autumn)
    got = set(names(child_ledger(world.county_user, "school-age")))
    assert "乙乡秋生" in got and "甲镇秋生" not in got
    earliest_dec, _ = compulsory_birth_range(cutoff_month=12, cutoff_day=31)
    add_child(world.v3, "乙乡超龄", birth=earliest_dec - datetime.timedelta(days=1))
    add_child(world.v1, "甲镇未超龄", birth=earliest_dec - datetime.timedelta(days=1))
    got = set(names(child_ledger(world.county_user, "school-age")))
    assert "乙乡超龄" not in got and "甲镇未超龄" in got


def test_dropout_ledgers_by_status(world):
    Child.objects.filter(pk=world.c_class.pk).update(status=Child.Status.SUSPECTED_DROPOUT)
    Child.objects.filter(pk=world.c_t2.pk).update(status=Child.Status.DROPOUT)
    Child.objects.filter(pk=world.c_other_county.pk).update(status=Child.Status.DROPOUT)
    add_child(world.v2, "超龄辍学", birth=datetime.date(2008, 1, 1), status=Child.Status.DROPOUT)
    assert names(child_ledger(world.county_user, "suspected-dropout")) == ["王小明"]
    assert set(names(child_ledger(world.county_user, "dropout"))) == {"赵四", "超龄辍学"}
    assert names(child_ledger(world.township_user, "dropout")) == ["超龄辍学"]


def test_village_roster_rows_and_order(world):
    g1 = VillageGroup.objects.create(village=world.v1, name="一组")
    g2 = VillageGroup.objects.create(village=world.v1, name="二组")
    g10 = VillageGroup.objects.create(village=world.v1, name="十组")
    h2 = Household.objects.create(village=world.v1, group=g2, head_name="李户主")
    h10 = Household.objects.create(village=world.v1, group=g10, head_name="周户主")
    h1 = Household.objects.create(village=world.v1, group=g1, head_name="陈户主")
    add_child(world.v1, "张2", household=h2)
    add_child(world.v1, "张1", household=h2)
    add_child(world.v1, "十组娃", household=h10)
    add_child(world.v1, "一组娃", household=h1, birth=datetime.date(2005, 1, 1))  # any age
    add_child(world.v1, "无户", status=Child.Status.MOVED_OUT)  # any status
    add_child(world.v2, "别村娃")
    got = names(ledgers.select_village_roster(world.village_user, world.v1.pk))
    # 一组, 二组 (by 户主, then name), 十组; then no group (王大山户), then no household.
    assert got == ["一组娃", "张1", "张2", "十组娃", "王小明", "无户"]


def test_term_list_uses_only_absences_of_the_chosen_term(world):
    def check(child, term, present, note=""):
        TermCheck.objects.create(
            child=child, term=term, present=present, note=note, checked_by=world.sysadmin
        )

    check(world.c_class, TERM, False, "外出务工随父母")
    check(world.c_s1_other_class, TERM, True)
    check(world.c_v2_no_school, "2026年春季学期", False, "春季未到")
    check(world.c_t2, TERM, False)
    check(world.c_other_county, TERM, False)
    user = world.county_user
    sel = ledgers.select_term_list(user, QueryDict(f"term={TERM}"))
    assert sorted(names(sel)) == sorted(["赵四", "王小明"])
    assert {r["name"]: r["term_note"] for r in sel.values()}["王小明"] == "外出务工随父母"
    spring = ledgers.select_term_list(user, QueryDict("term=2026年春季学期"))
    assert [(r["name"], r["term_note"]) for r in spring.values()] == [("张三", "春季未到")]


def test_current_term_label():
    label = ledgers.current_term_label
    assert label(datetime.date(2026, 9, 1)) == "2026年秋季学期"
    assert label(datetime.date(2026, 12, 31)) == "2026年秋季学期"
    assert label(datetime.date(2027, 1, 15)) == "2026年秋季学期"
    assert label(datetime.date(2027, 2, 20)) == "2027年春季学期"
    assert label(datetime.date(2027, 8, 31)) == "2027年春季学期"


# --------------------------------------------------------------------------
# Exports: columns, titles from data, masking
# --------------------------------------------------------------------------


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
    log = ExportLog.objects.get()
    assert (log.user, log.what, log.scope, log.rows) == (
        world.township_user,
        "甲镇适龄儿童台账",
        "甲镇",
        len(sheet["rows"]),
    )
    # A masked export (box not checked, or a plain GET) is not logged.
    export(client, url)
    client.get(url, {"full": "1"})
    assert ExportLog.objects.count() == 1


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
    assert [(log.what, log.rows) for log in ExportLog.objects.order_by("at", "pk")] == [
        ("甲镇适龄儿童少年底数台账（一村）", 1),
        ("甲镇动态摸排未到校学生名单（一村）", 1),
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
    assert not ExportLog.objects.exists()


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
# Scope: pages and exports never show a child outside the user's reach
# --------------------------------------------------------------------------

ALL = ["c_class", "c_s1_other_class", "c_v2_no_school", "c_t2", "c_cross", "c_other_county"]
SCOPE = {
    "village_user": {"c_class"},
    "township_user": {"c_class", "c_s1_other_class", "c_v2_no_school", "c_cross"},
    "county_user": set(ALL) - {"c_other_county"},
}


@pytest.mark.parametrize("role", list(SCOPE))
@pytest.mark.parametrize("slug", ["school-age", "suspected-dropout", "dropout", "term-absent"])
def test_every_ledger_is_scoped(world, login, role, slug):
    status = {"suspected-dropout": "suspected_dropout", "dropout": "dropout"}.get(slug)
    if status:
        Child.objects.update(status=status)
    for c in ALL:
        TermCheck.objects.create(
            child=getattr(world, c), term=TERM, present=False, checked_by=world.sysadmin
        )
    client = login(getattr(world, role))
    reach = set(SCOPE[role])
    if slug != "term-absent" and role == "township_user":
        # The county's ledgers count a place's residents (students.counting):
        # 钱五 lives in 乙乡 and counts there, though 甲镇 may open him.
        reach.discard("c_cross")
    if slug == "term-absent":
        page_url, export_url = reverse("reports:term_list"), reverse("reports:term_list_export")
    else:
        page_url = reverse("reports:child_ledger", args=[slug])
        export_url = reverse("reports:child_ledger_export", args=[slug])
    html = client.get(page_url, {"term": TERM}).content.decode()
    sheet = read_xlsx(client.get(export_url, {"term": TERM}))
    exported = set(column(sheet, "学生姓名" if slug == "term-absent" else "姓名"))
    for c in ALL:
        child = getattr(world, c)
        link = f'href="{reverse("child_detail", args=[child.pk])}"'
        assert (link in html) == (c in reach), c
        assert (child.name in exported) == (c in reach), c


@pytest.mark.parametrize("role", list(SCOPE))
def test_village_roster_is_scoped(world, login, role):
    client = login(getattr(world, role))
    reach = {
        "village_user": {world.v1},
        "township_user": {world.v1, world.v2},
        "county_user": {world.v1, world.v2, world.v3},
    }[role]
    listing = client.get(reverse("reports:roster_villages")).content.decode()
    for village in (world.v1, world.v2, world.v3, world.v4):
        url = reverse("reports:village_roster", args=[village.pk])
        export_url = reverse("reports:village_roster_export", args=[village.pk])
        allowed = village in reach
        assert (url in listing) == allowed
        assert client.get(url).status_code == (200 if allowed else 404)
        response = export(client, export_url)
        assert response.status_code == (200 if allowed else 404)
        if allowed:
            got = set(column(read_xlsx(response), "学生姓名"))
            assert got == set(village.children.values_list("name", flat=True))


def test_filters_outside_scope_are_404_and_inside_narrow(world, login):
    client = login(world.county_user)
    url = reverse("reports:child_ledger", args=["school-age"])
    export_url = reverse("reports:child_ledger_export", args=["school-age"])
    assert client.get(url, {"village": world.v4.pk}).status_code == 404
    assert client.get(export_url, {"school": world.s3.pk}).status_code == 404
    assert client.get(export_url, {"township": world.t3.pk}).status_code == 404
    # 甲镇: its residents; 钱五 goes to school there but lives in 乙乡.
    sheet = read_xlsx(client.get(export_url, {"township": world.t1.pk}))
    assert sheet["title"] == "甲镇适龄儿童台账"
    assert set(column(sheet, "姓名")) == {"王小明", "李二", "张三"}
    sheet = read_xlsx(client.get(export_url, {"village": world.v2.pk}))
    assert sheet["title"] == "甲镇适龄儿童台账（二村）"
    assert set(column(sheet, "姓名")) == {"李二", "张三"}
    sheet = read_xlsx(client.get(export_url, {"school": world.s1.pk}))
    assert sheet["title"] == "测试县适龄儿童台账（甲镇中心学校）"
    assert set(column(sheet, "姓名")) == {"王小明", "李二", "钱五"}
    # A village cadre cannot reach another village by filter either.
    village_client = login(world.village_user)
    assert village_client.get(url, {"village": world.v2.pk}).status_code == 404


def test_index_lists_what_each_role_may_open(world, login):
    county = login(world.county_user).get(reverse("reports:index")).content.decode()
    for title in ("测试县适龄儿童台账", "测试县疑似辍学学生台账", "测试县辍学学生台账"):
        assert title in county
    assert "适龄儿童少年底数台账" in county and "测试县动态摸排未到校学生名单" in county
    village = login(world.village_user).get(reverse("reports:index")).content.decode()
    assert "甲镇适龄儿童台账（一村）" in village
    teacher = login(world.teacher).get(reverse("reports:index")).content.decode()
    assert "动态摸排未到校学生名单" in teacher and "辍学学生台账" not in teacher
    nobody = login(world.nobody).get(reverse("reports:index")).content.decode()
    assert "没有可查看的台账" in nobody
    assert login(world.nobody).get(reverse("reports:term_list")).status_code == 404


def test_pages_mask_and_show_the_ledger(world, login):
    client = login(world.county_user)
    html = client.get(reverse("reports:child_ledger", args=["school-age"])).content.decode()
    assert "测试县适龄儿童台账" in html and 'class="table-wrap"' in html
    assert world.c_class.id_number not in html and "13812345678" not in html
    assert "138****5678" in html


# --------------------------------------------------------------------------
# Queries: a page or an export costs the same for 6 children or 36
# --------------------------------------------------------------------------


def _urls(world):
    return [
        (reverse("reports:index"), "get"),
        (reverse("reports:child_ledger", args=["school-age"]), "get"),
        (reverse("reports:child_ledger_export", args=["school-age"]), "get"),
        (reverse("reports:child_ledger", args=["dropout"]) + f"?township={world.t1.pk}", "get"),
        (reverse("reports:child_ledger_export", args=["dropout"]), "post-full"),
        (reverse("reports:village_roster", args=[world.v1.pk]), "get"),
        (reverse("reports:village_roster_export", args=[world.v1.pk]), "post-full"),
        (reverse("reports:term_list") + f"?term={TERM}", "get"),
        (reverse("reports:term_list_export") + f"?term={TERM}", "post-full"),
    ]


def _hit(client, url, how):
    response = client.get(url) if how == "get" else client.post(url, {"full": "1"})
    assert response.status_code == 200, url
    if response.streaming:
        b"".join(response.streaming_content)


def test_query_counts_do_not_grow_with_rows(world, login, django_assert_max_num_queries):
    client = login(world.county_user)
    baseline = {}
    for url, how in _urls(world):
        with CaptureQueriesContext(connection) as ctx:
            _hit(client, url, how)
        baseline[url] = len(ctx.captured_queries)
    groups = [VillageGroup.objects.create(village=world.v1, name=f"{n}组") for n in "一二三"]
    for i in range(30):
        household = Household.objects.create(
            village=world.v1, group=groups[i % 3], head_name=f"户主{i}", phone="13900000000"
        )
        child = add_child(
            world.v1,
            f"新生{i}",
            household=household,
            school=world.s1,
            grade=1 + i % 9,
            class_name="1班",
            status=["enrolled", "dropout"][i % 2],
            is_left_behind=bool(i % 3),
        )
        TermCheck.objects.create(
            child=child, term=TERM, present=False, note="未到", checked_by=world.sysadmin
        )
    for url, how in _urls(world):
        with django_assert_max_num_queries(baseline[url]):
            _hit(client, url, how)
    assert baseline[reverse("reports:child_ledger_export", args=["school-age"])] <= 12


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
    assert ExportLog.objects.filter(user=world.township_user, rows=1).exists()
