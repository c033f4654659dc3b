"""四查三比对: the three comparisons, lead decisions, who sees leads, the
term-start check, and the Celery task behind the "运行比对" button."""

import datetime
import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import OperationalError, connection
from django.urls import reverse

from students import crosscheck
from students.models import (
    Child,
    CrossCheckRun,
    Household,
    HujiRecord,
    ImportBatch,
    JurisdictionSettings,
    Lead,
    PovertyRecord,
    School,
    TermCheck,
    XuejiRecord,
)

from ..conftest import make_id

ON = datetime.date(2026, 3, 15)  # school year 2025–26: born 2010-09-01 … 2019-08-31
TERM = "2026年春季学期"
Kind, State, Status = Lead.Kind, Lead.State, Child.Status


def _batch(world, kind, county=None):
    return ImportBatch.objects.create(
        kind=kind, county=county or world.county, filename=f"{kind}.xlsx"
    )


def _huji(batch, id_number, name, birth, village=None, county=None):
    return HujiRecord.objects.create(
        county=county or batch.county,
        village=village,
        id_number=id_number,
        name=name,
        gender="M",
        birth_date=birth,
        batch=batch,
    )


def _xueji(batch, school, xueji_number, child=None, id_number=None, name="学生"):
    return XuejiRecord.objects.create(
        school=school,
        xueji_number=xueji_number,
        id_number=id_number,
        name=name,
        gender="M",
        birth_date=datetime.date(2015, 3, 8),
        child=child,
        batch=batch,
    )


def _child(name, village, birth=datetime.date(2014, 6, 1), seq=None, **kw):
    return Child.objects.create(
        name=name,
        village=village,
        gender="M",
        birth_date=birth,
        id_number=make_id("520103", birth, seq) if seq is not None else None,
        **kw,
    )


def _set_status(child, status):
    Child.objects.filter(pk=child.pk).update(status=status)
    child.refresh_from_db()


@pytest.fixture
def county_data(world):
    """A hand-made county: for each comparison, who must and who must not be found."""
    w = world
    d = type("Data", (), {})()
    # Responsible schools: v1 has a primary, a junior and the nine-year school.
    d.s_primary = School.objects.create(name="一村小学", kind="primary", township=w.t1)
    d.s_junior = School.objects.create(name="甲镇初中", kind="junior", township=w.t1)
    for school in (d.s_primary, d.s_junior, w.s1):
        school.villages.add(w.v1)
    w.s1.villages.add(w.v2)
    w.s2.villages.add(w.v3)
    w.s3.villages.add(w.v4)

    huji = _batch(w, "huji")
    xueji = _batch(w, "xueji")
    tuopin = _batch(w, "tuopin")

    # --- 户籍 × 学籍 -----------------------------------------------------
    # No 学籍 anywhere, not on the roster: found (grade 6 → the primary school).
    d.h_missing = _huji(
        huji,
        make_id("520103", datetime.date(2014, 5, 1), 101),
        "户籍甲",
        datetime.date(2014, 5, 1),
        w.v1,
    )
    # Junior-school age: found, the junior school answers for them.
    d.h_junior = _huji(
        huji,
        make_id("520103", datetime.date(2012, 5, 1), 103),
        "户籍乙",
        datetime.date(2012, 5, 1),
        w.v1,
    )
    # Has 学籍 in the county (matched by ID number): not found.
    _huji(huji, w.c_class.id_number, "王小明", w.c_class.birth_date, w.v1)
    d.x_class = _xueji(xueji, w.s1, "G" + w.c_class.id_number, id_number=w.c_class.id_number)
    # Roster says 外出就读: not found.
    _set_status(w.c_v2_no_school, Status.STUDYING_ELSEWHERE)
    _huji(huji, w.c_v2_no_school.id_number, "张三", w.c_v2_no_school.birth_date, w.v2)
    # Out of compulsory age, too old and too young: not found.
    _huji(
        huji,
        make_id("520103", datetime.date(2008, 1, 1), 105),
        "超龄",
        datetime.date(2008, 1, 1),
        w.v1,
    )
    _huji(
        huji,
        make_id("520103", datetime.date(2020, 10, 1), 107),
        "未到龄",
        datetime.date(2020, 10, 1),
        w.v1,
    )
    # Only an L 学籍号 (no ID number on the record): an L number is no ID, found.
    d.x_l_number = _xueji(xueji, w.s2, "L" + w.c_t2.id_number, child=None, id_number=None)
    d.h_l_number = _huji(huji, w.c_t2.id_number, "赵四", w.c_t2.birth_date, w.v3)
    # No village on the 户籍 row: the roster child's village (v3) is used.
    d.h_no_village = _huji(huji, w.c_cross.id_number, "钱五", w.c_cross.birth_date, None)
    # Another county's 户籍: not in this county's run.
    other = _batch(w, "huji", county=w.other_county)
    _huji(
        other,
        make_id("520103", datetime.date(2014, 1, 1), 109),
        "邻县户籍",
        datetime.date(2014, 1, 1),
        w.v4,
    )

    # --- 学籍 × 在校 -----------------------------------------------------
    # c_class (matched by ID) was absent at this term's check: found.
    TermCheck.objects.create(term=TERM, child=w.c_class, present=False, checked_by=w.teacher)
    # A J 学籍号 without ID number, linked to a suspected dropout: found as "XJ:…".
    _set_status(w.c_s1_other_class, Status.SUSPECTED_DROPOUT)
    d.x_j_number = _xueji(xueji, w.s1, "J5201030000001", child=w.c_s1_other_class)
    # Present this term, or absent only last term: not found.
    d.c_present = _child("到校生", w.v1, seq=111, school=w.s1, grade=3, class_name="1班")
    _xueji(xueji, w.s1, "G" + d.c_present.id_number, id_number=d.c_present.id_number)
    TermCheck.objects.create(term=TERM, child=d.c_present, present=True, checked_by=w.teacher)
    d.c_last_term = _child("上学期未到", w.v2, seq=113, school=w.s1, grade=3, class_name="1班")
    _xueji(xueji, w.s1, "G" + d.c_last_term.id_number, id_number=d.c_last_term.id_number)
    TermCheck.objects.create(
        term="2025年秋季学期", child=d.c_last_term, present=False, checked_by=w.teacher
    )
    # Another county's school, a dropout: not in this county's run.
    _set_status(w.c_other_county, Status.DROPOUT)
    _xueji(
        _batch(w, "xueji", w.other_county),
        w.s3,
        "G" + w.c_other_county.id_number,
        id_number=w.c_other_county.id_number,
    )

    # --- 辍学 × 脱贫户 ---------------------------------------------------
    d.p_household = _child("脱贫户辍学", w.v1, seq=115, household=w.h1, status=Status.DROPOUT)
    d.p_listed = _child("名单辍学", w.v3, seq=117, status=Status.SUSPECTED_DROPOUT)
    PovertyRecord.objects.create(
        county=w.county,
        village=w.v3,
        kind="jiance",
        id_number=d.p_listed.id_number,
        name="名单辍学",
        batch=tuopin,
    )
    jiance = Household.objects.create(village=w.v2, head_name="李四", is_jiance=True)
    d.p_no_id = _child("无证辍学", w.v2, household=jiance, status=Status.DROPOUT)
    _child("非脱贫辍学", w.v2, seq=119, status=Status.DROPOUT)
    _child("脱贫户在读", w.v1, seq=121, household=w.h1)
    other_dropout = _child("邻县辍学", w.v4, seq=123, status=Status.DROPOUT)
    PovertyRecord.objects.create(
        county=w.other_county,
        kind="tuopin",
        id_number=other_dropout.id_number,
        name="邻县辍学",
        batch=_batch(w, "tuopin", w.other_county),
    )
    return d


def _keys(kind, period="2026-03"):
    return set(Lead.objects.filter(kind=kind, period=period).values_list("person_key", flat=True))


# --------------------------------------------------------------------------
# The comparisons
# --------------------------------------------------------------------------


def test_each_comparison_finds_exactly_the_expected_people(
    world, county_data, django_assert_max_num_queries
):
    w, d = world, county_data
    with django_assert_max_num_queries(15):
        run = crosscheck.run_crosscheck(county=w.county, by=w.county_user, on=ON)

    assert run.period == "2026-03" and run.finished_at and run.started_by == w.county_user
    assert _keys(Kind.NOT_ENROLLED) == {
        d.h_missing.id_number,
        d.h_junior.id_number,
        w.c_t2.id_number,
        w.c_cross.id_number,
    }
    assert _keys(Kind.ABSENT) == {w.c_class.id_number, "XJ:J5201030000001"}
    assert _keys(Kind.POVERTY_DROPOUT) == {
        d.p_household.id_number,
        d.p_listed.id_number,
        f"C:{d.p_no_id.pk}",
    }
    assert run.counts == {
        "not_enrolled": {"found": 4, "new": 4},
        "absent": {"found": 2, "new": 2},
        "poverty_dropout": {"found": 3, "new": 3},
    }
    assert set(Lead.objects.values_list("county", "run", "state").distinct()) == {
        (w.county.pk, run.pk, State.OPEN)
    }
    # Villages, schools and roster children are attached in SQL.
    by_key = {lead.person_key: lead for lead in Lead.objects.all()}
    missing = by_key[d.h_missing.id_number]
    assert (missing.village, missing.school, missing.child, missing.huji) == (
        w.v1,
        d.s_primary,
        None,
        d.h_missing,
    )
    assert "县内学籍中无此人" in missing.detail and "底数台账中亦无此人" in missing.detail
    assert by_key[d.h_junior.id_number].school == d.s_junior
    l_number = by_key[w.c_t2.id_number]
    assert (l_number.child, l_number.village, l_number.school) == (w.c_t2, w.v3, w.s2)
    assert "在读" in l_number.detail
    assert by_key[w.c_cross.id_number].village == w.v3  # from the roster child
    absent = by_key[w.c_class.id_number]
    assert (absent.child, absent.school, absent.village, absent.xueji) == (
        w.c_class,
        w.s1,
        w.v1,
        d.x_class,
    )
    assert TERM in absent.detail
    j = by_key["XJ:J5201030000001"]
    assert (j.child, j.id_number, j.village) == (w.c_s1_other_class, "", w.v2)
    assert "疑似辍学" in j.detail
    assert "脱贫户" in by_key[d.p_household.id_number].detail
    assert "监测户" in by_key[d.p_listed.id_number].detail
    # Nothing about any child changed: a lead is not a verdict.
    assert Child.objects.get(pk=w.c_class.pk).status == Status.ENROLLED


def test_township_run_covers_only_the_township(world, county_data):
    w, d = world, county_data
    run = crosscheck.run_crosscheck(county=w.county, township=w.t1, on=ON)
    assert run.township == w.t1
    assert _keys(Kind.NOT_ENROLLED) == {d.h_missing.id_number, d.h_junior.id_number}
    assert _keys(Kind.ABSENT) == {w.c_class.id_number, "XJ:J5201030000001"}
    assert _keys(Kind.POVERTY_DROPOUT) == {d.p_household.id_number, f"C:{d.p_no_id.pk}"}
    with pytest.raises(ValidationError):
        crosscheck.run_crosscheck(county=w.county, township=w.t3, on=ON)


def test_a_townships_own_entry_cutoff_applies_to_its_villages(world):
    w = world
    JurisdictionSettings.objects.create(county=w.county, township=w.t2, entry_cutoff_month=12)
    batch = _batch(w, "huji")
    born = datetime.date(2019, 10, 1)  # grade 1 now with a 31 Dec cutoff, not with 31 Aug
    in_t2 = _huji(batch, make_id("520103", born, 131), "乙乡新生", born, w.v3)
    _huji(batch, make_id("520103", born, 133), "甲镇新生", born, w.v1)
    # A 户籍 row without a village falls under the county's settings.
    _huji(batch, make_id("520103", born, 135), "无村新生", born, None)
    older = datetime.date(2014, 5, 1)
    no_village = _huji(batch, make_id("520103", older, 137), "无村", older, None)
    crosscheck.run_crosscheck(county=w.county, on=ON)
    assert _keys(Kind.NOT_ENROLLED) == {in_t2.id_number, no_village.id_number}


def test_running_twice_creates_nothing_twice(world, county_data):
    first = crosscheck.run_crosscheck(county=world.county, on=ON)
    leads = Lead.objects.count()
    second = crosscheck.run_crosscheck(county=world.county, on=ON)
    assert Lead.objects.count() == leads == 9
    assert {k: v["found"] for k, v in second.counts.items()} == {
        k: v["found"] for k, v in first.counts.items()
    }
    assert all(v["new"] == 0 for v in second.counts.values())
    assert not Lead.objects.filter(run=second).exists()
    # A new period is a new round of leads.
    third = crosscheck.run_crosscheck(county=world.county, period="2026-04", on=ON)
    assert third.counts["absent"] == {"found": 2, "new": 2}
    assert Lead.objects.count() == 18


def test_period_defaults_to_this_month_in_shanghai(world):
    run = crosscheck.run_crosscheck(county=world.county)
    assert run.period == crosscheck.today().strftime("%Y-%m")
    with pytest.raises(ValidationError):
        crosscheck.run_crosscheck(county=world.county, period="2026-13")


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_create_each_lead_once(world, county_data):
    barrier = threading.Barrier(2)
    runs, errors = [], []

    def run():
        # PostgreSQL runs both at once (the second waits on the unique index).
        # SQLite's shared-cache test database refuses a second writer with
        # "table is locked" instead of waiting: like run_crosscheck_task
        # (autoretry_for=OperationalError, retry_backoff), try again later.
        try:
            barrier.wait(timeout=10)
            for attempt in range(50):
                try:
                    runs.append(crosscheck.run_crosscheck(county=world.county, on=ON))
                    return
                except OperationalError:
                    if connection.vendor != "sqlite":
                        raise
                    time.sleep(0.02 * (attempt + 1))
        except Exception as e:  # reported below
            errors.append(e)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors and len(runs) == 2
    assert Lead.objects.count() == 9
    # Each lead was created by exactly one of the two runs.
    assert sum(sum(v["new"] for v in r.counts.values()) for r in runs) == 9


@pytest.mark.parametrize(
    ("on", "label"),
    [
        (datetime.date(2026, 9, 1), "2026年秋季学期"),
        (datetime.date(2026, 12, 31), "2026年秋季学期"),
        (datetime.date(2027, 1, 20), "2026年秋季学期"),
        (datetime.date(2027, 2, 20), "2027年春季学期"),
        (datetime.date(2027, 8, 31), "2027年春季学期"),
    ],
)
def test_term_label(on, label):
    assert crosscheck.term_label(on) == label


# --------------------------------------------------------------------------
# Decisions
# --------------------------------------------------------------------------


@pytest.fixture
def leads(world, county_data):
    crosscheck.run_crosscheck(county=world.county, on=ON)
    return {lead.person_key: lead for lead in Lead.objects.all()}


def test_confirming_an_absent_lead_makes_the_child_a_suspected_dropout(world, leads):
    lead = leads[world.c_class.id_number]
    crosscheck.confirm_lead(lead=lead, by=world.school_admin, reason="  班主任核实：未到校 ")
    lead.refresh_from_db()
    assert (lead.state, lead.decided_by, lead.reason) == (
        State.CONFIRMED,
        world.school_admin,
        "班主任核实：未到校",
    )
    assert lead.decided_at is not None
    child = Child.objects.get(pk=world.c_class.pk)
    assert child.status == Status.SUSPECTED_DROPOUT
    last = child.history.latest()
    assert (last.history_user, last.history_change_reason) == (
        world.school_admin,
        "四查三比对核实：班主任核实：未到校",
    )


def test_confirming_not_enrolled_for_a_roster_child_marks_them_not_enrolled(world, leads):
    crosscheck.confirm_lead(
        lead=leads[world.c_t2.id_number], by=world.county_user, reason="入户核实"
    )
    assert Child.objects.get(pk=world.c_t2.pk).status == Status.NOT_ENROLLED
    # Without a roster child the confirmed lead is all there is.
    before = Child.objects.count()
    lead = next(lead for lead in leads.values() if lead.name == "户籍甲")
    crosscheck.confirm_lead(lead=lead, by=world.village_user, reason="确未入学，已补录")
    assert Lead.objects.get(pk=lead.pk).state == State.CONFIRMED
    assert Child.objects.count() == before


def test_confirming_does_not_weaken_a_dropout(world, leads, county_data):
    # 脱贫户辍学 for a child already 辍学: the status stays as it is.
    crosscheck.confirm_lead(
        lead=leads[county_data.p_household.id_number], by=world.village_user, reason="核实属实"
    )
    assert Child.objects.get(pk=county_data.p_household.pk).status == Status.DROPOUT


def test_dismissing_changes_nothing_and_needs_a_reason(world, leads):
    lead = leads[world.c_class.id_number]
    for reason in ("", "   ", None):
        with pytest.raises(ValidationError) as e:
            crosscheck.dismiss_lead(lead=lead, by=world.school_admin, reason=reason)
        assert "请填写核实说明" in str(e.value)
    assert Lead.objects.get(pk=lead.pk).state == State.OPEN
    crosscheck.dismiss_lead(lead=lead, by=world.school_admin, reason="病假，有医院证明")
    assert Lead.objects.get(pk=lead.pk).state == State.DISMISSED
    assert Child.objects.get(pk=world.c_class.pk).status == Status.ENROLLED


def test_a_second_decision_is_refused(world, leads):
    first = leads[world.c_class.id_number]
    stale = Lead.objects.get(pk=first.pk)  # what the second person's page had loaded
    crosscheck.dismiss_lead(lead=first, by=world.school_admin, reason="已到校")
    with pytest.raises(ValidationError) as e:
        crosscheck.confirm_lead(lead=stale, by=world.township_user, reason="未到校")
    assert "该线索已由他人处理" in str(e.value)
    lead = Lead.objects.get(pk=first.pk)
    assert (lead.state, lead.decided_by, lead.reason) == (
        State.DISMISSED,
        world.school_admin,
        "已到校",
    )
    assert Child.objects.get(pk=world.c_class.pk).status == Status.ENROLLED


def test_deciding_from_the_page(world, leads, login):
    lead = leads[world.c_class.id_number]
    client = login(world.village_user)
    url = reverse("lead_decide", args=[lead.pk])
    resp = client.post(url, {"decision": "confirm", "reason": ""}, follow=True)
    assert "请填写核实说明" in resp.content.decode()
    assert Lead.objects.get(pk=lead.pk).state == State.OPEN

    next_url = reverse("lead_list") + "?kind=absent"
    resp = client.post(url, {"decision": "confirm", "reason": "入户核实", "next": next_url})
    assert resp.status_code == 302 and resp.url == next_url
    assert Lead.objects.get(pk=lead.pk).state == State.CONFIRMED
    assert Child.objects.get(pk=world.c_class.pk).status == Status.SUSPECTED_DROPOUT

    html = client.post(url, {"decision": "dismiss", "reason": "又来"}, follow=True).content.decode()
    assert "该线索已由他人处理" in html
    # Only a local "next".
    resp = client.post(url, {"decision": "dismiss", "reason": "x", "next": "https://evil.example/"})
    assert resp.url == reverse("lead_list")


# --------------------------------------------------------------------------
# Who sees leads
# --------------------------------------------------------------------------


@pytest.fixture
def scoped_leads(world):
    w = world

    def lead(name, county, village=None, school=None, child=None, kind=Kind.ABSENT):
        return Lead.objects.create(
            kind=kind,
            period="2026-03",
            person_key=name,
            name=name,
            county=county,
            village=village,
            school=school,
            child=child,
            detail="测试线索",
        )

    return {
        "本班": lead("线索本班", w.county, w.v1, w.s1, w.c_class),
        "同校": lead("线索同校", w.county, w.v2, w.s1, None, Kind.NOT_ENROLLED),
        "乙乡": lead("线索乙乡", w.county, w.v3, w.s2, w.c_t2),
        "邻县": lead("线索邻县", w.other_county, w.v4, w.s3, w.c_other_county),
    }


@pytest.mark.parametrize(
    ("who", "seen"),
    [
        ("village_user", {"本班"}),
        ("teacher", {"本班"}),
        ("school_admin", {"本班", "同校"}),
        ("township_user", {"本班", "同校"}),
        ("county_user", {"本班", "同校", "乙乡"}),
        ("sysadmin", {"本班", "同校", "乙乡", "邻县"}),
        ("nobody", set()),
    ],
)
def test_leads_page_shows_each_role_its_own(world, scoped_leads, login, who, seen):
    html = login(getattr(world, who)).get(reverse("lead_list")).content.decode()
    assert {k for k in scoped_leads if f"线索{k}" in html} == seen
    assert set(crosscheck.leads_for_user(getattr(world, who)).values_list("name", flat=True)) == {
        f"线索{k}" for k in seen
    }


def test_deciding_a_lead_out_of_reach_is_404(world, scoped_leads, login):
    data = {"decision": "dismiss", "reason": "核实"}
    url = reverse("lead_decide", args=[scoped_leads["乙乡"].pk])
    assert login(world.village_user).post(url, data).status_code == 404
    assert login(world.township_user).post(url, data).status_code == 404
    # A class teacher sees the class's leads but does not decide them.
    own = reverse("lead_decide", args=[scoped_leads["本班"].pk])
    client = login(world.teacher)
    assert 'name="decision"' not in client.get(reverse("lead_list")).content.decode()
    assert client.post(own, data).status_code == 404
    assert Lead.objects.filter(state=State.OPEN).count() == 4
    assert login(world.county_user).post(url, data).status_code == 302
    assert Lead.objects.get(pk=scoped_leads["乙乡"].pk).state == State.DISMISSED


def test_leads_page_masks_id_numbers_and_filters(world, leads, login):
    client = login(world.county_user)
    html = client.get(reverse("lead_list")).content.decode()
    full = world.c_class.id_number
    assert full not in html and f"{full[:4]}**********{full[-4:]}" in html
    html = client.get(reverse("lead_list"), {"kind": "poverty_dropout"}).content.decode()
    assert "脱贫户辍学" in html and "户籍甲" not in html
    crosscheck.dismiss_lead(lead=leads[full], by=world.county_user, reason="已到校")
    assert "王小明" not in client.get(reverse("lead_list")).content.decode()  # open by default
    html = client.get(reverse("lead_list"), {"state": "dismissed"}).content.decode()
    assert "王小明" in html and "已到校" in html


def test_leads_page_query_count_does_not_grow_with_leads(
    world, login, django_assert_max_num_queries
):
    def make(n, prefix):
        Lead.objects.bulk_create(
            Lead(
                kind=Kind.ABSENT,
                period="2026-03",
                person_key=f"{prefix}{i}",
                name=f"学生{i}",
                county=world.county,
                village=world.v1,
                school=world.s1,
                child=world.c_class,
                detail="测试",
            )
            for i in range(n)
        )

    client = login(world.township_user)
    make(3, "A")
    with django_assert_max_num_queries(12) as few:
        assert client.get(reverse("lead_list")).status_code == 200
    make(40, "B")
    with django_assert_max_num_queries(12) as many:
        assert "下一页" in client.get(reverse("lead_list")).content.decode()
    assert len(many.captured_queries) == len(few.captured_queries)


# --------------------------------------------------------------------------
# Running from the page, and the Celery tasks
# --------------------------------------------------------------------------


def test_run_button_enqueues_the_task_on_commit(world, login, django_capture_on_commit_callbacks):
    w = world
    born = crosscheck.today().replace(year=crosscheck.today().year - 9, month=1, day=15)
    _huji(_batch(w, "huji"), make_id("520103", born, 141), "按钮测试", born, w.v1)
    client = login(w.township_user)
    assert "运行比对" in client.get(reverse("lead_list")).content.decode()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        resp = client.post(reverse("crosscheck_run"), {"target": f"t{w.t1.pk}"})
        assert resp.status_code == 302
        assert not CrossCheckRun.objects.exists()  # only once the request has committed
    assert len(callbacks) == 1
    html = client.get(resp.url).content.decode()
    assert "比对已开始" in html and "按钮测试" in html
    run = CrossCheckRun.objects.get()
    assert (run.county, run.township, run.started_by) == (w.county, w.t1, w.township_user)
    assert run.finished_at and run.counts["not_enrolled"] == {"found": 1, "new": 1}
    assert "新增 1" in html


def test_run_button_only_for_own_township_or_county(world, login):
    url = reverse("crosscheck_run")
    assert login(world.township_user).post(url, {"target": f"t{world.t2.pk}"}).status_code == 404
    assert (
        login(world.township_user).post(url, {"target": f"c{world.county.pk}"}).status_code == 404
    )
    assert login(world.village_user).post(url, {"target": f"t{world.t1.pk}"}).status_code == 404
    assert "运行比对" not in login(world.village_user).get(reverse("lead_list")).content.decode()
    assert not CrossCheckRun.objects.exists()


def test_monthly_task_runs_every_county(world, county_data):
    from students.tasks import run_crosscheck_task, run_monthly_crosschecks

    assert run_monthly_crosschecks.delay().get() == 2
    assert set(CrossCheckRun.objects.values_list("county", flat=True)) == {
        world.county.pk,
        world.other_county.pk,
    }
    assert run_crosscheck_task.max_retries == 3
    run_id = run_crosscheck_task.delay(world.county.pk, world.t1.pk, "2026-02").get()
    assert CrossCheckRun.objects.get(pk=run_id).township == world.t1


def test_beat_schedule(settings):
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert schedule["crosschecks-monthly"]["task"] == "students.tasks.run_monthly_crosschecks"
    # The term-start run follows each county's own terms (tests/test_county_settings.py).
    assert schedule["crosschecks-term-start"]["task"] == "cases.tasks.term_start_checks"
    assert schedule["daily-checks"]["task"] == "cases.tasks.daily_checks"
    monthly, term = (
        schedule["crosschecks-monthly"]["schedule"],
        schedule["crosschecks-term-start"]["schedule"],
    )
    assert (monthly.day_of_month, monthly.hour, monthly.minute) == ({1}, {2}, {0})
    assert (term.hour, term.minute) == ({19}, {0})
    assert len(term.day_of_month) == 31 and len(term.month_of_year) == 12  # daily


# --------------------------------------------------------------------------
# Term-start check
# --------------------------------------------------------------------------


def test_term_check_saves_and_resaving_updates(world, login):
    w = world
    client = login(w.village_user)
    url = reverse("term_check")
    html = client.get(url).content.decode()
    assert "王小明" in html and "赵四" not in html and "已核查 0 / 1 人" in html

    data = {"child": [w.c_class.pk], f"p{w.c_class.pk}": "0", f"n{w.c_class.pk}": "随父母外出"}
    resp = client.post(url, data, follow=True)
    assert "已保存 1 名学生" in resp.content.decode()
    check = TermCheck.objects.get()
    assert (check.term, check.child, check.present, check.note, check.checked_by) == (
        crosscheck.term_label(),
        w.c_class,
        False,
        "随父母外出",
        w.village_user,
    )
    html = resp.content.decode()
    assert "已核查 1 / 1 人，其中未到校 1 人" in html and "随父母外出" in html

    login(w.teacher).post(url, {"child": [w.c_class.pk], f"p{w.c_class.pk}": "1"})
    check = TermCheck.objects.get()
    assert (check.present, check.note, check.checked_by) == (True, "", w.teacher)
    # Saving the page unchanged writes nothing.
    resp = login(w.teacher).post(
        url, {"child": [w.c_class.pk], f"p{w.c_class.pk}": "1"}, follow=True
    )
    assert "已保存 0 名学生" in resp.content.decode()
    assert TermCheck.objects.get().checked_by == w.teacher


def test_term_check_lists_each_role_its_children(world, login):
    w = world
    url = reverse("term_check")
    html = login(w.school_admin).get(url).content.decode()
    assert all(n in html for n in ("王小明", "李二", "钱五")) and "张三" not in html
    html = login(w.teacher).get(url).content.decode()
    assert "王小明" in html and "李二" not in html
    for user in (w.township_user, w.county_user, w.nobody):
        assert login(user).get(url).status_code == 404
    # Marking a child out of reach: 404, nothing saved.
    data = {"child": [w.c_t2.pk], f"p{w.c_t2.pk}": "0"}
    assert login(w.teacher).post(url, data).status_code == 404
    assert not TermCheck.objects.exists()


def test_term_check_page_query_count(world, login, django_assert_max_num_queries):
    for i in range(30):
        _child(f"学生{i}", world.v1)
    client = login(world.village_user)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("term_check")).status_code == 200
    data = {"child": [c.pk for c in Child.objects.filter(village=world.v1)]}
    data.update({f"p{pk}": "1" for pk in data["child"]})
    with django_assert_max_num_queries(12):
        client.post(reverse("term_check"), data)
    assert TermCheck.objects.count() == 31
