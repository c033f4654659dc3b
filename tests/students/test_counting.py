"""One counting rule (students.counting): 概况 and the ledgers count the same
children. A place counts its school-age residents once, by the village where
they live; a school counts its pupils; every status is counted somewhere."""

import datetime
import re
from itertools import count

import pytest
from django.http import QueryDict
from django.urls import reverse

from reports import ledgers
from students.models import Child, Membership
from students.schoolage import compulsory_birth_range
from students.selectors import settings_groups

from ..conftest import make_id

_seq = count(501, 2)


def add_child(village, name, *, school=None, birth=datetime.date(2015, 6, 1), **kw):
    return Child.objects.create(
        village=village,
        school=school,
        grade=4 if school else None,
        class_name="1班" if school else "",
        name=name,
        gender="M",
        birth_date=birth,
        id_number=make_id("520102", birth, next(_seq)),
        **kw,
    )


def ledger_count(user, query=""):
    return ledgers.select_child_ledger(user, "school-age", QueryDict(query)).queryset.count()


def table_rows(html, caption):
    """The body rows of the figures table headed by `caption`, as cell texts."""
    table = html[html.index(f"<th>{caption}</th>") :]
    body = table[table.index("<tbody>") : table.index("</tbody>")]
    return [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row)]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def page_total(html):
    return int(re.search(r"共 (\d+) 名", html).group(1))


@pytest.fixture
def drift(world):
    """What made 概况 and 台账 drift apart: a roster child past compulsory age,
    a pupil of the county's school living in the next county, and statuses
    that 概况 has no column for."""
    earliest, _ = compulsory_birth_range()
    add_child(world.v1, "超龄", birth=earliest - datetime.timedelta(days=1))
    add_child(world.v4, "邻县娃", school=world.s1)
    add_child(world.v2, "送教娃", status=Child.Status.HOME_TEACHING)
    add_child(world.v3, "外出娃", status=Child.Status.STUDYING_ELSEWHERE)
    Child.objects.filter(pk=world.c_t2.pk).update(status=Child.Status.SUSPENDED)
    return world


def test_county_overview_total_equals_its_school_age_ledger(drift, login):
    w = drift
    html = login(w.county_user).get(reverse("overview")).content.decode()
    # 王小明 李二 张三 赵四 钱五 送教娃 外出娃: not 超龄 (16), not 邻县娃 (lives next door)
    assert page_total(html) == ledger_count(w.county_user) == 7
    home = login(w.county_user).get("/").content.decode()
    assert sum(int(r[1]) for r in table_rows(home, "乡镇")) == 7


def test_each_overview_row_adds_up_to_its_total(drift, login):
    for user in (drift.county_user, drift.township_user, drift.sysadmin):
        html = login(user).get(reverse("overview")).content.decode()
        rows = table_rows(html, "乡镇" if user != drift.township_user else "村（社区）")
        assert rows
        for unit, total, *counts in rows:
            assert int(total) == sum(map(int, counts)), unit


def test_a_status_without_its_own_column_is_still_counted(world, login):
    add_child(world.v2, "送教娃", status=Child.Status.HOME_TEACHING)
    add_child(world.v2, "死亡", status=Child.Status.DECEASED)
    html = login(world.township_user).get(reverse("overview")).content.decode()
    assert "其他" in html and "送教上门" in html  # the column says what it holds
    head = html[html.index("<th>村（社区）</th>") :]
    headers = re.findall(r"<th[^>]*>(.*?)</th>", head[: head.index("</tr>")])
    rows = {r[0]: dict(zip(headers, r, strict=True)) for r in table_rows(html, "村（社区）")}
    assert rows["二村"]["合计"] == "4"  # 李二 张三 送教娃 死亡
    assert rows["二村"]["其他"] == "2"


def test_every_status_is_in_exactly_one_group():
    from students import counting

    statuses = [s for g in counting.STATUS_GROUPS for s in g.statuses]
    assert sorted(statuses) == sorted(Child.Status.values)


def test_a_child_counts_once_where_he_lives_and_in_his_schools_pupils(world, login):
    """钱五 lives in 三村 (乙乡) and goes to 甲镇中心学校 (甲镇)."""
    from students import counting

    w = world
    t2_user = type(w.county_user).objects.create_user("t2", password="pw-123456-x")
    Membership.objects.create(user=t2_user, role=Membership.Role.TOWNSHIP, township=w.t2)

    county = counting.overview(w.county_user, by="township")
    by_township = {r["unit"]: r["total"] for r in county.places}
    assert by_township == {"甲镇": 3, "乙乡": 2}  # 钱五 in 乙乡 only
    assert county.place_totals["total"] == 5 == ledger_count(w.county_user)

    t1 = counting.overview(w.township_user, by="village")
    assert "钱五" not in {c.name for c in counting.residents(w.township_user)}
    assert t1.place_totals["total"] == 3 == ledger_count(w.township_user)
    assert {r["unit"]: r["total"] for r in t1.schools} == {"甲镇中心学校": 3}  # with 钱五
    t2 = counting.overview(t2_user, by="village")
    assert t2.place_totals["total"] == 2 == ledger_count(t2_user)
    assert {r["unit"]: r["total"] for r in t2.schools} == {"乙乡小学": 1}

    # Never twice in the county: the townships' ledgers add up to the county's.
    assert ledger_count(w.township_user) + ledger_count(t2_user) == ledger_count(w.county_user)
    assert "钱五" in ledgers.select_child_ledger(
        t2_user, "school-age", QueryDict("")
    ).queryset.values_list("name", flat=True)
    assert "钱五" not in ledgers.select_child_ledger(
        w.township_user, "school-age", QueryDict("")
    ).queryset.values_list("name", flat=True)
    # …and the ledger filtered by the school lists the school's pupils.
    assert ledger_count(w.township_user, f"school={w.s1.pk}") == 3
    # 甲镇 may still open him (visibility is not counting).
    assert (
        login(w.township_user).get(reverse("child_detail", args=[w.c_cross.pk])).status_code == 200
    )


def test_school_figures_count_pupils_wherever_they_live(drift):
    from students import counting

    w = drift
    schools = {r["unit"]: r["total"] for r in counting.school_figures(w.county_user)}
    # 王小明 李二 钱五 and 邻县娃 (lives in the next county); 赵四 suspended at 乙乡小学
    assert schools == {"甲镇中心学校": 4, "乙乡小学": 1}
    assert ledger_count(w.county_user, f"school={w.s1.pk}") == 4
    assert counting.school_figures(w.village_user) == [
        {"unit": "甲镇中心学校", "unit_id": w.s1.pk, "total": 1, "counts": [1, 0, 0, 0, 0]}
    ]


def test_figures_cost_the_same_few_queries_for_any_number_of_rows(world, django_assert_num_queries):
    from students import counting

    def run(user):
        # memberships 1, entry-cutoff settings 4 (own rows, counties, one per
        # county), the place figures 1, the school figures 1.
        user._kongchuo_memberships = user._kongchuo_access = None  # a new request
        with django_assert_num_queries(7):
            figures = counting.overview(user, by="township")
        return figures

    before = run(world.county_user)
    for i in range(30):
        add_child([world.v1, world.v2, world.v3][i % 3], f"多{i}", school=world.s2)
    after = run(world.county_user)
    assert after.place_totals["total"] == before.place_totals["total"] + 30
    groups = settings_groups()
    with django_assert_num_queries(1):
        counting.place_figures(world.county_user, by="village", groups=groups)
