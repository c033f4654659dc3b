"""The county's three ledgers, the village 底数台账 and the 动态摸排未到校学生名单:
rows, scope, queries."""

import datetime

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reports import ledgers
from students.models import Child, Household, JurisdictionSettings, TermCheck, VillageGroup
from students.schoolage import compulsory_birth_range

from .ledgers_helpers import TERM, add_child, child_ledger, column, export, names, read_xlsx

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
